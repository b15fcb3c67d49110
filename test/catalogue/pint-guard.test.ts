/**
 * pint's reviewed argument guard (src/machine/pint.ts): `_unpickle_quantity`, `_unpickle_unit` and
 * `_unpickle_measurement` are admitted with what pint writes (the class it ignores, a plain magnitude,
 * a UnitsContainer rebuilt with `(udict, 1, float)` whose udict holds unit names that are
 * identifiers); a unit name pint's evaluator would compute, another shape, a BUILD or SETITEM on what
 * they make, a pint object as a key, and anything that reaches pint's application registry are
 * refused.
 */
import { scan } from '../../src';
import { lookupCatalogue } from '../../src/names/catalogue';
import { PINT_REVIEWED } from '../../src/machine/pint';
import { compilePolicy, getPolicy } from '../../src/policy/registry';
import { DENIED, P, SAFE, judge, split } from './guard-support';

/** The class pint writes as the ignored first argument, per generation (0.19.2, 0.24.4). */
const QUANTITY = ['pint.quantity.Quantity', 'pint.facets.plain.quantity.PlainQuantity'];
const UNIT = ['pint.unit.Unit', 'pint.facets.plain.unit.PlainUnit'];
const MEASUREMENT = ['pint.measurement.Measurement', 'pint.facets.measurement.objects.Measurement'];

type Step = (p: P) => P;
const float = (p: P) => p.global('builtins', 'float');

/** A udict rebuilt as pint writes it: NEWOBJ, then SETITEMS of unit names and exponents. */
const udict =
  (entries: ReadonlyArray<[string, number]>): Step =>
  (p) => {
    p.global('pint.util', 'udict').emptyTuple().newobj();
    if (entries.length) {
      p.mark();
      for (const [k, v] of entries) p.str(k).binint(v);
      p.setitems();
    }
    return p;
  };
/** A UnitsContainer rebuilt as pint writes it: NEWOBJ, BUILD (udict, 1, float). */
const units = (entries: ReadonlyArray<[string, number]> = [['meter', 1]], d: Step = udict(entries), one: Step = (p) => p.binint1(1), nonInt: Step = float): Step => (p) => p.global('pint.util', 'UnitsContainer').emptyTuple().newobj().pipe(d).pipe(one).pipe(nonInt).tuple3().build();
/** An uncertainties number rebuilt as uncertainties writes it. */
const ufloat: Step = (p) => p.global('uncertainties.core', 'Variable').emptyTuple().newobj().emptyDict().str('_nominal_value').float('1.0').setitem().str('_std_dev').float('0.1').setitem().str('tag').none().setitem().build();
/** A numpy dtype as numpy writes it: `dtype(code, False, True)`, then BUILD of its state. */
const dtype =
  (code: string): Step =>
  (p) =>
    p.global('numpy', 'dtype').str(code).false().true().tuple3().reduce().mark().binint1(3).str(code === 'O' ? '|' : '<').none().none().none().binint(-1).binint(-1).binint1(code === 'O' ? 63 : 0).tuple().build();
const eightBytes: Step = (p) => p.bytes(new Uint8Array(8));
/** An ndarray as numpy writes it (protocols 2 to 4): `_reconstruct(ndarray, (0,), b'b')`, then BUILD `(1, shape, dtype, is_fortran, data)`. */
const ndarray =
  (code = 'i8', data: Step = eightBytes): Step =>
  (p) =>
    p.global('numpy.core.multiarray', '_reconstruct').global('numpy', 'ndarray').binint1(0).tuple1().bytes('b').tuple3().reduce().mark().binint1(1).binint1(1).tuple1().pipe(dtype(code)).false().pipe(data).tuple().build();
/** An ndarray as protocol 5 writes one in band: `_frombuffer(buffer, dtype, shape, order)`. */
const frombuffer =
  (code = 'i8'): Step =>
  (p) =>
    p.global('numpy.core.numeric', '_frombuffer').mark().pipe(eightBytes).pipe(dtype(code)).binint1(1).tuple1().str('C').tuple().reduce();
