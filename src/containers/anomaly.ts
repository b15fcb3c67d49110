/** Problems container readers report; the walker turns them into findings with a path. */
import type { FindingCode, Severity } from '../report/findings';

export interface Anomaly {
  code: Extract<FindingCode, 'CONTAINER_ANOMALY' | 'UNSUPPORTED_FORMAT' | 'LIMIT_EXCEEDED' | 'NOT_A_PICKLE'>;
  message: string;
  /** Byte offset in the container, or null. */
  offset: number | null;
  /** Overrides the code's default severity. */
  severity?: Severity;
  /** Member name the anomaly belongs to, when it is about one member. */
  member?: string;
}

export const anomaly = (message: string, offset: number | null = null, member?: string): Anomaly => ({
  code: 'CONTAINER_ANOMALY',
  message,
  offset,
  ...(member !== undefined ? { member } : {}),
});
