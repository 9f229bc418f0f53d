/**
 * One size rule for every role's policies: trust policies and inline policies are measured by
 * one helper each, and synth fails above 90% of IAM's quota, for every role of the library.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CicdArtifactStore, CrossAccountPipelineRoles, CrossReadOnlyRole } from '../src';
import { checkInlinePoliciesSize, checkTrustPolicySize, INLINE_POLICIES_QUOTA, TRUST_POLICY_QUOTA } from '../src/private/policy-size';

const ENV = { account: '222222222222', region: 'eu-west-1' };
const arns = (n: number, length: number) => Array.from({ length: n }, (_, i) => `arn:aws:iam::111111111111:role/${String(i).padStart(length, 'r')}`);

function synthError(build: (stack: Stack) => void): string | undefined {
  const app = new App();
  build(new Stack(app, 'Target', { env: ENV }));
  try {
    app.synth();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

const storeOf = (s: Stack) => CicdArtifactStore.fromCicdAccount(s, 'Store', { account: '111111111111', region: 'eu-west-1' });

describe('the pipeline roles\' trust policies are measured', () => {
  test('too many trusted principals fail synth, naming the role and its size', () => {
    const error = synthError((s) => new CrossAccountPipelineRoles(s, 'PipelineRoles', {
      cicdAccountId: '111111111111', artifactStore: storeOf(s), trustedPrincipalArns: arns(40, 40),
    }));
    expect(error).toMatch(/The trust policy of Target\/PipelineRoles\/CrossAccountRole is \d+ bytes \(whitespace removed\), over 1843 bytes, 90% of the AWS quota of 2048 bytes\. List fewer trustedPrincipalArns/);
  });

  test('a few fit', () => {
    expect(synthError((s) => new CrossAccountPipelineRoles(s, 'PipelineRoles', {
      cicdAccountId: '111111111111', artifactStore: storeOf(s), trustedPrincipalArns: arns(5, 40),
    }))).toBeUndefined();
  });
});

describe('every role is held to the same share of the quota', () => {
  // The smallest number of 40-character trusted role ARNs whose trust policy exceeds 90% of the quota.
  const overNinetyPercent = (build: (s: Stack, principals: string[]) => void) => {
    // Bisection: fits at `low`, fails at `high`.
    let [low, high] = [1, 100];
    if (!synthError((s) => build(s, arns(high, 40)))) return undefined;
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (synthError((s) => build(s, arns(mid, 40)))) high = mid;
      else low = mid;
    }
    return high;
  };

  test('the read-only role and the pipeline roles fail at the same number of trusted principals', () => {
    const readOnly = overNinetyPercent((s, p) => new CrossReadOnlyRole(s, 'ReadOnly', { trustedAccountIds: ['111111111111'], trustedPrincipalArns: p }));
    const pipeline = overNinetyPercent((s, p) => new CrossAccountPipelineRoles(s, 'PipelineRoles', {
      cicdAccountId: '111111111111', artifactStore: storeOf(s), trustedPrincipalArns: p,
    }));
    expect(readOnly).toBeDefined();
    expect(pipeline).toBeDefined();
    // Both trust policies hold the same ARNs with similar conditions: they must hit the limit within one ARN of each other.
    expect(Math.abs(readOnly! - pipeline!)).toBeLessThanOrEqual(1);
  });

  test('the helpers fail above 90% and pass at it', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const docOf = (bytes: number) => {
      const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: '' } }] };
      doc.Statement[0].Principal.AWS = 'x'.repeat(bytes - JSON.stringify(doc).length);
      expect(JSON.stringify(doc).length).toBe(bytes);
      return doc;
    };
    const trustLimit = Math.floor(TRUST_POLICY_QUOTA * 0.9);
    expect(checkTrustPolicySize(stack, 'S/Role', docOf(trustLimit), 'advice')).toBeUndefined();
    expect(checkTrustPolicySize(stack, 'S/Role', docOf(trustLimit + 1), 'advice'))
      .toBe(`The trust policy of S/Role is ${trustLimit + 1} bytes (whitespace removed), over ${trustLimit} bytes, 90% of the AWS quota of 2048 bytes. advice`);
    const inlineLimit = Math.floor(INLINE_POLICIES_QUOTA * 0.9);
    expect(checkInlinePoliciesSize(stack, 'S/Role', [docOf(inlineLimit / 2), docOf(inlineLimit / 2)], 'advice')).toBeUndefined();
    expect(checkInlinePoliciesSize(stack, 'S/Role', [docOf(inlineLimit / 2), docOf(inlineLimit / 2 + 1)], 'advice'))
      .toMatch(/^The inline policies of S\/Role \(together\) is 9217 bytes/);
    // A PolicyDocument is measured as deployed.
    expect(checkTrustPolicySize(stack, 'S/Role', iam.PolicyDocument.fromJson(docOf(trustLimit + 1)), 'advice')).toBeDefined();
  });
});
