/**
 * The fast path for data-only pickles: most large pickles (lists of tuples, dicts of strings, numbers)
 * import nothing, so nothing in them can ever be called, and building a symbolic value per opcode only
 * feeds the garbage collector. This path runs the same stack, mark and memo discipline as the full
 * machine (same opcode reader), but keeps each value as an id into typed arrays that record what the
 * full machine would know about it for judging: its kind, nesting depth and expanded size.
 *
 * It never reports anything. It either finishes a pickle cleanly, in which case the full machine
 * would have reported nothing for it either, or it bails out at the first opcode that imports, calls,
 * is malformed, hits a limit or is in any way unusual, and the full machine runs that pickle from its
 * start. test/machine/data-path.test.ts checks the two agree.
 */
import type { Limits } from '../limits';
import {
  decodeFloatLine,
  decodeIntLine,
  decodeLongLine,
  decodeRawUnicodeEscape,
  decodeStringLine,
  decodeUtf8SurrogatePass,
  decodeDecimalLine,
} from '../pickle/args';
import { byOpcode } from '../pickle/opcodes';
import { OpReader } from '../pickle/reader';
import type { ByteSource } from '../pickle/source';

/** Kinds of value ids. Scalars share id 0; containers get their own id. */
const K_SCALAR = 0;
const K_TUPLE = 1;
const K_LIST = 2;
const K_DICT = 3;
const K_SET = 4;

const MAX_WEIGHT = Number.MAX_SAFE_INTEGER;

export interface DataPathResult {
  /** Offset just past STOP. */
  end: number;
  opcodes: number;
  protocol: number;
}

/**
 * What the data path does with each opcode: one action per opcode, the table naming every opcode (a
 * new opcode without an entry does not compile), the switch below one case per action (numbers, so
 * it compiles to a jump table). The actions:
 *   0 BAIL: imports, calls, persistent references, buffers, extension codes: the full machine
 *   1 SCALAR: a scalar whose argument needs no check
 *   2 LONG_BYTES
 *   3 INT_LINE
 *   4 LONG_LINE
 *   5 FLOAT_LINE
 *   6 STRING_LINE
 *   7 UNICODE_LINE
 *   8 UTF8
 *   9 EMPTY_LIST
 *   10 EMPTY_DICT
 *   11 EMPTY_SET
 *   12 EMPTY_TUPLE
 *   13 TUPLE_N
 *   14 TUPLE
 *   15 LIST
 *   16 FROZENSET
 *   17 DICT
 *   18 APPEND
 *   19 APPENDS
 *   20 SETITEM
 *   21 SETITEMS
 *   22 ADDITEMS
 *   23 MARK
 *   24 POP
 *   25 POP_MARK
 *   26 DUP
 *   27 GET_LINE
 *   28 GET
 *   29 PUT_LINE
 *   30 PUT
 *   31 MEMOIZE
 *   32 PROTO
 *   33 FRAME
 *   34 STOP
 */
type DataAction = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16 | 17 | 18 | 19 | 20 | 21 | 22 | 23 | 24 | 25 | 26 | 27 | 28 | 29 | 30 | 31 | 32 | 33 | 34;

const ACTION_OF = byOpcode<DataAction>({
  GLOBAL: 0,
  INST: 0,
  STACK_GLOBAL: 0,
  EXT1: 0,
  EXT2: 0,
  EXT4: 0,
  REDUCE: 0,
  NEWOBJ: 0,
  NEWOBJ_EX: 0,
  OBJ: 0,
  BUILD: 0,
  PERSID: 0,
  BINPERSID: 0,
  NEXT_BUFFER: 0,
  READONLY_BUFFER: 0,
  NONE: 1,
  NEWTRUE: 1,
  NEWFALSE: 1,
  BININT1: 1,
  BININT2: 1,
  BININT: 1,
  BINFLOAT: 1,
  BINBYTES: 1,
  SHORT_BINBYTES: 1,
  BINBYTES8: 1,
  BYTEARRAY8: 1,
  BINSTRING: 1,
  SHORT_BINSTRING: 1,
  LONG1: 2,
  LONG4: 2,
  INT: 3,
  LONG: 4,
  FLOAT: 5,
  STRING: 6,
  UNICODE: 7,
  SHORT_BINUNICODE: 8,
  BINUNICODE: 8,
  BINUNICODE8: 8,
  EMPTY_LIST: 9,
  EMPTY_DICT: 10,
  EMPTY_SET: 11,
  EMPTY_TUPLE: 12,
  TUPLE1: 13,
  TUPLE2: 13,
  TUPLE3: 13,
  TUPLE: 14,
  LIST: 15,
  FROZENSET: 16,
  DICT: 17,
  APPEND: 18,
  APPENDS: 19,
  SETITEM: 20,
  SETITEMS: 21,
  ADDITEMS: 22,
  MARK: 23,
  POP: 24,
  POP_MARK: 25,
  DUP: 26,
  GET: 27,
  BINGET: 28,
  LONG_BINGET: 28,
  PUT: 29,
  BINPUT: 30,
  LONG_BINPUT: 30,
  MEMOIZE: 31,
  PROTO: 32,
  FRAME: 33,
  STOP: 34,
});
const ACTION = Uint8Array.from(ACTION_OF, (a) => a ?? 0);

