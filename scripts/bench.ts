/**
 * Benchmark: how the library grows with the number of target accounts. Prints Markdown
 * tables; run with `npx projen bench` (docs/benchmarks.md holds its output). Any cell that
 * fails makes the whole run fail.
 *
 * 1. CicdArtifactStore in each mode at N = 1 … 500: policy, template and resource sizes, synth time;
 *    with an image repository, its repository policy against ECR's quota.
 * 2. CicdSettings and the CICD account's stacks of the reference app at N = 1 … 1,000.
 * 3. The largest N each construct supports before any quota, found by search.
 * 4. The reference app against scripts/yardstick.ts (the same stacks in plain aws-cdk-lib),
 *    each run as a whole process, interleaved, at 3 and 200 accounts; medians and ratios.
 * 5. Where the reference app's synth time goes: module loading, building, the policy-size guard, synthesis.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { largestN, succeeds } from './largest-n';
import { buildBaseline, PIPELINE_STACK, SETTINGS_STACK, STORE_STACK } from '../examples/baseline';
import { readConfig } from '../examples/config';
import { CicdArtifactStore, CicdArtifactStoreProps, CicdSettings, CrossReadOnlyRole, TargetAccount } from '../src';
import * as policySize from '../src/private/policy-size';
import { BUCKET_POLICY_QUOTA, deployedPolicySize, KEY_POLICY_QUOTA, QUOTA_SHARE_ALLOWED, REPOSITORY_POLICY_QUOTA } from '../src/private/policy-size';

type Mode = 'account' | 'role-ids' | 'role-arns' | 'organization';
const MODES: Mode[] = ['account', 'role-ids', 'role-arns', 'organization'];
const ENV = { account: '111111111111', region: 'eu-west-1' };
/** The settings publish the key's ARN: an imported store must know it (an alias-only import has none). */
const BENCH_KEY_ARN = `arn:aws:kms:${ENV.region}:${ENV.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ROLES_PER_ACCOUNT = 3;
const ROOT = path.join(__dirname, '..');
const runs = Number(process.env.BENCH_RUNS ?? 5);
const processRuns = Number(process.env.BENCH_PROCESS_RUNS ?? 7);
/** CloudFormation's quotas on one stack. */
const STACK_QUOTAS = { resources: 500, templateBytes: 1_000_000, outputs: 200 };

function targets(n: number, mode: Mode): TargetAccount[] {
  return Array.from({ length: n }, (_, i) => {
    const accountId = String(200000000000 + i);
    const t: TargetAccount = { name: `t${i}`, accountId };
    if (mode === 'role-ids') {
      return { ...t, roleIds: Array.from({ length: ROLES_PER_ACCOUNT }, (__, k) => `AROA${String(i * 10 + k).padStart(17, '0')}`) };
    }
    if (mode === 'role-arns') {
      return { ...t, roleArns: ['cross-account', 'cloudformation', 'build'].map((r) => `arn:aws:iam::${accountId}:role/cicd-${r}`) };
    }
    return t;
  });
}

function storeProps(n: number, mode: Mode): CicdArtifactStoreProps {
  // Organization mode admits every account of the organization: N does not enter the policies.
  return mode === 'organization' ? { organizationId: 'o-a1b2c3d4e5' } : { targetAccounts: targets(n, mode) };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const show = (x: number) => (x === Infinity ? 'unbounded' : String(x));

/** The median time of `runs` calls after a warm-up. */
function timed(fn: () => void): number {
  fn();
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(ms(start));
  }
  return median(times);
}

interface TemplateSize {
  readonly resources: number;
  readonly bytes: number;
  readonly outputs: number;
}

function sizeOf(template: any): TemplateSize {
  return {
    resources: Object.keys(template.Resources ?? {}).length,
    bytes: Buffer.byteLength(JSON.stringify(template)),
    outputs: Object.keys(template.Outputs ?? {}).length,
  };
}

const underStackQuotas = (s: TemplateSize) =>
  s.resources <= STACK_QUOTAS.resources && s.bytes <= STACK_QUOTAS.templateBytes && s.outputs <= STACK_QUOTAS.outputs;

// 1. The store.

interface StoreMeasure extends TemplateSize {
  readonly bucketBytes: number;
  readonly keyBytes: number;
}

/** Builds the store and measures what it would deploy, without synthesizing (so without the guard). */
function measureStore(n: number, mode: Mode): StoreMeasure {
  const stack = new Stack(new App(), 'Cicd', { env: ENV });
  const store = new CicdArtifactStore(stack, 'Store', storeProps(n, mode));
  return {
    bucketBytes: deployedPolicySize(stack, (store.artifactsBucket as s3.Bucket).policy!.document),
    keyBytes: deployedPolicySize(stack, (store as any).keyPolicy),
    ...sizeOf(stack.resolve((stack as any)._toCloudFormation())),
  };
}

const storeFits = (m: StoreMeasure) =>
  m.bucketBytes <= BUCKET_POLICY_QUOTA * QUOTA_SHARE_ALLOWED && m.keyBytes <= KEY_POLICY_QUOTA * QUOTA_SHARE_ALLOWED && underStackQuotas(m);

function synthStore(n: number, mode: Mode): void {
  const app = new App();
  new CicdArtifactStore(new Stack(app, 'Cicd', { env: ENV }), 'Store', storeProps(n, mode));
  app.synth();
}

function storeTable(ns: number[]): void {
  console.log('## CicdArtifactStore\n');
  console.log(`Role-ids and role-arns narrow each account to ${ROLES_PER_ACCOUNT} roles. Policy bytes are the deployed JSON without whitespace; `
    + `the guard fails synth above 90% of the quota (bucket policy ${BUCKET_POLICY_QUOTA * QUOTA_SHARE_ALLOWED} of ${BUCKET_POLICY_QUOTA}, `
    + `key policy ${KEY_POLICY_QUOTA * QUOTA_SHARE_ALLOWED} of ${KEY_POLICY_QUOTA}); cells over it are not synthesized.\n`);
  console.log('| mode | N | synth ms (median) | bucket policy bytes | key policy bytes | template bytes | resources |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const mode of MODES) {
    for (const n of ns) {
      const m = measureStore(n, mode);
      const fits = storeFits(m);
      const synth = fits ? timed(() => synthStore(n, mode)).toFixed(1) : '– (over)';
      console.log(`| ${mode} | ${n} | ${synth} | ${m.bucketBytes} | ${m.keyBytes} | ${m.bytes} | ${m.resources} |`);
    }
  }
}

// 1b. The store with an image repository.

interface ImageMeasure extends StoreMeasure {
  readonly repositoryBytes: number;
}

/** The store with one image repository, measured without synthesizing. */
function measureImageStore(n: number, mode: Mode): ImageMeasure {
  const stack = new Stack(new App(), 'Cicd', { env: ENV });
  const store = new CicdArtifactStore(stack, 'Store', { ...storeProps(n, mode), imageRepositoryNames: [BENCH_REPOSITORY] });
  return {
    bucketBytes: deployedPolicySize(stack, (store.artifactsBucket as s3.Bucket).policy!.document),
    keyBytes: deployedPolicySize(stack, (store as any).keyPolicy),
    repositoryBytes: deployedPolicySize(stack, (store as any).repositories[0].policy),
    ...sizeOf(stack.resolve((stack as any)._toCloudFormation())),
  };
}

const BENCH_REPOSITORY = 'sample-app';
const REPOSITORY_LIMIT = Math.floor(REPOSITORY_POLICY_QUOTA * QUOTA_SHARE_ALLOWED);

function synthImageStore(n: number, mode: Mode): void {
  const app = new App();
  new CicdArtifactStore(new Stack(app, 'Cicd', { env: ENV }), 'Store', { ...storeProps(n, mode), imageRepositoryNames: [BENCH_REPOSITORY] });
  app.synth();
}

function imageTable(ns: number[]): void {
  console.log('\n## CicdArtifactStore with an image repository\n');
  console.log(`One ECR repository (\`imageRepositoryNames: ['${BENCH_REPOSITORY}']\`). Its policy admits the audience's pulls, lets Lambda pull for the functions `
    + 'of every listed account (one aws:sourceArn per account) and denies pushes outside the CICD account. Bytes are the deployed JSON without whitespace; '
    + `the guard fails synth above 90% of ECR's repository-policy quota (${REPOSITORY_LIMIT} of ${REPOSITORY_POLICY_QUOTA} characters, SetRepositoryPolicy), `
    + 'which this policy reaches before the bucket and key policies.\n');
  console.log('| mode | N | repository policy bytes | % of the quota | bucket policy bytes | key policy bytes | synthesizes |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const mode of MODES) {
    for (const n of ns) {
      const m = measureImageStore(n, mode);
      const fits = m.repositoryBytes <= REPOSITORY_LIMIT && storeFits(m);
      const pct = ((100 * m.repositoryBytes) / REPOSITORY_POLICY_QUOTA).toFixed(1);
      console.log(`| ${mode} | ${n} | ${m.repositoryBytes} | ${pct} | ${m.bucketBytes} | ${m.keyBytes} | ${fits ? 'yes' : 'no (over)'} |`);
    }
  }
}

