/**
 * Cost rules and argument guards for allowed callables: what an allowed constructor may be asked to
 * do with arguments a pickle chooses. `bytearray(10**12)` allocates a terabyte, `list(range(10**13))`
 * iterates for days, `Fraction('1e999999999')` computes a number with a billion digits. Each rule looks
 * at the call the unpickler really makes (copyreg's reconstructors unwrapped) and returns a finding.
 */
import type { Limits } from '../limits';
import type { ArgumentGuard } from '../names/catalogue/verdict';
import { ASTROPY_COLUMN, ASTROPY_TABLE, ASTROPY_TIME, columnNewGuard, columnStateGuard, tableStateGuard, timeNewGuard, timeStateGuard } from './astropy';
import { BIO_ARRAY, bioArrayNewGuard, bioArrayStateGuard } from './biopython';
import type { CostFinding } from './cost-finding';
import { builtKey } from './keys';
import { geometryArrayGuard, geoDataFrameGuard, geoSeriesGuard } from './geopandas';
import { guardedCall } from './guarded-call';
import { callbackRegistryGuard } from './matplotlib';
import { dtypeStateGuard, isDtypeClass } from './numpy-dtype';
import { isPlainData } from './plain-data';
import { pintBuildGuard, pintCallGuard } from './pint';
import { rdflibBuildGuard, rdflibCallGuard } from './rdflib';
import { pyprojCrsGuard, pyprojMakerGuard, pyprojTransformerGuard, toolzRestoreCurryGuard, tqdmStateGuard } from './library-guards';
import { LMFIT_CALL_GUARDS, LMFIT_SETSTATE_GUARDS } from './lmfit';
import { PENDULUM_CALL_GUARDS, PENDULUM_SETSTATE_GUARDS, TIMEZONE_UNPICKLE, timezoneUnpickleGuard } from './pendulum';
import { sympyBuildGuard, sympyCallGuard } from './sympy';
import type { CallValue, GlobalValue, Value } from './values';

/** A check of a call: its positional arguments and its keywords (NEWOBJ_EX, copyreg.__newobj_ex__, a partial's). */
type Check = (args: readonly Value[], limits: Limits, kwargs?: Value) => CostFinding | null;

/**
 * The callable that really runs and its positional arguments: copyreg's reconstructors and `C.__new__`
 * unwrapped. `key` is what its check is found by: the catalogue's name for a class with a reviewed
 * BUILD guard (whichever alias the pickle spelled), else the name as resolved.
 */
function effectiveCall(callee: GlobalValue, args: Value): { fn: string; key: string; guarded: boolean; args: readonly Value[]; kwargs?: Value } | null {
  if (args.k !== 'tuple') return null;
  const items = args.items;
  const cls = items[0];
  const of = (g: GlobalValue, rest: readonly Value[], kwargs?: Value) => ({ fn: g.resolved, key: g.guardedSetstate ?? g.resolved, guarded: g.guardedSetstate !== undefined, args: rest, ...(kwargs ? { kwargs } : {}) });
  switch (callee.resolved) {
    case 'copyreg.__newobj__':
      return cls && cls.k === 'global' ? of(cls, items.slice(1)) : null;
    case 'copyreg.__newobj_ex__': {
      const a = items[1];
      return cls && cls.k === 'global' && a && a.k === 'tuple' ? of(cls, a.items, items[2]) : null;
    }
    case 'copyreg._reconstructor': {
      // obj = base.__new__(cls, state); base.__init__(obj, state) unless base is object
      const base = items[1];
      return base && base.k === 'global' && base.resolved !== 'builtins.object' && items[2] ? of(base, [items[2]]) : null;
    }
  }
  if (callee.ctorOf) return cls && cls.k === 'global' ? of(cls, items.slice(1)) : null;
  return of(callee, items);
}

/**
 * The class with a reviewed constructor check (REVIEWED_NEW) this call constructs, whatever its
 * arguments: the callee, the owner of `C.__new__`, or copyreg.__newobj__(_ex__)'s first argument.
 */
function reviewedTarget(callee: GlobalValue, args: Value): string | null {
  const first = args.k === 'tuple' ? args.items[0] : undefined;
  const rebuilt = (callee.resolved === 'copyreg.__newobj__' || callee.resolved === 'copyreg.__newobj_ex__') && first?.k === 'global' ? first : null;
  for (const g of [callee, callee.ctorOf, rebuilt]) if (g?.guardedSetstate && REVIEWED_NEW.has(g.guardedSetstate)) return g.guardedSetstate;
  return null;
}

