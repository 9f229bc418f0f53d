import { Annotations, Aws, CfnOutput, CfnResource, Duration, Fn, IResource, RemovalPolicy, Resource, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct, IConstruct } from 'constructs';
import { ASSET_READ_ACTIONS, checkPublishingPrincipals, createAssetPublishingRole, OWN_ACCOUNT_PREFIX } from './private/assets';
import {
  checkRepositoryPolicySizes,
  checkUntaggedImageRetention,
  createImageRepositories,
  DEFAULT_UNTAGGED_IMAGE_RETENTION_DAYS,
  ImageRepository,
} from './private/image-repositories';
import { KeyByAlias } from './private/key-by-alias';
import {
  assetsBucketPrefixProblem,
  bucketName,
  checkBucketPrefixes,
  checkExportPrefix,
  checkParameterPrefix,
  checkRepositoryNames,
  checkTargetName,
  DEFAULT_ARTIFACTS_PREFIX,
  DEFAULT_ASSETS_PREFIX,
  DEFAULT_KEY_ALIAS,
  DEFAULT_PARAMETER_PREFIX,
  DEFAULT_TEMPLATES_PREFIX,
  keyAliasProblem,
  repositoryArn,
  storeParameterNames,
} from './private/naming';
import { BUCKET_POLICY_QUOTA, checkPolicySize, KEY_POLICY_QUOTA } from './private/policy-size';
import { checkBucketPolicyNotPublic, PublicStatement } from './private/public-policy';
import { BUCKET_READ_ACTIONS, BUCKET_WRITE_ACTIONS, IMAGE_PULL_ACTIONS, KEY_READ_ACTIONS, KEY_WRITE_ACTIONS } from './private/store-actions';
import { pascal, TargetStatements } from './private/target-statements';
import {
  ACCOUNT_ID_RULE,
  isAccountId,
  isOrganizationId,
  isOrganizationPath,
  isRoleId,
  isToken,
  ORGANIZATION_ID_RULE,
  ORGANIZATION_PATH_RULE,
  PropErrors,
  ROLE_ID_RULE,
  roleArnAccount,
} from './private/validation';
import { CicdSettingsImportOptions } from './settings-import-options';
import { TargetAccount } from './target-account';

/**
 * The artifact store of a CICD account: a KMS key and two S3 buckets, one for pipeline
 * artifacts and one for CloudFormation templates.
 *
 * Like aws-cdk-lib's resources, a store (created or imported) knows its environment: `env`
 * is the CICD account and region where they are known at synth time.
 */
export interface ICicdArtifactStore extends IResource {
  /** The KMS key that encrypts both buckets. */
  readonly encryptionKey: kms.IKey;

  /** The bucket for pipeline artifacts. */
  readonly artifactsBucket: s3.IBucket;

  /** The bucket for CloudFormation templates. */
  readonly templatesBucket: s3.IBucket;

  /**
   * The store's ECR repositories for container images (empty when the store has none, or when
   * an imported store was given none).
   */
  readonly imageRepositories: ecr.IRepository[];

  /**
   * Grants reading artifacts and templates, and decrypting with the key.
   *
   * Only the grantee's own IAM policy is changed: a grantee in another account is admitted by
   * the store's key and bucket policies only when its account is one of the store's targets.
   *
   * @param grantee the principal to grant to
   */
  grantRead(grantee: iam.IGrantable): iam.Grant;

  /**
   * Grants reading and writing artifacts, reading templates, and using the key to encrypt
   * and decrypt.
   *
   * Only the grantee's own IAM policy is changed: a grantee in another account is admitted by
   * the store's key and bucket policies only when its account is one of the store's targets,
   * and may write only when that target writes artifacts (`TargetAccount.canWriteArtifacts`
   * or `artifactWriterRoleArns`).
   *
   * @param grantee the principal to grant to
   */
  grantReadWrite(grantee: iam.IGrantable): iam.Grant;

  /**
   * Grants pulling images from every repository of the store (`ecr:BatchGetImage`,
   * `ecr:GetDownloadUrlForLayer`, `ecr:BatchCheckLayerAvailability`) and getting an ECR
   * authorization token.
   *
   * Only the grantee's own IAM policy is changed: a grantee in another account is admitted by
   * the repository policies only when its account is one of the store's targets. A store
   * without repositories grants nothing.
   *
   * @param grantee the principal to grant to
   */
  grantPull(grantee: iam.IGrantable): iam.Grant;
}

/**
 * Attributes of an existing artifact store, for stacks that use it.
 */
export interface CicdArtifactStoreAttributes {
  /** The ARN of the store's KMS key (`arn:aws:kms:REGION:ACCOUNT:key/ID`). */
  readonly keyArn: string;

  /** The name of the bucket for pipeline artifacts. */
  readonly artifactsBucketName: string;

  /** The name of the bucket for CloudFormation templates. */
  readonly templatesBucketName: string;

  /**
   * The ARNs of the store's ECR repositories (`arn:aws:ecr:REGION:ACCOUNT:repository/NAME`).
   *
   * @default - no repository: `grantPull` grants nothing
   */
  readonly imageRepositoryArns?: string[];
}

/**
 * Where a `CicdArtifactStore` lives, and the names it was given: enough to name its key and
 * buckets from any account without copying a value.
 */
export interface CicdArtifactStoreLocation {
  /** The CICD account's ID. */
  readonly account: string;

  /** The store's region. */
  readonly region: string;

  /**
   * The store's `artifactsBucketPrefix`.
   *
   * @default 'cicd-artifacts'
   */
  readonly artifactsBucketPrefix?: string;

  /**
   * The store's `templatesBucketPrefix`.
   *
   * @default 'cicd-templates'
   */
  readonly templatesBucketPrefix?: string;

  /**
   * The store's `keyAlias`.
   *
   * @default 'alias/cicd/artifacts'
   */
  readonly keyAlias?: string;

  /**
   * The ARN of the store's KMS key (`arn:aws:kms:REGION:ACCOUNT:key/ID`), when this stack can
   * know it: a literal, the value of a CloudFormation or StackSet parameter, or of an SSM
   * parameter of this account (`ssm.StringParameter.valueForStringParameter`).
   *
   * A pipeline, CodeBuild project or bucket in another account needs the key's ARN or ID:
   * CodePipeline, CodeBuild and S3 resolve an alias in their own account.
   *
   * @default - the key is known by its alias only: grants work (`kms:ResourceAliases`), and
   * using `encryptionKey` as the encryption key of a pipeline, a project or a bucket fails at synth
   */
  readonly keyArn?: string;

  /**
   * The store's `imageRepositoryNames`.
   *
   * @default - no repository: `grantPull` grants nothing
   */
  readonly imageRepositoryNames?: string[];
}

/**
 * Properties of a `CicdArtifactStore`.
 */
export interface CicdArtifactStoreProps {
  /**
   * The accounts that pipelines deploy into; their principals may read artifacts and
   * templates and decrypt with the key, and write artifacts only where a target says
   * `canWriteArtifacts`.
   *
   * A target in the store's own account gets no cross-account statement: its own IAM
   * policies suffice (single-account mode).
   *
   * @default - no account is listed (give `organizationId` or `organizationPaths` instead)
   */
  readonly targetAccounts?: TargetAccount[];

  /**
   * Admit every principal of this AWS Organization (`aws:PrincipalOrgID`), instead of or in
   * addition to `targetAccounts`. Policies stay the same size whatever the number of accounts.
   *
   * @default - no organization
   */
  readonly organizationId?: string;

