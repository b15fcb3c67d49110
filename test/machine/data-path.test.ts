/**
 * The data path (typed arrays, no symbolic values) must never change a report: on every sample, on
 * random pickles and on mutations of them, scanning with and without it gives the same findings,
 * imports, calls and pickle summaries.
 */
import { DEFAULT_LIMITS, getPolicy } from '../../src';
import { Machine } from '../../src/machine/machine';
import { manifestFiles, randomPickles, sampleFiles } from '../support/oracle';
import { P } from '../support/pickle-builder';
import { QUICK } from '../support/tier';

function run(bytes: Uint8Array, dataPath: boolean, limits = DEFAULT_LIMITS) {
  const m = new Machine(bytes, { policy: getPolicy('default'), limits, baseOffset: 0, depth: 0, dataPath });
  m.run();
  return JSON.stringify({ findings: m.rec.findings, globals: m.rec.globals, calls: m.rec.calls, pickles: m.pickles, limit: m.limitHit });
}

function mutate(b: Uint8Array, seed: number): Uint8Array {
  let x = seed * 2654435761;
  const rnd = (n: number) => {
    x = (x * 1103515245 + 12345) >>> 0;
    return x % Math.max(1, n);
  };
  const out = Buffer.from(b);
  switch (seed % 3) {
    case 0: out[rnd(out.length)] ^= 1 << rnd(8); return out;
    case 1: return out.subarray(0, rnd(out.length));
    default: {
      const i = rnd(out.length);
      return Buffer.concat([out.subarray(0, i), Buffer.from([[0x28, 0x30, 0x31, 0x32, 0x94, 0x74, 0x65, 0x73, 0x2e][rnd(9)]!]), out.subarray(i)]);
    }
  }
}

// the quick tier (npm run test:quick) mutates each sample once instead of 3 times
const MUTATIONS = QUICK ? 1 : 3;

test(`same reports with and without the data path on all 535 samples and ${MUTATIONS} mutation(s) of each`, () => {
  const files = sampleFiles();
  expect(files.map(([f]) => f).sort()).toEqual(manifestFiles());
  expect(files.length).toBeGreaterThanOrEqual(535);
  const inputs = files.map(([, b]) => b);
  const differ: number[] = [];
  inputs.forEach((b, i) => {
    if (run(b, true) !== run(b, false)) differ.push(i);
    for (let k = 0; k < MUTATIONS; k++) {
      const m = mutate(b, i * 3 + k);
      if (run(m, true) !== run(m, false)) differ.push(-(i * 3 + k));
    }
  });
  expect(differ).toEqual([]);
});

test('same reports on 400 random pickles and a mutation of each', () => {
  const inputs = randomPickles(400, 21);
  let same = 0;
  inputs.forEach((b, i) => {
    expect(run(b, true)).toBe(run(b, false));
    const m = mutate(b, i);
    expect(run(m, true)).toBe(run(m, false));
    same++;
  });
  expect(same).toBe(400);
});

test('limits are judged the same way by both paths', () => {
  const limits = { ...DEFAULT_LIMITS, maxOpcodes: 50, maxStack: 20, maxNesting: 5, maxMemo: 10, maxObjectDepth: 4, maxIntDigits: 5 };
  const cases = [
    new P().proto(2).emptyList().binput(0).mark().int(1).int(2).int(3).appends().stop().done(),
    new P().proto(2).mark().mark().mark().mark().mark().mark().none().tuple().stop().done(),
    new P().proto(2).none().tuple1().tuple1().tuple1().tuple1().tuple1().stop().done(),
    new P().int('1234567').stop().done(),
    (() => { const p = new P().proto(2).mark(); for (let i = 0; i < 30; i++) p.none(); return p.list().stop().done(); })(),
    (() => { const p = new P().proto(2); for (let i = 0; i < 12; i++) p.none().binput(i).pop(); return p.none().stop().done(); })(),
  ];
  for (const b of cases) expect(run(b, true, limits)).toBe(run(b, false, limits));
});

test('a memo index first kept sparse, then inside the grown dense table, is one entry (PUT again does not count it twice)', () => {
  // PUT 1500 lies beyond the dense table and goes to the sparse map; PUT 1100 grows the table past 1500;
  // PUT 1500 again must find the entry, or MEMOIZE's next index (the memo's size) comes out one too high
  const p = new P().proto(4).none().longBinput(1500);
  for (let i = 0; i < 38; i++) p.memoize();
  p.longBinput(1100).longBinput(1500).memoize().pop().longBinget(41).stop();
  const bytes = p.done();
  const full = run(bytes, false);
  expect(full).toContain('MALFORMED');
  expect(run(bytes, true)).toBe(full);
});
