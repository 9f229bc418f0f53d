import { createHash } from 'crypto';
import { Resolver } from '../../scripts/resolve';

export { Unresolvable } from '../../scripts/resolve';

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
  /** Values of `Ref` to resources or parameters, by logical ID. @default - none: such a `Ref` throws */
  readonly refs?: Record<string, string>;
  /** Values of `Fn::GetAtt`, keyed `LogicalId.Attribute`. @default - none: such a `Fn::GetAtt` throws */
  readonly attributes?: Record<string, string>;
}

/**
 * Replaces the CloudFormation intrinsic functions in `value` with what they would deploy as,
 * using the one evaluator the deploy command's read-back uses (`scripts/resolve.ts`). A `Ref`
 * or `Fn::GetAtt` with no deployed value, or a function it cannot evaluate, throws
 * `Unresolvable`: a test never compares against a placeholder.
 */
export function resolveIntrinsics<T = unknown>(value: unknown, deployed: DeployedValues): T {
  return resolverFor(deployed).resolve(value) as T;
}

/** The evaluator for a stack deployed with these values. */
export function resolverFor(deployed: DeployedValues, template: unknown = {}): Resolver {
  const attrs: Record<string, Record<string, string>> = {};
  for (const [key, v] of Object.entries(deployed.attributes ?? {})) {
    const [id, attr] = key.split(/\.(.*)/s);
    (attrs[id] ??= {})[attr] = v;
  }
  const partition = deployed.partition ?? 'aws';
  return new Resolver(template, {
    account: deployed.account,
    region: deployed.region,
    partition,
    urlSuffix: 'amazonaws.com',
    stackName: 'TestStack',
    stackId: `arn:${partition}:cloudformation:${deployed.region}:${deployed.account}:stack/TestStack/00000000-0000-0000-0000-000000000000`,
    refs: deployed.refs ?? {},
    attrs,
    parameters: {},
    exports: {},
  });
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
 * whose physical names are known before deploying: S3 buckets (named as CloudFormation names
 * them when the template gives no name), IAM roles with a literal name, KMS keys (whose
 * IDs are made up, deterministically, unless given), ECR repositories with a literal name, and
 * CodeArtifact domains and repositories.
 */
export function deployedValuesOf(template: { Resources?: Record<string, any> }, env: DeployedValues, ids: PhysicalIds = {}): DeployedValues {
  const partition = env.partition ?? 'aws';
  const refs: Record<string, string> = { ...env.refs };
  const attributes: Record<string, string> = { ...env.attributes };
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    const props = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::S3::Bucket': {
        // Without a name, CloudFormation names the bucket after the stack and the logical ID.
        const name = typeof props.BucketName === 'string' ? props.BucketName : `teststack-${logicalId.toLowerCase()}-${digest(logicalId, 12)}`.slice(0, 63);
        refs[logicalId] = name;
        attributes[`${logicalId}.Arn`] = `arn:${partition}:s3:::${name}`;
        break;
      }
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
      case 'AWS::CodeArtifact::Domain':
        if (typeof props.DomainName === 'string') {
          refs[logicalId] = `arn:${partition}:codeartifact:${env.region}:${env.account}:domain/${props.DomainName}`;
          attributes[`${logicalId}.Name`] = props.DomainName;
          attributes[`${logicalId}.Arn`] = refs[logicalId];
          attributes[`${logicalId}.Owner`] = String(env.account);
        }
        break;
      case 'AWS::ECR::Repository':
        if (typeof props.RepositoryName === 'string') {
          refs[logicalId] = props.RepositoryName;
          attributes[`${logicalId}.Arn`] = `arn:${partition}:ecr:${env.region}:${env.account}:repository/${props.RepositoryName}`;
        }
        break;
      default:
        break;
    }
  }
  // A CodeArtifact repository names its domain, often by the domain's Name attribute.
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::CodeArtifact::Repository' && typeof props.RepositoryName === 'string') {
      const domainRef = props.DomainName?.['Fn::GetAtt'];
      const domain = typeof props.DomainName === 'string' ? props.DomainName : Array.isArray(domainRef) ? attributes[`${domainRef[0]}.Name`] : undefined;
      if (domain !== undefined) {
        refs[logicalId] = `arn:${partition}:codeartifact:${env.region}:${env.account}:repository/${domain}/${props.RepositoryName}`;
        attributes[`${logicalId}.Name`] = props.RepositoryName;
        attributes[`${logicalId}.Arn`] = refs[logicalId];
        attributes[`${logicalId}.DomainName`] = domain;
      }
    }
  }
  return { ...env, refs, attributes };
}

/** `length` hexadecimal characters derived from `text`. */
function digest(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}
