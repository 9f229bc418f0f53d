/**
 * The `cdk deploy` test: a developer of the CICD account deploys the sample application
 * (examples/cdk-deploy.ts, synthesized with CicdStackSynthesizer) into the non-prod and prod
 * accounts with the real CDK CLI, through the baseline, with no `cdk bootstrap` anywhere:
 *
 *   start moto (127.0.0.1) → deploy the baseline (store, target roles) as each account's administrator
 *   → create the developer (an IAM user of the CICD account, static credentials)
 *   → `cdk deploy --all` as the developer → check (scripts/cdk-deploy-checks.ts)
 *   → `cdk deploy --all` again (no changes) → `cdk destroy --all` as the developer → stop moto
 *
 *   npx projen test:cdk-deploy [--port N]
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { CreateAccessKeyCommand, CreateUserCommand, GetRoleCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { HeadObjectCommand, ListBucketsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { StackInfo, synthesize } from './assembly';
import { awsClient, cdk, Connection, Credentials, describeStack, outputsOf } from './aws';
import {
  assumedRoleArns, cdkDeployChecks, Expected, fileAssetObjects, resolvePlaceholders, RunFacts, stackArtifacts, TargetFacts,
} from './cdk-deploy-checks';
import { adminCredentials, expectAccount, MotoServer, startMoto } from './moto';
import { AccountName, parseOptions, ROOT, runMain } from './options';
import { formatMs } from './process';
import { seconds, table } from './table';

const REGION = 'eu-west-1';
const ACCOUNTS: Record<AccountName, string> = { cicd: '111111111111', nonprod: '222222222222', prod: '777777777777' };
/** The developer: an IAM user of the CICD account. */
const DEVELOPER = 'developer';
/** The CLI synthesizes the sample application here. */
const APP_OUT = path.join(ROOT, 'cdk.out', 'cdk-deploy-app');
const APP_COMMAND = `${path.join(ROOT, 'node_modules', '.bin', 'ts-node')} --project ${path.join(ROOT, 'tsconfig.dev.json')} --transpile-only ${path.join(ROOT, 'examples', 'cdk-deploy.ts')}`;
/** The bootstrap version the target baseline publishes with `cdkAssets` (qualifier `cicd`). */
const BOOTSTRAP_VERSION_PARAMETER = '/cdk-bootstrap/cicd/version';
/** How long a baseline stack may take to create in the emulator. */
const CREATE_TIMEOUT_MS = 2 * 60_000;

