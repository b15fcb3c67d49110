/**
 * lmfit's reviewed guards (src/machine/lmfit.ts): parameters and models are admitted with the state
 * lmfit writes, every constraint expression restricted to arithmetic; anything that would let asteval
 * evaluate a pickle's text (an expression, a usersyms override, ExpressionModel's init_script, the
 * functions that evaluate text) is rejected, op by op.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { constraintProblem, MAX_CONSTRAINT_LENGTH } from '../../src/machine/lmfit';
import { P as Builder } from '../support/pickle-builder';
import { judgeSorted as judge } from './guard-support';

class P extends Builder {
  pipe(f: (p: this) => P): this {
    return f(this) as this;
  }
  /** BINFLOAT. */
  f64(x: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(x);
    return this.raw(0x47, b);
  }
}

const SAFE = ['safe', []];
const UNSAFE = ['dangerous', ['DENIED_GLOBAL/unsafe-call']];
const EVIL = "open('/etc/hostname').read()";

type Field = (p: P) => P;
const num = (x: number): Field => (p) => p.f64(x);
const str = (s: string): Field => (p) => p.str(s);
const none: Field = (p) => p.none();
const bool = (b: boolean): Field => (p) => (b ? p.true() : p.false());
/** numpy.float64 as numpy 1.24 pickles it: scalar(dtype('f8', False, True) + BUILD, 8 bytes). */
const f8: Field = (p) =>
  p.global('numpy.core.multiarray', 'scalar').global('numpy', 'dtype').str('f8').false().true().tuple3().reduce()
    .mark().binint1(3).str('<').none().none().none().binint(-1).binint(-1).binint1(0).tuple().build()
    .bytes(Buffer.alloc(8, 1)).tuple2().reduce();

/** The 11 fields of Parameter.__getstate__, as lmfit writes them for a parameter with `expr`. */
const fields = (name: string, expr: string | null, over: Partial<Record<number, Field>> = {}): Field[] => {
  const base: Field[] = [str(name), num(1), bool(expr === null), expr === null ? none : str(expr), num(-Infinity), num(Infinity), none, none, none, num(1), none];
  return base.map((f, i) => over[i] ?? f);
};
/** NEWOBJ Parameter() + BUILD of a tuple of these fields. */
const parameter = (fs: Field[], module = 'lmfit.parameter'): Field => (p) => fs.reduce((q, f) => f(q) as P, p.global(module, 'Parameter').emptyTuple().newobj().mark()).tuple().build();
/** REDUCE Parameters() + BUILD {'unique_symbols': symbols, 'params': [params]}. */
const parameters = (symbols: [string, Field][], params: Field[], extra?: (p: P) => P): Field => (p) => {
  let q = p.global('lmfit.parameter', 'Parameters').emptyTuple().reduce().emptyDict().mark().str('unique_symbols').emptyDict();
  if (symbols.length) q = symbols.reduce((x, [k, f]) => f(x.str(k)) as P, q.mark()).setitems();
  q = q.str('params').emptyList();
  if (params.length) q = params.reduce((x, f) => f(x) as P, q.mark()).appends();
  if (extra) q = extra(q);
  return q.setitems().build();
};
const SYMBOLS: [string, Field][] = [
  ['pi', num(Math.PI)],
  ['None', none],
  ['True', bool(true)],
  ['gamfcn', (p) => p.global('scipy.special._ufuncs', 'gamma')],
  ['betalnfnc', (p) => p.global('scipy.special._special_ufuncs', 'betaln')],
  ['decay', f8],
];
const pickle = (f: Field) => f(new P().proto(2)).stop().done();

