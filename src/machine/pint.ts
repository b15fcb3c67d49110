/**
 * A reviewed argument guard for pint's unpicklers (docs/catalogue.md, "Reviewed guards: pint's
 * unpicklers"). pint pickles a quantity as `_unpickle_quantity(PlainQuantity, magnitude, units)`, a
 * unit as `_unpickle_unit(PlainUnit, units)` and a measurement as
 * `_unpickle_measurement(Measurement, ufloat, units)` (`Quantity`, `Unit`, `Measurement` of
 * pint.quantity, pint.unit, pint.measurement in 0.19). Each `_unpickle_*(cls, *args)` ignores `cls`
 * and runs `_unpickle(application_registry.Quantity, *args)` (`.Unit`, `.Measurement`): for every
 * argument that is a UnitsContainer it parses each unit name with `application_registry.parse_units`,
 * then calls the registry's class with the arguments. The catalogue could not verify them ("calls the
 * parameter cls"): what they call is an attribute of the application registry, module state of pint.
 *
 * What the guard admits, where the pickle calls them (REDUCE, or anything that runs the function):
 * exactly pint's argument shapes, the class argument one of the classes pint writes there, the
 * magnitude plain (an int, a float, a complex, Decimal or Fraction, a numpy bool, int or float
 * scalar or an array of a numeric dtype, an uncertainties number), the units a UnitsContainer the
 * pickle rebuilt with the state pint writes, `(udict, 1, float)`, whose udict holds unit names that are identifiers and int
 * or float exponents.
 * A unit name is parsed by pint's own expression evaluator (pint_eval, no Python eval): a name such
 * as `meter*9**9**8` makes it compute a power that never ends, so names are identifiers only.
 * Everything else (another class, another shape, a keyword, a BUILD on what pint returns, a pint
 * object as a dict key or set member, the class arguments called or handed elsewhere) is
 * DENIED_GLOBAL/unsafe-call, or gadget-passed where a guarded global is handed to another callable.
 *
 * The registry itself must stay out of the pickle's reach: a BUILD on
 * `pint.get_application_registry()` (or on an `ApplicationRegistry` wrapping `pint.application_registry`)
 * sets attributes of the registry, `Quantity` or `parse_units` included, which the unpicklers then call
 * with the pickle's arguments. Those names are gadgets in the catalogue (samples/generate/catalogue/
 * sinks.py LIBRARY_RULES), so nothing that can reach the registry is admitted.
 *
 * pint's parser is reachable in other ways too: a unit class called with text (`pint.Unit('meter*9**9**8')`,
 * its `__init__` runs the registry's parse_units), `numeric_parse`, `compat.eq` of a pint object and
 * text (UnitsContainer.__eq__ and ParserHelper.__eq__ parse a str), the tokenizers and tree builders.
 * The catalogue rates them safe (pint's evaluator is arithmetic, no Python eval), but the arithmetic
 * is the pickle's: `9**9**8` never ends. Their calls are admitted with plain arguments only (unit names
 * that are identifiers, numbers, None, containers of these; PARSERS); pint's functions that compute
 * a power of the pickle's numbers or search its graph exponentially are refused. pint's own pickles call
 * none of them.
 *
 * Reviewed in pint 0.19.2 (bookworm) and 0.24.4 (trixie), with uncertainties 3.1.6 and 3.2.3; what
 * was read for each name is in PINT_REVIEWED.
 */
import type { GuardedArgs } from '../names/catalogue/verdict';
import type { CostFinding } from './cost-finding';
import { guardedCall, noKeywords, refuse, type GuardedCall } from './guarded-call';
import { isNumpyNumber, plainNumpyArray, plainNumpyBuffer } from './numpy-numbers';
import { classOf, holdsCall, type GlobalValue, type Value } from './values';

