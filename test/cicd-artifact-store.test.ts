import { App, Duration, RemovalPolicy, Resource, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { largestN, succeeds } from '../scripts/largest-n';
import { CicdArtifactStore, CicdArtifactStoreProps, TargetAccount } from '../src';
import { CICD, NONPROD, PROD, root, storeStack } from './util/store-stack';

/** Env-agnostic: account and region known only at deploy time. */
const AGNOSTIC = {};

/** The statements of the bucket policy of the bucket whose logical ID starts with `prefix`. */
function bucketStatements(template: Template, prefix: string): any[] {
  const policies = template.findResources('AWS::S3::BucketPolicy');
  const found = Object.values(policies).find((p: any) => p.Properties.Bucket.Ref.startsWith(prefix)) as any;
  return found.Properties.PolicyDocument.Statement;
}

function keyStatements(template: Template): any[] {
  const keys = Object.values(template.findResources('AWS::KMS::Key')) as any[];
  expect(keys).toHaveLength(1);
  return keys[0].Properties.KeyPolicy.Statement;
}

function bySid(statements: any[], sid: string): any {
  return statements.find((s) => s.Sid === sid);
}

describe('CicdArtifactStore defaults', () => {
  // GIVEN two target accounts, WHEN the store is created with no other props
  const { template } = storeStack({ targetAccounts: [NONPROD, PROD] });

  test('the key rotates, has the default alias, and is retained', () => {
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/cicd/artifacts' });
  });

  test('the key policy: the account administers, the targets only decrypt', () => {
    const statements = keyStatements(template);
    expect(statements).toHaveLength(2);
    expect(bySid(statements, 'AdministerKeyFromThisAccount')).toEqual({
      Sid: 'AdministerKeyFromThisAccount',
      Effect: 'Allow',
      Principal: { AWS: root('111111111111') },
      Action: 'kms:*',
      Resource: '*',
    });
    expect(bySid(statements, 'UseKeyFromTargetsAccounts')).toEqual({
      Sid: 'UseKeyFromTargetsAccounts',
      Effect: 'Allow',
      Principal: { AWS: [root('222222222222'), root('777777777777')] },
      Action: ['kms:Decrypt', 'kms:DescribeKey'],
      Resource: '*',
    });
  });

  test('bucket names are PREFIX-ACCOUNT-REGION, without dots', () => {
    template.hasResourceProperties('AWS::S3::Bucket', { BucketName: 'cicd-artifacts-111111111111-eu-west-1' });
    template.hasResourceProperties('AWS::S3::Bucket', { BucketName: 'cicd-templates-111111111111-eu-west-1' });
  });

  test.each(['cicd-artifacts', 'cicd-templates'])('the %s bucket is encrypted, private, versioned, logged and retained', (prefix) => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketName: `${prefix}-111111111111-eu-west-1`,
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StoreKey'), 'Arn'] },
            },
          }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: {
          Rules: [{
            Id: 'ExpireNoncurrentVersions',
            Status: 'Enabled',
            NoncurrentVersionExpiration: { NoncurrentDays: 90 },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
          }],
        },
        LoggingConfiguration: {
          DestinationBucketName: { Ref: Match.stringLikeRegexp('^StoreAccessLogsBucket') },
          LogFilePrefix: `${prefix}/`,
        },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('a bucket for the access logs is made: SSE-S3, private, TLS only, retained', () => {
    template.resourceCountIs('AWS::S3::Bucket', 3);
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketName: Match.absent(),
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LoggingConfiguration: Match.absent(),
      },
      DeletionPolicy: 'Retain',
    });
    const logs = bucketStatements(template, 'StoreAccessLogsBucket');
    expect(logs.filter((s) => s.Principal?.Service === 'logging.s3.amazonaws.com')).toHaveLength(2);
    expect(logs.some((s) => s.Condition?.Bool?.['aws:SecureTransport'] === 'false')).toBe(true);
  });

  test('both buckets deny requests without TLS 1.2, on the bucket and its objects', () => {
    for (const prefix of ['StoreArtifactsBucket', 'StoreTemplatesBucket']) {
      const statements = bucketStatements(template, prefix);
      const tls = statements.find((s) => s.Condition?.Bool?.['aws:SecureTransport'] === 'false');
      expect(tls).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*' });
      expect(tls.Resource).toHaveLength(2);
      const version = statements.find((s) => s.Condition?.NumericLessThan?.['s3:TlsVersion'] === 1.2);
      expect(version).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*' });
    }
  });

  test('both buckets deny uploads encrypted otherwise than with the key', () => {
    for (const prefix of ['StoreArtifactsBucket', 'StoreTemplatesBucket']) {
      const statements = bucketStatements(template, prefix);
      expect(bySid(statements, 'DenyUploadsNotEncryptedWithKms')).toMatchObject({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 's3:PutObject',
        Condition: {
          StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },
          Null: { 's3:x-amz-server-side-encryption': 'false' },
        },
      });
      expect(bySid(statements, 'DenyUploadsWithAnotherKey')).toMatchObject({
        Effect: 'Deny',
        Action: 's3:PutObject',
        Condition: {
          StringNotEquals: {
            's3:x-amz-server-side-encryption-aws-kms-key-id': [
              { 'Fn::GetAtt': [expect.stringMatching(/^StoreKey/), 'Arn'] },
              { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:eu-west-1:111111111111:alias/cicd/artifacts']] },
            ],
          },
          Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'false' },
        },
      });
      // aws:kms without a key ID would get the AWS managed aws/s3 key.
      expect(bySid(statements, 'DenyUploadsWithTheAwsManagedKey')).toEqual({
        Sid: 'DenyUploadsWithTheAwsManagedKey',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 's3:PutObject',
        Resource: expect.anything(),
        Condition: {
          StringEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },
          Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'true' },
        },
      });
    }
  });

  test('targets read artifacts, in one statement listing every account, and write none', () => {
    const statements = bucketStatements(template, 'StoreArtifactsBucket');
    const statement = bySid(statements, 'ReadArtifactsFromTargetsAccounts');
    expect(statement).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: [root('222222222222'), root('777777777777')] },
      Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket', 's3:GetBucketLocation'],
    });
    expect(statement.Resource).toHaveLength(2);
    expect(statement.Condition).toBeUndefined();
    const allows = statements.filter((st) => st.Effect === 'Allow').flatMap((st) => [st.Action].flat());
    expect(allows).not.toContain('s3:PutObject');
  });

  test('a target that opts in writes artifacts and encrypts; the others still only read', () => {
    const { template: t } = storeStack({ targetAccounts: [{ ...NONPROD, canWriteArtifacts: true }, PROD] });
    const bucket = bucketStatements(t, 'StoreArtifactsBucket');
    expect(bySid(bucket, 'ReadArtifactsFromTargetsAccounts').Principal).toEqual({ AWS: [root('222222222222'), root('777777777777')] });
    expect(bySid(bucket, 'WriteArtifactsFromWritersAccounts')).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: root('222222222222') },
      Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^StoreArtifactsBucket/), 'Arn'] }, '/*']] },
    });
    expect(bySid(keyStatements(t), 'EncryptWithKeyFromWritersAccounts')).toMatchObject({
      Principal: { AWS: root('222222222222') },
      Action: ['kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
    });
    expect(bySid(bucketStatements(t, 'StoreTemplatesBucket'), 'WriteArtifactsFromWritersAccounts')).toBeUndefined();
  });

  test('artifactWriterRoleArns: only those roles of the target write; the whole target still reads', () => {
    const writer = 'arn:aws:iam::222222222222:role/cicd-cross-account';
    const { template: t } = storeStack({ targetAccounts: [{ ...NONPROD, artifactWriterRoleArns: [writer] }, PROD] });
    const bucket = bucketStatements(t, 'StoreArtifactsBucket');
    expect(bySid(bucket, 'ReadArtifactsFromTargetsAccounts').Principal).toEqual({ AWS: [root('222222222222'), root('777777777777')] });
    expect(bySid(bucket, 'WriteArtifactsFromWritersAccounts')).toBeUndefined();
    expect(bySid(bucket, 'WriteArtifactsFromWritersRoleArns')).toMatchObject({
      Principal: { AWS: root('222222222222') },
      Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
      Condition: { ArnEquals: { 'aws:PrincipalArn': [writer] } },
    });
    expect(bySid(keyStatements(t), 'EncryptWithKeyFromWritersRoleArns').Condition).toEqual({ ArnEquals: { 'aws:PrincipalArn': [writer] } });
  });

  test('organizationCanWriteArtifacts lets the organization write artifacts', () => {
    const { template: t } = storeStack({ organizationId: 'o-a1b2c3d4e5', organizationCanWriteArtifacts: true });
    expect(bySid(bucketStatements(t, 'StoreArtifactsBucket'), 'WriteArtifactsFromWritersOrganization'))
      .toMatchObject({ Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } });
    expect(bySid(keyStatements(t), 'EncryptWithKeyFromWritersOrganization')).toBeDefined();
    const { template: readOnly } = storeStack({ organizationId: 'o-a1b2c3d4e5' });
    expect(bySid(bucketStatements(readOnly, 'StoreArtifactsBucket'), 'WriteArtifactsFromWritersOrganization')).toBeUndefined();
    expect(bySid(keyStatements(readOnly), 'EncryptWithKeyFromWritersOrganization')).toBeUndefined();
  });

  test('targets only read templates', () => {
    const statements = bucketStatements(template, 'StoreTemplatesBucket');
    expect(bySid(statements, 'ReadWriteTemplatesFromTargetsAccounts')).toBeUndefined();
    expect(bySid(statements, 'ReadTemplatesFromTargetsAccounts')).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: [root('222222222222'), root('777777777777')] },
      Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket', 's3:GetBucketLocation'],
    });
  });

  test('outputs the key ARN and the bucket names and ARNs, not exported', () => {
    const outputs = template.findOutputs('*');
    const names = Object.keys(outputs).map((k) => k.replace(/^Store/, '').replace(/[0-9A-F]{8}$/, ''));
    expect(names.sort()).toEqual(['ArtifactsBucketArn', 'ArtifactsBucketName', 'KeyArn', 'TemplatesBucketArn', 'TemplatesBucketName']);
    for (const output of Object.values(outputs)) {
      expect((output as any).Export).toBeUndefined();
    }
  });

  test('no warning when targets are given', () => {
    const { stack } = storeStack({ targetAccounts: [NONPROD] });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });
});

