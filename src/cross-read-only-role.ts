import { Annotations, Aws, CfnOutput, Duration, Tags, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CdkBootstrapCompatibility } from './cicd-stack-synthesizer';
import { BOOTSTRAP_ROLE_TAG } from './private/assets';
import { checkCdkBootstrapCompatibility, VERSION_PARAMETER_READ_ACTIONS, versionParameterArn } from './private/bootstrap-contract';
import { DEFAULT_READ_ONLY_ROLE_NAME } from './private/naming';
import { checkInlinePoliciesSize, checkTrustPolicySize } from './private/policy-size';
import { DENIED_DATA_READS, DISCOVERY_ACTIONS } from './private/read-only-actions';
import {
  ACCOUNT_ID_RULE,
  actionMatches,
  isAccountId,
  isReadAction,
  isRoleName,
  isToken,
  principalArnAccount,
  PropErrors,
} from './private/validation';

/**
 * Properties of a `CrossReadOnlyRole`.
 */
export interface CrossReadOnlyRoleProps {
  /**
   * The accounts whose principals may assume the role, typically the CICD account.
   *
   * Each is trusted through its account root, so the account's own IAM policies decide which
   * of its principals may call `sts:AssumeRole`; narrow it with `trustedPrincipalArns`.
   */
  readonly trustedAccountIds: string[];

  /**
   * Admit only these IAM roles or users of the trusted accounts (an `aws:PrincipalArn`
   * condition, so they need not exist yet). Wildcards are allowed, such as
   * `arn:aws:iam::111111111111:role/cicd-*`. Every trusted account needs at least one.
   *
   * @default - any principal of the trusted accounts that its own account lets assume the role
   */
  readonly trustedPrincipalArns?: string[];

  /**
   * The name of the role. Other accounts refer to the role by it.
   *
   * `CrossAccountPipelineRoles` keeps the CloudFormation role, and every role it creates, off
   * the roles named `PREFIX-…`, which covers the default name beside the default prefix. A name
   * outside that prefix must be listed in its `protectedRoleNames`, or a template could remove
   * this role's deny on data reads.
   *
   * @default 'cicd-read-only'
   */
  readonly roleName?: string;

  /**
   * A permissions boundary for the role.
   *
   * @default - no permissions boundary
   */
  readonly permissionsBoundary?: iam.IManagedPolicy;

  /**
   * Further read actions to allow, such as `ssm:DescribeDocument` or `lambda:GetFunctionConfiguration`.
   *
   * Each is `service:Action` whose name starts with `Describe`, `Get`, `List`, `Search`,
   * `Lookup`, `BatchGet`, `BatchDescribe` or `View`, optionally with `*` wildcards. The role's
   * deny on data reads still wins: an action that the deny covers is rejected, because it
   * could never be allowed.
   *
   * @default - no further actions
   */
  readonly additionalReadActions?: string[];

  /**
   * The longest session that assuming the role may request.
   *
   * @default Duration.hours(1)
   */
  readonly maxSessionDuration?: Duration;

  /**
   * Serve as the lookup role of the CDK CLI (`CicdStackSynthesizer` with the same
   * `cdkBootstrapCompatibility`): the tag `aws-cdk:bootstrap-role` = `lookup`, and reading the
   * one SSM parameter `/cdk-bootstrap/QUALIFIER/version`, which the deny on data reads
   * (`ssm:GetParameter*`) then spares, and no other parameter.
   *
   * @default - not bootstrap-compatible: every parameter value is denied
   */
  readonly cdkBootstrapCompatibility?: CdkBootstrapCompatibility;
}

const DEFAULT_ROLE_NAME = DEFAULT_READ_ONLY_ROLE_NAME;
/** The deny entry that covers reading parameter values. */
const PARAMETER_READS = 'ssm:GetParameter*';
const READ_ONLY_MANAGED_POLICY = 'job-function/ViewOnlyAccess';

/**
 * A role in a target account that other accounts (typically the CICD account) assume to
 * discover what the account holds, and that can read none of the data it holds.
 *
 * It may describe and list resources across services (the AWS managed policy
 * `job-function/ViewOnlyAccess`), use the Resource Groups Tagging API and read resource groups.
 * An explicit deny covers every action that reads data (S3 objects, secret and parameter
 * values, KMS decryption, database items, log events, messages, function code, image layers,
 * query results and more), so that no policy attached to the role, now or later, can allow
 * them. The trust policy admits only the trusted accounts, or principals in them, over TLS.
 *
 * @example
 *
 * new CrossReadOnlyRole(this, 'ReadOnly', {
 *   trustedAccountIds: ['111111111111'],
 * });
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */
export class CrossReadOnlyRole extends Construct {
  /** The name of the role when `roleName` is not given. */
  public static readonly DEFAULT_ROLE_NAME = DEFAULT_ROLE_NAME;