  /**
   * Admit the principals of accounts under these organization paths
   * (`aws:PrincipalOrgPaths`), such as `o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*`. A principal
   * must also belong to the organization (`aws:PrincipalOrgID`): `organizationId`, or else the
   * organization the paths start with (they must all name one). S3 counts a bucket-policy
   * statement fixed by organization paths alone as public, and Block Public Access refuses it.
   *
   * @default - no organization path
   */
  readonly organizationPaths?: string[];

  /**
   * In organization mode, admit only roles with these names, in any account of the
   * organization (`aws:PrincipalArn` like `arn:aws:iam::*:role/NAME`), such as the pipeline
   * roles' deterministic names (`cicd-cross-account`, `cicd-cloudformation`, `cicd-build`).
   * `*` and `?` are wildcards. Roles with a path are not matched.
   *
   * @default - every principal of the organization whose own IAM policies allow it
   */
  readonly organizationRoleNames?: string[];

  /**
   * The prefix of the artifacts bucket's name; the full name is `PREFIX-ACCOUNT-REGION`,
   * which other accounts can compute.
   *
   * @default 'cicd-artifacts'
   */
  readonly artifactsBucketPrefix?: string;

  /**
   * The prefix of the templates bucket's name; the full name is `PREFIX-ACCOUNT-REGION`.
   *
   * @default 'cicd-templates'
   */
  readonly templatesBucketPrefix?: string;

  /**
   * The alias of the KMS key. Target accounts find the key by it.
   *
   * @default 'alias/cicd/artifacts'
   */
  readonly keyAlias?: string;

  /**
   * What happens to the key and the buckets when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How long a replaced or deleted version of an artifact or template is kept.
   *
   * @default Duration.days(90)
   */
  readonly noncurrentVersionRetention?: Duration;

  /**
   * The bucket that receives the server access logs of both buckets.
   *
   * @default - a bucket is created for the logs (SSE-S3, TLS only, retained)
   */
  readonly serverAccessLogsBucket?: s3.IBucket;

  /**
   * In organization mode, whether the admitted principals may also write artifacts (and
   * encrypt with the key). Whatever one account writes, the others can deploy.
   *
   * @default false - the organization's principals read artifacts; the CICD account writes them
   */
  readonly organizationCanWriteArtifacts?: boolean;

  /**
   * Whether target accounts may also write to the templates bucket.
   *
   * @default false - the CICD account writes templates; targets only read them
   */
  readonly targetsCanWriteTemplates?: boolean;

  /**
   * Export the stack outputs (key ARN, bucket names and ARNs) under names that start with
   * this prefix, such as `cicd-artifacts` (`cicd-artifacts-KeyArn`). Letters, digits, `-`
   * and `:`.
   *
   * @default - the outputs are not exported
   */
  readonly outputExportPrefix?: string;

  /**
   * Create an ECR repository for container images under each of these names, such as
   * `sample-app` or `team/service`, in the CICD account and the store's region.
   *
   * Each repository scans images on push, keeps tags immutable (`imageTagMutability`), expires
   * untagged images (`untaggedImageRetention`), is encrypted with the store's key and is
   * retained with the store (`removalPolicy`). Its policy lets the store's audience pull
   * (whole accounts, role IDs or ARNs, organization), lets Lambda pull for the functions of the
   * listed target accounts, and denies pushing, deleting and changing the repository to every
   * principal outside the CICD account.
   *
   * @default - no repository
   */
  readonly imageRepositoryNames?: string[];

  /**
   * Whether an image tag of the store's repositories can be moved to another image.
   *
   * @default ecr.TagMutability.IMMUTABLE - a tag names one image for good: what was tested in
   * non-prod is what prod pulls
   */
  readonly imageTagMutability?: ecr.TagMutability;

  /**
   * How long an untagged image is kept in the store's repositories (a whole number of days).
   *
   * @default Duration.days(14)
   */
  readonly untaggedImageRetention?: Duration;

  /**
   * Create the central bucket for CDK assets (`CicdStackSynthesizer`) and the role of the
   * CICD account that publishes them.
   *
   * The bucket, `PREFIX-ACCOUNT-REGION` (`assetsBucketPrefix`), has the settings of the other
   * buckets (the store's key, TLS only, versioned, logged, retained). Each admitted account
   * reads only the objects under its own key prefix `ACCOUNTID/` (one statement with the
   * `${aws:PrincipalAccount}` policy variable), and nobody outside the CICD account writes.
   * The publishing role `PREFIX-publishing-REGION`, trusted by the CICD account, writes into
   * the bucket and pushes to the store's repositories, and may do nothing else.
   *
   * @default false - no assets bucket, no publishing role
   */
  readonly cdkAssets?: boolean;

  /**
   * The prefix of the assets bucket's name (`PREFIX-ACCOUNT-REGION`) and of the publishing
   * role's (`PREFIX-publishing-REGION`). Only with `cdkAssets`.
   *
   * @default 'cicd-assets'
   */
  readonly assetsBucketPrefix?: string;

  /**
   * Only these principals of the CICD account may assume the asset-publishing role (an
   * `aws:PrincipalArn` condition; wildcards allowed), such as the role of CDK Pipelines'
   * asset steps or the developers' role. Only with `cdkAssets`.
   *
   * @default - any principal of the CICD account whose own IAM policies allow it
   */
  readonly assetPublishingTrustedPrincipalArns?: string[];
}

const DEFAULT_RETENTION_DAYS = 90;
const KEY_ARN = /^arn:[a-z-]+:kms:([a-z0-9-]+):(\d{12}):key\/[a-zA-Z0-9-]+$/;
const REPOSITORY_ARN = /^arn:[a-z-]+:ecr:[a-z0-9-]+:\d{12}:repository\/[a-z0-9._\/-]{2,256}$/;

/** What the store's two buckets share. */
interface StoreBucketContext {
  readonly secureBucket: s3.BucketProps;
  readonly key: kms.IKey;
  readonly audience: TargetStatements;
  readonly retention: Duration;
}

/** One of the store's two buckets. */
interface StoreBucketSpec {
  /** The construct ID, which is public API (renaming it replaces the bucket). */
  readonly cid: string;
  readonly prefix: string;
  /** Whether the audience may write (templates with `targetsCanWriteTemplates`). */
  readonly writable: boolean;
  /** The Sid of the statements admitting the audience. */
  readonly sid: string;
  /** The targets that write, for the artifacts bucket. */
  readonly artifactWriterTargets?: TargetAccount[];
  /** Whether each admitted account reads only the objects under its own account ID (the assets bucket). */
  readonly ownPrefixOnly?: boolean;
}

/** What every bucket of the store has: private, owner-enforced, TLS 1.2 only, versioned. */
function secureBucketProps(removalPolicy: RemovalPolicy): s3.BucketProps {
  return {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    versioned: true,
    removalPolicy,
  };
}

/**
 * The grants that target accounts, an imported store and the store itself share.
 */
abstract class CicdArtifactStoreBase extends Resource implements ICicdArtifactStore {
  public abstract readonly encryptionKey: kms.IKey;
  public abstract readonly artifactsBucket: s3.IBucket;
  public abstract readonly templatesBucket: s3.IBucket;
  public abstract readonly imageRepositories: ecr.IRepository[];

