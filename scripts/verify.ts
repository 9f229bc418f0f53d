/**
 * Proves on the deployed accounts what no policy engine or emulator can: that the services
 * really admit and refuse what the templates say. Run it once after the first deploy to AWS:
 *
 *   npx projen verify --cicd-profile P --nonprod-profile P --prod-profile P   (same options as deploy)
 *
 * Against the emulator (no profile) it runs the checks the emulator can answer and reports the
 * others as "not answerable here", with the reason: MiniStack evaluates no IAM policy, so
 * neither an "allowed" nor a "denied" it returned would prove anything. Those count neither as
 * a pass nor as a miss. Everything it creates (an object version per upload, two stacks per
 * target; with `--cdk-assets` an asset per target account and a scratch parameter; with
 * `--image-repositories` or `--packages` a stack per target account with a probe function that
 * runs as `cicd-build`; with `--packages` a package version, only if a target's publish was
 * wrongly admitted) is deleted before it exits; an image push is only begun
 * (`ecr:InitiateLayerUpload`), never completed, so no layer or image is written. Every AWS call
 * has a timeout. Exits non-zero on any miss.
 */
import { randomBytes } from 'crypto';
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { CodeartifactClient, DeletePackageVersionsCommand, GetAuthorizationTokenCommand, PackageFormat } from '@aws-sdk/client-codeartifact';
import { BatchGetImageCommand, ECRClient } from '@aws-sdk/client-ecr';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, ServerSideEncryption } from '@aws-sdk/client-s3';
import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { appContext } from './assembly';
import { clientConfig, Connection, connections, resolveAccounts } from './aws';
import { Emulator } from './emulator';
import { AccountName, Options, parseOptions, runMain } from './options';
import { table } from './table';
import { withTarget } from './target';
import { readConfig } from '../examples/config';
import { CicdArtifactStore, CrossAccountPipelineRoles, CrossReadOnlyRole } from '../src';
import {
  assetPublishingRoleName,
  CDK_BOOTSTRAP_VERSION,
  cdkBootstrapVersionParameterName,
  DEFAULT_ASSETS_PREFIX,
  DEFAULT_PACKAGE_DOMAIN,
  DEFAULT_PACKAGE_REPOSITORY,
} from '../src/private/naming';

/** What a check expects the service to do with the request. */
export type Expected = 'allowed' | 'denied';

/** What the service did; `error` is neither (a timeout, a throttle, a missing resource). */
export type Got = 'allowed' | 'denied' | 'error' | 'not answerable here';

export interface CheckResult {
  readonly check: string;
  readonly account: string;
  readonly expected: Expected;
  readonly got: Got;
  readonly evidence: string;
}

/** Pass, miss, or neither: a check the target cannot answer proves nothing either way. */
export type Verdict = 'pass' | 'MISS' | 'not answerable here';

export function verdictOf(r: CheckResult): Verdict {
  if (r.got === 'not answerable here') return 'not answerable here';
  return r.got === r.expected ? 'pass' : 'MISS';
}

export interface Summary {
  readonly passed: number;
  readonly missed: number;
  readonly unanswerable: number;
}

export function summarize(results: CheckResult[]): Summary {
  const count = (v: Verdict) => results.filter((r) => verdictOf(r) === v).length;
  return { passed: count('pass'), missed: count('MISS'), unanswerable: count('not answerable here') };
}

/** 1 when any check missed or any clean-up failed, else 0. Unanswerable checks do not count. */
export function exitCode(results: CheckResult[], cleanupFailures = 0): number {
  return summarize(results).missed > 0 || cleanupFailures > 0 ? 1 : 0;
}

/** The table the command prints: check, account, expected, got, verdict, evidence. */
export function renderResults(results: CheckResult[]): string {
  return table(
    ['check', 'account', 'expected', 'got', 'verdict', 'evidence'],
    results.map((r) => [r.check, r.account, r.expected, r.got, verdictOf(r), r.evidence]),
  );
}

/** The closing line: counts, and what "not answerable here" means. */
export function summaryLine(results: CheckResult[], where: string): string {
  const s = summarize(results);
  const parts = [`${s.passed} passed`, `${s.missed} missed`];
  if (s.unanswerable > 0) {
    parts.push(`${s.unanswerable} not answerable here (neither passed nor missed: ${where} cannot decide them; run verify against AWS)`);
  }
  return `verify: ${parts.join(', ')}.`;
}

/** Error names and codes by which AWS says "not allowed". */
const DENIAL = /AccessDenied|AccessDeniedException|UnauthorizedOperation|NotAuthorized|not authorized|Forbidden|InvalidClientTokenId|cannot be assumed|403/i;

/**
 * A check could not make its request, because what it needs was not there (a session, an object
 * to read): never a refusal of the request itself, whatever the cause's message says.
 */
export class PreconditionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PreconditionError';
  }
}