  /**
   * The role; its name and ARN are `role.roleName` and `role.roleArn`, as for the roles of
   * `CrossAccountPipelineRoles`.
   */
  public readonly role: iam.IRole;

  /**
   * The ARN of the role.
   *
   * @deprecated use `role.roleArn`, as for the roles of `CrossAccountPipelineRoles`
   */
  public readonly roleArn: string;

  /**
   * The name of the role.
   *
   * @deprecated use `role.roleName`, as for the roles of `CrossAccountPipelineRoles`
   */
  public readonly roleName: string;

  /** The unique ID of the role (`AROA…`), known after deployment. */
  public readonly roleId: string;

  /**
   * The actions the role is explicitly denied, because they read data (a few, such as
   * `apigateway:GET`, only on the resources that hold the data; see the README).
   */
  public readonly deniedActions: string[];

  private readonly trustPolicy: iam.PolicyDocument;
  private readonly inlinePolicies: iam.PolicyDocument[];

  /**
   * @param scope the parent construct
   * @param id the construct's ID, unique among its siblings
   * @param props who may assume the role, and the role's settings
   */
  constructor(scope: Construct, id: string, props: CrossReadOnlyRoleProps) {
    validate(props, scope, id);
    super(scope, id);

    const additional = props.additionalReadActions ?? [];
    this.deniedActions = DENIED_DATA_READS.map((d) => d.action);
    this.warnIfPartlyDenied(additional);

    const versionParameter = props.cdkBootstrapCompatibility ? versionParameterArn(props.cdkBootstrapCompatibility) : undefined;
    const denyDataReads = denyDataReadsPolicy(versionParameter);
    const discovery = discoveryPolicy(additional, versionParameter);
    this.inlinePolicies = [denyDataReads, discovery];

    const role = this.createRole(props, denyDataReads, discovery);
    if (versionParameter) {
      Tags.of(role).add(BOOTSTRAP_ROLE_TAG, 'lookup');
    }
    this.trustPolicy = role.assumeRolePolicy!;
    this.role = role;
    this.roleArn = role.roleArn;
    this.roleName = role.roleName;
    this.roleId = (role.node.defaultChild as iam.CfnRole).attrRoleId;

    this.node.addValidation({ validate: () => this.validatePolicySizes() });
    this.addOutputs();
  }

  /** Warns about additional read actions that the deny on data reads partly covers. */
  private warnIfPartlyDenied(additional: string[]): void {
    const partlyDenied = additional.filter((a) => this.deniedActions.some((d) => actionMatches(a, d)));
    if (partlyDenied.length > 0) {
      Annotations.of(this).addWarningV2('cdk-cross-account-cicd:readOnlyRolePartlyDenied',
        `CrossReadOnlyRole: additionalReadActions ${JSON.stringify(partlyDenied)} also match actions that read data; `
        + 'the role\'s deny still blocks those, and only the others are allowed.');
    }
  }

  /** The role: trusted accounts (or principals in them) over TLS, view-only, denied data reads. */
  private createRole(props: CrossReadOnlyRoleProps, denyDataReads: iam.PolicyDocument, discovery: iam.PolicyDocument): iam.Role {
    const conditions: Record<string, Record<string, unknown>> = { Bool: { 'aws:SecureTransport': 'true' } };
    if (props.trustedPrincipalArns) {
      conditions.ArnLike = { 'aws:PrincipalArn': props.trustedPrincipalArns };
    }
    return new iam.Role(this, 'Role', {
      roleName: props.roleName ?? DEFAULT_ROLE_NAME,
      description: 'Discovers resources (describe, list, tagging API) for other accounts; denied every data read',
      assumedBy: new AccountRootsPrincipal(props.trustedAccountIds).withConditions(conditions),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(READ_ONLY_MANAGED_POLICY)],
      inlinePolicies: { DenyDataReads: denyDataReads, Discovery: discovery },
      permissionsBoundary: props.permissionsBoundary,
      maxSessionDuration: props.maxSessionDuration ?? Duration.hours(1),
    });
  }

  /** The role's name, ARN and unique ID as stack outputs. */
  private addOutputs(): void {
    new CfnOutput(this, 'RoleName', { value: this.roleName, description: 'Name of the read-only discovery role' });
    new CfnOutput(this, 'RoleArn', { value: this.roleArn, description: 'ARN of the read-only discovery role' });
    new CfnOutput(this, 'RoleId', { value: this.roleId, description: 'Unique ID of the read-only discovery role' });
  }

  private validatePolicySizes(): string[] {
    return [
      checkTrustPolicySize(this, `${this.node.path}/Role`, this.trustPolicy,
        'Trust fewer accounts or list fewer trustedPrincipalArns (a wildcard such as role/cicd-* covers several roles).'),
      checkInlinePoliciesSize(this, `${this.node.path}/Role`, this.inlinePolicies,
        'List fewer additionalReadActions, or use wildcards such as "ec2:Describe*".'),
    ].filter((e): e is string => e !== undefined);
  }
}

