/**
 * Deploys the reference baseline account by account, in order:
 *
 *   narrowing account | role-arns:  store (CICD) → target roles (each target) → settings (CICD) → sample pipeline (CICD)
 *   narrowing role-ids:             target roles → [read their unique IDs] → store → settings → sample pipeline
 *
 * Each stack is deployed with the credentials of its own account (CliCredentialsStackSynthesizer):
 * by default into the local emulator (started and stopped here), or with one named profile per
 * account on AWS. Idempotent: a second run changes nothing and says so. Prints what it deployed
 * where, then (in the emulator) reads back what exists and compares it with the templates.
 *
 *   npx projen deploy [--layout single] [--narrowing role-ids] [--cicd-profile P --nonprod-profile P --prod-profile P]
 */
import { Assembly, RoleIds, roleIdsFromOutputs, StackInfo, synthesize } from './assembly';
import { cdk, Connection, connectionFor, connections, describeStack, outputsOf, resolveAccounts } from './aws';
import { Emulator, emulatorPlan } from './emulator';
import { Options, parseOptions, runMain } from './options';
import { printReadBack, readBack } from './readback';
import { parameterArgs, sampleAppDeploys } from './sample-app';
import { seconds, table } from './table';
import { withTarget } from './target';

type Change = 'created' | 'updated' | 'no changes' | 'skipped' | 'failed';

interface Deployed {
  readonly stack: StackInfo;
  readonly change: Change;
  readonly status: string;
  readonly outputs: Record<string, string>;
  readonly note?: string;
}

async function bootstrap(c: Connection, allowed: boolean): Promise<void> {
  if (await describeStack(c, 'CDKToolkit')) return;
  if (!allowed) throw new Error(`account ${c.account} in ${c.region} is not bootstrapped (no CDKToolkit stack) and --no-bootstrap was given`);
  const started = Date.now();
  const res = await cdk(['bootstrap', `aws://${c.account}/${c.region}`], c, `bootstrap-${c.account}`);
  if (res.code !== 0) throw new Error(`cdk bootstrap of ${c.account} failed:\n${res.output}`);
  console.log(`  bootstrapped ${c.account}/${c.region} (${seconds(started)})`);
}

async function deployStack(asm: Assembly, stack: StackInfo, c: Connection, extraArgs: string[] = []): Promise<Deployed> {
  const started = Date.now();
  const before = await describeStack(c, stack.name);
  const log = `deploy-${stack.name}${stack.account === c.account ? '' : `-${c.account}`}`;
  const res = await cdk(['deploy', stack.name, '--app', asm.dir, '--exclusively', '--require-approval', 'never', ...extraArgs], c, log);
  if (res.code !== 0) {
    throw new Error(`cdk deploy ${stack.name} (account ${c.account}) failed:\n${res.output.split('\n').slice(-40).join('\n')}`);
  }
  const after = await describeStack(c, stack.name);
  const change: Change = /\(no changes\)/.test(res.output) ? 'no changes' : before ? 'updated' : 'created';
  console.log(`  ${stack.name} → ${c.account}/${c.region}: ${change} (${seconds(started)})`);
  return { stack, change, status: after?.StackStatus ?? 'unknown', outputs: outputsOf(after) };
}

/** The outputs worth showing: not the cross-stack exports, without the logical ID's hash. */
function keyOutputs(outputs: Record<string, string>): string {
  return Object.entries(outputs)
    .filter(([k]) => !k.startsWith('ExportsOutput'))
    .map(([k, v]) => `${k.replace(/[0-9A-F]{8}$/, '')} = ${v}`)
    .join('\n');
}

export interface DeployResult {
  readonly deployed: Deployed[];
  readonly changed: number;
  readonly mismatches: number;
}