/** Whether an error is AWS refusing the request (as opposed to failing otherwise). */
export function isDenial(error: unknown): boolean {
  if (error instanceof PreconditionError) return false;
  const e = error as { name?: string; Code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  return e?.$metadata?.httpStatusCode === 403 || DENIAL.test(`${e?.name ?? ''} ${e?.Code ?? ''} ${e?.message ?? ''}`);
}

export class TimeoutError extends Error {}

/**
 * Runs `fn` with an abort signal, and fails with a message naming `what` when it takes longer
 * than `ms` (the signal is aborted too, so that the SDK call or fetch stops).
 */
export async function withTimeout<T>(what: string, ms: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new TimeoutError(`timed out after ${ms / 1000} s: ${what}`));
    }, ms);
  });
  try {
    return await Promise.race([fn(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Time allowed to one AWS call, and to a stack to be created or deleted. */
const CALL_MS = 30_000;
const STACK_MS = 600_000;

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/** Client configuration for a connection, or for assumed-role credentials in its region. */
function config(c: Connection, credentials?: Credentials) {
  const base = clientConfig(c);
  return credentials ? { ...base, profile: undefined, credentials } : base;
}

/** What a check does; it returns the evidence of an allowed request, and throws when refused. */
export interface Check {
  readonly check: string;
  readonly account: string;
  readonly expected: Expected;
  /** Why the emulator cannot answer this check; undefined when it can. */
  readonly notInEmulator?: string;
  run(): Promise<string>;
}

/** Runs one check: its request's outcome against what was expected. */
export async function runCheck(c: Check, inEmulator: boolean): Promise<CheckResult> {
  const base = { check: c.check, account: c.account, expected: c.expected };
  if (inEmulator && c.notInEmulator) return { ...base, got: 'not answerable here', evidence: c.notInEmulator };
  try {
    const evidence = await c.run();
    return { ...base, got: 'allowed', evidence };
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    if (e instanceof TimeoutError) return { ...base, got: 'error', evidence: message };
    return { ...base, got: isDenial(e) ? 'denied' : 'error', evidence: `${(e as Error).name ?? 'Error'}: ${message}`.slice(0, 300) };
  }
}

const NO_IAM = 'MiniStack evaluates no IAM policy (trust, key, bucket or identity), so its answer would prove nothing';

/** The account name whose profile reaches a target's account. */
function profileOf(target: string): AccountName {
  return target === 'main' ? 'cicd' : (target as AccountName);
}

async function assumeRole(from: Connection, roleArn: string, what: string): Promise<Credentials> {
  const sts = new STSClient(clientConfig(from));
  const res = await withTimeout(`sts:AssumeRole ${roleArn} (${what})`, CALL_MS, (abortSignal) =>
    sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'cicd-verify', DurationSeconds: 900 }), { abortSignal }));
  const k = res.Credentials!;
  return { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey!, sessionToken: k.SessionToken };
}

/** Creates a stack and waits for it; throws with the first failure reason unless it completes. */
async function createStackAndWait(cfn: CloudFormationClient, name: string, template: unknown, roleArn?: string): Promise<string> {
  await withTimeout(`cloudformation:CreateStack ${name}`, CALL_MS, (abortSignal) => cfn.send(new CreateStackCommand({
    StackName: name,
    TemplateBody: JSON.stringify(template),
    RoleARN: roleArn,
    Tags: [{ Key: 'created-by', Value: 'cicd-verify' }],
  }), { abortSignal }));
  const status = await waitForStack(cfn, name, 'CREATE');
  if (status !== 'CREATE_COMPLETE') {
    const events = await withTimeout(`cloudformation:DescribeStackEvents ${name}`, CALL_MS, (abortSignal) =>
      cfn.send(new DescribeStackEventsCommand({ StackName: name }), { abortSignal }));
    const failed = events.StackEvents?.find((e) => /FAILED/.test(e.ResourceStatus ?? '') && e.ResourceStatusReason);
    const error = new Error(`${name}: ${status}: ${failed?.LogicalResourceId ?? ''} ${failed?.ResourceStatusReason ?? ''}`.trim());
    error.name = 'StackFailed';
    throw error;
  }
  return status;
}

async function waitForStack(cfn: CloudFormationClient, name: string, operation: 'CREATE' | 'DELETE'): Promise<string> {
  return withTimeout(`stack ${name} to finish ${operation}`, STACK_MS, async (signal) => {
    for (;;) {
      let status: string;
      try {
        const res = await cfn.send(new DescribeStacksCommand({ StackName: name }), { abortSignal: signal });
        status = res.Stacks?.[0]?.StackStatus ?? 'DELETE_COMPLETE';
      } catch (e) {
        if (operation === 'DELETE' && /does not exist/.test((e as Error).message)) return 'DELETE_COMPLETE';
        throw e;
      }
      if (!status.endsWith('_IN_PROGRESS')) return status;
      await new Promise((r) => setTimeout(r, 3000));
    }
  });
}

async function deleteStackAndWait(cfn: CloudFormationClient, name: string, roleArn?: string): Promise<string> {
  await withTimeout(`cloudformation:DeleteStack ${name}`, CALL_MS, (abortSignal) =>
    cfn.send(new DeleteStackCommand({ StackName: name, RoleARN: roleArn }), { abortSignal }));
  const status = await waitForStack(cfn, name, 'DELETE');
  if (status !== 'DELETE_COMPLETE') throw new Error(`${name}: ${status}`);
  return status;
}

/** The smallest stack that makes CloudFormation act through its role: one SSM parameter. */
function parameterTemplate(run: string) {
  return {
    Resources: {
      Parameter: { Type: 'AWS::SSM::Parameter', Properties: { Name: `/cicd-verify/${run}`, Type: 'String', Value: 'verify' } },
    },
  };
}

/** The smallest function Lambda creates with a role (it checks that it may assume the role). */
function functionTemplate(roleArn: string) {
  return {
    Resources: {
      Function: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Runtime: 'python3.12',
          Handler: 'index.handler',
          Role: roleArn,
          Code: { ZipFile: 'def handler(event, context):\n    return "verify"\n' },
        },
      },
    },
  };
}

/** What the probe function answers: the call's result, or the error AWS gave it. */
export interface ProbeAnswer {
  readonly ok: boolean;
  readonly evidence?: string;
  readonly answer?: PullAnswer;
  readonly name?: string;
  readonly message?: string;
}

/**
 * The probe's code: it makes one ECR or CodeArtifact call with its role's credentials and returns
 * the answer, or the error's code and message (never the token itself).
 */
export const PROBE_CODE = `import boto3, hashlib
def handler(e, c):
    try:
        a = e['action']
        if a in ('pull', 'push'):
            ecr = boto3.client('ecr')
            if a == 'pull':
                r = ecr.batch_get_image(registryId=e['registry'], repositoryName=e['repository'], imageIds=[{'imageTag': e['tag']}])
                return {'ok': True, 'answer': {
                    'images': [{'imageId': {'imageDigest': i['imageId'].get('imageDigest')}} for i in r.get('images', [])],
                    'failures': [{'failureCode': f.get('failureCode'), 'failureReason': f.get('failureReason')} for f in r.get('failures', [])]}}
            r = ecr.initiate_layer_upload(registryId=e['registry'], repositoryName=e['repository'])
            return {'ok': True, 'evidence': 'layer upload %s initiated' % r.get('uploadId')}
        ca = boto3.client('codeartifact')
        w = {'domain': e['domain'], 'domainOwner': e['owner']}
        if a == 'token':
            r = ca.get_authorization_token(durationSeconds=900, **w)
            return {'ok': True, 'evidence': 'a token for %s until %s' % (e['domain'], r['expiration'].isoformat())}
        if a == 'endpoint':
            r = ca.get_repository_endpoint(repository=e['repo'], format='npm', **w)
            return {'ok': True, 'evidence': r['repositoryEndpoint']}
        body = ('cicd verify ' + e['run']).encode()
        r = ca.publish_package_version(repository=e['repo'], format='generic', namespace='cicd-verify', package='cicd-verify',
            packageVersion=e['run'], assetContent=body, assetName='verify.txt', assetSHA256=hashlib.sha256(body).hexdigest(), **w)
        return {'ok': True, 'evidence': 'published cicd-verify/cicd-verify@%s' % r.get('version')}
    except Exception as x:
        err = getattr(x, 'response', {}).get('Error', {})
        return {'ok': False, 'name': err.get('Code', type(x).__name__), 'message': str(x)}
`;

