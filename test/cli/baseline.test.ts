/**
 * Baselines: `scan --write-baseline FILE` records each file with findings (SHA-256 and findings) and
 * accepts the scan; `scan --baseline FILE` then fails only on new files, changed files (judged in
 * full) and findings the baseline does not record. Text, JSON and SARIF say which findings are
 * baselined; the baseline validates against docs/schemas/baseline.schema.json.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import { cli, ROOT } from './run';
import { closedValidators, explain } from '../schema/support';

const SAMPLES = path.join(ROOT, 'samples');
const sha256 = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');

let tmp: string;
let repo: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'picklegate-baseline-'));
  repo = path.join(tmp, 'repo');
  fs.mkdirSync(path.join(repo, 'models', 'legacy'), { recursive: true });
  // legacy: a dangerous raw pickle, a torch zip with a payload member, a file with two findings
  fs.copyFileSync(path.join(SAMPLES, 'containers', 'model.bin'), path.join(repo, 'models', 'legacy', 'old.bin'));
  fs.copyFileSync(path.join(SAMPLES, 'containers', 'torch_payload_data_1.pt'), path.join(repo, 'models', 'legacy', 'old.pt'));
  fs.copyFileSync(path.join(SAMPLES, 'malicious', 'builtins_open_p4.pkl'), path.join(repo, 'models', 'legacy', 'opener.pkl'));
  fs.copyFileSync(path.join(SAMPLES, 'containers', 'torch_benign.pt'), path.join(repo, 'models', 'good.pt'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const baselineFile = () => path.join(repo, '.picklegate-baseline.json');
const readBaseline = () => JSON.parse(fs.readFileSync(baselineFile(), 'utf8'));
const json = (r: { stdout: string }) => JSON.parse(r.stdout);

function writeBaseline(cwd = repo, target = '.picklegate-baseline.json', paths = ['models']) {
  return cli(['scan', '--write-baseline', target, ...paths], { cwd });
}

describe('--write-baseline', () => {
  test('records each file with findings: its SHA-256 and findings; accepts the scan (exit 0)', () => {
    const before = cli(['scan', 'models'], { cwd: repo });
    expect(before.code).toBe(1);
    const r = writeBaseline();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/baseline written to \.picklegate-baseline\.json: 3 files, \d+ findings/);
    expect(r.stdout).toMatch(/DANGEROUS\s+models\/legacy\/old\.bin \(pickle, 34 B, baselined\)/);
    expect(r.stdout).toMatch(/\[baselined\]/);
    expect(r.stdout).toMatch(/4 files: 1 safe, 0 suspicious, 3 dangerous, 0 errors, 3 baselined/);

    const b = readBaseline();
    expect(b).toMatchObject({ version: 1, tool: { name: 'picklegate' }, policy: 'default' });
    expect(b.files.map((f: { path: string }) => f.path)).toEqual(['models/legacy/old.bin', 'models/legacy/old.pt', 'models/legacy/opener.pkl']);
    for (const f of b.files) expect(f.sha256).toBe(sha256(path.join(repo, f.path)));
    const old = b.files[0];
    expect(old.verdict).toBe('dangerous');
    expect(old.findings).toEqual([
      { code: 'DENIED_GLOBAL', rule: 'denied', severity: 'dangerous', offset: 2, message: expect.stringMatching(/os\.system/), path: ['old.bin'] },
    ]);
    expect(b.files[1].findings[0].path).toEqual(['old.pt', 'archive/data/1']);
    // the benign checkpoint has nothing to record
    expect(JSON.stringify(b)).not.toMatch(/good\.pt/);
  });

  test('the baseline validates against the generated JSON Schema, which rejects a broken one', () => {
    writeBaseline();
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/schemas/baseline.schema.json'), 'utf8'));
    const validate = new Ajv({ strict: true, strictTypes: false }).compile(schema);
    const b = readBaseline();
    expect([validate(b), explain(validate.errors, b)]).toEqual([true, '']);
    b.files[0].sha256 = 'not-a-digest';
    expect(validate(b)).toBe(false);
  });

  test('paths are relative to the baseline file, whatever the working directory', () => {
    const r = writeBaseline(tmp, path.join('repo', 'baseline.json'), [path.join('repo', 'models')]);
    expect(r.code).toBe(0);
    const b = JSON.parse(fs.readFileSync(path.join(repo, 'baseline.json'), 'utf8'));
    expect(b.files[0].path).toBe('models/legacy/old.bin');
    // used from inside the repository and from its parent alike
    expect(cli(['scan', '--baseline', 'baseline.json', 'models'], { cwd: repo }).code).toBe(0);
    expect(cli(['scan', '--baseline', 'repo/baseline.json', 'repo/models'], { cwd: tmp }).code).toBe(0);
    expect(cli(['scan', '--baseline', path.join(repo, 'baseline.json'), path.join(repo, 'models')], { cwd: os.tmpdir() }).code).toBe(0);
  });
});

describe('--baseline', () => {
  test('nothing new: exit 0; text marks baselined files and findings', () => {
    writeBaseline();
    const r = cli(['scan', '--baseline', '.picklegate-baseline.json', 'models'], { cwd: repo });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/DANGEROUS\s+models\/legacy\/old\.pt \(torch-zip, \d+ B, baselined\)/);
    expect(r.stdout).toMatch(/dangerous DENIED_GLOBAL archive\/data\/1 @2 GLOBAL: .* \[baselined\]/);
    expect(r.stdout).toMatch(/SAFE\s+models\/good\.pt/);
    expect(r.stdout).toMatch(/, 3 baselined$/m);
    // --quiet lists only what fails: nothing
    expect(cli(['scan', '--quiet', '--baseline', '.picklegate-baseline.json', 'models'], { cwd: repo })).toMatchObject({ code: 0, stdout: '' });
  });

  test('a new malicious file fails; the legacy ones stay baselined', () => {
    writeBaseline();
    fs.copyFileSync(path.join(SAMPLES, 'malicious', 'builtins_eval_p4.pkl'), path.join(repo, 'models', 'new.pkl'));
    const r = cli(['scan', '--baseline', '.picklegate-baseline.json', 'models'], { cwd: repo });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/DANGEROUS\s+models\/new\.pkl \(pickle, \d+ B, rejected\)/);
    expect(r.stdout).toMatch(/DANGEROUS\s+models\/legacy\/old\.bin \(pickle, 34 B, baselined\)/);
    const q = cli(['scan', '--quiet', '--baseline', '.picklegate-baseline.json', 'models'], { cwd: repo });
    expect(q.stdout).toMatch(/new\.pkl/);
    expect(q.stdout).not.toMatch(/legacy/);
  });

  test('a changed file is judged in full, even when its findings look the same', () => {
    writeBaseline();
    const f = path.join(repo, 'models', 'legacy', 'old.bin');
    const bytes = fs.readFileSync(f);
    const at = bytes.indexOf('pwned');
    expect(at).toBeGreaterThan(0);
    bytes.write('owned', at, 'latin1'); // same length: same opcodes, same offsets, another payload
    fs.writeFileSync(f, bytes);
    const r = cli(['scan', '--format', 'json', '--baseline', '.picklegate-baseline.json', 'models'], { cwd: repo });
    expect(r.code).toBe(1);
    const file = json(r).files.find((x: { path: string }) => x.path === 'models/legacy/old.bin');
    expect(file.findings[0]).toMatchObject({ code: 'DENIED_GLOBAL', offset: 2 });
    expect(file.findings[0].baselined).toBeUndefined();
    expect(json(r).summary).toMatchObject({ rejected: 1, baselined: 2, exitCode: 1 });
  });

  test('a finding the baseline does not record fails the unchanged file that has it', () => {
    writeBaseline();
    const b = readBaseline();
    const opener = b.files.find((f: { path: string }) => f.path === 'models/legacy/opener.pkl');
    expect(opener.findings.length).toBeGreaterThan(1);
    const dropped = opener.findings.pop();
    fs.writeFileSync(baselineFile(), JSON.stringify(b));
    const r = cli(['scan', '--format', 'json', '--baseline', '.picklegate-baseline.json', 'models'], { cwd: repo });
    const file = json(r).files.find((x: { path: string }) => x.path === 'models/legacy/opener.pkl');
    const unmarked = file.findings.filter((f: { baselined?: boolean; severity: string }) => !f.baselined && f.severity !== 'info');
    expect(unmarked).toEqual([expect.objectContaining({ code: dropped.code, rule: dropped.rule, offset: dropped.offset })]);
    // it fails if that finding alone is enough to reject the file
    expect(r.code).toBe(1);
    expect(json(r).summary.rejected).toBe(1);
  });

  test('--fail-on dangerous: a new suspicious finding does not fail, a new dangerous one does', () => {
    writeBaseline();
    fs.copyFileSync(path.join(SAMPLES, 'malformed', fs.readdirSync(path.join(SAMPLES, 'malformed')).find((f) => f.startsWith('truncated_p2_before_stop'))!), path.join(repo, 'models', 'cut.pkl'));
    expect(cli(['scan', '--fail-on', 'dangerous', '--baseline', '.picklegate-baseline.json', 'models'], { cwd: repo }).code).toBe(0);
    expect(cli(['scan', '--baseline', '.picklegate-baseline.json', 'models'], { cwd: repo }).code).toBe(1);
    fs.copyFileSync(path.join(SAMPLES, 'malicious', 'builtins_eval_p4.pkl'), path.join(repo, 'models', 'new.pkl'));
    expect(cli(['scan', '--fail-on', 'dangerous', '--baseline', '.picklegate-baseline.json', 'models'], { cwd: repo }).code).toBe(1);
  });

  test('JSON: baselined findings and summary, valid against the closed CLI schema', () => {
    writeBaseline();
    fs.copyFileSync(path.join(SAMPLES, 'malicious', 'builtins_eval_p4.pkl'), path.join(repo, 'models', 'new.pkl'));
    const r = cli(['scan', '--format', 'json', '--baseline', '.picklegate-baseline.json', 'models'], { cwd: repo });
    const doc = json(r);
    const { cli: validate } = closedValidators();
    expect([validate(doc), explain(validate.errors, doc)]).toEqual([true, '']);
    expect(doc.summary).toEqual({ files: 5, safe: 1, suspicious: 0, dangerous: 4, errors: 0, rejected: 1, baselined: 3, exitCode: 1 });
    const byPath = Object.fromEntries(doc.files.map((f: { path: string }) => [f.path, f]));
    expect(byPath['models/new.pkl'].findings.every((f: { baselined?: boolean }) => f.baselined === undefined)).toBe(true);
    expect(byPath['models/legacy/old.pt'].findings[0].baselined).toBe(true);
    // members share their file's findings, so they are marked too
    const member = byPath['models/legacy/old.pt'].members.find((m: { name: string }) => m.name === 'archive/data/1');
    expect(member.findings[0].baselined).toBe(true);
    // without --baseline the field never appears
    const plain = json(cli(['scan', '--format', 'json', 'models'], { cwd: repo }));
    expect(JSON.stringify(plain)).not.toMatch(/baselined/);
    expect(plain.summary.baselined).toBeUndefined();
  });

  test('SARIF: baselineState on every result, baselined ones suppressed', () => {
    writeBaseline();
    fs.copyFileSync(path.join(SAMPLES, 'malicious', 'builtins_eval_p4.pkl'), path.join(repo, 'models', 'new.pkl'));
    const r = cli(['scan', '--format', 'sarif', '--baseline', '.picklegate-baseline.json', 'models'], { cwd: repo });
    expect(r.code).toBe(1);
    const results = JSON.parse(r.stdout).runs[0].results as { baselineState: string; suppressions?: unknown[]; locations: { physicalLocation: { artifactLocation: { uri: string } } }[]; level: string }[];
    const uri = (x: (typeof results)[0]) => x.locations[0]!.physicalLocation.artifactLocation.uri;
    const fresh = results.filter((x) => uri(x) === 'models/new.pkl');
    const legacy = results.filter((x) => uri(x).startsWith('models/legacy/') && x.level !== 'note');
    expect(fresh.length).toBeGreaterThan(0);
    expect(legacy.length).toBeGreaterThan(2);
    for (const x of fresh) expect([x.baselineState, x.suppressions]).toEqual(['new', undefined]);
    for (const x of legacy) expect(x).toMatchObject({ baselineState: 'unchanged', suppressions: [{ kind: 'external', status: 'accepted' }] });
  });

  test('a missing or invalid baseline is an error (exit 2), never a silent pass', () => {
    fs.copyFileSync(path.join(SAMPLES, 'malicious', 'builtins_eval_p4.pkl'), path.join(repo, 'models', 'new.pkl'));
    expect(cli(['scan', '--baseline', 'nope.json', 'models'], { cwd: repo })).toMatchObject({ code: 2, stderr: expect.stringMatching(/cannot read baseline nope\.json: ENOENT/) });
    fs.writeFileSync(baselineFile(), '{');
    expect(cli(['scan', '--baseline', '.picklegate-baseline.json', 'models'], { cwd: repo })).toMatchObject({ code: 2, stderr: expect.stringMatching(/not valid JSON/) });
    fs.writeFileSync(baselineFile(), JSON.stringify({ version: 1, tool: { name: 'picklegate', version: '0' }, policy: 'default', files: [{ path: 'x', sha256: 'abc', verdict: 'dangerous', findings: [] }] }));
    expect(cli(['scan', '--baseline', '.picklegate-baseline.json', 'models'], { cwd: repo })).toMatchObject({ code: 2, stderr: expect.stringMatching(/files\[0\]\.sha256/) });
  });

  test('a baseline written under another policy is used, with a warning; what that policy adds is new', () => {
    writeBaseline();
    const r = cli(['scan', '--format', 'json', '--policy', 'mxnet-states', '--baseline', '.picklegate-baseline.json', 'models/legacy/old.bin'], { cwd: repo });
    expect(r.stderr).toMatch(/warning: the baseline was written with policy default, this scan uses mxnet-states/);
    const findings = json(r).files[0].findings as { code: string; baselined?: true }[];
    expect(findings.map((f) => [f.code, f.baselined ?? false])).toEqual([
      ['DENIED_GLOBAL', true],
      ['OPTIMIZER_BOUND', false], // mxnet-states expects a states dict: a finding the default policy never made
    ]);
    expect(r.code).toBe(1);
  });

  test('--baseline with --write-baseline: judged by the old one, the new one written', () => {
    writeBaseline();
    fs.copyFileSync(path.join(SAMPLES, 'malicious', 'builtins_eval_p4.pkl'), path.join(repo, 'models', 'new.pkl'));
    const r = cli(['scan', '--baseline', '.picklegate-baseline.json', '--write-baseline', 'next.json', 'models'], { cwd: repo });
    expect(r.code).toBe(1);
    const next = JSON.parse(fs.readFileSync(path.join(repo, 'next.json'), 'utf8'));
    expect(next.files.map((f: { path: string }) => f.path)).toContain('models/new.pkl');
    expect(cli(['scan', '--baseline', 'next.json', 'models'], { cwd: repo }).code).toBe(0);
  });
});
