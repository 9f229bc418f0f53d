/**
 * The release: its projen tasks, the generated publishing workflow, the metadata registries
 * and Construct Hub read, the API docs every public member needs, and the compatibility check.
 *
 * Reads generated files: .github/workflows/release.yml and .projen/tasks.json (`npx projen`),
 * .jsii (`npx projen compile`), and the POM and setup.py that jsii-pacmak generates from .jsii.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { pomDependencyProblems, pomProblems } from '../scripts/check-packages';
import { allowsBreaking, breakingCommits, decide } from '../scripts/compat';

const ROOT = path.resolve(__dirname, '..');
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), 'utf-8');
const pkg = JSON.parse(read('package.json'));
const tasks = JSON.parse(read('.projen/tasks.json')).tasks;
const workflow = parseYaml(read('.github/workflows/release.yml'));

function assembly(): any {
  const file = path.join(ROOT, '.jsii');
  if (!fs.existsSync(file)) {
    throw new Error('.jsii not found: run `npx projen compile` before this test');
  }
  return JSON.parse(fs.readFileSync(file, 'utf-8'));
}

/** Every public type, property, method and parameter (initializers' too) without a docs summary. */
function undocumented(asm: any): string[] {
  const missing: string[] = [];
  const has = (x: any) => typeof x?.docs?.summary === 'string' && x.docs.summary.trim().length > 0;
  for (const t of Object.values<any>(asm.types)) {
    if (!has(t)) missing.push(t.fqn);
    for (const p of t.properties ?? []) {
      if (!has(p)) missing.push(`${t.fqn}.${p.name}`);
    }
    for (const m of t.members ?? []) {
      if (!has(m)) missing.push(`${t.fqn}.${m.name}`);
    }
    const callables = [...(t.methods ?? []), ...(t.initializer ? [{ ...t.initializer, name: '<init>', docs: { summary: 'initializer' } }] : [])];
    for (const m of callables) {
      if (!has(m)) missing.push(`${t.fqn}.${m.name}()`);
      for (const p of m.parameters ?? []) {
        if (!has(p)) missing.push(`${t.fqn}.${m.name}(${p.name})`);
      }
    }
  }
  return missing;
}