class Bail {}
const BAIL = new Bail();

export class DataPath {
  // values: id → kind, depth, weight (id 0 is "a scalar")
  private kind = new Uint8Array(1024);
  private depth = new Float64Array(1024);
  private weight = new Float64Array(1024);
  private nextId = 1;
  // stack of ids, marks of stack heights
  private stack = new Int32Array(1024);
  private sp = 0;
  private marks = new Int32Array(64);
  private mp = 0;
  private fence = 0;
  // memo: index → id + 1 (0 = empty) for small indexes, a Map for the rest
  private memo = new Int32Array(1024);
  private memoSparse: Map<number, number> | null = null;
  private memoCount = 0;
  /** The reader of the pickle being run (its position is the bytes read so far, for the expansion check). */
  private reader: OpReader | null = null;

  constructor(
    private readonly input: ByteSource,
    private readonly limits: Limits,
    private readonly window?: number,
  ) {
    this.weight[0] = 1;
  }

  /**
   * Runs one pickle from `start`. Returns its summary when it completed cleanly, or null when the
   * full machine must run it. `budget` is the opcodes still allowed.
   */
  run(start: number, budget: number): DataPathResult | null {
    try {
      return this.loop(start, budget);
    } catch (e) {
      if (e === BAIL) return null;
      throw e;
    }
  }

  private newId(k: number, d: number, w: number): number {
    const id = this.nextId++;
    if (id >= this.kind.length) {
      const n = this.kind.length * 2;
      const kind = new Uint8Array(n);
      kind.set(this.kind);
      this.kind = kind;
      const depth = new Float64Array(n);
      depth.set(this.depth);
      this.depth = depth;
      const weight = new Float64Array(n);
      weight.set(this.weight);
      this.weight = weight;
    }
    this.kind[id] = k;
    this.depth[id] = d;
    this.weight[id] = w;
    return id;
  }

  private push(id: number): void {
    if (this.sp >= this.stack.length) {
      if (this.sp >= this.limits.maxStack) throw BAIL;
      const s = new Int32Array(this.stack.length * 2);
      s.set(this.stack);
      this.stack = s;
    }
    this.stack[this.sp++] = id;
  }

  private pop(): number {
    if (this.sp <= this.fence) throw BAIL;
    return this.stack[--this.sp]!;
  }

  private popMark(): number {
    if (this.mp === 0) throw BAIL;
    const k = this.marks[--this.mp]!;
    this.fence = this.mp ? this.marks[this.mp - 1]! : 0;
    return k;
  }

  /** A container over stack[from, sp), popped; with the full machine's depth/expansion checks. */
  private container(k: number, from: number): number {
    let child = 0;
    let w = 1;
    for (let i = from; i < this.sp; i++) {
      const id = this.stack[i]!;
      const d = this.depth[id]!;
      if (d > child) child = d;
      w += this.weight[id]!;
    }
    this.sp = from;
    return this.newId(k, child + 1, this.checkShape(child + 1, w));
  }

  private checkShape(d: number, w: number): number {
    if (w > MAX_WEIGHT) w = MAX_WEIGHT;
    if (d > this.limits.maxObjectDepth) throw BAIL;
    if (w > this.limits.maxExpansion && w > 100 * this.reader!.pos) throw BAIL;
    return w;
  }

