import {
  AssetManifestBuilder,
  DefaultStackSynthesizer,
  DockerImageAssetLocation,
  DockerImageAssetSource,
  FileAssetLocation,
  FileAssetSource,
  ISynthesisSession,
  Stack,
  Token,
} from 'aws-cdk-lib';
import * as cxschema from 'aws-cdk-lib/cloud-assembly-schema';
import * as cxapi from 'aws-cdk-lib/cx-api';
import {
  assetPublishingRoleName,
  assetsBucketPrefixProblem,
  bucketName,
  CDK_BOOTSTRAP_QUALIFIER_RULE,
  CDK_BOOTSTRAP_VERSION_REQUIRED,
  cdkBootstrapVersionParameterName,
  cloudFormationRoleName,
  crossAccountRoleName,
  DEFAULT_ASSETS_PREFIX,
  DEFAULT_CDK_BOOTSTRAP_QUALIFIER,
  DEFAULT_READ_ONLY_ROLE_NAME,
  DEFAULT_ROLE_NAME_PREFIX,
  isCdkBootstrapQualifier,
  repositoryNameProblem,
} from './private/naming';
import { ACCOUNT_ID_RULE, isAccountId, isRoleName, isToken, PropErrors } from './private/validation';

/**
 * What a target account publishes for the CDK CLI and CDK Pipelines, beyond the roles: the
 * `/cdk-bootstrap/QUALIFIER/version` SSM parameter, the `aws-cdk:bootstrap-role` tags, and
 * the read-only role's access to that one parameter.
 */
export interface CdkBootstrapCompatibility {
  /**
   * The bootstrap qualifier: the version parameter is `/cdk-bootstrap/QUALIFIER/version`.
   * Give the same qualifier to `CicdStackSynthesizer`, `CrossAccountPipelineRoles` and
   * `CrossReadOnlyRole`.
   *
   * @default 'cicd' - not the CLI's `hnb659fds`, so that a `cdk bootstrap` in the same
   * account does not collide with the baseline's parameter
   */
  readonly qualifier?: string;
}

/**
 * Properties of a `CicdStackSynthesizer`.
 */
export interface CicdStackSynthesizerProps {
  /**
   * The ID of the CICD account: its central assets bucket and ECR repository hold the
   * assets, and its publishing role uploads them.
   */
  readonly cicdAccountId: string;

  /**
   * The `roleNamePrefix` of the target accounts' `CrossAccountPipelineRoles`: the deploy role
   * is `PREFIX-cross-account`, the CloudFormation execution role `PREFIX-cloudformation`.
   *
   * @default 'cicd'
   */
  readonly roleNamePrefix?: string;

  /**
   * The `roleName` of the target accounts' `CrossReadOnlyRole`, used for context lookups
   * (`Vpc.fromLookup` and the like).
   *
   * @default 'cicd-read-only'
   */
  readonly readOnlyRoleName?: string;

  /**
   * The store's `assetsBucketPrefix`: file assets go to the bucket
   * `PREFIX-CICDACCOUNT-REGION` under the key prefix `TARGETACCOUNT/`, published by the role
   * `PREFIX-publishing-REGION` of the CICD account.
   *
   * @default 'cicd-assets'
   */
  readonly assetsBucketPrefix?: string;

  /**
   * The store's ECR repository (one of its `imageRepositoryNames`) that receives container
   * image assets. Image URIs name the CICD account's registry.
   *
   * @default - no repository: a stack with a container image asset fails at synth
   */
  readonly imageAssetsRepositoryName?: string;

  /**
   * Check the CDK bootstrap version of the target accounts, as the CDK CLI does for
   * `DefaultStackSynthesizer`: the CLI reads `/cdk-bootstrap/QUALIFIER/version` before
   * deploying, and the template gets the `CheckBootstrapVersion` rule. The target accounts
   * must publish the parameter (`cdkBootstrapCompatibility` of `CrossAccountPipelineRoles`).
   *
   * @default - no version is checked: the cloud assembly requires no bootstrap stack
   */
  readonly cdkBootstrapCompatibility?: CdkBootstrapCompatibility;

