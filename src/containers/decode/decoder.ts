/**
 * Streaming decompression as a ByteSource. A `Decoder` turns a compressed input source into its
 * output, one call at a time, never holding more than its own window; a `DecodedSource` wraps a
 * decoder factory into a positional, synchronous ByteSource:
 *
 * - forward reads decode as they go; the last `KEEP` bytes stay in a few chunk buffers, so a
 *   re-read of what was just decoded (format detection, then the scan from offset 0; the zip end
 *   record after a scan) costs nothing;
 * - a read before that starts the decoder again from the beginning (at most `MAX_RESTARTS` times);
 * - the caps apply as bytes flow: the file's inflate budget (`--max-inflated-bytes`, shared by every
 *   decompressed stream of one file, re-decoded bytes counted once) and the ratio cap
 *   (`--max-ratio`, output over compressed input consumed so far, once past 1 MiB);
 * - a corrupt stream or a cap ends the source where it happened: what came before is read as
 *   usual (and scanned), `error` says why it ended, and the walker reports it.
 */
import type { ByteSource } from '../../pickle/source';

/** Why decompression stopped, beyond corrupt data (false) or the budget and ratio caps (true). */
export type DecompressStop =
  /** more backward reads than MAX_RESTARTS */
  | { kind: 'restarts'; max: number }
  /** a window larger than the decoder allows */
  | { kind: 'window'; bytes: number; max: number }
  /** the decoder itself failed (a worker that died) */
  | { kind: 'internal' };

export class DecompressError extends Error {
  constructor(
    message: string,
    /** True when a cap, not corrupt data, stopped decompression. */
    readonly limit: boolean,
    /** The particular cap or failure, when it is neither corrupt data nor the budget or ratio. */
    readonly stop?: DecompressStop,
  ) {
    super(message);
    this.name = 'DecompressError';
  }
}

/** One pass over a compressed stream. */
export interface Decoder {
  /**
   * Writes up to `len` decoded bytes into `dst` at `off`; returns how many (at least 1 unless the
   * stream has ended, then 0). Throws DecompressError for corrupt data.
   */
  read(dst: Uint8Array, off: number, len: number): number;
  /** Compressed bytes consumed so far (for the ratio cap). */
  readonly consumed: number;
  /** Releases what the decoder holds (a worker, wasm memory). Safe to call twice. */
  close(): void;
}

/** Starts a decoder over `input` from its beginning. */
export type DecoderFactory = (input: ByteSource) => Decoder;

/** Decompressed bytes allowed for one file, shared by all its decompressed streams. */
export interface InflateBudget {
  max: number;
  used: number;
}

export interface DecodeCaps {
  budget: InflateBudget;
  /** Largest output/input ratio once the output passes RATIO_FLOOR. */
  maxRatio: number;
}

/** The ratio cap applies only once a stream's output passes this (small inputs compress well). */
export const RATIO_FLOOR = 1024 * 1024;
/** Size of one chunk buffer of decoded output. */
const CHUNK = 256 * 1024;
/** Size of the first chunk: a format sniff (64 KiB) decodes no more than it reads. */
const FIRST_CHUNK = 64 * 1024;
/** Chunks kept for re-reads (so the last KEEP = CHUNKS × CHUNK bytes are re-read without decoding). */
const CHUNKS = 4;
/** Backward reads past the kept chunks that start the decoder again, per stream. */
export const MAX_RESTARTS = 16;

interface Chunk {
  buf: Uint8Array;
  /** Stream position of buf[0]. */
  start: number;
  /** Valid bytes in buf. */
  len: number;
}

export class DecodedSource implements ByteSource {
  /** Why the stream ended early (corrupt data, a cap, too many restarts); null while it has not. */
  error: DecompressError | null = null;
  /** Times the decoder was started again for a backward read. */
  restarts = 0;
  /** Highest position ever decoded (what the budget has been charged for). */
  charged = 0;
  private decoder: Decoder | null = null;
  /** Decoded chunks, oldest first; the last one is being filled. */
  private readonly chunks: Chunk[] = [];
  /** Stream position the current pass has reached. */
  private pos = 0;
  /** The current pass has reached the end of the stream (or where it failed). */
  private passEnded = false;
  /** The stream's size, once a pass has reached its end (or where it failed). */
  private total: number | undefined;

  constructor(
    private readonly factory: DecoderFactory,
    private readonly input: ByteSource,
    private readonly caps: DecodeCaps,
  ) {}

  /** Known once the stream has been decoded to its end. */
  get size(): number | undefined {
    return this.total;
  }

  /** Compressed bytes consumed by the current pass. */
  get consumed(): number {
    return this.decoder?.consumed ?? 0;
  }

  read(pos: number, dst: Uint8Array, dstOffset: number, length: number): number {
    if (length <= 0) return 0;
    if (this.total !== undefined && pos >= this.total) return 0;
    const first = this.chunks[0];
    if (pos < (first ? first.start : this.pos)) {
      if (!this.restart()) return 0;
    }
    let done = 0;
    while (done < length) {
      const at = pos + done;
      // served from a kept chunk
      let c: Chunk | undefined;
      for (let i = this.chunks.length - 1; i >= 0; i--) {
        const k = this.chunks[i]!;
        if (at >= k.start && at < k.start + k.len) {
          c = k;
          break;
        }
        if (at >= k.start + k.len) break;
      }
      if (c) {
        const n = Math.min(length - done, c.start + c.len - at);
        dst.set(c.buf.subarray(at - c.start, at - c.start + n), dstOffset + done);
        done += n;
        continue;
      }
      if (!this.fill()) break;
    }
    return done;
  }

