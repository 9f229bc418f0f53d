/**
 * The access matrix of the reference app, as data: who does what on what, in which mode, and
 * the decision AWS must reach. `test/access-matrix.test.ts` evaluates every case with an
 * offline IAM policy engine over the synthesized policies; `scripts/access-matrix.ts` renders
 * the same cases into the README. Nothing here depends on the CDK, so rendering is fast.
 */

export const CICD = '111111111111';
export const NONPROD = '222222222222';
export const PROD = '777777777777';
/** An account outside the organization and the store's targets. */
export const FOREIGN = '333333333333';
/** An account of the organization that is not one of the listed targets. */
export const ORG_SANDBOX = '444444444444';
export const REGION = 'eu-west-1';
export const ORGANIZATION_ID = 'o-a1b2c3d4e5';
export const FOREIGN_ORGANIZATION_ID = 'o-f0r31gn0rg1';
export const KEY_ALIAS = 'alias/cicd/artifacts';
/** A key of the non-prod account, not the store's. */
export const OTHER_KEY_ARN = `arn:aws:kms:${REGION}:${NONPROD}:key/0f0f0f0f-1111-2222-3333-444444444444`;
/** Stands for the store's key ARN in a case's context; replaced by the synthesized key's ARN. */
export const STORE_KEY_ARN = '${StoreKeyArn}';
/** Stands for the boundary the sample application's role carries, as synthesized and deployed in non-prod. */
export const SAMPLE_APP_BOUNDARY = '${SampleAppBoundaryArn}';
/** The read-only role's name in the opt-ins mode, outside the roles' prefix. */
export const CUSTOM_READ_ONLY_ROLE_NAME = 'inventory-read-only';
/** The ECR repository the reference app's store holds in the access matrix (`-c imageRepositories=sample-app`). */
export const IMAGE_REPOSITORY = 'sample-app';
/** The CICD account's asset-publishing role of the store's region (`cdkAssets`). */
export const ASSET_PUBLISHING_ROLE = `cicd-assets-publishing-${REGION}`;

/** A well-formed, made-up role unique ID: `AROA` and 17 characters. */
export function fakeRoleId(tag: string): string {
  return `AROA${tag.toUpperCase().padEnd(17, '0')}`;
}

/** The unique IDs of the target roles, fed to the reference app with `-c roleIds=…` in role-ID mode. */
export const ROLE_IDS: Record<string, Record<string, string>> = {
  nonprod: { crossAccountRoleId: fakeRoleId('NONPRODXACCOUNT'), cloudFormationRoleId: fakeRoleId('NONPRODCFN'), buildRoleId: fakeRoleId('NONPRODBUILD') },
  prod: { crossAccountRoleId: fakeRoleId('PRODXACCOUNT'), cloudFormationRoleId: fakeRoleId('PRODCFN'), buildRoleId: fakeRoleId('PRODBUILD') },
  main: { crossAccountRoleId: fakeRoleId('MAINXACCOUNT'), cloudFormationRoleId: fakeRoleId('MAINCFN'), buildRoleId: fakeRoleId('MAINBUILD') },
};

/** The principal of the CICD account that the trusted-principals mode lets assume the cross-account role. */
export const TRUSTED_PIPELINE_ROLE_ARN = `arn:aws:iam::${CICD}:role/cicd-sample-pipeline`;

/**
 * How the reference app admits the targets:
 * - `account`: the target accounts, whole (`-c narrowing=account`, the default);
 * - `role-ids`: the pipeline roles by unique ID (`-c narrowing=role-ids -c roleIds=…`);
 * - `role-arns`: the pipeline roles by ARN (`-c narrowing=role-arns`);
 * - `organization`: the pipeline roles by name in any account of the organization (`-c organizationId=…`);
 * - `single`: one account for everything (`-c layout=single`);
 * - `trusted-principals`: the account layout, with the cross-account role trusting one principal of
 *   the CICD account (`trustedPrincipalArns`) instead of the whole account;
 * - `opt-ins`: the account layout, with non-prod writing artifacts (`-c artifactWriters=nonprod`) and
 *   the read-only role under a name outside the prefix (`-c readOnlyRoleName=inventory-read-only`).
 */
export type Mode = 'account' | 'role-ids' | 'role-arns' | 'organization' | 'single' | 'trusted-principals' | 'opt-ins';

export const MODES: Mode[] = ['account', 'role-ids', 'role-arns', 'organization', 'single', 'trusted-principals', 'opt-ins'];

/** The CDK context that builds the reference app in each mode (trusted-principals adds a construct prop). */
export const MODE_CONTEXT: Record<Mode, Record<string, string>> = {
  'account': {},
  'role-ids': { narrowing: 'role-ids', roleIds: JSON.stringify(ROLE_IDS) },
  'role-arns': { narrowing: 'role-arns' },
  'organization': { organizationId: ORGANIZATION_ID },
  'single': { layout: 'single' },
  'trusted-principals': {},
  'opt-ins': { artifactWriters: 'nonprod', readOnlyRoleName: CUSTOM_READ_ONLY_ROLE_NAME },
};

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/** Where a principal's identity policies come from. */
export type IdentitySource =
  /** the role's policies as synthesized in the target stack of this name */
  | { readonly target: string }
  /** AWS managed `AdministratorAccess` (`*` on `*`) */
  | 'administrator'
  /** `s3:*` and `kms:*` on `*` */
  | 's3-kms-all'
  /** `sts:AssumeRole` on `*`: its own account lets it assume any role */
  | 'assume-any-role';

export interface PrincipalSpec {
  /** How the table names it. */
  readonly label: string;
  readonly kind: 'role' | 'service' | 'anonymous';
  readonly account?: string;
  readonly roleName?: string;
  /** The role's unique ID. @default - the synthesized role's (from ROLE_IDS) */
  readonly roleId?: string;
  readonly identity?: IdentitySource;
  /** For a service principal. */
  readonly service?: string;
  /** The target whose baseline permissions boundary holds the principal. @default - the role's own, if any */
  readonly boundaryOf?: string;
}

export const PRINCIPALS = {
  nonprodPipeline: { label: 'non-prod `cicd-cross-account`', kind: 'role', account: NONPROD, roleName: 'cicd-cross-account', identity: { target: 'nonprod' } },
  nonprodBuild: { label: 'non-prod `cicd-build`', kind: 'role', account: NONPROD, roleName: 'cicd-build', identity: { target: 'nonprod' } },
  nonprodReadOnly: { label: 'non-prod `cicd-read-only`', kind: 'role', account: NONPROD, roleName: 'cicd-read-only', identity: { target: 'nonprod' } },
  nonprodRecreated: {
    label: 'non-prod `cicd-cross-account`, deleted and recreated (new unique ID)',
    kind: 'role',
    account: NONPROD,
    roleName: 'cicd-cross-account',
    roleId: fakeRoleId('RECREATED'),
    identity: { target: 'nonprod' },
  },
  nonprodAdmin: {
    label: 'non-prod `admin` role with `AdministratorAccess`',
    kind: 'role',
    account: NONPROD,
    roleName: 'admin',
    roleId: fakeRoleId('NONPRODADMIN'),
    identity: 'administrator',
  },
  nonprodCloudFormation: {
    label: 'non-prod `cicd-cloudformation` (as CloudFormation uses it)',
    kind: 'role',
    account: NONPROD,
    roleName: 'cicd-cloudformation',
    identity: { target: 'nonprod' },
  },
  prodPipeline: { label: 'prod `cicd-cross-account`', kind: 'role', account: PROD, roleName: 'cicd-cross-account', identity: { target: 'prod' } },
  mainPipeline: { label: '`cicd-cross-account` of the one account', kind: 'role', account: CICD, roleName: 'cicd-cross-account', identity: { target: 'main' } },
  foreignAdmin: {
    label: '`cicd-cross-account` of foreign 333333333333 with `s3:*`, `kms:*`',
    kind: 'role',
    account: FOREIGN,
    roleName: 'cicd-cross-account',
    roleId: fakeRoleId('FOREIGNXACCOUNT'),
    identity: 's3-kms-all',
  },
  orgSandboxPipeline: {
    label: '`cicd-cross-account` of 444444444444 (in the organization, not a target) with `s3:*`, `kms:*`',
    kind: 'role',
    account: ORG_SANDBOX,
    roleName: 'cicd-cross-account',
    roleId: fakeRoleId('SANDBOXXACCOUNT'),
    identity: 's3-kms-all',
  },
  cicdPipeline: {
    label: 'CICD `cicd-sample-pipeline` role',
    kind: 'role',
    account: CICD,
    roleName: 'cicd-sample-pipeline',
    roleId: fakeRoleId('CICDPIPELINE'),
    identity: 'assume-any-role',
  },
  cicdDeveloper: {
    label: 'CICD `developer` role',
    kind: 'role',
    account: CICD,
    roleName: 'developer',
    roleId: fakeRoleId('CICDDEVELOPER'),
    identity: 'assume-any-role',
  },
  foreignAssumer: {
    label: 'foreign 333333333333 `deployer` role',
    kind: 'role',
    account: FOREIGN,
    roleName: 'deployer',
    roleId: fakeRoleId('FOREIGNDEPLOYER'),
    identity: 'assume-any-role',
  },
  nonprodCreatedRole: {
    label: 'non-prod `my-service-role`, created through `cicd-cloudformation` with `AdministratorAccess` under the baseline\'s boundary',
    kind: 'role',
    account: NONPROD,
    roleName: 'my-service-role',
    roleId: fakeRoleId('NONPRODAPPROLE'),
    identity: 'administrator',
    boundaryOf: 'nonprod',
  },
  cloudFormation: { label: 'CloudFormation service', kind: 'service', service: 'cloudformation.amazonaws.com' },
  codeBuild: { label: 'CodeBuild service', kind: 'service', service: 'codebuild.amazonaws.com' },
  lambda: { label: 'Lambda service', kind: 'service', service: 'lambda.amazonaws.com' },
  anonymous: { label: 'anonymous (unsigned)', kind: 'anonymous' },
  foreignEcrAdmin: {
    label: 'foreign 333333333333 `admin` role with `AdministratorAccess`',
    kind: 'role',
    account: FOREIGN,
    roleName: 'admin',
    roleId: fakeRoleId('FOREIGNADMIN'),
    identity: 'administrator',
  },
  cicdAdmin: {
    label: 'CICD `admin` role with `AdministratorAccess`',
    kind: 'role',
    account: CICD,
    roleName: 'admin',
    roleId: fakeRoleId('CICDADMIN'),
    identity: 'administrator',
  },
  assetPublisher: {
    label: `CICD \`${ASSET_PUBLISHING_ROLE}\` (the asset-publishing role)`,
    kind: 'role',
    account: CICD,
    roleName: ASSET_PUBLISHING_ROLE,
    identity: { target: 'cicd-store' },
  },
} satisfies Record<string, PrincipalSpec>;

