import { awscdk, javascript, release } from 'projen';
import { UpdateSnapshot } from 'projen/lib/javascript';

/** The oldest aws-cdk-lib we support; it installs cleanly beside cdk-nag 3. */
const CDK_VERSION = '2.257.0';
const CONSTRUCTS_VERSION = '10.5.1';

// ---- Release (see RELEASING.md) ------------------------------------------------------------
// Versions come from the commit history (conventional commits decide the bump), every release
// gets a changelog and a `vX.Y.Z` tag, and a GitHub workflow publishes to npm (with provenance),
// PyPI (trusted publishing) and Maven Central (signed). GitHub is enabled for that release
// workflow only: the project's CI stays `.ci/run`, so no build, pull-request or upgrade
// workflows are generated.
const RELEASE_OPTIONS = {
  github: true,
  githubOptions: { mergify: false, pullRequestLint: false },
  buildWorkflow: false,
  // Keep the local `upgrade` task; no scheduled upgrade workflow.
  depsUpgradeOptions: { workflow: false },
  stale: false,
  pullRequestTemplate: false,
  release: true,
  // A maintainer starts a release (`gh workflow run release.yml`); a push to main does not.
  releaseTrigger: release.ReleaseTrigger.workflowDispatch(),
  // The first release is 1.0.0: the public API is the contract from then on (README, "Versions").
  minMajorVersion: 1,
  // Publishing waits for the `release` environment's reviewers (RELEASING.md).
  releaseEnvironment: 'release',
  npmProvenance: true,
  // The publishing tool, pinned: a release never runs a publisher version nobody has looked at.
  jsiiReleaseVersion: '0.2.1061',
} satisfies Partial<awscdk.AwsCdkConstructLibraryOptions>;
// ---- end of release options ----------------------------------------------------------------

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-cross-account-cicd',
  description:
    'A secure baseline for cross-account CI/CD on AWS: a shared KMS key and artifact buckets in a CICD account, and narrow pipeline and read-only roles in every target account.',
  author: 'cdk-cross-account-cicd contributors',
  authorAddress: 'cdk-cross-account-cicd@users.noreply.github.com',
  repositoryUrl: 'https://github.com/cdk-cross-account-cicd/cdk-cross-account-cicd.git',
  license: 'Apache-2.0',
  keywords: ['awscdk', 'cdk', 'aws-cdk', 'codepipeline', 'cross-account', 'cicd', 'kms', 's3', 'iam'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,

  cdkVersion: CDK_VERSION,
  constructsVersion: CONSTRUCTS_VERSION,
  jsiiVersion: '~6.0.0',

  // The project's CI is `.ci/run`; the only hosted workflow is the release (RELEASE_OPTIONS).
  ...RELEASE_OPTIONS,

  devDeps: [
    'cdk-nag@^3',
    '@cloud-copilot/iam-simulate',
    'aws-cdk',
    'cdk-stacksets',
    // The deploy, read-back and destroy commands under scripts/.
    '@aws-sdk/client-cloudformation',
    '@aws-sdk/client-codeartifact',
    '@aws-sdk/client-ecr',
    '@aws-sdk/client-iam',
    '@aws-sdk/client-kms',
    '@aws-sdk/client-lambda',
    '@aws-sdk/client-s3',
    '@aws-sdk/client-ssm',
    '@aws-sdk/client-sts',
  ],

  publishToPypi: {
    distName: 'cdk-cross-account-cicd',
    module: 'cdk_cross_account_cicd',
    // PyPI trusted publishing (OIDC): no long-lived PyPI token is stored.
    trustedPublishing: true,
  },
  publishToMaven: {
    javaPackage: 'io.github.cdkcrossaccountcicd',
    mavenGroupId: 'io.github.cdkcrossaccountcicd',
    mavenArtifactId: 'cdk-cross-account-cicd',
  },

  // One development tsconfig at the root type-checks src, test, examples and projenrc;
  // eslint and the test task use it.
  typecheckTests: true,
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'scripts', 'projenrc', 'build-tools'],
    projectService: false,
    tsconfigPath: './tsconfig.dev.json',
  },
  jestOptions: {
    // Snapshots never update themselves: `--ci` fails on a missing or changed snapshot.
    updateSnapshot: UpdateSnapshot.NEVER,
  },
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    include: ['.projenrc.ts'],
    exclude: ['lib', 'dist', '**/cdk.out', 'test/consumers', '.emulator'],
  },
});


// jsii prints an end-of-life banner on Node.js 20, the machines' version.
project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');

// Package all three targets (npm, PyPI wheel, Maven repository) whether or not CI is set,
// then prove each language works by running the consumer suites on what was packaged.
const packageAll = project.tasks.tryFind('package-all')!;
const testConsumers = project.addTask('test:consumers', {
  description: 'Run the Python and Java consumer suites against the packages in dist/',
});
const testPython = project.addTask('test:consumers:python', {
  description: 'Install the built wheel into a fresh virtual environment and run the pytest suite',
  exec: 'bash test/consumers/python/run.sh',
});
const testJava = project.addTask('test:consumers:java', {
  description: 'Run the JUnit suite against the jar in dist/java and aws-cdk-lib from Maven Central',
  exec: 'bash test/consumers/java/run.sh',
});
testConsumers.spawn(testPython);
testConsumers.spawn(testJava);

// Added after the project's own patterns, which re-include /test/ as a whole.
project.gitignore.exclude(
  '/test/consumers/python/.venv/',
  '.pytest_cache/',
  '__pycache__/',
  '/test/consumers/java/target/',
  'cdk.out/',
  '/.emulator/',
);