/**
 * The root principals of several accounts in one statement (`{"AWS": [root, root, …]}`),
 * whatever the app's `minimizePolicies` feature flag says.
 */
class AccountRootsPrincipal extends iam.PrincipalBase {
  constructor(private readonly accountIds: string[]) {
    super();
  }

  public get policyFragment(): iam.PrincipalPolicyFragment {
    return new iam.PrincipalPolicyFragment({
      AWS: this.accountIds.map((a) => `arn:${Aws.PARTITION}:iam::${a}:root`),
    });
  }

  public dedupeString(): string | undefined {
    return `AccountRootsPrincipal:${this.accountIds.join(',')}`;
  }

  public toString(): string {
    return `AccountRootsPrincipal(${this.accountIds.join(',')})`;
  }
}

/**
 * The deny on every action that reads data: on all resources, and on the resources that hold
 * the data for the actions that read data on some resources only.
 */
function denyDataReadsPolicy(versionParameter?: string): iam.PolicyDocument {
  const spared = versionParameter ? [PARAMETER_READS] : [];
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'DenyDataReads',
        effect: iam.Effect.DENY,
        actions: [
          ...DENIED_DATA_READS.filter((d) => !d.resources && !spared.includes(d.action)).map((d) => d.action),
          // The other actions that ssm:GetParameter* covers stay denied everywhere.
          ...(versionParameter ? ['ssm:GetParametersByPath', 'ssm:GetParameterHistory'] : []),
        ],
        resources: ['*'],
      }),
      // With CDK bootstrap compatibility: every parameter value but the bootstrap version's.
      ...(versionParameter ? [new iam.PolicyStatement({
        sid: 'DenyParameterReadsButTheCdkBootstrapVersion',
        effect: iam.Effect.DENY,
        actions: VERSION_PARAMETER_READ_ACTIONS,
        notResources: [versionParameter],
      })] : []),
      // Actions that read data on some resources only, denied there.
      ...DENIED_DATA_READS.filter((d) => d.resources).map((d, i) => new iam.PolicyStatement({
        sid: `DenyDataReadsOnResources${i + 1}`,
        effect: iam.Effect.DENY,
        actions: [d.action],
        resources: d.resources!.map((r) => r.replace(/\$\{Partition\}/g, Aws.PARTITION).replace(/\$\{Account\}/g, Aws.ACCOUNT_ID)),
      })),
    ],
  });
}

/** Discovery across services (tagging API, resource groups), and the additional read actions. */
function discoveryPolicy(additional: string[], versionParameter?: string): iam.PolicyDocument {
  const discovery = new iam.PolicyDocument({
    statements: [new iam.PolicyStatement({
      sid: 'DiscoverResources',
      actions: DISCOVERY_ACTIONS,
      resources: ['*'],
    })],
  });
  if (versionParameter) {
    discovery.addStatements(new iam.PolicyStatement({
      sid: 'ReadCdkBootstrapVersion',
      actions: VERSION_PARAMETER_READ_ACTIONS,
      resources: [versionParameter],
    }));
  }
  if (additional.length > 0) {
    discovery.addStatements(new iam.PolicyStatement({
      sid: 'AdditionalReadActions',
      actions: additional,
      resources: ['*'],
    }));
  }
  return discovery;
}

function validate(props: CrossReadOnlyRoleProps, scope: Construct, id: string): void {
  const errors = new PropErrors('CrossReadOnlyRole', scope, id);
  const literalAccounts = validateTrustedAccounts(errors, props.trustedAccountIds);
  validateTrustedPrincipals(errors, props, literalAccounts);
  if (props.roleName !== undefined && !isToken(props.roleName) && (typeof props.roleName !== 'string' || !isRoleName(props.roleName))) {
    errors.add('roleName', props.roleName, 'allowed: 1 to 64 letters, digits and "+=,.@_-" (an IAM role name)');
  }
  validateAdditionalReadActions(errors, props.additionalReadActions ?? []);
  validateMaxSessionDuration(errors, props.maxSessionDuration);
  checkCdkBootstrapCompatibility(errors, props.cdkBootstrapCompatibility);
  errors.throwIfAny();
}

