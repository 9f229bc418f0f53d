import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CicdArtifactStore, CrossAccountPipelineRoles, CrossAccountPipelineRolesProps, ICicdArtifactStore } from '../src';

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
    for (const name of ['cicd-cross-account', 'cicd-cloudformation', 'cicd-build']) {
      expect(role(template, name).PermissionsBoundary).toBeUndefined();
    }
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

  test('the cross-account role reads and writes artifacts and reads templates, with the key found by alias', () => {
    const statements = statementsOf(template, 'cicd-cross-account');
    const on = (bucket: string) => statements.find((s) => JSON.stringify(s.Resource).includes(bucket));
    expect(on('cicd-artifacts-111111111111-eu-west-1').Action).toEqual(expect.arrayContaining(['s3:GetObject', 's3:PutObject', 's3:ListBucket']));
    expect(on('cicd-templates-111111111111-eu-west-1').Action).toEqual(['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket', 's3:GetBucketLocation']);
    const key = statements.find((s) => s.Condition?.['ForAnyValue:StringEquals']?.['kms:ResourceAliases']);
    expect(key.Condition['ForAnyValue:StringEquals']['kms:ResourceAliases']).toBe('alias/cicd/artifacts');
    expect(key.Action).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']));
  });

  test('the CloudFormation role: PowerUserAccess plus IAM role management, read access to the store', () => {
    const cfn = role(template, 'cicd-cloudformation');
    expect(cfn.ManagedPolicyArns).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/PowerUserAccess']] },
    ]);
    const statements = statementsOf(template, 'cicd-cloudformation');
    expect(statements.find((s) => s.Sid === 'ManageRolesAndPolicies').Action).toEqual(expect.arrayContaining(['iam:AttachRolePolicy', 'iam:PassRole']));
    expect(statements.find((s) => s.Sid === 'CreateRoles')).toMatchObject({ Action: ['iam:CreateRole', 'iam:PutRolePermissionsBoundary'], Resource: '*' });
    expect(statements.find((s) => s.Sid === 'CreateRoles').Condition).toBeUndefined();
    const leave = statements.find((s) => s.Sid === 'LeaveBaselineRolesAlone');
    expect(leave.Effect).toBe('Deny');
    expect(leave.Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/cicd-*']] });
    expect(leave.Action).toEqual(expect.arrayContaining(['iam:CreateRole', 'iam:DeleteRole', 'iam:DeleteRolePolicy', 'iam:AttachRolePolicy']));
    expect(actionsOf(statements)).not.toContain('s3:PutObject');
    expect(actionsOf(statements)).toContain('s3:GetObject');
  });

  test('the build role: logs, VPC interfaces, stack reads, reports, and the store (which the original forgot)', () => {
    const statements = statementsOf(template, 'cicd-build');
    const sids = statements.map((s) => s.Sid).filter(Boolean);
    expect(sids).toEqual(['WriteLogs', 'UseVpcNetworkInterfaces', 'LetCodeBuildUseNetworkInterfaces', 'ReadStacks', 'WriteBuildReports']);
    const reports = statements.find((s) => s.Sid === 'WriteBuildReports');
    expect(reports.Condition).toBeUndefined();
    expect(statements.find((s) => s.Sid === 'LetCodeBuildUseNetworkInterfaces').Condition)
      .toEqual({ StringEquals: { 'ec2:AuthorizedService': 'codebuild.amazonaws.com' } });
    const actions = actionsOf(statements);
    expect(actions).toEqual(expect.arrayContaining(['s3:GetObject', 's3:PutObject', 'kms:Decrypt']));
  });

  test('outputs the name, ARN and unique ID of every role', () => {
    const outputs = Object.keys(template.findOutputs('*')).map((k) => k.replace(/^PipelineRoles/, '').replace(/[0-9A-F]{8}$/, ''));
    expect(outputs.sort()).toEqual([
      'BuildRoleArn', 'BuildRoleId', 'BuildRoleName',
      'CloudFormationRoleArn', 'CloudFormationRoleId', 'CloudFormationRoleName',
      'CrossAccountRoleArn', 'CrossAccountRoleId', 'CrossAccountRoleName',
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
    expect(statements.find((s) => s.Sid === 'KeepPermissionsBoundaries')).toMatchObject({ Effect: 'Deny', Action: 'iam:DeleteRolePermissionsBoundary' });
  });

  test('role-name prefix', () => {
    const { template } = layout({ roleNamePrefix: 'team-a' });
    role(template, 'team-a-cross-account');
    role(template, 'team-a-cloudformation');
    role(template, 'team-a-build');
  });

  test('CloudFormation managed policies replace the default', () => {
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
    expect(statementsOf(template, 'cicd-cloudformation').find((s) => s.Sid === 'ManageRolesAndPolicies')).toBeUndefined();
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
    expect(statements.find((s) => s.Sid === 'CreateRolesOnlyWithTheBoundary')).toEqual({
      Sid: 'CreateRolesOnlyWithTheBoundary',
      Effect: 'Deny',
      Action: ['iam:CreateRole', 'iam:PutRolePermissionsBoundary'],
      Resource: '*',
      Condition: { StringNotEquals: { 'iam:PermissionsBoundary': 'arn:aws:iam::222222222222:policy/cicd-boundary' } },
    });
    expect(statements.find((s) => s.Sid === 'KeepPermissionsBoundaries')).toMatchObject({ Effect: 'Deny' });
    expect(statements.find((s) => s.Sid === 'LeaveBaselineRolesAlone')).toMatchObject({ Effect: 'Deny' });
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
