/**
 * Symbolic values on the simulated unpickler stack. Plain data is kept as constants; everything the
 * unpickler would create by importing or calling is kept as a Global or a Call, so the machine can
 * tell where calls come from and what flows into them. Values are never turned into live objects.
 */
import type { PyInt } from '../pickle/args';
import type { GuardedArgs, ReviewedReceivers, StoringBuild } from '../names/catalogue/verdict';

export type Value =
  | NoneValue
  | BoolValue
  | IntValue
  | FloatValue
  | StrValue
  | BytesValue
  | TupleValue
  | ListValue
  | DictValue
  | SetValue
  | GlobalValue
  | CallValue
  | PersIdValue
  | BufferValue
  | UnknownValue;

export interface NoneValue { readonly k: 'none' }
export interface BoolValue { readonly k: 'bool'; readonly v: boolean }
/** An int; `v` is null when it was too large to keep (see Limits.maxIntDigits). */
export interface IntValue { readonly k: 'int'; readonly v: PyInt | null }
export interface FloatValue { readonly k: 'float'; readonly v: number }
/**
 * A str. `v` is null when the string was longer than the kept-string limit (its length is still known).
 * `py2` marks Python 2 str opcodes (STRING, BINSTRING, SHORT_BINSTRING), which CPython 3 decodes as ASCII by default.
 */
export interface StrValue { readonly k: 'str'; readonly v: string | null; readonly len: number; readonly py2?: boolean }
/**
 * bytes or bytearray: where they lie in the input (absolute positions) and their first bytes (`head`,
 * up to HEAD_BYTES: a view of the input in memory, a small copy when read from a source), or `data`
 * for bytes made by a folded call. Consumers that need more than the head read it from the machine's
 * source (see MachineState.bytesOf), within their own limits.
 */
export interface BytesValue {
  readonly k: 'bytes';
  readonly start: number;
  readonly end: number;
  readonly head: Uint8Array;
  readonly data?: Uint8Array;
  readonly bytearray?: boolean;
}

/** All of a bytes value, or its first `max` bytes; null when they cannot be had (the input is gone). */
export type BytesOf = (v: BytesValue, max: number) => Uint8Array | null;
/**
 * Containers keep their first items (enough to render and inspect), every later item that is hot
 * (see isHot), and count the rest. `d` is the nesting depth and `w` the number of objects the
 * structure expands to when traversed (shared references counted every time): how memo bombs and
 * deep nesting are recognised. `h`: the container holds a hot item, at any depth; `s` (mutable
 * containers only): it was stored in another container, whose `h` does not follow it when it grows.
 * Both are set when the value is made, so that every container of a kind has one shape.
 */
export interface TupleValue { readonly k: 'tuple'; readonly items: Value[]; readonly count: number; d: number; w: number; h: boolean }
export interface ListValue { readonly k: 'list'; items: Value[]; count: number; d: number; w: number; h: boolean; s: boolean }
export interface DictValue { readonly k: 'dict'; entries: [Value, Value][]; count: number; d: number; w: number; h: boolean; s: boolean }
export interface SetValue { readonly k: 'set'; readonly frozen: boolean; items: Value[]; count: number; d: number; w: number; h: boolean; s: boolean }
/** An imported global; `id` indexes the machine's import log. */
export interface GlobalValue {
  readonly k: 'global';
  readonly module: string;
  readonly name: string;
  readonly resolved: string;
  readonly id: number;
  /** The policy allows it as a value only: calling it is a finding. */
  readonly referenceOnly?: true;
  /** The policy denies calling it, for this reason. */
  readonly denyCall?: string;
  /** Calling it runs an __init__ the catalogue judged (a gadget or unverified); rebuilding it does not. `emptyCall`: a call with no argument was read to reach nothing. */
  readonly callVerdict?: { readonly gadget: boolean; readonly reason: string; readonly emptyCall?: string };
  /** Methods of the class the catalogue judged (a gadget or unverified): run when a pickle calls them on an instance (see containers.ts). */
  readonly methodVerdicts?: Readonly<Partial<Record<string, { readonly gadget: boolean; readonly reason: string }>>>;
  /** A BUILD on an instance runs a __setstate__ that a reviewed guard checks (costs.ts), found by this name. */
  readonly guardedSetstate?: string;
  /** A reviewed argument guard checks its calls, BUILDs on instances and instances as dict keys: the guard that owns it (sympy.ts, pint.ts, rdflib.ts) and the name it is found by. */
  readonly guardedArgs?: GuardedArgs;
  /** A BUILD on an instance stores the state's values without calling their methods (catalogue STORING_BUILD): how. */
  readonly storingBuild?: StoringBuild;
  /** Callees and BUILD receivers reviewed not to run its failing methods on an instance they are given (catalogue REVIEWED_ENTRIES). */
  readonly receivers?: ReviewedReceivers;
  /** Allowed by a wildcard rule: a call is checked against the catalogue's gadget functions. */
  readonly catalogueVeto?: readonly [string, string];
  /** It calls what is handed at these argument positions (and in keywords and BUILD state): see handed.ts. */
  readonly callsArguments?: readonly number[];
  /** `C.__new__` read with getattr: calling it constructs its first argument. */
  readonly ctorOf?: GlobalValue;
  /** A builtin whose calls the machine models (getattr): its deny finding waits to see how it is used (see models.ts). */
  readonly held?: HeldDeny;
  /** A module object read through an importing shim (`cython.cimports torch`): held, its attributes read by getattr are judged as this module's names. */
  readonly moduleOf?: string;
}

