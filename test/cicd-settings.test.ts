import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CicdArtifactStore, CicdSettings, CicdSettingsProps, TargetAccount, TargetAccountRoles } from '../src';
import { PAGE_QUOTA } from '../src/private/naming';

const CICD_ENV = { account: '111111111111', region: 'eu-west-1' };

function settingsStack(targets: TargetAccount[], props: Partial<CicdSettingsProps> = {}) {
  const stack = new Stack(new App(), 'Cicd', { env: CICD_ENV });
  const store = new CicdArtifactStore(stack, 'Store', { targetAccounts: targets.map((t) => ({ name: t.name, accountId: t.accountId })) });
  const settings = new CicdSettings(stack, 'Settings', { artifactStore: store, targetAccounts: targets, ...props });
  return { stack, settings, template: Template.fromStack(stack) };
}

/** Parameter name → value, of every SSM parameter in the template. */
function parameters(template: Template): Record<string, any> {
  const out: Record<string, any> = {};
  for (const p of Object.values(template.findResources('AWS::SSM::Parameter')) as any[]) {
    expect(p.Properties.Type).toBe('String');
    expect(p.Properties.Tier).toBe('Standard');
    out[p.Properties.Name] = p.Properties.Value;
  }
  return out;
}

/** The target registry, read back from its pages as a reader would. */
function registry(params: Record<string, any>, prefix = '/cicd/artifacts') {
  const pages = Object.keys(params).filter((n) => n.startsWith(`${prefix}/targets/`))
    .sort((a, b) => Number(a.split('/').pop()) - Number(b.split('/').pop()))
    .map((n) => JSON.parse(params[n]));
  return { pages, targets: pages.flatMap((p) => p.targets) };
}

const many = (n: number): TargetAccount[] => Array.from({ length: n }, (_, i) => ({ name: `target-${i}`, accountId: String(200000000000 + i) }));