const ITERATORS: ReadonlySet<string> = new Set(['builtins.range', 'itertools.count', 'itertools.repeat', 'itertools.cycle']);

/** How many items an iterator value yields when it is big enough to matter: a description, or null. */
function bigIterator(v: Value | undefined, limits: Limits): string | null {
  if (!v || v.k !== 'call' || v.callee.k !== 'global' || !ITERATORS.has(v.callee.resolved) || v.args.k !== 'tuple') return null;
  // anything with __index__ is a bound (a numpy integer scalar): what is not a constant int or bool counts as unbounded
  const nums = v.args.items.map((x) => (x.k === 'int' ? (x.v === null ? Infinity : Number(x.v)) : x.k === 'bool' ? Number(x.v) : isIndexLike(x) ? Infinity : NaN));
  if (v.args.count !== v.args.items.length) return `${v.callee.resolved} with more arguments than are kept for checking`;
  switch (v.callee.resolved) {
    case 'itertools.count':
    case 'itertools.cycle':
      return `an endless ${v.callee.resolved}`;
    case 'itertools.repeat':
      return nums.length < 2 ? 'an endless itertools.repeat' : nums[1]! > limits.maxExpansion ? `${nums[1]} repetitions` : null;
    default: {
      const [a, b, c] = nums.length === 1 ? [0, nums[0]!, 1] : [nums[0]!, nums[1]!, nums.length > 2 ? nums[2]! : 1];
      const n = c === 0 || Number.isNaN(a + b + c) ? 0 : Math.max(0, Math.ceil((b - a) / c));
      return n > limits.maxExpansion ? `a range of ${n === Infinity ? 'more than 2^53' : n} items` : null;
    }
  }
}

/** numpy's scalar constructor and integer types: objects with __index__, which bytes(), bytearray() and range() take as a size. */
const NUMPY_INDEX = /^numpy\.(?:(?:_?core\.multiarray\.)?scalar|u?int(?:8|16|32|64|p|c|_)?|u?longlong|u?short|u?byte|integer|signedinteger|unsignedinteger)$/;

/** A value whose size as an index cannot be told: a numpy integer scalar the pickle made. */
function isIndexLike(v: Value): boolean {
  return v.k === 'call' && v.callee.k === 'global' && NUMPY_INDEX.test(v.callee.resolved);
}

/** Constructors that iterate over their iterable argument. */
const consumes: Check = (args, limits) => {
  for (const a of args) {
    const items = bigIterator(a, limits);
    if (items) return { rule: 'RESOURCE_HOSTILE/iteration', args: { items } };
  }
  return null;
};

/** bytes(n) and bytearray(n) allocate n bytes; bytes(range(...)) iterates. */
const allocates: Check = (args, limits) => {
  const n = args[0];
  if (n && n.k === 'int' && (n.v === null || Number(n.v) > limits.maxAllocation)) return { rule: 'RESOURCE_HOSTILE/allocation', args: { max: limits.maxAllocation } };
  // bytes(x) and bytearray(x) take anything with __index__ as a size (a numpy integer scalar): an object whose size cannot be told
  if (n && isIndexLike(n)) return { rule: 'RESOURCE_HOSTILE/allocation', args: { max: limits.maxAllocation } };
  return consumes(args, limits);
};

/** The digits and decimal exponent of a number written as text (Python's int/float/Decimal/Fraction syntax), or as Decimal's tuple. */
function numberText(v: Value | undefined): { digits: number; exponent: number } | null {
  // Decimal((sign, digits, exponent)): the digits a tuple of ints, the exponent an int (or 'n', 'N', 'F')
  if (v?.k === 'tuple' && v.count === 3 && v.items.length === 3) {
    const [, digits, exp] = v.items as [Value, Value, Value];
    const exponent = exp.k === 'int' ? (typeof exp.v === 'number' ? Math.abs(exp.v) : Infinity) : 0;
    return { digits: digits.k === 'tuple' || digits.k === 'list' ? digits.count : 0, exponent };
  }
  if (!v || v.k !== 'str') return null;
  if (v.v === null) return { digits: v.len, exponent: 0 };
  const m = /^\s*[+-]?([0-9_]*)(?:\.([0-9_]*))?(?:[eE]([+-]?[0-9_]+))?\s*$/.exec(v.v);
  if (!m) return { digits: v.v.replace(/[^0-9]/g, '').length, exponent: 0 };
  const exponent = m[3] ? Math.abs(Number(m[3].replace(/_/g, ''))) : 0;
  return { digits: (m[1] ?? '').replace(/_/g, '').length + (m[2] ?? '').replace(/_/g, '').length, exponent: Number.isFinite(exponent) ? exponent : Infinity };
}

