/**
 * A streaming decoder for the LZ4 frame format (lz4_Frame_format.md; what `lz4.frame` and joblib's
 * `lz4` compressor write): frame descriptor with its header checksum, blocks (compressed or
 * stored, linked or independent) of at most 4 MiB, optional block and content checksums (XXH32,
 * verified), skippable frames, several frames back to back. One block is decoded at a time, after
 * the 64 KiB of history a linked block may reach into.
 */
import type { ByteSource } from '../../pickle/source';
import { DecompressError, InputReader, type Decoder } from './decoder';
import { Xxh32, xxh32 } from './xxh32';

const HISTORY = 64 * 1024;
const BLOCK_SIZES = [0, 0, 0, 0, 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024];

const corrupt = (why: string) => new DecompressError(`corrupt lz4 stream: ${why}`, false);
const u32 = (b: Uint8Array, i: number) => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;

/** Decode one LZ4 block from `src` into `out` at `start` (history before it); returns the end. */
export function decodeBlock(src: Uint8Array, out: Uint8Array, start: number, limit: number, historyStart: number): number {
  let s = 0;
  let o = start;
  const end = src.length;
  for (;;) {
    if (s >= end) throw corrupt('block ends without its last literals');
    const token = src[s++]!;
    let lit = token >>> 4;
    if (lit === 15) {
      let b: number;
      do {
        if (s >= end) throw corrupt('truncated literal length');
        b = src[s++]!;
        lit += b;
      } while (b === 255);
    }
    if (s + lit > end) throw corrupt('literals run past the block');
    if (o + lit > limit) throw corrupt('block decodes to more than its maximum size');
    out.set(src.subarray(s, s + lit), o);
    s += lit;
    o += lit;
    if (s === end) return o; // the last sequence has literals only
    if (s + 2 > end) throw corrupt('truncated match offset');
    const offset = src[s]! | (src[s + 1]! << 8);
    s += 2;
    if (offset === 0 || o - offset < historyStart) throw corrupt('match offset out of range');
    let mlen = token & 15;
    if (mlen === 15) {
      let b: number;
      do {
        if (s >= end) throw corrupt('truncated match length');
        b = src[s++]!;
        mlen += b;
      } while (b === 255);
    }
    mlen += 4;
    if (o + mlen > limit) throw corrupt('block decodes to more than its maximum size');
    let from = o - offset;
    if (offset >= mlen) {
      out.copyWithin(o, from, from + mlen);
      o += mlen;
    } else {
      for (let i = 0; i < mlen; i++) out[o++] = out[from++]!;
    }
  }
}

export class Lz4FrameDecoder implements Decoder {
  private readonly reader: InputReader;
  private inFrame = false;
  private frames = 0;
  private done = false;
  private independent = false;
  private blockChecksum = false;
  private contentChecksum = false;
  private contentSize: number | null = null;
  private produced = 0;
  private hash: Xxh32 | null = null;
  private buf = new Uint8Array(0);
  /** Where the current block's output ends in `buf`; `at` is the next byte to hand out. */
  private blockEnd = 0;
  private at = 0;
  private maxBlock = 0;

  constructor(input: ByteSource) {
    this.reader = new InputReader(input);
  }

  get consumed(): number {
    return this.reader.pos;
  }

  close(): void {
    this.buf = new Uint8Array(0);
  }

  read(dst: Uint8Array, off: number, len: number): number {
    let n = 0;
    while (n < len) {
      if (this.at < this.blockEnd) {
        const k = Math.min(this.blockEnd - this.at, len - n);
        dst.set(this.buf.subarray(this.at, this.at + k), off + n);
        this.at += k;
        n += k;
        continue;
      }
      if (this.done || n > 0) break;
      this.step();
    }
    return n;
  }

  private exact(n: number, what: string): Uint8Array {
    const b = this.reader.bytes(n);
    if (b.length < n) throw corrupt(`truncated ${what}`);
    return b;
  }

