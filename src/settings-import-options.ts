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
}
