/** Messages between the scan pool and its worker threads (structured-clone data only). */
import type { Limits, Report } from '../src';

export interface WorkerRequest {
  id: number;
  bytes: Uint8Array;
  /** Identifies a compiled policy; the spec comes with the first request that uses the key. */
  policyKey: string;
  spec?: unknown;
  limits?: Partial<Limits>;
}

/** `ready` is posted once the worker loaded the library (Worker 'online' fires before that). */
export type WorkerResponse = { ready: true } | { id: number; report: Report } | { id: number; error: string };
