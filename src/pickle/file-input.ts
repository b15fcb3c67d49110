/**
 * File mode's input: the C unpickler's input buffer as it reads a file object that has no `peek()`
 * (such as `io.BytesIO`, which `torch.load` uses). FRAME loads the frame into the buffer; a read that
 * needs more than the buffer still holds drops the rest of it and reads fresh bytes from the file
 * (Modules/_pickle.c `_Unpickler_ReadImpl`, `_Unpickler_Readline`). This layer says where the next n
 * bytes or the next line come from; the reader (reader.ts) decides when to ask.
 */
import { ArgCursor } from './arg-cursor';

export abstract class FileInput extends ArgCursor {
  // ---- the unpickler's input buffer (file mode), absolute: [idx, frameBufEnd) remains of it; filePos is the next byte the file gives
  // (set by OpReader's constructor, from its start position)
  protected filePos!: number;
  protected idx!: number;
  protected frameBufEnd!: number;

  /** Absolute position of the next n bytes as the C unpickler reads them, or -1 at the end of the file. */
  protected take(n: number): number {
    if (this.idx + n <= this.frameBufEnd) {
      const s = this.idx;
      this.idx += n;
      return s;
    }
    if (n > 0 && !this.has(this.filePos + n - 1)) return -1;
    const s = this.filePos;
    this.filePos += n;
    this.idx = this.frameBufEnd = this.filePos;
    return s;
  }

  /** The next line as the C unpickler reads it: [start, newline) absolute, or null at the end of the file. */
  protected takeLine(): [number, number] | null {
    if (this.idx < this.frameBufEnd) {
      const nl = this.findNewline(this.idx);
      if (nl >= 0 && nl < this.frameBufEnd) {
        const s = this.idx;
        this.idx = nl + 1;
        return [s, nl];
      }
    }
    const nl = this.findNewline(this.filePos);
    if (nl < 0) return null;
    const s = this.filePos;
    this.filePos = nl + 1;
    this.idx = this.frameBufEnd = this.filePos;
    return [s, nl];
  }
}
