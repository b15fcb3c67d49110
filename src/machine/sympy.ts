/**
 * A reviewed argument guard for sympy (docs/catalogue.md, "Reviewed guards"). sympy's classes are
 * gadgets because their `__new__` sympifies its arguments, and a non-strict `sympify` of a str
 * parses and evaluates it (parse_expr, eval); their `__eq__` runs a strict `_sympify(other)`, which
 * still converts a tuple, set or dict through `Tuple(*tup)`, `FiniteSet(*x)`, `Dict(...)`: non-strict
 * sympify of every item. sympy pickles its objects as `(type(self), self.__getnewargs__(), None)`,
 * so a real pickle only ever hands them ints, a hexadecimal mantissa (Float), a name (Symbol) and
 * sympy objects it built. The guard admits exactly that, where the class's `__new__` runs (NEWOBJ,
 * NEWOBJ_EX, copyreg.__newobj__(_ex__), REDUCE, INST, OBJ, `C.__new__` read with getattr, a partial
 * of either); anything else at a sympified position, a BUILD on a sympy expression, and a sympy
 * expression as a dict key or set member next to a key its `__eq__` would convert, are
 * DENIED_GLOBAL/unsafe-call.
 *
 * Reviewed in sympy 1.11.1 (bookworm) and 1.13.3 (trixie); what was read for each class is in
 * REVIEWED below.
 */
import type { Limits } from '../limits';
import type { GuardedArgs } from '../names/catalogue/verdict';
import type { CostFinding } from './cost-finding';
import { guardedCall, refuse } from './guarded-call';
import { classOf, holdsCall, type GlobalValue, type Value } from './values';

/**
 * What a class's `__new__` does with its arguments:
 * - `sympified`: every positional argument goes through sympify (Basic.__new__ subclasses,
 *   AssocOp, Function/Application, Interval, FiniteSet, Tuple, Integral, Order, Poly);
 * - `none`: takes no argument (singletons: `__new__(cls)`; a matrix rebuilt by NEWOBJ then BUILD);
 * - `ints`: up to `max` Python ints (Integer(i), Rational(p, q, gcd)): sympy's own fast path;
 * - `float`: Float's `(num, precision=)`, num an int, a float or the pickled mpf tuple
 *   `(sign, hex mantissa, exp, bc)`, which Float.__new__ reads with int(s, 16);
 * - `symbol`: Symbol's `(name, **assumptions)`: the name is kept as a str (`__xnew__` checks it
 *   is one, nothing parses it), the assumptions go through `bool()` in `_sanitize`;
 * - `dummy`: Dummy's `(name, dummy_index, **assumptions)`: a str (or None) and an int (or None).
 */
type ArgSpec =
  | { readonly kind: 'sympified' }
  | { readonly kind: 'none' }
  | { readonly kind: 'ints'; readonly max: number }
  | { readonly kind: 'float' }
  | { readonly kind: 'symbol' }
  | { readonly kind: 'dummy' };

interface Reviewed {
  readonly args: ArgSpec;
  /** A sympy Basic (`__sympy__` is True): sympify returns it at once, so it may be a sympified argument. */
  readonly basic: boolean;
  /** What was read, per generation (1.11.1 / 1.13.3). */
  readonly checked: string;
}

const SYMPIFIED: ArgSpec = { kind: 'sympified' };
const NONE: ArgSpec = { kind: 'none' };
const SINGLETON = 'a Singleton: __new__(cls) takes no argument (IntegerConstant/RationalConstant/NumberSymbol/BooleanAtom __new__ is AtomicExpr/Basic.__new__(cls))';

/**
 * The classes the real sympy pickles of the corpus use, and those sharing their constructor path.
 * Keyed by the catalogue's canonical name.
 */
