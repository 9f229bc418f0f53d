import { App, Stack } from 'aws-cdk-lib';
import { buildBaseline, PIPELINE_STACK, SETTINGS_STACK, STORE_STACK } from '../examples/baseline';
import { readConfig } from '../examples/config';
import { largestN, succeeds } from '../scripts/largest-n';
import { CicdArtifactStore, CicdSettings, CrossReadOnlyRole, TargetAccount } from '../src';

// Each construct's largest N, found by search: N fits under every CloudFormation and IAM
// quota, N + 1 fails with a message that names the quota. The floors are the README's
// promises (its "Many accounts" section), so a construct that grows faster per account fails.

const CICD_ENV = { account: '111111111111', region: 'eu-west-1' };
/** CloudFormation's quotas on one stack. */
const QUOTAS = { resources: 500, templateBytes: 1_000_000, outputs: 200 };

function underQuotas(template: any): void {
  expect({
    resources: Object.keys(template.Resources).length <= QUOTAS.resources,
    templateBytes: Buffer.byteLength(JSON.stringify(template)) <= QUOTAS.templateBytes,
    outputs: Object.keys(template.Outputs ?? {}).length <= QUOTAS.outputs,
  }).toEqual({ resources: true, templateBytes: true, outputs: true });
}

describe('CicdSettings', () => {
  // The longest target names, and three role IDs each: the most bytes per target.
  const targets = (n: number): TargetAccount[] => Array.from({ length: n }, (_, i) => ({
    name: `t${String(i).padStart(31, '0')}`,
    accountId: String(200000000000 + i),
    roleIds: [0, 1, 2].map((k) => `AROA${String(i * 10 + k).padStart(17, '0')}`),
  }));
  const build = (n: number) => {
    const app = new App();
    const stack = new Stack(app, 'Cicd', { env: CICD_ENV });
    const store = new CicdArtifactStore(stack, 'Store', { organizationId: 'o-a1b2c3d4e5' });
    new CicdSettings(stack, 'Settings', { artifactStore: store, targetAccounts: targets(n) });
    return app;
  };
  const QUOTA_ERROR = /^CicdSettings Cicd\/Settings: the registry of \d+ target accounts takes \d+ SSM parameters and about \d+ bytes of template, over 900000 bytes, 90% of CloudFormation's template quota of 1 MB/;

  test('the largest N (at least 1,000 of the longest entries) synthesizes with the store under every quota; N + 1 fails naming the quota', () => {
    const n = largestN((k) => succeeds(() => build(k), QUOTA_ERROR), 100);
    expect(n).toBeGreaterThanOrEqual(1000);
    underQuotas(build(n).synth().getStackByName('Cicd').template);
    expect(() => build(n + 1)).toThrow(QUOTA_ERROR);
  });
});

describe('CrossReadOnlyRole', () => {
  const build = (n: number) => () => {
    const app = new App();
    new CrossReadOnlyRole(new Stack(app, 'Target', { env: { account: '222222222222', region: 'eu-west-1' } }), 'ReadOnly', {
      trustedAccountIds: Array.from({ length: n }, (_, i) => String(300000000000 + i)),
    });
    app.synth();
  };
  const QUOTA_ERROR = /The trust policy of Target\/ReadOnly\/Role is \d+ bytes \(whitespace removed\), over \d+ bytes, 90% of the AWS quota of 2048/;

  test('the largest number of trusted accounts (at least 51) fits the trust policy; one more fails naming the quota', () => {
    const n = largestN((k) => succeeds(build(k), QUOTA_ERROR));
    expect(n).toBeGreaterThanOrEqual(51);
    expect(build(n)).not.toThrow();
    expect(build(n + 1)).toThrow(QUOTA_ERROR);
  });
});

describe('the CICD account of the reference app', () => {
  const cicdTemplates = (context: Record<string, string>) => {
    const app = new App();
    buildBaseline(app, readConfig((key) => context[key], {}));
    const assembly = app.synth();
    return [STORE_STACK, SETTINGS_STACK, PIPELINE_STACK].map((name) => assembly.getStackByName(name).template);
  };

  test('1,000 target accounts in organization mode: every CICD stack under every quota', () => {
    const [store, settings, pipeline] = cicdTemplates({ organizationId: 'o-a1b2c3d4e5', targetCount: '1000', stacks: 'cicd' });
    for (const template of [store, settings, pipeline]) {
      underQuotas(template);
    }
    expect(Object.keys(settings.Resources).length).toBeLessThan(30);
  });

  test('the largest listed-account N of the store (at least 489): every CICD stack under every quota; N + 1 fails naming the quota', () => {
    const QUOTA_ERROR = /The (bucket|key) policy of cicd-artifact-store\/ArtifactStore\/\w+ is \d+ bytes/;
    const cicd = (k: number) => cicdTemplates({ targetCount: String(k), stacks: 'cicd' });
    const n = largestN((k) => succeeds(() => cicd(k), QUOTA_ERROR), 400);
    expect(n).toBeGreaterThanOrEqual(489);
    for (const template of cicd(n)) {
      underQuotas(template);
    }
    expect(() => cicd(n + 1)).toThrow(QUOTA_ERROR);
  });
});
