/**
 * One rule, one place: the deterministic names and the rules that keep them valid live in
 * src/private/naming.ts, and every construct and importer applies the same rule.
 */
import { App, Stack } from 'aws-cdk-lib';
import {
  CicdArtifactStore, CicdSettings, CrossAccountPipelineRoles, CrossReadOnlyRole, ICicdArtifactStore, TargetAccountRoles,
} from '../src';
import * as naming from '../src/private/naming';

const CICD_ENV = { account: '111111111111', region: 'eu-west-1' };
const KEY_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function errorLine(build: (stack: Stack) => unknown, prop: string): string {
  const stack = new Stack(new App(), 'Stack', { env: CICD_ENV });
  try {
    build(stack);
  } catch (e) {
    const line = (e as Error).message.split('\n').find((l) => l.startsWith(`  - ${prop}: `));
    if (line) return line.replace(/ \(Python: [^)]*\)$/, '').replace(/^ {2}- \S+: /, '');
    throw e;
  }
  return 'accepted';
}

const imported = (s: Stack) => CicdArtifactStore.fromArtifactStoreAttributes(s, 'Store', {
  keyArn: KEY_ARN, artifactsBucketName: 'cicd-artifacts-111111111111-eu-west-1', templatesBucketName: 'cicd-templates-111111111111-eu-west-1',
});

describe('the target-name rule', () => {
  test.each(['non prod', '1st', 'n'.repeat(33), 'a_b'])('%j is refused the same way by the store, the settings and the importer', (name) => {
    const store = errorLine((s) => new CicdArtifactStore(s, 'X', { targetAccounts: [{ name, accountId: '222222222222' }] }), 'targetAccounts[0].name');
    const settings = errorLine((s) => new CicdSettings(s, 'X', { artifactStore: imported(s), targetAccounts: [{ name, accountId: '222222222222' }] }), 'targetAccounts[0].name');
    const importer = errorLine((s) => TargetAccountRoles.fromTargetAccount(s, 'X', { name, accountId: '222222222222' }), 'target.name');
    expect(store).toBe(`got ${JSON.stringify(name)}; ${naming.TARGET_NAME_RULE}`);
    expect(settings).toBe(store);
    expect(importer).toBe(store);
  });

  test.each(['n', 'nonprod', 'N-2', 'n'.repeat(32)])('%j is accepted by all three', (name) => {
    expect(naming.isTargetName(name)).toBe(true);
    expect(errorLine((s) => new CicdArtifactStore(s, 'X', { targetAccounts: [{ name, accountId: '222222222222' }] }), 'targetAccounts[0].name')).toBe('accepted');
    expect(errorLine((s) => TargetAccountRoles.fromTargetAccount(s, 'X', { name, accountId: '222222222222' }), 'target.name')).toBe('accepted');
  });
});

describe('the export-prefix limit', () => {
  test('is 255 less the room kept for the suffixes, and the store\'s longest export name fits', () => {
    expect(naming.EXPORT_PREFIX_MAX).toBe(200);
    const longest = 'p'.repeat(naming.EXPORT_PREFIX_MAX);
    const store = (prefix: string) => errorLine((s) => new CicdArtifactStore(s, 'X', { targetAccounts: [{ name: 'n', accountId: '222222222222' }], outputExportPrefix: prefix }), 'outputExportPrefix');
    expect(store(longest)).toBe('accepted');
    expect(store(`${longest}p`)).toMatch(/allowed: 1 to 200 letters/);
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: CICD_ENV });
    new CicdArtifactStore(stack, 'X', { targetAccounts: [{ name: 'n', accountId: '222222222222' }], outputExportPrefix: longest });
    const names = Object.values<any>(app.synth().getStackByName('Stack').template.Outputs)
      .map((o) => o.Export?.Name).filter((n): n is string => typeof n === 'string');
    expect(names.length).toBeGreaterThan(0);
    expect(Math.max(...names.map((n) => n.length))).toBeLessThanOrEqual(255);
  });
});

describe('the bucket-prefix check', () => {
  test.each(['Shared', 'a.b', 'xn--a', 'p'.repeat(41)])('%j is refused the same way by the store and by fromCicdAccount', (prefix) => {
    const store = errorLine((s) => new CicdArtifactStore(s, 'X', { targetAccounts: [{ name: 'n', accountId: '222222222222' }], artifactsBucketPrefix: prefix }), 'artifactsBucketPrefix');
    const importer = errorLine((s) => CicdArtifactStore.fromCicdAccount(s, 'X', { account: '111111111111', region: 'eu-west-1', artifactsBucketPrefix: prefix }), 'artifactsBucketPrefix');
    expect(store).toMatch(/^got .*; allowed: /);
    expect(importer).toBe(store);
  });
});

describe('deterministic names come from one module', () => {
  test('the constructs\' public names are the naming module\'s', () => {
    expect(CrossAccountPipelineRoles.crossAccountRoleName()).toBe(naming.crossAccountRoleName());
    expect(CrossAccountPipelineRoles.cloudFormationRoleName('team')).toBe(naming.cloudFormationRoleName('team'));
    expect(CrossAccountPipelineRoles.buildRoleName('team')).toBe('team-build');
    expect(CrossReadOnlyRole.DEFAULT_ROLE_NAME).toBe(naming.DEFAULT_READ_ONLY_ROLE_NAME);
    expect(CicdArtifactStore.bucketName(naming.DEFAULT_ARTIFACTS_PREFIX, '111111111111', 'eu-west-1')).toBe('cicd-artifacts-111111111111-eu-west-1');
  });
});

describe('an imported store knows the CICD account\'s environment', () => {
  const env = (build: (s: Stack) => ICicdArtifactStore, stackEnv = { account: '222222222222', region: 'eu-west-2' }) => {
    const store = build(new Stack(new App(), 'Stack', { env: stackEnv }));
    return { account: store.env.account, region: store.env.region };
  };

  test('from its location', () => {
    expect(env((s) => CicdArtifactStore.fromCicdAccount(s, 'X', { account: '111111111111', region: 'eu-west-1' }))).toEqual(CICD_ENV);
  });

  test('from a literal key ARN', () => {
    expect(env(imported)).toEqual(CICD_ENV);
  });

  test('from SSM parameters: this account, where they are read', () => {
    expect(env((s) => CicdArtifactStore.fromSsmParameters(s, 'X'))).toEqual({ account: '222222222222', region: 'eu-west-2' });
  });

  test('so the pipeline roles refuse an imported store of another account, as they refuse a created one', () => {
    const roles = (cicdAccountId: string) => errorLine((s) => new CrossAccountPipelineRoles(s, 'R', {
      cicdAccountId, artifactStore: CicdArtifactStore.fromCicdAccount(s, 'Store', { account: '111111111111', region: 'eu-west-1' }),
    }), 'artifactStore');
    expect(roles('111111111111')).toBe('accepted');
    expect(roles('333333333333')).toBe('got "Stack/Store"; allowed: the store of the CICD account 333333333333 (this store is in account 111111111111)');
  });
});
