import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { buildCdkDeployApp, CDK_DEPLOY_STACK } from '../../examples/cdk-deploy';
import { readConfig } from '../../examples/config';
import {
  assumedRoleArns, cdkDeployChecks, CheckRow, Expected, fileAssetObjects, RunFacts, stackArtifacts,
} from '../../scripts/cdk-deploy-checks';
import { developerPolicy } from '../../scripts/test-cdk-deploy';

const CICD = '111111111111';
const NONPROD = '222222222222';
const PROD = '777777777777';
const REGION = 'eu-west-1';
const BUCKET = `cicd-assets-${CICD}-${REGION}`;
const PUBLISHING = `arn:aws:iam::${CICD}:role/cicd-assets-publishing-${REGION}`;
const KEY = `arn:aws:kms:${REGION}:${CICD}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

describe('the sample application\'s cloud assembly, read as the CLI reads it', () => {
  // GIVEN: the example app synthesized into a directory
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-deploy-app-'));
  const app = new App({ outdir });
  buildCdkDeployApp(app, readConfig(() => undefined, {}));
  app.synth();
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf-8'));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('one stack per target, each deployed by the target\'s own roles and requiring no bootstrap version', () => {
    const stacks = stackArtifacts(manifest);
    expect(stacks.map((s) => [s.stackName, s.environment])).toEqual([
      [CDK_DEPLOY_STACK, `aws://${NONPROD}/${REGION}`],
      [CDK_DEPLOY_STACK, `aws://${PROD}/${REGION}`],
    ]);
    expect(stacks.map((s) => s.assumeRoleArn)).toEqual([NONPROD, PROD].map((a) => `arn:\${AWS::Partition}:iam::${a}:role/cicd-cross-account`));
    expect(stacks.map((s) => s.cloudFormationExecutionRoleArn)).toEqual([NONPROD, PROD].map((a) => `arn:\${AWS::Partition}:iam::${a}:role/cicd-cloudformation`));
    expect(stacks.map((s) => s.requiresBootstrapStackVersion)).toEqual([undefined, undefined]);
    expect(stacks.every((s) => s.assetsFile?.endsWith('.assets.json'))).toBe(true);
  });

  test('every file asset (the template and the content) goes to the central bucket under the target\'s prefix, published by the CICD role', () => {
    for (const [s, account] of stackArtifacts(manifest).map((x, i) => [x, [NONPROD, PROD][i]] as const)) {
      const assets = fileAssetObjects(JSON.parse(fs.readFileSync(path.join(outdir, s.assetsFile!), 'utf-8')), account, REGION);
      expect(assets).toHaveLength(2);
      expect(assets.filter((a) => a.objectKey.endsWith('.json'))).toHaveLength(1);
      expect(assets.filter((a) => a.objectKey.endsWith('.zip'))).toHaveLength(1);
      for (const a of assets) {
        expect(a).toEqual({ id: expect.stringMatching(/^[0-9a-f]{64}$/), bucketName: BUCKET, objectKey: `${account}/${a.objectKey.split('/')[1]}`, assumeRoleArn: PUBLISHING });
      }
    }
  });
});

