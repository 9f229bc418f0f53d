/**
 * moto in server mode, the emulator of the `cdk deploy` test: installed into its own Python
 * virtual environment under `.emulator/`, started on 127.0.0.1 only, stopped by whoever started it.
 *
 * Why moto here and MiniStack for the baseline's deploy: the `cdk deploy` test needs a session
 * of a role in another account to act in that account, and CloudFormation in a target account to
 * read a template from a bucket of the CICD account. moto does both; MiniStack (1.5.33) lands the
 * session in the right account but its CloudFormation looks for the template's bucket in the
 * caller's own account only (README, "cdk deploy from a developer machine").
 *
 * Accounts: moto puts a request in the account of the role whose session signed it (the role
 * need not exist), or of the IAM user whose access key signed it; anything else lands in
 * 123456789012. So an administrator of each account is a session of
 * `OrganizationAccountAccessRole` in it, and a developer is an IAM user of the CICD account.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { awsClient, Connection, Credentials } from './aws';
import { assertPortFree, freePort, listeningAddresses } from './emulator';
import { EMULATOR_DIR } from './options';
import { formatMs, runProcessSync } from './process';

/** The version the `cdk deploy` test is verified against. */
export const MOTO_VERSION = '5.2.5';

const VENV = path.join(EMULATOR_DIR, 'moto-venv');
const PYTHON = path.join(VENV, 'bin', 'python');
const SERVER = path.join(VENV, 'bin', 'moto_server');
const LOG = path.join(EMULATOR_DIR, 'moto.log');

/** Time limits, in milliseconds. */
export const MOTO_TIMEOUTS = {
  queryMs: 60_000,
  venvMs: 2 * 60_000,
  installMs: 10 * 60_000,
  startMs: 60_000,
  stopMs: 10_000,
};

/**
 * The role whose session stands for an account's administrator in moto (AWS Organizations
 * creates a role of this name in every member account). moto lets any caller assume any role,
 * existing or not: the session is all that says which account a request is in.
 */
export const ACCOUNT_ADMIN_ROLE = 'OrganizationAccountAccessRole';

export interface MotoServer {
  /**
   * `http://localhost:PORT`, not `127.0.0.1`: moto's CloudFormation reads a `TemplateURL` as
   * path-style (bucket in the path) only when the URL says `localhost`, and the CDK CLI builds
   * template URLs from the endpoint. The server itself listens on 127.0.0.1 only.
   */
  readonly endpoint: string;
  readonly port: number;
  readonly version: string;
  stop(): Promise<void>;
}

function installedVersion(): string | undefined {
  if (!fs.existsSync(PYTHON)) return undefined;
  try {
    return runProcessSync(PYTHON, ['-c', 'import importlib.metadata as m; print(m.version("moto"))'], {
      what: 'asking moto\'s virtual environment for its version', timeoutMs: MOTO_TIMEOUTS.queryMs,
    }).trim();
  } catch {
    return undefined;
  }
}