/** A Decimal exponent this large makes any conversion to int or exact arithmetic explode (the value itself is cheap). */
const MAX_DECIMAL_EXPONENT = 1_000_000;

function parsesNumber(exponentLimit: (limits: Limits) => number): Check {
  return (args, limits) => {
    const t = numberText(args[0]);
    if (!t) return null;
    if (t.digits > limits.maxIntDigits) return { rule: 'RESOURCE_HOSTILE/number-text', args: { what: `${t.digits} digits`, max: limits.maxIntDigits } };
    const max = exponentLimit(limits);
    if (t.exponent > max) return { rule: 'RESOURCE_HOSTILE/number-text', args: { what: `an exponent of ${t.exponent}`, max } };
    return null;
  };
}

/** type(x) gives the type of x; type(name, bases, dict) creates a class, running metaclass and __init_subclass__ code. */
const typeOfOneArgument: Check = (args) =>
  args.length > 1 ? { rule: 'DENIED_GLOBAL/unsafe-call', args: { why: 'type() with more than one argument creates a class and runs its metaclass and __init_subclass__ code' } } : null;

/** dateutil's tzfile(fileobj, filename): a str or file object as the first argument is opened and read. */
const tzfileWithoutFile: Check = (args) =>
  args[0] && args[0].k !== 'none' ? { rule: 'DENIED_GLOBAL/unsafe-call', args: { why: 'tzfile() with a first argument opens and reads that path or file object (pickles always pass None)' } } : null;

const COSTS: ReadonlyMap<string, Check> = new Map([
  ['builtins.bytes', allocates],
  ['builtins.bytearray', allocates],
  ['builtins.list', consumes],
  ['builtins.tuple', consumes],
  ['builtins.set', consumes],
  ['builtins.frozenset', consumes],
  ['builtins.dict', consumes],
  ['collections.deque', consumes],
  ['collections.Counter', consumes],
  ['collections.OrderedDict', consumes],
  ['collections.defaultdict', consumes],
  ['array.array', consumes],
  ['builtins.int', parsesNumber((l) => l.maxIntDigits)],
  ['builtins.float', parsesNumber(() => Infinity)],
  ['builtins.complex', parsesNumber(() => Infinity)],
  ['fractions.Fraction', parsesNumber((l) => l.maxIntDigits)],
  ['decimal.Decimal', parsesNumber(() => MAX_DECIMAL_EXPONENT)],
  ['builtins.type', typeOfOneArgument],
  ['dateutil.tz.tz.tzfile', tzfileWithoutFile],
  ['toolz.functoolz._restore_curry', toolzRestoreCurryGuard],
  // pendulum 3's zones: zoneinfo's _unpickle(key, from_cache) read off Timezone (an exact allow rule)
  [TIMEZONE_UNPICKLE, (args) => timezoneUnpickleGuard(args)],
]);

/** Constructors of classes with a reviewed BUILD guard, checked wherever they run (by catalogue name). */
const REVIEWED_NEW: ReadonlyMap<string, Check> = new Map([
  [BIO_ARRAY, bioArrayNewGuard],
  [ASTROPY_TIME, timeNewGuard],
  [ASTROPY_COLUMN, columnNewGuard],
]);

/**
 * `C.__new__(D, ...)` (read with getattr, or by the dotted name `C.__new__`) runs C's own __new__
 * code on a D. For a class whose BUILD a reviewed guard checks, that code was read for D = C only.
 */
function ownConstructor(callee: GlobalValue, args: Value): CostFinding | null {
  const owner = callee.ctorOf;
  if (!owner?.guardedSetstate) return null;
  const cls = args.k === 'tuple' ? args.items[0] : undefined;
  if (cls && cls.k === 'global' && (cls.resolved === owner.resolved || cls.guardedSetstate === owner.guardedSetstate)) return null;
  return { rule: 'DENIED_GLOBAL/unsafe-call', args: { why: `${owner.resolved}.__new__ was reviewed for its own class only, and is called on ${cls?.k === 'global' ? cls.resolved : 'something else'}` } };
}

/**
 * Call guards of classes whose BUILD is guarded too (catalogue GUARDED_SETSTATE), by that name: lmfit's
 * Parameter and Parameters (no argument), pendulum's Timezone and FixedTimezone (a constant name, an
 * int offset). Found through the GlobalValue's guardedSetstate, so every spelling of the class is
 * covered.
 */