type Role =
  /** `_unpickle_*(cls, *args)`: the classes pint writes as `cls`, what the magnitude may be (none for a unit). */
  | { readonly kind: 'unpickler'; readonly classes: readonly string[]; readonly magnitude: 'number' | 'ufloat' | null }
  /** A class pint writes as the ignored first argument: admitted there only, never called. */
  | { readonly kind: 'class-argument' }
  /** pint.util.UnitsContainer: rebuilt with no arguments, BUILD with pint's state only. */
  | { readonly kind: 'units' }
  /** pint.util.udict: rebuilt with no arguments, filled by SETITEM with unit names and exponents. */
  | { readonly kind: 'udict' }
  /**
   * A class or function whose call with text reaches pint's expression parser (ParserHelper.from_string,
   * build_eval_tree(...).evaluate, the registry's parse_units): admitted with plain arguments only,
   * text among them unit names that are identifiers. `compares`: what it makes compares itself with
   * text by parsing it (a Unit, a ParserHelper), so it is refused as a dict key or set member too.
   */
  | { readonly kind: 'parses'; readonly compares: boolean }
  /** A function pint's pickles never call that computes a power or searches exponentially on the pickle's values: refused. */
  | { readonly kind: 'refused'; readonly why: string };

interface Reviewed {
  readonly role: Role;
  /** What was read, in 0.19.2 and 0.24.4. */
  readonly checked: string;
}

const UNITS = 'pint.util.UnitsContainer';
const UDICT = 'pint.util.udict';
const UNPICKLE =
  "pint/__init__.py (0.19.2 line 49, 0.24.4 line 56): `_unpickle(cls, *args)` parses every name of every UnitsContainer argument with application_registry.parse_units (ParserHelper.from_string: pint's tokenizer and arithmetic evaluator, no Python eval), then returns cls(*args); the `_unpickle_*` wrappers ignore their own cls and pass the application registry's class";

/** The unit classes of pint, 0.19.2 and 0.24.4: `Unit(text)` runs the application registry's parse_units. */
const UNIT_INIT =
  "SharedRegistryObject.__new__(cls, *args, **kwargs) (0.19 util.py line 815, 0.24 util.py line 965) ignores its arguments and sets _REGISTRY to the application registry; __init__(units) (0.19 unit.py line 42, 0.24 facets/plain/unit.py line 36) stores a UnitsContainer or UnitDefinition, copies a Unit's units, and for a str runs self._REGISTRY.parse_units(units): ParserHelper.from_string, pint's tokenizer and evaluator, where `meter*9**9**8` computes 9**9**8 and never ends (confirmed with Python 3.11 and 3.13, pint.Unit('meter*9**9**8') killed after 10 s); __eq__ compares its UnitsContainer with the other, and UnitsContainer.__eq__ parses a str with ParserHelper.from_string";
