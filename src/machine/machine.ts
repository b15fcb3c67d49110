/**
 * The symbolic pickle machine: runs an opcode stream the way CPython's C unpickler does
 * (Modules/_pickle.c: one object stack with a fence, a mark stack, a memo keyed by index, the current
 * protocol), but with symbolic values, so every import and call is seen and judged without executing
 * anything. Handles several pickles back to back, reports breaks, and resynchronises after junk so a
 * payload behind garbage is still found.
 */
import type { Limits } from '../limits';
import {
  bytesToLatin1,
  decodeDecimalLine,
  decodeFloatLine,
  decodeIntLine,
  decodeLongBytes,
  decodeLongLine,
  decodeRawUnicodeEscape,
  decodeStringLine,
  decodeUtf8SurrogatePass,
  type PyInt,
} from '../pickle/args';
import { FileModeReader } from '../pickle/file-mode-reader';
import { OpReader } from '../pickle/reader';
import type { CompiledPolicy } from '../policy/compile';
import type { FindingCode, Severity } from '../report/findings';
import type { CallKind, PickleSummary } from '../report/report';
import { DataPath } from './data-path';
import { foldCall } from './fold';
import { JOBLIB_WRAPPERS, joblibArrayLayout } from './joblib';
import { Memo } from './memo';
import { findNestedPickles } from './nested';
import { Recorder } from './recorder';
import { renderCall, renderValue } from './render';
import {
  EMPTY_TUPLE,
  FALSE,
  KEPT_ITEMS,
  NONE,
  TRUE,
  intValue,
  originGlobal,
  type CallValue,
  type GlobalValue,
  depthOf,
  weightOf,
  type StrValue,
  type TupleValue,
  type Value,
} from './values';
import { WireChecker } from './wire';

export interface MachineOptions {
  policy: CompiledPolicy;
  limits: Limits;
  /** Added to every reported offset. */
  baseOffset: number;
  /** Stop after this many complete pickles; what follows is not ours to judge. */
  stopAfter?: number;
  /** Depth of pickles nested in strings (0 for the input itself). */
  depth: number;
  /** Shared across nested runs so the opcode budget covers them all. */
  budget?: { opcodes: number };
  /** Read as CPython does from a file object without peek() (see FileModeReader). */
  fileMode?: boolean;
  /** Try the typed-array path for data-only pickles first (default true; see data-path.ts). */
  dataPath?: boolean;
}

/** The result of a pickle the data path finished: plain data, nothing imported or called. */
const PLAIN_DATA: Value = Object.freeze({ k: 'unknown', why: 'plain data (not materialised)' });

/** Thrown inside a pickle run when CPython would raise: ends that pickle. */
class Halt {
  constructor(
    readonly code: FindingCode,
    readonly message: string,
    readonly offset: number,
    readonly opcode?: string,
  ) {}
}

const STOP = 0x2e;
const MAX_WEIGHT = Number.MAX_SAFE_INTEGER;
/** Allowed constructors that allocate as many bytes as their int argument says. */
const ALLOCATORS: ReadonlySet<string> = new Set(['builtins.bytearray', 'builtins.bytes']);

export class Machine {
  readonly rec: Recorder;
  readonly pickles: PickleSummary[] = [];
  /** The value each complete pickle returns (what pickle.load would give the caller). */
  readonly results: Value[] = [];
  /** Set when a limit stopped the analysis: the rest of the input was not looked at. */
  limitHit = false;

  private readonly input: Uint8Array;
  private readonly policy: CompiledPolicy;
  private readonly limits: Limits;
  private readonly opts: MachineOptions;
  private readonly budget: { opcodes: number };
  private readonly wire: WireChecker | null;
  private readonly dataPathAllowed: boolean;

  // ---- unpickler state (reset per pickle, as each pickle.load builds a new Unpickler)
  private stack: Value[] = [];
  private fence = 0;
  private marks: number[] = [];
  private memo = new Memo();
  private proto = 0;
  private maxProto = 0;
  /** copyreg's extension registry: lives in the process, so it survives across pickles. */
  private readonly extensions = new Map<number, readonly [string, string]>();
  private callSeq = 0;
  /** Values already searched for nested pickles. */
  private readonly nestedChecked = new WeakSet<Value>();
  /** Bytes constant folding may still produce (4 × the input + 1 MiB). */
  private foldBudget: number;
  private opsThisPickle = 0;
  /** An opcode of the current pickle straddled a FRAME end: file-object readers see another stream. */
  private straddled = false;
  /** Results of shape(): depth and expanded size (fields, not a returned pair, to spare an allocation per container). */
  private shapeD = 0;
  private shapeW = 0;

  constructor(input: Uint8Array, opts: MachineOptions) {
    this.input = input;
    this.opts = opts;
    this.policy = opts.policy;
    this.limits = opts.limits;
    this.budget = opts.budget ?? { opcodes: 0 };
    this.rec = new Recorder(opts.baseOffset);
    this.foldBudget = 4 * input.length + (1 << 20);
    for (const [code, g] of Object.entries(opts.policy.spec.extensions ?? {})) this.extensions.set(Number(code), [g.module, g.name]);
    this.wire = opts.depth === 0 && opts.policy.spec.wire ? new WireChecker(opts.policy.spec.wire, this.rec) : null;
    // the data path knows no wire rules and keeps no values for optimizer inspection
    this.dataPathAllowed = opts.dataPath !== false && !this.wire && !opts.policy.spec.optimizer && !opts.fileMode;
  }

  private finding(code: FindingCode, message: string, offset: number | null, extra: Parameters<Recorder['finding']>[3] = {}, key?: string, severity?: Severity): void {
    this.rec.finding(code, message, offset, extra, key, severity);
  }

