/**
 * Reads back what exists in every account and compares it, property by property, with the
 * synthesized templates (intrinsics resolved with the deployed stacks' physical IDs).
 *
 * Every resource of a deployed stack is visited; the type decides the reader. Properties the
 * emulator is known not to apply are reported "not modelled" with the unit test that covers
 * them, and only when they differ; everything else must match, or the read-back fails.
 *
 *   npx projen readback [--layout single] [--narrowing role-ids]    (emulator state of the last deploy)
 *   npx projen readback --cicd-profile P --nonprod-profile P --prod-profile P   (AWS)
 */
import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  ListExportsCommand,
} from '@aws-sdk/client-cloudformation';
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListAliasesCommand,
  ListResourceTagsCommand,
} from '@aws-sdk/client-kms';
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { DescribeParametersCommand, GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { StackInfo } from './assembly';
import { awsClient, Connection, connectionFor, connections, describeStack, describeStackWith, resolveAccounts } from './aws';
import { MINISTACK_VERSION, unsupportedTypes } from './emulator';
import { parseOptions, runMain } from './options';
import { contains, firstDifference, Resolver, sameJson, Unresolvable } from './resolve';
import { seconds, table } from './table';
import { deployedAssembly, withTarget } from './target';

export type Result = 'match' | 'MISMATCH' | 'not modelled' | 'not compared';

export interface Row {
  readonly account: string;
  readonly stack: string;
  readonly resource: string;
  readonly property: string;
  readonly result: Result;
  readonly detail: string;
}

const STORE_TEST = 'test/cicd-artifact-store.test.ts';
const BUCKET_DEFAULTS_TEST = `${STORE_TEST} › "the %s bucket is encrypted, private, versioned, logged and retained" and "a bucket for the access logs is made"`;

/**
 * What MiniStack (the pinned version) accepts in a template but does not apply: type.property →
 * what the emulator answers instead, and the tests that cover the property at synth time. These
 * are reported "not modelled" whatever the emulator answers: where its answer equals the
 * template, that is S3's default, not the template's doing.
 */
export const EMULATOR_GAPS: Record<string, { answers: string; coveredBy: string }> = {
  'AWS::S3::Bucket.BucketEncryption': { answers: 'S3\'s default SSE-S3 (AES256), BucketKeyEnabled false', coveredBy: BUCKET_DEFAULTS_TEST },
  'AWS::S3::Bucket.OwnershipControls': { answers: 'S3\'s default BucketOwnerEnforced', coveredBy: BUCKET_DEFAULTS_TEST },
  'AWS::S3::Bucket.LifecycleConfiguration': { answers: 'no lifecycle configuration', coveredBy: `${BUCKET_DEFAULTS_TEST}; "retention of noncurrent versions"` },
  'AWS::S3::Bucket.LoggingConfiguration': { answers: 'no logging', coveredBy: `${BUCKET_DEFAULTS_TEST}; "a given access-logs bucket receives the logs…"` },
  'AWS::IAM::Role.PermissionsBoundary': {
    answers: 'no permissions boundary',
    coveredBy: 'test/cross-account-pipeline-roles.test.ts › "the baseline\'s boundary holds the CloudFormation and build roles…"; test/access-matrix.test.ts › containment rows',
  },
};

/** Properties that exist in no API answer after creation. */
const NOT_READABLE: Record<string, string> = {
  'AWS::KMS::Key.PendingWindowInDays': 'only visible while a deletion is scheduled',
};

export interface Clients {
  readonly cfn: CloudFormationClient;
  readonly iam: IAMClient;
  readonly kms: KMSClient;
  readonly s3: S3Client;
  readonly ssm: SSMClient;
}

const clientsCache = new Map<string, Clients>();
function clientsFor(c: Connection): Clients {
  const key = `${c.account}/${c.region}/${c.endpoint ?? c.profile}`;
  if (!clientsCache.has(key)) {
    clientsCache.set(key, {
      cfn: awsClient(CloudFormationClient, c),
      iam: awsClient(IAMClient, c),
      kms: awsClient(KMSClient, c),
      s3: awsClient(S3Client, c),
      ssm: awsClient(SSMClient, c),
    });
  }
  return clientsCache.get(key)!;
}

/** A "not found" answer (no such policy, configuration, tag set…) reads as absent. */
async function orAbsent<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (e) {
    const err = e as { name?: string; Code?: string; message?: string };
    if (/NoSuch|NotFound/i.test(`${err.name} ${err.Code}`)) return undefined;
    throw e;
  }
}

