/**
 * What the `cdk deploy` test asserts after a developer of the CICD account deployed the sample
 * application with `cdk deploy` through the baseline: pure functions over the facts the test
 * reads from the emulator, so that each check can be tested against facts that are wrong.
 */

/** One row of the result table. */
export interface CheckRow {
  readonly check: string;
  readonly expected: string;
  readonly actual: string;
  readonly ok: boolean;
}

/** Where the synthesizer says one file asset goes, from a stack's asset manifest. */
export interface AssetObject {
  /** The asset's ID in the manifest (its source hash; the template's too). */
  readonly id: string;
  readonly bucketName: string;
  readonly objectKey: string;
  /** The role the CLI assumes to publish it. */
  readonly assumeRoleArn?: string;
}

/** The stack artifact's deployment settings, from the cloud assembly's manifest. */
export interface StackArtifact {
  readonly artifactId: string;
  readonly stackName: string;
  /** `aws://ACCOUNT/REGION` */
  readonly environment: string;
  readonly assumeRoleArn?: string;
  readonly cloudFormationExecutionRoleArn?: string;
  readonly requiresBootstrapStackVersion?: number;
  /** The asset manifest's file, relative to the assembly directory. */
  readonly assetsFile?: string;
}

/** The stack artifacts of a cloud assembly's `manifest.json`. */
export function stackArtifacts(manifest: any): StackArtifact[] {
  const artifacts = Object.entries<any>(manifest?.artifacts ?? {});
  return artifacts
    .filter(([, a]) => a.type === 'aws:cloudformation:stack')
    .map(([id, a]) => {
      const assets = (a.dependencies ?? [])
        .map((d: string) => manifest.artifacts[d])
        .find((d: any) => d?.type === 'cdk:asset-manifest');
      return {
        artifactId: id,
        stackName: a.properties?.stackName ?? id,
        environment: a.environment,
        assumeRoleArn: a.properties?.assumeRoleArn,
        cloudFormationExecutionRoleArn: a.properties?.cloudFormationExecutionRoleArn,
        requiresBootstrapStackVersion: a.properties?.requiresBootstrapStackVersion ?? assets?.properties?.requiresBootstrapStackVersion,
        assetsFile: assets?.properties?.file,
      };
    });
}

/** Replaces the CLI's placeholders as it does for the stack's environment. */
export function resolvePlaceholders(s: string, account: string, region: string, partition = 'aws'): string {
  return s.replace(/\$\{AWS::AccountId\}/g, account).replace(/\$\{AWS::Region\}/g, region).replace(/\$\{AWS::Partition\}/g, partition);
}

/** Every file asset destination of an asset manifest (`*.assets.json`), placeholders resolved. */
export function fileAssetObjects(assetManifest: any, account: string, region: string): AssetObject[] {
  const out: AssetObject[] = [];
  for (const [id, asset] of Object.entries<any>(assetManifest?.files ?? {})) {
    for (const dest of Object.values<any>(asset.destinations ?? {})) {
      out.push({
        id,
        bucketName: resolvePlaceholders(dest.bucketName, account, region),
        objectKey: resolvePlaceholders(dest.objectKey, account, region),
        assumeRoleArn: dest.assumeRoleArn ? resolvePlaceholders(dest.assumeRoleArn, account, region) : undefined,
      });
    }
  }
  return out;
}

/** The role ARNs the CDK CLI says it assumed (its `-v` output: `Assuming role 'ARN'.`), each once, in order. */
export function assumedRoleArns(cliOutput: string): string[] {
  const seen: string[] = [];
  for (const m of cliOutput.matchAll(/Assuming role '(arn:[^']+)'/g)) {
    if (!seen.includes(m[1])) seen.push(m[1]);
  }
  return seen;
}

/** What the baseline's names say the deploy of one target must have used. */
export interface ExpectedTarget {
  readonly account: string;
  readonly stackName: string;
  readonly deployRoleArn: string;
  readonly cloudFormationRoleArn: string;
  /** The objects the target's asset manifest names (template and file assets). */
  readonly assets: AssetObject[];
}

export interface Expected {
  readonly cicdAccount: string;
  readonly region: string;
  /** The central assets bucket of the store, in the CICD account. */
  readonly assetsBucket: string;
  readonly publishingRoleArn: string;
  /** The store's key, which must encrypt every asset. */
  readonly keyArn: string;
  readonly targets: ExpectedTarget[];
}

/** What the emulator holds after the deploy, for one target. */
export interface TargetFacts {
  readonly account: string;
  /** DescribeStacks of the stack in the target account, with the target's own credentials. */
  readonly stack?: { readonly stackId: string; readonly status: string; readonly roleArn?: string };
  /** Whether a stack of that name exists in the CICD account (it must not). */
  readonly stackInCicdAccount: boolean;
  /** When the target's cross-account role was last used (IAM GetRole). */
  readonly deployRoleLastUsed?: Date;
  /** The objects of the central assets bucket under the target's prefix, with their KMS key. */
  readonly objects: ReadonlyArray<{ readonly key: string; readonly kmsKeyId?: string }>;
}

