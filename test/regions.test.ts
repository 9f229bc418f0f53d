import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  CicdArtifactStore,
  CicdArtifactStoreProps,
  CicdSettings,
  CrossAccountPipelineRoles,
  TargetAccountRoles,
} from '../src';

const CICD = '111111111111';
const NONPROD = '222222222222';
const HOME = 'eu-west-1';
const OTHER = 'us-east-1';
const REGIONS = [HOME, OTHER];
const OTHER_KEY_ARN = `arn:aws:kms:${OTHER}:${CICD}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const STORE_PROPS: CicdArtifactStoreProps = { targetAccounts: [{ name: 'nonprod', accountId: NONPROD }], regions: REGIONS };

/** One store stack per region, as the README shows. */
function regionalStores(app: App, props: CicdArtifactStoreProps = STORE_PROPS) {
  return REGIONS.map((region) => {
    const stack = new Stack(app, `cicd-artifact-store-${region}`, { env: { account: CICD, region } });
    return { stack, store: new CicdArtifactStore(stack, 'ArtifactStore', props) };
  });
}

/** Every statement of every identity policy in a template, resolved to JSON. */
function identityStatements(stack: Stack): any[] {
  const template = Template.fromStack(stack).toJSON();
  return Object.values<any>(template.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .flatMap((r) => r.Properties.PolicyDocument.Statement);
}

/** A pipeline in HOME that deploys to non-prod in OTHER through the target's roles. */
function crossRegionPipeline(app: App, keyArns?: { [region: string]: string }) {
  const stack = new Stack(app, 'Pipeline', { env: { account: CICD, region: HOME } });
  const buckets = CicdArtifactStore.crossRegionReplicationBuckets(stack, 'StoreBuckets', { account: CICD, regions: REGIONS, keyArns });
  const pipeline = new codepipeline.Pipeline(stack, 'Pipeline', { crossRegionReplicationBuckets: buckets, pipelineType: codepipeline.PipelineType.V2 });
  const source = new codepipeline.Artifact('Source');
  pipeline.addStage({
    stageName: 'Source',
    actions: [new actions.S3SourceAction({ actionName: 'Template', bucket: buckets[HOME], bucketKey: 'app/source.zip', output: source, trigger: actions.S3Trigger.NONE })],
  });
  const roles = TargetAccountRoles.fromTargetAccount(stack, 'NonprodRoles', { name: 'nonprod', accountId: NONPROD });
  pipeline.addStage({
    stageName: 'Deploy',
    actions: [new actions.CloudFormationCreateUpdateStackAction({
      actionName: 'Deploy',
      region: OTHER,
      stackName: 'app',
      templatePath: source.atPath('app.template.json'),
      adminPermissions: false,
      role: roles.crossAccountRole,
      deploymentRole: roles.cloudFormationRole,
    })],
  });
  return { stack, pipeline };
}

describe('a store that serves several regions', () => {
  test('each regional store has its own key, alias and buckets named PREFIX-ACCOUNT-REGION, with the same policies', () => {
    // GIVEN / WHEN
    const [home, other] = regionalStores(new App());
    const h = Template.fromStack(home.stack);
    const o = Template.fromStack(other.stack);
    // THEN
    o.hasResourceProperties('AWS::S3::Bucket', { BucketName: `cicd-artifacts-${CICD}-${OTHER}` });
    o.hasResourceProperties('AWS::S3::Bucket', { BucketName: `cicd-templates-${CICD}-${OTHER}` });
    o.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/cicd/artifacts' });
    const policies = (t: Template) => JSON.stringify(Object.values<any>(t.findResources('AWS::S3::BucketPolicy')).map((p) => p.Properties.PolicyDocument))
      .replace(new RegExp(`${HOME}|${OTHER}`, 'g'), 'REGION');
    expect(policies(o)).toEqual(policies(h));
    const keyPolicy = (t: Template) => JSON.stringify(Object.values<any>(t.findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy);
    expect(keyPolicy(o)).toEqual(keyPolicy(h));
    expect(other.store.regions).toEqual(REGIONS);
  });

  test('regions of one store is the default: the stack\'s region only, and grants name that region only', () => {
    const app = new App();
    const stack = new Stack(app, 'Store', { env: { account: CICD, region: HOME } });
    const store = new CicdArtifactStore(stack, 'ArtifactStore', { targetAccounts: [{ name: 'nonprod', accountId: NONPROD }] });
    expect(store.regions).toEqual([HOME]);
    const target = new Stack(app, 'Target', { env: { account: NONPROD, region: HOME } });
    new CrossAccountPipelineRoles(target, 'Roles', { cicdAccountId: CICD, artifactStore: store });
    expect(JSON.stringify(identityStatements(target))).not.toContain(OTHER);
  });

  test('regions with the stack\'s region only: the same templates as without regions', () => {
    const templates = (props: CicdArtifactStoreProps) => {
      const app = new App();
      const stack = new Stack(app, 'Store', { env: { account: CICD, region: HOME } });
      const store = new CicdArtifactStore(stack, 'ArtifactStore', props);
      new CicdSettings(stack, 'Settings', { artifactStore: store });
      const target = new Stack(app, 'Target', { env: { account: NONPROD, region: HOME } });
      new CrossAccountPipelineRoles(target, 'Roles', { cicdAccountId: CICD, artifactStore: store });
      return [Template.fromStack(stack).toJSON(), Template.fromStack(target).toJSON()];
    };
    const without = templates({ targetAccounts: STORE_PROPS.targetAccounts });
    expect(templates({ ...STORE_PROPS, regions: [HOME] })).toEqual(without);
    expect(templates(STORE_PROPS)).not.toEqual(without);
  });

  test('the target roles read the buckets and use the key (by alias) of every region the store serves', () => {
    // GIVEN
    const app = new App();
    const [home] = regionalStores(app);
    const target = new Stack(app, 'Target', { env: { account: NONPROD, region: HOME } });
    // WHEN
    new CrossAccountPipelineRoles(target, 'Roles', { cicdAccountId: CICD, artifactStore: home.store });
    // THEN
    const statements = identityStatements(target);
    const resources = (s: any) => JSON.stringify(s.Resource);
    for (const region of REGIONS) {
      for (const prefix of ['cicd-artifacts', 'cicd-templates']) {
        const bucket = `${prefix}-${CICD}-${region}`;
        expect(statements.some((s) => [].concat(s.Action).includes('s3:GetObject' as never) && resources(s).includes(`${bucket}/*`))).toBe(true);
      }
    }
    const keyStatements = statements.filter((s) => s.Condition?.['ForAnyValue:StringEquals']?.['kms:ResourceAliases'] === 'alias/cicd/artifacts');
    expect(keyStatements.length).toBeGreaterThan(0);
    for (const s of keyStatements) {
      expect(resources(s)).toContain(`:kms:${HOME}:${CICD}:key/*`);
      expect(resources(s)).toContain(`:kms:${OTHER}:${CICD}:key/*`);
    }
  });

  test('fromCicdAccount with regions: the roles of a target reach every region too', () => {
    const stack = new Stack(new App(), 'Target', { env: { account: NONPROD, region: HOME } });
    const store = CicdArtifactStore.fromCicdAccount(stack, 'Store', { account: CICD, region: HOME, regions: REGIONS });
    expect(store.regions).toEqual(REGIONS);
    new CrossAccountPipelineRoles(stack, 'Roles', { cicdAccountId: CICD, artifactStore: store });
    const text = JSON.stringify(identityStatements(stack));
    expect(text).toContain(`cicd-artifacts-${CICD}-${OTHER}/*`);
    expect(text).toContain(`cicd-templates-${CICD}-${OTHER}/*`);
    expect(text).toContain(`:kms:${OTHER}:${CICD}:key/*`);
  });

  test('a grant in the store\'s own stack names its own key by ARN and the other regions\' keys by alias', () => {
    const [home] = regionalStores(new App());
    const role = new iam.Role(home.stack, 'Builder', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    home.store.grantRead(role);
    const statements = identityStatements(home.stack);
    expect(statements).toContainEqual(expect.objectContaining({ Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ArtifactStoreKey/), 'Arn'] } }));
    expect(statements).toContainEqual(expect.objectContaining({
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:kms:${OTHER}:${CICD}:key/*`]] },
      Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/cicd/artifacts' } },
    }));
  });

  test('grantPull reaches the repositories of every region', () => {
    const app = new App();
    const [home] = regionalStores(app, { ...STORE_PROPS, imageRepositoryNames: ['sample-app'] });
    const target = new Stack(app, 'Target', { env: { account: NONPROD, region: HOME } });
    new CrossAccountPipelineRoles(target, 'Roles', { cicdAccountId: CICD, artifactStore: home.store });
    const text = JSON.stringify(identityStatements(target));
    expect(text).toContain(`:ecr:${OTHER}:${CICD}:repository/sample-app`);
    expect(text).toContain(`:ecr:${HOME}:${CICD}:repository/sample-app`);
  });

  test('CicdSettings publishes the regions served in each region, beside that region\'s values', () => {
    const app = new App();
    const stores = regionalStores(app);
    stores.forEach(({ stack, store }) => new CicdSettings(stack, 'Settings', { artifactStore: store }));
    for (const { stack } of stores) {
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::SSM::Parameter', { Name: '/cicd/artifacts/regions', Value: REGIONS.join(',') });
      t.hasResourceProperties('AWS::SSM::Parameter', { Name: '/cicd/artifacts/buckets/artifacts/name', Value: { Ref: Match.stringLikeRegexp('ArtifactsBucket') } });
    }
  });

  test('a single-region store publishes no regions parameter', () => {
    const stack = new Stack(new App(), 'Store', { env: { account: CICD, region: HOME } });
    const store = new CicdArtifactStore(stack, 'ArtifactStore', { targetAccounts: [{ name: 'nonprod', accountId: NONPROD }] });
    new CicdSettings(stack, 'Settings', { artifactStore: store });
    expect(JSON.stringify(Template.fromStack(stack).findResources('AWS::SSM::Parameter'))).not.toContain('/cicd/artifacts/regions');
  });
});

describe('crossRegionReplicationBuckets', () => {
  test('a cross-region, cross-account deploy: no support stack, no extra key, the other region\'s bucket and key ARN', () => {
    // GIVEN
    const app = new App();
    // WHEN
    const { stack } = crossRegionPipeline(app, { [OTHER]: OTHER_KEY_ARN });
    // THEN
    const assembly = app.synth();
    expect(assembly.stacks.map((s) => s.stackName).filter((n) => /support/i.test(n))).toEqual([]);
    expect(assembly.stacks.map((s) => s.stackName)).toEqual(['Pipeline']);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      ArtifactStores: Match.arrayWith([
        {
          Region: OTHER,
          ArtifactStore: { Type: 'S3', Location: `cicd-artifacts-${CICD}-${OTHER}`, EncryptionKey: { Type: 'KMS', Id: OTHER_KEY_ARN } },
        },
      ]),
    });
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      ArtifactStores: Match.arrayWith([
        {
          Region: HOME,
          ArtifactStore: { Type: 'S3', Location: `cicd-artifacts-${CICD}-${HOME}`, EncryptionKey: { Type: 'KMS', Id: `arn:aws:kms:${HOME}:${CICD}:alias/cicd/artifacts` } },
        },
      ]),
    });
  });

  test('the pipeline role uses each region\'s key: by ARN where given, by kms:ResourceAliases in its region otherwise', () => {
    const app = new App();
    const { stack } = crossRegionPipeline(app, { [OTHER]: OTHER_KEY_ARN });
    const statements = identityStatements(stack);
    expect(statements).toContainEqual(expect.objectContaining({ Resource: OTHER_KEY_ARN }));
    expect(statements).toContainEqual(expect.objectContaining({
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:kms:${HOME}:${CICD}:key/*`]] },
      Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/cicd/artifacts' } },
    }));
    // No statement names the alias ARN as a resource: it would grant nothing.
    expect(JSON.stringify(statements)).not.toMatch(/"Resource":[^\]]*:alias\//);
  });

  test('a key named by its alias gets a warning: CodePipeline recognizes aliases in the key\'s own account only', () => {
    const app = new App();
    const { stack } = crossRegionPipeline(app);
    // The alias ARN names the bucket's own region, not the pipeline's (as kms.Alias.fromAliasName would).
    Template.fromStack(stack).hasResourceProperties('AWS::CodePipeline::Pipeline', {
      ArtifactStores: Match.arrayWith([{
        Region: OTHER,
        ArtifactStore: { Type: 'S3', Location: `cicd-artifacts-${CICD}-${OTHER}`, EncryptionKey: { Type: 'KMS', Id: `arn:aws:kms:${OTHER}:${CICD}:alias/cicd/artifacts` } },
      }]),
    });
    Annotations.fromStack(stack).hasWarning('/Pipeline/StoreBuckets', Match.stringLikeRegexp(`${HOME}, ${OTHER}.*keyArns`));
    const withArns = crossRegionPipeline(new App(), { [HOME]: `arn:aws:kms:${HOME}:${CICD}:key/1234abcd-12ab-34cd-56ef-1234567890ab`, [OTHER]: OTHER_KEY_ARN });
    expect(Annotations.fromStack(withArns.stack).findWarning('*', Match.stringLikeRegexp('replicationKeyByAlias'))).toEqual([]);
  });

  test('bad input: one error naming each prop, its value and what is allowed', () => {
    const stack = new Stack(new App(), 'Pipeline', { env: { account: CICD, region: HOME } });
    expect(() => CicdArtifactStore.crossRegionReplicationBuckets(stack, 'Buckets', {
      account: '1111',
      regions: [OTHER, 'eu-wst-1', OTHER],
      keyAlias: 'cicd',
    })).toThrow(new RegExp([
      'CicdArtifactStore.crossRegionReplicationBuckets at Pipeline/Buckets: invalid props:',
      '  - account: got "1111"; allowed: a 12-digit',
      '  - regions\\[1\\]: got "eu-wst-1"; allowed: a literal AWS region name',
      '  - regions\\[2\\]: got "us-east-1"; allowed: a region listed once',
      '  - regions: got \\["us-east-1","eu-wst-1","us-east-1"\\]; allowed: a list that includes the region of the pipeline\'s stack \\(eu-west-1\\)',
      '  - keyAlias: got "cicd"',
    ].join('[^]*')));
    expect(() => CicdArtifactStore.crossRegionReplicationBuckets(stack, 'Buckets2', {
      account: CICD,
      regions: REGIONS,
      keyArns: { [OTHER]: `arn:aws:kms:${HOME}:${CICD}:key/1234abcd-12ab-34cd-56ef-1234567890ab`, 'eu-west-3': OTHER_KEY_ARN },
    })).toThrow(/keyArns\.us-east-1: got "arn:aws:kms:eu-west-1:[^"]+"; allowed: a key of the store's account and of that region \(111111111111, us-east-1\)[^]*keyArns\.eu-west-3: got .*allowed: key ARNs of the regions listed in regions/);
  });
});

describe('regions: bad input', () => {
  test('the store refuses unknown, repeated, cross-partition regions and a list without its own region', () => {
    const stack = new Stack(new App(), 'Store', { env: { account: CICD, region: HOME } });
    expect(() => new CicdArtifactStore(stack, 'A', { regions: [OTHER, 'mars-north-1', OTHER] })).toThrow(new RegExp([
      'CicdArtifactStore at Store/A: invalid props:',
      'regions\\[1\\]: got "mars-north-1"; allowed: a literal AWS region name that aws-cdk-lib knows',
      'regions\\[2\\]: got "us-east-1"; allowed: a region listed once',
      'regions: got .*allowed: a list that includes the stack\'s region \\(eu-west-1\\)',
    ].join('[^]*')));
    expect(() => new CicdArtifactStore(stack, 'B', { regions: [HOME, 'cn-north-1'] }))
      .toThrow(/regions: got \["eu-west-1","cn-north-1"\]; allowed: regions of one partition \(these span aws and aws-cn\)/);
    expect(() => new CicdArtifactStore(stack, 'C', { regions: [] })).toThrow(/regions: got \[\]; allowed: at least one region/);
    // Nothing half-created.
    expect(stack.node.tryFindChild('A')).toBeUndefined();
  });

  test('an environment-agnostic store refuses regions', () => {
    const stack = new Stack(new App(), 'Store');
    expect(() => new CicdArtifactStore(stack, 'A', { regions: REGIONS })).toThrow(/regions: got .*allowed: only in a stack whose region is a literal/);
  });

  test('fromCicdAccount refuses regions without its own region', () => {
    const stack = new Stack(new App(), 'Target', { env: { account: NONPROD, region: HOME } });
    expect(() => CicdArtifactStore.fromCicdAccount(stack, 'Store', { account: CICD, region: HOME, regions: [OTHER] }))
      .toThrow(/CicdArtifactStore.fromCicdAccount at Target\/Store: invalid props:[^]*regions: got \["us-east-1"\]; allowed: a list that includes the region \(eu-west-1\)/);
  });
});
