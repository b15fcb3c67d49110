/**
 * Time is linear in the input (README, "Robustness"): on inputs that are read to the end, the growth
 * exponent of the running time (slope of log time over log size, test/robustness/growth.ts) stays below
 * 1.3 over a 16x range of sizes. Quadratic work has an exponent of 2; the harness is checked on
 * deliberately linear and quadratic functions first, so a pass here means something.
 */
import { readOps, scan } from '../../src';
import { growthExponent, spin, type Growth } from './growth';

const LIMIT = 1.3;
const SIZES = (base: number) => [1, 2, 4, 8, 16].map((x) => x * base);
/** Fails with the measured exponent and points in the message. */
const expectBelow = (g: Growth, limit: number) => expect({ below: g.exponent < limit, ...g }).toEqual({ below: true, ...g });
const expectAbove = (g: Growth, limit: number) => expect({ above: g.exponent > limit, ...g }).toEqual({ above: true, ...g });

describe('the growth-exponent harness tells linear from quadratic', () => {
  // growthExponent, as the real tests use it: its one re-measurement cannot rescue quadratic work
  test('linear work measures about 1', () => {
    const g = growthExponent(SIZES(1000), (n) => n, (n) => spin(n * 1000), LIMIT);
    expectAbove(g, 0.8);
    expectBelow(g, LIMIT);
  });
  test('quadratic work measures about 2, far above the limit', () => {
    const g = growthExponent(SIZES(1000), (n) => n, (n) => spin(n * n * 0.125), LIMIT);
    expectAbove(g, 1.8);
  });
  test('linear work plus a quadratic term that only catches up at the middle size is still above the limit', () => {
    const g = growthExponent(SIZES(1000), (n) => n, (n) => spin(n * 500) + spin(n * n * 0.125), LIMIT);
    expectAbove(g, LIMIT);
  });
});

/** Streams read to the end (asserted through the opcode count), so the time measured is the time of all of it. */
const markDupAppends = (n: number) => {
  // [] memoized, then n times: MARK, BINGET 0 (the list), DUP, APPENDS: the list grows with itself
  const b = new Uint8Array(4 + 5 * n + 1);
  b.set([0x80, 4, 0x5d, 0x94]);
  for (let i = 0; i < n; i++) b.set([0x28, 0x68, 0x00, 0x32, 0x65], 4 + 5 * i);
  b[b.length - 1] = 0x2e;
  return { bytes: b, opcodes: 4 * n + 4 };
};
const memoized = (n: number) => {
  // [ then n times: BININT1 7, MEMOIZE; APPENDS
  const b = new Uint8Array(5 + 3 * n + 2);
  b.set([0x80, 4, 0x5d, 0x94, 0x28]);
  for (let i = 0; i < n; i++) b.set([0x4b, 7, 0x94], 5 + 3 * i);
  b.set([0x65, 0x2e], 5 + 3 * n);
  return { bytes: b, opcodes: 2 * n + 6 };
};
const protocol0Ints = (n: number) => {
  // (l then n times: I<i>\n a; a protocol 0 list of n ints, as Python 2 writes them
  const parts = ['(l'];
  for (let i = 0; i < n; i++) parts.push(`I${i}\na`);
  parts.push('.');
  return { bytes: Buffer.from(parts.join(''), 'latin1'), opcodes: 2 * n + 3 };
};
const stringLine = (n: number) => ({ bytes: Buffer.concat([Buffer.from("S'"), Buffer.alloc(n, 0x61), Buffer.from("'\n.")]), opcodes: 2 });
const unicodeLine = (n: number) => ({ bytes: Buffer.concat([Buffer.from('V'), Buffer.alloc(n, 0x61), Buffer.from('\n.')]), opcodes: 2 });

describe(`time grows linearly with the input: growth exponent below ${LIMIT} over a 16x size range`, () => {
  test.each([
    ['scan(): a list appended to itself through MARK/BINGET/DUP/APPENDS, 12.5k-200k rounds', SIZES(12_500), markDupAppends],
    ['scan(): 80k-1.28M memoized ints', SIZES(80_000), memoized],
    ['scan(): a protocol 0 list of 2.5k-40k INT lines', SIZES(2_500), protocol0Ints],
    ['scan(): one protocol 0 STRING line of 1-16 MB (regression: was quadratic)', SIZES(1_000_000), stringLine],
  ] as const)('%s', (_name, sizes, make) => {
    for (const n of [sizes[0], sizes[sizes.length - 1]]) {
      const { bytes, opcodes } = make(n);
      expect(scan(bytes).counts.opcodes).toBe(opcodes);
    }
    const g = growthExponent(sizes, (n) => make(n).bytes, (b) => scan(b), LIMIT);
    expectBelow(g, LIMIT);
  });

  test('readOps(): one protocol 0 UNICODE line of 1-16 MB (regression: was decoded byte by byte)', () => {
    const count = (b: Uint8Array) => {
      let n = 0;
      for (const op of readOps(b)) if (op) n++;
      return n;
    };
    expect(count(unicodeLine(1_000_000).bytes)).toBe(2);
    const g = growthExponent(SIZES(1_000_000), (n) => unicodeLine(n).bytes, count, LIMIT);
    expectBelow(g, LIMIT);
  });
});
