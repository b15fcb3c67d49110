/**
 * The reviewed admissions for matplotlib, geopandas and shapely (docs/catalogue.md, "Reviewed
 * guards"): the real files each library wrote (samples/real, Debian 12 and 13) are accepted, a
 * pyplot figure stays rejected, and each way the admissions could be abused is rejected op by op:
 *
 * - shapely 1.8's `Cls()` (a call with no argument, read to reach nothing);
 * - matplotlib's CallbackRegistry (BUILD guard), MarkerStyle's bound marker functions and the default
 *   exception handler (values only), and getattr on an instance whose BUILD may have set the name;
 * - geopandas' GeoDataFrame, GeoSeries and GeometryArray (BUILD guards, reviewed __getattr__ and
 *   __setattr__, pandas code read not to run GeometryArray's __setitem__).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scan, scanFile, type Report } from '../../src';
import { lookupCatalogue } from '../../src/names/catalogue';
import { P } from '../support/pickle-builder';

const rules = (r: Report) => r.findings.map((f) => `${f.code}/${f.rule}`);
const judge = (bytes: Uint8Array) => {
  const r = scan(bytes, { policy: 'default' });
  return [r.verdict, rules(r)];
};
const SAFE = ['safe', []];
const REFUSED = ['dangerous', ['DENIED_GLOBAL/unsafe-call']];
const REAL = path.join(__dirname, '..', '..', 'samples', 'real');

describe('the real files of matplotlib, geopandas and shapely', () => {
  const files = (lib: string) => ['bookworm', 'trixie'].flatMap((g) => (fs.existsSync(path.join(REAL, g, lib)) ? fs.readdirSync(path.join(REAL, g, lib)).map((f) => `${g}/${lib}/${f}`) : []));

  test.each(['geopandas', 'shapely'])('every %s file is accepted in both generations', async (lib) => {
    const all = files(lib);
    expect(all.length).toBeGreaterThan(3);
    for (const f of all) expect([f, (await scanFile(path.join(REAL, f), { policy: 'default' })).verdict]).toEqual([f, 'safe']);
  });

  test('matplotlib: colormaps with their norms, marker styles, paths and transforms are accepted; figures are not', async () => {
    for (const f of files('matplotlib')) {
      const r = await scanFile(path.join(REAL, f), { policy: 'default' });
      expect([f, r.verdict]).toEqual([f, f.includes('/figure_') ? 'dangerous' : 'safe']);
      // a pyplot figure's __setstate__ goes back to pyplot (_restore_to_pylab): still a gadget
      if (f.includes('/figure_')) expect(r.findings.some((x) => x.rule === 'gadget' && x.message.includes('matplotlib.figure.Figure'))).toBe(true);
    }
  });
});

describe('shapely 1.8: a geometry called with no argument, then BUILT from WKB', () => {
  const POLYGON = ['shapely.geometry.polygon', 'Polygon'] as const;
  const WKB = new Uint8Array([1, 3, 0, 0, 0, 0, 0, 0, 0]);

  test('the catalogue judges calling it a gadget (coordinates are read through __array_interface__), rebuilding it not', () => {
    const e = lookupCatalogue(...POLYGON)!;
    expect([e.kind, e.callOnly, e.sink]).toEqual(['gadget', true, 'ctypes:cast']);
  });

  test('Polygon() then a BUILD of bytes, as shapely 1.8 writes it, is accepted; INST and OBJ with no argument too', () => {
    const r = scan(new P().proto(3).global(...POLYGON).emptyTuple().reduce().bytes(WKB).build().stop().done(), { policy: 'default' });
    expect([r.verdict, rules(r)]).toEqual(SAFE);
    expect(r.globals[0]!.reason).toMatch(/calling it with no argument was read: shapely 1\.8\.5: .*`if shell is not None` skips/);
    expect(judge(new P().proto(1).mark().inst(...POLYGON).stop().done())).toEqual(SAFE);
    expect(judge(new P().proto(2).mark().global(...POLYGON).obj().stop().done())).toEqual(SAFE);
  });

  test('any argument, positional or keyword (through a partial), is the gadget call', () => {
    const gadget = ['dangerous', ['DENIED_GLOBAL/gadget-call']];
    expect(judge(new P().proto(2).global(...POLYGON).global('types', 'SimpleNamespace').emptyTuple().newobj().tuple1().reduce().stop().done())).toEqual(gadget);
    expect(judge(new P().proto(2).global(...POLYGON).none().tuple1().reduce().stop().done())).toEqual(gadget);
    expect(judge(new P().proto(2).mark().global(...POLYGON).str('x').obj().stop().done())).toEqual(gadget);
    // partial(Polygon) whose state (func, args, kwds, dict) adds shell=..., called with no positional argument
    const keyword = new P().proto(2).global('functools', 'partial').global(...POLYGON).tuple1().reduce()
      .mark().global(...POLYGON).emptyTuple().emptyDict().str('shell').str('x').setitem().none().tuple().build().emptyTuple().reduce().stop().done();
    expect(judge(keyword)).toEqual(gadget);
  });

  test('as the base of copyreg._reconstructor (its __init__ gets the state) or handed to a callable', () => {
    expect(judge(new P().proto(2).global('copyreg', '_reconstructor').global(...POLYGON).global(...POLYGON).str('x').tuple3().reduce().stop().done())).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-call']]);
    expect(judge(new P().proto(2).global('pandas.core.indexes.base', '_new_Index').global(...POLYGON).emptyDict().tuple2().reduce().stop().done())).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-passed']]);
  });
});

describe("matplotlib's CallbackRegistry: a BUILD guard admits the state of a registry with no callback", () => {
  const REG = ['matplotlib.cbook', 'CallbackRegistry'] as const;
  /** NEWOBJ of the registry, then BUILD of a dict whose items `items` writes after a MARK. */
  const built = (items: (p: P) => P) => items(new P().proto(4).global(...REG).emptyTuple().newobj().emptyDict().mark()).setitems().build().stop().done();
  const v363 = (p: P) => p.str('_signals').emptyList().str('changed').append().str('exception_handler').global('matplotlib.cbook', '_exception_printer').str('callbacks').emptyDict()
    .str('_cid_gen').global('itertools', 'count').int(0).tuple1().reduce().str('_func_cid_map').none().str('_pickled_cids').global('__builtin__', 'set').emptyList().tuple1().reduce();
  const v3101 = (p: P) => p.str('_signals').emptyList().str('changed').append().str('exception_handler').global('matplotlib.cbook', '_exception_printer').str('callbacks').emptyDict()
    .str('_cid_gen').int(1).str('_func_cid_map').none().str('_pickled_cids').emptySet();

  test('the catalogue could not verify its __setstate__ (the weakref callback it wraps callbacks with)', () => {
    expect(lookupCatalogue(...REG)!.failing).toEqual({ __setstate__: 'unverified' });
  });

  test('the states 3.6.3 and 3.10.1 write are accepted; so are empty signal entries', () => {
    expect(judge(built(v363))).toEqual(SAFE);
    expect(judge(built(v3101))).toEqual(SAFE);
    expect(judge(built((p) => v3101(p).str('callbacks').emptyDict().str('changed').emptyDict().setitem()))).toEqual(SAFE);
  });

  test('a callback, a key that shadows the weakref callback, another handler or counter, another state: refused', () => {
    const marker = (p: P) => p.global('matplotlib.markers', 'MarkerStyle').emptyTuple().newobj().str('_set_circle').tuple2().reduce();
    // a callback (3.6.3 wraps it in WeakMethod or _StrongRef: __self__, hash and == of what the pickle gave)
    expect(judge(built((p) => marker(v3101(p).str('callbacks').emptyDict().str('changed').emptyDict().int(0).global('builtins', 'getattr')).setitem().setitem()))).toEqual(REFUSED);
    // _remove_proxy in the instance __dict__ is what a dying callback's weakref calls
    expect(judge(built((p) => v3101(p).str('_remove_proxy').global('builtins', 'len')))).toEqual(REFUSED);
    expect(judge(built((p) => v3101(p).str('exception_handler').global('builtins', 'len')))).toEqual(REFUSED);
    expect(judge(built((p) => v3101(p).str('_cid_gen').global('builtins', 'object').emptyTuple().reduce()))).toEqual(REFUSED);
    expect(judge(built((p) => v3101(p).str('_signals').global('builtins', 'object').emptyTuple().reduce()))).toEqual(REFUSED);
    expect(judge(built((p) => v3101(p).str('_pickled_cids').emptyList()))).toEqual(REFUSED);
    expect(judge(built((p) => v3101(p).str('_func_cid_map').emptyDict().int(1).int(2).setitem()))).toEqual(REFUSED);
    expect(judge(new P().proto(4).global(...REG).emptyTuple().newobj().emptyList().build().stop().done())).toEqual(REFUSED);
    const r = scan(built((p) => v3101(p).str('_remove_proxy').global('builtins', 'len')), { policy: 'default' });
    expect(r.findings[0]!.message).toContain('admitted is the state of a registry with no callback; the state has a key other than _signals, exception_handler, callbacks, _cid_gen, _func_cid_map, _pickled_cids');
  });

  test('the default exception handler is a value: calling it is a finding', () => {
    expect(judge(new P().proto(2).global('matplotlib.cbook', '_exception_printer').global('builtins', 'object').emptyTuple().reduce().tuple1().reduce().stop().done())).toEqual(['suspicious', ['UNLISTED_GLOBAL/called-reference']]);
  });

  test('handed to a callable (which could give it any state), it is judged', () => {
    expect(judge(new P().proto(2).global('pandas.core.indexes.base', '_new_Index').global(...REG).emptyDict().tuple2().reduce().stop().done())).toEqual(['suspicious', ['UNLISTED_GLOBAL/unverified-passed']]);
  });
});