  private step(): void {
    if (!this.inFrame) {
      if (this.frames > 0 && this.reader.atEnd()) {
        this.done = true;
        return;
      }
      const magic = u32(this.exact(4, 'frame header'), 0);
      if ((magic & 0xfffffff0) === 0x184d2a50) {
        const size = u32(this.exact(4, 'skippable frame'), 0);
        if (this.reader.bytes(size).length < size) throw corrupt('truncated skippable frame');
        this.frames++;
        return;
      }
      if (magic !== 0x184d2204) throw corrupt(this.frames === 0 ? 'bad magic' : 'data after the last frame');
      const flg = this.exact(2, 'frame descriptor');
      const [f, bd] = [flg[0]!, flg[1]!];
      if (f >> 6 !== 1) throw corrupt(`frame version ${f >> 6}`);
      if (f & 2 || bd & 0x8f) throw corrupt('reserved bits set in the frame descriptor');
      const maxBlock = BLOCK_SIZES[(bd >> 4) & 7]!;
      if (maxBlock === 0) throw corrupt('invalid block maximum size');
      const extra = this.exact((f & 8 ? 8 : 0) + (f & 1 ? 4 : 0), 'frame descriptor');
      const hc = this.exact(1, 'header checksum')[0]!;
      const desc = new Uint8Array(2 + extra.length);
      desc.set(flg, 0);
      desc.set(extra, 2);
      if (((xxh32(desc) >>> 8) & 0xff) !== hc) throw corrupt('frame header checksum mismatch');
      if (f & 1) throw corrupt('frame needs a dictionary');
      this.independent = (f & 0x20) !== 0;
      this.blockChecksum = (f & 0x10) !== 0;
      this.contentChecksum = (f & 4) !== 0;
      this.contentSize = null;
      if (f & 8) {
        let cs = 0;
        for (let i = 7; i >= 0; i--) cs = cs * 256 + extra[i]!;
        this.contentSize = cs;
      }
      this.produced = 0;
      this.hash = this.contentChecksum ? new Xxh32() : null;
      this.maxBlock = maxBlock;
      if (this.buf.length < HISTORY + maxBlock) this.buf = new Uint8Array(HISTORY + maxBlock);
      this.blockEnd = this.at = HISTORY;
      this.histStart = HISTORY;
      this.inFrame = true;
      this.frames++;
      return;
    }
    const word = u32(this.exact(4, 'block header'), 0);
    if (word === 0) {
      // end mark
      if (this.contentChecksum && u32(this.exact(4, 'content checksum'), 0) !== this.hash!.digest()) throw corrupt('content checksum mismatch');
      if (this.contentSize !== null && this.contentSize !== this.produced) throw corrupt(`frame holds ${this.produced} bytes, its header says ${this.contentSize}`);
      this.inFrame = false;
      return;
    }
    const stored = (word & 0x80000000) !== 0;
    const size = word & 0x7fffffff;
    if (size > this.maxBlock) throw corrupt('block larger than the frame allows');
    const body = this.exact(size, 'block');
    if (this.blockChecksum && u32(this.exact(4, 'block checksum'), 0) !== xxh32(body)) throw corrupt('block checksum mismatch');
    // keep the last 64 KiB of output in front of the block (linked blocks reach into it)
    const buf = this.buf;
    const start = HISTORY;
    if (this.independent) this.histStart = HISTORY;
    else {
      const keep = Math.min(HISTORY, this.blockEnd - this.histStart);
      buf.copyWithin(HISTORY - keep, this.blockEnd - keep, this.blockEnd);
      this.histStart = HISTORY - keep;
    }
    let end: number;
    if (stored) {
      buf.set(body, start);
      end = start + size;
    } else end = decodeBlock(body, buf, start, start + this.maxBlock, this.histStart);
    this.blockEnd = end;
    this.at = start;
    this.produced += end - start;
    this.hash?.update(buf.subarray(start, end));
  }

  private histStart = HISTORY;
}
