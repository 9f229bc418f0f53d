import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  buildBaseline, PIPELINE_STACK, regionalStoreStackName, SAMPLE_APP_STACK, SAMPLE_FUNCTION_NAME, SAMPLE_IMAGE_TAG_PARAMETER,
  SETTINGS_STACK, STORE_STACK, targetStackName,
} from '../examples/baseline';
import { readConfig } from '../examples/config';
import { acknowledgeNagFindings, findingMatcher, NAG_ACKNOWLEDGEMENTS } from '../examples/nag';
import { resolveIntrinsics } from './util/resolve-intrinsics';

type Context = Record<string, string>;

function build(context: Context) {
  const app = new App();
  const baseline = buildBaseline(app, readConfig((key) => context[key], {}));
  const stacks: Stack[] = [baseline.store, ...baseline.targets, baseline.settings, baseline.pipeline, baseline.sampleApp, ...baseline.regionalStores];
  acknowledgeNagFindings(stacks);
  return { app, baseline, stacks };
}

const ROLE_IDS = JSON.stringify({
  nonprod: { crossAccountRoleId: 'AROAAAAAAAAAAAAAAAAAA', cloudFormationRoleId: 'AROABBBBBBBBBBBBBBBBB', buildRoleId: 'AROACCCCCCCCCCCCCCCCC' },
  prod: { crossAccountRoleId: 'AROADDDDDDDDDDDDDDDDD', cloudFormationRoleId: 'AROAEEEEEEEEEEEEEEEEE', buildRoleId: 'AROAFFFFFFFFFFFFFFFFF' },
});

/** The store's key in the second region, as the regional store stack outputs it once deployed. */
const OTHER_REGION_KEY_ARN = 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';

const VARIANTS: Array<[string, Context]> = [
  ['three accounts', {}],
  ['three accounts, role IDs', { narrowing: 'role-ids', roleIds: ROLE_IDS }],
  ['three accounts, role ARNs', { narrowing: 'role-arns' }],
  ['three accounts, organization', { organizationId: 'o-a1b2c3d4e5' }],
  ['single account', { layout: 'single' }],
  ['three accounts, container images', { imageRepositories: 'sample-app,team/worker' }],
  ['single account, container images', { layout: 'single', imageRepositories: 'sample-app' }],
  ['three accounts, two regions', { regions: 'eu-west-1,us-east-1', regionKeyArns: JSON.stringify({ 'us-east-1': OTHER_REGION_KEY_ARN }) }],
  ['three accounts, packages', { packages: 'true' }],
  ['single account, packages', { layout: 'single', packages: 'true' }],
  ['three accounts, CDK assets', { cdkAssets: 'true', imageRepositories: 'sample-app' }],
  ['single account, CDK assets', { layout: 'single', cdkAssets: 'true' }],
];

describe.each(VARIANTS)('reference app: %s', (_, context) => {
  const { app, stacks } = build(context);

  test('every stack synthesizes', () => {
    const assembly = app.synth();
    const names = assembly.stacks.map((s) => s.stackName).sort();
    const targets = context.layout === 'single' ? ['main'] : ['nonprod', 'prod'];
    const regional = (context.regions ?? '').split(',').filter((r) => r && r !== 'eu-west-1').map(regionalStoreStackName);
    expect(names).toEqual([STORE_STACK, SETTINGS_STACK, PIPELINE_STACK, SAMPLE_APP_STACK, ...targets.map(targetStackName), ...regional].sort());
  });

  test('cdk-nag AwsSolutions: no finding is left unacknowledged', () => {
    for (const stack of stacks) {
      const report = new AwsSolutionsChecks().validateScope(stack);
      expect(report.violations.map((v) => `${stack.stackName}: ${v.ruleName}`)).toEqual([]);
    }
  });
});

