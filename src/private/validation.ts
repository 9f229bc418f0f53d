import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Collects invalid props of one construct and throws them together, so that a user
 * sees every mistake of a configuration at once. Each message names the construct and where
 * it is in the app (its construct path: with several stacks of the same construct, the one that
 * failed), the prop (with its Python spelling where that differs; Java's builder methods use
 * the TypeScript names), shows the value received and says what is allowed.
 */
export class PropErrors {
  private readonly problems: string[] = [];
  private readonly where: string;

  /**
   * @param construct the class (or `Class.method` of an importer) whose props are checked
   * @param scope the scope the construct is being created in
   * @param id the construct's ID in `scope`
   */
  constructor(private readonly construct: string, scope?: IConstruct, id?: string) {
    this.where = scope && id !== undefined ? constructPath(scope, id) : '';
  }

  /** Records that `prop` has the invalid `value`; `allowed` says what would be accepted. */
  public add(prop: string, value: unknown, allowed: string): void {
    const python = pythonName(prop);
    this.problems.push(`${prop}: got ${show(value)}; ${allowed}${python !== prop ? ` (Python: ${python})` : ''}`);
  }

  public get count(): number {
    return this.problems.length;
  }

  /** Throws one Error listing every recorded problem, if there is any. */
  public throwIfAny(): void {
    if (this.problems.length === 0) {
      return;
    }
    const list = this.problems.map((p) => `  - ${p}`).join('\n');
    throw new Error(`${this.construct}${this.where ? ` at ${this.where}` : ''}: invalid props:\n${list}`);
  }
}

/** The path a construct with `id` gets in `scope` (`Roles-nonprod/PipelineRoles`). */
export function constructPath(scope: IConstruct, id: string): string {
  return scope.node.path ? `${scope.node.path}/${id}` : id;
}

/**
 * A prop path as Python spells it: every camelCase name in snake_case, as jsii renders it
 * (`targetAccounts[3].roleArns[0]` → `target_accounts[3].role_arns[0]`).
 */
export function pythonName(prop: string): string {
  return prop.replace(/[A-Za-z][A-Za-z0-9]*/g, (word) => word
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase());
}

/** Renders a prop value for an error message. */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    if (Token.isUnresolved(value)) {
      return `an unresolved token (${value})`;
    }
    return JSON.stringify(value);
  }
  if (value === undefined) {
    return 'undefined';
  }
  if (typeof value === 'number' && Token.isUnresolved(value)) {
    return 'an unresolved token';
  }
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

const ACCOUNT_ID = /^\d{12}$/;
/** Role unique IDs: `AROA` followed by 17 upper-case letters or digits. */
const ROLE_ID = /^AROA[A-Z0-9]{16,124}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ORG_ID = /^o-[a-z0-9]{10,32}$/;
const ORG_PATH = /^o-[a-z0-9]{10,32}\/(\*|r-[0-9a-z]{4,32}\/(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}\/)*\*?)$/;
const PARTITION = '(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc)';
const ROLE_ARN = new RegExp(`^arn:${PARTITION}:iam::(\\d{12}):role\\/((?:[\\x21-\\x7E]+\\/)*)?([\\w+=,.@-]{1,64})$`);
const PRINCIPAL_ARN = new RegExp(
  `^arn:${PARTITION}:(?:iam::(\\d{12}):(?:role|user)\\/[\\x21-\\x7E]+|sts::(\\d{12}):assumed-role\\/[\\w+=,.@-]+\\/[\\w+=,.@-]+|iam::(\\d{12}):root)$`,
);
const MANAGED_POLICY_ARN = new RegExp(`^arn:${PARTITION}:iam::(\\d{12}|aws):policy\\/[\\x21-\\x7E]+$`);

/** True when `value` is a token that only resolves at deploy time. */
export function isToken(value: string | undefined): boolean {
  return value !== undefined && Token.isUnresolved(value);
}

export function isAccountId(value: unknown): boolean {
  return typeof value === 'string' && ACCOUNT_ID.test(value);
}

export const ACCOUNT_ID_RULE = 'allowed: a 12-digit AWS account ID as a string, e.g. "111111111111" (quote it: numbers lose leading zeros)';

export function isRoleId(value: string): boolean {
  return ROLE_ID.test(value);
}

export const ROLE_ID_RULE =
  'allowed: an IAM role unique ID (starts with "AROA"; "AIDA" is a user, "AKIA"/"ASIA" are access keys), as returned in a role\'s RoleId attribute';

export function isRoleName(value: string): boolean {
  return ROLE_NAME.test(value);
}

export function isOrganizationId(value: string): boolean {
  return ORG_ID.test(value);
}

export const ORGANIZATION_ID_RULE = 'allowed: an AWS Organizations ID such as "o-a1b2c3d4e5" ("o-" and 10 to 32 lower-case letters or digits)';

export function isOrganizationPath(value: string): boolean {
  return ORG_PATH.test(value);
}

export const ORGANIZATION_PATH_RULE =
  'allowed: an organization entity path such as "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*" (organization ID, root, then organizational units)';

/** Returns the account of an IAM role ARN, or undefined when `value` is not a role ARN. */
export function roleArnAccount(value: string): string | undefined {
  const m = ROLE_ARN.exec(value);
  return m ? m[2] : undefined;
}

/** Returns the account of an IAM principal ARN (role, user, root, assumed role), or undefined. */
export function principalArnAccount(value: string): string | undefined {
  const m = PRINCIPAL_ARN.exec(value);
  return m ? (m[2] ?? m[3] ?? m[4]) : undefined;
}

export function isManagedPolicyArn(value: string): boolean {
  return MANAGED_POLICY_ARN.test(value);
}

/** An IAM action of the form `service:Action`; `*` may stand for any characters in the action name. */
const ACTION = /^[A-Za-z0-9-]+:[A-Za-z0-9*]+$/;
/** The verbs of actions that read without changing anything. */
const READ_VERB = /^[A-Za-z0-9-]+:(Describe|Get|List|Search|Lookup|BatchGet|BatchDescribe|View)/i;

/** True when `value` is an action whose name starts with a read verb (`Describe`, `Get`, `List`, …). */
export function isReadAction(value: string): boolean {
  return ACTION.test(value) && READ_VERB.test(value);
}

/**
 * True when the IAM action pattern `pattern` (with `*` and `?` wildcards, case-insensitive,
 * as IAM matches actions) matches `action`.
 */
export function actionMatches(pattern: string, action: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(action);
}
