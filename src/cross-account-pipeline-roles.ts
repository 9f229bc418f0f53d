import { Aws, CfnOutput, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ICicdArtifactStore } from './cicd-artifact-store';
import { CdkBootstrapCompatibility } from './cicd-stack-synthesizer';
import { addCdkAssetReads, addCdkBootstrapContract, checkCdkAssetsProps } from './private/bootstrap-contract';
import { baselineRoleArns, boundaryDocument, containmentStatements, MANAGED_POLICY_QUOTA, managedPolicyArn } from './private/boundary';
import { buildRoleName, cloudFormationRoleName, crossAccountRoleName, DEFAULT_ROLE_NAME_PREFIX, permissionsBoundaryName } from './private/naming';
import { checkTrustPolicySize, deployedPolicySize } from './private/policy-size';
import {
  ACCOUNT_ID_RULE,
  isAccountId,
  isManagedPolicyArn,
  isRoleName,
  isToken,
  principalArnAccount,
  PropErrors,
} from './private/validation';

/**
 * Properties of `CrossAccountPipelineRoles`.
 */
export interface CrossAccountPipelineRolesProps {
  /**
   * The ID of the CICD account, whose pipelines assume the cross-account role.
   * May be the account the roles are in (single-account mode).
   */
  readonly cicdAccountId: string;

  /**
   * The artifact store of the CICD account: the `CicdArtifactStore` itself (from another
   * stack of the same app) or one imported with `CicdArtifactStore.fromArtifactStoreAttributes`.
   * All three roles may read its artifacts and templates and decrypt with its key; the
   * cross-account and build roles may also write artifacts when `canWriteArtifacts` is true.
   */
  readonly artifactStore: ICicdArtifactStore;

  /**
   * Only these principals of the CICD account may assume the cross-account role, such as
   * the pipelines' roles (`arn:aws:iam::111111111111:role/my-pipeline-role`). Tested with
   * `aws:PrincipalArn`, so they need not exist yet.
   *
   * @default - any principal of the CICD account whose own IAM policies allow it
   */
  readonly trustedPrincipalArns?: string[];

  /**
   * Your own permissions boundary, instead of the baseline's. It is applied to all three
   * roles, and the CloudFormation role may create roles and users only when they carry it,
   * may not remove it from any role or user, and may not change it.
   *
   * The library cannot read a boundary it did not create: roles created through the
   * CloudFormation role are held only by what your boundary denies. Copy the denies of the
   * baseline's boundary into it (see the README) to keep the same containment.
   *
   * @default - the baseline's own boundary, a managed policy named
   * `PREFIX-permissions-boundary` (see `permissionsBoundaryName`), on the CloudFormation and
   * build roles and required on every role or user the CloudFormation role creates
   */
  readonly permissionsBoundary?: iam.IManagedPolicy;

  /**
   * Opt out of every permissions boundary. The CloudFormation role is then
   * administrator-equivalent: a template can create a role with any permission and run code
   * as it. Only its own guardrails (no change to, or passing of, the baseline's roles) remain.
   *
   * @default false
   */
  readonly withoutPermissionsBoundary?: boolean;

  /**
   * Further roles of this account that the CloudFormation role, the build role and every
   * role created under the boundary must neither change, pass nor assume, by name, at any
   * path; `*` and `?` are wildcards. List here a `CrossReadOnlyRole` with a custom
   * `roleName`, and any role that CloudFormation or a compute service trusts and that holds
   * more than the boundary allows (for instance the CDK bootstrap's `cdk-*` roles).
   *
   * @default - only the roles whose names start with `PREFIX-`
   */
  readonly protectedRoleNames?: string[];

  /**
   * Whether the cross-account and build roles may also write artifacts (and encrypt with the
   * store's key), for pipelines whose cross-account actions produce output artifacts. The
   * store must admit this target as a writer too (`TargetAccount.canWriteArtifacts`).
   *
   * @default false - the roles read artifacts and templates; the CICD account writes them
   */
  readonly canWriteArtifacts?: boolean;

  /**
   * The prefix of the role names: `PREFIX-cross-account`, `PREFIX-cloudformation` and
   * `PREFIX-build`. Role names are global to the account: use one prefix per set of roles.
   *
   * @default 'cicd'
   */
  readonly roleNamePrefix?: string;

