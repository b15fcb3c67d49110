/**
 * The real `picklegate scan --format json` output on every file under samples/, under each built-in
 * policy, validates against the generated schema: the committed (open) one, and the closed one, where
 * a field the schema does not describe fails.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import { RULES } from '../../src/report/rules';
import type { JsonReport } from '../../src/cli/render-json';
import type { MemberResult } from '../../src/containers/result';
import { cli, ROOT } from '../cli/run';
import { closedValidators, explain } from './support';

const POLICIES = ['default', 'mxnet-optimizer', 'mxnet-states'];
const committed = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(fs.readFileSync(path.join(ROOT, 'src/cli/report.schema.json'), 'utf8')));
const closed = closedValidators().cli;

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'picklegate-schema-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function* streams(s: { findings: unknown[]; members: MemberResult[] }): Generator<{ findings: unknown[]; members: MemberResult[] }> {
  yield s;
  for (const m of s.members) yield* streams(m);
}

describe.each(POLICIES)('scan --format json samples/ --policy %s', (policy) => {
  let report: JsonReport;
  beforeAll(() => {
    const out = path.join(tmp, `${policy}.json`);
    // a missing file too, so a FileResult with `error` is in the output
    const r = cli(['scan', '--format', 'json', '--no-progress', '--policy', policy, '--output', out, 'samples', path.join(tmp, 'missing.pkl')], { timeout: 120_000 });
    expect([r.code, r.stderr.replace(/^.*missing\.pkl.*\n?/m, '')]).toEqual([1, '']);
    report = JSON.parse(fs.readFileSync(out, 'utf8')) as JsonReport;
  });

  test('covers every sample', () => {
    expect(report.summary.files).toBeGreaterThan(1800);
    expect(report.files.filter((f) => f.error)).toHaveLength(1);
  });

  test('validates against the committed schema', () => {
    if (!committed(report)) throw new Error(explain(committed.errors, report));
  });

  test('validates against the closed schema (no field the schema lacks)', () => {
    if (!closed(report)) throw new Error(explain(closed.errors, report));
    // and the closed schema does catch one
    const withFinding = report.files.find((f) => f.findings.length > 0)!;
    const tampered = { ...report, files: [{ ...withFinding, findings: [{ ...withFinding.findings[0], undocumented: 1 }] }] };
    expect(closed(tampered)).toBe(false);
    expect(committed(tampered)).toBe(true);
  });

  test('every finding has a code and a rule of the rules table', () => {
    let n = 0;
    const unknown = new Set<string>();
    for (const f of report.files) {
      for (const s of streams(f)) {
        for (const finding of s.findings as { code: string; rule: string }[]) {
          n++;
          if (!(`${finding.code}/${finding.rule}` in RULES)) unknown.add(`${finding.code}/${finding.rule}`);
        }
      }
    }
    expect([...unknown]).toEqual([]);
    expect(n).toBeGreaterThan(1000);
  });
});
