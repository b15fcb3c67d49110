/**
 * Reviewed BUILD guards for geopandas' `GeoDataFrame`, `GeoSeries` and `GeometryArray`
 * (docs/catalogue.md, "Reviewed guards"). Read in geopandas 0.12.2 with shapely 1.8.5 and pandas 1.5.3
 * (Debian 12) and geopandas 1.0.1 with shapely 2.1.0 and pandas 2.2.3 (Debian 13).
 *
 * GeoDataFrame and GeoSeries (the catalogue saw their `__setitem__`, `__getattr__`, `__setattr__` and
 * construction build geometries through shapely, whose 1.8 coordinate readers cast an
 * `__array_interface__` data address to a pointer):
 *
 * - `GeoDataFrame.__setstate__(state)`: for a dict state, pops `crs` or `_crs` and, when not None,
 *   parses it with `pyproj.CRS.from_user_input` (a PROJ string can name files; an object's `to_wkt()`
 *   is called) and later assigns it through the `crs` property; then `NDFrame.__setstate__`. GeoSeries
 *   has no `__setstate__` of its own: `NDFrame.__setstate__` (pandas generic.py, the same in both).
 * - `NDFrame.__setstate__(state)`: a dict state (a BlockManager state goes to `self._mgr`; anything
 *   else raises) with `_typ`; `object.__setattr__(self, '_attrs', state.get('_attrs', {}))`,
 *   `Flags(self, **state.get('_flags', ...))`, then every other key with `object.__setattr__`, which
 *   runs a property's setter: `attrs` (`dict(value)`), GeoSeries' `name` in pandas 1.5.3 (hashes the
 *   value), GeoDataFrame's `geometry` and `crs` and GeoSeries' `crs` (all three build or convert
 *   geometries); a key named like a method would shadow it for the library code that runs later;
 *   `self._item_cache = {}` last (`__setattr__` of an internal name: object.__setattr__).
 *
 * Admitted for both: a dict with constant keys among those pandas writes (`_mgr` a BlockManager or
 * SingleBlockManager the pickle built, `_typ` a str, `_metadata` strs, `attrs`/`_attrs` a dict of plain
 * data, `_flags` `{'allows_duplicate_labels': bool}`), GeoDataFrame's `_geometry_column_name` a plain
 * label and `crs`/`_crs` None, GeoSeries' `name`/`_name` a plain label.
 *
 * GeometryArray (the catalogue saw its `__setstate__` reach shapely's geometry constructors and an
 * `__import__`, and its `__setitem__` convert the assigned value the same way):
 *
 * - 0.12.2: a dict state (what it writes with shapely 1.8: `self.__dict__`, `data` an object ndarray of
 *   shapely geometries) goes through `vectorized.from_shapely(state['data'])` only when pygeos is in
 *   use (it is not installed in Debian 12; from_shapely reads each item's `__geo_interface__` or hands
 *   its GEOS pointer to pygeos), then `self.__dict__.update(state)`. Any other state:
 *   `vectorized.from_wkb(state[0])` (each item: `shapely.wkb.loads(item, hex=isinstance(item, str))`,
 *   and `geom_factory`'s `__import__('shapely.geometry', fromlist=[<a GEOS type name>])`), then
 *   `_crs = state[1]`, `_sindex = None`, `base = None`.
 * - 1.0.1 writes `(shapely.to_wkb(data), crs)`; `__setstate__` decodes `shapely.from_wkb(state[0])`
 *   (`np.asarray(state[0], dtype=object)`, then in C: bytes, str or None, else TypeError) and stores
 *   `_crs`, `_sindex`, `_data`, `base`; a dict state renames `data` to `_data` and updates `__dict__`.
 *
 * Admitted: a dict with constant keys among `data`, `_data`, `_crs`, `_sindex`, `base`, whose array is
 * an object ndarray of None, WKB (bytes or str) and shapely geometries the pickle built from WKB
 * (shapely 1.8's classes called or rebuilt with no argument, then at most a BUILD of bytes; 2.x's
 * `shapely.io.from_wkb(wkb)`), `_crs` None or a pyproj CRS, `_sindex` and `base` None; or the pair
 * (an object ndarray, list or tuple of WKB and None, a CRS or None). `np.asarray` of anything else
 * would run its `__array__`/`__array_interface__` (an address numpy would read). Anything else is
 * DENIED_GLOBAL/unsafe-call.
 */
import type { CostFinding } from './cost-finding';
import { isPlainData } from './plain-data';
import { NUMPY_RECONSTRUCT, classOf, type Value } from './values';

const refuse = (what: string, why: string): CostFinding => ({ rule: 'DENIED_GLOBAL/unsafe-call', args: { why: `${what}; ${why}` } });

