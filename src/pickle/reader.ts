/**
 * The opcode reader: the trust boundary. A pull-style cursor over bytes that reads one opcode at a
 * time without copying or allocating: after `next()` returns true, the fields below describe the
 * opcode and where its argument lies. Every length is unsigned and checked against the bytes that
 * remain before anything is read; nothing is allocated from a declared length.
 *
 * Two ways of reading, one reader:
 * - **memory** (default), as `pickle.loads` and pickletools read: bytes in order. FRAME (protocol 4+)
 *   boundaries are tracked: an opcode that starts in a frame and ends beyond it, or a frame that begins
 *   before the previous one is consumed, is reported in `frameViolation`.
 * - **file**, as CPython's C unpickler reads a file object that has no `peek()` (such as `io.BytesIO`,
 *   which `torch.load` uses): FRAME loads the frame into a buffer, and a read that needs more than the
 *   buffer still holds drops the rest of the buffer and reads fresh bytes from the file
 *   (Modules/_pickle.c `_Unpickler_ReadImpl`, `_Unpickler_Readline`). When an opcode straddles a frame
 *   end, the two readings differ: bytes one reads as data, the other runs.
 */
import { ruleMessage, type RuleArgs } from '../report/rules';
import { OPCODE_BY_CODE, Op, type OpcodeInfo } from './opcodes';

type ReadRule = 'MALFORMED/invalid-opcode' | 'TRUNCATED/truncated-argument' | 'MALFORMED/negative-length' | 'TRUNCATED/declared-length';

/** Where and why the bytes stop being an opcode stream: the finding's rule and its arguments. */
export interface ReadError {
  code: 'MALFORMED' | 'TRUNCATED';
  rule: ReadRule;
  args: RuleArgs<ReadRule>;
  message: string;
  offset: number;
  opcode?: string;
}

/** An opcode that crosses a FRAME boundary: the finding's rule and its arguments. */
export type FrameViolation =
  | { rule: 'FRAME_VIOLATION/frame-straddle'; args: RuleArgs<'FRAME_VIOLATION/frame-straddle'> }
  | { rule: 'FRAME_VIOLATION/frame-in-frame'; args: RuleArgs<'FRAME_VIOLATION/frame-in-frame'> };

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

/** An unsigned little-endian integer of `w` bytes (1, 2, 4 or 8) at `q`; values past 2^53 are Infinity. */
function readUint(buf: Uint8Array, q: number, w: number): number {
  if (w === 1) return buf[q]!;
  if (w === 2) return buf[q]! | (buf[q + 1]! << 8);
  const lo = (buf[q]! | (buf[q + 1]! << 8) | (buf[q + 2]! << 16) | (buf[q + 3]! << 24)) >>> 0;
  if (w === 4) return lo;
  const hi = (buf[q + 4]! | (buf[q + 5]! << 8) | (buf[q + 6]! << 16) | (buf[q + 7]! << 24)) >>> 0;
  return hi > 0x1fffff ? Infinity : hi * 4294967296 + lo;
}

export interface ReaderOptions {
  start?: number;
  end?: number;
  /** Read as the C unpickler reads a file object without peek() (see above). Default false. */
  fileMode?: boolean;
}

export class OpReader {
  /** The input. */
  readonly buf: Uint8Array;
  /** End of the readable range. */
  readonly limit: number;
  /** Offset of the next opcode. */
  pos: number;
  readonly fileMode: boolean;

  // ---- the current opcode (valid after next() returned true)
  /** Offset of the opcode byte. */
  opPos = 0;
  /** The opcode byte. */
  code = 0;
  /** Its table entry. */
  info: OpcodeInfo = OPCODE_BY_CODE[Op.STOP]!;
  /** Argument payload range: the line without its newline, or the bytes after a length prefix. */
  argStart = 0;
  argEnd = 0;
  /** Second line of GLOBAL/INST (the name). */
  arg2Start = 0;
  arg2End = 0;
  /** Fixed-width integer argument (uint1/2/4, int4, uint8 when ≤ 2^53), or the payload length. */
  argNum = 0;

  // ---- frames (memory mode)
  /** End offset of the current frame, or -1 outside frames. */
  frameEnd = -1;
  /** Set when the current opcode straddles a frame end or starts a frame inside another one. */
  frameViolation: FrameViolation | null = null;
  /**
   * Set when a FRAME declares more bytes than remain. CPython refuses such a stream; the reader goes on
   * as if the frame were absent (as pickletools does), so what follows is still analysed.
   */
  frameOversize: RuleArgs<'RESOURCE_HOSTILE/frame-oversize'> | null = null;
  /** True while frameViolation or frameOversize is set (so the hot path resets nothing). */
  private frameNote = false;

  // ---- the unpickler's input buffer (file mode): [idx, bufEnd) is what remains of it; filePos is the next byte the file gives
  private filePos: number;
  private idx: number;
  private bufEnd: number;

  /** Set when next() returned false because of bad input (null at a clean end of input). */
  error: ReadError | null = null;

  constructor(buf: Uint8Array, options: ReaderOptions = {}) {
    this.buf = buf;
    this.pos = options.start ?? 0;
    this.limit = options.end ?? buf.length;
    this.fileMode = options.fileMode ?? false;
    this.filePos = this.idx = this.bufEnd = this.pos;
  }

  private fail<R extends ReadRule>(rule: R, args: RuleArgs<R>): false {
    const offset = this.opPos;
    this.error = { code: rule.startsWith('T') ? 'TRUNCATED' : 'MALFORMED', rule, args, message: ruleMessage(rule, args), offset, opcode: this.info.name };
    return false;
  }