/** `trustedAccountIds`: account IDs, each listed once. Returns the literal ones. */
function validateTrustedAccounts(errors: PropErrors, accounts: string[]): Set<string> {
  const literalAccounts = new Set<string>();
  if (!Array.isArray(accounts) || accounts.length === 0) {
    errors.add('trustedAccountIds', accounts, 'allowed: at least one 12-digit account ID, such as ["111111111111"] (the CICD account)');
    return literalAccounts;
  }
  accounts.forEach((account, i) => {
    if (isToken(account)) {
      return;
    }
    if (!isAccountId(account)) {
      errors.add(`trustedAccountIds[${i}]`, account, ACCOUNT_ID_RULE);
    } else if (literalAccounts.has(account)) {
      errors.add(`trustedAccountIds[${i}]`, account, 'allowed: an account listed once');
    } else {
      literalAccounts.add(account);
    }
  });
  return literalAccounts;
}

/**
 * `trustedPrincipalArns`: literal role or user ARNs, each listed once, of the trusted
 * accounts; and, when they are all well-formed, at least one for every trusted account.
 */
function validateTrustedPrincipals(errors: PropErrors, props: CrossReadOnlyRoleProps, literalAccounts: Set<string>): void {
  const accounts = props.trustedAccountIds;
  const principalArns = props.trustedPrincipalArns;
  if (principalArns === undefined) {
    return;
  }
  if (principalArns.length === 0) {
    errors.add('trustedPrincipalArns', principalArns, 'allowed: at least one principal ARN; omit trustedPrincipalArns to admit the trusted accounts');
  }
  const accountsWithPrincipal = new Set<string>();
  const seen = new Set<string>();
  principalArns.forEach((arn, i) => {
    const at = `trustedPrincipalArns[${i}]`;
    if (isToken(arn)) {
      errors.add(at, arn, 'allowed: a literal ARN; a token cannot be checked against trustedAccountIds');
      return;
    }
    const account = typeof arn === 'string' ? principalArnAccount(arn) : undefined;
    if (account === undefined || /:(root|assumed-role\/.*)$/.test(arn)) {
      errors.add(at, arn, 'allowed: an IAM role or user ARN, such as "arn:aws:iam::111111111111:role/cicd-pipeline" or "arn:aws:iam::111111111111:role/cicd-*" '
        + '(aws:PrincipalArn names the role of a session, never the session; an account root cannot assume roles)');
    } else if (seen.has(arn)) {
      errors.add(at, arn, 'allowed: an ARN listed once');
    } else if (literalAccounts.size > 0 && !literalAccounts.has(account) && accounts.every((a) => !isToken(a))) {
      errors.add(at, arn, `allowed: a principal of one of the trustedAccountIds ${JSON.stringify([...literalAccounts])}`);
    } else {
      accountsWithPrincipal.add(account);
    }
    seen.add(arn);
  });
  if (principalArns.length > 0 && errors.count === 0) {
    for (const [i, account] of (accounts ?? []).entries()) {
      if (!isToken(account) && !accountsWithPrincipal.has(account)) {
        errors.add(`trustedAccountIds[${i}]`, account, 'allowed: an account with at least one principal in trustedPrincipalArns (none is listed, so nobody in it could assume the role)');
      }
    }
  }
}

/** `additionalReadActions`: read actions that the deny on data reads does not cover. */
function validateAdditionalReadActions(errors: PropErrors, actions: string[]): void {
  actions.forEach((action, i) => {
    const at = `additionalReadActions[${i}]`;
    if (isToken(action) || typeof action !== 'string' || !isReadAction(action)) {
      errors.add(at, action, 'allowed: a read action "service:Action" whose name starts with Describe, Get, List, Search, Lookup, BatchGet, BatchDescribe or View, '
        + 'optionally with "*", such as "ssm:DescribeDocument" or "lambda:GetFunctionConfiguration"');
      return;
    }
    const denied = DENIED_DATA_READS.find((d) => actionMatches(d.action, action));
    if (denied) {
      errors.add(at, action, `allowed: an action the role's deny on data reads does not cover; ${denied.action} is denied (${denied.reason}), whatever is allowed`);
    }
  });
}

/** `maxSessionDuration`: what IAM allows, 1 to 12 hours. */
function validateMaxSessionDuration(errors: PropErrors, duration: Duration | undefined): void {
  if (duration !== undefined && !Token.isUnresolved(duration.toSeconds({ integral: false }))) {
    const seconds = duration.toSeconds({ integral: false });
    if (seconds < 3600 || seconds > 43200) {
      errors.add('maxSessionDuration', duration.toString(), 'allowed: 1 to 12 hours');
    }
  }
}
