import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { largestN, succeeds } from '../scripts/largest-n';
import { CicdArtifactStore, CicdArtifactStoreProps, CicdSettings, CrossAccountPipelineRoles } from '../src';
import { CICD, NONPROD, PROD, root, storeStack } from './util/store-stack';
import { PAGE_QUOTA, REPOSITORY_ARNS_PER_PAGE, repositoryArnPages } from '../src/private/naming';

function repositoryStatements(template: Template, name: string): any[] {
  const repos = Object.values(template.findResources('AWS::ECR::Repository', { Properties: { RepositoryName: name } })) as any[];
  expect(repos).toHaveLength(1);
  return repos[0].Properties.RepositoryPolicyText.Statement;
}

function bySid(statements: any[], sid: string): any {
  return statements.find((s) => s.Sid === sid);
}

describe('CicdArtifactStore image repositories: defaults', () => {
  // GIVEN two target accounts, WHEN the store is asked for two repositories
  const { template } = storeStack({ targetAccounts: [NONPROD, PROD], imageRepositoryNames: ['sample-app', 'team/worker'] });

  test('no repository unless asked', () => {
    expect(storeStack({ targetAccounts: [NONPROD] }).template.findResources('AWS::ECR::Repository')).toEqual({});
  });

  test('one repository per name: scanned on push, immutable tags, encrypted with the store key, retained', () => {
    template.resourceCountIs('AWS::ECR::Repository', 2);
    const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];
    template.hasResource('AWS::ECR::Repository', {
      Properties: {
        RepositoryName: 'team/worker',
        ImageScanningConfiguration: { ScanOnPush: true },
        ImageTagMutability: 'IMMUTABLE',
        EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: { 'Fn::GetAtt': [keyId, 'Arn'] } },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('untagged images expire after 14 days', () => {
    const repo = Object.values(template.findResources('AWS::ECR::Repository'))[0] as any;
    const rules = JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText).rules;
    expect(rules).toEqual([expect.objectContaining({
      selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 14, countUnit: 'days' },
      action: { type: 'expire' },
    })]);
  });

  test('the targets may pull, and nothing else', () => {
    const pull = bySid(repositoryStatements(template, 'sample-app'), 'PullImagesFromTargetsAccounts');
    expect(pull).toEqual({
      Sid: 'PullImagesFromTargetsAccounts',
      Effect: 'Allow',
      Principal: { AWS: [root('222222222222'), root('777777777777')] },
      Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
    });
  });

  test('Lambda may pull for the functions of the target accounts in the store\'s region, named by aws:sourceArn', () => {
    expect(bySid(repositoryStatements(template, 'sample-app'), 'LambdaPullsForTargetFunctions')).toEqual({
      Sid: 'LambdaPullsForTargetFunctions',
      Effect: 'Allow',
      Principal: { Service: 'lambda.amazonaws.com' },
      Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      Condition: {
        StringLike: {
          'aws:sourceArn': [
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':lambda:eu-west-1:222222222222:function:*']] },
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':lambda:eu-west-1:777777777777:function:*']] },
          ],
        },
      },
    });
  });

  test('pushing, deleting and changing the repository are denied outside the CICD account', () => {
    const deny = bySid(repositoryStatements(template, 'sample-app'), 'DenyPushOutsideCicdAccount');
    expect(deny).toEqual({
      Sid: 'DenyPushOutsideCicdAccount',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: expect.arrayContaining(['ecr:PutImage', 'ecr:CompleteLayerUpload', 'ecr:BatchDeleteImage', 'ecr:SetRepositoryPolicy']),
      Condition: { StringNotEquals: { 'aws:PrincipalAccount': '111111111111' } },
    });
  });

  test('no repository statement allows a push', () => {
    const allows = repositoryStatements(template, 'sample-app').filter((s) => s.Effect === 'Allow');
    for (const s of allows) {
      expect([s.Action].flat().filter((a: string) => !/^ecr:(BatchGetImage|GetDownloadUrlForLayer|BatchCheckLayerAvailability)$/.test(a))).toEqual([]);
    }
  });
});

