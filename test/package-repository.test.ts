import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { largestN, succeeds } from '../scripts/largest-n';
import {
  CicdArtifactStore,
  CicdArtifactStoreProps,
  CicdSettings,
  CrossAccountPipelineRoles,
  PackageUpstream,
} from '../src';
import { CICD, NONPROD, PROD, root, storeStack } from './util/store-stack';

const KEY_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function joined(text: string) {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, text]] };
}

function one(template: Template, type: string, props: Record<string, unknown> = {}): any {
  const found = Object.values(template.findResources(type, { Properties: props }));
  expect(found).toHaveLength(1);
  return found[0];
}

function bySid(statements: any[], sid: string): any {
  return statements.find((s) => s.Sid === sid);
}

const domainStatements = (t: Template) => one(t, 'AWS::CodeArtifact::Domain').Properties.PermissionsPolicyDocument.Statement;
const repositoryStatements = (t: Template, name = 'packages') =>
  one(t, 'AWS::CodeArtifact::Repository', { RepositoryName: name }).Properties.PermissionsPolicyDocument.Statement;

/** Every statement of the IAM policies of a stack, resolved as synthesized. */
function identityStatements(stack: Stack): any[] {
  return Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
}

describe('CicdArtifactStore packages: defaults', () => {
  // GIVEN two targets, WHEN the store is asked for packages with the default names
  const { template } = storeStack({ targetAccounts: [NONPROD, PROD], packages: {} });

  test('no CodeArtifact resource unless asked', () => {
    const plain = storeStack({ targetAccounts: [NONPROD] }).template;
    expect(plain.findResources('AWS::CodeArtifact::Domain')).toEqual({});
    expect(plain.findResources('AWS::CodeArtifact::Repository')).toEqual({});
    expect(JSON.stringify(plain.toJSON())).not.toMatch(/codeartifact/i);
  });

  test('a domain "cicd" encrypted with the store\'s key, and a repository "packages" without upstreams, both retained', () => {
    const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];
    template.hasResource('AWS::CodeArtifact::Domain', {
      Properties: { DomainName: 'cicd', EncryptionKey: { 'Fn::GetAtt': [keyId, 'Arn'] } },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    const repository = one(template, 'AWS::CodeArtifact::Repository');
    expect(repository).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(repository.Properties).toMatchObject({ RepositoryName: 'packages', DomainName: { 'Fn::GetAtt': [expect.stringMatching(/^StorePackageDomain/), 'Name'] } });
    expect(repository.Properties.Upstreams).toBeUndefined();
    expect(repository.Properties.ExternalConnections).toBeUndefined();
  });

  test('the domain policy lets the targets get a token, and nothing else', () => {
    const statements = domainStatements(template);
    expect(bySid(statements, 'GetTokenFromTargetsAccounts')).toEqual({
      Sid: 'GetTokenFromTargetsAccounts',
      Effect: 'Allow',
      Principal: { AWS: [root('222222222222'), root('777777777777')] },
      Action: 'codeartifact:GetAuthorizationToken',
      Resource: '*',
    });
    expect(statements.filter((s: any) => s.Effect === 'Allow')).toHaveLength(1);
  });

  test('the repository policy lets the targets read, and nothing else', () => {
    const statements = repositoryStatements(template);
    const read = bySid(statements, 'ReadPackagesFromTargetsAccounts');
    expect(read).toMatchObject({ Effect: 'Allow', Principal: { AWS: [root('222222222222'), root('777777777777')] }, Resource: '*' });
    expect(read.Action).toEqual(expect.arrayContaining(['codeartifact:ReadFromRepository', 'codeartifact:GetRepositoryEndpoint', 'codeartifact:DescribePackageVersion']));
    for (const s of statements.filter((x: any) => x.Effect === 'Allow')) {
      expect([s.Action].flat().filter((a: string) => !/^codeartifact:(Read|Get|Describe|List)/.test(a))).toEqual([]);
    }
  });

  test('both policies deny publishing and changes to every principal outside the CICD account', () => {
    for (const [statements, extra] of [[domainStatements(template), ['codeartifact:PutDomainPermissionsPolicy', 'codeartifact:CreateRepository']], [repositoryStatements(template), []]] as const) {
      const deny = bySid(statements, 'DenyWritesOutsideCicdAccount');
      expect(deny).toMatchObject({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:PrincipalAccount': '111111111111' } },
      });
      expect(deny.Action).toEqual(expect.arrayContaining([
        'codeartifact:PublishPackageVersion', 'codeartifact:PutPackageMetadata', 'codeartifact:DeletePackageVersions',
        'codeartifact:PutRepositoryPermissionsPolicy', 'codeartifact:AssociateExternalConnection', ...extra,
      ]));
    }
  });

  test('the store\'s outputs name the domain and the repository', () => {
    template.hasOutput('*', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StorePackageDomain'), 'Arn'] } });
    template.hasOutput('*', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StorePackageRepository'), 'Arn'] } });
  });
});

describe('CicdArtifactStore packages: overrides and narrowing', () => {
  test('names and upstreams: one upstream repository per public registry, in the order given', () => {
    const { template } = storeStack({
      targetAccounts: [NONPROD],
      packages: { domainName: 'acme', repositoryName: 'shared', upstreams: [PackageUpstream.PYPI, PackageUpstream.NPM] },
    });
    template.hasResourceProperties('AWS::CodeArtifact::Domain', { DomainName: 'acme' });
    const pypi = one(template, 'AWS::CodeArtifact::Repository', { RepositoryName: 'shared-pypi' });
    const npm = one(template, 'AWS::CodeArtifact::Repository', { RepositoryName: 'shared-npmjs' });
    expect(pypi.Properties.ExternalConnections).toEqual(['public:pypi']);
    expect(npm.Properties.ExternalConnections).toEqual(['public:npmjs']);
    // Only the store's repository is admitted to other accounts.
    expect(pypi.Properties.PermissionsPolicyDocument).toBeUndefined();
    const ids = Object.keys(template.findResources('AWS::CodeArtifact::Repository'));
    const idOf = (name: string) => ids.find((id) => template.toJSON().Resources[id].Properties.RepositoryName === name);
    expect(one(template, 'AWS::CodeArtifact::Repository', { RepositoryName: 'shared' }).Properties.Upstreams).toEqual([
      { 'Fn::GetAtt': [idOf('shared-pypi'), 'Name'] },
      { 'Fn::GetAtt': [idOf('shared-npmjs'), 'Name'] },
    ]);
  });

  test('removalPolicy applies to the domain and every repository', () => {
    const { template } = storeStack({
      targetAccounts: [NONPROD],
      packages: { upstreams: [PackageUpstream.MAVEN_CENTRAL] },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    for (const type of ['AWS::CodeArtifact::Domain', 'AWS::CodeArtifact::Repository']) {
      for (const r of Object.values<any>(template.findResources(type))) {
        expect(r.DeletionPolicy).toBe('Delete');
      }
    }
  });

  test('role IDs, role ARNs and an organization narrow the readers as they narrow the buckets', () => {
    const { template } = storeStack({
      targetAccounts: [
        { ...NONPROD, roleIds: ['AROA22222222222222222'] },
        { ...PROD, roleArns: ['arn:aws:iam::777777777777:role/cicd-build'] },
      ],
      organizationId: 'o-a1b2c3d4e5',
      organizationRoleNames: ['cicd-build'],
      packages: {},
    });
    for (const [statements, sid] of [[domainStatements(template), 'GetTokenFromTargets'], [repositoryStatements(template), 'ReadPackagesFromTargets']] as const) {
      expect(bySid(statements, `${sid}RoleIds`).Condition).toEqual({ StringLike: { 'aws:userId': ['AROA22222222222222222:*'] } });
      expect(bySid(statements, `${sid}RoleArns`).Condition).toEqual({ ArnEquals: { 'aws:PrincipalArn': ['arn:aws:iam::777777777777:role/cicd-build'] } });
      expect(bySid(statements, `${sid}Organization`)).toMatchObject({
        Principal: { AWS: '*' },
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      });
      expect(bySid(statements, `${sid}Accounts`)).toBeUndefined();
    }
  });

  test('a target in the store\'s own account: no allow statement, the denies stay', () => {
    const { template } = storeStack({ targetAccounts: [{ name: 'main', accountId: CICD.account }], packages: {} });
    expect(domainStatements(template).map((s: any) => s.Sid)).toEqual(['DenyWritesOutsideCicdAccount']);
    expect(repositoryStatements(template).map((s: any) => s.Sid)).toEqual(['DenyWritesOutsideCicdAccount']);
  });
});

describe('CicdArtifactStore packages: grants', () => {
  const tokenStatement = { Effect: 'Allow', Action: 'sts:GetServiceBearerToken', Resource: '*', Condition: { StringEquals: { 'sts:AWSServiceName': 'codeartifact.amazonaws.com' } } };

  test('the build role of a target reads by literal ARNs, with a token; the other pipeline roles get nothing of it', () => {
    // GIVEN a store with packages and the pipeline roles of non-prod
    const app = new App();
    const store = new CicdArtifactStore(new Stack(app, 'Cicd', { env: CICD }), 'Store', { targetAccounts: [NONPROD], packages: { domainName: 'acme' } });
    const target = new Stack(app, 'NonProd', { env: { account: NONPROD.accountId, region: CICD.region } });
    // WHEN
    const roles = new CrossAccountPipelineRoles(target, 'Roles', { cicdAccountId: CICD.account, artifactStore: store });
    // THEN
    const template = Template.fromStack(target);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^RolesBuildRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Effect: 'Allow', Action: 'codeartifact:GetAuthorizationToken', Resource: joined(':codeartifact:eu-west-1:111111111111:domain/acme') },
          tokenStatement,
          {
            Effect: 'Allow',
            Action: Match.arrayWith(['codeartifact:ReadFromRepository', 'codeartifact:GetRepositoryEndpoint']),
            Resource: [
              joined(':codeartifact:eu-west-1:111111111111:repository/acme/packages'),
              joined(':codeartifact:eu-west-1:111111111111:package/acme/packages/*'),
            ],
          },
        ]),
      },
    });
    const policies = Object.values<any>(template.findResources('AWS::IAM::Policy'));
    const refOf = (role: iam.IRole) => JSON.stringify([target.resolve((role.node.defaultChild as iam.CfnRole).ref)]);
    const of = (role: iam.IRole) => policies.filter((p) => JSON.stringify(p.Properties.Roles) === refOf(role));
    for (const role of [roles.crossAccountRole, roles.cloudFormationRole]) {
      expect(of(role).length).toBeGreaterThan(0);
      expect(JSON.stringify(of(role))).not.toMatch(/codeartifact/);
    }
    expect(JSON.stringify(template.toJSON())).not.toMatch(/PublishPackageVersion|Fn::ImportValue/);
  });

  test('grantPublishPackages in the store\'s stack: read and publish, by the resources\' attributes', () => {
    const { stack, store } = storeStack({ targetAccounts: [NONPROD], packages: {} });
    const role = new iam.Role(stack, 'Publisher', { assumedBy: new iam.AccountRootPrincipal() });
    expect(store.grantPublishPackages(role).success).toBe(true);
    const statements = identityStatements(stack);
    const publish = statements.find((s) => [s.Action].flat().includes('codeartifact:PublishPackageVersion'));
    expect(publish.Action).toEqual(expect.arrayContaining(['codeartifact:PutPackageMetadata', 'codeartifact:ReadFromRepository']));
    expect(publish.Resource[0]).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^StorePackageRepository/), 'Arn'] });
    expect(statements).toContainEqual(expect.objectContaining({
      Action: 'codeartifact:GetAuthorizationToken',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^StorePackageDomain/), 'Arn'] },
    }));
    expect(statements).toContainEqual(tokenStatement);
  });

  test('a store without packages grants nothing', () => {
    const { stack, store } = storeStack({ targetAccounts: [NONPROD] });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    expect(store.grantReadPackages(role).success).toBe(false);
    expect(store.grantPublishPackages(role).success).toBe(false);
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toMatch(/codeartifact/);
  });

  test('importers: fromCicdAccount by names, fromArtifactStoreAttributes by the repository ARN', () => {
    const stack = new Stack(new App(), 'NonProd', { env: { account: NONPROD.accountId, region: CICD.region } });
    const byLocation = CicdArtifactStore.fromCicdAccount(stack, 'ByLocation', { ...CICD, packages: { repositoryName: 'shared' } });
    const byAttrs = CicdArtifactStore.fromArtifactStoreAttributes(stack, 'ByAttrs', {
      keyArn: KEY_ARN,
      artifactsBucketName: 'a-b-c',
      templatesBucketName: 'd-e-f',
      packageRepositoryArn: 'arn:aws:codeartifact:eu-west-1:111111111111:repository/acme/libs',
    });
    expect(byLocation.packageDomainName).toBe('cicd');
    expect(byLocation.packageRepositoryName).toBe('shared');
    expect(byAttrs.packageDomainName).toBe('acme');
    expect(byAttrs.packageRepositoryName).toBe('libs');
    expect(byAttrs.packageDomainArn).toBe('arn:aws:codeartifact:eu-west-1:111111111111:domain/acme');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    byLocation.grantReadPackages(role);
    byAttrs.grantReadPackages(role);
    const doc = JSON.stringify(identityStatements(stack));
    expect(doc).toContain(':codeartifact:eu-west-1:111111111111:repository/cicd/shared');
    expect(doc).toContain('arn:aws:codeartifact:eu-west-1:111111111111:package/acme/libs/*');
    expect(doc).toContain('arn:aws:codeartifact:eu-west-1:111111111111:domain/acme');
  });

  test('an imported store without packages grants nothing', () => {
    const stack = new Stack(new App(), 'NonProd', { env: { account: NONPROD.accountId, region: CICD.region } });
    const store = CicdArtifactStore.fromCicdAccount(stack, 'Store', CICD);
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    expect(store.grantReadPackages(role).success).toBe(false);
    expect(store.packageRepositoryArn).toBeUndefined();
  });
});