  /** APPEND(S)/SETITEM(S)/ADDITEMS onto stack[x-1] of items stack[x, sp). */
  private extend(x: number, want: number, pairs: boolean): void {
    const len = this.sp;
    if (x > len || x <= this.fence) throw BAIL;
    if (len === x) return;
    if (pairs && (len - x) % 2) throw BAIL;
    const target = this.stack[x - 1]!;
    const k = this.kind[target]!;
    if (k !== want && !(pairs && k === K_LIST)) throw BAIL;
    let child = 0;
    let w = this.weight[target]!;
    for (let i = x; i < len; i++) {
      const id = this.stack[i]!;
      const d = this.depth[id]!;
      if (d > child) child = d;
      w += this.weight[id]!;
    }
    this.sp = x;
    if (k === K_LIST && pairs) return; // list[int] = value: the full machine leaves the list as it is
    const d = Math.max(this.depth[target]!, child + 1);
    this.weight[target] = this.checkShape(d, w);
    this.depth[target] = d;
  }

  private memoGet(idx: number): number {
    const v = idx < this.memo.length ? this.memo[idx]! : this.memoSparse?.get(idx) ?? 0;
    if (v === 0) throw BAIL;
    return v - 1;
  }

  private memoPut(idx: number, ops: number): void {
    if (this.sp <= this.fence) throw BAIL;
    if (idx < 0 || idx > ops + this.limits.maxMemoIndexGap) throw BAIL;
    const id = this.stack[this.sp - 1]!;
    if (idx >= this.memo.length && idx < 2 * this.memoCount + 1024) {
      let n = this.memo.length;
      while (n <= idx) n *= 2;
      const m = new Int32Array(n);
      m.set(this.memo);
      this.memo = m;
    }
    if (idx < this.memo.length) {
      if (this.memo[idx] === 0) this.memoCount++;
      this.memo[idx] = id + 1;
    } else {
      const sparse = (this.memoSparse ??= new Map());
      if (!sparse.has(idx)) this.memoCount++;
      sparse.set(idx, id + 1);
    }
    if (this.memoCount > this.limits.maxMemo) throw BAIL;
  }

  private line(r: OpReader): void {
    if (!r.argLoaded) throw BAIL;
  }