// 2. The settings and the CICD account's stacks.

function settingsApp(n: number): App {
  const app = new App();
  const stack = new Stack(app, 'Cicd', { env: ENV });
  const store = CicdArtifactStore.fromCicdAccount(stack, 'Store', { account: ENV.account, region: ENV.region, keyArn: BENCH_KEY_ARN });
  new CicdSettings(stack, 'Settings', { artifactStore: store, targetAccounts: targets(n, 'account') });
  return app;
}

function settingsTable(ns: number[]): void {
  console.log('\n## CicdSettings\n');
  console.log('The settings alone, in a stack of their own with an imported store; target names `t0` … `tN-1`, no role IDs.\n');
  console.log('| N | synth ms (median) | SSM parameters (resources) | template bytes | outputs |');
  console.log('| ---: | ---: | ---: | ---: | ---: |');
  for (const n of ns) {
    const size = sizeOf(settingsApp(n).synth().getStackByName('Cicd').template);
    const synth = timed(() => settingsApp(n).synth());
    console.log(`| ${n} | ${synth.toFixed(1)} | ${size.resources} | ${size.bytes} | ${size.outputs} |`);
  }
}

function cicdApp(n: number, organization: boolean): App {
  const app = new App();
  const context: Record<string, string> = { targetCount: String(Math.max(n, 2)), stacks: 'cicd' };
  if (organization) {
    context.organizationId = 'o-a1b2c3d4e5';
  }
  buildBaseline(app, readConfig((key) => context[key], {}));
  return app;
}

