import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildBaseline, PIPELINE_STACK, SAMPLE_APP_STACK, SETTINGS_STACK, STORE_STACK, targetStackName } from '../examples/baseline';
import { readConfig } from '../examples/config';
import { acknowledgeNagFindings, findingMatcher, NAG_ACKNOWLEDGEMENTS } from '../examples/nag';

type Context = Record<string, string>;

function build(context: Context) {
  const app = new App();
  const baseline = buildBaseline(app, readConfig((key) => context[key], {}));
  const stacks: Stack[] = [baseline.store, ...baseline.targets, baseline.settings, baseline.pipeline, baseline.sampleApp];
  acknowledgeNagFindings(stacks);
  return { app, baseline, stacks };
}

const ROLE_IDS = JSON.stringify({
  nonprod: { crossAccountRoleId: 'AROAAAAAAAAAAAAAAAAAA', cloudFormationRoleId: 'AROABBBBBBBBBBBBBBBBB', buildRoleId: 'AROACCCCCCCCCCCCCCCCC' },
  prod: { crossAccountRoleId: 'AROADDDDDDDDDDDDDDDDD', cloudFormationRoleId: 'AROAEEEEEEEEEEEEEEEEE', buildRoleId: 'AROAFFFFFFFFFFFFFFFFF' },
});

const VARIANTS: Array<[string, Context]> = [
  ['three accounts', {}],
  ['three accounts, role IDs', { narrowing: 'role-ids', roleIds: ROLE_IDS }],
  ['three accounts, role ARNs', { narrowing: 'role-arns' }],
  ['three accounts, organization', { organizationId: 'o-a1b2c3d4e5' }],
  ['single account', { layout: 'single' }],
  ['three accounts, container images', { imageRepositories: 'sample-app,team/worker' }],
  ['single account, container images', { layout: 'single', imageRepositories: 'sample-app' }],
  ['three accounts, CDK assets', { cdkAssets: 'true', imageRepositories: 'sample-app' }],
  ['single account, CDK assets', { layout: 'single', cdkAssets: 'true' }],
];

describe.each(VARIANTS)('reference app: %s', (_, context) => {
  const { app, stacks } = build(context);

  test('every stack synthesizes', () => {
    const assembly = app.synth();
    const names = assembly.stacks.map((s) => s.stackName).sort();
    const targets = context.layout === 'single' ? ['main'] : ['nonprod', 'prod'];
    expect(names).toEqual([STORE_STACK, SETTINGS_STACK, PIPELINE_STACK, SAMPLE_APP_STACK, ...targets.map(targetStackName)].sort());
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

  test('bad configuration is refused with the value', () => {
    expect(() => readConfig((k) => ({ nonprodAccount: '12' } as Context)[k], {})).toThrow(/nonprodAccount: got "12"/);
    expect(() => readConfig((k) => ({ narrowing: 'users' } as Context)[k], {})).toThrow(/narrowing: got "users"/);
    expect(() => readConfig((k) => ({ layout: 'two' } as Context)[k], {})).toThrow(/layout: got "two"/);
    expect(() => readConfig((k) => ({ organizationId: 'org-1' } as Context)[k], {})).toThrow(/organizationId: got "org-1"/);
    expect(() => readConfig((k) => ({ organizationId: 'o-a1b2c3d4e5', narrowing: 'role-ids' } as Context)[k], {}))
      .toThrow(/narrowing: got "role-ids" with organizationId/);
    expect(() => readConfig((k) => ({ artifactWriters: 'nonprod,staging' } as Context)[k], {})).toThrow(/artifactWriters: got "staging"; allowed: target names \(nonprod, prod\)/);
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
