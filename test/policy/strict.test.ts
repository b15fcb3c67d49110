/**
 * The `strict` tier: the default policy with a smaller trusted base. Its rules are default's without
 * the long-tail hand reviews, and the catalogue allows only for the core libraries; every denial of
 * default stands. So nothing strict accepts is refused by default, every real file of a core library
 * that default accepts is accepted, and a long-tail class is suspicious, with a reason that says why.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compilePolicy, getPolicy, scan, scanFile, type Verdict } from '../../src';
import { CORE_LIBRARIES } from '../../src/policy/builtin';
import { REVIEWED_ALLOW } from '../../src/policy/builtin/allowlist';
import { P } from '../support/pickle-builder';

const SAMPLES = path.join(__dirname, '..', '..', 'samples');
const RANK: Record<Verdict, number> = { safe: 0, suspicious: 1, dangerous: 2 };

/** A protocol-2 pickle of `module.name()` rebuilt with NEWOBJ and no state. */
const rebuilt = (module: string, name: string) => new P().proto(2).global(module, name).emptyTuple().newobj().stop().done();

describe('the strict policy', () => {
  const strict = getPolicy('strict');
  const def = getPolicy('default');

  test("its rules are default's without the long-tail reviews, and its catalogue tier is the core libraries", () => {
    const reviewed = new Set(REVIEWED_ALLOW.map((r) => JSON.stringify(r)));
    const kept = def.spec.rules.filter((r) => !reviewed.has(JSON.stringify(r)));
    expect(kept.length).toBe(def.spec.rules.length - REVIEWED_ALLOW.length);
    expect(strict.spec.rules).toEqual(kept);
    expect(strict.spec.catalogue).toBe(true);
    expect(strict.spec.catalogueLibraries).toEqual([...CORE_LIBRARIES]);
    expect(def.spec.catalogueLibraries).toBeUndefined();
  });

  test("outside the tier a class keeps its catalogue guards: a call they refuse is as severe as under default", () => {
    // shapely 1.8's Polygon(1) reaches ctypes.cast: its call guard admits it only without arguments
    const called = new P().proto(2).global('shapely.geometry.polygon', 'Polygon').binint1(1).tuple1().reduce().stop().done();
    expect(scan(called, { policy: 'default' }).verdict).toBe('dangerous');
    expect(scan(called, { policy: 'strict' }).verdict).toBe('dangerous');
  });

  test('a safe class of a long-tail library is allowed by default and suspicious under strict, saying why', () => {
    const pkl = rebuilt('networkx.classes.graph', 'Graph');
    expect(scan(pkl, { policy: 'default' }).verdict).toBe('safe');
    const r = scan(pkl, { policy: 'strict' });
    expect(r.verdict).toBe('suspicious');
    expect(r.accepted).toBe(false);
    expect(r.findings.map((x) => `${x.code}/${x.rule}`)).toEqual(['UNLISTED_GLOBAL/outside-tier']);
    expect(r.findings[0]!.message).toMatch(/^GLOBAL imports networkx\.classes\.graph\.Graph, which the policy does not allow: catalogued in networkx .*; but policy strict admits only the catalogues of numpy, scipy, pandas, sklearn, joblib, torch, torchvision, torchaudio$/);
  });

  test('a hand-reviewed long-tail class (sortedcontainers) is suspicious under strict', () => {
    const pkl = new P().proto(2).global('sortedcontainers.sortedlist', 'SortedList').emptyList().none().tuple2().reduce().stop().done();
    expect(scan(pkl, { policy: 'default' }).verdict).toBe('safe');
    expect(scan(pkl, { policy: 'strict' }).verdict).toBe('suspicious');
  });

  test('a gadget of a long-tail library is still dangerous under strict', () => {
    const pkl = new P().proto(2).global('toolz.functoolz', '_restore_curry').emptyTuple().reduce().stop().done();
    expect(scan(pkl, { policy: 'strict' }).verdict).toBe('dangerous');
  });

  test("a core library class no rule lists stays allowed by the catalogue, which says so", () => {
    const r = scan(rebuilt('scipy.spatial._kdtree', 'KDTree'), { policy: 'strict' });
    expect(r.verdict).toBe('safe');
    expect(r.globals[0]!.reason).toMatch(/^catalogued in scipy /);
  });

  test('a policy extending strict can add a library to the tier', () => {
    const p = compilePolicy({ name: 'strict-plus-networkx', extends: 'strict', catalogueLibraries: [...CORE_LIBRARIES, 'networkx'] });
    expect(scan(rebuilt('networkx.classes.graph', 'Graph'), { policy: p }).verdict).toBe('safe');
    expect(scan(rebuilt('sympy.core.symbol', 'Symbol'), { policy: p }).verdict).not.toBe('safe');
  });

  test('no sample of the corpus gets a milder verdict under strict than under default', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(SAMPLES, 'manifest.json'), 'utf8')) as { samples: { file: string; category: string }[] };
    const milder: string[] = [];
    for (const s of manifest.samples) {
      const bytes = fs.readFileSync(path.join(SAMPLES, s.file));
      const d = scan(bytes, { policy: 'default' });
      const r = scan(bytes, { policy: 'strict' });
      if (RANK[r.verdict] < RANK[d.verdict] || (r.accepted && !d.accepted)) milder.push(`${s.file}: ${r.verdict} under strict, ${d.verdict} under default`);
    }
    expect(milder).toEqual([]);
  });

  test('every malicious sample is rejected under strict', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(SAMPLES, 'manifest.json'), 'utf8')) as { samples: { file: string; category: string }[] };
    const malicious = manifest.samples.filter((s) => s.category === 'malicious');
    expect(malicious.length).toBeGreaterThan(80);
    expect(malicious.filter((s) => scan(fs.readFileSync(path.join(SAMPLES, s.file)), { policy: 'strict' }).accepted).map((s) => s.file)).toEqual([]);
  });

  test('the real files of the core libraries that default accepts are accepted under strict; no code-carrying or user-class file is', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(SAMPLES, 'real', 'manifest.json'), 'utf8')) as { files: { path: string; library: string; label: string }[] };
    const core = new Set<string>([...CORE_LIBRARIES, 'stdlib']);
    const coreFiles = manifest.files.filter((f) => f.label === 'benign-library' && core.has(f.library));
    expect(coreFiles.length).toBeGreaterThan(400);
    const refused: string[] = [];
    for (const f of coreFiles) {
      const file = path.join(SAMPLES, 'real', f.path);
      if ((await scanFile(file, { policy: 'strict' })).accepted) continue;
      if ((await scanFile(file, { policy: 'default' })).accepted) refused.push(f.path);
    }
    expect(refused).toEqual([]);
    const bad = manifest.files.filter((f) => f.label !== 'benign-library');
    const accepted: string[] = [];
    for (const f of bad) if ((await scanFile(path.join(SAMPLES, 'real', f.path), { policy: 'strict' })).accepted) accepted.push(f.path);
    expect(accepted).toEqual([]);
  }, 120_000);
});
