import { Aws, CfnOutput } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { ICicdArtifactStore } from './cicd-artifact-store';
import {
  accountIdParameterName,
  buildRoleName,
  checkExportPrefix,
  checkParameterPrefix,
  checkTargetName,
  cloudFormationRoleName,
  crossAccountRoleName,
  DEFAULT_PARAMETER_PREFIX,
  DEFAULT_READ_ONLY_ROLE_NAME,
  RoleKind,
  roleParameterName,
  storeParameterNames,
} from './private/naming';
import { pascal } from './private/target-statements';
import { ACCOUNT_ID_RULE, isAccountId, isRoleId, isRoleName, isToken, PropErrors, ROLE_ID_RULE } from './private/validation';
import { CicdSettingsImportOptions } from './settings-import-options';


/**
 * What the CICD account publishes about one target account.
 */
export interface TargetAccountSettings {
  /**
   * The target's name, as given to `CicdArtifactStore`, such as `nonprod`. Parameters go
   * under `PREFIX/accounts/NAME/`. 1 to 32 letters, digits and hyphens, starting with a letter.
   */
  readonly name: string;

  /** The target's 12-digit account ID. */
  readonly accountId: string;

  /**
   * The `roleNamePrefix` given to `CrossAccountPipelineRoles` in that account.
   *
   * @default 'cicd'
   */
  readonly roleNamePrefix?: string;

  /**
   * The name of the `CrossReadOnlyRole` in that account.
   *
   * @default 'cicd-read-only'
   */
  readonly readOnlyRoleName?: string;

  /**
   * The unique ID of the cross-account role, once it is deployed (the deploy command
   * reads it from the target account's stack outputs).
   *
   * @default - not published
   */
  readonly crossAccountRoleId?: string;

  /**
   * The unique ID of the CloudFormation execution role, once it is deployed.
   *
   * @default - not published
   */
  readonly cloudFormationRoleId?: string;

  /**
   * The unique ID of the build role, once it is deployed.
   *
   * @default - not published
   */
  readonly buildRoleId?: string;

  /**
   * The unique ID of the read-only role, once it is deployed.
   *
   * @default - not published
   */
  readonly readOnlyRoleId?: string;
}

/**
 * Properties of `CicdSettings`.
 */
export interface CicdSettingsProps {
  /** The artifact store whose key and buckets are published. */
  readonly artifactStore: ICicdArtifactStore;

  /** The target accounts whose IDs and roles are published. */
  readonly targetAccounts: TargetAccountSettings[];

  /**
   * The path under which the parameters are written.
   *
   * @default '/cicd/artifacts'
   */
  readonly parameterPrefix?: string;

  /**
   * Also export every value as a CloudFormation export whose name starts with this prefix,
   * such as `cicd-settings` (`cicd-settings-KeyArn`, `cicd-settings-nonprod-CrossAccountRoleArn`).
   * Letters, digits, `-` and `:`.
   *
   * @default - no exports
   */
  readonly exportPrefix?: string;
}

interface Setting {
  readonly parameterName: string;
  readonly exportSuffix: string;
  readonly value: string;
  readonly description: string;
}

/**
 * Publishes, in the CICD account, what pipelines need to find: the artifact store's key
 * and buckets, and for every target account its ID and the ARNs (and, once deployed, the
 * unique IDs) of its roles, as SSM String parameters and optionally CloudFormation exports.
 *
 * Parameter layout under the prefix (default `/cicd/artifacts`):
 *
 * - `kms/key-arn`, `buckets/artifacts/name`, `buckets/artifacts/arn`,
 *   `buckets/templates/name`, `buckets/templates/arn`
 * - `accounts/NAME/account-id`
 * - `accounts/NAME/roles/{cross-account,cloudformation,build,read-only}/{arn,id}`
 *
 * Role ARNs are computed from the deterministic role names; unique IDs are published when given.
 */
export class CicdSettings extends Construct {
  /** The path under which the parameters are written. */
  public readonly parameterPrefix: string;

  /** The parameters written, in the order of the layout (store, then each target account). */
  public readonly parameters: ssm.IStringParameter[];

