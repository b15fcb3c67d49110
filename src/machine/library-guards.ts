/**
 * Reviewed guards on the BUILD state of long-tail library classes (catalogue GUARDED_SETSTATE):
 * each admits the state the library itself writes, checked shape by shape, and refuses anything
 * else (fail closed). What was read is recorded next to each guard and in docs/catalogue.md.
 */
import type { CostFinding } from './cost-finding';
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

/** The value of a state that must be a dict of exactly one constant key, `key`; else the refusal. */
function soleValue(state: Value, key: string, refuse: Refuse): Value | CostFinding {
  const checked = plainKeys(state, refuse);
  if ('rule' in checked) return checked;
  if (checked.entries.length !== 1 || checked.entries[0]![0] !== key) return refuse(`the state has other keys than ${key}`);
  return checked.entries[0]![1];
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

/**
 * A constant text of at most `max` characters: a str, or bytes kept whole (pyproj stores CRS
 * strings as bytes, `_codecs.encode(s, 'latin1')` in protocols 0-2). Null for anything else.
 */
function shortText(v: Value, max: number): string | null {
  if (v.k === 'str') return v.v !== null && v.v.length <= max ? v.v : null;
  if (v.k !== 'bytes' || v.end - v.start > max) return null;
  const b = v.data ?? v.head;
  if (b.length < v.end - v.start) return null;
  let s = '';
  for (let i = 0; i < v.end - v.start; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/**
 * What PROJ reads as an object from its database and nothing else: `AUTHORITY:CODE` (EPSG:4326,
 * ESRI:102100, IGNF:LAMB93, OGC:CRS84). PROJ parses any other text as a PROJ string, WKT or PROJJSON,
 * whose `+init=` file and grid parameters (nadgrids, geoidgrids, grids, file...) it opens by path, or
 * fetches by URL when networking is on (read in PROJ 9.1.1 and 9.6.0: `+init=/path:key` reads any
 * file; with PROJ_NETWORK=ON, creating transformers between EPSG codes opened no connection, their
 * grids being fetched only when coordinates are transformed, from PROJ's configured endpoint).
 */
const PROJ_AUTHORITY_CODE = /^[A-Za-z][A-Za-z0-9_]{0,31}:[A-Za-z0-9_.-]{1,64}$/;
const isAuthorityCode = (v: Value) => {
  const s = shortText(v, 100);
  return s !== null && PROJ_AUTHORITY_CODE.test(s);
};

/**
 * pyproj's CRS (pyproj.crs.crs.CRS, read in 3.4.1 and 3.7.1): `__getstate__` is `{'srs': self.srs}`,
 * `__setstate__` updates `__dict__` and makes an empty thread-local; the srs is parsed by PROJ
 * (`_CRS(self.srs)`) the first time the CRS is used, which `__hash__` (`hash(self.to_wkt())`) and
 * `__eq__` do while loading. Admitted: `{'srs': AUTHORITY:CODE}` and nothing else.
 */
export function pyprojCrsGuard(state: Value): CostFinding | null {
  const refuse = refuser("pyproj's CRS is admitted with the state {'srs': 'AUTHORITY:CODE'}: PROJ parses any other srs as a PROJ string, WKT or PROJJSON, and opens the init= file and grids it names");
  const srs = soleValue(state, 'srs', refuse);
  if ('rule' in srs) return srs;
  return isAuthorityCode(srs) ? null : refuse('its srs is not a constant AUTHORITY:CODE');
}

/** TransformerFromCRS's fields (3.4.1; 3.7.1 adds only_best): what BUILD may set. */
const MAKER_FIELDS: ReadonlySet<string> = new Set(['crs_from', 'crs_to', 'always_xy', 'area_of_interest', 'authority', 'accuracy', 'allow_ballpark', 'force_over', 'only_best']);
const AUTHORITY_NAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

/**
 * pyproj's TransformerFromCRS (a frozen dataclass, no `__setstate__`: pickle's BUILD sets its fields
 * in `__dict__`). Calling it runs `_Transformer.from_crs(crs_from, crs_to, always_xy=...,
 * area_of_interest=..., authority=..., accuracy=..., allow_ballpark=..., force_over=...[, only_best=...])`:
 * PROJ parses both CRS and searches its database for operations, opening the grid files they name
 * from its own data directories. Admitted: crs_from and crs_to AUTHORITY:CODE, always_xy and
 * force_over bools, area_of_interest None, authority None or an authority name, accuracy None or a
 * number, allow_ballpark and only_best None or bools; no other key.
 */
export function pyprojMakerGuard(state: Value): CostFinding | null {
  const refuse = refuser("pyproj's TransformerFromCRS is admitted with the fields pyproj writes, its CRS as AUTHORITY:CODE: calling it has PROJ parse both CRS strings and open the files they name");
  const checked = plainKeys(state, refuse);
  if ('rule' in checked) return checked;
  const seen = new Set<string>();
  for (const [key, v] of checked.entries) {
    if (!MAKER_FIELDS.has(key)) return refuse(`the state has ${JSON.stringify(key).slice(0, 60)}, which is not a field`);
    seen.add(key);
    const ok =
      key === 'crs_from' || key === 'crs_to'
        ? isAuthorityCode(v)
        : key === 'always_xy' || key === 'force_over'
          ? v.k === 'bool'
          : key === 'area_of_interest'
            ? v.k === 'none'
            : key === 'authority'
              ? v.k === 'none' || (v.k === 'str' && v.v !== null && AUTHORITY_NAME.test(v.v))
              : key === 'accuracy'
                ? v.k === 'none' || isNumber(v)
                : v.k === 'none' || v.k === 'bool';
    if (!ok) return refuse(`its ${key} is not what pyproj writes there`);
  }
  return seen.has('crs_from') && seen.has('crs_to') ? null : refuse('crs_from or crs_to is missing');
}

/** Is `v` a TransformerFromCRS rebuilt by pickle (not called with arguments) whose BUILD state is the one pyprojMakerGuard admits? */
function isAdmittedMaker(v: Value): boolean {
  if (v.k !== 'call' || v.callee.k !== 'global' || v.kwargs || !v.state) return false;
  const args = v.args.k === 'tuple' ? v.args.items : null;
  if (!args) return false;
  let cls: Value | undefined;
  switch (v.callee.resolved) {
    case 'copyreg.__newobj__':
      if (args.length !== 1) return false;
      cls = args[0];
      break;
    case 'copyreg._reconstructor': {
      const [c, base, st] = args;
      if (args.length !== 3 || !base || base.k !== 'global' || base.resolved !== 'builtins.object' || !st || st.k !== 'none') return false;
      cls = c;
      break;
    }
    default:
      // NEWOBJ (or a REDUCE, which fails: the dataclass's __init__ needs its fields) with no arguments
      if (args.length !== 0) return false;
      cls = v.callee;
  }
  return cls !== undefined && cls.k === 'global' && cls.guardedSetstate === 'pyproj.transformer.TransformerFromCRS' && pyprojMakerGuard(v.state) === null;
}

/**
 * pyproj's Transformer (pyproj.transformer.Transformer, read in 3.4.1 and 3.7.1): `__getstate__` is
 * `{'_transformer_maker': maker}`; `__setstate__` updates `__dict__`, makes a thread-local and calls
 * `self._transformer_maker()`, again whenever another thread first uses the transformer. Admitted:
 * that one key, holding a TransformerFromCRS that pickle rebuilt (NEWOBJ, copyreg.__newobj__, or
 * copyreg._reconstructor with object) and whose BUILD state pyprojMakerGuard admits, done before this
 * BUILD. Any other maker (a class, a function, a TransformerFromPipeline whose pipeline names grid
 * files, a TransformerFromCRS called with arguments) is refused.
 */
export function pyprojTransformerGuard(state: Value): CostFinding | null {
  const refuse = refuser("pyproj's Transformer.__setstate__ calls the maker its state holds; it is admitted with a TransformerFromCRS rebuilt with CRS given as AUTHORITY:CODE");
  const maker = soleValue(state, '_transformer_maker', refuse);
  if ('rule' in maker) return maker;
  return isAdmittedMaker(maker) ? null : refuse('its maker is not a rebuilt TransformerFromCRS with the state pyproj writes');
}

/** The keys toolz's curry.__reduce__ writes in its userdict (what curry.__init__ sets from the function). */
const CURRY_USERDICT: ReadonlySet<string> = new Set(['__doc__', '__name__', '__module__', '__qualname__', '_sigspec', '_has_unknown_args']);

/**
 * toolz's `_restore_curry(cls, func, args, kwargs, userdict, is_decorated)` (toolz 0.12.0 and 1.0.0,
 * read): a str `func` is `'module:qualname'`, which it imports with import_module and walks with
 * getattr (an import by a name the pickle writes, outside the policy's judgement: refused); any other
 * func goes to `cls(func, *args, **kwargs)`, then `obj.__dict__.update(userdict)`. Admitted as curry's
 * __reduce__ writes it for a function that is not itself a module-level curry: cls toolz's own
 * `curry` (whose __init__ checks callable(func), reads func's func/args/keywords and name attributes
 * with hasattr and getattr, and stores a functools.partial: nothing is called), func a global the
 * policy judged at its import (not an object the pickle built, whose attribute lookups could run its
 * code), args a tuple and kwargs None or a dict with constant string keys (kept in the partial, not
 * called), and a userdict of curry's own attribute names with plain values (another key could
 * replace the partial the object calls later).
 */
export function toolzRestoreCurryGuard(args: readonly Value[], _limits: unknown, kwargs?: Value): CostFinding | null {
  const refuse = refuser("toolz's _restore_curry is admitted only as curry pickles a plain function");
  if (kwargs && !(kwargs.k === 'dict' && kwargs.count === 0)) return refuse('it is called with keyword arguments');
  if (args.length !== 6) return refuse(`it gets ${args.length} arguments, not the 6 curry writes`);
  const [cls, func, rest, kw, userdict, decorated] = args as [Value, Value, Value, Value, Value, Value];
  if (cls.k !== 'global' || cls.resolved !== 'toolz.functoolz.curry') return refuse('the class it calls is not toolz.functoolz.curry');
  if (func.k !== 'global') return refuse(func.k === 'str' ? 'a str func is imported by name (import_module and a getattr walk)' : `func is a ${func.k}, not a global the policy judged`);
  if (rest.k !== 'tuple' || rest.count !== rest.items.length) return refuse('its args are not a tuple kept whole');
  if (kw.k !== 'none' && !(kw.k === 'dict' && kw.count === kw.entries.length && kw.entries.every(([k]) => k.k === 'str' && k.v !== null)))
    return refuse('its kwargs are neither None nor a dict with constant string keys');
  // curry writes its userdict as a tuple of (name, value) pairs, which __dict__.update takes as a dict
  let entries: [string, Value][];
  if (userdict.k === 'tuple') {
    if (userdict.count !== userdict.items.length) return refuse('its userdict has more pairs than are kept for checking');
    entries = [];
    for (const pair of userdict.items) {
      const [k, v] = pair.k === 'tuple' && pair.count === 2 && pair.items.length === 2 ? pair.items : [];
      if (!k || !v || k.k !== 'str' || k.v === null) return refuse('its userdict has an item that is not a (constant name, value) pair');
      entries.push([k.v, v]);
    }
  } else {
    const ud = plainKeys(userdict, refuse);
    if (!('entries' in ud)) return ud;
    entries = ud.entries;
  }
  for (const [k, v] of entries) {
    if (!CURRY_USERDICT.has(k)) return refuse(`its userdict sets ${JSON.stringify(k.slice(0, 40))}, not one of curry's own attributes`);
    if (v.k !== 'none' && v.k !== 'str' && v.k !== 'bool') return refuse(`its userdict gives ${k} a ${v.k}, not None, a str or a bool`);
  }
  if (decorated.k !== 'none' && decorated.k !== 'bool') return refuse('is_decorated is neither None nor a bool');
  return null;
}
