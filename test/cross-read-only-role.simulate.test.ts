/**
 * Evaluates the synthesized policies of CrossReadOnlyRole with an offline IAM policy engine
 * (@cloud-copilot/iam-simulate, a test-only dependency): data reads are denied whatever else
 * the role is given, discovery is allowed, and only the trusted principals can assume it.
 */
import { runSimulation, Simulation, SimulationIdentityPolicy } from '@cloud-copilot/iam-simulate';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CrossReadOnlyRole, CrossReadOnlyRoleProps } from '../src';
import { DATA_READ_ACTIONS, DATA_READS_ON_RESOURCES } from './fixtures/read-only-data-reads';
import { awsManagedPolicyDocument } from './util/aws-managed-policies';
import { resolveIntrinsics } from './util/resolve-intrinsics';
import { DENIED_DATA_READS } from '../src/private/read-only-actions';
import { actionMatches } from '../src/private/validation';

const CICD = '111111111111';
const NONPROD = '222222222222';
const REGION = 'eu-west-1';
const ROLE_ARN = `arn:aws:iam::${NONPROD}:role/cicd-read-only`;

/** Every data-read action the role must be denied, from the fixture (not from the list under test). */
const DATA_READS = DATA_READ_ACTIONS;

/** Discovery a CI/CD account relies on (CDK context lookups, inventories, tagging API). */
const DISCOVERY = [
  'tag:GetResources', 'tag:GetTagKeys', 'tag:GetTagValues',
  'resource-groups:ListGroups', 'resource-groups:GetGroup', 'resource-groups:ListGroupResources', 'resource-groups:SearchResources',
  'resource-explorer-2:Search',
  'ec2:DescribeVpcs', 'ec2:DescribeSubnets', 'ec2:DescribeRouteTables', 'ec2:DescribeVpnGateways', 'ec2:DescribeSecurityGroups',
  'ec2:DescribeAvailabilityZones', 'ec2:DescribeImages', 'ec2:DescribeInstances', 'ec2:DescribeVpcEndpointServices',
  's3:ListAllMyBuckets', 's3:ListBucket', 's3:GetBucketLocation', 's3:GetBucketTagging',
  'dynamodb:ListTables', 'dynamodb:DescribeTable',
  'ssm:DescribeParameters',
  'secretsmanager:ListSecrets', 'secretsmanager:DescribeSecret',
  'kms:ListKeys', 'kms:ListAliases', 'kms:DescribeKey',
  'lambda:ListFunctions',
  'logs:DescribeLogGroups', 'logs:DescribeLogStreams',
  'cloudformation:DescribeStacks', 'cloudformation:ListStacks', 'cloudformation:ListStackResources',
  'cloudformation:DescribeStackResources', 'cloudformation:GetTemplateSummary',
  'iam:ListRoles', 'iam:GetRole', 'iam:GetPolicy', 'iam:GetPolicyVersion',
  'route53:ListHostedZonesByName', 'route53:ListHostedZones',
  'elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeTags',
  'ecr:DescribeRepositories', 'ecs:ListClusters', 'ecs:DescribeServices', 'eks:DescribeCluster',
  'sqs:ListQueues', 'sns:ListTopics', 'rds:DescribeDBInstances', 'codecommit:ListRepositories', 'codepipeline:ListPipelines',
];

/** Data reads that the AWS managed ReadOnlyAccess allows on its own: the deny is what stops them. */
const READ_ONLY_ACCESS_DATA_READS = [
  's3:GetObject', 'ssm:GetParameter', 'ssm:GetParametersByPath', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan',
  'logs:GetLogEvents', 'logs:FilterLogEvents', 'lambda:GetFunction', 'ec2:GetConsoleOutput', 'codecommit:GetFile',
  'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage', 'athena:GetQueryResults', 'cloudformation:GetTemplate',
  'kinesis:GetRecords', 'sqs:ReceiveMessage', 'appconfig:GetConfiguration', 'cognito-idp:ListUsers',
];

interface Synthesized {
  readonly identityPolicies: SimulationIdentityPolicy[];
  readonly trustPolicy: unknown;
}