  /** Runs every pickle in the input. */
  run(): void {
    const input = this.input;
    if (input.length === 0) {
      this.finding('TRUNCATED', 'the input is empty: no pickle to load', 0);
      return;
    }
    this.wire?.checkBytes(input);
    let pos = 0;
    let resyncing = false;
    while (pos < input.length && !this.limitHit) {
      if (this.opts.stopAfter !== undefined && this.results.length >= this.opts.stopAfter) return;
      if (this.pickles.length >= this.limits.maxPickles) {
        this.limitHit = true;
        this.finding('LIMIT_EXCEEDED', `more than ${this.limits.maxPickles} pickles in one input (maxPickles); the rest was not analysed`, pos);
        return;
      }
      const index = this.pickles.length;
      this.rec.pickle = index;
      const afterComplete = index > 0 && this.pickles[index - 1]!.complete;
      if (afterComplete) this.wire?.afterStop(pos);
      const outcome = this.runOne(pos);
      this.pickles.push(outcome.summary);
      if (this.straddled && !this.opts.fileMode) this.rereadAsFile(pos);
      if (outcome.summary.complete) {
        if (index > 0 && !resyncing) {
          this.finding('MULTIPLE_PICKLES', `another pickle starts at offset ${pos} after the previous STOP`, pos, {}, 'multi');
        }
        resyncing = false;
        pos = outcome.summary.end;
        continue;
      }
      if (this.limitHit) return;
      const halt = outcome.halt!;
      if (afterComplete) {
        this.finding('TRAILING_DATA', `${input.length - pos} bytes after the STOP at offset ${pos - 1} are not a pickle (${halt.message})`, pos, halt.opcode ? { opcode: halt.opcode } : {}, 'trailing');
        this.pickles.pop();
      } else {
        this.finding(halt.code, halt.message, halt.offset, halt.opcode ? { opcode: halt.opcode } : {});
      }
      const next = findPickleStart(input, Math.max(halt.offset + 1, pos + 1));
      if (next < 0) return;
      resyncing = true;
      pos = next;
    }
  }

  private runOne(start: number): { summary: PickleSummary; halt?: Halt } {
    this.stack = [];
    this.fence = 0;
    this.marks = [];
    this.memo = new Memo();
    this.proto = 0;
    this.maxProto = 0;
    this.opsThisPickle = 0;
    this.straddled = false;
    const summary: PickleSummary = { index: this.pickles.length, start: start + this.opts.baseOffset, end: start + this.opts.baseOffset, protocol: 0, opcodes: 0, complete: false };
    if (this.dataPathAllowed) {
      const fast = new DataPath(this.input, this.limits).run(start, this.limits.maxOpcodes - this.budget.opcodes);
      if (fast) {
        this.budget.opcodes += fast.opcodes;
        this.results.push(PLAIN_DATA);
        return { summary: { ...summary, end: fast.end + this.opts.baseOffset, protocol: fast.protocol, opcodes: fast.opcodes, complete: true } };
      }
    }
    const r = this.opts.fileMode ? new FileModeReader(this.input, start) : new OpReader(this.input, start);
    try {
      this.loop(r);
      summary.complete = true;
    } catch (e) {
      if (!(e instanceof Halt)) throw e;
      summary.end = r.opPos + this.opts.baseOffset;
      summary.opcodes = this.opsThisPickle;
      summary.protocol = this.maxProto;
      return { summary, halt: e };
    }
    summary.end = r.pos + this.opts.baseOffset;
    summary.opcodes = this.opsThisPickle;
    summary.protocol = this.maxProto;
    return { summary };
  }

  // ---------------------------------------------------------------- stack primitives (CPython Pdata)

  private underflow(r: OpReader): never {
    throw new Halt('MALFORMED', `${r.info.name} at offset ${r.opPos}: unpickling stack underflow`, r.opPos, r.info.name);
  }

  private pop(r: OpReader): Value {
    if (this.stack.length <= this.fence) this.underflow(r);
    return this.stack.pop()!;
  }

  private top(r: OpReader): Value {
    if (this.stack.length <= this.fence) this.underflow(r);
    return this.stack[this.stack.length - 1]!;
  }

  /** Pops the innermost MARK and returns the stack index it marked. */
  private popMark(r: OpReader): number {
    if (this.marks.length === 0) throw new Halt('MALFORMED', `${r.info.name} at offset ${r.opPos}: could not find MARK`, r.opPos, r.info.name);
    const k = this.marks.pop()!;
    this.fence = this.marks.length ? this.marks[this.marks.length - 1]! : 0;
    return k;
  }

  private halt(r: OpReader, message: string, code: FindingCode = 'MALFORMED'): never {
    throw new Halt(code, `${r.info.name} at offset ${r.opPos}: ${message}`, r.opPos, r.info.name);
  }

  // ---------------------------------------------------------------- values

  private str(s: string, len: number, py2 = false): StrValue {
    const kept = len <= this.limits.maxKeptString ? s : null;
    return py2 ? { k: 'str', v: kept, len, py2 } : { k: 'str', v: kept, len };
  }

  private intFromText(r: OpReader, v: PyInt | boolean | null): Value {
    if (v === null) this.halt(r, `invalid ${r.info.name === 'LONG' ? 'long' : 'int'} literal '${clipText(this.input, r.argStart, r.argEnd)}'`);
    if (typeof v === 'boolean') return v ? TRUE : FALSE;
    return intValue(v);
  }

