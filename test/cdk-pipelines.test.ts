import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Stage, StageProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cxapi from 'aws-cdk-lib/cx-api';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { CicdArtifactStore, CicdStackSynthesizer } from '../src';

const REGION = 'eu-west-1';
const CICD = '111111111111';
const TARGETS = { NonProd: '222222222222', Prod: '777777777777' };
const KEY_ARN = `arn:aws:kms:${REGION}:${CICD}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

/** A sample application: one Lambda function whose code is a file asset. */
class SampleStage extends Stage {
  constructor(scope: Construct, id: string, props: StageProps) {
    super(scope, id, props);
    const stack = new Stack(this, 'Service');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cicd-pipelines-'));
    fs.writeFileSync(path.join(dir, 'index.js'), 'exports.handler = async () => "ok";\n');
    new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code: lambda.Code.fromAsset(dir) });
  }
}

/** The pipeline stack in the CICD account, on the store's artifacts bucket and key, deploying the stage to both targets. */
function synthPipeline() {
  // Every stack of the app, the pipeline's own included, deploys through the baseline.
  const app = new App({ defaultStackSynthesizer: new CicdStackSynthesizer({ cicdAccountId: CICD, cdkBootstrapCompatibility: {} }) });
  const stack = new Stack(app, 'Pipeline', { env: { account: CICD, region: REGION } });
  const store = CicdArtifactStore.fromArtifactStoreAttributes(stack, 'Store', {
    keyArn: KEY_ARN,
    artifactsBucketName: CicdArtifactStore.bucketName('cicd-artifacts', CICD, REGION),
    templatesBucketName: CicdArtifactStore.bucketName('cicd-templates', CICD, REGION),
  });
  const pipeline = new pipelines.CodePipeline(stack, 'CdkPipeline', {
    codePipeline: new codepipeline.Pipeline(stack, 'Pipeline', {
      artifactBucket: store.artifactsBucket,
      pipelineType: codepipeline.PipelineType.V2,
      restartExecutionOnUpdate: true,
    }),
    synth: new pipelines.ShellStep('Synth', {
      input: pipelines.CodePipelineSource.s3(store.templatesBucket, 'sample-app/source.zip'),
      commands: ['npm ci', 'npx cdk synth'],
    }),
  });
  for (const [name, account] of Object.entries(TARGETS)) {
    pipeline.addStage(new SampleStage(app, name, { env: { account, region: REGION } }));
  }
  const assembly = app.synth();
  return { app, stack, assembly, template: Template.fromStack(stack) };
}

const join = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });
const partition = { Ref: 'AWS::Partition' };

/** Every JSON file of the cloud assembly, nested assemblies included. */
function assemblyFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? assemblyFiles(p) : e.name.endsWith('.json') ? [p] : [];
  });
}

describe('CDK Pipelines through the baseline', () => {
  const { assembly, template } = synthPipeline();
  const pipelineResource = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0] as any;
  const stages: any[] = pipelineResource.Properties.Stages;

  test('the pipeline stores its artifacts in the store\'s artifacts bucket, encrypted with the store\'s key', () => {
    expect(pipelineResource.Properties.ArtifactStore).toEqual({
      Location: 'cicd-artifacts-111111111111-eu-west-1',
      Type: 'S3',
      EncryptionKey: { Id: KEY_ARN, Type: 'KMS' },
    });
  });

  test.each(Object.entries(TARGETS))('every CloudFormation action of %s uses the target\'s cross-account role, and CloudFormation its CloudFormation role', (name, account) => {
    const actions = stages.find((s) => s.Name === name).Actions.filter((a: any) => a.ActionTypeId.Provider === 'CloudFormation');
    expect(actions.map((a: any) => a.Configuration.ActionMode).sort()).toEqual(['CHANGE_SET_EXECUTE', 'CHANGE_SET_REPLACE']);
    for (const action of actions) {
      expect(action.RoleArn).toEqual(join('arn:', partition, `:iam::${account}:role/cicd-cross-account`));
      if (action.Configuration.ActionMode === 'CHANGE_SET_REPLACE') {
        expect(action.Configuration.RoleArn).toEqual(join('arn:', partition, `:iam::${account}:role/cicd-cloudformation`));
      }
    }
  });

  test('the pipeline\'s own stack deploys through the CICD account\'s own baseline roles (self-mutation)', () => {
    const self = stages.find((s) => s.Name === 'UpdatePipeline');
    expect(self).toBeDefined();
    const pipelineArtifact = assembly.getStackByName('Pipeline');
    expect(pipelineArtifact.assumeRoleArn).toBe(`arn:\${AWS::Partition}:iam::${CICD}:role/cicd-cross-account`);
    // Self-mutation assumes the CICD account's roles tagged aws-cdk:bootstrap-role (deploy, file-publishing).
    const selfMutation = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement)
      .find((s: any) => s.Condition?.['ForAnyValue:StringEquals']?.['iam:ResourceTag/aws-cdk:bootstrap-role']);
    expect(selfMutation.Condition['ForAnyValue:StringEquals']['iam:ResourceTag/aws-cdk:bootstrap-role']).toEqual(['image-publishing', 'file-publishing', 'deploy']);
  });

  test.each(Object.entries(TARGETS))('the assets of %s go to the central assets bucket, under the account\'s prefix, published by the CICD publishing role', (name, account) => {
    const stage = assembly.getNestedAssembly(`assembly-${name}`);
    const manifests = stage.artifacts.filter((a) => a instanceof cxapi.AssetManifestArtifact) as cxapi.AssetManifestArtifact[];
    expect(manifests).toHaveLength(1);
    const manifest = JSON.parse(fs.readFileSync(manifests[0].file, 'utf-8'));
    const destinations = Object.values(manifest.files).flatMap((f: any) => Object.values(f.destinations)) as any[];
    expect(destinations.length).toBe(2); // the function's code and the template
    for (const d of destinations) {
      expect(d).toEqual({
        bucketName: 'cicd-assets-111111111111-eu-west-1',
        objectKey: expect.stringMatching(new RegExp(`^${account}/[0-9a-f]{64}\\.(zip|json)$`)),
        region: REGION,
        assumeRoleArn: 'arn:${AWS::Partition}:iam::111111111111:role/cicd-assets-publishing-eu-west-1',
      });
    }
  });

  test('the asset steps may assume the CICD publishing role and nothing else; the pipeline assumes the targets\' cross-account roles', () => {
    const assumeStatements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => [s.Action].flat().includes('sts:AssumeRole') && !s.Condition);
    const publishing = assumeStatements.filter((s: any) => JSON.stringify(s.Resource).includes('publishing'));
    expect(publishing).toHaveLength(1);
    expect(publishing[0].Resource).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::111111111111:role/cicd-assets-publishing-eu-west-1' });
    const targets = JSON.stringify(assumeStatements.map((s: any) => s.Resource));
    for (const account of Object.values(TARGETS)) {
      expect(targets).toContain(`:iam::${account}:role/cicd-cross-account`);
    }
    expect(targets).not.toMatch(/:iam::(222222222222|777777777777):role\/(?!cicd-cross-account)/);
  });

  test('nothing in the cloud assembly refers to the CDK bootstrap\'s resources', () => {
    const files = assemblyFiles(assembly.directory);
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      expect({ file, refersToBootstrap: /cdk-hnb659fds/.test(fs.readFileSync(file, 'utf-8')) }).toEqual({ file, refersToBootstrap: false });
    }
  });
});
