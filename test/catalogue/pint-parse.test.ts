/**
 * pint's expression parser reached from names the catalogue rates safe (src/machine/pint.ts PARSERS):
 * a unit class called with text (`pint.Unit('meter*9**9**8')` runs the registry's parse_units, which
 * computes 9**9**8 and never ends), numeric_parse, compat.eq of a pint object and text, the
 * tokenizers and tree builders are admitted with plain arguments only (unit names that are
 * identifiers, numbers, None, containers of these); pint's functions that compute a power of the
 * pickle's numbers or search its graph exponentially are refused. Every hostile variant here was
 * confirmed to hang in Python (pint 0.19.2 with 3.11, 0.24.4 with 3.13, killed after 10 s) where its
 * name exists.
 */
import { DENIED, P, SAFE, judge, split } from './guard-support';

type Step = (p: P) => P;
const pickle = (step: Step, proto = 2) => new P().proto(proto).pipe(step).stop().done();
const g =
  (name: string): Step =>
  (p) =>
    p.global(...split(name));
/** `name(*args)` by REDUCE. */
const call =
  (name: string, ...args: Step[]): Step =>
  (p) => {
    p.global(...split(name)).mark();
    for (const a of args) p.pipe(a);
    return p.tuple().reduce();
  };
const text =
  (s: string): Step =>
  (p) =>
    p.str(s);
const int =
  (n: number): Step =>
  (p) =>
    p.binint(n);

const HOSTILE = 'meter*9**9**8';

/** The unit classes of both generations (0.19.2: pint.unit.Unit; 0.24.4: PlainUnit, the registry's Unit and the facets' subclasses) and the aliases a pickle names them by. */
const UNIT_CLASSES = [
  'pint.Unit',
  'pint.unit.Unit',
  'pint.registry.Unit',
  'pint.facets.plain.unit.PlainUnit',
  'pint.facets.plain.PlainUnit',
  'pint.facets.context.objects.ContextUnit',
  'pint.facets.dask.DaskUnit',
  'pint.facets.group.objects.GroupUnit',
  'pint.facets.measurement.objects.MeasurementUnit',
  'pint.facets.nonmultiplicative.objects.NonMultiplicativeUnit',
  'pint.facets.numpy.unit.NumpyUnit',
  'pint.facets.system.objects.SystemUnit',
];

/** A UnitsContainer and a Unit rebuilt as pint writes them (the shapes pint-guard.test.ts accepts). */
const units: Step = (p) => p.global('pint.util', 'UnitsContainer').emptyTuple().newobj().global('pint.util', 'udict').emptyTuple().newobj().str('meter').binint1(1).setitem().binint1(1).global('builtins', 'float').tuple3().build();
const pintUnit: Step = (p) => p.global('pint', '_unpickle_unit').global('pint.facets.plain.unit', 'PlainUnit').pipe(units).tuple2().reduce();
const parserHelper: Step = call('pint.util.ParserHelper', int(1));

