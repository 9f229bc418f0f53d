import { createHash } from 'crypto';

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

/** Unique IDs and key IDs to give named resources, where a deterministic fake will not do. */
export interface PhysicalIds {
  /** Role unique IDs (`AROA…`), by role name. @default - `AROA` and 17 characters derived from the name */
  readonly roleIds?: Record<string, string>;
  /** KMS key IDs, by logical ID. @default - a UUID derived from the logical ID */
  readonly keyIds?: Record<string, string>;
}

/**
 * The values CloudFormation would give `Ref` and `Fn::GetAtt` of the template's resources
 * whose physical names are known before deploying: S3 buckets and IAM roles with a literal
 * name, and KMS keys (whose IDs are made up, deterministically, unless given).
 */
export function deployedValuesOf(template: { Resources?: Record<string, any> }, env: DeployedValues, ids: PhysicalIds = {}): DeployedValues {
  const partition = env.partition ?? 'aws';
  const refs: Record<string, string> = { ...env.refs };
  const attributes: Record<string, string> = { ...env.attributes };
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    const props = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::S3::Bucket':
        if (typeof props.BucketName === 'string') {
          refs[logicalId] = props.BucketName;
          attributes[`${logicalId}.Arn`] = `arn:${partition}:s3:::${props.BucketName}`;
        }
        break;
      case 'AWS::IAM::Role':
        if (typeof props.RoleName === 'string') {
          refs[logicalId] = props.RoleName;
          attributes[`${logicalId}.Arn`] = `arn:${partition}:iam::${env.account}:role${props.Path ?? '/'}${props.RoleName}`;
          attributes[`${logicalId}.RoleId`] = ids.roleIds?.[props.RoleName] ?? `AROA${digest(props.RoleName, 17).toUpperCase()}`;
        }
        break;
      case 'AWS::IAM::ManagedPolicy':
        if (typeof props.ManagedPolicyName === 'string') {
          refs[logicalId] = `arn:${partition}:iam::${env.account}:policy${props.Path ?? '/'}${props.ManagedPolicyName}`;
        }
        break;
      case 'AWS::KMS::Key': {
        const hex = digest(logicalId, 32);
        const keyId = ids.keyIds?.[logicalId] ?? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
        refs[logicalId] = keyId;
        attributes[`${logicalId}.Arn`] = `arn:${partition}:kms:${env.region}:${env.account}:key/${keyId}`;
        attributes[`${logicalId}.KeyId`] = keyId;
        break;
      }
      default:
        break;
    }
  }
  return { ...env, refs, attributes };
}

/** `length` hexadecimal characters derived from `text`. */
function digest(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}
