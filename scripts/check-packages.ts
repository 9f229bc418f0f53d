/**
 * The registries' own offline checks on the packages in dist/, run after packaging
 * (`npx projen package:check`, part of `npx projen package` and so of every build and release):
 *
 * - PyPI: `twine check --strict` on the wheel and the sdist (twine is installed once into a
 *   virtual environment under ~/.cache/cdk-cross-account-cicd/);
 * - Maven Central: the POM carries the elements Central requires (name, description, URL,
 *   licence, developers, SCM), and sources and javadoc jars sit beside the jar; its aws-cdk-lib
 *   and constructs versions are inside the supported range;
 * - all three: the version in every artifact is the one in package.json.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const TIMEOUT_MS = 5 * 60_000;

/** The text of the first `<tag>` element inside `xml` (outside `<dependencies>` and `<build>`), or undefined. */
function element(xml: string, tag: string): string | undefined {
  const top = xml.replace(/<dependencies>[\s\S]*?<\/dependencies>/g, '').replace(/<build>[\s\S]*?<\/build>/g, '');
  const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(top);
  return m ? m[1].trim() : undefined;
}

/**
 * What a POM lacks for Maven Central ("Required POM metadata" in the Central publishing
 * requirements): one message per missing or empty element. Empty when complete.
 * @see https://central.sonatype.org/publish/requirements/
 */
export function pomProblems(xml: string): string[] {
  const problems: string[] = [];
  const need = (what: string, value: string | undefined) => {
    if (!value) {
      problems.push(`POM has no ${what}`);
    }
  };
  need('<groupId>', element(xml, 'groupId'));
  need('<artifactId>', element(xml, 'artifactId'));
  need('<version>', element(xml, 'version'));
  need('<name>', element(xml, 'name'));
  need('<description>', element(xml, 'description'));
  need('<url>', element(xml, 'url'));
  const license = element(xml, 'licenses') ?? '';
  need('<licenses><license><name>', element(license, 'name'));
  need('<licenses><license><url>', element(license, 'url'));
  const developers = element(xml, 'developers') ?? '';
  need('<developers><developer><name>', element(developers, 'name'));
  const scm = element(xml, 'scm') ?? '';
  need('<scm><connection>', element(scm, 'connection'));
  need('<scm><url>', element(scm, 'url'));
  return problems;
}

function semver(v: string): number[] {
  return v.split('.').map((n) => parseInt(n, 10));
}

function compare(a: string, b: string): number {
  const [x, y] = [semver(a), semver(b)];
  for (let i = 0; i < 3; i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  }
  return 0;
}

/**
 * The POM's dependencies on aws-cdk-lib and constructs against the supported range: at least
 * the floor, below the next major. jsii-pacmak generates ranges (`[2.257.0,3.0.0)`) and then
 * pins them to the newest versions Maven finds (`versions:resolve-ranges`), so either form is
 * accepted. One message per dependency outside the range; empty when all are inside.
 *
 * @param floors artifactId → the lowest supported version, such as `{ 'aws-cdk-lib': '2.257.0' }`
 */
export function pomDependencyProblems(xml: string, floors: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [artifactId, floor] of Object.entries(floors)) {
    const m = new RegExp(`<artifactId>${artifactId}</artifactId>\\s*<version>([^<]+)</version>`).exec(xml);
    if (!m) {
      problems.push(`POM does not depend on ${artifactId}`);
      continue;
    }
    const declared = m[1].trim();
    const range = /^\[([\d.]+),([\d.]+)\)$/.exec(declared);
    const lowest = range ? range[1] : declared;
    const nextMajor = `${semver(floor)[0] + 1}.0.0`;
    const ok = /^[\d.]+$/.test(lowest)
      && compare(lowest, floor) >= 0
      && (range ? compare(range[2], nextMajor) <= 0 : compare(declared, nextMajor) < 0);
    if (!ok) {
      problems.push(`POM names ${artifactId} ${declared}, outside the supported [${floor},${nextMajor})`);
    }
  }
  return problems;
}