function policyJson(doc: string | undefined): any {
  if (doc === undefined) return undefined;
  const text = doc.trim().startsWith('%7B') || doc.trim().startsWith('%7b') ? decodeURIComponent(doc) : doc;
  return JSON.parse(text);
}

const tagMap = (tags: Array<{ Key?: string; Value?: string }> | undefined) => Object.fromEntries((tags ?? []).map((t) => [t.Key, t.Value]));

type Compare = 'exact' | 'contains';

/** A property to check: what the template says, how to read what exists, and how to compare. */
interface Check {
  readonly property: string;
  /** The template property this check confirms. @default the property's name up to "[" or " " */
  readonly covers?: string;
  readonly expected: any;
  /** Reads what exists. Must derive its answer from what the API says, never from `expected`. */
  readonly read: () => Promise<any>;
  readonly compare?: Compare;
}

interface ResourceContext {
  readonly type: string;
  readonly logicalId: string;
  readonly physicalId: string;
  readonly props: Record<string, any>;
  readonly clients: Clients;
  readonly account: string;
  readonly region: string;
  /** Resolved properties of every resource of the stack, for cross-resource checks. */
  readonly stackResources: Record<string, { type: string; props: Record<string, any>; physicalId?: string }>;
}

type Reader = (r: ResourceContext) => Check[];

