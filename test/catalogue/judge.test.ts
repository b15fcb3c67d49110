/**
 * How the default policy uses the catalogue's verdicts: names no rule lists are judged by it, and a
 * class whose only bad path is its __init__ (`callOnly`) is accepted when pickle rebuilds it (NEWOBJ,
 * copyreg.__newobj__, copyreg._reconstructor with object as base) and judged by __init__'s verdict
 * when a pickle calls it (REDUCE, a partial of it, _reconstructor with it as the base, INST, OBJ).
 */
import { scan, type Report } from '../../src';
import { lookupCatalogue } from '../../src/names/catalogue';
import { P } from '../support/pickle-builder';

const rules = (r: Report) => r.findings.map((f) => `${f.code}/${f.rule}`);
const judge = (bytes: Uint8Array) => {
  const r = scan(bytes, { policy: 'default' });
  return [r.verdict, rules(r)];
};

// networkx's Graph: __init__ calls what a container holds (unverified); a rebuild reaches nothing.
const GRAPH = ['networkx.classes.graph', 'Graph'] as const;

describe('callOnly classes', () => {
  test('the catalogue has the classes these tests use, with the verdicts they assume', () => {
    const g = lookupCatalogue(...GRAPH)!;
    expect([g.kind, g.callOnly]).toEqual(['unverified', true]);
  });

  test('rebuilt as pickle does, they are accepted', () => {
    expect(judge(new P().proto(2).global(...GRAPH).emptyTuple().newobj().emptyDict().build().stop().done())).toEqual(['safe', []]);
    expect(judge(new P().proto(2).global('copyreg', '__newobj__').global(...GRAPH).tuple1().reduce().emptyDict().build().stop().done())).toEqual(['safe', []]);
    expect(judge(new P().proto(2).global('copyreg', '_reconstructor').global(...GRAPH).global('builtins', 'object').none().tuple3().reduce().stop().done())).toEqual(['safe', []]);
  });

  test('called, their __init__ is judged by the catalogue', () => {
    const unverified = ['suspicious', ['UNLISTED_GLOBAL/unverified-call']];
    expect(judge(new P().proto(2).global(...GRAPH).emptyTuple().reduce().stop().done())).toEqual(unverified);
    expect(judge(new P().proto(2).global('functools', 'partial').global(...GRAPH).tuple1().reduce().emptyTuple().reduce().stop().done())).toEqual(unverified);
    expect(judge(new P().proto(2).global('copyreg', '_reconstructor').global(...GRAPH).binput(0).binget(0).none().tuple3().reduce().stop().done())).toEqual(unverified);
    expect(judge(new P().proto(1).mark().global(...GRAPH).raw(0x6f).stop().done())).toEqual(unverified); // OBJ
    expect(judge(new P().proto(0).mark().inst(...GRAPH).stop().done())).toEqual(unverified);
  });

  test('a callOnly gadget called is dangerous, rebuilt is accepted', () => {
    // find one in the data rather than name it: the verdicts follow the libraries' code
    const { listGadgetSpellings } = require('../../src/names/catalogue') as typeof import('../../src/names/catalogue');
    const rebuilt = (x: { module: string; name: string }) => new P().proto(2).global(x.module, x.name).emptyTuple().newobj().emptyDict().build().stop().done();
    const s = listGadgetSpellings().find((x) => x.entry.callOnly && !x.dotted && x.module === x.entry.module && scan(rebuilt(x), { policy: 'default' }).verdict === 'safe');
    expect(s).toBeDefined();
    const called = scan(new P().proto(2).global(s!.module, s!.name).emptyTuple().reduce().stop().done(), { policy: 'default' });
    expect([called.verdict, rules(called)]).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-call']]);
    expect(called.findings[0]!.message).toContain('runs its __init__');
  });
});

describe('callOnly classes handed to a callable', () => {
  const unverifiedPassed = ['suspicious', ['UNLISTED_GLOBAL/unverified-passed']];

  test("are judged by their __init__: the callable may call them (pandas' _new_Index(cls, d) does cls(**d))", () => {
    const newIndex = new P().proto(2).global('pandas.core.indexes.base', '_new_Index').global(...GRAPH).emptyDict().tuple2().reduce().stop().done();
    expect(judge(newIndex)).toEqual(unverifiedPassed);
    // inside a container argument too
    const nested = new P().proto(2).global('pandas.core.indexes.base', '_new_Index').global('builtins', 'object').emptyList().global(...GRAPH).append().tuple2().reduce().stop().done();
    expect(judge(nested)).toEqual(unverifiedPassed);
  });

  test("copyreg's rebuilders take them as the class they rebuild, not as an argument to its __new__", () => {
    const asClass = new P().proto(2).global('copyreg', '__newobj__').global(...GRAPH).tuple1().reduce().stop().done();
    expect(judge(asClass)).toEqual(['safe', []]);
    const asArgument = new P().proto(2).global('copyreg', '__newobj__').global('collections', 'OrderedDict').global(...GRAPH).tuple2().reduce().stop().done();
    expect(judge(asArgument)).toEqual(unverifiedPassed);
  });
});