describe('lmfit: constraint expressions', () => {
  test("every expression lmfit's own models write (1.1.0 and 1.3.3, with and without a prefix) is plain arithmetic", () => {
    const exprs = JSON.parse(fs.readFileSync(path.join(__dirname, 'lmfit-model-constraints.json'), 'utf8')) as string[];
    expect(exprs.length).toBeGreaterThan(50);
    expect(exprs.filter((e) => constraintProblem(e) !== null)).toEqual([]);
  });

  test.each(['decay * 0.5', '-x**2', '2**-1', '1e-15', '.5', '5.', '1.e5', '0.5j', 'wofz(1j*g).real', 'max(1e-15, s)', 'a % 2 // 3', '  a  ', '', 'a .real', '1 .imag'])('%j is admitted', (e) => {
    expect(constraintProblem(e)).toBeNull();
  });

  test.each([
    EVIL, '__import__', 'x.__class__', 'a.conjugate', 'a if b else c', 'lambda: 1', 'x[0]', 'max(*a)', 'max(a=1)', 'sqrt(1)(2)', '(max)(1)', 'a.real(1)',
    '1; 2', 'a\nb', 'a # c', 'x < 1', 'a and b', 'not a', '[1]', '{1}', 'f"x"', '0x10', '1_000', 'print(1)', 'type(x)', 'eval("1")', 'open(1)', 'a@b', '~a',
    'a|b', 'a := 1', '\\', 'max(', 'max()', 'a..real', '1 2', 'x y', 'é', '\u0430', 'True', 'None(1)',
  ])('%j is not', (e) => {
    expect(constraintProblem(e)).not.toBeNull();
  });

  test('length and nesting are bounded', () => {
    expect(constraintProblem('x'.repeat(MAX_CONSTRAINT_LENGTH))).toBeNull();
    expect(constraintProblem('x'.repeat(MAX_CONSTRAINT_LENGTH + 1))).not.toBeNull();
    expect(constraintProblem(`${'('.repeat(20)}1${')'.repeat(20)}`)).toBeNull();
    expect(constraintProblem(`${'('.repeat(40)}1${')'.repeat(40)}`)).not.toBeNull();
    expect(constraintProblem(`${'-'.repeat(40)}1`)).not.toBeNull();
  });
});

describe('lmfit: Parameters and Parameter as lmfit pickles them', () => {
  const real = parameters(SYMBOLS, [parameter(fields('amp', null)), parameter(fields('half', 'decay * 0.5')), parameter(fields('fwhm', '2.3548200*sigma', { 1: f8, 7: f8 }))]);

  test('REDUCE Parameters() and BUILD of numbers, scipy functions and parameters with arithmetic constraints are accepted', () => {
    expect(judge(pickle(real))).toEqual(SAFE);
  });

  test("correlations, a numpy stderr, uncertainties' CallableStdDev and plain user_data are accepted", () => {
    const stddev: Field = (p) => p.global('uncertainties.core', 'CallableStdDev').f64(0.001).tuple1().newobj();
    const correl: Field = (p) => p.emptyDict().str('decay').pipe(f8).setitem();
    const user: Field = (p) => p.emptyDict().str('note').str('text').setitem();
    expect(judge(pickle(parameters([], [parameter(fields('a', 'b*2', { 7: stddev, 8: correl, 10: user }))])))).toEqual(SAFE);
    // protocols 0 and 1 write the float subclass with copyreg._reconstructor
    const old: Field = (p) => p.global('copyreg', '_reconstructor').global('uncertainties.core', 'CallableStdDev').global('builtins', 'float').f64(0.001).tuple3().reduce();
    expect(judge(pickle(parameter(fields('a', 'b*2', { 7: old }))))).toEqual(SAFE);
    const other: Field = (p) => p.global('copyreg', '_reconstructor').global('uncertainties.core', 'CallableStdDev').global('builtins', 'object').none().tuple3().reduce();
    expect(judge(pickle(parameter(fields('a', 'b*2', { 7: other }))))).toEqual(UNSAFE);
  });

  test('a Parameters SETITEM of a parameter with a checked expression is accepted (it evaluates arithmetic)', () => {
    const b = pickle((p) => p.global('lmfit.parameter', 'Parameters').emptyTuple().reduce().str('b').pipe(parameter(fields('b', 'a * 2'))).setitem());
    expect(judge(b)).toEqual(SAFE);
  });
});