const keyId = (arnOrId: string) => arnOrId.replace(/^arn:[^:]+:kms:[^:]*:\d*:key\//, '');

const READERS: Record<string, Reader> = {
  'AWS::KMS::Key': ({ props, physicalId, clients: { kms } }) => {
    const describe = () => kms.send(new DescribeKeyCommand({ KeyId: physicalId })).then((r) => r.KeyMetadata!);
    const rotation = () => kms.send(new GetKeyRotationStatusCommand({ KeyId: physicalId }));
    return [
      { property: 'KeyPolicy', expected: props.KeyPolicy, read: async () => policyJson((await kms.send(new GetKeyPolicyCommand({ KeyId: physicalId, PolicyName: 'default' }))).Policy) },
      { property: 'EnableKeyRotation', expected: props.EnableKeyRotation, read: async () => (await rotation()).KeyRotationEnabled },
      { property: 'RotationPeriodInDays', expected: props.RotationPeriodInDays, read: async () => (await rotation()).RotationPeriodInDays },
      { property: 'Description', expected: props.Description, read: async () => (await describe()).Description },
      { property: 'Enabled', expected: props.Enabled, read: async () => (await describe()).Enabled },
      { property: 'KeyUsage', expected: props.KeyUsage, read: async () => (await describe()).KeyUsage },
      { property: 'KeySpec', expected: props.KeySpec, read: async () => (await describe()).KeySpec },
      { property: 'MultiRegion', expected: props.MultiRegion, read: async () => (await describe()).MultiRegion },
      {
        property: 'Tags',
        compare: 'contains',
        expected: props.Tags && tagMap(props.Tags),
        read: async () => {
          const tags = (await kms.send(new ListResourceTagsCommand({ KeyId: physicalId }))).Tags ?? [];
          return Object.fromEntries(tags.map((t) => [t.TagKey, t.TagValue]));
        },
      },
    ];
  },

  'AWS::KMS::Alias': ({ props, clients: { kms } }) => {
    const alias = async () => {
      const all = [];
      let marker: string | undefined;
      do {
        const page = await kms.send(new ListAliasesCommand({ Marker: marker }));
        all.push(...(page.Aliases ?? []));
        marker = page.Truncated ? page.NextMarker : undefined;
      } while (marker);
      return all.find((a) => a.AliasName === props.AliasName);
    };
    return [
      { property: 'AliasName', expected: props.AliasName, read: async () => (await alias())?.AliasName },
      { property: 'TargetKeyId', expected: keyId(String(props.TargetKeyId)), read: async () => (await alias())?.TargetKeyId },
    ];
  },

  'AWS::S3::Bucket': ({ props, physicalId: bucket, clients: { s3 } }) => [
    {
      property: 'BucketName',
      expected: props.BucketName,
      // The name the stack reports, confirmed by S3 answering for it.
      read: async () => ((await s3.send(new HeadBucketCommand({ Bucket: bucket }))).$metadata?.httpStatusCode === 200 ? bucket : undefined),
    },
    {
      property: 'VersioningConfiguration',
      expected: props.VersioningConfiguration,
      read: async () => {
        const v = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
        return v.Status ? { Status: v.Status } : undefined;
      },
    },
    {
      property: 'BucketEncryption',
      compare: 'contains',
      expected: props.BucketEncryption,
      read: async () => {
        const e = await orAbsent(() => s3.send(new GetBucketEncryptionCommand({ Bucket: bucket })));
        return e && {
          ServerSideEncryptionConfiguration: (e.ServerSideEncryptionConfiguration?.Rules ?? []).map((r) => ({
            ServerSideEncryptionByDefault: r.ApplyServerSideEncryptionByDefault,
            BucketKeyEnabled: r.BucketKeyEnabled,
          })),
        };
      },
    },
    {
      property: 'PublicAccessBlockConfiguration',
      expected: props.PublicAccessBlockConfiguration,
      read: async () => (await orAbsent(() => s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))))?.PublicAccessBlockConfiguration,
    },
    {
      property: 'OwnershipControls',
      expected: props.OwnershipControls,
      read: async () => (await orAbsent(() => s3.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket }))))?.OwnershipControls,
    },
    {
      property: 'LifecycleConfiguration',
      compare: 'contains',
      expected: props.LifecycleConfiguration,
      read: async () => {
        const l = await orAbsent(() => s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket })));
        return l && {
          Rules: (l.Rules ?? []).map((r) => ({
            Id: r.ID,
            Status: r.Status,
            Prefix: r.Prefix ?? r.Filter?.Prefix,
            ExpirationInDays: r.Expiration?.Days,
            NoncurrentVersionExpiration: r.NoncurrentVersionExpiration,
            AbortIncompleteMultipartUpload: r.AbortIncompleteMultipartUpload,
          })),
        };
      },
    },
    {
      property: 'LoggingConfiguration',
      expected: props.LoggingConfiguration,
      read: async () => {
        const l = (await s3.send(new GetBucketLoggingCommand({ Bucket: bucket }))).LoggingEnabled;
        return l && { DestinationBucketName: l.TargetBucket, LogFilePrefix: l.TargetPrefix };
      },
    },
    {
      property: 'Tags',
      compare: 'contains',
      expected: props.Tags && tagMap(props.Tags),
      read: async () => tagMap((await orAbsent(() => s3.send(new GetBucketTaggingCommand({ Bucket: bucket }))))?.TagSet as any),
    },
  ],

  'AWS::S3::BucketPolicy': ({ props, clients: { s3 } }) => [
    {
      property: 'Bucket',
      expected: props.Bucket,
      // The bucket holds a policy (which one is the PolicyDocument check).
      read: async () => ((await orAbsent(() => s3.send(new GetBucketPolicyCommand({ Bucket: props.Bucket }))))?.Policy ? props.Bucket : undefined),
    },
    {
      property: 'PolicyDocument',
      expected: props.PolicyDocument,
      read: async () => policyJson((await orAbsent(() => s3.send(new GetBucketPolicyCommand({ Bucket: props.Bucket }))))?.Policy),
    },
  ],

  'AWS::IAM::Role': ({ props, physicalId: roleName, clients: { iam }, stackResources }) => {
    const inlinePolicy = (role: string, name: string) => orAbsent(() => iam.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: name })));
    const role = () => iam.send(new GetRoleCommand({ RoleName: roleName })).then((r) => r.Role!);
    // Inline policies: the role's own, plus AWS::IAM::Policy resources of the stack that name it.
    const policies = Object.values(stackResources).filter((r) => r.type === 'AWS::IAM::Policy' && (r.props.Roles ?? []).includes(roleName));
    const expectedInline = [...(props.Policies ?? []).map((p: any) => p.PolicyName), ...policies.map((p) => p.props.PolicyName)];
    const managed = Object.values(stackResources).filter((r) => r.type === 'AWS::IAM::ManagedPolicy' && (r.props.Roles ?? []).includes(roleName));
    const expectedManaged = [...(props.ManagedPolicyArns ?? []), ...managed.map((m) => m.physicalId)];
    return [
      { property: 'RoleName', expected: props.RoleName, read: async () => (await role()).RoleName },
      { property: 'Path', expected: props.Path, read: async () => (await role()).Path },
      { property: 'Description', expected: props.Description, read: async () => (await role()).Description },
      { property: 'MaxSessionDuration', expected: props.MaxSessionDuration, read: async () => (await role()).MaxSessionDuration },
      { property: 'AssumeRolePolicyDocument', expected: props.AssumeRolePolicyDocument, read: async () => policyJson((await role()).AssumeRolePolicyDocument) },
      { property: 'PermissionsBoundary', expected: props.PermissionsBoundary, read: async () => (await role()).PermissionsBoundary?.PermissionsBoundaryArn },
      { property: 'Tags', compare: 'contains', expected: props.Tags && tagMap(props.Tags), read: async () => tagMap((await role()).Tags as any) },
      ...(props.Policies ?? []).map((p: any): Check => ({
        property: `Policies[${p.PolicyName}]`,
        expected: p.PolicyDocument,
        read: async () => policyJson((await inlinePolicy(roleName, p.PolicyName))?.PolicyDocument),
      })),
      {
        property: 'inline policy names (own and AWS::IAM::Policy; none extra)',
        expected: expectedInline,
        // An answer without the list is not "none".
        read: async () => (await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames,
      },
      {
        property: 'ManagedPolicyArns (and AWS::IAM::ManagedPolicy; none extra)',
        expected: expectedManaged,
        read: async () => {
          const attached = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }))).AttachedPolicies;
          return attached?.map((p) => p.PolicyArn);
        },
      },
    ];
  },

  'AWS::IAM::Policy': ({ props, clients: { iam } }) => {
    const inlinePolicy = (role: string, name: string) => orAbsent(() => iam.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: name })));
    const roles = (props.Roles ?? []) as string[];
    const rolesHolding = async () => {
      const holding: string[] = [];
      for (const r of roles) {
        const names = (await orAbsent(() => iam.send(new ListRolePoliciesCommand({ RoleName: r }))))?.PolicyNames ?? [];
        if (names.includes(props.PolicyName)) holding.push(r);
      }
      return holding;
    };
    return [
      {
        property: 'PolicyName',
        expected: roles.length > 0 ? props.PolicyName : undefined,
        read: async () => ((await rolesHolding()).length === roles.length ? props.PolicyName : undefined),
      },
      { property: 'Roles', expected: props.Roles, read: rolesHolding },
      ...((props.Roles ?? []) as string[]).map((roleName): Check => ({
        property: `PolicyDocument (on role ${roleName})`,
        expected: props.PolicyDocument,
        read: async () => policyJson((await inlinePolicy(roleName, props.PolicyName))?.PolicyDocument),
      })),
    ];
  },

  'AWS::IAM::ManagedPolicy': ({ props, physicalId: arn, clients: { iam } }) => {
    const policy = () => iam.send(new GetPolicyCommand({ PolicyArn: arn })).then((r) => r.Policy!);
    return [
      { property: 'ManagedPolicyName', expected: props.ManagedPolicyName, read: async () => (await policy()).PolicyName },
      { property: 'Path', expected: props.Path, read: async () => (await policy()).Path },
      { property: 'Description', expected: props.Description, read: async () => (await policy()).Description },
      {
        property: 'PolicyDocument',
        expected: props.PolicyDocument,
        read: async () => {
          const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: (await policy()).DefaultVersionId }));
          return policyJson(version.PolicyVersion?.Document);
        },
      },
      {
        property: 'Roles',
        expected: props.Roles,
        read: async () => ((await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn, EntityFilter: 'Role' }))).PolicyRoles ?? []).map((r) => r.RoleName),
      },
    ];
  },

  'AWS::SSM::Parameter': ({ props, physicalId: name, clients: { ssm } }) => {
    const param = () => ssm.send(new GetParameterCommand({ Name: name })).then((r) => r.Parameter!);
    const described = () => ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [name] }] })).then((r) => r.Parameters?.[0]);
    return [
      { property: 'Name', expected: props.Name, read: async () => (await param()).Name },
      { property: 'Type', expected: props.Type, read: async () => (await param()).Type },
      { property: 'Value', expected: props.Value, read: async () => (await param()).Value },
      { property: 'Description', expected: props.Description, read: async () => (await described())?.Description },
      { property: 'Tier', expected: props.Tier, read: async () => (await described())?.Tier },
    ];
  },
};

