import { baselineAssembly } from './baseline-assembly';
import { readConfig } from '../../examples/config';
import { appContext } from '../../scripts/assembly';
import { parseOptions } from '../../scripts/options';
import { Resolver } from '../../scripts/resolve';

const ACCOUNTS = { cicd: '111111111111', nonprod: '222222222222', prod: '777777777777' };

/** The store's buckets and roles by their names, as the deploy command synthesizes them. */
function storeNames(argv: string[]): { buckets: string[]; roles: string[] } {
  const store = baselineAssembly(`cdk-assets-${argv.length}`, argv).stacks.find((s) => s.kind === 'store')!.template;
  // Names may be built from the stack's pseudo parameters (`cicd-assets-publishing-${AWS::Region}`).
  const resolver = new Resolver(store, {
    account: ACCOUNTS.cicd,
    region: 'eu-west-1',
    partition: 'aws',
    urlSuffix: 'amazonaws.com',
    stackName: 'cicd-artifact-store',
    stackId: 'id',
    refs: {},
    attrs: {},
    parameters: {},
    exports: {},
  });
  const named = (type: string, prop: string) => Object.values<any>(store.Resources)
    .filter((r) => r.Type === type)
    .map((r) => resolver.resolve(r.Properties[prop]))
    .filter((n) => typeof n === 'string');
  return { buckets: named('AWS::S3::Bucket', 'BucketName').sort(), roles: named('AWS::IAM::Role', 'RoleName').sort() };
}

test('--cdk-assets gives the reference app\'s store the central CDK assets bucket and the publishing role', () => {
  // WHEN
  const options = parseOptions(['--cdk-assets']);
  // THEN
  expect(options.cdkAssets).toBe(true);
  expect(appContext(options, ACCOUNTS).cdkAssets).toBe('true');
  const names = storeNames(['--cdk-assets']);
  expect(names.buckets).toContain('cicd-assets-111111111111-eu-west-1');
  expect(names.roles).toContain('cicd-assets-publishing-eu-west-1');
});

test('without it, the store has neither', () => {
  const options = parseOptions([]);
  expect(options.cdkAssets).toBe(false);
  expect(appContext(options, ACCOUNTS).cdkAssets).toBeUndefined();
  const names = storeNames([]);
  expect(names.buckets.filter((b) => b.startsWith('cicd-assets-'))).toEqual([]);
  expect(names.roles.filter((r) => r.startsWith('cicd-assets-'))).toEqual([]);
});

test('the reference app reads cdkAssets from context or the environment, and rejects anything but true or false', () => {
  expect(readConfig((k) => (k === 'cdkAssets' ? 'true' : undefined), {}).cdkAssets).toBe(true);
  expect(readConfig(() => undefined, { CICD_CDK_ASSETS: 'true' }).cdkAssets).toBe(true);
  expect(readConfig(() => undefined, {}).cdkAssets).toBe(false);
  expect(() => readConfig((k) => (k === 'cdkAssets' ? 'yes' : undefined), {})).toThrow('cdkAssets: got "yes"; allowed: "true" or "false"');
});
