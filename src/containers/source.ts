/**
 * Random-access byte sources: a file on disk (read through a handle, never whole), a buffer in
 * memory, or a slice of another source (a zip member stored uncompressed, a tar entry).
 */
import type { FileHandle } from 'node:fs/promises';

export interface Source {
  /** Size in bytes. */
  readonly size: number;
  /** Up to `length` bytes at `offset`, clipped at the end of the source. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

export class BufferSource implements Source {
  constructor(readonly bytes: Uint8Array) {}
  get size(): number {
    return this.bytes.length;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    return this.bytes.subarray(Math.min(offset, this.bytes.length), Math.min(offset + length, this.bytes.length));
  }
}

export class FileSource implements Source {
  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}
  async read(offset: number, length: number): Promise<Uint8Array> {
    const n = Math.max(0, Math.min(length, this.size - offset));
    const out = Buffer.allocUnsafe(n);
    let done = 0;
    while (done < n) {
      const { bytesRead } = await this.handle.read(out, done, n - done, offset + done);
      if (bytesRead === 0) break; // file shrank while we read it
      done += bytesRead;
    }
    return done === n ? out : out.subarray(0, done);
  }
}

export class SliceSource implements Source {
  constructor(
    private readonly parent: Source,
    private readonly start: number,
    readonly size: number,
  ) {}
  read(offset: number, length: number): Promise<Uint8Array> {
    const n = Math.max(0, Math.min(length, this.size - offset));
    return this.parent.read(this.start + offset, n);
  }
}

/** The whole source in memory (a view, not a copy, for buffers). */
export async function readAll(source: Source): Promise<Uint8Array> {
  if (source instanceof BufferSource) return source.bytes;
  return source.read(0, source.size);
}