describe('CicdArtifactStore overrides', () => {
  test('bucket prefixes and key alias', () => {
    const { template } = storeStack({
      targetAccounts: [NONPROD],
      artifactsBucketPrefix: 'acme-pipeline',
      templatesBucketPrefix: 'acme-cfn',
      keyAlias: 'alias/acme/cicd',
    });
    template.hasResourceProperties('AWS::S3::Bucket', { BucketName: 'acme-pipeline-111111111111-eu-west-1' });
    template.hasResourceProperties('AWS::S3::Bucket', { BucketName: 'acme-cfn-111111111111-eu-west-1' });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/acme/cicd' });
  });

  test('removal policy DESTROY applies to the key and every bucket', () => {
    const { template } = storeStack({ targetAccounts: [NONPROD], removalPolicy: RemovalPolicy.DESTROY });
    template.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  test('retention of noncurrent versions', () => {
    const { template } = storeStack({ targetAccounts: [NONPROD], noncurrentVersionRetention: Duration.days(30) });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'cicd-artifacts-111111111111-eu-west-1',
      LifecycleConfiguration: { Rules: [Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } })] },
    });
  });

  test('a given access-logs bucket receives the logs and no bucket is made for them', () => {
    const app = new App();
    const stack = new Stack(app, 'Cicd', { env: CICD });
    const logs = new s3.Bucket(stack, 'Logs', { enforceSSL: true });
    new CicdArtifactStore(stack, 'Store', { targetAccounts: [NONPROD], serverAccessLogsBucket: logs });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 3);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'cicd-templates-111111111111-eu-west-1',
      LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('^Logs') }, LogFilePrefix: 'cicd-templates/' },
    });
    const statements = bucketStatements(template, 'Logs');
    expect(statements.filter((s) => s.Principal?.Service === 'logging.s3.amazonaws.com')).toHaveLength(2);
  });

  test('targets may write templates when asked', () => {
    const { template } = storeStack({ targetAccounts: [NONPROD], targetsCanWriteTemplates: true });
    const statement = bySid(bucketStatements(template, 'StoreTemplatesBucket'), 'ReadWriteTemplatesFromTargetsAccounts');
    expect(statement.Action).toContain('s3:PutObject');
    // writing templates needs the key to encrypt
    expect(bySid(keyStatements(template), 'EncryptWithKeyFromWritersAccounts').Action).toContain('kms:GenerateDataKey*');
  });

  test('outputs are exported under the given prefix', () => {
    const { template } = storeStack({ targetAccounts: [NONPROD], outputExportPrefix: 'cicd-artifacts' });
    const exports = Object.values(template.findOutputs('*')).map((o: any) => o.Export.Name).sort();
    expect(exports).toEqual([
      'cicd-artifacts-ArtifactsBucketArn',
      'cicd-artifacts-ArtifactsBucketName',
      'cicd-artifacts-KeyArn',
      'cicd-artifacts-TemplatesBucketArn',
      'cicd-artifacts-TemplatesBucketName',
    ]);
  });
});

