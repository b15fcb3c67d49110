/**
 * The data path's values and stacks: each value an id into typed arrays that record its kind, nesting
 * depth and expanded size; the stack of ids, the marks and the memo over them, with the full
 * machine's limits (stack size, depth, expansion, memo). Anything unusual throws BAIL, and the full
 * machine runs the pickle instead. The opcode loop that drives them is data-path.ts.
 */
import type { Limits } from '../limits';
import type { OpReader } from '../pickle/reader';

/** Kinds of value ids. Scalars share id 0; containers get their own id. */
export const K_SCALAR = 0;
export const K_TUPLE = 1;
export const K_LIST = 2;
export const K_DICT = 3;
export const K_SET = 4;

const MAX_WEIGHT = Number.MAX_SAFE_INTEGER;
/** First length of the typed arrays: at most 64 bytes each, which V8 keeps on its heap (a larger one gets an ArrayBuffer of its own, about 0.6 µs). */
const INITIAL = 8;

class Bail {}
export const BAIL = new Bail();

export abstract class DataStack {
  // Every array starts small and doubles as needed: a data path is made for each pickle the full
  // machine may not need to run, most of them small, and some that bail at their first opcode.
  // values: id → kind, depth, weight (id 0 is "a scalar")
  protected kind = new Uint8Array(INITIAL);
  protected depth = new Float64Array(INITIAL);
  protected weight = new Float64Array(INITIAL);
  protected nextId = 1;
  // stack of ids, marks of stack heights
  protected stack = new Int32Array(INITIAL);
  protected sp = 0;
  protected marks = new Int32Array(INITIAL);
  protected mp = 0;
  protected fence = 0;
  // memo: index → id + 1 (0 = empty) for small indexes, a Map for the rest
  protected memo = new Int32Array(INITIAL);
  protected memoSparse: Map<number, number> | null = null;
  protected memoCount = 0;
  /** The reader of the pickle being run (its position is the bytes read so far, for the expansion check). */
  protected reader: OpReader | null = null;

  constructor(protected readonly limits: Limits) {
    this.weight[0] = 1;
  }

  protected newId(k: number, d: number, w: number): number {
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

  protected push(id: number): void {
    if (this.sp >= this.stack.length) {
      if (this.sp >= this.limits.maxStack) throw BAIL;
      const s = new Int32Array(this.stack.length * 2);
      s.set(this.stack);
      this.stack = s;
    }
    this.stack[this.sp++] = id;
  }

  protected pop(): number {
    if (this.sp <= this.fence) throw BAIL;
    return this.stack[--this.sp]!;
  }

  protected popMark(): number {
    if (this.mp === 0) throw BAIL;
    const k = this.marks[--this.mp]!;
    this.fence = this.mp ? this.marks[this.mp - 1]! : 0;
    return k;
  }

  /** A container over stack[from, sp), popped; with the full machine's depth/expansion checks. */
  protected container(k: number, from: number): number {
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

  protected checkShape(d: number, w: number): number {
    if (w > MAX_WEIGHT) w = MAX_WEIGHT;
    if (d > this.limits.maxObjectDepth) throw BAIL;
    if (w > this.limits.maxExpansion && w > 100 * this.reader!.pos) throw BAIL;
    return w;
  }

  /** APPEND(S)/SETITEM(S)/ADDITEMS onto stack[x-1] of items stack[x, sp). */
  protected extend(x: number, want: number, pairs: boolean): void {
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

  protected memoGet(idx: number): number {
    const v = idx < this.memo.length ? this.memo[idx]! : this.memoSparse?.get(idx) ?? 0;
    if (v === 0) throw BAIL;
    return v - 1;
  }

  protected memoPut(idx: number, ops: number): void {
    if (this.sp <= this.fence) throw BAIL;
    if (idx < 0 || idx > ops + this.limits.maxMemoIndexGap) throw BAIL;
    const id = this.stack[this.sp - 1]!;
    if (idx >= this.memo.length && idx < 2 * this.memoCount + 1024) {
      let n = this.memo.length;
      while (n <= idx) n *= 2;
      const m = new Int32Array(n);
      m.set(this.memo);
      this.memo = m;
      // entries kept sparse that the table now covers move into it: one place per index
      if (this.memoSparse) {
        for (const [i, v] of this.memoSparse) {
          if (i < n) {
            m[i] = v;
            this.memoSparse.delete(i);
          }
        }
      }
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
}