  /**
   * @param scope the parent construct
   * @param id the construct's ID, unique among its siblings
   * @param props the store and target accounts to publish
   */
  constructor(scope: Construct, id: string, props: CicdSettingsProps) {
    validate(props, scope, id);
    super(scope, id);
    const prefix = props.parameterPrefix ?? DEFAULT_PARAMETER_PREFIX;
    this.parameterPrefix = prefix;

    const store = props.artifactStore;
    const names = storeParameterNames(prefix);
    const settings: Setting[] = [
      { parameterName: names.keyArn, exportSuffix: 'KeyArn', value: store.encryptionKey.keyArn, description: 'ARN of the KMS key of the CICD artifact store' },
      { parameterName: names.artifactsBucketName, exportSuffix: 'ArtifactsBucketName', value: store.artifactsBucket.bucketName, description: 'Name of the bucket for pipeline artifacts' },
      { parameterName: names.artifactsBucketArn, exportSuffix: 'ArtifactsBucketArn', value: store.artifactsBucket.bucketArn, description: 'ARN of the bucket for pipeline artifacts' },
      { parameterName: names.templatesBucketName, exportSuffix: 'TemplatesBucketName', value: store.templatesBucket.bucketName, description: 'Name of the bucket for CloudFormation templates' },
      { parameterName: names.templatesBucketArn, exportSuffix: 'TemplatesBucketArn', value: store.templatesBucket.bucketArn, description: 'ARN of the bucket for CloudFormation templates' },
    ];

    for (const target of props.targetAccounts) {
      const rolePrefix = target.roleNamePrefix;
      const roles: Array<[RoleKind, string, string, string | undefined]> = [
        ['cross-account', 'CrossAccountRole', crossAccountRoleName(rolePrefix), target.crossAccountRoleId],
        ['cloudformation', 'CloudFormationRole', cloudFormationRoleName(rolePrefix), target.cloudFormationRoleId],
        ['build', 'BuildRole', buildRoleName(rolePrefix), target.buildRoleId],
        ['read-only', 'ReadOnlyRole', target.readOnlyRoleName ?? DEFAULT_READ_ONLY_ROLE_NAME, target.readOnlyRoleId],
      ];
      settings.push({
        parameterName: accountIdParameterName(prefix, target.name),
        exportSuffix: `${target.name}-AccountId`,
        value: target.accountId,
        description: `Account ID of the target account ${target.name}`,
      });
      for (const [kind, label, roleName, roleId] of roles) {
        settings.push({
          parameterName: roleParameterName(prefix, target.name, kind, 'arn'),
          exportSuffix: `${target.name}-${label}Arn`,
          value: `arn:${Aws.PARTITION}:iam::${target.accountId}:role/${roleName}`,
          description: `ARN of the ${kind} role of ${target.name}`,
        });
        if (roleId) {
          settings.push({
            parameterName: roleParameterName(prefix, target.name, kind, 'id'),
            exportSuffix: `${target.name}-${label}Id`,
            value: roleId,
            description: `Unique ID of the ${kind} role of ${target.name}`,
          });
        }
      }
    }

    this.parameters = settings.map((s) => {
      const cid = pascal(s.parameterName.slice(prefix.length));
      const parameter = new ssm.StringParameter(this, cid, {
        parameterName: s.parameterName,
        stringValue: s.value,
        description: s.description,
        tier: ssm.ParameterTier.STANDARD,
      });
      if (props.exportPrefix) {
        new CfnOutput(this, `${cid}Export`, { value: s.value, description: s.description, exportName: `${props.exportPrefix}-${s.exportSuffix}` });
      }
      return parameter;
    });
  }
}

/**
 * The roles of one target account, as pipelines in the CICD account see them.
 */
export class TargetAccountRoles extends Construct {
  /**
   * Reads the roles of a target account from the parameters `CicdSettings` wrote, at deploy time.
   *
   * @param scope the parent construct
   * @param id the construct's ID, unique among its siblings
   * @param targetName the target's name, such as `nonprod`
   * @param options where the parameters are
   */
  public static fromSsmParameters(scope: Construct, id: string, targetName: string, options: CicdSettingsImportOptions = {}): TargetAccountRoles {
    const errors = new PropErrors('TargetAccountRoles.fromSsmParameters', scope, id);
    checkTargetName(errors, 'targetName', targetName);
    checkParameterPrefix(errors, options.parameterPrefix);
    errors.throwIfAny();
    return new TargetAccountRoles(scope, id, targetName, options.parameterPrefix ?? DEFAULT_PARAMETER_PREFIX);
  }

