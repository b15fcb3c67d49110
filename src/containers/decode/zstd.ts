/**
 * Streaming Zstandard (as pandas and the `zstandard` module write it) on fzstd's block decoder.
 * The frames are walked here (frame header, 3-byte block headers, optional checksum, skippable
 * frames), so each block is handed to fzstd on its own: at most one block (128 KiB) of output is
 * produced at a time, and the window size is checked before fzstd allocates it (frames asking for
 * more than MAX_WINDOW are refused, as zstd itself does by default). The optional XXH64 content
 * checksum is skipped, not verified.
 */
import type { ByteSource } from '../../pickle/source';
import { DecompressError, InputReader, type Decoder } from './decoder';

/** zstd's own default limit (ZSTD_WINDOWLOG_LIMIT_DEFAULT = 27). */
export const MAX_WINDOW = 1 << 27;

interface FzstdDecompress {
  push(chunk: Uint8Array, final?: boolean): void;
}
type FzstdCtor = new (ondata: (data: Uint8Array, final?: boolean) => void) => FzstdDecompress;

const corrupt = (why: string) => new DecompressError(`corrupt zstd stream: ${why}`, false);

export class ZstdDecoder implements Decoder {
  private readonly reader: InputReader;
  private frame: FzstdDecompress | null = null;
  private checksum = false;
  private lastBlock = false;
  private queue: Uint8Array[] = [];
  private head: Uint8Array = new Uint8Array(0);
  private frames = 0;
  private done = false;

  constructor(input: ByteSource) {
    this.reader = new InputReader(input);
  }

  get consumed(): number {
    return this.reader.pos;
  }

  close(): void {
    this.frame = null;
    this.queue = [];
  }

  read(dst: Uint8Array, off: number, len: number): number {
    let n = 0;
    while (n < len) {
      if (this.head.length === 0 && this.queue.length > 0) this.head = this.queue.shift()!;
      if (this.head.length > 0) {
        const k = Math.min(this.head.length, len - n);
        dst.set(this.head.subarray(0, k), off + n);
        this.head = this.head.subarray(k);
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

  /** Decode the next block (or frame header, or skip a skippable frame). */
  private step(): void {
    if (!this.frame) {
      if (this.frames > 0 && this.reader.atEnd()) {
        this.done = true;
        return;
      }
      const magic = this.exact(4, 'frame header');
      const m = (magic[0]! | (magic[1]! << 8) | (magic[2]! << 16) | (magic[3]! << 24)) >>> 0;
      if ((m & 0xfffffff0) === 0x184d2a50) {
        const s = this.exact(4, 'skippable frame');
        const size = (s[0]! | (s[1]! << 8) | (s[2]! << 16) | (s[3]! << 24)) >>> 0;
        if (this.reader.bytes(size).length < size) throw corrupt('truncated skippable frame');
        this.frames++;
        return;
      }
      if (m !== 0xfd2fb528) throw corrupt(this.frames === 0 ? 'bad magic' : 'data after the last frame');
      const fhd = this.exact(1, 'frame header')[0]!;
      const single = (fhd >> 5) & 1;
      const fcsFlag = fhd >> 6;
      const dictFlag = fhd & 3;
      if (fhd & 8) throw corrupt('reserved bit set in the frame header');
      const wd = single ? null : this.exact(1, 'frame header')[0]!;
      const dictBytes = [0, 1, 2, 4][dictFlag]!;
      const dict = this.exact(dictBytes, 'frame header');
      const fcsBytes = fcsFlag === 0 ? single : 1 << fcsFlag;
      const fcs = this.exact(fcsBytes, 'frame header');
      let contentSize = 0;
      for (let i = fcs.length - 1; i >= 0; i--) contentSize = contentSize * 256 + fcs[i]!;
      if (fcsFlag === 1) contentSize += 256;
      let window: number;
      if (wd === null) window = contentSize;
      else {
        const base = 2 ** (10 + (wd >> 3));
        window = base + (base / 8) * (wd & 7);
      }
      if (dict.some((x) => x !== 0)) throw corrupt('frame needs a dictionary');
      if (window > MAX_WINDOW) throw new DecompressError(`zstd window of ${window} bytes exceeds ${MAX_WINDOW}`, true, { kind: 'window', bytes: window, max: MAX_WINDOW });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { Decompress } = require('fzstd') as { Decompress: FzstdCtor };
      this.frame = new Decompress((data) => {
        if (data.length > 0) this.queue.push(data);
      });
      this.checksum = ((fhd >> 2) & 1) === 1;
      this.lastBlock = false;
      this.frames++;
      const header = new Uint8Array(4 + 1 + (wd === null ? 0 : 1) + dict.length + fcs.length);
      header.set(magic, 0);
      header[4] = fhd;
      let p = 5;
      if (wd !== null) header[p++] = wd;
      header.set(dict, p);
      header.set(fcs, p + dict.length);
      this.push(header);
      return;
    }
    if (this.lastBlock) {
      if (this.checksum) this.exact(4, 'content checksum');
      this.frame = null;
      return;
    }
    const bh = this.exact(3, 'block header');
    const v = bh[0]! | (bh[1]! << 8) | (bh[2]! << 16);
    const type = (v >> 1) & 3;
    const size = v >>> 3;
    if (type === 3) throw corrupt('reserved block type');
    if (size > 128 * 1024) throw corrupt('block larger than 128 KiB');
    const body = this.exact(type === 1 ? 1 : size, 'block');
    this.lastBlock = (v & 1) === 1;
    const block = new Uint8Array(3 + body.length);
    block.set(bh, 0);
    block.set(body, 3);
    this.push(block);
  }

  private push(bytes: Uint8Array): void {
    try {
      this.frame!.push(bytes);
    } catch (err) {
      throw corrupt((err as Error)?.message ?? String(err));
    }
  }
}