/**
 * Reads the probe's answer: the call's result, or the error AWS gave the role (thrown with its
 * code as name, so that `AccessDeniedException` is a refusal). A probe that failed itself
 * (`functionError`) made no call to speak of: a `PreconditionError`, never a refusal.
 */
export function probeAnswer(functionName: string, functionError: string | undefined, payload: string): ProbeAnswer {
  if (functionError) throw new PreconditionError(`the probe ${functionName} failed (${functionError}): ${payload.slice(0, 200)}`);
  const answer = JSON.parse(payload) as ProbeAnswer;
  if (!answer.ok) {
    const error = new Error(answer.message ?? '');
    error.name = answer.name ?? 'Error';
    throw error;
  }
  return answer;
}

/** A function that runs as `roleArn` (the build role, which only CodeBuild and Lambda may assume). */
function probeTemplate(roleArn: string, functionName: string) {
  return {
    Resources: {
      Function: {
        Type: 'AWS::Lambda::Function',
        Properties: { FunctionName: functionName, Runtime: 'python3.12', Handler: 'index.handler', Role: roleArn, Timeout: 25, Code: { ZipFile: PROBE_CODE } },
      },
    },
  };
}

/** A target account the CDK-assets checks read for. */
export interface AssetsTarget {
  readonly name: string;
  readonly accountId: string;
}

/**
 * The calls the CDK-assets checks make: against AWS in `verify`, against a stand-in in the tests.
 * Each returns the evidence of an allowed request and throws when refused.
 */
export interface AssetsIo {
  /** The assets bucket, `cicd-assets-CICDACCOUNT-REGION`. */
  readonly bucket: string;
  /** Uploads `key` through the CICD account's publishing role (assumed from the CICD account). */
  publish(key: string): Promise<string>;
  /** Reads `key` through the target account's `cicd-cross-account` role (assumed from the CICD account). */
  readAsTarget(targetAccount: string, key: string): Promise<string>;
}

/** The calls the bootstrap-compatibility checks make, in one target account. */
export interface BootstrapIo {
  /** Reads a parameter's value with the target account's own profile. */
  readOwn(targetAccount: string, name: string): Promise<string>;
  /** Writes a String parameter with the target account's own profile (deleted after the run). */
  writeOwn(targetAccount: string, name: string, value: string): Promise<void>;
  /** Reads a parameter's value through the target's read-only role (assumed from the CICD account). */
  readAsReadOnly(targetAccount: string, name: string): Promise<string>;
}

/** Where an asset of `account` written by this run lives: under the account's own prefix. */
export function assetKey(account: string, run: string): string {
  return `${account}/cicd-verify/${run}/asset.txt`;
}

/**
 * The checks of `cdkAssets` (the central assets bucket, each account reading its own prefix) and,
 * with `bootstrap`, of `cdkBootstrapCompatibility` (the version parameter the read-only role may
 * read, and no other). One upload per distinct target account through the publishing role; then
 * each target's cross-account role reads its own asset and is refused another account's. A check
 * whose preparation failed (nothing uploaded, no parameter written) ends in an error, never in a
 * refusal, so that it cannot pass by accident.
 */
export function cdkAssetsChecks(
  targets: AssetsTarget[], run: string, io: AssetsIo,
  bootstrap?: { readonly io: BootstrapIo; readonly parameterName: string; readonly version: string },
): Check[] {
  const accounts = [...new Set(targets.map((t) => t.accountId))];
  const published = new Set<string>();
  const checks: Check[] = accounts.map((account) => ({
    check: `the CICD account publishes an asset for ${account} through its publishing role`,
    account,
    expected: 'allowed',
    notInEmulator: `${NO_IAM}; its AssumeRole sessions land in the default account`,
    async run() {
      const key = assetKey(account, run);
      const evidence = await io.publish(key);
      published.add(key);
      return evidence;
    },
  }));
  const unpublished = (key: string) => new PreconditionError(`s3://${io.bucket}/${key} was not published, so a read proves nothing`);
  for (const account of accounts) {
    const other = accounts.find((a) => a !== account);
    const names = targets.filter((t) => t.accountId === account).map((t) => t.name).join(', ');
    const who = `${names} ${account}`;
    checks.push({
      check: `through ${who} cicd-cross-account: read its own asset (${account}/…)`,
      account,
      expected: 'allowed',
      notInEmulator: NO_IAM,
      async run() {
        const key = assetKey(account, run);
        if (!published.has(key)) throw unpublished(key);
        return io.readAsTarget(account, key);
      },
    });
    if (other) {
      checks.push({
        check: `through ${who} cicd-cross-account: read another account's asset (${other}/…) and be refused`,
        account,
        expected: 'denied',
        notInEmulator: NO_IAM,
        async run() {
          const key = assetKey(other, run);
          if (!published.has(key)) throw unpublished(key);
          return io.readAsTarget(account, key);
        },
      });
    }
  }
  if (!bootstrap) return checks;
  for (const account of accounts) {
    const otherName = `/cicd-verify/${run}`;
    let written = false;
    checks.push(
      {
        check: `${account} holds the bootstrap version parameter ${bootstrap.parameterName} = ${bootstrap.version}`,
        account,
        expected: 'allowed',
        async run() {
          const value = await bootstrap.io.readOwn(account, bootstrap.parameterName);
          if (value !== bootstrap.version) throw new Error(`${bootstrap.parameterName} is ${JSON.stringify(value)}, not ${bootstrap.version}`);
          return `${bootstrap.parameterName} = ${value}`;
        },
      },
      {
        check: `${account}'s read-only role (the CDK lookup role) reads ${bootstrap.parameterName}`,
        account,
        expected: 'allowed',
        notInEmulator: NO_IAM,
        async run() {
          const value = await bootstrap.io.readAsReadOnly(account, bootstrap.parameterName);
          return `${bootstrap.parameterName} = ${value}`;
        },
      },
      {
        check: `${account}'s own profile writes another parameter ${otherName}`,
        account,
        expected: 'allowed',
        async run() {
          await bootstrap.io.writeOwn(account, otherName, 'verify');
          written = true;
          return `${otherName} written`;
        },
      },
      {
        check: `${account}'s read-only role reads that other parameter and is refused`,
        account,
        expected: 'denied',
        notInEmulator: NO_IAM,
        async run() {
          if (!written) throw new PreconditionError(`${otherName} was not written, so a refusal proves nothing`);
          const value = await bootstrap.io.readAsReadOnly(account, otherName);
          return `${otherName} = ${value}`;
        },
      },
    );
  }
  return checks;
}

/** What `ecr:BatchGetImage` answered, in the part the image checks read. */
export interface PullAnswer {
  readonly images?: Array<{ readonly imageId?: { readonly imageDigest?: string } }>;
  readonly failures?: Array<{ readonly failureCode?: string; readonly failureReason?: string }>;
}

