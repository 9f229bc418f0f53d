/**
 * Synthesizes the reference app in each mode, resolves the policies as CloudFormation would
 * deploy them, and evaluates an access-matrix case with @cloud-copilot/iam-simulate.
 */
import { anonymousPrincipal, runSimulation, Simulation, SimulationIdentityPolicy } from '@cloud-copilot/iam-simulate';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  AccessCase,
  ASSET_PUBLISHING_ROLE,
  CICD,
  Decision,
  FOREIGN,
  FOREIGN_ORGANIZATION_ID,
  IMAGE_REPOSITORY,
  KEY_ALIAS,
  Mode,
  MODE_CONTEXT,
  NONPROD,
  ORG_SANDBOX,
  ORGANIZATION_ID,
  PrincipalSpec,
  PRINCIPALS,
  PROD,
  REGION,
  ResourceKey,
  ROLE_IDS,
  SAMPLE_APP_BOUNDARY,
  STORE_KEY_ARN,
  TRUSTED_PIPELINE_ROLE_ARN,
} from './cases';
import { buildBaseline, targetStackName } from '../../examples/baseline';
import { readConfig } from '../../examples/config';
import { CicdArtifactStore, CrossAccountPipelineRoles } from '../../src';
import { awsManagedPolicyDocument } from '../util/aws-managed-policies';
import { deployedValuesOf, resolveIntrinsics } from '../util/resolve-intrinsics';

/** The organization each account belongs to (aws:PrincipalOrgID). */
const ORGANIZATION_OF: Record<string, string> = {
  [CICD]: ORGANIZATION_ID,
  [NONPROD]: ORGANIZATION_ID,
  [PROD]: ORGANIZATION_ID,
  [ORG_SANDBOX]: ORGANIZATION_ID,
  [FOREIGN]: FOREIGN_ORGANIZATION_ID,
};

/** The key of the CICD account's own roles (those of the store's stack) among the world's targets. */
export const CICD_ROLES = 'cicd-store';

const ROLE_ID_KEYS: Record<string, string> = {
  'cicd-cross-account': 'crossAccountRoleId',
  'cicd-cloudformation': 'cloudFormationRoleId',
  'cicd-build': 'buildRoleId',
};

type PolicyDocument = { Statement: unknown[] };

export interface DeployedRole {
  readonly arn: string;
  readonly roleId: string;
  readonly trustPolicy: PolicyDocument;
  /** Inline and attached policies, resolved; AWS managed ones by ARN, loaded on use. */
  readonly inlinePolicies: SimulationIdentityPolicy[];
  readonly managedPolicyArns: string[];
  /** The role's permissions boundary, resolved, when it has one. */
  readonly permissionsBoundary?: SimulationIdentityPolicy;
}

/** A managed policy the target stack creates (the baseline's permissions boundary). */
export interface DeployedPolicy {
  readonly arn: string;
  readonly document: PolicyDocument;
}

export interface World {
  readonly mode: Mode;
  readonly keyArn: string;
  readonly keyPolicy: PolicyDocument;
  readonly artifactsBucket: string;
  readonly templatesBucket: string;
  /** The central bucket of CDK assets (`cdkAssets`). */
  readonly assetsBucket: string;
  /** Bucket policies, by bucket name. */
  readonly bucketPolicies: Record<string, PolicyDocument>;
  /** ECR repository policies, by repository name. */
  readonly repositoryPolicies: Record<string, PolicyDocument>;
  /** The roles of each target account, by target name, then role name. */
  readonly targets: Record<string, { account: string; roles: Record<string, DeployedRole>; boundary?: DeployedPolicy }>;
  /** The permissions boundary the sample application's roles carry, as deployed in non-prod. */
  readonly sampleAppBoundaryArn?: string;
}

function resourcesOfType(template: any, type: string): Array<[string, any]> {
  return Object.entries<any>(template.Resources ?? {}).filter(([, r]) => r.Type === type);
}

