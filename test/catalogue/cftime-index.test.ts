/**
 * xarray's CFTimeIndex handed to pandas' `_new_Index(cls, d)`, which rebuilds it with
 * `cls.__new__(cls, **d)` only (catalogue NEW_ONLY_REBUILDERS); the index it makes is a CFTimeIndex,
 * whose `append` the catalogue could not verify, judged wherever it goes. The receivers a dataset
 * stores it in (PandasIndex, PandasIndexingAdapter, IndexVariable) only store their slots
 * (catalogue STORING_BUILD).
 */
import { scan, type Report } from '../../src';
import { lookupCatalogue } from '../../src/names/catalogue';
import { P } from '../support/pickle-builder';

const judge = (bytes: Uint8Array) => {
  const r: Report = scan(bytes, { policy: 'default' });
  return [r.verdict, r.findings.filter((f) => f.severity !== 'info').map((f) => `${f.code}/${f.rule}`)];
};
const NEW_INDEX = ['pandas.core.indexes.base', '_new_Index'] as const;
const CFTIME = ['xarray.coding.cftimeindex', 'CFTimeIndex'] as const;
const PASSED = ['suspicious', ['UNLISTED_GLOBAL/unverified-passed']];
const SAFE = ['safe', []];
// _new_Index(CFTimeIndex, {'data': [], 'name': 'time'}) as xarray pickles the index
const index = (p: P, cls: readonly [string, string] = CFTIME) => p.global(...NEW_INDEX).global(...cls).emptyDict().str('data').emptyList().setitem().str('name').str('time').setitem().tuple2().reduce();
const made = (p: P, cls: readonly [string, string]) => p.global(...cls).emptyTuple().newobj();
// a receiver (memo `m`) with (None, {slot: what `value` pushes})
const slots = (p: P, cls: readonly [string, string], slot: string, value: (p: P) => P) => value(made(p, cls).none().emptyDict().str(slot)).setitem().tuple2().build();

describe("CFTimeIndex rebuilt by pandas' _new_Index", () => {
  test('the catalogue has the verdicts these tests assume', () => {
    expect(lookupCatalogue(...CFTIME)!.failing).toEqual({ append: 'unverified' });
  });

  test('handed to _new_Index as the class it rebuilds: accepted, and stored in the receivers a dataset keeps it in', () => {
    expect(judge(index(new P().proto(2)).stop().done())).toEqual(SAFE);
    const pandasIndex = slots(new P().proto(2), ['xarray.core.indexes', 'PandasIndex'], 'index', (p) => index(p));
    expect(judge(pandasIndex.stop().done())).toEqual(SAFE);
    const adapter = (p: P) => slots(p, ['xarray.core.indexing', 'PandasIndexingAdapter'], 'array', (q) => index(q));
    const indexVariable = slots(new P().proto(2), ['xarray.core.variable', 'IndexVariable'], '_data', adapter);
    expect(judge(indexVariable.stop().done())).toEqual(SAFE);
    const dataset = slots(new P().proto(2), ['xarray.core.dataset', 'Dataset'], '_variables', (p) => slots(p.emptyDict().str('time'), ['xarray.core.variable', 'IndexVariable'], '_data', adapter).setitem());
    expect(judge(dataset.stop().done())).toEqual(SAFE);
  });

  test('the index it makes is a CFTimeIndex: APPEND on it, or giving it to code that may call append, is judged', () => {
    expect(judge(index(new P().proto(2)).emptyList().append().stop().done())).toEqual(['suspicious', ['UNLISTED_GLOBAL/unverified-method']]);
    // in the arguments of a call, in the BUILD state of a class nobody reviewed
    expect(judge(index(new P().proto(2).global(...NEW_INDEX).global('pandas.core.indexes.base', 'Index').emptyDict().str('data')).setitem().tuple2().reduce().stop().done())).toEqual(PASSED);
    expect(judge(slots(new P().proto(2), ['xarray.core.variable', 'Variable'], '_data', (p) => index(p)).stop().done())).toEqual(PASSED);
    // stored in a reviewed receiver that is then handed to a call
    const handed = slots(new P().proto(2).global(...NEW_INDEX).global('pandas.core.indexes.base', 'Index').emptyDict().str('data'), ['xarray.core.indexes', 'PandasIndex'], 'index', (p) => index(p)).setitem().tuple2().reduce();
    expect(judge(handed.stop().done())).toEqual(PASSED);
    // a slot a receiver does not list is not a store: judged as before
    expect(judge(slots(new P().proto(2), ['xarray.core.indexes', 'PandasIndex'], 'other', (p) => index(p)).stop().done())).toEqual(PASSED);
  });

  test('handed anywhere else, or to another callable, it is judged by its methods as before', () => {
    // as d, inside a container in the class position, to a reconstructor nobody reviewed for it
    expect(judge(new P().proto(2).global(...NEW_INDEX).global('pandas.core.indexes.base', 'Index').emptyDict().str('x').global(...CFTIME).setitem().tuple2().reduce().stop().done())).toEqual(PASSED);
    expect(judge(new P().proto(2).global(...NEW_INDEX).emptyList().global(...CFTIME).append().emptyDict().tuple2().reduce().stop().done())).toEqual(PASSED);
    expect(judge(new P().proto(2).global('pandas.core.indexes.datetimes', '_new_DatetimeIndex').global(...CFTIME).emptyDict().tuple2().reduce().stop().done())).toEqual(PASSED);
    // a spelling other than the reviewed one
    expect(judge(index(new P().proto(2), ['xarray', 'CFTimeIndex']).stop().done())).toEqual(PASSED);
  });
});
