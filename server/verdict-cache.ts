/**
 * Reports of bodies already judged, by their exact bytes: a body sent again (every MXNet worker sends
 * the same optimizer pickle to every server) gets the report its earlier scan made, without another.
 *
 * The key is the body's every byte, with the policy object and the body's name: a Map compares keys
 * as whole strings, so two bodies share an entry only when they are byte for byte the same, never by
 * a hash that could collide. The scanner is a pure function of (bytes, policy, name, limits), and the
 * limits are fixed per guard (one cache per guard).
 *
 * A report is kept only when its body is seen a second time (the first sighting keeps only the key):
 * a stream of distinct bodies, what a hostile client can send, never makes the cache freeze or hold a
 * report. Bounded: at most `entries` keys and `totalBytes` bytes (keys, and an estimate of each kept
 * report), the least recently used dropped first; bodies over `bodyBytes`, and reports of more than
 * MAX_REPORT_NODES objects and arrays (a body of ten thousand tiny pickles), are never kept. A kept
 * report is frozen, since every later answer shares it.
 */
import type { CompiledPolicy } from '../src';
import type { BodyReport } from './scan-body';

export interface VerdictCacheOptions {
  /** Bodies remembered at most (seen once, or with their report). 0 turns the cache off. */
  entries: number;
  /** Largest body kept (bytes). */
  bodyBytes: number;
  /** Bytes of keys and kept reports (estimated) at most, all entries together. Default entries × (bodyBytes + 64 KiB), at most 64 MiB. */
  totalBytes?: number;
}

export const DEFAULT_CACHE_ENTRIES = 256;
export const DEFAULT_CACHE_BODY_BYTES = 64 * 1024;

/** Reports with more objects and arrays than this are not kept. */
export const MAX_REPORT_NODES = 2000;
/** Bytes counted per object or array of a kept report (an estimate of what it holds in memory). */
const NODE_BYTES = 128;
/** What the default total allows each entry beyond its body: a report of 512 objects and arrays. */
const REPORT_ALLOWANCE = 512 * NODE_BYTES;

interface Entry {
  /** The report, or null while the body has been seen once. */
  report: BodyReport | null;
  /** What the entry counts against totalBytes. */
  bytes: number;
}

/** Objects and arrays in a report, counting up to `cap` (more: cap + 1). */
function nodesOf(v: unknown, cap: number, n = 0): number {
  if (v === null || typeof v !== 'object') return n;
  n++;
  for (const x of Object.values(v)) {
    if (n > cap) return n;
    n = nodesOf(x, cap, n);
  }
  return n;
}

/** Freezes a report and everything in it (plain JSON-like data, bounded by nodesOf). */
function deepFreeze(v: unknown): void {
  if (v === null || typeof v !== 'object' || Object.isFrozen(v)) return;
  Object.freeze(v);
  for (const x of Object.values(v)) deepFreeze(x);
}

/** The scope of a guard's keys: its limit overrides (JSON, no newline), so guards with other limits never share a report. */
export function limitsScope(limits: unknown, containerLimits: unknown): string {
  return limits === undefined && containerLimits === undefined ? '' : JSON.stringify([limits ?? null, containerLimits ?? null]);
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
    this.totalBytes = options.totalBytes ?? Math.min(this.entries * (this.bodyBytes + REPORT_ALLOWANCE), 64 * 1024 * 1024);
  }

  /**
   * The key of a body, or null when it is not cached (cache off, body too large). `scope` tells apart
   * guards that share the cache with different limits (limitsScope).
   */
  keyOf(policy: CompiledPolicy, name: string | undefined, bytes: Buffer, scope = ''): string | null {
    if (this.entries === 0 || bytes.length > this.bodyBytes || bytes.length > this.totalBytes) return null;
    let id = this.policyIds.get(policy);
    if (id === undefined) this.policyIds.set(policy, (id = this.nextPolicyId++));
    // neither the scope (JSON) nor the name (no control characters) holds a '\n': the parts cannot run together
    return `${id}\n${scope}\n${name ?? ''}\n${bytes.toString('latin1')}`;
  }

  /** The report kept for `key`, now the most recently used; undefined on a miss. */
  get(key: string): BodyReport | undefined {
    const e = this.map.get(key);
    if (e === undefined || e.report === null) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.map.delete(key);
    this.map.set(key, e);
    return e.report;
  }

  /**
   * The report of a body just scanned: kept (frozen from now on) when the body was seen before and
   * the report is not too large, else the key is noted as seen. Drops the least recently used
   * entries beyond the bounds.
   */
  offer(key: string, report: BodyReport): void {
    const old = this.map.get(key);
    let entry: Entry = { report: null, bytes: key.length };
    if (old !== undefined) {
      this.map.delete(key);
      this.held -= old.bytes;
      const nodes = nodesOf(report, MAX_REPORT_NODES);
      if (nodes <= MAX_REPORT_NODES) {
        deepFreeze(report);
        entry = { report, bytes: key.length + nodes * NODE_BYTES };
      }
    }
    this.map.set(key, entry);
    this.held += entry.bytes;
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