function cicdTable(ns: number[], largestListed: number): void {
  console.log('\n## The CICD account of the reference app\n');
  console.log('The store, settings and sample pipeline stacks of examples/ (built with `stacks=cicd`: the target accounts\' stacks left out), '
    + 'for N target accounts (at least the two of the reference app). In account mode the store lists the accounts; in organization mode it '
    + 'admits the organization. Sizes are per stack: store / settings / pipeline. The quotas per stack: 500 resources, 1 MB template, 200 outputs.\n');
  console.log('| mode | N | synth ms (median, all three) | resources | template bytes | outputs | under every quota |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const organization of [false, true]) {
    for (const n of ns.filter((k) => organization || k <= largestListed)) {
      const assembly = cicdApp(n, organization).synth();
      const sizes = [STORE_STACK, SETTINGS_STACK, PIPELINE_STACK].map((s) => sizeOf(assembly.getStackByName(s).template));
      const synth = timed(() => cicdApp(n, organization).synth());
      const join = (k: keyof TemplateSize) => sizes.map((s) => s[k]).join(' / ');
      const ok = sizes.every(underStackQuotas);
      if (!ok) {
        throw new Error(`The CICD account's stacks at N = ${n} (${organization ? 'organization' : 'account'} mode) are over a quota: ${JSON.stringify(sizes)}`);
      }
      console.log(`| ${organization ? 'organization' : 'account'} | ${n} | ${synth.toFixed(1)} | ${join('resources')} | ${join('bytes')} | ${join('outputs')} | yes |`);
    }
  }
}

