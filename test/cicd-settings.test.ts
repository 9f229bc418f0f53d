import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CicdArtifactStore, CicdSettings, CicdSettingsProps, TargetAccountRoles, TargetAccountSettings } from '../src';

const CICD_ENV = { account: '111111111111', region: 'eu-west-1' };

function settingsStack(targets: TargetAccountSettings[], props: Partial<CicdSettingsProps> = {}) {
  const stack = new Stack(new App(), 'Cicd', { env: CICD_ENV });
  const store = new CicdArtifactStore(stack, 'Store', { targetAccounts: targets.map((t) => ({ name: t.name, accountId: t.accountId })) });
  const settings = new CicdSettings(stack, 'Settings', { artifactStore: store, targetAccounts: targets, ...props });
  return { stack, settings, template: Template.fromStack(stack) };
}

/** Parameter name → value, of every SSM parameter in the template. */
function parameters(template: Template): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of Object.values(template.findResources('AWS::SSM::Parameter')) as any[]) {
    expect(p.Properties.Type).toBe('String');
    out[p.Properties.Name] = p.Properties.Value;
  }
  return out;
}

const arn = (account: string, role: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:role/${role}`]] });

describe('CicdSettings', () => {
  test('one target account: the store and the account\'s role ARNs under /cicd/artifacts', () => {
    const { template } = settingsStack([{ name: 'nonprod', accountId: '222222222222' }]);
    const params = parameters(template);
    expect(Object.keys(params).sort()).toEqual([
      '/cicd/artifacts/accounts/nonprod/account-id',
      '/cicd/artifacts/accounts/nonprod/roles/build/arn',
      '/cicd/artifacts/accounts/nonprod/roles/cloudformation/arn',
      '/cicd/artifacts/accounts/nonprod/roles/cross-account/arn',
      '/cicd/artifacts/accounts/nonprod/roles/read-only/arn',
      '/cicd/artifacts/buckets/artifacts/arn',
      '/cicd/artifacts/buckets/artifacts/name',
      '/cicd/artifacts/buckets/templates/arn',
      '/cicd/artifacts/buckets/templates/name',
      '/cicd/artifacts/kms/key-arn',
    ]);
    expect(params['/cicd/artifacts/accounts/nonprod/account-id']).toBe('222222222222');
    expect(params['/cicd/artifacts/accounts/nonprod/roles/cross-account/arn']).toEqual(arn('222222222222', 'cicd-cross-account'));
    expect(params['/cicd/artifacts/accounts/nonprod/roles/read-only/arn']).toEqual(arn('222222222222', 'cicd-read-only'));
    expect(params['/cicd/artifacts/kms/key-arn']).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^StoreKey/), 'Arn'] });
    expect(template.findOutputs('*', { Export: Match.anyValue() })).toEqual({});
  });

  test('three target accounts with role IDs, a prefix and exports', () => {
    const targets: TargetAccountSettings[] = [
      { name: 'nonprod', accountId: '222222222222', crossAccountRoleId: 'AROAAAAAAAAAAAAAAAAAA', cloudFormationRoleId: 'AROABBBBBBBBBBBBBBBBB' },
      { name: 'prod', accountId: '777777777777', roleNamePrefix: 'team', readOnlyRoleName: 'discovery', buildRoleId: 'AROACCCCCCCCCCCCCCCCC', readOnlyRoleId: 'AROADDDDDDDDDDDDDDDDD' },
      { name: 'sandbox', accountId: '333333333333' },
    ];
    const { template } = settingsStack(targets, { parameterPrefix: '/acme/cicd', exportPrefix: 'acme-cicd' });
    const params = parameters(template);
    expect(Object.keys(params)).toHaveLength(5 + 3 * 5 + 4);
    expect(params['/acme/cicd/accounts/nonprod/roles/cross-account/id']).toBe('AROAAAAAAAAAAAAAAAAAA');
    expect(params['/acme/cicd/accounts/nonprod/roles/cloudformation/id']).toBe('AROABBBBBBBBBBBBBBBBB');
    expect(params['/acme/cicd/accounts/nonprod/roles/build/id']).toBeUndefined();
    expect(params['/acme/cicd/accounts/prod/roles/cross-account/arn']).toEqual(arn('777777777777', 'team-cross-account'));
    expect(params['/acme/cicd/accounts/prod/roles/read-only/arn']).toEqual(arn('777777777777', 'discovery'));
    expect(params['/acme/cicd/accounts/prod/roles/read-only/id']).toBe('AROADDDDDDDDDDDDDDDDD');

    const exports = Object.values(template.findOutputs('*')).map((o: any) => o.Export?.Name).filter(Boolean);
    expect(exports).toHaveLength(Object.keys(params).length);
    expect(new Set(exports).size).toBe(exports.length);
    for (const name of exports) {
      expect(name).toMatch(/^[A-Za-z0-9:-]{1,255}$/);
    }
    expect(exports).toEqual(expect.arrayContaining(['acme-cicd-KeyArn', 'acme-cicd-nonprod-CrossAccountRoleArn', 'acme-cicd-prod-ReadOnlyRoleId']));
  });

  test.each([
    ['prefix without a leading slash', { parameterPrefix: 'cicd/artifacts' }, /parameterPrefix: got "cicd\/artifacts"; allowed: a path such as/],
    ['prefix with a trailing slash', { parameterPrefix: '/cicd/' }, /parameterPrefix: got "\/cicd\/"/],
    ['prefix reserved by SSM', { parameterPrefix: '/aws/cicd' }, /parameterPrefix: got "\/aws\/cicd"; allowed: a path whose first segment does not start with "aws" or "ssm"/],
    ['prefix too deep', { parameterPrefix: '/a/b/c/d/e/f/g/h/i/j/k' }, /parameterPrefix: got "\/a\/b\/c\/d\/e\/f\/g\/h\/i\/j\/k"; allowed: at most 10 levels/],
    ['prefix too long', { parameterPrefix: `/${'a'.repeat(990)}` }, /parameterPrefix: got "\/a+"; allowed: at most 945 characters/],
    ['export prefix', { exportPrefix: 'cicd/settings' }, /exportPrefix: got "cicd\/settings"/],
  ] as Array<[string, Partial<CicdSettingsProps>, RegExp]>)('%s', (_, props, pattern) => {
    expect(() => settingsStack([{ name: 'nonprod', accountId: '222222222222' }], props)).toThrow(pattern);
  });

  test.each([
    ['user ID as role ID', { name: 'nonprod', accountId: '222222222222', buildRoleId: 'AIDAAAAAAAAAAAAAAAAAA' }, /targetAccounts\[0\]\.buildRoleId: got "AIDAAAAAAAAAAAAAAAAAA"/],
    ['account ID', { name: 'nonprod', accountId: '2222' }, /targetAccounts\[0\]\.accountId: got "2222"/],
    ['name', { name: 'non_prod', accountId: '222222222222' }, /targetAccounts\[0\]\.name: got "non_prod"/],
    ['read-only role name', { name: 'nonprod', accountId: '222222222222', readOnlyRoleName: 'r'.repeat(65) }, /targetAccounts\[0\]\.readOnlyRoleName: got "r{65}"/],
  ] as Array<[string, TargetAccountSettings, RegExp]>)('target %s', (_, target, pattern) => {
    const stack = new Stack(new App(), 'Cicd', { env: CICD_ENV });
    const store = new CicdArtifactStore(stack, 'Store', { targetAccounts: [{ name: 'nonprod', accountId: '222222222222' }] });
    expect(() => new CicdSettings(stack, 'Settings', { artifactStore: store, targetAccounts: [target] })).toThrow(pattern);
    expect(stack.node.tryFindChild('Settings')).toBeUndefined();
  });
});

describe('importers', () => {
  test('a pipeline in another app deploys with the store and roles read from SSM', () => {
    // GIVEN a pipeline stack in the CICD account that knows only the parameter prefix
    const stack = new Stack(new App(), 'Pipeline', { env: CICD_ENV });
    const store = CicdArtifactStore.fromSsmParameters(stack, 'Store');
    const nonprod = TargetAccountRoles.fromSsmParameters(stack, 'Nonprod', 'nonprod');

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

    // THEN the action's roles and the store are CloudFormation parameters read from SSM
    const template = Template.fromStack(stack);
    const ssmParameters = template.toJSON().Parameters;
    const typeOf = (path: string) => Object.entries<any>(ssmParameters).find(([, p]) => p.Default === path);
    for (const path of [
      '/cicd/artifacts/kms/key-arn',
      '/cicd/artifacts/buckets/artifacts/name',
      '/cicd/artifacts/accounts/nonprod/roles/cross-account/arn',
      '/cicd/artifacts/accounts/nonprod/roles/cloudformation/arn',
    ]) {
      expect(typeOf(path)?.[1].Type).toBe('AWS::SSM::Parameter::Value<String>');
    }
    const [roleParam] = typeOf('/cicd/artifacts/accounts/nonprod/roles/cross-account/arn')!;
    const [deployParam] = typeOf('/cicd/artifacts/accounts/nonprod/roles/cloudformation/arn')!;
    const [keyParam] = typeOf('/cicd/artifacts/kms/key-arn')!;
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      ArtifactStore: { Type: 'S3', EncryptionKey: { Id: { Ref: keyParam }, Type: 'KMS' } },
      Stages: Match.arrayWith([Match.objectLike({
        Name: 'DeployNonprod',
        Actions: [Match.objectLike({ RoleArn: { Ref: roleParam }, Configuration: Match.objectLike({ RoleArn: { Ref: deployParam } }) })],
      })]),
    });
    // the pipeline's role may assume the cross-account role
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'sts:AssumeRole', Resource: { Ref: roleParam } })]) },
    });
    expect(nonprod.accountId).toMatch(/^\$\{Token\[/);
    expect(nonprod.buildRole.roleArn).toMatch(/^\$\{Token\[/);
    expect(nonprod.readOnlyRole.roleArn).toMatch(/^\$\{Token\[/);
  });

  test('importers use the given prefix', () => {
    const stack = new Stack(new App(), 'Pipeline', { env: CICD_ENV });
    CicdArtifactStore.fromSsmParameters(stack, 'Store', { parameterPrefix: '/acme/cicd' });
    const prod = TargetAccountRoles.fromSsmParameters(stack, 'Prod', 'prod', { parameterPrefix: '/acme/cicd' });
    stack.exportValue(prod.accountId, { name: 'ProdAccount' });
    stack.exportValue(prod.buildRole.roleArn, { name: 'ProdBuildRole' });
    const defaults = Object.values<any>(Template.fromStack(stack).toJSON().Parameters).map((p) => p.Default);
    expect(defaults).toEqual(expect.arrayContaining(['/acme/cicd/kms/key-arn', '/acme/cicd/accounts/prod/account-id', '/acme/cicd/accounts/prod/roles/build/arn']));
  });

  test('the roles read only the parameters a stack uses, each once', () => {
    // GIVEN two stacks, each with the roles of nonprod
    const app = new App();
    const unused = new Stack(app, 'Unused', { env: CICD_ENV });
    TargetAccountRoles.fromSsmParameters(unused, 'Nonprod', 'nonprod');
    const stack = new Stack(app, 'Pipeline', { env: CICD_ENV });
    const nonprod = TargetAccountRoles.fromSsmParameters(stack, 'Nonprod', 'nonprod');

    // WHEN one stack uses one role, twice
    expect(nonprod.crossAccountRole).toBe(nonprod.crossAccountRole);
    stack.exportValue(nonprod.crossAccountRole.roleArn, { name: 'Role' });

    // THEN only what is used is read, so no template parameter goes unused (cfn-lint W2001)
    const read = (s: Stack) => Object.values<any>(Template.fromStack(s).toJSON().Parameters ?? {})
      .map((p) => p.Default).filter((d) => d.startsWith('/cicd/'));
    expect(read(unused)).toEqual([]);
    expect(read(stack)).toEqual(['/cicd/artifacts/accounts/nonprod/roles/cross-account/arn']);
    expect(nonprod.node.children.map((c) => c.node.id).filter((id) => !id.startsWith('MutableRole'))).toEqual(['CrossAccountRole']);
  });

  test('importers validate their input', () => {
    const stack = new Stack(new App(), 'Pipeline', { env: CICD_ENV });
    expect(() => CicdArtifactStore.fromSsmParameters(stack, 'Store', { parameterPrefix: 'cicd' })).toThrow(/parameterPrefix: got "cicd"/);
    expect(() => TargetAccountRoles.fromSsmParameters(stack, 'Roles', 'non prod')).toThrow(/targetName: got "non prod"/);
  });
});
