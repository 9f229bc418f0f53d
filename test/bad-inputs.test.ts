/**
 * A catalogue of invalid configurations across every public construct: each one fails at
 * synth time with a message that names the prop and shows the value, and leaves no template
 * behind.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Aws, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  CicdArtifactStore,
  CicdSettings,
  CrossAccountPipelineRoles,
  CrossReadOnlyRole,
  TargetAccount,
  TargetAccountRoles,
} from '../src';
import { PropErrors, pythonName } from '../src/private/validation';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const NONPROD: TargetAccount = { name: 'nonprod', accountId: '222222222222' };

function importedStore(scope: Stack) {
  return CicdArtifactStore.fromArtifactStoreAttributes(scope, 'ImportedStore', {
    keyArn: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    artifactsBucketName: 'cicd-artifacts-111111111111-eu-west-1',
    templatesBucketName: 'cicd-templates-111111111111-eu-west-1',
  });
}

const many = (n: number): TargetAccount[] => Array.from({ length: n }, (_, i) => ({ name: `t${i}`, accountId: String(200000000000 + i) }));

/** [what, how to build it in a stack, the message it must fail with (prop and value)] */
const CATALOGUE: Array<[string, (stack: Stack) => void, RegExp]> = [
  // CicdArtifactStore
  ['store: account ID of 11 digits', (s) => new CicdArtifactStore(s, 'X', { targetAccounts: [{ name: 'a', accountId: '22222222222' }] }),
    /targetAccounts\[0\]\.accountId: got "22222222222"/],
  ['store: account ID of 13 digits', (s) => new CicdArtifactStore(s, 'X', { targetAccounts: [{ name: 'a', accountId: '2222222222222' }] }),
    /targetAccounts\[0\]\.accountId: got "2222222222222"/],
  ['store: account ID as a number', (s) => new CicdArtifactStore(s, 'X', { targetAccounts: [{ name: 'a', accountId: 22222222222 as unknown as string }] }),
    /targetAccounts\[0\]\.accountId: got 22222222222; allowed: a 12-digit AWS account ID as a string/],
  ['store: account ID as a token', (s) => new CicdArtifactStore(s, 'X', { targetAccounts: [{ name: 'a', accountId: Aws.ACCOUNT_ID }] }),
    /targetAccounts\[0\]\.accountId: got an unresolved token/],
  ['store: duplicate accounts', (s) => new CicdArtifactStore(s, 'X', { targetAccounts: [NONPROD, { name: 'again', accountId: '222222222222' }] }),
    /targetAccounts\[1\]\.accountId: got "222222222222"; allowed: an account listed once/],
  ['store: duplicate names', (s) => new CicdArtifactStore(s, 'X', { targetAccounts: [NONPROD, { name: 'nonprod', accountId: '333333333333' }] }),
    /targetAccounts\[1\]\.name: got "nonprod"/],
  ['store: name too long', (s) => new CicdArtifactStore(s, 'X', { targetAccounts: [{ name: 'n'.repeat(33), accountId: '222222222222' }] }),
    /targetAccounts\[0\]\.name: got "n{33}"/],
  ['store: malformed role ID', (s) => new CicdArtifactStore(s, 'X', { targetAccounts: [{ ...NONPROD, roleIds: ['AROA123'] }] }),
    /targetAccounts\[0\]\.roleIds\[0\]: got "AROA123"/],
  ['store: user ID in place of a role ID', (s) => new CicdArtifactStore(s, 'X', { targetAccounts: [{ ...NONPROD, roleIds: ['AIDAJQABLZS4A3QDU576Q'] }] }),
    /targetAccounts\[0\]\.roleIds\[0\]: got "AIDAJQABLZS4A3QDU576Q"; allowed: an IAM role unique ID \(starts with "AROA"; "AIDA" is a user/],
  ['store: malformed role ARN', (s) => new CicdArtifactStore(s, 'X', { targetAccounts: [{ ...NONPROD, roleArns: ['arn:aws:iam:222222222222:role/x'] }] }),
    /targetAccounts\[0\]\.roleArns\[0\]: got "arn:aws:iam:222222222222:role\/x"/],
  ['store: role ARN of another account', (s) => new CicdArtifactStore(s, 'X', { targetAccounts: [{ ...NONPROD, roleArns: ['arn:aws:iam::333333333333:role/x'] }] }),
    /targetAccounts\[0\]\.roleArns\[0\]: got "arn:aws:iam::333333333333:role\/x"; allowed: a role of the target's own account/],
  ['store: invalid organization ID', (s) => new CicdArtifactStore(s, 'X', { organizationId: 'org-123' }),
    /organizationId: got "org-123"/],
  ['store: organization ID in upper case', (s) => new CicdArtifactStore(s, 'X', { organizationId: 'o-A1B2C3D4E5' }),
    /organizationId: got "o-A1B2C3D4E5"/],
  ['store: organization path of another organization', (s) => new CicdArtifactStore(s, 'X', { organizationId: 'o-a1b2c3d4e5', organizationPaths: ['o-b1b2c3d4e5/*'] }),
    /organizationPaths\[0\]: got "o-b1b2c3d4e5\/\*"/],
  ['store: role names without an organization (conflicting props)', (s) => new CicdArtifactStore(s, 'X', { targetAccounts: [NONPROD], organizationRoleNames: ['cicd-build'] }),
    /organizationRoleNames: got \["cicd-build"\]/],
  ['store: same prefix for both buckets (conflicting props)', (s) => new CicdArtifactStore(s, 'X', { targetAccounts: [NONPROD], artifactsBucketPrefix: 'cicd', templatesBucketPrefix: 'cicd' }),
    /templatesBucketPrefix: got "cicd"/],
  ['store: bucket prefix with dots', (s) => new CicdArtifactStore(s, 'X', { targetAccounts: [NONPROD], artifactsBucketPrefix: 'shared.codepipeline' }),
    /artifactsBucketPrefix: got "shared.codepipeline"/],
  ['store: bucket prefix too long', (s) => new CicdArtifactStore(s, 'X', { targetAccounts: [NONPROD], templatesBucketPrefix: 't'.repeat(45) }),
    /templatesBucketPrefix: got "t{45}"; allowed: at most 40 characters/],
  ['store: key alias reserved by AWS', (s) => new CicdArtifactStore(s, 'X', { targetAccounts: [NONPROD], keyAlias: 'alias/aws/cicd' }),
    /keyAlias: got "alias\/aws\/cicd"/],
  ['store: export prefix with invalid characters', (s) => new CicdArtifactStore(s, 'X', { targetAccounts: [NONPROD], outputExportPrefix: 'cicd artifacts' }),
    /outputExportPrefix: got "cicd artifacts"/],
  ['store: retention under a day', (s) => new CicdArtifactStore(s, 'X', { targetAccounts: [NONPROD], noncurrentVersionRetention: Duration.minutes(30) }),
    /noncurrentVersionRetention: got "Duration.minutes\(30\)"/],
  ['store: imported with an alias in place of a key ARN', (s) => CicdArtifactStore.fromArtifactStoreAttributes(s, 'X', {
    keyArn: 'alias/cicd/artifacts', artifactsBucketName: 'a-b-c', templatesBucketName: 'd-e-f',
  }), /keyArn: got "alias\/cicd\/artifacts"/],
  // CrossAccountPipelineRoles
  ['roles: CICD account ID of 10 digits', (s) => new CrossAccountPipelineRoles(s, 'X', { cicdAccountId: '1111111111', artifactStore: importedStore(s) }),
    /cicdAccountId: got "1111111111"/],
  ['roles: trusted principal of another account', (s) => new CrossAccountPipelineRoles(s, 'X', {
    cicdAccountId: '111111111111', artifactStore: importedStore(s), trustedPrincipalArns: ['arn:aws:iam::999999999999:role/pipeline'],
  }), /trustedPrincipalArns\[0\]: got "arn:aws:iam::999999999999:role\/pipeline"/],
  ['roles: role-name prefix over the 64-character limit', (s) => new CrossAccountPipelineRoles(s, 'X', {
    cicdAccountId: '111111111111', artifactStore: importedStore(s), roleNamePrefix: 'p'.repeat(60),
  }), /roleNamePrefix: got "p{60}"; allowed: .*at most 50 characters/],
  ['roles: role-name prefix with a slash', (s) => new CrossAccountPipelineRoles(s, 'X', {
    cicdAccountId: '111111111111', artifactStore: importedStore(s), roleNamePrefix: 'team/a',
  }), /roleNamePrefix: got "team\/a"/],
  ['roles: boundary that is not a managed policy', (s) => new CrossAccountPipelineRoles(s, 'X', {
    cicdAccountId: '111111111111',
    artifactStore: importedStore(s),
    permissionsBoundary: iam.ManagedPolicy.fromManagedPolicyArn(s, 'Boundary', 'arn:aws:iam::111111111111:user/boundary'),
  }), /permissionsBoundary: got "arn:aws:iam::111111111111:user\/boundary"/],
  ['roles: invalid stack-name prefix', (s) => new CrossAccountPipelineRoles(s, 'X', {
    cicdAccountId: '111111111111', artifactStore: importedStore(s), stackNamePrefix: 'my_app',
  }), /stackNamePrefix: got "my_app"/],
  // CrossReadOnlyRole
  ['read-only role: no trusted account', (s) => new CrossReadOnlyRole(s, 'X', { trustedAccountIds: [] }),
    /trustedAccountIds: got \[\]/],
  ['read-only role: account ID with letters', (s) => new CrossReadOnlyRole(s, 'X', { trustedAccountIds: ['11111111111a'] }),
    /trustedAccountIds\[0\]: got "11111111111a"/],
  ['read-only role: role name over 64 characters', (s) => new CrossReadOnlyRole(s, 'X', { trustedAccountIds: ['111111111111'], roleName: 'r'.repeat(65) }),
    /roleName: got "r{65}"/],
  ['read-only role: extra action that is a data read', (s) => new CrossReadOnlyRole(s, 'X', { trustedAccountIds: ['111111111111'], additionalReadActions: ['s3:GetObject'] }),
    /additionalReadActions\[0\]: got "s3:GetObject"/],
  ['read-only role: extra action that writes', (s) => new CrossReadOnlyRole(s, 'X', { trustedAccountIds: ['111111111111'], additionalReadActions: ['s3:PutObject'] }),
    /additionalReadActions\[0\]: got "s3:PutObject"/],
  ['read-only role: session of 13 hours', (s) => new CrossReadOnlyRole(s, 'X', { trustedAccountIds: ['111111111111'], maxSessionDuration: Duration.hours(13) }),
    /maxSessionDuration: got "Duration.hours\(13\)"/],
  // CicdSettings and importers
  ['settings: parameter prefix reserved by SSM', (s) => new CicdSettings(s, 'X', { artifactStore: importedStore(s), targetAccounts: [], parameterPrefix: '/ssm/cicd' }),
    /parameterPrefix: got "\/ssm\/cicd"/],
  ['settings: parameter prefix without a leading slash', (s) => new CicdSettings(s, 'X', { artifactStore: importedStore(s), targetAccounts: [], parameterPrefix: 'cicd' }),
    /parameterPrefix: got "cicd"/],
  ['settings: role name prefix with a slash', (s) => new CicdSettings(s, 'X', { artifactStore: importedStore(s), targetAccounts: [], roleNamePrefix: 'cicd/x' }),
    /roleNamePrefix: got "cicd\/x"/],
  ['settings: user ID as a role ID', (s) => new CicdSettings(s, 'X', {
    artifactStore: importedStore(s), targetAccounts: [{ ...NONPROD, roleIds: ['AIDAJQABLZS4A3QDU576Q'] }],
  }), /targetAccounts\[0\]\.roleIds\[0\]: got "AIDAJQABLZS4A3QDU576Q"/],
  ['importer: target name with a space', (s) => TargetAccountRoles.fromTargetAccount(s, 'X', { name: 'non prod', accountId: '222222222222' }),
    /target\.name: got "non prod"/],
  // CicdArtifactStore.fromSsmParameters (container images)
  ['importer: a negative image repository count', (s) => CicdArtifactStore.fromSsmParameters(s, 'X', { imageRepositoryCount: -1 }),
    /imageRepositoryCount: got -1; allowed: a whole number from 0 to 1000/],
  ['importer: a fractional image repository count', (s) => CicdArtifactStore.fromSsmParameters(s, 'X', { imageRepositoryCount: 2.5 }),
    /imageRepositoryCount: got 2\.5/],
];

describe('bad inputs fail at synth, naming the prop and the value', () => {
  test('the catalogue is large enough', () => {
    expect(CATALOGUE.length).toBeGreaterThanOrEqual(25);
    expect(new Set(CATALOGUE.map(([what]) => what.split(':')[0])).size).toBeGreaterThanOrEqual(5);
  });

  test.each(CATALOGUE)('%s', (_, build, pattern) => {
    // GIVEN
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bad-input-'));
    const app = new App({ outdir, analyticsReporting: false });
    const stack = new Stack(app, 'Stack', { env: ENV });
    // WHEN
    expect(() => build(stack)).toThrow(pattern);
    // THEN nothing was half-created: the construct is not in the tree, and the app, synthesized
    // after the error, holds a stack with no resource, output or condition from it.
    expect(stack.node.tryFindChild('X')).toBeUndefined();
    const template = app.synth().getStackByName('Stack').template;
    expect(template.Resources ?? {}).toEqual({});
    expect(template.Outputs).toBeUndefined();
    expect(template.Conditions).toBeUndefined();
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  test('policies over their quota fail synth and no template is written', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bad-input-'));
    const app = new App({ outdir });
    new CicdArtifactStore(new Stack(app, 'Stack', { env: ENV }), 'X', { targetAccounts: many(700) });
    expect(() => app.synth()).toThrow(/The bucket policy of Stack\/X\/ArtifactsBucket is \d+ bytes/);
    const written = fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
    expect(written).toEqual([]);
  });
});

describe('errors say where, in every language', () => {
  test('the message names the construct path, so that one of several role stacks can be told apart', () => {
    // GIVEN: four role stacks, one of them misconfigured
    const app = new App();
    const build = (name: string, prefix?: string) => new CrossAccountPipelineRoles(new Stack(app, `Roles-${name}`, { env: ENV }), 'PipelineRoles', {
      cicdAccountId: '111111111111', artifactStore: importedStore(new Stack(app, `Store-${name}`, { env: ENV })), roleNamePrefix: prefix,
    });
    ['dev', 'test', 'staging'].forEach((n) => build(n));
    // THEN
    expect(() => build('nonprod', 'team/a')).toThrow(/^CrossAccountPipelineRoles at Roles-nonprod\/PipelineRoles: invalid props:\n {2}- roleNamePrefix: got "team\/a"/);
  });

  test.each([
    ['CicdArtifactStore at Stack/X', (s: Stack) => new CicdArtifactStore(s, 'X', { targetAccounts: [{ ...NONPROD, roleArns: ['arn:aws:iam:222222222222:role/x'] }] }),
      '  - targetAccounts[0].roleArns[0]: got "arn:aws:iam:222222222222:role/x"; ', ' (Python: target_accounts[0].role_arns[0])'],
    ['CicdArtifactStore.fromArtifactStoreAttributes at Stack/X', (s: Stack) => CicdArtifactStore.fromArtifactStoreAttributes(s, 'X', {
      keyArn: 'alias/cicd/artifacts', artifactsBucketName: 'a-b-c', templatesBucketName: 'd-e-f',
    }), '  - keyArn: got "alias/cicd/artifacts"; ', ' (Python: key_arn)'],
    ['CrossReadOnlyRole at Stack/X', (s: Stack) => new CrossReadOnlyRole(s, 'X', { trustedAccountIds: [] }),
      '  - trustedAccountIds: got []; ', ' (Python: trusted_account_ids)'],
    ['TargetAccountRoles.fromTargetAccount at Stack/X', (s: Stack) => TargetAccountRoles.fromTargetAccount(s, 'X', { name: 'nonprod', accountId: '222222222222' }, { readOnlyRoleName: 'r'.repeat(65) }),
      `  - readOnlyRoleName: got "${'r'.repeat(65)}"; `, ' (Python: read_only_role_name)'],
    ['CicdSettings at Stack/X', (s: Stack) => new CicdSettings(s, 'X', { artifactStore: importedStore(s), targetAccounts: [], roleNamePrefix: 'cicd/x' }),
      '  - roleNamePrefix: got "cicd/x"; ', ' (Python: role_name_prefix)'],
    ['CrossReadOnlyRole at Stack/X', (s: Stack) => new CrossReadOnlyRole(s, 'X', { trustedAccountIds: ['111111111111'], roleName: 'r'.repeat(65) }),
      `  - roleName: got "${'r'.repeat(65)}"; `, ' (Python: role_name)'],
  ])('%s: the prop as TypeScript and Java spell it, then as Python does', (where, build, start, python) => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    let message = '';
    try {
      build(stack);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.split('\n')[0]).toBe(`${where}: invalid props:`);
    expect(message.split('\n').filter((l) => l.startsWith(start) && l.endsWith(python))).toHaveLength(1);
  });

  test('every name of a prop path is spelled as in Python, indices kept', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    expect(() => new CicdArtifactStore(stack, 'X', { targetAccounts: [{ name: 'n'.repeat(33), accountId: '222222222222' }] }))
      .toThrow(/^ {2}- targetAccounts\[0\]\.name: got "n{33}"; [^\n]*\(Python: target_accounts\[0\]\.name\)$/m);
    expect(() => new CrossReadOnlyRole(stack, 'Y', { trustedAccountIds: ['111111111111'], maxSessionDuration: Duration.hours(13) }))
      .toThrow(/\(Python: max_session_duration\)/);
  });

  test('a prop Python spells the same way gets no Python note', () => {
    const errors = new PropErrors('Thing', new Stack(new App(), 'Stack'), 'X');
    errors.add('name', 'x', 'allowed: y');
    errors.add('targets[0].name', 'x', 'allowed: y');
    expect(() => errors.throwIfAny()).toThrow(/^Thing at Stack\/X: invalid props:\n {2}- name: got "x"; allowed: y\n {2}- targets\[0\]\.name: got "x"; allowed: y$/);
    expect(pythonName('targetAccounts[12].roleArns[0]')).toBe('target_accounts[12].role_arns[0]');
    expect(pythonName('keyARN')).toBe('key_arn');
  });
});
