/**
 * Reports of bodies already judged, by their exact bytes: a body sent again (every MXNet worker sends
 * the same optimizer pickle to every server) gets the report its first scan made, without a second scan.
 *
 * The key is the body's every byte, with the policy object and the body's name: a Map compares keys
 * as whole strings, so two bodies share an entry only when they are byte for byte the same, never by
 * a hash that could collide. The scanner is a pure function of (bytes, policy, name, limits), and the
 * limits are fixed per guard (one cache per guard). Bounded: at most `entries` reports and
 * `totalBytes` bytes of keys, the least recently used dropped first; bodies over `bodyBytes` are never
 * kept. A report is frozen when kept, since every later answer shares it.
 */
import type { CompiledPolicy } from '../src';
import type { BodyReport } from './scan-body';

export interface VerdictCacheOptions {
  /** Reports kept at most. 0 turns the cache off. */
  entries: number;
  /** Largest body kept (bytes). */
  bodyBytes: number;
  /** Bytes of bodies kept at most, all entries together. Default entries × bodyBytes, at most 64 MiB. */
  totalBytes?: number;
}

export const DEFAULT_CACHE_ENTRIES = 256;
export const DEFAULT_CACHE_BODY_BYTES = 64 * 1024;

interface Entry {
  report: BodyReport;
  bytes: number;
}

/** Freezes a report and everything in it (plain JSON-like data, bounded by the scan's limits). */
function deepFreeze(v: unknown): void {
  if (v === null || typeof v !== 'object' || Object.isFrozen(v)) return;
  Object.freeze(v);
  for (const x of Object.values(v)) deepFreeze(x);
}

export class VerdictCache {
  private readonly map = new Map<string, Entry>();
  private readonly policyIds = new WeakMap<CompiledPolicy, number>();
  private nextPolicyId = 0;
  private held = 0;
  readonly entries: number;
  readonly bodyBytes: number;
  readonly totalBytes: number;
  hits = 0;
  misses = 0;

  constructor(options: VerdictCacheOptions) {
    this.entries = Math.max(0, Math.floor(options.entries));
    this.bodyBytes = Math.max(0, Math.floor(options.bodyBytes));
    this.totalBytes = options.totalBytes ?? Math.min(this.entries * this.bodyBytes, 64 * 1024 * 1024);
  }

  /** The key of a body, or null when it is not cached (cache off, body too large). */
  keyOf(policy: CompiledPolicy, name: string | undefined, bytes: Buffer): string | null {
    if (this.entries === 0 || bytes.length > this.bodyBytes || bytes.length > this.totalBytes) return null;
    let id = this.policyIds.get(policy);
    if (id === undefined) this.policyIds.set(policy, (id = this.nextPolicyId++));
    // the name cannot hold '\n' (a body name has no control characters), so the parts cannot run together
    return `${id}\n${name ?? ''}\n${bytes.toString('latin1')}`;
  }

  /** The report kept for `key`, now the most recently used; undefined on a miss. */
  get(key: string): BodyReport | undefined {
    const e = this.map.get(key);
    if (e === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.map.delete(key);
    this.map.set(key, e);
    return e.report;
  }

  /** Keeps a report (frozen from now on), dropping the least recently used beyond the bounds. */
  set(key: string, report: BodyReport): void {
    const bytes = key.length;
    const old = this.map.get(key);
    if (old !== undefined) {
      this.map.delete(key);
      this.held -= old.bytes;
    }
    deepFreeze(report);
    this.map.set(key, { report, bytes });
    this.held += bytes;
    for (const [k, e] of this.map) {
      if (this.map.size <= this.entries && this.held <= this.totalBytes) break;
      this.map.delete(k);
      this.held -= e.bytes;
    }
  }

  get size(): number {
    return this.map.size;
  }
}