  /**
   * The managed policies of the CloudFormation execution role, which define what the
   * pipelines can deploy.
   *
   * The default is AWS managed `PowerUserAccess` (everything but IAM, Organizations and
   * Account). IAM role and policy management is added beside them, whatever they are, unless
   * `cloudFormationIamManagement` is false. Narrow them to the services your stacks use.
   *
   * @default - `PowerUserAccess`
   */
  readonly cloudFormationManagedPolicies?: iam.IManagedPolicy[];

  /**
   * Whether the CloudFormation role may manage the roles and policies of the stacks it
   * deploys (create roles carrying the boundary, attach and put their policies, pass them),
   * beside `cloudFormationManagedPolicies`. Turn it off for stacks that create no role.
   *
   * @default true
   */
  readonly cloudFormationIamManagement?: boolean;

  /**
   * Only stacks whose names start with this prefix may be created, updated or deleted
   * through the cross-account role.
   *
   * @default - any stack of the account
   */
  readonly stackNamePrefix?: string;

  /**
   * Let the cross-account role (which CloudFormation reads a `TemplateURL` with) and the
   * CloudFormation role (which Lambda reads code assets with) read this account's CDK assets:
   * the objects under `ACCOUNTID/` of the store's central assets buckets
   * (`CicdArtifactStore` `cdkAssets`), in every region, for stacks synthesized with
   * `CicdStackSynthesizer`.
   *
   * @default - true with `cdkBootstrapCompatibility`, false otherwise
   */
  readonly cdkAssets?: boolean;

  /**
   * The store's `assetsBucketPrefix`. Only with `cdkAssets` or `cdkBootstrapCompatibility`.
   *
   * @default 'cicd-assets'
   */
  readonly assetsBucketPrefix?: string;

  /**
   * Make this account look bootstrapped to the CDK CLI and CDK Pipelines, for stacks
   * synthesized with `CicdStackSynthesizer` and the same `cdkBootstrapCompatibility`: the SSM
   * parameter `/cdk-bootstrap/QUALIFIER/version`, the tag `aws-cdk:bootstrap-role` = `deploy`
   * on the cross-account role, which may read that parameter and the account's CDK assets
   * (`cdkAssets`). Nothing else is widened; no `cdk bootstrap` is needed. Give the read-only
   * role the same setting (`CrossReadOnlyRole` `cdkBootstrapCompatibility`).
   *
   * @default - not bootstrap-compatible: use `CicdStackSynthesizer` without
   * `cdkBootstrapCompatibility`, which requires no bootstrap version
   */
  readonly cdkBootstrapCompatibility?: CdkBootstrapCompatibility;
}

const DEFAULT_PREFIX = DEFAULT_ROLE_NAME_PREFIX;
const STACK_NAME_PREFIX = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const ROLE_NAME_PATTERN = /^[\w+=,.@*?-]{1,64}$/;

/**
 * The roles a target account gives the pipelines of the CICD account.
 *
 * - The **cross-account role** is assumed by the pipelines. It may only drive
 *   CloudFormation and CodeBuild, read artifacts and templates (and write artifacts with
 *   `canWriteArtifacts`), and pass the CloudFormation role to CloudFormation.
 * - The **CloudFormation role** is the powerful execution role; only the CloudFormation
 *   service, acting for this account, may assume it. It is held by the baseline's
 *   permissions boundary, which every role or user it creates must carry too, and which keeps
 *   them all off the baseline's roles and off the boundary itself.
 * - The **build role** serves CodeBuild projects and Lambda functions of this account,
 *   reaches the artifact store, and is held by the same boundary.
 *
 * Names are deterministic, so that the CICD account can refer to the roles before they exist.
 *
 * @example
 *
 * const store = CicdArtifactStore.fromArtifactStoreAttributes(this, 'Store', {
 *   keyArn: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
 *   artifactsBucketName: 'cicd-artifacts-111111111111-eu-west-1',
 *   templatesBucketName: 'cicd-templates-111111111111-eu-west-1',
 * });
 * new CrossAccountPipelineRoles(this, 'PipelineRoles', {
 *   cicdAccountId: '111111111111',
 *   artifactStore: store,
 * });
 */
