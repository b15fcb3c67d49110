/**
 * A reviewed BUILD guard for matplotlib's `CallbackRegistry` (docs/catalogue.md, "Reviewed guards").
 *
 * Read in matplotlib 3.6.3 (Debian 12, cbook/__init__.py) and 3.10.1 (Debian 13, cbook.py):
 *
 * - `__getstate__` writes `{**vars(self), 'callbacks': {signal: {cid: callback}} for the cids in
 *   _pickled_cids only, '_func_cid_map': None}` (3.10.1 also `'_cid_gen': next(self._cid_gen)`, an
 *   int). A norm or a colormap's registry pickles with no callback at all; a figure's keeps the bound
 *   methods and partials it connected with `_connect_picklable`.
 * - `__setstate__(state)`: `vars(self).update(state)` (3.10.1 first pops `_cid_gen` and ends with
 *   `self._cid_gen = itertools.count(cid_count)`), then, for every callback in `self.callbacks`,
 *   `_weak_or_strong_ref(func, self._remove_proxy)` (3.10.1: `functools.partial(self._remove_proxy,
 *   signal)`): `weakref.WeakMethod(func, callback)` reads `func.__self__` and `func.__func__`, else
 *   `_StrongRef(func)`; then a dict (3.10.1: `_UnhashDict`) keyed by those proxies, which hashes and
 *   compares the callbacks (`_StrongRef.__hash__` is `hash(func)`, `__eq__` is `func == other`). The
 *   weakref callback `_remove_proxy` is looked up on the instance after the update: a state key
 *   `_remove_proxy` would make it any value of the pickle's, called when a callback dies.
 * - `_remove_proxy(self, proxy, *, _is_finalizing=sys.is_finalizing)` (the unresolved call the
 *   catalogue saw) is only run by the weakref machinery with a proxy, never with `_is_finalizing`.
 * - `exception_handler` is called only by `process()` (after loading), `_signals` is read by
 *   `connect()` and `process()`, `_pickled_cids` by `_connect_picklable()` and `_remove_proxy()`.
 *
 * Admitted: the plain state matplotlib writes for a registry with no callback: a dict with constant
 * keys among the six attributes; `_signals` None or constant strings; `exception_handler` None or
 * `matplotlib.cbook._exception_printer` (the default, allowed as a value only); `callbacks` a dict of
 * constant signal names to empty dicts (so __setstate__ makes no proxy, hashes nothing and registers
 * no weakref callback); `_cid_gen` an int or `itertools.count(int)`; `_func_cid_map` None or empty;
 * `_pickled_cids` a set of ints. Anything else is DENIED_GLOBAL/unsafe-call. A figure's registry, whose
 * callbacks are the figure's bound methods, stays rejected with it (see docs/catalogue.md).
 */
import type { CostFinding } from './cost-finding';
import { classOf, type Value } from './values';

const REGISTRY_KEYS: ReadonlySet<string> = new Set(['_signals', 'exception_handler', 'callbacks', '_cid_gen', '_func_cid_map', '_pickled_cids']);
const SETS: ReadonlySet<string> = new Set(['builtins.set', '__builtin__.set']);

const constStr = (v: Value): boolean => v.k === 'str' && v.v !== null;
const whole = (v: Value & { items: Value[]; count: number }): boolean => v.count === v.items.length;

/** A list or tuple of constant strings, all kept. */
function strings(v: Value): boolean {
  return (v.k === 'list' || v.k === 'tuple') && whole(v) && v.items.every(constStr);
}

/** ints, all kept, in a set, list or tuple. */
function ints(v: Value): boolean {
  return (v.k === 'set' || v.k === 'list' || v.k === 'tuple') && whole(v) && v.items.every((x) => x.k === 'int');
}

/** `itertools.count(start[, step])` with int arguments, as 3.6.3 pickles a registry's counter. */
function intCounter(v: Value): boolean {
  if (v.k !== 'call' || v.kwargs || v.state !== undefined || v.args.k !== 'tuple' || !whole(v.args)) return false;
  return classOf(v)?.resolved === 'itertools.count' && v.callee === classOf(v) && v.args.items.length <= 2 && v.args.items.every((x) => x.k === 'int');
}

/** A set of ints: an EMPTY_SET filled with ints, or `set([ints])` (protocols 0 to 3). */
function intSet(v: Value): boolean {
  if (v.k === 'set') return !v.frozen && ints(v);
  if (v.k !== 'call' || v.kwargs || v.state !== undefined || v.callee.k !== 'global' || !SETS.has(v.callee.resolved) || v.args.k !== 'tuple') return false;
  const a = v.args.items;
  return whole(v.args) && (a.length === 0 || (a.length === 1 && ints(a[0]!)));
}

/** `{signal: {}}`: constant signal names, no callback. */
function noCallbacks(v: Value): boolean {
  return v.k === 'dict' && v.count === v.entries.length && v.entries.every(([k, d]) => constStr(k) && d.k === 'dict' && d.count === 0);
}

/** The guard a BUILD on a `matplotlib.cbook.CallbackRegistry` breaks, if any. */
export function callbackRegistryGuard(state: Value): CostFinding | null {
  const refuse = (why: string): CostFinding => ({
    rule: 'DENIED_GLOBAL/unsafe-call',
    args: { why: `matplotlib's CallbackRegistry.__setstate__ updates the instance with its state and wraps every callback in it (reading its __self__, hashing and comparing it, giving it a weakref callback looked up on the instance); admitted is the state of a registry with no callback; ${why}` },
  });
  if (state.k !== 'dict') return refuse('only a dict state can be checked, and this one is not');
  if (state.count !== state.entries.length) return refuse('the state has more items than are kept for checking');
  for (const [key, value] of state.entries) {
    if (key.k !== 'str' || key.v === null || !REGISTRY_KEYS.has(key.v)) return refuse(`the state has a key other than ${[...REGISTRY_KEYS].join(', ')}`);
    switch (key.v) {
      case '_signals':
        if (value.k !== 'none' && !strings(value)) return refuse('its _signals are not None or constant strings');
        break;
      case 'exception_handler':
        if (value.k !== 'none' && !(value.k === 'global' && value.resolved === 'matplotlib.cbook._exception_printer')) return refuse("its exception_handler is not matplotlib's default, _exception_printer");
        break;
      case 'callbacks':
        if (!noCallbacks(value)) return refuse('its callbacks are not a dict of signal names to empty dicts (a registry with callbacks belongs to a figure)');
        break;
      case '_cid_gen':
        if (value.k !== 'int' && !intCounter(value)) return refuse('its _cid_gen is not an int or itertools.count of ints');
        break;
      case '_func_cid_map':
        if (value.k !== 'none' && !(value.k === 'dict' && value.count === 0)) return refuse('its _func_cid_map is not None (what matplotlib writes) or empty');
        break;
      case '_pickled_cids':
        if (!intSet(value)) return refuse('its _pickled_cids are not a set of ints');
        break;
    }
  }
  return null;
}
