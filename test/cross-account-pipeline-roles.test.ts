import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CicdArtifactStore, CrossAccountPipelineRoles, CrossAccountPipelineRolesProps, ICicdArtifactStore } from '../src';
import { resolveIntrinsics } from './util/resolve-intrinsics';

const CICD_ENV = { account: '111111111111', region: 'eu-west-1' };
const NONPROD_ENV = { account: '222222222222', region: 'eu-west-1' };

/** A CICD stack with the store and a non-prod stack with the roles, in one app. */
function layout(props: Partial<CrossAccountPipelineRolesProps> = {}) {
  const app = new App();
  const cicd = new Stack(app, 'Cicd', { env: CICD_ENV });
  const store = new CicdArtifactStore(cicd, 'Store', { targetAccounts: [{ name: 'nonprod', accountId: '222222222222' }] });
  const target = new Stack(app, 'Nonprod', { env: NONPROD_ENV });
  const roles = new CrossAccountPipelineRoles(target, 'PipelineRoles', { cicdAccountId: '111111111111', artifactStore: store, ...props });
  return { app, cicd, target, store, roles, template: Template.fromStack(target) };
}

function role(template: Template, name: string): any {
  const found = Object.values(template.findResources('AWS::IAM::Role', { Properties: { RoleName: name } }));
  expect(found).toHaveLength(1);
  return (found[0] as any).Properties;
}

/** Every statement of the identity policies attached to the role with this name. */
function statementsOf(template: Template, name: string): any[] {
  const roles = template.findResources('AWS::IAM::Role', { Properties: { RoleName: name } });
  const logicalId = Object.keys(roles)[0];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === logicalId))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

function actionsOf(statements: any[]): string[] {
  return statements.filter((s) => s.Effect === 'Allow').flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
}

