import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as codeartifact from 'aws-cdk-lib/aws-codeartifact';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import {
  DEFAULT_PACKAGE_DOMAIN,
  DEFAULT_PACKAGE_REPOSITORY,
  packageDomainProblem,
  packageRepositoryProblem,
  upstreamRepositoryName,
  upstreamSuffix,
} from './naming';
import { checkPolicySize } from './policy-size';
import { TargetStatements } from './target-statements';
import { PropErrors } from './validation';
import { PackageRepositoryOptions, PackageUpstream } from '../package-repository-options';

/**
 * CodeArtifact's quota on a domain's or repository's permissions policy: the `policyDocument`
 * of PutDomainPermissionsPolicy and PutRepositoryPermissionsPolicy takes at most 7,168
 * characters (CodeArtifact API Reference, "Length Constraints").
 * @see https://docs.aws.amazon.com/codeartifact/latest/APIReference/API_PutRepositoryPermissionsPolicy.html
 * @see https://docs.aws.amazon.com/codeartifact/latest/APIReference/API_PutDomainPermissionsPolicy.html
 */
export const PACKAGE_POLICY_QUOTA = 7_168;

/**
 * What a reader in another account needs on the domain: an authorization token (CodeArtifact
 * User Guide, "Domain policies": a principal of another account "must be granted the
 * GetAuthorizationToken permission on the domain resource").
 */
export const PACKAGE_DOMAIN_READ_ACTIONS = ['codeartifact:GetAuthorizationToken'];

/**
 * Reading a repository with a package manager and the API: `ReadFromRepository` downloads,
 * the others find the endpoint and list and describe packages (CodeArtifact User Guide,
 * "Repository policies": the permissions usually granted with `ReadFromRepository`).
 */
export const PACKAGE_READ_ACTIONS = [
  'codeartifact:ReadFromRepository',
  'codeartifact:GetRepositoryEndpoint',
  'codeartifact:DescribeRepository',
  'codeartifact:DescribePackage',
  'codeartifact:DescribePackageVersion',
  'codeartifact:GetPackageVersionAsset',
  'codeartifact:GetPackageVersionReadme',
  'codeartifact:ListPackages',
  'codeartifact:ListPackageVersions',
  'codeartifact:ListPackageVersionAssets',
  'codeartifact:ListPackageVersionDependencies',
];

/** Publishing a package version (npm, twine, Maven and the generic format publish with these). */
export const PACKAGE_PUBLISH_ACTIONS = ['codeartifact:PublishPackageVersion', 'codeartifact:PutPackageMetadata'];

/**
 * Everything that writes to or changes a repository and its packages: the CICD account's
 * alone, whatever another account's IAM policies allow.
 */
export const PACKAGE_WRITE_ACTIONS = [
  ...PACKAGE_PUBLISH_ACTIONS,
  'codeartifact:CopyPackageVersions',
  'codeartifact:DeletePackage',
  'codeartifact:DeletePackageVersions',
  'codeartifact:DisposePackageVersions',
  'codeartifact:UpdatePackageVersionsStatus',
  'codeartifact:PutPackageOriginConfiguration',
  'codeartifact:UpdateRepository',
  'codeartifact:DeleteRepository',
  'codeartifact:AssociateExternalConnection',
  'codeartifact:DisassociateExternalConnection',
  'codeartifact:AssociateWithDownstreamRepository',
  'codeartifact:PutRepositoryPermissionsPolicy',
  'codeartifact:DeleteRepositoryPermissionsPolicy',
];

/** What changes the domain itself: denied outside the CICD account by the domain policy. */
export const PACKAGE_DOMAIN_WRITE_ACTIONS = [
  'codeartifact:CreateRepository',
  'codeartifact:PutDomainPermissionsPolicy',
  'codeartifact:DeleteDomainPermissionsPolicy',
  'codeartifact:DeleteDomain',
];

/** The service name `sts:GetServiceBearerToken` is called with for CodeArtifact tokens. */
export const CODEARTIFACT_SERVICE_NAME = 'codeartifact.amazonaws.com';

export interface PackageRepositoryProps {
  readonly options: PackageRepositoryOptions;
  readonly audience: TargetStatements;
  readonly key: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
}

/** What the store creates for packages. */
export interface PackageRepository {
  readonly domain: codeartifact.CfnDomain;
  readonly repository: codeartifact.CfnRepository;
  readonly upstreams: codeartifact.CfnRepository[];
  readonly domainName: string;
  readonly repositoryName: string;
  /** Copies of the permissions policies, for the size guard. */
  readonly domainPolicy: iam.PolicyDocument;
  readonly repositoryPolicy: iam.PolicyDocument;
}

/**
 * The store's CodeArtifact domain (encrypted with the store's key) and repository, with one
 * upstream repository per public registry asked for. The domain policy lets the audience get
 * an authorization token; the repository policy lets it read; both deny every write to
 * principals outside the CICD account. Upstream repositories have no policy: only the CICD
 * account reaches them directly, others through the store's repository.
 */
