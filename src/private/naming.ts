/**
 * Every deterministic name of the CICD baseline, and the rules that keep them valid, in one
 * place: the roles' names, the buckets' names, the key's alias, the SSM parameter layout and
 * the export names. Every construct and importer takes its names from here, so that one
 * account computes what another deployed without a value copied between them.
 */
import { Aws, Token } from 'aws-cdk-lib';
import { pascal } from './target-statements';
import { isToken, PropErrors } from './validation';

// ---------------------------------------------------------------------------------------
// Target names

/** The longest target name. */
export const TARGET_NAME_MAX = 32;
const TARGET_NAME = new RegExp(`^[A-Za-z][A-Za-z0-9-]{0,${TARGET_NAME_MAX - 1}}$`);
export const TARGET_NAME_RULE = `allowed: 1 to ${TARGET_NAME_MAX} letters, digits and hyphens, starting with a letter, such as "nonprod"`;

/** Whether `name` may name a target account (it appears in construct IDs, conditions, parameter paths and export names). */
export function isTargetName(name: unknown): name is string {
  return typeof name === 'string' && !isToken(name) && TARGET_NAME.test(name);
}

/** Records a problem with a target name, if it has one; returns whether the name is valid. */
export function checkTargetName(errors: PropErrors, prop: string, name: unknown): boolean {
  if (isTargetName(name)) {
    return true;
  }
  errors.add(prop, name, TARGET_NAME_RULE);
  return false;
}

// ---------------------------------------------------------------------------------------
// Roles in the target accounts

/** The prefix of the pipeline roles' names when `roleNamePrefix` is not given. */
export const DEFAULT_ROLE_NAME_PREFIX = 'cicd';
const CROSS_ACCOUNT_SUFFIX = '-cross-account';
const CLOUDFORMATION_SUFFIX = '-cloudformation';
const BUILD_SUFFIX = '-build';

export function crossAccountRoleName(prefix: string = DEFAULT_ROLE_NAME_PREFIX): string {
  return `${prefix}${CROSS_ACCOUNT_SUFFIX}`;
}

export function cloudFormationRoleName(prefix: string = DEFAULT_ROLE_NAME_PREFIX): string {
  return `${prefix}${CLOUDFORMATION_SUFFIX}`;
}

export function buildRoleName(prefix: string = DEFAULT_ROLE_NAME_PREFIX): string {
  return `${prefix}${BUILD_SUFFIX}`;
}

/** The baseline's permissions boundary (a managed policy) in a target account. */
export function permissionsBoundaryName(prefix: string = DEFAULT_ROLE_NAME_PREFIX): string {
  return `${prefix}-permissions-boundary`;
}

/** The read-only role's name when `roleName` is not given. */
export const DEFAULT_READ_ONLY_ROLE_NAME = 'cicd-read-only';

// ---------------------------------------------------------------------------------------
// The artifact store in the CICD account

export const DEFAULT_ARTIFACTS_PREFIX = 'cicd-artifacts';
export const DEFAULT_TEMPLATES_PREFIX = 'cicd-templates';
export const DEFAULT_KEY_ALIAS = 'alias/cicd/artifacts';

/** The name of a store's bucket: `PREFIX-ACCOUNT-REGION`. */
export function bucketName(prefix: string, account: string, region: string): string {
  return `${prefix}-${account}-${region}`;
}

/** The longest region name, for checking a bucket name whose region is known only at deploy time. */
const LONGEST_REGION = 14;
const BUCKET_PREFIX = /^[a-z0-9][a-z0-9-]*[a-z0-9]$/;

/** Why `PREFIX-ACCOUNT-REGION` would not be a valid, dot-free bucket name, or undefined. */
export function bucketPrefixProblem(region: string | undefined, prefix: string): string | undefined {
  if (isToken(prefix)) {
    return 'allowed: a literal prefix; other accounts compute the bucket name from it';
  }
  const allowed = 'allowed: lower-case letters, digits and hyphens, starting and ending with a letter or digit (no dots)';
  if (!BUCKET_PREFIX.test(prefix)) {
    return allowed;
  }
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(prefix)) {
    return 'allowed: a prefix not starting with "xn--", "sthree-" or "amzn-s3-demo-" (reserved by S3)';
  }
  const regionLength = region === undefined || Token.isUnresolved(region) ? LONGEST_REGION : region.length;
  const length = prefix.length + 1 + 12 + 1 + regionLength;
  if (length > 63) {
    return `allowed: at most ${63 - 14 - regionLength} characters, so that PREFIX-ACCOUNT-REGION stays within the 63 characters of a bucket name (it would be ${length})`;
  }
  return undefined;
}