export interface RunFacts {
  /** When the `cdk deploy` started: the roles must have been used after it. */
  readonly deployStarted: Date;
  /** The role ARNs the CLI reported assuming. */
  readonly assumedRoles: string[];
  /** The publishing role's last use (IAM GetRole in the CICD account). */
  readonly publishingRoleLastUsed?: Date;
  /** The accounts (of CICD and the targets) holding a `CDKToolkit` stack. */
  readonly toolkitStackAccounts: string[];
  /** Buckets named like `cdk bootstrap`'s staging bucket, in any of the accounts. */
  readonly bootstrapBuckets: string[];
  readonly targets: TargetFacts[];
}

function row(check: string, expected: string, actual: string, ok?: boolean): CheckRow {
  return { check, expected, actual, ok: ok ?? expected === actual };
}

function usedSince(when: Date | undefined, since: Date): string {
  if (!when) return 'never used';
  return when.getTime() >= since.getTime() - 1000 ? 'used during the deploy' : `last used ${when.toISOString()}, before the deploy`;
}

/**
 * The checks of one `cdk deploy` through the baseline: per target, the stack exists in the
 * target account (not the CICD account) through the CloudFormation role, the CLI assumed the
 * target's cross-account role and the role was used, every asset (the template included) is in
 * the central assets bucket under the target's prefix, encrypted with the store's key; once for
 * the run, the publishing role was assumed and used, and nothing of `cdk bootstrap` exists.
 */
export function cdkDeployChecks(expected: Expected, facts: RunFacts): CheckRow[] {
  const rows: CheckRow[] = [];
  for (const t of expected.targets) {
    const f = facts.targets.find((x) => x.account === t.account);
    const where = `${t.stackName} in ${t.account}`;
    rows.push(row(`${where}: deployed`, 'CREATE_COMPLETE or UPDATE_COMPLETE', f?.stack?.status ?? 'no stack',
      ['CREATE_COMPLETE', 'UPDATE_COMPLETE'].includes(f?.stack?.status ?? '')));
    const stackAccount = /^arn:[^:]+:cloudformation:[^:]+:(\d{12}):stack\//.exec(f?.stack?.stackId ?? '')?.[1];
    rows.push(row(`${where}: the stack's account`, t.account, stackAccount ?? 'no stack'));
    if (t.account !== expected.cicdAccount) {
      rows.push(row(`${where}: not in the CICD account`, 'absent', f?.stackInCicdAccount ? 'present' : 'absent'));
    }
    rows.push(row(`${where}: CloudFormation role (the stack's RoleARN)`, t.cloudFormationRoleArn, f?.stack?.roleArn ?? 'none'));
    rows.push(row(`${where}: the CLI assumed the deploy role`, t.deployRoleArn,
      facts.assumedRoles.includes(t.deployRoleArn) ? t.deployRoleArn : `not among ${facts.assumedRoles.join(', ') || 'none'}`));
    rows.push(row(`${where}: the deploy role was used`, 'used during the deploy', usedSince(f?.deployRoleLastUsed, facts.deployStarted)));
    if (t.assets.length === 0) rows.push(row(`${where}: assets in the manifest`, 'at least the template', 'none', false));
    for (const a of t.assets) {
      const what = `${where}: asset ${a.id.slice(0, 12)}… (${a.objectKey.endsWith('.json') ? 'template' : 'file'})`;
      rows.push(row(`${what}: bucket`, expected.assetsBucket, a.bucketName));
      rows.push(row(`${what}: key under the target's prefix`, `${t.account}/…`, a.objectKey, a.objectKey.startsWith(`${t.account}/`)));
      rows.push(row(`${what}: published by`, expected.publishingRoleArn, a.assumeRoleArn ?? 'the caller'));
      const object = f?.objects.find((o) => o.key === a.objectKey);
      rows.push(row(`${what}: in the bucket`, 'present', object ? 'present' : 'absent'));
      rows.push(row(`${what}: encrypted with the store's key`, expected.keyArn, object?.kmsKeyId ?? 'no KMS key'));
    }
  }
  rows.push(row('the CLI assumed the publishing role', expected.publishingRoleArn,
    facts.assumedRoles.includes(expected.publishingRoleArn) ? expected.publishingRoleArn : `not among ${facts.assumedRoles.join(', ') || 'none'}`));
  rows.push(row('the publishing role was used', 'used during the deploy', usedSince(facts.publishingRoleLastUsed, facts.deployStarted)));
  const expectedRoles = new Set([expected.publishingRoleArn, ...expected.targets.map((t) => t.deployRoleArn)]);
  const others = facts.assumedRoles.filter((r) => !expectedRoles.has(r));
  rows.push(row('no other role assumed', 'none', others.join(', ') || 'none'));
  rows.push(row('no CDKToolkit stack (no cdk bootstrap)', 'none', facts.toolkitStackAccounts.join(', ') || 'none'));
  rows.push(row('no cdk bootstrap staging bucket', 'none', facts.bootstrapBuckets.join(', ') || 'none'));
  return rows;
}
