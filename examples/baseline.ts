import { App, CfnResource, CliCredentialsStackSynthesizer, Stack, StackProps } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { Account, BaselineConfig } from './config';
import {
  CicdArtifactStore,
  CicdSettings,
  CrossAccountPipelineRoles,
  CrossReadOnlyRole,
  TargetAccount,
  TargetAccountRoles,
} from '../src';

/** Names of the stacks, in deploy order. */
export const STORE_STACK = 'cicd-artifact-store';
export const targetStackName = (target: string) => `cicd-target-roles-${target}`;
export const SETTINGS_STACK = 'cicd-settings';
export const PIPELINE_STACK = 'cicd-sample-pipeline';
export const SAMPLE_APP_STACK = 'cicd-sample-app';

/** Where the sample pipeline finds its source: a zip with the sample app's template. */
export const SAMPLE_SOURCE_KEY = 'sample-app/source.zip';
export const SAMPLE_TEMPLATE_FILE = `${SAMPLE_APP_STACK}.template.json`;

/** The names of the pipeline roles in every target account. */
export const PIPELINE_ROLE_NAMES = [
  CrossAccountPipelineRoles.crossAccountRoleName(),
  CrossAccountPipelineRoles.cloudFormationRoleName(),
  CrossAccountPipelineRoles.buildRoleName(),
];

export interface Baseline {
  readonly store: Stack;
  readonly targets: Stack[];
  readonly settings: Stack;
  readonly pipeline: Stack;
  readonly sampleApp: Stack;
}

/**
 * The reference layout: the artifact store and the settings in the CICD account, the
 * pipeline roles and the read-only role in every target account, and a sample pipeline that
 * deploys a tiny stack to each target in turn, with a manual approval before the last.
 *
 * Every stack uses the credentials of the account it is deployed to (one profile per
 * account), so no CDK bootstrap trust between accounts is needed.
 */