describe('reference app details', () => {
  test('three accounts: target stacks reference nothing in the CICD stack', () => {
    const { baseline } = build({});
    for (const stack of baseline.targets) {
      expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toMatch(/Fn::ImportValue/);
    }
  });

  test('role IDs fed in narrow the store; without them it admits the roles by ARN', () => {
    const withIds = JSON.stringify(Template.fromStack(build({ narrowing: 'role-ids', roleIds: ROLE_IDS }).baseline.store).toJSON());
    expect(withIds).toContain('AROAAAAAAAAAAAAAAAAAA:*');
    expect(withIds).not.toContain('aws:PrincipalArn');
    const withoutIds = JSON.stringify(Template.fromStack(build({ narrowing: 'role-ids' }).baseline.store).toJSON());
    expect(withoutIds).toContain('arn:aws:iam::222222222222:role/cicd-cross-account');
    expect(withoutIds).not.toContain('aws:userId');
  });

  test('organizationId admits the pipeline roles of the organization instead of listing the accounts', () => {
    const store = Template.fromStack(build({ organizationId: 'o-a1b2c3d4e5' }).baseline.store).toJSON();
    const text = JSON.stringify(store);
    expect(text).toContain('"aws:PrincipalOrgID":"o-a1b2c3d4e5"');
    expect(text).toContain(':iam::*:role/cicd-cross-account');
    expect(text).not.toContain('222222222222');
    expect(text).not.toContain('777777777777');
    expect(readConfig((k) => ({} as Context)[k], { CICD_ORGANIZATION_ID: 'o-a1b2c3d4e5' }).organizationId).toBe('o-a1b2c3d4e5');
  });

  test('the sample pipeline deploys to nonprod, then after an approval to prod', () => {
    const template = Template.fromStack(build({}).baseline.pipeline).toJSON();
    const pipeline = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');
    const stages = pipeline.Properties.Stages.map((s: any) => [s.Name, s.Actions.map((a: any) => a.ActionTypeId.Category)]);
    expect(stages).toEqual([
      ['Source', ['Source']],
      ['Deploy-nonprod', ['Deploy']],
      ['Deploy-prod', ['Approval', 'Deploy']],
    ]);
  });

  test('regions: a store and settings stack in the other region, and a stage deploying there through its bucket and key, with no support stack', () => {
    const { app, baseline } = build({ regions: 'eu-west-1,us-east-1', regionKeyArns: JSON.stringify({ 'us-east-1': OTHER_REGION_KEY_ARN }) });
    const assembly = app.synth();
    expect(assembly.stacks.filter((s) => /support/i.test(s.stackName))).toEqual([]);
    const regional = assembly.getStackByName(regionalStoreStackName('us-east-1'));
    expect(regional.environment.region).toBe('us-east-1');
    const resources = Object.values<any>(regional.template.Resources);
    expect(resources.filter((r) => r.Type === 'AWS::S3::Bucket').map((r) => r.Properties.BucketName))
      .toEqual(expect.arrayContaining(['cicd-artifacts-111111111111-us-east-1', 'cicd-templates-111111111111-us-east-1']));
    expect(resources.find((r) => r.Type === 'AWS::SSM::Parameter' && r.Properties.Name === '/cicd/artifacts/regions')?.Properties.Value).toBe('eu-west-1,us-east-1');
    const template = Template.fromStack(baseline.pipeline).toJSON();
    expect(Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::KMS::Key')).toEqual([]);
    const pipeline = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');
    expect(pipeline.Properties.Stages.map((s: any) => [s.Name, s.Actions.map((a: any) => a.Region ?? '-')])).toEqual([
      ['Source', ['-']],
      ['Deploy-nonprod', ['-']],
      ['Deploy-nonprod-us-east-1', ['us-east-1']],
      ['Deploy-prod', ['-', '-']],
    ]);
    expect(pipeline.Properties.ArtifactStores).toContainEqual({
      Region: 'us-east-1',
      ArtifactStore: { Type: 'S3', Location: 'cicd-artifacts-111111111111-us-east-1', EncryptionKey: { Type: 'KMS', Id: OTHER_REGION_KEY_ARN } },
    });
    // The target roles reach the second region's buckets.
    expect(JSON.stringify(Template.fromStack(baseline.targets[0]).toJSON())).toContain('cicd-artifacts-111111111111-us-east-1/*');
  });

  test('bad configuration is refused with the value', () => {
    expect(() => readConfig((k) => ({ nonprodAccount: '12' } as Context)[k], {})).toThrow(/nonprodAccount: got "12"/);
    expect(() => readConfig((k) => ({ narrowing: 'users' } as Context)[k], {})).toThrow(/narrowing: got "users"/);
    expect(() => readConfig((k) => ({ layout: 'two' } as Context)[k], {})).toThrow(/layout: got "two"/);
    expect(() => readConfig((k) => ({ organizationId: 'org-1' } as Context)[k], {})).toThrow(/organizationId: got "org-1"/);
    expect(() => readConfig((k) => ({ organizationId: 'o-a1b2c3d4e5', narrowing: 'role-ids' } as Context)[k], {}))
      .toThrow(/narrowing: got "role-ids" with organizationId/);
    expect(() => readConfig((k) => ({ artifactWriters: 'nonprod,staging' } as Context)[k], {})).toThrow(/artifactWriters: got "staging"; allowed: target names \(nonprod, prod\)/);
    expect(() => readConfig((k) => ({ regions: 'eu-west-1,useast1' } as Context)[k], {})).toThrow(/regions: got "useast1"/);
    expect(() => readConfig((k) => ({ regionKeyArns: '{"eu-west-2":"arn"}' } as Context)[k], {})).toThrow(/regionKeyArns: got a key for "eu-west-2"/);
  });

  test('the sample application\'s roles carry the baseline\'s permissions boundary', () => {
    const template = Template.fromStack(build({}).baseline.sampleApp);
    const roles = Object.values<any>(template.findResources('AWS::IAM::Role'));
    expect(roles.length).toBeGreaterThan(0);
    for (const role of roles) {
      expect(role.Properties.PermissionsBoundary).toEqual({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':policy/cicd-permissions-boundary']],
      });
    }
  });

  test('artifactWriters: a writer writes through its cross-account and build roles only; readOnlyRoleName is protected by name', () => {
    const { baseline } = build({ artifactWriters: 'nonprod', readOnlyRoleName: 'inventory-read-only' });
    const store = JSON.stringify(Template.fromStack(baseline.store).toJSON());
    expect(store).toContain('"aws:PrincipalArn":["arn:aws:iam::222222222222:role/cicd-cross-account","arn:aws:iam::222222222222:role/cicd-build"]');
    expect(store).not.toContain('777777777777:role/cicd-build');
    const nonprod = JSON.stringify(Template.fromStack(baseline.targets[0]).toJSON());
    expect(nonprod).toContain(':role/inventory-read-only');
    expect(nonprod).toContain('"RoleName":"inventory-read-only"');
  });

  test('every acknowledgement is used, and listed with its reason in the README', () => {
    const used = new Set<string>();
    for (const [, context] of VARIANTS) {
      for (const stack of build(context).stacks) {
        for (const construct of stack.node.findAll()) {
          for (const entry of construct.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)) {
            Object.keys(entry.data).forEach((k) => used.add(k.replace(/^annotation::/, '')));
          }
        }
      }
    }
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    for (const ack of NAG_ACKNOWLEDGEMENTS) {
      expect([...used].some((id) => findingMatcher(ack.finding).test(id))).toBe(true);
      expect(readme).toContain(`| \`${ack.path}\` | \`${ack.finding}\` | ${ack.reason} |`);
    }
  });
});

