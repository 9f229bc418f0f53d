import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CrossReadOnlyRole, CrossReadOnlyRoleProps } from '../src';
import { DENIED_DATA_READS, DISCOVERY_ACTIONS } from '../src/private/read-only-actions';
import { actionMatches } from '../src/private/validation';

const CICD = '111111111111';
const NONPROD = '222222222222';

function stackWith(props: Partial<CrossReadOnlyRoleProps> = {}): { stack: Stack; role: CrossReadOnlyRole } {
  const app = new App();
  const stack = new Stack(app, 'NonProd', { env: { account: NONPROD, region: 'eu-west-1' } });
  const role = new CrossReadOnlyRole(stack, 'ReadOnly', { trustedAccountIds: [CICD], ...props });
  return { stack, role };
}

function build(props: Partial<CrossReadOnlyRoleProps>): () => void {
  return () => stackWith(props);
}

function accountRoot(account: string) {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:root`]] };
}

describe('CrossReadOnlyRole', () => {
  test('defaults: named role trusted by the account over TLS, ViewOnlyAccess, discovery allowed, data reads denied', () => {
    // GIVEN / WHEN
    const { stack, role } = stackWith();

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'cicd-read-only',
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { AWS: accountRoot(CICD) },
          Condition: { Bool: { 'aws:SecureTransport': 'true' } },
        }],
      },
      ManagedPolicyArns: [
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/job-function/ViewOnlyAccess']] },
      ],
      Policies: [
        {
          PolicyName: 'DenyDataReads',
          PolicyDocument: {
            Statement: [{
              Sid: 'DenyDataReads',
              Effect: 'Deny',
              Action: DENIED_DATA_READS.filter((d) => !d.resources).map((d) => d.action),
              Resource: '*',
            }, {
              Sid: 'DenyDataReadsOnResources1',
              Effect: 'Deny',
              Action: 'apigateway:GET',
              Resource: Match.arrayWith([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':apigateway:*::/apikeys']] }]),
            }],
          },
        },
        {
          PolicyName: 'Discovery',
          PolicyDocument: {
            Statement: [{ Sid: 'DiscoverResources', Effect: 'Allow', Action: DISCOVERY_ACTIONS, Resource: '*' }],
          },
        },
      ],
    });
    template.hasResourceProperties('AWS::IAM::Role', { PermissionsBoundary: Match.absent() });
    expect(stack.resolve(role.roleName)).toEqual({ Ref: 'ReadOnlyRole9ED5F812' });
    expect(stack.resolve(role.roleId)).toEqual({ 'Fn::GetAtt': ['ReadOnlyRole9ED5F812', 'RoleId'] });
    expect(stack.resolve(role.roleArn)).toEqual({ 'Fn::GetAtt': ['ReadOnlyRole9ED5F812', 'Arn'] });
    expect(role.role.roleArn).toBe(role.roleArn);
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('outputs the role name, ARN and unique ID', () => {
    const { stack } = stackWith();
    const template = Template.fromStack(stack);
    template.hasOutput('ReadOnlyRoleName5C386FBB', { Value: { Ref: 'ReadOnlyRole9ED5F812' } });
    template.hasOutput('ReadOnlyRoleArnDB4462D2', { Value: { 'Fn::GetAtt': ['ReadOnlyRole9ED5F812', 'Arn'] } });
    template.hasOutput('ReadOnlyRoleId123452BF', { Value: { 'Fn::GetAtt': ['ReadOnlyRole9ED5F812', 'RoleId'] } });
  });

  test('the tagging API and resource groups are allowed; no discovery action is one the deny covers', () => {
    for (const action of ['tag:GetResources', 'tag:GetTagKeys', 'tag:GetTagValues', 'resource-groups:ListGroups', 'resource-groups:SearchResources']) {
      expect(DISCOVERY_ACTIONS).toContain(action);
    }
    for (const action of DISCOVERY_ACTIONS) {
      expect(DENIED_DATA_READS.filter((d) => actionMatches(d.action, action))).toEqual([]);
    }
  });

  test('the deny list covers every kind of data read the role promises not to do', () => {
    const denied = DENIED_DATA_READS.map((d) => d.action);
    const required = [
      's3:GetObject', 'secretsmanager:GetSecretValue', 'ssm:GetParameter', 'ssm:GetParametersByPath', 'kms:Decrypt',
      'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 'logs:GetLogEvents', 'logs:FilterLogEvents', 'logs:StartQuery',
      'lambda:GetFunction', 'ec2:GetConsoleOutput', 'ec2:GetConsoleScreenshot', 'ec2:GetPasswordData', 'codecommit:GetFile',
      'ecr:GetDownloadUrlForLayer', 'athena:GetQueryResults', 'sqs:ReceiveMessage',
    ];
    for (const action of required) {
      expect(denied.some((d) => actionMatches(d, action))).toBe(true);
    }
    expect(new Set(denied).size).toBe(denied.length);
  });

  test('the README\'s table of denied actions and the deny list are the same, both ways', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const section = doc.slice(doc.indexOf('### What the role cannot do'), doc.indexOf('### What it still sees'));
    // | `action` | reason | whether ReadOnlyAccess allows it |
    const rows = [...section.matchAll(/^\| `([^`]+)` \| (.+) \|[^|]*\|$/gm)].map((m) => `${m[1]} | ${m[2]}`);
    expect(rows.length).toBeGreaterThan(0);
    expect([...rows].sort()).toEqual(DENIED_DATA_READS.map((d) => `${d.action} | ${d.reason}`).sort());
  });

  test('several trusted accounts share one statement', () => {
    const { stack } = stackWith({ trustedAccountIds: [CICD, '333333333333'] });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { AWS: [accountRoot(CICD), accountRoot('333333333333')] },
          Condition: { Bool: { 'aws:SecureTransport': 'true' } },
        }],
      },
    });
  });

  test('trustedPrincipalArns narrows the trust with aws:PrincipalArn', () => {
    const arns = [`arn:aws:iam::${CICD}:role/cicd-pipeline`, `arn:aws:iam::${CICD}:role/cicd-lookup-*`];
    const { stack } = stackWith({ trustedPrincipalArns: arns });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { AWS: accountRoot(CICD) },
          Condition: {
            Bool: { 'aws:SecureTransport': 'true' },
            ArnLike: { 'aws:PrincipalArn': arns },
          },
        }],
      },
    });
  });

  test('roleName, permissionsBoundary and maxSessionDuration', () => {
    // GIVEN
    const app = new App();
    const stack = new Stack(app, 'NonProd', { env: { account: NONPROD, region: 'eu-west-1' } });
    const boundary = iam.ManagedPolicy.fromManagedPolicyName(stack, 'Boundary', 'cicd-boundary');

    // WHEN
    new CrossReadOnlyRole(stack, 'ReadOnly', {
      trustedAccountIds: [CICD],
      roleName: 'discovery',
      permissionsBoundary: boundary,
      maxSessionDuration: Duration.hours(4),
    });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'discovery',
      MaxSessionDuration: 14400,
      PermissionsBoundary: {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${NONPROD}:policy/cicd-boundary`]],
      },
    });
  });

  test('additionalReadActions are allowed in their own statement', () => {
    const { stack } = stackWith({ additionalReadActions: ['lambda:GetFunctionConfiguration', 'ssm:Describe*'] });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      Policies: Match.arrayWith([{
        PolicyName: 'Discovery',
        PolicyDocument: Match.objectLike({
          Statement: [
            Match.objectLike({ Sid: 'DiscoverResources' }),
            { Sid: 'AdditionalReadActions', Effect: 'Allow', Action: ['lambda:GetFunctionConfiguration', 'ssm:Describe*'], Resource: '*' },
          ],
        }),
      }]),
    });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('an additional wildcard that also matches data reads warns that the deny still wins', () => {
    const { stack } = stackWith({ additionalReadActions: ['s3:Get*'] });
    Annotations.fromStack(stack).hasWarning('/NonProd/ReadOnly',
      Match.stringLikeRegexp('additionalReadActions \\["s3:Get\\*"\\] also match actions that read data'));
  });

  test('a trusted account that is the stack\'s own account works (single-account mode)', () => {
    const { stack } = stackWith({ trustedAccountIds: [NONPROD] });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { AWS: accountRoot(NONPROD) } })] },
    });
  });

  describe('validation', () => {
    test('trustedAccountIds must not be empty', () => {
      expect(build({ trustedAccountIds: [] })).toThrow(/trustedAccountIds: got \[\]; allowed: at least one 12-digit account ID/);
    });

    test('trustedAccountIds must be 12-digit strings', () => {
      expect(build({ trustedAccountIds: ['11111111111'] })).toThrow(/trustedAccountIds\[0\]: got "11111111111"; allowed: a 12-digit AWS account ID/);
      expect(build({ trustedAccountIds: [111111111111 as unknown as string] })).toThrow(/trustedAccountIds\[0\]: got 111111111111; allowed: a 12-digit/);
    });

    test('trustedAccountIds must not repeat', () => {
      expect(build({ trustedAccountIds: [CICD, CICD] })).toThrow(/trustedAccountIds\[1\]: got "111111111111"; allowed: an account listed once/);
    });

    test('trustedPrincipalArns must not be empty', () => {
      expect(build({ trustedPrincipalArns: [] })).toThrow(/trustedPrincipalArns: got \[\]; allowed: at least one principal ARN/);
    });

    test('trustedPrincipalArns must be role or user ARNs', () => {
      expect(build({ trustedPrincipalArns: ['cicd-pipeline'] })).toThrow(/trustedPrincipalArns\[0\]: got "cicd-pipeline"; allowed: an IAM role or user ARN/);
      expect(build({ trustedPrincipalArns: [`arn:aws:iam::${CICD}:root`] })).toThrow(/trustedPrincipalArns\[0\]: got ".*:root"; allowed: an IAM role or user ARN/);
      expect(build({ trustedPrincipalArns: [`arn:aws:sts::${CICD}:assumed-role/pipeline/session`] }))
        .toThrow(/trustedPrincipalArns\[0\]: got ".*assumed-role\/pipeline\/session"; allowed: an IAM role or user ARN/);
    });

    test('trustedPrincipalArns must be in a trusted account', () => {
      expect(build({ trustedPrincipalArns: ['arn:aws:iam::999999999999:role/x'] }))
        .toThrow(/trustedPrincipalArns\[0\]: got "arn:aws:iam::999999999999:role\/x"; allowed: a principal of one of the trustedAccountIds \["111111111111"\]/);
    });

    test('trustedPrincipalArns must not repeat', () => {
      const arn = `arn:aws:iam::${CICD}:role/x`;
      expect(build({ trustedPrincipalArns: [arn, arn] })).toThrow(/trustedPrincipalArns\[1\]: got ".*role\/x"; allowed: an ARN listed once/);
    });

    test('every trusted account needs a principal when trustedPrincipalArns is given', () => {
      expect(build({ trustedAccountIds: [CICD, '333333333333'], trustedPrincipalArns: [`arn:aws:iam::${CICD}:role/x`] }))
        .toThrow(/trustedAccountIds\[1\]: got "333333333333"; allowed: an account with at least one principal in trustedPrincipalArns/);
    });

    test('roleName must be an IAM role name', () => {
      expect(build({ roleName: 'x'.repeat(65) })).toThrow(/roleName: got "x{65}"; allowed: 1 to 64 letters/);
      expect(build({ roleName: 'read only' })).toThrow(/roleName: got "read only"; allowed: 1 to 64 letters/);
    });

    test('additionalReadActions must be read actions', () => {
      expect(build({ additionalReadActions: ['s3:PutObject'] })).toThrow(/additionalReadActions\[0\]: got "s3:PutObject"; allowed: a read action/);
      expect(build({ additionalReadActions: ['s3:*'] })).toThrow(/additionalReadActions\[0\]: got "s3:\*"; allowed: a read action/);
      expect(build({ additionalReadActions: ['*'] })).toThrow(/additionalReadActions\[0\]: got "\*"; allowed: a read action/);
      expect(build({ additionalReadActions: ['GetObject'] })).toThrow(/additionalReadActions\[0\]: got "GetObject"; allowed: a read action/);
    });

    test('additionalReadActions that the deny covers are rejected', () => {
      expect(build({ additionalReadActions: ['s3:GetObject'] }))
        .toThrow(/additionalReadActions\[0\]: got "s3:GetObject"; allowed: an action the role's deny on data reads does not cover; s3:GetObject is denied \(S3 object contents\)/);
      expect(build({ additionalReadActions: ['ssm:GetParametersByPath'] })).toThrow(/additionalReadActions\[0\].*ssm:GetParameter\* is denied/);
      expect(build({ additionalReadActions: ['DynamoDB:getitem'] })).toThrow(/additionalReadActions\[0\].*dynamodb:GetItem is denied/);
    });

    test('maxSessionDuration must be 1 to 12 hours', () => {
      expect(build({ maxSessionDuration: Duration.minutes(30) })).toThrow(/maxSessionDuration: got "Duration.minutes\(30\)"; allowed: 1 to 12 hours/);
      expect(build({ maxSessionDuration: Duration.hours(13) })).toThrow(/maxSessionDuration: got "Duration.hours\(13\)"; allowed: 1 to 12 hours/);
    });

    test('several problems are reported together', () => {
      expect(build({ trustedAccountIds: ['x'], roleName: 'a b' })).toThrow(/trustedAccountIds\[0\][\s\S]*roleName/);
    });
  });

  describe('policy sizes', () => {
    test('a trust policy over 2,048 characters fails synth with its size', () => {
      const accounts = Array.from({ length: 60 }, (_, i) => String(100000000000 + i));
      const { stack } = stackWith({ trustedAccountIds: accounts });
      expect(() => Template.fromStack(stack)).toThrow(/The trust policy of NonProd\/ReadOnly\/Role is \d+ bytes \(whitespace removed\), over 1843 bytes, 90% of the AWS quota of 2048 bytes/);
    });

    test('ten trusted accounts with principal ARNs fit', () => {
      const accounts = Array.from({ length: 10 }, (_, i) => String(100000000000 + i));
      const { stack } = stackWith({ trustedAccountIds: accounts, trustedPrincipalArns: accounts.map((a) => `arn:aws:iam::${a}:role/cicd-pipeline`) });
      expect(() => Template.fromStack(stack)).not.toThrow();
    });

    test('inline policies over 10,240 characters fail synth', () => {
      const actions = Array.from({ length: 300 }, (_, i) => `ec2:DescribeSomethingQuiteLong${i}`);
      const { stack } = stackWith({ additionalReadActions: actions });
      expect(() => Template.fromStack(stack)).toThrow(/The inline policies of NonProd\/ReadOnly\/Role \(together\) is \d+ bytes .* over 9216 bytes, 90% of the AWS quota of 10240 bytes/);
    });
  });
});