  private readonly targetName: string;
  private readonly prefix: string;
  private readonly roles = new Map<RoleKind, iam.IRole>();

  private constructor(scope: Construct, id: string, targetName: string, prefix: string) {
    super(scope, id);
    this.targetName = targetName;
    this.prefix = prefix;
  }

  // Every value is read on first use, so that a stack carries no template parameter it
  // never references (cfn-lint W2001).

  /** The target's account ID. */
  public get accountId(): string {
    return ssm.StringParameter.valueForStringParameter(this, accountIdParameterName(this.prefix, this.targetName));
  }

  /** The role pipelines assume to deploy into the target (use it as an action's `role`). */
  public get crossAccountRole(): iam.IRole {
    return this.importRole('CrossAccountRole', 'cross-account');
  }

  /** The CloudFormation execution role (use it as a CloudFormation action's `deploymentRole`). */
  public get cloudFormationRole(): iam.IRole {
    return this.importRole('CloudFormationRole', 'cloudformation');
  }

  /** The role of the target's CodeBuild projects and Lambda functions. */
  public get buildRole(): iam.IRole {
    return this.importRole('BuildRole', 'build');
  }

  /** The read-only discovery role. */
  public get readOnlyRole(): iam.IRole {
    return this.importRole('ReadOnlyRole', 'read-only');
  }

  private importRole(id: string, kind: RoleKind): iam.IRole {
    let role = this.roles.get(kind);
    if (!role) {
      const arn = ssm.StringParameter.valueForStringParameter(this, roleParameterName(this.prefix, this.targetName, kind, 'arn'));
      role = iam.Role.fromRoleArn(this, id, arn, { mutable: false });
      this.roles.set(kind, role);
    }
    return role;
  }
}

function validate(props: CicdSettingsProps, scope: Construct, id: string): void {
  const errors = new PropErrors('CicdSettings', scope, id);
  checkParameterPrefix(errors, props.parameterPrefix);
  checkExportPrefix(errors, 'exportPrefix', props.exportPrefix);
  const seen = new Set<string>();
  props.targetAccounts.forEach((t, i) => {
    const at = `targetAccounts[${i}]`;
    if (checkTargetName(errors, `${at}.name`, t.name) && seen.has(t.name)) {
      errors.add(`${at}.name`, t.name, 'allowed: a name used by no other target');
    }
    seen.add(t.name);
    if (typeof t.accountId !== 'string' || isToken(t.accountId) || !isAccountId(t.accountId)) {
      errors.add(`${at}.accountId`, t.accountId, ACCOUNT_ID_RULE);
    }
    if (t.roleNamePrefix !== undefined && !isRoleName(crossAccountRoleName(t.roleNamePrefix))) {
      errors.add(`${at}.roleNamePrefix`, t.roleNamePrefix, 'allowed: the roleNamePrefix given to CrossAccountPipelineRoles (letters, digits and "+=,.@_-")');
    }
    if (t.readOnlyRoleName !== undefined && !isRoleName(t.readOnlyRoleName)) {
      errors.add(`${at}.readOnlyRoleName`, t.readOnlyRoleName, 'allowed: an IAM role name of 1 to 64 letters, digits and "+=,.@_-"');
    }
    const ids: Array<[string, string | undefined]> = [
      ['crossAccountRoleId', t.crossAccountRoleId],
      ['cloudFormationRoleId', t.cloudFormationRoleId],
      ['buildRoleId', t.buildRoleId],
      ['readOnlyRoleId', t.readOnlyRoleId],
    ];
    for (const [prop, value] of ids) {
      if (value !== undefined && !isToken(value) && !isRoleId(value)) {
        errors.add(`${at}.${prop}`, value, ROLE_ID_RULE);
      }
    }
  });
  errors.throwIfAny();
}
