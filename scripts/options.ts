/**
 * Command-line options shared by the deploy, read-back and destroy commands.
 *
 * With no profile the commands work against the local emulator; with `--cicd-profile` (and, in
 * the three-account layout, `--nonprod-profile` and `--prod-profile`) they work against real
 * AWS, one named profile per account.
 */
import * as path from 'path';
import { Narrowing } from '../examples/config';

export type Layout = 'three-account' | 'single';

/** The account roles of the reference layout; each has an account ID and, for AWS, a profile. */
export const ACCOUNT_NAMES = ['cicd', 'nonprod', 'prod'] as const;
export type AccountName = typeof ACCOUNT_NAMES[number];

export interface Options {
  readonly layout: Layout;
  readonly narrowing: Narrowing;
  readonly region: string;
  /** Account IDs given on the command line, by account name. */
  readonly accounts: Partial<Record<AccountName, string>>;
  /** Named profiles, by account name; any profile switches to real AWS. */
  readonly profiles: Partial<Record<AccountName, string>>;
  /** Where the emulator keeps its state between runs. */
  readonly stateDir: string;
  /** Start the emulator with empty state. */
  readonly fresh: boolean;
  readonly port?: number;
  /** Fail when any stack changed (the idempotency check). */
  readonly expectNoChanges: boolean;
  /** Read back and compare after deploying; on by default for the emulator. */
  readonly readback?: boolean;
  /** Deploy the sample pipeline; by default yes on AWS, and in the emulator if it supports CodePipeline. */
  readonly pipeline?: boolean;
  /** Bootstrap accounts that have no CDKToolkit stack. */
  readonly bootstrap: boolean;
  /** The store's ECR repositories (`--image-repositories a,b`), passed to the reference app as `imageRepositories`. */
  readonly imageRepositories?: string;
  /**
   * Where the sample pipeline cannot be deployed (the emulator has no CodePipeline), deploy the
   * sample application into the pipeline's targets directly, as the pipeline would (`--sample-app`).
   */
  readonly sampleApp?: boolean;
  /** The store's central bucket for CDK assets and its publishing role (`--cdk-assets`), passed to the reference app as `cdkAssets`. */
  readonly cdkAssets: boolean;
  /** Every region the store serves (`--regions eu-west-1,us-east-1`), passed to the reference app as `regions`: a store stack in each other region. */
  readonly regions?: string;
  /** A CodeArtifact domain and repository in the store (`--packages`), passed to the reference app as `packages=true`. */
  readonly packages?: boolean;
}

export const ROOT = path.resolve(__dirname, '..');
export const EMULATOR_DIR = path.join(ROOT, '.emulator');

const USAGE = `Options:
  --layout three-account|single      accounts of the reference app (default three-account)
  --narrowing account|role-ids|role-arns
                                     how the store admits the targets (default account)
  --region REGION                    default eu-west-1
  --cicd-account ID --nonprod-account ID --prod-account ID
                                     account IDs (default 111111111111, 222222222222, 777777777777;
                                     with profiles, read from each profile and checked against these)
  --cicd-profile P --nonprod-profile P --prod-profile P
                                     deploy to real AWS with one named profile per account
  --state-dir DIR                    emulator state (default .emulator/state)
  --fresh                            start the emulator with empty state
  --port N                           emulator port (default: a free port)
  --expect-no-changes                fail if any stack changed
  --readback | --no-readback         compare what was deployed with the templates (default: on in the emulator)
  --pipeline | --no-pipeline         deploy the sample pipeline (default: on for AWS; in the emulator only if supported)
  --no-bootstrap                     do not bootstrap accounts that lack the CDKToolkit stack
  --image-repositories A,B           ECR repositories for container images in the store (default none)
  --sample-app                       where the pipeline is skipped (emulator), deploy the sample app into its
                                     targets directly, with the pipeline's parameters (default: no)
  --cdk-assets                       the store's central bucket for CDK assets and its publishing role,
                                     for apps synthesized with CicdStackSynthesizer (default off)
  --regions R1,R2                    every region the store serves, --region first: a store stack (with its
                                     settings) in each other region of the CICD account (default --region only)
  --packages                         a CodeArtifact domain and repository in the store (default none; the emulator has no CodeArtifact)`;