export const REVIEWED: ReadonlyMap<string, Reviewed> = new Map<string, Reviewed>([
  ['sympy.core.add.Add', { args: SYMPIFIED, basic: true, checked: 'AssocOp.__new__(cls, *args, evaluate=None, _sympify=True) (cached): args = list(map(_sympify_, args)), strict: a str raises, a tuple/set/dict becomes Tuple/FiniteSet/Dict of non-strict sympify; no keyword admitted' }],
  ['sympy.core.mul.Mul', { args: SYMPIFIED, basic: true, checked: 'AssocOp.__new__, as Add' }],
  ['sympy.core.power.Pow', { args: SYMPIFIED, basic: true, checked: 'Pow.__new__(cls, b, e, evaluate=None) (cached): b = _sympify(b); e = _sympify(e) (strict, as Add)' }],
  ['sympy.functions.elementary.trigonometric.sin', { args: SYMPIFIED, basic: true, checked: 'no __new__ of its own: Function.__new__ -> Application.__new__(cls, *args, **options) (cached): args = list(map(sympify, args)), non-strict; evaluate= not admitted' }],
  ['sympy.functions.elementary.trigonometric.cos', { args: SYMPIFIED, basic: true, checked: 'as sin' }],
  ['sympy.functions.elementary.trigonometric.tan', { args: SYMPIFIED, basic: true, checked: 'as sin' }],
  ['sympy.functions.elementary.exponential.exp', { args: SYMPIFIED, basic: true, checked: 'as sin (exp has no __new__; ExpMeta only customises isinstance)' }],
  ['sympy.functions.elementary.exponential.log', { args: SYMPIFIED, basic: true, checked: 'as sin: log(arg, base) through Function.__new__' }],
  ['sympy.functions.elementary.complexes.Abs', { args: SYMPIFIED, basic: true, checked: 'as sin' }],
  ['sympy.core.relational.Equality', { args: SYMPIFIED, basic: true, checked: 'Equality.__new__(cls, lhs, rhs, **options): _sympify(lhs), _sympify(rhs) (strict); is_eq on sympy objects; evaluate= not admitted (1.11: rhs=None means 0)' }],
  ['sympy.core.relational.Unequality', { args: SYMPIFIED, basic: true, checked: 'Unequality.__new__(cls, lhs, rhs, **options): _sympify of both, as Equality' }],
  ['sympy.core.relational.StrictLessThan', { args: SYMPIFIED, basic: true, checked: '_Inequality.__new__(cls, lhs, rhs, **options): _sympify(lhs), _sympify(rhs)' }],
  ['sympy.core.relational.LessThan', { args: SYMPIFIED, basic: true, checked: 'as StrictLessThan' }],
  ['sympy.core.relational.StrictGreaterThan', { args: SYMPIFIED, basic: true, checked: 'as StrictLessThan' }],
  ['sympy.core.relational.GreaterThan', { args: SYMPIFIED, basic: true, checked: 'as StrictLessThan' }],
  ['sympy.integrals.integrals.Integral', { args: SYMPIFIED, basic: true, checked: 'Integral.__new__(cls, function, *symbols): AddWithLimits.__new__ -> _common_new: sympify(function); _process_limits: sympify of each limit (tuples of sympy objects)' }],
  ['sympy.sets.sets.Interval', { args: SYMPIFIED, basic: true, checked: 'Interval.__new__(cls, start, end, left_open=False, right_open=False): _sympify of all four' }],
  ['sympy.sets.sets.FiniteSet', { args: SYMPIFIED, basic: true, checked: 'FiniteSet.__new__(cls, *args): args = list(map(sympify, args)); a set of them (their __eq__ on one another)' }],
  ['sympy.series.order.Order', { args: SYMPIFIED, basic: true, checked: 'Order.__new__(cls, expr, *args) (cached): sympify(expr); args are points/variables (sympy objects, Tuples of them)' }],
  ['sympy.polys.polytools.Poly', { args: SYMPIFIED, basic: true, checked: 'Poly.__new__(cls, rep, *gens, **args): build_options(gens, {}) (gens: sympy objects); sympify(rep); no keyword admitted (a domain= string is parsed by the option preprocessors)' }],
  ['sympy.logic.boolalg.Not', { args: SYMPIFIED, basic: true, checked: 'Not.__new__ is Application.__new__ (cached): sympify of each argument' }],
  ['sympy.logic.boolalg.And', { args: SYMPIFIED, basic: true, checked: 'LatticeOp.__new__(cls, *args, **options): args = (_sympify_(arg) for arg in args), strict; frozenset of them (their __eq__ on one another)' }],
  ['sympy.logic.boolalg.Or', { args: SYMPIFIED, basic: true, checked: 'as And' }],
  ['sympy.core.containers.Tuple', { args: SYMPIFIED, basic: true, checked: 'Tuple.__new__(cls, *args, **kwargs): sympify(arg) for each; the sympify= keyword not admitted' }],
  ['sympy.core.numbers.Integer', { args: { kind: 'ints', max: 1 }, basic: true, checked: 'Integer.__new__(cls, i) (cached): int(i); a str would be stripped and given to int(), not parsed; only int admitted' }],
  ['sympy.core.numbers.Rational', { args: { kind: 'ints', max: 3 }, basic: true, checked: 'Rational.__new__(cls, p, q=None, gcd=None) (cached): ints take the fast path; anything else is sympified (str: Fraction or sympify)' }],
  ['sympy.core.numbers.Float', { args: { kind: 'float' }, basic: true, checked: 'Float.__new__(cls, num, dps=None, precision=None): a (sign, hex str, exp, bc) tuple: MPZ(num[1], 16); int: str(num) then mlib.from_str; float: from_float; only precision= (an int) admitted' }],
  ['sympy.core.numbers.Zero', { args: NONE, basic: true, checked: SINGLETON }],
  ['sympy.core.numbers.One', { args: NONE, basic: true, checked: SINGLETON }],
  ['sympy.core.numbers.NegativeOne', { args: NONE, basic: true, checked: SINGLETON }],
  ['sympy.core.numbers.Half', { args: NONE, basic: true, checked: SINGLETON }],
  ['sympy.core.numbers.Pi', { args: NONE, basic: true, checked: SINGLETON }],
  ['sympy.core.numbers.Exp1', { args: NONE, basic: true, checked: SINGLETON }],
  ['sympy.core.numbers.ImaginaryUnit', { args: NONE, basic: true, checked: SINGLETON }],
  ['sympy.core.numbers.ComplexInfinity', { args: NONE, basic: true, checked: SINGLETON }],
  ['sympy.logic.boolalg.BooleanFalse', { args: NONE, basic: true, checked: SINGLETON }],
  ['sympy.logic.boolalg.BooleanTrue', { args: NONE, basic: true, checked: SINGLETON }],
  ['sympy.core.symbol.Symbol', { args: { kind: 'symbol' }, basic: true, checked: 'Symbol.__new__(cls, name, **assumptions): _sanitize (fuzzy_bool, bool() of each value); __xnew_cached_ -> __xnew__: TypeError unless name is a str, obj.name = name (never sympified); StdFactKB(assumptions)' }],
  ['sympy.core.symbol.Dummy', { args: { kind: 'dummy' }, basic: true, checked: 'Dummy.__new__(cls, name=None, dummy_index=None, **assumptions): _sanitize; Symbol.__xnew__ (TypeError unless name is a str); obj.dummy_index = dummy_index; pickled as ((name, dummy_index), assumptions)' }],
  [
    'sympy.matrices.dense.MutableDenseMatrix',
    {
      args: NONE,
      basic: false,
      checked: 'pickled as copyreg.__newobj__(cls) and a BUILD of {rows, cols, _rep}: MutableRepMatrix.__new__(cls) with no argument makes an empty matrix (its elements would be sympified); no __setstate__: BUILD updates __dict__; __setitem__ sympifies (judged where a pickle calls it)',
    },
  ],
]);