/** Creates a stack from its synthesized template, with the account's administrator, and waits for it. */
async function createBaselineStack(c: Connection, s: StackInfo): Promise<void> {
  const started = Date.now();
  const cfn = awsClient(CloudFormationClient, c);
  await cfn.send(new CreateStackCommand({
    StackName: s.name,
    TemplateBody: JSON.stringify(s.template),
    Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
  }));
  for (;;) {
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: s.name }))).Stacks?.[0];
    const status = stack?.StackStatus ?? 'unknown';
    if (status === 'CREATE_COMPLETE') break;
    if (!status.endsWith('_IN_PROGRESS')) {
      const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: s.name }))).StackEvents ?? [];
      const reasons = events.filter((e) => /FAILED/.test(e.ResourceStatus ?? '')).map((e) => `${e.LogicalResourceId}: ${e.ResourceStatusReason}`);
      throw new Error(`creating ${s.name} in ${c.account} ended in ${status}: ${reasons.join('; ') || stack?.StackStatusReason}`);
    }
    if (Date.now() - started > CREATE_TIMEOUT_MS) throw new Error(`creating ${s.name} in ${c.account} did not finish within ${formatMs(CREATE_TIMEOUT_MS)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  console.log(`  ${s.name} → ${c.account}: created (${seconds(started)})`);
}

/**
 * The developer of the README's profile setup: an IAM user of the CICD account whose only
 * permission is to assume the baseline's roles the CDK CLI uses. moto does not evaluate IAM,
 * so the policy is there as documentation, not as a tested restriction.
 */
async function createDeveloper(admin: Connection, policy: object): Promise<Credentials> {
  const iam = awsClient(IAMClient, admin);
  await iam.send(new CreateUserCommand({ UserName: DEVELOPER }));
  await iam.send(new PutUserPolicyCommand({ UserName: DEVELOPER, PolicyName: 'cdk-deploy-through-the-baseline', PolicyDocument: JSON.stringify(policy) }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: DEVELOPER }))).AccessKey!;
  return { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
}

/** The developer's IAM policy, as the README documents it. */
export function developerPolicy(cicdAccount: string, region: string, targetAccounts: string[]): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DeployThroughTheBaseline',
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: targetAccounts.flatMap((a) => [`arn:aws:iam::${a}:role/cicd-cross-account`, `arn:aws:iam::${a}:role/cicd-read-only`]),
      },
      {
        Sid: 'PublishAssets',
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: `arn:aws:iam::${cicdAccount}:role/cicd-assets-publishing-${region}`,
      },
    ],
  };
}

async function lastUsed(c: Connection, roleName: string): Promise<Date | undefined> {
  try {
    const role = (await awsClient(IAMClient, c).send(new GetRoleCommand({ RoleName: roleName }))).Role;
    return role?.RoleLastUsed?.LastUsedDate;
  } catch (e) {
    if ((e as Error).name === 'NoSuchEntity' || /cannot be found|not found/i.test((e as Error).message)) return undefined;
    throw e;
  }
}

/** Reads what the emulator holds after the deploy, with each account's administrator. */
async function gatherFacts(expected: Expected, admins: Record<string, Connection>, deployStarted: Date, cliOutput: string): Promise<RunFacts> {
  const cicd = admins[expected.cicdAccount];
  const s3 = awsClient(S3Client, cicd);
  const targets: TargetFacts[] = [];
  for (const t of expected.targets) {
    const stack = await describeStack(admins[t.account], t.stackName);
    const listed = (await s3.send(new ListObjectsV2Command({ Bucket: expected.assetsBucket, Prefix: `${t.account}/` }))).Contents ?? [];
    const objects = [];
    for (const o of listed) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: expected.assetsBucket, Key: o.Key! }));
      objects.push({ key: o.Key!, kmsKeyId: head.SSEKMSKeyId });
    }
    targets.push({
      account: t.account,
      stack: stack ? { stackId: stack.StackId!, status: stack.StackStatus!, roleArn: stack.RoleARN } : undefined,
      stackInCicdAccount: (await describeStack(cicd, t.stackName)) !== undefined,
      deployRoleLastUsed: await lastUsed(admins[t.account], t.deployRoleArn.split('/').pop()!),
      objects,
    });
  }
  const toolkitStackAccounts: string[] = [];
  const bootstrapBuckets: string[] = [];
  for (const [account, c] of Object.entries(admins)) {
    if (await describeStack(c, 'CDKToolkit')) toolkitStackAccounts.push(account);
    const buckets = (await awsClient(S3Client, c).send(new ListBucketsCommand({}))).Buckets ?? [];
    bootstrapBuckets.push(...buckets.map((b) => b.Name!).filter((n) => /^cdk-[a-z0-9]+-assets-/.test(n)));
  }
  return {
    deployStarted,
    assumedRoles: assumedRoleArns(cliOutput),
    publishingRoleLastUsed: await lastUsed(cicd, expected.publishingRoleArn.split('/').pop()!),
    toolkitStackAccounts,
    bootstrapBuckets: [...new Set(bootstrapBuckets)],
    targets,
  };
}

/** What the synthesized sample application and the deployed store say the deploy must have used. */
function expectations(storeOutputs: Record<string, string>): Expected {
  const manifest = JSON.parse(fs.readFileSync(path.join(APP_OUT, 'manifest.json'), 'utf-8'));
  const artifacts = stackArtifacts(manifest);
  if (artifacts.length === 0) throw new Error(`the sample application synthesized no stacks into ${APP_OUT}`);
  const keyArn = Object.entries(storeOutputs).find(([k]) => /KeyArn/.test(k))?.[1];
  if (!keyArn) throw new Error(`the store outputs no key ARN: ${JSON.stringify(storeOutputs)}`);
  return {
    cicdAccount: ACCOUNTS.cicd,
    region: REGION,
    assetsBucket: `cicd-assets-${ACCOUNTS.cicd}-${REGION}`,
    publishingRoleArn: `arn:aws:iam::${ACCOUNTS.cicd}:role/cicd-assets-publishing-${REGION}`,
    keyArn,
    targets: artifacts.map((a) => {
      const account = /^aws:\/\/(\d{12})\//.exec(a.environment)![1];
      const assets = a.assetsFile ? JSON.parse(fs.readFileSync(path.join(APP_OUT, a.assetsFile), 'utf-8')) : {};
      return {
        account,
        stackName: a.stackName,
        deployRoleArn: resolvePlaceholders(a.assumeRoleArn ?? 'none', account, REGION),
        cloudFormationRoleArn: resolvePlaceholders(a.cloudFormationExecutionRoleArn ?? 'none', account, REGION),
        assets: fileAssetObjects(assets, account, REGION),
      };
    }),
  };
}

async function run(moto: MotoServer): Promise<number> {
  const timings: string[][] = [];
  const step = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    console.log(`\n== ${label}`);
    const result = await fn();
    timings.push([label, seconds(started)]);
    return result;
  };
  const conn = (account: string, credentials: Credentials): Connection => ({ account, region: REGION, endpoint: moto.endpoint, credentials });

  const admins = await step('account administrators (a session of each account)', async () => {
    const result: Record<string, Connection> = {};
    for (const account of Object.values(ACCOUNTS)) result[account] = conn(account, await adminCredentials(moto.endpoint, REGION, account));
    return result;
  });

  const storeOutputs = await step('baseline: store (CICD) and target roles (non-prod, prod), by each account\'s administrator', async () => {
    const asm = synthesize(parseOptions(['--cdk-assets']), ACCOUNTS, undefined, 'cdk-deploy-baseline');
    const stacks = asm.stacks.filter((s) => s.kind === 'store' || s.kind === 'target');
    for (const s of stacks) await createBaselineStack(admins[s.account], s);
    return outputsOf(await describeStack(admins[ACCOUNTS.cicd], stacks.find((s) => s.kind === 'store')!.name));
  });

  const developer = await step('the developer: an IAM user of the CICD account, static credentials', async () => {
    const credentials = await createDeveloper(admins[ACCOUNTS.cicd], developerPolicy(ACCOUNTS.cicd, REGION, [ACCOUNTS.nonprod, ACCOUNTS.prod]));
    const c = conn(ACCOUNTS.cicd, credentials);
    console.log(`  ${await expectAccount(c, ACCOUNTS.cicd, 'the developer')}`);
    return c;
  });

  const context = ['-c', `region=${REGION}`, '-c', `cicdAccount=${ACCOUNTS.cicd}`, '-c', `nonprodAccount=${ACCOUNTS.nonprod}`, '-c', `prodAccount=${ACCOUNTS.prod}`];
  const cliArgs = (command: string, ...more: string[]) => [command, '--all', '--app', APP_COMMAND, '--output', APP_OUT, ...context, ...more];

  const deployStarted = new Date();
  const first = await step('cdk deploy --all, as the developer', async () => {
    const res = await cdk(cliArgs('deploy', '--require-approval', 'never', '-v'), developer, 'cdk-deploy-developer');
    if (res.code !== 0) throw new Error(`cdk deploy failed:\n${res.output.split('\n').slice(-40).join('\n')}`);
    return res.output;
  });

  const expected = expectations(storeOutputs);
  const rows = await step('checks', async () => cdkDeployChecks(expected, await gatherFacts(expected, admins, deployStarted, first)));
  console.log(`\n${table(['check', 'expected', 'actual', 'result'], rows.map((r) => [r.check, r.expected, r.actual, r.ok ? 'ok' : 'FAIL']))}`);
  let failures = rows.filter((r) => !r.ok).length;

  await step('cdk deploy --all again (no changes), as the developer', async () => {
    const res = await cdk(cliArgs('deploy', '--require-approval', 'never'), developer, 'cdk-deploy-developer-again');
    const unchanged = (res.output.match(/\(no changes\)/g) ?? []).length;
    console.log(`  exit ${res.code}; ${unchanged} of ${expected.targets.length} stacks reported no changes`);
    if (res.code !== 0 || unchanged !== expected.targets.length) {
      failures++;
      console.error(`FAIL: the second deploy should change nothing:\n${res.output.split('\n').slice(-20).join('\n')}`);
    }
  });

  const destroy = async (label: string, more: string[] = []) => step(`cdk destroy --all${more.length ? ` ${more.join(' ')}` : ''}, as the developer`, async () => {
    const res = await cdk(cliArgs('destroy', '--force', ...more), developer, label);
    if (res.code !== 0) throw new Error(`cdk destroy failed:\n${res.output.split('\n').slice(-20).join('\n')}`);
    for (const t of expected.targets) {
      if (await describeStack(admins[t.account], t.stackName)) {
        failures++;
        console.error(`FAIL: ${t.stackName} still exists in ${t.account} after cdk destroy`);
      }
    }
  });
  await destroy('cdk-destroy-developer');

  // A fresh create, not an update: before updating a stack the CLI deletes the change set of its
  // previous deploy, which moto 5.2.5 answers with an internal error.
  const compat = ['-c', 'cdkBootstrapCompatibility=true'];
  await step('cdk deploy --all -c cdkBootstrapCompatibility=true: the CLI checks the version the targets publish', async () => {
    const res = await cdk(cliArgs('deploy', '--require-approval', 'never', ...compat), developer, 'cdk-deploy-developer-compat');
    const stacks = await Promise.all(expected.targets.map((t) => describeStack(admins[t.account], t.stackName)));
    // The version each target publishes, and the one its stack's BootstrapVersion parameter resolved to
    // (AWS: ResolvedValue, the parameter's value being the SSM name; moto: the value itself).
    const published = await Promise.all(expected.targets.map(async (t) =>
      (await awsClient(SSMClient, admins[t.account]).send(new GetParameterCommand({ Name: BOOTSTRAP_VERSION_PARAMETER }))).Parameter?.Value));
    const resolved = stacks.map((st) => {
      const p = st?.Parameters?.find((x) => x.ParameterKey === 'BootstrapVersion');
      return p?.ResolvedValue ?? p?.ParameterValue;
    });
    const checked = resolved.filter((v, i) => v !== undefined && v === published[i]).length;
    console.log(`  exit ${res.code}; ${checked} of ${expected.targets.length} stacks read the version the target publishes in ${BOOTSTRAP_VERSION_PARAMETER} `
      + `(published ${published.join(', ')}; read ${resolved.join(', ')}; status ${stacks.map((st) => st?.StackStatus ?? 'none').join(', ')})`);
    if (res.code !== 0 || checked !== expected.targets.length || stacks.some((st) => st?.StackStatus !== 'CREATE_COMPLETE')) {
      failures++;
      console.error(`FAIL: the deploy with bootstrap compatibility should create both stacks:\n${res.output.split('\n').slice(-20).join('\n')}`);
    }
  });
  await destroy('cdk-destroy-developer-compat', compat);

  console.log(`\n${table(['step', 'time'], timings)}`);
  if (failures > 0) {
    console.error(`FAILED: ${failures} check(s) failed`);
    return 1;
  }
  console.log(`\ncdk deploy through the baseline: ${rows.length} checks passed; no cdk bootstrap in any account.`);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const port = argv[0] === '--port' && argv[1] ? Number(argv[1]) : undefined;
  if (argv.length > 0 && port === undefined) throw new Error(`unexpected arguments ${JSON.stringify(argv)}; allowed: --port N`);
  const started = Date.now();
  const moto = await startMoto(port);
  try {
    return await run(moto);
  } finally {
    await moto.stop();
    console.log(`moto stopped. Total: ${seconds(started)}`);
  }
}

runMain(module, main);
