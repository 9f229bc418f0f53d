import { isToken, PropErrors } from './validation';

/**
 * Where the settings of the CICD baseline live in SSM Parameter Store, shared by the
 * construct that publishes them and the importers that read them.
 */
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
