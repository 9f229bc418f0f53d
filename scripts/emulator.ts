/**
 * The local AWS emulator: MiniStack, installed into a Python virtual environment under
 * `.emulator/`, started on 127.0.0.1 only, and stopped by whoever started it.
 *
 * MiniStack keeps one account per 12-digit access key, so the three accounts of the reference
 * layout are three access keys against one server. With PERSIST_STATE it saves its state on
 * shutdown and reloads it on start, so a second deploy (a new process) sees the first one's
 * stacks and reports no changes, and destroy finds them.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import type { StackInfo } from './assembly';
import { EMULATOR_DIR } from './options';
import { formatMs, runProcessSync } from './process';

/** The version the deploy is verified against (see the README, "The reference app and its deploy command"). */
export const MINISTACK_VERSION = '1.5.33';

const VENV = path.join(EMULATOR_DIR, 'venv');
const PYTHON = path.join(VENV, 'bin', 'python');
const LOG = path.join(EMULATOR_DIR, 'ministack.log');

/** Time limits of the emulator's commands, in milliseconds. */
export const EMULATOR_TIMEOUTS = {
  /** A question to the installed package (its version, its resource types). */
  queryMs: 60_000,
  /** Creating the virtual environment. */
  venvMs: 2 * 60_000,
  /** pip installing MiniStack and its dependencies. */
  installMs: 10 * 60_000,
  /** From start until it answers its health check. */
  startMs: 60_000,
  /** From SIGTERM (it saves its state) until SIGKILL. */
  stopMs: 15_000,
};

export interface Emulator {
  readonly endpoint: string;
  readonly port: number;
  readonly version: string;
  /** The CloudFormation resource types this emulator can create. */
  readonly resourceTypes: ReadonlySet<string>;
  stop(): Promise<void>;
}

function installedVersion(): string | undefined {
  if (!fs.existsSync(PYTHON)) return undefined;
  try {
    return runProcessSync(PYTHON, ['-c', 'import importlib.metadata as m; print(m.version("ministack"))'], {
      what: 'asking the emulator\'s virtual environment for the MiniStack version', timeoutMs: EMULATOR_TIMEOUTS.queryMs,
    }).trim();
  } catch {
    return undefined;
  }
}

/**
 * The CloudFormation resource types the installed MiniStack can create: the keys of its
 * provisioners' handler table, the same table its template check rejects unknown types by.
 */
export function emulatorResourceTypes(python = PYTHON): Set<string> {
  const out = runProcessSync(python, ['-c', 'import json; from ministack.services.cloudformation.provisioners import _RESOURCE_HANDLERS as h; print(json.dumps(sorted(h)))'], {
    what: 'reading the resource types MiniStack supports', timeoutMs: EMULATOR_TIMEOUTS.queryMs,
  });
  const types = JSON.parse(out.trim().split('\n').pop()!) as string[];
  if (!Array.isArray(types) || types.length === 0) throw new Error(`MiniStack reported no CloudFormation resource types: ${out.slice(0, 200)}`);
  return new Set(types);
}

/** Installs the pinned MiniStack into `.emulator/venv` unless it is already there. */
export function ensureInstalled(): string {
  const have = installedVersion();
  if (have === MINISTACK_VERSION) return have;
  const started = Date.now();
  console.log(`Installing MiniStack ${MINISTACK_VERSION} into ${path.relative(process.cwd(), VENV)} (was: ${have ?? 'not installed'})`);
  fs.mkdirSync(EMULATOR_DIR, { recursive: true });
  if (!fs.existsSync(PYTHON)) {
    runProcessSync(process.env.PYTHON ?? 'python3', ['-m', 'venv', VENV], { what: `creating ${VENV}`, timeoutMs: EMULATOR_TIMEOUTS.venvMs, inherit: true });
  }
  runProcessSync(PYTHON, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `ministack==${MINISTACK_VERSION}`], {
    what: `pip install ministack==${MINISTACK_VERSION}`, timeoutMs: EMULATOR_TIMEOUTS.installMs, inherit: true,
  });
  console.log(`Installed MiniStack ${MINISTACK_VERSION} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return MINISTACK_VERSION;
}

/** A port nothing listens on, on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}

/**
 * Fails unless nothing listens on 127.0.0.1:`port`. A MiniStack left running by an earlier
 * command (or anything else) would otherwise answer in place of the one started here.
 */
export async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') {
        reject(new Error(`port ${port} on 127.0.0.1 is already in use (an emulator left running by an earlier command?); `
          + `find it with \`ss -ltnp 'sport = :${port}'\` and stop it, or choose another --port`));
      } else {
        reject(new Error(`cannot check port ${port} on 127.0.0.1: ${e.message}`));
      }
    });
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve()));
  });
}