  /** Decode to the end (discarding what is not kept) and return the size. */
  sizeNow(): number {
    while (this.total === undefined) if (!this.fill()) break;
    return this.total ?? this.pos;
  }

  /**
   * Give back to the file's budget what this stream was charged (a member that was sniffed and then
   * skipped as inert: only what a loader would decompress counts). The source must not be read again.
   */
  refund(): void {
    this.caps.budget.used -= this.charged;
    this.charged = 0;
    this.close();
  }

  /** Release the decoder (a worker thread, wasm memory); reads after this start again. */
  close(): void {
    this.decoder?.close();
    this.decoder = null;
  }

  private restart(): boolean {
    if (this.restarts >= MAX_RESTARTS) {
      this.fail(new DecompressError(`more than ${MAX_RESTARTS} backward reads (each decompresses the stream again)`, true, { kind: 'restarts', max: MAX_RESTARTS }));
      return false;
    }
    this.restarts++;
    this.close();
    this.chunks.length = 0;
    this.pos = 0;
    this.passEnded = false;
    return true;
  }

  private fail(e: DecompressError): void {
    this.error ??= e;
    this.total = Math.min(this.total ?? this.pos, this.pos);
    this.passEnded = true;
    this.close();
  }

  private endPass(): void {
    this.total ??= this.pos;
    this.passEnded = true;
    this.close();
  }

  /** Decode the next piece into the last chunk; false at the end of the stream. */
  private fill(): boolean {
    if (this.passEnded) return false;
    // a stream that failed (or ended) on an earlier pass ends at the same place
    if (this.total !== undefined && this.pos >= this.total) {
      this.endPass();
      return false;
    }
    let chunk: Chunk;
    const last = this.chunks[this.chunks.length - 1];
    if (last && last.len < last.buf.length) chunk = last;
    else {
      const recycled = this.chunks.length >= CHUNKS ? this.chunks.shift()!.buf : new Uint8Array(this.pos === 0 ? FIRST_CHUNK : CHUNK);
      chunk = { buf: recycled, start: this.pos, len: 0 };
      this.chunks.push(chunk);
    }
    let want = chunk.buf.length - chunk.len;
    if (this.total !== undefined) want = Math.min(want, this.total - this.pos);
    // the budget: bytes beyond what was already charged must fit
    const fresh = this.pos + want - this.charged;
    if (fresh > 0) {
      const room = this.caps.budget.max - this.caps.budget.used;
      if (room <= 0) {
        this.fail(new DecompressError(`decompressed size exceeds the inflate budget of ${this.caps.budget.max} bytes`, true));
        return false;
      }
      if (fresh > room) want -= fresh - room;
    }
    let n: number;
    try {
      this.decoder ??= this.factory(this.input);
      n = this.decoder.read(chunk.buf, chunk.len, want);
    } catch (err) {
      this.fail(err instanceof DecompressError ? err : new DecompressError(`corrupt stream: ${(err as Error)?.message ?? String(err)}`, false));
      return false;
    }
    if (n === 0) {
      this.endPass();
      return false;
    }
    chunk.len += n;
    this.pos += n;
    if (this.pos > this.charged) {
      this.caps.budget.used += this.pos - this.charged;
      this.charged = this.pos;
    }
    const consumed = this.decoder.consumed;
    if (this.pos > RATIO_FLOOR && this.pos > this.caps.maxRatio * Math.max(1, consumed)) {
      this.fail(new DecompressError(`decompression ratio above ${this.caps.maxRatio}:1 (${consumed} bytes give more than ${this.pos})`, true));
    }
    return true;
  }
}

/** A reader over a source that hands out its bytes in buffered pieces (for decoders' input). */
export class InputReader {
  private buf: Uint8Array;
  private bufStart = 0;
  private bufLen = 0;
  /** Next position to hand out. */
  pos = 0;

  constructor(
    private readonly src: ByteSource,
    bufSize = 256 * 1024,
  ) {
    this.buf = new Uint8Array(bufSize);
  }

  /** The next up to `max` bytes (a view valid until the next call), empty at the end. */
  take(max: number): Uint8Array {
    if (this.pos >= this.bufStart + this.bufLen) {
      this.bufStart = this.pos;
      this.bufLen = this.src.read(this.pos, this.buf, 0, this.buf.length);
      if (this.bufLen === 0) return this.buf.subarray(0, 0);
    }
    const at = this.pos - this.bufStart;
    const n = Math.min(max, this.bufLen - at);
    this.pos += n;
    return this.buf.subarray(at, at + n);
  }

  /** One byte, or -1 at the end. */
  byte(): number {
    if (this.pos >= this.bufStart + this.bufLen) {
      this.bufStart = this.pos;
      this.bufLen = this.src.read(this.pos, this.buf, 0, this.buf.length);
      if (this.bufLen === 0) return -1;
    }
    return this.buf[this.pos++ - this.bufStart]!;
  }

  /** Exactly `n` bytes copied into a new array, or fewer at the end. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const piece = this.take(n - got);
      if (piece.length === 0) return out.subarray(0, got);
      out.set(piece, got);
      got += piece.length;
    }
    return out;
  }

  /** True when nothing is left. */
  atEnd(): boolean {
    if (this.pos < this.bufStart + this.bufLen) return false;
    this.bufStart = this.pos;
    this.bufLen = this.src.read(this.pos, this.buf, 0, this.buf.length);
    return this.bufLen === 0;
  }
}
