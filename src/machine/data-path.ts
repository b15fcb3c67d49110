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
 *
 * This file is the opcode loop; data-stack.ts holds the values, stack, marks and memo it drives, and
 * data-actions.ts the table of what it does with each opcode.
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
import { OpReader } from '../pickle/reader';
import type { ByteSource } from '../pickle/source';
import { ACTION, type DataAction } from './data-actions';
import { BAIL, DataStack, K_DICT, K_LIST, K_SCALAR, K_SET, K_TUPLE } from './data-stack';

export interface DataPathResult {
  /** Offset just past STOP. */
  end: number;
  opcodes: number;
  protocol: number;
}

export class DataPath extends DataStack {
  constructor(
    private readonly input: ByteSource,
    limits: Limits,
    private readonly window?: number,
  ) {
    super(limits);
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

  private line(r: OpReader): void {
    if (!r.argLoaded) throw BAIL;
  }

  private loop(start: number, budget: number): DataPathResult | null {
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
        case 0: // BAIL: returned, not thrown (the common way out: an import or a call; a throw costs microseconds)
          return null;
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
