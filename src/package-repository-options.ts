/**
 * A public package registry that the store's CodeArtifact repository can fetch packages from,
 * through an upstream repository with that external connection.
 *
 * Each value is the name of CodeArtifact's external connection.
 *
 * @see https://docs.aws.amazon.com/codeartifact/latest/ug/external-connection.html
 */
export enum PackageUpstream {
  /** The npm public registry (`public:npmjs`). */
  NPM = 'public:npmjs',
  /** The Python Package Index (`public:pypi`). */
  PYPI = 'public:pypi',
  /** Maven Central (`public:maven-central`). */
  MAVEN_CENTRAL = 'public:maven-central',
  /** Google Android (`public:maven-googleandroid`). */
  MAVEN_GOOGLE_ANDROID = 'public:maven-googleandroid',
  /** The Gradle plugins repository (`public:maven-gradleplugins`). */
  MAVEN_GRADLE_PLUGINS = 'public:maven-gradleplugins',
  /** Clojars (`public:maven-clojars`). */
  MAVEN_CLOJARS = 'public:maven-clojars',
  /** NuGet Gallery (`public:nuget-org`). */
  NUGET = 'public:nuget-org',
  /** crates.io (`public:crates-io`). */
  CRATES_IO = 'public:crates-io',
  /** RubyGems.org (`public:ruby-gems-org`). */
  RUBYGEMS = 'public:ruby-gems-org',
}

/**
 * The store's CodeArtifact domain and repository for packages (npm, PyPI, Maven, ...).
 *
 * Give it to `CicdArtifactStore` (`packages`) to create them, and the same to
 * `CicdArtifactStore.fromCicdAccount` (`CicdArtifactStoreLocation.packages`) so that target
 * accounts name them.
 */
export interface PackageRepositoryOptions {
  /**
   * The name of the CodeArtifact domain: 2 to 50 lower-case letters, digits and hyphens,
   * starting with a letter. It is part of the repository's endpoint host name, which is
   * publicly resolvable: put nothing secret in it.
   *
   * @default 'cicd'
   */
  readonly domainName?: string;

  /**
   * The name of the repository that pipelines publish to and read from: 2 to 100 letters,
   * digits, `.`, `_` and `-`, starting with a letter or digit.
   *
   * @default 'packages'
   */
  readonly repositoryName?: string;

  /**
   * Public registries the repository fetches packages from, in this order. Each gets an
   * upstream repository of its own (`REPOSITORY-CONNECTION`, such as `packages-npmjs`), since a
   * CodeArtifact repository has at most one external connection. Only the store's repository
   * is admitted to other accounts; they reach the upstreams through it. Ignored by importers.
   *
   * @default - no upstream: the repository holds only what the CICD account publishes
   */
  readonly upstreams?: PackageUpstream[];
}
