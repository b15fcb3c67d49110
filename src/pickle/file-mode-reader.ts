/**
 * The opcode stream as CPython's C unpickler reads it from a file object that has no `peek()` (such as
 * `io.BytesIO`, which `torch.load` uses): FRAME loads the frame into a buffer, and a read that needs
 * more than the buffer still holds drops the rest of the buffer and reads fresh bytes from the file
 * (Modules/_pickle.c `_Unpickler_ReadImpl`, `_Unpickler_Readline`). When an opcode straddles a frame end,
 * this reading differs from `pickle.loads` and from pickletools: bytes one reads as data, the other runs.
 * Used only to re-read a pickle in which OpReader saw a straddle.
 */
import { OPCODE_BY_CODE } from './opcodes';
import { A_FIXED, A_LEN, A_LINE, A_NONE, ARG_CLASS, ARG_SIGNED, ARG_WIDTH, OpReader } from './reader';

const FRAME = 0x95;

export class FileModeReader extends OpReader {
  /** Next byte the file would give. */
  private filePos: number;
  /** The unpickler's input buffer: [idx, bufEnd) is what remains of it. */
  private idx: number;
  private bufEnd: number;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    super(buf, start, end);
    this.filePos = this.idx = this.bufEnd = start;
  }

  /** Offset of n bytes as the C unpickler reads them, or -1 at the end of the file. */
  private read(n: number): number {
    if (this.idx + n <= this.bufEnd) {
      const s = this.idx;
      this.idx += n;
      return s;
    }
    if (n > this.limit - this.filePos) return -1;
    const s = this.filePos;
    this.filePos += n;
    this.idx = this.bufEnd = this.filePos;
    return s;
  }

  /** [start, end) of the next line without its newline, or null at the end of the file. */
  private readline(): [number, number] | null {
    const inBuf = this.buf.subarray(0, this.bufEnd).indexOf(0x0a, this.idx);
    if (inBuf >= 0 && inBuf < this.bufEnd) {
      const s = this.idx;
      this.idx = inBuf + 1;
      return [s, inBuf];
    }
    const nl = this.buf.indexOf(0x0a, this.filePos);
    if (nl < 0 || nl >= this.limit) return null;
    const s = this.filePos;
    this.filePos = nl + 1;
    this.idx = this.bufEnd = this.filePos;
    return [s, nl];
  }

  override next(): boolean {
    this.frameViolation = null;
    this.frameOversize = null;
    const p = this.read(1);
    if (p < 0) return false;
    const code = this.buf[p]!;
    const info = OPCODE_BY_CODE[code];
    this.opPos = p;
    this.code = code;
    if (!info) {
      this.error = { code: 'MALFORMED', message: `invalid opcode byte 0x${code.toString(16).padStart(2, '0')} at offset ${p}`, offset: p };
      return false;
    }
    this.info = info;
    const buf = this.buf;
    switch (ARG_CLASS[code]) {
      case A_NONE:
        this.argStart = this.argEnd = p + 1;
        break;
      case A_FIXED: {
        const w = ARG_WIDTH[code]!;
        const s = this.read(w);
        if (s < 0) return this.truncated('argument');
        this.argStart = s;
        this.argEnd = s + w;
        let v = 0;
        for (let i = w - 1; i >= 0; i--) v = v * 256 + buf[s + i]!;
        if (w === 4 && ARG_SIGNED[code]) v = v | 0;
        this.argNum = w === 8 && v > Number.MAX_SAFE_INTEGER ? Infinity : v;
        break;
      }
      case A_LEN: {
        const w = ARG_WIDTH[code]!;
        const s = this.read(w);
        if (s < 0) return this.truncated('length prefix');
        let n = 0;
        for (let i = w - 1; i >= 0; i--) n = n * 256 + buf[s + i]!;
        if (w === 4 && ARG_SIGNED[code]) n = n | 0;
        if (n < 0) return this.fail('MALFORMED', `${info.name} at offset ${p} declares a negative length (${n})`, p);
        const d = n > this.limit ? -1 : this.read(n);
        if (d < 0) return this.fail('TRUNCATED', `${info.name} at offset ${p} declares ${n} bytes beyond the end of the input`, p);
        this.argNum = n;
        this.argStart = d;
        this.argEnd = d + n;
        break;
      }
      case A_LINE: {
        const line = this.readline();
        if (!line) return this.truncated('newline-terminated argument');
        [this.argStart, this.argEnd] = line;
        break;
      }
      default: {
        const a = this.readline();
        const b = a && this.readline();
        if (!a || !b) return this.truncated('module or name line');
        [this.argStart, this.argEnd] = a;
        [this.arg2Start, this.arg2End] = b;
      }
    }
    if (code === FRAME) {
      const n = this.argNum;
      const s = n > this.limit ? -1 : this.read(n);
      if (s < 0) return this.fail('TRUNCATED', `FRAME at offset ${p} declares more bytes than remain`, p);
      this.idx = s; // load_frame reads the frame into the buffer, then rewinds
    }
    this.pos = Math.max(this.idx, this.filePos);
    return true;
  }
}