  /**
   * Grants reading artifacts and templates, and decrypting with the key.
   *
   * @param grantee the principal to grant to
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, false);
  }

  /**
   * Grants reading and writing artifacts, reading templates, and using the key to encrypt
   * and decrypt.
   *
   * @param grantee the principal to grant to
   */
  public grantReadWrite(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, true);
  }

  /**
   * The key's ARN and conditions, as an identity policy in the grantee's stack names them.
   * @internal
   */
  protected abstract _keyGrant(grantee: iam.IGrantable, actions: string[]): iam.CommonGrantOptions;

  /**
   * The bucket's ARN, as an identity policy in the grantee's stack names it.
   * @internal
   */
  protected abstract _bucketArnFor(grantee: iam.IGrantable, bucket: s3.IBucket): string;

  /**
   * Grants pulling images from every repository of the store, and getting an ECR
   * authorization token.
   *
   * @param grantee the principal to grant to
   */
  public grantPull(grantee: iam.IGrantable): iam.Grant {
    const arns = this._repositoryArnsFor(grantee);
    if (arns.length === 0) {
      return iam.Grant.drop(grantee, 'pull images from an artifact store without image repositories');
    }
    return iam.Grant.addToPrincipal({ grantee, actions: IMAGE_PULL_ACTIONS, resourceArns: arns })
      .combine(iam.Grant.addToPrincipal({ grantee, actions: ['ecr:GetAuthorizationToken'], resourceArns: ['*'] }));
  }

  /**
   * The repositories' ARNs, as an identity policy in the grantee's stack names them.
   * @internal
   */
  protected _repositoryArnsFor(_grantee: iam.IGrantable): string[] {
    return this.imageRepositories.map((r) => r.repositoryArn);
  }

  /**
   * Whether grantReadWrite also writes templates.
   * @internal
   */
  protected _templatesWritable(): boolean {
    return false;
  }

  private grant(grantee: iam.IGrantable, write: boolean): iam.Grant {
    const artifacts = this._bucketArnFor(grantee, this.artifactsBucket);
    const templates = this._bucketArnFor(grantee, this.templatesBucket);
    const writeTemplates = write && this._templatesWritable();
    return iam.Grant.addToPrincipal({
      grantee,
      actions: write ? [...BUCKET_READ_ACTIONS, ...BUCKET_WRITE_ACTIONS] : BUCKET_READ_ACTIONS,
      resourceArns: [artifacts, `${artifacts}/*`],
    }).combine(iam.Grant.addToPrincipal({
      grantee,
      actions: writeTemplates ? [...BUCKET_READ_ACTIONS, ...BUCKET_WRITE_ACTIONS] : BUCKET_READ_ACTIONS,
      resourceArns: [templates, `${templates}/*`],
    })).combine(iam.Grant.addToPrincipal(
      this._keyGrant(grantee, write ? [...KEY_READ_ACTIONS, ...KEY_WRITE_ACTIONS] : KEY_READ_ACTIONS),
    ));
  }
}

/**
 * The artifact store of a CICD account: a KMS key and two S3 buckets (pipeline artifacts,
 * CloudFormation templates) whose policies admit exactly the target accounts, or exactly
 * some roles in them, or an AWS Organization, and nobody else.
 *
 * Both buckets are encrypted with the key (SSE-KMS with bucket keys), versioned, private,
 * TLS 1.2+ only, owned by the bucket owner, logged, and retained when the stack is deleted.
 * Uploads encrypted otherwise than with the key are denied.
 *
 * @example
 *
 * new CicdArtifactStore(this, 'Store', {
 *   targetAccounts: [
 *     { name: 'nonprod', accountId: '222222222222' },
 *     { name: 'prod', accountId: '777777777777' },
 *   ],
 * });
 */
export class CicdArtifactStore extends CicdArtifactStoreBase {
  /**
   * Uses an existing artifact store, given its key ARN and bucket names.
   *
   * The imported key and buckets cannot have their policies changed: the store's own stack
   * decides who is admitted.
   *
   * @param scope the parent construct
   * @param id the construct's ID, unique among its siblings
   * @param attrs the key ARN and bucket names
   */
  public static fromArtifactStoreAttributes(scope: Construct, id: string, attrs: CicdArtifactStoreAttributes): ICicdArtifactStore {
    return new ImportedCicdArtifactStore(scope, id, attrs);
  }

  /**
   * Uses the artifact store of a CICD account by its deterministic names: the buckets'
   * `PREFIX-ACCOUNT-REGION` names and the key's alias. Nothing is read or copied, so one
   * template serves every target account (for instance in a StackSet).
   *
   * Without `location.keyArn`, the key is known by its alias only: grants through the store
   * or the key name it by `kms:ResourceAliases` (IAM statements on an alias ARN grant nothing),
   * and using `encryptionKey` as the encryption key of a pipeline, a CodeBuild project or a
   * bucket fails at synth, since CodePipeline, CodeBuild and S3 resolve an alias in their own
   * account. Give `keyArn` (a literal, a StackSet parameter, an SSM parameter) for those.
   *
   * @param scope the parent construct
   * @param id the construct's ID, unique among its siblings
   * @param location the CICD account, its region, and the store's names if not the defaults
   */
  public static fromCicdAccount(scope: Construct, id: string, location: CicdArtifactStoreLocation): ICicdArtifactStore {
    const errors = new PropErrors('CicdArtifactStore.fromCicdAccount', scope, id);
    if (isToken(location.account) || !isAccountId(location.account)) {
      errors.add('account', location.account, ACCOUNT_ID_RULE);
    }
    const regionOk = !isToken(location.region) && /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(location.region);
    if (!regionOk) {
      errors.add('region', location.region, 'allowed: a literal AWS region such as "eu-west-1"');
    }
    checkBucketPrefixes(errors, regionOk ? location.region : undefined, location);
    if (location.keyAlias !== undefined && keyAliasProblem(location.keyAlias)) {
      errors.add('keyAlias', location.keyAlias, keyAliasProblem(location.keyAlias)!);
    }
    const keyArn = location.keyArn;
    if (keyArn !== undefined && !isToken(keyArn)) {
      const m = KEY_ARN.exec(keyArn);
      if (!m) {
        errors.add('keyArn', keyArn, 'allowed: a KMS key ARN such as "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab" (not an alias ARN)');
      } else if (regionOk && isAccountId(location.account) && (m[1] !== location.region || m[2] !== location.account)) {
        errors.add('keyArn', keyArn, `allowed: a key of the store's account and region (${location.account}, ${location.region})`);
      }
    }
    checkRepositoryNames(errors, 'imageRepositoryNames', location.imageRepositoryNames);
    errors.throwIfAny();
    const name = (prefix: string) => CicdArtifactStore.bucketName(prefix, location.account, location.region);
    const alias = location.keyAlias ?? DEFAULT_KEY_ALIAS;
    return new ImportedCicdArtifactStore(scope, id, {
      keyArn,
      artifactsBucketName: name(location.artifactsBucketPrefix ?? DEFAULT_ARTIFACTS_PREFIX),
      templatesBucketName: name(location.templatesBucketPrefix ?? DEFAULT_TEMPLATES_PREFIX),
      imageRepositoryArns: location.imageRepositoryNames?.map((n) => repositoryArn(location.account, location.region, n)),
    }, { alias, account: location.account, region: location.region, byArn: keyArn !== undefined });
  }