// 3. The largest N of each construct.

interface Limit {
  readonly construct: string;
  readonly mode: string;
  readonly n: number;
  readonly bound: string;
}

function limits(): Limit[] {
  const out: Limit[] = [];
  const STORE_QUOTA = /The (bucket|key) policy of .* is \d+ bytes/;
  for (const mode of ['account', 'role-ids', 'role-arns'] as Mode[]) {
    const n = largestN((k) => succeeds(() => synthStore(k, mode), STORE_QUOTA));
    const over = measureStore(n + 1, mode);
    const bound = over.bucketBytes > BUCKET_POLICY_QUOTA * QUOTA_SHARE_ALLOWED ? 'bucket policy (20,480 bytes)' : 'key policy (32,768 bytes)';
    out.push({ construct: 'CicdArtifactStore', mode, n, bound });
  }
  out.push({ construct: 'CicdArtifactStore', mode: 'organization', n: Infinity, bound: 'none: the policies do not grow' });
  // With packages (opt-in), the CodeArtifact repository policy fills up before the buckets'.
  const PACKAGES_QUOTA = /The (bucket|key|permissions) policy of .* is \d+ bytes/;
  for (const mode of ['account', 'role-arns'] as Mode[]) {
    out.push({
      construct: 'CicdArtifactStore with packages',
      mode,
      n: largestN((k) => succeeds(() => {
        const app = new App();
        new CicdArtifactStore(new Stack(app, 'Cicd', { env: ENV }), 'Store', { ...storeProps(k, mode), packages: {} });
        app.synth();
      }, PACKAGES_QUOTA)),
      bound: 'CodeArtifact repository policy (7,168 characters)',
    });
  }

  const IMAGE_QUOTA = /The (bucket|key|repository) policy of .* is \d+ bytes/;
  for (const mode of ['account', 'role-ids', 'role-arns'] as Mode[]) {
    const n = largestN((k) => succeeds(() => synthImageStore(k, mode), IMAGE_QUOTA));
    const over = measureImageStore(n + 1, mode);
    const bound = over.repositoryBytes > REPOSITORY_LIMIT ? `repository policy (${REPOSITORY_POLICY_QUOTA.toLocaleString('en-US')} characters)`
      : over.bucketBytes > BUCKET_POLICY_QUOTA * QUOTA_SHARE_ALLOWED ? 'bucket policy (20,480 bytes)' : 'key policy (32,768 bytes)';
    out.push({ construct: 'CicdArtifactStore, one image repository', mode, n, bound });
  }
  out.push({ construct: 'CicdArtifactStore, one image repository', mode: 'organization', n: Infinity, bound: 'none: the policies do not grow (no Lambda statement: no account is listed)' });

  const SETTINGS_QUOTA = /CicdSettings .* CloudFormation's (template quota|quota of 500)/;
  const settingsFits = (entry: (i: number) => TargetAccount) => (k: number) => succeeds(() => {
    const stack = new Stack(new App(), 'Cicd', { env: ENV });
    const store = CicdArtifactStore.fromCicdAccount(stack, 'Store', { account: ENV.account, region: ENV.region, keyArn: BENCH_KEY_ARN });
    new CicdSettings(stack, 'Settings', { artifactStore: store, targetAccounts: Array.from({ length: k }, (_, i) => entry(i)) });
  }, SETTINGS_QUOTA);
  out.push({
    construct: 'CicdSettings',
    mode: 'names of 32 characters, 3 role IDs each',
    n: largestN(settingsFits((i) => ({
      name: `t${String(i).padStart(31, '0')}`,
      accountId: String(200000000000 + i),
      roleIds: [0, 1, 2].map((k) => `AROA${String(i * 10 + k).padStart(17, '0')}`),
    })), 100),
    bound: 'template (90% of 1 MB)',
  });
  out.push({
    construct: 'CicdSettings',
    mode: 'names of 8 characters, no role IDs',
    n: largestN(settingsFits((i) => ({ name: `t${String(i).padStart(7, '0')}`, accountId: String(200000000000 + i) })), 100),
    bound: 'template (90% of 1 MB)',
  });

  const TRUST_QUOTA = /The trust policy of .* 90% of the AWS quota of 2048/;
  out.push({
    construct: 'CrossReadOnlyRole',
    mode: 'trustedAccountIds',
    n: largestN((k) => succeeds(() => {
      const app = new App();
      new CrossReadOnlyRole(new Stack(app, 'Target', { env: ENV }), 'ReadOnly', { trustedAccountIds: Array.from({ length: k }, (_, i) => String(300000000000 + i)) });
      app.synth();
    }, TRUST_QUOTA)),
    bound: 'trust policy (90% of 2,048 characters)',
  });
  out.push({ construct: 'CrossAccountPipelineRoles', mode: 'one stack per target account', n: Infinity, bound: 'none: N does not enter its stack' });

  const CICD_QUOTA = /The (bucket|key) policy of cicd-artifact-store\/ArtifactStore\/\w+ is \d+ bytes|CicdSettings .* CloudFormation's/;
  out.push({
    construct: 'the CICD account (reference app)',
    mode: 'account',
    n: largestN((k) => succeeds(() => cicdApp(k, false).synth(), CICD_QUOTA), 256),
    bound: 'the store\'s bucket policy',
  });
  return out;
}