describe('gadget functions a wildcard rule allows', () => {
  const { listGadgetSpellings } = require('../../src/names/catalogue') as typeof import('../../src/names/catalogue');
  // one under sklearn.* (allowed by a wildcard), a function whose call reaches a sink
  const s = listGadgetSpellings().find((x) => x.library === 'sklearn' && !x.dotted && x.module === x.entry.module && (x.entry.entry === undefined || x.entry.entry === 'the call'))!;

  test('held as a value: allowed, as the wildcard says', () => {
    expect(s).toBeDefined();
    expect(judge(new P().proto(2).global(s.module, s.name).stop().done())).toEqual(['safe', []]);
  });

  test('called, or handed to a callable that may call it: dangerous', () => {
    expect(judge(new P().proto(2).global(s.module, s.name).emptyTuple().reduce().stop().done())).toEqual(['dangerous', ['DENIED_GLOBAL/denied-call']]);
    const handed = new P().proto(2).global('pandas.core.indexes.base', '_new_Index').global(s.module, s.name).emptyDict().tuple2().reduce().stop().done();
    expect(judge(handed)).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-passed']]);
  });
});

describe('a partial handed to a callable', () => {
  test('is judged as what it wraps: a callOnly class inside it is still called', () => {
    // _new_Index(partial(Graph), {}): _new_Index calls its first argument, the partial calls Graph
    const wrapped = new P().proto(2).global('pandas.core.indexes.base', '_new_Index').global('functools', 'partial').global(...GRAPH).tuple1().reduce().emptyDict().tuple2().reduce().stop().done();
    expect(judge(wrapped)).toEqual(['suspicious', ['UNLISTED_GLOBAL/unverified-passed']]);
  });
});

describe('classes judged by the methods a pickle calls on them', () => {
  // xarray's Variable: __init__ and __setitem__ reach calls the walk cannot follow; Dataset: both reach a sink
  const VARIABLE = ['xarray.core.variable', 'Variable'] as const;
  const DATASET = ['xarray.core.dataset', 'Dataset'] as const;
  const made = (cls: readonly [string, string]) => new P().proto(2).global(...cls).emptyTuple().newobj();

  test('the catalogue has the verdicts these tests assume', () => {
    expect(lookupCatalogue(...VARIABLE)!.failing).toEqual({ __setitem__: 'unverified', construction: 'unverified' });
    expect(lookupCatalogue(...DATASET)!.failing).toEqual({ __setitem__: 'gadget', construction: 'gadget' });
  });

  test('rebuilt as pickle does (NEWOBJ or _reconstructor, then BUILD), they are accepted', () => {
    expect(judge(made(VARIABLE).emptyDict().str('_dims').str('x').tuple1().setitem().build().stop().done())).toEqual(['safe', []]);
    expect(judge(new P().proto(2).global('copyreg', '_reconstructor').global(...DATASET).global('builtins', 'object').none().tuple3().reduce().emptyDict().build().stop().done())).toEqual(['safe', []]);
  });

  test('a method the catalogue judged, called on an instance, is judged there', () => {
    expect(judge(made(VARIABLE).str('k').int(1).setitem().stop().done())).toEqual(['suspicious', ['UNLISTED_GLOBAL/unverified-method']]);
    expect(judge(made(DATASET).mark().str('k').int(1).setitems().stop().done())).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-method']]);
    const rebuilt = new P().proto(2).global('copyreg', '_reconstructor').global(...DATASET).global('builtins', 'object').none().tuple3().reduce().str('k').int(1).setitem().stop().done();
    expect(judge(rebuilt)).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-method']]);
    const r = scan(made(DATASET).str('k').int(1).setitem().stop().done(), { policy: 'default' });
    expect(r.findings[0]!.message).toMatch(/^SETITEM at offset \d+ calls __setitem__ of a xarray\.core\.dataset\.Dataset the pickle built: __setitem__ reaches /);
  });

  test('called, or handed to a callable that may make one and call its methods: judged by the worst', () => {
    expect(judge(new P().proto(2).global(...DATASET).emptyTuple().reduce().stop().done())).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-call']]);
    const handed = new P().proto(2).global('pandas.core.indexes.base', '_new_Index').global(...VARIABLE).emptyDict().tuple2().reduce().stop().done();
    expect(judge(handed)).toEqual(['suspicious', ['UNLISTED_GLOBAL/unverified-passed']]);
  });
});