describe('CicdSettings', () => {
  test('one target account: the store under /cicd/artifacts, the target in the registry, no role ARN stored', () => {
    const { template } = settingsStack([{ name: 'nonprod', accountId: '222222222222' }]);
    const params = parameters(template);
    expect(Object.keys(params).sort()).toEqual([
      '/cicd/artifacts/buckets/artifacts/arn',
      '/cicd/artifacts/buckets/artifacts/name',
      '/cicd/artifacts/buckets/templates/arn',
      '/cicd/artifacts/buckets/templates/name',
      '/cicd/artifacts/kms/key-arn',
      '/cicd/artifacts/targets/1',
    ]);
    expect(JSON.parse(params['/cicd/artifacts/targets/1'])).toEqual({
      layout: 2,
      page: 1,
      pages: 1,
      roleNamePrefix: 'cicd',
      readOnlyRoleName: 'cicd-read-only',
      targets: [{ name: 'nonprod', accountId: '222222222222' }],
    });
    expect(params['/cicd/artifacts/kms/key-arn']).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^StoreKey/), 'Arn'] });
    expect(template.findOutputs('*', { Export: Match.anyValue() })).toEqual({});
  });

  test('role IDs, a prefix and role names are published; nothing else per target', () => {
    const targets: TargetAccount[] = [
      { name: 'nonprod', accountId: '222222222222', roleIds: ['AROAAAAAAAAAAAAAAAAAA', 'AROABBBBBBBBBBBBBBBBB'] },
      { name: 'prod', accountId: '777777777777', roleArns: ['arn:aws:iam::777777777777:role/cicd-build'] },
    ];
    const { template } = settingsStack(targets, { parameterPrefix: '/acme/cicd', roleNamePrefix: 'team', readOnlyRoleName: 'discovery' });
    const params = parameters(template);
    expect(Object.keys(params)).toHaveLength(5 + 1);
    const { pages, targets: published } = registry(params, '/acme/cicd');
    expect(pages[0]).toMatchObject({ roleNamePrefix: 'team', readOnlyRoleName: 'discovery' });
    expect(published).toEqual([
      { name: 'nonprod', accountId: '222222222222', roleIds: ['AROAAAAAAAAAAAAAAAAAA', 'AROABBBBBBBBBBBBBBBBB'] },
      { name: 'prod', accountId: '777777777777' },
    ]);
  });

  test('no targets: the store only, and one empty page', () => {
    const stack = new Stack(new App(), 'Cicd', { env: CICD_ENV });
    const store = new CicdArtifactStore(stack, 'Store', { organizationId: 'o-a1b2c3d4e5' });
    new CicdSettings(stack, 'Settings', { artifactStore: store });
    const { pages } = registry(parameters(Template.fromStack(stack)));
    expect(pages).toEqual([expect.objectContaining({ page: 1, pages: 1, targets: [] })]);
  });

  test('1,000 targets: every target in pages within 4 KB, a few resources, no output', () => {
    // GIVEN an organization-mode store and 1,000 targets with long names and role IDs
    const stack = new Stack(new App(), 'Cicd', { env: CICD_ENV });
    const store = new CicdArtifactStore(stack, 'Store', { organizationId: 'o-a1b2c3d4e5' });
    const targets = many(1000).map((t, i) => ({
      ...t, name: `${t.name}-${'x'.repeat(20)}`, roleIds: i % 2 ? [`AROA${String(i).padStart(17, '0')}`] : undefined,
    }));
    new CicdSettings(stack, 'Settings', { artifactStore: store, targetAccounts: targets });

    // THEN
    const template = Template.fromStack(stack);
    const params = parameters(template);
    const { pages, targets: published } = registry(params);
    expect(published.map((t) => t.name)).toEqual(targets.map((t) => t.name));
    expect(published[1].roleIds).toEqual(['AROA00000000000000001']);
    for (const [name, value] of Object.entries(params).filter(([n]) => n.includes('/targets/'))) {
      expect({ name, length: value.length }).toEqual({ name, length: expect.any(Number) });
      expect(value.length).toBeLessThanOrEqual(PAGE_QUOTA);
    }
    expect(pages.every((p) => p.pages === pages.length)).toBe(true);
    expect(Object.keys(template.toJSON().Resources).length).toBeLessThan(100);
    expect(template.toJSON().Outputs ?? {}).not.toHaveProperty('ExportsOutput');
  });

  test('a settings stack apart from the store\'s reads the store\'s own exports: the key ARN is exported once', () => {
    // GIVEN the store with exported outputs, and the settings in another stack
    const app = new App();
    const storeStack = new Stack(app, 'Store', { env: CICD_ENV });
    const store = new CicdArtifactStore(storeStack, 'Store', { organizationId: 'o-a1b2c3d4e5', outputExportPrefix: 'cicd-store' });
    const settings = new Stack(app, 'Settings', { env: CICD_ENV });
    new CicdSettings(settings, 'Settings', { artifactStore: store });

    // THEN the settings import the store's exports, and the CDK adds none of its own
    const outputs = Template.fromStack(storeStack).toJSON().Outputs;
    const exportNames = Object.values<any>(outputs).map((o) => o.Export?.Name).filter(Boolean);
    expect(exportNames.sort()).toEqual(['cicd-store-ArtifactsBucketArn', 'cicd-store-ArtifactsBucketName', 'cicd-store-KeyArn', 'cicd-store-TemplatesBucketArn', 'cicd-store-TemplatesBucketName']);
    const params = parameters(Template.fromStack(settings));
    expect(params['/cicd/artifacts/kms/key-arn']).toEqual({ 'Fn::ImportValue': 'cicd-store-KeyArn' });
    expect(settings.dependencies).toContain(storeStack);
  });

  test('without exported outputs, the CDK exports each store value once', () => {
    const app = new App();
    const storeStack = new Stack(app, 'Store', { env: CICD_ENV });
    const store = new CicdArtifactStore(storeStack, 'Store', { organizationId: 'o-a1b2c3d4e5' });
    new CicdSettings(new Stack(app, 'Settings', { env: CICD_ENV }), 'Settings', { artifactStore: store });
    const outputs = Object.values<any>(Template.fromStack(storeStack).toJSON().Outputs);
    const exported = outputs.filter((o) => o.Export).map((o) => JSON.stringify(o.Value));
    expect(exported).toHaveLength(5);
    expect(new Set(exported).size).toBe(5);
  });

  test.each([
    ['prefix without a leading slash', { parameterPrefix: 'cicd/artifacts' }, /parameterPrefix: got "cicd\/artifacts"; allowed: a path such as/],
    ['prefix with a trailing slash', { parameterPrefix: '/cicd/' }, /parameterPrefix: got "\/cicd\/"/],
    ['prefix reserved by SSM', { parameterPrefix: '/aws/cicd' }, /parameterPrefix: got "\/aws\/cicd"; allowed: a path whose first segment does not start with "aws" or "ssm"/],
    ['prefix too deep', { parameterPrefix: '/a/b/c/d/e/f/g/h/i/j/k/l/m' }, /parameterPrefix: got "\/a\/b\/c\/d\/e\/f\/g\/h\/i\/j\/k\/l\/m"; allowed: at most 12 levels/],
    ['prefix too long', { parameterPrefix: `/${'a'.repeat(990)}` }, /parameterPrefix: got "\/a+"; allowed: at most 988 characters/],
    ['role name prefix', { roleNamePrefix: 'team/x' }, /roleNamePrefix: got "team\/x"/],
    ['read-only role name', { readOnlyRoleName: 'r'.repeat(65) }, /readOnlyRoleName: got "r{65}"/],
  ] as Array<[string, Partial<CicdSettingsProps>, RegExp]>)('%s', (_, props, pattern) => {
    expect(() => settingsStack([{ name: 'nonprod', accountId: '222222222222' }], props)).toThrow(pattern);
  });

  test.each([
    ['user ID as role ID', { name: 'nonprod', accountId: '222222222222', roleIds: ['AIDAAAAAAAAAAAAAAAAAA'] }, /targetAccounts\[0\]\.roleIds\[0\]: got "AIDAAAAAAAAAAAAAAAAAA"/],
    ['account ID', { name: 'nonprod', accountId: '2222' }, /targetAccounts\[0\]\.accountId: got "2222"/],
    ['name', { name: 'non_prod', accountId: '222222222222' }, /targetAccounts\[0\]\.name: got "non_prod"/],
  ] as Array<[string, TargetAccount, RegExp]>)('target %s', (_, target, pattern) => {
    const stack = new Stack(new App(), 'Cicd', { env: CICD_ENV });
    const store = new CicdArtifactStore(stack, 'Store', { targetAccounts: [{ name: 'nonprod', accountId: '222222222222' }] });
    expect(() => new CicdSettings(stack, 'Settings', { artifactStore: store, targetAccounts: [target] })).toThrow(pattern);
    expect(stack.node.tryFindChild('Settings')).toBeUndefined();
  });

  test('two targets whose names clash', () => {
    const stack = new Stack(new App(), 'Cicd', { env: CICD_ENV });
    const store = new CicdArtifactStore(stack, 'Store', { organizationId: 'o-a1b2c3d4e5' });
    expect(() => new CicdSettings(stack, 'Settings', {
      artifactStore: store,
      targetAccounts: [{ name: 'nonprod', accountId: '222222222222' }, { name: 'NonProd', accountId: '333333333333' }],
    })).toThrow(/targetAccounts\[1\]\.name: got "NonProd"; allowed: a name used by no other target \(it clashes with "nonprod"\)/);
  });
});

