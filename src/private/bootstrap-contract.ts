/**
 * The parts of the CDK bootstrap contract that a target account's baseline implements: the
 * version parameter, the `aws-cdk:bootstrap-role` tags, the deploy role's reads of that
 * parameter and of the account's CDK assets, and the read-only role's read of the parameter.
 */
import { Aws, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { ASSET_READ_ACTIONS, BOOTSTRAP_ROLE_TAG } from './assets';
import {
  assetsBucketPrefixProblem,
  CDK_BOOTSTRAP_QUALIFIER_RULE,
  CDK_BOOTSTRAP_VERSION,
  cdkBootstrapVersionParameterName,
  DEFAULT_ASSETS_PREFIX,
  DEFAULT_CDK_BOOTSTRAP_QUALIFIER,
  isCdkBootstrapQualifier,
} from './naming';
import { PropErrors } from './validation';
import type { CdkBootstrapCompatibility } from '../cicd-stack-synthesizer';

/**
 * What the CDK CLI calls through the deploy role beyond the cross-account role's deploy actions:
 * rolling back a failed update (`cdk rollback`, `cdk deploy` of a stack in UPDATE_ROLLBACK_FAILED),
 * termination protection (`terminationProtection` of a stack), and listing a stack's resources
 * (`cdk diff` and `cdk deploy` of nested stacks).
 */
const CLI_STACK_ACTIONS = [
  'cloudformation:RollbackStack',
  'cloudformation:ContinueUpdateRollback',
  'cloudformation:UpdateTerminationProtection',
  'cloudformation:ListStackResources',
];

/** The actions that read the version parameter (the CLI calls GetParameter). */
export const VERSION_PARAMETER_READ_ACTIONS = ['ssm:GetParameter', 'ssm:GetParameters'];

/** The ARN of the version parameter in every region of this account. */
export function versionParameterArn(compat: CdkBootstrapCompatibility): string {
  const name = cdkBootstrapVersionParameterName(compat.qualifier ?? DEFAULT_CDK_BOOTSTRAP_QUALIFIER);
  return `arn:${Aws.PARTITION}:ssm:*:${Aws.ACCOUNT_ID}:parameter${name}`;
}

/**
 * Lets the roles read this account's CDK assets: the objects under `ACCOUNTID/` of the
 * central assets buckets of the CICD account, in any region. The bucket names start with the
 * CICD account's ID, and `aws:ResourceAccount` makes sure the bucket is that account's.
 */
export function addCdkAssetReads(scope: Construct, roles: iam.IRole[], cicdAccountId: string,
  assetsBucketPrefix: string = DEFAULT_ASSETS_PREFIX): void {
  new iam.Policy(scope, 'CdkAssetReads', {
    roles,
    statements: [new iam.PolicyStatement({
      sid: 'ReadOwnCdkAssets',
      actions: ASSET_READ_ACTIONS,
      resources: [`arn:${Aws.PARTITION}:s3:::${assetsBucketPrefix}-${cicdAccountId}-*/${Aws.ACCOUNT_ID}/*`],
      conditions: { StringEquals: { 'aws:ResourceAccount': cicdAccountId } },
    })],
  });
}

/**
 * The version parameter, the deploy role's tag and its read of the parameter.
 */
export function addCdkBootstrapContract(scope: Construct, deployRole: iam.Role, compat: CdkBootstrapCompatibility, stackArn: string): void {
  const qualifier = compat.qualifier ?? DEFAULT_CDK_BOOTSTRAP_QUALIFIER;
  new ssm.StringParameter(scope, 'CdkBootstrapVersion', {
    parameterName: cdkBootstrapVersionParameterName(qualifier),
    stringValue: String(CDK_BOOTSTRAP_VERSION),
    description: `The CDK bootstrap version this account's CICD baseline satisfies (qualifier ${qualifier}); read by the CDK CLI and the CheckBootstrapVersion rule`,
  });
  Tags.of(deployRole).add(BOOTSTRAP_ROLE_TAG, 'deploy');
  deployRole.attachInlinePolicy(new iam.Policy(scope, 'CdkBootstrapPolicy', {
    statements: [
      new iam.PolicyStatement({
        sid: 'ReadCdkBootstrapVersion',
        actions: VERSION_PARAMETER_READ_ACTIONS,
        resources: [versionParameterArn(compat)],
      }),
      // What the bootstrap's deploy role lets the CDK CLI do beyond deploying, on the stacks the
      // cross-account role may deploy only (the bootstrap grants them on every stack).
      new iam.PolicyStatement({
        sid: 'CdkCliStackOperations',
        actions: CLI_STACK_ACTIONS,
        resources: [stackArn],
      }),
    ],
  }));
}

/** Records a problem with a `cdkBootstrapCompatibility`, if it has one. */
export function checkCdkBootstrapCompatibility(errors: PropErrors, compat: CdkBootstrapCompatibility | undefined, prop = 'cdkBootstrapCompatibility'): void {
  const qualifier = compat?.qualifier;
  if (qualifier !== undefined && !isCdkBootstrapQualifier(qualifier)) {
    errors.add(`${prop}.qualifier`, qualifier, CDK_BOOTSTRAP_QUALIFIER_RULE);
  }
}

/** `cdkAssets`, `assetsBucketPrefix` and `cdkBootstrapCompatibility` of `CrossAccountPipelineRoles`. */
export function checkCdkAssetsProps(errors: PropErrors, props: {
  readonly cdkAssets?: boolean; readonly assetsBucketPrefix?: string; readonly cdkBootstrapCompatibility?: CdkBootstrapCompatibility;
}): void {
  checkCdkBootstrapCompatibility(errors, props.cdkBootstrapCompatibility);
  const prefix = props.assetsBucketPrefix;
  if (prefix === undefined) {
    return;
  }
  if (!(props.cdkAssets ?? props.cdkBootstrapCompatibility !== undefined)) {
    errors.add('assetsBucketPrefix', prefix, 'allowed: only with cdkAssets (or cdkBootstrapCompatibility)');
    return;
  }
  const problem = typeof prefix === 'string' ? assetsBucketPrefixProblem(undefined, prefix) : 'allowed: a string';
  if (problem) {
    errors.add('assetsBucketPrefix', prefix, problem);
  }
}