function limitsTable(found: Limit[]): void {
  console.log('\n## Largest N before any quota\n');
  console.log('Found by search (N fits, N + 1 fails at synth with a message naming the quota); test/scale.test.ts and '
    + 'test/cicd-artifact-store.test.ts search the same way and hold each construct to the README\'s figure. In organization mode the CICD '
    + 'account is bound by the settings alone.\n');
  console.log('| construct | mode | largest N | bound by |');
  console.log('| --- | --- | ---: | --- |');
  for (const l of found) {
    console.log(`| ${l.construct} | ${l.mode} | ${show(l.n)} | ${l.bound} |`);
  }
}

// 4. The reference app against the yardstick, as whole processes.

const JS_DIR = path.join(ROOT, 'cdk.out', 'bench-js');
const CPU_PRELOAD = path.join(JS_DIR, 'report-cpu.js');

/** Compiles the two apps to JavaScript, as a user's app runs against the published library. */
function compileApps(): void {
  fs.rmSync(JS_DIR, { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, [
    require.resolve('typescript/bin/tsc'), '--ignoreConfig', '--outDir', JS_DIR, '--rootDir', ROOT, '--module', 'node16', '--target', 'ES2022',
    '--esModuleInterop', '--skipLibCheck', '--resolveJsonModule', '--types', 'node',
    path.join(ROOT, 'examples', 'app.ts'), path.join(ROOT, 'scripts', 'yardstick.ts'),
  ], { encoding: 'utf8', timeout: 300_000 });
  if (tsc.status !== 0) {
    throw new Error(`Compiling the apps failed (${tsc.error ?? `exit ${tsc.status}`}): ${tsc.stdout}${tsc.stderr}`);
  }
  // Each run reports its own CPU time, which a shared machine disturbs less than wall time.
  fs.writeFileSync(CPU_PRELOAD, [
    'process.on(\'exit\', () => {',
    '  const u = process.cpuUsage();',
    '  process.stderr.write(\'\\nbench-cpu-ms \' + (u.user + u.system) / 1000 + \'\\n\');',
    '});',
  ].join('\n'));
}

interface ProcessTime {
  readonly wall: number;
  readonly cpu: number;
}

function runApp(script: string, env: Record<string, string>): ProcessTime {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--require', CPU_PRELOAD, path.join(JS_DIR, script)], {
    env: { ...process.env, ...env, CDK_OUTDIR: out },
    encoding: 'utf8',
    timeout: 600_000,
  });
  const wall = ms(start);
  fs.rmSync(out, { recursive: true, force: true });
  const cpu = /bench-cpu-ms ([\d.]+)/.exec(r.stderr ?? '');
  if (r.status !== 0 || !cpu) {
    throw new Error(`${script} with ${JSON.stringify(env)} failed (${r.error ?? `exit ${r.status}`}): ${(r.stderr ?? '').slice(-2000)}`);
  }
  return { wall, cpu: Number(cpu[1]) };
}

