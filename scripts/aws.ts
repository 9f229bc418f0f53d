/**
 * Where the commands talk to: an account in the emulator (its 12-digit ID as the access key) or
 * an account of real AWS (its named profile). Builds SDK clients and CDK CLI environments.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CloudFormationClient, DescribeStacksCommand, Stack } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { accountNames, AccountName, isAws, Options, ROOT } from './options';
import { formatMs, runProcess } from './process';

export interface Connection {
  readonly account: string;
  readonly region: string;
  /** The emulator's endpoint, or undefined for real AWS. */
  readonly endpoint?: string;
  /** The named profile, for real AWS. */
  readonly profile?: string;
  /**
   * Credentials for the emulator, when the account is not named by its access key (moto:
   * a session of a role in the account). @default the account ID as the access key (MiniStack)
   */
  readonly credentials?: Credentials;
}

/** AWS credentials: static, or a role session's (with its token). */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** The credentials an emulator connection signs with. */
export function emulatorCredentials(c: Connection): Credentials {
  return c.credentials ?? { accessKeyId: c.account, secretAccessKey: 'test' };
}

/**
 * Time limits, in milliseconds. An AWS call (with its retries) that takes longer fails with a
 * message naming the service, the call and the endpoint; a CDK CLI command that takes longer
 * is stopped with everything it started.
 */
export const TIMEOUTS = {
  /** One SDK call, retries included: the emulator answers in milliseconds. */
  emulatorCallMs: 30_000,
  awsCallMs: 120_000,
  /** One CDK CLI command (a deploy waits for CloudFormation). */
  emulatorCdkMs: 5 * 60_000,
  awsCdkMs: 60 * 60_000,
};

/** Configuration for any SDK v3 client; the request handler stops a request that does not answer. */
export function clientConfig(c: Connection, timeoutMs = c.endpoint ? TIMEOUTS.emulatorCallMs : TIMEOUTS.awsCallMs) {
  const requestHandler = { connectionTimeout: Math.min(timeoutMs, 10_000), requestTimeout: timeoutMs, throwOnRequestTimeout: true };
  return c.endpoint
    ? {
      region: c.region,
      endpoint: c.endpoint,
      credentials: emulatorCredentials(c),
      forcePathStyle: true,
      maxAttempts: 2,
      requestHandler,
    }
    : { region: c.region, profile: c.profile, requestHandler };
}

/** An SDK call that did not answer in time. */
export class AwsCallTimeout extends Error {
  constructor(readonly call: string, where: string, timeoutMs: number) {
    super(`${call} to ${where} did not answer within ${formatMs(timeoutMs)}`);
    this.name = 'AwsCallTimeout';
  }
}

interface SdkClient {
  readonly middlewareStack: { add(middleware: any, options: any): void };
}

/**
 * An SDK v3 client for one connection whose every call (retries included) ends within
 * `timeoutMs`, or fails with `AwsCallTimeout` naming the call (`CloudFormation.DescribeStacks`)
 * and where it went.
 */
export function awsClient<T extends SdkClient>(
  Client: new (config: any) => T, c: Connection, timeoutMs = c.endpoint ? TIMEOUTS.emulatorCallMs : TIMEOUTS.awsCallMs,
): T {
  const client = new Client(clientConfig(c, timeoutMs));
  const where = c.endpoint ? `the emulator at ${c.endpoint} (account ${c.account})` : `AWS (profile ${c.profile ?? 'default'}, ${c.region})`;
  client.middlewareStack.add((next: (args: any) => Promise<any>, context: { clientName?: string; commandName?: string }) => (args: any) => {
    const call = `${(context.clientName ?? 'AWS').replace(/Client$/, '')}.${(context.commandName ?? 'call').replace(/Command$/, '')}`;
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AwsCallTimeout(call, where, timeoutMs)), timeoutMs);
    });
    return Promise.race([next(args), limit]).then(
      (r) => { clearTimeout(timer); return r; },
      (e) => {
        clearTimeout(timer);
        // The request handler's own timeout, if it fires first, says the same thing.
        if ((e as Error).name === 'TimeoutError') throw new AwsCallTimeout(call, where, timeoutMs);
        throw e;
      },
    );
  }, { step: 'initialize', name: 'cicdCallTimeout' });
  return client;
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
    const sts = awsClient(STSClient, { account: options.accounts[n] ?? n, region: options.region, profile: options.profiles[n] });
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

/**
 * The connection for a stack: its account's, in the stack's own region when the stack names
 * one (a store of another region, `--regions`), else the account's.
 */
export function connectionFor(
  conns: Map<string, Connection>, stack: { readonly name: string; readonly account: string; readonly region: string },
): Connection {
  const c = conns.get(stack.account);
  if (!c) throw new Error(`no credentials for account ${stack.account} of stack ${stack.name}`);
  return /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/.test(stack.region) && stack.region !== c.region ? { ...c, region: stack.region } : c;
}

/** The environment of a CDK CLI process for one account. */
export function cliEnv(c: Connection): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_NO_WARNINGS: '1', CDK_DISABLE_CLI_TELEMETRY: 'true' };
  if (c.endpoint) {
    for (const k of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE']) delete env[k];
    const credentials = emulatorCredentials(c);
    Object.assign(env, {
      AWS_ENDPOINT_URL: c.endpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: c.region,
      AWS_DEFAULT_REGION: c.region,
    });
    if (credentials.sessionToken) env.AWS_SESSION_TOKEN = credentials.sessionToken;
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

/**
 * Runs the CDK CLI of the project for one account; its output goes to `cdk.out/logs/<log>.log`.
 * Rejects with `ProcessTimeout` (the CLI and its children stopped) after `timeoutMs`.
 */
export async function cdk(
  args: string[], c: Connection, log: string, timeoutMs = c.endpoint ? TIMEOUTS.emulatorCdkMs : TIMEOUTS.awsCdkMs,
): Promise<CliResult> {
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const bin = path.join(ROOT, 'node_modules', '.bin', 'cdk');
  const full = [...args, '--no-notices', '--no-color', ...(c.profile ? ['--profile', c.profile] : [])];
  return runProcess(bin, full, {
    what: `cdk ${args.slice(0, 2).join(' ')} (account ${c.account})`,
    timeoutMs,
    cwd: ROOT,
    env: cliEnv(c),
    log: path.join(LOG_DIR, `${log}.log`),
  });
}

/** The deployed stack, or undefined if there is none (or it was deleted). */
export async function describeStack(c: Connection, stackName: string): Promise<Stack | undefined> {
  return describeStackWith(awsClient(CloudFormationClient, c), stackName);
}

/** The deployed stack, asked of a given CloudFormation client, or undefined if there is none. */
export async function describeStackWith(cfn: CloudFormationClient, stackName: string): Promise<Stack | undefined> {
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