const CLASS_CALL_GUARDS: ReadonlyMap<string, (args: readonly Value[], kwargs: Value | undefined) => CostFinding | null> = new Map([...LMFIT_CALL_GUARDS, ...PENDULUM_CALL_GUARDS]);

const callGuarded = (v: Value | undefined): string | undefined => (v?.k === 'global' && v.guardedSetstate && CLASS_CALL_GUARDS.has(v.guardedSetstate) ? v.guardedSetstate : undefined);

/**
 * The class with a call guard whose __new__ (and, for a call, __init__) a call runs, with the
 * arguments it gets: the class called itself (REDUCE, NEWOBJ, NEWOBJ_EX, INST, OBJ), `C.__new__(C,
 * ...)`, copyreg.__newobj__ and __newobj_ex__, or copyreg._reconstructor's base
 * (`base.__new__(cls, state)`, `base.__init__(obj, state)`). Null when no such class is involved.
 */
function guardedConstruction(callee: GlobalValue, args: Value, kwargs: Value | undefined): { name: string; args: readonly Value[] | null; kwargs: Value | undefined } | null {
  const items = args.k === 'tuple' && args.count === args.items.length ? args.items : null;
  const first = args.k === 'tuple' ? args.items[0] : undefined;
  switch (callee.resolved) {
    case 'copyreg.__newobj__': {
      const name = callGuarded(first);
      return name ? { name, args: items && items.slice(1), kwargs } : null;
    }
    case 'copyreg.__newobj_ex__': {
      const name = callGuarded(first);
      if (!name) return null;
      const a = items?.[1];
      return { name, args: a?.k === 'tuple' && a.count === a.items.length ? a.items : null, kwargs: items?.[2] };
    }
    case 'copyreg._reconstructor':
    case 'copy_reg._reconstructor': {
      const name = callGuarded(args.k === 'tuple' ? args.items[1] : undefined);
      return name ? { name, args: items && items.length > 2 ? [items[2]!] : null, kwargs: undefined } : null;
    }
  }
  if (callee.ctorOf) {
    const name = callGuarded(callee.ctorOf);
    return name ? { name, args: items && items.slice(1), kwargs } : null;
  }
  const name = callGuarded(callee);
  return name ? { name, args: items, kwargs } : null;
}

/** What a reviewed argument guard checks: every call (sympy's and pint's also check the builtins that hash their objects), and a BUILD on what a name it owns makes. */
interface ArgumentGuardChecks {
  readonly call: (callee: GlobalValue, args: Value, kwargs: Value | undefined, limits: Limits) => CostFinding | null;
  readonly build: (name: string, state: Value) => CostFinding | null;
}

/**
 * The reviewed argument guards, by the owner the catalogue gives a guarded name (guarded-args.ts).
 * Each takes the names it owns only, and refuses one it has no spec for; a name whose owner is none
 * of them is refused here (unownedCall, buildGuard).
 */
const ARGUMENT_GUARDS: { readonly [owner in ArgumentGuard]: ArgumentGuardChecks } = {
  sympy: { call: sympyCallGuard, build: sympyBuildGuard },
  pint: { call: pintCallGuard, build: pintBuildGuard },
  rdflib: { call: rdflibCallGuard, build: rdflibBuildGuard },
};
const ARGUMENT_CALL_GUARDS = Object.values(ARGUMENT_GUARDS).map((g) => g.call);

/** The argument guard of an owner; undefined for an owner that is none of them. */
function argumentGuard(owner: string): ArgumentGuardChecks | undefined {
  return Object.hasOwn(ARGUMENT_GUARDS, owner) ? ARGUMENT_GUARDS[owner as ArgumentGuard] : undefined;
}

/** A call of a guarded name whose owner is no argument guard here: no guard takes it, so it is refused (fail closed). */
function unownedCall(callee: GlobalValue, args: Value, kwargs: Value | undefined): CostFinding | null {
  const call = guardedCall(callee, args, kwargs, (g) => argumentGuard(g.owner) === undefined, 'a name no reviewed argument guard owns');
  return call && !('rule' in call) ? { rule: 'DENIED_GLOBAL/unsafe-call', args: { why: `no argument guard owns ${call.name}` } } : call;
}

