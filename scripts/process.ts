/**
 * Child processes that cannot hang: every command the scripts run has a time limit, after which
 * the command and everything it started are stopped and the caller gets an error that says
 * which command, after how long, and where its output is.
 */
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';

export interface ProcessResult {
  readonly code: number;
  /** stdout and stderr, interleaved as they came (empty when the output is inherited). */
  readonly output: string;
}

export interface RunOptions {
  /** What the command does, for messages ("cdk deploy cicd-artifact-store (account 111111111111)"). */
  readonly what: string;
  /** The time limit in milliseconds. */
  readonly timeoutMs: number;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Write the output here as well (created or replaced when the command ends). */
  readonly log?: string;
  /** Pass the output through to this process's terminal instead of capturing it. */
  readonly inherit?: boolean;
  /** After SIGTERM, wait this long before SIGKILL. @default 5000 */
  readonly killAfterMs?: number;
}

/** A command that did not finish within its time limit. */
export class ProcessTimeout extends Error {
  constructor(what: string, timeoutMs: number, readonly output: string, log?: string) {
    super(`${what} did not finish within ${formatMs(timeoutMs)} and was stopped${log ? `; its output so far is in ${log}` : ''}`);
    this.name = 'ProcessTimeout';
  }
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${+(ms / 1000).toFixed(1)} s`;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // The command runs in its own process group, so its children (the CDK CLI's node
    // processes, pip's builds) are stopped with it.
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Runs a command in its own process group with a time limit. Resolves with its exit code and
 * output; rejects with `ProcessTimeout` when the limit passes (after stopping the whole group),
 * or with the spawn error when the command cannot start.
 */
export function runProcess(file: string, args: string[], options: RunOptions): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: options.inherit ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdout?.on('data', (d: Buffer) => chunks.push(d));
    child.stderr?.on('data', (d: Buffer) => chunks.push(d));
    const output = () => Buffer.concat(chunks).toString('utf-8');
    const writeLog = () => {
      if (options.log) fs.writeFileSync(options.log, `$ ${[file, ...args].join(' ')}\n${output()}`);
    };
    // This process ending (Ctrl-C, an error elsewhere) must not leave the group running.
    const onExit = () => killGroup(child.pid!, 'SIGKILL');
    process.on('exit', onExit);
    let timedOut = false;
    let killer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid!, 'SIGTERM');
      killer = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), options.killAfterMs ?? 5000);
    }, options.timeoutMs);
    const done = () => {
      clearTimeout(timer);
      if (killer) clearTimeout(killer);
      process.off('exit', onExit);
    };
    child.once('error', (e) => {
      done();
      reject(new Error(`${options.what}: cannot run ${file}: ${e.message}`));
    });
    child.once('close', (code) => {
      done();
      // Whatever the command left behind in its group goes with it.
      killGroup(child.pid!, 'SIGKILL');
      writeLog();
      if (timedOut) reject(new ProcessTimeout(options.what, options.timeoutMs, output(), options.log));
      else resolve({ code: code ?? 1, output: output() });
    });
  });
}

/**
 * Runs a short command synchronously with a time limit and returns its stdout; throws an error
 * that names the command on a timeout or a non-zero exit.
 */
export function runProcessSync(file: string, args: string[], options: { what: string; timeoutMs: number; inherit?: boolean; cwd?: string }): string {
  try {
    return execFileSync(file, args, {
      cwd: options.cwd,
      encoding: 'utf-8',
      timeout: options.timeoutMs,
      killSignal: 'SIGKILL',
      stdio: options.inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    }) ?? '';
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { signal?: string; status?: number; stderr?: string };
    if (err.code === 'ETIMEDOUT') throw new ProcessTimeout(options.what, options.timeoutMs, '');
    const stderr = err.stderr ? `: ${String(err.stderr).trim().split('\n').slice(-5).join('\n')}` : '';
    throw new Error(`${options.what} failed (${err.status !== undefined && err.status !== null ? `exit ${err.status}` : err.signal ?? err.code ?? 'error'})${stderr}`);
  }
}
