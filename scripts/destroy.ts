/**
 * Deletes the reference baseline's stacks with CloudFormation DeleteStack: first the sample
 * application the sample pipeline deployed into every target account (through the target's
 * CloudFormation role, which must still exist), then in the reverse of the deploy order (sample
 * pipeline, settings, target roles, store), then checks what remains:
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
import { Assembly, StackInfo } from './assembly';
import { awsClient, Connection, connectionFor, connections, describeStack, resolveAccounts } from './aws';
import { parseOptions, runMain } from './options';
import { formatMs } from './process';
import { seconds, table } from './table';
import { deployedAssembly, withTarget } from './target';

/** How long a stack may take to be deleted, in milliseconds. */
const DELETE_TIMEOUTS = { emulatorMs: 2 * 60_000, awsMs: 30 * 60_000 };

/** Whether a resource exists, by type; undefined where there is no probe for the type. */
async function exists(type: string, physicalId: string, c: Connection): Promise<boolean | undefined> {
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
        const key = (await awsClient(KMSClient, c).send(new DescribeKeyCommand({ KeyId: physicalId }))).KeyMetadata!;
        if (key.KeyState === 'PendingDeletion') throw Object.assign(new Error('pending deletion'), { name: 'NotFound' });
      });
    case 'AWS::KMS::Alias':
      return probe(async () => {
        const aliases = (await awsClient(KMSClient, c).send(new ListAliasesCommand({}))).Aliases ?? [];
        if (!aliases.some((a) => a.AliasName === physicalId)) throw Object.assign(new Error('no alias'), { name: 'NotFound' });
      });
    case 'AWS::S3::Bucket':
      return probe(() => awsClient(S3Client, c).send(new HeadBucketCommand({ Bucket: physicalId })));
    case 'AWS::IAM::Role':
      return probe(() => awsClient(IAMClient, c).send(new GetRoleCommand({ RoleName: physicalId })));
    case 'AWS::SSM::Parameter':
      return probe(() => awsClient(SSMClient, c).send(new GetParameterCommand({ Name: physicalId })));
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

/**
 * The stacks to delete, in order: first the sample application in every target account (the
 * sample pipeline created it there, and CloudFormation deletes it through the target's
 * CloudFormation role, so the roles must still exist), then the reverse of the deploy: sample
 * pipeline, settings, target roles (which may import from the store), store.
 */
export function deletionOrder(asm: Assembly): StackInfo[] {
  const sampleApp = asm.stacks.find((s) => s.kind === 'sample-app');
  const targetAccounts = [...new Set(asm.stacks.filter((s) => s.kind === 'target').map((s) => s.account))];
  const sampleApps = sampleApp
    ? targetAccounts.map((account) => ({ ...sampleApp, account, region: asm.stacks.find((s) => s.account === account)!.region }))
    : [];
  const order: StackInfo['kind'][] = ['pipeline', 'settings', 'target', 'store'];
  return [...sampleApps, ...order.flatMap((k) => asm.stacks.filter((s) => s.kind === k))];
}

async function deleteStack(stack: StackInfo, c: Connection): Promise<{ status: string; resources: Remains[] }> {
  const started = Date.now();
  if (!(await describeStack(c, stack.name))) return { status: 'not deployed', resources: [] };
  const cfn = awsClient(CloudFormationClient, c);
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
    const limit = c.endpoint ? DELETE_TIMEOUTS.emulatorMs : DELETE_TIMEOUTS.awsMs;
    if (Date.now() - started > limit) throw new Error(`deleting ${stack.name} (account ${c.account}) did not finish within ${formatMs(limit)} (status ${s.StackStatus})`);
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
    const stacks = deletionOrder(asm);
    console.log(`Deleting the ${options.layout} baseline's stacks from ${emulator ? `the emulator (${emulator.endpoint})` : 'AWS'}`);
    const statuses: string[][] = [];
    const remains: Remains[] = [];
    for (const s of stacks) {
      const r = await deleteStack(s, connectionFor(conns, s));
      statuses.push([s.name, s.account, s.region, r.status]);
      remains.push(...r.resources);
    }
    console.log(`\n${table(['stack', 'account', 'region', 'status'], statuses)}`);

    // What DeletionPolicy promises: retained resources stay, the others go.
    const rows: string[][] = [];
    let failures = 0;
    for (const r of remains) {
      const there = await exists(r.type, r.physicalId, connectionFor(conns, r.stack));
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