  /**
   * Whether the template gets the `CheckBootstrapVersion` rule (a CloudFormation rule that
   * reads the version parameter in the target account).
   *
   * @default - true with `cdkBootstrapCompatibility`, false without
   */
  readonly generateBootstrapVersionRule?: boolean;
}

/**
 * A stack synthesizer for stacks deployed through the baseline, by `cdk deploy` or CDK
 * Pipelines, with no `cdk bootstrap` in the target accounts.
 *
 * - deploy role: the target's cross-account role (`PREFIX-cross-account`);
 * - CloudFormation execution role: the target's CloudFormation role (`PREFIX-cloudformation`);
 * - lookup role: the target's read-only role (`cicd-read-only`);
 * - file assets (the template included): the CICD account's central assets bucket of the
 *   stack's region, `cicd-assets-CICDACCOUNT-REGION`, under the key prefix `TARGETACCOUNT/`,
 *   encrypted with the store's key;
 * - container image assets: the store's ECR repository `imageAssetsRepositoryName`, image
 *   URIs in the CICD account's registry;
 * - assets published by the CICD account's role `cicd-assets-publishing-REGION`.
 *
 * Every name is computed from `${AWS::AccountId}`, `${AWS::Region}` and `${AWS::Partition}`,
 * so one synthesizer serves every target account and region. Stack operations (reading a
 * deployed template, describing stacks) use the deploy role, not the lookup role, which is
 * denied reading templates.
 *
 * @example
 *
 * const app = new App();
 * new Stack(app, 'Service', {
 *   env: { account: '222222222222', region: 'eu-west-1' },
 *   synthesizer: new CicdStackSynthesizer({ cicdAccountId: '111111111111' }),
 * });
 */
export class CicdStackSynthesizer extends DefaultStackSynthesizer {
  /** The CICD account's ID. */
  public readonly cicdAccountId: string;

  /**
   * The SSM parameter of the bootstrap version that the CLI checks, with `cdkBootstrapCompatibility`.
   *
   * @default - none, without `cdkBootstrapCompatibility`
   */
  public readonly bootstrapVersionParameterName?: string;

  private readonly fileAssetsBucketNameTemplate: string;
  private readonly publishingRoleArnTemplate: string;
  private readonly imageRepositoryName?: string;
  private readonly versionRule: boolean;
  private manifest?: AssetManifestBuilder;
  private specialized?: AssetNames;

  /**
   * @param props the CICD account, and the names given to the baseline if not the defaults
   */
  constructor(props: CicdStackSynthesizerProps) {
    validate(props);
    const roles = props.roleNamePrefix ?? DEFAULT_ROLE_NAME_PREFIX;
    const assets = props.assetsBucketPrefix ?? DEFAULT_ASSETS_PREFIX;
    const compat = props.cdkBootstrapCompatibility;
    const qualifier = compat?.qualifier ?? DEFAULT_CDK_BOOTSTRAP_QUALIFIER;
    const target = (role: string) => `arn:${cxapi.EnvironmentPlaceholders.CURRENT_PARTITION}:iam::${cxapi.EnvironmentPlaceholders.CURRENT_ACCOUNT}:role/${role}`;
    const publishingRoleArn = `arn:${cxapi.EnvironmentPlaceholders.CURRENT_PARTITION}:iam::${props.cicdAccountId}:role/`
      + assetPublishingRoleName(assets, cxapi.EnvironmentPlaceholders.CURRENT_REGION);
    const fileAssetsBucketName = bucketName(assets, props.cicdAccountId, cxapi.EnvironmentPlaceholders.CURRENT_REGION);
    super({
      qualifier,
      deployRoleArn: target(crossAccountRoleName(roles)),
      cloudFormationExecutionRole: target(cloudFormationRoleName(roles)),
      lookupRoleArn: target(props.readOnlyRoleName ?? DEFAULT_READ_ONLY_ROLE_NAME),
      useLookupRoleForStackOperations: false,
      fileAssetsBucketName,
      bucketPrefix: `${cxapi.EnvironmentPlaceholders.CURRENT_ACCOUNT}/`,
      fileAssetPublishingRoleArn: publishingRoleArn,
      imageAssetPublishingRoleArn: publishingRoleArn,
      imageAssetsRepositoryName: props.imageAssetsRepositoryName,
      generateBootstrapVersionRule: false,
      bootstrapStackVersionSsmParameter: cdkBootstrapVersionParameterName(qualifier),
    });
    this.cicdAccountId = props.cicdAccountId;
    this.bootstrapVersionParameterName = compat ? cdkBootstrapVersionParameterName(qualifier) : undefined;
    this.fileAssetsBucketNameTemplate = fileAssetsBucketName;
    this.publishingRoleArnTemplate = publishingRoleArn;
    this.imageRepositoryName = props.imageAssetsRepositoryName;
    this.versionRule = props.generateBootstrapVersionRule ?? compat !== undefined;
  }

