/**
 * The opcode reader: the trust boundary. A pull-style cursor that reads one opcode at a time without
 * copying: after `next()` returns true, the fields below describe the opcode and where its argument
 * lies. Every length is unsigned and checked against the bytes that remain before anything is read;
 * nothing is allocated from a declared length.
 *
 * The bytes are a Uint8Array in memory, or any ByteSource read through a bounded window: arguments
 * the scan needs (text it decodes) are brought into the window; bytes payloads are skipped by
 * position, with only their first HEAD_BYTES read, so memory does not grow with the input.
 * Positions (`opPos`, `pos`) are absolute; argument ranges (`argStart`..) index `buf`, the window,
 * and are valid until the next call.
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
 *
 * This file decides which opcode comes next and where (next(), readNext(), frames); arg-cursor.ts
 * holds the current opcode's fields and places its argument, file-input.ts the file mode's buffer.
 */
import type { RuleArgs } from '../report/rules';
import { A_FIXED, A_LEN, A_LINE, A_NONE, ARG_BYTES, ARG_CLASS, ARG_SIGNED, ARG_WIDTH, HEAD_BYTES, readUint } from './arg-classes';

/** Lines the reader's fast path looks for the end of (longer ones go the general way). */
const SHORT_LINE = 256;
import type { ArgOptions } from './arg-cursor';
import { FileInput } from './file-input';
import { OPCODE_BY_CODE, Op } from './opcodes';
import type { ByteSource } from './source';

export { A_FIXED, A_LEN, A_LINE, A_LINE2, A_NONE, ARG_BYTES, ARG_CLASS, ARG_SIGNED, ARG_WIDTH, HEAD_BYTES } from './arg-classes';
export type { ReadError } from './arg-cursor';

/** An opcode that crosses a FRAME boundary: the finding's rule and its arguments. */
export type FrameViolation =
  | { rule: 'FRAME_VIOLATION/frame-straddle'; args: RuleArgs<'FRAME_VIOLATION/frame-straddle'> }
  | { rule: 'FRAME_VIOLATION/frame-in-frame'; args: RuleArgs<'FRAME_VIOLATION/frame-in-frame'> };

export interface ReaderOptions extends ArgOptions {
  /** Read as the C unpickler reads a file object without peek() (see above). Default false. */
  fileMode?: boolean;
}

export class OpReader extends FileInput {
  /** Absolute position of the next opcode. */
  pos: number;
  readonly fileMode: boolean;

  // ---- frames (memory mode; positions absolute)
  /** End of the current frame, or -1 outside frames. */
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

  constructor(input: Uint8Array | ByteSource, options: ReaderOptions = {}) {
    super(input, options);
    this.pos = options.start ?? 0;
    this.fileMode = options.fileMode ?? false;
    this.filePos = this.idx = this.frameBufEnd = this.pos;
  }

  // ---------------------------------------------------------------- one opcode

  /**
   * Reads the next opcode. Returns false at the end of input (error null) or on bad input (error set).
   *
   * The common case first, small enough for the engine to inline into the caller's loop: an opcode
   * whose argument is fixed-width or a short length-prefixed payload, wholly in the window and in the
   * current frame, read in memory mode. Everything else (and every doubt) goes to readNext(), which
   * handles all cases; test/machine/streaming.test.ts and the sample suites check the two agree.
   */
  next(): boolean {
    const p = this.pos;
    const rel = p - this.base;
    if (this.fileMode || this.frameNote || rel < 0 || rel + 9 >= this.bufEnd) return this.readNext();
    const buf = this.buf;
    const code = buf[rel]!;
    const info = OPCODE_BY_CODE[code];
    if (info === undefined) return this.readNext();
    const cls = ARG_CLASS[code];
    let q: number;
    let start: number;
    let end: number;
    let num = this.argNum;
    if (cls === A_NONE) {
      if (code === 0x95) return this.readNext(); // FRAME (a literal: this is the hottest path)
      q = p + 1;
      start = end = rel + 1;
    } else if (cls === A_FIXED) {
      const w = ARG_WIDTH[code]!;
      if (w === 8 && code !== 0x47) return this.readNext(); // FRAME's uint8; BINFLOAT's float8 is fine
      start = rel + 1;
      end = start + w;
      if (code !== 0x47) num = w === 1 ? buf[start]! : w === 2 ? buf[start]! | (buf[start + 1]! << 8) : ARG_SIGNED[code] ? buf[start]! | (buf[start + 1]! << 8) | (buf[start + 2]! << 16) | (buf[start + 3]! << 24) : (buf[start]! | (buf[start + 1]! << 8) | (buf[start + 2]! << 16) | (buf[start + 3]! << 24)) >>> 0;
      q = p + 1 + w;
    } else if (cls === A_LEN && ARG_WIDTH[code] !== 8) {
      const w = ARG_WIDTH[code]!;
      num = w === 1 ? buf[rel + 1]! : (buf[rel + 1]! | (buf[rel + 2]! << 8) | (buf[rel + 3]! << 16) | (buf[rel + 4]! << 24)) >>> 0;
      start = rel + 1 + w;
      end = start + num;
      // in the window and short: a text argument the scan reads, or a bytes payload within its head
      // (from a source, a bytes head is copied: the window moves on; readNext does that)
      if (end > this.bufEnd || num > HEAD_BYTES || (ARG_SIGNED[code] && num > 0x7fffffff) || (ARG_BYTES[code] && this.source !== null)) return this.readNext();
      q = p + 1 + w + num;
    } else if (cls === A_LINE && this.source === null) {
      // protocol 0's one-line arguments, in memory: the newline found here, short lines only (a long
      // or unterminated one, and every doubt, goes to readNext)
      start = rel + 1;
      const stop = Math.min(this.bufEnd, start + SHORT_LINE);
      let nl = start;
      while (nl < stop && buf[nl] !== 0x0a) nl++;
      if (nl >= stop || nl - start > this.maxLine) return this.readNext();
      end = nl;
      q = p + 1 + (nl - start) + 1;
    } else return this.readNext();
    const frameEnd = this.frameEnd;
    if (frameEnd >= 0 && (p >= frameEnd || q > frameEnd)) return this.readNext();
    this.opPos = p;
    this.code = code;
    this.info = info;
    this.argStart = start;
    this.argEnd = end;
    this.argPos = p + (start - rel);
    this.argLen = end - start;
    this.argNum = num;
    this.argLoaded = true;
    if (this.source !== null) this.argBuf = buf;
    this.pos = q;
    return true;
  }