describe('versions and changelog', () => {
  test('`npx projen release` bumps, builds every target, restores the version and checks nothing tracked changed', () => {
    const steps = tasks.release.steps.map((s: any) => s.spawn ?? s.exec ?? s.execArgs?.join(' '));
    expect(steps).toEqual(['rm -fr dist', 'bump', 'build', 'unbump', 'git diff --ignore-space-at-eol --exit-code']);
    // the first release is 1.0.0 (README, "Versions")
    expect(tasks.release.env).toMatchObject({ RELEASE: 'true', MIN_MAJOR: '1' });
    // the changelog, version and tag land in dist/
    expect(tasks.bump.env).toMatchObject({ CHANGELOG: 'dist/changelog.md', BUMPFILE: 'dist/version.txt', RELEASETAG: 'dist/releasetag.txt' });
    // the build packages npm, PyPI and Maven, then checks the packages
    expect(tasks['package-all'].steps.map((s: any) => s.spawn)).toEqual(['package:js', 'package:java', 'package:python', 'package:check']);
  });

  test('the version in the tree stays 0.0.0: only a release stamps one', () => {
    expect(pkg.version).toBe('0.0.0');
  });

  test('the dry run skips only the test suites', () => {
    for (const name of ['build', 'compile', 'post-compile', 'package', 'package-all', 'package:check', 'compat', 'bump', 'unbump']) {
      expect({ name, condition: tasks[name].condition ?? '' }).not.toEqual({ name, condition: expect.stringContaining('RELEASE_DRY_RUN') });
    }
  });

  // projen evaluates conditions with its own cross-platform shell, not sh: run them with it.
  test.each(['test', 'test:consumers'])('projen runs `%s` unless RELEASE_DRY_RUN is set', (name) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'condition-'));
    try {
      fs.mkdirSync(path.join(dir, '.projen'));
      const probe = { name: 'probe', condition: tasks[name].condition, steps: [{ exec: 'node -e "require(\'fs\').writeFileSync(\'ran\', \'\')"' }] };
      fs.writeFileSync(path.join(dir, '.projen', 'tasks.json'), JSON.stringify({ tasks: { probe } }));
      const projen = (extra: Record<string, string>) => {
        const env = { ...process.env, ...extra };
        if (!('RELEASE_DRY_RUN' in extra)) delete env.RELEASE_DRY_RUN;
        fs.rmSync(path.join(dir, 'ran'), { force: true });
        const r = spawnSync(process.execPath, [require.resolve('projen/bin/projen'), 'probe'], { cwd: dir, env, encoding: 'utf-8', timeout: 60_000 });
        expect(r.status).toBe(0);
        return fs.existsSync(path.join(dir, 'ran'));
      };
      expect(tasks[name].condition).toContain('RELEASE_DRY_RUN');
      expect(projen({})).toBe(true);
      expect(projen({ RELEASE_DRY_RUN: '1' })).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('the publishing workflow', () => {
  const jobs = workflow.jobs;

  test('is the only hosted workflow: CI stays .ci/run', () => {
    expect(fs.readdirSync(path.join(ROOT, '.github', 'workflows'))).toEqual(['release.yml']);
  });

  test('starts only when a maintainer dispatches it, and runs `npx projen release`', () => {
    expect(Object.keys(workflow.on)).toEqual(['workflow_dispatch']);
    expect(jobs.release.steps.map((s: any) => s.run)).toContain('npx projen release');
  });

  test.each([
    ['release_npm', 'publib-npm'],
    ['release_pypi', 'publib-pypi'],
    ['release_maven', 'publib-maven'],
  ])('%s publishes with %s (publib pinned), after the release job, behind the release environment', (job, command) => {
    expect(jobs[job]).toBeDefined();
    expect(jobs[job].needs).toBe('release');
    expect(jobs[job].environment).toBe('release');
    const publish = jobs[job].steps.find((s: any) => s.name === 'Release');
    expect(publish.run).toBe(`npx '-p' 'publib@0.2.1061' '${command}'`);
  });

  test('npm: published with provenance (OIDC id-token) and the NPM_TOKEN secret', () => {
    const job = jobs.release_npm;
    const env = job.steps.find((s: any) => s.name === 'Release').env;
    expect(job.permissions).toEqual({ 'id-token': 'write', 'contents': 'read' });
    expect(env).toMatchObject({ NPM_CONFIG_PROVENANCE: 'true', NPM_TOKEN: '${{ secrets.NPM_TOKEN }}', NPM_REGISTRY: 'registry.npmjs.org' });
  });

  test('PyPI: trusted publishing, no stored PyPI credentials', () => {
    const job = jobs.release_pypi;
    const env = job.steps.find((s: any) => s.name === 'Release').env;
    expect(job.permissions).toEqual({ 'id-token': 'write', 'contents': 'read' });
    expect(env.PYPI_TRUSTED_PUBLISHER).toBe('true');
    expect(Object.keys(env)).not.toEqual(expect.arrayContaining(['TWINE_PASSWORD']));
  });

  test('Maven Central: the Central Portal, signed with the GPG key', () => {
    const env = jobs.release_maven.steps.find((s: any) => s.name === 'Release').env;
    expect(env).toMatchObject({
      MAVEN_SERVER_ID: 'central-ossrh',
      MAVEN_GPG_PRIVATE_KEY: '${{ secrets.MAVEN_GPG_PRIVATE_KEY }}',
      MAVEN_GPG_PRIVATE_KEY_PASSPHRASE: '${{ secrets.MAVEN_GPG_PRIVATE_KEY_PASSPHRASE }}',
      MAVEN_USERNAME: '${{ secrets.MAVEN_USERNAME }}',
      MAVEN_PASSWORD: '${{ secrets.MAVEN_PASSWORD }}',
    });
  });

  test('RELEASING.md names every secret the workflow reads', () => {
    const secrets = new Set([...read('.github/workflows/release.yml').matchAll(/secrets\.([A-Z0-9_]+)/g)].map((m) => m[1]));
    const releasing = read('RELEASING.md');
    expect(secrets.size).toBeGreaterThanOrEqual(6);
    expect([...secrets].filter((s) => !releasing.includes(`\`${s}\``))).toEqual([]);
  });
});

describe('registry and Construct Hub metadata', () => {
  test('package.json: the awscdk keyword, an accepted licence, the repository, a stability', () => {
    expect(pkg.keywords).toContain('awscdk');
    // Construct Hub lists Apache, BSD, EPL, MPL-2.0, ISC, CDDL and MIT licensed packages
    expect(pkg.license).toBe('Apache-2.0');
    expect(pkg.repository.url).toMatch(/^https:\/\/github\.com\/.+\.git$/);
    expect(pkg.stability).toBe('stable');
    expect(pkg.jsii.targets.python.classifiers).toEqual(['Framework :: AWS CDK', 'Framework :: AWS CDK :: 2']);
  });

  test('the README states the aws-cdk-lib floor the peer dependency declares', () => {
    const floor = pkg.peerDependencies['aws-cdk-lib'].replace(/^\^/, '');
    expect(pkg.devDependencies['aws-cdk-lib']).toBe(floor);
    expect(read('README.md')).toContain(`\`aws-cdk-lib\` ${floor} or later`);
  });

  describe('what jsii-pacmak generates from .jsii', () => {
    let outdir: string;
    beforeAll(() => {
      assembly();
      outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pacmak-'));
      const r = spawnSync('npx', ['jsii-pacmak', '--code-only', '--target', 'java', '--target', 'python', '-o', outdir], {
        cwd: ROOT, encoding: 'utf-8', timeout: 120_000,
      });
      if (r.status !== 0) {
        throw new Error(`jsii-pacmak failed: ${r.error?.message ?? ''}${r.stderr}`);
      }
    }, 150_000);
    afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

    test('the Maven POM carries what Maven Central requires', () => {
      const pom = fs.readFileSync(path.join(outdir, 'java', 'pom.xml'), 'utf-8');
      expect(pomProblems(pom)).toEqual([]);
      expect(pom).toContain('<name>Apache License 2.0</name>');
      expect(pom).toContain(`<connection>scm:git:${pkg.repository.url}</connection>`);
    });

    test('jsii-pacmak generates aws-cdk-lib and constructs as ranges from the documented floor (the build pins them, see README)', () => {
      const pom = fs.readFileSync(path.join(outdir, 'java', 'pom.xml'), 'utf-8');
      const floor = pkg.peerDependencies['aws-cdk-lib'].replace(/^\^/, '');
      expect(pom).toMatch(new RegExp(`<artifactId>aws-cdk-lib</artifactId>\\s*<version>\\[${floor.replace(/\./g, '\\.')},3\\.0\\.0\\)</version>`));
      expect(pom).toMatch(/<artifactId>constructs<\/artifactId>\s*<version>\[10\.5\.1,11\.0\.0\)<\/version>/);
    });

    test('the dependency check accepts the generated ranges and pinned versions inside the supported range, and nothing else', () => {
      const pom = fs.readFileSync(path.join(outdir, 'java', 'pom.xml'), 'utf-8');
      const floors = { 'aws-cdk-lib': '2.257.0', 'constructs': '10.5.1' };
      const pin = (cdk: string) => pom.replace(/(<artifactId>aws-cdk-lib<\/artifactId>\s*<version>)[^<]+/, `$1${cdk}`);
      expect(pomDependencyProblems(pom, floors)).toEqual([]);
      // what versions:resolve-ranges leaves in the published POM
      expect(pomDependencyProblems(pin('2.263.0'), floors)).toEqual([]);
      expect(pomDependencyProblems(pin('2.257.0'), floors)).toEqual([]);
      expect(pomDependencyProblems(pin('2.200.0'), floors)).toEqual(['POM names aws-cdk-lib 2.200.0, outside the supported [2.257.0,3.0.0)']);
      expect(pomDependencyProblems(pin('3.0.0'), floors)).toEqual(['POM names aws-cdk-lib 3.0.0, outside the supported [2.257.0,3.0.0)']);
      expect(pomDependencyProblems(pin('[2.100.0,3.0.0)'), floors)).toEqual(['POM names aws-cdk-lib [2.100.0,3.0.0), outside the supported [2.257.0,3.0.0)']);
      expect(pomDependencyProblems(pin('[2.257.0,4.0.0)'), floors)).toEqual(['POM names aws-cdk-lib [2.257.0,4.0.0), outside the supported [2.257.0,3.0.0)']);
    });

    test('the check fails on a POM without what Central requires', () => {
      const pom = fs.readFileSync(path.join(outdir, 'java', 'pom.xml'), 'utf-8');
      expect(pomProblems(pom.replace(/<scm>[\s\S]*<\/scm>/, ''))).toEqual(['POM has no <scm><connection>', 'POM has no <scm><url>']);
      expect(pomProblems(pom.replace(/<developers>[\s\S]*<\/developers>/, ''))).toEqual(['POM has no <developers><developer><name>']);
      expect(pomProblems(pom.replace(/<licenses>[\s\S]*<\/licenses>/, ''))).toEqual(['POM has no <licenses><license><name>', 'POM has no <licenses><license><url>']);
      expect(pomProblems(pom.replace(/<description>[\s\S]*?<\/description>/, '<description></description>'))).toEqual(['POM has no <description>']);
    });

    test('the wheel is classified under AWS CDK 2, with the licence and a stable status', () => {
      const setup = fs.readFileSync(path.join(outdir, 'python', 'setup.py'), 'utf-8');
      for (const classifier of ['Framework :: AWS CDK', 'Framework :: AWS CDK :: 2', 'License :: OSI Approved', 'Development Status :: 5 - Production/Stable']) {
        expect(setup).toContain(`"${classifier}"`);
      }
      expect(setup).toContain(`"url": "${pkg.repository.url}"`);
      expect(setup).toContain('"license": "Apache-2.0"');
    });
  });
});

describe('API docs for Construct Hub', () => {
  test('every public type, property, method and parameter has a summary', () => {
    expect(undocumented(assembly())).toEqual([]);
  });

  test('the check names what is undocumented', () => {
    const asm = assembly();
    const before = undocumented(asm);
    const [type] = Object.values<any>(asm.types).filter((t) => (t.properties ?? []).length > 0);
    delete type.properties[0].docs;
    const [withMethod] = Object.values<any>(asm.types).filter((t) => (t.methods ?? []).some((m: any) => m.parameters?.length));
    const method = withMethod.methods.find((m: any) => m.parameters?.length);
    delete method.parameters[0].docs;
    const added = undocumented(asm).filter((m) => !before.includes(m));
    expect(added.sort()).toEqual([
      `${type.fqn}.${type.properties[0].name}`,
      `${withMethod.fqn}.${method.name}(${method.parameters[0].name})`,
    ].sort());
  });
});

describe('API compatibility with the previous release', () => {
  test('post-compile runs the check in every build', () => {
    expect(tasks['post-compile'].steps.map((s: any) => s.spawn).filter(Boolean)).toContain('compat');
    expect(tasks.compat.steps[0].exec).toContain('scripts/compat.ts');
  });

  test.each([
    ['feat!: drop a prop', true],
    ['fix(store)!: rename', true],
    ['feat: add a prop\n\nBREAKING CHANGE: the default changed', true],
    ['feat: add a prop\n\nBREAKING-CHANGE: the default changed', true],
    ['feat: add a prop', false],
    ['docs: mention BREAKING CHANGE: in prose', false],
    ['Revert "feat!: x"', false],
  ])('%j is marked breaking: %s', (message, marked) => {
    expect(breakingCommits([message])).toEqual(marked ? [message] : []);
  });

  test.each([
    ['1.2.3', '2.0.0', true],
    ['1.2.3', '1.3.0', false],
    ['1.2.3', '1.2.4', false],
    ['0.3.1', '0.4.0', true],
    ['0.3.1', '0.3.2', false],
    ['2.0.0', '1.9.0', false],
  ])('from %s to %s may break: %s', (previous, next, allowed) => {
    expect(allowsBreaking(previous, next)).toBe(allowed);
  });

  test('a breaking change fails without a major, passes with one', () => {
    expect(decide({ previous: '1.2.0', commits: ['feat: x'], breaking: true }).ok).toBe(false);
    expect(decide({ previous: '1.2.0', commits: ['feat!: x'], breaking: true }).ok).toBe(true);
    expect(decide({ previous: '1.2.0', next: '1.3.0', commits: ['feat!: x'], breaking: true }).ok).toBe(false);
    expect(decide({ previous: '1.2.0', next: '2.0.0', commits: [], breaking: true }).ok).toBe(true);
    expect(decide({ previous: '1.2.0', next: '1.2.1', commits: [], breaking: false }).ok).toBe(true);
  });

  describe('jsii-diff against an assembly with one more property than today\'s', () => {
    const dir = path.join(ROOT, '.compat-tmp', 'previous');
    beforeAll(() => {
      const asm = assembly();
      const struct = Object.values<any>(asm.types).find((t) => t.datatype && (t.properties ?? []).length > 0);
      struct.properties.push({ ...struct.properties[0], name: 'removedSince', optional: true, type: { primitive: 'string' } });
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, '.jsii'), JSON.stringify(asm));
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: pkg.name, version: '1.0.0', jsii: pkg.jsii, types: 'lib/index.d.ts', peerDependencies: pkg.peerDependencies }));
    });
    afterAll(() => fs.rmSync(path.join(ROOT, '.compat-tmp'), { recursive: true, force: true }));

    const compat = (...args: string[]) => spawnSync('npx', ['ts-node', '--transpile-only', 'scripts/compat.ts', '--against', dir, '--previous', '1.0.0', ...args], {
      cwd: ROOT, encoding: 'utf-8', timeout: 120_000,
    });

    test('fails a minor release and names the removed property', () => {
      const r = compat('--next', '1.1.0');
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/removedSince: has been removed/);
      expect(r.stderr).toMatch(/breaking changes since 1\.0\.0, but the release is 1\.1\.0, not a new major/);
    }, 120_000);

    test('passes a major release', () => {
      const r = compat('--next', '2.0.0');
      expect(r.stdout).toMatch(/released as major 2\.0\.0/);
      expect(r.status).toBe(0);
    }, 120_000);
  });
});