/** Records the problems of the two bucket prefixes of a store (or its location), if any. */
export function checkBucketPrefixes(
  errors: PropErrors, region: string | undefined, prefixes: { artifactsBucketPrefix?: string; templatesBucketPrefix?: string },
): void {
  for (const prop of ['artifactsBucketPrefix', 'templatesBucketPrefix'] as const) {
    const prefix = prefixes[prop];
    const problem = prefix === undefined ? undefined : bucketPrefixProblem(region, prefix);
    if (problem) {
      errors.add(prop, prefix, problem);
    }
  }
}

const KEY_ALIAS = /^alias\/[a-zA-Z0-9/_-]{1,250}$/;

/** Why `alias` cannot name the store's key, or undefined. */
export function keyAliasProblem(alias: string): string | undefined {
  if (isToken(alias) || !KEY_ALIAS.test(alias) || alias.startsWith('alias/aws/')) {
    return 'allowed: "alias/" followed by 1 to 250 letters, digits, "/", "_" and "-", not starting with "alias/aws/"';
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// CloudFormation export names

/** CloudFormation's limit on an export name. */
const EXPORT_NAME_MAX = 255;
/**
 * Room kept for the part a construct appends to an export prefix: the store's longest is
 * `-TemplatesBucketName` (20 characters); 55 keeps the 200-character prefix limit the store has
 * always had, with room for longer output names.
 */
const LONGEST_EXPORT_SUFFIX = 55;
/** The longest export prefix, so that every export name stays within CloudFormation's limit. */
export const EXPORT_PREFIX_MAX = EXPORT_NAME_MAX - LONGEST_EXPORT_SUFFIX;
const EXPORT_PREFIX = new RegExp(`^[A-Za-z0-9:-]{1,${EXPORT_PREFIX_MAX}}$`);

/** Records a problem with an export prefix, if it has one. */
export function checkExportPrefix(errors: PropErrors, prop: string, prefix: string | undefined): void {
  if (prefix !== undefined && (isToken(prefix) || !EXPORT_PREFIX.test(prefix))) {
    errors.add(prop, prefix, `allowed: 1 to ${EXPORT_PREFIX_MAX} letters, digits, "-" and ":" (CloudFormation export names allow ${EXPORT_NAME_MAX} characters, `
      + `and the longest suffix added is ${LONGEST_EXPORT_SUFFIX})`);
  }
}

// ---------------------------------------------------------------------------------------
// The settings' layout in SSM Parameter Store, shared by CicdSettings and the importers

export const DEFAULT_PARAMETER_PREFIX = '/cicd/artifacts';

/** The version of the layout, written into every page of the target registry. */
export const LAYOUT_VERSION = 2;

/**
 * An SSM standard-tier parameter holds 4 KB: the registry of target accounts is split into
 * pages of at most this many characters (its JSON is ASCII, so characters are bytes).
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html
 */
export const PAGE_QUOTA = 4_096;

export function storeParameterNames(prefix: string) {
  return {
    keyArn: `${prefix}/kms/key-arn`,
    artifactsBucketName: `${prefix}/buckets/artifacts/name`,
    artifactsBucketArn: `${prefix}/buckets/artifacts/arn`,
    templatesBucketName: `${prefix}/buckets/templates/name`,
    templatesBucketArn: `${prefix}/buckets/templates/arn`,
  };
}

/** The name of page `page` (from 1) of the target registry. */
export function targetPageParameterName(prefix: string, page: number): string {
  return `${prefix}/targets/${page}`;
}

/** One target account as the registry lists it: only what cannot be computed. */
export interface RegistryEntry {
  readonly name: string;
  readonly accountId: string;
  readonly roleIds?: string[];
}

/** What every page of the registry says besides its targets. */
export interface RegistryHeader {
  readonly roleNamePrefix: string;
  readonly readOnlyRoleName: string;
}

/**
 * Splits the registry into the JSON values of its pages, each within `PAGE_QUOTA`:
 * `{"layout":2,"page":1,"pages":3,"roleNamePrefix":"cicd","readOnlyRoleName":"cicd-read-only","targets":[...]}`.
 * Every page is complete in itself, so a reader of one page needs no other.
 */
export function registryPages(header: RegistryHeader, entries: RegistryEntry[]): string[] {
  // The header, with room for page numbers up to 99999, and the brackets of the list.
  const render = (page: number, pages: number, targets: RegistryEntry[]) =>
    JSON.stringify({ layout: LAYOUT_VERSION, page, pages, ...header, targets });
  const overhead = render(99_999, 99_999, []).length;
  const groups: RegistryEntry[][] = [[]];
  let used = overhead;
  for (const entry of entries) {
    const bytes = JSON.stringify(entry).length + 1;
    if (bytes + overhead > PAGE_QUOTA) {
      throw new Error(`The target ${entry.name} takes ${bytes} characters in the registry, more than one SSM parameter page holds`);
    }
    if (used + bytes > PAGE_QUOTA) {
      groups.push([]);
      used = overhead;
    }
    groups[groups.length - 1].push(entry);
    used += bytes;
  }
  return groups.map((g, i) => render(i + 1, groups.length, g));
}

/** Levels the layout adds below the prefix, at the deepest (`buckets/artifacts/name`). */
const LEVELS_BELOW_PREFIX = 3;
/** Characters the layout adds below the prefix, at the longest. */
const LONGEST_SUFFIX = '/buckets/templates/name'.length;

/** Why `prefix` cannot start the names of SSM parameters, or undefined. */
function parameterPrefixProblem(prefix: string): string | undefined {
  if (!/^(\/[a-zA-Z0-9_.-]+)+$/.test(prefix)) {
    return 'allowed: a path such as "/cicd/artifacts": "/" then segments of letters, digits, "_", "." and "-", with no trailing "/"';
  }
  const first = prefix.split('/')[1].toLowerCase();
  if (first.startsWith('aws') || first.startsWith('ssm')) {
    return 'allowed: a path whose first segment does not start with "aws" or "ssm" (reserved by SSM)';
  }
  const levels = prefix.split('/').length - 1;
  if (levels + LEVELS_BELOW_PREFIX > 15) {
    return `allowed: at most ${15 - LEVELS_BELOW_PREFIX} levels, since the parameters go ${LEVELS_BELOW_PREFIX} levels deeper and SSM allows 15`;
  }
  if (prefix.length + LONGEST_SUFFIX > 1011) {
    return `allowed: at most ${1011 - LONGEST_SUFFIX} characters, since parameter names may have 1011`;
  }
  return undefined;
}

/** Records a problem with a parameter prefix, if it has one. */
export function checkParameterPrefix(errors: PropErrors, prefix: string | undefined, prop = 'parameterPrefix'): void {
  if (prefix === undefined) {
    return;
  }
  const problem = isToken(prefix) ? 'allowed: a literal path, not a token' : parameterPrefixProblem(prefix);
  if (problem) {
    errors.add(prop, prefix, problem);
  }
}

// ---------------------------------------------------------------------------------------
// ECR repositories of the store

/** ECR's repository-name rule (CreateRepository), 2 to 256 characters. */
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
export const REPOSITORY_NAME_RULE = 'allowed: an ECR repository name of 2 to 256 characters: lower-case letters and digits, '
  + 'separated by ".", "_" or "-", in "/"-separated parts, such as "team/app"';

/** Why `name` is not a valid ECR repository name, or undefined. */
export function repositoryNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || isToken(name)) {
    return `${REPOSITORY_NAME_RULE}; a literal, since other accounts name the repository`;
  }
  if (name.length < 2 || name.length > 256 || !REPOSITORY_NAME.test(name)) {
    return REPOSITORY_NAME_RULE;
  }
  return undefined;
}