/** The store's key and bucket policies, as deployed. */
function storeOf(stack: Stack) {
  const template = Template.fromStack(stack).toJSON();
  const env = deployedValuesOf(template, { account: stack.account, region: stack.region });
  const resolved = resolveIntrinsics<any>(template.Resources, env);
  const keys = resourcesOfType(template, 'AWS::KMS::Key');
  if (keys.length !== 1) {
    throw new Error(`access matrix: expected one KMS key in ${stack.stackName}, found ${keys.length}`);
  }
  const [keyId] = keys[0];
  const bucketPolicies: Record<string, PolicyDocument> = {};
  for (const [id] of resourcesOfType(template, 'AWS::S3::BucketPolicy')) {
    bucketPolicies[resolved[id].Properties.Bucket] = resolved[id].Properties.PolicyDocument;
  }
  const repositoryPolicies: Record<string, PolicyDocument> = {};
  for (const [id] of resourcesOfType(template, 'AWS::ECR::Repository')) {
    repositoryPolicies[resolved[id].Properties.RepositoryName] = resolved[id].Properties.RepositoryPolicyText;
  }
  return {
    keyArn: env.attributes![`${keyId}.Arn`],
    keyPolicy: resolved[keyId].Properties.KeyPolicy as PolicyDocument,
    bucketPolicies,
    repositoryPolicies,
  };
}

/** The baseline's permissions boundary in a target stack, as deployed. */
function boundaryOf(stack: Stack): DeployedPolicy | undefined {
  const template = Template.fromStack(stack).toJSON();
  const env = deployedValuesOf(template, { account: stack.account, region: stack.region });
  const policies = resourcesOfType(template, 'AWS::IAM::ManagedPolicy');
  if (policies.length === 0) {
    return undefined;
  }
  const [id, resource] = policies[0];
  return { arn: env.refs![id], document: resolveIntrinsics<PolicyDocument>(resource.Properties.PolicyDocument, env) };
}

/** The roles of a target stack, as deployed. */
function rolesOf(stack: Stack, roleIds: Record<string, string>): Record<string, DeployedRole> {
  const template = Template.fromStack(stack).toJSON();
  const byName = Object.fromEntries(Object.entries(ROLE_ID_KEYS).filter(([, key]) => roleIds[key]).map(([name, key]) => [name, roleIds[key]]));
  const env = deployedValuesOf(template, { account: stack.account, region: stack.region }, { roleIds: byName });
  const resolved = resolveIntrinsics<any>(template.Resources, env);
  const boundary = boundaryOf(stack);
  const roles: Record<string, DeployedRole> = {};
  for (const [id] of resourcesOfType(template, 'AWS::IAM::Role')) {
    const props = resolved[id].Properties;
    const name: string = props.RoleName;
    const attached = resourcesOfType(template, 'AWS::IAM::Policy')
      .filter(([pid]) => (resolved[pid].Properties.Roles as string[]).includes(name))
      .map(([pid]) => ({ name: resolved[pid].Properties.PolicyName, policy: resolved[pid].Properties.PolicyDocument }));
    roles[name] = {
      arn: env.attributes![`${id}.Arn`],
      roleId: env.attributes![`${id}.RoleId`],
      trustPolicy: props.AssumeRolePolicyDocument,
      inlinePolicies: [...(props.Policies ?? []).map((p: any) => ({ name: p.PolicyName, policy: p.PolicyDocument })), ...attached],
      managedPolicyArns: props.ManagedPolicyArns ?? [],
      permissionsBoundary: props.PermissionsBoundary ? boundaryDocument(boundary, props.PermissionsBoundary) : undefined,
    };
  }
  return roles;
}

function boundaryDocument(boundary: DeployedPolicy | undefined, arn: string): SimulationIdentityPolicy {
  if (!boundary || boundary.arn !== arn) {
    throw new Error(`access matrix: the permissions boundary ${arn} is not the baseline's ${boundary?.arn}`);
  }
  return { name: arn, policy: boundary.document };
}

