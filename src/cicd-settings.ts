import { Aws, CfnOutput, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { CicdArtifactStore, ICicdArtifactStore } from './cicd-artifact-store';
import {
  checkParameterPrefix,
  checkTargetName,
  crossAccountRoleName,
  cloudFormationRoleName,
  buildRoleName,
  DEFAULT_PARAMETER_PREFIX,
  DEFAULT_READ_ONLY_ROLE_NAME,
  DEFAULT_ROLE_NAME_PREFIX,
  imagePageParameterName,
  isTargetName,
  regionsParameterName,
  packageParameterNames,
  PAGE_QUOTA,
  registryPages,
  repositoryArn,
  repositoryArnPages,
  storeParameterNames,
  targetPageParameterName,
} from './private/naming';
import { pascal } from './private/target-statements';
import { ACCOUNT_ID_RULE, isAccountId, isRoleId, isRoleName, isToken, PropErrors, ROLE_ID_RULE } from './private/validation';
import { TargetAccount } from './target-account';

const ROLE_NAME_PREFIX_RULE = 'allowed: the roleNamePrefix given to CrossAccountPipelineRoles (letters, digits and "+=,.@_-", so that "PREFIX-cross-account" has at most 64)';
const ROLE_NAME_RULE = 'allowed: an IAM role name of 1 to 64 letters, digits and "+=,.@_-"';

/**
 * The names of the roles in the target accounts, as `CrossAccountPipelineRoles` and
 * `CrossReadOnlyRole` were given them there.
 */
export interface TargetRoleNamesOptions {
  /**
   * The `roleNamePrefix` given to `CrossAccountPipelineRoles` in the target accounts.
   *
   * @default 'cicd'
   */
  readonly roleNamePrefix?: string;

  /**
   * The `roleName` given to `CrossReadOnlyRole` in the target accounts.
   *
   * @default 'cicd-read-only'
   */
  readonly readOnlyRoleName?: string;
}

/**
 * Properties of `CicdSettings`.
 */
export interface CicdSettingsProps extends TargetRoleNamesOptions {
  /**
   * The artifact store whose key and buckets are published.
   *
   * When the store is a `CicdArtifactStore` in another stack whose outputs are exported
   * (`outputExportPrefix`), its values are read through those exports, so that the CDK adds
   * no export of its own for them; otherwise the CDK exports each value it references once.
   */
  readonly artifactStore: ICicdArtifactStore;

  /**
   * The target accounts published in the registry (`PREFIX/targets/1`, ...): the same list
   * as the store's `targetAccounts`, or, in organization mode, the accounts pipelines deploy
   * into. Names, account IDs and role IDs are published; role ARNs are not, since importers
   * compute them.
   *
   * @default - no target is published
   */
  readonly targetAccounts?: TargetAccount[];

  /**
   * The path under which the parameters are written.
   *
   * @default '/cicd/artifacts'
   */
  readonly parameterPrefix?: string;
}

/**
 * Publishes, in the CICD account, what pipelines need to find: the artifact store's key and
 * buckets, and a registry of the target accounts, as SSM String parameters.
 *
 * Parameter layout under the prefix (default `/cicd/artifacts`):
 *
 * - `kms/key-arn`, `buckets/artifacts/name`, `buckets/artifacts/arn`,
 *   `buckets/templates/name`, `buckets/templates/arn`
 * - `regions`: the regions the store serves, comma-separated, when it serves several (its
 *   `regions`); every region's store has its own settings, in that region
 * - for a store with a package repository: `packages/domain/name`, `packages/domain/arn`,
 *   `packages/repo/name`, `packages/repo/arn`
 * - `targets/1`, `targets/2`, ...: the target accounts as JSON, as many per parameter as
 *   4 KB hold (about 90 with short names), with the role-name prefix and the read-only
 *   role's name
 * - `images/1`, `images/2`, ...: when the store has ECR repositories, their ARNs, ten per
 *   parameter, separated by commas, in the order of the store's `imageRepositoryNames`
 *   (`CicdArtifactStore.fromSsmParameters` reads them back, given `imageRepositoryCount`)
 *
 * Role ARNs are not stored: they follow from the account ID and the deterministic role names,
 * and `TargetAccountRoles.fromTargetAccount` computes them. So the settings take five
 * resources plus one per page, and 1,000 target accounts take about 16.
 */
export class CicdSettings extends Construct {
  /** The path under which the parameters are written. */
  public readonly parameterPrefix: string;

  /** The parameters written: the store's, then the pages of the target registry, then those of the repositories' ARNs. */
  public readonly parameters: ssm.IStringParameter[];

  /**
   * @param scope the parent construct, in the CICD account
   * @param id the construct's ID, unique among its siblings
   * @param props the store and the target accounts to publish
   */
  constructor(scope: Construct, id: string, props: CicdSettingsProps) {
    validate(props, scope, id);
    super(scope, id);
    const prefix = props.parameterPrefix ?? DEFAULT_PARAMETER_PREFIX;
    this.parameterPrefix = prefix;

    const store = props.artifactStore;
    const names = storeParameterNames(prefix);
    const value = (outputId: string, fallback: string) => this.storeValue(store, outputId, fallback);
    const settings: Array<[string, string, string, string]> = [
      ['KmsKeyArn', names.keyArn, value('KeyArn', store.encryptionKey.keyArn), 'ARN of the KMS key of the CICD artifact store'],
      ['BucketsArtifactsName', names.artifactsBucketName, value('ArtifactsBucketName', store.artifactsBucket.bucketName), 'Name of the bucket for pipeline artifacts'],
      ['BucketsArtifactsArn', names.artifactsBucketArn, value('ArtifactsBucketArn', store.artifactsBucket.bucketArn), 'ARN of the bucket for pipeline artifacts'],
      ['BucketsTemplatesName', names.templatesBucketName, value('TemplatesBucketName', store.templatesBucket.bucketName), 'Name of the bucket for CloudFormation templates'],
      ['BucketsTemplatesArn', names.templatesBucketArn, value('TemplatesBucketArn', store.templatesBucket.bucketArn), 'ARN of the bucket for CloudFormation templates'],
    ];
    // A store that serves several regions: each region's settings list them all.
    if (store.regions.length > 1) {
      settings.push(['Regions', regionsParameterName(prefix), store.regions.join(','), 'Regions the CICD artifact store serves, comma-separated (each has its own settings)']);
    }
    // The package repository, when the store has one (a layout addition: readers opt in).
    if (store.packageDomainName && store.packageDomainArn && store.packageRepositoryName && store.packageRepositoryArn) {
      const packages = packageParameterNames(prefix);
      settings.push(
        ['PackagesDomainName', packages.domainName, store.packageDomainName, 'Name of the CodeArtifact domain of the CICD artifact store'],
        ['PackagesDomainArn', packages.domainArn, value('PackageDomainArn', store.packageDomainArn), 'ARN of the CodeArtifact domain of the CICD artifact store'],
        ['PackagesRepositoryName', packages.repositoryName, store.packageRepositoryName, 'Name of the CodeArtifact repository of the CICD artifact store'],
        ['PackagesRepositoryArn', packages.repositoryArn, value('PackageRepositoryArn', store.packageRepositoryArn), 'ARN of the CodeArtifact repository of the CICD artifact store'],
      );
    }
    const header = {
      roleNamePrefix: props.roleNamePrefix ?? DEFAULT_ROLE_NAME_PREFIX,
      readOnlyRoleName: props.readOnlyRoleName ?? DEFAULT_READ_ONLY_ROLE_NAME,
    };
    // Only what cannot be computed: names, account IDs and, when given, role unique IDs.
    const entries = (props.targetAccounts ?? []).map((t) => (t.roleIds
      ? { name: t.name, accountId: t.accountId, roleIds: t.roleIds }
      : { name: t.name, accountId: t.accountId }));
    const pages = registryPages(header, entries);
    const imagePages = repositoryArnPages(this.repositoryArns(store));
    checkStackQuotas(this, entries.length, pages, settings.length, imagePages.length);
    pages.forEach((page, i) => settings.push([
      `Targets${i + 1}`, targetPageParameterName(prefix, i + 1), page, `Target accounts of the CICD baseline, page ${i + 1} of ${pages.length}`,
    ]));
    imagePages.forEach((page, i) => settings.push([
      `ImageRepositories${i + 1}`, imagePageParameterName(prefix, i + 1), page, `ARNs of the ECR repositories of the CICD artifact store, page ${i + 1} of ${imagePages.length}`,
    ]));

    this.parameters = settings.map(([cid, parameterName, stringValue, description]) => new ssm.StringParameter(this, cid, {
      parameterName,
      stringValue,
      description,
      tier: ssm.ParameterTier.STANDARD,
    }));
  }

  /**
   * The ARNs of the store's repositories: built from the names and the store's literal
   * environment when it lives in another stack (no cross-stack reference), or as is.
   */
  private repositoryArns(store: ICicdArtifactStore): string[] {
    const there = Stack.of(store);
    if (store instanceof CicdArtifactStore && there !== Stack.of(this) && !Token.isUnresolved(there.account) && !Token.isUnresolved(there.region)) {
      return store.imageRepositoryNames.map((name) => repositoryArn(there.account, there.region, name));
    }
    return store.imageRepositories.map((r) => r.repositoryArn);
  }

  /** A value of the store: through its exported output when it lives in another stack, or as is. */
  private storeValue(store: ICicdArtifactStore, outputId: string, fallback: string): string {
    const here = Stack.of(this);
    const there = Stack.of(store);
    if (here === there) {
      return fallback;
    }
    const output = store.node.tryFindChild(outputId);
    if (output instanceof CfnOutput && output.exportName !== undefined) {
      // Fn::ImportValue names no construct, so the stack order is set here.
      here.addDependency(there, `CicdSettings ${this.node.path} imports the store's exported outputs`);
      return output.importValue;
    }
    return fallback;
  }
}

/**
 * The roles of one target account, as pipelines in the CICD account see them.
 */
export class TargetAccountRoles extends Construct {
  /**
   * The roles of a target account, by their deterministic names: nothing is read or stored,
   * the ARNs are computed from the account ID and the role names.
   *
   * Give the same `TargetAccount` as to `CicdArtifactStore` and `CicdSettings`. Whether the
   * roles exist is known only at deploy time (CodePipeline then fails to assume a missing
   * role); the name, the account ID and the role names are checked here.
   *
   * @param scope the parent construct
   * @param id the construct's ID, unique among its siblings
   * @param target the target account, as given to the store and the settings
   * @param options the role names, when not the defaults
   */
  public static fromTargetAccount(scope: Construct, id: string, target: TargetAccount, options: TargetRoleNamesOptions = {}): TargetAccountRoles {
    const errors = new PropErrors('TargetAccountRoles.fromTargetAccount', scope, id);
    checkTarget(errors, 'target', target);
    checkRoleNames(errors, options);
    errors.throwIfAny();
    return new TargetAccountRoles(scope, id, target.accountId, options);
  }

  /** The target's account ID. */
  public readonly accountId: string;

  private readonly roleNames: Required<TargetRoleNamesOptions>;
  private readonly roles = new Map<string, iam.IRole>();

  private constructor(scope: Construct, id: string, accountId: string, options: TargetRoleNamesOptions) {
    super(scope, id);
    this.accountId = accountId;
    this.roleNames = {
      roleNamePrefix: options.roleNamePrefix ?? DEFAULT_ROLE_NAME_PREFIX,
      readOnlyRoleName: options.readOnlyRoleName ?? DEFAULT_READ_ONLY_ROLE_NAME,
    };
  }

  /** The role pipelines assume to deploy into the target (use it as an action's `role`). */
  public get crossAccountRole(): iam.IRole {
    return this.importRole('CrossAccountRole', crossAccountRoleName(this.roleNames.roleNamePrefix));
  }

  /** The CloudFormation execution role (use it as a CloudFormation action's `deploymentRole`). */
  public get cloudFormationRole(): iam.IRole {
    return this.importRole('CloudFormationRole', cloudFormationRoleName(this.roleNames.roleNamePrefix));
  }

  /** The role of the target's CodeBuild projects and Lambda functions. */
  public get buildRole(): iam.IRole {
    return this.importRole('BuildRole', buildRoleName(this.roleNames.roleNamePrefix));
  }

  /** The read-only discovery role. */
  public get readOnlyRole(): iam.IRole {
    return this.importRole('ReadOnlyRole', this.roleNames.readOnlyRoleName);
  }

  private importRole(id: string, roleName: string): iam.IRole {
    let role = this.roles.get(id);
    if (!role) {
      role = iam.Role.fromRoleArn(this, id, `arn:${partitionOf(Stack.of(this))}:iam::${this.accountId}:role/${roleName}`, { mutable: false });
      this.roles.set(id, role);
    }
    return role;
  }
}

/**
 * The stack's partition as a literal when its region is one (so that an ARN is a plain string,
 * not an `Fn::Join`), or `AWS::Partition`.
 */
function partitionOf(stack: Stack): string {
  if (!Token.isUnresolved(stack.partition)) {
    return stack.partition;
  }
  const partition = Token.isUnresolved(stack.region) ? undefined : RegionInfo.get(stack.region).partition;
  return partition ?? Aws.PARTITION;
}

/** CloudFormation's quotas on one stack, and the share of them the settings may take. */
const TEMPLATE_QUOTA = 1_000_000;
const RESOURCES_QUOTA = 500;
const STACK_SHARE_ALLOWED = 0.9;
/** A parameter's resource in the template, besides its value: type, name, description, tier, logical ID. */
const PARAMETER_OVERHEAD = 400;

/**
 * Fails when the settings alone would take more than 90% of a stack's template (1 MB, when
 * the CDK uploads it to S3) or of its 500 resources, before CloudFormation does.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
 *
 * @param storeParameters the parameters of the store's values (five, nine with packages)
 */
function checkStackQuotas(settings: Construct, targets: number, pages: string[], storeParameters: number, imagePages: number): void {
  // A page of repository ARNs is counted at its quota.
  const fixed = (storeParameters + imagePages) * PARAMETER_OVERHEAD;
  const bytes = pages.reduce((sum, page) => sum + JSON.stringify(page).length + PARAMETER_OVERHEAD, fixed)
    + imagePages * PAGE_QUOTA;
  const resources = storeParameters + pages.length + imagePages;
  const byteLimit = Math.floor(TEMPLATE_QUOTA * STACK_SHARE_ALLOWED);
  const resourceLimit = Math.floor(RESOURCES_QUOTA * STACK_SHARE_ALLOWED);
  const where = `CicdSettings ${settings.node.path}: the registry of ${targets} target accounts takes ${pages.length} SSM parameters`;
  const advice = 'Split the targets between several CicdSettings with different parameterPrefix values, in different stacks, or use shorter target names.';
  if (bytes > byteLimit) {
    throw new Error(`${where} and about ${bytes} bytes of template, over ${byteLimit} bytes, 90% of CloudFormation's template quota of 1 MB (${TEMPLATE_QUOTA} bytes). ${advice}`);
  }
  if (resources > resourceLimit) {
    throw new Error(`${where}, ${resources} resources with the store's, over ${resourceLimit}, 90% of CloudFormation's quota of ${RESOURCES_QUOTA} resources per stack. ${advice}`);
  }
}

function checkTarget(errors: PropErrors, at: string, t: TargetAccount): void {
  checkTargetName(errors, `${at}.name`, t.name);
  if (typeof t.accountId !== 'string' || isToken(t.accountId) || !isAccountId(t.accountId)) {
    errors.add(`${at}.accountId`, t.accountId, ACCOUNT_ID_RULE);
  }
}

function checkRoleNames(errors: PropErrors, options: TargetRoleNamesOptions): void {
  const prefix = options.roleNamePrefix;
  if (prefix !== undefined && (typeof prefix !== 'string' || isToken(prefix) || !isRoleName(crossAccountRoleName(prefix)))) {
    errors.add('roleNamePrefix', prefix, ROLE_NAME_PREFIX_RULE);
  }
  const readOnly = options.readOnlyRoleName;
  if (readOnly !== undefined && (typeof readOnly !== 'string' || isToken(readOnly) || !isRoleName(readOnly))) {
    errors.add('readOnlyRoleName', readOnly, ROLE_NAME_RULE);
  }
}

function validate(props: CicdSettingsProps, scope: Construct, id: string): void {
  const errors = new PropErrors('CicdSettings', scope, id);
  checkParameterPrefix(errors, props.parameterPrefix);
  checkRoleNames(errors, props);
  const seen = new Map<string, string>();
  (props.targetAccounts ?? []).forEach((t, i) => {
    const at = `targetAccounts[${i}]`;
    checkTarget(errors, at, t);
    if (isTargetName(t.name)) {
      const key = pascal(t.name).toLowerCase();
      if (seen.has(key)) {
        errors.add(`${at}.name`, t.name, `allowed: a name used by no other target (it clashes with ${JSON.stringify(seen.get(key))})`);
      }
      seen.set(key, t.name);
    }
    (t.roleIds ?? []).forEach((roleId, j) => {
      if (typeof roleId !== 'string' || isToken(roleId) || !isRoleId(roleId)) {
        errors.add(`${at}.roleIds[${j}]`, roleId, ROLE_ID_RULE);
      }
    });
  });
  errors.throwIfAny();
}