  /**
   * Uses the artifact store whose settings `CicdSettings` published in SSM Parameter Store
   * (in this account and region), resolved at deploy time.
   *
   * @param scope the parent construct
   * @param id the construct's ID, unique among its siblings
   * @param options where the parameters are
   */
  public static fromSsmParameters(scope: Construct, id: string, options: CicdSettingsImportOptions = {}): ICicdArtifactStore {
    const errors = new PropErrors('CicdArtifactStore.fromSsmParameters', scope, id);
    checkParameterPrefix(errors, options.parameterPrefix);
    errors.throwIfAny();
    const names = storeParameterNames(options.parameterPrefix ?? DEFAULT_PARAMETER_PREFIX);
    const read = (name: string) => ssm.StringParameter.valueForStringParameter(scope, name);
    return new ImportedCicdArtifactStore(scope, id, {
      keyArn: read(names.keyArn),
      artifactsBucketName: read(names.artifactsBucketName),
      templatesBucketName: read(names.templatesBucketName),
    });
  }

  /**
   * The name of an artifact store's bucket: `PREFIX-ACCOUNT-REGION`.
   *
   * @param prefix the bucket's prefix, such as `cicd-artifacts`
   * @param account the CICD account's ID
   * @param region the CICD account's region
   */
  public static bucketName(prefix: string, account: string, region: string): string {
    return bucketName(prefix, account, region);
  }

  public readonly encryptionKey: kms.IKey;
  public readonly artifactsBucket: s3.IBucket;
  public readonly templatesBucket: s3.IBucket;

  /** The alias of the key, such as `alias/cicd/artifacts`. */
  public readonly keyAlias: string;

  /** The accounts admitted, as given. */
  public readonly targetAccounts: TargetAccount[];

  /** The bucket that receives the server access logs of both buckets. */
  public readonly serverAccessLogsBucket: s3.IBucket;

  public readonly imageRepositories: ecr.IRepository[];

  /** The names of the store's ECR repositories, as given. */
  public readonly imageRepositoryNames: string[];

  /**
   * The central bucket for CDK assets, with `cdkAssets`.
   *
   * @default - none, without `cdkAssets`
   */
  public readonly assetsBucket?: s3.IBucket;

  /**
   * The role of the CICD account that publishes CDK assets, with `cdkAssets`.
   *
   * @default - none, without `cdkAssets`
   */
  public readonly assetPublishingRole?: iam.IRole;

  private readonly repositories: ImageRepository[];
  private readonly targetsCanWriteTemplates: boolean;
  private readonly organizationCanWriteArtifacts: boolean;
  private readonly keyPolicy: iam.PolicyDocument;
  /** The buckets' names as literals, for stacks that must not reference this one. */
  private readonly physicalNames = new Map<string, string>();

  /**
   * @param scope the parent construct
   * @param id the construct's ID, unique among its siblings
   * @param props the accounts admitted and the store's settings
   */
  constructor(scope: Construct, id: string, props: CicdArtifactStoreProps = {}) {
    const stack = Stack.of(scope);
    validate(stack, props, scope, id);
    super(scope, id);

    const targets = props.targetAccounts ?? [];
    this.targetAccounts = targets;
    this.keyAlias = props.keyAlias ?? DEFAULT_KEY_ALIAS;
    this.targetsCanWriteTemplates = props.targetsCanWriteTemplates ?? false;
    this.organizationCanWriteArtifacts = props.organizationCanWriteArtifacts ?? false;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const retention = props.noncurrentVersionRetention ?? Duration.days(DEFAULT_RETENTION_DAYS);
    this.warnIfNoAudience(props);

    const audience = new TargetStatements(this, {
      targetAccounts: targets,
      // S3 counts aws:PrincipalOrgPaths as public: the organization ID (from the paths) fixes the statement.
      organizationId: props.organizationId ?? organizationOfPaths(props.organizationPaths),
      organizationPaths: props.organizationPaths,
      organizationRoleNames: props.organizationRoleNames,
    });
    const writers = artifactWriters(targets);

    const { key, policy } = this.createKey(audience, targets, writers, removalPolicy);
    this.keyPolicy = policy;
    this.encryptionKey = key;

    const secureBucket = secureBucketProps(removalPolicy);
    this.serverAccessLogsBucket = props.serverAccessLogsBucket ?? this.createAccessLogsBucket(secureBucket, retention);
    const shared: StoreBucketContext = { secureBucket, key, audience, retention };
    this.artifactsBucket = this.createStoreBucket(shared, {
      cid: 'ArtifactsBucket',
      prefix: props.artifactsBucketPrefix ?? DEFAULT_ARTIFACTS_PREFIX,
      writable: false,
      sid: 'ReadArtifactsFromTargets',
      artifactWriterTargets: writers,
    });
    this.templatesBucket = this.createStoreBucket(shared, {
      cid: 'TemplatesBucket',
      prefix: props.templatesBucketPrefix ?? DEFAULT_TEMPLATES_PREFIX,
      writable: this.targetsCanWriteTemplates,
      sid: this.targetsCanWriteTemplates ? 'ReadWriteTemplatesFromTargets' : 'ReadTemplatesFromTargets',
    });

    this.imageRepositoryNames = props.imageRepositoryNames ?? [];
    this.repositories = createImageRepositories(this, {
      names: this.imageRepositoryNames,
      audience,
      key,
      removalPolicy,
      tagMutability: props.imageTagMutability ?? ecr.TagMutability.IMMUTABLE,
      untaggedImageRetention: props.untaggedImageRetention ?? Duration.days(DEFAULT_UNTAGGED_IMAGE_RETENTION_DAYS),
    });
    this.imageRepositories = this.repositories.map((r) => r.repository);

    if (props.cdkAssets) {
      const assetsPrefix = props.assetsBucketPrefix ?? DEFAULT_ASSETS_PREFIX;
      this.assetsBucket = this.createStoreBucket(shared, {
        cid: 'AssetsBucket',
        prefix: assetsPrefix,
        writable: false,
        sid: 'ReadOwnAssetsFromTargets',
        ownPrefixOnly: true,
      });
      this.assetPublishingRole = createAssetPublishingRole(this, {
        bucket: this.assetsBucket,
        key,
        repositoryNames: this.imageRepositoryNames,
        assetsBucketPrefix: assetsPrefix,
        trustedPrincipalArns: props.assetPublishingTrustedPrincipalArns,
      });
    }

    this.node.addValidation({ validate: () => this.validatePolicySizes() });
    this.node.addValidation({ validate: () => this.validatePublicPolicies() });
    this.addOutputs(key, props.outputExportPrefix);
  }

  /** A store that admits no other account is most likely a mistake: say so, acknowledgeably. */
  private warnIfNoAudience(props: CicdArtifactStoreProps): void {
    if ((props.targetAccounts ?? []).length === 0 && !props.organizationId && !props.organizationPaths) {
      Annotations.of(this).addWarningV2('cdk-cross-account-cicd:noTargetAccounts',
        'CicdArtifactStore: neither targetAccounts nor organizationId/organizationPaths is given, so no other account can use the store. '
        + 'List the accounts pipelines deploy into, or acknowledge this warning for a store used by its own account only.');
    }
  }