/** Synthesizes a CrossReadOnlyRole and returns its policies as deployed (intrinsics resolved). */
function synth(props: Partial<CrossReadOnlyRoleProps> = {}, extraManagedPolicies: string[] = []): Synthesized {
  const app = new App();
  const stack = new Stack(app, 'NonProd', { env: { account: NONPROD, region: REGION } });
  const construct = new CrossReadOnlyRole(stack, 'ReadOnly', { trustedAccountIds: [CICD], ...props });
  for (const name of extraManagedPolicies) {
    construct.role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName(name));
  }
  const roles = Template.fromStack(stack).findResources('AWS::IAM::Role');
  expect(Object.keys(roles)).toHaveLength(1);
  const role = resolveIntrinsics<any>(Object.values(roles)[0].Properties, { account: NONPROD, region: REGION });
  return {
    identityPolicies: [
      ...role.Policies.map((p: any) => ({ name: p.PolicyName, policy: p.PolicyDocument })),
      ...role.ManagedPolicyArns.map((arn: string) => ({ name: arn, policy: awsManagedPolicyDocument(arn) })),
    ],
    trustPolicy: role.AssumeRolePolicyDocument,
  };
}

function withoutDeny(s: Synthesized): SimulationIdentityPolicy[] {
  return s.identityPolicies.filter((p) => p.name !== 'DenyDataReads');
}

/** Runs one request by the role in its own account; returns the overall result over every resource type. */
async function decide(identityPolicies: SimulationIdentityPolicy[], action: string, resource = '*'): Promise<string> {
  const simulation: Simulation = {
    request: {
      principal: ROLE_ARN,
      action,
      resource: { resource, accountId: NONPROD },
      contextVariables: {},
    },
    identityPolicies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') {
    throw new Error(`${action}: the simulation did not run: ${result.errors.message} ${JSON.stringify(result.errors)}`);
  }
  return result.overallResult;
}

async function decideAll(identityPolicies: SimulationIdentityPolicy[], actions: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const action of actions) {
    out[action] = await decide(identityPolicies, action);
  }
  return out;
}

function expectAll(results: Record<string, string>, expected: string): void {
  const wrong = Object.entries(results).filter(([, r]) => r !== expected);
  expect(wrong).toEqual([]);
}

interface AssumeRequest {
  readonly principalArn: string;
  readonly secureTransport: boolean;
}

/** Runs sts:AssumeRole on the role by a principal that its own account allows to assume any role. */
async function assume(trustPolicy: unknown, req: AssumeRequest): Promise<string> {
  const account = req.principalArn.split(':')[4];
  const simulation: Simulation = {
    request: {
      principal: req.principalArn,
      action: 'sts:AssumeRole',
      resource: { resource: ROLE_ARN, accountId: NONPROD },
      contextVariables: {
        'aws:SecureTransport': String(req.secureTransport),
        'aws:PrincipalArn': req.principalArn,
        'aws:PrincipalAccount': account,
      },
    },
    identityPolicies: [{
      name: 'AssumeAnyRole',
      policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] },
    }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: trustPolicy,
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') {
    throw new Error(`sts:AssumeRole: the simulation did not run: ${result.errors.message} ${JSON.stringify(result.errors)}`);
  }
  return result.overallResult;
}