/** Builds the reference app in a mode and reads back what would be deployed. */
export function buildWorld(mode: Mode): World {
  const app = new App();
  // Every world's store holds the sample image repository and the CDK assets bucket (options of the reference app).
  const context: Record<string, string> = { imageRepositories: IMAGE_REPOSITORY, cdkAssets: 'true', ...MODE_CONTEXT[mode] };
  const config = readConfig((key) => context[key], {});
  const baseline = buildBaseline(app, config);
  const store = storeOf(baseline.store);
  const targets: World['targets'] = {};
  for (const t of config.targets) {
    const stack = baseline.targets.find((s) => s.stackName === targetStackName(t.name))!;
    targets[t.name] = { account: t.accountId, roles: rolesOf(stack, ROLE_IDS[t.name] ?? {}), boundary: boundaryOf(stack) };
  }
  // The roles of the CICD account's store stack (the asset-publishing role), as a pseudo-target.
  targets[CICD_ROLES] = { account: config.cicd.accountId, roles: rolesOf(baseline.store, {}) };
  // The sample application's roles, deployed by the pipeline into non-prod.
  const sampleApp = Template.fromStack(baseline.sampleApp).toJSON();
  const sampleRoles = resourcesOfType(sampleApp, 'AWS::IAM::Role');
  const nonprodAccount = config.targets[0].accountId;
  const sampleAppBoundaryArn = sampleRoles.length > 0
    ? resolveIntrinsics<string>(sampleRoles[0][1].Properties.PermissionsBoundary, { account: nonprodAccount, region: REGION })
    : undefined;
  if (mode === 'trusted-principals') {
    // The cross-account role of non-prod, trusting only the CICD account's pipeline role.
    const stack = new Stack(new App(), targetStackName('nonprod'), { env: { account: NONPROD, region: REGION } });
    const artifactStore = CicdArtifactStore.fromArtifactStoreAttributes(stack, 'Store', {
      keyArn: store.keyArn,
      artifactsBucketName: CicdArtifactStore.bucketName('cicd-artifacts', CICD, REGION),
      templatesBucketName: CicdArtifactStore.bucketName('cicd-templates', CICD, REGION),
    });
    new CrossAccountPipelineRoles(stack, 'PipelineRoles', { cicdAccountId: CICD, artifactStore, trustedPrincipalArns: [TRUSTED_PIPELINE_ROLE_ARN] });
    targets.nonprod = { account: NONPROD, roles: rolesOf(stack, ROLE_IDS.nonprod), boundary: boundaryOf(stack) };
  }
  return {
    mode,
    sampleAppBoundaryArn,
    ...store,
    artifactsBucket: CicdArtifactStore.bucketName('cicd-artifacts', config.cicd.accountId, REGION),
    templatesBucket: CicdArtifactStore.bucketName('cicd-templates', config.cicd.accountId, REGION),
    assetsBucket: CicdArtifactStore.bucketName('cicd-assets', config.cicd.accountId, REGION),
    targets,
  };
}

const statement = (Action: string | string[]) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action, Resource: '*' }] });

/** Hand-written identity policies of principals that the app does not define. */
const HAND_WRITTEN: Record<string, SimulationIdentityPolicy> = {
  'administrator': { name: 'AdministratorAccess', policy: statement('*') },
  's3-kms-all': { name: 'S3AndKmsOnEverything', policy: statement(['s3:*', 'kms:*']) },
  'assume-any-role': { name: 'AssumeAnyRole', policy: statement('sts:AssumeRole') },
};

/**
 * AWS managed policies with no snapshot in test/fixtures, by the shape that decides the cases:
 * PowerUserAccess allows everything but IAM, Organizations and Account (the IAM actions the
 * CloudFormation role may take come from its own inline policy).
 */
const MANAGED_POLICY_SHAPES: Record<string, SimulationIdentityPolicy> = {
  PowerUserAccess: {
    name: 'PowerUserAccess (shape)',
    policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' }] },
  },
};

function managedPolicy(arn: string): SimulationIdentityPolicy {
  return MANAGED_POLICY_SHAPES[arn.split('/').pop()!] ?? { name: arn, policy: awsManagedPolicyDocument(arn) };
}

function roleOf(world: World, target: string, roleName: string): DeployedRole {
  const role = world.targets[target]?.roles[roleName];
  if (!role) {
    throw new Error(`access matrix: no role ${roleName} in target ${target} in mode ${world.mode}`);
  }
  return role;
}

function identityPoliciesOf(world: World, spec: PrincipalSpec): SimulationIdentityPolicy[] {
  const source = spec.identity!;
  if (typeof source === 'string') {
    return [HAND_WRITTEN[source]];
  }
  const role = roleOf(world, source.target, spec.roleName!);
  return [...role.inlinePolicies, ...role.managedPolicyArns.map(managedPolicy)];
}