  /**
   * The KMS key: rotated, administered by this account through IAM, used (never administered,
   * never granted onwards) by the audience. Targets decrypt; only those that write artifacts
   * (or templates) encrypt.
   */
  private createKey(audience: TargetStatements, targets: TargetAccount[], writers: TargetAccount[], removalPolicy: RemovalPolicy) {
    const policy = new iam.PolicyDocument({
      minimize: false,
      statements: [
        new iam.PolicyStatement({
          sid: 'AdministerKeyFromThisAccount',
          principals: [new iam.AccountRootPrincipal()],
          actions: ['kms:*'],
          resources: ['*'],
        }),
      ],
    });
    const key = new kms.Key(this, 'Key', {
      description: `Encrypts the CICD artifact store (${this.keyAlias})`,
      enableKeyRotation: true,
      removalPolicy,
      policy,
    });
    const encrypters = this.targetsCanWriteTemplates ? targets : writers;
    const keyStatements = [
      ...audience.statements({ sid: 'UseKeyFromTargets', actions: KEY_READ_ACTIONS, resources: ['*'] }),
      ...audience.statements({
        sid: 'EncryptWithKeyFromWriters',
        actions: KEY_WRITE_ACTIONS,
        resources: ['*'],
        targets: encrypters,
        organization: this.targetsCanWriteTemplates || this.organizationCanWriteArtifacts,
      }),
    ];
    for (const statement of keyStatements) {
      key.addToResourcePolicy(statement);
    }
    key.addAlias(this.keyAlias);
    return { key, policy };
  }

  private createAccessLogsBucket(secureBucket: s3.BucketProps, retention: Duration): s3.IBucket {
    return new s3.Bucket(this, 'AccessLogsBucket', {
      ...secureBucket,
      // Server access logging delivers only to SSE-S3 buckets.
      encryption: s3.BucketEncryption.S3_MANAGED,
      lifecycleRules: [{ id: 'ExpireNoncurrentVersions', noncurrentVersionExpiration: retention }],
    });
  }

  /** One of the store's two buckets: encrypted with the key, logged, admitting the audience. */
  private createStoreBucket(shared: StoreBucketContext, spec: StoreBucketSpec): s3.Bucket {
    const name = this.bucketNameFor(spec.prefix);
    this.physicalNames.set(spec.cid, name);
    const bucket = new s3.Bucket(this, spec.cid, {
      ...shared.secureBucket,
      bucketName: name,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: shared.key,
      bucketKeyEnabled: true,
      lifecycleRules: [{
        id: 'ExpireNoncurrentVersions',
        noncurrentVersionExpiration: shared.retention,
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      }],
    });
    this.logToAccessLogsBucket(bucket, spec.cid, spec.prefix);
    this.denyUploadsWithAnotherKey(bucket, shared.key);
    for (const statement of shared.audience.statements(spec.ownPrefixOnly ? {
      sid: spec.sid,
      actions: ASSET_READ_ACTIONS,
      resources: [bucket.arnForObjects(`${OWN_ACCOUNT_PREFIX}*`)],
    } : {
      sid: spec.sid,
      actions: spec.writable ? [...BUCKET_READ_ACTIONS, ...BUCKET_WRITE_ACTIONS] : BUCKET_READ_ACTIONS,
      resources: [bucket.bucketArn, bucket.arnForObjects('*')],
    })) {
      bucket.addToResourcePolicy(statement);
    }
    // Writers of artifacts: only the targets that opted in.
    if (spec.artifactWriterTargets) {
      for (const statement of shared.audience.statements({
        sid: 'WriteArtifactsFromWriters',
        actions: BUCKET_WRITE_ACTIONS,
        resources: [bucket.arnForObjects('*')],
        targets: spec.artifactWriterTargets,
        organization: this.organizationCanWriteArtifacts,
      })) {
        bucket.addToResourcePolicy(statement);
      }
    }
    return bucket;
  }

