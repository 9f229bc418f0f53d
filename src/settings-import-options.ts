/**
 * Options of the importers that read the settings `CicdSettings` publishes
 * (`CicdArtifactStore.fromSsmParameters`, `TargetAccountRoles.fromTargetAccount` computes role ARNs instead), beside the
 * parameter layout they read (`src/private/naming.ts`).
 */
export interface CicdSettingsImportOptions {
  /**
   * The path under which the settings were written.
   *
   * @default '/cicd/artifacts'
   */
  readonly parameterPrefix?: string;

  /**
   * Whether the store has a package repository, so that its domain and repository are read
   * too (`PREFIX/packages/...`, which `CicdSettings` writes only for such a store).
   *
   * @default false - the store is used without packages: `grantReadPackages` grants nothing
   */
  readonly packages?: boolean;

  /**
   * How many ECR repositories the store has (its `imageRepositoryNames`, which `CicdSettings`
   * publishes in `PREFIX/images/1`, `PREFIX/images/2`, ..., ten ARNs per parameter). Each is
   * read at deploy time, in the order of `imageRepositoryNames`, and becomes one of the imported
   * store's `imageRepositories`; `grantPull` grants on them. A count larger than the store's
   * makes the deploy fail (a missing parameter, or `Fn::Select` out of range); a smaller one
   * imports the first repositories only.
   *
   * @default 0 - no repository is read: `imageRepositories` is empty and `grantPull` grants nothing
   */
  readonly imageRepositoryCount?: number;
}