describe("MarkerStyle's marker functions: bound methods pickled as getattr(style, name), values only", () => {
  const STYLE = ['matplotlib.markers', 'MarkerStyle'] as const;
  /** NEWOBJ of a MarkerStyle memoized at 0, then what `rest` does with it. */
  const style = (rest: (p: P) => P) => rest(new P().proto(2).global(...STYLE).emptyTuple().newobj().binput(0)).stop().done();
  const bound = (p: P, name = '_set_circle') => p.global('builtins', 'getattr').binget(0).str(name).tuple2().reduce();

  test('its own state holding its marker function, as matplotlib writes it, is accepted', () => {
    const r = scan(style((p) => bound(p.emptyDict().str('_marker_function')).setitem().str('_marker').str('o').setitem().build()), { policy: 'default' });
    expect([r.verdict, rules(r)]).toEqual(SAFE);
    expect(r.globals.find((g) => g.resolved === 'matplotlib.markers.MarkerStyle._set_circle')!.decision).toBe('allow');
  });

  test('calling it while loading, or a name that is not a marker function, is a finding', () => {
    expect(judge(style((p) => bound(p.pop()).emptyTuple().reduce()))).toEqual(['suspicious', ['UNLISTED_GLOBAL/called-reference']]);
    expect(judge(style((p) => bound(p.pop(), '_set_marker')))).toEqual(['suspicious', ['UNLISTED_GLOBAL/not-in-catalogue']]);
  });

  test('after a BUILD that may have put the name in its __dict__, getattr is not taken for the method', () => {
    // the BUILD sets _set_circle to a class whose __init__ is a gadget; getattr returns it, and
    // _new_Index(cls, d) calls it: judged by the name, it would have passed as a marker function
    const smuggled = style((p) => p.emptyDict().str('_set_circle').global('shapely.geometry.polygon', 'Polygon').setitem().build().pop()
      .global('pandas.core.indexes.base', '_new_Index').global('builtins', 'getattr').binget(0).str('_set_circle').tuple2().reduce().emptyDict().tuple2().reduce());
    const r = scan(smuggled, { policy: 'default' });
    expect(r.verdict).toBe('dangerous');
    expect(rules(r)).toContain('DENIED_GLOBAL/unmodeled-use');
    // a state whose keys do not name it leaves getattr modeled; a second BUILD or an unreadable key does not
    expect(judge(style((p) => bound(p.emptyDict().str('_marker').str('o').setitem().build().pop())))).toEqual(SAFE);
    expect(rules(scan(style((p) => bound(p.emptyDict().build().emptyDict().build().pop())), { policy: 'default' }))).toContain('DENIED_GLOBAL/unmodeled-use');
    expect(rules(scan(style((p) => bound(p.emptyDict().global('builtins', 'object').emptyTuple().reduce().none().setitem().build().pop())), { policy: 'default' }))).toContain('DENIED_GLOBAL/unmodeled-use');
    expect(rules(scan(style((p) => bound(p.emptyList().build().pop())), { policy: 'default' }))).toContain('DENIED_GLOBAL/unmodeled-use');
  });
});