describe('CicdArtifactStore packages: settings', () => {
  test('CicdSettings publishes the domain and repository of a store with packages, and fromSsmParameters reads them when asked', () => {
    // GIVEN a store with packages and its settings
    const app = new App();
    const stack = new Stack(app, 'Cicd', { env: CICD });
    const store = new CicdArtifactStore(stack, 'Store', { targetAccounts: [NONPROD], packages: { domainName: 'acme' } });
    new CicdSettings(stack, 'Settings', { artifactStore: store });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/cicd/artifacts/packages/domain/name', Value: 'acme' });
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/cicd/artifacts/packages/repo/name', Value: 'packages' });
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/cicd/artifacts/packages/domain/arn', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StorePackageDomain'), 'Arn'] } });
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/cicd/artifacts/packages/repo/arn', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StorePackageRepository'), 'Arn'] } });
    // WHEN a stack of the CICD account imports it from SSM with packages
    const reader = new Stack(new App(), 'Reader', { env: CICD });
    const imported = CicdArtifactStore.fromSsmParameters(reader, 'Store', { packages: true });
    const role = new iam.Role(reader, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    expect(imported.grantReadPackages(role).success).toBe(true);
    // THEN the grant names the parameters' values
    const parameters = Object.values<any>(Template.fromStack(reader).toJSON().Parameters ?? {}).map((p) => p.Default);
    expect(parameters).toEqual(expect.arrayContaining(['/cicd/artifacts/packages/repo/arn', '/cicd/artifacts/packages/domain/arn']));
    // and without packages, none is read
    const plain = new Stack(new App(), 'Plain', { env: CICD });
    CicdArtifactStore.fromSsmParameters(plain, 'Store');
    expect(JSON.stringify(Template.fromStack(plain).toJSON())).not.toMatch(/packages/);
  });

  test('a store without packages: no package parameter', () => {
    const { stack, store } = storeStack({ targetAccounts: [NONPROD] });
    new CicdSettings(stack, 'Settings', { artifactStore: store });
    expect(JSON.stringify(Template.fromStack(stack).findResources('AWS::SSM::Parameter'))).not.toMatch(/packages/);
  });
});

