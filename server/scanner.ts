/**
 * What judges a body, as the guard sees it: the job, its result, and the Scanner interface that
 * InlineScanner and ScanPool (scan-pool.ts) and the batch of inline scans (scan-batch.ts) implement
 * or use. Injectable: tests pass scanners of their own (a failing one proves fail-closed behaviour).
 */
import type { CompiledPolicy, ContainerLimits, Limits } from '../src';
import type { Body } from './body';
import type { BodyReport } from './scan-body';

/** One body to judge. */
export interface ScanJob {
  body: Body;
  policy: CompiledPolicy;
  /** The body's name: finding paths and format hint (default: see defaultBodyName). */
  name?: string;
  limits?: Partial<Limits>;
  containerLimits?: Partial<ContainerLimits>;
}

export interface ScanResult {
  report: BodyReport;
  /** Milliseconds spent waiting for a free worker. */
  queueMs: number;
  /** Milliseconds from the start of the scan to its result (worker round trip included). */
  scanMs: number;
  /** On the event loop, in a scan thread, or the report of the same bytes judged before (VerdictCache). */
  where: 'inline' | 'worker' | 'cache';
}

/** Called once with a scan's result, or with what scan() would reject with. */
export type ScanDone = (err: unknown, result?: ScanResult) => void;

/** Anything that can judge a body. Injectable (tests use a failing one to check fail-closed behaviour). */
export interface Scanner {
  scan(job: ScanJob): Promise<ScanResult>;
  /** scan() with a callback, for scanners that can spare the promise: `done` is called once, later (never before scanThen returns). */
  scanThen?(job: ScanJob, done: ScanDone): void;
  /** True when the scanner can take work (workers started and loaded). */
  isReady(): boolean;
  close(): Promise<void>;
}

/** A failure as a callback's error: never null (null says there is none). */
export function failure(err: unknown): unknown {
  return err === null ? new Error('scan failed with null') : err;
}