export type PrincipalKey = keyof typeof PRINCIPALS;

export interface ResourceSpec {
  readonly label: string;
}

/**
 * The resources requests are made on. `roleOf` resources are IAM roles of a target account: the
 * engine uses their trust policy for `sts:AssumeRole`, and no resource policy otherwise.
 */
export const RESOURCES = {
  artifact: { label: 'an object of the artifacts bucket' },
  prodArtifact: { label: 'the source artifact the prod stage also deploys' },
  artifactsBucket: { label: 'the artifacts bucket' },
  template: { label: 'an object of the templates bucket' },
  key: { label: 'the store\'s KMS key (by its alias)' },
  nonprodPipelineRole: { label: 'non-prod `cicd-cross-account` role' },
  nonprodCloudFormationRole: { label: 'non-prod `cicd-cloudformation` role' },
  nonprodBuildRole: { label: 'non-prod `cicd-build` role' },
  nonprodReadOnlyRole: { label: 'non-prod `cicd-read-only` role' },
  mainPipelineRole: { label: '`cicd-cross-account` of the one account' },
  nonprodAppRole: { label: 'a role of an app a pipeline deployed in non-prod' },
  nonprodObject: { label: 'an object of a non-prod bucket' },
  nonprodSecret: { label: 'a non-prod secret' },
  nonprodParameter: { label: 'a non-prod SSM parameter' },
  nonprodAnything: { label: 'any non-prod resource' },
  nonprodBoundary: { label: 'non-prod `cicd-permissions-boundary` (the baseline\'s boundary policy)' },
  nonprodBaselineRoleOnPath: { label: 'non-prod role `team/cicd-deployer` (a `cicd-` name under a path)' },
  nonprodCustomReadOnlyRole: { label: `non-prod \`${CUSTOM_READ_ONLY_ROLE_NAME}\` role (the read-only role under a custom name)` },
  nonprodAppUser: { label: 'a non-prod IAM user' },
  nonprodFunction: { label: 'a non-prod Lambda function' },
  imageRepository: { label: 'the store\'s ECR repository `sample-app`' },
  nonprodAsset: { label: 'a CDK asset of non-prod (`222222222222/…` in the assets bucket)' },
  prodAsset: { label: 'a CDK asset of prod (`777777777777/…` in the assets bucket)' },
  nonprodBootstrapVersion: { label: 'non-prod SSM parameter `/cdk-bootstrap/cicd/version`' },
  assetPublishingRole: { label: `CICD \`${ASSET_PUBLISHING_ROLE}\` role` },
} satisfies Record<string, ResourceSpec>;

export type ResourceKey = keyof typeof RESOURCES;

export interface AccessCase {
  /** `mode/number`, stable as long as cases are appended. */
  readonly id: string;
  readonly mode: Mode;
  /** What is being tested, and why the decision is what it must be. */
  readonly description: string;
  readonly principal: PrincipalKey;
  readonly action: string;
  readonly resource: ResourceKey;
  /** Request context beyond the principal's and resource's own (TLS, encryption headers, ...). */
  readonly context?: Record<string, string | string[]>;
  /** How the request differs from a plain one, for the table ("without TLS", ...). */
  readonly how?: string;
  readonly expected: Decision;
}

type CaseInput = Omit<AccessCase, 'id' | 'mode'>;