const PARSES = (compares: boolean): Role => ({ kind: 'parses', compares });
const PARSERS: ReadonlyArray<[string, Reviewed]> = [
  ...[
    'pint.unit.Unit',
    'pint.registry.Unit',
    'pint.facets.plain.unit.PlainUnit',
    'pint.facets.context.objects.ContextUnit',
    'pint.facets.dask.DaskUnit',
    'pint.facets.group.objects.GroupUnit',
    'pint.facets.measurement.objects.MeasurementUnit',
    'pint.facets.nonmultiplicative.objects.NonMultiplicativeUnit',
    'pint.facets.numpy.unit.NumpyUnit',
    'pint.facets.system.objects.SystemUnit',
  ].map((name): [string, Reviewed] => [name, { role: PARSES(true), checked: `${UNIT_INIT} (pint.unit.Unit is 0.19's class, the others 0.24's PlainUnit and the registry's subclasses of it, none with its own __init__ or __new__)` }]),
  [
    'pint.util.ParserHelper',
    {
      role: PARSES(true),
      checked:
        'util.py (0.19 line 526, 0.24 line 679): __init__(scale=1, *args, **kwargs) stores the scale and runs UnitsContainer.__init__ (udict(*args, **kwargs), and calls non_int_type("1") and non_int_type(value) with a non_int_type keyword or the type of a UnitsContainer argument); its from_string and from_word are classmethods the pickle reaches only through getattr; __eq__ with a str runs ParserHelper.from_string(other)',
    },
  ],
  ['pint.definitions.numeric_parse', { role: PARSES(false), checked: '0.19 definitions.py line 67: numeric_parse(s, non_int_type) runs ParserHelper.from_string(s): numeric_parse("9**9**8") never ends (confirmed with Python 3.11)' }],
  [
    'pint.compat.eq',
    {
      role: PARSES(false),
      checked:
        'compat.py (0.19 line 218, 0.24 line 310): eq(lhs, rhs, check_all) runs lhs == rhs, where a Unit, UnitsContainer or ParserHelper on either side parses a str on the other with ParserHelper.from_string (eq(ParserHelper(1), "meter*9**9**8", False) never ends in either generation, confirmed); is_duck_array_type and out.all() on the result',
    },
  ],
  [
    'pint.util.find_connected_nodes',
    {
      role: PARSES(false),
      checked:
        "util.py (0.19 line 291, 0.24 line 386): a depth-first search with a visited set (linear), but `start not in graph` compares start with every item of a graph that is a list: a UnitsContainer there and text as start parse it (find_connected_nodes([uc], 'meter*9**9**8') never ends in either generation, confirmed)",
    },
  ],
  ['pint.pint_eval.build_eval_tree', { role: PARSES(false), checked: "pint_eval.py (0.19 line 125, 0.24 line 528): builds an EvalTreeNode from a list of tokens (a str fails on its characters); the tree is evaluated only by its evaluate method, which a pickle reaches through getattr" }],
  ['pint.pint_eval._build_eval_tree', { role: PARSES(false), checked: '0.24 pint_eval.py line 401: the recursive part of build_eval_tree, no evaluation' }],
  ['pint.compat.tokenizer', { role: PARSES(false), checked: "0.19 compat.py line 29: tokenizer(input_string) is a generator over tokenize.tokenize of the text, run only when something iterates it (pint's parser does)" }],
  ['pint.pint_eval._plain_tokenizer', { role: PARSES(false), checked: "0.24 pint_eval.py line 91: a generator over tokenize.tokenize of the text, run only when something iterates it (pint's parser does)" }],
  ['pint.pint_eval.uncertainty_tokenizer', { role: PARSES(false), checked: "0.24 pint_eval.py line 97: a generator over _plain_tokenizer's tokens that folds `+/-` into ufloat tokens, run only when something iterates it (pint's parser does)" }],
  ...[
    ['pint.systems.Group', '0.19 systems.py line 119'],
    ['pint.facets.group.objects.Group', '0.24 facets/group/objects.py line 61'],
    ['pint.systems.System', '0.19 systems.py line 367'],
    ['pint.facets.system.objects.System', '0.24 facets/system/objects.py line 57'],
  ].map(([name, where]): [string, Reviewed] => [
    name!,
    {
      role: { kind: 'refused', why: "its __init__ registers it in the application registry under the pickle's name, replacing what is there (Group('root') empties the registry's root group, confirmed with pint 0.19.2); pint's pickles hold none" },
      checked: `${where}: __init__(name) sets self._REGISTRY._groups[name] (a Group, which also adds itself to the root group) or self._REGISTRY._systems[name] (a System) to the new object; SharedRegistryObject.__new__ sets _REGISTRY to the application registry`,
    },
  ]),
  ['pint.pint_eval._power', { role: { kind: 'refused', why: "pint's evaluator's `**`: _power(left, right) computes left**right (_power(9, 9**8) never ends, confirmed in both generations)" }, checked: 'pint_eval.py (0.19 line 31, 0.24 line 51): left**right after a Quantity/array check' }],
  ['pint.numpy_func._power', { role: { kind: 'refused', why: 'x2.__rpow__(x1) on the pickle\'s numbers is x1**x2 (_power(9, 9**8) never ends, confirmed with Python 3.11)' }, checked: '0.19 numpy_func.py line 494: _power(x1, x2) is x1**x2 for a Quantity, else x2.__rpow__(x1)' }],
  ['pint.facets.numpy.numpy_func._power', { role: { kind: 'refused', why: 'x2.__rpow__(x1) on the pickle\'s numbers is x1**x2 (_power(9, 9**8) never ends, confirmed with Python 3.13)' }, checked: '0.24 facets/numpy/numpy_func.py line 515: _power(x1, x2) is x1**x2 for a Quantity, else x2.__rpow__(x1)' }],
  ...[
    ['pint.numpy_func.get_op_output_unit', '0.19 numpy_func.py line 133', 'Python 3.11'],
    ['pint.facets.numpy.numpy_func.get_op_output_unit', '0.24 facets/numpy/numpy_func.py line 141', 'Python 3.13'],
  ].map(([name, where, py]): [string, Reviewed] => [
    name!,
    {
      role: { kind: 'refused', why: `with unit_op 'size' it computes first_input_units ** size on the pickle's values (get_op_output_unit('size', 9, None, 9**8) never ends, confirmed with ${py})` },
      checked: `${where}: get_op_output_unit(unit_op, first_input_units, all_args, size) computes the unit of a numpy function's result: powers (size, square, cube, variance...), products over all_args, the registry's parse_units("")`,
    },
  ]),
  ...[
    ['pint.numpy_func._full_like', '0.19 numpy_func.py line 525: _full_like(a, fill_value, dtype, order, subok, shape)'],
    ['pint.facets.numpy.numpy_func._full_like', '0.24 facets/numpy/numpy_func.py line 546: _full_like(a, fill_value, **kwargs)'],
  ].map(([name, where]): [string, Reviewed] => [
    name!,
    {
      role: { kind: 'refused', why: "np.ones_like(a, shape=...) * fill_value allocates the shape the pickle names, twice (a 60-byte pickle allocated 2 GiB with pint 0.19.2), where numpy's own allocators are not admitted" },
      checked: `${where} returns np.ones_like(a, ...) * fill_value, or the registry's Quantity of it when fill_value has _REGISTRY`,
    },
  ]),
  ['pint.registry_helpers._replace_units', { role: { kind: 'refused', why: "it multiplies values_by_name[name] ** exponent for every (name, exponent) of the pickle's dicts (_replace_units({'a': 9**8}, {'a': 9}) never ends, confirmed in both generations)" }, checked: 'registry_helpers.py (0.19 line 28, 0.24 line 30): q = q * values_by_name[arg_name] ** exponent' }],
  ['pint.util.find_shortest_path', { role: { kind: 'refused', why: "it enumerates every simple path of the pickle's graph by recursion (a complete graph of 14 nodes with an unreachable end never finishes, confirmed in both generations), and compares the nodes (a pint object with text parses it)" }, checked: 'util.py (0.19 line 275, 0.24 line 344): recursive depth-first search over all paths, `node not in path` and `start == end` comparisons' }],
];