describe('CicdArtifactStore packages: validation', () => {
  const synth = (props: CicdArtifactStoreProps) => () => storeStack({ targetAccounts: [NONPROD], ...props });

  test.each([
    [{ domainName: 'Acme' }, /packages\.domainName: got "Acme"; allowed: a CodeArtifact domain name of 2 to 50/],
    [{ domainName: '1cicd' }, /packages\.domainName: got "1cicd"; allowed/],
    [{ domainName: 'cicd-' }, /packages\.domainName: got "cicd-"; allowed/],
    [{ domainName: 'a'.repeat(51) }, /packages\.domainName: got "a{51}"; allowed/],
    [{ repositoryName: '-libs' }, /packages\.repositoryName: got "-libs"; allowed: a CodeArtifact repository name of 2 to 100/],
    [{ repositoryName: 'x' }, /packages\.repositoryName: got "x"; allowed/],
    [{ repositoryName: 'r'.repeat(81), upstreams: [PackageUpstream.NPM] }, /packages\.repositoryName: got "r{81}"; allowed: a CodeArtifact repository name of 2 to 80 .*REPOSITORY-CONNECTION/],
    [{ upstreams: [PackageUpstream.NPM, PackageUpstream.NPM] }, /packages\.upstreams\[1\]: got "public:npmjs"; allowed: each public registry once/],
    [{ upstreams: ['public:npm' as PackageUpstream] }, /packages\.upstreams\[0\]: got "public:npm"; allowed: a PackageUpstream/],
  ])('packages %j is refused', (packages, error) => {
    expect(synth({ packages })).toThrow(error);
  });

  test('a repository name of 100 characters fits without upstreams', () => {
    expect(synth({ packages: { repositoryName: 'r'.repeat(100) } })).not.toThrow();
  });

  test('importers validate names and ARNs', () => {
    const stack = new Stack(new App(), 'S', { env: CICD });
    expect(() => CicdArtifactStore.fromCicdAccount(stack, 'L', { ...CICD, packages: { domainName: 'Bad' } })).toThrow(/packages\.domainName: got "Bad"/);
    expect(() => CicdArtifactStore.fromArtifactStoreAttributes(stack, 'A', {
      keyArn: KEY_ARN,
      artifactsBucketName: 'a-b-c',
      templatesBucketName: 'd-e-f',
      packageRepositoryArn: 'arn:aws:codeartifact:eu-west-1:111111111111:domain/acme',
    })).toThrow(/packageRepositoryArn: got "arn:aws:codeartifact:eu-west-1:111111111111:domain\/acme"; allowed: a CodeArtifact repository ARN/);
  });
});

