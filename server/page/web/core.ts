/**
 * The scanner as the browser runs it: the library's own walker and machine (scanByteSource, the
 * same code as `picklegate scan`), with pako for the deflate family, turned into the CLI's JSON
 * document, plus an index of every pickle stream's opcodes for the listing. No DOM and no worker
 * API here: the worker (worker.ts) and the Node tests (test/web/) both run it.
 */
import { setInflateBackend } from '../../../src/containers/decode';
import { TailSource } from '../../../src/containers/io/sources';
import { scanByteSource } from '../../../src/containers/scan-file';
import type { ScannedPickle } from '../../../src/containers/walk';
import { exitCodeFor } from '../../../src/cli/exit-codes';
import { listingExtent, listingRows, type ListingRow } from '../../../src/cli/listing';
import { JSON_REPORT_VERSION } from '../../../src/cli/render-json';
import { summarize } from '../../../src/cli/summary';
import { MemorySource, SliceSource, readBytes, type ByteSource } from '../../../src/pickle/source';
import { listPolicies } from '../../../src/policy/registry';
import { pakoInflate } from './inflate';
import type { FileResult, JsonReport, StreamInfo } from './protocol';

declare const __PICKLEGATE_VERSION__: string;
export const VERSION = typeof __PICKLEGATE_VERSION__ === 'string' ? __PICKLEGATE_VERSION__ : '0.0.0';

setInflateBackend(pakoInflate);

export { listPolicies, MemorySource };

/** A listing keeps the bytes of its stream: a view when they are in memory, else a copy up to this. */
export const MAX_LISTING_COPY = 64 * 1024 * 1024;
/** ... and at most this much copied for one file. */
export const MAX_LISTING_COPY_TOTAL = 256 * 1024 * 1024;
/** Opcodes indexed per stream (the rest is left out, with a note). */
export const MAX_LISTED_OPS = 4_000_000;

/** The CLI's JSON document for one file (`picklegate scan --format json FILE`, the file given as `name`). */
export function documentOf(result: FileResult, policy: string): JsonReport {
  const summary = summarize([result], 'suspicious');
  return { version: JSON_REPORT_VERSION, tool: { name: 'picklegate', version: VERSION }, policy, files: [result], summary: { ...summary, exitCode: exitCodeFor([result], 'suspicious') } };
}

/** Where a stream's bytes sit in the root source, when it is a plain range of it (zero-copy for memory). */
function rangeInRoot(src: ByteSource, root: ByteSource): { start: number; size: number } | null {
  let start = 0;
  let s: ByteSource = src;
  for (let depth = 0; depth < 64; depth++) {
    if (s === root) return { start, size: src.size ?? -1 };
    if (s instanceof SliceSource) {
      start += s.start;
      s = s.parent;
    } else if (s instanceof TailSource) {
      start += s.start;
      s = s.parent;
    } else return null;
  }
  return null;
}

/** A stream kept for its listing: its bytes, and the offset and MARK level of every opcode. */
export interface IndexedStream {
  info: StreamInfo;
  bytes: Uint8Array | null;
  positions: Float64Array;
  levels: Uint16Array;
}

export interface ScanSession {
  doc: JsonReport;
  streams: IndexedStream[];
}

export interface ScanHooks {
  /** Called as the root source is read (bytes read so far, total). */
  onProgress?: (phase: 'scanning' | 'listing', done: number, total: number) => void;
}

function indexStream(info: StreamInfo, bytes: Uint8Array | null): IndexedStream {
  if (!bytes) return { info, bytes, positions: new Float64Array(0), levels: new Uint16Array(0) };
  let positions = new Float64Array(1024);
  let levels = new Uint16Array(1024);
  let n = 0;
  let capped = false;
  for (const row of listingRows(bytes, info.base, 0, 0, (e) => (info.error = e))) {
    if (n === MAX_LISTED_OPS) {
      capped = true;
      break;
    }
    if (n === positions.length) {
      const p = new Float64Array(n * 2);
      p.set(positions);
      positions = p;
      const l = new Uint16Array(n * 2);
      l.set(levels);
      levels = l;
    }
    positions[n] = row.pos;
    levels[n] = Math.min(row.level, 0xffff);
    n++;
  }
  info.count = n;
  if (capped) info.note = `the listing shows the first ${MAX_LISTED_OPS.toLocaleString('en-US')} opcodes only`;
  return { info, bytes, positions: positions.slice(0, n), levels: levels.slice(0, n) };
}

/**
 * Scan one file's bytes as `picklegate scan` would (containers detected by content; `name` is the
 * file name used in finding paths), and index the opcodes of each pickle stream found.
 */
export function scanForPage(root: ByteSource, name: string, policy: string, hooks: ScanHooks = {}): ScanSession {
  const pending: { path: string[]; base: number; bytes: Uint8Array | null; size: number; note?: string }[] = [];
  let copied = 0;
  const onPickle = (p: ScannedPickle): void => {
    const range = rangeInRoot(p.src, root);
    const size = p.src.size ?? Infinity;
    const extent = listingExtent(Number.isFinite(size) ? size : Number.MAX_SAFE_INTEGER, p.report.pickles, p.base);
    let bytes: Uint8Array | null = null;
    let note: string | undefined;
    if (range && root instanceof MemorySource) bytes = root.view(range.start, range.start + Math.min(extent, range.size < 0 ? extent : range.size));
    else if (extent <= MAX_LISTING_COPY && copied + extent <= MAX_LISTING_COPY_TOTAL) {
      bytes = readBytes(p.src, 0, extent);
      copied += bytes.length;
    } else note = `opcode listing left out: the stream is ${extent.toLocaleString('en-US')} bytes (run \`picklegate disasm\` for all of it)`;
    pending.push({ path: [...p.path], base: p.base, bytes, size: bytes?.length ?? extent, ...(note ? { note } : {}) });
  };
  const result = scanByteSource(name, name, root, { policy }, onPickle);
  const doc = documentOf(result, policy);
  const streams = pending.map((p, id) => {
    hooks.onProgress?.('listing', id, pending.length);
    const info: StreamInfo = { id, file: 0, path: p.path, base: p.base, bytes: p.size, count: 0, ...(p.note ? { note: p.note } : {}) };
    return indexStream(info, p.bytes);
  });
  return { doc, streams };
}

/** Index a whole file as one raw pickle stream (service mode: the report came from the service). */
export function indexWhole(root: MemorySource, name: string, result: FileResult): IndexedStream[] {
  const extent = listingExtent(root.bytes.length, result.pickles, 0);
  const info: StreamInfo = { id: 0, file: 0, path: [name], base: 0, bytes: extent, count: 0 };
  return [indexStream(info, root.view(0, extent))];
}

/** Rows `from` .. `from + count` of an indexed stream. */
export function rowsOf(s: IndexedStream, from: number, count: number): ListingRow[] {
  if (!s.bytes || from >= s.info.count) return [];
  const out: ListingRow[] = [];
  const end = Math.min(s.info.count, from + count);
  const startPos = s.positions[from]! - s.info.base;
  for (const row of listingRows(s.bytes, s.info.base, startPos, s.levels[from]!)) {
    out.push(row);
    if (from + out.length >= end) break;
  }
  return out;
}
