/**
 * The pure parts of `npx projen verify`: verdicts, the exit code, the table, timeouts, and how a
 * refusal is told apart from another failure. The checks themselves run against the emulator in
 * CI (`npx projen test:deploy`) and against AWS by hand.
 */
import { CheckResult, exitCode, isDenial, renderResults, runCheck, summarize, summaryLine, TimeoutError, verdictOf, withTimeout } from '../scripts/verify';

const result = (expected: CheckResult['expected'], got: CheckResult['got'], check = 'a check'): CheckResult =>
  ({ check, account: '222222222222', expected, got, evidence: 'evidence' });

describe('verify', () => {
  test('a check passes when the service did what was expected, and misses otherwise', () => {
    expect(verdictOf(result('allowed', 'allowed'))).toBe('pass');
    expect(verdictOf(result('denied', 'denied'))).toBe('pass');
    expect(verdictOf(result('denied', 'allowed'))).toBe('MISS');
    expect(verdictOf(result('allowed', 'denied'))).toBe('MISS');
    expect(verdictOf(result('allowed', 'error'))).toBe('MISS');
  });

  test('"not answerable here" is neither a pass nor a miss', () => {
    const results = [result('allowed', 'allowed'), result('denied', 'not answerable here'), result('allowed', 'not answerable here')];
    expect(verdictOf(results[1])).toBe('not answerable here');
    expect(summarize(results)).toEqual({ passed: 1, missed: 0, unanswerable: 2 });
    expect(exitCode(results)).toBe(0);
    expect(summaryLine(results, 'the emulator')).toBe(
      'verify: 1 passed, 0 missed, 2 not answerable here (neither passed nor missed: the emulator cannot decide them; run verify against AWS).');
  });

  test('the exit code is non-zero on any miss, or when a clean-up failed', () => {
    expect(exitCode([result('allowed', 'allowed'), result('denied', 'allowed')])).toBe(1);
    expect(exitCode([result('allowed', 'allowed')], 1)).toBe(1);
    expect(exitCode([result('allowed', 'allowed'), result('denied', 'denied')])).toBe(0);
  });

  test('the table has a row per check with its account, expectation, outcome, verdict and evidence', () => {
    const text = renderResults([result('denied', 'allowed', 'read-only reads data'), result('allowed', 'not answerable here', 'assume')]);
    const lines = text.split('\n');
    expect(lines[0].split(/\s{2,}/)).toEqual(['check', 'account', 'expected', 'got', 'verdict', 'evidence']);
    expect(lines[2].split(/\s{2,}/)).toEqual(['read-only reads data', '222222222222', 'denied', 'allowed', 'MISS', 'evidence']);
    expect(lines[3].split(/\s{2,}/)).toEqual(['assume', '222222222222', 'allowed', 'not answerable here', 'not answerable here', 'evidence']);
  });

  test('AWS refusals are told apart from other failures', () => {
    expect(isDenial(Object.assign(new Error('User is not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' }))).toBe(true);
    expect(isDenial(Object.assign(new Error('Forbidden'), { name: 'Unknown', $metadata: { httpStatusCode: 403 } }))).toBe(true);
    expect(isDenial(new Error('Stack: CREATE_FAILED: Function The role defined for the function cannot be assumed by Lambda.'))).toBe(true);
    expect(isDenial(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }))).toBe(false);
    expect(isDenial(new TimeoutError('timed out after 30 s: s3:GetObject'))).toBe(false);
  });

  test('a call that takes too long fails with a message naming it, and its signal is aborted', async () => {
    let aborted = false;
    const slow = withTimeout('s3:GetObject s3://bucket/key', 20, (signal) => new Promise((resolve) => {
      signal.addEventListener('abort', () => {
        aborted = true;
      });
      setTimeout(resolve, 1000);
    }));
    await expect(slow).rejects.toThrow('timed out after 0.02 s: s3:GetObject s3://bucket/key');
    expect(aborted).toBe(true);
    await expect(withTimeout('fast', 1000, async () => 'done')).resolves.toBe('done');
  });

  test('a check runs only where it can be answered; a refusal or timeout becomes its outcome', async () => {
    const check = (run: () => Promise<string>, notInEmulator?: string) => ({ check: 'c', account: '111111111111', expected: 'denied' as const, notInEmulator, run });
    const refused = async () => {
      throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
    };
    expect(await runCheck(check(refused, 'no IAM here'), true)).toMatchObject({ got: 'not answerable here', evidence: 'no IAM here' });
    expect(await runCheck(check(refused, 'no IAM here'), false)).toMatchObject({ got: 'denied', evidence: 'AccessDenied: Access Denied' });
    expect(await runCheck(check(async () => 'read 5 bytes'), true)).toMatchObject({ got: 'allowed', evidence: 'read 5 bytes' });
    const timedOut = async () => {
      throw new TimeoutError('timed out after 30 s: kms:DescribeKey');
    };
    expect(await runCheck(check(timedOut), false)).toMatchObject({ got: 'error', evidence: 'timed out after 30 s: kms:DescribeKey' });
  });
});