/** A numpy scalar as numpy writes it: `scalar(dtype, data)`. */
const scalar =
  (code = 'f8', data: Step = eightBytes): Step =>
  (p) =>
    p.global('numpy.core.multiarray', 'scalar').pipe(dtype(code)).pipe(data).tuple2().reduce();

const quantity = (cls: string, magnitude: Step = (p) => p.float('3.5'), u: Step = units()): Step => (p) => p.global('pint', '_unpickle_quantity').global(...split(cls)).pipe(magnitude).pipe(u).tuple3().reduce();
const unit = (cls: string, u: Step = units()): Step => (p) => p.global('pint', '_unpickle_unit').global(...split(cls)).pipe(u).tuple2().reduce();
const measurement = (cls: string, magnitude: Step = ufloat, u: Step = units()): Step => (p) => p.global('pint', '_unpickle_measurement').global(...split(cls)).pipe(magnitude).pipe(u).tuple3().reduce();
const pickle = (step: Step, proto = 2) => new P().proto(proto).pipe(step).stop().done();

describe('pint: the names the guard reviews', () => {
  test('are in the catalogue, not safe there (but the container classes), and admitted at import by the guard', () => {
    for (const name of PINT_REVIEWED.keys()) {
      const e = lookupCatalogue(...split(name));
      expect([name, e !== undefined]).toEqual([name, true]);
      const r = scan(new P().proto(2).global(...split(name)).stop().done(), { policy: 'default' });
      expect([name, r.verdict]).toEqual([name, 'safe']);
    }
    expect(lookupCatalogue('pint', '_unpickle_quantity')?.kind).toBe('unverified');
    expect(lookupCatalogue('pint.facets.plain.quantity', 'PlainQuantity')?.kind).toBe('gadget');
  });

  test('the exported Python guard carries no catalogue and refuses them (fail closed)', () => {
    const def = getPolicy('default');
    const rulesOnly = compilePolicy({ ...def.spec, catalogue: false } as never);
    for (const name of PINT_REVIEWED.keys()) expect([name, rulesOnly.judge(...split(name), 4).decision]).toEqual([name, 'unlisted']);
  });
});

describe('pint: what pint writes is accepted', () => {
  test.each([2, 4])('quantities, units and measurements of either generation (protocol %i)', (proto) => {
    for (const cls of QUANTITY) {
      expect([cls, judge(pickle(quantity(cls), proto))]).toEqual([cls, SAFE]);
      expect([cls, judge(pickle(quantity(cls, (p) => p.binint(7), units([['kilogram', 1], ['meter', 2], ['second', -2]])), proto))]).toEqual([cls, SAFE]);
      expect([cls, judge(pickle(quantity(cls, ndarray()), proto))]).toEqual([cls, SAFE]);
      expect([cls, judge(pickle(quantity(cls, frombuffer()), proto))]).toEqual([cls, SAFE]);
      expect([cls, judge(pickle(quantity(cls, scalar()), proto))]).toEqual([cls, SAFE]);
      expect([cls, judge(pickle(quantity(cls, ufloat), proto))]).toEqual([cls, SAFE]);
      expect([cls, judge(pickle(quantity(cls, (p) => p.global('decimal', 'Decimal').str('1.5').tuple1().reduce()), proto))]).toEqual([cls, SAFE]);
    }
    for (const cls of UNIT) expect([cls, judge(pickle(unit(cls, units([['kilometer', 1], ['hour', -1]])), proto))]).toEqual([cls, SAFE]);
    for (const cls of MEASUREMENT) expect([cls, judge(pickle(measurement(cls), proto))]).toEqual([cls, SAFE]);
  });

  test('a list of them, sharing one UnitsContainer through the memo, and a protocol 0 UnitsContainer', () => {
    const shared = new P().proto(2).emptyList().mark().pipe(quantity(QUANTITY[1]!, (p) => p.float('1.0'), (p) => units()(p).binput(9))).pipe(quantity(QUANTITY[1]!, (p) => p.float('2.0'), (p) => p.binget(9))).appends().stop().done();
    expect(judge(shared)).toEqual(SAFE);
    const p0 = (p: P) => p.global('copyreg', '_reconstructor').global('pint.util', 'UnitsContainer').global('builtins', 'object').none().tuple3().reduce().global('copyreg', '_reconstructor').global('pint.util', 'udict').global('builtins', 'dict').emptyDict().str('meter').binint1(1).setitem().tuple3().reduce().binint1(1).pipe(float).tuple3().build();
    expect(judge(pickle(quantity(QUANTITY[0]!, (p) => p.float('1.0'), p0)))).toEqual(SAFE);
    // protocols 0 and 1 rebuild an uncertainties number with copyreg._reconstructor(cls, object, None)
    const ufloatP0 = (base: string) => (p: P) => p.global('copyreg', '_reconstructor').global('uncertainties.core', 'Variable').global(...split(base)).none().tuple3().reduce().emptyDict().str('_nominal_value').float('1.0').setitem().build();
    expect(judge(pickle(measurement(MEASUREMENT[0]!, ufloatP0('builtins.object'), p0)))).toEqual(SAFE);
    expect(judge(pickle(measurement(MEASUREMENT[0]!, ufloatP0('builtins.dict'), p0)))[1]).toEqual(expect.arrayContaining(['DENIED_GLOBAL/unsafe-call']));
  });
});

