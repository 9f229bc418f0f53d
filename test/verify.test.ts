/**
 * The pure parts of `npx projen verify`: verdicts, the exit code, the table, timeouts, and how a
 * refusal is told apart from another failure. The checks themselves run against the emulator in
 * CI (`npx projen test:deploy`) and against AWS by hand.
 */
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  assetKey, AssetsIo, BootstrapIo, cdkAssetsChecks, Check, CheckResult, exitCode, imageChecks, ImagesIo, isDenial, packageChecks, PackagesIo,
  PreconditionError, PROBE_CODE, probeAnswer, pullAnswer, renderResults, runCheck, summarize, summaryLine, TimeoutError, verdictOf, withTimeout,
} from '../scripts/verify';

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

describe('verify: CDK assets and bootstrap compatibility', () => {
  const NONPROD = '222222222222';
  const PROD = '777777777777';
  const VERSION_PARAMETER = '/cdk-bootstrap/cicd/version';
  const denied = (what: string) => Object.assign(new Error(`User is not authorized to perform: ${what}`), { name: 'AccessDenied' });

  /**
   * A stand-in for AWS that decides as the deployed policies should: the publishing role writes
   * anywhere in the bucket; a target's cross-account role reads only its own prefix (unless
   * `readsAnyPrefix`); the read-only role reads only the version parameter (unless `readsAnyParameter`).
   */
  function fakeAws(flaws: { readsAnyPrefix?: boolean; readsAnyParameter?: boolean; publishRefused?: boolean; writeRefused?: boolean } = {}) {
    const objects = new Set<string>();
    const parameters = new Map<string, string>([[`${NONPROD}${VERSION_PARAMETER}`, '33'], [`${PROD}${VERSION_PARAMETER}`, '33']]);
    const assets: AssetsIo = {
      bucket: 'cicd-assets-111111111111-eu-west-1',
      async publish(key) {
        if (flaws.publishRefused) throw denied('s3:PutObject');
        objects.add(key);
        return `uploaded ${key}`;
      },
      async readAsTarget(account, key) {
        if (!flaws.readsAnyPrefix && !key.startsWith(`${account}/`)) throw denied('s3:GetObject');
        if (!objects.has(key)) throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });
        return `read ${key}`;
      },
    };
    const bootstrap: BootstrapIo = {
      async readOwn(account, name) {
        const value = parameters.get(`${account}${name}`);
        if (value === undefined) throw Object.assign(new Error(name), { name: 'ParameterNotFound' });
        return value;
      },
      async writeOwn(account, name, value) {
        if (flaws.writeRefused) throw denied('ssm:PutParameter');
        parameters.set(`${account}${name}`, value);
      },
      async readAsReadOnly(account, name) {
        if (!flaws.readsAnyParameter && name !== VERSION_PARAMETER) throw denied('ssm:GetParameter');
        return bootstrap.readOwn(account, name);
      },
    };
    return { assets, bootstrap };
  }

  const targets = [{ name: 'nonprod', accountId: NONPROD }, { name: 'prod', accountId: PROD }];
  const checksFor = (aws: ReturnType<typeof fakeAws>, withBootstrap = true, ts = targets) =>
    cdkAssetsChecks(ts, 'run1', aws.assets, withBootstrap ? { io: aws.bootstrap, parameterName: VERSION_PARAMETER, version: '33' } : undefined);
  async function runAll(checks: Check[], inEmulator = false): Promise<CheckResult[]> {
    const results: CheckResult[] = [];
    for (const c of checks) results.push(await runCheck(c, inEmulator));
    return results;
  }
  const verdicts = (results: CheckResult[]) => results.map((r) => [r.check, r.expected, verdictOf(r)]);

  test('each target reads its own asset and is refused the other\'s; the read-only role reads the version parameter and no other', async () => {
    const results = await runAll(checksFor(fakeAws()));
    expect(verdicts(results)).toEqual([
      [`the CICD account publishes an asset for ${NONPROD} through its publishing role`, 'allowed', 'pass'],
      [`the CICD account publishes an asset for ${PROD} through its publishing role`, 'allowed', 'pass'],
      [`through nonprod ${NONPROD} cicd-cross-account: read its own asset (${NONPROD}/…)`, 'allowed', 'pass'],
      [`through nonprod ${NONPROD} cicd-cross-account: read another account's asset (${PROD}/…) and be refused`, 'denied', 'pass'],
      [`through prod ${PROD} cicd-cross-account: read its own asset (${PROD}/…)`, 'allowed', 'pass'],
      [`through prod ${PROD} cicd-cross-account: read another account's asset (${NONPROD}/…) and be refused`, 'denied', 'pass'],
      [`${NONPROD} holds the bootstrap version parameter ${VERSION_PARAMETER} = 33`, 'allowed', 'pass'],
      [`${NONPROD}'s read-only role (the CDK lookup role) reads ${VERSION_PARAMETER}`, 'allowed', 'pass'],
      [`${NONPROD}'s own profile writes another parameter /cicd-verify/run1`, 'allowed', 'pass'],
      [`${NONPROD}'s read-only role reads that other parameter and is refused`, 'denied', 'pass'],
      [`${PROD} holds the bootstrap version parameter ${VERSION_PARAMETER} = 33`, 'allowed', 'pass'],
      [`${PROD}'s read-only role (the CDK lookup role) reads ${VERSION_PARAMETER}`, 'allowed', 'pass'],
      [`${PROD}'s own profile writes another parameter /cicd-verify/run1`, 'allowed', 'pass'],
      [`${PROD}'s read-only role reads that other parameter and is refused`, 'denied', 'pass'],
    ]);
    expect(assetKey(NONPROD, 'run1')).toBe(`${NONPROD}/cicd-verify/run1/asset.txt`);
  });

  test('a bucket that lets a target read another account\'s prefix is a miss', async () => {
    const results = await runAll(checksFor(fakeAws({ readsAnyPrefix: true }), false));
    const missed = results.filter((r) => verdictOf(r) === 'MISS').map((r) => r.check);
    expect(missed).toEqual([
      `through nonprod ${NONPROD} cicd-cross-account: read another account's asset (${PROD}/…) and be refused`,
      `through prod ${PROD} cicd-cross-account: read another account's asset (${NONPROD}/…) and be refused`,
    ]);
    expect(exitCode(results)).toBe(1);
  });

  test('a read-only role that reads any parameter is a miss', async () => {
    const results = await runAll(checksFor(fakeAws({ readsAnyParameter: true })));
    expect(results.filter((r) => verdictOf(r) === 'MISS').map((r) => r.check)).toEqual([
      `${NONPROD}'s read-only role reads that other parameter and is refused`,
      `${PROD}'s read-only role reads that other parameter and is refused`,
    ]);
  });

  test('when nothing was published, the refused reads are errors, not passes', async () => {
    const results = await runAll(checksFor(fakeAws({ publishRefused: true }), false));
    expect(results.map((r) => [r.expected, r.got, verdictOf(r)])).toEqual([
      ['allowed', 'denied', 'MISS'], ['allowed', 'denied', 'MISS'],
      ['allowed', 'error', 'MISS'], ['denied', 'error', 'MISS'],
      ['allowed', 'error', 'MISS'], ['denied', 'error', 'MISS'],
    ]);
    expect(results[3].evidence).toMatch(/^PreconditionError: s3:\/\/cicd-assets-111111111111-eu-west-1\/777777777777\/cicd-verify\/run1\/asset.txt was not published/);
  });

  test('when the other parameter was not written, the read-only role\'s refusal proves nothing and is an error', async () => {
    const results = await runAll(checksFor(fakeAws({ writeRefused: true }), true, [targets[0]]));
    expect(results.slice(-2).map((r) => [r.expected, r.got, verdictOf(r)])).toEqual([['allowed', 'denied', 'MISS'], ['denied', 'error', 'MISS']]);
    expect(results[results.length - 1].evidence).toBe('PreconditionError: /cicd-verify/run1 was not written, so a refusal proves nothing');
  });

  test('a missing session or object is never taken for a refusal, whatever its message says', () => {
    expect(isDenial(new PreconditionError('no session of arn:aws:iam::222222222222:role/cicd-cross-account: AccessDenied: not authorized'))).toBe(false);
  });

  test('targets in one account get no "another account" check', () => {
    const one = [{ name: 'main', accountId: NONPROD }, { name: 'nonprod', accountId: NONPROD }];
    const checks = checksFor(fakeAws(), false, one).map((c) => c.check);
    expect(checks).toEqual([
      `the CICD account publishes an asset for ${NONPROD} through its publishing role`,
      `through main, nonprod ${NONPROD} cicd-cross-account: read its own asset (${NONPROD}/…)`,
    ]);
  });

  test('in the emulator, what needs IAM is "not answerable here"; the parameters themselves are checked', async () => {
    const results = await runAll(checksFor(fakeAws()), true);
    expect(results.filter((r) => r.got !== 'not answerable here').map((r) => r.check)).toEqual([
      `${NONPROD} holds the bootstrap version parameter ${VERSION_PARAMETER} = 33`,
      `${NONPROD}'s own profile writes another parameter /cicd-verify/run1`,
      `${PROD} holds the bootstrap version parameter ${VERSION_PARAMETER} = 33`,
      `${PROD}'s own profile writes another parameter /cicd-verify/run1`,
    ]);
    expect(summarize(results)).toEqual({ passed: 4, missed: 0, unanswerable: 10 });
    expect(results.find((r) => r.got === 'not answerable here')!.evidence).toMatch(/MiniStack evaluates no IAM policy/);
  });

  test('a wrong bootstrap version is a miss', async () => {
    const aws = fakeAws();
    const checks = cdkAssetsChecks(targets, 'run1', aws.assets, { io: aws.bootstrap, parameterName: VERSION_PARAMETER, version: '34' });
    const r = await runCheck(checks.find((c) => c.check.includes('holds the bootstrap version'))!, false);
    expect([r.got, r.evidence]).toEqual(['error', `Error: ${VERSION_PARAMETER} is "33", not 34`]);
  });
});