/**
 * sympy classes the catalogue judged safe that are Basic objects (sympify returns them at once):
 * admitted as sympified arguments too.
 */
const SAFE_BASIC: ReadonlySet<string> = new Set(['sympy.core.numbers.Infinity', 'sympy.core.numbers.NegativeInfinity', 'sympy.core.numbers.NaN']);

/** The catalogue entries a reviewed class may fail at and still be admitted with the guard. */
export const GUARDED_ENTRIES: ReadonlySet<string> = new Set(['construction', '__new__', '__eq__']);


/**
 * An object the pickle built of a class the guard admitted (whose arguments it checked), or of a
 * singleton the catalogue judged safe made as sympy writes it, with no argument (Basic.__new__ would
 * keep any it got as the object's args): a sympy Basic.
 */
function isSympyObject(v: Value): boolean {
  const cls = classOf(v);
  if (!cls) return false;
  if (SAFE_BASIC.has(cls.resolved)) {
    if (v.k !== 'call' || v.callee.k !== 'global' || v.args.k !== 'tuple' || v.kwargs) return false;
    const n = v.args.items.length;
    return (v.callee === cls && n === 0) || (v.callee.resolved === 'copyreg.__newobj__' && n === 1);
  }
  const name = sympyName(cls);
  return name !== undefined && REVIEWED.get(name)?.basic === true;
}