export function buildBaseline(app: App, config: BaselineConfig): Baseline {
  const env = (account: string) => ({ account, region: config.region });
  const props = (account: string, description: string): StackProps => ({
    env: env(account),
    description,
    synthesizer: new CliCredentialsStackSynthesizer(),
  });

  const storeStack = new Stack(app, STORE_STACK, props(config.cicd.accountId, 'CICD artifact store: KMS key and artifact buckets shared with the target accounts'));
  const store = new CicdArtifactStore(storeStack, 'ArtifactStore', {
    ...(config.organizationId
      // The organization, narrowed to the pipeline roles' names: constant-size policies.
      ? { organizationId: config.organizationId, organizationRoleNames: PIPELINE_ROLE_NAMES }
      : {
        targetAccounts: config.targets.map((t) => ({
          ...storeTarget(config, t.name, t.accountId),
          // A writer writes through its cross-account and build roles only, never its CloudFormation role.
          artifactWriterRoleArns: config.artifactWriters.includes(t.name)
            ? [CrossAccountPipelineRoles.crossAccountRoleName(), CrossAccountPipelineRoles.buildRoleName()].map((r) => `arn:aws:iam::${t.accountId}:role/${r}`)
            : undefined,
        })),
      }),
    imageRepositoryNames: config.imageRepositories.length > 0 ? config.imageRepositories : undefined,
    cdkAssets: config.cdkAssets || undefined,
  });
  // With cdkAssets, the targets serve CicdStackSynthesizer (cdk deploy, CDK Pipelines) too.
  const cdkBootstrapCompatibility = config.cdkAssets ? {} : undefined;

  const targets = (config.stacks === 'cicd' ? [] : config.targets).map((t) => {
    const stack = new Stack(app, targetStackName(t.name), props(t.accountId, `Roles the CICD account ${config.cicd.accountId} uses in ${t.name}`));
    const readOnlyRoleName = config.readOnlyRoleName;
    new CrossAccountPipelineRoles(stack, 'PipelineRoles', {
      cicdAccountId: config.cicd.accountId,
      artifactStore: store,
      canWriteArtifacts: config.artifactWriters.includes(t.name) || undefined,
      // A read-only role whose name does not start with the prefix is protected by name.
      protectedRoleNames: readOnlyRoleName && !readOnlyRoleName.startsWith('cicd-') ? [readOnlyRoleName] : undefined,
      cdkBootstrapCompatibility,
    });
    new CrossReadOnlyRole(stack, 'ReadOnlyRole', { trustedAccountIds: [config.cicd.accountId], roleName: readOnlyRoleName, cdkBootstrapCompatibility });
    return stack;
  });

  const settingsStack = new Stack(app, SETTINGS_STACK, props(config.cicd.accountId, 'CICD settings: SSM parameters that pipelines read'));
  new CicdSettings(settingsStack, 'Settings', {
    artifactStore: store,
    targetAccounts: config.targets.map((t) => settingsTarget(config, t)),
  });

  const pipeline = new SamplePipelineStack(app, PIPELINE_STACK, {
    ...props(config.cicd.accountId, 'Sample pipeline that deploys a tiny stack through the baseline'),
    // A pipeline has at most 50 stages: the sample deploys to the first two targets.
    targets: config.targets.slice(0, 2),
  });
  pipeline.addDependency(settingsStack);

  const sampleApp = new Stack(app, SAMPLE_APP_STACK, {
    description: 'Sample application deployed by the sample pipeline',
    synthesizer: new CliCredentialsStackSynthesizer(),
  });
  const greeting = new ssm.StringParameter(sampleApp, 'Greeting', { parameterName: '/cicd-sample-app/greeting', stringValue: 'deployed by the CICD pipeline' });
  // Every role the application creates carries the baseline's permissions boundary, which the
  // CloudFormation role requires of the roles it creates.
  iam.PermissionsBoundary.of(sampleApp).apply(iam.ManagedPolicy.fromManagedPolicyName(sampleApp, 'PermissionsBoundary',
    CrossAccountPipelineRoles.permissionsBoundaryName()));
  const reader = new iam.Role(sampleApp, 'GreetingReader', {
    description: 'Reads the greeting (a role of the sample application, created under the baseline\'s boundary)',
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  greeting.grantRead(reader);

  return { store: storeStack, targets, settings: settingsStack, pipeline, sampleApp };
}

/** What the settings publish about one target: its ID, and its roles' unique IDs once known. */
function settingsTarget(config: BaselineConfig, t: Account): TargetAccount {
  const ids = Object.values(config.roleIds[t.name] ?? {});
  return ids.length > 0 ? { name: t.name, accountId: t.accountId, roleIds: ids } : { name: t.name, accountId: t.accountId };
}

/** How the store admits one target, by the configured narrowing. */
function storeTarget(config: BaselineConfig, name: string, accountId: string): TargetAccount {
  const roleNames = PIPELINE_ROLE_NAMES;
  switch (config.narrowing) {
    case 'role-arns':
      return { name, accountId, roleArns: roleNames.map((r) => `arn:aws:iam::${accountId}:role/${r}`) };
    case 'role-ids': {
      const ids = config.roleIds[name] ?? {};
      const roleIds = [ids.crossAccountRoleId, ids.cloudFormationRoleId, ids.buildRoleId].filter((id): id is string => !!id);
      // Until the deploy command has read the IDs of the deployed roles, admit the roles by ARN.
      return roleIds.length > 0
        ? { name, accountId, roleIds }
        : { name, accountId, roleArns: roleNames.map((r) => `arn:aws:iam::${accountId}:role/${r}`) };
    }
    default:
      return { name, accountId };
  }
}

interface SamplePipelineStackProps extends StackProps {
  readonly targets: Account[];
}

/**
 * A pipeline in the CICD account that takes the sample app's template from the templates
 * bucket and deploys it to every target account in turn, with a manual approval before the
 * last one. It finds the store through the published settings, and names the target roles
 * by their deterministic names.
 */
class SamplePipelineStack extends Stack {
  constructor(scope: Construct, id: string, props: SamplePipelineStackProps) {
    super(scope, id, props);
    const store = CicdArtifactStore.fromSsmParameters(this, 'Store');
    const source = new codepipeline.Artifact('Source');
    const pipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineName: 'cicd-sample',
      pipelineType: codepipeline.PipelineType.V2,
      artifactBucket: store.artifactsBucket,
    });
    // aws-cdk-lib makes the pipeline depend on its role and the role's policy; the role is
    // also referenced by GetAtt, so cfn-lint reports the DependsOn on it as redundant (W3005).
    // Harmless, and not ours to change: tell cfn-lint so, on this resource only.
    (pipeline.node.defaultChild as CfnResource).addMetadata('cfn-lint', { config: { ignore_checks: ['W3005'] } });
    pipeline.addStage({
      stageName: 'Source',
      actions: [new actions.S3SourceAction({
        actionName: 'Template',
        bucket: store.templatesBucket,
        bucketKey: SAMPLE_SOURCE_KEY,
        output: source,
        trigger: actions.S3Trigger.NONE,
      })],
    });
    props.targets.forEach((target, i) => {
      const roles = TargetAccountRoles.fromTargetAccount(this, `${target.name}Roles`, target);
      const last = i === props.targets.length - 1 && i > 0;
      pipeline.addStage({
        stageName: `Deploy-${target.name}`,
        actions: [
          ...(last ? [new actions.ManualApprovalAction({ actionName: 'Approve', runOrder: 1 })] : []),
          new actions.CloudFormationCreateUpdateStackAction({
            actionName: 'Deploy',
            runOrder: last ? 2 : 1,
            stackName: SAMPLE_APP_STACK,
            templatePath: source.atPath(SAMPLE_TEMPLATE_FILE),
            adminPermissions: false,
            role: roles.crossAccountRole,
            deploymentRole: roles.cloudFormationRole,
          }),
        ],
      });
    });
  }
}
