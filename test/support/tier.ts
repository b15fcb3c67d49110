/**
 * Test tiers. `npm run test:quick` (jest.quick.config.js) sets PICKLEGATE_QUICK=1; the few heavy
 * per-sample suites it keeps then run on a stated, deterministic share of their inputs, and say so in
 * their titles. `npm test` (CI) always runs everything.
 */
export const QUICK = process.env.PICKLEGATE_QUICK === '1';

/** Every `n`th item in the quick tier (from the first), all of them otherwise. */
export function everyNthWhenQuick<T>(items: readonly T[], n: number): T[] {
  return QUICK ? items.filter((_, i) => i % n === 0) : [...items];
}
