/**
 * pyproj: PROJ, behind pyproj's compiled code, parses CRS strings and opens the files they name
 * (`+init=/path:key`, grid parameters), so the catalogue treats pyproj's parsing entry points as
 * sinks (samples/generate/catalogue/sinks.py). A CRS, a TransformerFromCRS and a Transformer are
 * admitted rebuilt with the state pyproj writes, CRS given as AUTHORITY:CODE
 * (src/machine/library-guards.ts).
 */
import { scan, type Report } from '../../src';
import { lookupCatalogue } from '../../src/names/catalogue';
import { P } from '../support/pickle-builder';

const judge = (bytes: Uint8Array) => {
  const r: Report = scan(bytes, { policy: 'default' });
  return [r.verdict, r.findings.filter((f) => f.severity !== 'info').map((f) => `${f.code}/${f.rule}`)];
};
const CRS = ['pyproj.crs.crs', 'CRS'] as const;
const MAKER = ['pyproj.transformer', 'TransformerFromCRS'] as const;
const TRANSFORMER = ['pyproj.transformer', 'Transformer'] as const;
const SAFE = ['safe', []];
const REFUSED = ['dangerous', ['DENIED_GLOBAL/unsafe-call']];
const latin1 = (p: P, s: string) => p.global('_codecs', 'encode').str(s).str('latin1').tuple2().reduce();

const crs = (srs: (p: P) => P, p = new P().proto(2)) => srs(p.global(...CRS).emptyTuple().newobj().emptyDict().str('srs')).setitem().build();
type Field = [string, (p: P) => P];
const FIELDS: Field[] = [
  ['crs_from', (p) => latin1(p, 'EPSG:4326')],
  ['crs_to', (p) => latin1(p, 'EPSG:3857')],
  ['always_xy', (p) => p.false()],
  ['area_of_interest', (p) => p.none()],
  ['authority', (p) => p.none()],
  ['accuracy', (p) => p.none()],
  ['allow_ballpark', (p) => p.none()],
  ['force_over', (p) => p.false()],
  ['only_best', (p) => p.none()],
];
const fields = (p: P, fs: Field[]) => {
  let q = p.emptyDict();
  for (const [k, v] of fs) q = v(q.str(k)).setitem();
  return q;
};
const maker = (fs: Field[] = FIELDS) => (p: P) => fields(p.global(...MAKER).emptyTuple().newobj(), fs).build();
const transformer = (m: (p: P) => P = maker(), p = new P().proto(2)) => m(p.global(...TRANSFORMER).emptyTuple().newobj().emptyDict().str('_transformer_maker')).setitem().build();
const withField = (key: string, v: (p: P) => P): Field[] => FIELDS.map(([k, x]) => [k, k === key ? v : x]);

