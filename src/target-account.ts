/**
 * An AWS account that pipelines in the CICD account deploy into.
 *
 * By default every IAM principal of the account whose own IAM policies allow it may use the
 * artifact store. Give `roleIds` and/or `roleArns` to admit only some roles of the account;
 * a principal matching either list is admitted.
 */
export interface TargetAccount {
  /**
   * A short name for the account, such as `nonprod` or `prod`.
   *
   * Used in construct IDs, CloudFormation condition names, SSM parameter paths and export
   * names: 1 to 32 characters, letters, digits and hyphens, starting with a letter.
   */
  readonly name: string;

  /**
   * The 12-digit AWS account ID, as a string.
   */
  readonly accountId: string;

  /**
   * Admit only the roles with these unique IDs (`AROA…`, the `RoleId` attribute of a role).
   *
   * Resource policies test them with the `aws:userId` condition key. A unique ID changes when
   * a role is deleted and created again: the policy then fails closed until it is updated.
   *
   * @default - not narrowed by role ID
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
   */
  readonly roleIds?: string[];

  /**
   * Admit only the roles with these ARNs (`arn:aws:iam::ACCOUNT:role/NAME`).
   *
   * Resource policies test them with the `aws:PrincipalArn` condition key, so the roles need
   * not exist when the policies are deployed, and a role recreated under the same name keeps
   * its access.
   *
   * @default - not narrowed by role ARN
   */
  readonly roleArns?: string[];

  /**
   * Whether the account's principals (or its listed roles) may also write artifacts, and
   * encrypt with the store's key: for pipelines whose cross-account actions in this account
   * produce output artifacts (such as a CloudFormation action with an `outputFileName`, or a
   * CodeBuild project of this account). Whatever a target writes, every later stage can
   * deploy, so leave it off for the accounts whose compromise must not reach the others.
   *
   * @default false - the account reads artifacts and templates; the CICD account writes them
   */
  readonly canWriteArtifacts?: boolean;

  /**
   * Only these roles of the account write artifacts (`aws:PrincipalArn`), such as the
   * cross-account and build roles (`arn:aws:iam::222222222222:role/cicd-cross-account`), so
   * that no other principal of the account, the CloudFormation role included, can. Implies
   * `canWriteArtifacts`.
   *
   * @default - with `canWriteArtifacts`, every principal the store admits from this account
   */
  readonly artifactWriterRoleArns?: string[];
}
