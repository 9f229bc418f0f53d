/**
 * A CodePipeline and a CodeBuild project in a target account, built on each importer of the
 * artifact store: the key identity they are given must be one CodePipeline, CodeBuild and KMS
 * accept from another account (the key's ARN), and grants must name the key in a way KMS honours.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { CicdArtifactStore, ICicdArtifactStore } from '../src';

const KEY_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const LOCATION = { account: '111111111111', region: 'eu-west-1' };
const TARGET_ENV = { account: '222222222222', region: 'eu-west-1' };

type Importer = (stack: Stack) => ICicdArtifactStore;

const importers: Array<[string, Importer]> = [
  ['fromArtifactStoreAttributes', (stack) => CicdArtifactStore.fromArtifactStoreAttributes(stack, 'Store', {
    keyArn: KEY_ARN,
    artifactsBucketName: 'cicd-artifacts-111111111111-eu-west-1',
    templatesBucketName: 'cicd-templates-111111111111-eu-west-1',
  })],
  ['fromCicdAccount with a key ARN', (stack) => CicdArtifactStore.fromCicdAccount(stack, 'Store', { ...LOCATION, keyArn: KEY_ARN })],
  ['fromCicdAccount with the key ARN from an SSM parameter', (stack) => CicdArtifactStore.fromCicdAccount(stack, 'Store', {
    ...LOCATION,
    keyArn: ssm.StringParameter.valueForStringParameter(stack, '/cicd/artifacts/kms/key-arn'),
  })],
  ['fromSsmParameters', (stack) => CicdArtifactStore.fromSsmParameters(stack, 'Store')],
];

/** A pipeline of the target account whose artifact store is the imported store's bucket and key. */
function pipelineOn(stack: Stack, store: ICicdArtifactStore): void {
  const source = new codepipeline.Artifact('Source');
  const project = new codebuild.PipelineProject(stack, 'Build', { encryptionKey: store.encryptionKey });
  new codepipeline.Pipeline(stack, 'Pipeline', {
    artifactBucket: store.artifactsBucket,
    crossAccountKeys: false,
    stages: [
      { stageName: 'Source', actions: [new actions.S3SourceAction({ actionName: 'Source', bucket: store.templatesBucket, bucketKey: 'app/source.zip', output: source })] },
      { stageName: 'Build', actions: [new actions.CodeBuildAction({ actionName: 'Build', project, input: source })] },
    ],
  });
}

function target(): Stack {
  return new Stack(new App(), 'Target', { env: TARGET_ENV });
}

describe.each(importers)('a pipeline and a CodeBuild project in a target account on %s', (_, importer) => {
  test('name the key by its key ARN, never by an alias', () => {
    const stack = target();
    pipelineOn(stack, importer(stack));
    const template = Template.fromStack(stack);
    const pipeline = Object.values<any>(template.findResources('AWS::CodePipeline::Pipeline'))[0];
    const project = Object.values<any>(template.findResources('AWS::CodeBuild::Project'))[0];
    const keyIds = [stack.resolve(pipeline.Properties.ArtifactStore.EncryptionKey.Id), stack.resolve(project.Properties.EncryptionKey)];
    for (const id of keyIds) {
      expect(JSON.stringify(id)).not.toContain('alias/');
      if (typeof id === 'string') {
        expect(id).toBe(KEY_ARN);
      } else {
        // resolved at deploy time from an SSM parameter
        expect(JSON.stringify(id)).toMatch(/Ref/);
      }
    }
    expect(pipeline.Properties.ArtifactStore.EncryptionKey.Type).toBe('KMS');
  });
});

describe('CicdArtifactStore.fromCicdAccount without a key ARN', () => {
  test('a pipeline whose artifact store uses the key fails at synth, saying what to pass', () => {
    const stack = target();
    const store = CicdArtifactStore.fromCicdAccount(stack, 'Store', LOCATION);
    const source = new codepipeline.Artifact('Source');
    new codepipeline.Pipeline(stack, 'Pipeline', {
      artifactBucket: store.artifactsBucket,
      crossAccountKeys: false,
      stages: [
        { stageName: 'Source', actions: [new actions.S3SourceAction({ actionName: 'Source', bucket: store.templatesBucket, bucketKey: 'a.zip', output: source })] },
        { stageName: 'Approve', actions: [new actions.ManualApprovalAction({ actionName: 'Approve' })] },
      ],
    });
    expect(() => Template.fromStack(stack)).toThrow(
      /CicdArtifactStore.fromCicdAccount \(Target\/Store\): the store's KMS key is known only by its alias \(alias\/cicd\/artifacts in 111111111111, eu-west-1\), so its key ARN is unknown.*Pass keyArn to CicdArtifactStore.fromCicdAccount\(\)/);
  });

  test('a CodeBuild project encrypted with the key fails at synth', () => {
    const stack = target();
    const store = CicdArtifactStore.fromCicdAccount(stack, 'Store', LOCATION);
    new codebuild.PipelineProject(stack, 'Build', { encryptionKey: store.encryptionKey });
    expect(() => Template.fromStack(stack)).toThrow(/known only by its alias.*Pass keyArn/);
  });

  test('a bucket encrypted with the key fails at synth', () => {
    const stack = target();
    const store = CicdArtifactStore.fromCicdAccount(stack, 'Store', LOCATION);
    new s3.Bucket(stack, 'Bucket', { encryptionKey: store.encryptionKey });
    expect(() => Template.fromStack(stack)).toThrow(/known only by its alias.*Pass keyArn/);
  });

  test('grants on the key itself name it by kms:ResourceAliases, not by the alias ARN (which KMS ignores)', () => {
    const stack = target();
    const store = CicdArtifactStore.fromCicdAccount(stack, 'Store', LOCATION);
    const role = new iam.Role(stack, 'Builder', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    store.encryptionKey.grantEncryptDecrypt(role);
    store.artifactsBucket.grantRead(role);
    const statements = Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s) => JSON.stringify(s.Action).includes('kms:'));
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(statement.Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:eu-west-1:111111111111:key/*']] });
      expect(statement.Condition).toEqual({ 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/cicd/artifacts' } });
    }
  });

  test('with a key ARN, grants name the key by its ARN', () => {
    const stack = target();
    const store = CicdArtifactStore.fromCicdAccount(stack, 'Store', { ...LOCATION, keyArn: KEY_ARN });
    const role = new iam.Role(stack, 'Builder', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    store.grantRead(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: KEY_ARN }]) },
    });
  });

  test('a key ARN of another account or an alias ARN is refused', () => {
    const stack = target();
    expect(() => CicdArtifactStore.fromCicdAccount(stack, 'A', { ...LOCATION, keyArn: KEY_ARN.replace('111111111111', '999999999999') }))
      .toThrow(/keyArn: got "arn:aws:kms:eu-west-1:999999999999:key\/[^"]+"; allowed: a key of the store's account and region \(111111111111, eu-west-1\)/);
    expect(() => CicdArtifactStore.fromCicdAccount(stack, 'B', { ...LOCATION, keyArn: 'arn:aws:kms:eu-west-1:111111111111:alias/cicd/artifacts' }))
      .toThrow(/keyArn: got "arn:aws:kms:eu-west-1:111111111111:alias\/cicd\/artifacts"; allowed: a KMS key ARN .*\(not an alias ARN\)/);
  });
});