const root = (account: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:root`]] });

describe('CrossAccountPipelineRoles defaults', () => {
  const { template, app } = layout();

  test('deterministic role names', () => {
    template.resourceCountIs('AWS::IAM::Role', 3);
    expect(CrossAccountPipelineRoles.crossAccountRoleName()).toBe('cicd-cross-account');
    expect(CrossAccountPipelineRoles.cloudFormationRoleName('acme')).toBe('acme-cloudformation');
    expect(CrossAccountPipelineRoles.buildRoleName()).toBe('cicd-build');
  });

  test('the baseline\'s boundary holds the CloudFormation and build roles, not the cross-account role', () => {
    expect(CrossAccountPipelineRoles.permissionsBoundaryName()).toBe('cicd-permissions-boundary');
    expect(CrossAccountPipelineRoles.permissionsBoundaryName('acme')).toBe('acme-permissions-boundary');
    const policies = template.findResources('AWS::IAM::ManagedPolicy', { Properties: { ManagedPolicyName: 'cicd-permissions-boundary' } });
    expect(Object.keys(policies)).toHaveLength(1);
    const ref = { Ref: Object.keys(policies)[0] };
    expect(role(template, 'cicd-cloudformation').PermissionsBoundary).toEqual(ref);
    expect(role(template, 'cicd-build').PermissionsBoundary).toEqual(ref);
    // it must pass the CloudFormation role, which the boundary forbids
    expect(role(template, 'cicd-cross-account').PermissionsBoundary).toBeUndefined();
  });

  test('the boundary allows what identity policies allow, but the baseline\'s roles, itself, and principals without it', () => {
    const policy: any = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))[0];
    const statements: any[] = policy.Properties.PolicyDocument.Statement;
    const boundaryArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':policy/cicd-permissions-boundary']] };
    const roleArn = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, `:role/${name}`]] });
    expect(statements.map((st) => [st.Sid, st.Effect])).toEqual([
      ['AllowWhatIdentityPoliciesAllow', 'Allow'],
      ['LeaveBaselineRolesAlone', 'Deny'],
      ['LeaveTheBoundaryAlone', 'Deny'],
      ['KeepPermissionsBoundaries', 'Deny'],
      ['CreateOnlyWithTheBoundary', 'Deny'],
    ]);
    expect(statements[0]).toMatchObject({ Action: '*', Resource: '*' });
    // every role named cicd-*, at any path
    expect(statements[1].Resource).toEqual([roleArn('cicd-*'), roleArn('*/cicd-*')]);
    expect(statements[1].Action).toEqual(expect.arrayContaining(['iam:PassRole', 'iam:UpdateAssumeRolePolicy', 'iam:DeleteRolePolicy', 'iam:TagRole', 'sts:AssumeRole']));
    expect(statements[2]).toMatchObject({ Action: ['iam:*PolicyVersion', 'iam:DeletePolicy', 'iam:TagPolicy', 'iam:UntagPolicy'], Resource: boundaryArn });
    expect(statements[3]).toMatchObject({ Action: ['iam:DeleteRolePermissionsBoundary', 'iam:DeleteUserPermissionsBoundary'], Resource: '*' });
    expect(statements[4]).toMatchObject({
      Action: ['iam:CreateRole', 'iam:CreateUser', 'iam:PutRolePermissionsBoundary', 'iam:PutUserPermissionsBoundary'],
      Condition: { StringNotEquals: { 'iam:PermissionsBoundary': boundaryArn } },
    });
  });

  test('the boundary fits the managed-policy quota with room to spare', () => {
    const policy: any = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))[0];
    const document = resolveIntrinsics<any>(policy.Properties.PolicyDocument, { account: '222222222222', region: 'eu-west-1', partition: 'aws-us-gov' });
    expect(JSON.stringify(document).length).toBeLessThan(6_144 / 2);
  });

  test('the cross-account role trusts the CICD account, over TLS only', () => {
    expect(role(template, 'cicd-cross-account').AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { AWS: root('111111111111') },
        Condition: { Bool: { 'aws:SecureTransport': 'true' } },
      }],
    });
  });

  test('the CloudFormation role trusts only CloudFormation, refusing it when it acts for another account (the key is undocumented: IfExists)', () => {
    expect(role(template, 'cicd-cloudformation').AssumeRolePolicyDocument.Statement).toEqual([{
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Principal: { Service: 'cloudformation.amazonaws.com' },
      Condition: { StringEqualsIfExists: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    }]);
  });

  test('the build role trusts CodeBuild for this account (documented key) and Lambda unless it acts for another account (IfExists)', () => {
    expect(role(template, 'cicd-build').AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: 'codebuild.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: 'lambda.amazonaws.com' },
        Condition: { StringEqualsIfExists: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
  });

  test('the cross-account role drives CloudFormation and CodeBuild, nothing more', () => {
    const statements = statementsOf(template, 'cicd-cross-account');
    const deploy = statements.find((s) => s.Sid === 'DeployStacks');
    expect(deploy.Action).toEqual(expect.arrayContaining([
      'cloudformation:CreateStack', 'cloudformation:UpdateStack', 'cloudformation:DeleteStack', 'cloudformation:DescribeStacks',
      'cloudformation:CreateChangeSet', 'cloudformation:ExecuteChangeSet', 'cloudformation:DescribeChangeSet', 'cloudformation:DeleteChangeSet',
      'cloudformation:SetStackPolicy',
    ]));
    expect(deploy.Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudformation:*:', { Ref: 'AWS::AccountId' }, ':stack/*']] });
    expect(statements.find((s) => s.Sid === 'ValidateTemplates').Action).toContain('cloudformation:ValidateTemplate');
    expect(statements.find((s) => s.Sid === 'RunBuilds').Action).toEqual(['codebuild:StartBuild', 'codebuild:StopBuild', 'codebuild:BatchGetBuilds']);
    const services = new Set(actionsOf(statements).map((a) => a.split(':')[0]));
    expect([...services].sort()).toEqual(['cloudformation', 'codebuild', 'iam', 'kms', 's3']);
    expect(actionsOf(statements).filter((a) => a.startsWith('iam:'))).toEqual(['iam:PassRole']);
  });

  test('the cross-account role passes only the CloudFormation role, only to CloudFormation', () => {
    const pass = statementsOf(template, 'cicd-cross-account').find((s) => s.Sid === 'PassCloudFormationRoleToCloudFormation');
    expect(pass).toEqual({
      Sid: 'PassCloudFormationRoleToCloudFormation',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^PipelineRolesCloudFormationRole/), 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
    });
  });

  test('the cross-account role reads artifacts and templates, with the key found by alias, and writes nothing', () => {
    const statements = statementsOf(template, 'cicd-cross-account');
    const on = (bucket: string) => statements.find((s) => JSON.stringify(s.Resource).includes(bucket));
    const read = ['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket', 's3:GetBucketLocation'];
    expect(on('cicd-artifacts-111111111111-eu-west-1').Action).toEqual(read);
    expect(on('cicd-templates-111111111111-eu-west-1').Action).toEqual(read);
    const key = statements.find((s) => s.Condition?.['ForAnyValue:StringEquals']?.['kms:ResourceAliases']);
    expect(key.Condition['ForAnyValue:StringEquals']['kms:ResourceAliases']).toBe('alias/cicd/artifacts');
    expect(key.Action).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
  });

  test('the CloudFormation role: PowerUserAccess plus IAM role management, read access to the store', () => {
    const cfn = role(template, 'cicd-cloudformation');
    expect(cfn.ManagedPolicyArns).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/PowerUserAccess']] },
    ]);
    const statements = statementsOf(template, 'cicd-cloudformation');
    expect(statements.find((s) => s.Sid === 'ManageRolesAndPolicies').Action).toEqual(expect.arrayContaining(['iam:AttachRolePolicy', 'iam:PassRole']));
    expect(statements.find((s) => s.Sid === 'CreateRoles')).toMatchObject({ Action: ['iam:CreateRole', 'iam:PutRolePermissionsBoundary'], Resource: '*' });
    expect(statements.find((s) => s.Sid === 'CreateRoles').Condition).toEqual({
      StringEquals: { 'iam:PermissionsBoundary': { Ref: expect.stringMatching(/^PipelineRolesPermissionsBoundary/) } },
    });
    const leave = statements.find((s) => s.Sid === 'LeaveBaselineRolesAlone');
    expect(leave.Effect).toBe('Deny');
    expect(leave.Resource).toEqual(['cicd-*', '*/cicd-*'].map((name) =>
      ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, `:role/${name}`]] })));
    expect(leave.Action).toEqual(expect.arrayContaining(['iam:CreateRole', 'iam:DeleteRole', 'iam:DeleteRolePolicy', 'iam:AttachRolePolicy', 'iam:PassRole']));
    // held by the boundary's rules itself, whatever boundary it carries
    expect(statements.find((s) => s.Sid === 'LeaveTheBoundaryAlone')).toMatchObject({ Effect: 'Deny', Resource: { Ref: expect.stringMatching(/^PipelineRolesPermissionsBoundary/) } });
    expect(statements.find((s) => s.Sid === 'CreateOnlyWithTheBoundary')).toMatchObject({ Effect: 'Deny' });
    expect(actionsOf(statements)).not.toContain('s3:PutObject');
    expect(actionsOf(statements)).toContain('s3:GetObject');
  });

  test('the build role: logs, VPC interfaces, stack reads, reports, and the store (which the original forgot)', () => {
    const statements = statementsOf(template, 'cicd-build');
    const sids = statements.map((s) => s.Sid).filter(Boolean);
    expect(sids).toEqual(['WriteLogs', 'UseVpcNetworkInterfaces', 'LetCodeBuildUseNetworkInterfaces', 'ReadStacks', 'WriteBuildReports', 'NeverPassBaselineRoles']);
    expect(statements.find((s) => s.Sid === 'NeverPassBaselineRoles')).toMatchObject({ Effect: 'Deny', Action: 'iam:PassRole' });
    const reports = statements.find((s) => s.Sid === 'WriteBuildReports');
    expect(reports.Condition).toBeUndefined();
    expect(statements.find((s) => s.Sid === 'LetCodeBuildUseNetworkInterfaces').Condition)
      .toEqual({ StringEquals: { 'ec2:AuthorizedService': 'codebuild.amazonaws.com' } });
    const actions = actionsOf(statements);
    expect(actions).toEqual(expect.arrayContaining(['s3:GetObject', 'kms:Decrypt']));
    expect(actions).not.toContain('s3:PutObject');
  });

  test('outputs the name, ARN and unique ID of every role', () => {
    const outputs = Object.keys(template.findOutputs('*')).map((k) => k.replace(/^PipelineRoles/, '').replace(/[0-9A-F]{8}$/, ''));
    expect(outputs.sort()).toEqual([
      'BuildRoleArn', 'BuildRoleId', 'BuildRoleName',
      'CloudFormationRoleArn', 'CloudFormationRoleId', 'CloudFormationRoleName',
      'CrossAccountRoleArn', 'CrossAccountRoleId', 'CrossAccountRoleName',
      'PermissionsBoundaryArn',
    ]);
    template.hasOutput('*', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipelineRolesCrossAccountRole'), 'RoleId'] } });
  });

  test('the store and the roles live in one app with no cross-environment reference', () => {
    expect(() => app.synth()).not.toThrow();
    expect(JSON.stringify(template.toJSON())).not.toMatch(/Fn::ImportValue/);
  });
});

describe('CrossAccountPipelineRoles overrides', () => {
  test('trusted principals narrow the cross-account role with aws:PrincipalArn', () => {
    const arn = 'arn:aws:iam::111111111111:role/pipeline-role';
    const { template } = layout({ trustedPrincipalArns: [arn] });
    expect(role(template, 'cicd-cross-account').AssumeRolePolicyDocument.Statement[0].Condition).toEqual({
      Bool: { 'aws:SecureTransport': 'true' },
      ArnEquals: { 'aws:PrincipalArn': [arn] },
    });
  });

  test('a permissions boundary is set on every role and required on roles CloudFormation creates', () => {
    const app = new App();
    const stack = new Stack(app, 'Nonprod', { env: NONPROD_ENV });
    const boundary = iam.ManagedPolicy.fromManagedPolicyArn(stack, 'Boundary', 'arn:aws:iam::222222222222:policy/cicd-boundary');
    const store = importedStore(stack);
    new CrossAccountPipelineRoles(stack, 'PipelineRoles', { cicdAccountId: '111111111111', artifactStore: store, permissionsBoundary: boundary });
    const template = Template.fromStack(stack);
    for (const name of ['cicd-cross-account', 'cicd-cloudformation', 'cicd-build']) {
      expect(role(template, name).PermissionsBoundary).toBe('arn:aws:iam::222222222222:policy/cicd-boundary');
    }
    const statements = statementsOf(template, 'cicd-cloudformation');
    expect(statements.find((s) => s.Sid === 'CreateRoles').Condition)
      .toEqual({ StringEquals: { 'iam:PermissionsBoundary': 'arn:aws:iam::222222222222:policy/cicd-boundary' } });
    expect(statements.find((s) => s.Sid === 'KeepPermissionsBoundaries'))
      .toMatchObject({ Effect: 'Deny', Action: ['iam:DeleteRolePermissionsBoundary', 'iam:DeleteUserPermissionsBoundary'] });
    expect(statements.find((s) => s.Sid === 'LeaveTheBoundaryAlone')).toMatchObject({ Effect: 'Deny', Resource: 'arn:aws:iam::222222222222:policy/cicd-boundary' });
    // the given boundary replaces the baseline's
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  test('role-name prefix', () => {
    const { template } = layout({ roleNamePrefix: 'team-a' });
    role(template, 'team-a-cross-account');
    role(template, 'team-a-cloudformation');
    role(template, 'team-a-build');
  });

  test('CloudFormation managed policies replace PowerUserAccess, and keep the IAM role management beside them', () => {
    const app = new App();
    const stack = new Stack(app, 'Nonprod', { env: NONPROD_ENV });
    new CrossAccountPipelineRoles(stack, 'PipelineRoles', {
      cicdAccountId: '111111111111',
      artifactStore: importedStore(stack),
      cloudFormationManagedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AWSLambda_FullAccess')],
    });
    const template = Template.fromStack(stack);
    expect(JSON.stringify(role(template, 'cicd-cloudformation').ManagedPolicyArns)).toMatch(/AWSLambda_FullAccess/);
    expect(JSON.stringify(role(template, 'cicd-cloudformation').ManagedPolicyArns)).not.toMatch(/PowerUserAccess/);
    expect(statementsOf(template, 'cicd-cloudformation').find((s) => s.Sid === 'ManageRolesAndPolicies')).toMatchObject({ Effect: 'Allow' });
    // the guardrails stay, whatever the managed policies allow
    expect(statementsOf(template, 'cicd-cloudformation').find((s) => s.Sid === 'LeaveBaselineRolesAlone')).toMatchObject({ Effect: 'Deny' });
  });

  test('with custom managed policies and a boundary, new roles still need the boundary', () => {
    const stack = new Stack(new App(), 'Nonprod', { env: NONPROD_ENV });
    const boundary = iam.ManagedPolicy.fromManagedPolicyArn(stack, 'Boundary', 'arn:aws:iam::222222222222:policy/cicd-boundary');
    new CrossAccountPipelineRoles(stack, 'PipelineRoles', {
      cicdAccountId: '111111111111',
      artifactStore: importedStore(stack),
      permissionsBoundary: boundary,
      cloudFormationManagedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')],
    });
    const statements = statementsOf(Template.fromStack(stack), 'cicd-cloudformation');
    expect(statements.find((s) => s.Sid === 'CreateOnlyWithTheBoundary')).toEqual({
      Sid: 'CreateOnlyWithTheBoundary',
      Effect: 'Deny',
      Action: ['iam:CreateRole', 'iam:CreateUser', 'iam:PutRolePermissionsBoundary', 'iam:PutUserPermissionsBoundary'],
      Resource: '*',
      Condition: { StringNotEquals: { 'iam:PermissionsBoundary': 'arn:aws:iam::222222222222:policy/cicd-boundary' } },
    });
    expect(statements.find((s) => s.Sid === 'KeepPermissionsBoundaries')).toMatchObject({ Effect: 'Deny' });
    expect(statements.find((s) => s.Sid === 'LeaveBaselineRolesAlone')).toMatchObject({ Effect: 'Deny' });
  });

  test('cloudFormationIamManagement: false leaves the CloudFormation role its managed policies and guardrails only', () => {
    const { template } = layout({ cloudFormationIamManagement: false });
    const statements = statementsOf(template, 'cicd-cloudformation');
    expect(statements.find((s) => s.Sid === 'ManageRolesAndPolicies')).toBeUndefined();
    expect(statements.find((s) => s.Sid === 'CreateRoles')).toBeUndefined();
    expect(statements.find((s) => s.Sid === 'LeaveBaselineRolesAlone')).toMatchObject({ Effect: 'Deny' });
  });

  test('withoutPermissionsBoundary: no boundary anywhere, the guardrails on the baseline\'s roles remain', () => {
    const { template, roles } = layout({ withoutPermissionsBoundary: true });
    expect(roles.permissionsBoundary).toBeUndefined();
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    for (const name of ['cicd-cross-account', 'cicd-cloudformation', 'cicd-build']) {
      expect(role(template, name).PermissionsBoundary).toBeUndefined();
    }
    const statements = statementsOf(template, 'cicd-cloudformation');
    expect(statements.find((s) => s.Sid === 'CreateRoles').Condition).toBeUndefined();
    expect(statements.find((s) => s.Sid === 'CreateOnlyWithTheBoundary')).toBeUndefined();
    expect(statements.find((s) => s.Sid === 'LeaveBaselineRolesAlone').Action).toContain('iam:PassRole');
    expect(statementsOf(template, 'cicd-build').find((s) => s.Sid === 'NeverPassBaselineRoles')).toMatchObject({ Effect: 'Deny' });
  });

  test('protectedRoleNames: a read-only role with a custom name is off limits too, at any path', () => {
    const { template } = layout({ protectedRoleNames: ['inventory-read-only', 'cdk-*'] });
    const arns = JSON.stringify(statementsOf(template, 'cicd-cloudformation').find((s) => s.Sid === 'LeaveBaselineRolesAlone').Resource);
    const boundary = JSON.stringify(Object.values(template.findResources('AWS::IAM::ManagedPolicy'))[0]);
    const build = JSON.stringify(statementsOf(template, 'cicd-build').find((s) => s.Sid === 'NeverPassBaselineRoles').Resource);
    for (const text of [arns, boundary, build]) {
      for (const name of [':role/inventory-read-only"', ':role/*/inventory-read-only"', ':role/cdk-*"', ':role/*/cdk-*"', ':role/cicd-*"']) {
        expect(text).toContain(name);
      }
    }
  });

  test('a boundary over the managed-policy quota fails synth with its size', () => {
    const app = new App();
    const stack = new Stack(app, 'Nonprod', { env: NONPROD_ENV });
    const protectedRoleNames = Array.from({ length: 60 }, (_, i) => `some-application-role-with-a-long-name-${i}`);
    new CrossAccountPipelineRoles(stack, 'PipelineRoles', { cicdAccountId: '111111111111', artifactStore: importedStore(stack), protectedRoleNames });
    expect(() => app.synth()).toThrow(/The permissions boundary Nonprod\/PipelineRoles\/PermissionsBoundary is \d+ characters \(whitespace removed\), over the IAM quota of 6144 for a managed policy\. List fewer protectedRoleNames/);
  });

  test('canWriteArtifacts lets the cross-account and build roles write artifacts; the CloudFormation role still reads', () => {
    const { template } = layout({ canWriteArtifacts: true });
    for (const name of ['cicd-cross-account', 'cicd-build']) {
      expect(actionsOf(statementsOf(template, name))).toEqual(expect.arrayContaining(['s3:PutObject', 'kms:GenerateDataKey*']));
    }
    expect(actionsOf(statementsOf(template, 'cicd-cloudformation'))).not.toContain('s3:PutObject');
  });

  test('a stack-name prefix limits the stacks the cross-account role may touch', () => {
    const { template } = layout({ stackNamePrefix: 'app' });
    const deploy = statementsOf(template, 'cicd-cross-account').find((s) => s.Sid === 'DeployStacks');
    expect(deploy.Resource['Fn::Join'][1]).toContain(':stack/app*');
  });
});

describe('CrossAccountPipelineRoles single-account mode', () => {
  test('roles beside the store, in the same stack', () => {
    const stack = new Stack(new App(), 'Cicd', { env: CICD_ENV });
    const store = new CicdArtifactStore(stack, 'Store', { targetAccounts: [{ name: 'cicd', accountId: '111111111111' }] });
    new CrossAccountPipelineRoles(stack, 'PipelineRoles', { cicdAccountId: '111111111111', artifactStore: store });
    const template = Template.fromStack(stack);
    const statements = statementsOf(template, 'cicd-cross-account');
    expect(statements).toContainEqual(expect.objectContaining({
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^StoreKey/), 'Arn'] },
    }));
    expect(role(template, 'cicd-cross-account').AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ AWS: root('111111111111') });
  });

  test('roles in another stack of the same account', () => {
    const app = new App();
    const store = new CicdArtifactStore(new Stack(app, 'Cicd', { env: CICD_ENV }), 'Store', {});
    const stack = new Stack(app, 'Roles', { env: CICD_ENV });
    new CrossAccountPipelineRoles(stack, 'PipelineRoles', { cicdAccountId: '111111111111', artifactStore: store });
    expect(() => app.synth()).not.toThrow();
  });
});

function importedStore(scope: Stack): ICicdArtifactStore {
  return CicdArtifactStore.fromArtifactStoreAttributes(scope, 'Store', {
    keyArn: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    artifactsBucketName: 'cicd-artifacts-111111111111-eu-west-1',
    templatesBucketName: 'cicd-templates-111111111111-eu-west-1',
  });
}

describe('CrossAccountPipelineRoles validation', () => {
  const attempt = (props: Partial<CrossAccountPipelineRolesProps>) => {
    const stack = new Stack(new App(), 'Nonprod', { env: NONPROD_ENV });
    const full = { cicdAccountId: '111111111111', artifactStore: importedStore(stack), ...props } as CrossAccountPipelineRolesProps;
    return { stack, run: () => new CrossAccountPipelineRoles(stack, 'PipelineRoles', full) };
  };

  test.each([
    ['CICD account', { cicdAccountId: '11111111111' }, /cicdAccountId: got "11111111111"; allowed: a 12-digit/],
    ['CICD account as a number', { cicdAccountId: 111111111111 as unknown as string }, /cicdAccountId: got 111111111111/],
    ['principal of another account', { trustedPrincipalArns: ['arn:aws:iam::333333333333:role/x'] }, /trustedPrincipalArns\[0\]: got "arn:aws:iam::333333333333:role\/x"; allowed: a principal of the CICD account 111111111111/],
    ['not a principal ARN', { trustedPrincipalArns: ['pipeline-role'] }, /trustedPrincipalArns\[0\]: got "pipeline-role"; allowed: an IAM role, user or root ARN/],
    ['empty principals', { trustedPrincipalArns: [] }, /trustedPrincipalArns: got \[\]/],
    ['session ARN as a principal', { trustedPrincipalArns: ['arn:aws:sts::111111111111:assumed-role/pipeline/session'] },
      /trustedPrincipalArns\[0\]: got "arn:aws:sts::111111111111:assumed-role\/pipeline\/session"; allowed: the role's ARN/],
    ['prefix too long', { roleNamePrefix: 'x'.repeat(51) }, /roleNamePrefix: got "x{51}"; allowed: .*at most 50 characters/],
    ['prefix characters', { roleNamePrefix: 'team a' }, /roleNamePrefix: got "team a"/],
    ['stack-name prefix', { stackNamePrefix: '1app' }, /stackNamePrefix: got "1app"/],
    ['no boundary and a boundary', { withoutPermissionsBoundary: true, permissionsBoundary: iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess') },
      /withoutPermissionsBoundary: got true; allowed: false or omitted when permissionsBoundary is given/],
    ['empty protected names', { protectedRoleNames: [] }, /protectedRoleNames: got \[\]; allowed: at least one role name/],
    ['protected name with a path', { protectedRoleNames: ['ops/inventory'] }, /protectedRoleNames\[0\]: got "ops\/inventory"; allowed: an IAM role name/],
    ['too many managed policies', { cloudFormationManagedPolicies: Array.from({ length: 11 }, () => iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')) }, /cloudFormationManagedPolicies: got "11 policies"; allowed: at most 10/],
  ] as Array<[string, Partial<CrossAccountPipelineRolesProps>, RegExp]>)('%s', (_, props, pattern) => {
    const { stack, run } = attempt(props);
    expect(run).toThrow(pattern);
    expect(stack.node.tryFindChild('PipelineRoles')).toBeUndefined();
  });

  test('a boundary that is not a managed policy ARN', () => {
    const other = new Stack(new App(), 'Other');
    const boundary = iam.ManagedPolicy.fromManagedPolicyArn(other, 'B', 'arn:aws:iam::222222222222:role/not-a-policy');
    const { stack, run } = attempt({ permissionsBoundary: boundary });
    expect(run).toThrow(/permissionsBoundary: got "arn:aws:iam::222222222222:role\/not-a-policy"; allowed: a managed policy/);
    expect(stack.node.tryFindChild('PipelineRoles')).toBeUndefined();
  });

  test('a store of another account than the CICD account', () => {
    const app = new App();
    const store = new CicdArtifactStore(new Stack(app, 'Cicd', { env: { account: '999999999999', region: 'eu-west-1' } }), 'Store', {});
    const stack = new Stack(app, 'Nonprod', { env: NONPROD_ENV });
    expect(() => new CrossAccountPipelineRoles(stack, 'PipelineRoles', { cicdAccountId: '111111111111', artifactStore: store }))
      .toThrow(/artifactStore: got "Cicd\/Store"; allowed: the store of the CICD account 111111111111 \(this store is in account 999999999999\)/);
  });
});