describe('reference app: the sample container-image function', () => {
  const IMAGES = { imageRepositories: 'sample-app,team/worker' };

  function functionOf(sampleApp: Stack): any {
    const functions = Object.values<any>(Template.fromStack(sampleApp).findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(1);
    return functions[0];
  }

  function deployActions(pipeline: Stack): any[] {
    const template = Template.fromStack(pipeline).toJSON();
    const resource = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');
    return resource.Properties.Stages.flatMap((s: any) => s.Actions).filter((a: any) => a.ActionTypeId.Category === 'Deploy');
  }

  test('its image is the given tag of the store\'s first repository, in the CICD account and region', () => {
    // GIVEN the reference app with image repositories, WHEN synthesized
    const { baseline } = build(IMAGES);
    const fn = functionOf(baseline.sampleApp);
    // THEN
    expect(fn.Properties).toMatchObject({ PackageType: 'Image', FunctionName: SAMPLE_FUNCTION_NAME });
    expect(fn.Properties.Code.ImageUri).toEqual({
      'Fn::Join': ['', ['111111111111.dkr.ecr.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/sample-app:', { Ref: SAMPLE_IMAGE_TAG_PARAMETER }]],
    });
    expect(Template.fromStack(baseline.sampleApp).toJSON().Parameters[SAMPLE_IMAGE_TAG_PARAMETER]).toMatchObject({ Type: 'String' });
  });

  test('its role carries the baseline\'s permissions boundary, as the sample application\'s other role does', () => {
    const template = Template.fromStack(build(IMAGES).baseline.sampleApp);
    const roleId = functionOf(build(IMAGES).baseline.sampleApp).Properties.Role['Fn::GetAtt'][0];
    expect(template.toJSON().Resources[roleId].Properties.PermissionsBoundary).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':policy/cicd-permissions-boundary']],
    });
  });

  test('the pipeline passes the same tag to non-prod and prod; without repositories there is no function and no tag', () => {
    const actions = deployActions(build({ ...IMAGES, sampleImageTag: '2026.11.30-1' }).baseline.pipeline);
    expect(actions).toHaveLength(2);
    for (const action of actions) {
      expect(JSON.parse(action.Configuration.ParameterOverrides)).toEqual({ [SAMPLE_IMAGE_TAG_PARAMETER]: '2026.11.30-1' });
    }
    expect(deployActions(build(IMAGES).baseline.pipeline).map((a) => JSON.parse(a.Configuration.ParameterOverrides))).toEqual([{ ImageTag: 'v1' }, { ImageTag: 'v1' }]);
    const { baseline } = build({});
    expect(Template.fromStack(baseline.sampleApp).findResources('AWS::Lambda::Function')).toEqual({});
    expect(deployActions(baseline.pipeline).map((a) => a.Configuration.ParameterOverrides)).toEqual([undefined, undefined]);
  });

  test('the function\'s ARN in each target matches the repository policy\'s Lambda statement; in a foreign account it does not', () => {
    // GIVEN the repository policy as deployed (partition aws)
    const { baseline } = build(IMAGES);
    const repos = Template.fromStack(baseline.store).findResources('AWS::ECR::Repository', { Properties: { RepositoryName: 'sample-app' } });
    const statement = (Object.values<any>(repos)[0].Properties.RepositoryPolicyText.Statement as any[]).find((s) => s.Sid === 'LambdaPullsForTargetFunctions');
    const patterns: string[] = resolveIntrinsics<string[]>(statement.Condition.StringLike['aws:sourceArn'], { account: '111111111111', region: 'eu-west-1' });
    const matches = (arn: string) => patterns.some((p) => new RegExp(`^${p.split('*').map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(arn));
    // WHEN the sample app is deployed by the pipeline into a target (the function's name is fixed)
    const arnIn = (account: string) => `arn:aws:lambda:eu-west-1:${account}:function:${functionOf(baseline.sampleApp).Properties.FunctionName}`;
    // THEN
    expect(statement.Principal).toEqual({ Service: 'lambda.amazonaws.com' });
    expect(matches(arnIn('222222222222'))).toBe(true);
    expect(matches(arnIn('777777777777'))).toBe(true);
    expect(matches(arnIn('333333333333'))).toBe(false);
  });

  test('a bad image tag is refused with the value', () => {
    expect(() => readConfig((k) => ({ sampleImageTag: '-latest' } as Context)[k], {})).toThrow(/sampleImageTag: got "-latest"; allowed: an image tag/);
    expect(readConfig((k) => ({} as Context)[k], { CICD_SAMPLE_IMAGE_TAG: 'v7' }).sampleImageTag).toBe('v7');
  });
});