/** What `Ref` returns and which attributes `Fn::GetAtt` can give, from the physical ID. */
async function refAndAttrs(type: string, physicalId: string, c: Connection, clients: Clients): Promise<[string, Record<string, string>]> {
  switch (type) {
    case 'AWS::KMS::Key':
      return [physicalId, { Arn: `arn:aws:kms:${c.region}:${c.account}:key/${physicalId}`, KeyId: physicalId }];
    case 'AWS::S3::Bucket':
      return [physicalId, {
        Arn: `arn:aws:s3:::${physicalId}`,
        DomainName: `${physicalId}.s3.amazonaws.com`,
        RegionalDomainName: `${physicalId}.s3.${c.region}.amazonaws.com`,
      }];
    case 'AWS::IAM::Role': {
      const role = await orAbsent(() => clients.iam.send(new GetRoleCommand({ RoleName: physicalId })));
      return [physicalId, role?.Role?.Arn && role.Role.RoleId ? { Arn: role.Role.Arn, RoleId: role.Role.RoleId } : {}];
    }
    case 'AWS::IAM::ManagedPolicy':
      return [physicalId, { PolicyArn: physicalId }];
    default:
      return [physicalId, {}];
  }
}

async function listExports(cfn: CloudFormationClient): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let token: string | undefined;
  do {
    const page = await cfn.send(new ListExportsCommand({ NextToken: token }));
    for (const e of page.Exports ?? []) out[e.Name!] = e.Value!;
    token = page.NextToken;
  } while (token);
  return out;
}

