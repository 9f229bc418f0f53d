#!/usr/bin/env node
/**
 * The sample application as a developer deploys it with `cdk deploy` through the baseline: one
 * stack per target account (non-prod, prod), synthesized with `CicdStackSynthesizer`, so that
 * the CDK CLI, running with credentials of the CICD account, publishes the assets into the
 * store's central assets bucket through the CICD account's publishing role and deploys through
 * each target's cross-account role and CloudFormation role. No `cdk bootstrap` anywhere.
 *
 *   cdk deploy --all --app 'npx ts-node --prefer-ts-exts examples/cdk-deploy.ts' [-c cicdAccount=… -c nonprodAccount=… -c prodAccount=… -c region=…]
 *
 * `-c cdkBootstrapCompatibility=true` makes the CLI check the bootstrap version the target
 * baseline publishes (`/cdk-bootstrap/cicd/version`, with the store's `cdkAssets` in the
 * reference app), as it does for `DefaultStackSynthesizer`; by default nothing is checked.
 */
import * as path from 'path';
import { App, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { BaselineConfig, readConfig } from './config';
import { CicdStackSynthesizer, CrossAccountPipelineRoles } from '../src';

/** The stack's name in every target account (not the pipeline's `cicd-sample-app`, which may live beside it). */
export const CDK_DEPLOY_STACK = 'cicd-sample-cdk-app';
/** The construct ID of the stack for one target: `cdk deploy SampleCdkApp-nonprod`. */
export const cdkDeployStackId = (target: string) => `SampleCdkApp-${target}`;
/** The directory the file asset is made of. */
export const SAMPLE_ASSET_DIR = path.join(__dirname, 'sample-asset');

/**
 * A tiny application with a file asset: a directory published as a zip, its S3 location kept
 * in an SSM parameter, and a role (under the baseline's permissions boundary, which the
 * CloudFormation role requires of the roles it creates) that may read it.
 */
export class SampleCdkAppStack extends Stack {
  /** The file asset. */
  public readonly asset: s3assets.Asset;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    this.asset = new s3assets.Asset(this, 'Content', { path: SAMPLE_ASSET_DIR });
    new ssm.StringParameter(this, 'ContentLocation', {
      parameterName: `/${CDK_DEPLOY_STACK}/content`,
      stringValue: this.asset.s3ObjectUrl,
    });
    iam.PermissionsBoundary.of(this).apply(iam.ManagedPolicy.fromManagedPolicyName(this, 'PermissionsBoundary',
      CrossAccountPipelineRoles.permissionsBoundaryName()));
    const reader = new iam.Role(this, 'ContentReader', {
      description: 'Reads the sample content (a role of the sample application, created under the baseline\'s boundary)',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    this.asset.grantRead(reader);
  }
}

/**
 * One stack of the sample application per target account (the first two), each deployed
 * through the baseline; with `bootstrapCompatibility`, the CLI checks the targets' published
 * bootstrap version first.
 */
export function buildCdkDeployApp(app: App, config: BaselineConfig, bootstrapCompatibility = false): SampleCdkAppStack[] {
  if (config.targets.some((t) => t.accountId === config.cicd.accountId)) {
    throw new Error('layout: the cdk deploy sample needs target accounts other than the CICD account (the three-account layout)');
  }
  // One synthesizer per stack: it names the roles of the stack's own account.
  return config.targets.slice(0, 2).map((t) => new SampleCdkAppStack(app, cdkDeployStackId(t.name), {
    env: { account: t.accountId, region: config.region },
    stackName: CDK_DEPLOY_STACK,
    description: `Sample application deployed by cdk deploy through the baseline into ${t.name}`,
    synthesizer: new CicdStackSynthesizer({
      cicdAccountId: config.cicd.accountId,
      cdkBootstrapCompatibility: bootstrapCompatibility ? {} : undefined,
    }),
  }));
}

if (require.main === module) {
  const app = new App();
  const compatibility = app.node.tryGetContext('cdkBootstrapCompatibility') ?? 'false';
  if (compatibility !== 'true' && compatibility !== 'false') {
    throw new Error(`cdkBootstrapCompatibility: got ${JSON.stringify(compatibility)}; allowed: "true" or "false"`);
  }
  buildCdkDeployApp(app, readConfig((key) => app.node.tryGetContext(key)), compatibility === 'true');
  app.synth();
}