describe('CicdArtifactStore image repositories: overrides and narrowing', () => {
  test('mutable tags, retention and removal policy', () => {
    const { template } = storeStack({
      targetAccounts: [NONPROD],
      imageRepositoryNames: ['app'],
      imageTagMutability: ecr.TagMutability.MUTABLE,
      untaggedImageRetention: Duration.days(3),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    template.hasResource('AWS::ECR::Repository', { Properties: { ImageTagMutability: 'MUTABLE' }, DeletionPolicy: 'Delete' });
    const repo = Object.values(template.findResources('AWS::ECR::Repository'))[0] as any;
    expect(JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText).rules[0].selection.countNumber).toBe(3);
  });

  test('role IDs, role ARNs and an organization narrow the pulls as they narrow the buckets', () => {
    const { template } = storeStack({
      targetAccounts: [
        { ...NONPROD, roleIds: ['AROA22222222222222222'] },
        { ...PROD, roleArns: ['arn:aws:iam::777777777777:role/cicd-build'] },
      ],
      organizationId: 'o-a1b2c3d4e5',
      organizationRoleNames: ['cicd-build'],
      imageRepositoryNames: ['app'],
    });
    const statements = repositoryStatements(template, 'app');
    expect(bySid(statements, 'PullImagesFromTargetsRoleIds').Condition).toEqual({ StringLike: { 'aws:userId': ['AROA22222222222222222:*'] } });
    expect(bySid(statements, 'PullImagesFromTargetsRoleArns').Condition).toEqual({ ArnEquals: { 'aws:PrincipalArn': ['arn:aws:iam::777777777777:role/cicd-build'] } });
    expect(bySid(statements, 'PullImagesFromTargetsOrganization')).toMatchObject({
      Principal: { AWS: '*' },
      Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
    });
    expect(bySid(statements, 'PullImagesFromTargetsAccounts')).toBeUndefined();
  });

  test('organization mode alone: no Lambda statement (no account is listed)', () => {
    const { template } = storeStack({ organizationId: 'o-a1b2c3d4e5', imageRepositoryNames: ['app'] });
    expect(bySid(repositoryStatements(template, 'app'), 'LambdaPullsForTargetFunctions')).toBeUndefined();
  });

  test('a target in the store\'s own account: no pull or Lambda statement, the deny stays', () => {
    const { template } = storeStack({ targetAccounts: [{ name: 'main', accountId: CICD.account }], imageRepositoryNames: ['app'] });
    expect(repositoryStatements(template, 'app').map((s) => s.Sid)).toEqual(['DenyPushOutsideCicdAccount']);
  });
});

describe('CicdArtifactStore image repositories: grants', () => {
  test('grantPull in a target account names the repositories by ARN, with no reference to the store\'s stack', () => {
    // GIVEN a store with two repositories and the pipeline roles of non-prod
    const app = new App();
    const cicd = new Stack(app, 'Cicd', { env: CICD });
    const store = new CicdArtifactStore(cicd, 'Store', { targetAccounts: [NONPROD], imageRepositoryNames: ['app', 'team/worker'] });
    const target = new Stack(app, 'NonProd', { env: { account: NONPROD.accountId, region: CICD.region } });
    // WHEN
    new CrossAccountPipelineRoles(target, 'Roles', { cicdAccountId: CICD.account, artifactStore: store });
    // THEN the build and CloudFormation roles may pull from both, and get a token
    const template = Template.fromStack(target);
    const arn = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ecr:eu-west-1:111111111111:repository/${name}`]] });
    for (const role of ['BuildRole', 'CloudFormationRole']) {
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp(`^Roles${role}`) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            { Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'], Resource: [arn('app'), arn('team/worker')] },
            { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
          ]),
        },
      });
    }
    expect(JSON.stringify(template.toJSON())).not.toMatch(/Fn::ImportValue/);
  });

  test('the cross-account role gets no image permission', () => {
    const app = new App();
    const store = new CicdArtifactStore(new Stack(app, 'Cicd', { env: CICD }), 'Store', { targetAccounts: [NONPROD], imageRepositoryNames: ['app'] });
    const target = new Stack(app, 'NonProd', { env: { account: NONPROD.accountId, region: CICD.region } });
    const roles = new CrossAccountPipelineRoles(target, 'Roles', { cicdAccountId: CICD.account, artifactStore: store });
    const policies = Template.fromStack(target).findResources('AWS::IAM::Policy');
    const crossAccountRef = target.resolve((roles.crossAccountRole.node.defaultChild as iam.CfnRole).ref);
    const ofCrossAccount = Object.values(policies).filter((p: any) => JSON.stringify(p.Properties.Roles) === JSON.stringify([crossAccountRef]));
    expect(ofCrossAccount.length).toBeGreaterThan(0);
    expect(JSON.stringify(ofCrossAccount)).not.toMatch(/ecr:/);
  });

  test('a store without repositories grants no image permission', () => {
    const app = new App();
    const stack = new Stack(app, 'Cicd', { env: CICD });
    const store = new CicdArtifactStore(stack, 'Store', { targetAccounts: [NONPROD] });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    expect(store.grantPull(role).success).toBe(false);
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toMatch(/ecr:/);
  });

  test('importers: fromCicdAccount by names, fromArtifactStoreAttributes by ARNs', () => {
    const stack = new Stack(new App(), 'NonProd', { env: { account: NONPROD.accountId, region: CICD.region } });
    const byLocation = CicdArtifactStore.fromCicdAccount(stack, 'ByLocation', { ...CICD, imageRepositoryNames: ['app'] });
    const byAttrs = CicdArtifactStore.fromArtifactStoreAttributes(stack, 'ByAttrs', {
      keyArn: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      artifactsBucketName: 'a-b-c',
      templatesBucketName: 'd-e-f',
      imageRepositoryArns: ['arn:aws:ecr:eu-west-1:111111111111:repository/team/worker'],
    });
    expect(byAttrs.imageRepositories[0].repositoryName).toBe('team/worker');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    byLocation.grantPull(role);
    byAttrs.grantPull(role);
    const resources = Template.fromStack(stack).toJSON().Resources;
    const doc = JSON.stringify(Object.values<any>(resources).filter((r) => r.Type === 'AWS::IAM::Policy'));
    expect(doc).toContain(':ecr:eu-west-1:111111111111:repository/app');
    expect(doc).toContain('arn:aws:ecr:eu-west-1:111111111111:repository/team/worker');
  });
});

describe('CicdArtifactStore image repositories: validation', () => {
  const synth = (props: CicdArtifactStoreProps) => () => storeStack({ targetAccounts: [NONPROD], ...props });

  test.each([
    [['App'], /imageRepositoryNames\[0\]: got "App"; allowed: an ECR repository name/],
    [['a'], /imageRepositoryNames\[0\]: got "a"; allowed/],
    [['app-'], /imageRepositoryNames\[0\]: got "app-"; allowed/],
    [['team//app'], /imageRepositoryNames\[0\]: got "team\/\/app"; allowed/],
    [['my-app', 'my_app'], /imageRepositoryNames\[1\]: got "my_app"; allowed: a name listed once.*clashes with "my-app"/],
    [[], /imageRepositoryNames: got \[\]; allowed: at least one repository name/],
  ])('names %j are refused', (names, error) => {
    expect(synth({ imageRepositoryNames: names })).toThrow(error);
  });

  test('untagged image retention in whole days', () => {
    expect(synth({ imageRepositoryNames: ['app'], untaggedImageRetention: Duration.hours(36) })).toThrow(/untaggedImageRetention: got "Duration.hours\(36\)"; allowed: a whole number of days, at least 1/);
  });

  test('importers validate names and ARNs', () => {
    const stack = new Stack(new App(), 'S', { env: CICD });
    expect(() => CicdArtifactStore.fromCicdAccount(stack, 'L', { ...CICD, imageRepositoryNames: ['Bad'] })).toThrow(/imageRepositoryNames\[0\]: got "Bad"/);
    expect(() => CicdArtifactStore.fromArtifactStoreAttributes(stack, 'A', {
      keyArn: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      artifactsBucketName: 'a-b-c',
      templatesBucketName: 'd-e-f',
      imageRepositoryArns: ['arn:aws:s3:::app'],
    })).toThrow(/imageRepositoryArns\[0\]: got "arn:aws:s3:::app"; allowed: an ECR repository ARN/);
  });
});

describe('CicdArtifactStore image repositories: policy size guard', () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `t${i}`, accountId: String(200000000000 + i) }));
  const synth = (n: number) => () => {
    const app = new App();
    new CicdArtifactStore(new Stack(app, 'Cicd', { env: CICD }), 'Store', { targetAccounts: many(n), imageRepositoryNames: ['app'] });
    app.synth();
  };

  // The repository policy (ECR: 10,240 characters) is the first policy of the store to fill up:
  // about 88 bytes an account (a principal and a Lambda source ARN).
  const LARGEST = 99;
  test('99 accounts fit, one more does not', () => {
    expect(synth(LARGEST)).not.toThrow();
    expect(synth(LARGEST + 1)).toThrow(/The repository policy of Cicd\/Store\/ImageRepositoryApp is \d+ bytes .*over 9216 bytes, 90% of the AWS quota of 10240 bytes/);
  });

  // The README's figures for narrowed targets (three role IDs or ARNs each), found by search:
  // the repository policy is what bounds them, and a change that grows it per account fails.
  test.each([
    ['role IDs', 51, (i: number) => ({ roleIds: [0, 1, 2].map((k) => `AROA${String(i * 10 + k).padStart(17, '0')}`) })],
    ['role ARNs', 35, (i: number) => ({ roleArns: ['cross-account', 'cloudformation', 'build'].map((r) => `arn:aws:iam::${200000000000 + i}:role/cicd-${r}`) })],
  ])('targets narrowed to three %s: at least %d fit, and the repository policy is what stops the next', (_, floor, narrowing) => {
    const build = (n: number) => () => {
      const app = new App();
      const targetAccounts = many(n).map((t, i) => ({ ...t, ...narrowing(i) }));
      new CicdArtifactStore(new Stack(app, 'Cicd', { env: CICD }), 'Store', { targetAccounts, imageRepositoryNames: ['app'] });
      app.synth();
    };
    const QUOTA = /The (bucket|key|repository) policy of .* is \d+ bytes/;
    const n = largestN((k) => succeeds(build(k), QUOTA));
    expect(n).toBeGreaterThanOrEqual(floor);
    expect(build(n + 1)).toThrow(/The repository policy of Cicd\/Store\/ImageRepositoryApp is \d+ bytes/);
  });
});

describe('CicdSettings and fromSsmParameters: image repositories', () => {
  /** Parameter name → value, of every SSM parameter in the template. */
  function parameters(template: Template): Record<string, any> {
    const out: Record<string, any> = {};
    for (const p of Object.values(template.findResources('AWS::SSM::Parameter')) as any[]) {
      expect(p.Properties).toMatchObject({ Type: 'String', Tier: 'Standard' });
      out[p.Properties.Name] = p.Properties.Value;
    }
    return out;
  }

  test('the settings publish the repositories\' ARNs, ten per page, by name when the store is in another stack', () => {
    // GIVEN a store with 12 repositories and the settings in another stack of the CICD account
    const app = new App();
    const storeStackOf = new Stack(app, 'Store', { env: CICD });
    const names = ['sample-app', ...Array.from({ length: 11 }, (_, i) => `team/service-${i}`)];
    const store = new CicdArtifactStore(storeStackOf, 'Store', { targetAccounts: [NONPROD], imageRepositoryNames: names });
    const settingsStack = new Stack(app, 'Settings', { env: CICD });

    // WHEN
    new CicdSettings(settingsStack, 'Settings', { artifactStore: store, targetAccounts: [NONPROD] });

    // THEN two pages: ten ARNs, then two; no reference to the store's stack
    const params = parameters(Template.fromStack(settingsStack));
    // The value, with the partition written as "PARTITION".
    const arns = (page: string) => (params[page]['Fn::Join'][1] as any[])
      .map((p) => (typeof p === 'string' ? p : p.Ref === 'AWS::Partition' ? 'PARTITION' : JSON.stringify(p))).join('').split(',');
    const arn = (name: string) => `arn:PARTITION:ecr:eu-west-1:111111111111:repository/${name}`;
    expect(Object.keys(params).filter((n) => n.includes('/images/')).sort()).toEqual(['/cicd/artifacts/images/1', '/cicd/artifacts/images/2']);
    expect(arns('/cicd/artifacts/images/1')).toEqual(names.slice(0, 10).map(arn));
    expect(arns('/cicd/artifacts/images/2')).toEqual(names.slice(10).map(arn));
    expect(JSON.stringify(Template.fromStack(settingsStack).toJSON())).not.toMatch(/ExportsOutput[^"]*ImageRepository/);
  });

  test('no repository, no image parameter', () => {
    const stack = new Stack(new App(), 'Cicd', { env: CICD });
    const store = new CicdArtifactStore(stack, 'Store', { targetAccounts: [NONPROD] });
    new CicdSettings(stack, 'Settings', { artifactStore: store });
    expect(Object.keys(parameters(Template.fromStack(stack))).filter((n) => n.includes('/images/'))).toEqual([]);
  });

  test('round trip: what the settings write, fromSsmParameters reads; grantPull names each repository by its place in a page', () => {
    // GIVEN the settings of a store with 11 repositories, in the same stack (ARNs by reference)
    const app = new App();
    const cicd = new Stack(app, 'Cicd', { env: CICD });
    const names = Array.from({ length: 11 }, (_, i) => `app-${i}`);
    const store = new CicdArtifactStore(cicd, 'Store', { targetAccounts: [NONPROD], imageRepositoryNames: names });
    new CicdSettings(cicd, 'Settings', { artifactStore: store, parameterPrefix: '/acme/cicd' });
    const written = parameters(Template.fromStack(cicd));
    const repoIds = Object.keys(Template.fromStack(cicd).findResources('AWS::ECR::Repository'));
    const page1 = cicd.resolve(written['/acme/cicd/images/1']);
    expect(page1['Fn::Join'][0]).toBe('');
    expect(page1['Fn::Join'][1].filter((p: unknown) => p !== ',')).toEqual(repoIds.slice(0, 10).map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })));

    // WHEN a pipeline stack of another app imports the store with the count, and grants a pull
    const pipeline = new Stack(new App(), 'Pipeline', { env: CICD });
    const imported = CicdArtifactStore.fromSsmParameters(pipeline, 'Store', { parameterPrefix: '/acme/cicd', imageRepositoryCount: 11 });
    const role = new iam.Role(pipeline, 'Build', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    imported.grantPull(role);

    // THEN the written parameter names are the ones read, and repository i is entry i % 10 of page i / 10 + 1
    const template = Template.fromStack(pipeline);
    const ssmParams = Object.entries<any>(template.toJSON().Parameters).filter(([, p]) => p.Type === 'AWS::SSM::Parameter::Value<String>');
    const refOf = (name: string) => ssmParams.find(([, p]) => p.Default === name)![0];
    const read = ssmParams.map(([, p]) => p.Default).filter((d: string) => d.includes('/images/')).sort();
    expect(read).toEqual(Object.keys(written).filter((n) => n.includes('/images/')).sort());
    expect(imported.imageRepositories).toHaveLength(11);
    const select = (entry: number, page: number) => ({ 'Fn::Select': [entry, { 'Fn::Split': [',', { Ref: refOf(`/acme/cicd/images/${page}`) }] }] });
    expect(pipeline.resolve(imported.imageRepositories[0].repositoryArn)).toEqual(select(0, 1));
    expect(pipeline.resolve(imported.imageRepositories[9].repositoryArn)).toEqual(select(9, 1));
    expect(pipeline.resolve(imported.imageRepositories[10].repositoryArn)).toEqual(select(0, 2));
    expect(pipeline.resolve(imported.imageRepositories[10].repositoryName)).toEqual({ 'Fn::Select': [1, { 'Fn::Split': [':repository/', select(0, 2)] }] });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'], Resource: [select(0, 1), ...Array.from({ length: 9 }, (_, i) => select(i + 1, 1)), select(0, 2)] }),
          Match.objectLike({ Action: 'ecr:GetAuthorizationToken', Resource: '*' }),
        ]),
      },
    });
  });

  test('without a count, the imported store reads no repository and grantPull grants nothing', () => {
    const stack = new Stack(new App(), 'Pipeline', { env: CICD });
    const imported = CicdArtifactStore.fromSsmParameters(stack, 'Store');
    const role = new iam.Role(stack, 'Build', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    expect(imported.imageRepositories).toEqual([]);
    expect(imported.grantPull(role).success).toBe(false);
    const defaults = Object.values<any>(Template.fromStack(stack).toJSON().Parameters).map((p) => p.Default);
    expect(defaults.filter((d) => d.includes('/images/'))).toEqual([]);
  });

  test.each([-1, 1.5, 1001])('imageRepositoryCount %p is refused, naming the prop', (count) => {
    const stack = new Stack(new App(), 'Pipeline', { env: CICD });
    expect(() => CicdArtifactStore.fromSsmParameters(stack, 'Store', { imageRepositoryCount: count }))
      .toThrow(new RegExp(`imageRepositoryCount: got ${String(count).replace('.', '\\.')}; allowed: a whole number from 0 to 1000`));
  });

  test('ten of the longest repository ARNs fit in one standard parameter', () => {
    const longest = repositoryArnPages(Array.from({ length: REPOSITORY_ARNS_PER_PAGE },
      () => `arn:aws-iso-b:ecr:us-isob-east-1:111111111111:repository/${'a'.repeat(256)}`));
    expect(longest).toHaveLength(1);
    expect(longest[0].length).toBeLessThanOrEqual(PAGE_QUOTA);
  });
});
