import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ProcessTimeout, runProcess, runProcessSync } from '../../scripts/process';

const NODE = process.execPath;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(fn: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (fn()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return fn();
}

describe('runProcess', () => {
  test('passes through the exit code and the output', async () => {
    // WHEN
    const res = await runProcess(NODE, ['-e', 'console.log("out"); console.error("err"); process.exit(3)'], { what: 'a short command', timeoutMs: 10_000 });
    // THEN
    expect(res.code).toBe(3);
    expect(res.output).toContain('out');
    expect(res.output).toContain('err');
  });

  test('a command that never exits is stopped, with its children, and the error says which and after how long', async () => {
    // GIVEN: a command that starts a child of its own, prints the child's pid, and never exits
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cicd-process-'));
    const log = path.join(dir, 'hang.log');
    const script = `const c = require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      console.log('grandchild ' + c.pid); setInterval(() => {}, 1000);`;
    // WHEN
    const started = Date.now();
    const err = await runProcess(NODE, ['-e', script], { what: 'a command that hangs', timeoutMs: 700, killAfterMs: 300, log }).then(() => undefined, (e) => e);
    // THEN
    expect(err).toBeInstanceOf(ProcessTimeout);
    expect(err.message).toBe(`a command that hangs did not finish within 700 ms and was stopped; its output so far is in ${log}`);
    expect(Date.now() - started).toBeLessThan(5_000);
    const grandchild = Number(/grandchild (\d+)/.exec(err.output)?.[1]);
    expect(grandchild).toBeGreaterThan(0);
    expect(await waitUntil(() => !alive(grandchild), 3_000)).toBe(true);
    expect(fs.readFileSync(log, 'utf-8')).toMatch(/grandchild \d+/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a command that cannot start says which command', async () => {
    const err = await runProcess('/nonexistent/command', [], { what: 'the missing tool', timeoutMs: 1_000 }).then(() => undefined, (e) => e);
    expect(err?.message).toMatch(/^the missing tool: cannot run \/nonexistent\/command/);
  });
});

describe('runProcessSync', () => {
  test('a command that never exits fails after its time limit, naming the command', () => {
    const started = Date.now();
    expect(() => runProcessSync(NODE, ['-e', 'setInterval(() => {}, 1000)'], { what: 'a query that hangs', timeoutMs: 500 }))
      .toThrow(/^a query that hangs did not finish within 500 ms and was stopped$/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('a failing command names itself, its exit code and the end of its stderr', () => {
    expect(() => runProcessSync(NODE, ['-e', 'console.error("broken venv"); process.exit(2)'], { what: 'asking the version', timeoutMs: 10_000 }))
      .toThrow(/^asking the version failed \(exit 2\): broken venv$/);
  });

  test('returns stdout', () => {
    expect(runProcessSync(NODE, ['-e', 'console.log("1.5.33")'], { what: 'v', timeoutMs: 10_000 }).trim()).toBe('1.5.33');
  });
});
