/**
 * Values that CloudFormation would substitute when deploying a template, for tests that need
 * plain JSON (for example to feed a policy to an offline IAM policy engine).
 */
export interface DeployedValues {
  /** The account the stack deploys to. */
  readonly account: string;
  /** The region the stack deploys to. */
  readonly region: string;
  /** @default 'aws' */
  readonly partition?: string;
  /** Values of `Ref` to resources or parameters, by logical ID. @default - `<LogicalId>` */
  readonly refs?: Record<string, string>;
  /** Values of `Fn::GetAtt`, keyed `LogicalId.Attribute`. @default - `<LogicalId.Attribute>` */
  readonly attributes?: Record<string, string>;
}

/**
 * Replaces the CloudFormation intrinsic functions in `value` (`Ref`, `Fn::Join`,
 * `Fn::GetAtt`, `Fn::Sub`, `Fn::Select`, `Fn::Split`) with the strings they would deploy as.
 * Throws on any other function, so a test never compares against an unresolved value.
 */
export function resolveIntrinsics<T = unknown>(value: unknown, deployed: DeployedValues): T {
  return resolve(value, deployed) as T;
}

function pseudo(name: string, d: DeployedValues): string | undefined {
  switch (name) {
    case 'AWS::AccountId': return d.account;
    case 'AWS::Region': return d.region;
    case 'AWS::Partition': return d.partition ?? 'aws';
    case 'AWS::URLSuffix': return 'amazonaws.com';
    case 'AWS::StackName': return 'TestStack';
    default: return undefined;
  }
}

function ref(name: string, d: DeployedValues): string {
  return pseudo(name, d) ?? d.refs?.[name] ?? `<${name}>`;
}

function resolve(value: unknown, d: DeployedValues): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => resolve(v, d));
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
    const arg = obj[keys[0]];
    switch (keys[0]) {
      case 'Ref':
        return ref(String(arg), d);
      case 'Fn::GetAtt': {
        const [id, attr] = Array.isArray(arg) ? arg as string[] : String(arg).split('.');
        const key = `${id}.${attr}`;
        return d.attributes?.[key] ?? `<${key}>`;
      }
      case 'Fn::Join': {
        const [sep, parts] = arg as [string, unknown[]];
        return (resolve(parts, d) as unknown[]).map(String).join(sep);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [number | string, unknown];
        return (resolve(list, d) as unknown[])[Number(index)];
      }
      case 'Fn::Split': {
        const [sep, source] = arg as [string, unknown];
        return String(resolve(source, d)).split(sep);
      }
      case 'Fn::Sub': {
        const [template, vars] = (Array.isArray(arg) ? arg : [arg, {}]) as [string, Record<string, unknown>];
        const resolvedVars = resolve(vars, d) as Record<string, unknown>;
        return template.replace(/\$\{([^}!]+)\}/g, (_m, name: string) => {
          if (name in resolvedVars) {
            return String(resolvedVars[name]);
          }
          if (name.includes('.')) {
            return d.attributes?.[name] ?? `<${name}>`;
          }
          return ref(name, d);
        });
      }
      default:
        throw new Error(`resolveIntrinsics: ${keys[0]} is not supported (in ${JSON.stringify(value)})`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    out[key] = resolve(obj[key], d);
  }
  return out;
}
