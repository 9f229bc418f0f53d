/**
 * The accounts and options of the reference app, read from CDK context (`-c key=value`)
 * or environment variables, with the seed's three-account layout as the default.
 */
export interface Account {
  readonly name: string;
  readonly accountId: string;
}

export type Narrowing = 'account' | 'role-ids' | 'role-arns';

export interface BaselineConfig {
  /** The CICD account, home of the artifact store, the settings and the pipelines. */
  readonly cicd: Account;
  /** The accounts pipelines deploy into, in deploy order. */
  readonly targets: Account[];
  readonly region: string;
  /** How the store's policies admit the targets. */
  readonly narrowing: Narrowing;
  /** Unique IDs of the deployed target roles, by target name then role kind (fed by the deploy command). */
  readonly roleIds: Record<string, Record<string, string>>;
  /**
   * The AWS Organization of the accounts: when given, the store admits the pipeline roles of
   * any account of the organization instead of listing the target accounts.
   */
  readonly organizationId?: string;
  /**
   * The targets whose cross-account actions write artifacts (`canWriteArtifacts` on both the
   * store and their roles); by default none: the CICD account writes, targets read.
   */
  readonly artifactWriters: string[];
  /** The read-only role's name, when not the default `cicd-read-only`. */
  readonly readOnlyRoleName?: string;
  /** Whether to build the target accounts' stacks too (`all`), or the CICD account's only (`cicd`, for measuring). */
  readonly stacks: 'all' | 'cicd';
  /**
   * The store's ECR repositories for container images (`imageRepositories=a,b`); none by
   * default, so the default layout needs no container registry.
   */
  readonly imageRepositories: string[];
  /**
   * Whether the baseline serves CDK apps (`cdkAssets=true`): the store's central assets bucket
   * and publishing role, and CDK bootstrap compatibility in the target accounts, for stacks
   * synthesized with `CicdStackSynthesizer` (`cdk deploy`, CDK Pipelines).
   */
  readonly cdkAssets: boolean;
}

type Lookup = (key: string) => string | undefined;

const ACCOUNT = /^\d{12}$/;
const ORGANIZATION = /^o-[a-z0-9]{10,32}$/;

/**
 * Reads the configuration. `layout=single` puts the store, the roles and the pipeline in one
 * account; otherwise the seed's layout: CICD 111111111111, nonprod 222222222222, prod 777777777777.
 * `organizationId=o-…` admits the pipeline roles of the organization's accounts instead of
 * listing the target accounts. `artifactWriters=nonprod,…` lets those targets write artifacts;
 * `readOnlyRoleName=…` names the read-only role (the pipeline roles then protect it by name).
 * `targetCount=N` adds generated targets after non-prod and prod,
 * up to N, and `stacks=cicd` leaves out the target accounts' stacks (both for the benchmark).
 */
export function readConfig(context: Lookup, env: NodeJS.ProcessEnv = process.env): BaselineConfig {
  const get = (key: string, envName: string, fallback: string) => context(key) ?? env[envName] ?? fallback;
  const region = get('region', 'CICD_REGION', 'eu-west-1');
  const layout = get('layout', 'CICD_LAYOUT', 'three-account');
  const cicd = get('cicdAccount', 'CICD_ACCOUNT', '111111111111');
  const narrowing = get('narrowing', 'CICD_NARROWING', 'account') as Narrowing;
  if (!['account', 'role-ids', 'role-arns'].includes(narrowing)) {
    throw new Error(`narrowing: got ${JSON.stringify(narrowing)}; allowed: "account", "role-ids" or "role-arns"`);
  }
  if (!['three-account', 'single'].includes(layout)) {
    throw new Error(`layout: got ${JSON.stringify(layout)}; allowed: "three-account" or "single"`);
  }
  const targets: Account[] = layout === 'single'
    ? [{ name: 'main', accountId: cicd }]
    : [
      { name: 'nonprod', accountId: get('nonprodAccount', 'NONPROD_ACCOUNT', '222222222222') },
      { name: 'prod', accountId: get('prodAccount', 'PROD_ACCOUNT', '777777777777') },
    ];
  const count = get('targetCount', 'CICD_TARGET_COUNT', String(targets.length));
  if (!/^\d+$/.test(count) || Number(count) < targets.length || Number(count) > 5000 || (layout === 'single' && Number(count) !== 1)) {
    throw new Error(`targetCount: got ${JSON.stringify(count)}; allowed: a number of target accounts from ${targets.length} to 5000 (three-account layout only)`);
  }
  // More targets, for measuring scale: target-3 in 300000000003, and so on.
  for (let i = targets.length + 1; i <= Number(count); i++) {
    targets.push({ name: `target-${i}`, accountId: String(300000000000 + i) });
  }
  for (const account of [{ name: 'cicd', accountId: cicd }, ...targets]) {
    if (!ACCOUNT.test(account.accountId)) {
      throw new Error(`${account.name}Account: got ${JSON.stringify(account.accountId)}; allowed: a 12-digit AWS account ID`);
    }
  }
  const rawIds = context('roleIds') ?? env.CICD_ROLE_IDS;
  const roleIds = rawIds ? JSON.parse(rawIds) as Record<string, Record<string, string>> : {};
  const organizationId = context('organizationId') ?? env.CICD_ORGANIZATION_ID;
  if (organizationId !== undefined && !ORGANIZATION.test(organizationId)) {
    throw new Error(`organizationId: got ${JSON.stringify(organizationId)}; allowed: an AWS Organizations ID such as "o-a1b2c3d4e5"`);
  }
  if (organizationId !== undefined && narrowing !== 'account') {
    throw new Error(`narrowing: got ${JSON.stringify(narrowing)} with organizationId; allowed: "account" (the organization admits the pipeline roles by name)`);
  }
  const writers = context('artifactWriters') ?? env.CICD_ARTIFACT_WRITERS;
  const artifactWriters = writers ? writers.split(',').map((w) => w.trim()).filter(Boolean) : [];
  for (const writer of artifactWriters) {
    if (!targets.some((t) => t.name === writer)) {
      throw new Error(`artifactWriters: got ${JSON.stringify(writer)}; allowed: target names (${targets.map((t) => t.name).join(', ')}), separated by commas`);
    }
  }
  const readOnlyRoleName = context('readOnlyRoleName') ?? env.CICD_READ_ONLY_ROLE_NAME;
  const stacks = get('stacks', 'CICD_STACKS', 'all');
  if (stacks !== 'all' && stacks !== 'cicd') {
    throw new Error(`stacks: got ${JSON.stringify(stacks)}; allowed: "all" or "cicd" (the CICD account's stacks only)`);
  }
  const imageRepositories = (context('imageRepositories') ?? env.CICD_IMAGE_REPOSITORIES ?? '').split(',').map((n) => n.trim()).filter(Boolean);
  const cdkAssets = get('cdkAssets', 'CICD_CDK_ASSETS', 'false');
  if (cdkAssets !== 'true' && cdkAssets !== 'false') {
    throw new Error(`cdkAssets: got ${JSON.stringify(cdkAssets)}; allowed: "true" or "false"`);
  }
  return {
    cicd: { name: 'cicd', accountId: cicd },
    targets,
    region,
    narrowing,
    roleIds,
    organizationId,
    artifactWriters,
    readOnlyRoleName,
    stacks,
    imageRepositories,
    cdkAssets: cdkAssets === 'true',
  };
}
