import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  CicdArtifactStore,
  CicdArtifactStoreProps,
  CicdStackSynthesizer,
  CrossAccountPipelineRoles,
  CrossAccountPipelineRolesProps,
  CrossReadOnlyRole,
} from '../src';
import { CDK_BOOTSTRAP_VERSION } from '../src/private/naming';

const CICD_ENV = { account: '111111111111', region: 'eu-west-1' };
const NONPROD_ENV = { account: '222222222222', region: 'eu-west-1' };
const TARGETS = [{ name: 'nonprod', accountId: '222222222222' }, { name: 'prod', accountId: '777777777777' }];

function store(props: Partial<CicdArtifactStoreProps> = {}) {
  const app = new App();
  const stack = new Stack(app, 'Cicd', { env: CICD_ENV });
  const s = new CicdArtifactStore(stack, 'Store', { targetAccounts: TARGETS, cdkAssets: true, imageRepositoryNames: ['sample-app'], ...props });
  return { app, stack, store: s, template: Template.fromStack(stack) };
}

function roles(props: Partial<CrossAccountPipelineRolesProps> = {}) {
  const app = new App();
  const cicd = new Stack(app, 'Cicd', { env: CICD_ENV });
  const s = new CicdArtifactStore(cicd, 'Store', { targetAccounts: TARGETS, cdkAssets: true });
  const target = new Stack(app, 'Nonprod', { env: NONPROD_ENV });
  const r = new CrossAccountPipelineRoles(target, 'PipelineRoles', { cicdAccountId: '111111111111', artifactStore: s, ...props });
  return { target, roles: r, template: Template.fromStack(target) };
}

function bucketPolicy(template: Template, bucketLogicalIdPrefix: string): any[] {
  const policies = template.findResources('AWS::S3::BucketPolicy');
  const found = Object.values(policies).find((p: any) => p.Properties.Bucket.Ref.startsWith(bucketLogicalIdPrefix)) as any;
  return found.Properties.PolicyDocument.Statement;
}

function policiesOfRole(template: Template, roleLogicalIdPrefix: string): any[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref.startsWith(roleLogicalIdPrefix)))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