describe('pint: unit names and the UnitsContainer', () => {
  test("a unit name pint's evaluator would compute (meter*9**9**8 never ends) is refused where the udict gets it", () => {
    for (const name of ['meter*9**9**8', '9**9**9', 'meter ** 2', '[length]', '', 'm\u00e8tre']) expect([name, judge(pickle(quantity(QUANTITY[1]!, undefined, units([[name, 1]]))))]).toEqual([name, DENIED]);
    // a udict alone, filled with such a name
    expect(judge(pickle(udict([['a+b', 1]])))).toEqual(DENIED);
    // in a protocol 0 udict state
    const p0 = (p: P) => p.global('copyreg', '_reconstructor').global('pint.util', 'udict').global('builtins', 'dict').emptyDict().str('9**9**9').binint1(1).setitem().tuple3().reduce();
    expect(judge(pickle(p0))).toEqual(DENIED);
  });

  test('udict keys that are not str and values that are not numbers are refused', () => {
    expect(judge(pickle((p) => p.global('pint.util', 'udict').emptyTuple().newobj().binint1(1).binint1(1).setitem()))).toEqual(DENIED);
    expect(judge(pickle((p) => p.global('pint.util', 'udict').emptyTuple().newobj().str('meter').str('1').setitem()))).toEqual(DENIED);
    expect(judge(pickle((p) => p.global('pint.util', 'udict').emptyTuple().newobj().str('meter').global('decimal', 'Decimal').str('1').tuple1().reduce().setitem()))).toEqual(DENIED);
  });

  test('udict and UnitsContainer are rebuilt without arguments only (UnitsContainer.__init__ calls the non-int type of a container argument)', () => {
    expect(judge(pickle((p) => p.global('pint.util', 'udict').emptyDict().str('meter').binint1(1).setitem().tuple1().reduce()))).toEqual(DENIED);
    expect(judge(pickle((p) => p.global('pint.util', 'UnitsContainer').pipe(units()).tuple1().reduce()))).toEqual(DENIED);
    expect(judge(pickle((p) => p.global('pint.util', 'UnitsContainer').emptyDict().tuple1().newobj()))).toEqual(DENIED);
    expect(judge(pickle((p) => p.global('copyreg', '_reconstructor').global('pint.util', 'UnitsContainer').global('builtins', 'dict').emptyDict().tuple3().reduce()))).toEqual(DENIED);
  });

  test("a UnitsContainer's state other than (udict, 1, float) is refused at its BUILD", () => {
    const state = (d: Step, one: Step, nonInt: Step) => pickle(units([], d, one, nonInt));
    expect(judge(state(udict([['meter', 1]]), (p) => p.binint1(1), (p) => p.global('decimal', 'Decimal')))).toEqual(DENIED);
    expect(judge(state(udict([['meter', 1]]), (p) => p.binint1(2), float))).toEqual(DENIED);
    expect(judge(state((p) => p.emptyDict().str('meter').binint1(1).setitem(), (p) => p.binint1(1), float))).toEqual(DENIED);
    expect(judge(pickle((p) => p.global('pint.util', 'UnitsContainer').emptyTuple().newobj().pipe(udict([])).binint1(1).tuple2().build()))).toEqual(DENIED);
    // a second BUILD with another state is checked as the first
    expect(judge(pickle((p) => units()(p).pipe(udict([])).binint1(1).global('fractions', 'Fraction').tuple3().build()))).toEqual(DENIED);
    // a BUILD on the udict itself
    expect(judge(pickle((p) => udict([])(p).emptyDict().str('x').binint1(1).setitem().build()))).toEqual(DENIED);
  });
});

