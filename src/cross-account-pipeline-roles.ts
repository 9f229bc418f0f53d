import { Aws, CfnOutput, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ICicdArtifactStore } from './cicd-artifact-store';
import { buildRoleName, cloudFormationRoleName, crossAccountRoleName, DEFAULT_ROLE_NAME_PREFIX } from './private/naming';
import { checkTrustPolicySize } from './private/policy-size';
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
   * The cross-account and build roles may read and write its artifacts and read its
   * templates; the CloudFormation role may read both.
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
   * A permissions boundary applied to all three roles. When given, the CloudFormation role
   * may only create roles that carry the same boundary.
   *
   * @default - no permissions boundary
   */
  readonly permissionsBoundary?: iam.IManagedPolicy;

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
   * The default is powerful: AWS managed `PowerUserAccess` (everything but IAM,
   * Organizations and Account) plus the IAM actions needed to manage roles and policies,
   * which together can create a role with any permission. Narrow it to the services your
   * stacks use, and give a `permissionsBoundary`.
   *
   * @default - `PowerUserAccess` plus IAM role and policy management
   */
  readonly cloudFormationManagedPolicies?: iam.IManagedPolicy[];

  /**
   * Only stacks whose names start with this prefix may be created, updated or deleted
   * through the cross-account role.
   *
   * @default - any stack of the account
   */
  readonly stackNamePrefix?: string;
}

