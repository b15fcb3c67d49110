/**
 * The opcode reader: the trust boundary. A pull-style cursor over a Uint8Array that reads one opcode
 * at a time without copying or allocating: after `next()` returns true, the fields below describe the
 * opcode and where its argument lies in the input. Every length is unsigned and checked against the
 * bytes that remain before anything is read; nothing is allocated from a declared length.
 *
 * FRAME (protocol 4+) boundaries are tracked: an opcode that starts in a frame and ends beyond it, or a
 * frame that begins before the previous one is consumed, is reported in `frameViolation` (the reader then
 * goes on reading bytes in order, as CPython's in-memory `pickle.loads` does).
 */
import { OPCODE_BY_CODE, type OpcodeInfo } from './opcodes';

export type ReadErrorCode = 'MALFORMED' | 'TRUNCATED' | 'RESOURCE_HOSTILE';

export interface ReadError {
  code: ReadErrorCode;
  message: string;
  offset: number;
  opcode?: string;
}

// Argument classes, precomputed per opcode byte so the hot loop switches on a small integer.
export const A_NONE = 0;
export const A_FIXED = 1; // fixed-width little-endian integer (or float8)
export const A_LEN = 2; // length-prefixed payload
export const A_LINE = 3; // one newline-terminated line
export const A_LINE2 = 4; // two lines (GLOBAL, INST)

export const ARG_CLASS = new Uint8Array(256);
export const ARG_WIDTH = new Uint8Array(256); // fixed width, or width of the length prefix
export const ARG_SIGNED = new Uint8Array(256); // 1 when the fixed value / length prefix is signed (int4, string4, long4)
for (const info of OPCODE_BY_CODE) {
  if (!info) continue;
  const c = info.code;
  switch (info.arg) {
    case null: ARG_CLASS[c] = A_NONE; break;
    case 'uint1': ARG_CLASS[c] = A_FIXED; ARG_WIDTH[c] = 1; break;
    case 'uint2': ARG_CLASS[c] = A_FIXED; ARG_WIDTH[c] = 2; break;
    case 'int4': ARG_CLASS[c] = A_FIXED; ARG_WIDTH[c] = 4; ARG_SIGNED[c] = 1; break;
    case 'uint4': ARG_CLASS[c] = A_FIXED; ARG_WIDTH[c] = 4; break;
    case 'uint8': ARG_CLASS[c] = A_FIXED; ARG_WIDTH[c] = 8; break;
    case 'float8': ARG_CLASS[c] = A_FIXED; ARG_WIDTH[c] = 8; break;
    case 'long1': case 'string1': case 'bytes1': case 'unicodestring1':
      ARG_CLASS[c] = A_LEN; ARG_WIDTH[c] = 1; break;
    case 'long4': case 'string4':
      ARG_CLASS[c] = A_LEN; ARG_WIDTH[c] = 4; ARG_SIGNED[c] = 1; break;
    case 'bytes4': case 'unicodestring4':
      ARG_CLASS[c] = A_LEN; ARG_WIDTH[c] = 4; break;
    case 'bytes8': case 'bytearray8': case 'unicodestring8':
      ARG_CLASS[c] = A_LEN; ARG_WIDTH[c] = 8; break;
    case 'stringnl_noescape_pair': ARG_CLASS[c] = A_LINE2; break;
    default: ARG_CLASS[c] = A_LINE; break;
  }
}

/** Opcodes whose arguments cannot straddle anything: for FRAME the argument is the frame length. */
const FRAME = 0x95;

export class OpReader {
  /** The input. */
  readonly buf: Uint8Array;
  /** End of the readable range. */
  readonly limit: number;
  /** Offset of the next opcode. */
  pos: number;

  // ---- the current opcode (valid after next() returned true)
  /** Offset of the opcode byte. */
  opPos = 0;
  /** The opcode byte. */
  code = 0;
  /** Its table entry. */
  info: OpcodeInfo = OPCODE_BY_CODE[0x2e]!;
  /** Argument payload range: the line without its newline, or the bytes after a length prefix. */
  argStart = 0;
  argEnd = 0;
  /** Second line of GLOBAL/INST (the name). */
  arg2Start = 0;
  arg2End = 0;
  /** Fixed-width integer argument (uint1/2/4, int4, uint8 when ≤ 2^53), or the payload length. */
  argNum = 0;

  // ---- frames
  /** End offset of the current frame, or -1 outside frames. */
  frameEnd = -1;
  /** Set when the current opcode straddles a frame end or starts a frame inside another one. */
  frameViolation: string | null = null;

  /**
   * Set when a FRAME declares more bytes than remain. CPython refuses such a stream; the reader goes on
   * as if the frame were absent (as pickletools does), so what follows is still analysed.
   */
  frameOversize: string | null = null;
  /** True while frameViolation or frameOversize is set (so the hot path resets nothing). */
  protected frameNote = false;

