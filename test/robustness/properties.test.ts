/**
 * Property-based robustness of scan() (fast-check, bounded run counts):
 *  - any byte string gives a report, never an exception (time is checked in linear-time.test.ts, on
 *    inputs that are read to the end: random bytes stop at the first invalid opcode);
 *  - a report is accepted only for complete pickles whose every global the policy allows;
 *  - structure-aware mutants of benign samples that we accept never make CPython import anything
 *    the policy does not allow (checked in one batch with the find_class oracle).
 */
import fc from 'fast-check';
import { scan, type Report } from '../../src';
import { findClass, manifestFiles, sampleFiles } from '../support/oracle';
import { cpythonGlobals, mutator, rng } from './fuzz-support';

const POLICIES = ['default', 'mxnet-optimizer', 'mxnet-states'] as const;
const VERDICTS = new Set(['safe', 'suspicious', 'dangerous']);

/** Bytes drawn mostly from opcode bytes, digits, newlines and short names, so more inputs parse deeply. */
const OPCODE_BYTES = [...'(.0123456789NKJMILFSVXUCBRbcgphqjrtlsdaeu}])\x80\x81\x85\x86\x87\x88\x89\x8c\x8d\x8e\x8f\x90\x91\x92\x93\x94\x95\x96\x97\x98\x82\x83\x84\n'].map((c) => c.charCodeAt(0));
const pickleish = fc.array(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...OPCODE_BYTES) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) }), { maxLength: 600 }).map((a) => new Uint8Array(a));
const anyBytes = fc.oneof(fc.uint8Array({ maxLength: 2048 }), pickleish);

function invariants(bytes: Uint8Array, r: Report): void {
  expect(VERDICTS.has(r.verdict)).toBe(true);
  expect(r.size).toBe(bytes.length);
  // scan() reports its own failures as ANALYSIS_ERROR instead of throwing: none may happen
  expect(r.findings.filter((f) => f.code === 'ANALYSIS_ERROR')).toEqual([]);
  // every opcode is at least one byte of the input (nested pickles are inside string arguments)
  expect(r.counts.opcodes).toBeLessThanOrEqual(bytes.length);
  if (r.accepted) {
    expect(r.verdict).toBe('safe');
    expect(r.pickles.length).toBeGreaterThan(0);
    expect(r.pickles.every((p) => p.complete)).toBe(true);
    expect(r.globals.filter((g) => g.decision !== 'allow')).toEqual([]);
  }
  if (bytes.length === 0) expect(r.accepted).toBe(false);
}

describe('scan() on arbitrary bytes', () => {
  test('never throws; report invariants hold; accepted implies complete and all globals allowed', () => {
    fc.assert(
      fc.property(anyBytes, fc.constantFrom(...POLICIES), (bytes, policy) => {
        invariants(bytes, scan(bytes, { policy }));
      }),
      { numRuns: 1500, seed: 6 },
    );
  });
});

describe('structure-aware mutants of the samples', () => {
  const SEED_DIRS = ['benign', 'mxnet/wire-py311', 'mxnet/states'];
  const all = sampleFiles(SEED_DIRS);
  const seeds = all.filter(([, b]) => b.length < 1 << 18);
  const policyFor = (name: string) => (name.startsWith('mxnet/wire') ? 'mxnet-optimizer' : name.startsWith('mxnet/states') ? 'mxnet-states' : 'default');

  test('the seeds are every benign, MXNet wire and .states sample under 256 KiB (393 when written)', () => {
    expect(all.map(([f]) => f).sort()).toEqual(manifestFiles(SEED_DIRS));
    expect(seeds.length).toBeGreaterThanOrEqual(390);
  });

  // 254 of the 2,500 were accepted when written
  test('of 2,500 mutants, the accepted ones (at least 200) are complete and allowed, and CPython imports nothing the policy does not allow', () => {
    const accepted: { bytes: Uint8Array; report: Report; from: string; ops: string[] }[] = [];
    let cases = 0;
    fc.assert(
      fc.property(fc.nat(), fc.nat({ max: seeds.length - 1 }), fc.nat({ max: seeds.length - 1 }), (seed, i, j) => {
        const [name, base] = seeds[i]!;
        const m = mutator.mutate(rng(seed), base, seeds[j]![1]);
        const report = scan(m.bytes, { policy: policyFor(name) });
        cases++;
        invariants(m.bytes, report);
        if (report.accepted) accepted.push({ bytes: m.bytes, report, from: name, ops: m.ops });
      }),
      { numRuns: 2500, seed: 8 },
    );
    expect(cases).toBe(2500);
    expect(accepted.length).toBeGreaterThanOrEqual(200);
    const oracle = findClass(accepted.map((a) => a.bytes));
    expect(oracle).toHaveLength(accepted.length);
    const bad: string[] = [];
    accepted.forEach((a, k) => {
      const allowed = new Set(a.report.globals.filter((g) => g.decision === 'allow').map((g) => `${g.module} ${g.name}`));
      for (const [m, n] of cpythonGlobals(oracle[k]!)) if (!allowed.has(`${m} ${n}`)) bad.push(`${a.from} ${a.ops.join('+')}: CPython imports ${m} ${n}`);
    });
    expect(bad).toEqual([]);
  });
});
