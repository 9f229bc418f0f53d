/**
 * Renders the access matrix (test/access-matrix/cases.ts) as a Markdown table into README.md,
 * between `<!-- access-matrix:start -->` and `<!-- access-matrix:end -->`.
 *
 *   npx projen docs:matrix
 *
 * test/access-matrix.test.ts evaluates the same cases and fails when the README's table differs.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ACCESS_MATRIX_CASES, AccessCase, Decision, Mode, MODES, PRINCIPALS, RESOURCES } from '../test/access-matrix/cases';

const START = '<!-- access-matrix:start -->';
const END = '<!-- access-matrix:end -->';

const MODE_LABELS: Record<Mode, string> = {
  'account': 'accounts',
  'role-ids': 'role IDs',
  'role-arns': 'role ARNs',
  'organization': 'organization',
  'single': 'single account',
  'trusted-principals': 'trusted principals',
  'opt-ins': 'opt-ins',
  'regions': 'two regions',
};

const DECISIONS: Record<Decision, string> = {
  Allowed: '**allowed**',
  ExplicitlyDenied: 'denied (explicit deny)',
  ImplicitlyDenied: 'denied (no allow)',
};

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The Markdown the README holds between the markers. */
export function renderMatrix(cases: AccessCase[]): string {
  const perMode = MODES.map((m) => `${cases.filter((c) => c.mode === m).length} ${MODE_LABELS[m]}`).join(', ');
  const lines = [
    `Generated from the ${cases.length} cases of \`test/access-matrix/cases.ts\` (${perMode}) by \`npx projen docs:matrix\`; `
      + '`test/access-matrix.test.ts` evaluates each with `@cloud-copilot/iam-simulate` over the reference app\'s synthesized key, bucket, '
      + 'trust and identity policies, and fails if a decision or this table differs. A cross-account request needs both its identity '
      + 'policy and the resource policy; every request is over TLS unless it says otherwise.',
    '',
    '| # | mode | who | does what | on what | decision |',
    '| --- | --- | --- | --- | --- | --- |',
    ...cases.map((c) => {
      const does = `\`${c.action}\`${c.how ? `, ${c.how}` : ''}`;
      return `| ${c.id} | ${MODE_LABELS[c.mode]} | ${cell(PRINCIPALS[c.principal].label)} | ${cell(does)} | ${cell(RESOURCES[c.resource].label)} | ${DECISIONS[c.expected]} |`;
    }),
  ];
  return lines.join('\n');
}

/** The README with the table between the markers replaced. */
export function replaceMatrix(readme: string, table: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) {
    throw new Error(`README.md has no ${START} ... ${END} markers`);
  }
  return `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`;
}

if (require.main === module) {
  const file = path.join(__dirname, '..', 'README.md');
  const readme = fs.readFileSync(file, 'utf8');
  const updated = replaceMatrix(readme, renderMatrix(ACCESS_MATRIX_CASES));
  if (updated !== readme) {
    fs.writeFileSync(file, updated);
  }
  console.log(`access matrix: ${ACCESS_MATRIX_CASES.length} cases ${updated === readme ? 'already in' : 'written to'} README.md`);
}