/**
 * The evidence of an admitted pull of `image` (`NAME:TAG`): the image's digest, or ECR's answer
 * that the tag has no image, which it gives only to a caller the repository admitted (a refused
 * caller gets `AccessDeniedException`). Any other answer throws, as an error and not a refusal.
 */
export function pullAnswer(image: string, res: PullAnswer): string {
  const found = res.images?.[0];
  if (found) return `${image} is ${found.imageId?.imageDigest ?? '?'}`;
  const failure = res.failures?.[0];
  if (failure?.failureCode === 'ImageNotFound') return `${image}: ImageNotFound (the request was admitted)`;
  const error = new Error(`ecr:BatchGetImage ${image}: ${failure?.failureCode ?? 'neither an image nor a failure'} ${failure?.failureReason ?? ''}`.trim());
  error.name = 'UnexpectedAnswer';
  throw error;
}

/** A target account whose `cicd-build` role the image and package checks act through. */
export type StoreTarget = AssetsTarget;

/**
 * The calls the image checks make, through a target account's `cicd-build` role (assumed from
 * the CICD account): against AWS in `verify`, against a stand-in in the tests. Each returns the
 * evidence of a request the repository admitted and throws when refused.
 */
export interface ImagesIo {
  /** The store's first repository, `arn:aws:ecr:REGION:CICDACCOUNT:repository/NAME`. */
  readonly repositoryArn: string;
  /**
   * `ecr:BatchGetImage` of `tag`: the image, or the answer that no image has that tag (which
   * ECR gives only to a caller the repository admitted); throws on any other answer.
   */
  pullAsBuild(targetAccount: string, tag: string): Promise<string>;
  /** `ecr:InitiateLayerUpload`, the first call of a push. */
  pushAsBuild(targetAccount: string): Promise<string>;
  /** `ecr:BatchGetImage` of `tag` with the target account's own profile (not a role the store lists). */
  pullAsOwn(targetAccount: string, tag: string): Promise<string>;
}

/**
 * The image checks (`imageRepositoryNames`): each target account's `cicd-build` role pulls from
 * the store's first repository and is refused a push; the own profile of each account in
 * `narrowedAccounts` (the store lists roles, not whole accounts) is refused a pull. A refusal is a
 * pass only when the same account's build role pull was admitted; otherwise it is an error (the
 * session, the repository or the network failed, not the request), so that it cannot pass by
 * accident.
 */
export function imageChecks(targets: StoreTarget[], tag: string, io: ImagesIo, narrowedAccounts: string[] = []): Check[] {
  const pulled = new Set<string>();
  const checks: Check[] = [];
  for (const account of [...new Set(targets.map((t) => t.accountId))]) {
    const who = `${targets.filter((t) => t.accountId === account).map((t) => t.name).join(', ')} ${account}`;
    checks.push(
      {
        check: `through ${who} cicd-build: pull ${tag} from ${io.repositoryArn}`,
        account,
        expected: 'allowed',
        notInEmulator: `${NO_IAM}; its ECR does not evaluate a repository policy across accounts`,
        async run() {
          const evidence = await io.pullAsBuild(account, tag);
          pulled.add(account);
          return evidence;
        },
      },
      {
        check: `through ${who} cicd-build: push to ${io.repositoryArn} and be refused`,
        account,
        expected: 'denied',
        notInEmulator: `${NO_IAM}; its ECR does not evaluate a repository policy across accounts`,
        async run() {
          if (!pulled.has(account)) throw new PreconditionError(`the pull through ${who} cicd-build was not admitted, so a refused push proves nothing`);
          return io.pushAsBuild(account);
        },
      },
    );
    if (narrowedAccounts.includes(account)) {
      checks.push({
        check: `${who}'s own profile (not a listed role) pulls ${tag} from ${io.repositoryArn} and is refused`,
        account,
        expected: 'denied',
        notInEmulator: `${NO_IAM}; its ECR does not evaluate a repository policy across accounts`,
        async run() {
          if (!pulled.has(account)) throw new PreconditionError(`the pull through ${who} cicd-build was not admitted, so a refused pull proves nothing`);
          return io.pullAsOwn(account, tag);
        },
      });
    }
  }
  return checks;
}

/**
 * The calls the package checks make, through a target account's `cicd-build` role (assumed from
 * the CICD account). Each returns the evidence of an allowed request and throws when refused.
 */
export interface PackagesIo {
  /** The store's domain (`cicd` by default), owned by the CICD account. */
  readonly domain: string;
  /** The store's repository (`packages` by default). */
  readonly repository: string;
  /** `codeartifact:GetAuthorizationToken` for the domain (with `sts:GetServiceBearerToken`). */
  tokenAsBuild(targetAccount: string): Promise<string>;
  /** `codeartifact:GetRepositoryEndpoint` of the repository, format npm. */
  endpointAsBuild(targetAccount: string): Promise<string>;
  /** `codeartifact:PublishPackageVersion` of a generic package `cicd-verify/RUN` (deleted after the run if admitted). */
  publishAsBuild(targetAccount: string, run: string): Promise<string>;
  /** `codeartifact:GetAuthorizationToken` for the domain with the target account's own profile. */
  tokenAsOwn(targetAccount: string): Promise<string>;
}

/**
 * The package checks (`packages`): each target account's `cicd-build` role gets a token for the
 * domain and the repository's npm endpoint, and is refused a publish; the own profile of each
 * account in `narrowedAccounts` is refused a token. A refusal is a pass only when the same
 * account's build role got its token; otherwise it is an error.
 */
export function packageChecks(targets: StoreTarget[], run: string, io: PackagesIo, narrowedAccounts: string[] = []): Check[] {
  const tokens = new Set<string>();
  const noCodeArtifact = 'MiniStack has no CodeArtifact service (and evaluates no IAM policy)';
  const checks: Check[] = [];
  for (const account of [...new Set(targets.map((t) => t.accountId))]) {
    const who = `${targets.filter((t) => t.accountId === account).map((t) => t.name).join(', ')} ${account}`;
    checks.push(
      {
        check: `through ${who} cicd-build: a CodeArtifact token for the domain ${io.domain}`,
        account,
        expected: 'allowed',
        notInEmulator: noCodeArtifact,
        async run() {
          const evidence = await io.tokenAsBuild(account);
          tokens.add(account);
          return evidence;
        },
      },
      {
        check: `through ${who} cicd-build: the npm endpoint of ${io.domain}/${io.repository}`,
        account,
        expected: 'allowed',
        notInEmulator: noCodeArtifact,
        run: () => io.endpointAsBuild(account),
      },
      {
        check: `through ${who} cicd-build: publish a package version to ${io.domain}/${io.repository} and be refused`,
        account,
        expected: 'denied',
        notInEmulator: noCodeArtifact,
        async run() {
          if (!tokens.has(account)) throw new PreconditionError(`no token for ${io.domain} through ${who} cicd-build, so a refused publish proves nothing`);
          return io.publishAsBuild(account, run);
        },
      },
    );
    if (narrowedAccounts.includes(account)) {
      checks.push({
        check: `${who}'s own profile (not a listed role) asks for a CodeArtifact token for ${io.domain} and is refused`,
        account,
        expected: 'denied',
        notInEmulator: noCodeArtifact,
        async run() {
          if (!tokens.has(account)) throw new PreconditionError(`no token for ${io.domain} through ${who} cicd-build, so a refused token proves nothing`);
          return io.tokenAsOwn(account);
        },
      });
    }
  }
  return checks;
}

