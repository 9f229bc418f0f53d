/**
 * The deploy test: in the emulator, from empty state, for the three-account and the single-account
 * layouts, both with role-ID narrowing (the path with the most steps), runs the real commands one after another:
 *
 *   deploy (creates; reads back)  →  deploy --expect-no-changes  →  readback  →  verify  →  destroy
 *
 * Each command starts and stops its own emulator; the emulator's saved state carries the
 * accounts from one to the next. Exits non-zero on the first failure.
 */
import * as path from 'path';
import { EMULATOR_DIR, ROOT } from './options';
import { runProcess } from './process';
import { seconds, table } from './table';

const scenarios: Array<{ name: string; args: string[] }> = [
  { name: 'three-account, role-ids, container images', args: ['--narrowing', 'role-ids', '--image-repositories', 'sample-app', '--sample-app'] },
  { name: 'single-account, role-ids, two regions', args: ['--layout', 'single', '--narrowing', 'role-ids', '--regions', 'eu-west-1,us-east-1'] },
];

/** One command of a scenario may take this long (the emulator answers in seconds). */
const STEP_TIMEOUT_MS = 15 * 60_000;

async function run(script: string, args: string[]): Promise<number> {
  const tsNode = path.join(ROOT, 'node_modules', '.bin', 'ts-node');
  console.log(`\n$ ts-node scripts/${script}.ts ${args.join(' ')}`);
  try {
    const res = await runProcess(tsNode, ['--project', 'tsconfig.dev.json', '--transpile-only', `scripts/${script}.ts`, ...args], {
      what: `scripts/${script}.ts ${args.join(' ')}`,
      timeoutMs: STEP_TIMEOUT_MS,
      // SIGTERM first: the command stops its emulator, which saves its state.
      killAfterMs: 30_000,
      cwd: ROOT,
      inherit: true,
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    });
    return res.code;
  } catch (e) {
    console.error(`FAILED: ${(e as Error).message}`);
    return 1;
  }
}

async function main(): Promise<boolean> {
  const timings: string[][] = [];
  let failed = false;
  for (const s of scenarios) {
    const state = ['--state-dir', path.join(EMULATOR_DIR, `test-state-${s.args.join('').replace(/\W/g, '')}`)];
    const steps: Array<[string, string, string[]]> = [
      ['deploy (first)', 'deploy', [...s.args, ...state, '--fresh']],
      ['deploy (second, no changes)', 'deploy', [...s.args, ...state, '--expect-no-changes', '--no-readback']],
      ['readback', 'readback', [...s.args, ...state]],
      ['verify', 'verify', [...s.args, ...state]],
      ['destroy', 'destroy', [...s.args, ...state]],
    ];
    for (const [label, script, args] of steps) {
      const started = Date.now();
      const code = await run(script, args);
      timings.push([s.name, label, seconds(started), code === 0 ? 'ok' : `FAILED (exit ${code})`]);
      if (code !== 0) {
        failed = true;
        break;
      }
    }
    if (failed) break;
  }
  console.log(`\n${table(['scenario', 'step', 'time', 'result'], timings)}`);
  return !failed;
}

main().then((ok) => process.exit(ok ? 0 : 1), (e) => {
  console.error(`FAILED: ${(e as Error).message}`);
  process.exit(1);
});