  private truncated(what: string): false {
    return this.fail('TRUNCATED/truncated-argument', { op: this.info.name, at: this.opPos, what });
  }

  /** A length past the end of the input; `remain` is left out in file mode, where the message says "beyond the end". */
  private declared(n: number, remain?: number): false {
    const declared = n === Infinity ? 'more than 2^53' : String(n);
    return this.fail('TRUNCATED/declared-length', remain === undefined ? { op: this.info.name, at: this.opPos, declared } : { op: this.info.name, at: this.opPos, declared, remain });
  }

  // ---- the two ways of taking bytes: offset of n bytes, or -1 when the input ends first

  private take(q: number, n: number): number {
    if (!this.fileMode) return n > this.limit - q ? -1 : q;
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

  /** Offset of the newline ending the line that starts at q (memory) or at the file's cursor; -1 at the end. */
  private line(q: number): number {
    if (!this.fileMode) {
      const nl = this.buf.indexOf(0x0a, q);
      return nl < 0 || nl >= this.limit ? -1 : nl;
    }
    const inBuf = this.buf.subarray(0, this.bufEnd).indexOf(0x0a, this.idx);
    if (inBuf >= 0) {
      this.lineStart = this.idx;
      this.idx = inBuf + 1;
      return inBuf;
    }
    const nl = this.buf.indexOf(0x0a, this.filePos);
    if (nl < 0 || nl >= this.limit) return -1;
    this.lineStart = this.filePos;
    this.filePos = nl + 1;
    this.idx = this.bufEnd = this.filePos;
    return nl;
  }
  private lineStart = 0;

  /** Reads the next opcode. Returns false at the end of input (error null) or on bad input (error set). */
  next(): boolean {
    const buf = this.buf;
    if (this.frameNote) {
      this.frameViolation = null;
      this.frameOversize = null;
      this.frameNote = false;
    }
    const file = this.fileMode;
    const p = file ? this.take(0, 1) : this.pos;
    if (p < 0 || p >= this.limit) return false;
    const code = buf[p]!;
    const info = OPCODE_BY_CODE[code];
    this.opPos = p;
    this.code = code;
    if (info === undefined) {
      this.info = OPCODE_BY_CODE[Op.STOP]!;
      this.fail('MALFORMED/invalid-opcode', { byte: code, at: p });
      delete this.error!.opcode;
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
        const s = this.take(q, w);
        if (s < 0) return this.truncated('argument');
        this.argStart = s;
        this.argEnd = s + w;
        if (code !== Op.BINFLOAT) {
          const v = readUint(buf, s, w);
          this.argNum = w === 4 && ARG_SIGNED[code] ? v | 0 : v;
        }
        q = s + w;
        break;
      }
      case A_LEN: {
        const w = ARG_WIDTH[code]!;
        const s = this.take(q, w);
        if (s < 0) return this.truncated('length prefix');
        let n = readUint(buf, s, w);
        if (w === 4 && ARG_SIGNED[code]) {
          n = n | 0;
          if (n < 0) return this.fail('MALFORMED/negative-length', { op: info.name, at: p, n });
        }
        q = s + w;
        const d = n > this.limit ? -1 : this.take(q, n);
        if (d < 0) return file ? this.declared(n) : this.declared(n, this.limit - q);
        this.argNum = n;
        this.argStart = d;
        this.argEnd = d + n;
        q = d + n;
        break;
      }
      case A_LINE: {
        const nl = this.line(q);
        if (nl < 0) return this.truncated('newline-terminated argument');
        this.argStart = file ? this.lineStart : q;
        this.argEnd = nl;
        q = nl + 1;
        break;
      }
      default: {
        const nl = this.line(q);
        if (nl < 0) return this.truncated(file ? 'module or name line' : 'module line');
        this.argStart = file ? this.lineStart : q;
        this.argEnd = nl;
        const nl2 = this.line(nl + 1);
        if (nl2 < 0) return this.truncated(file ? 'module or name line' : 'name line');
        this.arg2Start = file ? this.lineStart : nl + 1;
        this.arg2End = nl2;
        q = nl2 + 1;
      }
    }
    if (file) {
      if (code === Op.FRAME) {
        const n = this.argNum;
        const s = n > this.limit ? -1 : this.take(0, n);
        if (s < 0) return this.declared(n);
        this.idx = s; // load_frame reads the frame into the buffer, then rewinds
      }
      this.pos = Math.max(this.idx, this.filePos);
      return true;
    }
    // Frames: an opcode must lie wholly inside the current frame.
    if (this.frameEnd >= 0) {
      if (p >= this.frameEnd) this.frameEnd = -1;
      else if (q > this.frameEnd) {
        this.frameViolation = { rule: 'FRAME_VIOLATION/frame-straddle', args: { op: info.name, at: p, end: q, frameEnd: this.frameEnd } };
        this.frameNote = true;
        this.frameEnd = -1;
      } else if (code === Op.FRAME) {
        this.frameViolation = { rule: 'FRAME_VIOLATION/frame-in-frame', args: { at: p, frameEnd: this.frameEnd } };
        this.frameNote = true;
      }
    }
    if (code === Op.FRAME) {
      const n = this.argNum;
      if (n > this.limit - q) {
        this.frameNote = true;
        this.frameOversize = { at: p, declared: n === Infinity ? 'more than 2^53' : String(n), remain: this.limit - q };
        this.frameEnd = -1;
      } else this.frameEnd = n > 0 ? q + n : -1;
    }
    this.pos = q;
    return true;
  }
}
