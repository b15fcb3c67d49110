/**
 * The current opcode and where its argument lies: the fields the reader fills for each opcode, the
 * placing of an argument (a line, GLOBAL/INST's two lines, a length-prefixed payload) in the window
 * or a copy of it, text read only when short enough and bytes payloads only their head, and the
 * errors a read ends with. The reader (reader.ts) decides which opcode comes next and where.
 */
import { ruleMessage, type RuleArgs } from '../report/rules';
import { ARG_BYTES, HEAD_BYTES } from './arg-classes';
import { OPCODE_BY_CODE, Op, type OpcodeInfo } from './opcodes';
import type { ByteSource } from './source';
import { ByteWindow, type WindowOptions } from './window';

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

export interface ArgOptions extends WindowOptions {
  /** Length-prefixed text arguments longer than this are skipped, not read (their length is still known). Default 64 KiB. */
  maxKept?: number;
}

export abstract class ArgCursor extends ByteWindow {
  private readonly maxKept: number;

  // ---- the current opcode (valid after next() returned true)
  /** Absolute position of the opcode byte. */
  opPos = 0;
  /** The opcode byte. */
  code = 0;
  /** Its table entry. */
  info: OpcodeInfo = OPCODE_BY_CODE[Op.STOP]!;
  /** Where the argument ranges below index: the input in memory mode, else the window or a copy. */
  argBuf: Uint8Array;
  /** The copy argBuf is, when the argument does not lie in the window (set while reading an opcode). */
  protected argCopy: Uint8Array | null = null;
  /** Argument payload in `argBuf`: the line without its newline, the bytes after a length prefix (of a bytes payload read from a source: its head). */
  argStart = 0;
  argEnd = 0;
  /** Second line of GLOBAL/INST (the name). */
  arg2Start = 0;
  arg2End = 0;
  /** Fixed-width integer argument (uint1/2/4, int4, uint8 when ≤ 2^53), or the payload length. */
  argNum = 0;
  /** Absolute position of the argument payload and its whole length (lines: without the newline). */
  argPos = 0;
  argLen = 0;
  /** False when the argument is not in `buf` (a skipped long text or line); bytes payloads hold their head only. */
  argLoaded = true;

  /** Set when next() returned false because of bad input (null at a clean end of input). */
  error: ReadError | null = null;

  constructor(input: Uint8Array | ByteSource, options: ArgOptions) {
    super(input, options);
    this.maxKept = options.maxKept ?? 65_536;
    this.argBuf = this.buf;
  }

  // ---------------------------------------------------------------- errors

  protected fail<R extends ReadRule>(rule: R, args: RuleArgs<R>): false {
    const offset = this.opPos;
    this.error = { code: rule.startsWith('T') ? 'TRUNCATED' : 'MALFORMED', rule, args, message: ruleMessage(rule, args), offset, opcode: this.info.name };
    return false;
  }

  protected truncated(what: string): false {
    return this.fail('TRUNCATED/truncated-argument', { op: this.info.name, at: this.opPos, what });
  }

  /** A length past the end of the input; `remain` is left out in file mode, where the message says "beyond the end". */
  protected declared(n: number, remain?: number): false {
    const declared = n === Infinity ? 'more than 2^53' : String(n);
    return this.fail('TRUNCATED/declared-length', remain === undefined ? { op: this.info.name, at: this.opPos, declared } : { op: this.info.name, at: this.opPos, declared, remain });
  }

  // ---------------------------------------------------------------- where the argument lies

  /** The argument is not in any buffer (too long to read): only its position and length are known. */
  protected skipped(): void {
    this.argLoaded = false;
    this.argCopy = EMPTY;
    this.argStart = this.argEnd = 0;
  }

  /**
   * A length-prefixed payload of n bytes at absolute position d: text the scan decodes is read when
   * short enough (up to maxKept), a bytes payload only its head; the rest is skipped by position.
   * False when the input ends before the payload does.
   */
  protected payload(code: number, d: number, n: number): boolean {
    if (n === Infinity) return false;
    if (this.source === null) {
      if (n > this.limit - d) return false;
      this.argStart = d;
      this.argEnd = d + n;
      return true;
    }
    if (ARG_BYTES[code]) {
      const h = Math.min(n, HEAD_BYTES);
      const r = this.fetch(d, h);
      if (r < 0) return false;
      // the head is copied: skipping the rest moves the window
      this.argCopy = this.buf.slice(r, r + h);
      this.argStart = 0;
      this.argEnd = h;
      this.argLoaded = h === n;
    } else if (n <= this.maxKept) {
      const r = this.fetch(d, n);
      if (r < 0) return false;
      this.argStart = r;
      this.argEnd = r + n;
      return true;
    } else this.skipped();
    return n === 0 || this.has(d + n - 1);
  }

  /** GLOBAL and INST: module and name lines, [a0, a1) and [b0, b1) absolute, both in `argBuf` when short enough to read. */
  protected lines(a0: number, a1: number, b0: number, b1: number): void {
    this.argPos = a0;
    this.argLen = a1 - a0;
    if (a1 - a0 > this.maxLine || b1 - b0 > this.maxLine) return this.skipped();
    if (this.source === null) {
      this.argStart = a0;
      this.argEnd = a1;
      this.arg2Start = b0;
      this.arg2End = b1;
      return;
    }
    if (b0 === a1 + 1) {
      const r = this.fetch(a0, b1 - a0);
      this.argStart = r;
      this.argEnd = r + (a1 - a0);
      this.arg2Start = r + (b0 - a0);
      this.arg2End = r + (b1 - a0);
      return;
    }
    // file mode: one line from the frame buffer, one read fresh
    const ra = this.fetch(a0, a1 - a0);
    const first = this.buf.slice(ra, ra + (a1 - a0));
    const r = this.fetch(b0, b1 - b0);
    const joined = new Uint8Array(first.length + (b1 - b0));
    joined.set(first);
    joined.set(this.buf.subarray(r, r + (b1 - b0)), first.length);
    this.argCopy = joined;
    this.argStart = 0;
    this.argEnd = first.length;
    this.arg2Start = first.length;
    this.arg2End = joined.length;
  }
}

const EMPTY = new Uint8Array(0);