describe('lmfit: hostile parameters', () => {
  test.each([
    ['a file read', EVIL],
    ['a call of a function not admitted', "print('x')"],
    ['a dunder name', '__builtins__'],
    ['an attribute walk', 'a.__class__.__bases__'],
    ['a string', "'abc'"],
  ])('an expression with %s is rejected at the BUILD, alone, inside Parameters or given to SETITEM', (_what, expr) => {
    expect(judge(pickle(parameter(fields('b', expr))))).toEqual(UNSAFE);
    expect(judge(pickle(parameters(SYMBOLS, [parameter(fields('b', expr))])))).toEqual(UNSAFE);
    const setitem = pickle((p) => p.global('lmfit.parameter', 'Parameters').emptyTuple().reduce().str('b').pipe(parameter(fields('b', expr))).setitem());
    expect(judge(setitem)).toEqual(UNSAFE);
  });

  test.each<[string, Partial<Record<number, Field>>]>([
    ['a name that is not an identifier', { 0: str('a b') }],
    ['a name that is a keyword', { 0: str('lambda') }],
    ['an object as the value', { 1: (p) => p.global('collections', 'OrderedDict').emptyTuple().reduce() }],
    ['a str as the value', { 1: str('1') }],
    ['a global as a bound', { 4: (p) => p.global('builtins', 'len') }],
    ['a non-bool vary', { 2: num(1) }],
    ['an expression that is not a str', { 3: (p) => p.bytes('a*2') }],
    ['an object as stderr', { 7: (p) => p.global('collections', 'OrderedDict').emptyTuple().reduce() }],
    ['a correlation with an object', { 8: (p) => p.emptyDict().str('a').global('collections', 'OrderedDict').emptyTuple().reduce().setitem() }],
    ['a correlation under a non-name key', { 8: (p) => p.emptyDict().binint1(1).f64(0.5).setitem() }],
    ['an object in user_data', { 10: (p) => p.emptyList().global('collections', 'OrderedDict').emptyTuple().reduce().append() }],
  ])('%s is rejected', (_what, over) => {
    expect(judge(pickle(parameter(fields('a', null, over))))).toEqual(UNSAFE);
  });

  test('a state that is not the 11-tuple is rejected (a dict would unpack its keys)', () => {
    expect(judge(pickle((p) => p.global('lmfit.parameter', 'Parameter').emptyTuple().newobj().emptyDict().str('name').str('a').setitem().build()))).toEqual(UNSAFE);
    expect(judge(pickle(parameter(fields('a', null).slice(0, 10))))).toEqual(UNSAFE);
    expect(judge(pickle(parameter([...fields('a', null), none])))).toEqual(UNSAFE);
  });

  test('calling Parameter with arguments (which keeps an unchecked expression) is rejected however it is called', () => {
    const args = (p: P) => p.str('b').none().true().f64(-Infinity).f64(Infinity).str(EVIL);
    expect(judge(pickle((p) => p.global('lmfit.parameter', 'Parameter').mark().pipe(args).tuple().reduce()))).toEqual(UNSAFE);
    expect(judge(pickle((p) => p.global('lmfit.parameter', 'Parameter').mark().pipe(args).tuple().newobj()))).toEqual(UNSAFE);
    expect(judge(pickle((p) => p.global('copyreg', '__newobj__').mark().global('lmfit.parameter', 'Parameter').pipe(args).tuple().reduce()))).toEqual(UNSAFE);
    expect(judge(pickle((p) => p.global('copyreg', '_reconstructor').global('lmfit', 'Parameter').global('lmfit.parameter', 'Parameter').str('b').tuple3().reduce()))).toEqual(UNSAFE);
    const ctor = (p: P) => p.global('builtins', 'getattr').global('lmfit.model', 'Parameter').str('__new__').tuple2().reduce();
    expect(judge(pickle((p) => p.pipe(ctor).mark().global('lmfit.model', 'Parameter').pipe(args).tuple().reduce()))).toEqual(['dangerous', expect.arrayContaining(['DENIED_GLOBAL/unsafe-call'])]);
    const kw = (p: P) => p.global('lmfit.minimizer', 'Parameter').emptyTuple().emptyDict().str('expr').str(EVIL).setitem().newobjEx();
    expect(judge(new P().proto(4).pipe(kw).stop().done())).toEqual(UNSAFE);
    // the rebuild lmfit writes, under another spelling, is fine
    expect(judge(pickle((p) => p.global('lmfit', 'Parameter').emptyTuple().newobj()))).toEqual(SAFE);
  });
});

describe('lmfit: hostile Parameters', () => {
  test('Parameters(usersyms), which replaces asteval functions such as max, is rejected under every spelling', () => {
    const usersyms = (m: string) => pickle((p) => p.global(m, 'Parameters').emptyDict().str('max').global('builtins', 'len').setitem().tuple1().reduce());
    for (const m of ['lmfit.parameter', 'lmfit', 'lmfit.model', 'lmfit.minimizer']) expect([m, ...judge(usersyms(m))]).toEqual([m, 'dangerous', expect.arrayContaining(['DENIED_GLOBAL/unsafe-call'])]);
    expect(judge(pickle((p) => p.global('copyreg', '_reconstructor').global('lmfit.parameter', 'Parameters').global('lmfit.parameter', 'Parameters').emptyDict().tuple3().reduce()))).toEqual(UNSAFE);
  });

  test.each<[string, Field]>([
    ['a symbol bound to an object', parameters([['x', (p) => p.global('collections', 'OrderedDict').emptyTuple().reduce()]], [])],
    ['a symbol bound to another global', parameters([['x', (p) => p.global('builtins', 'len')]], [])],
    ['a symbol bound to a str', parameters([['x', str('abc')]], [])],
    ['a tuple among the params (Parameter(*tuple) with an unchecked expression)', parameters([], [(p) => p.mark().str('b').f64(1).true().f64(-Infinity).f64(Infinity).str(EVIL).tuple()])],
    ['a Parameter with no state yet', parameters([], [(p) => p.global('lmfit.parameter', 'Parameter').emptyTuple().newobj()])],
    ['another object among the params', parameters([], [(p) => p.global('collections', 'OrderedDict').emptyTuple().reduce()])],
  ])('%s is rejected', (_what, f) => {
    expect(judge(pickle(f))).toEqual(UNSAFE);
  });

  test('a state with another key, without params, or that is not a dict is rejected', () => {
    const build = (state: Field) => pickle((p) => p.global('lmfit.parameter', 'Parameters').emptyTuple().reduce().pipe(state).build());
    expect(judge(build((p) => p.emptyDict().str('unique_symbols').emptyDict().setitem().str('params').emptyList().setitem().str('_asteval').none().setitem()))).toEqual(UNSAFE);
    expect(judge(build((p) => p.emptyDict().str('unique_symbols').emptyDict().setitem()))).toEqual(UNSAFE);
    expect(judge(build((p) => p.emptyList()))).toEqual(UNSAFE);
    // a symbol under a key made by a call
    const key = (p: P) => p.emptyDict().str('unique_symbols').emptyDict().global('collections', 'OrderedDict').emptyTuple().reduce().none().setitem().setitem().str('params').emptyList().setitem();
    expect(judge(build(key))[0]).toBe('dangerous');
  });

  test('the class handed to a callable that may call it with anything is a finding', () => {
    const handed = pickle((p) => p.global('pandas.core.indexes.base', '_new_Index').global('lmfit.parameter', 'Parameters').emptyDict().str('usersyms').emptyDict().setitem().tuple2().reduce());
    expect(judge(handed)).toEqual(['suspicious', ['UNLISTED_GLOBAL/unverified-passed']]);
  });
});

