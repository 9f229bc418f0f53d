import * as fs from 'fs';
import * as path from 'path';

/**
 * test/analysers/run.sh runs cfn-lint and checkov over the reference app's templates; this
 * keeps what it accepts and the versions it pins in step with the README.
 */
const dir = path.join(__dirname, 'analysers');
const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('<!-- analysers:start -->'), readme.indexOf('<!-- analysers:end -->'));

const skips = fs.readFileSync(path.join(dir, 'checkov-skips.txt'), 'utf8').split('\n')
  .filter((line) => line.trim() && !line.startsWith('#'))
  .map((line) => line.split('|').map((field) => field.trim()));

test('every accepted checkov failure has a reason and is in the README with it', () => {
  expect(skips.length).toBeGreaterThan(0);
  for (const fields of skips) {
    expect(fields).toHaveLength(4);
    const [check, title, resource, reason] = fields;
    expect(check).toMatch(/^CKV2?_AWS_\d+$/);
    expect(reason.length).toBeGreaterThan(40);
    expect(section).toContain(`| \`${check}\` | ${title} | \`${resource}\` | ${reason} |`);
  }
});

test('the README lists no accepted checkov failure that the skip list does not', () => {
  const rows = section.split('\n').filter((line) => /^\| `CKV/.test(line));
  expect(rows).toHaveLength(skips.length);
});

test('the README names the pinned versions', () => {
  const pins = fs.readFileSync(path.join(dir, 'requirements.txt'), 'utf8').split('\n')
    .filter((line) => /^[a-z-]+==/.test(line))
    .map((line) => line.split('=='));
  expect(pins.map(([name]) => name).sort()).toEqual(['cfn-lint', 'checkov']);
  for (const [name, version] of pins) {
    expect(section).toContain(`**${name} ${version}**`);
  }
});
