/**
 * lmfit's reviewed guards (docs/catalogue.md, "Reviewed guards: lmfit's parameters and models").
 * Read in lmfit 1.1.0 with asteval 0.9.28 (Debian 12, Python 3.11) and lmfit 1.3.3 with asteval
 * 1.0.6 (Debian 13, Python 3.13).
 *
 * A Parameter may carry a constraint expression (`expr`), text that asteval (a Python-subset
 * interpreter, not a sandbox to trust with a pickle's text: it has `open`, and known escapes) parses
 * and evaluates in its Parameters' interpreter whenever the value is read. Unpickling a Parameters
 * only parses (`add_many` delays evaluation), but a Parameters' `__setitem__` (SETITEM on one)
 * evaluates at once, and so does every later read of `.value`. Model objects keep the same kind of
 * text in `param_hints`, which `make_params()` turns into parameters. The guards admit what lmfit
 * writes, with every expression restricted to arithmetic over names and numbers:
 *
 * - `Parameter.__setstate__(state)` (parameter.py, both versions): unpacks an 11-tuple (name, value,
 *   vary, expr, min, max, brute_step, stderr, correl, init_value, user_data), sets `expr` through
 *   its setter (stored, not parsed: `_expr_eval` is not set yet), resets `_expr_eval` to None and
 *   compares and clips the numbers (`_init_bounds`, the value setter). Admitted: exactly that tuple,
 *   of plain numbers (numpy's too), a bool, a checked expression or None, a dict of numbers, plain
 *   data for user_data. Anything else (an object would have its `__gt__`, `__eq__` run, and a
 *   Parameter there would evaluate its own expression) is DENIED_GLOBAL/unsafe-call.
 * - `Parameters.__setstate__(state)`: copies `state['unique_symbols']` into the interpreter's symbol
 *   table (only names not there yet: the functions asteval and lmfit put there cannot be replaced)
 *   and adds `state['params']` with `add_many` (a tuple there is called as `Parameter(*tuple)`).
 *   Admitted: a dict of exactly those two keys; symbols that are names bound to numbers, None or the
 *   scipy functions lmfit itself adds; parameters that are Parameter objects the pickle built and
 *   gave a (guarded) state before.
 * - `Parameters(usersyms)` copies usersyms into the symbol table over asteval's own functions, and
 *   `Parameter(name, value, vary, min, max, expr)` keeps an expression no guard saw: lmfit never
 *   pickles a call with arguments (REDUCE `Parameters()`, NEWOBJ `Parameter()`), so any argument is
 *   refused.
 * - the models (`Model` and the classes of lmfit.models): no `__setstate__`, BUILD updates
 *   `__dict__`. Admitted: a dict of the attributes lmfit's models have (so that no key shadows a
 *   method), whose `param_hints` hold only `value`, `vary`, `min`, `max` and checked expressions.
 *
 * lmfit names that evaluate a pickle's text are denied outright (REVIEWED_GADGETS in
 * src/names/catalogue/judge.ts): ExpressionModel (its `init_script` is run by asteval in
 * `__init__`; pickle cannot write one: it holds its interpreter, output streams included, and a
 * closure), `_buildmodel` (builds one from a state), `asteval_with_uncertainties` (evaluates
 * `obj._expr_ast` of any object) and `create_params` (parameters with unchecked text).
 */
import type { CostFinding } from './cost-finding';
import { isPlainData } from './plain-data';
import { noKeywords } from './guarded-call';
import { isNumpyNumber } from './numpy-numbers';
import { classOf, type Value } from './values';

export const PARAMETER = 'lmfit.parameter.Parameter';
export const PARAMETERS = 'lmfit.parameter.Parameters';

/** lmfit's model classes (both versions; ExpressionModel is denied), whose BUILD state is guarded. */
export const MODEL_CLASSES: readonly string[] = [
  'lmfit.model.Model', 'lmfit.model.CompositeModel',
  ...['BreitWignerModel', 'ComplexConstantModel', 'ConstantModel', 'DampedHarmonicOscillatorModel', 'DampedOscillatorModel', 'DoniachModel',
    'ExponentialGaussianModel', 'ExponentialModel', 'Gaussian2dModel', 'GaussianModel', 'LinearModel', 'LognormalModel', 'LorentzianModel',
    'MoffatModel', 'Pearson4Model', 'Pearson7Model', 'PolynomialModel', 'PowerLawModel', 'PseudoVoigtModel', 'QuadraticModel', 'RectangleModel',
    'SineModel', 'SkewedGaussianModel', 'SkewedVoigtModel', 'SplineModel', 'SplitLorentzianModel', 'StepModel', 'StudentsTModel',
    'ThermalDistributionModel', 'VoigtModel'].map((n) => `lmfit.models.${n}`),
];