export const PINT_REVIEWED: ReadonlyMap<string, Reviewed> = new Map<string, Reviewed>([
  [
    'pint._unpickle_quantity',
    {
      role: { kind: 'unpickler', classes: ['pint.quantity.Quantity', 'pint.facets.plain.quantity.PlainQuantity'], magnitude: 'number' },
      checked: `${UNPICKLE}; Quantity.__new__(cls, value, units) (0.19 quantity.py line 240, 0.24 facets/plain/quantity.py line 188) with a UnitsContainer as units stores it and stores _to_magnitude(value): isinstance checks, np.asarray only when the registry forces arrays; is_upcast_type(type(value)) imports pandas or xarray only for their own type names`,
    },
  ],
  [
    'pint._unpickle_unit',
    { role: { kind: 'unpickler', classes: ['pint.unit.Unit', 'pint.facets.plain.unit.PlainUnit'], magnitude: null }, checked: `${UNPICKLE}; Unit.__init__(units) (0.19 unit.py line 42, 0.24 facets/plain/unit.py line 36) stores a UnitsContainer as it is` },
  ],
  [
    'pint._unpickle_measurement',
    {
      role: { kind: 'unpickler', classes: ['pint.measurement.Measurement', 'pint.facets.measurement.objects.Measurement'], magnitude: 'ufloat' },
      checked: `${UNPICKLE}; Measurement.__new__(cls, value, error, units=MISSING) (0.19 measurement.py line 32, 0.24 facets/measurement/objects.py line 54) with (ufloat, UnitsContainer): value.magnitude raises AttributeError (uncertainties' numbers have slots and no __getattr__), hasattr(value, 'nominal_value') reads a slot, so units = the container and the ufloat is the magnitude (Quantity.__new__ as above)`,
    },
  ],
  ['pint.quantity.Quantity', { role: { kind: 'class-argument' }, checked: "0.19.2: the class Quantity.__reduce__ writes as _unpickle_quantity's first argument, which it ignores" }],
  ['pint.facets.plain.quantity.PlainQuantity', { role: { kind: 'class-argument' }, checked: "0.24.4: the class PlainQuantity.__reduce__ writes as _unpickle_quantity's first argument, which it ignores" }],
  ['pint.measurement.Measurement', { role: { kind: 'class-argument' }, checked: "0.19.2: the class Measurement.__reduce__ writes as _unpickle_measurement's first argument, which it ignores" }],
  ['pint.facets.measurement.objects.Measurement', { role: { kind: 'class-argument' }, checked: "0.24.4: the class Measurement.__reduce__ writes as _unpickle_measurement's first argument, which it ignores" }],
  [
    UNITS,
    {
      role: { kind: 'units' },
      checked:
        'util.py (0.19 line 315, 0.24 line 432): __slots__ _d, _hash, _one, _non_int_type; __getstate__ is (_d, _one, _non_int_type) and __setstate__ sets them back; __init__ calls _non_int_type("1") and _non_int_type(value) with the type of a UnitsContainer argument (so a rebuilt container carrying a callable there would have it called): admitted rebuilt with no arguments, its state (udict, 1, float) only',
    },
  ],
  [UDICT, { role: { kind: 'udict' }, checked: 'util.py (0.19 line 305, 0.24 line 422): a dict subclass with __missing__ (returns 0) and copy; no __setitem__ of its own: SETITEM stores' }],

  ...PARSERS,
]);