interface Comparison {
  readonly label: string;
  readonly library: ProcessTime;
  readonly plain: ProcessTime;
  /** Medians of the ratios pair by pair. */
  readonly ratioWall: number;
  readonly ratioCpu: number;
}

function compare(label: string, env: Record<string, string>): Comparison {
  runApp('examples/app.js', env); // warm-up: file caches
  runApp('scripts/yardstick.js', env);
  const lib: ProcessTime[] = [];
  const plain: ProcessTime[] = [];
  for (let r = 0; r < processRuns; r++) {
    lib.push(runApp('examples/app.js', env));
    plain.push(runApp('scripts/yardstick.js', env));
  }
  const med = (xs: ProcessTime[], k: keyof ProcessTime) => median(xs.map((x) => x[k]));
  return {
    label,
    library: { wall: med(lib, 'wall'), cpu: med(lib, 'cpu') },
    plain: { wall: med(plain, 'wall'), cpu: med(plain, 'cpu') },
    ratioWall: median(lib.map((l, i) => l.wall / plain[i].wall)),
    ratioCpu: median(lib.map((l, i) => l.cpu / plain[i].cpu)),
  };
}

function yardstickTable(): void {
  compileApps();
  const cases: Array<[string, Record<string, string>]> = [
    ['whole app, 3 accounts', { CICD_TARGET_COUNT: '2' }],
    ['whole app, 200 accounts', { CICD_TARGET_COUNT: '199' }],
    ['CICD account\'s stacks, 3 accounts', { CICD_TARGET_COUNT: '2', CICD_STACKS: 'cicd' }],
    ['CICD account\'s stacks, 200 accounts', { CICD_TARGET_COUNT: '199', CICD_STACKS: 'cicd' }],
  ];
  const results = cases.map(([label, env]) => compare(label, env));
  console.log('\n## The reference app against plain aws-cdk-lib\n');
  console.log('examples/app.ts against scripts/yardstick.ts (the same stacks written with aws-cdk-lib L2 constructs: a key, two buckets with grants, '
    + 'four roles per target, the same SSM parameters, the same pipeline), both compiled to JavaScript and run as whole processes (`node app.js`, '
    + `as \`cdk synth\` runs them), in turn, ${processRuns} runs each after a warm-up. N accounts are the CICD account and N - 1 targets. `
    + 'CPU is the process\'s own user + system time; ratios are medians of the ratios pair by pair.\n');
  console.log('| case | library wall ms | plain wall ms | wall ratio | library CPU ms | plain CPU ms | CPU ratio |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const c of results) {
    console.log(`| ${c.label} | ${c.library.wall.toFixed(0)} | ${c.plain.wall.toFixed(0)} | ${c.ratioWall.toFixed(2)} | `
      + `${c.library.cpu.toFixed(0)} | ${c.plain.cpu.toFixed(0)} | ${c.ratioCpu.toFixed(2)} |`);
  }
  const growth = (a: Comparison, b: Comparison, k: 'library' | 'plain') => (b[k].cpu / a[k].cpu).toFixed(2);
  console.log('\nCPU time at 200 accounts over 3 accounts: whole app, library '
    + `${growth(results[0], results[1], 'library')}x, plain ${growth(results[0], results[1], 'plain')}x; `
    + `CICD account's stacks, library ${growth(results[2], results[3], 'library')}x, plain ${growth(results[2], results[3], 'plain')}x.`);
}

// 5. Where the time goes, in one process.

