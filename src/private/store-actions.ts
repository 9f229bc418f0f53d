/** Actions on the artifact store, shared by its resource policies and its identity-side grants. */

/** Reading objects and listing a bucket. */
export const BUCKET_READ_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket', 's3:GetBucketLocation'];

/** Writing objects (no delete: old versions expire by lifecycle). */
export const BUCKET_WRITE_ACTIONS = ['s3:PutObject', 's3:AbortMultipartUpload'];

/** Decrypting with the key. */
export const KEY_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'];

/** Encrypting with the key, as S3 does on upload. */
export const KEY_WRITE_ACTIONS = ['kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];

/** Pulling an image from an ECR repository. */
export const IMAGE_PULL_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];

/** What Lambda needs to pull a function's image (Lambda Developer Guide, "Amazon ECR permissions"). */
export const IMAGE_LAMBDA_PULL_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];

/** Pushing, deleting and re-tagging images, and changing the repository: the CICD account's alone. */
export const IMAGE_PUSH_ACTIONS = [
  'ecr:PutImage',
  'ecr:InitiateLayerUpload',
  'ecr:UploadLayerPart',
  'ecr:CompleteLayerUpload',
  'ecr:BatchDeleteImage',
  'ecr:DeleteRepository',
  'ecr:SetRepositoryPolicy',
  'ecr:DeleteRepositoryPolicy',
  'ecr:PutLifecyclePolicy',
  'ecr:PutImageTagMutability',
];