  /**
   * Server access logs, set on the resource and allowed by a bucket policy on the logs bucket,
   * whatever the app's feature flags say (the CDK's own option may fall back to an ACL).
   */
  private logToAccessLogsBucket(bucket: s3.Bucket, cid: string, prefix: string): void {
    (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
      destinationBucketName: this.serverAccessLogsBucket.bucketName,
      logFilePrefix: `${prefix}/`,
    };
    this.serverAccessLogsBucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: `S3ServerAccessLogsFor${cid}`,
      principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [this.serverAccessLogsBucket.arnForObjects(`${prefix}/*`)],
      conditions: {
        ArnLike: { 'aws:SourceArn': bucket.bucketArn },
        StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
      },
    }));
  }

  /**
   * Objects are encrypted with the store's key: the bucket default does it for uploads that
   * name no encryption; uploads that name another one are denied. A header that is absent
   * passes (Null: false): the bucket's default encryption applies.
   */
  private denyUploadsWithAnotherKey(bucket: s3.Bucket, key: kms.IKey): void {
    const stack = Stack.of(this);
    const denyUploadsWith = (denySid: string, header: string, required: string | string[]) => bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: denySid,
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects('*')],
      conditions: { StringNotEquals: { [header]: required }, Null: { [header]: 'false' } },
    }));
    denyUploadsWith('DenyUploadsNotEncryptedWithKms', 's3:x-amz-server-side-encryption', 'aws:kms');
    // The key by its ARN, or by its alias ARN, which names this account: S3 resolves a bare key ID
    // or alias name in the uploader's account instead, so those are denied.
    denyUploadsWith('DenyUploadsWithAnotherKey', 's3:x-amz-server-side-encryption-aws-kms-key-id',
      [key.keyArn, `arn:${Aws.PARTITION}:kms:${stack.region}:${stack.account}:${this.keyAlias}`]);
    // `aws:kms` without a key ID gets the AWS managed aws/s3 key, which no other account can use.
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'DenyUploadsWithTheAwsManagedKey',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects('*')],
      conditions: {
        StringEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },
        Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'true' },
      },
    }));
  }

  private addOutputs(key: kms.IKey, exportPrefix: string | undefined): void {
    const output = (oid: string, value: string, description: string) => new CfnOutput(this, oid, {
      value,
      description,
      exportName: exportPrefix ? `${exportPrefix}-${oid}` : undefined,
    });
    output('KeyArn', key.keyArn, 'ARN of the KMS key of the CICD artifact store');
    output('ArtifactsBucketName', this.artifactsBucket.bucketName, 'Name of the bucket for pipeline artifacts');
    output('ArtifactsBucketArn', this.artifactsBucket.bucketArn, 'ARN of the bucket for pipeline artifacts');
    output('TemplatesBucketName', this.templatesBucket.bucketName, 'Name of the bucket for CloudFormation templates');
    output('TemplatesBucketArn', this.templatesBucket.bucketArn, 'ARN of the bucket for CloudFormation templates');
  }

  /** @internal */
  protected _templatesWritable(): boolean {
    return this.targetsCanWriteTemplates;
  }

  /** @internal */
  protected _keyGrant(grantee: iam.IGrantable, actions: string[]): iam.CommonGrantOptions {
    if (sameStack(this, grantee)) {
      return { grantee, actions, resourceArns: [this.encryptionKey.keyArn] };
    }
    // The key's ID is known only after deploying; another stack names the key by its alias.
    const stack = this.requireLiteralEnv(grantee);
    return aliasGrant(grantee, actions, stack.account, stack.region, this.keyAlias);
  }

  /** @internal */
  protected _repositoryArnsFor(grantee: iam.IGrantable): string[] {
    if (this.imageRepositoryNames.length === 0 || sameStack(this, grantee)) {
      return super._repositoryArnsFor(grantee);
    }
    // By name, so that the grantee's stack neither references nor depends on this one.
    const stack = this.requireLiteralEnv(grantee);
    return this.imageRepositoryNames.map((name) => repositoryArn(stack.account, stack.region, name));
  }

  /** @internal */
  protected _bucketArnFor(grantee: iam.IGrantable, bucket: s3.IBucket): string {
    if (sameStack(this, grantee)) {
      return bucket.bucketArn;
    }
    // By name, so that the grantee's stack neither references nor depends on this one.
    this.requireLiteralEnv(grantee);
    return `arn:${Aws.PARTITION}:s3:::${this.physicalNames.get(bucket.node.id)}`;
  }

  private bucketNameFor(prefix: string): string {
    const stack = Stack.of(this);
    return CicdArtifactStore.bucketName(prefix, stack.account, stack.region);
  }

  private requireLiteralEnv(grantee: iam.IGrantable): Stack {
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
      throw new Error(`CicdArtifactStore ${this.node.path}: cannot grant access to ${grantee.grantPrincipal} in another stack, because the store's stack `
        + 'has no literal account and region (env). Give the store\'s stack an env, or use CicdArtifactStore.fromArtifactStoreAttributes() in the other stack.');
    }
    return stack;
  }

  /**
   * Which way of admitting the targets would fit, for the size guard's message.
   *
   * @param listedTwice whether a target is listed in a second statement of the policy (it writes)
   */
  private sizeAdvice(bytes: number, limit: number, listedTwice: (t: TargetAccount) => boolean = () => false): string {
    const targets = this.targetAccounts;
    // Each role ID or ARN is one quoted string and a comma in a condition list, once per
    // statement that lists the target.
    const arnBytes = (arns: string[] = []) => arns.reduce((a, arn) => a + arn.length + 3, 0);
    const narrowing = (t: TargetAccount) => (t.roleIds ?? []).reduce((a, id) => a + id.length + 5, 0) + arnBytes(t.roleArns);
    const narrowingBytes = targets.reduce((sum, t) => sum + narrowing(t)
      + (listedTwice(t) ? (t.artifactWriterRoleArns ? arnBytes(t.artifactWriterRoleArns) : narrowing(t)) : 0), 0);
    const narrowed = targets.filter((t) => t.roleIds || t.roleArns).length;
    const advice: string[] = [];
    if (narrowed > 0 && bytes - narrowingBytes <= limit) {
      advice.push(`The ${targets.length} accounts would fit as whole accounts: without roleIds and roleArns the policy would be about ${bytes - narrowingBytes} bytes.`);
    } else if (narrowed > 0) {
      advice.push(`Even without roleIds and roleArns (about ${bytes - narrowingBytes} bytes), ${targets.length} accounts do not fit.`);
    }
    advice.push('Organization mode (organizationId, with organizationRoleNames to admit only the pipeline roles) fits any number of accounts: its policies stay the same size.');
    return advice.join(' ');
  }

  /** S3's public-policy rule on every bucket policy of the store (Block Public Access would refuse a public one). */
  private validatePublicPolicies(): string[] {
    const advice = (p: PublicStatement) => (p.sid?.endsWith('Organization')
      ? 'Give organizationId (organizationPaths and organizationRoleNames alone do not fix it).'
      : 'Admit other accounts through targetAccounts or organizationId, or add a condition on one of these keys to the statement.');
    const buckets: Array<[string, s3.IBucket]> = [
      ['ArtifactsBucket', this.artifactsBucket],
      ['TemplatesBucket', this.templatesBucket],
      ['AccessLogsBucket', this.serverAccessLogsBucket],
      ...(this.assetsBucket ? [['AssetsBucket', this.assetsBucket] as [string, s3.IBucket]] : []),
    ];
    return buckets.flatMap(([cid, b]) => {
      const policy = (b as s3.Bucket).policy;
      return policy && b.node.scope === this ? checkBucketPolicyNotPublic(this, `${this.node.path}/${cid}`, policy.document, advice) : [];
    });
  }

  private validatePolicySizes(): string[] {
    const errors: string[] = [];
    const writesArtifacts = (t: TargetAccount) => t.canWriteArtifacts === true || t.artifactWriterRoleArns !== undefined;
    const encrypts = (t: TargetAccount) => this.targetsCanWriteTemplates || writesArtifacts(t);
    const check = (what: string, doc: iam.PolicyDocument | undefined, quota: number, listedTwice?: (t: TargetAccount) => boolean) => {
      const error = doc ? checkPolicySize(this, what, doc, quota, (bytes, limit) => this.sizeAdvice(bytes, limit, listedTwice)) : undefined;
      if (error) {
        errors.push(error);
      }
    };
    check(`The key policy of ${this.node.path}/Key`, this.keyPolicy, KEY_POLICY_QUOTA, encrypts);
    check(`The bucket policy of ${this.node.path}/ArtifactsBucket`, (this.artifactsBucket as s3.Bucket).policy?.document, BUCKET_POLICY_QUOTA, writesArtifacts);
    check(`The bucket policy of ${this.node.path}/TemplatesBucket`, (this.templatesBucket as s3.Bucket).policy?.document, BUCKET_POLICY_QUOTA);
    if (this.assetsBucket) {
      check(`The bucket policy of ${this.node.path}/AssetsBucket`, (this.assetsBucket as s3.Bucket).policy?.document, BUCKET_POLICY_QUOTA);
    }
    errors.push(...checkRepositoryPolicySizes(this, this.repositories, (bytes, limit) => this.sizeAdvice(bytes, limit)));
    return errors;
  }

  /**
   * Applies a removal policy to the key and every bucket this store created (the artifacts,
   * templates and access-logs buckets; not a `serverAccessLogsBucket` given to it), as the
   * `removalPolicy` prop does.
   *
   * The store's other resources (the alias, the bucket policies) follow their key and buckets.
   *
   * @param policy what happens to the key and the buckets when they leave the stack
   */
  public applyRemovalPolicy(policy: RemovalPolicy): void {
    for (const child of this.node.findAll()) {
      if (CfnResource.isCfnResource(child) && STATEFUL_TYPES.includes(child.cfnResourceType)) {
        child.applyRemovalPolicy(policy);
      }
    }
  }
}

/** The resources of the store that hold data, and so have a removal policy. */
const STATEFUL_TYPES = ['AWS::KMS::Key', 'AWS::S3::Bucket'];

class ImportedCicdArtifactStore extends CicdArtifactStoreBase {
  public readonly encryptionKey: kms.IKey;
  public readonly artifactsBucket: s3.IBucket;
  public readonly templatesBucket: s3.IBucket;
  public readonly imageRepositories: ecr.IRepository[];