/** The names the catalogue gives this guard (guarded-args.ts); one it has no spec for is refused where it is called or built. */
const owns = (guarded: GuardedArgs) => guarded.owner === 'pint';

/**
 * The names whose result library code must not be given (SETITEM, APPEND... on it, a call or BUILD
 * state holding it: gadget-method, gadget-passed), with why: a Quantity or Measurement runs methods no
 * one reviewed; a unit or ParserHelper compares itself with text by parsing it.
 */
export const PINT_RESULT_METHODS: ReadonlyMap<string, string> = new Map([
  ...['pint._unpickle_quantity', 'pint._unpickle_measurement'].map((name): [string, string] => [
    name,
    `what ${name} makes is a pint Quantity or Measurement, whose __setitem__ and __getattr__ no one reviewed (the catalogue's registry Quantity reaches a sink through them)`,
  ]),
  // a Unit or ParserHelper compares itself with text by parsing it (UnitsContainer.__eq__, ParserHelper.__eq__): library code given one may compare
  ...['pint._unpickle_unit', ...PARSERS.filter(([, r]) => r.role.kind === 'parses' && r.role.compares).map(([name]) => name)].map((name): [string, string] => [
    name,
    `what ${name} makes is a pint unit or ParserHelper, whose __eq__ parses the text it is compared with by pint's evaluator (\`meter*9**9**8\` never ends); library code given it may compare it`,
  ]),
]);
/** What pint's unpicklers make: a Quantity, a Unit, a Measurement. */
const UNPICKLERS: ReadonlySet<string> = new Set(['pint._unpickle_quantity', 'pint._unpickle_unit', 'pint._unpickle_measurement']);

/** A unit name pint can look up without evaluating anything (the canonical names of its registries are identifiers). */
const UNIT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const MAX_DEPTH = 16;

/** Exponents pint writes: ints and floats; nothing computes with them while loading, so any finite one will do. */
function exponent(v: Value | undefined): boolean {
  return v !== undefined && ((v.k === 'int' && v.v !== null) || (v.k === 'float' && Number.isFinite(v.v)));
}

/** Why a udict entry is not a unit name and exponent, or null. */
function entryWhy(k: Value, v: Value | undefined): string | null {
  if (k.k !== 'str' || k.v === null || !UNIT_NAME.test(k.v)) return 'a udict key is not a unit name that is an identifier (pint parses each name with its expression evaluator, where `9**9**9` never ends)';
  if (!exponent(v)) return "a udict value is not an int or float exponent";
  return null;
}