test('with cdkBootstrapCompatibility, the CLI is asked to check the version the targets publish', () => {
  // GIVEN
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-deploy-app-compat-'));
  try {
    const app = new App({ outdir });
    // WHEN
    buildCdkDeployApp(app, readConfig(() => undefined, {}), true);
    const manifest = app.synth().manifest;
    // THEN
    expect(stackArtifacts(manifest).map((s) => s.requiresBootstrapStackVersion)).toEqual([6, 6]);
    const versionParameters = Object.values<any>(manifest.artifacts ?? {})
      .map((a) => a.properties?.bootstrapStackVersionSsmParameter).filter(Boolean);
    expect(new Set(versionParameters)).toEqual(new Set(['/cdk-bootstrap/cicd/version']));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});

describe('placeholders are resolved for the target', () => {
  test('account, region and partition', () => {
    const assets = fileAssetObjects({
      files: {
        abc: {
          destinations: {
            d: { bucketName: 'b-${AWS::AccountId}-${AWS::Region}', objectKey: '${AWS::AccountId}/abc.zip', assumeRoleArn: 'arn:${AWS::Partition}:iam::1:role/r' },
          },
        },
      },
    }, NONPROD, REGION);
    expect(assets).toEqual([{ id: 'abc', bucketName: `b-${NONPROD}-${REGION}`, objectKey: `${NONPROD}/abc.zip`, assumeRoleArn: 'arn:aws:iam::1:role/r' }]);
  });
});

test('the roles the CLI assumed are read from its -v output, each once, in order', () => {
  const output = [
    "[19:40:38] Assuming role 'arn:aws:iam::111111111111:role/cicd-assets-publishing-eu-west-1'.",
    "[19:40:39] Assuming role 'arn:aws:iam::222222222222:role/cicd-cross-account'.",
    "[19:40:39] Assuming role 'arn:aws:iam::111111111111:role/cicd-assets-publishing-eu-west-1'.",
    'cicd-sample-cdk-app: deploying...',
  ].join('\n');
  expect(assumedRoleArns(output)).toEqual([
    'arn:aws:iam::111111111111:role/cicd-assets-publishing-eu-west-1',
    'arn:aws:iam::222222222222:role/cicd-cross-account',
  ]);
  expect(assumedRoleArns('no roles here')).toEqual([]);
});

describe('the checks of a cdk deploy through the baseline', () => {
  const started = new Date('2026-11-30T20:00:00Z');
  const during = new Date('2026-11-30T20:00:05Z');
  const before = new Date('2026-11-30T19:00:00Z');
  const deployRole = (a: string) => `arn:aws:iam::${a}:role/cicd-cross-account`;
  const assets = (a: string) => [
    { id: 'a'.repeat(64), bucketName: BUCKET, objectKey: `${a}/${'a'.repeat(64)}.json`, assumeRoleArn: PUBLISHING },
    { id: 'b'.repeat(64), bucketName: BUCKET, objectKey: `${a}/${'b'.repeat(64)}.zip`, assumeRoleArn: PUBLISHING },
  ];
  const expected: Expected = {
    cicdAccount: CICD,
    region: REGION,
    assetsBucket: BUCKET,
    publishingRoleArn: PUBLISHING,
    keyArn: KEY,
    targets: [NONPROD, PROD].map((account) => ({
      account,
      stackName: CDK_DEPLOY_STACK,
      deployRoleArn: deployRole(account),
      cloudFormationRoleArn: `arn:aws:iam::${account}:role/cicd-cloudformation`,
      assets: assets(account),
    })),
  };
  const good = (): RunFacts => ({
    deployStarted: started,
    assumedRoles: [PUBLISHING, deployRole(NONPROD), deployRole(PROD)],
    publishingRoleLastUsed: during,
    toolkitStackAccounts: [],
    bootstrapBuckets: [],
    targets: [NONPROD, PROD].map((account) => ({
      account,
      stack: {
        stackId: `arn:aws:cloudformation:${REGION}:${account}:stack/${CDK_DEPLOY_STACK}/0b4e3f10-0000-0000-0000-000000000000`,
        status: 'CREATE_COMPLETE',
        roleArn: `arn:aws:iam::${account}:role/cicd-cloudformation`,
      },
      stackInCicdAccount: false,
      deployRoleLastUsed: during,
      objects: assets(account).map((a) => ({ key: a.objectKey, kmsKeyId: KEY })),
    })),
  });
  const failed = (rows: CheckRow[]) => rows.filter((r) => !r.ok).map((r) => `${r.check}: ${r.actual}`);

  test('a deploy as designed passes every check', () => {
    const rows = cdkDeployChecks(expected, good());
    expect(failed(rows)).toEqual([]);
    // 6 per target, 5 per asset, 5 for the run
    expect(rows).toHaveLength(2 * 6 + 4 * 5 + 5);
  });

  // Each fact gone wrong fails exactly the check that names it.
  const cases: Array<[string, (f: any) => void, string[]]> = [
    ['the stack is missing in prod', (f) => { delete f.targets[1].stack; }, [
      `${CDK_DEPLOY_STACK} in ${PROD}: deployed: no stack`,
      `${CDK_DEPLOY_STACK} in ${PROD}: the stack's account: no stack`,
      `${CDK_DEPLOY_STACK} in ${PROD}: CloudFormation role (the stack's RoleARN): none`,
    ]],
    ['the stack failed', (f) => { f.targets[0].stack.status = 'ROLLBACK_COMPLETE'; }, [`${CDK_DEPLOY_STACK} in ${NONPROD}: deployed: ROLLBACK_COMPLETE`]],
    ['the session landed in the CICD account', (f) => { f.targets[0].stack.stackId = f.targets[0].stack.stackId.replace(NONPROD, CICD); }, [
      `${CDK_DEPLOY_STACK} in ${NONPROD}: the stack's account: ${CICD}`,
    ]],
    ['a stack of that name in the CICD account', (f) => { f.targets[1].stackInCicdAccount = true; }, [`${CDK_DEPLOY_STACK} in ${PROD}: not in the CICD account: present`]],
    ['no CloudFormation role', (f) => { delete f.targets[0].stack.roleArn; }, [`${CDK_DEPLOY_STACK} in ${NONPROD}: CloudFormation role (the stack's RoleARN): none`]],
    ['the deploy role not assumed', (f) => { f.assumedRoles = [PUBLISHING, deployRole(PROD)]; }, [
      `${CDK_DEPLOY_STACK} in ${NONPROD}: the CLI assumed the deploy role: not among ${PUBLISHING}, ${deployRole(PROD)}`,
    ]],
    ['the deploy role last used before the deploy', (f) => { f.targets[1].deployRoleLastUsed = before; }, [
      `${CDK_DEPLOY_STACK} in ${PROD}: the deploy role was used: last used ${before.toISOString()}, before the deploy`,
    ]],
    ['the deploy role never used', (f) => { delete f.targets[0].deployRoleLastUsed; }, [`${CDK_DEPLOY_STACK} in ${NONPROD}: the deploy role was used: never used`]],
    ['an asset missing from the bucket', (f) => { f.targets[0].objects = f.targets[0].objects.slice(1); }, [
      `${CDK_DEPLOY_STACK} in ${NONPROD}: asset aaaaaaaaaaaa… (template): in the bucket: absent`,
      `${CDK_DEPLOY_STACK} in ${NONPROD}: asset aaaaaaaaaaaa… (template): encrypted with the store's key: no KMS key`,
    ]],
    ['an asset encrypted with another key', (f) => { f.targets[1].objects[1].kmsKeyId = 'arn:aws:kms:eu-west-1:111111111111:alias/aws/s3'; }, [
      `${CDK_DEPLOY_STACK} in ${PROD}: asset bbbbbbbbbbbb… (file): encrypted with the store's key: arn:aws:kms:eu-west-1:111111111111:alias/aws/s3`,
    ]],
    ['the publishing role not assumed', (f) => { f.assumedRoles = [deployRole(NONPROD), deployRole(PROD)]; }, [
      `the CLI assumed the publishing role: not among ${deployRole(NONPROD)}, ${deployRole(PROD)}`,
    ]],
    ['the publishing role never used', (f) => { delete f.publishingRoleLastUsed; }, ['the publishing role was used: never used']],
    ['another role assumed', (f) => { f.assumedRoles.push(`arn:aws:iam::${NONPROD}:role/cdk-hnb659fds-deploy-role-${NONPROD}-${REGION}`); }, [
      `no other role assumed: arn:aws:iam::${NONPROD}:role/cdk-hnb659fds-deploy-role-${NONPROD}-${REGION}`,
    ]],
    ['a CDKToolkit stack', (f) => { f.toolkitStackAccounts = [PROD]; }, [`no CDKToolkit stack (no cdk bootstrap): ${PROD}`]],
    ['a bootstrap staging bucket', (f) => { f.bootstrapBuckets = [`cdk-hnb659fds-assets-${NONPROD}-${REGION}`]; }, [
      `no cdk bootstrap staging bucket: cdk-hnb659fds-assets-${NONPROD}-${REGION}`,
    ]],
  ];
  test.each(cases)('%s', (_, breakIt, failures) => {
    const facts = good();
    breakIt(facts);
    expect(failed(cdkDeployChecks(expected, facts))).toEqual(failures);
  });

  test('an asset the synthesizer put elsewhere fails on the bucket, the prefix and the publisher', () => {
    const wrong: Expected = {
      ...expected,
      targets: [{
        ...expected.targets[0],
        assets: [{ id: 'c'.repeat(64), bucketName: `cdk-hnb659fds-assets-${NONPROD}-${REGION}`, objectKey: `${'c'.repeat(64)}.zip` }],
      }, expected.targets[1]],
    };
    expect(failed(cdkDeployChecks(wrong, good()))).toEqual([
      `${CDK_DEPLOY_STACK} in ${NONPROD}: asset cccccccccccc… (file): bucket: cdk-hnb659fds-assets-${NONPROD}-${REGION}`,
      `${CDK_DEPLOY_STACK} in ${NONPROD}: asset cccccccccccc… (file): key under the target's prefix: ${'c'.repeat(64)}.zip`,
      `${CDK_DEPLOY_STACK} in ${NONPROD}: asset cccccccccccc… (file): published by: the caller`,
      `${CDK_DEPLOY_STACK} in ${NONPROD}: asset cccccccccccc… (file): in the bucket: absent`,
      `${CDK_DEPLOY_STACK} in ${NONPROD}: asset cccccccccccc… (file): encrypted with the store's key: no KMS key`,
    ]);
  });

  test('a target with no assets in its manifest fails', () => {
    const none: Expected = { ...expected, targets: [{ ...expected.targets[0], assets: [] }, expected.targets[1]] };
    expect(failed(cdkDeployChecks(none, good()))).toEqual([`${CDK_DEPLOY_STACK} in ${NONPROD}: assets in the manifest: none`]);
  });
});

test('the README\'s policy for the developer is the one the cdk deploy test gives its developer', () => {
  // GIVEN: the JSON block after "What the developer's own identity needs"
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf-8');
  const section = readme.slice(readme.indexOf('**What the developer\'s own identity needs**'));
  const block = /```json\n([\s\S]*?)\n```/.exec(section)![1];
  // THEN
  expect(JSON.parse(block)).toEqual(developerPolicy(CICD, REGION, [NONPROD, PROD]));
});
