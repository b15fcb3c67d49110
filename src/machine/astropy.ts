/**
 * Reviewed guards for astropy's `Time` (docs/catalogue.md, "Reviewed guards: astropy's Time"),
 * read in astropy 5.2.1 (Debian 12, Python 3.11) and 7.0.1 (Debian 13, Python 3.13).
 *
 * `Time` pickles as NEWOBJ `Time.__new__(Time, self._time)` (`TimeBase.__getnewargs__`: the format
 * object, a TimeISOT, TimeJD... of astropy.time.formats) and a BUILD with its `__dict__` (7.0.1's
 * `__getstate__` drops the caches): `_time`, `_format`, `SCALES`, `location` (`_location` in 7.0.1),
 * sometimes `_delta_ut1_utc`, `_delta_tdb_tt`, `cache`. What loading runs:
 *
 * - `Time.__new__(cls, val, ...)`: `val.replicate(format, copy, cls)` when val is a Time (a copy
 *   through `_apply` on an object the pickle built), else `object.__new__(cls)`.
 * - BUILD: no class in the MRO (Time, TimeBase, ShapedLikeNDArray or MaskableShapedLikeNDArray,
 *   NDArrayShapeMethods) defines `__setstate__`, `__setattr__`, `__getattribute__` or `__del__`,
 *   so pickle updates `__dict__` with a dict state. First it asks the object for `__setstate__`,
 *   which reaches `TimeBase.__getattr__`: `attr in self.SCALES and self.scale is not None` (then a
 *   scale conversion: `replicate()` and `_set_scale(attr)`, whose leap-second check may download
 *   the IERS table and write astropy's cache: the catalogue's sink), else `attr in self.FORMATS`
 *   (then `to_value(attr)`), else `attr in TIME_SCALES` (a ScaleValueError), else
 *   `self.__getattribute__(attr)`, the AttributeError pickle wants. SCALES and FORMATS are class
 *   attributes an earlier BUILD of the same object may shadow in `__dict__`, and so may
 *   `__getattribute__`: a state that puts `'__setstate__'` among the SCALES makes the next BUILD of
 *   the object convert scales (checked with both generations' Python: it reaches
 *   `update_leap_seconds`). APPENDS and ADDITEMS ask for `extend`, `append`, `add` the same way.
 * - `__hash__` (a dict key or set member) reads `location`, `jd1`, `jd2`, `scale` through the
 *   objects in the state, and `__eq__` (keys whose hashes meet) converts the other operand with
 *   `Time(other, scale=self.scale)`: the leap-second check again. Judged where a pickle makes a Time
 *   a key (catalogue KEY_JUDGED). `__setitem__` is judged where the pickle calls it (SETITEM).
 *
 * The guards admit: NEWOBJ (or `copyreg.__newobj__`) of Time with one argument, an object of a
 * format class catalogued in astropy.time.formats (never a Time), and no keywords; a BUILD state that
 * is a dict whose keys are all kept, constant and not dunder names, without `FORMATS`, and whose
 * `SCALES`, if any, is a tuple of constant scale names. With that, `__getattr__` answers every name
 * the unpickler asks for with the AttributeError of `object.__getattribute__` and calls nothing.
 */
import { lookupCatalogue } from '../names/catalogue';
import { dtypeOfCode } from './numpy-numbers';
import { isPlainData } from './plain-data';
import type { Limits } from '../limits';
import type { CostFinding } from './cost-finding';
import { classOf, type Value } from './values';

/** The class, as the catalogue names it. */
export const ASTROPY_TIME = 'astropy.time.core.Time';

/** astropy's time scales (`TIME_SCALES`, `TIME_DELTA_SCALES`), the same in both versions. */
const SCALES: ReadonlySet<string> = new Set(['tai', 'tcb', 'tcg', 'tdb', 'tt', 'ut1', 'utc', 'local']);

