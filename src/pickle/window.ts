/**
 * A bounded window over the input: the whole input when it is in memory, else a buffer of `window`
 * bytes (grown for an argument that needs more) refilled from a ByteSource by positional reads. Reads
 * go mostly forward; a read behind the window reads again (files seek, decompressors restart).
 * Positions are absolute; `buf[at - base]` is the byte at `at` while it is in the window.
 */
import { MemorySource, type ByteSource } from './source';

const NEWLINE = 0x0a;

export interface WindowOptions {
  start?: number;
  end?: number;
  /** Bytes read from a source at a time (ignored for memory). Default 1 MiB. */
  window?: number;
  /** Protocol 0 lines longer than this are scanned for their end, not kept. Default 1 MiB. */
  maxLine?: number;
}

export class ByteWindow {
  /** The window: the whole input in memory mode. */
  buf: Uint8Array;
  /** Absolute position of buf[0]. */
  base = 0;
  /** Valid bytes in buf. */
  protected bufEnd: number;
  /** Absolute end of the readable range (Infinity while a stream's end is unknown). */
  protected limit: number;
  /** A position known to lie at or past the end of a stream whose end is not known yet. */
  protected endBound = Infinity;
  /** The source, or null when the input is in memory (then `buf` is all of it). */
  protected readonly source: ByteSource | null;
  protected readonly window: number;
  protected readonly maxLine: number;

  constructor(input: Uint8Array | ByteSource, options: WindowOptions) {
    this.maxLine = options.maxLine ?? 1 << 20;
    const start = options.start ?? 0;
    const bytes = input instanceof Uint8Array ? input : input instanceof MemorySource ? input.bytes : null;
    if (bytes) {
      this.source = null;
      this.buf = bytes;
      this.limit = Math.min(options.end ?? bytes.length, bytes.length);
      this.bufEnd = this.limit;
      this.window = 0;
    } else {
      this.source = input as ByteSource;
      // no larger than the input when its size is known: small files do not pay for a 1 MiB buffer
      this.window = Math.max(16, Math.min(options.window ?? 1 << 20, (input as ByteSource).size ?? Infinity));
      this.buf = new Uint8Array(this.window);
      this.bufEnd = 0;
      this.base = start;
      this.limit = Math.min(options.end ?? Infinity, this.source.size ?? Infinity);
    }
  }

  /** Absolute end of the input, once known (Infinity before a stream's end was reached). */
  get end(): number {
    return this.limit;
  }

  /** The byte at absolute position `at`, or -1 past the end of the input (a stream is read up to it). */
  byteAt(at: number): number {
    return this.has(at) ? this.buf[at - this.base]! : -1;
  }

  /**
   * Makes up to n bytes at absolute position `at` available in `buf` (fewer only at the end of the
   * input, whose position `limit` then holds) and returns how many are, from `buf[at - base]` on.
   */
  protected fill(at: number, n: number): number {
    const rel = at - this.base;
    if (rel >= 0 && rel + n <= this.bufEnd) return n;
    if (this.source === null) return Math.max(0, Math.min(n, this.limit - at));
    if (at >= this.limit) return 0;
    // keep what is already there from `at` on, read the rest
    let kept = 0;
    const size = Math.max(n, this.window);
    if (rel >= 0 && rel < this.bufEnd) {
      kept = this.bufEnd - rel;
      if (size > this.buf.length) {
        const grown = new Uint8Array(Math.max(size, 2 * this.buf.length));
        grown.set(this.buf.subarray(rel, this.bufEnd));
        this.buf = grown;
      } else this.buf.copyWithin(0, rel, this.bufEnd);
    } else if (size > this.buf.length || this.buf.length > 4 * this.window) this.buf = new Uint8Array(size);
    this.base = at;
    this.bufEnd = kept;
    while (this.bufEnd < n) {
      const got = this.source.read(at + this.bufEnd, this.buf, this.bufEnd, this.buf.length - this.bufEnd);
      if (got === 0) {
        // the end is here if data ran up to it; else only known to lie at or before `at`
        const size = this.source.size;
        if (size !== undefined) this.limit = Math.min(this.limit, size);
        else if (this.bufEnd > 0 || at === 0) this.limit = Math.min(this.limit, at + this.bufEnd);
        else this.endBound = Math.min(this.endBound, at);
        break;
      }
      this.bufEnd += got;
    }
    return Math.min(n, this.bufEnd);
  }

  /** Index in `buf` of the n bytes at absolute position `at`, or -1 when the input ends first. */
  protected fetch(at: number, n: number): number {
    return this.fill(at, n) === n ? at - this.base : -1;
  }

  /** Is there a byte at absolute position `at`? (A stream is read up to it.) */
  protected has(at: number): boolean {
    return at < this.limit && at < this.endBound && (this.source === null || this.fill(at, 1) === 1);
  }

  /**
   * The newline ending the line at absolute position `at`: its absolute position, or -1 at the end of
   * input. The window keeps the bytes from `anchor` (the argument's start) while the argument may
   * still be read (up to two lines of maxLine); a longer line is scanned on, not kept.
   */
  protected findNewline(at: number, anchor = at): number {
    if (this.source === null) {
      const nl = this.buf.indexOf(NEWLINE, at);
      return nl < 0 || nl >= this.limit ? -1 : nl;
    }
    const keep = 2 * this.maxLine + 2;
    let from = at;
    for (;;) {
      const rel = from - this.base;
      if (rel >= 0 && rel < this.bufEnd) {
        const nl = this.buf.subarray(rel, this.bufEnd).indexOf(NEWLINE);
        if (nl >= 0) return from + nl;
        from = this.base + this.bufEnd;
      }
      if (from >= this.limit) return -1;
      if (from - anchor < keep) this.fill(anchor, Math.min(keep, from - anchor + this.window));
      else this.fill(from, this.window);
      if (from >= this.base + this.bufEnd) return -1;
    }
  }

  /** Bytes from absolute position `at` to the end of the input (a stream of unknown size is probed for its end). */
  protected remainFrom(at: number): number {
    if (this.limit === Infinity) {
      let lo = at - 1; // lo: -1 or a position with data; hi: a position without
      let hi = this.endBound;
      for (let step = 1 << 20; hi === Infinity && this.limit === Infinity; step *= 2) {
        if (this.has(lo + step)) lo += step;
        else hi = Math.min(this.endBound, lo + step);
      }
      while (this.limit === Infinity && hi - lo > 1) {
        const mid = lo + Math.floor((hi - lo) / 2);
        if (this.has(mid)) lo = mid;
        else hi = mid;
      }
      if (this.limit === Infinity) this.limit = hi;
    }
    return Math.max(0, this.limit - at);
  }

}