describe('CicdArtifactStore narrowing', () => {
  test('role IDs narrow a target with aws:userId, in bucket and key policies', () => {
    const { template } = storeStack({
      targetAccounts: [
        { ...NONPROD, roleIds: ['AROAAAAAAAAAAAAAAAAAA', 'AROABBBBBBBBBBBBBBBBB'] },
        PROD,
      ],
    });
    const expected = {
      Principal: { AWS: root('222222222222') },
      Condition: { StringLike: { 'aws:userId': ['AROAAAAAAAAAAAAAAAAAA:*', 'AROABBBBBBBBBBBBBBBBB:*'] } },
    };
    expect(bySid(keyStatements(template), 'UseKeyFromTargetsRoleIds')).toMatchObject(expected);
    expect(bySid(bucketStatements(template, 'StoreArtifactsBucket'), 'ReadArtifactsFromTargetsRoleIds')).toMatchObject(expected);
    expect(bySid(bucketStatements(template, 'StoreTemplatesBucket'), 'ReadTemplatesFromTargetsRoleIds')).toMatchObject(expected);
    // prod is not narrowed, and nonprod is not admitted as a whole account
    expect(bySid(keyStatements(template), 'UseKeyFromTargetsAccounts').Principal).toEqual({ AWS: root('777777777777') });
  });

  test('role ARNs narrow a target with aws:PrincipalArn', () => {
    const arn = 'arn:aws:iam::222222222222:role/cicd-cross-account';
    const { template } = storeStack({ targetAccounts: [{ ...NONPROD, roleArns: [arn] }] });
    const expected = { Principal: { AWS: root('222222222222') }, Condition: { ArnEquals: { 'aws:PrincipalArn': [arn] } } };
    expect(bySid(keyStatements(template), 'UseKeyFromTargetsRoleArns')).toMatchObject(expected);
    expect(bySid(bucketStatements(template, 'StoreArtifactsBucket'), 'ReadArtifactsFromTargetsRoleArns')).toMatchObject(expected);
    expect(bySid(keyStatements(template), 'UseKeyFromTargetsAccounts')).toBeUndefined();
  });

  test('a target with role IDs and role ARNs is admitted by either', () => {
    const { template } = storeStack({
      targetAccounts: [{ ...NONPROD, roleIds: ['AROAAAAAAAAAAAAAAAAAA'], roleArns: ['arn:aws:iam::222222222222:role/x'] }],
    });
    const sids = keyStatements(template).map((s) => s.Sid);
    expect(sids).toEqual(['AdministerKeyFromThisAccount', 'UseKeyFromTargetsRoleIds', 'UseKeyFromTargetsRoleArns']);
  });

  test('an organization admits its principals with aws:PrincipalOrgID and paths', () => {
    const { template } = storeStack({
      organizationId: 'o-a1b2c3d4e5',
      organizationPaths: ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*'],
    });
    expect(bySid(keyStatements(template), 'UseKeyFromTargetsOrganization')).toMatchObject({
      Principal: { AWS: '*' },
      Condition: {
        'StringEquals': { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' },
        'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*'] },
      },
    });
    expect(bySid(bucketStatements(template, 'StoreArtifactsBucket'), 'ReadArtifactsFromTargetsOrganization')).toBeDefined();
  });

  test('organization paths alone: the organization ID is taken from the paths, so S3 counts the statements non-public', () => {
    const paths = ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*', 'o-a1b2c3d4e5/r-ab12/ou-ab12-22222222/*'];
    const { template } = storeStack({ organizationPaths: paths });
    const expected = {
      Principal: { AWS: '*' },
      Condition: {
        'StringEquals': { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' },
        'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': paths },
      },
    };
    expect(bySid(keyStatements(template), 'UseKeyFromTargetsOrganization')).toMatchObject(expected);
    expect(bySid(bucketStatements(template, 'StoreArtifactsBucket'), 'ReadArtifactsFromTargetsOrganization')).toMatchObject(expected);
    expect(bySid(bucketStatements(template, 'StoreTemplatesBucket'), 'ReadTemplatesFromTargetsOrganization')).toMatchObject(expected);
  });

  test('organization paths of two organizations are refused: one organization ID must fix the statement', () => {
    const stack = new Stack(new App(), 'Cicd', { env: CICD });
    expect(() => new CicdArtifactStore(stack, 'Store', { organizationPaths: ['o-a1b2c3d4e5/*', 'o-zzzzzzzzzz/r-ab12/*'] }))
      .toThrow(/organizationPaths: got \["o-a1b2c3d4e5\/\*","o-zzzzzzzzzz\/r-ab12\/\*"\]; allowed: paths of one organization \(these name o-a1b2c3d4e5 and o-zzzzzzzzzz\)/);
  });

  test('a public statement added to a bucket of the store fails synth, naming the statement, the bucket and what to give', () => {
    const app = new App();
    const store = new CicdArtifactStore(new Stack(app, 'Cicd', { env: CICD }), 'Store', { targetAccounts: [NONPROD] });
    store.artifactsBucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'EveryoneUnderAPath',
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:GetObject'],
      resources: [store.artifactsBucket.arnForObjects('*')],
      conditions: { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': ['o-a1b2c3d4e5/*'] } },
    }));
    expect(() => app.synth()).toThrow(/The bucket policy of Cicd\/Store\/ArtifactsBucket would be public to S3, which refuses it \(Block Public Access\): statement "EveryoneUnderAPath" is public because it allows Principal "\*" and its conditions \(ForAnyValue:StringLike aws:PrincipalOrgPaths\) are not on S3's list.*Admit other accounts through targetAccounts or organizationId/);
  });

  test('every bucket policy the store writes, in every way of admitting targets, is non-public to S3', () => {
    for (const props of [
      { targetAccounts: [NONPROD, { ...PROD, roleIds: ['AROAAAAAAAAAAAAAAAAAA'], roleArns: ['arn:aws:iam::777777777777:role/x'] }] },
      { organizationId: 'o-a1b2c3d4e5', organizationRoleNames: ['cicd-*'] },
      { organizationPaths: ['o-a1b2c3d4e5/r-ab12/*'], organizationRoleNames: ['cicd-build'] },
    ] as CicdArtifactStoreProps[]) {
      const app = new App();
      new CicdArtifactStore(new Stack(app, 'Cicd', { env: CICD }), 'Store', props);
      expect(() => app.synth()).not.toThrow();
    }
  });

  test('organization mode narrowed to role names', () => {
    const { template } = storeStack({ organizationId: 'o-a1b2c3d4e5', organizationRoleNames: ['cicd-cross-account', 'cicd-*'] });
    const arn = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::*:role/${name}`]] });
    expect(bySid(keyStatements(template), 'UseKeyFromTargetsOrganization').Condition).toEqual({
      StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' },
      ArnLike: { 'aws:PrincipalArn': [arn('cicd-cross-account'), arn('cicd-*')] },
    });
  });

  test('organization mode and listed accounts together', () => {
    const { template } = storeStack({ organizationId: 'o-a1b2c3d4e5', targetAccounts: [NONPROD] });
    expect(keyStatements(template).map((s) => s.Sid)).toEqual(['AdministerKeyFromThisAccount', 'UseKeyFromTargetsAccounts', 'UseKeyFromTargetsOrganization']);
  });
});

describe('CicdArtifactStore single-account mode', () => {
  test('a target in the store\'s own account gets no statement', () => {
    const { template } = storeStack({ targetAccounts: [{ name: 'cicd', accountId: '111111111111' }, PROD] });
    expect(bySid(keyStatements(template), 'UseKeyFromTargetsAccounts').Principal).toEqual({ AWS: root('777777777777') });
  });

  test('only the own account: no cross-account statement at all', () => {
    const { template } = storeStack({ targetAccounts: [{ name: 'cicd', accountId: '111111111111' }] });
    expect(keyStatements(template).map((s) => s.Sid)).toEqual(['AdministerKeyFromThisAccount']);
    const sids = bucketStatements(template, 'StoreArtifactsBucket').map((s) => s.Sid).filter(Boolean);
    expect(sids).toEqual(['DenyUploadsNotEncryptedWithKms', 'DenyUploadsWithAnotherKey', 'DenyUploadsWithTheAwsManagedKey']);
    expect(template.toJSON().Conditions).toBeUndefined();
  });

  test('with an account known only at deploy time, CloudFormation conditions decide', () => {
    const { template } = storeStack({ targetAccounts: [NONPROD, PROD] }, AGNOSTIC);
    const conditions = template.toJSON().Conditions;
    const names = Object.keys(conditions);
    const nonprod = names.find((n) => n.startsWith('StoreNonprodIsOtherAccount'))!;
    const prod = names.find((n) => n.startsWith('StoreProdIsOtherAccount'))!;
    const any = names.find((n) => n.startsWith('StoreAnyOtherAccount'))!;
    expect(conditions[nonprod]).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, '222222222222'] }] });
    expect(conditions[any]).toEqual({ 'Fn::Or': [{ Condition: nonprod }, { Condition: prod }] });
    const statement = keyStatements(template)[1];
    expect(statement['Fn::If'][0]).toEqual(any);
    expect(statement['Fn::If'][2]).toEqual({ Ref: 'AWS::NoValue' });
    expect(statement['Fn::If'][1].Principal.AWS).toEqual([
      { 'Fn::If': [nonprod, root('222222222222'), { Ref: 'AWS::NoValue' }] },
      { 'Fn::If': [prod, root('777777777777'), { Ref: 'AWS::NoValue' }] },
    ]);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: { 'Fn::Join': ['', ['cicd-artifacts-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]] },
    });
  });

  test('more than ten targets with an unresolved account nest Fn::Or', () => {
    const targetAccounts = Array.from({ length: 12 }, (_, i) => ({ name: `t${i}`, accountId: String(300000000000 + i) }));
    const { template } = storeStack({ targetAccounts }, AGNOSTIC);
    const conditions = template.toJSON().Conditions;
    const any = Object.entries<any>(conditions).find(([n]) => n.startsWith('StoreAnyOtherAccount'))![1];
    expect(any['Fn::Or']).toHaveLength(2);
    expect(any['Fn::Or'][0]['Fn::Or']).toHaveLength(10);
    expect(any['Fn::Or'][1]['Fn::Or']).toHaveLength(2);
  });
});

describe('CicdArtifactStore grants', () => {
  test('in the store\'s stack: the key ARN and the bucket ARNs', () => {
    const stack = new Stack(new App(), 'Cicd', { env: CICD });
    const store = new CicdArtifactStore(stack, 'Store', { targetAccounts: [NONPROD] });
    const role = new iam.Role(stack, 'Builder', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    store.grantRead(role);
    const statements = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const doc = (Object.values(statements)[0] as any).Properties.PolicyDocument.Statement;
    expect(doc).toContainEqual(expect.objectContaining({
      Action: ['kms:Decrypt', 'kms:DescribeKey'],
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^StoreKey/), 'Arn'] },
    }));
    expect(JSON.stringify(doc)).not.toContain('s3:PutObject');
  });

  test('from a target account\'s stack: names and the key alias, no cross-stack reference', () => {
    const app = new App();
    const cicd = new Stack(app, 'Cicd', { env: CICD });
    const store = new CicdArtifactStore(cicd, 'Store', { targetAccounts: [NONPROD] });
    const target = new Stack(app, 'Nonprod', { env: { account: '222222222222', region: 'eu-west-1' } });
    const role = new iam.Role(target, 'Deployer', { assumedBy: new iam.AccountPrincipal('111111111111') });
    store.grantReadWrite(role);
    const template = Template.fromStack(target);
    const doc = (Object.values(template.findResources('AWS::IAM::Policy'))[0] as any).Properties.PolicyDocument.Statement;
    expect(doc).toContainEqual({
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:eu-west-1:111111111111:key/*']] },
      Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/cicd/artifacts' } },
    });
    const artifacts = doc.find((s: any) => JSON.stringify(s.Resource).includes('cicd-artifacts-111111111111-eu-west-1'));
    expect(artifacts.Action).toContain('s3:PutObject');
    const templates = doc.find((s: any) => JSON.stringify(s.Resource).includes('cicd-templates-111111111111-eu-west-1'));
    expect(templates.Action).not.toContain('s3:PutObject');
    expect(JSON.stringify(template.toJSON())).not.toContain('Fn::ImportValue');
    app.synth();
  });

  test('from another stack, an env-agnostic store cannot grant', () => {
    const app = new App();
    const store = new CicdArtifactStore(new Stack(app, 'Cicd'), 'Store', { targetAccounts: [NONPROD] });
    const target = new Stack(app, 'Nonprod', { env: { account: '222222222222', region: 'eu-west-1' } });
    const role = new iam.Role(target, 'Deployer', { assumedBy: new iam.AccountPrincipal('111111111111') });
    expect(() => store.grantRead(role)).toThrow(/has no literal account and region.*fromArtifactStoreAttributes/);
  });

  test('an imported store grants on the given key and buckets', () => {
    const stack = new Stack(new App(), 'Nonprod', { env: { account: '222222222222', region: 'eu-west-1' } });
    const keyArn = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const store = CicdArtifactStore.fromArtifactStoreAttributes(stack, 'Store', {
      keyArn,
      artifactsBucketName: 'cicd-artifacts-111111111111-eu-west-1',
      templatesBucketName: 'cicd-templates-111111111111-eu-west-1',
    });
    expect(store.encryptionKey.keyArn).toBe(keyArn);
    expect(store.artifactsBucket.bucketName).toBe('cicd-artifacts-111111111111-eu-west-1');
    const role = new iam.Role(stack, 'Builder', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    store.grantReadWrite(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Resource: keyArn })]) },
    });
  });

  test('a store named by its CICD account and region: no value copied, the key by alias', () => {
    const stack = new Stack(new App(), 'Target'); // env-agnostic, as in a StackSet
    const store = CicdArtifactStore.fromCicdAccount(stack, 'Store', { account: '111111111111', region: 'eu-west-1', templatesBucketPrefix: 'acme-cfn' });
    expect(store.artifactsBucket.bucketName).toBe('cicd-artifacts-111111111111-eu-west-1');
    expect(store.templatesBucket.bucketName).toBe('acme-cfn-111111111111-eu-west-1');
    // Known by alias only: the key's ARN is not handed out (it would be the alias ARN, which works nowhere else).
    expect(() => stack.resolve(store.encryptionKey.keyArn)).toThrow(/known only by its alias \(alias\/cicd\/artifacts in 111111111111, eu-west-1\).*Pass keyArn/);
    const role = new iam.Role(stack, 'Builder', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    store.grantRead(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:DescribeKey'],
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:eu-west-1:111111111111:key/*']] },
          Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/cicd/artifacts' } },
        }]),
      },
    });
  });

  test('the CICD account location is validated', () => {
    const stack = new Stack(new App(), 'Target');
    expect(() => CicdArtifactStore.fromCicdAccount(stack, 'Store', { account: '1111', region: 'Ireland', keyAlias: 'cicd', artifactsBucketPrefix: 'A' }))
      .toThrow(/account: got "1111"[\s\S]*region: got "Ireland"[\s\S]*artifactsBucketPrefix: got "A"[\s\S]*keyAlias: got "cicd"/);
  });

  test('imported attributes are validated', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => CicdArtifactStore.fromArtifactStoreAttributes(stack, 'Store', {
      keyArn: 'alias/cicd/artifacts',
      artifactsBucketName: 'Bad.Name',
      templatesBucketName: 'ok-name',
    })).toThrow(/keyArn: got "alias\/cicd\/artifacts"[\s\S]*artifactsBucketName: got "Bad.Name"/);
  });
});

describe('CicdArtifactStore policy size guard', () => {
  const many = (n: number, extra: (i: number) => Partial<TargetAccount> = () => ({})) => Array.from({ length: n }, (_, i) => ({
    name: `t${i}`, accountId: String(200000000000 + i), ...extra(i),
  }));

  const synth = (props: CicdArtifactStoreProps) => () => {
    const app = new App();
    new CicdArtifactStore(new Stack(app, 'Cicd', { env: CICD }), 'Store', props);
    app.synth();
  };

  const roleIds = (i: number) => ({ roleIds: [0, 1, 2].map((k) => `AROA${String(i * 10 + k).padStart(17, '0')}`) });
  const roleArns = (i: number) => ({
    roleArns: ['cross-account', 'cloudformation', 'build'].map((r) => `arn:aws:iam::${String(200000000000 + i)}:role/cicd-${r}`),
  });

  // The largest number of target accounts in each mode, found by search: it synthesizes under
  // every quota, and one more fails naming the quota. The floors are the README's promises, so
  // a policy that grows faster per account fails here.
  const QUOTA_ERROR = /The (bucket|key) policy of Cicd\/Store\/\w+ is \d+ bytes \(whitespace removed\), over \d+ bytes, 90% of the AWS quota of (20480|32768) bytes/;
  test.each([
    ['accounts', 489, () => ({})],
    ['role IDs, 3 per account', 145, roleIds],
    ['role ARNs, 3 per account', 88, roleArns],
  ] as Array<[string, number, (i: number) => Partial<TargetAccount>]>)('%s: the largest N (at least %d) fits, N + 1 fails naming the quota', (_, floor, extra) => {
    const n = largestN((k) => succeeds(synth({ targetAccounts: many(k, extra) }), QUOTA_ERROR));
    expect(n).toBeGreaterThanOrEqual(floor);
    expect(synth({ targetAccounts: many(n, extra) })).not.toThrow();
    expect(synth({ targetAccounts: many(n + 1, extra) })).toThrow(QUOTA_ERROR);
  });

  test('organization mode fits any number of accounts: its policies do not grow', () => {
    expect(synth({ organizationId: 'o-a1b2c3d4e5', organizationRoleNames: ['cicd-cross-account', 'cicd-build'] })).not.toThrow();
  });

  test('a bucket policy over 90% of its quota fails synth with its size, and says what would fit', () => {
    expect(synth({ targetAccounts: many(600) }))
      .toThrow(/The bucket policy of Cicd\/Store\/ArtifactsBucket is \d+ bytes .*over 18432 bytes, 90% of the AWS quota of 20480 bytes\. Organization mode \(organizationId/);
  });

  test('when whole accounts would fit, the message says so', () => {
    expect(synth({ targetAccounts: many(200, roleIds) }))
      .toThrow(/The 200 accounts would fit as whole accounts: without roleIds and roleArns the policy would be about \d+ bytes/);
    expect(synth({ targetAccounts: many(600, roleIds) })).toThrow(/Even without roleIds and roleArns \(about \d+ bytes\), 600 accounts do not fit/);
  });
});

describe('CicdArtifactStore validation', () => {
  const expectError = (props: CicdArtifactStoreProps, pattern: RegExp, env: { account?: string; region?: string } = CICD) => {
    const stack = new Stack(new App(), 'Cicd', { env });
    expect(() => new CicdArtifactStore(stack, 'Store', props)).toThrow(pattern);
    // nothing is half-created
    expect(stack.node.tryFindChild('Store')).toBeUndefined();
  };

  test.each([
    ['short account', { targetAccounts: [{ name: 'a', accountId: '12345' }] }, /targetAccounts\[0\]\.accountId: got "12345"; allowed: a 12-digit/],
    ['account as a number', { targetAccounts: [{ name: 'a', accountId: 222222222222 as unknown as string }] }, /accountId: got 222222222222; allowed: a 12-digit AWS account ID as a string/],
    ['bad name', { targetAccounts: [{ name: 'non prod', accountId: '222222222222' }] }, /targetAccounts\[0\]\.name: got "non prod"/],
    ['duplicate account', { targetAccounts: [NONPROD, { name: 'other', accountId: '222222222222' }] }, /targetAccounts\[1\]\.accountId: got "222222222222"; allowed: an account listed once/],
    ['duplicate name', { targetAccounts: [NONPROD, { name: 'NonProd', accountId: '333333333333' }] }, /targetAccounts\[1\]\.name: got "NonProd"; allowed: a name used by no other target/],
    ['user ID as role ID', { targetAccounts: [{ ...NONPROD, roleIds: ['AIDAAAAAAAAAAAAAAAAAA'] }] }, /roleIds\[0\]: got "AIDAAAAAAAAAAAAAAAAAA"; allowed: an IAM role unique ID/],
    ['empty role IDs', { targetAccounts: [{ ...NONPROD, roleIds: [] }] }, /roleIds: got \[\]; allowed: at least one/],
    ['role ARN of another account', { targetAccounts: [{ ...NONPROD, roleArns: ['arn:aws:iam::333333333333:role/x'] }] }, /roleArns\[0\]: got "arn:aws:iam::333333333333:role\/x"; allowed: a role of the target's own account 222222222222/],
    ['user ARN as role ARN', { targetAccounts: [{ ...NONPROD, roleArns: ['arn:aws:iam::222222222222:user/x'] }] }, /roleArns\[0\]: got "arn:aws:iam::222222222222:user\/x"; allowed: a literal IAM role ARN/],
    ['organization ID', { organizationId: 'o-short' }, /organizationId: got "o-short"/],
    ['writer role of another account', { targetAccounts: [{ ...NONPROD, artifactWriterRoleArns: ['arn:aws:iam::333333333333:role/x'] }] },
      /targetAccounts\[0\]\.artifactWriterRoleArns\[0\]: got "arn:aws:iam::333333333333:role\/x"; allowed: a literal ARN of a role of the target's own account/],
    ['empty writer roles', { targetAccounts: [{ ...NONPROD, artifactWriterRoleArns: [] }] }, /targetAccounts\[0\]\.artifactWriterRoleArns: got \[\]; allowed: at least one role ARN/],
    ['organization writers without an organization', { targetAccounts: [NONPROD], organizationCanWriteArtifacts: true }, /organizationCanWriteArtifacts: got true; allowed: only with organizationId or organizationPaths/],
    ['role names without an organization', { targetAccounts: [NONPROD], organizationRoleNames: ['cicd-build'] }, /organizationRoleNames: got \["cicd-build"\]; allowed: only with organizationId or organizationPaths/],
    ['organization role name', { organizationId: 'o-a1b2c3d4e5', organizationRoleNames: ['role/x'] }, /organizationRoleNames\[0\]: got "role\/x"/],
    ['organization path', { organizationPaths: ['r-ab12/ou-ab12-11111111/'] }, /organizationPaths\[0\]: got "r-ab12\/ou-ab12-11111111\/"/],
    ['path of another organization', { organizationId: 'o-a1b2c3d4e5', organizationPaths: ['o-zzzzzzzzzz/*'] }, /organizationPaths\[0\]: got "o-zzzzzzzzzz\/\*"; allowed: a path in the organization o-a1b2c3d4e5/],
    ['prefix with dots', { targetAccounts: [NONPROD], artifactsBucketPrefix: 'my.artifacts' }, /artifactsBucketPrefix: got "my.artifacts"; allowed: lower-case letters/],
    ['prefix upper case', { targetAccounts: [NONPROD], templatesBucketPrefix: 'Templates' }, /templatesBucketPrefix: got "Templates"/],
    ['prefix reserved', { targetAccounts: [NONPROD], artifactsBucketPrefix: 'xn--abc' }, /artifactsBucketPrefix: got "xn--abc"; allowed: a prefix not starting with "xn--"/],
    ['prefix too long', { targetAccounts: [NONPROD], artifactsBucketPrefix: 'a'.repeat(41) }, /artifactsBucketPrefix: got "a{41}"; allowed: at most 40 characters, so that PREFIX-ACCOUNT-REGION stays within the 63 characters of a bucket name \(it would be 64\)/],
    ['same prefixes', { targetAccounts: [NONPROD], artifactsBucketPrefix: 'same', templatesBucketPrefix: 'same' }, /templatesBucketPrefix: got "same"; allowed: a prefix other than artifactsBucketPrefix/],
    ['key alias', { targetAccounts: [NONPROD], keyAlias: 'cicd/artifacts' }, /keyAlias: got "cicd\/artifacts"; allowed: "alias\/"/],
    ['aws key alias', { targetAccounts: [NONPROD], keyAlias: 'alias/aws/s3' }, /keyAlias: got "alias\/aws\/s3"/],
    ['retention', { targetAccounts: [NONPROD], noncurrentVersionRetention: Duration.hours(5) }, /noncurrentVersionRetention: got "Duration.hours\(5\)"; allowed: a whole number of days/],
    ['export prefix', { targetAccounts: [NONPROD], outputExportPrefix: 'cicd_artifacts' }, /outputExportPrefix: got "cicd_artifacts"/],
  ] as Array<[string, CicdArtifactStoreProps, RegExp]>)('%s', (_, props, pattern) => {
    expectError(props, pattern);
  });

  test('a token where a literal account ID is needed', () => {
    const stack = new Stack(new App(), 'Cicd');
    expect(() => new CicdArtifactStore(stack, 'Store', { targetAccounts: [{ name: 'a', accountId: stack.account }] }))
      .toThrow(/targetAccounts\[0\]\.accountId: got an unresolved token .*allowed: a literal account ID/);
  });

  test('prefix length is checked against the longest region when the region is unknown', () => {
    expectError({ targetAccounts: [NONPROD], artifactsBucketPrefix: 'a'.repeat(36) }, /at most 35 characters/, AGNOSTIC);
  });

  test('several problems are reported together', () => {
    expectError(
      { targetAccounts: [{ name: '1st', accountId: '1' }], keyAlias: 'x' },
      /invalid props:\n {2}- targetAccounts\[0\]\.name[^\n]*\n {2}- targetAccounts\[0\]\.accountId[^\n]*\n {2}- keyAlias/,
    );
  });

  test('a store shared with nobody warns', () => {
    const { stack } = storeStack({});
    Annotations.fromStack(stack).hasWarning('/Cicd/Store', Match.stringLikeRegexp('neither targetAccounts nor organizationId'));
  });
});

describe('CicdArtifactStore.applyRemovalPolicy', () => {
  const deletionPolicies = (template: Template) => Object.fromEntries(Object.entries<any>(template.toJSON().Resources)
    .map(([id, r]) => [`${r.Type} ${id.replace(/[0-9A-F]{8}$/, '')}`, [r.DeletionPolicy, r.UpdateReplacePolicy]]));

  test('applies to the key and every bucket the store created, as the removalPolicy prop does', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Cicd', { env: CICD });
    const store = new CicdArtifactStore(stack, 'Store', { targetAccounts: [NONPROD] });
    // WHEN
    store.applyRemovalPolicy(RemovalPolicy.DESTROY);
    // THEN
    const policies = deletionPolicies(Template.fromStack(stack));
    const byProp = storeStack({ targetAccounts: [NONPROD], removalPolicy: RemovalPolicy.DESTROY }).stack;
    expect(policies).toEqual(deletionPolicies(Template.fromStack(byProp)));
    const stateful = Object.entries(policies).filter(([k]) => /^AWS::(KMS::Key|S3::Bucket) /.test(k));
    expect(stateful.map(([k]) => k.split(' ')[0]).sort()).toEqual(['AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::S3::Bucket', 'AWS::S3::Bucket']);
    for (const [, p] of stateful) expect(p).toEqual(['Delete', 'Delete']);
  });

  test('leaves a given access-logs bucket alone', () => {
    // GIVEN: the access-logs bucket is the stack's, beside the store
    const stack = new Stack(new App(), 'Cicd', { env: CICD });
    new s3.Bucket(stack, 'Logs', { bucketName: 'given-logs', removalPolicy: RemovalPolicy.RETAIN });
    const logs = s3.Bucket.fromBucketName(stack, 'GivenLogs', 'given-logs');
    const store = new CicdArtifactStore(stack, 'Store', { targetAccounts: [NONPROD], serverAccessLogsBucket: logs });
    // WHEN
    store.applyRemovalPolicy(RemovalPolicy.DESTROY);
    // THEN
    const template = Template.fromStack(stack);
    template.hasResource('AWS::S3::Bucket', { Properties: { BucketName: 'given-logs' }, DeletionPolicy: 'Retain' });
    template.resourcePropertiesCountIs('AWS::S3::Bucket', { BucketName: Match.stringLikeRegexp('^cicd-') }, 2);
    expect(Object.values(template.findResources('AWS::S3::Bucket', { DeletionPolicy: 'Delete' })).length).toBe(2);
  });

  test('on an imported store, warns and changes nothing', () => {
    const stack = new Stack(new App(), 'Stack', { env: CICD });
    const imported = CicdArtifactStore.fromArtifactStoreAttributes(stack, 'Imported', {
      keyArn: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      artifactsBucketName: 'cicd-artifacts-111111111111-eu-west-1',
      templatesBucketName: 'cicd-templates-111111111111-eu-west-1',
    });
    (imported as unknown as Resource).applyRemovalPolicy(RemovalPolicy.DESTROY);
    Annotations.fromStack(stack).hasWarning('/Stack/Imported', Match.stringLikeRegexp('applyRemovalPolicy\\(destroy\\) on an imported artifact store changes nothing'));
  });
});