/** The instance attributes lmfit's models have (vars() of each, both versions): a BUILD may set no other. */
const MODEL_ATTRIBUTES: ReadonlySet<string> = new Set([
  '_func_allargs', '_func_haskeywords', '_name', '_param_names', '_param_root_names', '_prefix', 'def_vals', 'func', 'independent_vars',
  'independent_vars_defvals', 'knots', 'left', 'nan_policy', 'nknots', 'op', 'opts', 'order', 'param_hints', 'poly_degree', 'right', 'xknots',
]);

const refuse = (what: string, why: string): CostFinding => ({ rule: 'DENIED_GLOBAL/unsafe-call', args: { why: `${what}; ${why}` } });

// ---- constraint expressions ---------------------------------------------------------------------

/**
 * Functions a constraint may call: numeric functions of asteval's default symbol table (numpy ufuncs
 * and the builtins max, min) and the scipy functions Parameters() adds (gamfcn, loggammafcn,
 * betalnfnc, erf, erfc, wofz). Every one is in the table of `Parameters()` in both versions before
 * the pickle's symbols are copied in, which only adds names not there yet, so the name calls that
 * function (or, if a parameter has the same name, its number, which is not callable). lmfit's own
 * models use max, sqrt, exp, log, log1p, square, arctan, arctan2, real, wofz, gamfcn, loggammafcn and
 * betalnfnc.
 */
const CONSTRAINT_FUNCTIONS: ReadonlySet<string> = new Set([
  'abs', 'max', 'min', 'sqrt', 'exp', 'expm1', 'log', 'log10', 'log2', 'log1p', 'sin', 'cos', 'tan', 'arcsin', 'arccos', 'arctan', 'arctan2',
  'sinh', 'cosh', 'tanh', 'real', 'imag', 'square', 'sign', 'fabs', 'hypot', 'floor', 'ceil',
  'erf', 'erfc', 'wofz', 'gamfcn', 'loggammafcn', 'betalnfnc',
]);

/** Python's keywords (3.11 and 3.13): never a name in a constraint (`if`, `lambda`, `not`...). */
const KEYWORDS: ReadonlySet<string> = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except',
  'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try',
  'while', 'with', 'yield',
]);

/** Longest constraint admitted (lmfit's own models write up to about 220 characters). */
export const MAX_CONSTRAINT_LENGTH = 1000;
/** Deepest nesting of parentheses, calls and unary signs admitted. */
const MAX_NESTING = 32;

type Token = { t: 'num' | 'name' | 'op'; v: string };

