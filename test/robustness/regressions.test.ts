/**
 * Regression samples (samples/regressions/: a .pkl each and one JSON object per line in manifest.json).
 * Their provenance comes from the fuzz campaign or a person; what is checked here (verdicts, finding
 * codes, CPython's facts) is derived by samples/generate/gen_regressions.py from CPython's recording
 * unpickler and pickletools, never written by hand. Each sample keeps its derived verdict under every
 * built-in policy, and both scan() and readOps() finish within the sample's time bound (CPU time).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_LIMITS, readOps, scan, type Verdict } from '../../src';
import { ReadOpsError, type ReadOpsErrorDetail } from '../../src/pickle';
import { cpuMs } from '../support/cpu-time';

interface Entry {
  file: string;
  kind: string;
  maxMs?: number;
  sha256: string;
  size: number;
  cpython: { globals: string[]; loads: boolean; error?: string; genops: { ok: true; ops: number } | { ok: false; error: string } };
  expect: Record<string, Verdict>;
  codes: Record<string, string[]>;
}
const ROOT = join(__dirname, '../..');
const DIR = join(ROOT, 'samples/regressions');
const GENERATOR = join(ROOT, 'samples/generate/gen_regressions.py');
const POLICIES = ['default', 'mxnet-optimizer', 'mxnet-states'];
const READ_ERROR_CODES: readonly ReadOpsErrorDetail['code'][] = ['MALFORMED', 'TRUNCATED'];
const entries: Entry[] = readFileSync(join(DIR, 'manifest.json'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Entry);
const python = (...args: string[]) => execFileSync('python3', [GENERATOR, ...args], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });

describe('the regression manifest is complete and derived, not hand-written', () => {
  test('it lists every sample in the folder, and at least the 4 regressions committed so far', () => {
    const files = readdirSync(DIR).filter((f) => f !== 'manifest.json').sort();
    expect(entries.map((e) => e.file).sort()).toEqual(files);
    expect(entries.length).toBeGreaterThanOrEqual(4);
  });

  test('every entry is exactly what gen_regressions.py derives from CPython (rerun it after adding a sample)', () => {
    expect(python('--check')).toBe('');
  });

  test("the generator's limits are the library's defaults", () => {
    expect(JSON.parse(python('--limits'))).toEqual({ maxLineBytes: DEFAULT_LIMITS.maxLineBytes, maxIntDigits: DEFAULT_LIMITS.maxIntDigits });
  });
});

describe('each regression sample keeps its derived verdict and finding codes under every built-in policy, in bounded time', () => {
  test.each(entries.map((e) => [e.file, e] as const))('%s', (_file, e) => {
    const bytes = new Uint8Array(readFileSync(join(DIR, e.file)));
    expect({ sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length }).toEqual({ sha256: e.sha256, size: e.size });
    const bound = (e.maxMs ?? 2000) * 3; // loose: CI hosts are slower than the machine that measured it
    expect(Object.keys(e.expect).sort()).toEqual([...POLICIES].sort());
    for (const policy of POLICIES) {
      const t0 = cpuMs();
      const r = scan(bytes, { policy });
      expect(cpuMs() - t0).toBeLessThan(bound);
      expect(r.findings.filter((f) => f.code === 'ANALYSIS_ERROR').map((f) => f.message)).toEqual([]);
      expect({ policy, verdict: r.verdict, accepted: r.accepted }).toEqual({ policy, verdict: e.expect[policy], accepted: e.expect[policy] === 'safe' });
      expect(r.findings.map((f) => f.code)).toEqual(expect.arrayContaining(e.codes[policy]!));
    }
  });
});

describe('readOps on each regression sample: genops\' stream where genops parses it, else only a ReadOpsError, in bounded time', () => {
  test.each(entries.map((e) => [e.file, e] as const))('%s', (_file, e) => {
    const bytes = new Uint8Array(readFileSync(join(DIR, e.file)));
    const bound = (e.maxMs ?? 2000) * 3;
    if (e.cpython.genops.ok) expect([...readOps(bytes, { firstPickleOnly: true })].length).toBe(e.cpython.genops.ops);
    const t0 = cpuMs();
    let failure: unknown = null;
    try {
      for (const op of readOps(bytes)) void op;
    } catch (err) {
      failure = err;
    }
    expect(cpuMs() - t0).toBeLessThan(bound);
    if (failure !== null) {
      // the one way readOps may refuse input; a TypeError, RangeError or anything else is a crash
      expect(failure).toBeInstanceOf(ReadOpsError);
      expect(READ_ERROR_CODES).toContain((failure as ReadOpsError).detail.code);
    }
  });
});
