/**
 * The CDK assets of the store: the central assets bucket's read statements (each target
 * account reads only its own key prefix) and the role of the CICD account that publishes
 * assets (`cdk deploy`, CDK Pipelines' asset steps).
 */
import { Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { assetPublishingRoleName, repositoryArn } from './naming';
import { principalArnAccount, PropErrors } from './validation';

/** What a target account's roles do with their own assets: read objects (templates, Lambda code). */
export const ASSET_READ_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion'];

/**
 * The key prefix of a target account's assets, as a policy variable: `${aws:PrincipalAccount}/`.
 * One statement serves every admitted account, and each reads only its own prefix.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 */
export const OWN_ACCOUNT_PREFIX = '${aws:PrincipalAccount}/';

/** The tag by which CDK Pipelines' self-mutation and the CDK CLI recognise bootstrap roles. */
export const BOOTSTRAP_ROLE_TAG = 'aws-cdk:bootstrap-role';

/** What the publishing role does to the assets bucket: what cdk-assets calls, nothing to delete. */
const PUBLISH_BUCKET_ACTIONS = [
  's3:GetObject',
  's3:PutObject',
  's3:AbortMultipartUpload',
  's3:ListBucket',
  's3:GetBucketLocation',
  's3:GetEncryptionConfiguration',
];

/** What cdk-assets needs to push an image (the bootstrap template's image-publishing role, without more). */
const PUBLISH_IMAGE_ACTIONS = [
  'ecr:PutImage',
  'ecr:InitiateLayerUpload',
  'ecr:UploadLayerPart',
  'ecr:CompleteLayerUpload',
  'ecr:BatchCheckLayerAvailability',
  'ecr:DescribeRepositories',
  'ecr:DescribeImages',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
];

/** Uploading with SSE-KMS: encrypt, and decrypt for multipart uploads and existence checks. */
const PUBLISH_KEY_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];

export interface AssetPublishingRoleOptions {
  readonly bucket: s3.IBucket;
  readonly key: kms.IKey;
  /** The store's repositories, by name (named by ARN, as the store names them for other stacks). */
  readonly repositoryNames: string[];
  readonly assetsBucketPrefix: string;
  readonly trustedPrincipalArns?: string[];
}

/**
 * The role of the CICD account that publishes CDK assets: trusted by the CICD account over
 * TLS (optionally only some of its principals), it writes objects into the assets bucket and
 * pushes images into the store's repositories, and nothing else. Tagged as the bootstrap's
 * file-publishing role, which CDK Pipelines' self-mutation step may assume.
 */
export function createAssetPublishingRole(scope: Construct, options: AssetPublishingRoleOptions): iam.Role {
  const conditions: Record<string, unknown> = { Bool: { 'aws:SecureTransport': 'true' } };
  if (options.trustedPrincipalArns) {
    conditions.ArnLike = { 'aws:PrincipalArn': options.trustedPrincipalArns };
  }
  const role = new iam.Role(scope, 'AssetPublishingRole', {
    roleName: assetPublishingRoleName(options.assetsBucketPrefix, Stack.of(scope).region),
    description: 'Publishes CDK assets (files and container images) into the CICD artifact store',
    assumedBy: new iam.PrincipalWithConditions(new iam.AccountPrincipal(Stack.of(scope).account), conditions),
  });
  Tags.of(role).add(BOOTSTRAP_ROLE_TAG, 'file-publishing');
  const statements = [
    new iam.PolicyStatement({
      sid: 'PublishFileAssets',
      actions: PUBLISH_BUCKET_ACTIONS,
      resources: [options.bucket.bucketArn, options.bucket.arnForObjects('*')],
    }),
    new iam.PolicyStatement({
      sid: 'EncryptAssets',
      actions: PUBLISH_KEY_ACTIONS,
      resources: [options.key.keyArn],
    }),
  ];
  if (options.repositoryNames.length > 0) {
    const stack = Stack.of(scope);
    statements.push(
      new iam.PolicyStatement({
        sid: 'PublishImageAssets',
        actions: PUBLISH_IMAGE_ACTIONS,
        resources: options.repositoryNames.map((name) => repositoryArn(stack.account, stack.region, name)),
      }),
      new iam.PolicyStatement({
        sid: 'LogInToRegistry',
        actions: ['ecr:GetAuthorizationToken'],
        resources: ['*'],
      }),
    );
  }
  role.attachInlinePolicy(new iam.Policy(scope, 'AssetPublishingPolicy', { statements }));
  return role;
}

/** `assetPublishingTrustedPrincipalArns`: literal principals of the CICD account. */
export function checkPublishingPrincipals(errors: PropErrors, prop: string, arns: string[] | undefined, cicdAccount: string | undefined): void {
  if (arns === undefined) {
    return;
  }
  if (arns.length === 0) {
    errors.add(prop, arns, 'allowed: at least one principal ARN; omit it to trust the CICD account');
  }
  arns.forEach((arn, i) => {
    const account = typeof arn === 'string' ? principalArnAccount(arn) : undefined;
    if (account === undefined || arn.includes(':assumed-role/')) {
      errors.add(`${prop}[${i}]`, arn, 'allowed: a literal IAM role or user ARN of the CICD account, such as "arn:aws:iam::111111111111:role/cdk-deployers" (wildcards allowed)');
    } else if (cicdAccount !== undefined && account !== cicdAccount) {
      errors.add(`${prop}[${i}]`, arn, `allowed: a principal of the CICD account ${cicdAccount}`);
    }
  });
}
