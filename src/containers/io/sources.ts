/** ByteSource helpers of the container readers: sizes of streams, tails, running CRC-32. */
import { zlib } from '../../lazy';
import { readBytes, type ByteSource } from '../../pickle/source';

/** A source whose size is learnt by reading it to the end (a decoder). */
interface Sizable extends ByteSource {
  sizeNow(): number;
}

/** The size of a source; a stream of unknown size is read forward to its end first. */
export function sizeOf(src: ByteSource): number {
  if (src.size !== undefined) return src.size;
  if (typeof (src as Sizable).sizeNow === 'function') return (src as Sizable).sizeNow();
  const buf = new Uint8Array(1 << 20);
  let pos = 0;
  for (;;) {
    const n = src.read(pos, buf, 0, buf.length);
    if (n === 0) return pos;
    pos += n;
  }
}

/** Everything of a source from `start` on, seen from position 0 (its size known when the parent's is). */
export class TailSource implements ByteSource {
  constructor(
    readonly parent: ByteSource,
    readonly start: number,
  ) {}
  get size(): number | undefined {
    const s = this.parent.size;
    return s === undefined ? undefined : Math.max(0, s - this.start);
  }
  read(pos: number, dst: Uint8Array, dstOffset: number, length: number): number {
    return this.parent.read(this.start + pos, dst, dstOffset, length);
  }
  sizeNow(): number {
    return Math.max(0, sizeOf(this.parent) - this.start);
  }
}

/**
 * A source that computes the CRC-32 of its content as it is read (zlib.crc32 with a running
 * value), over the contiguous prefix read so far; `finish` reads whatever the reader skipped.
 */
export class CrcSource implements ByteSource {
  private crc = 0;
  /** Bytes [0, covered) are in the CRC. */
  private covered = 0;
  private ended = false;

  constructor(readonly inner: ByteSource) {}

  get size(): number | undefined {
    return this.inner.size;
  }

  read(pos: number, dst: Uint8Array, dstOffset: number, length: number): number {
    const n = this.inner.read(pos, dst, dstOffset, length);
    if (n === 0 && length > 0 && pos <= this.covered) this.ended = true;
    if (pos <= this.covered && pos + n > this.covered) {
      this.crc = zlib().crc32(dst.subarray(dstOffset + (this.covered - pos), dstOffset + n), this.crc);
      this.covered = pos + n;
    }
    return n;
  }

  sizeNow(): number {
    return this.finish().size;
  }

  /** Read the rest (forward, from where the CRC stopped) and return the CRC and the total size. */
  finish(): { crc: number; size: number } {
    if (!this.ended) {
      const buf = new Uint8Array(1 << 20);
      for (;;) {
        const n = this.read(this.covered, buf, 0, buf.length);
        if (n === 0) break;
      }
      this.ended = true;
    }
    return { crc: this.crc >>> 0, size: this.covered };
  }
}

/** Up to `max` bytes at `pos` (a view for memory sources). */
export const bytesAt = readBytes;