/** Checks a list of repository names: each valid, none twice, no two with the same construct ID. */
export function checkRepositoryNames(errors: PropErrors, prop: string, names: string[] | undefined): void {
  if (names === undefined) {
    return;
  }
  if (names.length === 0) {
    errors.add(prop, names, 'allowed: at least one repository name; omit it for a store without container images');
  }
  const seen = new Map<string, string>();
  names.forEach((name, i) => {
    const problem = repositoryNameProblem(name);
    if (problem) {
      errors.add(`${prop}[${i}]`, name, problem);
      return;
    }
    const id = repositoryConstructId(name);
    if (seen.has(id)) {
      errors.add(`${prop}[${i}]`, name, `allowed: a name listed once, and not differing from another only by ".", "_", "-" or "/" (it clashes with ${JSON.stringify(seen.get(id))})`);
    }
    seen.set(id, name);
  });
}

/** The construct ID of a repository of the store: `ImageRepository` and the name in PascalCase. */
export function repositoryConstructId(name: string): string {
  return `ImageRepository${pascal(name)}`;
}

/** The ARN of a repository of `account` in `region`, built from literals (no reference to the store's stack). */
export function repositoryArn(account: string, region: string, name: string): string {
  return `arn:${Aws.PARTITION}:ecr:${region}:${account}:repository/${name}`;
}

