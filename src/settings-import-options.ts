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
}