function refuse(why: string): CostFinding {
  return { rule: 'DENIED_GLOBAL/unsafe-call', args: { why: `astropy's Time is admitted with the shape astropy writes; ${why}` } };
}

const emptyKwargs = (kw: Value | undefined) => !kw || (kw.k === 'dict' && kw.count === 0);

/** An object of a format class of astropy.time.formats (TimeISOT, TimeJD...): what `__getnewargs__` gives. */
function timeFormat(v: Value | undefined): boolean {
  const cls = v ? classOf(v) : null;
  if (!cls) return false;
  // by the catalogue's own name: astropy.time.formats re-exports Time itself
  const e = lookupCatalogue(cls.module, cls.name);
  return e !== undefined && e.kind === 'class' && e.name.startsWith('astropy.time.formats.');
}

/** `Time.__new__(Time, val)`: NEWOBJ, copyreg.__newobj__, a call (which the catalogue judges as well). */
export function timeNewGuard(args: readonly Value[], _limits: Limits, kwargs?: Value): CostFinding | null {
  if (!emptyKwargs(kwargs)) return refuse('its constructor gets keywords');
  if (args.length !== 1 || !timeFormat(args[0])) return refuse('its constructor gets other than one time format object (a Time there is copied through its methods)');
  return null;
}

/** BUILD on a Time: a dict into `__dict__`, with nothing that changes what `__getattr__` does. */
export function timeStateGuard(state: Value): CostFinding | null {
  if (state.k !== 'dict') return refuse('only a dict state is stored without running anything, and this one is not');
  if (state.count !== state.entries.length) return refuse('the state has more items than are kept for checking');
  for (const [key, value] of state.entries) {
    if (key.k !== 'str' || key.v === null) return refuse('the state has a key that is not a constant string');
    const k = key.v;
    if (k.startsWith('__') && k.endsWith('__')) return refuse(`the state sets ${k}, which TimeBase.__getattr__ or pickle would look up on the object`);
    if (k === 'FORMATS') return refuse('the state sets FORMATS, which TimeBase.__getattr__ looks names up in');
    if (k === 'SCALES') {
      if (value.k !== 'tuple' || value.count !== value.items.length || !value.items.every((x) => x.k === 'str' && x.v !== null && SCALES.has(x.v))) {
        return refuse('its SCALES is not a tuple of time scale names (TimeBase.__getattr__ converts the time to any name listed there, which may update the leap-second table)');
      }
    }
  }
  return null;
}

// ---- astropy's Table and Column ------------------------------------------------------------------
//
// Read in astropy 5.2.1 and 7.0.1 (table/table.py, table/column.py, utils/metadata), and traced with
// both generations' Python loading the real files (every astropy function a load runs, listed).
//
// A Column pickles as numpy's `_reconstruct(Column, (0,), b'b')` (C: no Python __new__ or __init__;
// `BaseColumn.__array_finalize__(None)` returns at once) and a BUILD whose state is ndarray's
// `(version, shape, dtype, is_fortran, rawdata)` followed by `(name, unit, format, description,
// meta, indices)`. `BaseColumn.__setstate__` runs `ndarray.__setstate__` on the first five and then
// setattr for `_name`, `_unit`, `_format`, `description`, `meta` (the MetaData descriptor: a deepcopy
// of a mapping) and `indices` (an index's own methods run later for each), then sets
// `_parent_table = None`. `Column.__setattr__` is object's, after refusing `mask`; for `unit` it
// asks `parent_table` (None: `_parent_table` is only ever a weakref astropy sets) and passes.
//
// A Table pickles as NEWOBJ `Table()` and a BUILD with `(columns, meta)`: `Table.__setstate__` runs
// `self.__init__(columns, meta=meta)`, the whole constructor. With an OrderedDict of Columns it
// makes each a new Column from the old (`BaseColumn.__new__(data=column)`: `np.array(data.data)`,
// the unit through `Unit(unit)`, which returns a unit object as it is and parses a str, the
// column's meta deep-copied, its indices deep-copied and each told `replace_col`), sets the table's
// meta (stored) and links the columns to the table. A list or other plain value instead of a Column
// goes through `_convert_sequence_data_to_array`, the catalogue's `eval` (of text built from the
// array's number of dimensions only); an object dtype would hand numpy's item objects to
// `_is_mixin_for_table` and the mixin handlers.

