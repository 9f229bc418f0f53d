#!/usr/bin/env node
/**
 * The yardstick of `npx projen bench`: the reference app's stacks written with plain
 * aws-cdk-lib L2 constructs, as a user without this library would write them. Same stacks,
 * same accounts (examples/config.ts, read the same way), same synthesizer:
 *
 * - CICD account: a KMS key with an alias, two KMS-encrypted buckets and an access-logs
 *   bucket, granted to the target accounts with `grantReadWrite` / `grantRead`; the same SSM
 *   parameters as `CicdSettings` (the store's five and the target registry's pages); the
 *   same sample pipeline;
 * - every target account: four roles (cross-account, CloudFormation, build, read-only);
 * - the sample app.
 *
 * It is timed against examples/app.ts as a whole process; it is not a template to deploy.
 */
import { App, Aws, CliCredentialsStackSynthesizer, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { readConfig } from '../examples/config';

// Server access logs through a bucket policy, as a new CDK app's cdk.json sets it.
const app = new App({ context: { '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true } });
const config = readConfig((key) => app.node.tryGetContext(key));
const props = (account: string): StackProps => ({
  env: { account, region: config.region },
  synthesizer: new CliCredentialsStackSynthesizer(),
});
const cicd = config.cicd.accountId;
const targets = config.targets;

// The store.
const store = new Stack(app, 'plain-artifact-store', props(cicd));
const key = new kms.Key(store, 'Key', { enableKeyRotation: true, alias: 'alias/cicd/artifacts', removalPolicy: RemovalPolicy.RETAIN });
const secure: s3.BucketProps = {
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
  enforceSSL: true,
  minimumTLSVersion: 1.2,
  versioned: true,
  removalPolicy: RemovalPolicy.RETAIN,
};
const logs = new s3.Bucket(store, 'AccessLogs', { ...secure, encryption: s3.BucketEncryption.S3_MANAGED });
const bucket = (id: string, name: string) => new s3.Bucket(store, id, {
  ...secure,
  bucketName: `${name}-${cicd}-${config.region}`,
  encryption: s3.BucketEncryption.KMS,
  encryptionKey: key,
  bucketKeyEnabled: true,
  serverAccessLogsBucket: logs,
  serverAccessLogsPrefix: `${name}/`,
  lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90), abortIncompleteMultipartUploadAfter: Duration.days(7) }],
});
const artifacts = bucket('Artifacts', 'cicd-artifacts');
const templates = bucket('Templates', 'cicd-templates');
const others = targets.filter((t) => t.accountId !== cicd);
if (others.length > 0) {
  const audience = new iam.CompositePrincipal(...others.map((t) => new iam.AccountPrincipal(t.accountId)));
  artifacts.grantReadWrite(audience);
  templates.grantRead(audience);
}

// Every target account: four roles.
for (const t of config.stacks === 'cicd' ? [] : targets) {
  const stack = new Stack(app, `plain-target-roles-${t.name}`, props(t.accountId));
  const cloudFormation = new iam.Role(stack, 'CloudFormationRole', {
    roleName: 'cicd-cloudformation',
    assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com'),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('PowerUserAccess')],
  });
  const crossAccount = new iam.Role(stack, 'CrossAccountRole', { roleName: 'cicd-cross-account', assumedBy: new iam.AccountPrincipal(cicd) });
  crossAccount.addToPolicy(new iam.PolicyStatement({ actions: ['cloudformation:*', 'codebuild:StartBuild', 'codebuild:BatchGetBuilds'], resources: ['*'] }));
  cloudFormation.grantPassRole(crossAccount);
  const build = new iam.Role(stack, 'BuildRole', {
    roleName: 'cicd-build',
    assumedBy: new iam.CompositePrincipal(new iam.ServicePrincipal('codebuild.amazonaws.com'), new iam.ServicePrincipal('lambda.amazonaws.com')),
  });
  for (const role of [crossAccount, build]) {
    role.addToPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject*', 's3:PutObject', 's3:ListBucket'],
      resources: [`arn:${Aws.PARTITION}:s3:::cicd-artifacts-${cicd}-${config.region}`, `arn:${Aws.PARTITION}:s3:::cicd-artifacts-${cicd}-${config.region}/*`],
    }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], resources: [`arn:${Aws.PARTITION}:kms:${config.region}:${cicd}:key/*`] }));
  }
  new iam.Role(stack, 'ReadOnlyRole', {
    roleName: 'cicd-read-only',
    assumedBy: new iam.AccountPrincipal(cicd),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('job-function/ViewOnlyAccess')],
  });
}

