import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { CicdStackSynthesizer, CicdStackSynthesizerProps } from '../src';

const NONPROD_ENV = { account: '222222222222', region: 'eu-west-1' };

/** A directory with a file in it, for a Lambda code asset and a Dockerfile. */
function assetDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cicd-synth-'));
  fs.writeFileSync(path.join(dir, 'index.js'), 'exports.handler = async () => "ok";\n');
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM public.ecr.aws/lambda/nodejs:20\nCOPY index.js ${LAMBDA_TASK_ROOT}\n');
  return dir;
}

/** A target stack with a Lambda function whose code is a file asset, synthesized. */
function synth(props: Partial<CicdStackSynthesizerProps> = {}, options: { image?: boolean; env?: { account?: string; region?: string } } = {}) {
  const app = new App();
  const stack = new Stack(app, 'Service', {
    env: options.env ?? NONPROD_ENV,
    synthesizer: new CicdStackSynthesizer({ cicdAccountId: '111111111111', ...props }),
  });
  const dir = assetDir();
  new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code: lambda.Code.fromAsset(dir) });
  if (options.image) {
    new lambda.DockerImageFunction(stack, 'ImageFn', { code: lambda.DockerImageCode.fromImageAsset(dir) });
  }
  const assembly = app.synth();
  const artifact = assembly.getStackByName('Service');
  const manifestArtifact = artifact.dependencies.find((d) => d instanceof cxapi.AssetManifestArtifact) as cxapi.AssetManifestArtifact;
  const manifest = JSON.parse(fs.readFileSync(manifestArtifact.file, 'utf-8'));
  return { app, stack, artifact, manifestArtifact, manifest, template: Template.fromStack(stack), assembly };
}

function fileDestinations(manifest: any): any[] {
  return Object.values(manifest.files).flatMap((f: any) => Object.values(f.destinations));
}