describe('pint: the unpicklers take the shapes pint writes only', () => {
  test('another class argument, a missing or extra argument, keyword arguments', () => {
    expect(judge(pickle(quantity('builtins.int')))).toEqual(DENIED);
    // a unit class is guarded too (pint-parse.test.ts): handed to an unpickler that does not ignore it, gadget-passed as well
    expect(judge(pickle(quantity(UNIT[1]!)))).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-passed', 'DENIED_GLOBAL/unsafe-call']]);
    // the quantity class is handed to an unpickler that does not ignore it: gadget-passed as well
    expect(judge(pickle(unit(QUANTITY[1]!)))[1]).toEqual(expect.arrayContaining(['DENIED_GLOBAL/unsafe-call']));
    expect(judge(pickle((p) => p.global('pint', '_unpickle_quantity').global(...split(QUANTITY[1]!)).float('1.0').tuple2().reduce()))).toEqual(DENIED);
    expect(judge(pickle((p) => p.global('pint', '_unpickle_unit').global(...split(UNIT[1]!)).pipe(units()).pipe(units()).tuple3().reduce()))).toEqual(DENIED);
    const kw = new P().proto(4).global('functools', 'partial').global('pint', '_unpickle_unit').global(...split(UNIT[1]!)).tuple2().reduce().emptyTuple().reduce().stop().done();
    // (the unit class in the partial is handed to a callable that is not an unpickler call: gadget-passed as well)
    expect(judge(kw)).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-passed', 'DENIED_GLOBAL/unsafe-call']]);
  });

  test.each<[string, Step]>([
    ['a str (parsed by pint when there are no units)', (p) => p.str('9**9**9 meter')],
    ['a bool', (p) => p.true()],
    ['None', (p) => p.none()],
    ['a dict', (p) => p.emptyDict()],
    ['a list', (p) => p.emptyList().binint1(1).append()],
    ['an object of another library', (p) => p.global('collections', 'OrderedDict').emptyTuple().reduce()],
    ['a UnitsContainer (its names would be parsed too)', units([['meter', 1]])],
    ['a global', (p) => p.global('builtins', 'len')],
    ['a persistent id', (p) => p.str('0').binpersid()],
    ['another pint object', quantity(QUANTITY[1]!)],
  ])('a magnitude that is %s is refused', (_what, magnitude) => {
    expect(judge(pickle(quantity(QUANTITY[1]!, magnitude)))[1]).toEqual(expect.arrayContaining(['DENIED_GLOBAL/unsafe-call']));
  });

  test.each<[string, Step]>([
    ["a numpy scalar of the object dtype (scalar(dtype('O'), x) is x itself)", scalar('O', (p) => p.str('9**9**9 meter'))],
    ['a numpy scalar of the object dtype with bytes', scalar('O')],
    ['a numpy scalar of a text dtype', scalar('U2')],
    ['an ndarray of the object dtype (its data a list of the objects)', ndarray('O', (p) => p.emptyList().binint1(1).append())],
    ['an ndarray of a numeric dtype with a list as its data', ndarray('i8', (p) => p.emptyList().binint1(1).append())],
    ['an ndarray without its BUILD', (p) => p.global('numpy.core.multiarray', '_reconstruct').global('numpy', 'ndarray').binint1(0).tuple1().bytes('b').tuple3().reduce()],
    ['a protocol 5 array of the object dtype', frombuffer('O')],
  ])('a magnitude that is %s is not a plain number', (_what, magnitude) => {
    expect(judge(pickle(quantity(QUANTITY[1]!, magnitude)))).toEqual(DENIED);
  });

  test("a measurement's magnitude is an uncertainties number only; units are a UnitsContainer with its state only", () => {
    expect(judge(pickle(measurement(MEASUREMENT[1]!, (p) => p.float('1.0'))))).toEqual(DENIED);
    expect(judge(pickle(quantity(QUANTITY[1]!, undefined, (p) => p.str('meter'))))).toEqual(DENIED);
    expect(judge(pickle(quantity(QUANTITY[1]!, undefined, (p) => p.global('pint.util', 'UnitsContainer').emptyTuple().newobj())))).toEqual(DENIED);
  });

  test('an unpickler rebuilt (copyreg.__newobj__, _reconstructor) is refused', () => {
    // (NEWOBJ of a function raises in CPython: a function has no __new__; the guard checks it as a call)
    // (the unit class, no longer the ignored argument of an unpickler call, is gadget-passed as well)
    expect(judge(pickle((p) => p.global('copyreg', '__newobj__').global('pint', '_unpickle_unit').global(...split(UNIT[1]!)).pipe(units()).tuple3().reduce()))).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-passed', 'DENIED_GLOBAL/unsafe-call']]);
    expect(judge(pickle((p) => p.global('copyreg', '_reconstructor').global('pint', '_unpickle_unit').global('builtins', 'object').none().tuple3().reduce()))[0]).toBe('dangerous');
  });
});

