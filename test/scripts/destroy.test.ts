import * as fs from 'fs';
import { baselineAssembly } from './baseline-assembly';
import { deletionOrder } from '../../scripts/destroy';

describe('destroy deletes the sample application before the roles it was deployed through', () => {
  test.each([
    ['three-account', [], ['222222222222', '777777777777']],
    ['single', ['--layout', 'single'], ['111111111111']],
  ])('%s layout', (_, argv, targetAccounts) => {
    // GIVEN
    const asm = baselineAssembly(`destroy-${argv.length}`, argv as string[]);
    // WHEN
    const order = deletionOrder(asm).map((s) => `${s.kind}:${s.name}@${s.account}`);
    fs.rmSync(asm.dir, { recursive: true, force: true });
    // THEN: the sample app in every target account first, then the reverse of the deploy
    const sampleApps = targetAccounts.map((a) => `sample-app:cicd-sample-app@${a}`);
    expect(order.slice(0, sampleApps.length)).toEqual(sampleApps);
    const kinds = order.map((o) => o.split(':')[0]);
    expect(kinds.slice(sampleApps.length)).toEqual([
      'pipeline', 'settings', ...targetAccounts.map(() => 'target'), 'store',
    ]);
    for (const a of targetAccounts) {
      expect(order.indexOf(`sample-app:cicd-sample-app@${a}`)).toBeLessThan(order.findIndex((o) => o.startsWith('target:') && o.endsWith(`@${a}`)));
    }
  });
});
