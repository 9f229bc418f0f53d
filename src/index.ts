export * from './target-account';
export * from './cicd-artifact-store';
export * from './cross-account-pipeline-roles';
export * from './cicd-settings';
export * from './cross-read-only-role';
export * from './settings-import-options';
export * from './cicd-stack-synthesizer';
