/**
 * Node built-in modules that only some scans need, loaded on first use. A one-file scan from the
 * command line should pay only for what that file needs: the zlib binding, worker threads (streaming
 * inflate), crypto (spool names, baselines) and os (the temporary directory) cost milliseconds each
 * to load, and most files need none of them.
 *
 * Kept in one place so that start-up cost stays reviewable: a `node:` module imported at the top
 * level anywhere else is loaded by every run of the CLI. test/cli/startup.test.ts asserts which
 * built-in modules a one-file scan loads.
 */

function once<T>(load: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= load());
}

// The require calls are written out literally so that bundlers (the CLI bundle, the browser build)
// see and map each one.
export const zlib = once(() => require('node:zlib') as typeof import('node:zlib'));
export const workerThreads = once(() => require('node:worker_threads') as typeof import('node:worker_threads'));
export const crypto = once(() => require('node:crypto') as typeof import('node:crypto'));
export const os = once(() => require('node:os') as typeof import('node:os'));