export class CrossAccountPipelineRoles extends Construct {
  /**
   * The name of the cross-account role for a prefix.
   *
   * @param roleNamePrefix the prefix given to `CrossAccountPipelineRoles`
   */
  public static crossAccountRoleName(roleNamePrefix: string = DEFAULT_PREFIX): string {
    return crossAccountRoleName(roleNamePrefix);
  }

  /**
   * The name of the CloudFormation execution role for a prefix.
   *
   * @param roleNamePrefix the prefix given to `CrossAccountPipelineRoles`
   */
  public static cloudFormationRoleName(roleNamePrefix: string = DEFAULT_PREFIX): string {
    return cloudFormationRoleName(roleNamePrefix);
  }

  /**
   * The name of the build role for a prefix.
   *
   * @param roleNamePrefix the prefix given to `CrossAccountPipelineRoles`
   */
  public static buildRoleName(roleNamePrefix: string = DEFAULT_PREFIX): string {
    return buildRoleName(roleNamePrefix);
  }

  /**
   * The name of the baseline's permissions boundary (a managed policy) for a prefix. An
   * application's CDK app attaches it to the roles it creates with
   * `PermissionsBoundary.of(app).apply(iam.ManagedPolicy.fromManagedPolicyName(app, 'Boundary', name))`
   * or the context `@aws-cdk/core:permissionsBoundary` = `{ "name": name }`.
   *
   * @param roleNamePrefix the prefix given to `CrossAccountPipelineRoles`
   */
  public static permissionsBoundaryName(roleNamePrefix: string = DEFAULT_PREFIX): string {
    return permissionsBoundaryName(roleNamePrefix);
  }

  /**
   * The permissions boundary in effect: the baseline's own, or the one given.
   *
   * @default - none, with `withoutPermissionsBoundary`
   */
  public readonly permissionsBoundary?: iam.IManagedPolicy;

  /**
   * The role the CICD account's pipelines assume. Like every role of the baseline (and
   * `CrossReadOnlyRole.role`), its name and ARN are `roleName` and `roleArn` of the role.
   */
  public readonly crossAccountRole: iam.IRole;

  /** The CloudFormation execution role. */
  public readonly cloudFormationRole: iam.IRole;

  /** The role of CodeBuild projects and Lambda functions. */
  public readonly buildRole: iam.IRole;

  /** The unique ID (`AROA…`) of the cross-account role, known after deploying. */
  public readonly crossAccountRoleId: string;

  /** The unique ID of the CloudFormation execution role, known after deploying. */
  public readonly cloudFormationRoleId: string;

  /** The unique ID of the build role, known after deploying. */
  public readonly buildRoleId: string;

  /**
   * @param scope the parent construct
   * @param id the construct's ID, unique among its siblings
   * @param props the CICD account, the artifact store and the roles' settings
   */
  constructor(scope: Construct, id: string, props: CrossAccountPipelineRolesProps) {
    validate(props, scope, id);
    super(scope, id);

    const prefix = props.roleNamePrefix ?? DEFAULT_PREFIX;
    // Every role named with the prefix belongs to the baseline: these three, and the
    // read-only role under its default name (`cicd-read-only` beside the default prefix).
    const baselineRoles = baselineRoleArns(prefix, props.protectedRoleNames);
    const boundary = props.permissionsBoundary
      ?? (props.withoutPermissionsBoundary ? undefined : this.createBoundary(prefix, baselineRoles));
    this.permissionsBoundary = boundary;

    // The order of the steps is the order of the resources and statements in the template.
    const cloudFormationRole = this.createCloudFormationRole(prefix, boundary, props.cloudFormationManagedPolicies);
    const crossAccountRole = this.createCrossAccountRole(prefix, props);
    const buildRole = this.createBuildRole(prefix, boundary);

    this.attachCloudFormationPolicies(cloudFormationRole, baselineRoles, boundary, props.cloudFormationIamManagement ?? true);
    this.attachCrossAccountPolicy(crossAccountRole, cloudFormationRole, props.stackNamePrefix);
    const writeArtifacts = props.canWriteArtifacts ?? false;
    this.grantStore(props.artifactStore, crossAccountRole, writeArtifacts);
    this.grantStore(props.artifactStore, cloudFormationRole, false);
    this.attachBuildPolicy(buildRole, baselineRoles);
    this.grantStore(props.artifactStore, buildRole, writeArtifacts);
    // Images of the store: builds pull base images; CloudFormation reads the image of a Lambda
    // function it creates or updates (Lambda checks the caller's ECR permissions).
    props.artifactStore.grantPull(buildRole);
    props.artifactStore.grantPull(cloudFormationRole);
    if (props.cdkAssets ?? props.cdkBootstrapCompatibility !== undefined) {
      addCdkAssetReads(this, [crossAccountRole, cloudFormationRole], props.cicdAccountId, props.assetsBucketPrefix);
    }
    if (props.cdkBootstrapCompatibility) {
      addCdkBootstrapContract(this, crossAccountRole, props.cdkBootstrapCompatibility, stackArnPattern(props.stackNamePrefix));
    }

    this.crossAccountRole = crossAccountRole;
    this.cloudFormationRole = cloudFormationRole;
    this.buildRole = buildRole;
    this.crossAccountRoleId = (crossAccountRole.node.defaultChild as iam.CfnRole).attrRoleId;
    this.cloudFormationRoleId = (cloudFormationRole.node.defaultChild as iam.CfnRole).attrRoleId;
    this.buildRoleId = (buildRole.node.defaultChild as iam.CfnRole).attrRoleId;
    this.addOutputs(boundary);

    this.node.addValidation({ validate: () => this.validateTrustPolicySizes([crossAccountRole, cloudFormationRole, buildRole]) });
  }

