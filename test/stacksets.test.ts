import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildStackSetBaseline, StackSetBaselineConfig } from '../examples/stacksets';

const CONFIG: StackSetBaselineConfig = {
  cicdAccount: '111111111111',
  organizationId: 'o-a1b2c3d4e5',
  organizationalUnits: ['ou-ab12-11111111', 'ou-ab12-22222222'],
  region: 'eu-west-1',
  stackSetAdminAccount: '999999999999',
};

describe('StackSets roll-out of the target roles', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stacksets-'));
  const app = new App({ outdir });
  const { storeStack, adminStack, targetTemplate } = buildStackSetBaseline(app, CONFIG);
  app.synth();

  test('a service-managed StackSet deploys to the organizational units, and to accounts that join them', () => {
    Template.fromStack(adminStack).hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackSetName: 'cicd-target-roles',
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'DELEGATED_ADMIN',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      StackInstancesGroup: [{
        DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-11111111', 'ou-ab12-22222222'] },
        Regions: ['eu-west-1'],
      }],
    });
  });

  test('one env-agnostic template serves every account: it names only the CICD account', () => {
    const file = fs.readdirSync(outdir).find((f) => f.endsWith('.stackset.template.json'))!;
    const body = fs.readFileSync(path.join(outdir, file), 'utf8');
    const template = JSON.parse(body);
    const roleNames = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::IAM::Role').map((r) => r.Properties.RoleName).sort();
    expect(roleNames).toEqual(['cicd-build', 'cicd-cloudformation', 'cicd-cross-account', 'cicd-read-only']);
    const accounts = new Set(body.match(/\d{12}/g));
    expect([...accounts]).toEqual(['111111111111']);
    expect(body).toContain('cicd-artifacts-111111111111-eu-west-1');
    expect(JSON.stringify(template)).toContain('"kms:ResourceAliases":"alias/cicd/artifacts"');
    expect(Buffer.byteLength(body)).toBeLessThan(51_200);
    expect(targetTemplate.account).toMatch(/^\$\{Token\[AWS\.AccountId/);
  });

  test('the store admits the organization\'s pipeline roles by name', () => {
    const template = Template.fromStack(storeStack).toJSON();
    const key = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::KMS::Key');
    const statement = key.Properties.KeyPolicy.Statement.find((s: any) => s.Sid === 'UseKeyFromTargetsOrganization');
    expect(statement.Condition.StringEquals).toEqual({ 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' });
    expect(JSON.stringify(statement.Condition.ArnLike)).toMatch(/role\/cicd-cross-account.*role\/cicd-cloudformation.*role\/cicd-build/);
  });

  test('cdk-nag AwsSolutions: no finding is left unacknowledged', () => {
    for (const stack of [storeStack, adminStack, targetTemplate]) {
      expect(new AwsSolutionsChecks().validateScope(stack).violations.map((v) => v.ruleName)).toEqual([]);
    }
  });
});