const constStr = (v: Value): boolean => v.k === 'str' && v.v !== null;

/** A column or series label pandas stores as it is: None, a bool, a number, a str or bytes. */
const plainLabel = (v: Value): boolean => v.k === 'none' || v.k === 'bool' || v.k === 'int' || v.k === 'float' || v.k === 'str' || v.k === 'bytes';

const MANAGERS: ReadonlySet<string> = new Set(['pandas.core.internals.managers.BlockManager', 'pandas.core.internals.managers.SingleBlockManager']);
const CRS = 'pyproj.crs.crs.CRS';
const ENCODE: ReadonlySet<string> = new Set(['_codecs.encode', 'codecs.encode']);

/** shapely 1.8.5's geometry classes (the emptyCall review in catalogue REVIEWED_ENTRIES covers those the catalogue did not judge safe). */
const SHAPELY_18: ReadonlySet<string> = new Set([
  'shapely.geometry.point.Point',
  'shapely.geometry.linestring.LineString',
  'shapely.geometry.polygon.LinearRing',
  'shapely.geometry.polygon.Polygon',
  'shapely.geometry.multipoint.MultiPoint',
  'shapely.geometry.multilinestring.MultiLineString',
  'shapely.geometry.multipolygon.MultiPolygon',
  'shapely.geometry.collection.GeometryCollection',
]);

/** bytes, or bytes written as `_codecs.encode(str, 'latin1')` and not folded. */
function bytesLike(v: Value): boolean {
  if (v.k === 'bytes') return true;
  if (v.k !== 'call' || v.callee.k !== 'global' || !ENCODE.has(v.callee.resolved) || v.kwargs || v.state !== undefined || v.args.k !== 'tuple') return false;
  const [s, enc] = v.args.items;
  return v.args.count === 2 && s !== undefined && s.k === 'str' && enc !== undefined && constStr(enc);
}

/** WKB as geopandas and shapely write it: bytes, a hex str, or None. */
const wkbItem = (v: Value): boolean => v.k === 'none' || v.k === 'str' || bytesLike(v);

/** A shapely geometry the pickle built from WKB: 1.8's `Cls()` (or `Cls.__new__(Cls)`) with at most a BUILD of bytes, 2.x's `shapely.io.from_wkb(wkb)`. */
function shapelyGeometry(v: Value): boolean {
  if (v.k !== 'call' || v.kwargs || v.args.k !== 'tuple' || v.args.count !== v.args.items.length) return false;
  const cls = classOf(v);
  if (!cls || v.callee !== cls) return false;
  if (SHAPELY_18.has(cls.resolved)) return v.args.count === 0 && (v.state === undefined || bytesLike(v.state));
  return cls.resolved === 'shapely.io.from_wkb' && v.state === undefined && v.args.count === 1 && (constStr(v.args.items[0]!) || bytesLike(v.args.items[0]!));
}

/**
 * The items of an object ndarray the pickle built with numpy's `_reconstruct(ndarray, (0,), b'b')`
 * and a BUILD of `(version, shape, dtype, fortran, [items])`, when they can all be judged by `item`:
 * every item kept, or the dropped ones plain (`hotKnown` and nothing hot in the list).
 */
function objectArray(v: Value, item: (x: Value) => boolean, hotKnown: boolean): boolean {
  if (v.k !== 'call' || v.callee.k !== 'global' || !NUMPY_RECONSTRUCT.has(v.callee.resolved) || v.kwargs || v.args.k !== 'tuple') return false;
  const base = v.args.items[0];
  if (base?.k !== 'global' || (base.resolved !== 'numpy.ndarray' && base.resolved !== 'numpy.core.multiarray.ndarray' && base.resolved !== 'numpy._core.multiarray.ndarray')) return false;
  const st = v.state;
  if (!st || st.k !== 'tuple' || st.count !== 5 || st.items.length !== 5) return false;
  const raw = st.items[4]!;
  if (raw.k !== 'list' || (raw.count !== raw.items.length && (!hotKnown || raw.h))) return false;
  return raw.items.every(item);
}

/** Checks one value of a state: why it is refused, or null. */
type Check = (v: Value) => string | null;

/** A dict state with constant string keys, every one kept, each admitted by `keys` with its value. */
function dictState(what: string, state: Value, keys: ReadonlyMap<string, Check>): CostFinding | null {
  if (state.k !== 'dict') return refuse(what, 'only a dict state can be checked, and this one is not');
  if (state.count !== state.entries.length) return refuse(what, 'the state has more items than are kept for checking');
  for (const [key, value] of state.entries) {
    const check = key.k === 'str' && key.v !== null ? keys.get(key.v) : undefined;
    if (!check) return refuse(what, `the state has a key other than ${[...keys.keys()].join(', ')} (another key may be a property whose setter runs, or shadow a method)`);
    const why = check(value);
    if (why) return refuse(what, `its ${(key as { v: string }).v} ${why}`);
  }
  return null;
}

