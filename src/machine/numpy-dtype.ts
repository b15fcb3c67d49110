/**
 * BUILD on a numpy dtype: `dtype.__setstate__(state)` sets the byte order, subarray, field names,
 * fields, item size, alignment and flags from the state as given, and numpy trusts them afterwards.
 * Two of those make numpy read raw bytes as object pointers when an array of the dtype is rebuilt
 * from the pickle's bytes (`ndarray.__setstate__` takes raw data unless the flags ask for a list):
 *
 * - fields or a subarray given to a dtype whose code is not void (`dtype('i8')` with a field of
 *   dtype('O')): numpy keeps them;
 * - flags that do not say the dtype holds objects (`NPY_ITEM_REFCOUNT | NPY_LIST_PICKLE`) while one
 *   of its fields or its subarray does, or that say so for a dtype that holds none;
 * - fields at offsets beyond the item size (read and written out of bounds), or overlapping in a
 *   struct that holds objects (a number written over a pointer).
 *
 * Either is memory corruption driven by the pickle (checked with numpy 1.24 and 2.4). numpy writes
 * neither: `(3, order, None, None, None, -1, -1, 0)` for a number, fields and subarrays for void codes
 * only, flags 63 for an object code and with the object bits for a struct holding objects, and version
 * 4 with a metadata item for datetimes. A second BUILD of one dtype, which numpy never writes, could
 * change a field's dtype after a struct holding it took its flags: refused too.
 */
import { lookupCatalogue } from '../names/catalogue';
import type { CostFinding } from './cost-finding';
import { refuse } from './guarded-call';
import type { CallValue, GlobalValue, Value } from './values';

/** numpy's dtype class under the names numpy writes, and its per-type subclasses (numpy >= 1.25). */
const DTYPE_CLASS = /^numpy\.(?:dtype|_?core\.multiarray\.dtype|dtypes\.[A-Za-z0-9_]+)$/;

/**
 * numpy's dtype class, under the names numpy writes or any other the catalogue knows for it (a
 * re-export such as `numpy.core.numeric.dtype`, which a catalogue verdict may allow). Only a name
 * `dtype` is looked up: an ndarray's BUILD does not load numpy's catalogue.
 */
export function isDtypeClass(g: GlobalValue): boolean {
  return DTYPE_CLASS.test(g.resolved) || (g.name === 'dtype' && lookupCatalogue(g.module, g.name)?.name === 'numpy.dtype');
}

/** NPY_ITEM_REFCOUNT (items are object pointers) and NPY_LIST_PICKLE (arrays pickle their items as a list). */
const HOLDS_OBJECTS = 0x01 | 0x02;
/** NPY_NEEDS_PYAPI: numpy writes it for every struct. */
const NEEDS_PYAPI = 0x10;
/** HOLDS_OBJECTS and NPY_ITEM_IS_POINTER: none of them on a dtype that holds no objects. */
const OBJECT_FLAGS = HOLDS_OBJECTS | 0x04;

/** Object dtypes, void (struct) dtypes, the other flexible ones (bytes `S`, `a`, str `U`: their size is in their state), and the rest (fixed-size numbers, datetimes). */
type Kind = 'object' | 'void' | 'flexible' | 'other';

/** numpy's scalar types of void dtypes, as a dtype's first argument. */
const VOID_TYPES: ReadonlySet<string> = new Set(['numpy.record', 'numpy.void']);

/** What kind of dtype a call makes: from its code (`'O8'`, `'V16'`, `'<f8'`, `numpy.record`) or its class (`numpy.dtypes.VoidDType`); null when it cannot be told. */
function kindOf(v: CallValue): Kind | null {
  // from the callee and the first argument, which do not change: told once per value
  let kind = kinds.get(v);
  if (kind === undefined) kinds.set(v, (kind = tellKind(v)));
  return kind;
}

const kinds = new WeakMap<CallValue, Kind | null>();

function tellKind(v: CallValue): Kind | null {
  if (v.callee.k !== 'global' || !isDtypeClass(v.callee)) return null;
  const name = v.callee.name;
  if (name !== 'dtype') return name === 'ObjectDType' ? 'object' : name === 'VoidDType' ? 'void' : name === 'BytesDType' || name === 'StrDType' ? 'flexible' : 'other';
  const code = v.args.k === 'tuple' ? v.args.items[0] : undefined;
  // a record array's dtype is written dtype(numpy.record, False, True): the scalar type of a void dtype
  if (code?.k === 'global') return VOID_TYPES.has(code.resolved) ? 'void' : code.resolved === 'numpy.object_' ? 'object' : null;
  if (code?.k !== 'str' || code.v === null || code.v === '') return null;
  const c = /^[<>=|]/.test(code.v) ? code.v[1] : code.v[0];
  return c === 'O' ? 'object' : c === 'V' ? 'void' : c === 'S' || c === 'U' || c === 'a' ? 'flexible' : c === undefined ? null : 'other';
}

