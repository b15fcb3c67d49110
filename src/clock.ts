/**
 * Milliseconds from an arbitrary origin, for the reports' `timeMs`. Node's `process.hrtime` where
 * there is one (the `performance` global loads Node's perf_hooks on first use, a millisecond of CLI
 * start-up), `performance.now()` elsewhere (browsers).
 */
export const now: () => number =
  typeof process !== 'undefined' && typeof process.hrtime?.bigint === 'function' ? () => Number(process.hrtime.bigint()) / 1e6 : () => performance.now();