  /**
   * @param byAlias when given, the store is named by location: the key has this alias in this
   * account and region, and `attrs.keyArn` is given only when `byArn` is true
   */
  constructor(
    scope: Construct,
    id: string,
    attrs: {
      readonly keyArn?: string; readonly artifactsBucketName: string; readonly templatesBucketName: string; readonly imageRepositoryArns?: string[];
    },
    private readonly byAlias?: { alias: string; account: string; region: string; byArn: boolean },
  ) {
    const errors = new PropErrors('CicdArtifactStore.fromArtifactStoreAttributes', scope, id);
    if (!byAlias && !isToken(attrs.keyArn) && !KEY_ARN.test(attrs.keyArn ?? '')) {
      errors.add('keyArn', attrs.keyArn, 'allowed: a KMS key ARN such as "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"');
    }
    for (const prop of ['artifactsBucketName', 'templatesBucketName'] as const) {
      const name = attrs[prop];
      if (!isToken(name) && !/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(name)) {
        errors.add(prop, name, 'allowed: an S3 bucket name of 3 to 63 lower-case letters, digits and hyphens, without dots');
      }
    }
    (attrs.imageRepositoryArns ?? []).forEach((arn, i) => {
      if (!isToken(arn) && !REPOSITORY_ARN.test(arn)) {
        errors.add(`imageRepositoryArns[${i}]`, arn, 'allowed: an ECR repository ARN such as "arn:aws:ecr:eu-west-1:111111111111:repository/sample-app"');
      }
    });
    errors.throwIfAny();
    // The CICD account's environment, as aws-cdk-lib's imported resources know theirs: from the
    // location, or from a literal key ARN; otherwise (SSM values) this stack's own.
    const keyEnv = attrs.keyArn === undefined || isToken(attrs.keyArn) ? undefined : KEY_ARN.exec(attrs.keyArn);
    super(scope, id, byAlias ? { account: byAlias.account, region: byAlias.region } : keyEnv ? { account: keyEnv[2], region: keyEnv[1] } : {});
    this.encryptionKey = attrs.keyArn !== undefined
      ? kms.Key.fromKeyArn(this, 'Key', attrs.keyArn)
      : new KeyByAlias(this, 'Key', {
        ...byAlias!,
        importer: `CicdArtifactStore.fromCicdAccount (${this.node.path})`,
        remedy: 'Pass keyArn to CicdArtifactStore.fromCicdAccount() (a literal, a StackSet parameter, or an SSM parameter of this account), '
          + 'or use CicdArtifactStore.fromSsmParameters() or fromArtifactStoreAttributes().',
      });
    this.artifactsBucket = s3.Bucket.fromBucketAttributes(this, 'ArtifactsBucket', {
      bucketName: attrs.artifactsBucketName,
      encryptionKey: this.encryptionKey,
    });
    this.templatesBucket = s3.Bucket.fromBucketAttributes(this, 'TemplatesBucket', {
      bucketName: attrs.templatesBucketName,
      encryptionKey: this.encryptionKey,
    });
    this.imageRepositories = (attrs.imageRepositoryArns ?? []).map((arn, i) =>
      ecr.Repository.fromRepositoryAttributes(this, `ImageRepository${i}`, { repositoryArn: arn, repositoryName: repositoryNameOf(arn) }));
  }

  /** @internal */
  protected _keyGrant(grantee: iam.IGrantable, actions: string[]): iam.CommonGrantOptions {
    if (this.byAlias && !this.byAlias.byArn) {
      return aliasGrant(grantee, actions, this.byAlias.account, this.byAlias.region, this.byAlias.alias);
    }
    return { grantee, actions, resourceArns: [this.encryptionKey.keyArn] };
  }

  /** @internal */
  protected _bucketArnFor(_grantee: iam.IGrantable, bucket: s3.IBucket): string {
    return bucket.bucketArn;
  }

  /** An imported store's key and buckets belong to another stack: warns and changes nothing. */
  public applyRemovalPolicy(policy: RemovalPolicy): void {
    Annotations.of(this).addWarningV2('cdk-cross-account-cicd:importedStoreRemovalPolicy',
      `applyRemovalPolicy(${policy}) on an imported artifact store changes nothing: set it on the CicdArtifactStore that created the key and buckets.`);
  }
}

/**
 * The targets that write artifacts, as the write statements admit them: narrowed to their
 * `artifactWriterRoleArns` when given.
 */
function artifactWriters(targets: TargetAccount[]): TargetAccount[] {
  return targets
    .filter((t) => t.canWriteArtifacts || t.artifactWriterRoleArns)
    .map((t) => (t.artifactWriterRoleArns ? { name: t.name, accountId: t.accountId, roleArns: t.artifactWriterRoleArns } : t));
}

/** A grant on the key that has `alias` in `account` and `region`, whatever its ID. */
function aliasGrant(grantee: iam.IGrantable, actions: string[], account: string, region: string, alias: string): iam.CommonGrantOptions {
  return {
    grantee,
    actions,
    resourceArns: [`arn:${Aws.PARTITION}:kms:${region}:${account}:key/*`],
    conditions: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': alias } },
  };
}

function sameStack(a: IConstruct, b: iam.IGrantable): boolean {
  return Construct.isConstruct(b) && Stack.of(a) === Stack.of(b as unknown as IConstruct);
}

function validate(stack: Stack, props: CicdArtifactStoreProps, scope: Construct, id: string): void {
  const errors = new PropErrors('CicdArtifactStore', scope, id);
  const seen = { accounts: new Map<string, string>(), names: new Map<string, string>() };
  (props.targetAccounts ?? []).forEach((t, i) => validateTarget(errors, `targetAccounts[${i}]`, t, seen));
  validateOrganization(errors, props);
  validateStoreSettings(errors, stack, props);
  errors.throwIfAny();
}

/** One target account: its name and account ID unique, its role IDs and ARNs its own. */
function validateTarget(errors: PropErrors, at: string, t: TargetAccount, seen: { accounts: Map<string, string>; names: Map<string, string> }): void {
  const seenNames = seen.names;
  const seenAccounts = seen.accounts;
  if (checkTargetName(errors, `${at}.name`, t.name)) {
    const key = pascal(t.name).toLowerCase();
    if (seenNames.has(key)) {
      errors.add(`${at}.name`, t.name, `allowed: a name used by no other target (it clashes with ${JSON.stringify(seenNames.get(key))})`);
    }
    seenNames.set(key, t.name);
  }
  if (typeof t.accountId === 'string' && isToken(t.accountId)) {
    errors.add(`${at}.accountId`, t.accountId, 'allowed: a literal account ID; tokens resolved at deploy time cannot be checked nor grouped into policies');
  } else if (!isAccountId(t.accountId)) {
    errors.add(`${at}.accountId`, t.accountId, ACCOUNT_ID_RULE);
  } else {
    if (seenAccounts.has(t.accountId)) {
      errors.add(`${at}.accountId`, t.accountId, `allowed: an account listed once (it is already target ${JSON.stringify(seenAccounts.get(t.accountId))}); list several roles of one account in its roleIds or roleArns`);
    }
    seenAccounts.set(t.accountId, t.name);
  }
  if (t.roleIds !== undefined) {
    if (t.roleIds.length === 0) {
      errors.add(`${at}.roleIds`, t.roleIds, 'allowed: at least one role unique ID; omit roleIds to admit the whole account');
    }
    t.roleIds.forEach((roleId, j) => {
      if (typeof roleId !== 'string' || isToken(roleId) || !isRoleId(roleId)) {
        errors.add(`${at}.roleIds[${j}]`, roleId, isToken(roleId) ? 'allowed: a literal role unique ID, not a token' : ROLE_ID_RULE);
      }
    });
  }
  if (t.artifactWriterRoleArns !== undefined) {
    if (t.artifactWriterRoleArns.length === 0) {
      errors.add(`${at}.artifactWriterRoleArns`, t.artifactWriterRoleArns, 'allowed: at least one role ARN; omit it (and set canWriteArtifacts) to let the whole target write');
    }
    t.artifactWriterRoleArns.forEach((arn, j) => {
      const account = typeof arn === 'string' && !isToken(arn) ? roleArnAccount(arn) : undefined;
      if (account === undefined || (isAccountId(t.accountId) && account !== t.accountId)) {
        errors.add(`${at}.artifactWriterRoleArns[${j}]`, arn, `allowed: a literal ARN of a role of the target's own account, such as "arn:aws:iam::${isAccountId(t.accountId) ? t.accountId : '222222222222'}:role/cicd-cross-account"`);
      }
    });
  }
  if (t.roleArns !== undefined) {
    if (t.roleArns.length === 0) {
      errors.add(`${at}.roleArns`, t.roleArns, 'allowed: at least one role ARN; omit roleArns to admit the whole account');
    }
    t.roleArns.forEach((arn, j) => {
      const account = typeof arn === 'string' && !isToken(arn) ? roleArnAccount(arn) : undefined;
      if (account === undefined) {
        errors.add(`${at}.roleArns[${j}]`, arn, 'allowed: a literal IAM role ARN such as "arn:aws:iam::222222222222:role/cicd-pipeline"');
      } else if (isAccountId(t.accountId) && account !== t.accountId) {
        errors.add(`${at}.roleArns[${j}]`, arn, `allowed: a role of the target's own account ${t.accountId}`);
      }
    });
  }
}