export interface VerifyRun {
  readonly results: CheckResult[];
  readonly cleanupFailures: string[];
}

/** Runs every check against the deployed baseline (in the emulator when `emulator` is given). */
export async function verify(options: Options, emulator?: Emulator): Promise<VerifyRun> {
  const accounts = await resolveAccounts(options);
  const conns = connections(options, accounts, emulator?.endpoint);
  const context = appContext(options, accounts);
  const config0 = readConfig((key) => context[key], {});
  const region = options.region;
  const cicd = conns.get(accounts.cicd)!;
  const bucket = CicdArtifactStore.bucketName('cicd-artifacts', accounts.cicd, region);
  const alias = 'alias/cicd/artifacts';
  const aliasArn = `arn:aws:kms:${region}:${accounts.cicd}:${alias}`;
  const run = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const inEmulator = emulator !== undefined;
  const cleanups: Array<[string, () => Promise<unknown>]> = [];
  const cicdS3 = new S3Client(config(cicd));
  /** Deletes an object version the check wrote, with the CICD account's own credentials (targets never delete). */
  const removeLater = (key: string, versionId?: string) => cleanups.push([`delete s3://${bucket}/${key}`, () =>
    withTimeout(`s3:DeleteObject s3://${bucket}/${key}`, CALL_MS, (abortSignal) =>
      cicdS3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }), { abortSignal }))]);

  let keyArn = '';
  const put = async (s3: S3Client, key: string, sse?: { kms: boolean; keyId?: string }, what = 'upload') => {
    const res = await withTimeout(`s3:PutObject s3://${bucket}/${key} (${what})`, CALL_MS, (abortSignal) => s3.send(new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: `cicd verify ${run}`,
      ServerSideEncryption: sse ? (sse.kms ? ServerSideEncryption.aws_kms : ServerSideEncryption.AES256) : undefined,
      SSEKMSKeyId: sse?.keyId,
    }), { abortSignal }));
    removeLater(key, res.VersionId);
    return res;
  };
  const head = (s3: S3Client, key: string) => withTimeout(`s3:HeadObject s3://${bucket}/${key}`, CALL_MS, (abortSignal) =>
    s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal }));
  const read = async (s3: S3Client, key: string) => {
    const res = await withTimeout(`s3:GetObject s3://${bucket}/${key}`, CALL_MS, (abortSignal) =>
      s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal }));
    return { body: await res.Body!.transformToString(), keyId: res.SSEKMSKeyId, sse: res.ServerSideEncryption };
  };
  /** Fails unless the object is encrypted with the store's key. */
  const expectStoreKey = (what: string, sse: string | undefined, keyId: string | undefined) => {
    if (sse !== 'aws:kms' || keyId !== keyArn) throw new Error(`${what}: encrypted with ${sse ?? 'nothing'} ${keyId ?? ''}, not the store's key ${keyArn}`);
  };

  const checks: Check[] = [
    {
      check: `the store's key by its alias ${alias}`,
      account: accounts.cicd,
      expected: 'allowed',
      async run() {
        const kms = new KMSClient(config(cicd));
        const res = await withTimeout(`kms:DescribeKey ${alias}`, CALL_MS, (abortSignal) => kms.send(new DescribeKeyCommand({ KeyId: alias }), { abortSignal }));
        keyArn = res.KeyMetadata!.Arn!;
        return `${alias} → ${keyArn} (rotation per the read-back)`;
      },
    },
    {
      check: 'write and read an artifact, SSE-KMS with the store\'s key, CICD account',
      account: accounts.cicd,
      expected: 'allowed',
      async run() {
        const key = `cicd-verify/${run}/cicd.txt`;
        await put(cicdS3, key, { kms: true, keyId: keyArn });
        const got = await read(cicdS3, key);
        if (got.body !== `cicd verify ${run}`) throw new Error(`read back ${JSON.stringify(got.body)}`);
        expectStoreKey(key, got.sse, got.keyId);
        return `s3://${bucket}/${key} read back, SSE-KMS ${got.keyId}`;
      },
    },
    {
      check: 'an upload naming no encryption gets the store\'s key (bucket default)',
      account: accounts.cicd,
      expected: 'allowed',
      notInEmulator: 'MiniStack does not apply bucket default encryption (it reads back AES256)',
      async run() {
        const key = `cicd-verify/${run}/default.txt`;
        await put(cicdS3, key);
        const h = await head(cicdS3, key);
        expectStoreKey(key, h.ServerSideEncryption, h.SSEKMSKeyId);
        return `SSE-KMS ${h.SSEKMSKeyId}`;
      },
    },
    {
      check: 'an upload naming aws:kms without a key ID (would get aws/s3) is refused',
      account: accounts.cicd,
      expected: 'denied',
      notInEmulator: NO_IAM,
      async run() {
        const key = `cicd-verify/${run}/aws-s3-key.txt`;
        const res = await put(cicdS3, key, { kms: true }, 'aws:kms without key ID');
        return `uploaded (version ${res.VersionId}), encrypted with ${res.SSEKMSKeyId}`;
      },
    },
    {
      check: 'an upload naming the store\'s key by its alias ARN is accepted and gets the key',
      account: accounts.cicd,
      expected: 'allowed',
      notInEmulator: `${NO_IAM}; nor does it resolve an alias ARN given as the key of an upload`,
      async run() {
        const key = `cicd-verify/${run}/alias-arn.txt`;
        await put(cicdS3, key, { kms: true, keyId: aliasArn }, 'key by alias ARN');
        const h = await head(cicdS3, key);
        expectStoreKey(key, h.ServerSideEncryption, h.SSEKMSKeyId);
        return `${aliasArn} → SSE-KMS ${h.SSEKMSKeyId}`;
      },
    },
    {
      check: 'an unsigned (anonymous) read of an artifact is refused',
      account: accounts.cicd,
      expected: 'denied',
      notInEmulator: NO_IAM,
      async run() {
        const url = `https://${bucket}.s3.${region}.amazonaws.com/cicd-verify/${run}/cicd.txt`;
        const res = await withTimeout(`unsigned GET ${url}`, CALL_MS, (signal) => fetch(url, { signal }));
        if (res.status === 403) {
          const error = new Error(`HTTP 403 ${(/<Code>([^<]+)<\/Code>/.exec(await res.text()) ?? [])[1] ?? ''} for ${url}`);
          error.name = 'Forbidden';
          throw error;
        }
        return `HTTP ${res.status} for ${url}`;
      },
    },
  ];

  for (const t of config0.targets) {
    const target = conns.get(t.accountId)!;
    const profile = options.profiles[profileOf(t.name)];
    const ownConn: Connection = { ...target, profile };
    const role = (name: string) => `arn:aws:iam::${t.accountId}:role/${name}`;
    const crossAccountArn = role(CrossAccountPipelineRoles.crossAccountRoleName());
    const cloudFormationArn = role(CrossAccountPipelineRoles.cloudFormationRoleName());
    const buildArn = role(CrossAccountPipelineRoles.buildRoleName());
    const readOnlyArn = role(CrossReadOnlyRole.DEFAULT_ROLE_NAME);
    let pipelineCreds: Credentials | undefined;
    let readOnlyCreds: Credentials | undefined;
    const who = `${t.name} ${t.accountId}`;
    // The store admits writes only from the targets the reference app lists in artifactWriters.
    const writer = config0.artifactWriters.includes(t.name) && t.accountId !== accounts.cicd;
    checks.push(
      {
        check: `${who} has the roles the checks use`,
        account: t.accountId,
        expected: 'allowed',
        async run() {
          const iam = new IAMClient(config(ownConn));
          const names = [crossAccountArn, cloudFormationArn, buildArn, readOnlyArn].map((arn) => arn.split('/').pop()!);
          for (const RoleName of names) {
            await withTimeout(`iam:GetRole ${RoleName} in ${t.accountId}`, CALL_MS, (abortSignal) => iam.send(new GetRoleCommand({ RoleName }), { abortSignal }));
          }
          return names.join(', ');
        },
      },
      {
        check: `the CICD account assumes ${who} cicd-cross-account over TLS`,
        account: t.accountId,
        expected: 'allowed',
        notInEmulator: NO_IAM,
        async run() {
          pipelineCreds = await assumeRole(cicd, crossAccountArn, 'from the CICD account');
          return `https://sts.${region}.amazonaws.com: session ${pipelineCreds.accessKeyId.slice(0, 8)}… of ${crossAccountArn}`;
        },
      },
      {
        check: `through ${who} cicd-cross-account: read the CICD account's artifact, decrypted with the store's key`,
        account: t.accountId,
        expected: 'allowed',
        notInEmulator: NO_IAM,
        async run() {
          if (!pipelineCreds) throw new Error('no session: the cross-account role was not assumed');
          const key = `cicd-verify/${run}/cicd.txt`;
          const got = await read(new S3Client(config(target, pipelineCreds)), key);
          if (got.body !== `cicd verify ${run}`) throw new Error(`read back ${JSON.stringify(got.body)}`);
          expectStoreKey(key, got.sse, got.keyId);
          return `s3://${bucket}/${key} read, SSE-KMS ${got.keyId}`;
        },
      },
      writer ? {
        check: `through ${who} cicd-cross-account (an artifact writer): write an artifact with the store's key`,
        account: t.accountId,
        expected: 'allowed',
        notInEmulator: NO_IAM,
        async run() {
          if (!pipelineCreds) throw new Error('no session: the cross-account role was not assumed');
          const s3 = new S3Client(config(target, pipelineCreds));
          const key = `cicd-verify/${run}/${t.name}.txt`;
          await put(s3, key, { kms: true, keyId: keyArn });
          const got = await read(s3, key);
          if (got.body !== `cicd verify ${run}`) throw new Error(`read back ${JSON.stringify(got.body)}`);
          expectStoreKey(key, got.sse, got.keyId);
          return `s3://${bucket}/${key} written and read back, SSE-KMS ${got.keyId}`;
        },
      } : {
        check: `through ${who} cicd-cross-account: write an artifact (targets read only) and be refused`,
        account: t.accountId,
        expected: 'denied',
        notInEmulator: NO_IAM,
        async run() {
          if (!pipelineCreds) throw new Error('no session: the cross-account role was not assumed');
          const key = `cicd-verify/${run}/${t.name}.txt`;
          const res = await put(new S3Client(config(target, pipelineCreds)), key, { kms: true, keyId: keyArn }, 'as a target that does not write artifacts');
          return `uploaded (version ${res.VersionId})`;
        },
      },
      {
        check: `through ${who} cicd-cross-account: CloudFormation creates and deletes a stack with cicd-cloudformation`,
        account: t.accountId,
        expected: 'allowed',
        notInEmulator: `${NO_IAM}; it does not assume a stack's service role`,
        async run() {
          if (!pipelineCreds) throw new Error('no session: the cross-account role was not assumed');
          const cfn = new CloudFormationClient(config(target, pipelineCreds));
          const name = `cicd-verify-cfn-${run}`;
          cleanups.push([`delete stack ${name} in ${t.accountId}`, () => deleteStackAndWait(new CloudFormationClient(config(ownConn)), name, cloudFormationArn)]);
          const created = await createStackAndWait(cfn, name, parameterTemplate(run), cloudFormationArn);
          const deleted = await deleteStackAndWait(cfn, name, cloudFormationArn);
          return `${name}: ${created}, then ${deleted}, with RoleARN ${cloudFormationArn}`;
        },
      },
      {
        check: `Lambda creates a function with ${who} cicd-build (it must be able to assume it)`,
        account: t.accountId,
        expected: 'allowed',
        notInEmulator: `${NO_IAM}; it does not check that Lambda may assume a function's role`,
        async run() {
          const cfn = new CloudFormationClient(config(ownConn));
          const name = `cicd-verify-lambda-${run}`;
          cleanups.push([`delete stack ${name} in ${t.accountId}`, () => deleteStackAndWait(cfn, name)]);
          const created = await createStackAndWait(cfn, name, functionTemplate(buildArn));
          const deleted = await deleteStackAndWait(cfn, name);
          return `${name} (a function with role ${buildArn}): ${created}, then ${deleted}`;
        },
      },
      {
        check: `the CICD account assumes ${who} cicd-read-only and describes stacks`,
        account: t.accountId,
        expected: 'allowed',
        notInEmulator: NO_IAM,
        async run() {
          readOnlyCreds = await assumeRole(cicd, readOnlyArn, 'from the CICD account');
          const cfn = new CloudFormationClient(config(target, readOnlyCreds));
          const res = await withTimeout('cloudformation:DescribeStacks as cicd-read-only', CALL_MS, (abortSignal) =>
            cfn.send(new DescribeStacksCommand({}), { abortSignal }));
          return `DescribeStacks: ${res.Stacks?.length ?? 0} stacks`;
        },
      },
      {
        check: `${who} cicd-read-only reads an artifact (a data read) and is refused`,
        account: t.accountId,
        expected: 'denied',
        notInEmulator: NO_IAM,
        async run() {
          if (!readOnlyCreds) throw new Error('no session: the read-only role was not assumed');
          const got = await read(new S3Client(config(target, readOnlyCreds)), `cicd-verify/${run}/cicd.txt`);
          return `read ${got.body.length} bytes`;
        },
      },
    );
    if (options.narrowing !== 'account' && t.accountId !== accounts.cicd) {
      checks.push({
        check: `${who}'s own profile (not a listed role) reads an artifact and is refused by the store`,
        account: t.accountId,
        expected: 'denied',
        notInEmulator: NO_IAM,
        async run() {
          const got = await read(new S3Client(config(ownConn)), `cicd-verify/${run}/cicd.txt`);
          return `read ${got.body.length} bytes`;
        },
      });
    }
  }

  const sessions = new Map<string, Promise<Credentials>>();
  /** One session per role for the run, assumed from the CICD account. */
  const session = (roleArn: string) => {
    if (!sessions.has(roleArn)) {
      sessions.set(roleArn, assumeRole(cicd, roleArn, 'from the CICD account').catch((e) => {
        throw new PreconditionError(`no session of ${roleArn}: ${(e as Error).name}: ${(e as Error).message}`);
      }));
    }
    return sessions.get(roleArn)!;
  };
  const targetConn = (account: string) => conns.get(account)!;
  const ownConn = (account: string): Connection => {
    const t = config0.targets.find((x) => x.accountId === account)!;
    return { ...targetConn(account), profile: options.profiles[profileOf(t.name)] };
  };
  // As for artifacts: with role-ID or role-ARN narrowing, a target's own profile is no listed role.
  const narrowed = options.narrowing === 'account' ? [] : config0.targets.map((t) => t.accountId).filter((a) => a !== accounts.cicd);
  // Only CodeBuild and Lambda may assume cicd-build: a probe function runs as the role in the target
  // account (created and invoked with the target's own profile) and makes the calls the checks ask for.
  const probes = new Map<string, Promise<string>>();
  const probeFunction = (account: string) => {
    if (!probes.has(account)) {
      const roleArn = `arn:aws:iam::${account}:role/${CrossAccountPipelineRoles.buildRoleName()}`;
      const name = `cicd-verify-probe-${run}`;
      const cfn = new CloudFormationClient(config(ownConn(account)));
      cleanups.push([`delete stack ${name} in ${account}`, () => deleteStackAndWait(cfn, name)]);
      probes.set(account, createStackAndWait(cfn, name, probeTemplate(roleArn, name)).then(() => name, (e) => {
        throw new PreconditionError(`no probe function running as ${roleArn}: ${(e as Error).name}: ${(e as Error).message}`);
      }));
    }
    return probes.get(account)!;
  };
  /** Invokes the probe of `account` with `request`; throws what the role's call was answered. */
  const probe = async (account: string, request: Record<string, string>): Promise<ProbeAnswer> => {
    const functionName = await probeFunction(account);
    const lambda = new LambdaClient(config(ownConn(account)));
    const res = await withTimeout(`lambda:Invoke ${functionName} (${request.action} as cicd-build)`, CALL_MS, (abortSignal) =>
      lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(request)) }), { abortSignal }));
    return probeAnswer(functionName, res.FunctionError, Buffer.from(res.Payload ?? new Uint8Array()).toString());
  };
  const asBuild = (account: string) => `cicd-build of ${account}`;

  // The reference app's image repositories: the targets' build roles pull from the first one and push to none.
  if (config0.imageRepositories.length > 0) {
    const repositoryName = config0.imageRepositories[0];
    const repositoryArn = `arn:aws:ecr:${region}:${accounts.cicd}:repository/${repositoryName}`;
    const imagesIo: ImagesIo = {
      repositoryArn,
      async pullAsBuild(account, tag) {
        const answer = await probe(account, { action: 'pull', registry: accounts.cicd, repository: repositoryName, tag });
        return `${pullAnswer(`${repositoryName}:${tag}`, answer.answer ?? {})}, as ${asBuild(account)}`;
      },
      async pullAsOwn(account, tag) {
        const ecr = new ECRClient(config(ownConn(account)));
        const res = await withTimeout(`ecr:BatchGetImage ${repositoryArn}:${tag} (own profile of ${account})`, CALL_MS, (abortSignal) =>
          ecr.send(new BatchGetImageCommand({ registryId: accounts.cicd, repositoryName, imageIds: [{ imageTag: tag }] }), { abortSignal }));
        return `${pullAnswer(`${repositoryName}:${tag}`, res)}, as the own profile of ${account}`;
      },
      async pushAsBuild(account) {
        // A push only begun writes no layer and no image: nothing to delete.
        const answer = await probe(account, { action: 'push', registry: accounts.cicd, repository: repositoryName });
        return `${answer.evidence ?? ''}, as ${asBuild(account)}`;
      },
    };
    checks.push(...imageChecks(config0.targets, config0.sampleImageTag, imagesIo, narrowed));
  }

  // The reference app's packages (store defaults: domain `cicd`, repository `packages`): the targets' build roles read, never publish.
  if (config0.packages) {
    const domain = DEFAULT_PACKAGE_DOMAIN;
    const repository = DEFAULT_PACKAGE_REPOSITORY;
    const where = { domain, owner: accounts.cicd, repo: repository };
    const packagesIo: PackagesIo = {
      domain,
      repository,
      async tokenAsBuild(account) {
        return `${(await probe(account, { action: 'token', ...where })).evidence ?? ''}, as ${asBuild(account)}`;
      },
      async tokenAsOwn(account) {
        const client = new CodeartifactClient(config(ownConn(account)));
        const res = await withTimeout(`codeartifact:GetAuthorizationToken ${domain} (own profile of ${account})`, CALL_MS, (abortSignal) =>
          client.send(new GetAuthorizationTokenCommand({ domain, domainOwner: accounts.cicd, durationSeconds: 900 }), { abortSignal }));
        return `a token for ${domain} until ${res.expiration?.toISOString() ?? '?'}, as the own profile of ${account}`;
      },
      async endpointAsBuild(account) {
        return `${(await probe(account, { action: 'endpoint', ...where })).evidence ?? ''}, as ${asBuild(account)}`;
      },
      async publishAsBuild(account, runId) {
        const answer = await probe(account, { action: 'publish', ...where, run: runId });
        // Published, wrongly: the CICD account deletes it.
        cleanups.push([`delete package version cicd-verify/cicd-verify@${runId} in ${domain}/${repository}`, () =>
          withTimeout(`codeartifact:DeletePackageVersions cicd-verify/cicd-verify@${runId}`, CALL_MS, (abortSignal) =>
            new CodeartifactClient(config(cicd)).send(new DeletePackageVersionsCommand({
              domain, domainOwner: accounts.cicd, repository, format: PackageFormat.GENERIC, namespace: 'cicd-verify', package: 'cicd-verify', versions: [runId],
            }), { abortSignal }))]);
        return `${answer.evidence ?? ''}, as ${asBuild(account)}`;
      },
    };
    checks.push(...packageChecks(config0.targets, run, packagesIo, narrowed));
  }

  // The reference app's cdkAssets: the central assets bucket, and the targets' bootstrap compatibility with it.
  if (config0.cdkAssets) {
    const assetsBucket = CicdArtifactStore.bucketName(DEFAULT_ASSETS_PREFIX, accounts.cicd, region);
    const publishingArn = `arn:aws:iam::${accounts.cicd}:role/${assetPublishingRoleName(DEFAULT_ASSETS_PREFIX, region)}`;
    const ownSsm = (account: string) => {
      const t = config0.targets.find((x) => x.accountId === account)!;
      return new SSMClient(config({ ...targetConn(account), profile: options.profiles[profileOf(t.name)] }));
    };
    const assetsIo: AssetsIo = {
      bucket: assetsBucket,
      async publish(key) {
        const s3 = new S3Client(config(cicd, await session(publishingArn)));
        const res = await withTimeout(`s3:PutObject s3://${assetsBucket}/${key} (publishing role)`, CALL_MS, (abortSignal) => s3.send(new PutObjectCommand({
          Bucket: assetsBucket,
          Key: key,
          Body: `cicd verify ${run}`,
          ServerSideEncryption: ServerSideEncryption.aws_kms,
          SSEKMSKeyId: keyArn || undefined,
        }), { abortSignal }));
        cleanups.push([`delete s3://${assetsBucket}/${key}`, () =>
          withTimeout(`s3:DeleteObject s3://${assetsBucket}/${key}`, CALL_MS, (abortSignal) =>
            cicdS3.send(new DeleteObjectCommand({ Bucket: assetsBucket, Key: key, VersionId: res.VersionId }), { abortSignal }))]);
        return `s3://${assetsBucket}/${key} uploaded as ${publishingArn}, SSE-KMS ${res.SSEKMSKeyId ?? ''}`;
      },
      async readAsTarget(account, key) {
        const roleArn = `arn:aws:iam::${account}:role/${CrossAccountPipelineRoles.crossAccountRoleName()}`;
        const s3 = new S3Client(config(targetConn(account), await session(roleArn)));
        const res = await withTimeout(`s3:GetObject s3://${assetsBucket}/${key} as ${roleArn}`, CALL_MS, (abortSignal) =>
          s3.send(new GetObjectCommand({ Bucket: assetsBucket, Key: key }), { abortSignal }));
        const body = await res.Body!.transformToString();
        if (body !== `cicd verify ${run}`) throw new Error(`read back ${JSON.stringify(body)}`);
        return `s3://${assetsBucket}/${key} read as ${roleArn}, SSE-KMS ${res.SSEKMSKeyId ?? ''}`;
      },
    };
    const getParameter = async (ssm: SSMClient, name: string, who: string) => {
      const res = await withTimeout(`ssm:GetParameter ${name} (${who})`, CALL_MS, (abortSignal) =>
        ssm.send(new GetParameterCommand({ Name: name }), { abortSignal }));
      return res.Parameter?.Value ?? '';
    };
    const bootstrapIo: BootstrapIo = {
      readOwn: (account, name) => getParameter(ownSsm(account), name, `own profile of ${account}`),
      async writeOwn(account, name, value) {
        const ssm = ownSsm(account);
        cleanups.push([`delete parameter ${name} in ${account}`, () =>
          withTimeout(`ssm:DeleteParameter ${name}`, CALL_MS, (abortSignal) => ssm.send(new DeleteParameterCommand({ Name: name }), { abortSignal }))]);
        await withTimeout(`ssm:PutParameter ${name} in ${account}`, CALL_MS, (abortSignal) =>
          ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String' }), { abortSignal }));
      },
      async readAsReadOnly(account, name) {
        const roleArn = `arn:aws:iam::${account}:role/${config0.readOnlyRoleName ?? CrossReadOnlyRole.DEFAULT_ROLE_NAME}`;
        const ssm = new SSMClient(config(targetConn(account), await session(roleArn)));
        return getParameter(ssm, name, `as ${roleArn}`);
      },
    };
    // The reference app gives the targets cdkBootstrapCompatibility (default qualifier) whenever it has cdkAssets.
    checks.push(...cdkAssetsChecks(config0.targets, run, assetsIo, {
      io: bootstrapIo,
      parameterName: cdkBootstrapVersionParameterName(),
      version: String(CDK_BOOTSTRAP_VERSION),
    }));
  }

  const results: CheckResult[] = [];
  const cleanupFailures: string[] = [];
  try {
    for (const c of checks) {
      const r = await runCheck(c, inEmulator);
      console.log(`  ${verdictOf(r).padEnd(5)} ${r.check}`);
      results.push(r);
    }
  } finally {
    for (const [what, fn] of cleanups.reverse()) {
      try {
        await fn();
      } catch (e) {
        // A stack that was never created, or an object already gone, needs no clean-up.
        if (!/does not exist|NoSuchKey|NoSuchVersion/.test((e as Error).message)) cleanupFailures.push(`${what}: ${(e as Error).message}`);
      }
    }
  }
  return { results, cleanupFailures };
}

export async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  const outcome = await withTarget(options, (emulator) => {
    console.log(`Verifying the ${options.layout} baseline in ${emulator ? `the emulator (${emulator.endpoint})` : 'AWS'}, region ${options.region}`);
    return verify(options, emulator).then((r) => ({ ...r, where: emulator ? 'the emulator' : 'AWS' }));
  });
  console.log(`\n${renderResults(outcome.results)}\n`);
  for (const f of outcome.cleanupFailures) console.error(`clean-up failed: ${f}`);
  console.log(summaryLine(outcome.results, outcome.where));
  return exitCode(outcome.results, outcome.cleanupFailures.length);
}

runMain(module, main);