/** The cost rule or guard a call breaks, if any. */
export function callCost(callee: GlobalValue, args: Value, limits: Limits, kwargs?: Value): CostFinding | null {
  // the reviewed argument guards, each for the names it owns (sympy.ts, pint.ts, rdflib.ts), then any name none owns
  for (const guard of ARGUMENT_CALL_GUARDS) {
    const f = guard(callee, args, kwargs, limits);
    if (f) return f;
  }
  const unowned = unownedCall(callee, args, kwargs);
  if (unowned) return unowned;
  const key = builtKey(callee.resolved, args);
  if (key) return { rule: 'DENIED_GLOBAL/unsafe-call', args: { why: `${callee.resolved}() hashes what it is given, and it gets ${key.cls}, whose __hash__ and __eq__ are judged: ${key.verdict.reason}` } };
  const own = ownConstructor(callee, args);
  if (own) return own;
  const construction = guardedConstruction(callee, args, kwargs);
  if (construction) {
    const finding = construction.args
      ? CLASS_CALL_GUARDS.get(construction.name)!(construction.args, construction.kwargs)
      : { rule: 'DENIED_GLOBAL/unsafe-call' as const, args: { why: `the arguments of ${construction.name}, whose calls a reviewed guard checks, are not a tuple kept whole` } };
    if (finding) return finding;
  }
  const call = effectiveCall(callee, args);
  if (!call) {
    const target = reviewedTarget(callee, args);
    return target ? { rule: 'DENIED_GLOBAL/unsafe-call', args: { why: `${target} is admitted with constructor arguments a reviewed guard has checked, and these cannot be listed` } } : null;
  }
  // a reviewed constructor check goes with the catalogue's admission of its class (guardedSetstate), as
  // the BUILD guards do: a class no catalogue admitted is unlisted anyway, or a rule's own decision
  const check = (call.guarded ? REVIEWED_NEW.get(call.key) : undefined) ?? COSTS.get(call.fn);
  return check ? check(call.args, limits, call.kwargs ?? kwargs) : null;
}

/**
 * `torch.ScriptObject` objects take their class from the BUILD state, `(state, qualified_name)`, and run
 * that TorchScript class's registered __setstate__. Only torch's own packed-parameter classes
 * (quantized, sparse, RNN cell and XNNPACK contexts) are admitted.
 */
const SCRIPT_CLASS_PREFIXES = ['__torch__.torch.classes.quantized.', '__torch__.torch.classes.sparse.', '__torch__.torch.classes.rnn.', '__torch__.torch.classes.xnnpack.'];

function scriptObjectGuard(state: Value): CostFinding | null {
  const name = state.k === 'tuple' && state.count === 2 ? state.items[1] : undefined;
  if (name && name.k === 'str' && name.v !== null && SCRIPT_CLASS_PREFIXES.some((p) => name.v!.startsWith(p))) return null;
  return { rule: 'DENIED_GLOBAL/unsafe-call', args: { why: "a ScriptObject's state names the TorchScript class whose __setstate__ runs; only torch's own packed-parameter classes are admitted" } };
}

/**
 * scipy's `rv_generic.__setstate__` updates the instance's __dict__ with the state and then
 * exec()s `self._parse_arg_template`: the three argument parsers scipy writes from the
 * distribution's shape names. Admitted: a dict state with constant string keys whose template, if
 * it has one, is exactly what scipy 1.x writes (shape names that are identifiers; loc and scale,
 * or loc alone for discrete distributions).
 */
const SCIPY_SHAPES = /^\ndef _parse_args\(self, ((?:[A-Za-z_][A-Za-z0-9_]*, )*) (loc=0, scale=1|loc=0)\):\n/;
const SCIPY_LOCSCALE_OUT: Readonly<Record<string, string>> = { 'loc=0, scale=1': 'loc, scale', 'loc=0': 'loc, 1' };

/** What scipy's parse_arg_template gives for these shapes (`'a, b, '` or `''`) and loc/scale form. */
export function scipyArgTemplate(shapes: string, locscaleIn: string): string {
  const out = SCIPY_LOCSCALE_OUT[locscaleIn];
  return (
    `\ndef _parse_args(self, ${shapes} ${locscaleIn}):\n    return (${shapes}), ${out}\n` +
    `\ndef _parse_args_rvs(self, ${shapes} ${locscaleIn}, size=None):\n    return self._argcheck_rvs(${shapes} ${out}, size=size)\n` +
    `\ndef _parse_args_stats(self, ${shapes} ${locscaleIn}, moments='mv'):\n    return (${shapes}), ${out}, moments\n`
  );
}

function isScipyTemplate(text: string): boolean {
  const m = SCIPY_SHAPES.exec(text);
  return m !== null && text === scipyArgTemplate(m[1]!, m[2]!);
}

/** scipy.stats distribution classes (`norm_gen`, `rv_continuous`, `rv_histogram`, ...), in whichever scipy.stats module, scipy.stats itself included. */
const SCIPY_DISTRIBUTION = /^scipy\.stats\.(?:[A-Za-z0-9_.]+\.)?(?:[A-Za-z0-9_]+_gen|rv_[a-z_]+)$/;