/** The name a global is reviewed under, when this guard owns it. */
const pintName = (g: GlobalValue | null | undefined): string | undefined => (g?.guardedArgs && owns(g.guardedArgs) ? g.guardedArgs.name : undefined);

/** The name the class (or maker) of an object the pickle built is reviewed under, when this guard owns it. */
const guardedName = (v: Value | undefined): string | undefined => pintName(v ? classOf(v) : null);

/** An object the pickle built whose class (or maker) the guard reviewed under `name`. */
const isA = (v: Value | undefined, name: string): boolean => v?.k === 'call' && guardedName(v) === name;

const NUMBERS: ReadonlySet<string> = new Set(['builtins.complex', 'decimal.Decimal', 'fractions.Fraction']);
const UFLOATS: ReadonlySet<string> = new Set(['uncertainties.core.Variable', 'uncertainties.core.AffineScalarFunc', 'uncertainties.Variable', 'uncertainties.AffineScalarFunc']);

/**
 * uncertainties' numbers, rebuilt as pickle writes them: NEWOBJ, copyreg.__newobj__ with no other
 * argument, or protocol 0 and 1's copyreg._reconstructor(cls, object, None).
 */
function isUfloat(v: Value): boolean {
  const cls = classOf(v);
  if (v.k !== 'call' || !cls || !UFLOATS.has(cls.resolved) || v.args.k !== 'tuple') return false;
  const items = v.args.items;
  if (v.callee === cls) return items.length === 0;
  if (v.callee.k === 'global' && (v.callee.resolved === 'copyreg._reconstructor' || v.callee.resolved === 'copy_reg._reconstructor')) {
    const [, base, state] = items;
    return items.length === 3 && base?.k === 'global' && base.resolved === 'builtins.object' && state?.k === 'none';
  }
  return items.length === 1;
}

/**
 * A magnitude pint stores without calling anything on it beyond isinstance and type(). A numpy scalar
 * must be a bool, an int or a float (complex scalars, which pint does not write, are refused) and an
 * array of a numeric dtype: `scalar(dtype('O'), x)` is x itself, any object, and an object
 * array holds any objects, whose methods the Quantity's arithmetic, comparisons and formatting run.
 */
function plainMagnitude(v: Value, kind: 'number' | 'ufloat'): boolean {
  if (v.k === 'call' && isUfloat(v)) return true;
  if (kind === 'ufloat') return false;
  switch (v.k) {
    case 'int':
      return v.v !== null;
    case 'float':
      return true;
    case 'call':
      if (v.callee.k === 'global' && v.args.k === 'tuple' && NUMBERS.has(v.callee.resolved)) return true;
      return isNumpyNumber(v) || plainNumpyArray(v) || plainNumpyBuffer(v);
    default:
      return false;
  }
}

/** Why a UnitsContainer's BUILD state is not the `(udict, 1, float)` pint writes, or null. */
function unitsStateWhy(state: Value | undefined): string | null {
  if (!state || state.k !== 'tuple' || state.count !== 3 || state.items.length !== 3) return "the UnitsContainer's state is not pint's (udict, 1, float)";
  const [d, one, nonInt] = state.items as [Value, Value, Value];
  if (!isA(d, UDICT) || (d.k === 'call' && d.state !== undefined)) return "the UnitsContainer's first state item is not a udict the pickle rebuilt";
  if (one.k !== 'int' || one.v !== 1) return "the UnitsContainer's second state item is not 1";
  if (nonInt.k !== 'global' || nonInt.resolved !== 'builtins.float') return "the UnitsContainer's non-int type is not float (UnitsContainer calls it)";
  return null;
}

/**
 * A value pint's parser cannot be handed as text to evaluate: a unit name that is an identifier, a
 * number, a bool, None, or a fully kept tuple, list, set or dict of these. Anything else (other text,
 * text the scanner does not know, an object or a call's result that may be or compare with text, a
 * global) is refused: the guard cannot tell it apart from `meter*9**9**8`.
 */
