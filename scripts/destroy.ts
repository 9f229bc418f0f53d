/**
 * Deletes the reference baseline's stacks in the reverse of the deploy order (sample pipeline,
 * settings, target roles, store) with CloudFormation DeleteStack, then checks what remains:
 * resources with `DeletionPolicy: Retain` (the key and the buckets) must still exist, the others
 * must be gone.
 *
 *   npx projen destroy [--layout single] [--cicd-profile P --nonprod-profile P --prod-profile P]
 */
import {
  CloudFormationClient,
  DeleteStackCommand,
  DescribeStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, KMSClient, ListAliasesCommand } from '@aws-sdk/client-kms';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { StackInfo } from './assembly';
import { clientConfig, Connection, connections, describeStack, resolveAccounts } from './aws';
import { parseOptions, runMain } from './options';
import { seconds, table } from './table';
import { deployedAssembly, withTarget } from './target';

/** Whether a resource exists, by type; undefined where there is no probe for the type. */
async function exists(type: string, physicalId: string, c: Connection): Promise<boolean | undefined> {
  const cfg = clientConfig(c);
  const probe = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      return true;
    } catch (e) {
      if (/NoSuch|NotFound|404/i.test(`${(e as Error).name} ${(e as any).$metadata?.httpStatusCode}`)) return false;
      throw e;
    }
  };
  switch (type) {
    case 'AWS::KMS::Key':
      return probe(async () => {
        const key = (await new KMSClient(cfg).send(new DescribeKeyCommand({ KeyId: physicalId }))).KeyMetadata!;
        if (key.KeyState === 'PendingDeletion') throw Object.assign(new Error('pending deletion'), { name: 'NotFound' });
      });
    case 'AWS::KMS::Alias':
      return probe(async () => {
        const aliases = (await new KMSClient(cfg).send(new ListAliasesCommand({}))).Aliases ?? [];
        if (!aliases.some((a) => a.AliasName === physicalId)) throw Object.assign(new Error('no alias'), { name: 'NotFound' });
      });
    case 'AWS::S3::Bucket':
      return probe(() => new S3Client(cfg).send(new HeadBucketCommand({ Bucket: physicalId })));
    case 'AWS::IAM::Role':
      return probe(() => new IAMClient(cfg).send(new GetRoleCommand({ RoleName: physicalId })));
    case 'AWS::SSM::Parameter':
      return probe(() => new SSMClient(cfg).send(new GetParameterCommand({ Name: physicalId })));
    default:
      return undefined;
  }
}

interface Remains {
  readonly stack: StackInfo;
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId: string;
  readonly retain: boolean;
}

async function deleteStack(stack: StackInfo, c: Connection): Promise<{ status: string; resources: Remains[] }> {
  const started = Date.now();
  if (!(await describeStack(c, stack.name))) return { status: 'not deployed', resources: [] };
  const cfn = new CloudFormationClient(clientConfig(c));
  const deployed = (await cfn.send(new DescribeStackResourcesCommand({ StackName: stack.name }))).StackResources ?? [];
  const resources: Remains[] = deployed
    .filter((r) => r.PhysicalResourceId && r.ResourceType !== 'AWS::CDK::Metadata')
    .map((r) => ({
      stack,
      logicalId: r.LogicalResourceId!,
      type: r.ResourceType!,
      physicalId: r.PhysicalResourceId!,
      retain: ['Retain', 'RetainExceptOnCreate'].includes(stack.template.Resources?.[r.LogicalResourceId!]?.DeletionPolicy),
    }));
  await cfn.send(new DeleteStackCommand({ StackName: stack.name }));
  for (;;) {
    const s = await describeStack(c, stack.name);
    if (!s) break;
    if (s.StackStatus === 'DELETE_FAILED') throw new Error(`deleting ${stack.name} failed: ${s.StackStatusReason}`);
    if (Date.now() - started > 30 * 60_000) throw new Error(`deleting ${stack.name} took over 30 minutes`);
    await new Promise((r) => setTimeout(r, c.endpoint ? 250 : 5000));
  }
  console.log(`  ${stack.name} (${c.account}): deleted (${seconds(started)})`);
  return { status: 'deleted', resources };
}

export async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  const started = Date.now();
  return withTarget(options, async (emulator) => {
    const accounts = await resolveAccounts(options);
    const conns = connections(options, accounts, emulator?.endpoint);
    const asm = await deployedAssembly(options, conns, accounts);
    // The reverse of the deploy: target stacks may import from the store (single-account layout), never the other way.
    const order: StackInfo['kind'][] = ['pipeline', 'settings', 'target', 'store'];
    const stacks = order.flatMap((k) => asm.stacks.filter((s) => s.kind === k));
    console.log(`Deleting the ${options.layout} baseline's stacks from ${emulator ? `the emulator (${emulator.endpoint})` : 'AWS'}`);
    const statuses: string[][] = [];
    const remains: Remains[] = [];
    for (const s of stacks) {
      const r = await deleteStack(s, conns.get(s.account)!);
      statuses.push([s.name, s.account, s.region, r.status]);
      remains.push(...r.resources);
    }
    console.log(`\n${table(['stack', 'account', 'region', 'status'], statuses)}`);

    // What DeletionPolicy promises: retained resources stay, the others go.
    const rows: string[][] = [];
    let failures = 0;
    for (const r of remains) {
      const there = await exists(r.type, r.physicalId, conns.get(r.stack.account)!);
      const expected = r.retain ? 'kept' : 'deleted';
      const found = there === undefined ? 'not checked' : there ? 'kept' : 'deleted';
      const ok = there === undefined || found === expected;
      if (!ok) failures++;
      rows.push([r.stack.account, r.stack.name, `${r.logicalId} (${r.type})`, r.physicalId, r.retain ? 'Retain' : 'Delete', found, ok ? 'ok' : 'FAIL']);
    }
    if (rows.length > 0) {
      console.log(`\nAfter deletion (DeletionPolicy honoured?):\n\n${table(['account', 'stack', 'resource', 'physical ID', 'DeletionPolicy', 'after destroy', 'result'], rows)}`);
      const kept = remains.filter((r) => r.retain);
      console.log(`\nKept by design: ${kept.map((r) => r.physicalId).join(', ') || 'nothing'}.`);
      console.log('Deploying the store again needs these gone or imported; in the emulator, --fresh starts from empty state.');
    }
    console.log(`Total: ${seconds(started)}`);
    if (failures > 0) {
      console.error(`FAILED: ${failures} resource(s) did not end as their DeletionPolicy says`);
      return 1;
    }
    return 0;
  });
}

runMain(module, main);