describe('lmfit: models', () => {
  const model = (state: (p: P) => P) => pickle((p) => p.global('lmfit.models', 'GaussianModel').emptyTuple().newobj().emptyDict().pipe(state).build());
  const hints = (expr: string) => (p: P) => p.str('param_hints').emptyDict().str('fwhm').emptyDict().str('expr').str(expr).setitem().setitem().setitem();

  test('a model state with its function, options and hints with arithmetic expressions is accepted', () => {
    const state = (p: P) => p.str('func').global('lmfit.lineshapes', 'gaussian').setitem().str('_prefix').str('').setitem().str('opts').emptyDict().setitem().pipe(hints('2.3548200*sigma'));
    expect(judge(model(state))).toEqual(SAFE);
  });

  test('a hint expression that is not arithmetic, another hint item, or an attribute lmfit models lack is rejected', () => {
    expect(judge(model(hints(EVIL)))).toEqual(UNSAFE);
    expect(judge(model((p) => p.str('param_hints').emptyDict().str('x').emptyDict().str('init').str('1').setitem().setitem().setitem()))).toEqual(UNSAFE);
    expect(judge(model((p) => p.str('make_params').global('lmfit.lineshapes', 'gaussian').setitem()))).toEqual(UNSAFE);
  });

  test("the residual function a fit keeps (getattr(model, '_residual')) is a value; calling it is not accepted", () => {
    const residual = (p: P) => p.global('builtins', 'getattr').global('lmfit.models', 'ExponentialModel').emptyTuple().newobj().str('_residual').tuple2().reduce();
    expect(judge(new P().proto(4).pipe(residual).stop().done())).toEqual(SAFE);
    expect(judge(new P().proto(4).pipe(residual).emptyTuple().reduce().stop().done())).toEqual(['suspicious', ['UNLISTED_GLOBAL/called-reference']]);
    expect(judge(new P().proto(4).global('lmfit.minimizer', 'MinimizerResult.show_candidates').stop().done())).toEqual(SAFE);
    expect(judge(new P().proto(4).global('lmfit.models', 'ExponentialModel.fit').stop().done())[0]).toBe('suspicious');
  });
});

describe('lmfit: names that evaluate a pickle’s text are denied', () => {
  test.each([
    ['lmfit.models', 'ExpressionModel'],
    ['lmfit.model', '_buildmodel'],
    ['lmfit.parameter', 'asteval_with_uncertainties'],
    ['lmfit.minimizer', 'asteval_with_uncertainties'],
    ['lmfit.parameter', 'create_params'],
    ['lmfit', 'create_params'],
    ['lmfit', 'models.ExpressionModel'],
  ])('%s %s', (module, name) => {
    expect(judge(new P().proto(4).global(module, name).stop().done())).toEqual(['dangerous', ['DENIED_GLOBAL/gadget']]);
  });

  test('ExpressionModel with an init_script (asteval runs it in __init__) is rejected', () => {
    const b = pickle((p) => p.global('lmfit.models', 'ExpressionModel').str('a*x').none().str(`h = ${EVIL}`).tuple3().reduce());
    expect(judge(b)[0]).toBe('dangerous');
  });
});