describe('pint: unit classes called with text', () => {
  test.each(UNIT_CLASSES)('%s(text) is refused unless the text is a unit name that is an identifier', (cls) => {
    for (const t of [HOSTILE, '9**9**9', 'meter ** 2', 'm/s', '', '[length]', 'm\u00e8tre']) expect([cls, t, judge(pickle(call(cls, text(t))))]).toEqual([cls, t, DENIED]);
    // pint.Unit('meter') loads (a lookup in the application registry)
    expect([cls, judge(pickle(call(cls, text('meter'))))]).toEqual([cls, SAFE]);
  });

  test('NEWOBJ, NEWOBJ_EX keywords, copyreg.__newobj__ and _reconstructor with text are refused', () => {
    const cls = 'pint.facets.plain.unit.PlainUnit';
    expect(judge(pickle((p) => p.pipe(g(cls)).str(HOSTILE).tuple1().newobj()))).toEqual(DENIED);
    expect(judge(pickle((p) => p.pipe(g(cls)).emptyTuple().emptyDict().str('units').str(HOSTILE).setitem().newobjEx(), 4))).toEqual(DENIED);
    expect(judge(pickle((p) => p.global('copyreg', '__newobj__').pipe(g(cls)).str(HOSTILE).tuple2().reduce()))).toEqual(DENIED);
    expect(judge(pickle((p) => p.global('copyreg', '_reconstructor').pipe(g(cls)).global('builtins', 'str').str(HOSTILE).tuple3().reduce()))[1]).toEqual(expect.arrayContaining(['DENIED_GLOBAL/unsafe-call']));
    // SharedRegistryObject.__new__ ignores its arguments: NEWOBJ with plain ones, and pickle's own rebuild, are harmless
    expect(judge(pickle((p) => p.pipe(g(cls)).str('meter').tuple1().newobj()))).toEqual(SAFE);
    expect(judge(pickle((p) => p.pipe(g(cls)).emptyTuple().newobj()))).toEqual(SAFE);
  });

  test('text inside a partial, a container, a keyword, or arguments the scanner cannot tell apart from text are refused', () => {
    expect(judge(pickle((p) => p.global('functools', 'partial').global('pint', 'Unit').str(HOSTILE).tuple2().reduce().emptyTuple().reduce()))).toEqual(DENIED);
    expect(judge(pickle((p) => p.global('functools', 'partial').global('pint', 'Unit').tuple1().reduce().str(HOSTILE).tuple1().reduce()))).toEqual(DENIED);
    // a partial's keywords set by its BUILD state (func, args, kwds, dict)
    expect(judge(pickle((p) => p.global('functools', 'partial').global('pint', 'Unit').tuple1().reduce().mark().global('pint', 'Unit').emptyTuple().emptyDict().str('units').str(HOSTILE).setitem().none().tuple().build().emptyTuple().reduce()))).toEqual(DENIED);
    expect(judge(pickle(call('pint.Unit', (p) => p.emptyList().str(HOSTILE).append())))).toEqual(DENIED);
    expect(judge(pickle(call('pint.Unit', (p) => p.emptyDict().str('meter').str(HOSTILE).setitem())))).toEqual(DENIED);
    // text the machine computes is judged as it is (str('m') is 'm'); text it cannot compute, a global, a pint object are refused
    expect(judge(pickle(call('pint.Unit', call('builtins.str', text('m')))))).toEqual(SAFE);
    expect(judge(pickle(call('pint.Unit', call('builtins.str', g('builtins.float')))))[1]).toEqual(expect.arrayContaining(['DENIED_GLOBAL/unsafe-call']));
    expect(judge(pickle(call('pint.Unit', g('builtins.float'))))[1]).toEqual(expect.arrayContaining(['DENIED_GLOBAL/unsafe-call']));
    expect(judge(pickle(call('pint.Unit', pintUnit)))[1]).toEqual(expect.arrayContaining(['DENIED_GLOBAL/unsafe-call']));
  });

  test('a unit class handed to another callable (which may call it with text) is gadget-passed', () => {
    expect(judge(pickle((p) => p.global('builtins', 'map').global('pint', 'Unit').emptyList().str(HOSTILE).append().tuple2().reduce()))[1]).toEqual(expect.arrayContaining(['DENIED_GLOBAL/gadget-passed']));
  });

  test('a Unit as a dict key or set member is refused (its __eq__ parses the text it meets)', () => {
    expect(judge(pickle((p) => p.emptyDict().pipe(call('pint.Unit', text('meter'))).binint1(1).setitem()))).toEqual(DENIED);
    expect(judge(pickle((p) => p.emptySet().mark().pipe(call('pint.Unit', text('meter'))).additems(), 4))).toEqual(DENIED);
  });
});

describe('pint: ParserHelper, numeric_parse, compat.eq', () => {
  test('ParserHelper with text or a non_int_type it would call is refused; a plain scale is not', () => {
    expect(judge(pickle(call('pint.util.ParserHelper', text(HOSTILE))))).toEqual(DENIED);
    expect(judge(pickle((p) => p.global('pint.util', 'ParserHelper').str(HOSTILE).tuple1().newobj()))).toEqual(DENIED);
    expect(judge(pickle((p) => p.global('pint.util', 'ParserHelper').emptyTuple().emptyDict().str('non_int_type').global('builtins', 'float').setitem().newobjEx(), 4))).toEqual(DENIED);
    expect(judge(pickle(parserHelper))).toEqual(SAFE);
    // a ParserHelper as a dict key compares itself with the other keys by parsing them
    expect(judge(pickle((p) => p.emptyDict().pipe(parserHelper).binint1(1).setitem()))).toEqual(DENIED);
  });

  test('numeric_parse (0.19) with an expression is refused, with a name is not', () => {
    for (const t of ['9**9**8', '1', '2*3']) expect([t, judge(pickle(call('pint.definitions.numeric_parse', text(t))))]).toEqual([t, DENIED]);
    expect(judge(pickle(call('pint.definitions.numeric_parse', text('pi'))))).toEqual(SAFE);
  });

  test('compat.eq of a pint object and text (either side) is refused; of plain values is not', () => {
    const eq = (a: Step, b: Step) => pickle(call('pint.compat.eq', a, b, (p) => p.false()));
    // (a ParserHelper or unit given to library code is gadget-passed as well: its __eq__ parses the text it meets)
    const both = ['dangerous', ['DENIED_GLOBAL/gadget-passed', 'DENIED_GLOBAL/unsafe-call']];
    expect(judge(eq(parserHelper, text(HOSTILE)))).toEqual(both);
    expect(judge(eq(text(HOSTILE), parserHelper))).toEqual(both);
    expect(judge(eq(pintUnit, text('meter')))).toEqual(both);
    expect(judge(eq(pintUnit, text(HOSTILE)))[1]).toEqual(expect.arrayContaining(['DENIED_GLOBAL/unsafe-call']));
    expect(judge(eq(units, text(HOSTILE)))[1]).toEqual(expect.arrayContaining(['DENIED_GLOBAL/unsafe-call']));
    // a pint object with an identifier: refused too (the guard admits plain values only)
    expect(judge(eq(parserHelper, text('meter')))).toEqual(both);
    expect(judge(eq(text('meter'), text('second')))).toEqual(SAFE);
    expect(judge(eq(int(1), int(2)))).toEqual(SAFE);
  });
});