  /**
   * Binds the synthesizer to a stack, and starts the stack's asset manifest.
   *
   * @param stack the stack
   */
  public bind(stack: Stack): void {
    super.bind(stack);
    this.manifest = new AssetManifestBuilder();
    this.specialized = {
      bucketName: specialize(stack, this.fileAssetsBucketNameTemplate),
      bucketPrefix: specialize(stack, `${cxapi.EnvironmentPlaceholders.CURRENT_ACCOUNT}/`),
      publishingRoleArn: specialize(stack, this.publishingRoleArnTemplate),
    };
  }

  /**
   * Registers a file asset: published to the central assets bucket, under the target
   * account's key prefix, by the CICD account's publishing role.
   *
   * @param asset the file asset
   */
  public addFileAsset(asset: FileAssetSource): FileAssetLocation {
    const bound = this.bound();
    const location = bound.manifest.defaultAddFileAsset(this.boundStack, asset, {
      bucketName: bound.names.bucketName,
      bucketPrefix: bound.names.bucketPrefix,
      role: { assumeRoleArn: bound.names.publishingRoleArn },
    }, { displayName: asset.displayName });
    return this.cloudFormationLocationFromFileAsset(location);
  }

  /**
   * Registers a container image asset: pushed to the store's ECR repository by the CICD
   * account's publishing role; the image URI names the CICD account's registry.
   *
   * @param asset the container image asset
   */
  public addDockerImageAsset(asset: DockerImageAssetSource): DockerImageAssetLocation {
    const bound = this.bound();
    if (this.imageRepositoryName === undefined) {
      throw new Error(`CicdStackSynthesizer: the stack ${this.boundStack.stackName} has a container image asset (${asset.displayName ?? asset.sourceHash}), `
        + 'but imageAssetsRepositoryName is not given: name one of the store\'s imageRepositoryNames (Python: image_assets_repository_name)');
    }
    const location = bound.manifest.defaultAddDockerImageAsset(this.boundStack, asset, {
      repositoryName: this.imageRepositoryName,
      role: { assumeRoleArn: bound.names.publishingRoleArn },
    }, { displayName: asset.displayName });
    return this.cloudFormationLocationFromDockerImageAsset(location);
  }

  /**
   * Writes the template, the asset manifest and the stack artifact. Without
   * `cdkBootstrapCompatibility`, neither requires a bootstrap version, so the CDK CLI reads no
   * version parameter.
   *
   * @param session the synthesis session
   */
  public synthesize(session: ISynthesisSession): void {
    const bound = this.bound();
    const parameter = this.bootstrapVersionParameterName;
    if (this.versionRule) {
      this.addBootstrapVersionRule(CDK_BOOTSTRAP_VERSION_REQUIRED, cdkBootstrapVersionParameterName(this.bootstrapQualifier));
    }
    const templateAssetSource = this.synthesizeTemplate(session, this.lookupRole);
    const templateAsset = this.addFileAsset(templateAssetSource);
    const versionCheck = parameter
      ? { requiresBootstrapStackVersion: CDK_BOOTSTRAP_VERSION_REQUIRED, bootstrapStackVersionSsmParameter: parameter }
      : {};
    const assetManifestId = bound.manifest.emitManifest(this.boundStack, session, versionCheck);
    this.emitArtifact(session, {
      assumeRoleArn: this.deployRoleArn,
      cloudFormationExecutionRoleArn: this.cloudFormationExecutionRoleArn,
      stackTemplateAssetObjectUrl: templateAsset.s3ObjectUrlWithPlaceholders,
      additionalDependencies: [assetManifestId],
      ...versionCheck,
    });
  }