describe('CicdArtifactStore cdkAssets', () => {
  test('creates the central assets bucket with the store\'s secure settings', () => {
    const { template } = store();
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'cicd-assets-111111111111-eu-west-1',
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StoreKey'), 'Arn'] } },
        }],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: { LogFilePrefix: 'cicd-assets/' },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 90 } })]) },
    });
    const bucket = Object.values(template.findResources('AWS::S3::Bucket', { Properties: { BucketName: 'cicd-assets-111111111111-eu-west-1' } }))[0] as any;
    expect(bucket.DeletionPolicy).toBe('Retain');
  });

  test('each target reads only its own prefix, through one statement with ${aws:PrincipalAccount}', () => {
    const { template } = store();
    const statements = bucketPolicy(template, 'StoreAssetsBucket');
    const reads = statements.filter((s) => s.Sid?.startsWith('ReadOwnAssetsFromTargets'));
    expect(reads).toHaveLength(1);
    expect(reads[0].Effect).toBe('Allow');
    expect(reads[0].Action).toEqual(['s3:GetObject', 's3:GetObjectVersion']);
    expect(JSON.stringify(reads[0].Resource)).toContain('/${aws:PrincipalAccount}/*');
    expect(JSON.stringify(reads[0].Principal)).toContain(':iam::222222222222:root');
    expect(JSON.stringify(reads[0].Principal)).toContain(':iam::777777777777:root');
    // Nobody outside the CICD account is allowed to write, and TLS is required.
    expect(statements.filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action].flat())).not.toContain('s3:PutObject');
    expect(statements.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false')).toBe(true);
  });

  test('the publishing role is trusted by the CICD account over TLS, tagged as the bootstrap\'s file-publishing role', () => {
    const { template } = store();
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'cicd-assets-publishing-eu-west-1',
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] } },
          Condition: { Bool: { 'aws:SecureTransport': 'true' } },
        }],
      },
      Tags: [{ Key: 'aws-cdk:bootstrap-role', Value: 'file-publishing' }],
    });
  });

  test('the publishing role writes assets and pushes images, and does nothing else (no delete)', () => {
    const { template } = store();
    const statements = policiesOfRole(template, 'StoreAssetPublishingRole');
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['s3:PutObject', 's3:GetEncryptionConfiguration', 'kms:GenerateDataKey*', 'ecr:PutImage', 'ecr:GetAuthorizationToken']));
    expect(actions.filter((a) => /Delete|\*$/.test(a) && !/^kms:(ReEncrypt|GenerateDataKey)\*$/.test(a))).toEqual([]);
    const images = statements.find((s) => s.Sid === 'PublishImageAssets');
    expect(images.Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:eu-west-1:111111111111:repository/sample-app']] });
    const files = statements.find((s) => s.Sid === 'PublishFileAssets');
    expect(JSON.stringify(files.Resource)).toContain('StoreAssetsBucket');
  });

  test('narrowed trust of the publishing role', () => {
    const { template } = store({ assetPublishingTrustedPrincipalArns: ['arn:aws:iam::111111111111:role/deployers'] });
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'cicd-assets-publishing-eu-west-1',
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Condition: { Bool: { 'aws:SecureTransport': 'true' }, ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::111111111111:role/deployers'] } } })] },
    });
  });

  test('without cdkAssets, no assets bucket and no publishing role', () => {
    const { template, store: s } = store({ cdkAssets: undefined });
    expect(template.findResources('AWS::S3::Bucket', { Properties: { BucketName: 'cicd-assets-111111111111-eu-west-1' } })).toEqual({});
    expect(s.assetsBucket).toBeUndefined();
    expect(s.assetPublishingRole).toBeUndefined();
  });

  test('the assets bucket policy grows by one principal per account', () => {
    // Measured: one statement for every account (the policy variable) instead of one per account.
    const { template: two } = store();
    const many = store({ targetAccounts: Array.from({ length: 40 }, (_, i) => ({ name: `t${i}`, accountId: String(300000000000 + i) })) }).template;
    const size = (t: Template) => JSON.stringify(bucketPolicy(t, 'StoreAssetsBucket')).length;
    expect((size(many) - size(two)) / 38).toBeLessThan(110);
  });

  test('invalid props name the prop', () => {
    expect(() => store({ assetsBucketPrefix: 'cicd-artifacts' })).toThrow(/assetsBucketPrefix: got "cicd-artifacts"; allowed: a prefix other than/);
    expect(() => store({ assetsBucketPrefix: 'x'.repeat(40) })).toThrow(/assetsBucketPrefix: got "x{40}"; allowed: at most/);
    expect(() => store({ cdkAssets: false, assetsBucketPrefix: 'assets' })).toThrow(/assetsBucketPrefix: got "assets"; allowed: only with cdkAssets: true/);
    expect(() => store({ assetPublishingTrustedPrincipalArns: ['arn:aws:iam::222222222222:role/x'] }))
      .toThrow(/assetPublishingTrustedPrincipalArns\[0\]: got "arn:aws:iam::222222222222:role\/x"; allowed: a principal of the CICD account 111111111111/);
  });
});