/** Deploys with an emulator already running (or on AWS when `emulator` is undefined). */
export async function deploy(options: Options, emulator?: Emulator): Promise<DeployResult> {
  const accounts = await resolveAccounts(options);
  const conns = connections(options, accounts, emulator?.endpoint);
  const conn = (s: StackInfo) => connectionFor(conns, s);
  const where = emulator ? `the emulator (${emulator.endpoint})` : 'AWS';
  console.log(`Deploying the ${options.layout} baseline (narrowing: ${options.narrowing}) to ${where}, region ${options.region}`);

  let started = Date.now();
  let asm = synthesize(options, accounts);
  console.log(`  synthesized ${asm.stacks.length} stacks (${seconds(started)})`);
  // A stack the emulator cannot take fails here, before anything is deployed.
  if (emulator) for (const s of asm.stacks.filter((x) => x.kind !== 'pipeline' && x.kind !== 'sample-app')) emulatorPlan(s, emulator.resourceTypes, false);
  // Every account, in every region a stack of it names (a store of another region, `--regions`).
  const environments = new Map([...conns.values()].map((c) => [`${c.account}/${c.region}`, c]));
  for (const s of asm.stacks.filter((x) => conns.has(x.account))) environments.set(`${s.account}/${conn(s).region}`, conn(s));
  for (const c of environments.values()) await bootstrap(c, options.bootstrap);

  const deployed: Deployed[] = [];
  const byKind = (a: Assembly, kind: StackInfo['kind']) => a.stacks.filter((s) => s.kind === kind);
  if (options.narrowing === 'role-ids') {
    // The roles first; their unique IDs exist only once they are deployed. Where a target stack
    // imports from the store (single-account layout), the store goes first, admitting the
    // roles by ARN, and is narrowed to their IDs right after.
    const store = byKind(asm, 'store');
    if (byKind(asm, 'target').some((t) => store.some((s) => t.dependsOn.includes(s.name)))) {
      for (const s of store) deployed.push(await deployStack(asm, s, conn(s)));
    }
    const roleIds: RoleIds = {};
    for (const [target, stackName] of Object.entries(asm.targets)) {
      const d = await deployStack(asm, asm.stacks.find((s) => s.name === stackName)!, conn(asm.stacks.find((s) => s.name === stackName)!));
      deployed.push(d);
      roleIds[target] = roleIdsFromOutputs(d.outputs);
      if (Object.keys(roleIds[target]).length === 0) throw new Error(`${stackName} outputs no role unique IDs`);
    }
    started = Date.now();
    asm = synthesize(options, accounts, roleIds);
    console.log(`  read the role IDs of ${Object.keys(roleIds).join(', ')}; synthesized the store and settings narrowed to them (${seconds(started)})`);
    for (const s of byKind(asm, 'store')) {
      const d = await deployStack(asm, s, conn(s));
      const first = deployed.findIndex((x) => x.stack.name === s.name);
      // Deployed twice: one row, changed if either deploy changed it.
      if (first >= 0) deployed[first] = { ...d, change: deployed[first].change !== 'no changes' ? deployed[first].change : d.change };
      else deployed.push(d);
    }
  } else {
    for (const s of [...byKind(asm, 'store'), ...byKind(asm, 'target')]) deployed.push(await deployStack(asm, s, conn(s)));
  }
  for (const s of byKind(asm, 'settings')) deployed.push(await deployStack(asm, s, conn(s)));

  const pipeline = options.pipeline ?? true;
  for (const s of byKind(asm, 'pipeline')) {
    const plan = emulator ? emulatorPlan(s, emulator.resourceTypes, options.pipeline === true) : { skip: false as const };
    if (!pipeline) {
      deployed.push({ stack: s, change: 'skipped', status: '-', outputs: {}, note: '--no-pipeline' });
    } else if (plan.skip) {
      console.log(`  ${s.name}: skipped, the emulator lacks ${plan.lacking.join(', ')}`);
      deployed.push({ stack: s, change: 'skipped', status: '-', outputs: {}, note: `emulator lacks ${plan.lacking.join(', ')}` });
    } else {
      deployed.push(await deployStack(asm, s, conn(s)));
    }
  }
  const pipelineDeployed = deployed.some((d) => d.stack.kind === 'pipeline' && d.change !== 'skipped');
  for (const s of byKind(asm, 'sample-app')) {
    if (options.sampleApp && emulator && !pipelineDeployed) {
      // As the pipeline would: into each of its targets, with its parameter overrides.
      for (const d of sampleAppDeploys(byKind(asm, 'pipeline')[0].template)) {
        const c = conns.get(d.account);
        if (!c) throw new Error(`no credentials for account ${d.account}, which the sample pipeline deploys to`);
        const done = await deployStack(asm, { ...s, account: d.account, region: c.region }, c, parameterArgs(s.name, d.parameters));
        deployed.push({ ...done, note: `as the pipeline's ${d.stage} would${Object.keys(d.parameters).length ? `, ${Object.entries(d.parameters).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''}` });
      }
    } else {
      deployed.push({ stack: s, change: 'skipped', status: '-', outputs: {}, note: 'deployed by the sample pipeline only' });
    }
  }

  // The read-back first, so that the table of what was deployed where ends the output.
  let mismatches = 0;
  if (options.readback ?? emulator !== undefined) {
    started = Date.now();
    const present = deployed.filter((d) => d.change !== 'skipped').map((d) => d.stack);
    const rows = await readBack(present, conns, emulator !== undefined);
    mismatches = printReadBack(rows, emulator !== undefined);
    console.log(`Read-back took ${seconds(started)}`);
  }
  console.log(`\nDeployed to ${where}:\n`);
  console.log(table(
    ['stack', 'account', 'region', 'status', 'change', 'key outputs'],
    deployed.map((d) => [
      d.stack.name, d.stack.account, d.stack.region, d.status, d.note ? `${d.change} (${d.note})` : d.change, keyOutputs(d.outputs),
    ]),
  ));
  const changed = deployed.filter((d) => d.change === 'created' || d.change === 'updated').length;
  console.log(changed === 0
    ? '\nNo changes: every stack was already up to date.'
    : `\n${changed} stack(s) created or updated.`);

  return { deployed, changed, mismatches };
}

export async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  const started = Date.now();
  const result = await withTarget(options, (emulator) => deploy(options, emulator));
  console.log(`Total: ${seconds(started)}`);
  if (result.mismatches > 0) {
    console.error(`FAILED: ${result.mismatches} property(ies) differ from the templates`);
    return 1;
  }
  if (options.expectNoChanges && result.changed > 0) {
    console.error(`FAILED: --expect-no-changes, but ${result.changed} stack(s) changed`);
    return 1;
  }
  return 0;
}

runMain(module, main);