// cfn-lint and checkov over every template of the reference app, in every variant, after
// the unit tests: `npx projen build` and CI run it. The tools are pinned in
// test/analysers/requirements.txt and installed once into test/analysers/.venv.
const testAnalysers = project.addTask('test:analysers', {
  description: 'Run cfn-lint and checkov over every synthesized template of the reference app',
  exec: 'bash test/analysers/run.sh',
});
project.testTask.spawn(testAnalysers);
project.gitignore.exclude('/test/analysers/.venv/');
// A worktree may link node_modules from another checkout: a symlink is not matched by `node_modules/`.
project.gitignore.exclude('/node_modules');

project.npmignore?.exclude('/examples/', '/.ci/', '/docs/', '/scripts/');

// README snippets and @example blocks must compile (strict), so that their Python and Java
// renderings are right.
project.postCompileTask.exec('jsii-rosetta extract --strict --compile .jsii');
project.gitignore.exclude('.jsii.tabl.json', '*.tabl.json');
project.npmignore?.exclude('/rosetta/');

project.addTask('bench', {
  description: 'Benchmark the artifact store against the number of target accounts (prints Markdown tables)',
  exec: 'ts-node --transpile-only scripts/bench.ts',
});

project.addTask('docs:matrix', {
  description: 'Render the access matrix (test/access-matrix/cases.ts) into the README; a test fails when they differ',
  exec: 'ts-node --transpile-only scripts/access-matrix.ts',
});

// The reference app's deploy: by default into a local AWS emulator (MiniStack) holding three
// accounts, or into real accounts with one named profile each. See the README.
// The AWS SDK warns on every run that it will need Node.js 22 from 2027.
const QUIET_NODE = { NODE_NO_WARNINGS: '1' };
const script = (name: string) => `ts-node --project tsconfig.dev.json --transpile-only scripts/${name}.ts`;
project.addTask('deploy', {
  description: 'Deploy the reference baseline account by account (emulator by default; --cicd-profile/--nonprod-profile/--prod-profile for AWS)',
  exec: script('deploy'),
  receiveArgs: true,
  env: QUIET_NODE,
});
project.addTask('destroy', {
  description: 'Delete the reference baseline\'s stacks, keeping the retained key and buckets',
  exec: script('destroy'),
  receiveArgs: true,
  env: QUIET_NODE,
});
project.addTask('readback', {
  description: 'Read back what the emulator holds in every account and compare it with the synthesized templates',
  exec: script('readback'),
  receiveArgs: true,
  env: QUIET_NODE,
});
project.addTask('verify', {
  description: 'After a deploy, prove on the accounts what only AWS can answer (trust, keys, denies); in the emulator, the checks it can answer',
  exec: script('verify'),
  receiveArgs: true,
  env: QUIET_NODE,
});
project.addTask('test:cdk-deploy', {
  description: 'A developer of the CICD account runs `cdk deploy` of the sample application (CicdStackSynthesizer) into non-prod and prod through the baseline, in moto; checks roles, assets and that nothing was bootstrapped; destroys',
  exec: script('test-cdk-deploy'),
  receiveArgs: true,
  env: QUIET_NODE,
});
project.addTask('test:deploy', {
  description: 'Deploy into the emulator twice (the second run must change nothing), read back, verify, destroy; three-account with role-ID narrowing, then single-account',
  exec: script('test-deploy'),
  env: QUIET_NODE,
});

project.packageTask.reset();
project.packageTask.spawn(packageAll);
project.packageTask.spawn(testConsumers);

// ---- Release, compatibility and package checks (see RELEASING.md) -------------------------
// Python classifiers PyPI and Construct Hub use to list the package under AWS CDK v2.
project.package.file.addOverride('jsii.targets.python.classifiers', ['Framework :: AWS CDK', 'Framework :: AWS CDK :: 2']);

// The registries' own offline checks on what was packaged: `twine check --strict` on the wheel
// and sdist, Maven Central's required POM elements, the version in every artifact.
const packageCheck = project.addTask('package:check', {
  description: 'Check the packages in dist/: twine check on the wheel and sdist, Maven Central\'s required POM elements, one version everywhere',
  exec: script('check-packages'),
});
packageAll.spawn(packageCheck);

// API compatibility (jsii-diff) against the previous release, in every build: a breaking
// change fails unless the next release is a new major. A no-op until the first release.
const compat = project.tasks.tryFind('compat')!;
compat.reset(script('compat'));
compat.description = 'Compare the API with the previous release (jsii-diff); breaking changes need a major release';
project.postCompileTask.spawn(compat);
project.npmignore?.exclude('/.compatignore');

// `npx projen release` on a scratch clone of HEAD, as CI runs it. The clone reuses this
// checkout's node_modules and, with RELEASE_DRY_RUN=1, skips the test suites (the same
// commit's build has run them); `--full` runs the whole release build.
project.addTask('release:dry-run', {
  description: 'Run `npx projen release` on a scratch clone of HEAD and show the versioned packages and changelog',
  exec: 'bash scripts/release-dry-run.sh',
  receiveArgs: true,
});
const notInDryRun = 'node -e "process.exit(process.env.RELEASE_DRY_RUN ? 1 : 0)"';
project.testTask.addCondition(notInDryRun);
testConsumers.addCondition(notInDryRun);

// The supported aws-cdk-lib range, tested at its newest end: the unit tests on a scratch copy
// with the newest aws-cdk-lib the registry serves (the floor is what every build uses).
project.addTask('test:cdk-latest', {
  description: 'Run the unit tests against the newest aws-cdk-lib on the registry, in a scratch copy',
  exec: 'bash scripts/test-cdk-latest.sh',
  receiveArgs: true,
});
project.gitignore.exclude('/.compat-tmp/');
// The release test reads the generated workflow.
project.addDevDeps('yaml');
// ---- end of release, compatibility and package checks --------------------------------------

project.synth();