// ---------------------------------------------------------------------------------------
// CDK assets and the CDK bootstrap contract

/** The prefix of the central assets bucket's name when `assetsBucketPrefix` is not given. */
export const DEFAULT_ASSETS_PREFIX = 'cicd-assets';

/** The suffix of the asset-publishing role's name, before the region. */
const PUBLISHING_ROLE_SUFFIX = '-publishing-';

/**
 * The name of the role of the CICD account that publishes CDK assets into the central assets
 * bucket (and the store's ECR repositories) of one region: `PREFIX-publishing-REGION`. Role
 * names are global to an account, so the region is part of it (one store per region).
 */
export function assetPublishingRoleName(assetsBucketPrefix: string, region: string): string {
  return `${assetsBucketPrefix}${PUBLISHING_ROLE_SUFFIX}${region}`;
}

/** Why `prefix` cannot start the assets bucket's and the publishing role's names, or undefined. */
export function assetsBucketPrefixProblem(region: string | undefined, prefix: string): string | undefined {
  const problem = bucketPrefixProblem(region, prefix);
  if (problem) {
    return problem;
  }
  const longest = assetPublishingRoleName(prefix, 'x'.repeat(LONGEST_REGION));
  return longest.length > 64
    ? `allowed: at most ${64 - PUBLISHING_ROLE_SUFFIX.length - LONGEST_REGION} characters, so that the role PREFIX${PUBLISHING_ROLE_SUFFIX}REGION stays within 64`
    : undefined;
}

/**
 * The qualifier of the CDK bootstrap contract when none is given. Not the CLI's default
 * (`hnb659fds`), so that the baseline's version parameter never collides with the
 * `CDKToolkit` stack of a `cdk bootstrap` run in the same account.
 */
export const DEFAULT_CDK_BOOTSTRAP_QUALIFIER = 'cicd';
const CDK_BOOTSTRAP_QUALIFIER = /^[A-Za-z0-9_-]{1,10}$/;
export const CDK_BOOTSTRAP_QUALIFIER_RULE = 'allowed: 1 to 10 letters, digits, "_" and "-" (the CDK bootstrap template\'s rule for a qualifier)';

/** Whether `qualifier` is a valid CDK bootstrap qualifier. */
export function isCdkBootstrapQualifier(qualifier: unknown): boolean {
  return typeof qualifier === 'string' && !isToken(qualifier) && CDK_BOOTSTRAP_QUALIFIER.test(qualifier);
}

/** The SSM parameter the CDK CLI and the `CheckBootstrapVersion` rule read: `/cdk-bootstrap/QUALIFIER/version`. */
export function cdkBootstrapVersionParameterName(qualifier: string = DEFAULT_CDK_BOOTSTRAP_QUALIFIER): string {
  return `/cdk-bootstrap/${qualifier}/version`;
}

/**
 * The bootstrap version the baseline publishes: that of the CDK CLI's bootstrap template
 * whose contract it implements (aws-cdk 2.1148, template version 33). The synthesizer requires 6
 * (deploy, assets) and 8 (lookups); session tags (22) are not used.
 */
export const CDK_BOOTSTRAP_VERSION = 33;

/** The lowest bootstrap version `CicdStackSynthesizer` requires of a target (DefaultStackSynthesizer's own minimum). */
export const CDK_BOOTSTRAP_VERSION_REQUIRED = 6;
