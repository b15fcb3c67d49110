/**
 * The deflate family (gzip, zlib, raw deflate: `.pkl.gz`, joblib `compress=`, deflated zip members)
 * for the browser bundle: pako, a JavaScript port of zlib, driven synchronously through its
 * low-level z_stream API, so it behaves as Node's native zlib does for the same bytes (same checks:
 * gzip CRC-32 and length, zlib Adler-32; same messages). Installed with `setInflateBackend`.
 *
 * Like Node's gunzip, another gzip member may follow the end of one (each is decoded in turn), and
 * zero bytes after a member end the stream (padding); anything else there is decoded as a member and
 * fails as corrupt data. After the end of a zlib or raw stream, remaining input is ignored. Input
 * that ends before the stream does is "unexpected end of file".
 */
import { ZStream, Z_BUF_ERROR, Z_NO_FLUSH, Z_OK, Z_STREAM_END, zlibInflate, zlibInflateEnd, zlibInflateInit2, zlibInflateReset } from 'pako';
import type { ByteSource } from '../../../src/pickle/source';
import { DecompressError, type Decoder } from '../../../src/containers/decode/decoder';
import type { InflateBackend } from '../../../src/containers/decode';

type InflateKind = Parameters<InflateBackend>[0];

const WINDOW_BITS: Record<InflateKind, number> = { gzip: 15 + 16, zlib: 15, raw: -15 };
/**
 * Compressed bytes handed to pako at a time. Small, so one call never decodes much more than the
 * reader asked for (output goes straight into the reader's buffer; pako keeps its own window).
 */
const IN_CHUNK = 16 * 1024;

class PakoInflate implements Decoder {
  consumed = 0;
  private readonly strm = new ZStream();
  private readonly inBuf = new Uint8Array(IN_CHUNK);
  private inPos = 0;
  private inEof = false;
  private done = false;

  constructor(
    private readonly input: ByteSource,
    private readonly kind: InflateKind,
  ) {
    const st = zlibInflateInit2(this.strm, WINDOW_BITS[kind]);
    if (st !== Z_OK) throw new DecompressError(`inflate init failed: ${this.strm.msg}`, false, { kind: 'internal' });
    this.strm.avail_in = 0;
    this.strm.next_in = 0;
    this.strm.input = this.inBuf;
  }

  /** Refill the input when it is used up; false at the end of the input. */
  private fill(): boolean {
    const s = this.strm;
    if (s.avail_in > 0) return true;
    if (this.inEof) return false;
    const n = this.input.read(this.inPos, this.inBuf, 0, IN_CHUNK);
    if (n === 0) {
      this.inEof = true;
      return false;
    }
    this.inPos += n;
    s.input = this.inBuf;
    s.next_in = 0;
    s.avail_in = n;
    return true;
  }

  read(dst: Uint8Array, off: number, len: number): number {
    if (this.done || len <= 0) return 0;
    const s = this.strm;
    s.output = dst as Uint8Array<ArrayBuffer>;
    s.next_out = off;
    s.avail_out = len;
    for (;;) {
      const hadInput = this.fill();
      const before = s.avail_out;
      const beforeIn = s.avail_in;
      const st = zlibInflate(s, Z_NO_FLUSH);
      this.consumed = this.inPos - s.avail_in;
      if (st === Z_STREAM_END) {
        if (this.kind === 'gzip' && this.fill() && s.input[s.next_in] !== 0) {
          // another member (or garbage, which then fails as corrupt data, as in Node)
          zlibInflateReset(s);
          if (s.avail_out < len) return len - s.avail_out;
          continue;
        }
        this.finish();
        return len - s.avail_out;
      }
      if (st !== Z_OK && st !== Z_BUF_ERROR) {
        const msg = s.msg || `zlib error ${st}`;
        this.finish();
        throw new DecompressError(`corrupt stream: ${msg}`, false);
      }
      if (s.avail_out < len) return len - s.avail_out;
      const progressed = s.avail_out !== before || s.avail_in !== beforeIn;
      if (!hadInput && !progressed) {
        this.finish();
        throw new DecompressError('corrupt stream: unexpected end of file', false);
      }
    }
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    zlibInflateEnd(this.strm);
  }

  close(): void {
    this.finish();
  }
}

/** The pako backend for `setInflateBackend`. */
export const pakoInflate: InflateBackend = (kind, input) => new PakoInflate(input, kind);