  private loop(start: number, budget: number): DataPathResult {
    const limits = this.limits;
    const r = new OpReader(this.input, { start, window: this.window, maxKept: limits.maxKeptString, maxLine: limits.maxLineBytes });
    this.reader = r;
    let ops = 0;
    let protocol = 0;
    for (;;) {
      if (!r.next() || r.frameViolation || r.frameOversize) throw BAIL;
      if (++ops > budget) throw BAIL;
      const action = ACTION[r.code] as DataAction;
      switch (action) {
        case 1: // SCALAR
          this.push(K_SCALAR);
          break;
        case 2: // LONG_BYTES
          if (Math.ceil(r.argLen * 2.41) > limits.maxIntDigits) throw BAIL;
          this.push(K_SCALAR);
          break;
        case 3: // INT_LINE
          if (r.argLen > limits.maxIntDigits || decodeIntLine(r.argBuf, r.argStart, r.argEnd) === null) throw BAIL;
          this.push(K_SCALAR);
          break;
        case 4: // LONG_LINE
          if (r.argLen > limits.maxIntDigits || decodeLongLine(r.argBuf, r.argStart, r.argEnd) === null) throw BAIL;
          this.push(K_SCALAR);
          break;
        case 5: // FLOAT_LINE
          this.line(r);
          if (decodeFloatLine(r.argBuf, r.argStart, r.argEnd) === null) throw BAIL;
          this.push(K_SCALAR);
          break;
        case 6: // STRING_LINE
          this.line(r);
          if (decodeStringLine(r.argBuf, r.argStart, r.argEnd) === null) throw BAIL;
          this.push(K_SCALAR);
          break;
        case 7: // UNICODE_LINE
          this.line(r);
          if (r.argLen <= limits.maxKeptString && decodeRawUnicodeEscape(r.argBuf, r.argStart, r.argEnd) === null) throw BAIL;
          this.push(K_SCALAR);
          break;
        case 8: // UTF8
          if (r.argLen <= limits.maxKeptString && !validUtf8(r.argBuf, r.argStart, r.argEnd)) throw BAIL;
          this.push(K_SCALAR);
          break;
        case 9: // EMPTY_LIST
          this.push(this.newId(K_LIST, 1, 1));
          break;
        case 10: // EMPTY_DICT
          this.push(this.newId(K_DICT, 1, 1));
          break;
        case 11: // EMPTY_SET
          this.push(this.newId(K_SET, 1, 1));
          break;
        case 12: // EMPTY_TUPLE
          this.push(this.newId(K_TUPLE, 1, 1));
          break;
        case 13: { // TUPLE_N
          const n = r.code - 0x84; // TUPLE1..TUPLE3 are 0x85..0x87
          if (this.sp - n < this.fence) throw BAIL;
          this.push(this.container(K_TUPLE, this.sp - n));
          break;
        }
        case 14: // TUPLE
          this.push(this.container(K_TUPLE, this.popMark()));
          break;
        case 15: // LIST
          this.push(this.container(K_LIST, this.popMark()));
          break;
        case 16: // FROZENSET
          this.push(this.container(K_SET, this.popMark()));
          break;
        case 17: { // DICT
          const k = this.popMark();
          if ((this.sp - k) % 2) throw BAIL;
          this.push(this.container(K_DICT, k));
          break;
        }
        case 18: // APPEND
          this.extend(this.sp - 1, K_LIST, false);
          break;
        case 19: // APPENDS
          this.extend(this.popMark(), K_LIST, false);
          break;
        case 20: // SETITEM
          this.extend(this.sp - 2, K_DICT, true);
          break;
        case 21: // SETITEMS
          this.extend(this.popMark(), K_DICT, true);
          break;
        case 22: { // ADDITEMS
          const x = this.popMark();
          if (x <= this.fence || x > this.sp) throw BAIL;
          if (this.sp === x) break;
          this.extend(x, K_SET, false);
          break;
        }
        case 23: // MARK
          if (this.mp >= this.marks.length) {
            if (this.mp >= limits.maxNesting) throw BAIL;
            const m = new Int32Array(this.marks.length * 2);
            m.set(this.marks);
            this.marks = m;
          }
          this.marks[this.mp++] = this.sp;
          this.fence = this.sp;
          if (this.mp > limits.maxNesting) throw BAIL;
          break;
        case 24: // POP
          if (this.mp && this.marks[this.mp - 1] === this.sp) this.popMark();
          else this.pop();
          break;
        case 25: // POP_MARK
          this.sp = this.popMark();
          break;
        case 26: { // DUP
          if (this.sp <= this.fence) throw BAIL;
          this.push(this.stack[this.sp - 1]!);
          break;
        }
        case 27: { // GET_LINE
          this.line(r);
          const idx = decodeDecimalLine(r.argBuf, r.argStart, r.argEnd);
          if (idx === null || typeof idx !== 'number') throw BAIL;
          this.push(this.memoGet(idx));
          break;
        }
        case 28: // GET
          this.push(this.memoGet(r.argNum));
          break;
        case 29: { // PUT_LINE
          this.line(r);
          const idx = decodeDecimalLine(r.argBuf, r.argStart, r.argEnd);
          if (idx === null || typeof idx !== 'number') throw BAIL;
          this.memoPut(idx, ops);
          break;
        }
        case 30: // PUT
          this.memoPut(r.argNum, ops);
          break;
        case 31: { // MEMOIZE
          if (this.sp <= this.fence) throw BAIL;
          const idx = this.memoCount;
          if (idx < this.memo.length && this.memo[idx] !== 0) throw BAIL; // overwrites an explicit PUT: let the full machine judge
          this.memoPut(idx, ops);
          break;
        }
        case 32: // PROTO
          if (r.argNum > 5) throw BAIL;
          if (r.argNum > protocol) protocol = r.argNum;
          break;
        case 33: // FRAME
          break;
        case 34: // STOP
          this.pop();
          return { end: r.pos, opcodes: ops, protocol };
        case 0: // BAIL
          throw BAIL;
        default:
          return unreachable(action);
      }
      if (this.sp > limits.maxStack) throw BAIL;
    }
  }
}

/** Every action has a case above: a new action without one does not compile. */
function unreachable(action: never): never {
  throw new Error(`data-path action ${String(action)} has no case`);
}

function validUtf8(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i]! >= 0x80) return decodeUtf8SurrogatePass(b, start, end) !== null;
  return true;
}