/** A dtype value made by the pickle: a call of numpy's dtype class whose kind can be told. */
function dtypeCall(v: Value | undefined): v is CallValue {
  return v?.k === 'call' && kindOf(v) !== null;
}

/** Every item kept (nothing past the kept items goes unseen). */
const whole = (v: Value): boolean => (v.k === 'tuple' || v.k === 'list' ? v.count === v.items.length : v.k === 'dict' ? v.count === v.entries.length : true);

/**
 * Whether a field's or a subarray's dtype holds objects: an object code does; one without a state
 * (a plain void or number) does not; one with a state says so in its flags, which its own BUILD's
 * guard checked against its fields (so this reads no deeper: a struct of structs costs one look per
 * field, not one per path). Null when it cannot be told.
 */
function holdsObjects(v: CallValue): boolean | null {
  const kind = kindOf(v);
  if (kind === null) return null;
  if (kind === 'object') return true;
  const s = v.state;
  if (s === undefined) return false;
  const flags = s.k === 'tuple' ? s.items[7] : undefined;
  if (!smallInt(flags)) return null;
  const bits = flags.v & OBJECT_FLAGS;
  return (bits & HOLDS_OBJECTS) === HOLDS_OBJECTS ? true : bits === 0 ? false : null;
}

/** Whether the dtype given `subarray` and `fields` holds objects: its own code, or one of theirs. */
function structHoldsObjects(kind: Kind, subarray: Value, fields: Value): boolean | null {
  if (kind === 'object') return true;
  const parts: Value[] = [];
  if (subarray.k === 'tuple' && subarray.items[0]) parts.push(subarray.items[0]);
  if (fields.k === 'dict') for (const [, f] of fields.entries) if (f.k === 'tuple' && f.items[0]) parts.push(f.items[0]);
  let any = false;
  for (const p of parts) {
    if (!dtypeCall(p)) return null;
    const inner = holdsObjects(p);
    if (inner === null) return null;
    any ||= inner;
  }
  return any;
}

const smallInt = (v: Value | undefined): v is Value & { k: 'int'; v: number } => v?.k === 'int' && typeof v.v === 'number';

/** Item sizes of numpy's one-letter type codes (the sized ones). */
const LETTER_SIZE: Readonly<Record<string, number>> = { '?': 1, b: 1, B: 1, h: 2, H: 2, i: 4, I: 4, l: 8, L: 8, q: 8, Q: 8, e: 2, f: 4, d: 8, g: 16, F: 8, D: 16, G: 32, O: 8, M: 8, m: 8 };

/**
 * A dtype value's item size in bytes: for void, bytes and str the size its state gives (numpy takes
 * it from there), else its code's (numpy ignores a state's size for fixed-size types, so a state's
 * 0 must not shrink an `O8` field); null when it cannot be told.
 */
function itemSize(v: CallValue): number | null {
  const kind = kindOf(v);
  const s = v.state;
  const given = s?.k === 'tuple' ? s.items[5] : undefined;
  if ((kind === 'void' || kind === 'flexible') && smallInt(given) && given.v >= 0) return given.v;
  if (v.callee.k !== 'global' || v.callee.name !== 'dtype' || v.args.k !== 'tuple') return null;
  const code = v.args.items[0];
  const m = code?.k === 'str' && code.v !== null ? /^[<>=|]?([A-Za-z?])(\d*)$/.exec(code.v) : null;
  if (!m) return null;
  const [, letter, digits] = m as unknown as [string, string, string];
  if (digits === '') return LETTER_SIZE[letter] ?? null;
  const n = Number(digits);
  return letter === 'U' ? 4 * n : n;
}

/**
 * Why a void dtype's subarray, names and fields are not what numpy writes, or null. Every field and
 * the subarray must lie within the item size (numpy reads and writes a field at its offset as given),
 * and a struct holding objects may not overlap them (a number written over an object pointer).
 */
