/**
 * API compatibility check against the previous release, run by every build (post-compile).
 *
 * jsii-diff compares the previous release's jsii assembly (from npm) with the one just
 * compiled. A breaking change passes only when the version it will be released under is a
 * new major: during `npx projen release` that is the bumped version in dist/version.txt;
 * in any other build it is what the commits since the previous release ask for (a
 * conventional-commit `!` or a `BREAKING CHANGE:` footer makes the next release a major).
 *
 * Before the first release there is nothing to compare: the check says so and passes.
 *
 *   ts-node scripts/compat.ts
 *   ts-node scripts/compat.ts --against <dir|npm:pkg@version> --previous 1.2.0 [--next 2.0.0] [--commits-file f]
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const TIMEOUT_MS = 5 * 60_000;

/** Commit messages (full bodies) that declare a breaking change in conventional-commit form. */
export function breakingCommits(messages: string[]): string[] {
  return messages.filter((m) => {
    const header = m.trim().split('\n')[0] ?? '';
    return /^[a-z]+(\([^)]*\))?!:/i.test(header) || /^BREAKING[ -]CHANGE:/m.test(m);
  });
}

function parse(version: string): [number, number, number] {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (!m) {
    throw new Error(`compat: "${version}" is not a semantic version (X.Y.Z)`);
  }
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/**
 * Whether going from `previous` to `next` may break the API under semver: a new major, or,
 * below 1.0.0, a new minor (npm's caret ranges and CATV's pre-1.0 bumps treat 0.x that way).
 */
export function allowsBreaking(previous: string, next: string): boolean {
  const [pMajor, pMinor] = parse(previous);
  const [nMajor, nMinor] = parse(next);
  if (nMajor !== pMajor) {
    return nMajor > pMajor;
  }
  return pMajor === 0 && nMinor > pMinor;
}

export interface CompatInput {
  /** The previous release's version. */
  readonly previous: string;
  /** The version being released (during a release), if known. */
  readonly next?: string;
  /** Commit messages since the previous release. */
  readonly commits: string[];
  /** Whether jsii-diff reported incompatible changes. */
  readonly breaking: boolean;
}

/** The verdict: `ok` false fails the build; `message` says why, in either case. */
export function decide(input: CompatInput): { ok: boolean; message: string } {
  if (!input.breaking) {
    return { ok: true, message: `compat: the API is compatible with ${input.previous}` };
  }
  if (input.next !== undefined) {
    return allowsBreaking(input.previous, input.next)
      ? { ok: true, message: `compat: breaking changes since ${input.previous}, released as major ${input.next}` }
      : {
        ok: false,
        message: `compat: breaking changes since ${input.previous}, but the release is ${input.next}, not a new major. ` +
          'Mark the commit that breaks the API with "!" (feat!: ...) or a "BREAKING CHANGE:" footer, or restore the API.',
      };
  }
  const marked = breakingCommits(input.commits);
  return marked.length > 0
    ? { ok: true, message: `compat: breaking changes since ${input.previous}; the next release is a major (${marked.length} commit(s) marked breaking)` }
    : {
      ok: false,
      message: `compat: breaking changes since ${input.previous}, and no commit since then is marked breaking, so the next release would not be a major. ` +
        'Mark the commit that breaks the API with "!" (feat!: ...) or a "BREAKING CHANGE:" footer, or restore the API. ' +
        'To accept a specific change, add its key (shown in brackets) to .compatignore.',
    };
}

function run(cmd: string, args: string[]): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf-8', timeout: TIMEOUT_MS, env: process.env });
  if (r.error) {
    throw new Error(`compat: ${cmd} ${args.join(' ')} failed: ${r.error.message}`);
  }
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** The newest release tag reachable from HEAD, or undefined when there is none. */
function previousTag(): string | undefined {
  const r = run('git', ['describe', '--tags', '--abbrev=0', '--match', 'v[0-9]*.[0-9]*.[0-9]*']);
  return r.status === 0 ? r.out.trim() : undefined;
}

/** The latest version on npm, or undefined when the package has never been published. */
function publishedVersion(name: string): string | undefined {
  const r = run('npm', ['view', name, 'version']);
  if (r.status === 0) {
    return r.out.trim() || undefined;
  }
  if (/E404|404 Not Found/.test(r.out)) {
    return undefined;
  }
  throw new Error(`compat: cannot ask npm for the latest ${name}:\n${r.out}`);
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function main(): number {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8'));
  if (!fs.existsSync(path.join(ROOT, '.jsii'))) {
    console.error('compat: .jsii not found (run `npx projen compile` first)');
    return 1;
  }

  let previous = arg('previous');
  let against = arg('against');
  let commits: string[];
  if (previous === undefined) {
    const tag = previousTag();
    const published = tag === undefined ? publishedVersion(pkg.name) : undefined;
    if (tag === undefined && published === undefined) {
      console.log(`compat: no previous release of ${pkg.name} (no vX.Y.Z tag, nothing on npm): nothing to compare yet`);
      return 0;
    }
    if (tag === undefined) {
      console.error(`compat: npm has ${pkg.name}@${published} but this checkout has no release tag: fetch the tags (git fetch --tags) and run again`);
      return 1;
    }
    previous = tag.replace(/^v/, '');
    const log = run('git', ['log', '--format=%B%x00', `${tag}..HEAD`]);
    commits = log.out.split('\0').map((m) => m.trim()).filter(Boolean);
  } else {
    const file = arg('commits-file');
    commits = file ? fs.readFileSync(file, 'utf-8').split('\0').map((m) => m.trim()).filter(Boolean) : [];
  }
  against = against ?? `npm:${pkg.name}@${previous}`;

  const versionFile = path.join(ROOT, 'dist', 'version.txt');
  const next = arg('next') ?? (process.env.RELEASE === 'true' && fs.existsSync(versionFile)
    ? fs.readFileSync(versionFile, 'utf-8').trim()
    : undefined);

  const diff = run('npx', ['jsii-diff', against, '.', '--keys', '--ignore-file', '.compatignore']);
  if (diff.status !== 0 && diff.status !== 1) {
    console.error(`compat: jsii-diff failed (exit ${diff.status}):\n${diff.out}`);
    return 1;
  }
  const report = diff.out.split('\n').filter((l) => !l.startsWith('!!')).join('\n').trim();
  if (report) {
    console.log(report);
  }
  const verdict = decide({ previous, next, commits, breaking: diff.status === 1 });
  (verdict.ok ? console.log : console.error)(verdict.message);
  return verdict.ok ? 0 : 1;
}

if (require.main === module) {
  try {
    process.exitCode = main();
  } catch (e) {
    console.error((e as Error).message);
    process.exitCode = 1;
  }
}
