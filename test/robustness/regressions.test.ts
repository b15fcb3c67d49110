/**
 * Regression samples (samples/regressions/manifest.json: one JSON object per line, written by the fuzz
 * campaign or by hand): each keeps its expected verdict, is never accepted when it should not be, and
 * both scan() and readOps() finish within the sample's time bound.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readOps, scan } from '../../src';

interface Entry { file: string; kind: string; policy?: string; expect?: Record<string, string>; codes?: string[]; maxMs?: number }
const DIR = join(__dirname, '../../samples/regressions');
const entries: Entry[] = readFileSync(join(DIR, 'manifest.json'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Entry);

test('the manifest lists regression samples', () => {
  expect(entries.length).toBeGreaterThan(0);
});

test.each(entries.map((e) => [e.file, e] as const))('%s', (_file, e) => {
  const bytes = new Uint8Array(readFileSync(join(DIR, e.file)));
  const bound = (e.maxMs ?? 2000) * 3; // loose: CI hosts are slower than the machine that measured it
  const policies = e.expect ? Object.keys(e.expect) : [e.policy ?? 'default'];
  for (const policy of policies) {
    const t0 = performance.now();
    const r = scan(bytes, { policy });
    expect(performance.now() - t0).toBeLessThan(bound);
    expect(r.findings.filter((f) => f.code === 'ANALYSIS_ERROR').map((f) => f.message)).toEqual([]);
    if (e.expect) expect(r.verdict).toBe(e.expect[policy]);
    if (e.kind === 'accept' || e.expect?.[policy] !== 'safe') expect(r.accepted).toBe(false);
    for (const c of e.codes ?? []) expect(r.findings.map((f) => f.code)).toContain(c);
  }
  const t0 = performance.now();
  try {
    for (const op of readOps(bytes)) void op;
  } catch {
    /* a ReadOpsError is fine; a hang is not */
  }
  expect(performance.now() - t0).toBeLessThan(bound);
});