/** Column classes rebuilt by numpy's `_reconstruct` whose `__array_finalize__(None)` was read: it returns at once. */
export const ARRAY_FINALIZE_READ: ReadonlySet<string> = new Set(['astropy.table.column.Column']);

export const ASTROPY_COLUMN = 'astropy.table.column.Column';
export const ASTROPY_TABLE = 'astropy.table.table.Table';

/** Units a column may hold: objects `Unit(unit)` returns as they are. */
const UNIT_CLASSES: ReadonlySet<string> = new Set(['astropy.units.core.Unit', 'astropy.units.core.CompositeUnit', 'astropy.units.core.IrreducibleUnit', 'astropy.units.core.PrefixUnit']);
const UNIT_REBUILDER = 'astropy.units.core._recreate_irreducible_unit';

/** numpy dtypes whose array data pickles as raw bytes: numbers, bools, fixed-width bytes and str. */
const RAW_DTYPE = /^[<>=|]?(?:[fiucb](?:1|2|4|8|16)|\?|[dfgilqhbBHILQe]|[SU]\d{0,6})$/;

function refuseTable(why: string): CostFinding {
  return { rule: 'DENIED_GLOBAL/unsafe-call', args: { why: `astropy's Table and Column are admitted with the shape astropy writes; ${why}` } };
}

const constStrOrNone = (v: Value) => v.k === 'none' || (v.k === 'str' && v.v !== null);

/** Plain data at most `depth` containers deep, every item kept (nothing past the kept items goes unseen). */
const plain = (v: Value, depth: number): boolean => isPlainData(v, depth, false);

/** A mapping of plain data: a dict, or an `OrderedDict` made from plain pairs with nothing added later. */
function plainMapping(v: Value): boolean {
  if (v.k === 'dict') return plain(v, 6);
  if (v.k !== 'call' || v.callee.k !== 'global' || v.callee.resolved !== 'collections.OrderedDict' || v.stored || v.state) return false;
  return v.args.k === 'tuple' && (v.args.count === 0 || (v.args.count === 1 && plain(v.args.items[0]!, 6)));
}

/** A unit object: `_recreate_irreducible_unit(...)`, or an instance of a unit class of astropy.units.core. */
function unitObject(v: Value): boolean {
  if (v.k !== 'call' || v.callee.k !== 'global') return false;
  if (v.callee.resolved === UNIT_REBUILDER) return true;
  const cls = classOf(v);
  const e = cls ? lookupCatalogue(cls.module, cls.name) : undefined;
  return e !== undefined && UNIT_CLASSES.has(e.name);
}

/** ndarray's own state, with its data as raw bytes (not the list an object array pickles). */
function rawArrayState(items: readonly Value[]): boolean {
  const [version, shape, dtype, fortran, raw] = items as [Value, Value, Value, Value, Value];
  if (version.k !== 'int' || shape.k !== 'tuple' || shape.count !== shape.items.length || !shape.items.every((x) => x.k === 'int')) return false;
  if (fortran.k !== 'bool' || (raw.k !== 'bytes' && raw.k !== 'str')) return false;
  return dtypeOfCode(dtype, RAW_DTYPE);
}