describe("a reviewed guard on Pillow's Image.__setstate__", () => {
  const IMAGE = ['PIL.Image', 'Image'] as const;
  const PNG = ['PIL.PngImagePlugin', 'PngImageFile'] as const;
  /** NEWOBJ of `cls`, then BUILD with [info, mode, size, palette, data] as `parts` writes them. */
  const built = (cls: readonly [string, string], parts: (p: P) => P) => parts(new P().proto(2).global(...cls).emptyTuple().newobj().emptyList().mark()).appends().build().stop().done();
  const plain = (p: P) => p.emptyDict().str('RGB').int(1).int(1).tuple2().none().bytes(new Uint8Array(3));
  const palette = (p: P, n: number, at?: number) => {
    p.emptyDict().str('P').int(2).int(2).tuple2().emptyList().mark();
    for (let i = 0; i < n; i++) (i === at ? p.global('builtins', 'object') : p.int(i % 256));
    return p.appends().bytes(new Uint8Array(4));
  };
  const refused = ['dangerous', ['DENIED_GLOBAL/unsafe-call']];

  test('the plain state Pillow writes is accepted, a 768-value palette too', () => {
    expect(judge(built(IMAGE, plain))).toEqual(['safe', []]);
    expect(judge(built(PNG, plain))).toEqual(['safe', []]);
    expect(judge(built(IMAGE, (p) => palette(p, 768)))).toEqual(['safe', []]);
  });

  test('anything but plain data where Pillow has it is refused, however far into the palette', () => {
    expect(judge(built(IMAGE, (p) => palette(p, 768, 700)))).toEqual(refused);
    expect(judge(built(IMAGE, (p) => p.emptyDict().str('k').global('builtins', 'object').emptyTuple().reduce().setitem().str('RGB').int(1).int(1).tuple2().none().bytes(new Uint8Array(3))))).toEqual(refused);
    expect(judge(built(IMAGE, (p) => p.emptyDict().str('RGB').int(1).int(1).tuple2().none().global('builtins', 'object').emptyTuple().reduce()))).toEqual(refused);
    expect(judge(built(IMAGE, (p) => p.emptyDict().global('builtins', 'object').int(1).int(1).tuple2().none().bytes(new Uint8Array(3))))).toEqual(refused);
    expect(judge(built(IMAGE, (p) => p.emptyDict().str('RGB')))).toEqual(refused);
    const r = scan(built(PNG, (p) => p.emptyDict().str('RGB')), { policy: 'default' });
    expect(r.findings[0]!.message).toContain("Pillow's Image.__setstate__ is admitted with the plain state Pillow writes ([info, mode, size, palette, data]); this state is not a list of five");
  });

  test('calling an image file class runs ImageFile.__init__, which opens a file', () => {
    expect(judge(new P().proto(2).global(...PNG).str('/etc/passwd').tuple1().reduce().stop().done())).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-call']]);
  });
});

describe("a reviewed guard on sklearn-pandas' DataFrameMapper.__setstate__", () => {
  const MAPPER = ['sklearn_pandas.dataframe_mapper', 'DataFrameMapper'] as const;
  const SCALER = ['sklearn.preprocessing._data', 'StandardScaler'] as const;
  /** A mapper BUILT with {'features': [feature]}, the feature written by `feat` after a MARK. */
  const mapper = (feat: (p: P) => P) => feat(new P().proto(2).global(...MAPPER).emptyTuple().newobj().emptyDict().str('features').emptyList().mark().mark()).tuple().appends().setitem().build().stop().done();
  const scaler = (p: P) => p.global(...SCALER).emptyTuple().newobj();

  test('features of (columns, fitted transformer[, options]) are accepted', () => {
    expect(judge(mapper((p) => scaler(p.str('a'))))).toEqual(['safe', []]);
    expect(judge(mapper((p) => scaler(p.str('a')).emptyDict()))).toEqual(['safe', []]);
  });

  test('a fourth item (the columns callable is called with it) or a transformer list is refused', () => {
    const refused = ['dangerous', ['DENIED_GLOBAL/unsafe-call']];
    expect(judge(mapper((p) => scaler(p.global('builtins', 'len')).emptyDict().str('x')))).toEqual(refused);
    expect(judge(mapper((p) => p.str('a').emptyList().emptyDict()))).toEqual(refused);
  });
});

