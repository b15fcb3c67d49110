/**
 * The rules table (src/report/rules/) is the one authority on what picklegate reports: every finding
 * code has rules, every rule belongs to a code, every rule is raised somewhere, and rule names are
 * stable kebab-case words a program can match.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FINDING_CODES } from '../../src/report/codes';
import { RULES, makeFinding, splitRule, type RuleId } from '../../src/report/rules';

const ROOT = path.join(__dirname, '..', '..');
const ids = Object.keys(RULES) as RuleId[];

/** The TypeScript sources that may raise findings (everything but the table itself). */
function sources(): string {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (p !== path.join(ROOT, 'src', 'report', 'rules')) walk(p);
      } else if (p.endsWith('.ts')) out.push(fs.readFileSync(p, 'utf8'));
    }
  };
  walk(path.join(ROOT, 'src'));
  walk(path.join(ROOT, 'server'));
  return out.join('\n');
}

test('every rule id is CODE/kebab-case-name, under a finding code', () => {
  expect(ids.length).toBeGreaterThan(60);
  for (const id of ids) {
    const { code, rule } = splitRule(id);
    expect(Object.keys(FINDING_CODES)).toContain(code);
    expect(rule).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  }
});

test('every finding code has at least one rule', () => {
  const withRules = new Set(ids.map((id) => splitRule(id).code));
  expect(Object.keys(FINDING_CODES).filter((c) => !withRules.has(c as never))).toEqual([]);
});

test('every rule is raised somewhere in the sources (no dead rules)', () => {
  const text = sources();
  expect(ids.filter((id) => !text.includes(`'${id}'`))).toEqual([]);
});

test("a finding takes its code, rule and severity from the table", () => {
  const f = makeFinding('TRAILING_DATA/after-stop' as RuleId, { offset: 3 } as never, { at: 3, bytes: 2 } as never);
  expect(f).toMatchObject({ code: 'TRAILING_DATA', rule: 'after-stop', severity: RULES['TRAILING_DATA/after-stop' as RuleId].severity, offset: 3 });
  expect(typeof f.message).toBe('string');
});