function structureProblem(subarray: Value, names: Value, fields: Value, elsize: number): string | null {
  if (subarray.k !== 'none') {
    if (subarray.k !== 'tuple' || subarray.count !== 2 || subarray.items.length !== 2 || !dtypeCall(subarray.items[0])) return 'its subarray is not (a dtype, a shape)';
    const shape = subarray.items[1]!;
    const dims = smallInt(shape) ? [shape] : shape.k === 'tuple' && whole(shape) && shape.items.every(smallInt) ? (shape.items as { v: number }[]) : null;
    if (!dims || dims.some((d) => d.v < 0)) return "its subarray's shape is not an int or a tuple of ints";
    const base = itemSize(subarray.items[0]);
    if (base === null || base * dims.reduce((n, d) => n * d.v, 1) > elsize) return 'its subarray does not fit in its item size';
  }
  if (names.k !== 'none' && (names.k !== 'tuple' || !whole(names) || !names.items.every((n) => n.k === 'str' && n.v !== null))) return 'its field names are not a tuple of str';
  if (fields.k !== 'none') {
    if (fields.k !== 'dict' || !whole(fields)) return 'its fields are not a dict the scanner keeps whole';
    const spans: { at: number; end: number; objects: boolean }[] = [];
    for (const [k, f] of fields.entries) {
      if (k.k !== 'str' || f.k !== 'tuple' || !whole(f) || (f.count !== 2 && f.count !== 3) || !dtypeCall(f.items[0]) || !smallInt(f.items[1])) return 'a field is not (a dtype, an offset[, a title])';
      const at = f.items[1].v;
      const size = itemSize(f.items[0]);
      if (size === null) return "a field's item size cannot be told";
      if (at < 0 || at + size > elsize) return `field ${JSON.stringify(k.v)} lies outside the item size`;
      spans.push({ at, end: at + size, objects: holdsObjects(f.items[0]) !== false });
    }
    if (spans.some((x) => x.objects)) {
      spans.sort((a, b) => a.at - b.at);
      for (let i = 1; i < spans.length; i++) if (spans[i]!.at < spans[i - 1]!.end) return 'fields overlap in a struct that holds objects';
    }
  }
  return null;
}

/** The BUILD guard of a dtype `target` given `state` (`rebuilt`: it had a state before). */
export function dtypeStateGuard(target: CallValue, state: Value, rebuilt: boolean): CostFinding | null {
  const no = (why: string): CostFinding => refuse(`numpy's dtype.__setstate__ sets fields and flags as given, and numpy then reads raw bytes as object pointers when they disagree; ${why}`);
  const kind = kindOf(target);
  if (kind === null) return no('the type of the dtype given this state cannot be told (not a constant type code)');
  if (rebuilt) return no('the dtype is given a second state (numpy writes one)');
  if (state.k !== 'tuple' || !whole(state) || (state.count !== 8 && state.count !== 9)) return no('the state is not the 8 or 9 items numpy writes');
  const [version, order, subarray, names, fields, elsize, alignment, flags] = state.items as [Value, Value, Value, Value, Value, Value, Value, Value];
  if (!smallInt(version) || version.v !== (state.count === 8 ? 3 : 4)) return no('the state is not version 3 (8 items) or 4 (9 items, with metadata)');
  if (order.k !== 'str' || order.v === null || !['<', '>', '|', '='].includes(order.v)) return no('its byte order is not <, >, | or =');
  if (!smallInt(elsize) || !smallInt(alignment) || !smallInt(flags)) return no('its item size, alignment or flags are not ints');
  // numpy writes a size and a power-of-two alignment for void, bytes and str (an alignment of 0 divides by zero), -1 and -1 for the rest
  const sized = kind === 'void' || kind === 'flexible';
  if (sized ? elsize.v < 0 || alignment.v < 1 || (alignment.v & (alignment.v - 1)) !== 0 : elsize.v !== -1 || alignment.v !== -1) return no('its item size and alignment are not what numpy writes for its type');
  // numpy's functions on a struct go through Python (NPY_NEEDS_PYAPI): a struct without the flag crashes sorting
  if (names.k !== 'none' && (flags.v & NEEDS_PYAPI) === 0) return no('it has fields and its flags lack NPY_NEEDS_PYAPI, which numpy writes for every struct');
  if (kind !== 'void' && (subarray.k !== 'none' || names.k !== 'none' || fields.k !== 'none')) return no('it gives fields or a subarray to a dtype whose type is not void');
  const problem = kind === 'void' ? structureProblem(subarray, names, fields, elsize.v) : null;
  if (problem) return no(problem);
  const objects = structHoldsObjects(kind, subarray, fields);
  if (objects === null) return no('whether its fields hold objects cannot be told');
  const bits = (flags.v as number) & OBJECT_FLAGS;
  if (objects && (bits & HOLDS_OBJECTS) !== HOLDS_OBJECTS) return no('it holds objects and its flags do not say so');
  if (!objects && bits !== 0) return no('its flags say it holds objects and it holds none');
  return null;
}

/** Functions a policy allows that return a numpy dtype (pandas' `pandas_dtype('i8')` is numpy's int64). */
const DTYPE_FACTORIES: ReadonlySet<string> = new Set(['pandas.core.dtypes.common.pandas_dtype', 'pandas.api.types.pandas_dtype']);

/**
 * The guard of a BUILD on what a function returned, when that function returns dtypes: numpy and
 * pandas write none (the dtype comes with its state from numpy.dtype), and a state given to the
 * shared int64 dtype would change it for the whole process.
 */
export function factoryBuildGuard(target: CallValue): CostFinding | null {
  const f = target.callee.k === 'global' && DTYPE_FACTORIES.has(target.callee.resolved) ? target.callee.resolved : undefined;
  return f === undefined ? null : refuse(`${f} returns a numpy dtype, shared by every array of its type, and numpy writes no BUILD for it: its __setstate__ would give that dtype fields and flags`);
}
