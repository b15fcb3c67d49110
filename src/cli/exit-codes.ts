/**
 * Exit codes of `picklegate scan`, and how they combine over many files.
 *
 *   0  every file was checked and accepted
 *   1  at least one file was rejected (even if other files had errors: a rejection is never masked)
 *   2  nothing was rejected, but a file could not be checked (I/O error, not a regular file,
 *      symlink out of the tree), or the command line / policy was invalid
 */
import type { FileResult } from '../containers/result';

export const EXIT_OK = 0;
export const EXIT_REJECTED = 1;
export const EXIT_ERROR = 2;

export type FailOn = 'suspicious' | 'dangerous';

/** A file fails when the policy does not accept it, or with `--fail-on dangerous` only when it is dangerous. */
export function isRejected(r: FileResult, failOn: FailOn): boolean {
  if (r.error) return false;
  return failOn === 'dangerous' ? r.verdict === 'dangerous' : !r.accepted;
}

/** `fails` replaces `isRejected` when a baseline is in use (see baseline.ts). */
export function exitCodeFor(results: readonly FileResult[], failOn: FailOn, fails: (r: FileResult) => boolean = (r) => isRejected(r, failOn)): number {
  if (results.some(fails)) return EXIT_REJECTED;
  if (results.some((r) => r.error)) return EXIT_ERROR;
  return EXIT_OK;
}