const TOKEN = /[ \t]*(?:((?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[jJ]?)|([A-Za-z_][A-Za-z0-9_]*)|(\*\*|\/\/|[-+*/%(),.]))/y;

/** The tokens of a constraint, or why it has something else. */
function tokenize(text: string): Token[] | string {
  const out: Token[] = [];
  let at = 0;
  while (at < text.length) {
    if (/^[ \t]*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m) return `it has ${JSON.stringify(text.slice(at).trim().slice(0, 1))}, which is not part of an arithmetic expression`;
    at = TOKEN.lastIndex;
    if (m[1] !== undefined) {
      // a number glued to a name or another number is a different Python token (0x10, 1_000, 1if)
      if (/[A-Za-z0-9_]/.test(text[at] ?? '')) return `it has ${JSON.stringify(m[1] + text[at])}, which is not a plain decimal number`;
      out.push({ t: 'num', v: m[1] });
    } else if (m[2] !== undefined) out.push({ t: 'name', v: m[2] });
    else out.push({ t: 'op', v: m[3]! });
  }
  return out;
}

/**
 * Why a constraint expression is not plain arithmetic, or null when it is: decimal numbers (an
 * imaginary `j` suffix included), names, unary + and -, the binary + - * / // % **, parentheses,
 * `.real` and `.imag`, and calls of CONSTRAINT_FUNCTIONS with positional arguments. Any text this
 * accepts that Python parses at all parses to BinOp, UnaryOp, Constant (a number), Name, Attribute
 * (real, imag) and Call of a Name: no string, subscript, comparison, lambda, comprehension,
 * keyword argument or other attribute, so asteval can only look names up and do arithmetic (its `**`
 * refuses exponents over 10000).
 */
export function constraintProblem(text: string): string | null {
  if (text.length > MAX_CONSTRAINT_LENGTH) return `it is longer than ${MAX_CONSTRAINT_LENGTH} characters`;
  const tokens = tokenize(text);
  if (typeof tokens === 'string') return tokens;
  if (tokens.length === 0) return null; // '' is how lmfit clears an expression (stored as None)
  let i = 0;
  let problem: string | null = null;
  const peek = () => tokens[i];
  const isOp = (v: string) => tokens[i]?.t === 'op' && tokens[i]!.v === v;
  const fail = (why: string): false => {
    problem ??= why;
    return false;
  };
  const expr = (depth: number): boolean => {
    if (!term(depth)) return false;
    while (isOp('+') || isOp('-')) {
      i++;
      if (!term(depth)) return false;
    }
    return true;
  };
  const term = (depth: number): boolean => {
    if (!unary(depth)) return false;
    while (isOp('*') || isOp('/') || isOp('//') || isOp('%')) {
      i++;
      if (!unary(depth)) return false;
    }
    return true;
  };
  const unary = (depth: number): boolean => {
    if (depth > MAX_NESTING) return fail(`it nests deeper than ${MAX_NESTING}`);
    if (isOp('+') || isOp('-')) {
      i++;
      return unary(depth + 1);
    }
    if (!postfix(depth)) return false;
    if (isOp('**')) {
      i++;
      return unary(depth + 1);
    }
    return true;
  };
  const postfix = (depth: number): boolean => {
    if (!atom(depth)) return false;
    while (isOp('.')) {
      i++;
      const a = peek();
      if (a?.t !== 'name' || (a.v !== 'real' && a.v !== 'imag')) return fail('it reads an attribute other than .real and .imag');
      i++;
    }
    return true;
  };
  const atom = (depth: number): boolean => {
    const tok = peek();
    if (!tok) return fail('it ends where a number, a name or a parenthesis was expected');
    if (tok.t === 'num') {
      i++;
      return true;
    }
    if (tok.t === 'name') {
      if (KEYWORDS.has(tok.v)) return fail(`it has the Python keyword ${tok.v}`);
      if (tok.v.startsWith('__')) return fail(`it names ${tok.v}, which starts with two underscores`);
      i++;
      if (!isOp('(')) return true;
      if (!CONSTRAINT_FUNCTIONS.has(tok.v)) return fail(`it calls ${tok.v}, which is not one of the numeric functions admitted`);
      i++;
      for (;;) {
        if (!expr(depth + 1)) return false;
        if (isOp(',')) {
          i++;
          continue;
        }
        if (isOp(')')) {
          i++;
          return true;
        }
        return fail(`a call of ${tok.v} is not closed`);
      }
    }
    if (tok.v === '(') {
      i++;
      if (!expr(depth + 1)) return false;
      if (!isOp(')')) return fail('a parenthesis is not closed');
      i++;
      return true;
    }
    return fail(`it has ${JSON.stringify(tok.v)} where a number, a name or a parenthesis was expected`);
  };
  if (!expr(0)) return problem ?? 'it is not an arithmetic expression';
  if (i < tokens.length) return `it has ${JSON.stringify(tokens[i]!.v)} after a complete expression`;
  return null;
}

// ---- values -------------------------------------------------------------------------------------

/** A number: an int, a float, a bool or a numpy number. */
function isNumber(v: Value): boolean {
  return v.k === 'int' || v.k === 'float' || v.k === 'bool' || isNumpyNumber(v);
}

const numberOrNone = (v: Value) => v.k === 'none' || isNumber(v);

const STDDEV = 'uncertainties.core.CallableStdDev';

/**
 * uncertainties' `CallableStdDev(float)` (uncertainties 3.1.6; 3.2.3 has none), which lmfit 1.1.0 keeps as a
 * constrained parameter's stderr: a float subclass with no state, built by NEWOBJ from one float
 * (protocol 2 on) or by `copyreg._reconstructor(CallableStdDev, float, x)` (protocols 0 and 1).
 */
function isCallableStdDev(v: Value): boolean {
  if (v.k !== 'call' || v.state || v.kwargs || v.callee.k !== 'global' || v.args.k !== 'tuple' || v.args.count !== v.args.items.length) return false;
  const items = v.args.items;
  const isNum = (x: Value | undefined) => x?.k === 'float' || x?.k === 'int';
  if (v.callee.resolved === STDDEV) return items.length === 1 && isNum(items[0]);
  if (v.callee.resolved !== 'copyreg._reconstructor' && v.callee.resolved !== 'copy_reg._reconstructor') return false;
  const [cls, base, x] = items;
  return items.length === 3 && cls?.k === 'global' && cls.resolved === STDDEV && base?.k === 'global' && base.resolved === 'builtins.float' && isNum(x);
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,255}$/;

/** A constant str that is a plain identifier (asteval's valid_symbol_name, ASCII only). */
const isName = (v: Value): v is Value & { k: 'str'; v: string } => v.k === 'str' && v.v !== null && IDENTIFIER.test(v.v) && !KEYWORDS.has(v.v);

/** Why a value is not a constraint lmfit may keep (None, or a str of plain arithmetic), or null. */
function expressionProblem(v: Value): string | null {
  if (v.k === 'none') return null;
  if (v.k !== 'str' || v.v === null) return 'its expression is not a constant str';
  const why = constraintProblem(v.v);
  return why ? `its expression ${JSON.stringify(v.v.slice(0, 80))} is not plain arithmetic: ${why}` : null;
}

// ---- BUILD guards -------------------------------------------------------------------------------

/** Parameter.__setstate__: the 11-tuple lmfit writes. */
function parameterStateGuard(state: Value, hotKnown: boolean): CostFinding | null {
  const what = "lmfit's Parameter.__setstate__ keeps a constraint expression that asteval evaluates whenever the value is read";
  if ((state.k !== 'tuple' && state.k !== 'list') || state.count !== 11 || state.items.length !== 11) return refuse(what, 'this state is not the 11-tuple lmfit writes');
  const [name, value, vary, expr, min, max, brute, stderr, correl, init, user] = state.items as Value[] as [Value, Value, Value, Value, Value, Value, Value, Value, Value, Value, Value];
  if (!isName(name)) return refuse(what, 'its name is not a constant identifier');
  if (!numberOrNone(value) || !numberOrNone(min) || !numberOrNone(max) || !numberOrNone(brute) || !numberOrNone(init)) return refuse(what, 'its value, bounds, step or initial value is not a number or None');
  if (vary.k !== 'bool') return refuse(what, 'its vary flag is not a bool');
  const why = expressionProblem(expr);
  if (why) return refuse(what, why);
  if (!numberOrNone(stderr) && !isCallableStdDev(stderr)) return refuse(what, 'its stderr is not a number or None');
  if (correl.k !== 'none' && (correl.k !== 'dict' || correl.count !== correl.entries.length || !correl.entries.every(([k, x]) => isName(k) && isNumber(x)))) {
    return refuse(what, 'its correlations are not a dict of names to numbers');
  }
  if (!isPlainData(user, 4, hotKnown)) return refuse(what, 'its user_data is not plain data');
  return null;
}

/** The scipy functions `Parameters()` puts in its symbol table (lmfit writes them among unique_symbols). */
const SCIPY_SYMBOLS: ReadonlySet<string> = new Set(
  ['gamma', 'loggamma', 'betaln', 'erf', 'erfc', 'wofz'].flatMap((n) => ['scipy.special', 'scipy.special._ufuncs', 'scipy.special._special_ufuncs'].map((m) => `${m}.${n}`)),
);

/** A Parameter the pickle built and gave a state (its BUILD ran the guard above) before this BUILD. */
function isBuiltParameter(v: Value): boolean {
  return v.k === 'call' && classOf(v)?.guardedSetstate === PARAMETER && v.state !== undefined;
}

/** Parameters.__setstate__: {'unique_symbols': {name: number...}, 'params': [Parameter...]}. */
function parametersStateGuard(state: Value): CostFinding | null {
  const what = "lmfit's Parameters.__setstate__ copies unique_symbols into its asteval symbol table and adds params (a tuple there becomes Parameter(*tuple))";
  if (state.k !== 'dict' || state.count !== state.entries.length) return refuse(what, 'this state is not a dict kept whole');
  const seen = new Set<string>();
  for (const [k, v] of state.entries) {
    if (k.k !== 'str' || k.v === null || (k.v !== 'unique_symbols' && k.v !== 'params') || seen.has(k.v)) return refuse(what, 'its keys are not unique_symbols and params');
    seen.add(k.v);
    if (k.v === 'unique_symbols') {
      if (v.k !== 'dict' || v.count !== v.entries.length) return refuse(what, 'its unique_symbols are not a dict kept whole');
      for (const [name, x] of v.entries) {
        // asteval's own constants are among them (None, True, False: keywords no checked expression names)
        if (name.k !== 'str' || name.v === null || name.v.length > 256) return refuse(what, 'a symbol name is not a constant str');
        if (!(x.k === 'none' || isNumber(x) || (x.k === 'global' && SCIPY_SYMBOLS.has(x.resolved)))) return refuse(what, `the symbol ${name.v} is not a number, None or one of the scipy functions lmfit adds`);
      }
    } else if ((v.k !== 'list' && v.k !== 'tuple') || v.count !== v.items.length || !v.items.every(isBuiltParameter)) {
      return refuse(what, 'its params are not Parameter objects the pickle built and gave a state before');
    }
  }
  if (seen.size !== 2) return refuse(what, 'its keys are not unique_symbols and params');
  return null;
}

const HINTS: ReadonlySet<string> = new Set(['value', 'vary', 'min', 'max', 'expr']);

/** A model's BUILD (no __setstate__: __dict__ is updated): lmfit's attributes, hints with checked expressions. */
function modelStateGuard(state: Value): CostFinding | null {
  const what = "lmfit's models keep parameter hints whose expressions make_params() gives the parameters it makes";
  if (state.k !== 'dict' || state.count !== state.entries.length) return refuse(what, 'this state is not a dict kept whole');
  for (const [k, v] of state.entries) {
    if (k.k !== 'str' || k.v === null || !MODEL_ATTRIBUTES.has(k.v)) return refuse(what, 'the state sets an attribute lmfit models do not have (it could shadow a method)');
    if (k.v !== 'param_hints') continue;
    if (v.k !== 'dict' || v.count !== v.entries.length) return refuse(what, 'its param_hints are not a dict kept whole');
    for (const [name, hint] of v.entries) {
      if (!isName(name) || hint.k !== 'dict' || hint.count !== hint.entries.length) return refuse(what, 'a hint is not a dict kept whole under a name');
      for (const [item, x] of hint.entries) {
        if (item.k !== 'str' || item.v === null || !HINTS.has(item.v)) return refuse(what, 'a hint has an item other than value, vary, min, max and expr');
        const why = item.v === 'expr' ? expressionProblem(x) : item.v === 'vary' ? (x.k === 'bool' ? null : 'a hint vary is not a bool') : numberOrNone(x) ? null : 'a hint value or bound is not a number';
        if (why) return refuse(what, why);
      }
    }
  }
  return null;
}

export const LMFIT_SETSTATE_GUARDS: ReadonlyMap<string, (state: Value, hotKnown: boolean) => CostFinding | null> = new Map<string, (state: Value, hotKnown: boolean) => CostFinding | null>([
  [PARAMETER, parameterStateGuard],
  [PARAMETERS, parametersStateGuard],
  ...MODEL_CLASSES.map((n): [string, (state: Value) => CostFinding | null] => [n, modelStateGuard]),
]);

// ---- calls --------------------------------------------------------------------------------------

/** Parameter() and Parameters() take no argument when lmfit pickles them (NEWOBJ, REDUCE of `()`). */
const noArguments =
  (what: string) =>
  (args: readonly Value[], kwargs: Value | undefined): CostFinding | null =>
    args.length === 0 && noKeywords(kwargs) ? null : refuse(what, 'lmfit pickles it without arguments');

export const LMFIT_CALL_GUARDS: ReadonlyMap<string, (args: readonly Value[], kwargs: Value | undefined) => CostFinding | null> = new Map([
  [PARAMETER, noArguments("lmfit's Parameter(name, value, vary, min, max, expr) keeps an expression no guard checked")],
  [PARAMETERS, noArguments("lmfit's Parameters(usersyms) copies usersyms into its asteval symbol table over asteval's own functions")],
]);
