/**
 * The unpickler memo, keyed by index. Picklers number memo entries 0, 1, 2, ... so those live in a
 * dense array (a Map with millions of entries spends most of its time rehashing); far-off or odd
 * indices (LONG_BINPUT 4000000000, a PUT of a huge decimal) go to a Map. The dense part never grows
 * beyond twice the number of entries plus a little slack, so sparse indices cannot inflate it.
 * Behaves exactly like a Map<number, Value> for get/set/size (test/machine/memo.test.ts).
 */
import type { Value } from './values';

/** How far past the current end (and past twice the entry count) an index may be and still go dense. */
const SLACK = 1024;

export class Memo {
  private readonly dense: (Value | undefined)[] = [];
  private sparse: Map<number, Value> | null = null;
  /** Number of distinct indices stored (CPython's memo_len). */
  size = 0;

  get(idx: number): Value | undefined {
    if (idx >>> 0 === idx && idx < this.dense.length) return this.dense[idx];
    return this.sparse === null ? undefined : this.sparse.get(idx);
  }

  set(idx: number, v: Value): void {
    const d = this.dense;
    if (idx >>> 0 === idx) {
      if (idx < d.length) {
        if (d[idx] === undefined) this.size++;
        d[idx] = v;
        return;
      }
      if (idx <= d.length + SLACK && idx <= 2 * this.size + SLACK) {
        const sparse = this.sparse;
        // slots between the old end and idx: take over what the Map held for them
        while (d.length < idx) {
          let moved: Value | undefined;
          if (sparse !== null && (moved = sparse.get(d.length)) !== undefined) sparse.delete(d.length);
          d.push(moved);
        }
        if (sparse !== null && sparse.has(idx)) sparse.delete(idx);
        else this.size++;
        d.push(v);
        return;
      }
    }
    const sparse = (this.sparse ??= new Map());
    if (!sparse.has(idx)) this.size++;
    sparse.set(idx, v);
  }
}