/** Reads back every resource of the given (deployed) stacks. */
export async function readBack(
  stacks: StackInfo[], conns: Map<string, Connection>, emulator: boolean, clientsOf: (c: Connection) => Clients = clientsFor,
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const info of stacks) {
    const c = connectionFor(conns, info);
    const clients = clientsOf(c);
    const row = (resource: string, property: string, result: Result, detail = '') => rows.push({ account: info.account, stack: info.name, resource, property, result, detail });
    const stack = await describeStackWith(clients.cfn, info.name);
    if (!stack) {
      row('(stack)', 'exists', 'MISMATCH', 'not deployed');
      continue;
    }
    const resources = (await clients.cfn.send(new DescribeStackResourcesCommand({ StackName: info.name }))).StackResources ?? [];
    const physical = Object.fromEntries(resources.map((r) => [r.LogicalResourceId!, r.PhysicalResourceId!]));
    const refs: Record<string, string> = {};
    const attrs: Record<string, Record<string, string>> = {};
    for (const [lid, res] of Object.entries<any>(info.template.Resources ?? {})) {
      if (physical[lid] === undefined) continue;
      [refs[lid], attrs[lid]] = await refAndAttrs(res.Type, physical[lid], c, clients);
    }
    const resolver = new Resolver(info.template, {
      account: info.account,
      region: info.region,
      partition: 'aws',
      urlSuffix: 'amazonaws.com',
      stackName: info.name,
      stackId: stack.StackId!,
      refs,
      attrs,
      parameters: Object.fromEntries((stack.Parameters ?? []).map((p) => [p.ParameterKey!, p.ResolvedValue ?? p.ParameterValue!])),
      exports: await listExports(clients.cfn),
    });

    // Resolve every resource first, so that readers can look at their neighbours.
    const resolved: ResourceContext['stackResources'] = {};
    for (const [lid, res] of Object.entries<any>(info.template.Resources ?? {})) {
      try {
        if (!resolver.condition(res.Condition)) continue;
        resolved[lid] = { type: res.Type, props: resolver.resolve(res.Properties ?? {}), physicalId: physical[lid] };
      } catch (e) {
        if (!(e instanceof Unresolvable)) throw e;
        row(`${lid} (${res.Type})`, '(template)', 'MISMATCH', `cannot resolve ${e.message}`);
      }
    }

    for (const [lid, res] of Object.entries<any>(info.template.Resources ?? {})) {
      const label = `${lid} (${res.Type})`;
      if (res.Type === 'AWS::CDK::Metadata') continue;
      if (!resolved[lid]) {
        if (!resolver.condition(res.Condition) && physical[lid] !== undefined) row(label, '(condition false)', 'MISMATCH', 'deployed although its condition is false');
        continue;
      }
      if (physical[lid] === undefined) {
        row(label, '(resource)', 'MISMATCH', 'not in the deployed stack');
        continue;
      }
      const reader = READERS[res.Type];
      if (!reader) {
        row(label, '(all properties)', 'not compared', `no reader for ${res.Type}`);
        continue;
      }
      const props = resolved[lid].props;
      const checks = reader({
        type: res.Type,
        logicalId: lid,
        physicalId: physical[lid],
        props,
        clients,
        account: info.account,
        region: info.region,
        stackResources: resolved,
      });
      const checked = new Set(checks.map((k) => k.covers ?? k.property.replace(/\[.*$| .*$/, '')));
      for (const check of checks) {
        if (check.expected === undefined) continue;
        let actual: any;
        try {
          actual = await check.read();
        } catch (e) {
          row(label, check.property, 'MISMATCH', `read failed: ${(e as Error).name}: ${(e as Error).message}`);
          continue;
        }
        const ok = check.compare === 'contains' ? contains(check.expected, actual) : sameJson(check.expected, actual);
        const gap = emulator ? EMULATOR_GAPS[`${res.Type}.${check.property}`] : undefined;
        if (gap) {
          const seen = ok ? 'its answer equals the template only by default' : firstDifference(check.expected, actual);
          row(label, check.property, 'not modelled', `MiniStack ${MINISTACK_VERSION} does not apply it and answers ${gap.answers} (${seen}) — covered by ${gap.coveredBy}`);
        } else if (ok) {
          row(label, check.property, 'match');
        } else {
          row(label, check.property, 'MISMATCH', firstDifference(check.expected, actual));
        }
      }
      for (const prop of Object.keys(props)) {
        if (checked.has(prop)) continue;
        const why = NOT_READABLE[`${res.Type}.${prop}`] ?? 'no reader for this property';
        row(label, prop, 'not compared', why);
      }
    }

    // Outputs: what the stack says against what the template resolves to.
    const actualOutputs = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue]));
    for (const [key, out] of Object.entries<any>(info.template.Outputs ?? {})) {
      try {
        if (!resolver.condition(out.Condition)) continue;
        const expected = resolver.resolve(out.Value);
        if (sameJson(String(expected), actualOutputs[key])) row('Outputs', key, 'match');
        else row('Outputs', key, 'MISMATCH', firstDifference(String(expected), actualOutputs[key]));
      } catch (e) {
        if (!(e instanceof Unresolvable)) throw e;
        row('Outputs', key, 'MISMATCH', `cannot resolve ${e.message}`);
      }
    }
  }
  return rows;
}