describe('a reviewed allow rule over an unverified class (yarl URL)', () => {
  test('the catalogue could not verify it; the rule admits it, rebuilt or called with a string', () => {
    expect(lookupCatalogue('yarl', 'URL')!.kind).toBe('unverified');
    const rebuilt = new P().proto(2).global('yarl', 'URL').emptyTuple().newobj().global('urllib.parse', 'SplitResult').mark().str('https').str('example.org').str('/a').str('').str('').tuple().newobj().tuple1().build().stop().done();
    expect(judge(rebuilt)).toEqual(['safe', []]);
    expect(judge(new P().proto(2).global('yarl._url', 'URL').str('https://example.org/').tuple1().reduce().stop().done())).toEqual(['safe', []]);
    const r = scan(rebuilt, { policy: 'default' });
    expect(r.globals.find((g) => g.resolved === 'yarl.URL')!.reason).toMatch(/^URLs \(yarl 1\.8\.2 and 1\.19\.0, read\)/);
  });
});

describe("classes whose __getattr__ (for the name BUILD asks for, __setstate__) or __eq__ was read", () => {
  // dask's Delayed: the catalogue cannot verify __getattr__ (it makes a DelayedAttr of any other name)
  const DELAYED = ['dask.delayed', 'Delayed'] as const;
  const made = () => new P().proto(2).global(...DELAYED).emptyTuple().newobj();

  test('the catalogue has the verdicts these tests assume', () => {
    expect(lookupCatalogue(...DELAYED)!.failing).toEqual({ __getattr__: 'unverified' });
    expect(lookupCatalogue('dask.bag.core', 'StringAccessor')!.failing).toEqual({ __getattr__: 'unverified' });
  });

  test('rebuilt with its state, it is accepted, and the report says what was read', () => {
    const r = scan(made().none().emptyDict().str('_key').str('k').setitem().tuple2().build().stop().done(), { policy: 'default' });
    expect([r.verdict, rules(r)]).toEqual(['safe', []]);
    const g = r.globals.find((x) => x.resolved === 'dask.delayed.Delayed')!;
    expect(g.reason).toMatch(/__getattr__ as BUILD asks it for __setstate__ was read: dask .*raises AttributeError for every name starting with '_'/);
  });

  test("APPENDS or ADDITEMS on an instance asks __getattr__ for another name: judged there", () => {
    // APPENDS uses extend, or append when there is none: both are asked for
    const appended = scan(made().mark().int(1).appends().stop().done(), { policy: 'default' });
    expect([appended.verdict, rules(appended)]).toEqual(['suspicious', ['UNLISTED_GLOBAL/unverified-method', 'UNLISTED_GLOBAL/unverified-method']]);
    expect(appended.findings.map((f) => f.message.match(/calls (\w+) of/)![1])).toEqual(['append', 'extend']);
    expect(judge(made().mark().int(1).additems().stop().done())).toEqual(['suspicious', ['UNLISTED_GLOBAL/unverified-method']]);
    // handed to library code that may ask it for any name
    expect(judge(new P().proto(2).global('pandas.core.indexes.base', '_new_Index').global('builtins', 'object').emptyList().global(...DELAYED).emptyTuple().newobj().append().tuple2().reduce().stop().done())).toEqual(['suspicious', ['UNLISTED_GLOBAL/unverified-passed']]);
  });

  test('a reviewed __eq__ (arrow): rebuilt it is accepted; called, its __init__ is still a gadget', () => {
    expect(lookupCatalogue('arrow.arrow', 'Arrow')!.failing).toEqual({ __eq__: 'gadget', construction: 'gadget' });
    const r = scan(new P().proto(2).global('arrow.arrow', 'Arrow').emptyTuple().newobj().emptyDict().build().stop().done(), { policy: 'default' });
    expect([r.verdict, rules(r)]).toEqual(['safe', []]);
    expect(r.globals[0]!.reason).toMatch(/; __eq__ was read: arrow 1\.2\.3 and 1\.3\.0: __eq__ returns False unless/);
    expect(judge(new P().proto(2).global('arrow.arrow', 'Arrow').int(2024).int(1).int(1).tuple3().reduce().stop().done())).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-call']]);
  });

  test('a class with the same verdict that nobody reviewed stays unverified', () => {
    expect(judge(new P().proto(2).global('dask.bag.core', 'StringAccessor').emptyTuple().newobj().stop().done())).toEqual(['suspicious', ['UNLISTED_GLOBAL/unverified']]);
  });
});

