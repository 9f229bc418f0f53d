/**
 * The largest N for which `fits(N)` holds, found by doubling then bisecting; shared by the
 * benchmark and the tests that check each construct's largest N. `fits` must hold at `from`
 * and turn false once, for good; past `cap` the answer is `Infinity` (N does not matter).
 */
export function largestN(fits: (n: number) => boolean, from = 1, cap = 1_000_000): number {
  if (!fits(from)) {
    throw new Error(`largestN: nothing fits, not even N = ${from}`);
  }
  let lo = from;
  let hi = from * 2;
  while (fits(hi)) {
    lo = hi;
    hi *= 2;
    if (hi > cap) {
      return Infinity;
    }
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/** Whether `build` runs without throwing; an error other than one `expected` matches is thrown on. */
export function succeeds(build: () => void, expected: RegExp): boolean {
  try {
    build();
    return true;
  } catch (e) {
    if (e instanceof Error && expected.test(e.message)) {
      return false;
    }
    throw e;
  }
}
