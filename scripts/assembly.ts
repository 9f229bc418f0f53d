/**
 * Synthesizes the reference app (examples/) in this process, with the same context keys the CDK
 * CLI would pass, into a cloud assembly directory that `cdk deploy --app <dir>` deploys.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Connection, describeStack, outputsOf } from './aws';
import { AccountName, Options, ROOT } from './options';
import { buildBaseline, PIPELINE_STACK, SAMPLE_APP_STACK, SETTINGS_STACK, STORE_STACK, targetStackName } from '../examples/baseline';
import { readConfig } from '../examples/config';

export type StackKind = 'store' | 'target' | 'settings' | 'pipeline' | 'sample-app';

export interface StackInfo {
  readonly name: string;
  readonly kind: StackKind;
  readonly account: string;
  readonly region: string;
  readonly template: any;
  /** Stacks this one imports from (same-account exports), which must be deployed first. */
  readonly dependsOn: string[];
}

export interface Assembly {
  readonly dir: string;
  /** The stacks the deploy command deploys, in deploy order (store first). */
  readonly stacks: StackInfo[];
  /** The target stacks' names by target name. */
  readonly targets: Record<string, string>;
}

export type RoleIds = Record<string, Record<string, string>>;

/** The reference app's CDK context for the options and the accounts they resolve to. */
export function appContext(options: Options, accounts: Record<AccountName, string>): Record<string, string> {
  const context: Record<string, string> = {
    region: options.region,
    layout: options.layout,
    narrowing: options.narrowing,
    cicdAccount: accounts.cicd,
    nonprodAccount: accounts.nonprod,
    prodAccount: accounts.prod,
  };
  if (options.imageRepositories) context.imageRepositories = options.imageRepositories;
  if (options.cdkAssets) context.cdkAssets = 'true';
  if (options.packages) context.packages = 'true';
  if (options.regions) context.regions = options.regions;
  return context;
}

/** Synthesizes the reference app with the options' context (and role IDs, if given). */
export function synthesize(options: Options, accounts: Record<AccountName, string>, roleIds?: RoleIds, label = 'baseline'): Assembly {
  const dir = path.join(ROOT, 'cdk.out', label);
  fs.rmSync(dir, { recursive: true, force: true });
  const context = appContext(options, accounts);
  if (roleIds && Object.keys(roleIds).length > 0) context.roleIds = JSON.stringify(roleIds);
  const app = new App({ outdir: dir, context });
  // The environment is not consulted: everything comes from the options.
  const config = readConfig((key) => app.node.tryGetContext(key), {});
  buildBaseline(app, config);
  const asm = app.synth();
  const kindOf = (name: string): StackKind => {
    if (name === STORE_STACK || name.startsWith(`${STORE_STACK}-`)) return 'store';
    if (name === SETTINGS_STACK) return 'settings';
    if (name === PIPELINE_STACK) return 'pipeline';
    if (name === SAMPLE_APP_STACK) return 'sample-app';
    return 'target';
  };
  const stacks = asm.stacks.map((s) => ({
    name: s.stackName,
    kind: kindOf(s.stackName),
    account: s.environment.account,
    region: s.environment.region,
    template: s.template,
    dependsOn: s.dependencies.map((d) => d.id).filter((id) => asm.stacks.some((x) => x.id === id)),
  }));
  const order: StackKind[] = ['store', 'target', 'settings', 'pipeline', 'sample-app'];
  stacks.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  const targets = Object.fromEntries(config.targets.map((t) => [t.name, targetStackName(t.name)]));
  return { dir, stacks, targets };
}

/**
 * The role unique IDs a target stack outputs, as the `roleIds` context wants them:
 * `{ crossAccountRoleId, cloudFormationRoleId, buildRoleId, readOnlyRoleId }`. Any output whose
 * logical ID contains `<Kind>RoleId` (or `ReadOnly…Id`) and whose value is a role unique ID counts,
 * so roles added to the target stacks are picked up without a change here.
 */
export function roleIdsFromOutputs(outputs: Record<string, string>): Record<string, string> {
  const ids: Record<string, string> = {};
  const kinds: Array<[RegExp, string]> = [
    [/CrossAccountRoleId/, 'crossAccountRoleId'],
    [/CloudFormationRoleId/, 'cloudFormationRoleId'],
    [/BuildRoleId/, 'buildRoleId'],
    [/ReadOnly\w*Id/, 'readOnlyRoleId'],
  ];
  for (const [key, value] of Object.entries(outputs)) {
    if (!/^AROA[A-Z0-9]{16,124}$/.test(value)) continue;
    const kind = kinds.find(([re]) => re.test(key));
    if (kind) ids[kind[1]] = value;
  }
  return ids;
}

/** Reads the role IDs of the deployed target stacks (for read-back and destroy of a role-ids deploy). */
export async function deployedRoleIds(asm: Assembly, conns: Map<string, Connection>): Promise<RoleIds> {
  const result: RoleIds = {};
  for (const [target, stackName] of Object.entries(asm.targets)) {
    const info = asm.stacks.find((s) => s.name === stackName)!;
    const stack = await describeStack(conns.get(info.account)!, stackName);
    const ids = roleIdsFromOutputs(outputsOf(stack));
    if (Object.keys(ids).length > 0) result[target] = ids;
  }
  return result;
}