describe("a reviewed guard on a class's __setstate__ (statsmodels' model data)", () => {
  const DATA = ['statsmodels.base.data', 'ModelData'] as const;
  const built = (state: (p: P) => P) => state(new P().proto(2).global(...DATA).emptyTuple().newobj().emptyDict()).build().stop().done();

  test('a state without restore_design_info is accepted', () => {
    expect(judge(built((p) => p.str('k_constant').int(1).setitem()))).toEqual(['safe', []]);
  });

  test('restore_design_info (patsy would evaluate the formula), or a key that is not a constant string, is refused', () => {
    expect(judge(built((p) => p.str('restore_design_info').true().setitem().str('formula').str('y ~ x').setitem()))).toEqual(['dangerous', ['DENIED_GLOBAL/unsafe-call']]);
    expect(judge(built((p) => p.global('builtins', 'str').str('restore_design_info').tuple1().reduce().true().setitem()))).toEqual(['dangerous', ['DENIED_GLOBAL/unsafe-call']]);
  });

  test('called, or handed to a callable, it stays judged', () => {
    expect(judge(new P().proto(2).global(...DATA).emptyTuple().reduce().stop().done())).toEqual(['suspicious', ['UNLISTED_GLOBAL/unverified-call']]);
    const handed = new P().proto(2).global('pandas.core.indexes.base', '_new_Index').global(...DATA).emptyDict().tuple2().reduce().stop().done();
    expect(judge(handed)).toEqual(['suspicious', ['UNLISTED_GLOBAL/unverified-passed']]);
  });
});

describe('members of catalogued enums, named Cls.MEMBER (protocol 4)', () => {
  const member = (name: string) => new P().proto(4).str('optuna.trial._state').str(name).stackGlobal();

  test('the catalogue knows TrialState as an enum and what it defines', () => {
    const e = lookupCatalogue('optuna.trial._state', 'TrialState')!;
    expect(e.kind).toBe('class');
    expect(e.enum).toContain('name');
    expect(e.enum).not.toContain('COMPLETE');
  });

  test('a member is a value', () => {
    expect(judge(member('TrialState.COMPLETE').stop().done())).toEqual(['safe', []]);
    // as pickle writes a list of them, memoized
    expect(judge(new P().proto(4).emptyList().mark().str('optuna.trial._state').str('TrialState.COMPLETE').stackGlobal().str('optuna.trial._state').str('TrialState.PRUNED').stackGlobal().appends().stop().done())).toEqual(['safe', []]);
  });

  test('a name the class defines, a dunder, or calling a member is not accepted', () => {
    expect(judge(member('TrialState.name').stop().done())).toEqual(['suspicious', ['UNLISTED_GLOBAL/not-in-catalogue']]);
    expect(judge(member('TrialState.__class__').stop().done())[0]).toBe('dangerous');
    expect(judge(member('TrialState.COMPLETE').emptyTuple().reduce().stop().done())).toEqual(['suspicious', ['UNLISTED_GLOBAL/called-reference']]);
  });
});

describe("uncertainties' numbers (reviewed rules)", () => {
  test('a Variable and an affine function rebuilt as uncertainties pickles them are accepted', () => {
    // Variable(): NEWOBJ, BUILD with the slots dict; its linear part a LinearCombination keyed by the Variable
    const bytes = new P()
      .proto(2)
      .global('uncertainties.core', 'Variable')
      .emptyTuple()
      .newobj()
      .binput(0)
      .emptyDict()
      .str('_std_dev')
      .float('0.1')
      .setitem()
      .str('_linear_part')
      .global('uncertainties.core', 'LinearCombination')
      .emptyTuple()
      .newobj()
      .emptyDict()
      .binget(0)
      .float('1.0')
      .setitem()
      .tuple1()
      .build()
      .setitem()
      .str('_nominal_value')
      .float('1.0')
      .setitem()
      .build()
      .stop()
      .done();
    expect(judge(bytes)).toEqual(['safe', []]);
  });
});

describe('objects whose bad methods are judged where they run, given to code that may run them', () => {
  const VARIABLE = ['xarray.core.variable', 'Variable'] as const;
  const variable = (p: P) => p.global(...VARIABLE).emptyTuple().newobj();

  test('in the arguments of a call: judged by their methods (containers built from items excepted)', () => {
    const handed = variable(new P().proto(2).global('pandas.core.indexes.base', '_new_Index').global('collections', 'OrderedDict')).tuple2().reduce().stop().done();
    expect(judge(handed)).toEqual(['suspicious', ['UNLISTED_GLOBAL/unverified-passed']]);
    const listed = variable(new P().proto(2).global('builtins', 'list').emptyList()).append().tuple1().reduce().stop().done();
    expect(judge(listed)).toEqual(['safe', []]);
  });

  test("in a BUILD state: the object's __setstate__ or __setattr__ may run them", () => {
    const state = variable(new P().proto(2).global('collections', 'OrderedDict').emptyTuple().newobj().emptyDict().str('v')).setitem().build().stop().done();
    const r = scan(state, { policy: 'default' });
    expect([r.verdict, rules(r)]).toEqual(['suspicious', ['UNLISTED_GLOBAL/unverified-passed']]);
    expect(r.findings[0]!.message).toMatch(/passes a xarray\.core\.variable\.Variable the pickle built to the BUILD of collections\.OrderedDict/);
  });

  test('made by _reconstructor with a base other than object, whose __init__ may call them', () => {
    const viaBase = new P().proto(2).global('copyreg', '_reconstructor').global(...VARIABLE).global('collections', 'OrderedDict').emptyList().tuple3().reduce().stop().done();
    expect(judge(viaBase)).toEqual(['suspicious', ['UNLISTED_GLOBAL/unverified-passed']]);
  });
});