/** Organization mode: the ID, the paths (of one organization), the role names. */
function validateOrganization(errors: PropErrors, props: CicdArtifactStoreProps): void {
  if (props.organizationId !== undefined && (isToken(props.organizationId) || !isOrganizationId(props.organizationId))) {
    errors.add('organizationId', props.organizationId, ORGANIZATION_ID_RULE);
  }
  if (props.organizationPaths !== undefined) {
    const organizations = new Set(props.organizationPaths.filter((p) => !isToken(p) && isOrganizationPath(p)).map((p) => p.split('/')[0]));
    if (!props.organizationId && organizations.size > 1) {
      errors.add('organizationPaths', props.organizationPaths, `allowed: paths of one organization (these name ${[...organizations].join(' and ')}); `
        + 'the store fixes its organization statement with that organization\'s ID (aws:PrincipalOrgID), as S3 requires of a non-public bucket policy');
    }
    if (props.organizationPaths.length === 0) {
      errors.add('organizationPaths', props.organizationPaths, 'allowed: at least one path; omit organizationPaths to admit no organization path');
    }
    props.organizationPaths.forEach((p, i) => {
      if (isToken(p) || !isOrganizationPath(p)) {
        errors.add(`organizationPaths[${i}]`, p, ORGANIZATION_PATH_RULE);
      } else if (props.organizationId && isOrganizationId(props.organizationId) && !p.startsWith(`${props.organizationId}/`)) {
        errors.add(`organizationPaths[${i}]`, p, `allowed: a path in the organization ${props.organizationId}`);
      }
    });
  }

  if (props.organizationCanWriteArtifacts && !props.organizationId && !props.organizationPaths) {
    errors.add('organizationCanWriteArtifacts', props.organizationCanWriteArtifacts, 'allowed: only with organizationId or organizationPaths; list writers with targetAccounts[].canWriteArtifacts');
  }
  if (props.organizationRoleNames !== undefined) {
    if (!props.organizationId && !props.organizationPaths) {
      errors.add('organizationRoleNames', props.organizationRoleNames, 'allowed: only with organizationId or organizationPaths (it narrows organization mode)');
    }
    if (props.organizationRoleNames.length === 0) {
      errors.add('organizationRoleNames', props.organizationRoleNames, 'allowed: at least one role name; omit it to admit every principal of the organization');
    }
    props.organizationRoleNames.forEach((name, i) => {
      if (isToken(name) || !/^[\w+=,.@*?-]{1,64}$/.test(name)) {
        errors.add(`organizationRoleNames[${i}]`, name, 'allowed: an IAM role name (letters, digits and "+=,.@_-", at most 64), with "*" and "?" as wildcards');
      }
    });
  }
}

/** The names, the key alias, retention, repositories and exports. */
function validateStoreSettings(errors: PropErrors, stack: Stack, props: CicdArtifactStoreProps): void {
  checkBucketPrefixes(errors, stack.region, props);
  if ((props.artifactsBucketPrefix ?? DEFAULT_ARTIFACTS_PREFIX) === (props.templatesBucketPrefix ?? DEFAULT_TEMPLATES_PREFIX)) {
    errors.add('templatesBucketPrefix', props.templatesBucketPrefix ?? DEFAULT_TEMPLATES_PREFIX, 'allowed: a prefix other than artifactsBucketPrefix (the two buckets need different names)');
  }
  if (props.keyAlias !== undefined && keyAliasProblem(props.keyAlias)) {
    errors.add('keyAlias', props.keyAlias, keyAliasProblem(props.keyAlias)!);
  }
  const retention = props.noncurrentVersionRetention;
  if (retention !== undefined && !Token.isUnresolved(retention.toSeconds())) {
    const days = retention.toDays({ integral: false });
    if (days < 1 || !Number.isInteger(days)) {
      errors.add('noncurrentVersionRetention', retention.toString(), 'allowed: a whole number of days, at least 1');
    }
  }
  checkRepositoryNames(errors, 'imageRepositoryNames', props.imageRepositoryNames);
  checkUntaggedImageRetention(errors, 'untaggedImageRetention', props.untaggedImageRetention);
  checkExportPrefix(errors, 'outputExportPrefix', props.outputExportPrefix);
  validateCdkAssets(errors, stack, props);
}

/** `cdkAssets` and the props that only it uses. */
function validateCdkAssets(errors: PropErrors, stack: Stack, props: CicdArtifactStoreProps): void {
  const prefix = props.assetsBucketPrefix;
  if (!props.cdkAssets) {
    for (const prop of ['assetsBucketPrefix', 'assetPublishingTrustedPrincipalArns'] as const) {
      if (props[prop] !== undefined) {
        errors.add(prop, props[prop], 'allowed: only with cdkAssets: true');
      }
    }
    return;
  }
  const problem = prefix === undefined ? undefined : assetsBucketPrefixProblem(stack.region, prefix);
  if (problem) {
    errors.add('assetsBucketPrefix', prefix, problem);
  }
  const own = prefix ?? DEFAULT_ASSETS_PREFIX;
  const others = [props.artifactsBucketPrefix ?? DEFAULT_ARTIFACTS_PREFIX, props.templatesBucketPrefix ?? DEFAULT_TEMPLATES_PREFIX];
  if (others.includes(own)) {
    errors.add('assetsBucketPrefix', own, 'allowed: a prefix other than artifactsBucketPrefix and templatesBucketPrefix (the buckets need different names)');
  }
  checkPublishingPrincipals(errors, 'assetPublishingTrustedPrincipalArns', props.assetPublishingTrustedPrincipalArns,
    Token.isUnresolved(stack.account) ? undefined : stack.account);
}

/**
 * The organization every path belongs to (paths start with the organization ID), or undefined.
 * Validation has refused paths of several organizations.
 */
function organizationOfPaths(paths: string[] | undefined): string | undefined {
  const first = paths?.[0];
  return first === undefined || isToken(first) ? undefined : first.split('/')[0];
}

/** The repository name of an ECR repository ARN (tokens stay tokens). */
function repositoryNameOf(arn: string): string {
  return isToken(arn) ? Fn.select(1, Fn.split(':repository/', arn)) : arn.split(':repository/')[1];
}