  /** Set when next() returned false because of bad input (null at a clean end of input). */
  error: ReadError | null = null;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.limit = end;
  }

  /** A FRAME opcode ending at `q`: the next argNum bytes form the frame. */
  protected startFrame(p: number, q: number): void {
    const n = this.argNum;
    if (n > this.limit - q) {
      this.frameNote = true;
      this.frameOversize = `FRAME at offset ${p} declares ${n === Infinity ? 'more than 2^53' : n} bytes but only ${this.limit - q} remain: CPython refuses to load it`;
      this.frameEnd = -1;
    } else this.frameEnd = n > 0 ? q + n : -1;
  }

  protected fail(code: ReadErrorCode, message: string, offset: number): false {
    this.error = { code, message, offset, opcode: this.info.name };
    return false;
  }

  protected truncated(what: string): false {
    return this.fail('TRUNCATED', `${this.info.name} at offset ${this.opPos}: input ends inside its ${what}`, this.opPos);
  }

  /** Reads the next opcode. Returns false at the end of input (error null) or on bad input (error set). */
  next(): boolean {
    const buf = this.buf;
    const limit = this.limit;
    const p = this.pos;
    if (this.frameNote) {
      this.frameViolation = null;
      this.frameOversize = null;
      this.frameNote = false;
    }
    if (p >= limit) return false;
    const code = buf[p]!;
    const info = OPCODE_BY_CODE[code];
    this.opPos = p;
    this.code = code;
    if (info === undefined) {
      this.info = OPCODE_BY_CODE[0x2e]!;
      this.error = {
        code: 'MALFORMED',
        message: `invalid opcode byte 0x${code.toString(16).padStart(2, '0')} at offset ${p}`,
        offset: p,
      };
      return false;
    }
    this.info = info;
    let q = p + 1;
    switch (ARG_CLASS[code]) {
      case A_NONE:
        this.argStart = this.argEnd = q;
        break;
      case A_FIXED: {
        const w = ARG_WIDTH[code]!;
        if (q + w > limit) return this.truncated('argument');
        this.argStart = q;
        this.argEnd = q + w;
        if (w === 1) this.argNum = buf[q]!;
        else if (w === 2) this.argNum = buf[q]! | (buf[q + 1]! << 8);
        else if (w === 4) {
          const v = (buf[q]! | (buf[q + 1]! << 8) | (buf[q + 2]! << 16) | (buf[q + 3]! << 24)) >>> 0;
          this.argNum = ARG_SIGNED[code] ? v | 0 : v;
        } else if (code !== 0x47) {
          // uint8 (FRAME): exact below 2^53, else Infinity (always beyond any input)
          const lo = (buf[q]! | (buf[q + 1]! << 8) | (buf[q + 2]! << 16) | (buf[q + 3]! << 24)) >>> 0;
          const hi = (buf[q + 4]! | (buf[q + 5]! << 8) | (buf[q + 6]! << 16) | (buf[q + 7]! << 24)) >>> 0;
          this.argNum = hi > 0x1fffff ? Infinity : hi * 4294967296 + lo;
        }
        q += w;
        break;
      }
      case A_LEN: {
        const w = ARG_WIDTH[code]!;
        if (q + w > limit) return this.truncated('length prefix');
        let n: number;
        if (w === 1) n = buf[q]!;
        else if (w === 4) {
          const v = (buf[q]! | (buf[q + 1]! << 8) | (buf[q + 2]! << 16) | (buf[q + 3]! << 24)) >>> 0;
          n = ARG_SIGNED[code] ? v | 0 : v;
          if (n < 0) return this.fail('MALFORMED', `${info.name} at offset ${p} declares a negative length (${n})`, p);
        } else {
          const lo = (buf[q]! | (buf[q + 1]! << 8) | (buf[q + 2]! << 16) | (buf[q + 3]! << 24)) >>> 0;
          const hi = (buf[q + 4]! | (buf[q + 5]! << 8) | (buf[q + 6]! << 16) | (buf[q + 7]! << 24)) >>> 0;
          n = hi > 0x1fffff ? Infinity : hi * 4294967296 + lo;
        }
        q += w;
        if (n > limit - q) {
          const declared = n === Infinity ? 'more than 2^53' : String(n);
          return this.fail(
            'TRUNCATED',
            `${info.name} at offset ${p} declares ${declared} bytes but only ${limit - q} remain`,
            p,
          );
        }
        this.argNum = n;
        this.argStart = q;
        this.argEnd = q + n;
        q += n;
        break;
      }
      case A_LINE: {
        const nl = buf.indexOf(0x0a, q);
        if (nl < 0 || nl >= limit) return this.truncated('newline-terminated argument');
        this.argStart = q;
        this.argEnd = nl;
        q = nl + 1;
        break;
      }
      default: {
        const nl = buf.indexOf(0x0a, q);
        if (nl < 0 || nl >= limit) return this.truncated('module line');
        const nl2 = buf.indexOf(0x0a, nl + 1);
        if (nl2 < 0 || nl2 >= limit) return this.truncated('name line');
        this.argStart = q;
        this.argEnd = nl;
        this.arg2Start = nl + 1;
        this.arg2End = nl2;
        q = nl2 + 1;
      }
    }
    // Frames: an opcode must lie wholly inside the current frame.
    if (this.frameEnd >= 0) {
      if (p >= this.frameEnd) this.frameEnd = -1;
      else if (q > this.frameEnd) {
        this.frameViolation = `${info.name} at offset ${p} ends at ${q}, beyond the end of its frame at ${this.frameEnd}`;
        this.frameNote = true;
        this.frameEnd = -1;
      } else if (code === FRAME) {
        this.frameViolation = `FRAME at offset ${p} begins before the current frame ends at ${this.frameEnd}`;
        this.frameNote = true;
      }
    }
    if (code === FRAME) this.startFrame(p, q);
    this.pos = q;
    return true;
  }
}