/** Prints the read-back table and a summary; returns the number of mismatches. */
export function printReadBack(rows: Row[], emulator: boolean): number {
  console.log(`\nRead-back: what exists in each account, compared with the synthesized templates${emulator ? ` (MiniStack ${MINISTACK_VERSION})` : ''}\n`);
  console.log(table(['account', 'stack', 'resource', 'property', 'result', 'detail'], rows.map((r) => [r.account, r.stack, r.resource, r.property, r.result, r.detail])));
  const count = (r: Result) => rows.filter((x) => x.result === r).length;
  console.log(`\n${count('match')} match, ${count('MISMATCH')} MISMATCH, ${count('not modelled')} not modelled by the emulator, ${count('not compared')} not compared`);
  if (emulator) {
    console.log('The emulator does not evaluate IAM: policies are compared as documents; who may do what is checked by the policy-engine tests.');
  }
  return count('MISMATCH');
}

export async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  return withTarget(options, async (emulator) => {
    const started = Date.now();
    const accounts = await resolveAccounts(options);
    const conns = connections(options, accounts, emulator?.endpoint);
    const asm = await deployedAssembly(options, conns, accounts);
    const present: StackInfo[] = [];
    for (const s of asm.stacks) {
      if (s.kind === 'sample-app') continue;
      if (await describeStack(connectionFor(conns, s), s.name)) {present.push(s);} else if (s.kind === 'pipeline' && emulator && unsupportedTypes(s.template, emulator.resourceTypes).length > 0) {
        console.log(`${s.name}: not deployed (the emulator lacks ${unsupportedTypes(s.template, emulator.resourceTypes).join(', ')}), not read back`);
      } else {present.push(s);} // reported as not deployed
    }
    const mismatches = printReadBack(await readBack(present, conns, emulator !== undefined), emulator !== undefined);
    console.log(`Read-back took ${seconds(started)}`);
    return mismatches > 0 ? 1 : 0;
  });
}

runMain(module, main);