const MAX_DEPTH = 16;

/**
 * What sympify returns without parsing or calling unknown code: None, bools, ints, floats (converters
 * and the `cls is NoneType` case), a sympy object (`__sympy__` is True), and tuples, lists, sets and
 * dicts of those (Tuple(*tup), the iterable case, FiniteSet(*x), Dict(*d.items()) sympify each item).
 * A container must be kept whole: items it only counted could be anything.
 */
export function sympifySafe(v: Value, depth = 0): boolean {
  switch (v.k) {
    case 'none':
    case 'bool':
    case 'int':
    case 'float':
      return true;
    case 'tuple':
    case 'list':
    case 'set':
      return depth < MAX_DEPTH && v.count === v.items.length && v.items.every((x) => sympifySafe(x, depth + 1));
    case 'dict':
      return depth < MAX_DEPTH && v.count === v.entries.length && v.entries.every(([k, x]) => sympifySafe(k, depth + 1) && sympifySafe(x, depth + 1));
    case 'call':
      return isSympyObject(v);
    default:
      return false;
  }
}

/**
 * A key a sympy object's `__eq__` (strict `_sympify(other)`) may meet without parsing: besides the
 * sympify-safe values, a str or bytes (strict sympify refuses a str; bytes become a float or are
 * refused). Tuples and frozensets must be sympify-safe throughout: their converters sympify each
 * item non-strictly.
 */
function keySafe(v: Value): boolean {
  return v.k === 'str' || v.k === 'bytes' || sympifySafe(v);
}

/**
 * The guarded name of a global, when the catalogue gives it to this guard: guardedArgs is shared with
 * the other reviewed argument guards (pint.ts, rdflib.ts), each of which takes the names it owns. One
 * with no spec in REVIEWED is refused where it is called or built.
 */
function sympyName(v: Value | undefined): string | undefined {
  return v?.k === 'global' && v.guardedArgs?.owner === 'sympy' ? v.guardedArgs.name : undefined;
}

/** Names the catalogue gives this guard (guardedCall's `owns`). */
const ownedBySympy = (g: GuardedArgs): boolean => g.owner === 'sympy';

const HEX = /^(?:0x)?[0-9a-fA-F]+L?$/;
/** Binary precision above this is not something sympy writes (mpmath works at it lazily, but there is no need). */
const MAX_PRECISION = 1 << 24;
/** Binary exponents sympy writes (Float('1e-1000000') has about -3.3 million); a shift by 2^24 bits is 2 MiB. */
const MAX_EXPONENT = 1 << 24;

/** Keyword arguments as [name, value] pairs, or null when they cannot be read. */
function keywords(kwargs: Value | undefined): [string, Value][] | null {
  if (!kwargs || kwargs.k === 'none') return [];
  if (kwargs.k !== 'dict' || kwargs.count !== kwargs.entries.length) return null;
  const out: [string, Value][] = [];
  for (const [k, v] of kwargs.entries) {
    if (k.k !== 'str' || k.v === null) return null;
    out.push([k.v, v]);
  }
  return out;
}

