export * from './target-account';
export * from './cicd-artifact-store';