  /** Reads the next opcode, any opcode, in any mode (see next()). */
  private readNext(): boolean {
    if (this.frameNote) {
      this.frameViolation = null;
      this.frameOversize = null;
      this.frameNote = false;
    }
    const file = this.fileMode;
    const p = file ? this.take(1) : this.pos;
    // in the window (always, in memory) is the fast path; else read it in
    if (p < 0 || ((p < this.base || p - this.base >= this.bufEnd) && !this.has(p))) return false;
    const code = this.buf[p - this.base]!;
    const info = OPCODE_BY_CODE[code];
    this.opPos = p;
    this.code = code;
    this.argLoaded = true;
    if (this.source !== null) this.argCopy = null;
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
        this.argPos = q;
        this.argLen = 0;
        this.argStart = this.argEnd = q - this.base;
        break;
      case A_FIXED: {
        const w = ARG_WIDTH[code]!;
        const s = file ? this.take(w) : q;
        const r = s >= this.base && s + w - this.base <= this.bufEnd ? s - this.base : s < 0 ? -1 : this.fetch(s, w);
        if (r < 0) return this.truncated('argument');
        this.argPos = s;
        this.argLen = w;
        this.argStart = r;
        this.argEnd = r + w;
        if (code !== 0x47 /* BINFLOAT: a float, not an int */) {
          const v = readUint(this.buf, r, w);
          this.argNum = w === 4 && ARG_SIGNED[code] ? v | 0 : v;
        }
        q = s + w;
        break;
      }
      case A_LEN: {
        const w = ARG_WIDTH[code]!;
        const s = file ? this.take(w) : q;
        const r = s >= this.base && s + w - this.base <= this.bufEnd ? s - this.base : s < 0 ? -1 : this.fetch(s, w);
        if (r < 0) return this.truncated('length prefix');
        let n = readUint(this.buf, r, w);
        if (w === 4 && ARG_SIGNED[code]) {
          n = n | 0;
          if (n < 0) return this.fail('MALFORMED/negative-length', { op: info.name, at: p, n });
        }
        const d = file ? (n > this.limit ? -1 : this.take(n)) : s + w;
        if (d < 0) return this.declared(n);
        this.argNum = n;
        this.argPos = d;
        this.argLen = n;
        if (this.source === null && n <= this.limit - d) {
          // in memory: the whole payload is there
          this.argStart = d;
          this.argEnd = d + n;
        } else if (!this.payload(code, d, n)) return this.declared(n, this.remainFrom(d));
        q = d + n;
        break;
      }
      case A_LINE: {
        // memory mode: no [start, newline) pair allocated per line (the common protocol-0 case)
        let s = q;
        let nl: number;
        if (file) {
          const line = this.takeLine();
          if (!line) return this.truncated('newline-terminated argument');
          [s, nl] = line;
        } else {
          nl = this.findNewline(q);
          if (nl < 0) return this.truncated('newline-terminated argument');
        }
        this.argPos = s;
        this.argLen = nl - s;
        if (nl - s > this.maxLine) this.skipped();
        else {
          const r = this.fetch(s, nl - s);
          this.argStart = r;
          this.argEnd = r + (nl - s);
        }
        q = nl + 1;
        break;
      }
      default: {
        let a0 = q;
        let a1: number;
        let b0: number;
        let b1: number;
        if (file) {
          const a = this.takeLine();
          if (!a) return this.truncated('module or name line');
          const b = this.takeLine();
          if (!b) return this.truncated('module or name line');
          [a0, a1] = a;
          [b0, b1] = b;
        } else {
          a1 = this.findNewline(q);
          if (a1 < 0) return this.truncated('module line');
          b0 = a1 + 1;
          b1 = this.findNewline(b0, a0);
          if (b1 < 0) return this.truncated('name line');
        }
        this.lines(a0, a1, b0, b1);
        q = b1 + 1;
      }
    }
    if (this.source !== null) this.argBuf = this.argCopy ?? this.buf;
    // FRAME is 0x95 (a literal: this is the hottest loop)
    if (file) {
      if (code === 0x95) {
        const n = this.argNum;
        const s = n > this.limit ? -1 : this.take(n);
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
      } else if (code === 0x95) {
        this.frameViolation = { rule: 'FRAME_VIOLATION/frame-in-frame', args: { at: p, frameEnd: this.frameEnd } };
        this.frameNote = true;
      }
    }
    if (code === 0x95) {
      const n = this.argNum;
      if (n > 0 && (n === Infinity || !this.has(q + n - 1))) {
        this.frameNote = true;
        this.frameOversize = { at: p, declared: n === Infinity ? 'more than 2^53' : String(n), remain: this.remainFrom(q) };
        this.frameEnd = -1;
      } else this.frameEnd = n > 0 ? q + n : -1;
    }
    this.pos = q;
    return true;
  }
}
