import * as fs from 'fs';
import { ACCOUNTS, baselineAssembly } from './baseline-assembly';
import { StackInfo } from '../../scripts/assembly';
import { Connection } from '../../scripts/aws';
import { Clients, readBack, Row } from '../../scripts/readback';

type Answer = (command: string, input: any) => any;

/**
 * Fake SDK clients for one account. CloudFormation says the stack is deployed with every
 * resource of the template (physical ID: its name in the template, or the logical ID); every
 * other service answers with `other`.
 */
function fakeClients(stacks: StackInfo[], other: Answer): (c: Connection) => Clients {
  const cfn = {
    send: async (cmd: any) => {
      const name = cmd.constructor.name;
      const info = stacks.find((s) => s.name === cmd.input.StackName);
      if (name === 'DescribeStacksCommand') {
        return { Stacks: [{ StackName: info!.name, StackId: `arn:aws:cloudformation:eu-west-1:${info!.account}:stack/${info!.name}/1`, StackStatus: 'CREATE_COMPLETE', Outputs: [], Parameters: [] }] };
      }
      if (name === 'DescribeStackResourcesCommand') {
        return {
          StackResources: Object.entries<any>(info!.template.Resources).map(([lid, r]) => ({
            LogicalResourceId: lid,
            ResourceType: r.Type,
            PhysicalResourceId: [r.Properties?.BucketName, r.Properties?.RoleName, r.Properties?.Name, r.Properties?.AliasName].find((v) => typeof v === 'string') ?? lid,
          })),
        };
      }
      if (name === 'ListExportsCommand') return { Exports: [] };
      throw new Error(`unexpected ${name}`);
    },
  };
  const service = { send: async (cmd: any) => other(cmd.constructor.name, cmd.input) };
  return () => ({ cfn, iam: service, kms: service, s3: service, ssm: service } as any);
}

const conns = new Map<string, Connection>(Object.values(ACCOUNTS).map((a) => [a, { account: a, region: 'eu-west-1', endpoint: 'http://fake' }]));
const matches = (rows: Row[]) => rows.filter((r) => r.result === 'match').map((r) => `${r.stack} ${r.resource} ${r.property}`);

describe('the read-back never counts an unchecked property as a match', () => {
  let stacks: StackInfo[];
  beforeAll(() => {
    const asm = baselineAssembly('readback');
    stacks = asm.stacks.filter((s) => ['store', 'target', 'settings'].includes(s.kind));
    fs.rmSync(asm.dir, { recursive: true, force: true });
  });

  test('accounts whose every API answers "nothing here" match nothing', async () => {
    const notFound: Answer = (command) => {
      throw Object.assign(new Error(`${command}: not found`), { name: 'NoSuchEntity' });
    };
    const rows = await readBack(stacks, conns, false, fakeClients(stacks, notFound));
    expect(rows.length).toBeGreaterThan(50);
    expect(matches(rows)).toEqual([]);
  });

  test('accounts whose every API answers with an empty success match nothing', async () => {
    const rows = await readBack(stacks, conns, false, fakeClients(stacks, () => ({})));
    expect(rows.length).toBeGreaterThan(50);
    expect(matches(rows)).toEqual([]);
  });
});

describe('what the read-back does compare', () => {
  const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: 'arn:aws:s3:::b1/*' }] };
  const info: StackInfo = {
    name: 'small',
    kind: 'store',
    account: ACCOUNTS.cicd,
    region: 'eu-west-1',
    dependsOn: [],
    template: {
      Resources: {
        Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'b1', VersioningConfiguration: { Status: 'Enabled' } } },
        Policy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'Bucket' }, PolicyDocument: policy } },
        Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'r1', AssumeRolePolicyDocument: policy } },
        Inline: { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'p1', Roles: [{ Ref: 'Role' }], PolicyDocument: policy } },
      },
    },
  };
  const truthful = (overrides: Record<string, any> = {}): Answer => (command, input) => {
    if (command in overrides) return overrides[command];
    switch (command) {
      case 'HeadBucketCommand': return { $metadata: { httpStatusCode: 200 } };
      case 'GetBucketVersioningCommand': return { Status: 'Enabled' };
      case 'GetBucketPolicyCommand': return { Policy: JSON.stringify(policy) };
      case 'GetRoleCommand': return { Role: { RoleName: input.RoleName, Arn: `arn:aws:iam::111111111111:role/${input.RoleName}`, RoleId: 'AROAEXAMPLE', AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(policy)), Tags: [] } };
      case 'GetRolePolicyCommand': return input.PolicyName === 'p1' ? { PolicyDocument: encodeURIComponent(JSON.stringify(policy)) } : undefined;
      case 'ListRolePoliciesCommand': return { PolicyNames: ['p1'] };
      case 'ListAttachedRolePoliciesCommand': return { AttachedPolicies: [] };
      default: return {};
    }
  };
  const results = async (answer: Answer) => Object.fromEntries((await readBack([info], conns, false, fakeClients([info], answer)))
    .filter((r) => r.resource !== 'Outputs').map((r) => [`${r.resource.split(' ')[0]}.${r.property}`, r.result]));

  test('an account that holds what the template says matches, property by property', async () => {
    expect(await results(truthful())).toEqual({
      'Bucket.BucketName': 'match',
      'Bucket.VersioningConfiguration': 'match',
      'Policy.Bucket': 'match',
      'Policy.PolicyDocument': 'match',
      'Role.RoleName': 'match',
      'Role.AssumeRolePolicyDocument': 'match',
      'Role.inline policy names (own and AWS::IAM::Policy; none extra)': 'match',
      'Role.ManagedPolicyArns (and AWS::IAM::ManagedPolicy; none extra)': 'match',
      'Inline.PolicyName': 'match',
      'Inline.Roles': 'match',
      'Inline.PolicyDocument (on role r1)': 'match',
    });
  });

  test('a bucket without its policy is a mismatch of both the policy and the bucket it names', async () => {
    const r = await results(truthful({ GetBucketPolicyCommand: {} }));
    expect(r['Policy.Bucket']).toBe('MISMATCH');
    expect(r['Policy.PolicyDocument']).toBe('MISMATCH');
  });

  test('a role without the inline policy is a mismatch of its name and roles', async () => {
    const r = await results(truthful({ ListRolePoliciesCommand: { PolicyNames: [] } }));
    expect(r['Inline.PolicyName']).toBe('MISMATCH');
    expect(r['Inline.Roles']).toBe('MISMATCH');
  });
});
