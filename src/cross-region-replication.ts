/**
 * Where the artifact stores of a CICD account are, in every region they serve: enough for a
 * pipeline to name each region's artifacts bucket and key without a support stack.
 */
export interface CrossRegionReplicationBucketsOptions {
  /** The CICD account's ID (the account of the stores and of the pipeline). */
  readonly account: string;

  /**
   * Every region the pipeline has actions in, its own included: the `regions` given to the
   * stores. CodePipeline takes the pipeline's own artifact bucket from the same map.
   */
  readonly regions: string[];

  /**
   * The stores' `artifactsBucketPrefix`.
   *
   * @default 'cicd-artifacts'
   */
  readonly artifactsBucketPrefix?: string;

  /**
   * The stores' `keyAlias`.
   *
   * @default 'alias/cicd/artifacts'
   */
  readonly keyAlias?: string;

  /**
   * The ARN of the store's KMS key in each region (`arn:aws:kms:REGION:ACCOUNT:key/ID`), by
   * region: literals (each regional store outputs `KeyArn`), or, for the pipeline's own
   * region, the value `CicdArtifactStore.fromSsmParameters` reads. A region the pipeline has
   * cross-account actions in needs its key's ARN: CodePipeline recognizes an alias only in the
   * key's own account.
   *
   * @see https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_EncryptionKey.html
   * @default - every region's key is named by its alias ARN
   * (`arn:aws:kms:REGION:ACCOUNT:alias/...`), which serves actions that run in the CICD
   * account only; a warning says so
   */
  readonly keyArns?: { [region: string]: string };
}
