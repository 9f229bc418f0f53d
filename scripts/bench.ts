/**
 * Benchmark: how the artifact store grows with the number of target accounts, in each
 * narrowing mode. Prints Markdown tables; run with `npx projen bench`.
 *
 * For N target accounts it synthesizes the store several times and reports the median synth
 * time and its ratio to a plain CDK app with the same number of bare resources and no policies
 * (measured in the same run, interleaved), the deployed size of the bucket and key policies
 * (JSON without whitespace), the template size and the resource count; then the largest N
 * that stays under each quota.
 */
import * as os from 'os';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CicdArtifactStore, CicdArtifactStoreProps, TargetAccount } from '../src';
import { BUCKET_POLICY_QUOTA, deployedPolicySize, KEY_POLICY_QUOTA, QUOTA_SHARE_ALLOWED } from '../src/private/policy-size';

type Mode = 'account' | 'role-ids' | 'role-arns' | 'organization';
const MODES: Mode[] = ['account', 'role-ids', 'role-arns', 'organization'];
const ENV = { account: '111111111111', region: 'eu-west-1' };
const ROLES_PER_ACCOUNT = 3;
const runs = Number(process.env.BENCH_RUNS ?? 5);

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

function props(n: number, mode: Mode): CicdArtifactStoreProps {
  // Organization mode admits every account of the organization: N does not enter the policies.
  return mode === 'organization' ? { organizationId: 'o-a1b2c3d4e5' } : { targetAccounts: targets(n, mode) };
}

interface Measure {
  readonly bucketBytes: number;
  readonly keyBytes: number;
  readonly templateBytes: number;
  readonly resources: number;
}

/** Builds the store without the size guard's validation, and measures what it would deploy. */
function measure(n: number, mode: Mode): Measure {
  const app = new App();
  const stack = new Stack(app, 'Cicd', { env: ENV });
  const store = new CicdArtifactStore(stack, 'Store', props(n, mode));
  const bucketBytes = deployedPolicySize(stack, (store.artifactsBucket as s3.Bucket).policy!.document);
  const keyBytes = deployedPolicySize(stack, (store as any).keyPolicy);
  const template = stack.resolve((stack as any)._toCloudFormation());
  return {
    bucketBytes,
    keyBytes,
    templateBytes: Buffer.byteLength(JSON.stringify(template)),
    resources: Object.keys(template.Resources).length,
  };
}

function synthStore(n: number, mode: Mode): number {
  const start = process.hrtime.bigint();
  const app = new App();
  new CicdArtifactStore(new Stack(app, 'Cicd', { env: ENV }), 'Store', props(n, mode));
  try {
    app.synth();
  } catch {
    // Over the quota: the guard fails synth, after the same work.
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** A plain app with as many bare resources as the store has, and no policy. */
function synthPlain(resources: number): number {
  const start = process.hrtime.bigint();
  const app = new App();
  const stack = new Stack(app, 'Plain', { env: ENV });
  for (let i = 0; i < resources; i++) {
    new CfnResource(stack, `R${i}`, { type: 'AWS::SNS::Topic' });
  }
  app.synth();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** CloudFormation takes a template body of this many bytes inline; a larger one goes through S3 (up to 1 MB). */
const INLINE_TEMPLATE_QUOTA = 51_200;

function fits(m: Measure): { bucket: boolean; key: boolean; template: boolean } {
  return {
    bucket: m.bucketBytes <= BUCKET_POLICY_QUOTA * QUOTA_SHARE_ALLOWED,
    key: m.keyBytes <= KEY_POLICY_QUOTA * QUOTA_SHARE_ALLOWED,
    template: m.templateBytes <= INLINE_TEMPLATE_QUOTA,
  };
}

/** The largest N whose policies stay within the guard (90% of each quota); Infinity if N does not matter. */
function largestN(mode: Mode): { bucket: number; key: number; template: number } {
  if (mode === 'organization') {
    return { bucket: Infinity, key: Infinity, template: Infinity };
  }
  const search = (which: 'bucket' | 'key' | 'template') => {
    let lo = 1;
    let hi = 2;
    while (fits(measure(hi, mode))[which]) {
      lo = hi;
      hi *= 2;
    }
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (fits(measure(mid, mode))[which]) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return lo;
  };
  return { bucket: search('bucket'), key: search('key'), template: search('template') };
}

function main() {
  const limits = Object.fromEntries(MODES.map((m) => [m, largestN(m)])) as Record<Mode, { bucket: number; key: number; template: number }>;
  const largestAccount = Math.min(limits.account.bucket, limits.account.key);
  const ns = [1, 2, 10, 50, 100, 200, largestAccount].filter((n, i, a) => a.indexOf(n) === i).sort((a, b) => a - b);

  console.log('# Benchmark: CicdArtifactStore and the number of target accounts\n');
  console.log(`Node ${process.version}, ${os.cpus().length} CPUs, ${runs} runs per cell (medians); role-ids and role-arns narrow each account to ${ROLES_PER_ACCOUNT} roles.`);
  console.log('Policy bytes are the deployed JSON without whitespace; the guard fails synth above 90% of the quota '
    + `(bucket policy ${BUCKET_POLICY_QUOTA * QUOTA_SHARE_ALLOWED} of ${BUCKET_POLICY_QUOTA}, key policy ${KEY_POLICY_QUOTA * QUOTA_SHARE_ALLOWED} of ${KEY_POLICY_QUOTA}).\n`);
  console.log('| mode | N | synth ms (median) | plain app ms | ratio | bucket policy bytes | key policy bytes | template bytes | resources |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const mode of MODES) {
    for (const n of ns) {
      const m = measure(n, mode);
      const store: number[] = [];
      const plain: number[] = [];
      synthStore(n, mode); // warm-up
      synthPlain(m.resources);
      for (let r = 0; r < runs; r++) {
        store.push(synthStore(n, mode));
        plain.push(synthPlain(m.resources));
      }
      const s = median(store);
      const p = median(plain);
      const over = fits(m).bucket && fits(m).key ? '' : ' (over)';
      console.log(`| ${mode} | ${n} | ${s.toFixed(1)} | ${p.toFixed(1)} | ${(s / p).toFixed(2)} | ${m.bucketBytes}${over} | ${m.keyBytes} | ${m.templateBytes} | ${m.resources} |`);
    }
  }
  console.log('\n## Largest N under each quota (policy guard at 90%)\n');
  console.log('The template column is the inline template body (51,200 bytes); above it the CDK CLI uploads the template to the '
    + 'bootstrap bucket, where CloudFormation takes up to 1 MB, so it bounds nothing but the need for that bucket.\n');
  console.log('| mode | bucket policy | key policy | supported | template inline |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const mode of MODES) {
    const l = limits[mode];
    const show = (x: number) => (x === Infinity ? 'unbounded' : String(x));
    console.log(`| ${mode} | ${show(l.bucket)} | ${show(l.key)} | ${show(Math.min(l.bucket, l.key))} | ${show(l.template)} |`);
  }
}

main();