const DEFAULT_PREFIX = DEFAULT_ROLE_NAME_PREFIX;
const STACK_NAME_PREFIX = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/**
 * The roles a target account gives the pipelines of the CICD account.
 *
 * - The **cross-account role** is assumed by the pipelines. It may only drive
 *   CloudFormation and CodeBuild, read and write artifacts, read templates, and pass the
 *   CloudFormation role to CloudFormation.
 * - The **CloudFormation role** is the powerful execution role; only the CloudFormation
 *   service, acting for this account, may assume it.
 * - The **build role** serves CodeBuild projects and Lambda functions of this account, and
 *   reaches the artifact store.
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
    const boundary = props.permissionsBoundary;
    const account = Aws.ACCOUNT_ID;
    const partition = Aws.PARTITION;

    // CloudFormation execution role: only CloudFormation, acting for this account. CloudFormation's
    // service-role page documents no condition key, so aws:SourceAccount is checked when it is sent
    // (IfExists): a call that sends none still works, a call made for another account is refused.
    const cloudFormationRole = new iam.Role(this, 'CloudFormationRole', {
      roleName: CrossAccountPipelineRoles.cloudFormationRoleName(prefix),
      description: 'Execution role of CloudFormation for stacks deployed by the CICD account pipelines',
      assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com', {
        conditions: { StringEqualsIfExists: { 'aws:SourceAccount': account } },
      }),
      permissionsBoundary: boundary,
      managedPolicies: props.cloudFormationManagedPolicies ?? [iam.ManagedPolicy.fromAwsManagedPolicyName('PowerUserAccess')],
    });

    // Cross-account role: assumed by the CICD account over TLS.
    const trustConditions: Record<string, unknown> = { Bool: { 'aws:SecureTransport': 'true' } };
    if (props.trustedPrincipalArns) {
      trustConditions.ArnEquals = { 'aws:PrincipalArn': props.trustedPrincipalArns };
    }
    const crossAccountRole = new iam.Role(this, 'CrossAccountRole', {
      roleName: CrossAccountPipelineRoles.crossAccountRoleName(prefix),
      description: `Assumed by the pipelines of the CICD account ${props.cicdAccountId} to deploy into this account`,
      assumedBy: new iam.PrincipalWithConditions(new iam.AccountPrincipal(props.cicdAccountId), trustConditions),
      permissionsBoundary: boundary,
    });

    // Build role: CodeBuild projects and Lambda functions of this account. CodeBuild documents
    // aws:SourceAccount for its service role's trust; Lambda's execution-role page documents no
    // condition key, so Lambda's statement checks it only when it is sent (IfExists).
    const buildRole = new iam.Role(this, 'BuildRole', {
      roleName: CrossAccountPipelineRoles.buildRoleName(prefix),
      description: 'Role of CodeBuild projects and Lambda functions that use the CICD artifact store',
      assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
      permissionsBoundary: boundary,
    });
    buildRole.assumeRolePolicy!.addStatements(new iam.PolicyStatement({
      actions: ['sts:AssumeRole'],
      principals: [new iam.ServicePrincipal('lambda.amazonaws.com')],
      conditions: { StringEqualsIfExists: { 'aws:SourceAccount': account } },
    }));

    // Every role named with the prefix belongs to the baseline: these three, and the
    // read-only role under its default name (`cicd-read-only` beside the default prefix).
    const baselineRoles = [`arn:${partition}:iam::${account}:role/${prefix}-*`];
    if (!props.cloudFormationManagedPolicies) {
      cloudFormationRole.attachInlinePolicy(new iam.Policy(this, 'CloudFormationIamPolicy', {
        document: iamManagementPolicy(boundary),
      }));
    }
    cloudFormationRole.attachInlinePolicy(new iam.Policy(this, 'CloudFormationGuardrails', {
      document: guardrailsPolicy(boundary, baselineRoles),
    }));

    const stackArn = `arn:${partition}:cloudformation:*:${account}:stack/${props.stackNamePrefix ?? ''}*`;
    crossAccountRole.attachInlinePolicy(new iam.Policy(this, 'CrossAccountPolicy', {
      statements: [
        new iam.PolicyStatement({
          sid: 'DeployStacks',
          actions: [
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
          ],
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
          resources: [`arn:${partition}:codebuild:*:${account}:project/*`],
        }),
        new iam.PolicyStatement({
          sid: 'PassCloudFormationRoleToCloudFormation',
          actions: ['iam:PassRole'],
          resources: [cloudFormationRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
        }),
      ],
    }));
    props.artifactStore.grantReadWrite(crossAccountRole);
    props.artifactStore.grantRead(cloudFormationRole);

    buildRole.attachInlinePolicy(new iam.Policy(this, 'BuildPolicy', {
      statements: [
        new iam.PolicyStatement({
          sid: 'WriteLogs',
          actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [`arn:${partition}:logs:*:${account}:log-group:*`],
        }),
        new iam.PolicyStatement({
          sid: 'UseVpcNetworkInterfaces',
          actions: [
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
          ],
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
          actions: [
            'cloudformation:DescribeStacks',
            'cloudformation:DescribeStackResource',
            'cloudformation:DescribeStackResources',
            'cloudformation:ListStackResources',
            'cloudformation:ListExports',
          ],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'WriteBuildReports',
          actions: [
            'codebuild:CreateReportGroup',
            'codebuild:CreateReport',
            'codebuild:UpdateReport',
            'codebuild:BatchPutTestCases',
            'codebuild:BatchPutCodeCoverages',
          ],
          resources: [`arn:${partition}:codebuild:*:${account}:report-group/*`],
        }),
      ],
    }));
    props.artifactStore.grantReadWrite(buildRole);
    // Images of the store: builds pull base images; CloudFormation reads the image of a Lambda
    // function it creates or updates (Lambda checks the caller's ECR permissions).
    props.artifactStore.grantPull(buildRole);
    props.artifactStore.grantPull(cloudFormationRole);

    this.crossAccountRole = crossAccountRole;
    this.cloudFormationRole = cloudFormationRole;
    this.buildRole = buildRole;
    this.crossAccountRoleId = (crossAccountRole.node.defaultChild as iam.CfnRole).attrRoleId;
    this.cloudFormationRoleId = (cloudFormationRole.node.defaultChild as iam.CfnRole).attrRoleId;
    this.buildRoleId = (buildRole.node.defaultChild as iam.CfnRole).attrRoleId;

    const outputs: Array<[string, iam.Role, string]> = [
      ['CrossAccountRole', crossAccountRole, this.crossAccountRoleId],
      ['CloudFormationRole', cloudFormationRole, this.cloudFormationRoleId],
      ['BuildRole', buildRole, this.buildRoleId],
    ];
    for (const [name, role, roleId] of outputs) {
      new CfnOutput(this, `${name}Name`, { value: role.roleName, description: `Name of the ${name}` });
      new CfnOutput(this, `${name}Arn`, { value: role.roleArn, description: `ARN of the ${name}` });
      new CfnOutput(this, `${name}Id`, { value: roleId, description: `Unique ID of the ${name}` });
    }

    this.node.addValidation({ validate: () => this.validateTrustPolicySizes([crossAccountRole, cloudFormationRole, buildRole]) });
  }

  private validateTrustPolicySizes(roles: iam.Role[]): string[] {
    return roles
      .map((role) => checkTrustPolicySize(this, role.node.path, role.assumeRolePolicy,
        'List fewer trustedPrincipalArns (a wildcard such as role/pipeline-* covers several roles).'))
      .filter((e): e is string => e !== undefined);
  }
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

/**
 * What the CloudFormation role may never do, whatever its managed policies allow: create,
 * change or delete a role of the baseline (every role named `PREFIX-…`); with a permissions
 * boundary, create a role without it or remove it from any role.
 */