describe('reviewed BUILD receivers: a BUILD that only stores its state (catalogue STORING_BUILD)', () => {
  const VARIABLE = ['xarray.core.variable', 'Variable'] as const;
  const DATASET = ['xarray.core.dataset', 'Dataset'] as const;
  const DATA_ARRAY = ['xarray.core.dataarray', 'DataArray'] as const;
  const ARIMA = ['statsmodels.tsa.arima.model', 'ARIMA'] as const;
  const WRAPPER = ['statsmodels.tsa.arima.model', 'ARIMAResultsWrapper'] as const;
  const PASSED = ['suspicious', ['UNLISTED_GLOBAL/unverified-passed']];
  const GADGET_PASSED = ['dangerous', ['DENIED_GLOBAL/gadget-passed']];
  const made = (p: P, cls: readonly [string, string]) => p.global(...cls).emptyTuple().newobj();
  // a DataArray (memo 0) built as xarray pickles it: BUILD with (None, {slot: value}); `value` pushes the value
  const dataArray = (value: (p: P) => P, slot = '_variable', p = new P().proto(2)) =>
    value(made(p, DATA_ARRAY).binput(0).none().emptyDict().str('_name').none().setitem().str(slot)).setitem().tuple2().build();
  const variable = (p: P) => made(p, VARIABLE);
  const dataset = (p: P) => made(p, DATASET);

  test('the catalogue has the verdicts these tests assume', () => {
    expect(lookupCatalogue(...VARIABLE)!.failing).toEqual({ __setitem__: 'unverified', construction: 'unverified' });
    expect(lookupCatalogue(...DATASET)!.failing).toEqual({ __setitem__: 'gadget', construction: 'gadget' });
    expect(lookupCatalogue(...DATA_ARRAY)!.callOnly).toBe(true);
  });

  test('a Variable in the reviewed slots of a DataArray (or Dataset) is stored, not handed: accepted', () => {
    expect(judge(dataArray(variable).stop().done())).toEqual(['safe', []]);
    // rebuilt by copyreg._reconstructor (protocol 0-1) and named by its public alias
    const viaReconstructor = new P().proto(2).global('copyreg', '_reconstructor').global('xarray', 'DataArray').global('builtins', 'object').none().tuple3().reduce();
    expect(judge(variable(viaReconstructor.none().emptyDict().str('_variable')).setitem().tuple2().build().stop().done())).toEqual(['safe', []]);
    const ds = variable(made(new P().proto(2), DATASET).none().emptyDict().str('_variables').emptyDict().str('x')).setitem().setitem().tuple2().build();
    expect(judge(ds.stop().done())).toEqual(['safe', []]);
  });

  test("the same Variable in the BUILD state of a class nobody reviewed is still judged", () => {
    const other = variable(made(new P().proto(2), ['xarray.core.variable', 'Variable']).none().emptyDict().str('_data')).setitem().tuple2().build();
    expect(judge(other.stop().done())).toEqual(PASSED);
    expect(judge(variable(made(new P().proto(2), ['collections', 'OrderedDict']).emptyDict().str('v')).setitem().build().stop().done())).toEqual(PASSED);
  });

  test('a BUILD that is more than a store is judged as before: a property, a __dict__ half, a dunder key, another state shape', () => {
    // DataArray.attrs is a property: its setter runs dict(value)
    expect(judge(dataArray(variable, 'attrs').stop().done())).toEqual(PASSED);
    // xarray objects have no __dict__: the dict half is not reviewed
    expect(judge(variable(made(new P().proto(2), DATA_ARRAY).emptyDict().str('_variable')).setitem().none().tuple2().build().stop().done())).toEqual(PASSED);
    // a plain-__dict__ class: any name but a dunder one holding an object
    const arima = (key: string) => variable(made(new P().proto(2), ARIMA).emptyDict().str('k_exog').int(0).setitem().str(key)).setitem().build().stop().done();
    expect(judge(arima('ssm'))).toEqual(['safe', []]);
    expect(judge(arima('__doc__'))).toEqual(PASSED);
    const doc = variable(made(new P().proto(2), WRAPPER).emptyDict().str('__doc__').str('text').setitem().str('_results')).setitem().build().stop().done();
    expect(judge(doc)).toEqual(['safe', []]);
    // a property named past the items a dict keeps is still seen
    let many = variable(made(new P().proto(2), DATA_ARRAY).none().emptyDict().str('_variable')).setitem();
    for (let i = 0; i < 300; i++) many = many.str('_name').none().setitem();
    expect(judge(many.str('attrs').int(1).setitem().tuple2().build().stop().done())).toEqual(PASSED);
    // ResultsWrapper.__setstate__ is __dict__.update(state): a dict only, not a pair
    const pair = variable(made(new P().proto(2), WRAPPER).none().emptyDict().str('_results')).setitem().tuple2().build().stop().done();
    expect(judge(pair)).toEqual(PASSED);
  });

  test('a Dataset (a gadget __setitem__) stored in a DataArray is judged when code of the DataArray may run', () => {
    // the BUILD stores it: nothing runs its methods
    expect(judge(dataArray(dataset).stop().done())).toEqual(['safe', []]);
    // the DataArray given to library code, which may reach it: dangerous, saying where it was stored
    const handed = dataArray(dataset, '_variable', new P().proto(2).global('pandas.core.indexes.base', '_new_Index').global('collections', 'OrderedDict')).tuple2().reduce().stop().done();
    const r = scan(handed, { policy: 'default' });
    expect([r.verdict, rules(r)]).toEqual(GADGET_PASSED);
    expect(r.findings[0]!.message).toMatch(/passes a xarray\.core\.dataset\.Dataset the pickle built and stored in a xarray\.core\.dataarray\.DataArray to pandas\.core\.indexes\.base\._new_Index/);
    // in the BUILD state of a class nobody reviewed
    const inState = dataArray(dataset, '_variable', made(new P().proto(2), ['collections', 'OrderedDict']).emptyDict().str('a')).setitem().build().stop().done();
    expect(judge(inState)).toEqual(GADGET_PASSED);
    // stored in another reviewed receiver, which is then handed over
    const outer = made(new P().proto(2).global('pandas.core.indexes.base', '_new_Index').global('collections', 'OrderedDict'), DATA_ARRAY).none().emptyDict().str('_variable');
    const nested = dataArray(dataset, '_variable', outer).setitem().tuple2().build().tuple2().reduce().stop().done();
    expect(judge(nested)).toEqual(GADGET_PASSED);
    // SETITEM on the DataArray: its __setitem__ assigns into what it holds
    expect(judge(dataArray(dataset).str('x').int(1).setitem().stop().done())).toEqual(GADGET_PASSED);
    // list(da) iterates it; list([da]) only holds it
    expect(judge(dataArray(dataset, '_variable', new P().proto(2).global('builtins', 'list')).tuple1().reduce().stop().done())).toEqual(GADGET_PASSED);
    expect(judge(dataArray(dataset, '_variable', new P().proto(2).global('builtins', 'list').emptyList()).append().tuple1().reduce().stop().done())).toEqual(['safe', []]);
    // a later BUILD that runs a property setter of the DataArray may reach it too
    expect(judge(dataArray(dataset).none().emptyDict().str('attrs').emptyDict().setitem().tuple2().build().stop().done())).toEqual(GADGET_PASSED);
  });

  test('given to library code before its BUILD (which may keep it), the receiver stores nothing unjudged', () => {
    const first = made(new P().proto(2).global('pandas.core.indexes.base', '_new_Index').global('collections', 'OrderedDict'), DATA_ARRAY).binput(0).tuple2().reduce().pop();
    const built = variable(first.binget(0).none().emptyDict().str('_variable')).setitem().tuple2().build().stop().done();
    expect(judge(built)).toEqual(PASSED);
  });

  test('instances in the arguments of a call are judged as before', () => {
    expect(judge(variable(new P().proto(2).global(...DATA_ARRAY)).tuple1().newobj().stop().done())).toEqual(PASSED);
    expect(judge(dataset(new P().proto(2).global(...DATA_ARRAY)).tuple1().newobj().stop().done())).toEqual(GADGET_PASSED);
  });
});

