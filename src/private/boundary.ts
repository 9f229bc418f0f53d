/**
 * The permissions boundary of a target account's baseline, and the guardrails that keep the
 * CloudFormation role (and every role it creates) off the baseline's own roles.
 *
 * The boundary allows everything an identity policy allows, except:
 * - any change to, or use of, the baseline's roles (every role named `PREFIX-*`, at any path,
 *   and the further names given), `iam:PassRole` and `sts:AssumeRole` included;
 * - any change to the boundary policy itself (its versions, its deletion, its tags);
 * - removing a permissions boundary from a role or user;
 * - creating a role or user, or setting a boundary, other than this one.
 */
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/** The IAM quota of a managed policy document, in characters without whitespace. */
export const MANAGED_POLICY_QUOTA = 6_144;

/** Every action that changes a role, passes it or acts as it: none may touch a baseline role. */
export const BASELINE_ROLE_ACTIONS = [
  'iam:CreateRole',
  'iam:DeleteRole',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
  'iam:UpdateAssumeRolePolicy',
  'iam:AttachRolePolicy',
  'iam:DetachRolePolicy',
  'iam:PutRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:PutRolePermissionsBoundary',
  'iam:DeleteRolePermissionsBoundary',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:PassRole',
  'sts:AssumeRole',
];

/** Every change to a managed policy that could widen what it allows or what ABAC grants it. */
export const BOUNDARY_POLICY_ACTIONS = ['iam:*PolicyVersion', 'iam:DeletePolicy', 'iam:TagPolicy', 'iam:UntagPolicy'];

/** Removing a boundary from a role or a user. */
export const BOUNDARY_REMOVAL_ACTIONS = ['iam:DeleteRolePermissionsBoundary', 'iam:DeleteUserPermissionsBoundary'];

/** Creating a principal or setting its boundary: allowed only with the boundary. */
export const BOUNDARY_REQUIRED_ACTIONS = ['iam:CreateRole', 'iam:CreateUser', 'iam:PutRolePermissionsBoundary', 'iam:PutUserPermissionsBoundary'];

/**
 * The ARN patterns of the baseline's roles in this account: every role named `PREFIX-*`, and
 * each of `extraNames`, whatever its path (`role/NAME` and `role/PATH/NAME`).
 */
export function baselineRoleArns(prefix: string, extraNames: string[] = []): string[] {
  const base = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role`;
  return [`${prefix}-*`, ...extraNames].flatMap((name) => [`${base}/${name}`, `${base}/*/${name}`]);
}

/** The ARN of a managed policy of this account, by name (no path). */
export function managedPolicyArn(name: string): string {
  return `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:policy/${name}`;
}

/**
 * The statements that hold a principal to the baseline's rules, for a boundary whose ARN is
 * `boundaryArn`: the boundary's denies, and the guardrails of the CloudFormation role.
 */
export function containmentStatements(baselineRoles: string[], boundaryArn: string | undefined): iam.PolicyStatement[] {
  const statements = [
    new iam.PolicyStatement({
      sid: 'LeaveBaselineRolesAlone',
      effect: iam.Effect.DENY,
      actions: BASELINE_ROLE_ACTIONS,
      resources: baselineRoles,
    }),
  ];
  if (boundaryArn) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'LeaveTheBoundaryAlone',
        effect: iam.Effect.DENY,
        actions: BOUNDARY_POLICY_ACTIONS,
        resources: [boundaryArn],
      }),
      new iam.PolicyStatement({
        sid: 'KeepPermissionsBoundaries',
        effect: iam.Effect.DENY,
        actions: BOUNDARY_REMOVAL_ACTIONS,
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'CreateOnlyWithTheBoundary',
        effect: iam.Effect.DENY,
        actions: BOUNDARY_REQUIRED_ACTIONS,
        resources: ['*'],
        conditions: { StringNotEquals: { 'iam:PermissionsBoundary': boundaryArn } },
      }),
    );
  }
  return statements;
}

/**
 * The baseline's boundary: everything an identity policy allows, but the containment denies.
 * A boundary grants nothing by itself; its `Allow *` only lets identity policies decide.
 */
export function boundaryDocument(baselineRoles: string[], boundaryArn: string): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'AllowWhatIdentityPoliciesAllow',
        actions: ['*'],
        resources: ['*'],
      }),
      ...containmentStatements(baselineRoles, boundaryArn),
    ],
  });
}
