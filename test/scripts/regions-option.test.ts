import { baselineAssembly } from './baseline-assembly';
import { connectionFor } from '../../scripts/aws';
import { parseOptions } from '../../scripts/options';

test('--regions adds a store stack in each other region, deployed as a store, in the CICD account', () => {
  expect(parseOptions(['--regions', 'eu-west-1,us-east-1']).regions).toBe('eu-west-1,us-east-1');
  const asm = baselineAssembly('regions-two', ['--regions', 'eu-west-1,us-east-1']);
  const stores = asm.stacks.filter((s) => s.kind === 'store');
  expect(stores.map((s) => [s.name, s.account, s.region])).toEqual([
    ['cicd-artifact-store', '111111111111', 'eu-west-1'],
    ['cicd-artifact-store-us-east-1', '111111111111', 'us-east-1'],
  ]);
  // Stores are deployed before the targets, whatever their region.
  const names = asm.stacks.map((s) => s.name);
  expect(names.indexOf('cicd-artifact-store-us-east-1')).toBeLessThan(names.indexOf('cicd-target-roles-nonprod'));
});

test('without it, there is one store stack', () => {
  expect(parseOptions([]).regions).toBeUndefined();
  expect(baselineAssembly('regions-one', []).stacks.filter((s) => s.kind === 'store').map((s) => s.name)).toEqual(['cicd-artifact-store']);
});

describe('a stack is reached in its own region', () => {
  const conns = new Map([['111111111111', { account: '111111111111', region: 'eu-west-1', endpoint: 'http://127.0.0.1:4566' }]]);

  test('a stack of another region gets its account\'s connection in that region', () => {
    const c = connectionFor(conns, { name: 'cicd-artifact-store-us-east-1', account: '111111111111', region: 'us-east-1' });
    expect(c).toEqual({ account: '111111111111', region: 'us-east-1', endpoint: 'http://127.0.0.1:4566' });
  });

  test('a stack of the account\'s region, or of no concrete region, gets the account\'s connection', () => {
    expect(connectionFor(conns, { name: 'a', account: '111111111111', region: 'eu-west-1' })).toBe(conns.get('111111111111'));
    expect(connectionFor(conns, { name: 'b', account: '111111111111', region: 'unknown-region' })).toBe(conns.get('111111111111'));
  });

  test('an account without credentials is named with its stack', () => {
    expect(() => connectionFor(conns, { name: 'cicd-sample-app', account: 'unknown-account', region: 'unknown-region' }))
      .toThrow('no credentials for account unknown-account of stack cicd-sample-app');
  });
});