export function createPackageRepository(scope: Construct, props: PackageRepositoryProps): PackageRepository {
  const stack = Stack.of(scope);
  const domainName = props.options.domainName ?? DEFAULT_PACKAGE_DOMAIN;
  const repositoryName = props.options.repositoryName ?? DEFAULT_PACKAGE_REPOSITORY;
  const denyWrites = (actions: string[]) => new iam.PolicyStatement({
    sid: 'DenyWritesOutsideCicdAccount',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions,
    resources: ['*'],
    conditions: { StringNotEquals: { 'aws:PrincipalAccount': stack.account } },
  });
  const domainPolicy = new iam.PolicyDocument({
    minimize: false,
    statements: [
      ...props.audience.statements({ sid: 'GetTokenFromTargets', actions: PACKAGE_DOMAIN_READ_ACTIONS, resources: ['*'] }),
      // The domain policy applies to every repository and package of the domain too.
      denyWrites([...PACKAGE_WRITE_ACTIONS, ...PACKAGE_DOMAIN_WRITE_ACTIONS]),
    ],
  });
  const domain = new codeartifact.CfnDomain(scope, 'PackageDomain', {
    domainName,
    // CodeArtifact encrypts every asset of the domain with this key, through a grant it creates
    // when the domain is created; readers of other accounts need no permission on the key.
    encryptionKey: props.key.keyArn,
    permissionsPolicyDocument: domainPolicy,
  });
  domain.applyRemovalPolicy(props.removalPolicy);

  const upstreams = (props.options.upstreams ?? []).map((connection) => {
    const upstream = new codeartifact.CfnRepository(scope, `PackageUpstream${pascalConnection(connection)}`, {
      domainName: domain.attrName,
      repositoryName: upstreamRepositoryName(repositoryName, connection),
      description: `Packages of ${connection}, fetched on demand for ${repositoryName}`,
      externalConnections: [connection],
    });
    upstream.applyRemovalPolicy(props.removalPolicy);
    return upstream;
  });

  const repositoryPolicy = new iam.PolicyDocument({
    minimize: false,
    statements: [
      ...props.audience.statements({ sid: 'ReadPackagesFromTargets', actions: PACKAGE_READ_ACTIONS, resources: ['*'] }),
      denyWrites(PACKAGE_WRITE_ACTIONS),
    ],
  });
  const repository = new codeartifact.CfnRepository(scope, 'PackageRepository', {
    domainName: domain.attrName,
    repositoryName,
    description: 'Packages of the CICD artifact store: the CICD account publishes, the target accounts read',
    upstreams: upstreams.length > 0 ? upstreams.map((u) => u.attrName) : undefined,
    permissionsPolicyDocument: repositoryPolicy,
  });
  repository.applyRemovalPolicy(props.removalPolicy);
  return { domain, repository, upstreams, domainName, repositoryName, domainPolicy, repositoryPolicy };
}

/** `public:maven-central` → `MavenCentral`, for construct IDs. */
function pascalConnection(connection: string): string {
  return upstreamSuffix(connection).split(/[^A-Za-z0-9]+/).filter(Boolean).map((p) => p[0].toUpperCase() + p.slice(1)).join('');
}

/** The size guard's errors for the domain and repository policies (7,168 characters each). */
export function checkPackagePolicySizes(
  scope: Construct, packages: PackageRepository | undefined, advice: (bytes: number, limit: number) => string,
): string[] {
  if (!packages) {
    return [];
  }
  return ([[packages.domain, packages.domainPolicy], [packages.repository, packages.repositoryPolicy]] as const).flatMap(([resource, policy]) => {
    const error = checkPolicySize(scope, `The permissions policy of ${resource.node.path}`, policy, PACKAGE_POLICY_QUOTA, advice);
    return error ? [error] : [];
  });
}

const UPSTREAMS = Object.values(PackageUpstream) as string[];

/** Checks the `packages` options of a store (or, with `importer`, of a location: upstreams are ignored). */
export function checkPackageOptions(errors: PropErrors, prop: string, options: PackageRepositoryOptions | undefined): void {
  if (options === undefined) {
    return;
  }
  const upstreams = options.upstreams ?? [];
  if (options.domainName !== undefined) {
    const problem = packageDomainProblem(options.domainName);
    if (problem) {
      errors.add(`${prop}.domainName`, options.domainName, problem);
    }
  }
  if (options.repositoryName !== undefined) {
    const problem = packageRepositoryProblem(options.repositoryName, upstreams.length > 0);
    if (problem) {
      errors.add(`${prop}.repositoryName`, options.repositoryName, problem);
    }
  }
  const seen = new Set<string>();
  upstreams.forEach((u, i) => {
    if (!UPSTREAMS.includes(u)) {
      errors.add(`${prop}.upstreams[${i}]`, u, `allowed: a PackageUpstream (${UPSTREAMS.join(', ')})`);
    } else if (seen.has(u)) {
      errors.add(`${prop}.upstreams[${i}]`, u, 'allowed: each public registry once');
    }
    seen.add(u);
  });
  if (upstreams.length > 10) {
    errors.add(`${prop}.upstreams`, upstreams, 'allowed: at most 10 (CodeArtifact\'s quota of direct upstreams per repository)');
  }
}