describe('pyproj CRS and transformers', () => {
  test('the catalogue sees PROJ parsing as a file sink', () => {
    expect(lookupCatalogue(...CRS)!.failing).toEqual({ __eq__: 'gadget', __hash__: 'gadget', construction: 'gadget' });
    expect(lookupCatalogue(...TRANSFORMER)!.failing).toEqual({ __setstate__: 'unverified', construction: 'unverified' });
    expect(lookupCatalogue('pyproj.datadir', 'set_data_dir')!.kind).toBe('gadget');
    expect(lookupCatalogue('pyproj.network', 'set_network_enabled')!.kind).toBe('gadget');
    expect(lookupCatalogue('pyproj.crs.coordinate_operation', 'ToWGS84Transformation')!.kind).toBe('gadget');
  });

  test('a CRS and a Transformer as pyproj pickles them are accepted, and a CRS as a dict key', () => {
    expect(judge(crs((p) => p.str('EPSG:4326')).stop().done())).toEqual(SAFE);
    expect(judge(crs((p) => p.str('ESRI:102100')).stop().done())).toEqual(SAFE);
    expect(judge(transformer().stop().done())).toEqual(SAFE);
    // protocol 3+: bytes as BINBYTES; copyreg's rebuilders
    expect(judge(transformer(maker(withField('crs_from', (p) => p.bytes('IGNF:LAMB93'))), new P().proto(3)).stop().done())).toEqual(SAFE);
    const viaNewobj = (p: P) => fields(p.global('copyreg', '__newobj__').global(...MAKER).tuple1().reduce(), FIELDS).build();
    expect(judge(transformer(viaNewobj).stop().done())).toEqual(SAFE);
    expect(judge(crs((p) => p.str('EPSG:4326'), new P().proto(2).emptyDict()).int(1).setitem().stop().done())).toEqual(SAFE);
  });

  test("a CRS whose srs PROJ would parse (a PROJ string naming an init file, WKT), another key or shape, is refused", () => {
    expect(judge(crs((p) => p.str('+init=/etc/passwd:root +type=crs')).stop().done())).toEqual(REFUSED);
    expect(judge(crs((p) => p.str('GEOGCRS["x",DATUM["d",ELLIPSOID["e",6378137,298.25]]]')).stop().done())).toEqual(REFUSED);
    expect(judge(crs((p) => p.str('urn:ogc:def:crs:EPSG::4326')).stop().done())).toEqual(REFUSED);
    // a value the scan cannot read (a str made from an object)
    expect(judge(crs((p) => p.global('builtins', 'str').global('builtins', 'object').emptyTuple().reduce().tuple1().reduce()).stop().done())).toEqual(REFUSED);
    expect(judge(new P().proto(2).global(...CRS).emptyTuple().newobj().emptyDict().str('srs').str('EPSG:4326').setitem().str('_local').none().setitem().build().stop().done())).toEqual(REFUSED);
    expect(judge(new P().proto(2).global(...CRS).emptyTuple().newobj().str('EPSG:4326').build().stop().done())).toEqual(REFUSED);
  });

  test('a CRS given to library code, which may compare it with a string of the pickle (CRS.__eq__ parses its operand), is judged there', () => {
    const inCall = crs((p) => p.str('EPSG:4326'), new P().proto(2).global('pandas.core.indexes.base', '_new_Index').global('pandas.core.indexes.base', 'Index').emptyDict().str('name')).setitem().tuple2().reduce();
    expect(judge(inCall.stop().done())).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-passed']]);
    const inState = crs((p) => p.str('EPSG:4326'), new P().proto(2).global('collections', 'OrderedDict').emptyTuple().newobj().emptyDict().str('crs')).setitem().build();
    expect(judge(inState.stop().done())).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-passed']]);
  });

  test("a CRS in a geopandas GeometryArray's (WKB, CRS) state is stored, not compared (a reviewed receiver); the array handed on carries it", () => {
    // geopandas 1.0's GeometryArray pickles as NEWOBJ plus a BUILD of (object array of WKB, CRS)
    const wkb = (p: P) => p.global('numpy.core.multiarray', '_reconstruct').global('numpy', 'ndarray').binint1(0).tuple1().bytes('b').tuple3().reduce().mark().binint1(1).binint1(0).tuple1().global('numpy', 'dtype').str('O8').false().true().tuple3().reduce().mark().binint1(3).str('|').none().none().none().binint(-1).binint(-1).binint1(63).tuple().build().false().mark().bytes('\x01\x01\x00\x00\x00').list().tuple().build();
    const array = (p: P) => crs((q) => q.str('EPSG:4326'), wkb(p.global('geopandas.array', 'GeometryArray').emptyTuple().newobj())).tuple2().build();
    expect(judge(array(new P().proto(2)).stop().done())).toEqual(SAFE);
    // handed to a callable nobody reviewed, the array and the CRS it holds are judged there
    const handed = judge(array(new P().proto(2).global('pandas.core.indexes.base', '_new_Index').global('pandas.core.indexes.base', 'Index').emptyDict().str('data')).setitem().tuple2().reduce().stop().done());
    expect(handed[0]).toBe('dangerous');
    expect(handed[1]).toContain('DENIED_GLOBAL/gadget-passed');
  });

  test('calling CRS (its __init__ has PROJ parse its argument) or handing the class on is a gadget', () => {
    expect(judge(new P().proto(2).global(...CRS).str('EPSG:4326').tuple1().reduce().stop().done())).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-call']]);
    expect(judge(new P().proto(2).global('copyreg', '_reconstructor').global('builtins', 'object').global(...CRS).str('+init=/etc/passwd:x').tuple3().reduce().stop().done())[1]).toContain('DENIED_GLOBAL/gadget-call');
    expect(judge(new P().proto(2).global('pandas.core.indexes.base', '_new_Index').global(...CRS).emptyDict().tuple2().reduce().stop().done())).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-passed']]);
  });

  test("a Transformer's maker must be a TransformerFromCRS rebuilt with the fields pyproj writes, CRS as AUTHORITY:CODE", () => {
    // the maker's own BUILD is refused, and the Transformer's, which calls it
    expect(judge(transformer(maker(withField('crs_from', (p) => latin1(p, '+init=/etc/passwd:root')))).stop().done())).toEqual(['dangerous', ['DENIED_GLOBAL/unsafe-call', 'DENIED_GLOBAL/unsafe-call']]);
    for (const [key, v] of [
      ['crs_to', (p: P) => latin1(p, '+proj=pipeline +step +proj=hgridshift +grids=/etc/shadow')],
      ['always_xy', (p: P) => p.int(1)],
      ['area_of_interest', (p: P) => p.global('pyproj.aoi', 'AreaOfInterest').emptyTuple().newobj()],
      ['authority', (p: P) => p.str('../x')],
      ['accuracy', (p: P) => p.str('1')],
      ['allow_ballpark', (p: P) => p.str('yes')],
    ] as [string, (p: P) => P][]) {
      expect([key, judge(transformer(maker(withField(key, v))).stop().done())[0]]).toEqual([key, 'dangerous']);
    }
    expect(judge(transformer(maker([...FIELDS, ['__call__', (p) => p.none()]])).stop().done())[0]).toBe('dangerous');
    expect(judge(transformer(maker(FIELDS.filter(([k]) => k !== 'crs_to'))).stop().done())[0]).toBe('dangerous');
    // made by a call with arguments (its __init__ stores them unchecked), without a BUILD, or of another class
    const calledMaker = (p: P) => p.global(...MAKER).mark().str('EPSG:4326').str('EPSG:3857').false().none().none().none().none().tuple().reduce();
    expect(judge(transformer(calledMaker).stop().done())).toEqual(REFUSED);
    expect(judge(transformer((p) => p.global(...MAKER).emptyTuple().newobj()).stop().done())).toEqual(REFUSED);
    const pipeline = (p: P) => latin1(p.global('pyproj.transformer', 'TransformerFromPipeline').emptyTuple().newobj().emptyDict().str('proj_pipeline'), '+proj=pipeline +step +proj=hgridshift +grids=/etc/shadow').setitem().build();
    expect(judge(transformer(pipeline).stop().done())).toEqual(REFUSED);
    expect(judge(transformer((p) => p.global('pyproj.datadir', 'get_data_dir')).stop().done())).toEqual(REFUSED);
    // a second key in the Transformer's state
    expect(judge(maker()(new P().proto(2).global(...TRANSFORMER).emptyTuple().newobj().emptyDict().str('_local').none().setitem().str('_transformer_maker')).setitem().build().stop().done())).toEqual(REFUSED);
  });

  test("pyproj's context setters are gadgets: they move where PROJ reads its files or turn its networking on", () => {
    const denied = (m: string, n: string, arg: (p: P) => P) => judge(arg(new P().proto(2).global(m, n)).tuple1().reduce().stop().done())[1];
    expect(denied('pyproj.datadir', 'set_data_dir', (p) => p.str('/tmp/evil'))).toContain('DENIED_GLOBAL/gadget');
    expect(denied('pyproj.network', 'set_network_enabled', (p) => p.true())).toContain('DENIED_GLOBAL/gadget');
    expect(denied('pyproj.crs.coordinate_operation', 'ToWGS84Transformation', (p) => p.str('+init=/etc/passwd:x'))).toContain('DENIED_GLOBAL/gadget');
  });
});