/** Parses `argv`; exits with the usage on `--help`, throws on anything unknown. */
export function parseOptions(argv: string[]): Options {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const valued = [
    'layout', 'narrowing', 'region', 'state-dir', 'port', 'image-repositories', 'regions',
    ...ACCOUNT_NAMES.map((a) => `${a}-account`), ...ACCOUNT_NAMES.map((a) => `${a}-profile`),
  ];
  const booleans = ['fresh', 'expect-no-changes', 'readback', 'no-readback', 'pipeline', 'no-pipeline', 'no-bootstrap', 'sample-app', 'cdk-assets', 'packages', 'help'];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unexpected argument ${JSON.stringify(arg)}\n${USAGE}`);
    const [, name, inline] = m;
    if (valued.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
      values.set(name, value);
    } else if (booleans.includes(name) && inline === undefined) {
      flags.add(name);
    } else {
      throw new Error(`unknown option --${name}\n${USAGE}`);
    }
  }
  if (flags.has('help')) {
    console.log(USAGE);
    process.exit(0);
  }
  const layout = (values.get('layout') ?? 'three-account') as Layout;
  if (!['three-account', 'single'].includes(layout)) throw new Error(`--layout: got ${JSON.stringify(layout)}; allowed: three-account or single`);
  const narrowing = (values.get('narrowing') ?? 'account') as Narrowing;
  if (!['account', 'role-ids', 'role-arns'].includes(narrowing)) {
    throw new Error(`--narrowing: got ${JSON.stringify(narrowing)}; allowed: account, role-ids or role-arns`);
  }
  const accounts: Partial<Record<AccountName, string>> = {};
  const profiles: Partial<Record<AccountName, string>> = {};
  for (const a of ACCOUNT_NAMES) {
    const id = values.get(`${a}-account`);
    if (id !== undefined) {
      if (!/^\d{12}$/.test(id)) throw new Error(`--${a}-account: got ${JSON.stringify(id)}; allowed: a 12-digit account ID`);
      accounts[a] = id;
    }
    const profile = values.get(`${a}-profile`);
    if (profile !== undefined) profiles[a] = profile;
  }
  const port = values.has('port') ? Number(values.get('port')) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new Error(`--port: got ${values.get('port')}`);
  const tri = (on: string, off: string) => (flags.has(on) ? true : flags.has(off) ? false : undefined);
  return {
    layout,
    narrowing,
    region: values.get('region') ?? 'eu-west-1',
    accounts,
    profiles,
    stateDir: path.resolve(values.get('state-dir') ?? path.join(EMULATOR_DIR, 'state')),
    fresh: flags.has('fresh'),
    port,
    expectNoChanges: flags.has('expect-no-changes'),
    readback: tri('readback', 'no-readback'),
    pipeline: tri('pipeline', 'no-pipeline'),
    bootstrap: !flags.has('no-bootstrap'),
    imageRepositories: values.get('image-repositories'),
    regions: values.get('regions'),
    sampleApp: flags.has('sample-app'),
    cdkAssets: flags.has('cdk-assets'),
    packages: flags.has('packages') || undefined,
  };
}

/** The account names the layout uses. */
export function accountNames(layout: Layout): AccountName[] {
  return layout === 'single' ? ['cicd'] : [...ACCOUNT_NAMES];
}

/** Whether the options select real AWS (any profile given). */
export function isAws(options: Options): boolean {
  return Object.keys(options.profiles).length > 0;
}

/** Runs a command's `main` when its file is run directly, exiting with its code, or 1 on an error. */
export function runMain(mod: NodeJS.Module, main: (args: string[]) => Promise<number>): void {
  if (require.main !== mod) {
    return;
  }
  main(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
    console.error(`FAILED: ${(e as Error).message}`);
    process.exit(1);
  });
}
