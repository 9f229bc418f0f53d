/**
 * Where the commands talk to: an account in the emulator (its 12-digit ID as the access key) or
 * an account of real AWS (its named profile). Builds SDK clients and CDK CLI environments.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CloudFormationClient, DescribeStacksCommand, Stack } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { accountNames, AccountName, isAws, Options, ROOT } from './options';

export interface Connection {
  readonly account: string;
  readonly region: string;
  /** The emulator's endpoint, or undefined for real AWS. */
  readonly endpoint?: string;
  /** The named profile, for real AWS. */
  readonly profile?: string;
}

/** Configuration for any SDK v3 client. */
export function clientConfig(c: Connection) {
  return c.endpoint
    ? {
      region: c.region,
      endpoint: c.endpoint,
      credentials: { accessKeyId: c.account, secretAccessKey: 'test' },
      forcePathStyle: true,
      maxAttempts: 2,
    }
    : { region: c.region, profile: c.profile };
}

/** The seed's default account IDs. */
const DEFAULT_ACCOUNTS: Record<AccountName, string> = { cicd: '111111111111', nonprod: '222222222222', prod: '777777777777' };

/**
 * The account ID of every account name the layout uses. In the emulator: the options or the
 * defaults. On AWS: asked of each profile (STS GetCallerIdentity) and checked against the
 * options, so that a profile of the wrong account stops the deploy before it starts.
 */
export async function resolveAccounts(options: Options): Promise<Record<AccountName, string>> {
  const names = accountNames(options.layout);
  const result = { ...DEFAULT_ACCOUNTS };
  if (!isAws(options)) {
    for (const n of names) result[n] = options.accounts[n] ?? DEFAULT_ACCOUNTS[n];
    return result;
  }
  const missing = names.filter((n) => !options.profiles[n]);
  if (missing.length > 0) {
    throw new Error(`the ${options.layout} layout on AWS needs a profile for every account: missing ${missing.map((n) => `--${n}-profile`).join(', ')}`);
  }
  const extra = (Object.keys(options.profiles) as AccountName[]).filter((n) => !names.includes(n));
  if (extra.length > 0) throw new Error(`the ${options.layout} layout has no ${extra.join(', ')} account; drop ${extra.map((n) => `--${n}-profile`).join(', ')}`);
  for (const n of names) {
    const sts = new STSClient({ region: options.region, profile: options.profiles[n] });
    const id = (await sts.send(new GetCallerIdentityCommand({}))).Account!;
    const given = options.accounts[n];
    if (given && given !== id) throw new Error(`--${n}-profile ${options.profiles[n]} is account ${id}, but --${n}-account says ${given}`);
    result[n] = id;
    console.log(`${n}: profile ${options.profiles[n]} is account ${id}`);
  }
  return result;
}

/** Connections by account ID. */
export function connections(options: Options, accounts: Record<AccountName, string>, endpoint?: string): Map<string, Connection> {
  const map = new Map<string, Connection>();
  for (const n of accountNames(options.layout)) {
    map.set(accounts[n], { account: accounts[n], region: options.region, endpoint, profile: options.profiles[n] });
  }
  return map;
}

/** The environment of a CDK CLI process for one account. */
function cliEnv(c: Connection): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_NO_WARNINGS: '1', CDK_DISABLE_CLI_TELEMETRY: 'true' };
  if (c.endpoint) {
    for (const k of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE']) delete env[k];
    Object.assign(env, {
      AWS_ENDPOINT_URL: c.endpoint,
      AWS_ACCESS_KEY_ID: c.account,
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: c.region,
      AWS_DEFAULT_REGION: c.region,
    });
  } else {
    env.AWS_REGION = c.region;
    env.AWS_DEFAULT_REGION = c.region;
  }
  return env;
}

export interface CliResult {
  readonly code: number;
  readonly output: string;
}

export const LOG_DIR = path.join(ROOT, 'cdk.out', 'logs');

/** Runs the CDK CLI of the project for one account; its output goes to `cdk.out/logs/<log>.log`. */
export async function cdk(args: string[], c: Connection, log: string): Promise<CliResult> {
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const bin = path.join(ROOT, 'node_modules', '.bin', 'cdk');
  const full = [...args, '--no-notices', '--no-color', ...(c.profile ? ['--profile', c.profile] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn(bin, full, { cwd: ROOT, env: cliEnv(c), stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.stderr.on('data', (d: Buffer) => chunks.push(d));
    child.once('error', reject);
    child.once('close', (code) => {
      const output = Buffer.concat(chunks).toString('utf-8');
      fs.writeFileSync(path.join(LOG_DIR, `${log}.log`), `$ cdk ${full.join(' ')}\n${output}`);
      resolve({ code: code ?? 1, output });
    });
  });
}

/** The deployed stack, or undefined if there is none (or it was deleted). */
export async function describeStack(c: Connection, stackName: string): Promise<Stack | undefined> {
  const cfn = new CloudFormationClient(clientConfig(c));
  try {
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
    return stack && stack.StackStatus !== 'DELETE_COMPLETE' ? stack : undefined;
  } catch (e) {
    if (/does not exist/.test((e as Error).message)) return undefined;
    throw e;
  }
}

/** Stack outputs as a plain record. */
export function outputsOf(stack: Stack | undefined): Record<string, string> {
  return Object.fromEntries((stack?.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue ?? '']));
}
