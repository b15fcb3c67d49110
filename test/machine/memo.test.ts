/** The memo's dense fast path must behave exactly like the Map it replaced. */
import { Memo } from '../../src/machine/memo';
import { intValue, type Value } from '../../src/machine/values';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function check(seed: number, steps: number): void {
  const rand = rng(seed);
  const memo = new Memo();
  const ref = new Map<number, Value>();
  const pick = (): number => {
    const r = rand();
    if (r < 0.45) return ref.size; // MEMOIZE / the next PUT index
    if (r < 0.7) return Math.floor(rand() * (ref.size + 8)); // overwrite or a small gap
    if (r < 0.8) return ref.size + Math.floor(rand() * 5000); // beyond the dense slack
    if (r < 0.85) return Math.floor(rand() * 2 ** 32); // LONG_BINPUT anywhere
    if (r < 0.9) return [-1, 2 ** 32, Number.MAX_SAFE_INTEGER, 1.5, 2 ** 40][Math.floor(rand() * 5)]!;
    return Math.floor(rand() * 3000);
  };
  const bad: string[] = [];
  for (let i = 0; i < steps; i++) {
    const idx = pick();
    if (rand() < 0.6) {
      const v = intValue(i);
      memo.set(idx, v);
      ref.set(idx, v);
      if (memo.size !== ref.size) bad.push(`step ${i}: size ${memo.size} != ${ref.size}`);
    } else if (memo.get(idx) !== ref.get(idx)) bad.push(`step ${i}: get(${idx})`);
  }
  for (const [k, v] of ref) if (memo.get(k) !== v) bad.push(`final get(${k})`);
  for (let k = 0; k < 4000; k++) if (memo.get(k) !== ref.get(k)) bad.push(`final get(${k})`);
  expect(bad.slice(0, 5)).toEqual([]);
}

describe('Memo', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('agrees with a Map (seed %i)', (seed) => check(seed, 20_000));

  it('takes over far-off entries when the dense part grows to them', () => {
    const memo = new Memo();
    const a = intValue(1);
    const b = intValue(2);
    memo.set(3000, a); // sparse: beyond the slack
    for (let i = 0; i < 2990; i++) memo.set(i, b);
    expect(memo.size).toBe(2991);
    memo.set(2995, b); // grows the dense part across 2990..2994, then 3000 stays sparse
    memo.set(3000, b);
    expect(memo.size).toBe(2992);
    memo.set(3001, a); // dense growth over 2996..3000 must move entry 3000
    expect(memo.get(3000)).toBe(b);
    expect(memo.size).toBe(2993);
  });
});
