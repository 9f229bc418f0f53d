import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * S3's rule for a "public" bucket policy, applied at synth to the policies the library writes.
 *
 * S3 starts from the assumption that a policy is public, and counts an `Allow` to everyone
 * (`Principal: "*"`) as non-public only when it is fixed by one of a short list of condition
 * keys, with fixed values: no wildcard (`*`, `?`) and no policy variable (`${…}`). With Block
 * Public Access's `BlockPublicPolicy` on (as every bucket of the store has it), S3 refuses
 * `PutBucketPolicy` for a public policy, and the stack fails to deploy.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status
 */

/**
 * The condition keys that fix an `Allow` to `*`, lower-cased (condition keys are
 * case-insensitive), as S3's User Guide lists them ("The meaning of public").
 */
export const FIXING_CONDITION_KEYS: readonly string[] = [
  'aws:sourceip',
  'aws:sourcearn',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:sourceowner',
  'aws:sourceaccount',
  's3:x-amz-server-side-encryption-aws-kms-key-id',
  'aws:userid',
  'aws:principalorgid',
];

/**
 * Operators that restrict a key to the values given. Negated operators (`StringNotEquals`…)
 * admit everything else, and `…IfExists` admits a request without the key: neither fixes.
 */
const RESTRICTING_OPERATORS = new Set([
  'stringequals',
  'stringequalsignorecase',
  'stringlike',
  'arnequals',
  'arnlike',
  'ipaddress',
]);

/** A role-ID pattern, `AROA…:*`, which S3 counts as fixed for `aws:userid`. */
const ROLE_ID_PATTERN = /^AROA[A-Z0-9]+:\*$/;
/** CIDRs that admit every address: not a restriction. */
const EVERY_ADDRESS = new Set(['0.0.0.0/0', '::/0']);

/** A statement of a bucket policy that S3 counts as public. */
export interface PublicStatement {
  /** The statement's position in the policy, from 0. */
  readonly index: number;
  /** The statement's Sid, if it has one. */
  readonly sid?: string;
  /** Why S3 counts it as public. */
  readonly reason: string;
}

/**
 * The statements of a resolved bucket policy (CloudFormation JSON: intrinsic functions may
 * remain) that S3 counts as public.
 */
export function publicStatements(document: unknown): PublicStatement[] {
  const statements = statementsOf(document);
  const out: PublicStatement[] = [];
  statements.forEach((raw, index) => {
    const statement = unwrapConditional(raw);
    if (!statement || typeof statement !== 'object') {
      return;
    }
    const s = statement as Record<string, unknown>;
    if (s.Effect !== 'Allow') {
      return;
    }
    const sid = typeof s.Sid === 'string' ? s.Sid : undefined;
    if (s.NotPrincipal !== undefined) {
      out.push({ index, sid, reason: 'it allows NotPrincipal, that is everyone but the principals listed' });
      return;
    }
    if (!admitsEveryone(s.Principal)) {
      return;
    }
    const fixedBy = fixingKeys(s.Condition);
    if (fixedBy.length === 0) {
      const keys = conditionKeys(s.Condition);
      const had = keys.length === 0 ? 'it has no condition' : `its conditions (${keys.join(', ')}) are not on S3's list or not fixed values`;
      out.push({ index, sid, reason: `it allows Principal "*" and ${had}` });
    }
  });
  return out;
}

/** Whether `value` (a string or a CloudFormation function) is fixed: no wildcard, no policy variable. */
export function isFixedValue(value: unknown): boolean {
  return stringsOf(value).every((s) => !/[*?]/.test(s) && !s.includes('${'));
}

function statementsOf(document: unknown): unknown[] {
  if (!document || typeof document !== 'object') {
    return [];
  }
  const statement = (document as Record<string, unknown>).Statement;
  if (Array.isArray(statement)) {
    return statement;
  }
  return statement === undefined ? [] : [statement];
}

/** A statement kept by `Fn::If` is checked as if present (its true branch). */
function unwrapConditional(statement: unknown): unknown {
  if (statement && typeof statement === 'object' && 'Fn::If' in (statement as object)) {
    const [, whenTrue] = (statement as Record<string, unknown[]>)['Fn::If'];
    return unwrapConditional(whenTrue);
  }
  return statement;
}

function admitsEveryone(principal: unknown): boolean {
  if (principal === '*') {
    return true;
  }
  if (!principal || typeof principal !== 'object' || Array.isArray(principal)) {
    return false;
  }
  return Object.values(principal as Record<string, unknown>).some((v) => v === '*' || (Array.isArray(v) && v.includes('*')));
}

function conditionKeys(condition: unknown): string[] {
  if (!condition || typeof condition !== 'object') {
    return [];
  }
  return Object.entries(condition as Record<string, Record<string, unknown>>)
    .flatMap(([op, keys]) => Object.keys(keys ?? {}).map((k) => `${op} ${k}`));
}

/** The keys of a statement's condition that fix it, in S3's sense. */
function fixingKeys(condition: unknown): string[] {
  if (!condition || typeof condition !== 'object') {
    return [];
  }
  const out: string[] = [];
  for (const [rawOp, keys] of Object.entries(condition as Record<string, Record<string, unknown>>)) {
    // ForAllValues: is true when the request has no value for the key: it fixes nothing.
    if (/^forallvalues:/i.test(rawOp)) {
      continue;
    }
    const op = rawOp.replace(/^foranyvalue:/i, '').toLowerCase();
    if (!RESTRICTING_OPERATORS.has(op)) {
      continue;
    }
    for (const [rawKey, value] of Object.entries(keys ?? {})) {
      const key = rawKey.toLowerCase();
      if (!FIXING_CONDITION_KEYS.includes(key)) {
        continue;
      }
      const values = Array.isArray(value) ? value : [value];
      if (values.length === 0) {
        continue;
      }
      const fixed = values.every((v) => {
        if (key === 'aws:userid' && typeof v === 'string' && ROLE_ID_PATTERN.test(v)) {
          return true;
        }
        if (key === 'aws:sourceip') {
          return op === 'ipaddress' && typeof v === 'string' && !EVERY_ADDRESS.has(v);
        }
        return isFixedValue(v);
      });
      if (fixed) {
        out.push(rawKey);
      }
    }
  }
  return out;
}

function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') {
    return [value];
  }
  if (Array.isArray(value)) {
    return value.flatMap(stringsOf);
  }
  if (value && typeof value === 'object') {
    return Object.values(value as Record<string, unknown>).flatMap(stringsOf);
  }
  return [];
}

/**
 * Error messages for the statements of a bucket policy that S3 would count as public, or an
 * empty list.
 *
 * @param scope a construct of the policy's stack, to resolve the document
 * @param bucket how the message names the bucket (its construct path)
 * @param advice which prop to give, for a statement
 */
export function checkBucketPolicyNotPublic(
  scope: IConstruct, bucket: string, document: unknown, advice: (statement: PublicStatement) => string,
): string[] {
  const resolved = Stack.of(scope).resolve(document);
  return publicStatements(resolved).map((p) => `The bucket policy of ${bucket} would be public to S3, which refuses it (Block Public Access): `
    + `statement ${p.sid ? JSON.stringify(p.sid) : `#${p.index}`} is public because ${p.reason}. S3 counts an Allow to "*" as non-public only when `
    + `a condition fixes it with a non-wildcard value of one of: ${FIXING_CONDITION_KEYS.join(', ')}. ${advice(p)}`);
}
