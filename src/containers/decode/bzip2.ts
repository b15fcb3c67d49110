/**
 * Streaming bzip2 (multi-stream, as Python's bz2 writes and reads it) on seek-bzip's block decoder:
 * seek-bzip reads one block's Huffman/BWT data; the inverse-BWT + run-length output is produced
 * here, resumably, `len` bytes at a time (a block never sits decoded in memory). Block and stream
 * CRCs are checked.
 */
import type { ByteSource } from '../../pickle/source';
import { DecompressError, InputReader, type Decoder } from './decoder';

interface BunzipState {
  dbuf: Uint32Array;
  writePos: number;
  writeCurrent: number;
  writeCount: number;
  writeRun: number;
  targetBlockCRC: number;
  streamCRC: number;
  blockCRC: { updateCRCRun(b: number, n: number): void; getCRC(): number };
  reader: { read(bits: number): number };
  _init_block(): boolean;
  _start_bunzip(input: unknown, output: unknown): void;
}
type BunzipCtor = new (input: unknown, output: unknown) => BunzipState;

const corrupt = (why: string) => new DecompressError(`corrupt bzip2 stream: ${why}`, false);

export class Bzip2Decoder implements Decoder {
  private readonly reader: InputReader;
  private readonly stream: { readByte(): number; read(b: Uint8Array, off: number, len: number): number };
  private bz: BunzipState | null = null;
  private inBlock = false;
  private done = false;
  /** A run-length repeat not yet written out. */
  private copies = 0;
  private outbyte = 0;

  constructor(input: ByteSource) {
    const reader = new InputReader(input);
    this.reader = reader;
    this.stream = {
      readByte(): number {
        const b = reader.byte();
        if (b < 0) throw corrupt('unexpected end of input');
        return b;
      },
      read(b: Uint8Array, off: number, len: number): number {
        let n = 0;
        while (n < len) {
          const x = reader.byte();
          if (x < 0) return n === 0 ? -1 : n;
          b[off + n++] = x;
        }
        return n;
      },
    };
  }

  get consumed(): number {
    return this.reader.pos;
  }

  read(dst: Uint8Array, off: number, len: number): number {
    try {
      return this.run(dst, off, len);
    } catch (err) {
      if (err instanceof DecompressError) throw err;
      throw corrupt((err as Error)?.message ?? String(err));
    }
  }

  private run(dst: Uint8Array, off: number, len: number): number {
    let n = 0;
    while (n < len && !this.done) {
      if (!this.bz) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const Bunzip = require('seek-bzip') as BunzipCtor;
        this.bz = new Bunzip(this.stream, null);
      }
      const bz = this.bz;
      if (this.inBlock) {
        n += this.drain(bz, dst, off + n, len - n);
        continue;
      }
      if (bz._init_block()) {
        this.inBlock = true;
        continue;
      }
      const target = bz.reader.read(32) >>> 0;
      if (target !== bz.streamCRC) throw corrupt(`bad stream CRC (got ${bz.streamCRC.toString(16)}, expected ${target.toString(16)})`);
      if (this.reader.atEnd()) this.done = true;
      else bz._start_bunzip(this.stream, null); // another stream follows (throws on anything else)
    }
    return n;
  }

  /** The inverse BWT and run-length decoding of the current block, resumable at any byte. */
  private drain(bz: BunzipState, dst: Uint8Array, off: number, len: number): number {
    const dbuf = bz.dbuf;
    let pos = bz.writePos;
    let current = bz.writeCurrent;
    let count = bz.writeCount;
    let run = bz.writeRun;
    const crc = bz.blockCRC;
    let n = 0;
    while (n < len) {
      if (this.copies > 0) {
        const k = Math.min(this.copies, len - n);
        dst.fill(this.outbyte, off + n, off + n + k);
        n += k;
        this.copies -= k;
        continue;
      }
      if (count <= 0) break;
      count--;
      const previous = current;
      pos = dbuf[pos]!;
      current = pos & 0xff;
      pos >>>= 8;
      if (run++ === 3) {
        this.copies = current;
        this.outbyte = previous;
        crc.updateCRCRun(previous, current);
        current = -1;
      } else {
        crc.updateCRCRun(current, 1);
        dst[off + n++] = current;
      }
      if (current !== previous) run = 0;
    }
    bz.writePos = pos;
    bz.writeCurrent = current;
    bz.writeCount = count;
    bz.writeRun = run;
    if (count <= 0 && this.copies === 0) {
      this.inBlock = false;
      if (crc.getCRC() !== bz.targetBlockCRC) throw corrupt(`bad block CRC (got ${crc.getCRC().toString(16)}, expected ${bz.targetBlockCRC.toString(16)})`);
    }
    return n;
  }

  close(): void {
    this.bz = null;
  }
}