// The same SSM parameters as CicdSettings: the store's five and the target registry in pages.
const settings = new Stack(app, 'plain-settings', props(cicd));
const parameter = (id: string, name: string, value: string) => new ssm.StringParameter(settings, id, { parameterName: `/cicd/artifacts/${name}`, stringValue: value });
parameter('KeyArn', 'kms/key-arn', key.keyArn);
parameter('ArtifactsName', 'buckets/artifacts/name', artifacts.bucketName);
parameter('ArtifactsArn', 'buckets/artifacts/arn', artifacts.bucketArn);
parameter('TemplatesName', 'buckets/templates/name', templates.bucketName);
parameter('TemplatesArn', 'buckets/templates/arn', templates.bucketArn);
const PER_PAGE = 80;
for (let page = 0; page * PER_PAGE < targets.length; page++) {
  const list = targets.slice(page * PER_PAGE, (page + 1) * PER_PAGE).map((t) => ({ name: t.name, accountId: t.accountId }));
  parameter(`Targets${page + 1}`, `targets/${page + 1}`, JSON.stringify({ page: page + 1, roleNamePrefix: 'cicd', targets: list }));
}

// The same sample pipeline.
const pipelineStack = new Stack(app, 'plain-sample-pipeline', props(cicd));
pipelineStack.addDependency(settings);
const read = (name: string) => ssm.StringParameter.valueForStringParameter(pipelineStack, `/cicd/artifacts/${name}`);
const storeKey = kms.Key.fromKeyArn(pipelineStack, 'StoreKey', read('kms/key-arn'));
const source = new codepipeline.Artifact('Source');
const pipeline = new codepipeline.Pipeline(pipelineStack, 'Pipeline', {
  pipelineName: 'cicd-sample',
  pipelineType: codepipeline.PipelineType.V2,
  artifactBucket: s3.Bucket.fromBucketAttributes(pipelineStack, 'ArtifactsBucket', { bucketName: read('buckets/artifacts/name'), encryptionKey: storeKey }),
});
pipeline.addStage({
  stageName: 'Source',
  actions: [new actions.S3SourceAction({
    actionName: 'Template',
    bucket: s3.Bucket.fromBucketAttributes(pipelineStack, 'TemplatesBucket', { bucketName: read('buckets/templates/name'), encryptionKey: storeKey }),
    bucketKey: 'sample-app/source.zip',
    output: source,
    trigger: actions.S3Trigger.NONE,
  })],
});
targets.slice(0, 2).forEach((t, i) => {
  const role = (name: string) => iam.Role.fromRoleArn(pipelineStack, `${t.name}${name}`, `arn:${Aws.PARTITION}:iam::${t.accountId}:role/${name}`, { mutable: false });
  const last = i === 1;
  pipeline.addStage({
    stageName: `Deploy-${t.name}`,
    actions: [
      ...(last ? [new actions.ManualApprovalAction({ actionName: 'Approve', runOrder: 1 })] : []),
      new actions.CloudFormationCreateUpdateStackAction({
        actionName: 'Deploy',
        runOrder: last ? 2 : 1,
        stackName: 'cicd-sample-app',
        templatePath: source.atPath('cicd-sample-app.template.json'),
        adminPermissions: false,
        role: role('cicd-cross-account'),
        deploymentRole: role('cicd-cloudformation'),
      }),
    ],
  });
});

// The same sample app.
const sampleApp = new Stack(app, 'plain-sample-app', { synthesizer: new CliCredentialsStackSynthesizer() });
new ssm.StringParameter(sampleApp, 'Greeting', { parameterName: '/cicd-sample-app/greeting', stringValue: 'deployed by the CICD pipeline' });

app.synth();
