/**
 * The access matrix: every case of test/access-matrix/cases.ts evaluated by an offline IAM
 * policy engine (@cloud-copilot/iam-simulate, a test-only dependency) over the policies of the
 * reference app as they would deploy (key policy, bucket policies, trust policies, identity
 * policies), in each mode. The README's table is generated from the same cases.
 */
import * as fs from 'fs';
import * as path from 'path';
import { renderMatrix, replaceMatrix } from '../scripts/access-matrix';
import { ACCESS_MATRIX_CASES, AccessCase, CICD, Mode, MODES } from './access-matrix/cases';
import { buildWorld, evaluate, World } from './access-matrix/world';

const worlds = new Map<Mode, World>();
function world(mode: Mode): World {
  if (!worlds.has(mode)) {
    worlds.set(mode, buildWorld(mode));
  }
  return worlds.get(mode)!;
}

describe('access matrix', () => {
  // Synthesizing the reference app in every mode takes longer than one case's timeout.
  beforeAll(() => MODES.forEach(world), 120_000);

  test.each(ACCESS_MATRIX_CASES.map((c): [string, AccessCase] => [`${c.id} ${c.description}`, c]))('%s', async (_, c) => {
    const result = await evaluate(world(c.mode), c);
    // Every context key given must be one the engine applies to the action, or the case tests nothing.
    expect(result.ignoredContextKeys).toEqual([]);
    expect(result.decision).toBe(c.expected);
  });

  test('at least 40 cases, in every mode', () => {
    expect(ACCESS_MATRIX_CASES.length).toBeGreaterThanOrEqual(40);
    for (const mode of MODES) {
      expect(ACCESS_MATRIX_CASES.filter((c) => c.mode === mode).length).toBeGreaterThan(0);
    }
    expect(new Set(ACCESS_MATRIX_CASES.map((c) => c.id)).size).toBe(ACCESS_MATRIX_CASES.length);
  });

  test('single-account mode: the key and bucket policies name no other account', () => {
    const single = world('single');
    const text = JSON.stringify([single.keyPolicy, ...Object.values(single.bucketPolicies)]);
    const accounts = new Set(text.match(/\d{12}/g));
    expect([...accounts]).toEqual([CICD]);
  });

  test('the README holds the table the cases render to (run `npx projen docs:matrix`)', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    expect(replaceMatrix(readme, renderMatrix(ACCESS_MATRIX_CASES))).toBe(readme);
  });
});
