/**
 * The regions a store serves: one `CicdArtifactStore` per region, each in its own stack, with
 * the same props; every store (and every importer) knows the list, so that grants reach the
 * buckets and keys of every region, and CodePipeline gets an artifact bucket in each.
 */
import { Annotations, Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { KeyByAlias } from './key-by-alias';
import { bucketName } from './naming';
import { isToken, PropErrors } from './validation';

const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
const KEY_ARN = /^arn:[a-z-]+:kms:([a-z0-9-]+):(\d{12}):key\/[a-zA-Z0-9-]+$/;

/** The partition of a region aws-cdk-lib knows, or undefined. */
export function partitionOfRegion(region: string): string | undefined {
  if (isToken(region) || !REGION.test(region)) {
    return undefined;
  }
  return RegionInfo.regions.some((r) => r.name === region) ? RegionInfo.get(region).partition : undefined;
}

/**
 * Checks a list of regions: literal names of regions aws-cdk-lib knows, each once, all of one
 * partition, including `own` (the stack's or location's region) when it is a literal.
 * Returns whether the list is valid.
 */
export function checkRegions(errors: PropErrors, prop: string, regions: string[] | undefined, own: string | undefined, ownProp: string, why = ''): boolean {
  if (regions === undefined) {
    return true;
  }
  const before = errors.count;
  if (regions.length === 0) {
    errors.add(prop, regions, 'allowed: at least one region; omit it for a store that serves its own region only');
  }
  const seen = new Set<string>();
  const partitions = new Map<string, string>();
  regions.forEach((region, i) => {
    const partition = typeof region === 'string' ? partitionOfRegion(region) : undefined;
    if (partition === undefined) {
      errors.add(`${prop}[${i}]`, region, 'allowed: a literal AWS region name that aws-cdk-lib knows, such as "eu-west-1" '
        + '(a region newer than your aws-cdk-lib needs a newer aws-cdk-lib)');
      return;
    }
    if (seen.has(region)) {
      errors.add(`${prop}[${i}]`, region, 'allowed: a region listed once');
    }
    seen.add(region);
    partitions.set(region, partition);
  });
  const distinct = new Set(partitions.values());
  if (distinct.size > 1) {
    errors.add(prop, regions, `allowed: regions of one partition (these span ${[...distinct].join(' and ')}); a pipeline cannot reach across partitions`);
  }
  if (own !== undefined && !isToken(own) && regions.length > 0 && !regions.includes(own)) {
    errors.add(prop, regions, `allowed: a list that includes the ${ownProp} (${own})${why}`);
  }
  return errors.count === before;
}

/** The regions served besides `own`, in the order given. */
export function siblingRegions(regions: string[] | undefined, own: string | undefined): string[] {
  return (regions ?? []).filter((r) => r !== own);
}

/** What a grant needs to name a store's buckets and key in other regions. */
export interface RegionalNames {
  readonly account: string;
  /** The regions besides the store's own. */
  readonly siblings: string[];
  readonly artifactsBucketPrefix: string;
  readonly templatesBucketPrefix: string;
  readonly keyAlias: string;
  readonly imageRepositoryNames: string[];
}

/** The ARNs of a bucket in the other regions: `PREFIX-ACCOUNT-REGION` for each. */
export function siblingBucketArns(names: RegionalNames, prefix: string): string[] {
  return names.siblings.map((r) => `arn:${Aws.PARTITION}:s3:::${bucketName(prefix, names.account, r)}`);
}

/** Every key of `account` in `regions` that carries `alias` (IAM statements on an alias ARN grant nothing). */
export function keyByAliasArns(account: string, regions: string[]): string[] {
  return regions.map((r) => `arn:${Aws.PARTITION}:kms:${r}:${account}:key/*`);
}

/** The grant on the key carrying `alias` in `account`, in each of `regions`. */
export function aliasGrantInRegions(
  grantee: iam.IGrantable, actions: string[], account: string, regions: string[], alias: string,
): iam.CommonGrantOptions {
  return {
    grantee,
    actions,
    resourceArns: keyByAliasArns(account, regions),
    conditions: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': alias } },
  };
}

/** What `replicationBuckets` needs: the store's location in every region. */
export interface ReplicationBucketsSpec {
  readonly account: string;
  readonly regions: string[];
  readonly artifactsBucketPrefix: string;
  readonly keyAlias: string;
  readonly keyArns: Record<string, string>;
}

/** Checks the key ARNs given per region: each a key ARN of the store's account in that region. */
export function checkKeyArns(
  errors: PropErrors, prop: string, keyArns: Record<string, string> | undefined, account: string, regions: string[],
): void {
  for (const [region, arn] of Object.entries(keyArns ?? {})) {
    if (!regions.includes(region)) {
      errors.add(`${prop}.${region}`, arn, `allowed: key ARNs of the regions listed in regions (${regions.join(', ')})`);
      continue;
    }
    if (isToken(arn)) {
      continue;
    }
    const m = KEY_ARN.exec(arn);
    if (!m) {
      errors.add(`${prop}.${region}`, arn, `allowed: a KMS key ARN such as "arn:aws:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab" (not an alias ARN)`);
    } else if (m[1] !== region || (!isToken(account) && m[2] !== account)) {
      errors.add(`${prop}.${region}`, arn, `allowed: a key of the store's account and of that region (${account}, ${region})`);
    }
  }
}

/**
 * The store's artifacts bucket in every region, by its literal name, each with a key valid in
 * its own region: the key's ARN when given, else its alias ARN (which CodePipeline recognizes in
 * the key's own account only). Grants on a key known by its alias go through `kms:ResourceAliases`.
 */
export function replicationBuckets(scope: Construct, spec: ReplicationBucketsSpec): Record<string, s3.IBucket> {
  const buckets: Record<string, s3.IBucket> = {};
  const byAlias: string[] = [];
  for (const region of spec.regions) {
    const regional = new Construct(scope, region);
    const keyArn = spec.keyArns[region];
    let key: kms.IKey;
    if (keyArn !== undefined) {
      key = kms.Key.fromKeyArn(regional, 'Key', keyArn);
    } else {
      byAlias.push(region);
      const partition = partitionOfRegion(region) ?? Aws.PARTITION;
      key = new KeyByAlias(regional, 'Key', {
        account: spec.account,
        region,
        alias: spec.keyAlias,
        importer: `CicdArtifactStore.crossRegionReplicationBuckets (${regional.node.path})`,
        remedy: `Pass the key's ARN for ${region} in keyArns.`,
        keyArn: `arn:${partition}:kms:${region}:${spec.account}:${spec.keyAlias}`,
      });
    }
    buckets[region] = s3.Bucket.fromBucketAttributes(regional, 'ArtifactsBucket', {
      bucketName: bucketName(spec.artifactsBucketPrefix, spec.account, region),
      account: spec.account,
      region,
      encryptionKey: key,
    });
  }
  if (byAlias.length > 0) {
    Annotations.of(scope).addWarningV2('cdk-cross-account-cicd:replicationKeyByAlias',
      `The artifact store's key in ${byAlias.join(', ')} is named by its alias ARN (${spec.keyAlias}): CodePipeline recognizes an alias only in the key's own account, `
      + 'so an action in those regions that runs in another account (a role of a target account) cannot use it. '
      + 'Pass the keys\' ARNs in keyArns (each regional store outputs KeyArn and publishes it with CicdSettings), '
      + 'or acknowledge this warning when every action in those regions runs in the CICD account.');
  }
  return buckets;
}