describe('objects held by containers the pickle built from calls, and items given to an object', () => {
  const VARIABLE = ['xarray.core.variable', 'Variable'] as const;
  const DATASET = ['xarray.core.dataset', 'Dataset'] as const;
  const DATA_ARRAY = ['xarray.core.dataarray', 'DataArray'] as const;
  const PASSED = ['suspicious', ['UNLISTED_GLOBAL/unverified-passed']];
  const made = (p: P, cls: readonly [string, string]) => p.global(...cls).emptyTuple().newobj();
  const newIndex = () => new P().proto(2).global('pandas.core.indexes.base', '_new_Index').global('collections', 'OrderedDict');

  test('list([obj]) holds the object; handed on, the callee may reach it', () => {
    const held = made(newIndex().global('builtins', 'list').emptyList(), VARIABLE).append().tuple1().reduce();
    expect(judge(held.tuple2().reduce().stop().done())).toEqual(PASSED);
    // only built, it is not handed
    expect(judge(made(new P().proto(2).global('builtins', 'list').emptyList(), VARIABLE).append().tuple1().reduce().stop().done())).toEqual(['safe', []]);
  });

  test('OrderedDict() filled by SETITEM holds the objects; handed on, the callee may reach them', () => {
    const filled = (p: P) => made(made(p, ['collections', 'OrderedDict']).str('v'), VARIABLE).setitem();
    expect(judge(filled(new P().proto(2)).stop().done())).toEqual(['safe', []]);
    expect(judge(filled(newIndex()).tuple2().reduce().stop().done())).toEqual(PASSED);
  });

  test('a class put in an OrderedDict() by SETITEM is handed with it', () => {
    const od = newIndex().global('collections', 'OrderedDict').emptyTuple().reduce().str('k').global('networkx.classes.graph', 'Graph').setitem();
    expect(judge(od.tuple2().reduce().stop().done())).toEqual(PASSED);
  });

  test("SETITEM on an object that is not a container gives the items to its __setitem__", () => {
    // DataArray.__setitem__ assigns the value into its variable (as_compatible_data(value))
    expect(judge(made(made(new P().proto(2), DATA_ARRAY).str('x'), VARIABLE).setitem().stop().done())).toEqual(PASSED);
  });

  test('walking what they hold is bounded like any walk: handed again and again, the budget ends it', () => {
    let p = made(new P().proto(2).global('collections', 'OrderedDict').emptyTuple().reduce().binput(0), VARIABLE).binput(1).pop();
    for (let i = 0; i < 5000; i++) p = p.str(`k${i}`).binget(1).setitem();
    for (let i = 0; i < 5000; i++) p = p.global('pandas.core.indexes.base', '_new_Index').global('builtins', 'object').binget(0).tuple2().reduce().pop();
    const r = scan(p.stop().done(), { policy: 'default' });
    expect(rules(r)).toContain('LIMIT_EXCEEDED/max-walk');
  });

  test('a reviewed receiver inside list([...]) is reached when the list is handed on', () => {
    const da = made(new P().proto(2).global('pandas.core.indexes.base', '_new_Index').global('collections', 'OrderedDict').global('builtins', 'list').emptyList(), DATA_ARRAY);
    const built = made(da.none().emptyDict().str('_variable'), DATASET).setitem().tuple2().build().append().tuple1().reduce();
    expect(judge(built.tuple2().reduce().stop().done())).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-passed']]);
  });
});