describe("geopandas' GeometryArray: a BUILD guard admits WKB and geometries built from WKB", () => {
  const GA = ['geopandas.array', 'GeometryArray'] as const;
  const POINT_WKB = new Uint8Array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  /** An object ndarray of the items `items` writes after a MARK (numpy's _reconstruct, then its BUILD). */
  const objectArray = (p: P, items: (p: P) => P) =>
    items(p.global('numpy.core.multiarray', '_reconstruct').global('numpy', 'ndarray').int(0).tuple1().bytes('b').tuple3().reduce()
      .mark().int(1).int(2).tuple1().global('numpy', 'dtype').str('O8').false().true().tuple3().reduce()
      .mark().int(3).str('|').none().none().none().int(-1).int(-1).int(63).tuple().build().false().emptyList().mark()).appends().tuple().build();
  const crs = (p: P) => p.global('pyproj.crs.crs', 'CRS').emptyTuple().newobj().emptyDict().str('srs').str('EPSG:4326').setitem().build();
  const point = (p: P) => p.global('shapely.geometry.point', 'Point').emptyTuple().reduce().bytes(POINT_WKB).build();
  const ga = (p: P) => p.global(...GA).emptyTuple().newobj();
  const built = (state: (p: P) => P) => state(ga(new P().proto(3))).build().stop().done();

  test('the catalogue: its __setstate__ reaches shapely, its __setitem__ converts what is assigned, and its __init__ has PROJ parse a crs', () => {
    // construction: GeometryArray(data, crs) makes CRS.from_user_input(crs), PROJ parsing (a pyproj sink)
    expect(lookupCatalogue(...GA)!.failing).toEqual({ __setitem__: 'gadget', __setstate__: 'gadget', construction: 'gadget' });
  });

  test("the pair 1.0 writes and the dict 0.12 writes are accepted", () => {
    expect(judge(built((p) => crs(objectArray(p, (q) => q.bytes(POINT_WKB).none().str('0101'))).tuple2()))).toEqual(SAFE);
    expect(judge(built((p) => p.mark().bytes(POINT_WKB).list().none().tuple2()))).toEqual(SAFE);
    expect(judge(built((p) => crs(objectArray(p.emptyDict().str('data'), (q) => point(point(q))).setitem().str('_crs')).setitem().str('_sindex').none().setitem()))).toEqual(SAFE);
    // 2.x geometries: shapely.io.from_wkb(wkb)
    expect(judge(built((p) => objectArray(p.emptyDict().str('_data'), (q) => q.global('shapely.io', 'from_wkb').bytes(POINT_WKB).tuple1().reduce()).setitem()))).toEqual(SAFE);
  });

  test('what numpy or shapely would read through its array interface, other keys, other values: refused', () => {
    const ns = (p: P) => p.global('types', 'SimpleNamespace').emptyTuple().newobj();
    expect(judge(built((p) => ns(p).none().tuple2()))).toEqual(REFUSED);
    expect(judge(built((p) => objectArray(p, (q) => ns(q)).none().tuple2()))).toEqual(REFUSED);
    expect(judge(built((p) => p.mark().bytes(POINT_WKB).list().str('EPSG:4326').tuple2()))).toEqual(REFUSED);
    expect(judge(built((p) => p.mark().bytes(POINT_WKB).list().none().none().tuple3()))).toEqual(REFUSED);
    expect(judge(built((p) => objectArray(p.emptyDict().str('data'), (q) => ns(q)).setitem()))).toEqual(REFUSED);
    expect(judge(built((p) => objectArray(p.emptyDict().str('data'), (q) => q.global('shapely.geometry.point', 'Point').emptyTuple().reduce().int(12345).build()).setitem()))).toEqual(REFUSED);
    expect(judge(built((p) => objectArray(p.emptyDict().str('data'), (q) => q.global('shapely.geometry.polygon', 'Polygon')).setitem()))).toEqual(REFUSED);
    expect(judge(built((p) => objectArray(p.emptyDict().str('data'), (q) => q.none()).setitem().str('dtype').none().setitem()))).toEqual(REFUSED);
    expect(judge(built((p) => p.emptyDict().str('data').mark().bytes(POINT_WKB).list().setitem()))).toEqual(REFUSED);
    expect(judge(built((p) => p.emptyDict().str('_sindex').str('x').setitem()))).toEqual(REFUSED);
  });

  test('SETITEM on it runs __setitem__; handed to a callable nobody reviewed, it is judged there', () => {
    expect(judge(ga(new P().proto(3)).int(0).none().setitem().stop().done())).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-method']]);
    expect(judge(ga(new P().proto(3).global('pandas.core.indexes.base', '_new_Index').global('pandas', 'Index').emptyDict().str('data')).setitem().tuple2().reduce().stop().done())).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-passed']]);
  });

  /** `_unpickle_block(GeometryArray, slice(0, 1, 1), 2)`, as pandas writes a frame's geometry block. */
  const block = (p: P) => ga(p.global('pandas._libs.internals', '_unpickle_block')).global('builtins', 'slice').int(0).int(1).int(1).tuple3().reduce().int(2).tuple3().reduce();
  const manager = (p: P) => block(p.global('pandas.core.internals.managers', 'BlockManager')).tuple1().emptyList().tuple2().reduce();

  test('pandas code read not to assign into it keeps it: accepted through the block, the manager and the frame', () => {
    const frame = manager(new P().proto(3).global('geopandas.geodataframe', 'GeoDataFrame').emptyTuple().newobj().emptyDict().str('_mgr')).setitem().str('_typ').str('dataframe').setitem().build().stop().done();
    const r = scan(frame, { policy: 'default' });
    expect([r.verdict, rules(r)]).toEqual(SAFE);
    expect(r.globals.find((g) => g.resolved === 'geopandas.array.GeometryArray')!.reason).toMatch(/; library code given one while a pickle loads was read: pandas 1\.5\.3 and 2\.2\.3 rebuild/);
  });

  test('what holds it, handed to code nobody reviewed, hands it on', () => {
    const blockHanded = block(new P().proto(3).global('pandas.core.indexes.base', '_new_Index').global('pandas', 'Index').emptyDict().str('data')).setitem().tuple2().reduce().stop().done();
    const r = scan(blockHanded, { policy: 'default' });
    expect([r.verdict, rules(r)]).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-passed']]);
    expect(r.findings[0]!.message).toMatch(/a geopandas\.array\.GeometryArray the pickle built and stored in a pandas\._libs\.internals\._unpickle_block/);
    expect(judge(manager(new P().proto(3).global('builtins', 'list')).tuple1().reduce().stop().done())).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-passed']]);
    // a BUILD on what holds it runs that object's code, which nobody read for this
    expect(judge(block(new P().proto(3)).emptyDict().build().stop().done())).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-passed']]);
    // a manager given to other code before its BUILD keeps nothing unjudged: that code may reach it later
    const early = new P().proto(3).global('pandas.core.internals.managers', 'SingleBlockManager').emptyTuple().newobj().binput(0)
      .global('pandas.core.indexes.base', '_new_Index').global('pandas', 'Index').emptyDict().str('data').binget(0).setitem().tuple2().reduce().pop()
      .binget(0).mark().emptyList().emptyList();
    expect(judge(ga(early).append().tuple().build().stop().done())).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-passed']]);
    const fresh = new P().proto(3).global('pandas.core.internals.managers', 'SingleBlockManager').emptyTuple().newobj().mark().emptyList().emptyList();
    expect(judge(ga(fresh).append().tuple().build().stop().done())).toEqual(SAFE);
  });
});

