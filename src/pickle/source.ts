/**
 * Where the scanner's bytes come from. Reading is synchronous and positional, so the opcode reader
 * and the machine stay simple, straight-line code: a source blocks until it has the bytes (a file
 * read, a decompressor producing them) or says the input has ended.
 *
 * Sources are read mostly forward. Reading at an earlier position is allowed (the machine re-reads a
 * pickle after the fast path gave up on it, or reads a stream as a file object would): files and
 * memory do it for free, a decompressor by starting again.
 */
export interface ByteSource {
  /** Total size in bytes when known before reading to the end (files, memory); undefined for streams. */
  readonly size: number | undefined;
  /**
   * Copies up to `length` bytes from position `pos` into `dst` at `dstOffset`; returns how many were
   * copied. Fewer than asked only at the end of the source; 0 when `pos` is at or past the end.
   */
  read(pos: number, dst: Uint8Array, dstOffset: number, length: number): number;
}

/** Bytes in memory. `view` gives slices without copying. */
export class MemorySource implements ByteSource {
  constructor(readonly bytes: Uint8Array) {}

  get size(): number {
    return this.bytes.length;
  }

  read(pos: number, dst: Uint8Array, dstOffset: number, length: number): number {
    const start = Math.min(pos, this.bytes.length);
    const end = Math.min(pos + length, this.bytes.length);
    dst.set(this.bytes.subarray(start, end), dstOffset);
    return end - start;
  }

  view(start: number, end: number): Uint8Array {
    return this.bytes.subarray(Math.min(start, this.bytes.length), Math.min(end, this.bytes.length));
  }
}

/** A range of another source, seen from position 0. */
export class SliceSource implements ByteSource {
  constructor(
    readonly parent: ByteSource,
    readonly start: number,
    readonly size: number,
  ) {}

  read(pos: number, dst: Uint8Array, dstOffset: number, length: number): number {
    const n = Math.max(0, Math.min(length, this.size - pos));
    return n === 0 ? 0 : this.parent.read(this.start + pos, dst, dstOffset, n);
  }
}

/** Up to `max` bytes of a source from `pos` (fewer at its end), in a new buffer (a view for memory sources). */
export function readBytes(src: ByteSource, pos: number, max: number): Uint8Array {
  if (src instanceof MemorySource) return src.view(pos, pos + max);
  const size = src.size;
  const want = size === undefined ? max : Math.max(0, Math.min(max, size - pos));
  const out = new Uint8Array(want);
  let done = 0;
  while (done < want) {
    const n = src.read(pos + done, out, done, want - done);
    if (n === 0) break;
    done += n;
  }
  return done === want ? out : out.subarray(0, done);
}

/** The whole source in memory (a view for memory sources). For sources of unknown size, read in growing chunks. */
export function readAll(src: ByteSource): Uint8Array {
  if (src instanceof MemorySource) return src.bytes;
  if (src.size !== undefined) return readBytes(src, 0, src.size);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const chunk = readBytes(src, total, 1 << 20);
    if (chunk.length === 0) break;
    chunks.push(chunk);
    total += chunk.length;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Is there a byte at position `pos`? */
export function hasByteAt(src: ByteSource, pos: number): boolean {
  if (src.size !== undefined) return pos < src.size;
  return src.read(pos, PROBE, 0, 1) === 1;
}
const PROBE = new Uint8Array(1);

/** The size of a source, reading a stream to its end when it is not known yet. */
export function sizeOf(src: ByteSource): number {
  if (src.size !== undefined) return src.size;
  let lo = 0;
  let step = 1 << 20;
  // find some position past the end, then bisect to the last byte
  while (hasByteAt(src, lo + step - 1)) {
    lo += step;
    step *= 2;
  }
  if (src.size !== undefined) return src.size;
  let hi = lo + step - 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (hasByteAt(src, mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