/** The permissions boundary that holds a principal: its own role's, or the baseline's of a target. */
function boundaryPoliciesOf(world: World, spec: PrincipalSpec): SimulationIdentityPolicy[] {
  if (spec.boundaryOf) {
    const boundary = world.targets[spec.boundaryOf]?.boundary;
    if (!boundary) {
      throw new Error(`access matrix: target ${spec.boundaryOf} has no permissions boundary in mode ${world.mode}`);
    }
    return [{ name: boundary.arn, policy: boundary.document }];
  }
  const source = spec.identity;
  if (source && typeof source !== 'string') {
    const boundary = roleOf(world, source.target, spec.roleName!).permissionsBoundary;
    return boundary ? [boundary] : [];
  }
  return [];
}

interface Resolved {
  readonly arn: string;
  readonly account: string;
  readonly policy?: unknown;
  readonly context?: Record<string, string | string[]>;
}

/** The target roles that cases act on, by resource key. */
const ROLE_RESOURCES: Partial<Record<ResourceKey, [string, string]>> = {
  nonprodPipelineRole: ['nonprod', 'cicd-cross-account'],
  nonprodCloudFormationRole: ['nonprod', 'cicd-cloudformation'],
  nonprodBuildRole: ['nonprod', 'cicd-build'],
  nonprodReadOnlyRole: ['nonprod', 'cicd-read-only'],
  mainPipelineRole: ['main', 'cicd-cross-account'],
  nonprodCustomReadOnlyRole: ['nonprod', 'inventory-read-only'],
  assetPublishingRole: [CICD_ROLES, ASSET_PUBLISHING_ROLE],
};

function resourceOf(world: World, key: ResourceKey, action: string): Resolved {
  const storeAccount = world.keyArn.split(':')[4];
  const role = ROLE_RESOURCES[key];
  if (role) {
    const deployed = roleOf(world, ...role);
    // A role's resource policy is its trust policy, which governs sts:AssumeRole only.
    return { arn: deployed.arn, account: world.targets[role[0]].account, policy: action === 'sts:AssumeRole' ? deployed.trustPolicy : undefined };
  }
  switch (key) {
    case 'artifact':
      return { arn: `arn:aws:s3:::${world.artifactsBucket}/cicd-sample/Source/a1b2c3.zip`, account: storeAccount, policy: world.bucketPolicies[world.artifactsBucket] };
    case 'prodArtifact':
      return { arn: `arn:aws:s3:::${world.artifactsBucket}/cicd-sample/Source/b4d5e6.zip`, account: storeAccount, policy: world.bucketPolicies[world.artifactsBucket] };
    case 'artifactsBucket':
      return { arn: `arn:aws:s3:::${world.artifactsBucket}`, account: storeAccount, policy: world.bucketPolicies[world.artifactsBucket] };
    case 'template':
      return { arn: `arn:aws:s3:::${world.templatesBucket}/sample-app/source.zip`, account: storeAccount, policy: world.bucketPolicies[world.templatesBucket] };
    case 'key':
      // The key carries its alias: identity policies in the targets name it by kms:ResourceAliases.
      return { arn: world.keyArn, account: storeAccount, policy: world.keyPolicy, context: { 'kms:ResourceAliases': [KEY_ALIAS] } };
    case 'imageRepository':
      return {
        arn: `arn:aws:ecr:${REGION}:${storeAccount}:repository/${IMAGE_REPOSITORY}`,
        account: storeAccount,
        policy: world.repositoryPolicies[IMAGE_REPOSITORY],
      };
    case 'nonprodAsset':
      return { arn: `arn:aws:s3:::${world.assetsBucket}/${NONPROD}/0a1b2c3d.json`, account: storeAccount, policy: world.bucketPolicies[world.assetsBucket] };
    case 'prodAsset':
      return { arn: `arn:aws:s3:::${world.assetsBucket}/${PROD}/4e5f6a7b.zip`, account: storeAccount, policy: world.bucketPolicies[world.assetsBucket] };
    case 'nonprodBootstrapVersion':
      return { arn: `arn:aws:ssm:${REGION}:${NONPROD}:parameter/cdk-bootstrap/cicd/version`, account: NONPROD };
    case 'nonprodAppRole':
      return { arn: `arn:aws:iam::${NONPROD}:role/my-service-role`, account: NONPROD };
    case 'nonprodObject':
      return { arn: `arn:aws:s3:::nonprod-data-${NONPROD}/report.csv`, account: NONPROD };
    case 'nonprodSecret':
      return { arn: `arn:aws:secretsmanager:${REGION}:${NONPROD}:secret:db-password-AbCdEf`, account: NONPROD };
    case 'nonprodParameter':
      return { arn: `arn:aws:ssm:${REGION}:${NONPROD}:parameter/app/db-url`, account: NONPROD };
    case 'nonprodAnything':
      return { arn: '*', account: NONPROD };
    case 'nonprodBoundary': {
      const boundary = world.targets.nonprod?.boundary;
      if (!boundary) {
        throw new Error(`access matrix: non-prod has no permissions boundary in mode ${world.mode}`);
      }
      return { arn: boundary.arn, account: NONPROD };
    }
    case 'nonprodBaselineRoleOnPath':
      return { arn: `arn:aws:iam::${NONPROD}:role/team/cicd-deployer`, account: NONPROD };
    case 'nonprodAppUser':
      return { arn: `arn:aws:iam::${NONPROD}:user/app-user`, account: NONPROD };
    case 'nonprodFunction':
      return { arn: `arn:aws:lambda:${REGION}:${NONPROD}:function:my-function`, account: NONPROD };
    default:
      throw new Error(`access matrix: unknown resource ${key}`);
  }
}