function scipyDistributionGuard(state: Value): CostFinding | null {
  const refuse = (why: string): CostFinding => ({ rule: 'DENIED_GLOBAL/unsafe-call', args: { why: `a scipy distribution's __setstate__ exec()s _parse_arg_template from its state; ${why}` } });
  if (state.k !== 'dict') return refuse('only a dict state can be checked, and this one is not');
  if (state.count !== state.entries.length) return refuse('the state has more items than are kept for checking');
  for (const [key, value] of state.entries) {
    if (key.k !== 'str' || key.v === null) return refuse('the state has a key that is not a constant string');
    // __dict__.update(state), then self._attach_methods() and self._attach_argparser_methods(): an entry under either name is what runs
    if (SCIPY_SETSTATE_CALLS.has(key.v)) return refuse(`the state sets ${key.v}, which __setstate__ then calls`);
    // a function, or a callable made from one, in the instance dict replaces the method of its name
    if ((value.k === 'global' || callableMaker(value)) && !SCIPY_REATTACHED.has(key.v)) return refuse(`the state gives ${key.v} a callable, which replaces the method of that name`);
    if (key.v !== '_parse_arg_template') continue;
    if (value.k !== 'str' || value.v === null || !isScipyTemplate(value.v)) return refuse("the template is not the one scipy writes (argument parsers for the distribution's shape names)");
  }
  return null;
}

/**
 * What _attach_methods assigns anew on every __setstate__ (numpy.vectorize objects and the argument
 * parsers): older scipy kept them in the state, and whatever the state gives there is replaced.
 */
const SCIPY_REATTACHED: ReadonlySet<string> = new Set(['_ppfvec', '_cdfvec', 'vecentropy', 'generic_moment', '_parse_args', '_parse_args_stats', '_parse_args_rvs']);

/** What rv_generic.__setstate__ calls on the instance after updating its __dict__ with the state. */
const SCIPY_SETSTATE_CALLS: ReadonlySet<string> = new Set(['_attach_methods', '_attach_argparser_methods']);

/** Callables made by calling a function: functools.partial, toolz's curry (rebuilt by _restore_curry), numpy.vectorize. */
const CALLABLE_MAKERS = /^(?:functools\.partial|_functools\.partial|(?:cy)?toolz\.(?:functoolz\.)?(?:_restore_curry|curry)|numpy\.vectorize|numpy\.lib\.function_base\.vectorize|numpy\.lib\._function_base_impl\.vectorize)$/;

function callableMaker(v: Value): boolean {
  return v.k === 'call' && v.callee.k === 'global' && CALLABLE_MAKERS.test(v.callee.resolved);
}

/**
 * statsmodels' `ModelData.__setstate__(d)`: when `restore_design_info` is in d it rebuilds the design
 * with patsy's `dmatrices(d['formula'], ...)`, which evaluates the formula's terms as Python (an eval);
 * otherwise it only updates __dict__. Admitted: a dict state with constant string keys, none of them
 * `restore_design_info` (models fitted from arrays; a model fitted from a formula is rejected, since
 * loading it evaluates the formula).
 */
function statsmodelsDataGuard(state: Value): CostFinding | null {
  const refuse = (why: string): CostFinding => ({ rule: 'DENIED_GLOBAL/unsafe-call', args: { why: `statsmodels' ModelData.__setstate__ evaluates the model formula through patsy when the state has restore_design_info; ${why}` } });
  if (state.k !== 'dict') return refuse('only a dict state can be checked, and this one is not');
  if (state.count !== state.entries.length) return refuse('the state has more items than are kept for checking');
  for (const [key] of state.entries) {
    if (key.k !== 'str' || key.v === null) return refuse('the state has a key that is not a constant string');
    if (key.v === 'restore_design_info') return refuse('this state has it (a model fitted from a formula: loading it evaluates the formula)');
  }
  return null;
}

/**
 * Pillow's `Image.__setstate__([info, mode, size, palette, data])` (9.4.0 and 11.1.0, read; an
 * ImageFile subclass first sets `tile = []`): it stores info, mode and size, makes the pixel store
 * with `core.new(mode, size)`, attaches the palette for palette modes (`putpalette`, then `load()`,
 * which with no tiles only realizes the palette in C) and decodes data with the raw decoder
 * (`frombytes(data)`: the decoder's name is the constant "raw"). With plain data there, nothing but
 * Pillow's C code runs; an object there would have its `__eq__`, `__bytes__` or `__iter__` run.
 */