function checkArgs(name: string, spec: ArgSpec, args: readonly Value[], kwargs: Value | undefined): string | null {
  const kw = keywords(kwargs);
  if (!kw) return 'its keyword arguments are not a dict of constant names';
  switch (spec.kind) {
    case 'sympified':
      if (kw.length) return `${name} is admitted without keyword arguments`;
      for (let i = 0; i < args.length; i++) if (!sympifySafe(args[i]!)) return `argument ${i} is sympified, and it is not an int, a float, a bool, None, a sympy object the pickle built, or a container of those`;
      return null;
    case 'none':
      return args.length || kw.length ? `${name} takes no argument when sympy pickles it` : null;
    case 'ints':
      if (kw.length) return `${name} is admitted without keyword arguments`;
      if (args.length < 1 || args.length > spec.max || !args.every((a) => a.k === 'int')) return `${name} is admitted with ${spec.max > 1 ? `1 to ${spec.max} ints` : 'one int'} only`;
      return null;
    case 'float': {
      for (const [k, v] of kw) if (k !== 'precision' || v.k !== 'int' || v.v === null || Number(v.v) < 1 || Number(v.v) > MAX_PRECISION) return 'Float is admitted with precision= a positive int up to 2^24 only';
      const num = args[0];
      if (args.length !== 1 || !num) return 'Float is admitted with one number only';
      if (num.k === 'int' || num.k === 'float') return null;
      if (num.k === 'tuple' && num.count === 4 && num.items.length === 4) {
        const [sign, man, exp, bc] = num.items;
        const small = (v: Value | undefined, lo: number, hi: number) => v !== undefined && v.k === 'int' && v.v !== null && Number(v.v) >= lo && Number(v.v) <= hi;
        if (small(sign, 0, 1) && small(exp, -MAX_EXPONENT, MAX_EXPONENT) && small(bc, 0, MAX_PRECISION) && man && ((man.k === 'int' && man.v !== null) || (man.k === 'str' && man.v !== null && HEX.test(man.v)))) return null;
      }
      return "Float is admitted with an int, a float or sympy's pickled (sign, hexadecimal mantissa, exponent, bit count) tuple only";
    }
    case 'symbol': {
      const n = args[0];
      if (args.length !== 1 || !n || n.k !== 'str') return 'Symbol is admitted with its name (a str) only';
      for (const [, v] of kw) if (v.k !== 'bool' && v.k !== 'none' && v.k !== 'int') return "Symbol's assumptions must be True, False or None";
      return null;
    }
    case 'dummy': {
      const [n, i] = args;
      if (args.length > 2 || (n && n.k !== 'str' && n.k !== 'none') || (i && i.k !== 'int' && i.k !== 'none')) return 'Dummy is admitted with its name (a str) and index (an int) only';
      for (const [, v] of kw) if (v.k !== 'bool' && v.k !== 'none' && v.k !== 'int') return "Dummy's assumptions must be True, False or None";
      return null;
    }
  }
}

/** INERT builders that hash what they are given: their keys meet one another's __eq__. */
const KEYED_BUILDERS: ReadonlySet<string> = new Set(['builtins.set', 'builtins.frozenset', 'builtins.dict', 'collections.OrderedDict', 'collections.Counter']);

/** The guard a call breaks, if any (callCost asks). */
export function sympyCallGuard(callee: GlobalValue, args: Value, kwargs: Value | undefined, limits: Limits): CostFinding | null {
  if (KEYED_BUILDERS.has(callee.resolved)) return builtKeys(callee.resolved, args);
  const call = guardedCall(callee, args, kwargs, ownedBySympy, 'a guarded sympy class');
  if (!call || 'rule' in call) return call;
  if (call.how === 'reconstruct') {
    // object.__new__(cls) runs no sympy code and drops the state; another base runs its __new__ and __init__ on it (sympy writes protocol 2 and up only)
    return call.base === 'builtins.object' ? null : refuse(`copyreg._reconstructor of ${call.name} with ${call.base} as base runs that class's __new__ and __init__ on the state`);
  }
  const spec = REVIEWED.get(call.name);
  // a name the catalogue guards but no spec here knows: fail closed
  if (!spec) return refuse(`no argument guard for ${call.name}`);
  const why = checkArgs(call.name, spec.args, call.args, call.kwargs);
  if (why) return refuse(`${call.name}.__new__ sympifies its arguments (a str is parsed and evaluated); ${why}`);
  return evaluationCost(call.name, call.args, limits);
}

// ---- what evaluating the arithmetic costs -------------------------------------------------------
//
// sympy evaluates arithmetic on numbers while it builds an expression: Pow(Integer(3), Integer(10**7))
// is a 4.8-million-digit Integer (seconds), Pow(2, 10**18) never ends, and nested powers or a Mul of
// one big number repeated grow the same way. An upper bound on the bits of every number the pickle
// makes is kept; a call whose result would have more digits than an int the scanner keeps
// (Limits.maxIntDigits, CPython's own str-to-int bound) is RESOURCE_HOSTILE/number-text.

const LOG2_10 = Math.log2(10);
/** Bits of the numbers the pickle built (an upper bound), by object; symbolic ones are not numbers (null). */
const bitsOf = new WeakMap<object, number | null>();

function intBits(v: Value): number | null {
  if (v.k === 'bool') return 1;
  if (v.k !== 'int') return null;
  if (v.v === null) return Infinity;
  const n = typeof v.v === 'bigint' ? (v.v < 0n ? -v.v : v.v) : Math.abs(v.v);
  return Math.max(1, typeof n === 'bigint' ? n.toString(2).length : Math.ceil(Math.log2(n + 1)));
}