  /**
   * The CloudFormation execution role: only CloudFormation, acting for this account.
   * CloudFormation's service-role page documents no condition key, so aws:SourceAccount is
   * checked when it is sent (IfExists): a call that sends none still works, a call made for
   * another account is refused.
   */
  private createCloudFormationRole(prefix: string, boundary: iam.IManagedPolicy | undefined,
    managedPolicies: iam.IManagedPolicy[] | undefined): iam.Role {
    return new iam.Role(this, 'CloudFormationRole', {
      roleName: CrossAccountPipelineRoles.cloudFormationRoleName(prefix),
      description: 'Execution role of CloudFormation for stacks deployed by the CICD account pipelines',
      assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com', {
        conditions: { StringEqualsIfExists: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      permissionsBoundary: boundary,
      managedPolicies: managedPolicies ?? [iam.ManagedPolicy.fromAwsManagedPolicyName('PowerUserAccess')],
    });
  }

  /**
   * The cross-account role: assumed by the CICD account over TLS. Only a `permissionsBoundary`
   * given in the props holds it: the baseline's boundary forbids passing the baseline's roles,
   * and this role passes the CloudFormation role to CloudFormation.
   */
  private createCrossAccountRole(prefix: string, props: CrossAccountPipelineRolesProps): iam.Role {
    const trustConditions: Record<string, unknown> = { Bool: { 'aws:SecureTransport': 'true' } };
    if (props.trustedPrincipalArns) {
      trustConditions.ArnEquals = { 'aws:PrincipalArn': props.trustedPrincipalArns };
    }
    return new iam.Role(this, 'CrossAccountRole', {
      roleName: CrossAccountPipelineRoles.crossAccountRoleName(prefix),
      description: `Assumed by the pipelines of the CICD account ${props.cicdAccountId} to deploy into this account`,
      assumedBy: new iam.PrincipalWithConditions(new iam.AccountPrincipal(props.cicdAccountId), trustConditions),
      permissionsBoundary: props.permissionsBoundary,
    });
  }

  /**
   * The build role: CodeBuild projects and Lambda functions of this account. CodeBuild
   * documents aws:SourceAccount for its service role's trust; Lambda's execution-role page
   * documents no condition key, so Lambda's statement checks it only when it is sent (IfExists).
   */
  private createBuildRole(prefix: string, boundary: iam.IManagedPolicy | undefined): iam.Role {
    const buildRole = new iam.Role(this, 'BuildRole', {
      roleName: CrossAccountPipelineRoles.buildRoleName(prefix),
      description: 'Role of CodeBuild projects and Lambda functions that use the CICD artifact store',
      assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      permissionsBoundary: boundary,
    });
    buildRole.assumeRolePolicy!.addStatements(new iam.PolicyStatement({
      actions: ['sts:AssumeRole'],
      principals: [new iam.ServicePrincipal('lambda.amazonaws.com')],
      conditions: { StringEqualsIfExists: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }));
    return buildRole;
  }

  /**
   * The CloudFormation role's IAM management (unless turned off) and its guardrails: no
   * change to, or passing of, the baseline's roles, and new roles carry the boundary.
   */
  private attachCloudFormationPolicies(cloudFormationRole: iam.Role, baselineRoles: string[],
    boundary: iam.IManagedPolicy | undefined, iamManagement: boolean): void {
    if (iamManagement) {
      cloudFormationRole.attachInlinePolicy(new iam.Policy(this, 'CloudFormationIamPolicy', {
        document: iamManagementPolicy(boundary),
      }));
    }
    cloudFormationRole.attachInlinePolicy(new iam.Policy(this, 'CloudFormationGuardrails', {
      document: new iam.PolicyDocument({ statements: containmentStatements(baselineRoles, boundary?.managedPolicyArn) }),
    }));
  }

  /** What the cross-account role may do: drive the stacks and builds, pass the CloudFormation role. */
  private attachCrossAccountPolicy(crossAccountRole: iam.Role, cloudFormationRole: iam.Role, stackNamePrefix: string | undefined): void {
    const stackArn = stackArnPattern(stackNamePrefix);
    crossAccountRole.attachInlinePolicy(new iam.Policy(this, 'CrossAccountPolicy', {
      statements: crossAccountStatements(stackArn, cloudFormationRole.roleArn),
    }));
  }

  /** What the build role may do beside reaching the store: logs, VPC, stack reads, reports. */
  private attachBuildPolicy(buildRole: iam.Role, baselineRoles: string[]): void {
    buildRole.attachInlinePolicy(new iam.Policy(this, 'BuildPolicy', {
      statements: buildStatements(baselineRoles),
    }));
  }

  /** Lets a role read the store's artifacts and templates, and write artifacts if `write`. */
  private grantStore(store: ICicdArtifactStore, role: iam.Role, write: boolean): void {
    if (write) {
      store.grantReadWrite(role);
    } else {
      store.grantRead(role);
    }
  }

  /** The names, ARNs and unique IDs of the roles, and the boundary's ARN, as stack outputs. */
  private addOutputs(boundary: iam.IManagedPolicy | undefined): void {
    const outputs: Array<[string, iam.IRole, string]> = [
      ['CrossAccountRole', this.crossAccountRole, this.crossAccountRoleId],
      ['CloudFormationRole', this.cloudFormationRole, this.cloudFormationRoleId],
      ['BuildRole', this.buildRole, this.buildRoleId],
    ];
    for (const [name, role, roleId] of outputs) {
      new CfnOutput(this, `${name}Name`, { value: role.roleName, description: `Name of the ${name}` });
      new CfnOutput(this, `${name}Arn`, { value: role.roleArn, description: `ARN of the ${name}` });
      new CfnOutput(this, `${name}Id`, { value: roleId, description: `Unique ID of the ${name}` });
    }
    if (boundary) {
      new CfnOutput(this, 'PermissionsBoundaryArn', { value: boundary.managedPolicyArn, description: 'ARN of the permissions boundary of the roles the pipelines deploy' });
    }
  }

  private validateTrustPolicySizes(roles: iam.Role[]): string[] {
    return roles
      .map((role) => checkTrustPolicySize(this, role.node.path, role.assumeRolePolicy,
        'List fewer trustedPrincipalArns (a wildcard such as role/pipeline-* covers several roles).'))
      .filter((e): e is string => e !== undefined);
  }

  /** The baseline's boundary, measured against the managed-policy quota at synth. */
  private createBoundary(prefix: string, baselineRoles: string[]): iam.IManagedPolicy {
    const name = CrossAccountPipelineRoles.permissionsBoundaryName(prefix);
    const document = boundaryDocument(baselineRoles, managedPolicyArn(name));
    const policy = new iam.ManagedPolicy(this, 'PermissionsBoundary', {
      managedPolicyName: name,
      description: 'Permissions boundary of the CICD baseline: keeps roles off the baseline\'s roles and this boundary',
      document,
    });
    this.node.addValidation({
      validate: () => {
        const bytes = deployedPolicySize(this, document);
        return bytes > MANAGED_POLICY_QUOTA
          ? [`The permissions boundary ${this.node.path}/PermissionsBoundary is ${bytes} characters (whitespace removed), over the IAM quota of `
            + `${MANAGED_POLICY_QUOTA} for a managed policy. List fewer protectedRoleNames, or use wildcards such as "cdk-*".`]
          : [];
      },
    });
    return policy;
  }
}

/** The stacks the cross-account role may deploy: every stack of this account, or those whose names start with the prefix. */
function stackArnPattern(stackNamePrefix: string | undefined): string {
  return `arn:${Aws.PARTITION}:cloudformation:*:${Aws.ACCOUNT_ID}:stack/${stackNamePrefix ?? ''}*`;
}

/** What the cross-account role does to the stacks it deploys. */
const DEPLOY_STACK_ACTIONS = [
  'cloudformation:CreateStack',
  'cloudformation:UpdateStack',
  'cloudformation:DeleteStack',
  'cloudformation:DescribeStacks',
  'cloudformation:DescribeStackEvents',
  'cloudformation:DescribeStackResource',
  'cloudformation:DescribeStackResources',
  'cloudformation:GetTemplate',
  'cloudformation:GetStackPolicy',
  'cloudformation:SetStackPolicy',
  'cloudformation:CreateChangeSet',
  'cloudformation:DescribeChangeSet',
  'cloudformation:ExecuteChangeSet',
  'cloudformation:DeleteChangeSet',
  'cloudformation:ListChangeSets',
];

/** What CodeBuild and Lambda need to run in a VPC. */
const VPC_NETWORK_INTERFACE_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DeleteNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
  'ec2:DescribeSubnets',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeDhcpOptions',
  'ec2:DescribeVpcs',
  'ec2:DescribeAvailabilityZones',
  'ec2:DescribeRegions',
];

/** What a build reads of the account's stacks (outputs, resources, exports). */
const READ_STACK_ACTIONS = [
  'cloudformation:DescribeStacks',
  'cloudformation:DescribeStackResource',
  'cloudformation:DescribeStackResources',
  'cloudformation:ListStackResources',
  'cloudformation:ListExports',
];

/** What a build needs to publish test and coverage reports. */
const BUILD_REPORT_ACTIONS = [
  'codebuild:CreateReportGroup',
  'codebuild:CreateReport',
  'codebuild:UpdateReport',
  'codebuild:BatchPutTestCases',
  'codebuild:BatchPutCodeCoverages',
];

/** The statements of the cross-account role's policy. */
function crossAccountStatements(stackArn: string, cloudFormationRoleArn: string): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'DeployStacks',
      actions: DEPLOY_STACK_ACTIONS,
      resources: [stackArn],
    }),
    new iam.PolicyStatement({
      sid: 'ValidateTemplates',
      actions: ['cloudformation:ValidateTemplate', 'cloudformation:GetTemplateSummary'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'RunBuilds',
      actions: ['codebuild:StartBuild', 'codebuild:StopBuild', 'codebuild:BatchGetBuilds'],
      resources: [`arn:${Aws.PARTITION}:codebuild:*:${Aws.ACCOUNT_ID}:project/*`],
    }),
    new iam.PolicyStatement({
      sid: 'PassCloudFormationRoleToCloudFormation',
      actions: ['iam:PassRole'],
      resources: [cloudFormationRoleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
    }),
  ];
}

