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