describe("geopandas' GeoDataFrame and GeoSeries: a BUILD guard admits the state pandas and geopandas write", () => {
  const GDF = ['geopandas.geodataframe', 'GeoDataFrame'] as const;
  const GS = ['geopandas.geoseries', 'GeoSeries'] as const;
  const mgr = (p: P) => p.global('pandas.core.internals.managers', 'BlockManager').emptyTuple().emptyList().tuple2().reduce();
  /** NEWOBJ of `cls`, BUILD of {'_mgr': manager, '_typ': typ, ...items}. */
  const built = (cls: readonly [string, string], typ: string, items: (p: P) => P = (p) => p) =>
    items(mgr(new P().proto(3).global(...cls).emptyTuple().newobj().emptyDict().mark().str('_mgr')).str('_typ').str(typ)).setitems().build().stop().done();
  const common = (p: P) => p.str('_metadata').emptyList().str('_geometry_column_name').append().str('attrs').emptyDict().str('_flags').emptyDict().str('allows_duplicate_labels').true().setitem();

  test('the catalogue: gadgets through __setitem__, __getattr__, __setattr__, __setstate__ and their construction', () => {
    expect(Object.keys(lookupCatalogue(...GDF)!.failing!).sort()).toEqual(['__getattr__', '__setattr__', '__setitem__', '__setstate__', 'add', 'append', 'construction']);
    expect(Object.keys(lookupCatalogue(...GS)!.failing!).sort()).toEqual(['__getattr__', '__setattr__', '__setitem__', '__setstate__', 'add', 'construction']);
  });

  test('the states pandas 1.5 and 2.2 write are accepted, and the report says what was read', () => {
    const r = scan(built(GDF, 'dataframe', (p) => common(p).str('_geometry_column_name').str('geometry')), { policy: 'default' });
    expect([r.verdict, rules(r)]).toEqual(SAFE);
    expect(r.globals[0]!.reason).toMatch(/__setstate__ by a reviewed guard on the state\); __getattr__ as BUILD asks it for __setstate__ was read: geopandas 0\.12\.2/);
    expect(r.globals[0]!.reason).toMatch(/__setattr__ was read: geopandas 0\.12\.2 and 1\.0\.1: the class has a __setstate__/);
    expect(judge(built(GDF, 'dataframe', (p) => p.str('crs').none().str('_crs').none()))).toEqual(SAFE);
    expect(judge(built(GS, 'series', (p) => common(p).str('name').str('geometry')))).toEqual(SAFE);
    expect(judge(built(GS, 'series', (p) => p.str('_name').none().str('_attrs').emptyDict()))).toEqual(SAFE);
  });

  test('a frame-level CRS, a property or method name, other values, another state: refused', () => {
    expect(judge(built(GDF, 'dataframe', (p) => p.str('crs').str('EPSG:4326')))).toEqual(REFUSED);
    expect(judge(built(GDF, 'dataframe', (p) => p.str('_crs').global('pyproj.crs.crs', 'CRS').emptyTuple().newobj()))).toEqual(REFUSED);
    expect(judge(built(GDF, 'dataframe', (p) => p.str('geometry').emptyList()))).toEqual(REFUSED);
    expect(judge(built(GS, 'series', (p) => p.str('crs').none()))).toEqual(REFUSED);
    expect(judge(built(GDF, 'dataframe', (p) => p.str('_get_geometry').none()))).toEqual(REFUSED);
    expect(judge(built(GDF, 'dataframe', (p) => p.str('attrs').emptyDict().str('k').global('builtins', 'object').emptyTuple().reduce().setitem()))).toEqual(REFUSED);
    expect(judge(built(GDF, 'dataframe', (p) => p.str('_flags').emptyDict()))).toEqual(REFUSED);
    expect(judge(built(GS, 'series', (p) => p.str('name').global('builtins', 'object').emptyTuple().reduce()))).toEqual(REFUSED);
    expect(judge(built(GDF, 'dataframe', (p) => p.str('_mgr').str('x')))).toEqual(REFUSED);
    expect(judge(new P().proto(3).global(...GDF).emptyTuple().newobj().global('pandas.core.internals.managers', 'BlockManager').emptyTuple().emptyList().tuple2().reduce().build().stop().done())).toEqual(REFUSED);
  });

  test('called, given items, or handed to a callable, it stays judged', () => {
    expect(judge(new P().proto(2).global(...GDF).str('x').tuple1().reduce().stop().done())).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-call']]);
    const made = () => new P().proto(2).global(...GDF).emptyTuple().newobj();
    expect(judge(made().str('k').none().setitem().stop().done())).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-method']]);
    expect(judge(made().mark().none().additems().stop().done())).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-method']]);
    expect(scan(made().mark().none().appends().stop().done(), { policy: 'default' }).verdict).toBe('dangerous');
    expect(judge(new P().proto(2).global('pandas.core.indexes.base', '_new_Index').global('pandas', 'Index').emptyDict().str('data').global(...GS).emptyTuple().newobj().setitem().tuple2().reduce().stop().done())).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-passed']]);
  });
});