/** The deny finding of a modeled builtin, emitted once it is used in a way the machine does not model. */
export interface HeldDeny {
  readonly offset: number;
  readonly opcode: string;
  readonly reason: string;
  released: boolean;
}
/**
 * The result of a call (REDUCE, NEWOBJ, OBJ, INST...). `state` is what BUILD later applied to it, for
 * inspection of the objects made (the optimizer section).
 */
export interface CallValue {
  readonly k: 'call';
  readonly callee: Value;
  readonly args: Value;
  readonly kwargs?: Value;
  readonly id: number;
  d: number;
  w: number;
  /** Offset of the opcode that made the call. */
  readonly at: number;
  state?: Value;
  /** Offset of the BUILD that set `state`. */
  stateAt?: number;
  /**
   * What it holds that was not judged when it got there: what the BUILDs of a reviewed receiver
   * (GlobalValue.storingBuild) stored, what a container builder (`list(items)`) was made from, what
   * SETITEM, APPEND or ADDITEMS put in a container built by a call. Kept as a list's items are (the
   * walks look into it under their budget); the objects in it are judged wherever this object is
   * given to library code (ops/calls.ts storedInstances).
   */
  stored?: ListValue;
  /** How many items SETITEM(S), APPEND(S) and ADDITEMS gave it (keys and values), whether `stored` holds them or not. */
  given?: number;
  /** It was given to library code (handedInstance), which may keep it: a later BUILD on it stores nothing unjudged. */
  handed: boolean;
}
export interface PersIdValue { readonly k: 'persid'; readonly pid: Value }
export interface BufferValue { readonly k: 'buffer'; readonly readonly: boolean }
export interface UnknownValue { readonly k: 'unknown'; readonly why: string }

export const NONE: NoneValue = Object.freeze({ k: 'none' });
export const TRUE: BoolValue = Object.freeze({ k: 'bool', v: true });
export const FALSE: BoolValue = Object.freeze({ k: 'bool', v: false });
export const EMPTY_TUPLE: TupleValue = Object.freeze({ k: 'tuple', items: Object.freeze([]) as unknown as Value[], count: 0, d: 1, w: 1, h: false });

/** Nesting depth of a value (0 for scalars). */
export function depthOf(v: Value): number {
  return (v as { d?: number }).d ?? 0;
}

/** Objects a value expands to when traversed (1 for scalars), saturating at 2^53. */
export function weightOf(v: Value): number {
  return (v as { w?: number }).w ?? 1;
}

const SMALL_INTS: IntValue[] = Array.from({ length: 1024 }, (_, i) => Object.freeze({ k: 'int', v: i }) as IntValue);

export function intValue(v: PyInt | null): IntValue {
  return typeof v === 'number' && v >= 0 && v < 1024 && Number.isInteger(v) ? SMALL_INTS[v]! : { k: 'int', v };
}

/** Items kept per container for rendering and inspection; later ones are counted, not stored, unless hot. */
export const KEPT_ITEMS = 256;