describe('an instance attribute __setstate__ set by a BUILD state', () => {
  // getattr(inst, '__setstate__') finds an instance __dict__ entry before the class's method: a
  // second BUILD calls it (CPython's C and Python unpicklers alike)
  const arima = () => new P().proto(2).global('statsmodels.tsa.arima.model', 'ARIMA').emptyTuple().newobj();

  test('a callable under __setstate__, or under a key made by a call, is refused', () => {
    const named = arima().emptyDict().str('__setstate__').global('xarray.core.dataarray', 'DataArray').setitem().build().emptyDict().build().stop().done();
    expect(judge(named)).toEqual(['dangerous', ['DENIED_GLOBAL/unsafe-call']]);
    const slots = arima().none().emptyDict().str('__setstate__').global('xarray.core.dataarray', 'DataArray').setitem().tuple2().build().stop().done();
    expect(judge(slots)).toEqual(['dangerous', ['DENIED_GLOBAL/unsafe-call']]);
    const made = arima().emptyDict().global('builtins', 'str').str('__setstate__').tuple1().reduce().global('xarray.core.dataarray', 'DataArray').setitem().build().stop().done();
    expect(judge(made)).toEqual(['dangerous', ['DENIED_GLOBAL/unsafe-call']]);
  });

  test('plain data under __setstate__, and other keys, are not', () => {
    expect(judge(arima().emptyDict().str('__setstate__').none().setitem().build().stop().done())).toEqual(['safe', []]);
    expect(judge(arima().emptyDict().str('endog').global('xarray.core.dataarray', 'DataArray').setitem().build().stop().done())).toEqual(['safe', []]);
  });
});