describe('pint: find_connected_nodes compares its start with the items of a list graph', () => {
  test('a pint object in the graph and text as start are refused; plain nodes are not', () => {
    const fcn = (graph: Step, start: Step) => pickle(call('pint.util.find_connected_nodes', graph, start));
    expect(judge(fcn((p) => p.emptyList().pipe(units).append(), text(HOSTILE)))[1]).toEqual(expect.arrayContaining(['DENIED_GLOBAL/unsafe-call']));
    expect(judge(fcn((p) => p.emptyList().str('a').append(), text(HOSTILE)))).toEqual(DENIED);
    expect(judge(fcn((p) => p.emptyDict().str('a').emptyList().str('b').append().setitem(), text('a')))).toEqual(SAFE);
  });
});

describe('pint: the tokenizers and tree builders', () => {
  test.each(['pint.pint_eval.build_eval_tree', 'pint.pint_eval._build_eval_tree', 'pint.compat.tokenizer', 'pint.pint_eval._plain_tokenizer', 'pint.pint_eval.uncertainty_tokenizer', 'pint.toktest.tokenizer'])('%s with an expression is refused', (fn) => {
    expect(judge(pickle(call(fn, text(HOSTILE))))).toEqual(DENIED);
    // tokens built by the pickle: `**` is no identifier
    expect(judge(pickle(call(fn, (p) => p.emptyList().mark().binint1(1).str('9').tuple2().binint1(54).str('**').tuple2().appends())))).toEqual(DENIED);
    expect(judge(pickle(call(fn, text('meter'))))).toEqual(SAFE);
  });
});

describe("pint: functions that compute a power of the pickle's numbers, allocate what it names or search its graph exponentially", () => {
  test.each([
    ['pint.pint_eval._power', [int(9), int(9 ** 8)]],
    ['pint.numpy_func._power', [int(9), int(9 ** 8)]],
    ['pint.facets.numpy.numpy_func._power', [int(9), int(9 ** 8)]],
    ['pint.registry_helpers._replace_units', [(p: P) => p.emptyDict().str('a').binint(9 ** 8).setitem(), (p: P) => p.emptyDict().str('a').binint1(9).setitem()]],
    ['pint.util.find_shortest_path', [(p: P) => p.emptyDict().binint1(0).emptyList().binint1(1).append().setitem(), int(0), int(1)]],
    ['pint.numpy_func.get_op_output_unit', [text('size'), int(9), (p: P) => p.none(), int(9 ** 8)]],
    ['pint.facets.numpy.numpy_func.get_op_output_unit', [text('size'), int(9), (p: P) => p.none(), int(9 ** 8)]],
    ['pint.numpy_func._full_like', [int(0), int(1), (p: P) => p.none(), text('K'), (p: P) => p.true(), (p: P) => p.binint(16000).binint(16000).tuple2()]],
    ['pint.facets.numpy.numpy_func._full_like', [int(0), int(1)]],
  ] as Array<[string, Step[]]>)('%s is refused whatever its arguments', (fn, args) => {
    expect(judge(pickle(call(fn, ...args)))).toEqual(DENIED);
    expect(judge(pickle(call(fn, int(2), int(3))))).toEqual(DENIED);
  });
});

describe("pint: Group and System register themselves in the application registry", () => {
  test.each(['pint.systems.Group', 'pint.facets.group.objects.Group', 'pint.systems.System', 'pint.facets.system.objects.System'])('%s is refused (called, rebuilt, given a BUILD)', (cls) => {
    expect(judge(pickle(call(cls, text('root'))))).toEqual(DENIED);
    expect(judge(pickle((p) => p.pipe(g(cls)).emptyTuple().newobj()))).toEqual(DENIED);
    expect(judge(pickle((p) => p.pipe(g(cls)).emptyTuple().newobj().emptyDict().str('name').str('root').setitem().build()))[0]).toBe('dangerous');
  });
});

describe("pint: what pint's own pickles hold stays accepted", () => {
  test('a unit and a quantity as pint writes them', () => {
    expect(judge(pickle(pintUnit))).toEqual(SAFE);
    expect(judge(pickle((p) => p.global('pint', '_unpickle_quantity').global('pint.facets.plain.quantity', 'PlainQuantity').float('1.5').pipe(units).tuple3().reduce()))).toEqual(SAFE);
    expect(judge(pickle((p) => p.global('pint', '_unpickle_unit').global('pint.unit', 'Unit').pipe(units).tuple2().reduce()))).toEqual(SAFE);
  });
});
