import { isToken, PropErrors } from './validation';

/**
 * Where the settings of the CICD baseline live in SSM Parameter Store, shared by the
 * construct that publishes them and the importers that read them.
 */
export const DEFAULT_PARAMETER_PREFIX = '/cicd/artifacts';

/** The roles published for each target account, by their path segment. */
export const ROLE_KINDS = ['cross-account', 'cloudformation', 'build', 'read-only'] as const;
export type RoleKind = typeof ROLE_KINDS[number];

export function storeParameterNames(prefix: string) {
  return {
    keyArn: `${prefix}/kms/key-arn`,
    artifactsBucketName: `${prefix}/buckets/artifacts/name`,
    artifactsBucketArn: `${prefix}/buckets/artifacts/arn`,
    templatesBucketName: `${prefix}/buckets/templates/name`,
    templatesBucketArn: `${prefix}/buckets/templates/arn`,
  };
}

export function accountIdParameterName(prefix: string, target: string): string {
  return `${prefix}/accounts/${target}/account-id`;
}

export function roleParameterName(prefix: string, target: string, kind: RoleKind, attribute: 'arn' | 'id'): string {
  return `${prefix}/accounts/${target}/roles/${kind}/${attribute}`;
}

/** Levels the layout adds below the prefix, at the deepest (`accounts/T/roles/K/arn`). */
const LEVELS_BELOW_PREFIX = 5;
/** Characters the layout adds below the prefix, at the longest, with a 32-character target name. */
const LONGEST_SUFFIX = '/accounts/'.length + 32 + '/roles/cross-account/arn'.length;

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
