/**
 * Mutation-based differential slice: 2,000 structure-aware mutants of the samples (plus random
 * pickles from the CPython generator, mutated). Wherever pickletools.genops parses a mutant (1,188 of
 * the 2,000 when written), our
 * readOps stream must be the same, op for op (modulo genops' own decoding quirks, see
 * test/fuzz/compare.js); where readOps refuses number text genops accepts, CPython's unpickler
 * must refuse it too. The globals we report stay a superset of what CPython's unpickler resolves.
 */
import { scan } from '../../src';
import { findClass, genops, manifestFiles, randomPickles, sampleFiles } from '../support/oracle';
import { cpythonGlobals, cpythonRefusesProbe, mutator, rng, streamMismatch } from './fuzz-support';

const N = 2000;
const seedSamples = sampleFiles(['benign', 'malicious', 'mxnet/wire-py311', 'mxnet/states']);
const seeds = [...seedSamples.map(([, b]) => b), ...randomPickles(100, 11)].filter((b) => b.length < 1 << 16);
const r = rng(20260606);
const mutants: Uint8Array[] = [];
for (let i = 0; i < N; i++) mutants.push(mutator.mutate(r, r.pick(seeds), r.pick(seeds)).bytes);
// Minimums, a little under what was measured when written (1,188 parsed by genops, 1,878 not RESOURCE_HOSTILE):
// far fewer would mean the mutator or the oracle changed and the slice proves less than its titles say.
const MIN_PARSED = 1100;
const MIN_NOT_HOSTILE = 1800;

test('the mutants come from every seed sample the manifest lists: 484 samples and 100 random pickles', () => {
  expect(seedSamples.map(([f]) => f).sort()).toEqual(manifestFiles(['benign', 'malicious', 'mxnet/wire-py311', 'mxnet/states']));
  expect(seedSamples.length).toBeGreaterThanOrEqual(484);
  expect(seeds.length).toBeGreaterThanOrEqual(580); // the few of 64 KiB and more are left out
});

test(`readOps equals genops op for op on every one of the ${N} mutants genops parses (at least ${MIN_PARSED})`, () => {
  const oracle = genops(mutants);
  const mismatches: string[] = [];
  const probes: { i: number; probe: Uint8Array }[] = [];
  let parsed = 0;
  mutants.forEach((bytes, i) => {
    const want = oracle[i]!;
    if (!want.ok) return;
    parsed++;
    const why = streamMismatch(bytes, want);
    if (why && typeof why === 'object') probes.push({ i, probe: why.lenient });
    else if (why) mismatches.push(`#${i} (${Buffer.from(bytes).toString('base64').slice(0, 80)}): ${why}`);
  });
  const probeResults = findClass(probes.map((p) => p.probe));
  probes.forEach((p, k) => {
    if (!cpythonRefusesProbe(probeResults[k])) mismatches.push(`#${p.i}: readOps refuses ${JSON.stringify(Buffer.from(p.probe).toString('latin1'))}, CPython loads it`);
  });
  expect(mismatches).toEqual([]);
  expect(oracle).toHaveLength(N);
  expect(parsed).toBeGreaterThanOrEqual(MIN_PARSED);
});

test(`reported globals are a superset of what CPython resolves on every one of the ${N} mutants not RESOURCE_HOSTILE (at least ${MIN_NOT_HOSTILE})`, () => {
  // Mutants we call RESOURCE_HOSTILE (e.g. a LONG_BINPUT to index 10^9) are exactly the ones that make
  // CPython's unpickler slow; they are left out so the oracle run stays short.
  const reports = mutants.map((b) => scan(b));
  const idx = mutants.map((_, i) => i).filter((i) => !reports[i]!.findings.some((f) => f.code === 'RESOURCE_HOSTILE'));
  expect(idx.length).toBeGreaterThanOrEqual(MIN_NOT_HOSTILE);
  const oracle = findClass(idx.map((i) => mutants[i]!));
  expect(oracle).toHaveLength(idx.length);
  const missing: string[] = [];
  idx.forEach((i, k) => {
    const r = reports[i]!;
    const ours = new Set(r.globals.map((g) => `${g.module} ${g.name}`));
    const res = oracle[k]!;
    for (const [m, n] of res.globals) if (!ours.has(`${m} ${n}`)) missing.push(`#${i}: CPython resolves ${m} ${n}, we did not report it`);
    // imports inside nested pickles (pickle.loads of a string) are named in a NESTED_PICKLE* finding
    const nested = cpythonGlobals(res).slice(res.globals.length);
    const text = r.findings.map((f) => f.message).join('\n');
    for (const [m, n] of nested) if (!ours.has(`${m} ${n}`) && !text.includes(`${m}.${n}`)) missing.push(`#${i}: CPython resolves ${m} ${n} in a nested pickle, no finding names it`);
  });
  expect(missing).toEqual([]);
});