/**
 * Waits until the emulator answers on `port`, then checks that the answer came from `pid`
 * (the port is among its listening sockets), so that nothing else can stand in for it.
 */
export async function waitForEmulator(
  pid: number, port: number, hasExited: () => boolean, timeoutMs = EMULATOR_TIMEOUTS.startMs,
): Promise<string[] | undefined> {
  const endpoint = `http://127.0.0.1:${port}`;
  const started = Date.now();
  while (!(await healthy(endpoint))) {
    if (hasExited()) throw new Error(`MiniStack exited while starting; see ${LOG}`);
    if (Date.now() - started > timeoutMs) throw new Error(`MiniStack did not answer on ${endpoint} within ${formatMs(timeoutMs)}; see ${LOG}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const addresses = listeningAddresses(pid);
  if (addresses && !addresses.includes(`tcp:127.0.0.1:${port}`)) {
    throw new Error(`something answers on ${endpoint}, but not the emulator started here (pid ${pid} listens on ${addresses.join(', ') || 'nothing'}); `
      + `a leftover emulator? find it with \`ss -ltnp 'sport = :${port}'\``);
  }
  return addresses;
}

async function healthy(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/_ministack/health`, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * The addresses a process listens on, from /proc (Linux). Returns undefined where /proc is not
 * available. Used to prove that the emulator listens on the loopback interface only.
 */
export function listeningAddresses(pid: number): string[] | undefined {
  try {
    const inodes = new Set<string>();
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]);
      } catch {
        // the descriptor closed meanwhile
      }
    }
    const found: string[] = [];
    for (const [file, v6] of [['/proc/net/tcp', false], ['/proc/net/tcp6', true], ['/proc/net/udp', false], ['/proc/net/udp6', true]] as const) {
      if (!fs.existsSync(file)) continue;
      const proto = file.includes('udp') ? 'udp' : 'tcp';
      for (const line of fs.readFileSync(file, 'utf-8').split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        if (cols.length < 10 || !inodes.has(cols[9])) continue;
        // TCP: only LISTEN (0A); UDP: every bound socket (07 = unconnected).
        if (proto === 'tcp' && cols[3] !== '0A') continue;
        const [hexAddr, hexPort] = cols[1].split(':');
        found.push(`${proto}:${v6 ? ipv6(hexAddr) : ipv4(hexAddr)}:${parseInt(hexPort, 16)}`);
      }
    }
    return found;
  } catch {
    return undefined;
  }
}

function ipv4(hex: string): string {
  return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
}

function ipv6(hex: string): string {
  if (hex === '00000000000000000000000001000000') return '::1';
  if (/^0{32}$/.test(hex)) return '::';
  return `[${hex}]`;
}

export interface StartOptions {
  readonly stateDir: string;
  readonly fresh?: boolean;
  readonly port?: number;
}

/**
 * Installs if needed, starts MiniStack on 127.0.0.1, waits until it answers, and checks that
 * it listens nowhere but on the loopback interface. The caller must `stop()` it (in `finally`);
 * Ctrl-C and SIGTERM stop it too.
 */
export async function startEmulator(startOptions: StartOptions): Promise<Emulator> {
  let options = startOptions;
  // Before anything else: a given port must be free, not served by a leftover emulator.
  if (options.port !== undefined) await assertPortFree(options.port);
  const version = ensureInstalled();
  const resourceTypes = emulatorResourceTypes();
  // MiniStack runs in .emulator/; a relative state directory would land under it.
  options = { ...options, stateDir: path.resolve(options.stateDir) };
  if (options.fresh) fs.rmSync(options.stateDir, { recursive: true, force: true });
  fs.mkdirSync(options.stateDir, { recursive: true });
  const tmp = path.join(EMULATOR_DIR, 'tmp');
  fs.mkdirSync(tmp, { recursive: true });
  const port = options.port ?? await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const log = fs.openSync(LOG, 'a');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: process.env.LANG,
    // Listen on the loopback interface only; no IoT MQTT/TLS and no SFTP listeners.
    BIND_HOST: '127.0.0.1',
    MINISTACK_HOST: '127.0.0.1',
    GATEWAY_PORT: String(port),
    IOT_MTLS_ENABLED: '0',
    SFTP_ENABLED: '0',
    // Keep the accounts' state between runs, under the project.
    PERSIST_STATE: '1',
    STATE_DIR: options.stateDir,
    TMPDIR: tmp,
    LOG_LEVEL: 'WARNING',
  };
  const started = Date.now();
  const child: ChildProcess = spawn(PYTHON, ['-m', 'ministack'], { cwd: EMULATOR_DIR, env, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    resolve();
  }));

  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    if (!stopping) {
      stopping = (async () => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        process.off('exit', onExit);
        if (exited) return;
        // SIGTERM lets MiniStack save its state before it exits.
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), EMULATOR_TIMEOUTS.stopMs);
        await exitedPromise;
        clearTimeout(timer);
      })();
    }
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: stopping the emulator`);
    void stop().then(() => process.exit(130));
  };
  const onExit = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', onExit);

  try {
    const addresses = await waitForEmulator(child.pid!, port, () => exited);
    const exposed = (addresses ?? []).filter((a) => !/^(tcp|udp):(127\.\d+\.\d+\.\d+|::1):/.test(a));
    if (exposed.length > 0) throw new Error(`MiniStack listens beyond the loopback interface: ${exposed.join(', ')}`);
    console.log(`MiniStack ${version} on ${endpoint} (pid ${child.pid}, up in ${((Date.now() - started) / 1000).toFixed(1)} s; listening: ${addresses?.join(', ') ?? 'not checked, no /proc'}; state: ${path.relative(process.cwd(), options.stateDir)})`);
  } catch (e) {
    await stop();
    throw e;
  }
  return { endpoint, port, version, resourceTypes, stop };
}

/** The resource types of a template that the emulator cannot create (condition-guarded ones included). */
export function unsupportedTypes(template: any, supported: ReadonlySet<string>): string[] {
  const types = new Set(Object.values<any>(template?.Resources ?? {}).map((r) => String(r.Type)));
  return [...types].filter((t) => !supported.has(t) && !t.startsWith('Custom::')).sort();
}

/**
 * Whether the emulator can take a stack. Only the sample pipeline may be skipped, and only
 * because of the resource types in its template that the emulator lacks, named exactly; any
 * other stack with such types is an error, as is a pipeline asked for with `--pipeline`.
 */
export function emulatorPlan(
  stack: StackInfo, supported: ReadonlySet<string>, pipelineRequested: boolean,
): { skip: false } | { skip: true; lacking: string[] } {
  const lacking = unsupportedTypes(stack.template, supported);
  if (lacking.length === 0) return { skip: false };
  if (stack.kind !== 'pipeline' || pipelineRequested) {
    throw new Error(`${stack.name} cannot be deployed into the emulator: it lacks ${lacking.join(', ')}`
      + (stack.kind === 'pipeline' ? ' (drop --pipeline to skip the sample pipeline there)' : ''));
  }
  return { skip: true, lacking };
}