function guardrailsPolicy(boundary: iam.IManagedPolicy | undefined, baselineRoles: string[]): iam.PolicyDocument {
  const statements = [
    new iam.PolicyStatement({
      sid: 'LeaveBaselineRolesAlone',
      effect: iam.Effect.DENY,
      actions: [
        'iam:CreateRole',
        'iam:TagRole',
        'iam:UntagRole',
        'iam:AttachRolePolicy',
        'iam:DetachRolePolicy',
        'iam:PutRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:DeleteRole',
        'iam:UpdateRole',
        'iam:UpdateRoleDescription',
        'iam:UpdateAssumeRolePolicy',
        'iam:PutRolePermissionsBoundary',
        'iam:DeleteRolePermissionsBoundary',
      ],
      resources: baselineRoles,
    }),
  ];
  if (boundary) {
    statements.push(new iam.PolicyStatement({
      sid: 'KeepPermissionsBoundaries',
      effect: iam.Effect.DENY,
      actions: ['iam:DeleteRolePermissionsBoundary'],
      resources: ['*'],
    }), new iam.PolicyStatement({
      sid: 'CreateRolesOnlyWithTheBoundary',
      effect: iam.Effect.DENY,
      actions: ['iam:CreateRole', 'iam:PutRolePermissionsBoundary'],
      resources: ['*'],
      conditions: { StringNotEquals: { 'iam:PermissionsBoundary': boundary.managedPolicyArn } },
    }));
  }
  return new iam.PolicyDocument({ statements });
}

function validate(props: CrossAccountPipelineRolesProps, scope: Construct, id: string): void {
  const errors = new PropErrors('CrossAccountPipelineRoles', scope, id);
  const cicd = props.cicdAccountId;
  if (!(typeof cicd === 'string' && isToken(cicd)) && !isAccountId(cicd)) {
    errors.add('cicdAccountId', cicd, ACCOUNT_ID_RULE);
  }
  if (props.trustedPrincipalArns !== undefined) {
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
  const prefix = props.roleNamePrefix;
  if (prefix !== undefined) {
    const longest = CrossAccountPipelineRoles.crossAccountRoleName(typeof prefix === 'string' ? prefix : '');
    if (isToken(prefix) || !isRoleName(longest)) {
      errors.add('roleNamePrefix', prefix,
        `allowed: letters, digits and "+=,.@_-", at most ${64 - crossAccountRoleName('').length} characters, so that "${CrossAccountPipelineRoles.crossAccountRoleName('PREFIX')}" stays within the 64 characters of a role name`);
    }
  }
  const boundaryArn = props.permissionsBoundary?.managedPolicyArn;
  if (boundaryArn !== undefined && !isToken(boundaryArn) && !isManagedPolicyArn(boundaryArn)) {
    errors.add('permissionsBoundary', boundaryArn, 'allowed: a managed policy, such as iam.ManagedPolicy.fromManagedPolicyName(this, "Boundary", "my-boundary")');
  }
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
  // A store, created or imported, knows the CICD account's environment where it is known at synth.
  const store = props.artifactStore;
  const storeAccount = store.env.account;
  if (!Token.isUnresolved(storeAccount) && isAccountId(cicd) && storeAccount !== cicd) {
    errors.add('artifactStore', store.node.path, `allowed: the store of the CICD account ${cicd} (this store is in account ${storeAccount})`);
  }
  errors.throwIfAny();
}
