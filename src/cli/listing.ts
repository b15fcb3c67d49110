/**
 * Opcode listings as rows, for the HTML report and the triage page (the same columns as
 * `picklegate disasm`: offset, opcode, argument, MARK indentation). Pure: no Node modules, so the
 * page's browser bundle uses it as it is.
 */
import { readOps, OPCODE_BY_NAME, ReadOpsError } from '../pickle';
import type { PickleSummary } from '../report/report';
import { argRepr } from './disasm';

/** One opcode of a listing. `pos` is the offset the report uses (within the stream named last in the path). */
export interface ListingRow {
  pos: number;
  /** MARK nesting (indentation). */
  level: number;
  op: string;
  arg: string;
}

/** Where the bytes stop being an opcode stream, when they do before the end of the listing. */
export interface ListingError {
  pos: number;
  message: string;
}

/** One pickle stream of a scanned file whose opcodes can be listed (the HTML report and the page). */
export interface StreamInfo {
  /** Index in the document's list of streams. */
  id: number;
  /** Index of the file in the document. */
  file: number;
  /** File name, then members, down to the stream (as finding paths). */
  path: string[];
  /** Offset of the listed bytes within the stream named last in `path`. */
  base: number;
  /** Bytes listed (or that would be). */
  bytes: number;
  /** Opcodes in the listing (0 when left out). */
  count: number;
  /** Why the listing is not there or not whole (too large, over a row cap). */
  note?: string;
  /** Where the bytes stop being an opcode stream. */
  error?: ListingError;
}

/**
 * How many bytes of a pickle stream the listing covers: all of it, except when every pickle the scan
 * found is complete, where it ends at the last STOP (a legacy torch file's raw storages follow it).
 * `base` is the stream's offset, as in the report's pickle offsets.
 */
export function listingExtent(size: number, pickles: readonly PickleSummary[] | undefined, base = 0): number {
  if (!pickles || pickles.length === 0 || !pickles.every((p) => p.complete)) return size;
  return Math.min(size, Math.max(...pickles.map((p) => p.end - base)));
}

/**
 * The rows of `bytes` (offsets shifted by `base`), from byte `start` at MARK level `level` (a resumed
 * listing starts at a row seen before). `onError` hears where the stream breaks, if it does.
 */
export function* listingRows(bytes: Uint8Array, base = 0, start = 0, level = 0, onError?: (e: ListingError) => void): Generator<ListingRow, void, void> {
  let lv = level;
  try {
    for (const op of readOps(bytes, { start })) {
      const info = OPCODE_BY_NAME.get(op.name);
      if (info?.stackBefore.includes('mark')) lv = Math.max(0, lv - 1);
      yield { pos: base + op.pos, level: lv, op: op.name, arg: argRepr(op) };
      if (op.name === 'MARK') lv++;
      if (op.name === 'STOP') lv = 0;
    }
  } catch (err) {
    const offset = err instanceof ReadOpsError ? err.detail.offset : bytes.length;
    onError?.({ pos: base + offset, message: (err as Error).message });
  }
}