describe('CrossReadOnlyRole, evaluated by an IAM policy engine', () => {
  const deployed = synth();

  test(`the ${DATA_READS.length} data-read actions are explicitly denied`, async () => {
    expectAll(await decideAll(deployed.identityPolicies, DATA_READS), 'ExplicitlyDenied');
  });

  test('actions that read data on some resources are denied there, and still discover the others', async () => {
    for (const { action, resource, discovery } of DATA_READS_ON_RESOURCES) {
      expect([resource, await decide(deployed.identityPolicies, action, resource)]).toEqual([resource, 'ExplicitlyDenied']);
      expect([discovery, await decide(deployed.identityPolicies, action, discovery)]).toEqual([discovery, 'Allowed']);
    }
  });

  test('every entry of the deny list stands for at least one request of the fixture', () => {
    const uncovered = DENIED_DATA_READS.filter((d) => d.resources
      ? !DATA_READS_ON_RESOURCES.some((r) => r.action === d.action)
      : !DATA_READS.some((a) => actionMatches(d.action, a)));
    expect(uncovered).toEqual([]);
  });

  test('the deny wins over ReadOnlyAccess and SecurityAudit attached later', async () => {
    // GIVEN a role that someone also gave the AWS managed policies that read data
    const widened = synth({}, ['ReadOnlyAccess', 'SecurityAudit']);

    // THEN without the deny, ReadOnlyAccess alone would read data
    expectAll(await decideAll(withoutDeny(widened), READ_ONLY_ACCESS_DATA_READS), 'Allowed');
    // and with it, every data read is denied
    expectAll(await decideAll(widened.identityPolicies, DATA_READS), 'ExplicitlyDenied');
  });

  test('of the data reads, ViewOnlyAccess alone allows user attributes, user data, log tails, presigned URLs and transcripts, which the deny removes', async () => {
    const viewOnly = deployed.identityPolicies.filter((p) => p.name.endsWith('/ViewOnlyAccess'));
    expect(viewOnly).toHaveLength(1);
    const results = await decideAll(viewOnly, DATA_READS);
    expect(Object.keys(results).filter((a) => results[a] === 'Allowed')).toEqual([
      'cognito-idp:ListUsers', 'cognito-idp:ListUsersInGroup', 'ec2:DescribeInstanceAttribute', 'autoscaling:DescribeLaunchConfigurations',
      'ec2:DescribeSpotInstanceRequests', 'ec2:DescribeSpotFleetRequests',
      'codedeploy:BatchGetDeploymentTargets', 'codedeploy:GetDeploymentTarget', 'codedeploy:BatchGetDeploymentInstances', 'codedeploy:GetDeploymentInstance',
      'devicefarm:ListArtifacts', 'devicefarm:ListUploads', 'devicefarm:ListSamples', 'devicefarm:ListTestGridSessionArtifacts',
      'connect:ListRealtimeContactAnalysisSegments', 'connect:ListContactReferences', 'lex:GetUtterancesView',
    ]);
  });

  test('discovery actions are allowed', async () => {
    expectAll(await decideAll(deployed.identityPolicies, DISCOVERY), 'Allowed');
  });

  test('the role can change nothing', async () => {
    const writes = ['s3:PutObject', 'ec2:RunInstances', 'iam:CreateRole', 'ssm:PutParameter', 'cloudformation:CreateStack',
      'lambda:InvokeFunction', 'kms:Encrypt', 'sts:AssumeRole', 'tag:TagResources', 'resource-groups:CreateGroup'];
    expectAll(await decideAll(deployed.identityPolicies, writes), 'ImplicitlyDenied');
  });

  test('additionalReadActions are allowed', async () => {
    const extended = synth({ additionalReadActions: ['lambda:GetFunctionConfiguration', 'ssm:DescribeDocument*'] });
    expectAll(await decideAll(extended.identityPolicies, ['lambda:GetFunctionConfiguration', 'ssm:DescribeDocumentPermission']), 'Allowed');
  });

  test('an additional wildcard that matches data reads does not reopen them', async () => {
    const extended = synth({ additionalReadActions: ['s3:Get*', 'dynamodb:Get*'] });
    expectAll(await decideAll(extended.identityPolicies, ['s3:GetBucketPolicy', 'dynamodb:GetResourcePolicy']), 'Allowed');
    expectAll(await decideAll(extended.identityPolicies, ['s3:GetObject', 's3:GetObjectVersion', 'dynamodb:GetItem', 'dynamodb:GetRecords']), 'ExplicitlyDenied');
  });

  describe('trust policy', () => {
    test('the trusted account can assume the role over TLS', async () => {
      expect(await assume(deployed.trustPolicy, { principalArn: `arn:aws:iam::${CICD}:role/cicd-pipeline`, secureTransport: true })).toBe('Allowed');
    });

    test('not without TLS', async () => {
      expect(await assume(deployed.trustPolicy, { principalArn: `arn:aws:iam::${CICD}:role/cicd-pipeline`, secureTransport: false })).not.toBe('Allowed');
    });

    test('not from another account', async () => {
      expect(await assume(deployed.trustPolicy, { principalArn: 'arn:aws:iam::999999999999:role/cicd-pipeline', secureTransport: true })).not.toBe('Allowed');
      expect(await assume(deployed.trustPolicy, { principalArn: `arn:aws:iam::${NONPROD}:role/cicd-pipeline`, secureTransport: true })).not.toBe('Allowed');
    });

    test('trustedPrincipalArns admits the listed principals only', async () => {
      const narrowed = synth({ trustedPrincipalArns: [`arn:aws:iam::${CICD}:role/cicd-lookup-*`] });
      expect(await assume(narrowed.trustPolicy, { principalArn: `arn:aws:iam::${CICD}:role/cicd-lookup-eu`, secureTransport: true })).toBe('Allowed');
      expect(await assume(narrowed.trustPolicy, { principalArn: `arn:aws:iam::${CICD}:role/cicd-pipeline`, secureTransport: true })).not.toBe('Allowed');
      expect(await assume(narrowed.trustPolicy, { principalArn: `arn:aws:iam::${CICD}:role/cicd-lookup-eu`, secureTransport: false })).not.toBe('Allowed');
    });
  });
});