/** |value| of an exponent the pickle built, when it is a number sympy raises to exactly (an int, Integer, Rational: its integer part). */
function magnitude(v: Value, depth: number): number | null {
  if (v.k === 'int' || v.k === 'bool') return v.k === 'bool' ? Number(v.v) : v.v === null ? Infinity : Math.abs(Number(v.v));
  const cls = v.k === 'call' ? classOf(v) : null;
  if (!cls || v.k !== 'call' || v.args.k !== 'tuple') return null;
  const own = v.callee === cls ? v.args.items : v.args.items.slice(1);
  switch (cls.resolved) {
    case 'sympy.core.numbers.Integer':
      return own[0] ? magnitude(own[0], depth + 1) : null;
    case 'sympy.core.numbers.Rational': {
      const [p, q] = own;
      const a = p ? magnitude(p, depth + 1) : null;
      const b = q ? magnitude(q, depth + 1) : 1;
      return a === null || b === null ? null : b === 0 ? Infinity : Math.ceil(a / b);
    }
    case 'sympy.core.numbers.Zero':
    case 'sympy.core.numbers.Half':
      return 0;
    case 'sympy.core.numbers.One':
    case 'sympy.core.numbers.NegativeOne':
      return 1;
    default: {
      // a power or product of numbers is a number too
      const bits = numberBits(v, depth + 1);
      return bits === null ? null : bits > 1023 ? Infinity : 2 ** bits;
    }
  }
}

/** An upper bound on the bits of a number the pickle built (ints, sympy numbers, powers and products of them); null when symbolic. */
function numberBits(v: Value, depth: number): number | null {
  if (v.k !== 'call') return intBits(v);
  if (bitsOf.has(v)) return bitsOf.get(v)!;
  let bits: number | null = null;
  const cls = classOf(v);
  if (cls && v.args.k === 'tuple' && depth <= MAX_DEPTH) {
    const own = v.callee === cls ? v.args.items : v.args.items.slice(1);
    bits = argsBits(cls.resolved, own, depth);
  } else if (depth > MAX_DEPTH) bits = Infinity;
  bitsOf.set(v, bits);
  return bits;
}

/** The bound for a call of a sympy class on these arguments; null when the result is not a number the scanner follows. */
function argsBits(cls: string, args: readonly Value[], depth: number): number | null {
  const numbers = (): number[] | null => {
    const out: number[] = [];
    for (const a of args) {
      const b = numberBits(a, depth + 1);
      if (b === null) return null;
      out.push(b);
    }
    return out;
  };
  switch (cls) {
    case 'sympy.core.numbers.Integer':
    case 'sympy.core.numbers.Rational': {
      const n = numbers();
      return n && n.length ? Math.max(...n) : null;
    }
    case 'sympy.core.numbers.Zero':
    case 'sympy.core.numbers.One':
    case 'sympy.core.numbers.NegativeOne':
    case 'sympy.core.numbers.Half':
      return 1;
    case 'sympy.core.mul.Mul': {
      // a product of numbers: its bits add up (a symbolic factor keeps the numeric ones multiplied: still a sum)
      let sum = 0;
      let any = false;
      for (const a of args) {
        const b = numberBits(a, depth + 1);
        if (b !== null) {
          sum += b;
          any = true;
        }
      }
      return any ? sum : null;
    }
    case 'sympy.core.add.Add': {
      const n = numbers();
      return n && n.length ? Math.max(...n) + Math.ceil(Math.log2(n.length + 1)) : null;
    }
    case 'sympy.core.power.Pow': {
      const [b, e] = args;
      if (!b || !e) return null;
      const base = numberBits(b, depth + 1);
      if (base === null) return null;
      if (base <= 1) return 1;
      const m = magnitude(e, depth + 1);
      return m === null ? null : base * Math.max(1, m);
    }
    default:
      return null;
  }
}

function evaluationCost(cls: string, args: readonly Value[], limits: Limits): CostFinding | null {
  if (cls !== 'sympy.core.power.Pow' && cls !== 'sympy.core.mul.Mul' && cls !== 'sympy.core.add.Add') return null;
  const bits = argsBits(cls, args, 0);
  if (bits === null || bits / LOG2_10 <= limits.maxIntDigits) return null;
  return { rule: 'RESOURCE_HOSTILE/number-text', args: { what: `${bits === Infinity ? 'more digits than can be counted' : `about ${Math.ceil(bits / LOG2_10)} digits`} (sympy evaluates ${cls.slice(cls.lastIndexOf('.') + 1)} of numbers while loading)`, max: limits.maxIntDigits } };
}