const NDFRAME = (hotKnown: boolean): [string, Check][] => [
  ['_mgr', (v) => (MANAGERS.has(classOf(v)?.resolved ?? '') ? null : 'is not a BlockManager or SingleBlockManager the pickle built')],
  ['_typ', (v) => (constStr(v) ? null : 'is not a constant str')],
  ['_metadata', (v) => ((v.k === 'list' || v.k === 'tuple') && v.count === v.items.length && v.items.every(constStr) ? null : 'are not constant strs')],
  ['attrs', (v) => (v.k === 'dict' && isPlainData(v, 4, hotKnown) ? null : 'are not a dict of plain data (the attrs setter runs dict() on them)')],
  ['_attrs', (v) => (v.k === 'dict' && isPlainData(v, 4, hotKnown) ? null : 'are not a dict of plain data')],
  [
    '_flags',
    (v) => {
      const [k, b] = v.k === 'dict' && v.count === 1 && v.entries.length === 1 ? v.entries[0]! : [];
      return k?.k === 'str' && k.v === 'allows_duplicate_labels' && b?.k === 'bool' ? null : "are not {'allows_duplicate_labels': a bool} (Flags(self, **flags))";
    },
  ],
];

const label: Check = (v) => (plainLabel(v) ? null : 'is not a plain label (None, a bool, a number, a str)');
const noneOnly: Check = (v) => (v.k === 'none' ? null : 'is not None (a frame-level CRS is parsed by pyproj, and an object is asked for to_wkt())');

/** The guard a BUILD on a `geopandas.geodataframe.GeoDataFrame` breaks, if any. */
export function geoDataFrameGuard(state: Value, hotKnown: boolean): CostFinding | null {
  const keys = new Map<string, Check>([...NDFRAME(hotKnown), ['_geometry_column_name', label], ['crs', noneOnly], ['_crs', noneOnly]]);
  return dictState("geopandas' GeoDataFrame.__setstate__ parses a frame-level CRS and sets every other key of its state with object.__setattr__ (a property's setter runs); admitted is the state pandas and geopandas write", state, keys);
}

/** The guard a BUILD on a `geopandas.geoseries.GeoSeries` breaks, if any. */
export function geoSeriesGuard(state: Value, hotKnown: boolean): CostFinding | null {
  const keys = new Map<string, Check>([...NDFRAME(hotKnown), ['name', label], ['_name', label]]);
  return dictState("a GeoSeries' BUILD (pandas' NDFrame.__setstate__) sets every key of its state with object.__setattr__ (a property's setter runs: crs converts geometries); admitted is the state pandas writes", state, keys);
}

/** The guard a BUILD on a `geopandas.array.GeometryArray` breaks, if any. */
export function geometryArrayGuard(state: Value, hotKnown: boolean): CostFinding | null {
  const what = "geopandas' GeometryArray.__setstate__ decodes WKB (numpy reads what it is given through its array interface) or stores its state in __dict__; admitted are the WKB pair geopandas 1.0 writes and the dict 0.12 writes, with WKB or shapely geometries built from WKB";
  const crs: Check = (v) => (v.k === 'none' || (v.k === 'call' && classOf(v)?.resolved === CRS) ? null : 'is not None or a pyproj CRS the pickle built');
  if (state.k === 'tuple') {
    if (state.count !== 2 || state.items.length !== 2) return refuse(what, 'this state is not the pair (WKB array, CRS)');
    const [wkb, c] = state.items as [Value, Value];
    const listed = (wkb.k === 'list' || wkb.k === 'tuple') && (wkb.count === wkb.items.length || (hotKnown && !wkb.h)) && wkb.items.every(wkbItem);
    if (!listed && !objectArray(wkb, wkbItem, hotKnown)) return refuse(what, 'its WKB is not an object ndarray, list or tuple of bytes, str and None');
    const why = crs(c);
    return why ? refuse(what, `its CRS ${why}`) : null;
  }
  const geometries: Check = (v) => (objectArray(v, (x) => wkbItem(x) || shapelyGeometry(x), hotKnown) ? null : 'is not an object ndarray of None, WKB and shapely geometries built from WKB');
  const none: Check = (v) => (v.k === 'none' ? null : 'is not None');
  return dictState(what, state, new Map<string, Check>([['data', geometries], ['_data', geometries], ['_crs', crs], ['_sindex', none], ['base', none]]));
}