function plainArgument(v: Value, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  switch (v.k) {
    case 'str':
      return v.v !== null && UNIT_NAME.test(v.v);
    case 'int':
      return v.v !== null;
    case 'float':
    case 'bool':
    case 'none':
      return true;
    case 'tuple':
    case 'list':
    case 'set':
      return v.count === v.items.length && v.items.every((x) => plainArgument(x, depth + 1));
    case 'dict':
      return v.count === v.entries.length && v.entries.every(([k, x]) => plainArgument(k, depth + 1) && plainArgument(x, depth + 1));
    default:
      return false;
  }
}

/** Why the arguments of a name that parses text are not plain (positional, keyword, a reconstructor's state), or null. */
function parsedArgsWhy(call: GuardedCall): string | null {
  const kwargs = call.kwargs;
  if (kwargs && kwargs.k !== 'none' && !(kwargs.k === 'dict' && plainArgument(kwargs))) return PARSED_WHY;
  return call.args.every((a) => plainArgument(a)) ? null : PARSED_WHY;
}

const PARSED_WHY =
  "an argument is text that is not a unit name that is an identifier, or a value the guard cannot tell apart from such text (pint's expression evaluator computes what the text spells: `meter*9**9**8` evaluates 9**9**8, which never ends)";

/** Why the arguments of a call of a reviewed pint name are not what pint writes, or null. */
function callWhy(call: GuardedCall, role: Role): string | null {
  if (role.kind === 'refused') return role.why;
  if (role.kind === 'parses') return parsedArgsWhy(call);
  if (!noKeywords(call.kwargs)) return 'pint writes no keyword arguments';
  const args = call.args;
  switch (role.kind) {
    case 'class-argument':
      return "pint's unpicklers ignore this class; pint never calls or rebuilds it";
    case 'units':
      if (call.how === 'reconstruct') return call.base === 'builtins.object' && args[0]?.k === 'none' ? null : 'a UnitsContainer is rebuilt by copyreg._reconstructor only with object as base and no state';
      return args.length === 0 ? null : 'a UnitsContainer is rebuilt with no arguments (its __init__ calls the non-int type of a UnitsContainer argument)';
    case 'udict': {
      if (call.how !== 'reconstruct') return args.length === 0 ? null : 'a udict is rebuilt with no arguments, then filled by SETITEM';
      const d = args[0];
      if (call.base !== 'builtins.dict' || d?.k !== 'dict' || d.count !== d.entries.length) return 'a udict is rebuilt by copyreg._reconstructor only with dict as base and a dict state whose entries are all kept';
      for (const [k, v] of d.entries) {
        const why = entryWhy(k, v);
        if (why) return why;
      }
      return null;
    }
    case 'unpickler': {
      if (call.how !== 'call') return "pint's unpicklers are called, never rebuilt";
      const n = role.magnitude ? 3 : 2;
      if (args.length !== n) return `pint writes ${n} arguments here`;
      const cls = args[0]!;
      if (cls.k !== 'global' || !role.classes.includes(pintName(cls) ?? cls.resolved)) return `its first argument is not ${role.classes.join(' or ')}`;
      if (role.magnitude && !plainMagnitude(args[1]!, role.magnitude))
        return role.magnitude === 'ufloat'
          ? 'the magnitude is not an uncertainties number the pickle rebuilt'
          : 'the magnitude is not an int, a float, a complex, Decimal or Fraction, a numpy number or array of numbers (an object dtype holds any object), or an uncertainties number';
      const units = args[n - 1]!;
      if (!isA(units, UNITS)) return 'the units are not a UnitsContainer the pickle rebuilt';
      return unitsStateWhy(units.k === 'call' ? units.state : undefined);
    }
  }
}

/** INERT builders that hash what they are given: their keys meet one another's __hash__ and __eq__. */
const KEYED_BUILDERS: ReadonlySet<string> = new Set(['builtins.set', 'builtins.frozenset', 'builtins.dict', 'collections.OrderedDict', 'collections.Counter']);