describe('pint: the classes pint writes as the ignored argument', () => {
  test.each([...QUANTITY, ...MEASUREMENT])('%s is never called, rebuilt or handed elsewhere', (cls) => {
    // called (Quantity('9**9**9 meter') parses the string)
    expect(judge(pickle((p) => p.global(...split(cls)).str('9**9**9 meter').tuple1().reduce()))).toEqual(DENIED);
    expect(judge(pickle((p) => p.global(...split(cls)).emptyTuple().newobj()))).toEqual(DENIED);
    expect(judge(pickle((p) => p.global('copyreg', '__newobj__').global(...split(cls)).tuple1().reduce()))).toEqual(DENIED);
    expect(judge(pickle((p) => p.global('copyreg', '_reconstructor').global('builtins', 'object').global(...split(cls)).none().tuple3().reduce()))[0]).toBe('dangerous');
    // handed to another callable, which may call it
    expect(judge(pickle((p) => p.global('pandas.core.indexes.base', '_new_Index').global(...split(cls)).emptyDict().tuple2().reduce()))).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-passed']]);
    // at another position of the unpickler
    expect(judge(pickle((p) => p.global('pint', '_unpickle_quantity').global(...split(QUANTITY[1]!)).global(...split(cls)).pipe(units()).tuple3().reduce()))[0]).toBe('dangerous');
  });
});

