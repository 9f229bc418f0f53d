/**
 * The local AWS emulator: MiniStack, installed into a Python virtual environment under
 * `.emulator/`, started on 127.0.0.1 only, and stopped by whoever started it.
 *
 * MiniStack keeps one account per 12-digit access key, so the three accounts of the reference
 * layout are three access keys against one server. With PERSIST_STATE it saves its state on
 * shutdown and reloads it on start, so a second deploy (a new process) sees the first one's
 * stacks and reports no changes, and destroy finds them.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { EMULATOR_DIR } from './options';

/** The version the deploy is verified against (see the README, "The reference app and its deploy command"). */
export const MINISTACK_VERSION = '1.5.33';

const VENV = path.join(EMULATOR_DIR, 'venv');
const PYTHON = path.join(VENV, 'bin', 'python');
const LOG = path.join(EMULATOR_DIR, 'ministack.log');

export interface Emulator {
  readonly endpoint: string;
  readonly port: number;
  readonly version: string;
  stop(): Promise<void>;
}

function installedVersion(): string | undefined {
  if (!fs.existsSync(PYTHON)) return undefined;
  try {
    return execFileSync(PYTHON, ['-c', 'import importlib.metadata as m; print(m.version("ministack"))'], { encoding: 'utf-8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** Installs the pinned MiniStack into `.emulator/venv` unless it is already there. */
export function ensureInstalled(): string {
  const have = installedVersion();
  if (have === MINISTACK_VERSION) return have;
  const started = Date.now();
  console.log(`Installing MiniStack ${MINISTACK_VERSION} into ${path.relative(process.cwd(), VENV)} (was: ${have ?? 'not installed'})`);
  fs.mkdirSync(EMULATOR_DIR, { recursive: true });
  if (!fs.existsSync(PYTHON)) {
    execFileSync(process.env.PYTHON ?? 'python3', ['-m', 'venv', VENV], { stdio: 'inherit' });
  }
  execFileSync(PYTHON, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `ministack==${MINISTACK_VERSION}`], { stdio: 'inherit' });
  console.log(`Installed MiniStack ${MINISTACK_VERSION} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return MINISTACK_VERSION;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
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
  const version = ensureInstalled();
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
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
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
    while (!(await healthy(endpoint))) {
      if (exited) throw new Error(`MiniStack exited while starting; see ${LOG}`);
      if (Date.now() - started > 60_000) throw new Error(`MiniStack did not answer on ${endpoint} within 60 s; see ${LOG}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const addresses = listeningAddresses(child.pid!);
    const exposed = (addresses ?? []).filter((a) => !/^(tcp|udp):(127\.\d+\.\d+\.\d+|::1):/.test(a));
    if (exposed.length > 0) throw new Error(`MiniStack listens beyond the loopback interface: ${exposed.join(', ')}`);
    console.log(`MiniStack ${version} on ${endpoint} (pid ${child.pid}, up in ${((Date.now() - started) / 1000).toFixed(1)} s; listening: ${addresses?.join(', ') ?? 'not checked, no /proc'}; state: ${path.relative(process.cwd(), options.stateDir)})`);
  } catch (e) {
    await stop();
    throw e;
  }
  return { endpoint, port, version, stop };
}
