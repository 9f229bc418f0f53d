import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CicdArtifactStore, CicdArtifactStoreProps, TargetAccount } from '../../src';

/** The CICD account's environment in the store's tests. */
export const CICD = { account: '111111111111', region: 'eu-west-1' };
export const NONPROD: TargetAccount = { name: 'nonprod', accountId: '222222222222' };
export const PROD: TargetAccount = { name: 'prod', accountId: '777777777777' };

/**
 * A store in a stack of its own. The template is synthesized on first use, so that a test may
 * add to the stack first.
 */
export function storeStack(props: CicdArtifactStoreProps, env: { account?: string; region?: string } = CICD) {
  const app = new App();
  const stack = new Stack(app, 'Cicd', { env });
  const store = new CicdArtifactStore(stack, 'Store', props);
  let template: Template | undefined;
  return { app, stack, store, get template() { return template ??= Template.fromStack(stack); } };
}

/** An account's root principal, as the templates render it. */
export function root(account: string) {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:root`]] };
}
