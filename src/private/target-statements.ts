import { Aws, CfnCondition, Fn, ICfnConditionExpression, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TargetAccount } from '../target-account';

/**
 * A policy statement that CloudFormation keeps only while a condition holds
 * (`Fn::If [condition, statement, AWS::NoValue]`).
 */
class ConditionalPolicyStatement extends iam.PolicyStatement {
  constructor(private readonly conditionId: string, props: iam.PolicyStatementProps) {
    super(props);
  }

  public toStatementJson(): any {
    return Fn.conditionIf(this.conditionId, super.toStatementJson(), Aws.NO_VALUE);
  }
}

/** Who the store admits: target accounts (maybe narrowed to roles) and/or an organization. */
export interface Audience {
  readonly targetAccounts: TargetAccount[];
  readonly organizationId?: string;
  readonly organizationPaths?: string[];
  readonly organizationRoleNames?: string[];
}

/** What one group of statements grants. */
export interface GrantSpec {
  /** Prefix of the statement IDs; each statement gets a distinct Sid, which also keeps CDK from merging it. */
  readonly sid: string;
  readonly actions: string[];
  readonly resources: string[];
  /** Only these targets (of the audience, possibly narrowed otherwise). @default - every target */
  readonly targets?: TargetAccount[];
  /** Whether the organization (when given) is admitted too. @default true */
  readonly organization?: boolean;
}

/**
 * Builds the resource-policy statements that admit the audience of an artifact store, with
 * as few bytes per account as possible: one statement lists the account principals of all
 * targets that are not narrowed, one those narrowed by role ID (`aws:userId`), one those
 * narrowed by role ARN (`aws:PrincipalArn`), and one the organization (`aws:PrincipalOrgID`).
 *
 * A target in the store's own account needs no statement (its own IAM policies suffice) and
 * gets none. When the stack's account is unknown until deploy time, a CloudFormation
 * condition per target account decides.
 */
export class TargetStatements {
  private readonly stack: Stack;
  private readonly conditions = new Map<string, CfnCondition>();
  private readonly groupConditions = new Map<string, CfnCondition>();

  constructor(private readonly scope: Construct, private readonly audience: Audience) {
    this.stack = Stack.of(scope);
  }

  /** The targets that are (or may be, for an unresolved stack account) in another account. */
  public get crossAccountTargets(): TargetAccount[] {
    if (Token.isUnresolved(this.stack.account)) {
      return this.audience.targetAccounts;
    }
    return this.audience.targetAccounts.filter((t) => t.accountId !== this.stack.account);
  }

  public statements(spec: GrantSpec): iam.PolicyStatement[] {
    const crossAccount = new Set(this.crossAccountTargets.map((t) => t.accountId));
    const targets = spec.targets ? spec.targets.filter((t) => crossAccount.has(t.accountId)) : this.crossAccountTargets;
    const out: iam.PolicyStatement[] = [];

    const plain = targets.filter((t) => !t.roleIds && !t.roleArns);
    const byId = targets.filter((t) => t.roleIds);
    const byArn = targets.filter((t) => t.roleArns);

    if (plain.length > 0) {
      out.push(this.accountStatement(`${spec.sid}Accounts`, spec, plain, {}));
    }
    if (byId.length > 0) {
      const ids = byId.flatMap((t) => t.roleIds!.map((id) => `${id}:*`));
      out.push(this.accountStatement(`${spec.sid}RoleIds`, spec, byId, { StringLike: { 'aws:userId': ids } }));
    }
    if (byArn.length > 0) {
      const arns = byArn.flatMap((t) => t.roleArns!);
      out.push(this.accountStatement(`${spec.sid}RoleArns`, spec, byArn, { ArnEquals: { 'aws:PrincipalArn': arns } }));
    }
    const { organizationId, organizationPaths } = this.audience;
    if ((organizationId || organizationPaths) && (spec.organization ?? true)) {
      const conditions: Record<string, Record<string, unknown>> = {};
      if (organizationId) {
        conditions.StringEquals = { 'aws:PrincipalOrgID': organizationId };
      }
      if (organizationPaths) {
        conditions['ForAnyValue:StringLike'] = { 'aws:PrincipalOrgPaths': organizationPaths };
      }
      if (this.audience.organizationRoleNames) {
        conditions.ArnLike = { 'aws:PrincipalArn': this.audience.organizationRoleNames.map((n) => `arn:${Aws.PARTITION}:iam::*:role/${n}`) };
      }
      out.push(new iam.PolicyStatement({
        sid: `${spec.sid}Organization`,
        principals: [new iam.AnyPrincipal()],
        actions: spec.actions,
        resources: spec.resources,
        conditions,
      }));
    }
    return out;
  }

  private accountStatement(sid: string, spec: GrantSpec, targets: TargetAccount[], conditions: Record<string, unknown>) {
    const unresolved = Token.isUnresolved(this.stack.account);
    const principals = targets.map((t) => {
      const root = new iam.AccountPrincipal(t.accountId).arn;
      return new iam.ArnPrincipal(unresolved ? Token.asString(Fn.conditionIf(this.otherAccount(t).logicalId, root, Aws.NO_VALUE)) : root);
    });
    const props: iam.PolicyStatementProps = { sid, principals, actions: spec.actions, resources: spec.resources, conditions };
    if (!unresolved) {
      return new iam.PolicyStatement(props);
    }
    return new ConditionalPolicyStatement(this.anyOtherAccount(targets).logicalId, props);
  }

  /** `true` when the stack is deployed to an account other than the target's. */
  private otherAccount(target: TargetAccount): CfnCondition {
    let condition = this.conditions.get(target.accountId);
    if (!condition) {
      condition = new CfnCondition(this.scope, `${pascal(target.name)}IsOtherAccount`, {
        expression: Fn.conditionNot(Fn.conditionEquals(Aws.ACCOUNT_ID, target.accountId)),
      });
      this.conditions.set(target.accountId, condition);
    }
    return condition;
  }

  /** `true` when at least one of the targets is in another account than the stack's. */
  private anyOtherAccount(targets: TargetAccount[]): CfnCondition {
    if (targets.length === 1) {
      return this.otherAccount(targets[0]);
    }
    const key = targets.map((t) => t.accountId).sort().join(',');
    let condition = this.groupConditions.get(key);
    if (!condition) {
      const expression = anyOf(targets.map((t) => this.otherAccount(t)));
      condition = new CfnCondition(this.scope, `AnyOtherAccount${this.groupConditions.size + 1}`, { expression });
      this.groupConditions.set(key, condition);
    }
    return condition;
  }
}

/** `Fn::Or` over any number of conditions (CloudFormation takes 2 to 10 at a time). */
function anyOf(conditions: ICfnConditionExpression[]): ICfnConditionExpression {
  if (conditions.length === 1) {
    return conditions[0];
  }
  if (conditions.length <= 10) {
    return Fn.conditionOr(...conditions);
  }
  const chunks: ICfnConditionExpression[] = [];
  for (let i = 0; i < conditions.length; i += 10) {
    chunks.push(anyOf(conditions.slice(i, i + 10)));
  }
  return anyOf(chunks);
}

/** `non-prod` → `NonProd`, for construct IDs. */
export function pascal(name: string): string {
  return name.split(/[^A-Za-z0-9]+/).filter(Boolean).map((p) => p[0].toUpperCase() + p.slice(1)).join('');
}