describe('verify: images and packages through the targets\' build roles', () => {
  const NONPROD = '222222222222';
  const PROD = '777777777777';
  const REPOSITORY = 'arn:aws:ecr:eu-west-1:111111111111:repository/sample-app';
  const targets = [{ name: 'nonprod', accountId: NONPROD }, { name: 'prod', accountId: PROD }];
  const refused = (name: string, what: string) => Object.assign(new Error(`User is not authorized to perform: ${what}`), { name });

  /**
   * A stand-in for AWS that decides as the deployed policies should: a target's build role pulls
   * (an empty repository answers that the tag has no image) and gets a token and an endpoint; it
   * neither pushes nor publishes; a target's own profile neither pulls nor gets a token. Each flaw
   * breaks one of these, for the accounts listed.
   */
  interface Flaws {
    readonly pushes?: string[];
    readonly pullRefused?: string[];
    readonly publishes?: string[];
    readonly tokenRefused?: string[];
    readonly endpointRefused?: string[];
    /** Accounts whose own profile the repository and the domain admit (as if the store listed whole accounts). */
    readonly ownAdmitted?: string[];
  }
  function fakeAws(flaws: Flaws = {}) {
    const has = (list: string[] | undefined, account: string) => list?.includes(account) ?? false;
    const images: ImagesIo = {
      repositoryArn: REPOSITORY,
      async pullAsBuild(account, tag) {
        if (has(flaws.pullRefused, account)) throw refused('AccessDeniedException', 'ecr:BatchGetImage');
        return `sample-app:${tag}: ImageNotFound (the request was admitted)`;
      },
      async pushAsBuild(account) {
        if (has(flaws.pushes, account)) return 'layer upload u-1 initiated';
        throw refused('AccessDeniedException', 'ecr:InitiateLayerUpload');
      },
      async pullAsOwn(account, tag) {
        if (has(flaws.ownAdmitted, account)) return `sample-app:${tag}: ImageNotFound (the request was admitted)`;
        throw refused('AccessDeniedException', 'ecr:BatchGetImage');
      },
    };
    const packages: PackagesIo = {
      domain: 'cicd',
      repository: 'packages',
      async tokenAsBuild(account) {
        if (has(flaws.tokenRefused, account)) throw refused('AccessDeniedException', 'codeartifact:GetAuthorizationToken');
        return 'a token for cicd';
      },
      async endpointAsBuild(account) {
        if (has(flaws.endpointRefused, account)) throw refused('AccessDeniedException', 'codeartifact:GetRepositoryEndpoint');
        return 'https://cicd-111111111111.d.codeartifact.eu-west-1.amazonaws.com/npm/packages/';
      },
      async publishAsBuild(account, run) {
        if (has(flaws.publishes, account)) return `published cicd-verify/cicd-verify@${run}`;
        throw refused('AccessDeniedException', 'codeartifact:PublishPackageVersion');
      },
      async tokenAsOwn(account) {
        if (has(flaws.ownAdmitted, account)) return 'a token for cicd';
        throw refused('AccessDeniedException', 'codeartifact:GetAuthorizationToken');
      },
    };
    return { images, packages };
  }
  const checksFor = (aws: ReturnType<typeof fakeAws>, ts = targets, narrowed: string[] = []) =>
    [...imageChecks(ts, 'v1', aws.images, narrowed), ...packageChecks(ts, 'run1', aws.packages, narrowed)];
  async function runAll(checks: Check[], inEmulator = false): Promise<CheckResult[]> {
    const results: CheckResult[] = [];
    for (const c of checks) results.push(await runCheck(c, inEmulator));
    return results;
  }
  const missed = (results: CheckResult[]) => results.filter((r) => verdictOf(r) === 'MISS').map((r) => r.check);

  test('each target\'s build role pulls and gets a token and the endpoint; its push and publish are refused', async () => {
    const results = await runAll(checksFor(fakeAws()));
    expect(results.map((r) => [r.check, r.expected, verdictOf(r)])).toEqual([
      [`through nonprod ${NONPROD} cicd-build: pull v1 from ${REPOSITORY}`, 'allowed', 'pass'],
      [`through nonprod ${NONPROD} cicd-build: push to ${REPOSITORY} and be refused`, 'denied', 'pass'],
      [`through prod ${PROD} cicd-build: pull v1 from ${REPOSITORY}`, 'allowed', 'pass'],
      [`through prod ${PROD} cicd-build: push to ${REPOSITORY} and be refused`, 'denied', 'pass'],
      [`through nonprod ${NONPROD} cicd-build: a CodeArtifact token for the domain cicd`, 'allowed', 'pass'],
      [`through nonprod ${NONPROD} cicd-build: the npm endpoint of cicd/packages`, 'allowed', 'pass'],
      [`through nonprod ${NONPROD} cicd-build: publish a package version to cicd/packages and be refused`, 'denied', 'pass'],
      [`through prod ${PROD} cicd-build: a CodeArtifact token for the domain cicd`, 'allowed', 'pass'],
      [`through prod ${PROD} cicd-build: the npm endpoint of cicd/packages`, 'allowed', 'pass'],
      [`through prod ${PROD} cicd-build: publish a package version to cicd/packages and be refused`, 'denied', 'pass'],
    ]);
    expect(exitCode(results)).toBe(0);
  });

  test('a repository that admits a target\'s push, or a domain that admits its publish, is a miss', async () => {
    const results = await runAll(checksFor(fakeAws({ pushes: [PROD], publishes: [NONPROD] })));
    expect(missed(results)).toEqual([
      `through prod ${PROD} cicd-build: push to ${REPOSITORY} and be refused`,
      `through nonprod ${NONPROD} cicd-build: publish a package version to cicd/packages and be refused`,
    ]);
    expect(exitCode(results)).toBe(1);
  });

  test('a refused pull, token or endpoint is a miss', async () => {
    const results = await runAll(checksFor(fakeAws({ pullRefused: [NONPROD], endpointRefused: [PROD] })));
    expect(missed(results)).toEqual([
      `through nonprod ${NONPROD} cicd-build: pull v1 from ${REPOSITORY}`,
      // The push refusal after a refused pull proves nothing: an error, not a pass.
      `through nonprod ${NONPROD} cicd-build: push to ${REPOSITORY} and be refused`,
      `through prod ${PROD} cicd-build: the npm endpoint of cicd/packages`,
    ]);
    expect(results.find((r) => r.check.includes('endpoint') && r.account === PROD)!.got).toBe('denied');
  });

  test('without an admitted pull or a token, the expected refusals are errors, not passes', async () => {
    const results = await runAll(checksFor(fakeAws({ pullRefused: [PROD], tokenRefused: [PROD] }), [targets[1]]));
    expect(results.map((r) => [r.expected, r.got, verdictOf(r)])).toEqual([
      ['allowed', 'denied', 'MISS'], ['denied', 'error', 'MISS'],
      ['allowed', 'denied', 'MISS'], ['allowed', 'allowed', 'pass'], ['denied', 'error', 'MISS'],
    ]);
    expect(results[1].evidence).toBe(`PreconditionError: the pull through prod ${PROD} cicd-build was not admitted, so a refused push proves nothing`);
    expect(results[4].evidence).toBe(`PreconditionError: no token for cicd through prod ${PROD} cicd-build, so a refused publish proves nothing`);
  });

  test('targets in one account are checked once, through that account\'s build role', () => {
    const one = [{ name: 'main', accountId: NONPROD }, { name: 'nonprod', accountId: NONPROD }];
    expect(checksFor(fakeAws(), one).map((c) => c.check)).toEqual([
      `through main, nonprod ${NONPROD} cicd-build: pull v1 from ${REPOSITORY}`,
      `through main, nonprod ${NONPROD} cicd-build: push to ${REPOSITORY} and be refused`,
      `through main, nonprod ${NONPROD} cicd-build: a CodeArtifact token for the domain cicd`,
      `through main, nonprod ${NONPROD} cicd-build: the npm endpoint of cicd/packages`,
      `through main, nonprod ${NONPROD} cicd-build: publish a package version to cicd/packages and be refused`,
    ]);
  });

  test('in the emulator, every image and package check is "not answerable here", with its reason', async () => {
    // Even a stand-in that admits the push and the publish: the emulator's answer is not asked.
    const results = await runAll(checksFor(fakeAws({ pushes: [NONPROD, PROD], publishes: [NONPROD, PROD] })), true);
    expect(summarize(results)).toEqual({ passed: 0, missed: 0, unanswerable: 10 });
    expect(exitCode(results)).toBe(0);
    expect([...new Set(results.map((r) => r.evidence))]).toEqual([
      'MiniStack evaluates no IAM policy (trust, key, bucket or identity), so its answer would prove nothing; its ECR does not evaluate a repository policy across accounts',
      'MiniStack has no CodeArtifact service (and evaluates no IAM policy)',
    ]);
  });

  test('a pull is admitted when ECR returns the image or says the tag has none; any other answer is an error, not a refusal', async () => {
    expect(pullAnswer('sample-app:v1', { images: [{ imageId: { imageDigest: 'sha256:abc' } }], failures: [] })).toBe('sample-app:v1 is sha256:abc');
    expect(pullAnswer('sample-app:v1', { images: [], failures: [{ failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }] }))
      .toBe('sample-app:v1: ImageNotFound (the request was admitted)');
    const check = (res: Parameters<typeof pullAnswer>[1]): Check => ({
      check: 'pull', account: NONPROD, expected: 'allowed', run: async () => pullAnswer('sample-app:v1', res),
    });
    const kms = await runCheck(check({ images: [], failures: [{ failureCode: 'KmsError', failureReason: 'The KMS key is disabled' }] }), false);
    expect([kms.got, kms.evidence]).toEqual(['error', 'UnexpectedAnswer: ecr:BatchGetImage sample-app:v1: KmsError The KMS key is disabled']);
    expect((await runCheck(check({}), false)).evidence).toBe('UnexpectedAnswer: ecr:BatchGetImage sample-app:v1: neither an image nor a failure');
  });

  test('with role narrowing, a target\'s own profile is refused a pull and a token; admitted, it is a miss', async () => {
    const ok = await runAll(checksFor(fakeAws(), targets, [PROD]));
    const own = ok.filter((r) => r.check.includes('own profile'));
    expect(own.map((r) => [r.check, r.expected, verdictOf(r)])).toEqual([
      [`prod ${PROD}'s own profile (not a listed role) pulls v1 from ${REPOSITORY} and is refused`, 'denied', 'pass'],
      [`prod ${PROD}'s own profile (not a listed role) asks for a CodeArtifact token for cicd and is refused`, 'denied', 'pass'],
    ]);
    expect(ok).toHaveLength(12);
    expect(missed(await runAll(checksFor(fakeAws({ ownAdmitted: [PROD] }), targets, [PROD])))).toEqual(own.map((r) => r.check));
    // Refusals of the own profile after the build role itself failed prove nothing.
    const blocked = await runAll(checksFor(fakeAws({ pullRefused: [PROD], tokenRefused: [PROD] }), [targets[1]], [PROD]));
    expect(blocked.filter((r) => r.check.includes('own profile')).map((r) => [r.got, verdictOf(r)])).toEqual([['error', 'MISS'], ['error', 'MISS']]);
  });

  test('the probe\'s answer: a refusal it was given is a refusal; a probe that failed itself is an error', async () => {
    const check = (functionError: string | undefined, payload: string): Check => ({
      check: 'probe', account: NONPROD, expected: 'denied', run: async () => probeAnswer('cicd-verify-probe-run1', functionError, payload).evidence ?? '',
    });
    const denied = await runCheck(check(undefined, JSON.stringify({
      ok: false, name: 'AccessDeniedException', message: 'An error occurred (AccessDeniedException) when calling the InitiateLayerUpload operation',
    })), false);
    expect([denied.got, verdictOf(denied)]).toEqual(['denied', 'pass']);
    expect(denied.evidence).toBe('AccessDeniedException: An error occurred (AccessDeniedException) when calling the InitiateLayerUpload operation');
    const admitted = await runCheck(check(undefined, JSON.stringify({ ok: true, evidence: 'layer upload u-1 initiated' })), false);
    expect([admitted.got, admitted.evidence]).toEqual(['allowed', 'layer upload u-1 initiated']);
    const crashed = await runCheck(check('Unhandled', '{"errorMessage": "AccessDenied while importing"}'), false);
    expect([crashed.got, verdictOf(crashed)]).toEqual(['error', 'MISS']);
    expect(crashed.evidence).toBe('PreconditionError: the probe cicd-verify-probe-run1 failed (Unhandled): {"errorMessage": "AccessDenied while importing"}');
  });

  test('the probe\'s Python code makes the call asked for with the role\'s credentials and reports AWS\'s answer or refusal', () => {
    // boto3 stands in: ECR says the tag has no image and refuses the upload; CodeArtifact gives a
    // token and an endpoint and refuses the publish. Each call's arguments are recorded.
    const dir = mkdtempSync(join(tmpdir(), 'cicd-verify-probe-'));
    try {
      writeFileSync(join(dir, 'index.py'), PROBE_CODE);
      writeFileSync(join(dir, 'boto3.py'), [
        'import datetime, json',
        'calls = []',
        'class ClientError(Exception):',
        '    def __init__(self, code, op):',
        '        super().__init__("An error occurred (%s) when calling the %s operation: not authorized" % (code, op))',
        '        self.response = {"Error": {"Code": code}}',
        'class Client:',
        '    def __getattr__(self, name):',
        '        def call(**kwargs):',
        '            calls.append([name, {k: (v.decode() if isinstance(v, bytes) else v) for k, v in kwargs.items()}])',
        '            if name == "batch_get_image":',
        '                return {"images": [], "failures": [{"imageId": {"imageTag": "v1"}, "failureCode": "ImageNotFound", "failureReason": "Requested image not found"}]}',
        '            if name == "get_authorization_token":',
        '                return {"authorizationToken": "SECRET", "expiration": datetime.datetime(2026, 11, 30, 22, 0)}',
        '            if name == "get_repository_endpoint":',
        '                return {"repositoryEndpoint": "https://cicd-111111111111.d.codeartifact.eu-west-1.amazonaws.com/npm/packages/"}',
        '            raise ClientError("AccessDeniedException", name)',
        '        return call',
        'def client(service):',
        '    return Client()',
      ].join('\n'));
      const events = [
        { action: 'pull', registry: '111111111111', repository: 'sample-app', tag: 'v1' },
        { action: 'push', registry: '111111111111', repository: 'sample-app' },
        { action: 'token', domain: 'cicd', owner: '111111111111', repo: 'packages' },
        { action: 'endpoint', domain: 'cicd', owner: '111111111111', repo: 'packages' },
        { action: 'publish', domain: 'cicd', owner: '111111111111', repo: 'packages', run: 'run1' },
      ];
      const script = 'import json, sys, index, boto3\nout = [index.handler(e, None) for e in json.loads(sys.argv[1])]\nprint(json.dumps({"out": out, "calls": boto3.calls}))';
      const r = spawnSync('python3', ['-c', script, JSON.stringify(events)], { cwd: dir, encoding: 'utf-8', timeout: 30_000 });
      expect(r.error).toBeUndefined(); // python3 runs the probe's code, as Lambda's python3.12 runtime does
      expect(r.stderr).toBe('');
      const { out, calls } = JSON.parse(r.stdout) as { out: ProbeAnswerLike[]; calls: Array<[string, Record<string, unknown>]> };
      const answers = out.map((o) => JSON.stringify(o));
      expect(pullAnswer('sample-app:v1', probeAnswer('p', undefined, answers[0]).answer!)).toBe('sample-app:v1: ImageNotFound (the request was admitted)');
      expect(() => probeAnswer('p', undefined, answers[1])).toThrow(expect.objectContaining({ name: 'AccessDeniedException' }));
      expect(probeAnswer('p', undefined, answers[2]).evidence).toBe('a token for cicd until 2026-11-30T22:00:00');
      expect(answers[2]).not.toContain('SECRET');
      expect(probeAnswer('p', undefined, answers[3]).evidence).toBe('https://cicd-111111111111.d.codeartifact.eu-west-1.amazonaws.com/npm/packages/');
      expect(() => probeAnswer('p', undefined, answers[4])).toThrow(expect.objectContaining({ name: 'AccessDeniedException' }));
      expect(calls.map(([name]) => name)).toEqual(['batch_get_image', 'initiate_layer_upload', 'get_authorization_token', 'get_repository_endpoint', 'publish_package_version']);
      expect(calls[0][1]).toEqual({ registryId: '111111111111', repositoryName: 'sample-app', imageIds: [{ imageTag: 'v1' }] });
      expect(calls[2][1]).toEqual({ domain: 'cicd', domainOwner: '111111111111', durationSeconds: 900 });
      expect(calls[3][1]).toEqual({ domain: 'cicd', domainOwner: '111111111111', repository: 'packages', format: 'npm' });
      expect(calls[4][1]).toMatchObject({
        domain: 'cicd',
        domainOwner: '111111111111',
        repository: 'packages',
        format: 'generic',
        packageVersion: 'run1',
        assetContent: 'cicd verify run1',
        // sha256 of "cicd verify run1"
        assetSHA256: createHash('sha256').update('cicd verify run1').digest('hex'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

type ProbeAnswerLike = Record<string, unknown>;
