/**
 * Resolves a synthesized CloudFormation template's intrinsic functions into plain JSON, using
 * what the deployed stack tells: physical IDs of its resources, their attributes, its
 * parameters' resolved values and the account's exports. Conditions are evaluated.
 */

export interface ResolveContext {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  readonly urlSuffix: string;
  readonly stackName: string;
  readonly stackId: string;
  /** `Ref` of each resource (its physical ID, or what Ref returns for its type). */
  readonly refs: Record<string, string>;
  /** `Fn::GetAtt` values by logical ID, then attribute. */
  readonly attrs: Record<string, Record<string, string>>;
  /** Parameter values (resolved values of SSM parameter types). */
  readonly parameters: Record<string, string>;
  /** Exports of the account and region, for `Fn::ImportValue`. */
  readonly exports: Record<string, string>;
}

export class Unresolvable extends Error {}

/** Marks `AWS::NoValue`; removed from objects and arrays. */
const NO_VALUE = Symbol('AWS::NoValue');

export class Resolver {
  private readonly conditionCache = new Map<string, boolean>();

  constructor(private readonly template: any, private readonly ctx: ResolveContext) {}

  /** Whether a resource or output with this `Condition` exists. */
  public condition(name: string | undefined): boolean {
    if (name === undefined) return true;
    if (!this.conditionCache.has(name)) {
      const def = this.template.Conditions?.[name];
      if (def === undefined) throw new Unresolvable(`unknown condition ${name}`);
      this.conditionCache.set(name, Boolean(this.resolve(def)));
    }
    return this.conditionCache.get(name)!;
  }

  public resolve(value: any): any {
    const v = this.inner(value);
    return v === NO_VALUE ? undefined : v;
  }

  private inner(value: any): any {
    if (Array.isArray(value)) return value.map((v) => this.inner(v)).filter((v) => v !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::') || keys[0] === 'Condition')) {
      return this.intrinsic(keys[0], value[keys[0]]);
    }
    const out: Record<string, any> = {};
    for (const k of keys) {
      const v = this.inner(value[k]);
      if (v !== NO_VALUE) out[k] = v;
    }
    return out;
  }

  private ref(name: string): any {
    const pseudo: Record<string, any> = {
      'AWS::AccountId': this.ctx.account,
      'AWS::Region': this.ctx.region,
      'AWS::Partition': this.ctx.partition,
      'AWS::URLSuffix': this.ctx.urlSuffix,
      'AWS::StackName': this.ctx.stackName,
      'AWS::StackId': this.ctx.stackId,
      'AWS::NoValue': NO_VALUE,
    };
    if (name in pseudo) return pseudo[name];
    if (name in this.ctx.parameters) return this.ctx.parameters[name];
    if (name in this.ctx.refs) return this.ctx.refs[name];
    throw new Unresolvable(`Ref ${name}`);
  }

  private intrinsic(fn: string, arg: any): any {
    switch (fn) {
      case 'Ref':
        return this.ref(arg);
      case 'Condition':
        return this.condition(arg);
      case 'Fn::GetAtt': {
        const [id, attr] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/s);
        const v = this.ctx.attrs[id]?.[this.inner(attr)];
        if (v === undefined) throw new Unresolvable(`Fn::GetAtt ${id}.${attr}`);
        return v;
      }
      case 'Fn::Join': {
        const [sep, parts] = arg;
        return (this.inner(parts) as any[]).join(sep);
      }
      case 'Fn::Select': {
        const [index, list] = arg;
        return (this.inner(list) as any[])[Number(this.inner(index))];
      }
      case 'Fn::Split': {
        const [sep, str] = arg;
        return String(this.inner(str)).split(sep);
      }
      case 'Fn::Sub': {
        const [str, vars] = Array.isArray(arg) ? arg : [arg, {}];
        const resolvedVars = this.inner(vars) as Record<string, any>;
        return (str as string).replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
          if (name in resolvedVars) return String(resolvedVars[name]);
          if (name.includes('.')) return String(this.intrinsic('Fn::GetAtt', name));
          return String(this.ref(name));
        }).replace(/\$\{!/g, '${');
      }
      case 'Fn::If': {
        const [cond, yes, no] = arg;
        return this.condition(cond) ? this.inner(yes) : this.inner(no);
      }
      case 'Fn::Equals': {
        const [a, b] = this.inner(arg) as any[];
        return JSON.stringify(a) === JSON.stringify(b);
      }
      case 'Fn::Not':
        return !(this.inner(arg) as any[])[0];
      case 'Fn::And':
        return (this.inner(arg) as any[]).every(Boolean);
      case 'Fn::Or':
        return (this.inner(arg) as any[]).some(Boolean);
      case 'Fn::ImportValue': {
        const name = this.inner(arg);
        if (!(name in this.ctx.exports)) throw new Unresolvable(`Fn::ImportValue ${name}`);
        return this.ctx.exports[name];
      }
      case 'Fn::FindInMap': {
        const [map, k1, k2] = this.inner(arg) as string[];
        const v = this.template.Mappings?.[map]?.[k1]?.[k2];
        if (v === undefined) throw new Unresolvable(`Fn::FindInMap ${map}.${k1}.${k2}`);
        return v;
      }
      case 'Fn::Base64':
        return Buffer.from(String(this.inner(arg))).toString('base64');
      default:
        throw new Unresolvable(fn);
    }
  }
}

/**
 * Canonical JSON of a policy or configuration: object keys sorted, one-element arrays as their
 * element (IAM reads `"Action": "s3:GetObject"` and `["s3:GetObject"]` alike), arrays sorted
 * (statement, action, principal and condition-value order carries no meaning), numbers and
 * booleans compared as strings (CloudFormation passes every scalar as a string).
 */
export function canonical(value: any): any {
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    if (items.length === 1) return items[0];
    return items.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical(value[k])]));
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value;
}

/** Exact comparison after canonicalization. */
export function sameJson(expected: any, actual: any): boolean {
  return JSON.stringify(canonical(expected)) === JSON.stringify(canonical(actual));
}

/** Every key of `expected` is in `actual` with an equal value (AWS adds defaults to configurations). */
export function contains(expected: any, actual: any): boolean {
  const e = canonical(expected);
  const a = canonical(actual);
  const walk = (x: any, y: any): boolean => {
    if (x !== null && typeof x === 'object' && !Array.isArray(x)) {
      return y !== null && typeof y === 'object' && !Array.isArray(y) && Object.keys(x).every((k) => walk(x[k], y[k]));
    }
    if (Array.isArray(x)) return Array.isArray(y) && x.length === y.length && x.every((v, i) => walk(v, y[i]));
    return JSON.stringify(x) === JSON.stringify(y);
  };
  return walk(e, a);
}

/** The first path at which two canonical values differ, for the report. */
export function firstDifference(expected: any, actual: any, at = ''): string {
  const e = canonical(expected);
  const a = canonical(actual);
  if (JSON.stringify(e) === JSON.stringify(a)) return '';
  if (e !== null && a !== null && typeof e === 'object' && typeof a === 'object' && Array.isArray(e) === Array.isArray(a)) {
    const keys = Array.isArray(e) ? [...Array(Math.max(e.length, a.length)).keys()] : [...new Set([...Object.keys(e), ...Object.keys(a)])];
    for (const k of keys) {
      const d = firstDifference((e as any)[k], (a as any)[k], `${at}/${k}`);
      if (d) return d;
    }
  }
  const show = (v: any) => (v === undefined ? 'absent' : JSON.stringify(v).slice(0, 160));
  return `${at || '/'}: expected ${show(e)}, got ${show(a)}`;
}