function pilImageGuard(state: Value, hotKnown: boolean, limits: Limits): CostFinding | null {
  const refuse = (why: string): CostFinding => ({ rule: 'DENIED_GLOBAL/unsafe-call', args: { why: `Pillow's Image.__setstate__ is admitted with the plain state Pillow writes ([info, mode, size, palette, data]); ${why}` } });
  if ((state.k !== 'list' && state.k !== 'tuple') || state.count !== 5 || state.items.length !== 5) return refuse('this state is not a list of five');
  const [info, mode, size, palette, data] = state.items as [Value, Value, Value, Value, Value];
  if (info.k !== 'dict' || !isPlainData(info, 4, hotKnown)) return refuse('its info is not a dict of plain data');
  if (mode.k !== 'str' || mode.v === null) return refuse('its mode is not a constant string');
  if (size.k !== 'tuple' || size.count !== 2 || size.items.length !== 2 || !size.items.every((x) => x.k === 'int' && typeof x.v === 'number' && x.v >= 0)) return refuse('its size is not two non-negative integers');
  // core.new(mode, size) allocates the whole image (no pixel limit on this path): at most 4 bytes a pixel in the modes Pillow writes, 8 for I;16 and F variants
  const [w, h] = size.items as unknown as [{ v: number }, { v: number }];
  if (w.v * h.v * 8 > limits.maxAllocation) return refuse(`its size, ${w.v} × ${h.v} pixels, allocates more than ${limits.maxAllocation} bytes`);
  // putpalette(palette) runs bytes(palette) on anything but bytes: an int allocates that many
  // (a list's items are bytes' items, each at most 255: its length is the pickle's own)
  const paletteOk = palette.k === 'none' || palette.k === 'bytes' || ((palette.k === 'list' || palette.k === 'tuple') && isPlainData(palette, 1, hotKnown));
  if (!paletteOk) return refuse('its palette is not None, bytes or a list of plain values');
  if (data.k !== 'bytes' && data.k !== 'str') return refuse('its pixel data is not bytes');
  return null;
}

/**
 * sklearn-pandas' `DataFrameMapper.__setstate__(state)` (2.2.0, read): after sklearn's own
 * __setstate__ it rebuilds each feature with `_build_feature(*feat)`, which calls the feature's
 * columns with its fourth item when there is one (`columns(X) if callable(columns)`), and makes a
 * pipeline of a transformer list; the rest of the state is stored. Admitted: a dict state with
 * constant string keys whose features are all kept for checking, each of two or three items (no X)
 * whose transformer is not a list (a fitted mapper's state holds fitted transformers).
 */
function dataFrameMapperGuard(state: Value): CostFinding | null {
  const refuse = (why: string): CostFinding => ({ rule: 'DENIED_GLOBAL/unsafe-call', args: { why: `sklearn-pandas' DataFrameMapper.__setstate__ calls a feature's columns when the feature has a fourth item; ${why}` } });
  if (state.k !== 'dict') return refuse('only a dict state can be checked, and this one is not');
  if (state.count !== state.entries.length) return refuse('the state has more items than are kept for checking');
  for (const [key, value] of state.entries) {
    if (key.k !== 'str' || key.v === null) return refuse('the state has a key that is not a constant string');
    if (key.v !== 'features') continue;
    if ((value.k !== 'list' && value.k !== 'tuple') || value.count !== value.items.length) return refuse('its features are not a list whose items are all kept for checking');
    for (const feat of value.items) {
      if ((feat.k !== 'tuple' && feat.k !== 'list') || feat.count < 2 || feat.count > 3 || feat.items.length !== feat.count) return refuse('a feature is not (columns, transformer) or (columns, transformer, options)');
      if (feat.items[1]!.k === 'list') return refuse('a feature has a list of transformers, which is made into a pipeline');
    }
  }
  return null;
}

/**
 * What a BUILD guard may ask the machine: `loads(v)` runs the bytes `v` as a nested pickle of this
 * input (reporting its findings as any nested pickle's) and gives what it returns, or null when it
 * cannot be run (too deep, too large, not kept, or it did not finish).
 */
export interface BuildContext {
  readonly hotKnown: boolean;
  readonly loads: (v: Value) => Value | null;
  /** The object the BUILD is on, and whether an earlier BUILD gave it a state already. */
  readonly target: CallValue;
  readonly rebuilt: boolean;
  readonly limits: Limits;
}

