/**
 * A file as a ByteSource: synchronous positional reads (`fs.readSync` at an offset) through a file
 * descriptor, nothing read ahead and nothing kept. Reads past a file that shrank return what is
 * there (the walker sees a truncated stream, never stale bytes).
 */
import * as fs from 'node:fs';
import type { ByteSource } from '../../pickle/source';

export class FileSource implements ByteSource {
  constructor(
    readonly fd: number,
    readonly size: number,
  ) {}

  read(pos: number, dst: Uint8Array, dstOffset: number, length: number): number {
    const n = Math.max(0, Math.min(length, this.size - pos));
    let done = 0;
    while (done < n) {
      const got = fs.readSync(this.fd, dst, dstOffset + done, n - done, pos + done);
      if (got === 0) break; // the file shrank while we read it
      done += got;
    }
    return done;
  }
}
