/** Messages between the scan pool and its worker threads (structured-clone data only). */
import type { ContainerLimits, Limits } from '../src';
import type { BodyReport } from './scan-body';

export interface WorkerRequest {
  id: number;
  /** A body in memory (copied to the thread)... */
  bytes?: Uint8Array;
  /** ...or a spooled body: the descriptor of its file (threads share the process's descriptors) and its size. */
  fd?: number;
  size?: number;
  /** The body's name (finding paths, format hint); absent when the request gave none. */
  name?: string;
  /** Identifies a compiled policy; the spec comes with the first request that uses the key. */
  policyKey: string;
  spec?: unknown;
  limits?: Partial<Limits>;
  containerLimits?: Partial<ContainerLimits>;
}

/** `ready` is posted once the worker loaded the library (Worker 'online' fires before that). */
export type WorkerResponse = { ready: true } | { id: number; report: BodyReport } | { id: number; error: string };
