/**
 * S3's public-policy rule (S3 User Guide, "The meaning of public"), applied by the store at synth:
 * statements S3 counts as public and as non-public.
 */
import { isFixedValue, publicStatements } from '../src/private/public-policy';

const allow = (extra: Record<string, unknown>) => ({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*', ...extra });
const policy = (...statements: unknown[]) => ({ Version: '2012-10-17', Statement: statements });
const isPublic = (statement: unknown) => publicStatements(policy(statement)).length > 0;

describe('S3 public-policy rule', () => {
  test.each([
    ['Principal "*" without condition', allow({ Principal: '*' })],
    ['Principal {AWS: "*"} without condition', allow({ Principal: { AWS: '*' } })],
    ['"*" among other principals', allow({ Principal: { AWS: ['arn:aws:iam::222222222222:root', '*'] } })],
    ['organization paths only (not on S3\'s list)', allow({ Principal: { AWS: '*' }, Condition: { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': ['o-a1b2c3d4e5/r-ab12/*'] } } })],
    ['organization paths without a wildcard (the key itself is not on the list)', allow({ Principal: { AWS: '*' }, Condition: { 'ForAnyValue:StringEquals': { 'aws:PrincipalOrgPaths': ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/'] } } })],
    ['role names with a wildcard account (aws:PrincipalArn is not on the list)', allow({ Principal: { AWS: '*' }, Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/cicd-build' } } })],
    ['organization ID with a wildcard', allow({ Principal: { AWS: '*' }, Condition: { StringLike: { 'aws:PrincipalOrgID': 'o-*' } } })],
    ['source account with a policy variable', allow({ Principal: { AWS: '*' }, Condition: { StringEquals: { 'aws:SourceAccount': '${aws:PrincipalAccount}' } } })],
    ['source account, negated', allow({ Principal: { AWS: '*' }, Condition: { StringNotEquals: { 'aws:SourceAccount': '222222222222' } } })],
    ['source account, IfExists (absent key passes)', allow({ Principal: { AWS: '*' }, Condition: { StringEqualsIfExists: { 'aws:SourceAccount': '222222222222' } } })],
    ['organization ID under ForAllValues (absent key passes)', allow({ Principal: { AWS: '*' }, Condition: { 'ForAllValues:StringEquals': { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } })],
    ['every IPv4 address', allow({ Principal: '*', Condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } } })],
    ['TLS only (aws:SecureTransport is not on the list)', allow({ Principal: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } })],
    ['NotPrincipal with Allow', allow({ NotPrincipal: { AWS: 'arn:aws:iam::222222222222:root' } })],
    ['kept by a CloudFormation condition', { 'Fn::If': ['C', allow({ Principal: { AWS: '*' } }), { Ref: 'AWS::NoValue' }] }],
  ])('public: %s', (_, statement) => {
    expect(isPublic(statement)).toBe(true);
  });

  test.each([
    ['a fixed account principal', allow({ Principal: { AWS: 'arn:aws:iam::222222222222:root' } })],
    ['a service principal', allow({ Principal: { Service: 'logging.s3.amazonaws.com' } })],
    ['organization ID', allow({ Principal: { AWS: '*' }, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } })],
    ['organization ID and paths with wildcards (the ID fixes it)', allow({
      Principal: { AWS: '*' },
      Condition: { 'StringEquals': { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' }, 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': ['o-a1b2c3d4e5/*'] } },
    })],
    ['source account', allow({ Principal: '*', Condition: { StringEquals: { 'aws:SourceAccount': '222222222222' } } })],
    ['source ARN from a CloudFormation function', allow({ Principal: '*', Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['Bucket', 'Arn'] } } } })],
    ['source VPC endpoint, key written in another case', allow({ Principal: '*', Condition: { StringEquals: { 'AWS:SOURCEVPCE': 'vpce-1a2b3c4d' } } })],
    ['a CIDR', allow({ Principal: '*', Condition: { IpAddress: { 'aws:SourceIp': '192.0.2.0/24' } } })],
    ['the KMS key-ID header', allow({ Principal: '*', Condition: { StringEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:eu-west-1:111111111111:key/k' } } })],
    ['a role-ID pattern AROLEID:*', allow({ Principal: '*', Condition: { StringLike: { 'aws:userId': 'AROAAAAAAAAAAAAAAAAAA:*' } } })],
    ['a deny to everyone', { Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
  ])('not public: %s', (_, statement) => {
    expect(isPublic(statement)).toBe(false);
  });

  test('names each public statement by Sid and position, with the reason', () => {
    const found = publicStatements(policy(
      allow({ Sid: 'Fine', Principal: { AWS: 'arn:aws:iam::222222222222:root' } }),
      allow({ Sid: 'Open', Principal: '*' }),
      allow({ Principal: '*', Condition: { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': ['o-a1b2c3d4e5/*'] } } }),
    ));
    expect(found).toEqual([
      { index: 1, sid: 'Open', reason: 'it allows Principal "*" and it has no condition' },
      { index: 2, sid: undefined, reason: 'it allows Principal "*" and its conditions (ForAnyValue:StringLike aws:PrincipalOrgPaths) are not on S3\'s list or not fixed values' },
    ]);
  });

  test('a fixed value has no wildcard and no policy variable, in strings or CloudFormation functions', () => {
    expect(isFixedValue('o-a1b2c3d4e5')).toBe(true);
    expect(isFixedValue({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::b']] })).toBe(true);
    expect(isFixedValue({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:root']] })).toBe(false);
    expect(isFixedValue('22222222222?')).toBe(false);
    expect(isFixedValue('${aws:username}')).toBe(false);
  });
});
