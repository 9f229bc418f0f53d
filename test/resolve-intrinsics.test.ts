/**
 * The intrinsic evaluator the policy-engine tests and the deploy command's read-back share
 * (`scripts/resolve.ts`, through `test/util/resolve-intrinsics.ts`): what it cannot resolve
 * fails the test that meets it, never turns into a placeholder.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { deployedValuesOf, resolveIntrinsics, Unresolvable } from './util/resolve-intrinsics';

const DEPLOYED = { account: '222222222222', region: 'eu-west-1', refs: { Bucket: 'b1' }, attributes: { 'Role.Arn': 'arn:aws:iam::222222222222:role/r' } };

describe('resolveIntrinsics', () => {
  test('resolves pseudo parameters, known references and the functions CDK emits', () => {
    expect(resolveIntrinsics({
      a: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { Ref: 'Bucket' }, '/*']] },
      b: { 'Fn::GetAtt': ['Role', 'Arn'] },
      c: { 'Fn::Sub': '${AWS::AccountId}-${Bucket}-${Role.Arn}' },
      d: { 'Fn::Select': [1, { 'Fn::Split': [':', { 'Fn::GetAtt': ['Role', 'Arn'] }] }] },
    }, DEPLOYED)).toEqual({
      a: 'arn:aws:s3:::b1/*',
      b: 'arn:aws:iam::222222222222:role/r',
      c: '222222222222-b1-arn:aws:iam::222222222222:role/r',
      d: 'aws',
    });
  });

  test.each([
    ['a Ref to a resource with no deployed value', { Ref: 'Unknown' }, /^Ref Unknown$/],
    ['a Fn::GetAtt with no deployed value', { 'Fn::GetAtt': ['Role', 'RoleId'] }, /^Fn::GetAtt Role\.RoleId$/],
    ['a Fn::Sub variable with no deployed value', { 'Fn::Sub': 'x-${Unknown}' }, /^Ref Unknown$/],
    ['an import', { 'Fn::ImportValue': 'cicd-key-arn' }, /^Fn::ImportValue cicd-key-arn$/],
    ['a function it does not know', { 'Fn::Cidr': ['10.0.0.0/16', 2, 8] }, /^Fn::Cidr$/],
  ])('%s throws, naming it', (_, value, message) => {
    expect(() => resolveIntrinsics({ Statement: [{ Resource: value }] }, DEPLOYED)).toThrow(Unresolvable);
    expect(() => resolveIntrinsics({ Statement: [{ Resource: value }] }, DEPLOYED)).toThrow(message);
  });

  test('deployedValuesOf names unnamed buckets as CloudFormation does, so their references resolve to a bucket name', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '222222222222', region: 'eu-west-1' } });
    const bucket = new s3.Bucket(stack, 'Logs');
    new s3.Bucket(stack, 'Named', { bucketName: 'named-bucket', serverAccessLogsBucket: bucket });
    const template = Template.fromStack(stack).toJSON();
    const resolved = resolveIntrinsics<any>(template.Resources, deployedValuesOf(template, { account: '222222222222', region: 'eu-west-1' }));
    const named = Object.values<any>(resolved).find((r) => r.Properties?.BucketName === 'named-bucket');
    expect(named.Properties.LoggingConfiguration.DestinationBucketName).toMatch(/^teststack-logs[0-9a-f]{8}-[0-9a-f]{12}$/);
  });
});