/** BUILD on a Column: ndarray's state with raw data, then (name, unit, format, description, meta, indices) of plain values. */
export function columnStateGuard(state: Value): CostFinding | null {
  if (state.k !== 'tuple' || state.count !== 6 || state.items.length !== 6) return refuseTable("a Column's state is not ndarray's five items and the column's own");
  if (!rawArrayState(state.items.slice(0, 5))) return refuseTable("a Column's array state is not raw data of a numeric or string dtype (an object array would hand its items to astropy's mixin checks)");
  const own = state.items[5]!;
  if (own.k !== 'tuple' || own.count !== 6 || own.items.length !== 6) return refuseTable("a Column's own state is not (name, unit, format, description, meta, indices)");
  const [name, unit, format, description, meta, indices] = own.items as [Value, Value, Value, Value, Value, Value];
  if (!constStrOrNone(name) || !constStrOrNone(format) || !constStrOrNone(description)) return refuseTable("a Column's name, format or description is not a constant str or None");
  if (unit.k !== 'none' && !unitObject(unit)) return refuseTable("a Column's unit is not None or an astropy unit object (a str would be parsed)");
  if (!plainMapping(meta)) return refuseTable("a Column's meta is not a mapping of plain data (it is deep-copied)");
  if (indices.k !== 'list' || indices.count !== 0) return refuseTable("a Column's indices are not an empty list (each index is deep-copied and told replace_col)");
  return null;
}

/**
 * NEWOBJ (or `Column.__new__`) of a Column: `BaseColumn.__new__(cls, data, name, dtype, shape,
 * length, description, unit, format, meta, ...)` is the whole constructor (a str unit is parsed, data
 * converted, meta and indices deep-copied); astropy's pickles never run it (numpy's `_reconstruct`
 * makes the object). Admitted without arguments only, which makes an empty column.
 */
export function columnNewGuard(args: readonly Value[], _limits: Limits, kwargs?: Value): CostFinding | null {
  if (args.length !== 0 || !emptyKwargs(kwargs)) return refuseTable("a Column's constructor is given arguments (astropy rebuilds columns with numpy's _reconstruct)");
  return null;
}

/** A Column the pickle built: `_reconstruct(Column, ...)` (its state is checked by its own BUILD guard, and again here). */
function builtColumn(v: Value): boolean {
  const cls = classOf(v);
  if (!cls || cls.guardedSetstate !== ASTROPY_COLUMN || v.k !== 'call') return false;
  return v.state === undefined || columnStateGuard(v.state) === null;
}

/** BUILD on a Table: `(columns, meta)`, columns a mapping of constant names to Columns, meta plain. */
export function tableStateGuard(state: Value): CostFinding | null {
  if (state.k !== 'tuple' || state.count !== 2 || state.items.length !== 2) return refuseTable("a Table's state is not (columns, meta)");
  const [columns, meta] = state.items as [Value, Value];
  if (meta.k !== 'none' && !plainMapping(meta)) return refuseTable("a Table's meta is not a mapping of plain data");
  if (columns.k === 'dict') {
    if (columns.count !== columns.entries.length) return refuseTable("a Table's columns are more than are kept for checking");
    for (const [k, c] of columns.entries) if (k.k !== 'str' || k.v === null || !builtColumn(c)) return refuseTable("a Table's columns are not constant names mapped to Columns of the shape astropy writes");
    return null;
  }
  // OrderedDict() filled by SETITEMS: its items are kept (stored) only when they are objects (hot), so
  // every value must be one of them: as many kept as key-value pairs given, each a Column
  if (columns.k !== 'call' || columns.callee.k !== 'global' || columns.callee.resolved !== 'collections.OrderedDict' || columns.state) return refuseTable("a Table's columns are not a dict or an OrderedDict");
  if (columns.args.k !== 'tuple' || columns.args.count !== 0) return refuseTable("a Table's columns are an OrderedDict made from items the guard does not list");
  const held = columns.stored;
  if (!held || held.count !== held.items.length || held.count === 0) return refuseTable("a Table's columns hold no Column, or more than are kept for checking");
  if (columns.given !== 2 * held.count) return refuseTable("a Table's columns hold values other than Columns (a str, a number: Table converts them)");
  if (!held.items.every(builtColumn)) return refuseTable("a Table's columns hold something other than Columns of the shape astropy writes");
  return null;
}