describe('CicdArtifactStore packages: policy size guard', () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `t${i}`, accountId: String(200000000000 + i) }));
  const synth = (n: number) => () => {
    const app = new App();
    new CicdArtifactStore(new Stack(app, 'Cicd', { env: CICD }), 'Store', { targetAccounts: many(n), packages: {} });
    app.synth();
  };

  // The repository policy (CodeArtifact: 7,168 characters) fills up first: one account principal
  // (about 35 bytes) each, beside the read actions and the deny of writes. The README promises 150.
  const QUOTA_ERROR = /The permissions policy of Cicd\/Store\/PackageRepository is \d+ bytes .*over 6451 bytes, 90% of the AWS quota of 7168 bytes/;
  test('the largest N (at least 150 whole accounts) fits; N + 1 fails naming the quota', () => {
    const n = largestN((k) => succeeds(synth(k), QUOTA_ERROR), 100);
    expect(n).toBeGreaterThanOrEqual(150);
    expect(synth(n)).not.toThrow();
    expect(synth(n + 1)).toThrow(QUOTA_ERROR);
  });

  test.each([
    ['3 role IDs', 45, (i: number) => ({ roleIds: [0, 1, 2].map((k) => `AROA${String(i * 10 + k).padStart(17, '0')}`) })],
    ['3 role ARNs', 27, (i: number) => ({ roleArns: ['cicd-cross-account', 'cicd-cloudformation', 'cicd-build'].map((r) => `arn:aws:iam::${200000000000 + i}:role/${r}`) })],
  ])('the largest N with %s each (at least %d) fits; N + 1 fails naming the quota', (_, floor, narrowing) => {
    const build = (n: number) => () => {
      const app = new App();
      const targetAccounts = many(n).map((t, i) => ({ ...t, ...narrowing(i) }));
      new CicdArtifactStore(new Stack(app, 'Cicd', { env: CICD }), 'Store', { targetAccounts, packages: {} });
      app.synth();
    };
    const n = largestN((k) => succeeds(build(k), QUOTA_ERROR), 10);
    expect(n).toBeGreaterThanOrEqual(floor);
    expect(build(n + 1)).toThrow(QUOTA_ERROR);
  });

  test('organization mode fits any number of accounts', () => {
    const app = new App();
    new CicdArtifactStore(new Stack(app, 'Cicd', { env: CICD }), 'Store', { organizationId: 'o-a1b2c3d4e5', packages: {} });
    expect(() => app.synth()).not.toThrow();
  });
});
