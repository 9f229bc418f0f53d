import { largestN, succeeds } from '../scripts/largest-n';

describe('the search for the largest N (scripts/largest-n.ts)', () => {
  test.each([1, 2, 37, 64, 65, 1000])('finds %d', (limit) => {
    const tried: number[] = [];
    expect(largestN((n) => {
      tried.push(n);
      return n <= limit;
    })).toBe(limit);
    // doubling then bisecting: a few dozen tries, not N
    expect(tried.length).toBeLessThan(30);
  });

  test('N that does not matter is unbounded', () => {
    expect(largestN(() => true, 1, 4096)).toBe(Infinity);
  });

  test('nothing fitting is an error, not N = 0', () => {
    expect(() => largestN(() => false, 100)).toThrow(/nothing fits, not even N = 100/);
  });

  test('only the expected quota error counts as "does not fit"; any other error fails the search', () => {
    expect(succeeds(() => undefined, /quota/)).toBe(true);
    expect(succeeds(() => {
      throw new Error('over the quota');
    }, /quota/)).toBe(false);
    expect(() => succeeds(() => {
      throw new Error('Cannot read properties of undefined');
    }, /quota/)).toThrow(/Cannot read properties/);
    expect(() => largestN((n) => succeeds(() => {
      if (n > 8) {
        throw new TypeError('a bug in the construct');
      }
    }, /quota/))).toThrow(/a bug in the construct/);
  });
});