describe('pint: what the unpicklers make', () => {
  const q = quantity(QUANTITY[1]!);

  test('a BUILD on it is refused (pint writes none)', () => {
    expect(judge(pickle((p) => q(p).emptyDict().str('_magnitude').str('x').setitem().build()))).toEqual(DENIED);
    expect(judge(pickle((p) => unit(UNIT[1]!)(p).emptyDict().str('_units').none().setitem().build()))).toEqual(DENIED);
  });

  test("SETITEM, APPEND or ADDITEMS on a quantity or measurement runs methods no one reviewed (gadget-method)", () => {
    expect(judge(pickle((p) => q(p).binint1(0).float('1.0').setitem()))).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-method']]);
    expect(judge(pickle((p) => measurement(MEASUREMENT[1]!)(p).mark().binint1(0).appends()))).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-method']]);
    expect(judge(pickle((p) => q(p).mark().binint1(0).additems()))).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-method']]);
  });

  test('given to library code (a call, a BUILD state) it is judged by those methods (gadget-passed)', () => {
    expect(judge(pickle((p) => p.global('pandas.core.indexes.base', '_new_Index').global('pandas.core.indexes.base', 'Index').emptyDict().str('data').pipe(q).setitem().tuple2().reduce()))).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-passed']]);
    expect(judge(pickle((p) => p.global('argparse', 'Namespace').emptyTuple().newobj().emptyDict().str('q').pipe(q).setitem().build()))).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-passed']]);
    // kept in plain containers, it is not
    expect(judge(pickle((p) => p.emptyDict().str('q').pipe(q).setitem().emptyList().pipe(q).append().tuple2()))).toEqual(SAFE);
  });

  test('a pint object as a dict key or set member (its __hash__ converts through the registry) is refused', () => {
    expect(judge(pickle((p) => p.emptyDict().pipe(q).binint1(1).setitem()))).toEqual(DENIED);
    expect(judge(pickle((p) => p.emptyDict().pipe(q).binint1(1).tuple2().binint1(1).setitem()))).toEqual(DENIED);
    expect(judge(pickle((p) => p.emptySet().mark().pipe(unit(UNIT[1]!)).additems()))).toEqual(DENIED);
    expect(judge(pickle((p) => p.mark().pipe(q).frozenset()))).toEqual(DENIED);
    expect(judge(pickle((p) => p.global('builtins', 'set').emptyList().pipe(q).append().tuple1().reduce()))).toEqual(DENIED);
    expect(judge(pickle((p) => p.global('collections', 'OrderedDict').emptyList().pipe(q).binint1(1).tuple2().append().tuple1().reduce()))).toEqual(DENIED);
    // (tuple(...) handed over is walked as handing its items: gadget-passed as well)
    expect(judge(pickle((p) => p.global('builtins', 'frozenset').global('builtins', 'tuple').emptyList().pipe(q).append().tuple1().reduce().tuple1().reduce()))[1]).toEqual(expect.arrayContaining(['DENIED_GLOBAL/unsafe-call']));
    // held in the keywords of a call the container is built from (NEWOBJ_EX)
    expect(judge(pickle((p) => p.global('builtins', 'frozenset').global('collections', 'OrderedDict').emptyTuple().emptyDict().str('x').pipe(q).setitem().newobjEx().tuple1().reduce()))[1]).toEqual(expect.arrayContaining(['DENIED_GLOBAL/unsafe-call']));
    // as a value it is fine
    expect(judge(pickle((p) => p.emptyDict().str('k').pipe(q).setitem()))).toEqual(SAFE);
  });
});

describe("pint: the application registry stays out of the pickle's reach", () => {
  test.each([
    ['pint', 'get_application_registry'],
    ['pint', 'set_application_registry'],
    ['pint', 'application_registry'],
    ['pint.registry', 'ApplicationRegistry'],
    ['pint', 'ApplicationRegistry'],
    ['pint.matplotlib', 'setup_matplotlib_handlers'],
    ['pint.testsuite', 'main'],
  ])('%s.%s is a gadget', (module, name) => {
    expect(judge(pickle((p) => p.global(module, name)))).toEqual(['dangerous', ['DENIED_GLOBAL/gadget']]);
  });

  test("a BUILD on the registry that sets its Quantity, then an unpickler call (the unpickler would call what the BUILD set) is refused", () => {
    const poison = new P()
      .proto(2)
      .global('pint', 'get_application_registry')
      .emptyTuple()
      .reduce()
      .none()
      .emptyDict()
      .str('Quantity')
      .global('builtins', 'len')
      .setitem()
      .tuple2()
      .build()
      .pop()
      .pipe(quantity(QUANTITY[1]!))
      .stop()
      .done();
    expect(judge(poison)[0]).toBe('dangerous');
    expect(judge(poison)[1]).toEqual(expect.arrayContaining(['DENIED_GLOBAL/gadget']));
  });
});