function run(cmd: string, args: string[], options: { cwd?: string } = {}): void {
  const r = spawnSync(cmd, args, { cwd: options.cwd ?? ROOT, stdio: 'inherit', timeout: TIMEOUT_MS });
  if (r.error || r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed${r.error ? `: ${r.error.message}` : ` (exit ${r.status})`}`);
  }
}

/** A python with twine, in a virtual environment kept between runs. */
function twinePython(): string {
  const venv = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'cdk-cross-account-cicd', 'twine-venv');
  const python = path.join(venv, 'bin', 'python');
  if (!fs.existsSync(python)) {
    run(process.env.PYTHON ?? 'python3', ['-m', 'venv', venv]);
    run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', 'twine']);
  }
  return python;
}

function files(dir: string, pattern: RegExp): string[] {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf-8' })
    .filter((f) => pattern.test(path.basename(f)))
    .map((f) => path.join(dir, f));
}

function main(): number {
  const { name, version, peerDependencies } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8'));
  const dist = path.join(ROOT, 'dist');
  const problems: string[] = [];
  const rel = (f: string) => path.relative(ROOT, f);

  // npm
  const tarballs = files(path.join(dist, 'js'), /\.tgz$/);
  if (tarballs.length !== 1 || !path.basename(tarballs[0]).endsWith(`@${version}.jsii.tgz`)) {
    problems.push(`dist/js: expected one ${name}@${version}.jsii.tgz, found ${tarballs.map(rel).join(', ') || 'none'}`);
  }

  // PyPI
  const python = [...files(path.join(dist, 'python'), /\.whl$/), ...files(path.join(dist, 'python'), /\.tar\.gz$/)];
  const pyVersion = version.replace(/-/g, '');
  if (python.length !== 2 || !python.every((f) => path.basename(f).includes(`-${pyVersion}`))) {
    problems.push(`dist/python: expected one wheel and one sdist of version ${pyVersion}, found ${python.map(rel).join(', ') || 'none'}`);
  } else {
    try {
      run(twinePython(), ['-m', 'twine', 'check', '--strict', ...python]);
    } catch (e) {
      problems.push(`twine check: ${(e as Error).message}`);
    }
  }

  // Maven Central
  const poms = files(path.join(dist, 'java'), /\.pom$/);
  if (poms.length !== 1) {
    problems.push(`dist/java: expected one POM, found ${poms.map(rel).join(', ') || 'none'}`);
  } else {
    const pom = poms[0];
    const xml = fs.readFileSync(pom, 'utf-8');
    problems.push(...pomProblems(xml).map((p) => `${rel(pom)}: ${p}`));
    const floors = {
      'aws-cdk-lib': String(peerDependencies['aws-cdk-lib']).replace(/^\^/, ''),
      'constructs': String(peerDependencies.constructs).replace(/^\^/, ''),
    };
    problems.push(...pomDependencyProblems(xml, floors).map((p) => `${rel(pom)}: ${p}`));
    if (element(xml, 'version') !== version) {
      problems.push(`${rel(pom)}: version ${element(xml, 'version')}, package.json says ${version}`);
    }
    const base = pom.replace(/\.pom$/, '');
    for (const suffix of ['.jar', '-sources.jar', '-javadoc.jar']) {
      if (!fs.existsSync(base + suffix)) {
        problems.push(`dist/java: ${path.basename(base + suffix)} is missing (Maven Central requires it)`);
      }
    }
  }

  if (problems.length > 0) {
    console.error(`package:check: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    return 1;
  }
  console.log(`package:check: ${name}@${version}: npm tarball, wheel and sdist (twine check --strict), Maven POM with the elements Central requires, sources and javadoc jars`);
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main();
  } catch (e) {
    console.error((e as Error).message);
    process.exitCode = 1;
  }
}
