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
import { Op } from '../pickle/opcodes';
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
  /** Position after the current opcode (bytes read so far), for the expansion check. */
  private pos = 0;

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
    if (w > this.limits.maxExpansion && w > 100 * this.pos) throw BAIL;
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
    let ops = 0;
    let protocol = 0;
    for (;;) {
      if (!r.next() || r.frameViolation || r.frameOversize) throw BAIL;
      if (++ops > budget) throw BAIL;
      const input = r.argBuf;
      this.pos = r.pos;
      const code = r.code as Op;
      switch (code) {
        case Op.NONE:
        case Op.NEWTRUE:
        case Op.NEWFALSE:
        case Op.BININT1:
        case Op.BININT2:
        case Op.BININT:
        case Op.BINFLOAT:
        case Op.BINBYTES:
        case Op.SHORT_BINBYTES:
        case Op.BINBYTES8:
        case Op.BYTEARRAY8:
        case Op.BINSTRING:
        case Op.SHORT_BINSTRING:
          this.push(K_SCALAR);
          break;
        case Op.LONG1:
        case Op.LONG4:
          if (Math.ceil(r.argLen * 2.41) > limits.maxIntDigits) throw BAIL;
          this.push(K_SCALAR);
          break;
        case Op.INT:
          if (r.argLen > limits.maxIntDigits || decodeIntLine(input, r.argStart, r.argEnd) === null) throw BAIL;
          this.push(K_SCALAR);
          break;
        case Op.LONG:
          if (r.argLen > limits.maxIntDigits || decodeLongLine(input, r.argStart, r.argEnd) === null) throw BAIL;
          this.push(K_SCALAR);
          break;
        case Op.FLOAT:
          this.line(r);
          if (decodeFloatLine(input, r.argStart, r.argEnd) === null) throw BAIL;
          this.push(K_SCALAR);
          break;
        case Op.STRING:
          this.line(r);
          if (decodeStringLine(input, r.argStart, r.argEnd) === null) throw BAIL;
          this.push(K_SCALAR);
          break;
        case Op.UNICODE:
          this.line(r);
          if (r.argLen <= limits.maxKeptString && decodeRawUnicodeEscape(input, r.argStart, r.argEnd) === null) throw BAIL;
          this.push(K_SCALAR);
          break;
        case Op.SHORT_BINUNICODE:
        case Op.BINUNICODE:
        case Op.BINUNICODE8:
          if (r.argLen <= limits.maxKeptString && !validUtf8(input, r.argStart, r.argEnd)) throw BAIL;
          this.push(K_SCALAR);
          break;
        case Op.EMPTY_LIST:
          this.push(this.newId(K_LIST, 1, 1));
          break;
        case Op.EMPTY_DICT:
          this.push(this.newId(K_DICT, 1, 1));
          break;
        case Op.EMPTY_SET:
          this.push(this.newId(K_SET, 1, 1));
          break;
        case Op.EMPTY_TUPLE:
          this.push(this.newId(K_TUPLE, 1, 1));
          break;
        case Op.TUPLE1:
        case Op.TUPLE2:
        case Op.TUPLE3: {
          const n = code - Op.TUPLE1 + 1;
          if (this.sp - n < this.fence) throw BAIL;
          this.push(this.container(K_TUPLE, this.sp - n));
          break;
        }
        case Op.TUPLE:
          this.push(this.container(K_TUPLE, this.popMark()));
          break;
        case Op.LIST:
          this.push(this.container(K_LIST, this.popMark()));
          break;
        case Op.FROZENSET:
          this.push(this.container(K_SET, this.popMark()));
          break;
        case Op.DICT: {
          const k = this.popMark();
          if ((this.sp - k) % 2) throw BAIL;
          this.push(this.container(K_DICT, k));
          break;
        }
        case Op.APPEND:
          this.extend(this.sp - 1, K_LIST, false);
          break;
        case Op.APPENDS:
          this.extend(this.popMark(), K_LIST, false);
          break;
        case Op.SETITEM:
          this.extend(this.sp - 2, K_DICT, true);
          break;
        case Op.SETITEMS:
          this.extend(this.popMark(), K_DICT, true);
          break;
        case Op.ADDITEMS: {
          const x = this.popMark();
          if (x <= this.fence || x > this.sp) throw BAIL;
          if (this.sp === x) break;
          this.extend(x, K_SET, false);
          break;
        }
        case Op.MARK:
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
        case Op.POP:
          if (this.mp && this.marks[this.mp - 1] === this.sp) this.popMark();
          else this.pop();
          break;
        case Op.POP_MARK:
          this.sp = this.popMark();
          break;
        case Op.DUP: {
          if (this.sp <= this.fence) throw BAIL;
          this.push(this.stack[this.sp - 1]!);
          break;
        }
        case Op.GET: {
          this.line(r);
          const idx = decodeDecimalLine(input, r.argStart, r.argEnd);
          if (idx === null || typeof idx !== 'number') throw BAIL;
          this.push(this.memoGet(idx));
          break;
        }
        case Op.BINGET:
        case Op.LONG_BINGET:
          this.push(this.memoGet(r.argNum));
          break;
        case Op.PUT: {
          this.line(r);
          const idx = decodeDecimalLine(input, r.argStart, r.argEnd);
          if (idx === null || typeof idx !== 'number') throw BAIL;
          this.memoPut(idx, ops);
          break;
        }
        case Op.BINPUT:
        case Op.LONG_BINPUT:
          this.memoPut(r.argNum, ops);
          break;
        case Op.MEMOIZE: {
          if (this.sp <= this.fence) throw BAIL;
          const idx = this.memoCount;
          if (idx < this.memo.length && this.memo[idx] !== 0) throw BAIL; // overwrites an explicit PUT: let the full machine judge
          this.memoPut(idx, ops);
          break;
        }
        case Op.PROTO:
          if (r.argNum > 5) throw BAIL;
          if (r.argNum > protocol) protocol = r.argNum;
          break;
        case Op.FRAME:
          break;
        case Op.STOP:
          this.pop();
          return { end: r.pos, opcodes: ops, protocol };
        // imports, calls, persistent references, buffers, extension codes: the full machine
        case Op.GLOBAL:
        case Op.INST:
        case Op.STACK_GLOBAL:
        case Op.EXT1:
        case Op.EXT2:
        case Op.EXT4:
        case Op.REDUCE:
        case Op.NEWOBJ:
        case Op.NEWOBJ_EX:
        case Op.OBJ:
        case Op.BUILD:
        case Op.PERSID:
        case Op.BINPERSID:
        case Op.NEXT_BUFFER:
        case Op.READONLY_BUFFER:
          throw BAIL;
        default:
          return unreachable(code);
      }
      if (this.sp > limits.maxStack) throw BAIL;
    }
  }
}

/** Every opcode has a case above: a new opcode without one does not compile. */
function unreachable(code: never): never {
  throw new Error(`opcode 0x${(code as number).toString(16)} has no data-path case`);
}

function validUtf8(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i]! >= 0x80) return decodeUtf8SurrogatePass(b, start, end) !== null;
  return true;
}