export interface Evaluation {
  readonly decision: Decision;
  /** Context keys the engine ignored because they do not apply to the action. */
  readonly ignoredContextKeys: string[];
  readonly simulation: Simulation;
}

/** Evaluates one case: the request as AWS would see it, with the policies that apply to it. */
export async function evaluate(world: World, c: AccessCase): Promise<Evaluation> {
  const spec: PrincipalSpec = PRINCIPALS[c.principal];
  const resource = resourceOf(world, c.resource, c.action);
  const placeholder = (v: string | string[]) => {
    if (v === STORE_KEY_ARN) {
      return world.keyArn;
    }
    if (v === SAMPLE_APP_BOUNDARY) {
      if (!world.sampleAppBoundaryArn) {
        throw new Error(`${c.id}: the sample application has no role with a permissions boundary`);
      }
      return world.sampleAppBoundaryArn;
    }
    return v;
  };
  const caseContext = Object.fromEntries(Object.entries(c.context ?? {}).map(([k, v]) => [k, placeholder(v)]));
  // AWS includes aws:ResourceAccount in the context of every request on a resource that has an owner.
  const context: Record<string, string | string[]> = { 'aws:SecureTransport': 'true', 'aws:ResourceAccount': resource.account, ...resource.context };
  let principal: Simulation['request']['principal'];
  let identityPolicies: SimulationIdentityPolicy[] = [];
  let permissionBoundaryPolicies: SimulationIdentityPolicy[] = [];
  if (spec.kind === 'anonymous') {
    principal = anonymousPrincipal;
  } else if (spec.kind === 'service') {
    principal = spec.service!;
  } else {
    const session = 'cicd-session';
    const account = spec.account!;
    const roleId = spec.roleId ?? roleOf(world, (spec.identity as { target: string }).target, spec.roleName!).roleId;
    principal = `arn:aws:sts::${account}:assumed-role/${spec.roleName}/${session}`;
    identityPolicies = identityPoliciesOf(world, spec);
    permissionBoundaryPolicies = boundaryPoliciesOf(world, spec);
    Object.assign(context, {
      'aws:PrincipalArn': `arn:aws:iam::${account}:role/${spec.roleName}`,
      'aws:userId': `${roleId}:${session}`,
      'aws:PrincipalAccount': account,
      'aws:PrincipalType': 'AssumedRole',
      ...(ORGANIZATION_OF[account] ? { 'aws:PrincipalOrgID': ORGANIZATION_OF[account] } : {}),
    });
  }
  Object.assign(context, caseContext);
  const simulation: Simulation = {
    request: { principal, action: c.action, resource: { resource: resource.arn, accountId: resource.account }, contextVariables: context },
    identityPolicies,
    permissionBoundaryPolicies: permissionBoundaryPolicies.length > 0 ? permissionBoundaryPolicies : undefined,
    resourcePolicy: resource.policy,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') {
    throw new Error(`${c.id}: the simulation did not run: ${result.errors.message} ${JSON.stringify(result.errors)}`);
  }
  const ignored = result.resultType === 'single'
    ? result.result.ignoredContextKeys ?? []
    : [...new Set(result.results.flatMap((r) => r.ignoredContextKeys ?? []))];
  return { decision: result.overallResult as Decision, ignoredContextKeys: ignored, simulation };
}