  /**
   * Depth and expanded size of a container made of `items` (plus `base` for a container being
   * extended). Crossing maxObjectDepth or maxExpansion is RESOURCE_HOSTILE: cheap for us, but traversing
   * it (repr, deepcopy, comparison, JSON) exhausts the server.
   */
  private shape(r: OpReader, items: readonly Value[], base: number, baseDepth = 0): void {
    let child = 0;
    let w = base || 1;
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      const id = depthOf(it);
      if (id > child) child = id;
      w += weightOf(it);
    }
    const d = Math.max(baseDepth, child + 1);
    if (w > MAX_WEIGHT) w = MAX_WEIGHT;
    if (d > this.limits.maxObjectDepth) {
      this.finding('RESOURCE_HOSTILE', `${r.info.name} at offset ${r.opPos} nests containers more than ${this.limits.maxObjectDepth} deep: CPython's own pickler cannot write that, and recursive code on the server (repr, copy, comparison) overflows`, r.opPos, { opcode: r.info.name }, 'depth');
    }
    if (w > this.limits.maxExpansion && w > 100 * this.input.length) {
      this.finding('RESOURCE_HOSTILE', `${r.info.name} at offset ${r.opPos} builds a structure that expands to ${w >= MAX_WEIGHT ? 'more than 2^53' : w} objects through shared references (a memo expansion bomb) from ${this.input.length} bytes`, r.opPos, { opcode: r.info.name }, 'expansion');
    }
    this.shapeD = d;
    this.shapeW = w;
  }

  private tuple(r: OpReader, items: Value[]): TupleValue {
    this.shape(r, items, 0);
    const d = this.shapeD;
    const w = this.shapeW;
    return { k: 'tuple', items: items.length > KEPT_ITEMS ? items.slice(0, KEPT_ITEMS) : items, count: items.length, d, w };
  }

  /** A str argument: decoded when short enough to keep (CPython rejects what `decode` rejects), else only its length. */
  private pushText(r: OpReader, decode: (b: Uint8Array, start: number, end: number) => string | null, invalid: string): void {
    const n = r.argEnd - r.argStart;
    if (n > this.limits.maxKeptString) {
      this.stack.push(this.str('', n));
      return;
    }
    const s = decode(this.input, r.argStart, r.argEnd);
    if (s === null) this.halt(r, invalid);
    this.stack.push(this.str(s, s.length));
  }

  private longLine(r: OpReader): void {
    const n = r.argEnd - r.argStart;
    if (n > this.limits.maxLineBytes) {
      this.finding('RESOURCE_HOSTILE', `${r.info.name} at offset ${r.opPos} is a protocol 0 line of ${n} bytes (more than ${this.limits.maxLineBytes}): no legitimate pickle writes one`, r.opPos, { opcode: r.info.name }, 'longline');
    }
  }

  private hostileInt(r: OpReader, digits: number): boolean {
    if (digits <= this.limits.maxIntDigits) return false;
    this.finding('RESOURCE_HOSTILE', `${r.info.name} at offset ${r.opPos} is an integer of ${digits} digits (more than ${this.limits.maxIntDigits}): CPython 3.11+ refuses it, older versions spend quadratic time parsing it`, r.opPos, { opcode: r.info.name }, 'bigint');
    return true;
  }

  // ---------------------------------------------------------------- the loop

  private loop(r: OpReader): void {
    const input = this.input;
    const limits = this.limits;
    const wire = this.wire;
    for (;;) {
      if (!r.next()) {
        if (r.error) throw new Halt(r.error.code, r.error.message, r.error.offset, r.error.opcode);
        throw new Halt('TRUNCATED', `the input ends at offset ${r.pos} before STOP`, r.pos);
      }
      this.opsThisPickle++;
      if (++this.budget.opcodes > limits.maxOpcodes) {
        this.limitHit = true;
        this.finding('LIMIT_EXCEEDED', `more than ${limits.maxOpcodes} opcodes (maxOpcodes); analysis stopped at offset ${r.opPos}`, r.opPos, { opcode: r.info.name });
        throw new Halt('LIMIT_EXCEEDED', 'opcode budget exhausted', r.opPos);
      }
      if (r.frameViolation) {
        this.straddled = true;
        this.finding('FRAME_VIOLATION', r.frameViolation, r.opPos, { opcode: r.info.name });
      }
      if (r.frameOversize) this.finding('RESOURCE_HOSTILE', `${r.frameOversize}; the rest was read as if the frame were absent`, r.opPos, { opcode: 'FRAME' }, 'frameoversize');
      if (wire) wire.opcode(r);
      const stack = this.stack;
      switch (r.code) {
        // ---- constants
        case 0x4e: // NONE
          stack.push(NONE);
          break;
        case 0x88: // NEWTRUE
          stack.push(TRUE);
          break;
        case 0x89: // NEWFALSE
          stack.push(FALSE);
          break;
        case 0x4b: // BININT1
        case 0x4d: // BININT2
        case 0x4a: // BININT
          stack.push(intValue(r.argNum));
          break;
        case 0x49: { // INT
          const digits = r.argEnd - r.argStart;
          stack.push(this.hostileInt(r, digits) ? intValue(null) : this.intFromText(r, decodeIntLine(input, r.argStart, r.argEnd)));
          break;
        }
        case 0x4c: { // LONG
          const digits = r.argEnd - r.argStart;
          stack.push(this.hostileInt(r, digits) ? intValue(null) : this.intFromText(r, decodeLongLine(input, r.argStart, r.argEnd)));
          break;
        }
        case 0x8a: // LONG1
        case 0x8b: { // LONG4
          const n = r.argEnd - r.argStart;
          stack.push(this.hostileInt(r, Math.ceil(n * 2.41)) ? intValue(null) : intValue(decodeLongBytes(input, r.argStart, r.argEnd)));
          break;
        }
        case 0x46: { // FLOAT
          const f = decodeFloatLine(input, r.argStart, r.argEnd);
          if (f === null) this.halt(r, `invalid float literal '${clipText(input, r.argStart, r.argEnd)}'`);
          stack.push({ k: 'float', v: f });
          break;
        }
        case 0x47: // BINFLOAT (big-endian)
          stack.push({ k: 'float', v: new DataView(input.buffer, input.byteOffset + r.argStart, 8).getFloat64(0, false) });
          break;
        case 0x53: { // STRING
          this.longLine(r);
          const s = decodeStringLine(input, r.argStart, r.argEnd);
          if (s === null) this.halt(r, 'the STRING argument must be a quoted Python 2 string literal with valid escapes');
          stack.push(this.str(s, s.length, true));
          break;
        }
        case 0x54: // BINSTRING
        case 0x55: { // SHORT_BINSTRING
          const n = r.argEnd - r.argStart;
          stack.push(this.str(n <= this.limits.maxKeptString ? bytesToLatin1(input, r.argStart, r.argEnd) : '', n, true));
          break;
        }
        case 0x56: // UNICODE
          this.longLine(r);
          this.pushText(r, decodeRawUnicodeEscape, 'invalid raw-unicode-escape text');
          break;
        case 0x8c: // SHORT_BINUNICODE
        case 0x58: // BINUNICODE
        case 0x8d: // BINUNICODE8
          this.pushText(r, decodeUtf8SurrogatePass, 'invalid UTF-8 in a str');
          break;
        case 0x42: // BINBYTES
        case 0x43: // SHORT_BINBYTES
        case 0x8e: // BINBYTES8
          stack.push({ k: 'bytes', start: r.argStart, end: r.argEnd });
          break;
        case 0x96: // BYTEARRAY8
          stack.push({ k: 'bytes', start: r.argStart, end: r.argEnd, bytearray: true });
          break;

        // ---- containers
        case 0x5d: // EMPTY_LIST
          stack.push({ k: 'list', items: [], count: 0, d: 1, w: 1 });
          break;
        case 0x7d: // EMPTY_DICT
          stack.push({ k: 'dict', entries: [], count: 0, d: 1, w: 1 });
          break;
        case 0x8f: // EMPTY_SET
          stack.push({ k: 'set', frozen: false, items: [], count: 0, d: 1, w: 1 });
          break;
        case 0x29: // EMPTY_TUPLE
          stack.push(EMPTY_TUPLE);
          break;
        case 0x85: { // TUPLE1
          const a = this.pop(r);
          stack.push(this.tuple(r, [a]));
          break;
        }
        case 0x86: { // TUPLE2
          const b = this.pop(r);
          const a = this.pop(r);
          stack.push(this.tuple(r, [a, b]));
          break;
        }
        case 0x87: { // TUPLE3
          const c = this.pop(r);
          const b = this.pop(r);
          const a = this.pop(r);
          stack.push(this.tuple(r, [a, b, c]));
          break;
        }
        case 0x74: { // TUPLE
          const k = this.popMark(r);
          const items = stack.splice(k);
          stack.push(this.tuple(r, items));
          break;
        }
        case 0x6c: { // LIST
          const k = this.popMark(r);
          const items = stack.splice(k);
          this.shape(r, items, 0);
          const d = this.shapeD;
          const w = this.shapeW;
          stack.push({ k: 'list', items: items.length > KEPT_ITEMS ? items.slice(0, KEPT_ITEMS) : items, count: items.length, d, w });
          break;
        }
        case 0x91: { // FROZENSET
          const k = this.popMark(r);
          const items = stack.splice(k);
          this.shape(r, items, 0);
          const d = this.shapeD;
          const w = this.shapeW;
          stack.push({ k: 'set', frozen: true, items: items.length > KEPT_ITEMS ? items.slice(0, KEPT_ITEMS) : items, count: items.length, d, w });
          break;
        }
        case 0x64: { // DICT
          const k = this.popMark(r);
          const n = stack.length - k;
          if (n % 2) this.halt(r, 'odd number of items for DICT');
          const items = stack.splice(k);
          const entries: [Value, Value][] = [];
          for (let i = 0; i < items.length && entries.length < KEPT_ITEMS; i += 2) entries.push([items[i]!, items[i + 1]!]);
          this.shape(r, items, 0);
          const d = this.shapeD;
          const w = this.shapeW;
          stack.push({ k: 'dict', entries, count: n / 2, d, w });
          break;
        }
        case 0x61: // APPEND
          this.doAppend(r, stack.length - 1);
          break;
        case 0x65: // APPENDS
          this.doAppend(r, this.popMark(r));
          break;
        case 0x73: // SETITEM
          this.doSetItems(r, stack.length - 2);
          break;
        case 0x75: // SETITEMS
          this.doSetItems(r, this.popMark(r));
          break;
        case 0x90: // ADDITEMS
          this.doAddItems(r, this.popMark(r));
          break;

        // ---- stack and memo
        case 0x28: // MARK
          this.marks.push(stack.length);
          this.fence = stack.length;
          if (this.marks.length > limits.maxNesting) this.limit(r, `more than ${limits.maxNesting} open MARKs (maxNesting)`);
          break;
        case 0x30: // POP: pops a MARK when one sits on top (CPython's load_pop)
          if (this.marks.length && this.marks[this.marks.length - 1] === stack.length) this.popMark(r);
          else this.pop(r);
          break;
        case 0x31: { // POP_MARK
          const k = this.popMark(r);
          stack.length = k;
          break;
        }
        case 0x32: // DUP
          stack.push(this.top(r));
          break;
        case 0x67: { // GET
          const idx = decodeDecimalLine(input, r.argStart, r.argEnd);
          if (idx === null) this.halt(r, `invalid memo index '${clipText(input, r.argStart, r.argEnd)}'`);
          this.get(r, Number(idx));
          break;
        }
        case 0x68: // BINGET
        case 0x6a: // LONG_BINGET
          this.get(r, r.argNum);
          break;
        case 0x70: { // PUT
          const idx = decodeDecimalLine(input, r.argStart, r.argEnd);
          if (idx === null) this.halt(r, `invalid memo index '${clipText(input, r.argStart, r.argEnd)}'`);
          this.put(r, typeof idx === 'bigint' ? Number.MAX_SAFE_INTEGER : idx);
          break;
        }
        case 0x71: // BINPUT
        case 0x72: // LONG_BINPUT
          this.put(r, r.argNum);
          break;
        case 0x94: // MEMOIZE: stores at len(memo), which may overwrite an explicit PUT slot
          this.memoSet(r, this.memo.size, this.top(r));
          break;

        // ---- imports
        case 0x63: // GLOBAL
        case 0x69: { // INST
          const module = decodeUtf8SurrogatePass(input, r.argStart, r.argEnd);
          const name = decodeUtf8SurrogatePass(input, r.arg2Start, r.arg2End);
          if (module === null || name === null) this.halt(r, 'module or name is not valid UTF-8');
          if (module.length === 0 || name.length === 0) this.halt(r, 'empty module or name', 'TRUNCATED');
          const g = this.importGlobal(r, module, name);
          if (r.code === 0x63) stack.push(g);
          else {
            const k = this.popMark(r);
            const items = stack.splice(k);
            this.doCall(r, g, this.tuple(r, items), 'inst');
          }
          break;
        }
        case 0x93: { // STACK_GLOBAL
          const name = this.pop(r);
          const module = this.pop(r);
          if (module.k === 'str' && name.k === 'str' && module.v !== null && name.v !== null && module.v && name.v) {
            stack.push(this.importGlobal(r, module.v, name.v));
          } else if (isConst(module) && isConst(name) && (module.k !== 'str' || name.k !== 'str')) {
            this.halt(r, `STACK_GLOBAL requires str operands, got ${module.k} and ${name.k}`);
          } else {
            const what = `module ${describeOperand(module, input)}, name ${describeOperand(name, input)}`;
            this.finding('UNRESOLVED_GLOBAL', `STACK_GLOBAL at offset ${r.opPos} imports a global that cannot be resolved statically (${what})`, r.opPos, { opcode: 'STACK_GLOBAL' }, `sg${r.opPos}`);
            stack.push({ k: 'unknown', why: `unresolved import (${what})` });
          }
          break;
        }
        case 0x82: // EXT1
        case 0x83: // EXT2
        case 0x84: { // EXT4
          const code = r.argNum;
          if (code <= 0) this.halt(r, 'EXT specifies code <= 0');
          const g = this.extensions.get(code);
          if (g) stack.push(this.importGlobal(r, g[0], g[1]));
          else {
            this.finding('UNREGISTERED_EXT', `${r.info.name} at offset ${r.opPos} loads extension code ${code}, which the policy's registry does not map (CPython's default registry is empty)`, r.opPos, { opcode: r.info.name }, `ext${code}`);
            stack.push({ k: 'unknown', why: `extension code ${code}` });
          }
          break;
        }

        // ---- calls
        case 0x52: { // REDUCE
          const args = this.pop(r);
          const callee = this.pop(r);
          this.doCall(r, callee, args, 'reduce');
          break;
        }
        case 0x81: { // NEWOBJ
          const args = this.pop(r);
          const cls = this.pop(r);
          this.doCall(r, cls, args, 'newobj');
          break;
        }
        case 0x92: { // NEWOBJ_EX
          const kwargs = this.pop(r);
          const args = this.pop(r);
          const cls = this.pop(r);
          this.doCall(r, cls, args, 'newobj_ex', kwargs);
          break;
        }
        case 0x6f: { // OBJ
          const k = this.popMark(r);
          const items = stack.splice(k);
          if (items.length < 1) this.halt(r, 'OBJ needs a class after its MARK');
          const rest = items.slice(1);
          this.doCall(r, items[0]!, this.tuple(r, rest), 'obj');
          break;
        }
        case 0x62: { // BUILD
          const state = this.pop(r);
          this.doBuild(r, this.top(r), state);
          break;
        }

        // ---- persistent references and buffers
        case 0x50: { // PERSID
          let ascii = true;
          for (let i = r.argStart; i < r.argEnd; i++) if (input[i]! >= 0x80) ascii = false;
          if (!ascii) this.halt(r, 'persistent IDs in protocol 0 must be ASCII strings');
          const pid = bytesToLatin1(input, r.argStart, r.argEnd);
          this.persistent(r, this.str(pid, pid.length));
          break;
        }
        case 0x51: // BINPERSID
          this.persistent(r, this.pop(r));
          break;
        case 0x97: // NEXT_BUFFER
          if (this.policy.spec.outOfBandBuffers !== 'allow') {
            this.finding('OUT_OF_BAND_BUFFER', `NEXT_BUFFER at offset ${r.opPos} takes an out-of-band buffer the policy does not allow`, r.opPos, { opcode: 'NEXT_BUFFER' }, 'oob');
          }
          stack.push({ k: 'buffer', readonly: false });
          break;
        case 0x98: { // READONLY_BUFFER
          const t = this.top(r);
          if (t.k === 'buffer') stack[stack.length - 1] = { k: 'buffer', readonly: true };
          break;
        }

        // ---- framing and control
        case 0x80: { // PROTO
          const p = r.argNum;
          if (p > 5) this.halt(r, `unsupported pickle protocol: ${p}`);
          this.proto = p;
          if (p > this.maxProto) this.maxProto = p;
          break;
        }
        case 0x95: // FRAME: boundaries are checked by the reader
          break;
        case STOP: {
          const v = this.pop(r);
          this.results.push(v);
          if (wire) wire.stop(this.stack.length, this.marks.length, r.opPos);
          return;
        }
        default:
          this.halt(r, 'opcode not handled');
      }
      if (stack.length > limits.maxStack) this.limit(r, `more than ${limits.maxStack} items on the stack (maxStack)`);
    }
  }

  private limit(r: OpReader, message: string): never {
    this.limitHit = true;
    this.finding('LIMIT_EXCEEDED', `${message}; analysis stopped at offset ${r.opPos}`, r.opPos, { opcode: r.info.name });
    throw new Halt('LIMIT_EXCEEDED', message, r.opPos, r.info.name);
  }

  // ---------------------------------------------------------------- memo

  private get(r: OpReader, idx: number): void {
    const v = this.memo.get(idx);
    if (v === undefined) this.halt(r, `memo has no entry ${idx}`);
    this.stack.push(v);
  }

  private put(r: OpReader, idx: number): void {
    const v = this.top(r);
    if (idx < 0) this.halt(r, 'negative PUT argument');
    if (idx > this.opsThisPickle + this.limits.maxMemoIndexGap) {
      this.finding('RESOURCE_HOSTILE', `${r.info.name} at offset ${r.opPos} stores at memo index ${idx}: no pickler writes that, and CPython allocates a memo table of about ${formatBytes(idx * 16)} for it`, r.opPos, { opcode: r.info.name }, 'memoidx');
    }
    this.memoSet(r, idx, v);
  }

  private memoSet(r: OpReader, idx: number, v: Value): void {
    this.memo.set(idx, v);
    if (this.memo.size > this.limits.maxMemo) this.limit(r, `more than ${this.limits.maxMemo} memo entries (maxMemo)`);
  }

  // ---------------------------------------------------------------- imports, calls, state

  private importGlobal(r: OpReader, module: string, name: string): GlobalValue {
    const j = this.policy.judge(module, name, this.proto);
    const id = this.rec.global(module, name, r.opPos, r.info.name, j);
    return { k: 'global', module, name, resolved: j.resolved, id };
  }

  private persistent(r: OpReader, pid: Value): void {
    if (this.policy.spec.persistentIds === 'reject') {
      this.finding('PERSISTENT_ID', `${r.info.name} at offset ${r.opPos} asks the loader's persistent_load for ${renderValue(pid, this.input)}, which the policy does not allow`, r.opPos, { opcode: r.info.name }, 'persid');
    }
    this.stack.push({ k: 'persid', pid });
  }

  private doCall(r: OpReader, callee: Value, args: Value, kind: CallKind, kwargs?: Value): void {
    const input = this.input;
    switch (callee.k) {
      case 'global':
        break;
      case 'unknown':
        this.finding('UNRESOLVED_CALL', `${r.info.name} at offset ${r.opPos} calls ${renderValue(callee, input)}: what runs depends on the loader, not on anything in the pickle`, r.opPos, { opcode: r.info.name, call: renderCall(callee, args, input, 0, kwargs) });
        break;
      case 'call':
      case 'persid':
        this.finding(
          'CALL_ON_CALL_RESULT',
          `${r.info.name} at offset ${r.opPos} calls the result of ${callee.k === 'call' ? renderValue(callee, input) : 'persistent_load'}, a getattr-style indirection that can reach any function`,
          r.opPos,
          { opcode: r.info.name, call: renderCall(callee, args, input, 0, kwargs) },
        );
        break;
      default:
        this.halt(r, `${describeOperand(callee, input)} is not callable`);
    }
    if (isConst(args) && args.k !== 'tuple' && kind !== 'newobj_ex') this.halt(r, `the argument list must be a tuple, got ${args.k}`);
    const pseudo = kind === 'newobj' || kind === 'newobj_ex' ? renderCall(callee, args, input, 0, kwargs).replace(/^([^(]*)\(/, '$1.__new__($1' + (args.k === 'tuple' && args.count === 0 && !kwargs ? '' : ', ')) : renderCall(callee, args, input, 0, kwargs);
    const calleeName = callee.k === 'global' ? callee.resolved : `<${callee.k}>`;
    this.rec.call(r.opPos, r.info.name, kind, calleeName, pseudo);
    this.wire?.call(r, callee, args);

    let result: Value | null = null;
    if (callee.k === 'global') {
      if (this.foldBudget > 0) {
        result = foldCall(callee.resolved, args, input);
        // folding copies bytes; the budget keeps a memoized string fed to a million calls linear
        if (result) this.foldBudget -= result.k === 'bytes' ? result.end - result.start : result.len;
      }
      if (callee.resolved === 'copyreg.add_extension' && args.k === 'tuple') {
        const [m, n, c] = args.items;
        if (m?.k === 'str' && n?.k === 'str' && c?.k === 'int' && m.v && n.v && c.v !== null) this.extensions.set(Number(c.v), [m.v, n.v]);
      }
    }
    if (callee.k === 'global' && ALLOCATORS.has(callee.resolved) && args.k === 'tuple') {
      const n = args.items[0];
      if (n && n.k === 'int' && (n.v === null || Number(n.v) > this.limits.maxAllocation)) {
        this.finding('RESOURCE_HOSTILE', `${r.info.name} at offset ${r.opPos} calls ${pseudo}: the server would allocate more than ${this.limits.maxAllocation} bytes`, r.opPos, { opcode: r.info.name, call: pseudo }, `alloc${r.opPos}`);
      }
    }
    this.checkNested(r, args, pseudo);
    if (kwargs) this.checkNested(r, kwargs, pseudo);
    if (result) {
      this.stack.push(result);
      return;
    }
    const parts = kwargs ? [callee, args, kwargs] : [callee, args];
    this.shape(r, parts, 0);
    const d = this.shapeD;
    const w = this.shapeW;
    this.stack.push({ k: 'call', callee, args, id: this.callSeq++, at: r.opPos + this.opts.baseOffset, d, w, ...(kwargs ? { kwargs } : {}) } as CallValue);
  }

  private doBuild(r: OpReader, inst: Value, state: Value): void {
    const input = this.input;
    switch (inst.k) {
      case 'global':
        this.finding('BUILD_ON_NON_INSTANCE', `BUILD at offset ${r.opPos} sets state on ${inst.resolved} itself (a module, class or function), planting attributes other code will use`, r.opPos, { opcode: 'BUILD', call: `${inst.resolved}.__setstate__(${renderValue(state, input)})` });
        break;
      case 'persid':
      case 'buffer':
        this.finding('BUILD_ON_NON_INSTANCE', `BUILD at offset ${r.opPos} sets state on a ${inst.k === 'persid' ? 'persistent reference' : 'buffer'}`, r.opPos, { opcode: 'BUILD' }, undefined, 'suspicious');
        break;
      case 'call':
        inst.state = state;
        inst.stateAt = r.opPos + this.opts.baseOffset;
        break;
      case 'unknown':
        break;
      default:
        this.halt(r, `cannot set state on ${describeOperand(inst, input)}`);
    }
    const pseudo = `${renderValue(inst, input)}.__setstate__(${renderValue(state, input)})`;
    this.rec.call(r.opPos, 'BUILD', 'build', originGlobal(inst)?.resolved ?? `<${inst.k}>`, pseudo);
    this.wire?.build(r, inst, state);
    this.checkNested(r, state, pseudo);
    if (inst.k === 'call') {
      const origin = originGlobal(inst);
      if (origin && JOBLIB_WRAPPERS.has(origin.resolved)) this.skipJoblibArray(r, inst);
    }
  }

  /** joblib: step over the array bytes that follow the wrapper's BUILD (see joblib.ts). */
  private skipJoblibArray(r: OpReader, wrapper: CallValue): void {
    const layout = joblibArrayLayout(wrapper);
    if (layout.kind === 'error') this.halt(r, `joblib array data follows but its size is unknown: ${layout.why}`);
    if (layout.kind === 'pickle') {
      const nested = new Machine(this.input.subarray(0, this.input.length), { ...this.opts, stopAfter: 1, budget: this.budget, depth: this.opts.depth });
      const sub = nested.runFrom(r.pos);
      this.absorb(nested);
      if (!sub) this.halt(r, 'the object array pickled after a joblib NumpyArrayWrapper is not a complete pickle');
      r.pos = sub;
      return;
    }
    let p = r.pos;
    if (layout.aligned) {
      if (p >= this.input.length) this.halt(r, 'joblib array data is missing', 'TRUNCATED');
      p += 1 + this.input[p]!;
    }
    if (p + layout.bytes > this.input.length) this.halt(r, `joblib array data (${layout.bytes} bytes) runs past the end of the input`, 'TRUNCATED');
    r.pos = p + layout.bytes;
  }

  /** Runs one pickle starting at `pos` (for nested streams inside this input); returns its end or 0. */
  runFrom(pos: number): number {
    this.rec.pickle = 0;
    const outcome = this.runOne(pos);
    this.pickles.push(outcome.summary);
    if (outcome.halt) {
      this.finding(outcome.halt.code, outcome.halt.message, outcome.halt.offset, outcome.halt.opcode ? { opcode: outcome.halt.opcode } : {});
      return 0;
    }
    return outcome.summary.end - this.opts.baseOffset;
  }

  /**
   * A pickle with an opcode straddling a FRAME end reads differently from a file object without
   * peek() (torch.load's io.BytesIO): run that reading too and keep what it finds.
   */
  private rereadAsFile(pos: number): void {
    const alt = new Machine(this.input, { ...this.opts, fileMode: true, stopAfter: 1, budget: this.budget });
    alt.rec.pickle = this.rec.pickle;
    alt.runFrom(pos);
    this.absorb(alt, 'read from a file object without peek(): ');
  }

  /** Takes over the findings, imports and calls of a machine run on part of this input. */
  private absorb(other: Machine, prefix = ''): void {
    for (const f of other.rec.findings) this.rec.finding(f.code, prefix + f.message, f.offset === null ? null : f.offset - this.opts.baseOffset, { ...(f.opcode ? { opcode: f.opcode } : {}), ...(f.global ? { global: f.global } : {}), ...(f.call ? { call: f.call } : {}) }, undefined, f.severity);
    for (const g of other.rec.globals) this.rec.adopt(g);
    for (const c of other.rec.calls) this.rec.call(c.offset - this.opts.baseOffset, c.opcode, c.kind, c.callee, c.pseudo);
    if (other.limitHit) this.limitHit = true;
  }

  /** Strings flowing into a call that are themselves pickles get scanned too. */
  private checkNested(r: OpReader, v: Value, pseudo: string): void {
    if (this.opts.depth >= this.limits.maxNestedPickleDepth) return;
    // each value is looked at once, however often the memo hands it to a call
    if (this.nestedChecked.has(v)) return;
    this.nestedChecked.add(v);
    for (const blob of findNestedPickles(v, this.input)) {
      const inner = new Machine(blob, { ...this.opts, depth: this.opts.depth + 1, baseOffset: 0, stopAfter: undefined, budget: this.budget });
      inner.run();
      const bad = inner.rec.findings.filter((f) => f.severity !== 'info');
      const imports = inner.rec.globals;
      if (imports.length === 0 && inner.rec.callCount === 0) continue; // just data that happens to look like a pickle
      const denied = imports.filter((g) => g.decision === 'deny').map((g) => g.resolved);
      const dangerous = bad.some((f) => f.severity === 'dangerous');
      const names = [...new Set(imports.map((g) => g.resolved))].slice(0, 8).join(', ');
      if (dangerous) {
        this.finding('NESTED_PICKLE', `${r.info.name} at offset ${r.opPos} passes a ${blob.length}-byte pickle to a call; inside it: ${denied.length ? `imports ${[...new Set(denied)].join(', ')}` : bad.find((f) => f.severity === 'dangerous')!.message}`, r.opPos, { opcode: r.info.name, call: pseudo });
      } else if (bad.length) {
        this.finding('NESTED_PICKLE_UNVERIFIED', `${r.info.name} at offset ${r.opPos} passes a ${blob.length}-byte pickle to a call that is not clean (${bad[0]!.code}: ${bad[0]!.message}); it imports ${names || 'nothing'}`, r.opPos, { opcode: r.info.name, call: pseudo });
      }
    }
  }

  // ---------------------------------------------------------------- container mutation

  private doAppend(r: OpReader, x: number): void {
    const stack = this.stack;
    const len = stack.length;
    if (x > len || x <= this.fence) this.underflow(r);
    if (len === x) return;
    const target = stack[x - 1]!;
    const items = stack.splice(x);
    if (target.k === 'list') {
      for (const it of items) if (target.items.length < KEPT_ITEMS) target.items.push(it);
      target.count += items.length;
      this.shape(r, items, target.w, target.d);
      target.d = this.shapeD;
      target.w = this.shapeW;
      return;
    }
    this.mutateObject(r, target, `.extend(${renderValue({ k: 'list', items: items.slice(0, 8), count: items.length, d: 1, w: 1 }, this.input)})`, 'append', items);
  }

  private doSetItems(r: OpReader, x: number): void {
    const stack = this.stack;
    const len = stack.length;
    if (x > len || x <= this.fence) this.underflow(r);
    if (len === x) return;
    if ((len - x) % 2) this.halt(r, 'odd number of items for SETITEMS');
    const target = stack[x - 1]!;
    const items = stack.splice(x);
    if (target.k === 'dict') {
      for (let i = 0; i < items.length && target.entries.length < KEPT_ITEMS; i += 2) target.entries.push([items[i]!, items[i + 1]!]);
      target.count += items.length / 2;
      this.shape(r, items, target.w, target.d);
      target.d = this.shapeD;
      target.w = this.shapeW;
      return;
    }
    if (target.k === 'list') return; // list[int] = value is valid Python
    this.mutateObject(r, target, `[${renderValue(items[0]!, this.input)}] = ${renderValue(items[1]!, this.input)}`, 'setitem', items);
  }

  private doAddItems(r: OpReader, x: number): void {
    const stack = this.stack;
    const len = stack.length;
    if (x > len || x <= this.fence) this.underflow(r);
    const target = stack[x - 1]!;
    const items = stack.splice(x);
    if (items.length === 0) return;
    if (target.k === 'set') {
      for (const it of items) if (target.items.length < KEPT_ITEMS) target.items.push(it);
      target.count += items.length;
      this.shape(r, items, target.w, target.d);
      target.d = this.shapeD;
      target.w = this.shapeW;
      return;
    }
    this.mutateObject(r, target, `.add(${renderValue(items[0]!, this.input)})`, 'additems', items);
  }

  /**
   * APPEND/SETITEM/ADDITEMS on something that is not a plain list/dict/set call its methods
   * (extend, append, __setitem__, add). Fine on an instance of an allowed class; a problem on a
   * module, class or function.
   */
  private mutateObject(r: OpReader, target: Value, suffix: string, kind: CallKind, items: Value[]): void {
    const input = this.input;
    switch (target.k) {
      case 'call':
        this.rec.call(r.opPos, r.info.name, kind, originGlobal(target)?.resolved ?? '<call>', renderValue(target, input) + suffix);
        for (const it of items) this.checkNested(r, it, renderValue(target, input) + suffix);
        return;
      case 'global':
        this.finding('METHOD_CALL_ON_OBJECT', `${r.info.name} at offset ${r.opPos} calls a method of ${target.resolved} itself: ${target.resolved}${suffix}`, r.opPos, { opcode: r.info.name, call: target.resolved + suffix }, undefined, 'dangerous');
        this.rec.call(r.opPos, r.info.name, kind, target.resolved, target.resolved + suffix);
        return;
      case 'unknown':
      case 'persid':
      case 'buffer':
        this.finding('METHOD_CALL_ON_OBJECT', `${r.info.name} at offset ${r.opPos} calls a method of ${renderValue(target, input)}`, r.opPos, { opcode: r.info.name }, `moo${kind}`);
        return;
      default:
        this.halt(r, `${describeOperand(target, input)} does not support ${kind === 'setitem' ? 'item assignment' : kind === 'append' ? 'append' : 'add'}`);
    }
  }
}

function isConst(v: Value): boolean {
  return v.k !== 'call' && v.k !== 'global' && v.k !== 'unknown' && v.k !== 'persid' && v.k !== 'buffer';
}

function describeOperand(v: Value, input: Uint8Array): string {
  return `${v.k === 'call' ? 'the result of ' : v.k === 'global' ? 'global ' : ''}${renderValue(v, input)}`;
}

function clipText(input: Uint8Array, start: number, end: number): string {
  const s = bytesToLatin1(input, start, Math.min(end, start + 40));
  return end - start > 40 ? s + '…' : s;
}

function formatBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(1)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  return `${n} bytes`;
}

/**
 * Where the next pickle may start after a break: a PROTO 2-5 opcode, or a protocol 0 GLOBAL line
 * (`c` + dotted name + newline + name + newline). Linear scan from `from`.
 */
export function findPickleStart(input: Uint8Array, from: number): number {
  for (let i = from; i < input.length - 1; i++) {
    const c = input[i]!;
    if (c === 0x80) {
      const p = input[i + 1]!;
      if (p >= 2 && p <= 5) return i;
    } else if (c === 0x63 && isIdentStart(input[i + 1]!)) {
      let j = i + 1;
      let lines = 0;
      while (j < input.length && j - i < 512) {
        const d = input[j]!;
        if (d === 0x0a) {
          if (++lines === 2) return i;
          if (j + 1 >= input.length || !isIdentStart(input[j + 1]!)) break;
        } else if (!isIdentChar(d)) break;
        j++;
      }
    }
  }
  return -1;
}

const isIdentStart = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
const isIdentChar = (c: number) => isIdentStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2e;