function profile(): void {
  const phases = { guard: 0, build: 0, synth: 0 };
  // The policy-size guard, timed where the constructs call it.
  const originals = { deployedPolicySize: policySize.deployedPolicySize, checkPolicySize: policySize.checkPolicySize };
  for (const [name, fn] of Object.entries(originals)) {
    (policySize as any)[name] = (...args: unknown[]) => {
      const start = process.hrtime.bigint();
      try {
        return (fn as (...a: unknown[]) => unknown)(...args);
      } finally {
        phases.guard += ms(start);
      }
    };
  }
  const times: Array<typeof phases> = [];
  try {
    for (let r = 0; r <= runs; r++) {
      phases.guard = 0;
      const start = process.hrtime.bigint();
      const app = new App();
      buildBaseline(app, readConfig(() => undefined, {}));
      phases.build = ms(start);
      const synthStart = process.hrtime.bigint();
      app.synth();
      phases.synth = ms(synthStart);
      if (r > 0) {
        times.push({ ...phases });
      }
    }
  } finally {
    Object.assign(policySize, originals);
  }
  const m = (k: keyof typeof phases) => median(times.map((t) => t[k])).toFixed(1);
  const loading = moduleLoading();
  console.log('\n## Where the reference app\'s time goes (3 accounts, in one warm process)\n');
  console.log('Module loading is timed in fresh processes (the compiled JavaScript, as a user loads the published library); the guard is '
    + 'the policy-size check (`checkPolicySize`, `deployedPolicySize`), which resolves each policy and measures it inside the synth\'s validation.\n');
  console.log('| phase | ms (median) |');
  console.log('| --- | ---: |');
  console.log(`| loading aws-cdk-lib's modules the plain app loads (fresh process) | ${loading.cdk.toFixed(1)} |`);
  console.log(`| loading the library on top of them (fresh process) | ${loading.library.toFixed(1)} |`);
  console.log(`| building the constructs | ${m('build')} |`);
  console.log(`| synthesis (validation, token resolution, writing templates) | ${m('synth')} |`);
  console.log(`| of which the policy-size guard | ${m('guard')} |`);
}

/** Median milliseconds to require aws-cdk-lib's modules, then the library on top, in fresh processes. */
function moduleLoading(): { cdk: number; library: number } {
  const modules = ['aws-cdk-lib', 'aws-cdk-lib/aws-iam', 'aws-cdk-lib/aws-kms', 'aws-cdk-lib/aws-s3', 'aws-cdk-lib/aws-ssm',
    'aws-cdk-lib/aws-codepipeline', 'aws-cdk-lib/aws-codepipeline-actions'];
  const script = [
    'const t0 = process.hrtime.bigint();',
    `for (const m of ${JSON.stringify(modules)}) { require(m); }`,
    'const t1 = process.hrtime.bigint();',
    `require(${JSON.stringify(path.join(JS_DIR, 'src', 'index.js'))});`,
    'const t2 = process.hrtime.bigint();',
    'console.log(Number(t1 - t0) / 1e6, Number(t2 - t1) / 1e6);',
  ].join('\n');
  const cdk: number[] = [];
  const library: number[] = [];
  for (let r = 0; r <= runs; r++) {
    const p = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    if (p.status !== 0) {
      throw new Error(`Timing module loading failed (${p.error ?? `exit ${p.status}`}): ${p.stderr}`);
    }
    const [a, b] = p.stdout.trim().split(' ').map(Number);
    if (r > 0) {
      cdk.push(a);
      library.push(b);
    }
  }
  return { cdk: median(cdk), library: median(library) };
}

function main() {
  console.log('# Benchmark: the library and the number of target accounts\n');
  console.log(`Node ${process.version}, ${os.cpus().length} CPUs; ${runs} runs per in-process cell, ${processRuns} per process comparison (medians).\n`);
  const storeNs = [1, 10, 100, 200, 500];
  storeTable(storeNs);
  imageTable([1, 10, 50, 99, 100, 200]);
  settingsTable([1, 10, 100, 500, 1000]);
  const found = limits();
  const listed = found.find((l) => l.construct === 'CicdArtifactStore' && l.mode === 'account')!.n;
  cicdTable([...new Set([1, 10, 100, 500, listed, 1000])].sort((a, b) => a - b), listed);
  limitsTable(found);
  yardstickTable();
  profile();
}

main();