/** Does a key hash an object pint's unpicklers made (itself, or inside a tuple or frozenset)? */
function hashesPintObject(v: Value, depth = 0): boolean {
  if (depth > MAX_DEPTH) return true;
  if (v.k === 'call') {
    const name = guardedName(v) ?? '';
    const role = PINT_REVIEWED.get(name)?.role;
    return UNPICKLERS.has(name) || (role?.kind === 'parses' && role.compares);
  }
  if (v.k === 'tuple' || (v.k === 'set' && v.frozen)) return v.count !== v.items.length ? v.h : v.items.some((x) => hashesPintObject(x, depth + 1));
  return false;
}

const KEY_WHY =
  "a pint object is a dict key or set member: its __hash__ converts it to base units through the application registry and its __eq__ runs pint's comparison on the other key (the catalogue's gadget path); pint's pickles have none";

/** set(...), dict(...), OrderedDict(...), Counter(...) made from values that hold a pint object as a key. */
function builtKeys(builder: string, args: Value): CostFinding | null {
  const a = args.k === 'tuple' ? args.items[0] : undefined;
  if (!a) return null;
  const dictLike = builder !== 'builtins.set' && builder !== 'builtins.frozenset';
  let keys: readonly Value[];
  if (a.k === 'dict') keys = a.entries.map(([k]) => k);
  else if (a.k === 'list' || a.k === 'tuple' || a.k === 'set') keys = dictLike ? a.items.map((p) => (p.k === 'tuple' || p.k === 'list' ? (p.items[0] ?? p) : p)) : a.items;
  else return holdsCall(a, hashesPintObject, MAX_DEPTH) ? refuse(`${KEY_WHY} (a container built from a value the scanner cannot list)`) : null;
  return keys.some((k) => hashesPintObject(k)) ? refuse(KEY_WHY) : null;
}

/** The guard a call breaks, if any (costs.ts callCost asks). */
export function pintCallGuard(callee: GlobalValue, args: Value, kwargs: Value | undefined): CostFinding | null {
  if (KEYED_BUILDERS.has(callee.resolved)) return builtKeys(callee.resolved, args);
  const call = guardedCall(callee, args, kwargs, owns, 'a reviewed pint name');
  if (!call || 'rule' in call) return call;
  const spec = PINT_REVIEWED.get(call.name);
  if (!spec) return refuse(`no argument guard for ${call.name}`);
  const why = callWhy(call, spec.role);
  return why ? refuse(`${call.name} is admitted with the arguments pint writes only: ${why}`) : null;
}

/** A BUILD on an object of a reviewed pint name (costs.ts buildGuard asks). */
export function pintBuildGuard(name: string, state: Value): CostFinding | null {
  const spec = PINT_REVIEWED.get(name);
  if (spec?.role.kind === 'units') {
    const why = unitsStateWhy(state);
    return why ? refuse(`a UnitsContainer's BUILD is admitted with pint's state only: ${why}`) : null;
  }
  return refuse(`pint writes no BUILD for what ${name} makes`);
}

/**
 * New keys of a dict or members of a set the pickle fills (every `step`-th of `items[from..to)`;
 * with step 2 the value follows each key): a pint object is refused there, and a udict gets only unit
 * names and exponents (containers.ts judgeKeys asks).
 */
export function pintKeys(container: Value, keys: readonly Value[], from: number, to: number, step: number): CostFinding | null {
  const udict = step === 2 && isA(container, UDICT);
  for (let i = from; i < to; i += step) {
    const k = keys[i]!;
    if (udict) {
      const why = entryWhy(k, keys[i + 1]);
      if (why) return refuse(`pint's udict holds unit names and exponents only: ${why}`);
    }
    if (hashesPintObject(k)) return refuse(KEY_WHY);
  }
  return null;
}

/**
 * `_unpickle_*(cls, ...)` ignores `cls`: the class pint writes there is not handed to code that uses
 * it (ops/calls.ts passedClasses skips it).
 */
export function ignoredClassArgument(callee: GlobalValue, v: GlobalValue): boolean {
  const name = pintName(callee);
  const spec = name !== undefined ? PINT_REVIEWED.get(name) : undefined;
  return spec?.role.kind === 'unpickler' && spec.role.classes.includes(pintName(v) ?? v.resolved);
}
