/**
 * Growth-exponent harness: how running time grows with input size, as the slope k of
 * log(time) = k·log(size) + c fitted by least squares. Linear work gives k ≈ 1, quadratic k ≈ 2.
 * Time is this process's CPU time (test/support/cpu-time.ts), so other load on the host does not
 * bend the curve.
 *
 * Noise: every size is warmed up once (JIT), then timed `repeats` times in interleaved rounds (so a
 * slow spell of the host hits all sizes alike) and its median is used. Sizes should span 16x or more
 * and the smallest should take a few milliseconds, so fixed costs do not flatten the slope.
 */
import { cpuMs } from '../support/cpu-time';

export interface Growth {
  exponent: number;
  /** [size, median CPU ms] per size, for the failure message. */
  points: [number, number][];
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export function slope(points: readonly (readonly [number, number])[]): number {
  const xs = points.map(([n]) => Math.log(n));
  const ys = points.map(([, t]) => Math.log(Math.max(t, 1e-3)));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * (ys[i]! - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

export function measureGrowth<T>(sizes: readonly number[], make: (n: number) => T, run: (input: T) => unknown, repeats = 5): Growth {
  const inputs = sizes.map(make);
  for (const x of inputs) run(x);
  const times: number[][] = sizes.map(() => []);
  for (let k = 0; k < repeats; k++) {
    inputs.forEach((x, i) => {
      const t0 = cpuMs();
      run(x);
      times[i]!.push(cpuMs() - t0);
    });
  }
  const points = sizes.map((n, i) => [n, Number(median(times[i]!).toFixed(3))] as [number, number]);
  return { exponent: Number(slope(points).toFixed(3)), points };
}

/**
 * The exponent, measured again once if the first measurement is at or above `limit` (a busy host
 * can spoil one measurement; it does not turn linear work quadratic twice in a row). Returns the lower.
 */
export function growthExponent<T>(sizes: readonly number[], make: (n: number) => T, run: (input: T) => unknown, limit: number): Growth {
  const first = measureGrowth(sizes, make, run);
  if (first.exponent < limit) return first;
  const second = measureGrowth(sizes, make, run);
  return second.exponent < first.exponent ? second : first;
}

/** Busy work of exactly `iterations` steps (the result is returned so it cannot be optimised away). */
export function spin(iterations: number): number {
  let x = 0x9e3779b9;
  for (let i = 0; i < iterations; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  return x;
}
