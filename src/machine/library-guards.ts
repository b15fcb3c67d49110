/**
 * Reviewed guards on the BUILD state of long-tail library classes (catalogue GUARDED_SETSTATE):
 * each admits the state the library itself writes, checked shape by shape, and refuses anything
 * else (fail closed). What was read is recorded next to each guard and in docs/catalogue.md.
 */
import type { CostFinding } from './costs';
import type { Value } from './values';

type Refuse = (why: string) => CostFinding;

const refuser =
  (what: string): Refuse =>
  (why) => ({ rule: 'DENIED_GLOBAL/unsafe-call', args: { why: `${what}; ${why}` } });

/** A dict state whose every entry is kept, under constant string keys: its entries, or why not. */
function plainKeys(state: Value, refuse: Refuse): { entries: [string, Value][] } | CostFinding {
  if (state.k !== 'dict') return refuse('only a dict state can be checked, and this one is not');
  if (state.count !== state.entries.length) return refuse('the state has more items than are kept for checking');
  const entries: [string, Value][] = [];
  for (const [k, v] of state.entries) {
    if (k.k !== 'str' || k.v === null) return refuse('the state has a key that is not a constant string');
    entries.push([k.v, v]);
  }
  return { entries };
}

const isNumber = (v: Value) => v.k === 'int' || v.k === 'float';

/**
 * tqdm's progress bar (tqdm.std.tqdm, read in 4.64.1 and 4.67.1). Only a disabled bar pickles (an
 * enabled one holds its output stream and a closure): `tqdm(..., disable=True)` stores iterable,
 * disable, pos, n, total and leave, and pickle rebuilds it with `tqdm.__new__` (which ignores its
 * arguments, adds the bar to the class's WeakSet and starts tqdm's own monitor thread) and a BUILD
 * into `__dict__` (no `__setstate__`, `__setattr__` or `__getattr__` in the MRO). What runs later
 * on the bar depends on that state: `__del__` calls `close()`, which returns at once when `disable`
 * is true and otherwise writes through `self.fp` and calls `self.sp(...)`; the monitor thread
 * refreshes every bar that has `start_t` (`display()` calls `self.sp`). Admitted: a dict of those
 * six keys only, `disable` True, numbers for pos and n, a number or None for total, a bool or None
 * for leave; the iterable is stored (disabled, the bar only iterates it when the program does).
 */
const TQDM_KEYS: ReadonlySet<string> = new Set(['iterable', 'disable', 'pos', 'n', 'total', 'leave']);

export function tqdmStateGuard(state: Value): CostFinding | null {
  const refuse = refuser("tqdm's bar is admitted with the state of a disabled bar ({iterable, disable: True, pos, n, total, leave}): with another, its __del__ and tqdm's monitor thread call what the state holds");
  const checked = plainKeys(state, refuse);
  if ('rule' in checked) return checked;
  let disabled = false;
  for (const [key, v] of checked.entries) {
    if (!TQDM_KEYS.has(key)) return refuse(`the state has ${JSON.stringify(key).slice(0, 60)}, which a disabled bar does not`);
    if (key === 'disable') {
      if (v.k !== 'bool' || !v.v) return refuse('disable is not True');
      disabled = true;
    } else if ((key === 'pos' || key === 'n') && !isNumber(v)) return refuse(`${key} is not a number`);
    else if (key === 'total' && !isNumber(v) && v.k !== 'none') return refuse('total is not a number or None');
    else if (key === 'leave' && v.k !== 'bool' && v.k !== 'none') return refuse('leave is not a bool or None');
  }
  return disabled ? null : refuse('disable is missing');
}