/**
 * A BUILD on a guarded sympy object: sympy writes none for its expressions (Basic.__getstate__ is
 * None, so pickle writes no state) and Basic.__setstate__ would setattr any name (`_args`, `name`)
 * to anything; a matrix gets `{rows, cols, _rep}`, _rep a DomainMatrix.
 */
export function sympyBuildGuard(cls: string, state: Value): CostFinding | null {
  const spec = REVIEWED.get(cls);
  // a name the catalogue gives this guard but no spec here knows: fail closed
  if (!spec) return refuse(`no argument guard for ${cls}`);
  if (spec.basic) return refuse(`${cls}: sympy writes no BUILD for its expressions, and Basic.__setstate__ sets any attribute to anything`);
  const why = `a sympy matrix's state is admitted as {rows, cols, _rep} with two ints and a DomainMatrix the pickle built`;
  if (state.k !== 'dict' || state.count !== state.entries.length) return refuse(why);
  for (const [k, v] of state.entries) {
    if (k.k !== 'str') return refuse(why);
    if (k.v === 'rows' || k.v === 'cols') {
      if (v.k !== 'int') return refuse(why);
    } else if (k.v === '_rep') {
      if (classOf(v)?.resolved !== 'sympy.polys.matrices.domainmatrix.DomainMatrix') return refuse(why);
    } else return refuse(why);
  }
  return null;
}

/** Per dict or set the pickle fills: does it hold a sympy object as a key, and a key its __eq__ would convert? */
const keyFlags = new WeakMap<object, { sympy: boolean; hostile: boolean; reported: boolean }>();

/**
 * New keys of a dict or members of a set: a guarded sympy object among them is compared (on a hash
 * collision) with the others by its __eq__, which converts tuples and sets item by item with a
 * non-strict sympify. Returns a finding the first time a container holds both.
 */
export function sympyKeys(container: object, keys: readonly Value[], from: number, to: number, step: number): CostFinding | null {
  let sympy = false;
  let hostile = false;
  for (let i = from; i < to; i += step) {
    const k = keys[i]!;
    if (k.k === 'str' || k.k === 'bytes') continue;
    if (k.k === 'call' && sympyName(classOf(k) ?? undefined)) sympy = true;
    else if (!keySafe(k)) hostile = true;
  }
  // plain keys add nothing: the container's record, if it has one, stays as it is
  if (!sympy && !hostile) return null;
  let f = keyFlags.get(container);
  if (!f) keyFlags.set(container, (f = { sympy: false, hostile: false, reported: false }));
  f.sympy ||= sympy;
  f.hostile ||= hostile;
  if (!f || !f.sympy || !f.hostile || f.reported) return null;
  f.reported = true;
  return refuse("a sympy object is a key or member next to a value its __eq__ would convert (strict _sympify turns a tuple or set into Tuple/FiniteSet, sympifying each item: a str is parsed and evaluated; another library's object is converted by its own code)");
}

function builtKeys(builder: string, args: Value): CostFinding | null {
  const a = args.k === 'tuple' ? args.items[0] : undefined;
  if (!a) return null;
  const dictLike = builder !== 'builtins.set' && builder !== 'builtins.frozenset';
  let keys: Value[];
  if (a.k === 'dict') keys = a.entries.map(([k]) => k);
  else if (a.k === 'list' || a.k === 'tuple' || a.k === 'set') keys = dictLike ? a.items.map((p) => (p.k === 'tuple' || p.k === 'list' ? (p.items[0] ?? p) : p)) : a.items;
  else return holdsCall(a, (c) => sympyName(classOf(c) ?? undefined) !== undefined, MAX_DEPTH) ? refuse('a sympy object may become a key or member of a container built from a value the scanner cannot list (tuple(...), another call)') : null;
  if (!keys.some((k) => k.k === 'call' && sympyName(classOf(k) ?? undefined))) return null;
  // a fresh container: items only counted cannot be checked
  const counted = a.k === 'dict' ? a.count !== a.entries.length : a.count !== a.items.length;
  if (counted) return refuse('a sympy object is a key or member of a container whose other keys are not all kept for checking');
  return sympyKeys({}, keys, 0, keys.length, 1);
}
