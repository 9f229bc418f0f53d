"""Runs cfn-lint and checkov over the synthesized variants of the reference app.

Usage: analyse.py OUTDIR SKIPS REGION, where OUTDIR holds one cloud assembly per variant.
Fails on any cfn-lint error or warning, on any checkov failure that no line of SKIPS
accepts, and on a line of SKIPS that accepts no failure. Prints a summary table.
"""
import fnmatch
import json
import pathlib
import subprocess
import sys
from collections import Counter, defaultdict


def read_skips(path):
    skips = []
    for number, line in enumerate(pathlib.Path(path).read_text().splitlines(), 1):
        if not line.strip() or line.startswith('#'):
            continue
        fields = [f.strip() for f in line.split('|')]
        if len(fields) != 4 or not all(fields):
            sys.exit(f'{path}:{number}: want "CHECK | title | resource | reason", got: {line}')
        skips.append({'check': fields[0], 'title': fields[1], 'resource': fields[2], 'reason': fields[3], 'used': 0})
    return skips


def main(outdir, skips_path, region):
    out = pathlib.Path(outdir)
    skips = read_skips(skips_path)
    variants = sorted(p.name for p in out.iterdir() if p.is_dir())
    templates = {v: sorted((out / v).glob('*.template.json')) for v in variants}
    every = [t for v in variants for t in templates[v]]
    bin_dir = pathlib.Path(sys.executable).parent
    problems = []

    # cfn-lint: errors (E) and warnings (W) fail; informational (I) rules are included and printed.
    lint = subprocess.run(
        [bin_dir / 'cfn-lint', '--format', 'json', '--include-checks', 'I', '--regions', region, '--', *map(str, every)],
        capture_output=True, text=True)
    if lint.returncode & 1 or not lint.stdout.strip():
        sys.exit(f'cfn-lint did not run (exit {lint.returncode}):\n{lint.stderr}')
    lint_counts = defaultdict(Counter)
    informational = Counter()
    for match in json.loads(lint.stdout):
        variant = pathlib.Path(match['Filename']).parent.name
        level = match['Level']
        lint_counts[variant][level] += 1
        if level in ('Error', 'Warning'):
            line = f"cfn-lint {level} {match['Rule']['Id']} {variant}/{pathlib.Path(match['Filename']).name}:{match['Location']['Start']['LineNumber']}: {match['Message']}"
            print(line)
            problems.append(line)
        else:
            informational[f"{match['Rule']['Id']} {match['Rule']['ShortDescription']}"] += 1
    for rule, count in sorted(informational.items()):
        print(f'cfn-lint Informational (not a failure) {rule}: {count}')

    # checkov: every check runs (no --skip-check); failures are matched against the skip list
    # here, by check and resource. No --quiet: it would drop the passed checks from the report.
    files = [arg for t in every for arg in ('-f', str(t))]
    scan = subprocess.run(
        [bin_dir / 'checkov', *files, '--framework', 'cloudformation', '--output', 'json', '--skip-download'],
        capture_output=True, text=True)
    try:
        report = json.loads(scan.stdout)
    except json.JSONDecodeError:
        sys.exit(f'checkov did not run (exit {scan.returncode}):\n{scan.stdout[-2000:]}\n{scan.stderr[-2000:]}')
    reports = report if isinstance(report, list) else [report]
    checkov_counts = defaultdict(Counter)
    for r in reports:
        results = r.get('results', {})
        for result in results.get('passed_checks', []):
            checkov_counts[pathlib.Path(result['file_path']).parent.name]['passed'] += 1
        for result in results.get('failed_checks', []):
            variant = pathlib.Path(result['file_path']).parent.name
            logical_id = result['resource'].split('.', 1)[-1]
            skip = next((s for s in skips if s['check'] == result['check_id'] and fnmatch.fnmatchcase(logical_id, s['resource'])), None)
            if skip and skip['title'] != result['check_name']:
                problems.append(f"{skips_path}: {skip['check']} is titled \"{result['check_name']}\" by checkov, not \"{skip['title']}\"")
                print(problems[-1])
            if skip:
                skip['used'] += 1
                checkov_counts[variant]['skipped'] += 1
            else:
                checkov_counts[variant]['failed'] += 1
                line = (f"checkov {result['check_id']} {variant}/{pathlib.Path(result['file_path']).name} "
                        f"{result['resource']}: {result['check_name']}")
                print(line)
                problems.append(line)
    for skip in skips:
        if not skip['used']:
            problems.append(f"{skips_path}: {skip['check']} on {skip['resource']} accepts no failure any more; remove it (and its README row)")
            print(problems[-1])

    rows = [('variant', 'templates', 'cfn-lint errors', 'cfn-lint warnings', 'cfn-lint info', 'checkov passed', 'checkov failed', 'checkov skipped')]
    for v in variants:
        rows.append((v, len(templates[v]), lint_counts[v]['Error'], lint_counts[v]['Warning'], lint_counts[v]['Informational'],
                     checkov_counts[v]['passed'], checkov_counts[v]['failed'], checkov_counts[v]['skipped']))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    print()
    for n, row in enumerate(rows):
        print('  '.join(str(c).ljust(w) for c, w in zip(row, widths)))
        if n == 0:
            print('  '.join('-' * w for w in widths))
    print()
    if problems:
        print(f'{len(problems)} problem(s); see above.')
        return 1
    print('cfn-lint: no errors or warnings; checkov: no failed check but the accepted ones in', skips_path)
    return 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))