describe('CicdStackSynthesizer', () => {
  test('deploys through the target\'s cross-account and CloudFormation roles, looks up through the read-only role', () => {
    // GIVEN / WHEN
    const { artifact } = synth();

    // THEN
    expect(artifact.assumeRoleArn).toBe('arn:${AWS::Partition}:iam::222222222222:role/cicd-cross-account');
    expect(artifact.cloudFormationExecutionRoleArn).toBe('arn:${AWS::Partition}:iam::222222222222:role/cicd-cloudformation');
    // Stack operations use the deploy role: the read-only role may not read templates.
    expect(artifact.lookupRole).toBeUndefined();
  });

  test('file assets and the template go to the CICD account\'s assets bucket, under the target account\'s prefix, published by the CICD publishing role', () => {
    // GIVEN / WHEN
    const { manifest, artifact } = synth();

    // THEN
    const destinations = fileDestinations(manifest);
    expect(destinations.length).toBeGreaterThanOrEqual(2); // the Lambda code and the template
    for (const d of destinations) {
      expect(d.bucketName).toBe('cicd-assets-111111111111-eu-west-1');
      expect(d.objectKey).toMatch(/^222222222222\/[0-9a-f]{64}\.(zip|json)$/);
      expect(d.assumeRoleArn).toBe('arn:${AWS::Partition}:iam::111111111111:role/cicd-assets-publishing-eu-west-1');
      expect(d.region).toBe('eu-west-1');
    }
    expect(artifact.stackTemplateAssetObjectUrl).toMatch(/^s3:\/\/cicd-assets-111111111111-eu-west-1\/222222222222\/[0-9a-f]{64}\.json$/);
  });

  test('the Lambda code is read from the central bucket', () => {
    const { template } = synth();
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0] as any;
    expect(fn.Properties.Code.S3Bucket).toBe('cicd-assets-111111111111-eu-west-1');
    expect(fn.Properties.Code.S3Key).toMatch(/^222222222222\/[0-9a-f]{64}\.zip$/);
  });

  test('without bootstrap compatibility, nothing requires a bootstrap version and the template has no version rule', () => {
    // GIVEN / WHEN
    const { artifact, manifestArtifact, template } = synth();

    // THEN
    expect(artifact.requiresBootstrapStackVersion).toBeUndefined();
    expect(artifact.bootstrapStackVersionSsmParameter).toBeUndefined();
    expect(manifestArtifact.requiresBootstrapStackVersion).toBeUndefined();
    expect(template.toJSON().Rules).toBeUndefined();
    expect(template.toJSON().Parameters?.BootstrapVersion).toBeUndefined();
  });

  test('with bootstrap compatibility, the CLI checks /cdk-bootstrap/QUALIFIER/version and the template gets the rule', () => {
    // GIVEN / WHEN
    const { artifact, manifestArtifact, template } = synth({ cdkBootstrapCompatibility: { qualifier: 'team1' } });

    // THEN
    expect(artifact.requiresBootstrapStackVersion).toBe(6);
    expect(artifact.bootstrapStackVersionSsmParameter).toBe('/cdk-bootstrap/team1/version');
    expect(manifestArtifact.requiresBootstrapStackVersion).toBe(6);
    expect(manifestArtifact.bootstrapStackVersionSsmParameter).toBe('/cdk-bootstrap/team1/version');
    expect(template.toJSON().Parameters.BootstrapVersion.Default).toBe('/cdk-bootstrap/team1/version');
    expect(template.toJSON().Rules.CheckBootstrapVersion).toBeDefined();
  });

  test('bootstrap compatibility without the rule, and the default qualifier', () => {
    const { artifact, template } = synth({ cdkBootstrapCompatibility: {}, generateBootstrapVersionRule: false });
    expect(artifact.bootstrapStackVersionSsmParameter).toBe('/cdk-bootstrap/cicd/version');
    expect(template.toJSON().Rules).toBeUndefined();
  });

  test('custom names: role prefix, read-only role, assets prefix', () => {
    // GIVEN / WHEN
    const { artifact, manifest } = synth({ roleNamePrefix: 'team', readOnlyRoleName: 'inventory', assetsBucketPrefix: 'team-assets' });

    // THEN
    expect(artifact.assumeRoleArn).toBe('arn:${AWS::Partition}:iam::222222222222:role/team-cross-account');
    expect(artifact.cloudFormationExecutionRoleArn).toBe('arn:${AWS::Partition}:iam::222222222222:role/team-cloudformation');
    for (const d of fileDestinations(manifest)) {
      expect(d.bucketName).toBe('team-assets-111111111111-eu-west-1');
      expect(d.assumeRoleArn).toBe('arn:${AWS::Partition}:iam::111111111111:role/team-assets-publishing-eu-west-1');
    }
  });

  test('the lookup role is the read-only role (context lookups)', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: NONPROD_ENV, synthesizer: new CicdStackSynthesizer({ cicdAccountId: '111111111111', readOnlyRoleName: 'inventory' }) });
    expect((stack.synthesizer as CicdStackSynthesizer).lookupRole).toBe('arn:${AWS::Partition}:iam::222222222222:role/inventory');
  });

  test('an environment-agnostic stack keeps the placeholders: one template for every target', () => {
    const { manifest, artifact } = synth({}, { env: {} });
    expect(artifact.assumeRoleArn).toBe('arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cicd-cross-account');
    for (const d of fileDestinations(manifest)) {
      expect(d.bucketName).toBe('cicd-assets-111111111111-${AWS::Region}');
      expect(d.objectKey.startsWith('${AWS::AccountId}/')).toBe(true);
      expect(d.assumeRoleArn).toBe('arn:${AWS::Partition}:iam::111111111111:role/cicd-assets-publishing-${AWS::Region}');
    }
  });

  test('container images go to the store\'s repository, and their URIs name the CICD account\'s registry', () => {
    // GIVEN / WHEN
    const { manifest, template } = synth({ imageAssetsRepositoryName: 'sample-app' }, { image: true });

    // THEN
    const images = Object.values(manifest.dockerImages).flatMap((i: any) => Object.values(i.destinations)) as any[];
    expect(images).toHaveLength(1);
    expect(images[0].repositoryName).toBe('sample-app');
    expect(images[0].assumeRoleArn).toBe('arn:${AWS::Partition}:iam::111111111111:role/cicd-assets-publishing-eu-west-1');
    const fn = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { PackageType: 'Image' } }))[0] as any;
    const uri = JSON.stringify(fn.Properties.Code.ImageUri);
    expect(uri).toContain('111111111111.dkr.ecr.eu-west-1.');
    expect(uri).not.toContain('222222222222');
  });

  test('a container image asset without a repository fails at synth, naming the prop', () => {
    expect(() => synth({}, { image: true })).toThrow(/imageAssetsRepositoryName is not given/);
  });

  test('one synthesizer serves every stack of an app: each stack\'s manifest holds its own assets, under its own account', () => {
    // GIVEN
    const app = new App({ defaultStackSynthesizer: new CicdStackSynthesizer({ cicdAccountId: '111111111111' }) });
    const dir = assetDir();
    for (const [name, account] of [['NonProd', '222222222222'], ['Prod', '777777777777']]) {
      const stack = new Stack(app, name, { env: { account, region: 'eu-west-1' } });
      new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code: lambda.Code.fromAsset(dir) });
    }

    // WHEN
    const assembly = app.synth();

    // THEN
    for (const [name, account] of [['NonProd', '222222222222'], ['Prod', '777777777777']]) {
      const manifest = JSON.parse(fs.readFileSync(path.join(assembly.directory, `${name}.assets.json`), 'utf-8'));
      const keys = fileDestinations(manifest).map((d) => d.objectKey);
      expect(keys).toHaveLength(2);
      expect(keys.every((k: string) => k.startsWith(`${account}/`))).toBe(true);
      expect(assembly.getStackByName(name).assumeRoleArn).toBe(`arn:\${AWS::Partition}:iam::${account}:role/cicd-cross-account`);
    }
  });

  test('nothing refers to the CDK bootstrap\'s resources', () => {
    const { assembly } = synth({ imageAssetsRepositoryName: 'sample-app' }, { image: true });
    for (const file of fs.readdirSync(assembly.directory).filter((f) => f.endsWith('.json'))) {
      expect(fs.readFileSync(path.join(assembly.directory, file), 'utf-8')).not.toMatch(/cdk-hnb659fds|hnb659fds/);
    }
  });

  test('invalid props are rejected together, naming each prop and value', () => {
    expect(() => new CicdStackSynthesizer({
      cicdAccountId: '1111',
      roleNamePrefix: 'x'.repeat(60),
      readOnlyRoleName: 'no spaces',
      assetsBucketPrefix: 'Upper',
      imageAssetsRepositoryName: 'UPPER',
      cdkBootstrapCompatibility: { qualifier: 'much-too-long-qualifier' },
    })).toThrow(new RegExp([
      'CicdStackSynthesizer: invalid props:',
      '  - cicdAccountId: got "1111"; allowed: a 12-digit',
      '  - roleNamePrefix: got "x+"; allowed: .*at most 50 characters',
      '  - readOnlyRoleName: got "no spaces"',
      '  - assetsBucketPrefix: got "Upper"; allowed: lower-case',
      '  - imageAssetsRepositoryName: got "UPPER"',
      '  - cdkBootstrapCompatibility.qualifier: got "much-too-long-qualifier"; allowed: 1 to 10',
    ].join('[^]*')));
  });

  test('an assets prefix too long for the publishing role\'s name is rejected', () => {
    expect(() => new CicdStackSynthesizer({ cicdAccountId: '111111111111', assetsBucketPrefix: 'a'.repeat(36) }))
      .toThrow(/assetsBucketPrefix: got "a{36}"; allowed: at most 35 characters/);
  });
});