describe('CrossAccountPipelineRoles CDK compatibility', () => {
  test('cdkAssets: the cross-account and CloudFormation roles read this account\'s assets, in the CICD account\'s buckets only', () => {
    const { template } = roles({ cdkAssets: true });
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p: any) => p.Properties.PolicyName.startsWith('PipelineRolesCdkAssetReads')) as any;
    expect(policy.Properties.Roles.map((r: any) => r.Ref)).toEqual([
      expect.stringMatching(/^PipelineRolesCrossAccountRole/), expect.stringMatching(/^PipelineRolesCloudFormationRole/),
    ]);
    expect(policy.Properties.PolicyDocument.Statement).toEqual([{
      Sid: 'ReadOwnCdkAssets',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:GetObjectVersion'],
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::cicd-assets-111111111111-*/', { Ref: 'AWS::AccountId' }, '/*']] },
      Condition: { StringEquals: { 'aws:ResourceAccount': '111111111111' } },
    }]);
  });

  test('without either opt-in, nothing changes: no asset reads, no parameter, no tag', () => {
    const { template } = roles();
    expect(Object.values(template.findResources('AWS::IAM::Policy')).map((p: any) => p.Properties.PolicyName).join()).not.toMatch(/CdkAssetReads|CdkBootstrap/);
    expect(template.findResources('AWS::SSM::Parameter')).toEqual({});
    expect(JSON.stringify(template.toJSON())).not.toContain('aws-cdk:bootstrap-role');
  });

  test('cdkBootstrapCompatibility: the version parameter, the deploy tag, the deploy role reads the parameter', () => {
    const { template } = roles({ cdkBootstrapCompatibility: { qualifier: 'team1' } });
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/cdk-bootstrap/team1/version', Type: 'String', Value: String(CDK_BOOTSTRAP_VERSION) });
    expect(CDK_BOOTSTRAP_VERSION).toBeGreaterThanOrEqual(8); // the synthesizer's requirements: 6 (deploy, assets), 8 (lookups)
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'cicd-cross-account',
      Tags: [{ Key: 'aws-cdk:bootstrap-role', Value: 'deploy' }],
    });
    const statements = policiesOfRole(template, 'PipelineRolesCrossAccountRole');
    expect(statements).toContainEqual({
      Sid: 'ReadCdkBootstrapVersion',
      Effect: 'Allow',
      Action: ['ssm:GetParameter', 'ssm:GetParameters'],
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:*:', { Ref: 'AWS::AccountId' }, ':parameter/cdk-bootstrap/team1/version']] },
    });
    expect(statements.find((s) => s.Sid === 'CdkCliStackOperations')).toEqual({
      Sid: 'CdkCliStackOperations',
      Effect: 'Allow',
      Action: ['cloudformation:RollbackStack', 'cloudformation:ContinueUpdateRollback', 'cloudformation:UpdateTerminationProtection', 'cloudformation:ListStackResources'],
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudformation:*:', { Ref: 'AWS::AccountId' }, ':stack/*']] },
    });
    // ... and, by default with compatibility, its own assets.
    expect(statements.map((s) => s.Sid)).toContain('ReadOwnCdkAssets');
    // The CloudFormation and build roles are not tagged.
    const cfn = Object.values(template.findResources('AWS::IAM::Role', { Properties: { RoleName: 'cicd-cloudformation' } }))[0] as any;
    expect(cfn.Properties.Tags).toBeUndefined();
  });

  test('the CLI\'s stack operations stay within stackNamePrefix', () => {
    const { template } = roles({ cdkBootstrapCompatibility: {}, stackNamePrefix: 'app-' });
    const statement = policiesOfRole(template, 'PipelineRolesCrossAccountRole').find((s) => s.Sid === 'CdkCliStackOperations');
    expect(statement.Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudformation:*:', { Ref: 'AWS::AccountId' }, ':stack/app-*']] });
  });

  test('invalid props name the prop', () => {
    expect(() => roles({ cdkBootstrapCompatibility: { qualifier: 'no spaces' } })).toThrow(/cdkBootstrapCompatibility.qualifier: got "no spaces"; allowed: 1 to 10/);
    expect(() => roles({ assetsBucketPrefix: 'assets' })).toThrow(/assetsBucketPrefix: got "assets"; allowed: only with cdkAssets/);
    expect(() => roles({ cdkAssets: true, assetsBucketPrefix: 'Bad_Prefix' })).toThrow(/assetsBucketPrefix: got "Bad_Prefix"; allowed: lower-case/);
  });
});

describe('CrossReadOnlyRole CDK compatibility', () => {
  function readOnly(compat?: { qualifier?: string }) {
    const stack = new Stack(new App(), 'Nonprod', { env: NONPROD_ENV });
    new CrossReadOnlyRole(stack, 'ReadOnly', { trustedAccountIds: ['111111111111'], cdkBootstrapCompatibility: compat });
    return Template.fromStack(stack).toJSON();
  }
  const roleOf = (t: any) => Object.values(t.Resources).find((r: any) => r.Type === 'AWS::IAM::Role') as any;
  const statementsOf = (t: any) => roleOf(t).Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);

  test('reads the one version parameter, the deny spares nothing else, tagged as the lookup role', () => {
    const t = readOnly({});
    const statements = statementsOf(t);
    const arn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:*:', { Ref: 'AWS::AccountId' }, ':parameter/cdk-bootstrap/cicd/version']] };
    const deny = statements.find((s: any) => s.Sid === 'DenyDataReads');
    expect(deny.Action).not.toContain('ssm:GetParameter*');
    expect(deny.Action).toEqual(expect.arrayContaining(['ssm:GetParametersByPath', 'ssm:GetParameterHistory']));
    expect(statements).toContainEqual({ Sid: 'DenyParameterReadsButTheCdkBootstrapVersion', Effect: 'Deny', Action: ['ssm:GetParameter', 'ssm:GetParameters'], NotResource: arn });
    expect(statements).toContainEqual({ Sid: 'ReadCdkBootstrapVersion', Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParameters'], Resource: arn });
    expect(roleOf(t).Properties.Tags).toEqual([{ Key: 'aws-cdk:bootstrap-role', Value: 'lookup' }]);
  });

  test('without it, ssm:GetParameter* is denied on everything, no tag', () => {
    const t = readOnly();
    const deny = statementsOf(t).find((s: any) => s.Sid === 'DenyDataReads');
    expect(deny.Action).toContain('ssm:GetParameter*');
    expect(deny.Resource).toBe('*');
    expect(JSON.stringify(t.Resources)).not.toContain('cdk-bootstrap');
    expect(roleOf(t).Properties.Tags).toBeUndefined();
  });
});

test('the synthesizer and the baseline agree on names: a template synthesized for a target names the roles and the bucket the baseline creates', () => {
  const app = new App();
  const cicd = new Stack(app, 'Cicd', { env: CICD_ENV });
  const s = new CicdArtifactStore(cicd, 'Store', { targetAccounts: TARGETS, cdkAssets: true });
  const target = new Stack(app, 'Nonprod', { env: NONPROD_ENV });
  const r = new CrossAccountPipelineRoles(target, 'PipelineRoles', { cicdAccountId: '111111111111', artifactStore: s, cdkBootstrapCompatibility: {} });
  const service = new Stack(app, 'Service', { env: NONPROD_ENV, synthesizer: new CicdStackSynthesizer({ cicdAccountId: '111111111111', cdkBootstrapCompatibility: {} }) });
  const assembly = app.synth();
  const artifact = assembly.getStackByName(service.stackName);
  const names = (t: Template, type: string, prop: string) => Object.values(t.findResources(type)).map((x: any) => JSON.stringify(x.Properties[prop]));
  const roleNames = names(Template.fromStack(target), 'AWS::IAM::Role', 'RoleName');
  expect(roleNames).toContain(JSON.stringify(artifact.assumeRoleArn!.split('/').pop()));
  expect(roleNames).toContain(JSON.stringify(artifact.cloudFormationExecutionRoleArn!.split('/').pop()));
  expect(names(Template.fromStack(cicd), 'AWS::S3::Bucket', 'BucketName')).toContain(JSON.stringify(artifact.stackTemplateAssetObjectUrl!.split('/')[2]));
  expect(names(Template.fromStack(target), 'AWS::SSM::Parameter', 'Name')).toContain(JSON.stringify(artifact.bootstrapStackVersionSsmParameter));
  expect(r.crossAccountRole).toBeDefined();
});