/** Installs the pinned moto server into `.emulator/moto-venv` unless it is already there. */
export function ensureMotoInstalled(): string {
  const have = installedVersion();
  if (have === MOTO_VERSION) return have;
  const started = Date.now();
  console.log(`Installing moto[server] ${MOTO_VERSION} into ${path.relative(process.cwd(), VENV)} (was: ${have ?? 'not installed'})`);
  fs.mkdirSync(EMULATOR_DIR, { recursive: true });
  if (!fs.existsSync(PYTHON)) {
    runProcessSync(process.env.PYTHON ?? 'python3', ['-m', 'venv', VENV], { what: `creating ${VENV}`, timeoutMs: MOTO_TIMEOUTS.venvMs, inherit: true });
  }
  runProcessSync(PYTHON, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `moto[server]==${MOTO_VERSION}`], {
    what: `pip install moto[server]==${MOTO_VERSION}`, timeoutMs: MOTO_TIMEOUTS.installMs, inherit: true,
  });
  console.log(`Installed moto ${MOTO_VERSION} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return MOTO_VERSION;
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

/**
 * Installs if needed and starts a moto server with empty state on 127.0.0.1; checks that the
 * process started here is what answers, and that it listens on the loopback interface only.
 * The caller must `stop()` it (in `finally`); the end of this process stops it too.
 */
export async function startMoto(port?: number): Promise<MotoServer> {
  if (port !== undefined) await assertPortFree(port);
  const version = ensureMotoInstalled();
  const chosen = port ?? await freePort();
  const log = fs.openSync(LOG, 'w');
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: process.env.LANG };
  const started = Date.now();
  const child: ChildProcess = spawn(SERVER, ['-H', '127.0.0.1', '-p', String(chosen)], { cwd: EMULATOR_DIR, env, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    resolve();
  }));
  const onExit = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.on('exit', onExit);
  const stop = async (): Promise<void> => {
    process.off('exit', onExit);
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), MOTO_TIMEOUTS.stopMs);
    await exitedPromise;
    clearTimeout(timer);
  };
  try {
    const probe = `http://127.0.0.1:${chosen}/moto-api/`;
    while (!(await answers(probe))) {
      if (exited) throw new Error(`moto exited while starting; see ${LOG}`);
      if (Date.now() - started > MOTO_TIMEOUTS.startMs) throw new Error(`moto did not answer on ${probe} within ${formatMs(MOTO_TIMEOUTS.startMs)}; see ${LOG}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const addresses = listeningAddresses(child.pid!);
    if (addresses && !addresses.includes(`tcp:127.0.0.1:${chosen}`)) {
      throw new Error(`something answers on port ${chosen}, but not the moto server started here (pid ${child.pid} listens on ${addresses.join(', ') || 'nothing'})`);
    }
    const exposed = (addresses ?? []).filter((a) => !/^(tcp|udp):(127\.\d+\.\d+\.\d+|::1):/.test(a));
    if (exposed.length > 0) throw new Error(`moto listens beyond the loopback interface: ${exposed.join(', ')}`);
    console.log(`moto ${version} on 127.0.0.1:${chosen} (pid ${child.pid}, up in ${((Date.now() - started) / 1000).toFixed(1)} s; listening: ${addresses?.join(', ') ?? 'not checked, no /proc'})`);
  } catch (e) {
    await stop();
    throw e;
  }
  return { endpoint: `http://localhost:${chosen}`, port: chosen, version, stop };
}

/**
 * A session of `ACCOUNT_ADMIN_ROLE` in `account`, checked with GetCallerIdentity: an emulator
 * that put the session in another account would fail here, not in a later check.
 */
export async function adminCredentials(endpoint: string, region: string, account: string): Promise<Credentials> {
  const bootstrap = { account, region, endpoint, credentials: { accessKeyId: 'emulator-admin', secretAccessKey: 'test' } };
  const res = await awsClient(STSClient, bootstrap).send(new AssumeRoleCommand({
    RoleArn: `arn:aws:iam::${account}:role/${ACCOUNT_ADMIN_ROLE}`, RoleSessionName: 'baseline-admin',
  }));
  const session = res.Credentials!;
  const credentials = { accessKeyId: session.AccessKeyId!, secretAccessKey: session.SecretAccessKey!, sessionToken: session.SessionToken! };
  // A copy for the check: the SDK marks the credentials object it signs with.
  await expectAccount({ ...bootstrap, credentials: { ...credentials } }, account, `a session of ${ACCOUNT_ADMIN_ROLE}`);
  return credentials;
}

/** Fails unless the connection's credentials act in `account`. */
export async function expectAccount(c: Connection, account: string, who: string): Promise<string> {
  const me = await awsClient(STSClient, c).send(new GetCallerIdentityCommand({}));
  if (me.Account !== account) throw new Error(`${who} should act in account ${account}, but the emulator says ${me.Account} (${me.Arn})`);
  return me.Arn!;
}