describe('importers', () => {
  test('a pipeline in another app deploys with the store read from SSM and the roles computed', () => {
    // GIVEN a pipeline stack in the CICD account that knows the parameter prefix and its targets
    const stack = new Stack(new App(), 'Pipeline', { env: CICD_ENV });
    const store = CicdArtifactStore.fromSsmParameters(stack, 'Store');
    const nonprod = TargetAccountRoles.fromTargetAccount(stack, 'Nonprod', { name: 'nonprod', accountId: '222222222222' });

    // WHEN
    const source = new codepipeline.Artifact('Source');
    const pipeline = new codepipeline.Pipeline(stack, 'Pipeline', { artifactBucket: store.artifactsBucket });
    pipeline.addStage({
      stageName: 'Source',
      actions: [new actions.S3SourceAction({
        actionName: 'Source', bucket: s3.Bucket.fromBucketName(stack, 'SourceBucket', 'app-sources'), bucketKey: 'app.zip', output: source,
      })],
    });
    pipeline.addStage({
      stageName: 'DeployNonprod',
      actions: [new actions.CloudFormationCreateUpdateStackAction({
        actionName: 'Deploy',
        stackName: 'app',
        templatePath: source.atPath('app.template.json'),
        adminPermissions: false,
        role: nonprod.crossAccountRole,
        deploymentRole: nonprod.cloudFormationRole,
      })],
    });

    // THEN the store is read from SSM; the roles' ARNs are computed, no parameter read for them
    const template = Template.fromStack(stack);
    const defaults = Object.entries<any>(template.toJSON().Parameters).filter(([, p]) => p.Type === 'AWS::SSM::Parameter::Value<String>');
    expect(defaults.map(([, p]) => p.Default).filter((d) => d.startsWith('/cicd/')).sort())
      .toEqual(['/cicd/artifacts/buckets/artifacts/name', '/cicd/artifacts/buckets/templates/name', '/cicd/artifacts/kms/key-arn']);
    const [keyParam] = defaults.find(([, p]) => p.Default === '/cicd/artifacts/kms/key-arn')!;
    const arn = (role: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::222222222222:role/${role}`]] });
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      ArtifactStore: { Type: 'S3', EncryptionKey: { Id: { Ref: keyParam }, Type: 'KMS' } },
      Stages: Match.arrayWith([Match.objectLike({
        Name: 'DeployNonprod',
        Actions: [Match.objectLike({ RoleArn: arn('cicd-cross-account'), Configuration: Match.objectLike({ RoleArn: arn('cicd-cloudformation') }) })],
      })]),
    });
    // the pipeline's role may assume the cross-account role
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'sts:AssumeRole', Resource: arn('cicd-cross-account') })]) },
    });
    expect(nonprod.accountId).toBe('222222222222');
    expect(stack.resolve(nonprod.buildRole.roleArn)).toEqual(arn('cicd-build'));
    expect(stack.resolve(nonprod.readOnlyRole.roleArn)).toEqual(arn('cicd-read-only'));
  });

  test('the importers use the given prefix and role names', () => {
    const stack = new Stack(new App(), 'Pipeline', { env: CICD_ENV });
    CicdArtifactStore.fromSsmParameters(stack, 'Store', { parameterPrefix: '/acme/cicd' }).encryptionKey.keyArn;
    const prod = TargetAccountRoles.fromTargetAccount(stack, 'Prod', { name: 'prod', accountId: '777777777777' }, { roleNamePrefix: 'team', readOnlyRoleName: 'discovery' });
    expect(stack.resolve(prod.crossAccountRole.roleArn)['Fn::Join'][1][2]).toBe(':iam::777777777777:role/team-cross-account');
    expect(stack.resolve(prod.cloudFormationRole.roleArn)['Fn::Join'][1][2]).toBe(':iam::777777777777:role/team-cloudformation');
    expect(stack.resolve(prod.readOnlyRole.roleArn)['Fn::Join'][1][2]).toBe(':iam::777777777777:role/discovery');
  });

  test('each role is created once, on first use', () => {
    const stack = new Stack(new App(), 'Pipeline', { env: CICD_ENV });
    const nonprod = TargetAccountRoles.fromTargetAccount(stack, 'Nonprod', { name: 'nonprod', accountId: '222222222222' });
    expect(nonprod.crossAccountRole).toBe(nonprod.crossAccountRole);
    expect(nonprod.node.children.map((c) => c.node.id).filter((id) => !id.startsWith('MutableRole'))).toEqual(['CrossAccountRole']);
  });

  test('importers validate their input at synth, naming the construct', () => {
    const stack = new Stack(new App(), 'Pipeline', { env: CICD_ENV });
    expect(() => CicdArtifactStore.fromSsmParameters(stack, 'Store', { parameterPrefix: 'cicd' })).toThrow(/parameterPrefix: got "cicd"/);
    expect(() => TargetAccountRoles.fromTargetAccount(stack, 'Roles', { name: 'non prod', accountId: '2222' }, { roleNamePrefix: 'a/b' }))
      .toThrow(/TargetAccountRoles.fromTargetAccount at Pipeline\/Roles[\s\S]*target\.name: got "non prod"[\s\S]*target\.accountId: got "2222"[\s\S]*roleNamePrefix: got "a\/b"/);
    expect(stack.node.tryFindChild('Roles')).toBeUndefined();
  });
});