/** The statements of the build role's policy. */
function buildStatements(baselineRoles: string[]): iam.PolicyStatement[] {
  const partition = Aws.PARTITION;
  const account = Aws.ACCOUNT_ID;
  return [
    new iam.PolicyStatement({
      sid: 'WriteLogs',
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [`arn:${partition}:logs:*:${account}:log-group:*`],
    }),
    new iam.PolicyStatement({
      sid: 'UseVpcNetworkInterfaces',
      actions: VPC_NETWORK_INTERFACE_ACTIONS,
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'LetCodeBuildUseNetworkInterfaces',
      actions: ['ec2:CreateNetworkInterfacePermission'],
      resources: [`arn:${partition}:ec2:*:${account}:network-interface/*`],
      conditions: { StringEquals: { 'ec2:AuthorizedService': 'codebuild.amazonaws.com' } },
    }),
    new iam.PolicyStatement({
      sid: 'ReadStacks',
      actions: READ_STACK_ACTIONS,
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'WriteBuildReports',
      actions: BUILD_REPORT_ACTIONS,
      resources: [`arn:${partition}:codebuild:*:${account}:report-group/*`],
    }),
    new iam.PolicyStatement({
      sid: 'NeverPassBaselineRoles',
      effect: iam.Effect.DENY,
      actions: ['iam:PassRole'],
      resources: baselineRoles,
    }),
  ];
}

