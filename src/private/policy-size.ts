import { Stack, Token } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { IConstruct } from 'constructs';

/** AWS quotas on policy documents, in bytes of JSON without whitespace. */
export const BUCKET_POLICY_QUOTA = 20_480;
export const KEY_POLICY_QUOTA = 32_768;
export const TRUST_POLICY_QUOTA = 2_048;
/** IAM's quota on a role's inline policies, together. */
export const INLINE_POLICIES_QUOTA = 10_240;
/** Synth fails when a policy uses more than this share of its quota. */
export const QUOTA_SHARE_ALLOWED = 0.9;

/**
 * Values CloudFormation may substitute for the pseudo parameters, for a worst-case size
 * (the partition is the stack's own, or that of its region, or else `aws`).
 */
const WORST_CASE_REF: Record<string, string | undefined> = {
  'AWS::AccountId': '123456789012',
  'AWS::Region': 'ap-southeast-5x',
  'AWS::URLSuffix': 'amazonaws.com.cn',
  'AWS::StackName': 'x'.repeat(128),
  'AWS::StackId': 'arn:aws-us-gov:cloudformation:ap-southeast-5x:123456789012:stack/' + 'x'.repeat(128) + '/' + 'x'.repeat(36),
};
/** A resource attribute (an ARN or ID) counts as this many characters, more than a KMS key ARN takes. */
const UNKNOWN_ATTRIBUTE = 'x'.repeat(96);
const NO_VALUE = Symbol('NoValue');

/**
 * Evaluates the CloudFormation intrinsic functions in a resolved policy document to the
 * longest value they can take, so that its deployed size can be measured at synth.
 * Conditional values count as present (`Fn::If` takes its longer branch).
 */
function worstCase(value: unknown, stack: Stack): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => worstCase(v, stack)).filter((v) => v !== NO_VALUE);
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1) {
    const [fn] = keys;
    const arg = obj[fn];
    switch (fn) {
      case 'Ref': {
        const ref = String(arg);
        if (ref === 'AWS::NoValue') {
          return NO_VALUE;
        }
        if (ref === 'AWS::Partition') {
          return partitionOf(stack);
        }
        if (ref === 'AWS::AccountId' && !Token.isUnresolved(stack.account)) {
          return stack.account;
        }
        if (ref === 'AWS::Region' && !Token.isUnresolved(stack.region)) {
          return stack.region;
        }
        return WORST_CASE_REF[ref] ?? UNKNOWN_ATTRIBUTE;
      }
      case 'Fn::GetAtt':
      case 'Fn::ImportValue':
      case 'Fn::GetAZs':
        return UNKNOWN_ATTRIBUTE;
      case 'Fn::Join': {
        const [sep, parts] = arg as [string, unknown[]];
        const evaluated = worstCase(parts, stack) as unknown[];
        return evaluated.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(sep);
      }
      case 'Fn::If': {
        const [, whenTrue, whenFalse] = arg as [string, unknown, unknown];
        const a = worstCase(whenTrue, stack);
        const b = worstCase(whenFalse, stack);
        return size(a) >= size(b) ? a : b;
      }
      case 'Fn::Sub':
        return UNKNOWN_ATTRIBUTE.repeat(2);
      default:
        break;
    }
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const v = worstCase(obj[key], stack);
    if (v !== NO_VALUE) {
      out[key] = v;
    }
  }
  return out;
}

function partitionOf(stack: Stack): string {
  if (!Token.isUnresolved(stack.partition)) {
    return stack.partition;
  }
  if (!Token.isUnresolved(stack.region)) {
    return RegionInfo.get(stack.region).partition ?? 'aws';
  }
  return 'aws';
}

function size(value: unknown): number {
  if (value === NO_VALUE) {
    return 0;
  }
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

/**
 * The size in bytes that a policy document takes once deployed: JSON without whitespace,
 * with every CloudFormation function evaluated to its longest possible value.
 */
export function deployedPolicySize(scope: IConstruct, document: unknown): number {
  const stack = Stack.of(scope);
  const resolved = stack.resolve(document);
  return size(worstCase(resolved, stack));
}

/**
 * Returns an error message when the policy uses more than 90% of its quota, or undefined.
 *
 * @param advice what would make the policy fit, given its size and the limit
 */
export function checkPolicySize(
  scope: IConstruct, what: string, document: unknown, quota: number, advice: (bytes: number, limit: number) => string,
): string | undefined {
  return overQuota(what, deployedPolicySize(scope, document), quota, advice);
}

function overQuota(what: string, bytes: number, quota: number, advice: (bytes: number, limit: number) => string): string | undefined {
  const limit = Math.floor(quota * QUOTA_SHARE_ALLOWED);
  if (bytes > limit) {
    return `${what} is ${bytes} bytes (whitespace removed), over ${limit} bytes, 90% of the AWS quota of ${quota} bytes. ${advice(bytes, limit)}`;
  }
  return undefined;
}

/**
 * Returns an error message when a role's trust policy uses more than 90% of IAM's quota
 * (2,048 characters), or undefined. Every role of the library is checked with this.
 *
 * @param rolePath the role's construct path, for the message
 * @param advice what would make the policy fit
 */
export function checkTrustPolicySize(scope: IConstruct, rolePath: string, document: unknown, advice: string): string | undefined {
  return checkPolicySize(scope, `The trust policy of ${rolePath}`, document, TRUST_POLICY_QUOTA, () => advice);
}

/**
 * Returns an error message when a role's inline policies, together, use more than 90% of
 * IAM's quota (10,240 characters per role), or undefined.
 *
 * @param rolePath the role's construct path, for the message
 * @param advice what would make the policies fit
 */
export function checkInlinePoliciesSize(scope: IConstruct, rolePath: string, documents: unknown[], advice: string): string | undefined {
  const bytes = documents.reduce<number>((sum, doc) => sum + deployedPolicySize(scope, doc), 0);
  return overQuota(`The inline policies of ${rolePath} (together)`, bytes, INLINE_POLICIES_QUOTA, () => advice);
}

/** ECR repository policy: SetRepositoryPolicy's `policyText` takes at most 10,240 characters. */
export const REPOSITORY_POLICY_QUOTA = 10_240;