/**
 * What the walks for classes and objects handed to library code look for (passedClasses and
 * stateInstances in ops/calls.ts, handed.ts): a global, an object the pickle built or got from
 * outside, or a container holding one. A container keeps these however many items come first, so a
 * class hidden as a list's 300th item is judged as the first would be.
 */
export function isHot(v: Value): boolean {
  switch (v.k) {
    case 'global':
    case 'call':
    case 'persid':
    case 'buffer':
    case 'unknown':
      return true;
    case 'tuple':
    case 'list':
    case 'dict':
    case 'set':
      return v.h === true;
    default:
      return false;
  }
}

/** A container whose contents can still change, or that has any: one a later hot item may end up in. */
export function mayHideHot(v: Value): boolean {
  return v.k === 'list' || v.k === 'dict' || (v.k === 'set' && !v.frozen) || ((v.k === 'tuple' || v.k === 'set') && v.count > 0);
}

/**
 * Callables whose result is an instance of their first argument: copyreg's reconstructors, and
 * pandas' `_new_Index(cls, d)` (`cls.__new__(cls, **d)`, or for a PeriodIndex `_new_PeriodIndex`,
 * which makes a `cls` too).
 */
const RECONSTRUCTORS: ReadonlySet<string> = new Set(['copyreg._reconstructor', 'copyreg.__newobj__', 'copyreg.__newobj_ex__', 'pandas.core.indexes.base._new_Index']);

/**
 * The class an instance was made from: the first argument of a reconstructor or of `C.__new__`, else
 * the callee of the REDUCE/NEWOBJ that made it.
 */
export function classOf(v: Value): GlobalValue | null {
  if (v.k !== 'call' || v.callee.k !== 'global') return null;
  if (RECONSTRUCTORS.has(v.callee.resolved) || v.callee.ctorOf) {
    const cls = v.args.k === 'tuple' ? v.args.items[0] : undefined;
    return cls && cls.k === 'global' ? cls : null;
  }
  // numpy's _reconstruct(cls, ...) makes a cls: said so for a class whose BUILD a reviewed guard checks
  if (NUMPY_RECONSTRUCT.has(v.callee.resolved)) {
    const cls = v.args.k === 'tuple' ? v.args.items[0] : undefined;
    if (cls && cls.k === 'global' && cls.guardedSetstate) return cls;
  }
  return v.callee;
}

/** numpy's ndarray reconstructor, `_reconstruct(subtype, shape, dtype)`: makes a subtype in C (no Python __new__ or __init__), then calls its __array_finalize__. */
export const NUMPY_RECONSTRUCT: ReadonlySet<string> = new Set(['numpy.core.multiarray._reconstruct', 'numpy._core.multiarray._reconstruct']);

/** The global a value was made from, looking through calls: the class of an instance, the callee of a call. */
export function originGlobal(v: Value): GlobalValue | null {
  for (let i = 0; i < 8; i++) {
    if (v.k === 'global') return v;
    if (v.k !== 'call') return null;
    v = v.callee;
  }
  return null;
}

/**
 * Does `v` hold a call value for which `isTarget` holds, anywhere the scanner can see: the items of
 * tuples, lists and sets, dict keys and values, a call's arguments and keywords. Past `maxDepth`
 * containers it is taken to (fail closed). For the guards that refuse an object becoming a key or
 * member of a container built from a value they cannot list (sympy.ts, pint.ts).
 */
export function holdsCall(v: Value, isTarget: (c: CallValue) => boolean, maxDepth: number, depth = 0): boolean {
  if (depth > maxDepth) return true;
  switch (v.k) {
    case 'tuple':
    case 'list':
    case 'set':
      return v.items.some((x) => holdsCall(x, isTarget, maxDepth, depth + 1));
    case 'dict':
      return v.entries.some(([k, x]) => holdsCall(k, isTarget, maxDepth, depth + 1) || holdsCall(x, isTarget, maxDepth, depth + 1));
    case 'call':
      return isTarget(v) || holdsCall(v.args, isTarget, maxDepth, depth + 1) || (v.kwargs !== undefined && holdsCall(v.kwargs, isTarget, maxDepth, depth + 1));
    default:
      return false;
  }
}