const NO_TLS = { 'aws:SecureTransport': 'false' };
const SSE_STORE_KEY = { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': STORE_KEY_ARN };
const PASS_TO_CLOUDFORMATION = { 'iam:PassedToService': 'cloudformation.amazonaws.com' };

/** The pipeline role of a target reads and writes artifacts, reads templates, uses the key. */
function pipelineRoleUsesStore(principal: PrincipalKey, who: string): CaseInput[] {
  return [
    {
      principal,
      action: 's3:GetObject',
      resource: 'artifact',
      expected: 'Allowed',
      description: `${who} reads an artifact: its identity policy and the bucket policy both allow it`,
    },
    {
      principal,
      action: 's3:PutObject',
      resource: 'artifact',
      context: SSE_STORE_KEY,
      how: 'SSE-KMS with the store\'s key',
      expected: 'ImplicitlyDenied',
      description: `${who} uploads an artifact encrypted with the store's key: targets read artifacts, the CICD account writes them (canWriteArtifacts is off)`,
    },
    {
      principal,
      action: 'kms:Decrypt',
      resource: 'key',
      expected: 'Allowed',
      description: `${who} decrypts with the store's key, named by its alias (kms:ResourceAliases) in its identity policy`,
    },
    {
      principal,
      action: 's3:GetObject',
      resource: 'template',
      expected: 'Allowed',
      description: `${who} reads a template`,
    },
    {
      principal,
      action: 's3:PutObject',
      resource: 'template',
      context: SSE_STORE_KEY,
      how: 'SSE-KMS with the store\'s key',
      expected: 'ImplicitlyDenied',
      description: `${who} writes a template: targets only read templates by default (targetsCanWriteTemplates is false)`,
    },
  ];
}

/** A principal of the target account that is not a listed role is refused by the store. */
function otherRoleRefused(principal: PrincipalKey, who: string, why: string): CaseInput[] {
  return [
    {
      principal,
      action: 's3:GetObject',
      resource: 'artifact',
      expected: 'ImplicitlyDenied',
      description: `${who} reads an artifact: its own policy allows it, but the bucket policy admits only the listed roles (${why})`,
    },
    {
      principal,
      action: 'kms:Decrypt',
      resource: 'key',
      expected: 'ImplicitlyDenied',
      description: `${who} decrypts with the store's key: the key policy admits only the listed roles (${why})`,
    },
  ];
}

const CASES: Partial<Record<Mode, CaseInput[]>> = {
  'account': [
    ...pipelineRoleUsesStore('nonprodPipeline', 'The non-prod cross-account role'),
    {
      principal: 'nonprodPipeline',
      action: 's3:ListBucket',
      resource: 'artifactsBucket',
      expected: 'Allowed',
      description: 'The non-prod cross-account role lists the artifacts bucket',
    },
    {
      principal: 'nonprodPipeline',
      action: 's3:PutObject',
      resource: 'artifact',
      how: 'no encryption header (bucket default)',
      expected: 'ImplicitlyDenied',
      description: 'An upload that names no encryption: refused too, targets write no artifact by default (containment/38 shows it allowed for a writer)',
    },
    {
      principal: 'nonprodPipeline',
      action: 's3:DeleteObject',
      resource: 'artifact',
      expected: 'ImplicitlyDenied',
      description: 'The non-prod cross-account role deletes an artifact: targets never delete (old versions expire by lifecycle)',
    },
    {
      principal: 'nonprodAdmin',
      action: 's3:PutBucketPolicy',
      resource: 'artifactsBucket',
      expected: 'ImplicitlyDenied',
      description: 'A non-prod administrator rewrites the artifacts bucket policy: targets get object access only',
    },
    {
      principal: 'nonprodPipeline',
      action: 'kms:GenerateDataKey',
      resource: 'key',
      expected: 'ImplicitlyDenied',
      description: 'The non-prod cross-account role generates a data key, as S3 would for an upload: targets only decrypt unless they write artifacts',
    },
    {
      principal: 'nonprodPipeline',
      action: 's3:PutObject',
      resource: 'artifact',
      how: 'SSE-KMS with another key',
      context: { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': OTHER_KEY_ARN },
      expected: 'ExplicitlyDenied',
      description: 'An upload encrypted with a key other than the store\'s is denied by the bucket policy (DenyUploadsWithAnotherKey)',
    },
    {
      principal: 'nonprodPipeline',
      action: 's3:PutObject',
      resource: 'artifact',
      how: 'SSE-S3 (AES256)',
      context: { 's3:x-amz-server-side-encryption': 'AES256' },
      expected: 'ExplicitlyDenied',
      description: 'An upload encrypted with SSE-S3 instead of the store\'s key is denied by the bucket policy (DenyUploadsNotEncryptedWithKms)',
    },
    {
      principal: 'nonprodPipeline',
      action: 's3:GetObject',
      resource: 'artifact',
      context: NO_TLS,
      how: 'without TLS',
      expected: 'ExplicitlyDenied',
      description: 'A read without TLS is denied by the bucket policy, whoever asks',
    },
    {
      principal: 'nonprodPipeline',
      action: 's3:PutObject',
      resource: 'artifact',
      context: { ...NO_TLS, ...SSE_STORE_KEY },
      how: 'without TLS',
      expected: 'ExplicitlyDenied',
      description: 'A write without TLS is denied by the bucket policy, whoever asks',
    },
    {
      principal: 'anonymous',
      action: 's3:GetObject',
      resource: 'artifact',
      expected: 'ImplicitlyDenied',
      description: 'An unsigned request for an artifact: no statement admits anonymous principals',
    },
    {
      principal: 'anonymous',
      action: 's3:GetObject',
      resource: 'template',
      context: NO_TLS,
      how: 'without TLS',
      expected: 'ExplicitlyDenied',
      description: 'An unsigned request for a template without TLS meets the TLS deny',
    },
    {
      principal: 'foreignAdmin',
      action: 's3:GetObject',
      resource: 'artifact',
      expected: 'ImplicitlyDenied',
      description: 'A role of a foreign account, named like the pipeline role and allowed s3:* on * by its own account, reads an artifact: the bucket policy does not admit its account',
    },
    {
      principal: 'foreignAdmin',
      action: 'kms:Decrypt',
      resource: 'key',
      expected: 'ImplicitlyDenied',
      description: 'The same foreign role decrypts with the store\'s key: the key policy does not admit its account',
    },
    {
      principal: 'foreignAdmin',
      action: 's3:PutObject',
      resource: 'artifact',
      context: SSE_STORE_KEY,
      how: 'SSE-KMS with the store\'s key',
      expected: 'ImplicitlyDenied',
      description: 'The same foreign role plants an artifact: the bucket policy does not admit its account',
    },
    {
      principal: 'nonprodAdmin',
      action: 's3:GetObject',
      resource: 'artifact',
      expected: 'Allowed',
      description: 'With whole accounts admitted, any non-prod principal its own IAM allows reads artifacts (narrow by role to prevent it)',
    },
    {
      principal: 'nonprodAdmin',
      action: 'kms:PutKeyPolicy',
      resource: 'key',
      expected: 'ImplicitlyDenied',
      description: 'A non-prod administrator rewrites the key policy: targets may only use the key, never administer it',
    },
    {
      principal: 'nonprodAdmin',
      action: 'kms:ScheduleKeyDeletion',
      resource: 'key',
      expected: 'ImplicitlyDenied',
      description: 'A non-prod administrator schedules the key\'s deletion: key administration stays with the CICD account',
    },
    {
      principal: 'nonprodAdmin',
      action: 'kms:CreateGrant',
      resource: 'key',
      context: { 'kms:GrantIsForAWSResource': 'false' },
      how: 'grant for a non-AWS resource',
      expected: 'ImplicitlyDenied',
      description: 'A non-prod administrator creates a grant for itself on the store\'s key (not for an AWS service): no target may create grants',
    },
    {
      principal: 'nonprodAdmin',
      action: 'kms:CreateGrant',
      resource: 'key',
      context: { 'kms:GrantIsForAWSResource': 'true' },
      how: 'grant for an AWS resource',
      expected: 'ImplicitlyDenied',
      description: 'Nor through an AWS service: S3 with bucket keys and CodePipeline need no grant on the key',
    },
    {
      principal: 'cicdPipeline',
      action: 'sts:AssumeRole',
      resource: 'nonprodPipelineRole',
      expected: 'Allowed',
      description: 'A CICD-account role assumes the non-prod cross-account role over TLS: the trust policy admits the CICD account',
    },
    {
      principal: 'cicdPipeline',
      action: 'sts:AssumeRole',
      resource: 'nonprodPipelineRole',
      context: NO_TLS,
      how: 'without TLS',
      expected: 'ImplicitlyDenied',
      description: 'The same without TLS: the trust policy requires aws:SecureTransport',
    },
    {
      principal: 'foreignAssumer',
      action: 'sts:AssumeRole',
      resource: 'nonprodPipelineRole',
      expected: 'ImplicitlyDenied',
      description: 'A role of a foreign account assumes the non-prod cross-account role: the trust policy names only the CICD account',
    },
    {
      principal: 'nonprodPipeline',
      action: 'iam:PassRole',
      resource: 'nonprodCloudFormationRole',
      context: PASS_TO_CLOUDFORMATION,
      how: 'to CloudFormation',
      expected: 'Allowed',
      description: 'The cross-account role passes the CloudFormation execution role to CloudFormation, as a deploy action does',
    },
    {
      principal: 'nonprodPipeline',
      action: 'iam:PassRole',
      resource: 'nonprodCloudFormationRole',
      context: { 'iam:PassedToService': 'lambda.amazonaws.com' },
      how: 'to Lambda',
      expected: 'ImplicitlyDenied',
      description: 'The cross-account role passes the CloudFormation role to another service (iam:PassedToService)',
    },
    {
      principal: 'nonprodPipeline',
      action: 'iam:PassRole',
      resource: 'nonprodBuildRole',
      context: PASS_TO_CLOUDFORMATION,
      how: 'to CloudFormation',
      expected: 'ImplicitlyDenied',
      description: 'The cross-account role passes a role other than the CloudFormation role',
    },
    {
      principal: 'nonprodPipeline',
      action: 'sts:AssumeRole',
      resource: 'nonprodCloudFormationRole',
      expected: 'ImplicitlyDenied',
      description: 'The cross-account role assumes the CloudFormation execution role itself: only CloudFormation may',
    },
    {
      principal: 'cloudFormation',
      action: 'sts:AssumeRole',
      resource: 'nonprodCloudFormationRole',
      context: { 'aws:SourceAccount': NONPROD },
      how: 'for non-prod (aws:SourceAccount)',
      expected: 'Allowed',
      description: 'CloudFormation assumes the execution role for a stack of the non-prod account',
    },
    {
      principal: 'cloudFormation',
      action: 'sts:AssumeRole',
      resource: 'nonprodCloudFormationRole',
      context: { 'aws:SourceAccount': FOREIGN },
      how: 'for 333333333333 (aws:SourceAccount)',
      expected: 'ImplicitlyDenied',
      description: 'CloudFormation acting for another account assumes the execution role: the confused-deputy condition refuses it',
    },
    {
      principal: 'codeBuild',
      action: 'sts:AssumeRole',
      resource: 'nonprodBuildRole',
      context: { 'aws:SourceAccount': NONPROD },
      how: 'for non-prod (aws:SourceAccount)',
      expected: 'Allowed',
      description: 'CodeBuild assumes the build role for a project of the non-prod account',
    },
    {
      principal: 'codeBuild',
      action: 'sts:AssumeRole',
      resource: 'nonprodBuildRole',
      context: { 'aws:SourceAccount': FOREIGN },
      how: 'for 333333333333 (aws:SourceAccount)',
      expected: 'ImplicitlyDenied',
      description: 'CodeBuild acting for another account assumes the build role',
    },
    {
      principal: 'cicdPipeline',
      action: 'sts:AssumeRole',
      resource: 'nonprodReadOnlyRole',
      expected: 'Allowed',
      description: 'A CICD-account role assumes the non-prod read-only role over TLS',
    },
    {
      principal: 'foreignAssumer',
      action: 'sts:AssumeRole',
      resource: 'nonprodReadOnlyRole',
      expected: 'ImplicitlyDenied',
      description: 'A foreign role assumes the read-only role: the trust policy names only the CICD account',
    },
    {
      principal: 'nonprodReadOnly',
      action: 'ec2:DescribeVpcs',
      resource: 'nonprodAnything',
      expected: 'Allowed',
      description: 'The read-only role discovers VPCs (ViewOnlyAccess)',
    },
    {
      principal: 'nonprodReadOnly',
      action: 'tag:GetResources',
      resource: 'nonprodAnything',
      expected: 'Allowed',
      description: 'The read-only role lists resources through the tagging API',
    },
    {
      principal: 'nonprodReadOnly',
      action: 's3:GetObject',
      resource: 'nonprodObject',
      expected: 'ExplicitlyDenied',
      description: 'The read-only role reads an S3 object of its account: its deny on data reads stops it',
    },
    {
      principal: 'nonprodReadOnly',
      action: 'secretsmanager:GetSecretValue',
      resource: 'nonprodSecret',
      expected: 'ExplicitlyDenied',
      description: 'The read-only role reads a secret value: denied',
    },
    {
      principal: 'nonprodReadOnly',
      action: 'ssm:GetParameter',
      resource: 'nonprodParameter',
      expected: 'ExplicitlyDenied',
      description: 'The read-only role reads a parameter value: denied',
    },
    {
      principal: 'nonprodReadOnly',
      action: 's3:GetObject',
      resource: 'artifact',
      expected: 'ExplicitlyDenied',
      description: 'The read-only role reads an artifact of the store, whose bucket policy admits its whole account: its own deny still stops it',
    },
    {
      principal: 'nonprodReadOnly',
      action: 'kms:Decrypt',
      resource: 'key',
      expected: 'ExplicitlyDenied',
      description: 'The read-only role decrypts with the store\'s key, whose key policy admits its whole account: its own deny still stops it',
    },
    {
      principal: 'nonprodReadOnly',
      action: 's3:PutObject',
      resource: 'nonprodObject',
      expected: 'ImplicitlyDenied',
      description: 'The read-only role writes an object: it is allowed no write',
    },
    {
      principal: 'nonprodReadOnly',
      action: 'iam:CreateRole',
      resource: 'nonprodAnything',
      expected: 'ImplicitlyDenied',
      description: 'The read-only role creates a role: it is allowed no write',
    },
    {
      principal: 'nonprodReadOnly',
      action: 'kms:ReEncryptFrom',
      resource: 'key',
      expected: 'ExplicitlyDenied',
      description: 'The read-only role re-encrypts the store\'s ciphertext under a key of its choosing (a decrypt by proxy): '
        + 'its explicit deny on data reads names kms:ReEncryptFrom',
    },
    {
      principal: 'nonprodPipeline',
      action: 's3:PutObject',
      resource: 'prodArtifact',
      context: SSE_STORE_KEY,
      how: 'SSE-KMS with the store\'s key',
      expected: 'ImplicitlyDenied',
      description: 'The non-prod cross-account role overwrites an artifact of the prod stage: targets read, the CICD account writes, '
        + 'so a target cannot change what a later stage deploys',
    },
    {
      principal: 'nonprodCloudFormation',
      action: 'iam:PutRolePolicy',
      resource: 'nonprodAppRole',
      expected: 'Allowed',
      description: 'The CloudFormation execution role manages the roles of the stacks it deploys',
    },
    {
      principal: 'nonprodCloudFormation',
      action: 'iam:DeleteRolePolicy',
      resource: 'nonprodReadOnlyRole',
      expected: 'ExplicitlyDenied',
      description: 'The CloudFormation execution role removes the read-only role\'s deny on data reads: every role named cicd-* belongs to the baseline',
    },
    {
      principal: 'nonprodCloudFormation',
      action: 'iam:UpdateAssumeRolePolicy',
      resource: 'nonprodPipelineRole',
      expected: 'ExplicitlyDenied',
      description: 'The CloudFormation execution role rewrites the cross-account role\'s trust policy',
    },
    {
      principal: 'nonprodCloudFormation',
      action: 'iam:AttachRolePolicy',
      resource: 'nonprodCloudFormationRole',
      expected: 'ExplicitlyDenied',
      description: 'The CloudFormation execution role attaches a policy to itself',
    },
  ],
  'role-ids': [
    ...pipelineRoleUsesStore('nonprodPipeline', 'The listed non-prod cross-account role (its unique ID in aws:userId)'),
    ...otherRoleRefused('nonprodAdmin', 'A non-prod role with AdministratorAccess', 'aws:userId'),
    {
      principal: 'nonprodAdmin',
      action: 's3:PutObject',
      resource: 'artifact',
      context: SSE_STORE_KEY,
      how: 'SSE-KMS with the store\'s key',
      expected: 'ImplicitlyDenied',
      description: 'The non-prod administrator plants an artifact for prod to deploy: not a listed role',
    },
    {
      principal: 'nonprodRecreated',
      action: 's3:GetObject',
      resource: 'artifact',
      expected: 'ImplicitlyDenied',
      description: 'Someone deleted and recreated the cross-account role under its name: the new unique ID is not listed, so it fails closed',
    },
    {
      principal: 'prodPipeline',
      action: 's3:GetObject',
      resource: 'artifact',
      expected: 'Allowed',
      description: 'The listed prod cross-account role reads an artifact',
    },
    {
      principal: 'foreignAdmin',
      action: 's3:GetObject',
      resource: 'artifact',
      expected: 'ImplicitlyDenied',
      description: 'A foreign role with s3:* on * reads an artifact',
    },
    {
      principal: 'nonprodPipeline',
      action: 's3:GetObject',
      resource: 'artifact',
      context: NO_TLS,
      how: 'without TLS',
      expected: 'ExplicitlyDenied',
      description: 'The listed role reads without TLS',
    },
  ],
  'role-arns': [
    ...pipelineRoleUsesStore('nonprodPipeline', 'The listed non-prod cross-account role (aws:PrincipalArn)'),
    ...otherRoleRefused('nonprodAdmin', 'A non-prod role with AdministratorAccess', 'aws:PrincipalArn'),
    {
      principal: 'nonprodBuild',
      action: 's3:GetObject',
      resource: 'artifact',
      expected: 'Allowed',
      description: 'The listed non-prod build role reads an artifact',
    },
    {
      principal: 'nonprodRecreated',
      action: 's3:GetObject',
      resource: 'artifact',
      expected: 'Allowed',
      description: 'The cross-account role deleted and recreated under its name keeps its access: the ARN is the same (the trade-off against role IDs)',
    },
    {
      principal: 'foreignAdmin',
      action: 's3:GetObject',
      resource: 'artifact',
      expected: 'ImplicitlyDenied',
      description: 'A foreign role of the same name, with s3:* on *, reads an artifact: its ARN names another account',
    },
    {
      principal: 'foreignAdmin',
      action: 'kms:Decrypt',
      resource: 'key',
      expected: 'ImplicitlyDenied',
      description: 'The same foreign role decrypts with the store\'s key',
    },
  ],
  'organization': [
    ...pipelineRoleUsesStore('nonprodPipeline', 'The non-prod cross-account role (aws:PrincipalOrgID and its name in aws:PrincipalArn)'),
    ...otherRoleRefused('nonprodAdmin', 'A non-prod role with AdministratorAccess', 'not a pipeline role name'),
    {
      principal: 'orgSandboxPipeline',
      action: 's3:GetObject',
      resource: 'artifact',
      expected: 'Allowed',
      description: 'A pipeline-named role of any organization account is admitted, listed or not: organization mode trusts the organization\'s accounts',
    },
    {
      principal: 'foreignAdmin',
      action: 's3:GetObject',
      resource: 'artifact',
      expected: 'ImplicitlyDenied',
      description: 'A role named cicd-cross-account in an account of another organization, with s3:* on *, reads an artifact: aws:PrincipalOrgID differs',
    },
    {
      principal: 'foreignAdmin',
      action: 'kms:Decrypt',
      resource: 'key',
      expected: 'ImplicitlyDenied',
      description: 'The same foreign role decrypts with the store\'s key',
    },
    {
      principal: 'anonymous',
      action: 's3:GetObject',
      resource: 'artifact',
      expected: 'ImplicitlyDenied',
      description: 'An unsigned request: the organization statement\'s Principal is "*", but its conditions need an organization member',
    },
    {
      principal: 'nonprodPipeline',
      action: 's3:GetObject',
      resource: 'artifact',
      context: NO_TLS,
      how: 'without TLS',
      expected: 'ExplicitlyDenied',
      description: 'The pipeline role reads without TLS',
    },
  ],
  'single': [
    {
      principal: 'mainPipeline',
      action: 's3:GetObject',
      resource: 'artifact',
      expected: 'Allowed',
      description: 'In one account the pipeline role reads an artifact through its own identity policy; the bucket policy has no cross-account statement',
    },
    {
      principal: 'mainPipeline',
      action: 's3:PutObject',
      resource: 'artifact',
      context: SSE_STORE_KEY,
      how: 'SSE-KMS with the store\'s key',
      expected: 'ImplicitlyDenied',
      description: 'The cross-account role uploads an artifact: its grant reads artifacts unless canWriteArtifacts is set',
    },
    {
      principal: 'mainPipeline',
      action: 'kms:Decrypt',
      resource: 'key',
      expected: 'Allowed',
      description: 'The pipeline role decrypts: the key policy lets the account\'s IAM policies decide',
    },
    {
      principal: 'mainPipeline',
      action: 's3:GetObject',
      resource: 'template',
      expected: 'Allowed',
      description: 'The pipeline role reads a template',
    },
    {
      principal: 'mainPipeline',
      action: 's3:PutObject',
      resource: 'template',
      context: SSE_STORE_KEY,
      how: 'SSE-KMS with the store\'s key',
      expected: 'ImplicitlyDenied',
      description: 'The pipeline role writes a template: its grant reads templates only',
    },
    {
      principal: 'mainPipeline',
      action: 's3:GetObject',
      resource: 'artifact',
      context: NO_TLS,
      how: 'without TLS',
      expected: 'ExplicitlyDenied',
      description: 'A read without TLS is denied in one account too',
    },
    {
      principal: 'foreignAdmin',
      action: 's3:GetObject',
      resource: 'artifact',
      expected: 'ImplicitlyDenied',
      description: 'A foreign role with s3:* on * reads an artifact',
    },
    {
      principal: 'cicdPipeline',
      action: 'sts:AssumeRole',
      resource: 'mainPipelineRole',
      expected: 'Allowed',
      description: 'The account\'s pipeline assumes the cross-account role of its own account',
    },
  ],
  'trusted-principals': [
    {
      principal: 'cicdPipeline',
      action: 'sts:AssumeRole',
      resource: 'nonprodPipelineRole',
      expected: 'Allowed',
      description: 'The CICD principal listed in trustedPrincipalArns assumes the cross-account role',
    },
    {
      principal: 'cicdDeveloper',
      action: 'sts:AssumeRole',
      resource: 'nonprodPipelineRole',
      expected: 'ImplicitlyDenied',
      description: 'Another CICD-account role, allowed by its own account to assume any role, is not listed (aws:PrincipalArn)',
    },
    {
      principal: 'cicdPipeline',
      action: 'sts:AssumeRole',
      resource: 'nonprodPipelineRole',
      context: NO_TLS,
      how: 'without TLS',
      expected: 'ImplicitlyDenied',
      description: 'The listed principal without TLS',
    },
  ],
};

/**
 * Groups of cases named by what they prove rather than by mode (ids are `GROUP/number`), so that
 * a group appended here does not renumber the cases of a mode.
 */
interface CaseGroup {
  readonly name: string;
  readonly mode: Mode;
  readonly cases: CaseInput[];
}

/** The store key named by its alias ARN, which names the CICD account. */
const STORE_KEY_ALIAS_ARN = `arn:aws:kms:${REGION}:${CICD}:${KEY_ALIAS}`;

/** Which encryption an upload names, and which key S3 would use. */
function uploadWith(how: string, context: Record<string, string>, expected: Decision, description: string): CaseInput {
  return { principal: 'nonprodPipeline', action: 's3:PutObject', resource: 'artifact', how, context, expected, description };
}

/** A service assumes a role with aws:SourceAccount absent, its own account, or another. */
function serviceTrust(principal: PrincipalKey, resource: ResourceKey, service: string, whenAbsent: Decision, why: string): CaseInput[] {
  return [
    {
      principal,
      action: 'sts:AssumeRole',
      resource,
      how: 'sending no aws:SourceAccount',
      expected: whenAbsent,
      description: `${service} assumes the role without sending aws:SourceAccount: ${why}`,
    },
    {
      principal,
      action: 'sts:AssumeRole',
      resource,
      context: { 'aws:SourceAccount': NONPROD },
      how: 'for non-prod (aws:SourceAccount)',
      expected: 'Allowed',
      description: `${service} assumes the role for a resource of the non-prod account`,
    },
    {
      principal,
      action: 'sts:AssumeRole',
      resource,
      context: { 'aws:SourceAccount': FOREIGN },
      how: 'for 333333333333 (aws:SourceAccount)',
      expected: 'ImplicitlyDenied',
      description: `${service} acting for another account assumes the role: refused (confused deputy)`,
    },
  ];
}

const GROUPS: CaseGroup[] = [
  {
    // What S3 does with each encryption header; the bucket policy must leave only the store's key.
    name: 'upload-encryption',
    // Non-prod's cross-account role writes artifacts only where it opted in.
    mode: 'opt-ins',
    cases: [
      uploadWith('no encryption header', {}, 'Allowed',
        'An upload that names no encryption: the bucket default (SSE-KMS with the store\'s key) applies'),
      uploadWith('`aws:kms` without a key ID', { 's3:x-amz-server-side-encryption': 'aws:kms' }, 'ExplicitlyDenied',
        'S3 would use the AWS managed aws/s3 key of the CICD account, which no target can use: denied (DenyUploadsWithTheAwsManagedKey)'),
      uploadWith('SSE-KMS with the store\'s key by ARN', SSE_STORE_KEY, 'Allowed', 'The store\'s key named by its ARN, as CodePipeline names it'),
      uploadWith('SSE-KMS with the store\'s key by alias ARN',
        { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': STORE_KEY_ALIAS_ARN }, 'Allowed',
        'The store\'s key named by its alias ARN, which names the CICD account: allowed'),
      uploadWith('SSE-KMS with the alias name only',
        { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': KEY_ALIAS }, 'ExplicitlyDenied',
        'A bare alias (or key ID) is resolved in the uploader\'s account, so it may name the uploader\'s own key: denied'),
      uploadWith('SSE-KMS with another key',
        { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': OTHER_KEY_ARN }, 'ExplicitlyDenied',
        'A key other than the store\'s: denied (DenyUploadsWithAnotherKey)'),
      uploadWith('SSE-S3 (AES256)', { 's3:x-amz-server-side-encryption': 'AES256' }, 'ExplicitlyDenied',
        'SSE-S3 instead of the store\'s key: denied (DenyUploadsNotEncryptedWithKms)'),
      uploadWith('DSSE-KMS with the store\'s key',
        { 's3:x-amz-server-side-encryption': 'aws:kms:dsse', 's3:x-amz-server-side-encryption-aws-kms-key-id': STORE_KEY_ARN }, 'ExplicitlyDenied',
        'Dual-layer encryption is not the store\'s SSE-KMS: denied (DenyUploadsNotEncryptedWithKms)'),
    ],
  },
  {
    // Each service principal of a trust policy, whether or not it sends aws:SourceAccount.
    name: 'service-trust',
    mode: 'account',
    cases: [
      ...serviceTrust('cloudFormation', 'nonprodCloudFormationRole', 'CloudFormation', 'Allowed',
        'its service-role page documents no condition key, so the trust checks it only if sent (StringEqualsIfExists)'),
      ...serviceTrust('codeBuild', 'nonprodBuildRole', 'CodeBuild', 'ImplicitlyDenied',
        'CodeBuild documents that it sends the key, so the trust requires it (StringEquals)'),
      ...serviceTrust('lambda', 'nonprodBuildRole', 'Lambda', 'Allowed',
        'its execution-role page documents no condition key, so the trust checks it only if sent (StringEqualsIfExists)'),
    ],
  },
  {
    // The store's ECR repository: the audience pulls, Lambda pulls for the targets' functions, only the CICD account pushes.
    name: 'container-images',
    mode: 'account',
    cases: [
      {
        principal: 'nonprodBuild',
        action: 'ecr:BatchGetImage',
        resource: 'imageRepository',
        expected: 'Allowed',
        description: 'The build role of an admitted target pulls an image: its grantPull and the repository policy both allow it',
      },
      {
        principal: 'nonprodCloudFormation',
        action: 'ecr:GetDownloadUrlForLayer',
        resource: 'imageRepository',
        expected: 'Allowed',
        description: 'The CloudFormation role reads the image of a Lambda function it creates, as Lambda requires of the caller',
      },
      {
        principal: 'foreignEcrAdmin',
        action: 'ecr:BatchGetImage',
        resource: 'imageRepository',
        expected: 'ImplicitlyDenied',
        description: 'An administrator of a foreign account pulls: the repository policy admits only the targets',
      },
      {
        principal: 'nonprodBuild',
        action: 'ecr:PutImage',
        resource: 'imageRepository',
        expected: 'ExplicitlyDenied',
        description: 'A target\'s build role pushes an image: denied to every principal outside the CICD account (DenyPushOutsideCicdAccount)',
      },
      {
        principal: 'nonprodAdmin',
        action: 'ecr:CompleteLayerUpload',
        resource: 'imageRepository',
        expected: 'ExplicitlyDenied',
        description: 'Even an administrator of an admitted target cannot push: the deny holds whatever its IAM policies allow',
      },
      {
        principal: 'nonprodAdmin',
        action: 'ecr:SetRepositoryPolicy',
        resource: 'imageRepository',
        expected: 'ExplicitlyDenied',
        description: 'Nor change the repository policy to let itself push',
      },
      {
        principal: 'cicdAdmin',
        action: 'ecr:PutImage',
        resource: 'imageRepository',
        expected: 'Allowed',
        description: 'A principal of the CICD account whose IAM policy allows it pushes: the CICD account owns the images',
      },
      {
        principal: 'lambda',
        action: 'ecr:BatchGetImage',
        resource: 'imageRepository',
        context: { 'aws:SourceArn': `arn:aws:lambda:${REGION}:${NONPROD}:function:sample-app` },
        how: 'for a non-prod function (aws:SourceArn)',
        expected: 'Allowed',
        description: 'Lambda pulls the image of a function of a target account (LambdaPullsForTargetFunctions)',
      },
      {
        principal: 'lambda',
        action: 'ecr:GetDownloadUrlForLayer',
        resource: 'imageRepository',
        context: { 'aws:SourceArn': `arn:aws:lambda:${REGION}:${FOREIGN}:function:sample-app` },
        how: 'for a function of 333333333333 (aws:SourceArn)',
        expected: 'ImplicitlyDenied',
        description: 'Lambda pulls for a function of a foreign account: refused (confused deputy)',
      },
      {
        principal: 'lambda',
        action: 'ecr:BatchGetImage',
        resource: 'imageRepository',
        how: 'without aws:SourceArn',
        expected: 'ImplicitlyDenied',
        description: 'Lambda pulls with no function named: refused',
      },
      {
        principal: 'lambda',
        action: 'ecr:PutImage',
        resource: 'imageRepository',
        context: { 'aws:SourceArn': `arn:aws:lambda:${REGION}:${NONPROD}:function:sample-app` },
        how: 'for a non-prod function (aws:SourceArn)',
        expected: 'ExplicitlyDenied',
        description: 'Lambda pushes for a target\'s function: never (only pulls are allowed, and pushes are denied outside the CICD account)',
      },
    ],
  },
  {
    // The repository policy narrows the pulls exactly as the bucket policies do.
    name: 'container-images-role-arns',
    mode: 'role-arns',
    cases: [
      {
        principal: 'nonprodBuild',
        action: 'ecr:BatchGetImage',
        resource: 'imageRepository',
        expected: 'Allowed',
        description: 'A pipeline role named in roleArns pulls',
      },
      {
        principal: 'nonprodAdmin',
        action: 'ecr:BatchGetImage',
        resource: 'imageRepository',
        expected: 'ImplicitlyDenied',
        description: 'Another role of the same target, administrator though it is, does not: the repository admits only the listed roles',
      },
    ],
  },
  {
    // CDK assets (CicdStackSynthesizer): the CICD account's publishing role writes them; each target's
    // deploy and CloudFormation roles read their own account's prefix, and nobody else's.
    name: 'cdk-assets',
    mode: 'account',
    cases: [
      {
        principal: 'cicdDeveloper',
        action: 'sts:AssumeRole',
        resource: 'assetPublishingRole',
        expected: 'Allowed',
        description: 'A principal of the CICD account (a developer running cdk deploy, CDK Pipelines\' asset step) assumes the publishing role',
      },
      {
        principal: 'nonprodAdmin',
        action: 'sts:AssumeRole',
        resource: 'assetPublishingRole',
        expected: 'ImplicitlyDenied',
        description: 'A target account cannot publish assets: the publishing role trusts the CICD account only',
      },
      {
        principal: 'assetPublisher',
        action: 's3:PutObject',
        resource: 'nonprodAsset',
        context: SSE_STORE_KEY,
        how: 'SSE-KMS with the store\'s key',
        expected: 'Allowed',
        description: 'The publishing role uploads an asset for non-prod, encrypted with the store\'s key (as cdk-assets does after reading the bucket\'s encryption)',
      },
      {
        principal: 'assetPublisher',
        action: 'kms:GenerateDataKey',
        resource: 'key',
        expected: 'Allowed',
        description: 'and encrypts with the store\'s key',
      },
      {
        principal: 'assetPublisher',
        action: 's3:DeleteObject',
        resource: 'nonprodAsset',
        expected: 'ImplicitlyDenied',
        description: 'The publishing role cannot delete an asset (old versions expire by lifecycle)',
      },
      {
        principal: 'assetPublisher',
        action: 's3:PutObject',
        resource: 'artifact',
        context: SSE_STORE_KEY,
        how: 'SSE-KMS with the store\'s key',
        expected: 'ImplicitlyDenied',
        description: 'nor write pipeline artifacts: it publishes assets and nothing else',
      },
      {
        principal: 'assetPublisher',
        action: 'sts:AssumeRole',
        resource: 'nonprodPipelineRole',
        expected: 'ImplicitlyDenied',
        description: 'nor deploy: it may not assume a target\'s cross-account role',
      },
      {
        principal: 'nonprodPipeline',
        action: 's3:GetObject',
        resource: 'nonprodAsset',
        expected: 'Allowed',
        description: 'The non-prod cross-account role reads its own account\'s asset: CloudFormation reads a TemplateURL with the caller\'s credentials',
      },
      {
        principal: 'nonprodCloudFormation',
        action: 's3:GetObject',
        resource: 'nonprodAsset',
        expected: 'Allowed',
        description: 'The non-prod CloudFormation role reads it: Lambda reads a function\'s code asset with the credentials of the caller of CreateFunction',
      },
      {
        principal: 'nonprodCloudFormation',
        action: 'kms:Decrypt',
        resource: 'key',
        expected: 'Allowed',
        description: 'and decrypts it with the store\'s key',
      },
      {
        principal: 'nonprodPipeline',
        action: 's3:GetObject',
        resource: 'prodAsset',
        expected: 'ImplicitlyDenied',
        description: 'The non-prod cross-account role reads a prod asset: its identity policy names its own prefix only',
      },
      {
        principal: 'nonprodAdmin',
        action: 's3:GetObject',
        resource: 'prodAsset',
        expected: 'ImplicitlyDenied',
        description: 'Even an administrator of non-prod reads no prod asset: the bucket policy admits each account to its own prefix (${aws:PrincipalAccount})',
      },
      {
        principal: 'nonprodAdmin',
        action: 's3:GetObject',
        resource: 'nonprodAsset',
        expected: 'Allowed',
        description: 'while the whole non-prod account (admitted as a target) reads its own prefix',
      },
      {
        principal: 'prodPipeline',
        action: 's3:GetObject',
        resource: 'prodAsset',
        expected: 'Allowed',
        description: 'The prod cross-account role reads its own asset',
      },
      {
        principal: 'nonprodAdmin',
        action: 's3:PutObject',
        resource: 'nonprodAsset',
        context: SSE_STORE_KEY,
        how: 'SSE-KMS with the store\'s key',
        expected: 'ImplicitlyDenied',
        description: 'No target writes assets, not even into its own prefix',
      },
      {
        principal: 'foreignAdmin',
        action: 's3:GetObject',
        resource: 'nonprodAsset',
        expected: 'ImplicitlyDenied',
        description: 'A foreign account reads no asset',
      },
      {
        principal: 'anonymous',
        action: 's3:GetObject',
        resource: 'nonprodAsset',
        expected: 'ImplicitlyDenied',
        description: 'Nor does an anonymous request',
      },
      {
        principal: 'nonprodPipeline',
        action: 'ssm:GetParameter',
        resource: 'nonprodBootstrapVersion',
        expected: 'Allowed',
        description: 'The cross-account role (the CDK deploy role) reads the bootstrap version, as the CDK CLI does before deploying',
      },
      {
        principal: 'nonprodReadOnly',
        action: 'ssm:GetParameter',
        resource: 'nonprodBootstrapVersion',
        expected: 'Allowed',
        description: 'The read-only role (the CDK lookup role) reads the bootstrap version: its deny on parameter values spares this one parameter',
      },
      {
        principal: 'nonprodReadOnly',
        action: 'ssm:GetParameter',
        resource: 'nonprodParameter',
        expected: 'ExplicitlyDenied',
        description: 'and no other parameter',
      },
      {
        principal: 'nonprodReadOnly',
        action: 'ssm:GetParametersByPath',
        resource: 'nonprodBootstrapVersion',
        expected: 'ExplicitlyDenied',
        description: 'nor reads it by path (GetParametersByPath stays denied everywhere)',
      },
    ],
  },
];

const WITH_BASELINE_BOUNDARY = { 'iam:PermissionsBoundary': SAMPLE_APP_BOUNDARY };
const WITH_OTHER_BOUNDARY = { 'iam:PermissionsBoundary': 'arn:aws:iam::aws:policy/AdministratorAccess' };
const PASS_TO_LAMBDA = { 'iam:PassedToService': 'lambda.amazonaws.com' };

/**
 * Containment (issue 13): a template deployed into a target cannot escape the baseline, and no
 * stage can tamper with the artifacts another deploys. Chains: the CloudFormation role creates a
 * role (refused without the baseline's boundary, allowed with it); the role so created, given
 * AdministratorAccess by its template, tries each forbidden action and is refused, and still
 * does ordinary work. Ids `containment/N`.
 */
const CONTAINMENT_CASES: Array<CaseInput & { readonly mode: Mode }> = [
  // The CloudFormation role creates roles only under the baseline's boundary.
  {
    mode: 'account',
    principal: 'nonprodCloudFormation',
    action: 'iam:CreateRole',
    resource: 'nonprodAppRole',
    how: 'without a permissions boundary',
    expected: 'ExplicitlyDenied',
    description: 'A template creates a role without the baseline\'s boundary (which could then be given any permission): refused',
  },
  {
    mode: 'account',
    principal: 'nonprodCloudFormation',
    action: 'iam:CreateRole',
    resource: 'nonprodAppRole',
    context: WITH_BASELINE_BOUNDARY,
    how: 'with the boundary the sample application\'s role carries',
    expected: 'Allowed',
    description: 'The sample application\'s role, as synthesized with iam.PermissionsBoundary.of(): it carries the baseline\'s boundary, so CloudFormation may create it',
  },
  {
    mode: 'account',
    principal: 'nonprodCloudFormation',
    action: 'iam:CreateRole',
    resource: 'nonprodAppRole',
    context: WITH_OTHER_BOUNDARY,
    how: 'with another boundary (AdministratorAccess)',
    expected: 'ExplicitlyDenied',
    description: 'A role under a boundary other than the baseline\'s: refused',
  },
  {
    mode: 'account',
    principal: 'nonprodCloudFormation',
    action: 'iam:PutRolePermissionsBoundary',
    resource: 'nonprodAppRole',
    context: WITH_OTHER_BOUNDARY,
    how: 'another boundary',
    expected: 'ExplicitlyDenied',
    description: 'The CloudFormation role replaces a role\'s boundary with a wider one: refused',
  },
  {
    mode: 'account',
    principal: 'nonprodCloudFormation',
    action: 'iam:DeleteRolePermissionsBoundary',
    resource: 'nonprodAppRole',
    expected: 'ExplicitlyDenied',
    description: 'The CloudFormation role removes the boundary of a role it created: refused',
  },
  {
    mode: 'account',
    principal: 'nonprodCloudFormation',
    action: 'iam:CreateUser',
    resource: 'nonprodAppUser',
    how: 'without a permissions boundary',
    expected: 'ExplicitlyDenied',
    description: 'The CloudFormation role creates a user without the boundary: refused',
  },
  {
    mode: 'account',
    principal: 'nonprodCloudFormation',
    action: 'iam:CreatePolicyVersion',
    resource: 'nonprodBoundary',
    expected: 'ExplicitlyDenied',
    description: 'The CloudFormation role rewrites the boundary it is held by (a new default version): refused',
  },
  {
    mode: 'account',
    principal: 'nonprodCloudFormation',
    action: 'iam:SetDefaultPolicyVersion',
    resource: 'nonprodBoundary',
    expected: 'ExplicitlyDenied',
    description: 'The CloudFormation role switches the boundary to another version: refused',
  },
  {
    mode: 'account',
    principal: 'nonprodCloudFormation',
    action: 'iam:PassRole',
    resource: 'nonprodBuildRole',
    context: PASS_TO_LAMBDA,
    how: 'to Lambda',
    expected: 'ExplicitlyDenied',
    description: 'A template runs a function as the build role (with its store access): the CloudFormation role may not pass the baseline\'s roles',
  },
  {
    mode: 'account',
    principal: 'nonprodCloudFormation',
    action: 'iam:PassRole',
    resource: 'nonprodPipelineRole',
    context: PASS_TO_LAMBDA,
    how: 'to Lambda',
    expected: 'ExplicitlyDenied',
    description: 'A template runs a function as the cross-account role: refused',
  },
  {
    mode: 'account',
    principal: 'nonprodCloudFormation',
    action: 'iam:UpdateAssumeRolePolicy',
    resource: 'nonprodBaselineRoleOnPath',
    expected: 'ExplicitlyDenied',
    description: 'A role named cicd-… under a path is the baseline\'s too: the denies cover every path',
  },
  {
    mode: 'account',
    principal: 'nonprodCloudFormation',
    action: 'iam:PassRole',
    resource: 'nonprodAppRole',
    context: PASS_TO_LAMBDA,
    how: 'to Lambda',
    expected: 'Allowed',
    description: 'The CloudFormation role passes an application\'s own role to its function: ordinary work',
  },
  // The role created under the boundary, given AdministratorAccess by its template.
  {
    mode: 'account',
    principal: 'nonprodCreatedRole',
    action: 'iam:UpdateAssumeRolePolicy',
    resource: 'nonprodPipelineRole',
    expected: 'ExplicitlyDenied',
    description: 'The created role rewrites the cross-account role\'s trust policy: its boundary refuses it',
  },
  {
    mode: 'account',
    principal: 'nonprodCreatedRole',
    action: 'iam:DeleteRolePolicy',
    resource: 'nonprodReadOnlyRole',
    expected: 'ExplicitlyDenied',
    description: 'The created role deletes the read-only role\'s DenyDataReads: refused',
  },
  {
    mode: 'account',
    principal: 'nonprodCreatedRole',
    action: 'iam:AttachRolePolicy',
    resource: 'nonprodCloudFormationRole',
    expected: 'ExplicitlyDenied',
    description: 'The created role attaches a policy to the CloudFormation role: refused',
  },
  {
    mode: 'account',
    principal: 'nonprodCreatedRole',
    action: 'iam:PassRole',
    resource: 'nonprodBuildRole',
    context: PASS_TO_LAMBDA,
    how: 'to Lambda',
    expected: 'ExplicitlyDenied',
    description: 'The created role passes the build role to a function: refused',
  },
  {
    mode: 'account',
    principal: 'nonprodCreatedRole',
    action: 'iam:PassRole',
    resource: 'nonprodCloudFormationRole',
    context: PASS_TO_CLOUDFORMATION,
    how: 'to CloudFormation',
    expected: 'ExplicitlyDenied',
    description: 'The created role deploys a stack of its own with the CloudFormation role: refused',
  },
  {
    mode: 'account',
    principal: 'nonprodCreatedRole',
    action: 'sts:AssumeRole',
    resource: 'nonprodCloudFormationRole',
    expected: 'ExplicitlyDenied',
    description: 'The created role assumes the CloudFormation role: refused by its boundary (and by the trust policy)',
  },
  {
    mode: 'account',
    principal: 'nonprodCreatedRole',
    action: 'iam:CreatePolicyVersion',
    resource: 'nonprodBoundary',
    expected: 'ExplicitlyDenied',
    description: 'The created role rewrites its own boundary: refused',
  },
  {
    mode: 'account',
    principal: 'nonprodCreatedRole',
    action: 'iam:DeletePolicy',
    resource: 'nonprodBoundary',
    expected: 'ExplicitlyDenied',
    description: 'The created role deletes the boundary: refused',
  },
  {
    mode: 'account',
    principal: 'nonprodCreatedRole',
    action: 'iam:TagPolicy',
    resource: 'nonprodBoundary',
    expected: 'ExplicitlyDenied',
    description: 'The created role tags the boundary (tags that conditions could test): refused',
  },
  {
    mode: 'account',
    principal: 'nonprodCreatedRole',
    action: 'iam:DeleteRolePermissionsBoundary',
    resource: 'nonprodAppRole',
    expected: 'ExplicitlyDenied',
    description: 'The created role removes its own boundary: refused',
  },
  {
    mode: 'account',
    principal: 'nonprodCreatedRole',
    action: 'iam:CreateRole',
    resource: 'nonprodAppRole',
    how: 'without a permissions boundary',
    expected: 'ExplicitlyDenied',
    description: 'The created role creates a role without the boundary: refused',
  },
  {
    mode: 'account',
    principal: 'nonprodCreatedRole',
    action: 'iam:CreateUser',
    resource: 'nonprodAppUser',
    how: 'without a permissions boundary',
    expected: 'ExplicitlyDenied',
    description: 'The created role creates a user without the boundary: refused',
  },
  {
    mode: 'account',
    principal: 'nonprodCreatedRole',
    action: 'iam:CreateRole',
    resource: 'nonprodAppRole',
    context: WITH_BASELINE_BOUNDARY,
    how: 'with the baseline\'s boundary',
    expected: 'Allowed',
    description: 'The created role creates a role under the same boundary: allowed, and held by the same rules',
  },
  {
    mode: 'account',
    principal: 'nonprodCreatedRole',
    action: 's3:PutObject',
    resource: 'nonprodObject',
    expected: 'Allowed',
    description: 'The created role writes an object of a non-prod bucket: the boundary still lets it do ordinary work',
  },
  {
    mode: 'account',
    principal: 'nonprodCreatedRole',
    action: 'lambda:InvokeFunction',
    resource: 'nonprodFunction',
    expected: 'Allowed',
    description: 'The created role invokes a function: ordinary work',
  },
  {
    mode: 'account',
    principal: 'nonprodCreatedRole',
    action: 'iam:PutRolePolicy',
    resource: 'nonprodAppRole',
    expected: 'Allowed',
    description: 'The created role changes the policy of an application role: ordinary work, outside the baseline',
  },
  {
    mode: 'account',
    principal: 'nonprodBuild',
    action: 'iam:PassRole',
    resource: 'nonprodCloudFormationRole',
    context: PASS_TO_CLOUDFORMATION,
    how: 'to CloudFormation',
    expected: 'ExplicitlyDenied',
    description: 'A build passes the CloudFormation role to deploy a stack of its own: the build role never passes the baseline\'s roles',
  },
  // Artifacts: the CICD account writes, targets read.
  {
    mode: 'account',
    principal: 'nonprodAdmin',
    action: 's3:PutObject',
    resource: 'prodArtifact',
    context: SSE_STORE_KEY,
    how: 'SSE-KMS with the store\'s key',
    expected: 'ImplicitlyDenied',
    description: 'A compromised non-prod administrator overwrites the artifact the prod stage deploys: the store admits no target writer by default',
  },
  {
    mode: 'account',
    principal: 'nonprodAdmin',
    action: 'kms:GenerateDataKey',
    resource: 'key',
    expected: 'ImplicitlyDenied',
    description: 'The same administrator encrypts with the store\'s key: targets only decrypt',
  },
  {
    mode: 'account',
    principal: 'nonprodCloudFormation',
    action: 's3:PutObject',
    resource: 'artifact',
    context: SSE_STORE_KEY,
    how: 'SSE-KMS with the store\'s key',
    expected: 'ImplicitlyDenied',
    description: 'The CloudFormation role writes an artifact: it reads artifacts and templates only',
  },
  {
    mode: 'account',
    principal: 'nonprodCloudFormation',
    action: 's3:GetObject',
    resource: 'template',
    expected: 'Allowed',
    description: 'The CloudFormation role reads a template',
  },
  {
    mode: 'account',
    principal: 'prodPipeline',
    action: 's3:GetObject',
    resource: 'prodArtifact',
    expected: 'Allowed',
    description: 'The prod cross-account role reads the artifact it deploys',
  },
  {
    mode: 'account',
    principal: 'prodPipeline',
    action: 'kms:Decrypt',
    resource: 'key',
    expected: 'Allowed',
    description: 'The prod cross-account role decrypts it',
  },
  // Opt-ins: non-prod writes artifacts; the read-only role has a custom name.
  {
    mode: 'opt-ins',
    principal: 'nonprodPipeline',
    action: 's3:PutObject',
    resource: 'artifact',
    context: SSE_STORE_KEY,
    how: 'SSE-KMS with the store\'s key',
    expected: 'Allowed',
    description: 'Non-prod opted in (canWriteArtifacts on the store\'s target and on its roles): its cross-account role writes an output artifact',
  },
  {
    mode: 'opt-ins',
    principal: 'nonprodPipeline',
    action: 'kms:GenerateDataKey',
    resource: 'key',
    expected: 'Allowed',
    description: 'And encrypts with the store\'s key, as S3 does for the upload',
  },
  {
    mode: 'opt-ins',
    principal: 'nonprodPipeline',
    action: 's3:PutObject',
    resource: 'artifact',
    how: 'no encryption header (bucket default)',
    expected: 'Allowed',
    description: 'A writer\'s upload that names no encryption is allowed: the bucket encrypts it with the store\'s key by default',
  },
  {
    mode: 'opt-ins',
    principal: 'nonprodAdmin',
    action: 's3:PutObject',
    resource: 'prodArtifact',
    context: SSE_STORE_KEY,
    how: 'SSE-KMS with the store\'s key',
    expected: 'ImplicitlyDenied',
    description: 'A non-prod administrator of a writer target: only the roles in artifactWriterRoleArns write',
  },
  {
    mode: 'opt-ins',
    principal: 'nonprodBuild',
    action: 's3:PutObject',
    resource: 'artifact',
    context: SSE_STORE_KEY,
    how: 'SSE-KMS with the store\'s key',
    expected: 'Allowed',
    description: 'Its build role writes build output',
  },
  {
    mode: 'opt-ins',
    principal: 'prodPipeline',
    action: 's3:PutObject',
    resource: 'prodArtifact',
    context: SSE_STORE_KEY,
    how: 'SSE-KMS with the store\'s key',
    expected: 'ImplicitlyDenied',
    description: 'Prod did not opt in: its cross-account role still only reads',
  },
  {
    mode: 'opt-ins',
    principal: 'prodPipeline',
    action: 's3:GetObject',
    resource: 'artifact',
    expected: 'Allowed',
    description: 'Prod reads the artifacts non-prod wrote',
  },
  {
    mode: 'opt-ins',
    principal: 'nonprodCloudFormation',
    action: 's3:PutObject',
    resource: 'artifact',
    context: SSE_STORE_KEY,
    how: 'SSE-KMS with the store\'s key',
    expected: 'ImplicitlyDenied',
    description: 'The CloudFormation role of a writer, whose PowerUserAccess allows s3:PutObject, still cannot write: it is not in artifactWriterRoleArns',
  },
  {
    mode: 'opt-ins',
    principal: 'nonprodCloudFormation',
    action: 'iam:DeleteRolePolicy',
    resource: 'nonprodCustomReadOnlyRole',
    expected: 'ExplicitlyDenied',
    description: `The read-only role named ${CUSTOM_READ_ONLY_ROLE_NAME} (listed in protectedRoleNames): the CloudFormation role may not remove its deny`,
  },
  {
    mode: 'opt-ins',
    principal: 'nonprodCreatedRole',
    action: 'iam:DeleteRolePolicy',
    resource: 'nonprodCustomReadOnlyRole',
    expected: 'ExplicitlyDenied',
    description: 'Nor may a role created under the boundary',
  },
  {
    mode: 'opt-ins',
    principal: 'nonprodCloudFormation',
    action: 'iam:PutRolePolicy',
    resource: 'nonprodAppRole',
    expected: 'Allowed',
    description: 'The CloudFormation role still manages the roles of the stacks it deploys',
  },
];

/** Every case, in table order: each mode's, then the groups appended after them. */
export const ACCESS_MATRIX_CASES: AccessCase[] = [
  ...MODES.flatMap((mode) => (CASES[mode] ?? []).map((c, i) => ({ id: `${mode}/${i + 1}`, mode, ...c }))),
  ...GROUPS.flatMap((g) => g.cases.map((c, i) => ({ id: `${g.name}/${i + 1}`, mode: g.mode, ...c }))),
  ...CONTAINMENT_CASES.map((c, i) => ({ ...c, id: `containment/${i + 1}` })),
];