/** Reviewed __setstate__ guards, by the catalogue name of the class (catalogue GUARDED_SETSTATE). */
type SetstateGuard = (state: Value, hotKnown: boolean, ctx: BuildContext) => CostFinding | null;
const SETSTATE_GUARDS: ReadonlyMap<string, SetstateGuard> = new Map<string, SetstateGuard>([
  ['statsmodels.base.data.ModelData', statsmodelsDataGuard],
  ['statsmodels.base.data.PandasData', statsmodelsDataGuard],
  ['statsmodels.base.data.PatsyData', statsmodelsDataGuard],
  ['PIL.Image.Image', (state, hot, ctx) => pilImageGuard(state, hot, ctx.limits)],
  ['PIL.PngImagePlugin.PngImageFile', (state, hot, ctx) => pilImageGuard(state, hot, ctx.limits)],
  ['sklearn_pandas.dataframe_mapper.DataFrameMapper', dataFrameMapperGuard],
  ['matplotlib.cbook.CallbackRegistry', callbackRegistryGuard],
  ['geopandas.geodataframe.GeoDataFrame', geoDataFrameGuard],
  ['geopandas.geoseries.GeoSeries', geoSeriesGuard],
  ['geopandas.array.GeometryArray', geometryArrayGuard],
  [BIO_ARRAY, (state, _hot, ctx) => bioArrayStateGuard(state, ctx.loads)],
  [ASTROPY_TIME, timeStateGuard],
  [ASTROPY_TABLE, tableStateGuard],
  [ASTROPY_COLUMN, columnStateGuard],
  ['tqdm.std.tqdm', tqdmStateGuard],
  ['pyproj.crs.crs.CRS', pyprojCrsGuard],
  ['pyproj.transformer.TransformerFromCRS', pyprojMakerGuard],
  ['pyproj.transformer.Transformer', pyprojTransformerGuard],
  ...LMFIT_SETSTATE_GUARDS,
  ...PENDULUM_SETSTATE_GUARDS,
]);

/** Whether a reviewed guard checks a BUILD on an instance of `cls` (what buildGuard dispatches on): the state it accepts is sealed (ops/calls.ts). */
export function buildGuarded(cls: GlobalValue): boolean {
  return cls.guardedSetstate !== undefined || cls.guardedArgs !== undefined || isDtypeClass(cls) || cls.resolved === 'torch.ScriptObject' || SCIPY_DISTRIBUTION.test(cls.resolved);
}

/** A name with a reviewed guard: argument guards and class call guards (their BUILD guard is checked at BUILD). */
const reviewedName = (v: Value | undefined): string | undefined => (v?.k === 'global' ? (v.guardedArgs?.name ?? v.guardedSetstate) : undefined);

/**
 * The reviewed guard's name when this call involves a guarded global (the callee, the class whose
 * `__new__` it is, or the class copyreg's reconstructors are given): the arguments it accepted are
 * sealed (ops/calls.ts), since the library may keep them (pint a magnitude array).
 */
export function reviewedCall(callee: GlobalValue, args: Value): string | undefined {
  return reviewedName(callee) ?? reviewedName(callee.ctorOf) ?? (args.k === 'tuple' ? (reviewedName(args.items[0]) ?? reviewedName(args.items[1])) : undefined);
}

/** The guard a BUILD on an instance of `cls` breaks, if any (`ctx.hotKnown`: see isPlainData). */
export function buildGuard(cls: GlobalValue, state: Value, ctx: BuildContext): CostFinding | null {
  const hotKnown = ctx.hotKnown;
  if (cls.guardedSetstate) {
    const guard = SETSTATE_GUARDS.get(cls.guardedSetstate);
    // a name the catalogue guards but no guard here knows: fail closed
    return guard ? guard(state, hotKnown, ctx) : { rule: 'DENIED_GLOBAL/unsafe-call', args: { why: `no guard for ${cls.guardedSetstate}.__setstate__` } };
  }
  if (cls.guardedArgs) {
    const { owner, name } = cls.guardedArgs;
    const guard = argumentGuard(owner);
    // an owner no argument guard is: fail closed (a guard refuses a name of its own it has no spec for)
    return guard ? guard.build(name, state) : { rule: 'DENIED_GLOBAL/unsafe-call', args: { why: `no argument guard owns ${name}` } };
  }
  if (isDtypeClass(cls)) return dtypeStateGuard(ctx.target, state, ctx.rebuilt);
  if (cls.resolved === 'torch.ScriptObject') return scriptObjectGuard(state);
  if (SCIPY_DISTRIBUTION.test(cls.resolved)) return scipyDistributionGuard(state);
  return null;
}