  /**
   * The location of an image in the CICD account's registry, not the target's.
   *
   * @param dest where the image is published
   */
  protected cloudFormationLocationFromDockerImageAsset(dest: cxschema.DockerImageDestination): DockerImageAssetLocation {
    const stack = this.boundStack;
    return {
      repositoryName: dest.repositoryName,
      imageUri: `${this.cicdAccountId}.dkr.ecr.${stack.region}.${stack.urlSuffix}/${dest.repositoryName}:${dest.imageTag}`,
      imageTag: dest.imageTag,
    };
  }

  private bound(): { manifest: AssetManifestBuilder; names: AssetNames } {
    if (!this.manifest || !this.specialized) {
      throw new Error('CicdStackSynthesizer: bind() the synthesizer to a stack first (give it as the stack\'s synthesizer)');
    }
    return { manifest: this.manifest, names: this.specialized };
  }
}

/** Where a bound synthesizer's file assets go, and who publishes them. */
interface AssetNames {
  readonly bucketName: string;
  readonly bucketPrefix: string;
  readonly publishingRoleArn: string;
}

/** A name with the stack's account and region where they are known, placeholders otherwise (as DefaultStackSynthesizer does). */
function specialize(stack: Stack, s: string): string {
  const resolvedOr = (value: string, placeholder: string) => (Token.isUnresolved(value) ? placeholder : value);
  return cxapi.EnvironmentPlaceholders.replace(s, {
    accountId: resolvedOr(stack.account, cxapi.EnvironmentPlaceholders.CURRENT_ACCOUNT),
    region: resolvedOr(stack.region, cxapi.EnvironmentPlaceholders.CURRENT_REGION),
    partition: cxapi.EnvironmentPlaceholders.CURRENT_PARTITION,
  });
}

function validate(props: CicdStackSynthesizerProps): void {
  const errors = new PropErrors('CicdStackSynthesizer');
  if (typeof props.cicdAccountId !== 'string' || isToken(props.cicdAccountId) || !isAccountId(props.cicdAccountId)) {
    errors.add('cicdAccountId', props.cicdAccountId, `${ACCOUNT_ID_RULE}; a literal, since the asset locations name it`);
  }
  const prefix = props.roleNamePrefix;
  if (prefix !== undefined && (typeof prefix !== 'string' || isToken(prefix) || !isRoleName(crossAccountRoleName(prefix)))) {
    errors.add('roleNamePrefix', prefix, `allowed: the roleNamePrefix of the targets' CrossAccountPipelineRoles: letters, digits and "+=,.@_-", at most ${64 - crossAccountRoleName('').length} characters`);
  }
  const readOnly = props.readOnlyRoleName;
  if (readOnly !== undefined && (typeof readOnly !== 'string' || isToken(readOnly) || !isRoleName(readOnly))) {
    errors.add('readOnlyRoleName', readOnly, 'allowed: the roleName of the targets\' CrossReadOnlyRole: 1 to 64 letters, digits and "+=,.@_-"');
  }
  const assets = props.assetsBucketPrefix;
  const assetsProblem = assets === undefined ? undefined : typeof assets !== 'string' ? 'allowed: a string' : assetsBucketPrefixProblem(undefined, assets);
  if (assetsProblem) {
    errors.add('assetsBucketPrefix', assets, assetsProblem);
  }
  const repository = props.imageAssetsRepositoryName;
  const repositoryProblem = repository === undefined ? undefined : repositoryNameProblem(repository);
  if (repositoryProblem) {
    errors.add('imageAssetsRepositoryName', repository, `${repositoryProblem}; one of the store's imageRepositoryNames`);
  }
  const qualifier = props.cdkBootstrapCompatibility?.qualifier;
  if (qualifier !== undefined && !isCdkBootstrapQualifier(qualifier)) {
    errors.add('cdkBootstrapCompatibility.qualifier', qualifier, CDK_BOOTSTRAP_QUALIFIER_RULE);
  }
  errors.throwIfAny();
}