/**
 * The IAM actions that `PowerUserAccess` lacks and CloudFormation needs to manage the roles
 * and policies of the stacks it deploys. With a permissions boundary, new roles must carry it.
 */
function iamManagementPolicy(boundary: iam.IManagedPolicy | undefined): iam.PolicyDocument {
  const statements = [
    new iam.PolicyStatement({
      sid: 'ManageRolesAndPolicies',
      actions: [
        'iam:AttachRolePolicy',
        'iam:DetachRolePolicy',
        'iam:PutRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:GetRole',
        'iam:GetRolePolicy',
        'iam:ListRolePolicies',
        'iam:ListAttachedRolePolicies',
        'iam:DeleteRole',
        'iam:UpdateRole',
        'iam:UpdateRoleDescription',
        'iam:UpdateAssumeRolePolicy',
        'iam:TagRole',
        'iam:UntagRole',
        'iam:PassRole',
        'iam:CreateServiceLinkedRole',
        'iam:CreateInstanceProfile',
        'iam:DeleteInstanceProfile',
        'iam:GetInstanceProfile',
        'iam:AddRoleToInstanceProfile',
        'iam:RemoveRoleFromInstanceProfile',
        'iam:CreatePolicy',
        'iam:DeletePolicy',
        'iam:CreatePolicyVersion',
        'iam:DeletePolicyVersion',
        'iam:GetPolicy',
        'iam:GetPolicyVersion',
        'iam:ListPolicyVersions',
        'iam:TagPolicy',
        'iam:UntagPolicy',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'CreateRoles',
      actions: ['iam:CreateRole', 'iam:PutRolePermissionsBoundary'],
      resources: ['*'],
      conditions: boundary ? { StringEquals: { 'iam:PermissionsBoundary': boundary.managedPolicyArn } } : undefined,
    }),
  ];
  return new iam.PolicyDocument({ statements });
}

function validate(props: CrossAccountPipelineRolesProps, scope: Construct, id: string): void {
  const errors = new PropErrors('CrossAccountPipelineRoles', scope, id);
  validateTrust(errors, props);
  validateRoleNamePrefix(errors, props.roleNamePrefix);
  validateContainment(errors, props);
  validateCloudFormation(errors, props);
  validateStore(errors, props);
  checkCdkAssetsProps(errors, props);
  errors.throwIfAny();
}

/** `cicdAccountId` and `trustedPrincipalArns`: who may assume the cross-account role. */
function validateTrust(errors: PropErrors, props: CrossAccountPipelineRolesProps): void {
  const cicd = props.cicdAccountId;
  if (!(typeof cicd === 'string' && isToken(cicd)) && !isAccountId(cicd)) {
    errors.add('cicdAccountId', cicd, ACCOUNT_ID_RULE);
  }
  if (props.trustedPrincipalArns === undefined) {
    return;
  }
  if (props.trustedPrincipalArns.length === 0) {
    errors.add('trustedPrincipalArns', props.trustedPrincipalArns, 'allowed: at least one principal ARN; omit trustedPrincipalArns to trust the CICD account');
  }
  props.trustedPrincipalArns.forEach((arn, i) => {
    if (isToken(arn)) {
      return;
    }
    const account = typeof arn === 'string' ? principalArnAccount(arn) : undefined;
    if (typeof arn === 'string' && arn.includes(':assumed-role/')) {
      errors.add(`trustedPrincipalArns[${i}]`, arn, 'allowed: the role\'s ARN ("arn:aws:iam::ACCOUNT:role/NAME"); aws:PrincipalArn never holds a session ARN');
    } else if (account === undefined) {
      errors.add(`trustedPrincipalArns[${i}]`, arn, 'allowed: an IAM role, user or root ARN of the CICD account, such as "arn:aws:iam::111111111111:role/my-pipeline-role"');
    } else if (isAccountId(cicd) && account !== cicd) {
      errors.add(`trustedPrincipalArns[${i}]`, arn, `allowed: a principal of the CICD account ${cicd}`);
    }
  });
}

/** `roleNamePrefix`: the longest role name it makes must be a role name. */
function validateRoleNamePrefix(errors: PropErrors, prefix: string | undefined): void {
  if (prefix === undefined) {
    return;
  }
  const longest = CrossAccountPipelineRoles.crossAccountRoleName(typeof prefix === 'string' ? prefix : '');
  if (isToken(prefix) || !isRoleName(longest)) {
    errors.add('roleNamePrefix', prefix,
      `allowed: letters, digits and "+=,.@_-", at most ${64 - crossAccountRoleName('').length} characters, so that "${CrossAccountPipelineRoles.crossAccountRoleName('PREFIX')}" stays within the 64 characters of a role name`);
  }
}

/** `withoutPermissionsBoundary`, `protectedRoleNames` and `permissionsBoundary`. */
function validateContainment(errors: PropErrors, props: CrossAccountPipelineRolesProps): void {
  if (props.withoutPermissionsBoundary && props.permissionsBoundary) {
    errors.add('withoutPermissionsBoundary', props.withoutPermissionsBoundary, 'allowed: false or omitted when permissionsBoundary is given (give one or the other)');
  }
  if (props.protectedRoleNames !== undefined) {
    if (props.protectedRoleNames.length === 0) {
      errors.add('protectedRoleNames', props.protectedRoleNames, 'allowed: at least one role name; omit protectedRoleNames to protect the PREFIX-* roles only');
    }
    props.protectedRoleNames.forEach((name, i) => {
      if (typeof name !== 'string' || (!isToken(name) && !ROLE_NAME_PATTERN.test(name))) {
        errors.add(`protectedRoleNames[${i}]`, name, 'allowed: an IAM role name (letters, digits and "+=,.@_-", at most 64), with "*" and "?" as wildcards, such as "inventory-read-only" or "cdk-*"');
      }
    });
  }
  const boundaryArn = props.permissionsBoundary?.managedPolicyArn;
  if (boundaryArn !== undefined && !isToken(boundaryArn) && !isManagedPolicyArn(boundaryArn)) {
    errors.add('permissionsBoundary', boundaryArn, 'allowed: a managed policy, such as iam.ManagedPolicy.fromManagedPolicyName(this, "Boundary", "my-boundary")');
  }
}

/** `cloudFormationManagedPolicies` and `stackNamePrefix`: what the pipelines may deploy. */
function validateCloudFormation(errors: PropErrors, props: CrossAccountPipelineRolesProps): void {
  if (props.cloudFormationManagedPolicies !== undefined) {
    if (props.cloudFormationManagedPolicies.length === 0) {
      errors.add('cloudFormationManagedPolicies', [], 'allowed: at least one managed policy; omit it for the default');
    }
    if (props.cloudFormationManagedPolicies.length > 10) {
      errors.add('cloudFormationManagedPolicies', `${props.cloudFormationManagedPolicies.length} policies`, 'allowed: at most 10 managed policies (the IAM quota per role)');
    }
    props.cloudFormationManagedPolicies.forEach((p, i) => {
      const arn = p.managedPolicyArn;
      if (!isToken(arn) && !isManagedPolicyArn(arn)) {
        errors.add(`cloudFormationManagedPolicies[${i}]`, arn, 'allowed: a managed policy ARN');
      }
    });
  }
  if (props.stackNamePrefix !== undefined && (isToken(props.stackNamePrefix) || !STACK_NAME_PREFIX.test(props.stackNamePrefix))) {
    errors.add('stackNamePrefix', props.stackNamePrefix, 'allowed: 1 to 128 letters, digits and hyphens, starting with a letter (CloudFormation stack names)');
  }
}

/** `artifactStore`: a store, created or imported, knows the CICD account's environment where it is known at synth. */
function validateStore(errors: PropErrors, props: CrossAccountPipelineRolesProps): void {
  const cicd = props.cicdAccountId;
  const store = props.artifactStore;
  const storeAccount = store.env.account;
  if (!Token.isUnresolved(storeAccount) && isAccountId(cicd) && storeAccount !== cicd) {
    errors.add('artifactStore', store.node.path, `allowed: the store of the CICD account ${cicd} (this store is in account ${storeAccount})`);
  }
}
