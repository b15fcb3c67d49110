/**
 * The library catalogue's verdict on one global, in the policy's terms (src/policy/compile.ts asks
 * when a policy sets `catalogue: true`):
 *
 * - for a name no rule of the policy matches: a class or function whose reconstruction reaches no
 *   sink is allowed (a module-level value only as a value, not called); a gadget is denied; an
 *   entry the walk could not verify, or a name the catalogue of its library does not have, stays
 *   suspicious, with the catalogue's reason;
 * - for a name a wildcard allow rule matches (`sklearn.*`), asked when the pickle calls it: a gadget
 *   function is denied (calling it reaches a sink with the pickle's arguments); everything else
 *   keeps the rule's verdict.
 *
 * - a class whose verdict comes from its __init__ alone (`callOnly`): allowed, since pickle rebuilds
 *   it with __new__ and BUILD; the machine judges a call of it (REDUCE, INST, OBJ) by __init__'s
 *   verdict (`callVerdict`).
 *
 * Names a rule lists exactly are the policy's alone.
 */
import { MODEL_CLASSES, PARAMETER, PARAMETERS } from '../../machine/lmfit';
import { FIXED_TIMEZONE, TIMEZONE, TRANSITION, TRANSITION_TYPE } from '../../machine/pendulum';
import { argsGuarded, libraryGuarded } from './guarded-args';
import { catalogueLibrary, lookupCatalogue, type CatalogueEntry } from './index';
import { CHECKED_METHODS, type CallVerdict, type CatalogueVerdict, type MethodVerdicts, type ReviewedReceivers, type StoringBuild } from './verdict';

/** What a reviewer read of a class's entry points (REVIEWED_ENTRIES). */
export interface ReviewedEntries {
  readonly __getattr__?: string;
  readonly __eq__?: string;
  /** Only with a guarded BUILD (GUARDED_SETSTATE): BUILD then never sets slot state through __setattr__, and the guard covers what __setstate__ does with it. */
  readonly __setattr__?: string;
  /** __hash__, __new__, __del__: only with a guarded BUILD, when what they do is safe given the state that guard admits. */
  readonly __hash__?: string;
  readonly __new__?: string;
  readonly __del__?: string;
  readonly emptyCall?: string;
  readonly receivers?: ReviewedReceivers;
}

/**
 * Classes whose __setstate__ a reviewer read and the scanner guards at BUILD (src/machine/costs.ts):
 * statsmodels' model data re-evaluates the model's formula through patsy (an eval) only when the
 * state has `restore_design_info`; any other state only updates __dict__. Pillow's images are
 * admitted with the plain-data state Pillow writes.
 *
 * A class listed here that the catalogue judged safe gets the guard too (catalogueJudgement): the
 * walk does not follow calls on objects from the state (lmfit's Parameters evaluates the expressions
 * of the parameters it is given), and a default BUILD may set an attribute that shadows a method.
 * Some also have a call guard (costs.ts CLASS_CALL_GUARDS), checked wherever the class is called
 * or its __new__ run; handed to another callable, which may call it with anything, such a class is
 * UNLISTED_GLOBAL/unverified-passed.
 */
export const GUARDED_SETSTATE: ReadonlySet<string> = new Set([
  'statsmodels.base.data.ModelData',
  'statsmodels.base.data.PandasData',
  'statsmodels.base.data.PatsyData',
  // Pillow's images: with the plain state Pillow writes, only its C code runs (the walk saw the decoder
  // looked up by a name, the constant "raw" here, and for an ImageFile the file reading of load(),
  // which a BUILD leaves out by emptying the tile list first)
  'PIL.Image.Image',
  'PIL.PngImagePlugin.PngImageFile',
  // sklearn-pandas' mapper: features without a fourth item (the columns callable is called with it)
  'sklearn_pandas.dataframe_mapper.DataFrameMapper',
  // matplotlib's callback registry: the plain state it writes, with no callback (src/machine/matplotlib.ts)
  'matplotlib.cbook.CallbackRegistry',
  // geopandas' frames, series and geometry arrays: the state they write, with no CRS to parse at frame
  // level, no key that is a property or a method name, geometries as WKB or shapely objects the pickle
  // built from WKB (src/machine/geopandas.ts)
  'geopandas.geodataframe.GeoDataFrame',
  'geopandas.geoseries.GeoSeries',
  'geopandas.array.GeometryArray',
  // Biopython's substitution matrices: __setstate__ is pickle.loads(state); the guard runs that pickle
  // as a nested one and admits a plain numpy array (src/machine/biopython.ts)
  'Bio.Align.substitution_matrices.Array',
  // astropy's Time: no __setstate__, but BUILD's lookup of it reaches TimeBase.__getattr__, which an
  // earlier BUILD's SCALES, FORMATS or __getattribute__ would turn into a scale conversion; the guard
  // admits the __dict__ astropy writes (src/machine/astropy.ts)
  'astropy.time.core.Time',
  // astropy's Table (__setstate__ runs __init__ on the columns) and Column (__setstate__ sets six
  // attributes): the shapes astropy writes (src/machine/astropy.ts)
  'astropy.table.table.Table',
  'astropy.table.column.Column',
  // tqdm's bar (no __setstate__: pickle's BUILD into __dict__): the state of a disabled bar only, on
  // which its reviewed __new__ and __del__ rest (REVIEWED_ENTRIES)
  'tqdm.std.tqdm',
  // pyproj: a CRS's srs and a transformer maker's CRS are parsed by PROJ, which opens the files a
  // PROJ string names; admitted as AUTHORITY:CODE only. The Transformer calls its maker at BUILD.
  'pyproj.crs.crs.CRS',
  'pyproj.transformer.TransformerFromCRS',
  'pyproj.transformer.Transformer',
  // lmfit (src/machine/lmfit.ts): a parameter's constraint expression, which asteval evaluates, must be
  // plain arithmetic; Parameters' state holds numbers and Parameters built before; models' hints too
  PARAMETER,
  PARAMETERS,
  ...MODEL_CLASSES,
  // pendulum's zones (src/machine/pendulum.ts): a BUILD sets only the attributes pendulum writes, a
  // call gets a constant zone name (read from the zone directory) or an int offset
  TIMEZONE,
  FIXED_TIMEZONE,
  TRANSITION,
  TRANSITION_TYPE,
]);

/**
 * Classes whose __hash__ and __eq__ reach a sink, admitted with those judged where a pickle makes an
 * instance a dict key or set member (SETITEM(S), ADDITEMS, FROZENSET, DICT, set(), dict()...: refused)
 * and wherever an instance is given to library code (which may hash or compare it), with what was read.
 */
export const KEY_JUDGED: ReadonlyMap<string, string> = new Map([
  [
    'astropy.time.core.Time',
    "astropy 5.2.1 and 7.0.1: TimeBase.__eq__ converts the other operand with Time(other, scale=self.scale), whose scale conversion checks the leap-second table (it may download it and write astropy's cache); __hash__ reads location, jd1, jd2 and scale through the objects of its state",
  ],
]);

const SHAPELY_EMPTY = (init: string) =>
  `shapely 1.8.5: called with no argument (as shapely writes it), ${init}; BaseGeometry and BaseMultipartGeometry define no __init__ or __new__ (object's run), so nothing else runs. Any argument is still a call the catalogue judged (the coordinates are read through __array_interface__, whose data address is cast to a pointer)`;
const GEOPANDAS_GETATTR = (setstate: string) =>
  `geopandas 0.12.2 (pandas 1.5.3) and 1.0.1 (pandas 2.2.3): BUILD's getattr(inst, '__setstate__') finds ${setstate} on the class and never reaches NDFrame.__getattr__, which would look the name up as a column (self[name] builds a GeoSeries); the unpickler's other lookups (append, extend, add) are judged where a pickle makes them`;
const GEOPANDAS_SETATTR = (own: string) =>
  `geopandas 0.12.2 and 1.0.1: the class has a __setstate__, so BUILD never sets slot state through __setattr__; ${own}, and __setstate__ (guarded) reaches it only for self._item_cache = {} (an internal name: object.__setattr__) and for a BlockManager state (self._mgr = state, also an internal name), the guard admitting only a dict state`;

/**
 * Entry points of a class that a reviewer read where the catalogue's walk could not tell them safe,
 * with what was read. A class whose failing entries are all judged elsewhere (see methodOnly) or
 * reviewed here is admitted when rebuilt.
 *
 * - `__getattr__`: BUILD looks `__setstate__` up (`getattr(inst, '__setstate__', None)`), which
 *   reaches `__getattr__` when the class defines no `__setstate__`. The reviewed ones raise
 *   AttributeError for that name before calling anything. The unpickler asks an instance for one
 *   more name, `append` or `extend` (APPENDS) or `add` (ADDITEMS), which may reach `__getattr__`'s
 *   other paths: its verdict is judged there, as for a failing method.
 * - `__eq__`: run when two dict keys or set members have equal hashes. The reviewed ones reach their
 *   bad path only for operands no pickle can give there.
 * - `__setattr__`, for a class whose __setstate__ is guarded (GUARDED_SETSTATE): BUILD never sets slot
 *   state through it, and what __setstate__ does with it is part of the guard's review.
 * - `emptyCall`: calling the class with no argument at all reaches nothing (shapely 1.8's `Polygon()`);
 *   any other call stays judged by the catalogue's verdict (CallVerdict `emptyCall`).
 * - `receivers`: library code read not to run the class's failing methods on an instance it is given
 *   (ReviewedReceivers).
 * - `__new__` (NEWOBJ, copyreg.__newobj__), `__del__` (garbage collection) and `__hash__`: read for
 *   a class whose BUILD state a reviewed guard also checks (GUARDED_SETSTATE), when what they do is
 *   safe given the state that guard admits. A reviewed `__eq__` of such a class is judged where an
 *   instance is given to library code, which may compare it with any operand (methodVerdicts).
 */
export const REVIEWED_ENTRIES: ReadonlyMap<string, ReviewedEntries> = new Map<string, ReviewedEntries>([
  [
    'skimage.measure._regionprops.RegionProperties',
    {
      __getattr__:
        "scikit-image 0.25.2's __getattr__ returns self.__getattribute__('__setstate__') (AttributeError) first; 0.19.3's reads self._extra_properties first, which is not set yet and recurses through __getattr__ until RecursionError, so the load fails before anything is called; its state is a dict, set without __setattr__",
    },
  ],
  ['dask.delayed.Delayed', { __getattr__: "dask 2022.12.1 and 2024.12.1: __getattr__ raises AttributeError for every name starting with '_'; the state sets __slots__ through __setattr__, which is object.__setattr__" }],
  ['dask.delayed.DelayedLeaf', { __getattr__: "dask 2022.12.1 and 2024.12.1: Delayed's __getattr__ and __setattr__ (see dask.delayed.Delayed), not overridden" }],
  [
    'astropy.table.column.Column',
    {
      __setattr__:
        "astropy 5.2.1 and 7.0.1: Column.__setattr__ refuses 'mask', sets the attribute as object does (properties and the MetaData descriptor run), and for 'unit' asks parent_table, which is None unless astropy itself stored a weakref to a table in _parent_table (a pickle cannot: Column's __setstate__, which every BUILD of one runs, sets six named attributes and then _parent_table = None); the walk could not see that the weakref is what is called",
    },
  ],
  [
    'astropy.time.core.Time',
    {
      __getattr__:
        "astropy 5.2.1 and 7.0.1: TimeBase.__getattr__ converts scales only for a name in self.SCALES and formats only for a name in self.FORMATS, then raises ScaleValueError for a scale name and otherwise calls self.__getattribute__(attr), an AttributeError for __setstate__, append, extend and add; SCALES, FORMATS and __getattribute__ are class attributes a BUILD could shadow, which its guard refuses (src/machine/astropy.ts)",
    },
  ],
  [
    'tqdm.std.tqdm',
    {
      __new__:
        "tqdm 4.64.1 and 4.67.1: tqdm.__new__(cls, *_, **__) ignores its arguments, makes the instance with object.__new__, adds it to the class's WeakSet (hashed by id) and, once per process, starts tqdm's monitor thread: TMonitor(cls, cls.monitor_interval), a daemon thread whose atexit handler is its own exit(); every monitor_interval seconds it refreshes the bars that have start_t, which the guarded state never sets",
      __del__:
        'tqdm 4.64.1 and 4.67.1: __del__ calls close(), which returns at once when disable is true (the guarded state has disable True; a bar rebuilt without a BUILD has no disable, and __del__ stops at the AttributeError)',
    },
  ],
  [
    'pyproj.crs.crs.CRS',
    {
      __hash__:
        "pyproj 3.4.1 and 3.7.1: __hash__ is hash(self.to_wkt()), which has PROJ parse self.srs (_CRS(self.srs)); the guarded state's srs is an AUTHORITY:CODE, looked up in PROJ's database (a CRS rebuilt without a BUILD has no srs: AttributeError)",
      __eq__:
        'pyproj 3.4.1 and 3.7.1: __eq__ is self.equals(other): CRS.from_user_input(other), then a comparison of the two parsed CRS; a dict key or set member reaches it only with the same hash as this CRS, the hash of its WKT text, which a pickle cannot know (str hashes are keyed per process), so the other operand is a CRS whose srs is guarded too',
      receivers: {
        calls: ['pandas._libs.internals._unpickle_block', 'pandas.core.internals.managers.BlockManager', 'pandas.core.internals.managers.SingleBlockManager'],
        builds: ['geopandas.array.GeometryArray', 'pandas.core.internals.managers.BlockManager', 'pandas.core.internals.managers.SingleBlockManager', 'geopandas.geodataframe.GeoDataFrame', 'geopandas.geoseries.GeoSeries'],
        read: "geopandas 0.12.2 and 1.0.1: GeometryArray.__setstate__ stores a CRS as it is (the (WKB, CRS) pair: self._crs = state[1]; a dict state: self.__dict__.update(state), after setting _crs to None when missing), comparing and hashing nothing; GeometryArray defines no __setattr__. The pandas code and the frames' BUILD that then get the array (see geopandas.array.GeometryArray) read its dtype, ndim, shape and length, never its _crs",
      },
    },
  ],
  [
    'arrow.arrow.Arrow',
    {
      __eq__:
        "arrow 1.2.3 and 1.3.0: __eq__ returns False unless the other operand is an Arrow or a datetime, and then compares datetimes; the path the walk saw (a number made into an Arrow, whose tzinfo string is looked up as a zone file) is only for numbers",
    },
  ],
  // shapely 1.8.5 (Debian 12) pickles a geometry as (cls, (), wkb): `Cls()`, then a BUILD whose
  // __setstate__ parses the WKB bytes (deserialize_wkb: c_char_p(data) accepts only bytes). In 2.1.0
  // (Debian 13) the classes are safe and pickled as shapely.io.from_wkb(wkb).
  ['shapely.geometry.polygon.Polygon', { emptyCall: SHAPELY_EMPTY('Polygon.__init__(shell=None, holes=None): `if shell is not None` skips the coordinate parsing (geos_polygon_from_py and its ctypes casts)') }],
  ['shapely.geometry.multipoint.MultiPoint', { emptyCall: SHAPELY_EMPTY('MultiPoint.__init__(points=None): `if points is None ...: pass` skips geos_multipoint_from_py') }],
  ['shapely.geometry.multilinestring.MultiLineString', { emptyCall: SHAPELY_EMPTY('MultiLineString.__init__(lines=None): `if not lines: pass` skips geos_multilinestring_from_py') }],
  ['shapely.geometry.multipolygon.MultiPolygon', { emptyCall: SHAPELY_EMPTY("MultiPolygon.__init__(polygons=None, context_type='polygons'): `if not polygons: return` skips geos_multipolygon_from_polygons") }],
  // geopandas' frames and series: their __setstate__ is guarded (src/machine/geopandas.ts)
  ['geopandas.geodataframe.GeoDataFrame', { __getattr__: GEOPANDAS_GETATTR('GeoDataFrame.__setstate__ (which pops a frame-level crs and calls NDFrame.__setstate__)'), __setattr__: GEOPANDAS_SETATTR('GeoDataFrame.__setattr__ passes every name but "geometry" to NDFrame.__setattr__') }],
  ['geopandas.geoseries.GeoSeries', { __getattr__: GEOPANDAS_GETATTR("NDFrame.__setstate__ (GeoSeries defines none of its own)"), __setattr__: GEOPANDAS_SETATTR('GeoSeries defines no __setattr__: NDFrame.__setattr__') }],
  [
    'geopandas.array.GeometryArray',
    {
      receivers: {
        calls: ['pandas._libs.internals._unpickle_block', 'pandas.core.internals.managers.BlockManager', 'pandas.core.internals.managers.SingleBlockManager'],
        builds: ['pandas.core.internals.managers.BlockManager', 'pandas.core.internals.managers.SingleBlockManager', 'geopandas.geodataframe.GeoDataFrame', 'geopandas.geoseries.GeoSeries'],
        read:
          "pandas 1.5.3 and 2.2.3 rebuild a frame's blocks from it without assigning into it: _unpickle_block(values, placement, ndim) (maybe_coerce_values: isinstance checks; new_block: values.dtype, check_ndim in 1.5.3: values.ndim and len(values); the Block stores it), BlockManager(blocks, axes) and SingleBlockManager(block, axis) (block.ndim, _verify_integrity: block.shape, which is len(values)), the managers' __setstate__ (extract_array reads _typ; ensure_block_shape reads ndim and dtype and reshapes only a 2-D-able dtype, not GeometryDtype; new_block as above; assignments go into the state's own dicts), and NDFrame.__setstate__ of GeoDataFrame and GeoSeries stores the manager with object.__setattr__. What they run of GeometryArray (geopandas 0.12.2 and 1.0.1): the dtype property (a class attribute), ndim, shape, size and __len__ (the size of its data array, an ndarray the guard checked); never __setitem__",
      },
    },
  ],
]);

/**
 * Reconstructors that, handed one of the listed classes as their first argument, only rebuild it
 * with `cls.__new__(cls, **d)`, as NEWOBJ_EX does: the class is then judged as rebuilt (the
 * catalogue admitted it because its `__new__` reaches nothing), not by its methods, which a callable
 * handed the class could otherwise run. Read in pandas 1.5.3 and 2.2.3 (pandas/core/indexes/base.py):
 * `_new_Index(cls, d)` hands a PeriodIndex (`_typ` 'periodindex') to `_new_PeriodIndex`, which may
 * call it, adds `verify_integrity` for a MultiIndex, sets `d['dtype'] = d['data'].dtype` when `d`
 * has data and no dtype, and returns `cls.__new__(cls, **d)`.
 *
 * - xarray's CFTimeIndex (2023.01.0 and 2025.3.1, coding/cftimeindex.py): `_typ` is pandas Index's
 *   'index' (neither a PeriodIndex nor a MultiIndex); `__new__(cls, data, name=None, **kwargs)`
 *   checks that the items of data are cftime datetimes of one type, stores `np.array(data,
 *   dtype='O')` and sets the name through Index's setter (which checks it is hashable). The
 *   catalogue's walk of it reached nothing; what it could not verify is `append` (Index.append calls
 *   the class of its concatenation), which `_new_Index` never calls.
 */
export const NEW_ONLY_REBUILDERS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['pandas.core.indexes.base._new_Index', new Set(['xarray.coding.cftimeindex.CFTimeIndex'])],
]);

const REVIEWED_NAMES = ['__getattr__', '__eq__', '__setattr__', '__hash__', '__new__', '__del__'] as const;
/** Reviewed entries that are safe only with the state a guard admits: counted only for a class whose BUILD is guarded. */
const NEEDS_GUARD: ReadonlySet<string> = new Set(['__setattr__', '__hash__', '__new__', '__del__']);

/**
 * Names the catalogue's walk judged safe that a reviewer found evaluating text a pickle controls,
 * through an interpreter the walk reads as ordinary library code (asteval, whose Interpreter.eval
 * runs Python-like text with `open` in its symbol table and has known escapes): denied under every
 * spelling, with what was read. lmfit 1.1.0 (asteval 0.9.28) and 1.3.3 (asteval 1.0.6); the first
 * three were confirmed with a pickle that read a file while loading, in both generations.
 */
export const REVIEWED_GADGETS: ReadonlyMap<string, string> = new Map([
  [
    'lmfit.models.ExpressionModel',
    "lmfit's ExpressionModel(expr, independent_vars, init_script) runs init_script with asteval's Interpreter.eval in __init__, and keeps expr to evaluate on every call; pickle cannot write one (it holds its interpreter, whose output streams do not pickle, and a closure as its model function), so no benign pickle names it",
  ],
  [
    'lmfit.model._buildmodel',
    "lmfit's _buildmodel(state) rebuilds a model from a state tuple: with the function name '_eval' it makes ExpressionModel(text, **opts), whose opts may carry an init_script asteval runs; it is lmfit's JSON loader, never a pickle's",
  ],
  [
    'lmfit.parameter.asteval_with_uncertainties',
    "lmfit 1.3.3's asteval_with_uncertainties(*vals, obj=, pars=, names=) returns pars._asteval.eval(obj._expr_ast) for any object given as obj (a str there is parsed and run), reachable from a partial with keywords",
  ],
  [
    'lmfit.minimizer.asteval_with_uncertainties',
    "lmfit 1.1.0's asteval_with_uncertainties(*vals, _obj=, _pars=, _names=) returns _pars._asteval.eval(_obj._expr_ast) for any object given as _obj (a str there is parsed and run), reachable from a partial with keywords",
  ],
  [
    'lmfit.parameter.create_params',
    "lmfit 1.3.3's create_params(**kws) makes Parameters whose constraint expressions (any text in kws) asteval evaluates whenever a value is read; Parameters built by a pickle have their expressions checked instead (src/machine/lmfit.ts)",
  ],
]);

/**
 * BUILD receivers a reviewer read in both catalogued generations (Debian 12: Python 3.11, Debian 13:
 * Python 3.13): classes whose BUILD stores the values of its state without calling any of their
 * methods, so an object in that state whose methods are judged where they run (CHECKED_METHODS) is
 * not flagged there (ops/calls.ts stateInstances); it is judged instead wherever the receiver itself
 * is given to library code. For each, the MRO was read for __setstate__, __setattr__, __getattr__,
 * __getattribute__ and __dict__, each listed slot name checked to be the class's own member
 * descriptor (not a property, whose setter would run), and a BUILD with recording values run under
 * the C and the pure-Python unpickler in both generations (none of their methods, dunders
 * included, was called). docs/catalogue.md has the record.
 *
 * - xarray DataArray, Dataset (2023.01.0, 2025.3.1): no __setstate__ and no __dict__ (every class in
 *   the MRO has __slots__); AttrAccessMixin.__getattr__ answers `__setstate__` and `__dict__` with an
 *   AttributeError without touching anything; AttrAccessMixin.__setattr__ is
 *   `object.__setattr__(self, name, value)` and, on an AttributeError, formats the error (the name,
 *   not the value). Other names (`attrs`, `values`, `data`, `name`...) are properties whose setters
 *   do use the value (`attrs` runs dict(value)): not listed.
 * - astropy Gaussian1D and Parameter (5.2.1, 7.0.1), statsmodels ARIMA, ARIMAResults,
 *   LikelihoodModelResults and SmootherResults (0.13.5, 0.14.4): no
 *   __setstate__, __getattr__ or __getattribute__; a plain __dict__. A dict state is stored into
 *   __dict__ without __setattr__ (astropy's Model.__setattr__, which converts parameter values, runs
 *   only for the slots half: nothing listed there).
 * - statsmodels ARIMAResultsWrapper (0.13.5, 0.14.4): ResultsWrapper.__setstate__ is
 *   `self.__dict__.update(dict_)`; its __getattribute__ reads `_results` and `__dict__` with
 *   object.__getattribute__ and calls nothing on them.
 * - xarray PandasIndex, PandasIndexingAdapter and IndexVariable (2023.01.0, 2025.3.1), where a
 *   dataset keeps its index (a CFTimeIndex among them, see NEW_ONLY_REBUILDERS): no __setstate__,
 *   __setattr__, __getattr__, __getattribute__ or __del__ in their MROs; the listed slots are member
 *   descriptors (IndexVariable's are Variable's, which 2025.3.1's NamedArray declares too);
 *   PandasIndex has a plain __dict__ from its Index base, the others none. Variable's `data`,
 *   `values`, `attrs` and `dims` are properties, not listed.
 *
 * Dunder keys are never exempt (an instance __dict__ entry `__setstate__` would be what a later
 * BUILD of the same object calls).
 */
export const STORING_BUILD: ReadonlyMap<string, StoringBuild> = new Map<string, StoringBuild>([
  ['xarray.core.dataarray.DataArray', { setstate: 'default', dict: false, slots: ['_cache', '_close', '_coords', '_indexes', '_name', '_variable'] }],
  ['xarray.core.dataset.Dataset', { setstate: 'default', dict: false, slots: ['_attrs', '_cache', '_close', '_coord_names', '_dims', '_encoding', '_indexes', '_variables'] }],
  ['astropy.modeling.functional_models.Gaussian1D', { setstate: 'default', dict: true, slots: [] }],
  ['astropy.modeling.parameters.Parameter', { setstate: 'default', dict: true, slots: [] }],
  ['statsmodels.tsa.arima.model.ARIMA', { setstate: 'default', dict: true, slots: [] }],
  ['statsmodels.tsa.statespace.kalman_smoother.SmootherResults', { setstate: 'default', dict: true, slots: [] }],
  ['statsmodels.tsa.arima.model.ARIMAResults', { setstate: 'default', dict: true, slots: [] }],
  ['statsmodels.base.model.LikelihoodModelResults', { setstate: 'default', dict: true, slots: [] }],
  ['statsmodels.tsa.arima.model.ARIMAResultsWrapper', { setstate: 'dict-update', dict: true, slots: [] }],
  ['xarray.core.indexes.PandasIndex', { setstate: 'default', dict: true, slots: ['coord_dtype', 'dim', 'index'] }],
  ['xarray.core.indexing.PandasIndexingAdapter', { setstate: 'default', dict: false, slots: ['_dtype', 'array'] }],
  ['xarray.core.variable.IndexVariable', { setstate: 'default', dict: false, slots: ['_attrs', '_data', '_dims', '_encoding'] }],
]);

const versionsOf = (library: string, versions: readonly string[]) => `${library} ${versions.join(', ')}`;

/** A gadget reached by calling it (a function), not by rebuilding an instance (a class). */
const calledGadget = (e: CatalogueEntry) => e.entry === undefined || e.entry === 'the call';

/**
 * The verdict on `module.name`, or null when the catalogue has nothing to add. `unmatched`: no rule
 * of the policy matches the name (else a wildcard allow rule does).
 */
export function catalogueJudgement(module: string, name: string, unmatched: boolean): CatalogueVerdict | null {
  const v = judgement(module, name, unmatched);
  if (v?.decision !== 'allow' || v.referenceOnly) return v;
  const canonical = lookupCatalogue(module, name)?.name ?? '';
  const storing = STORING_BUILD.get(canonical);
  // a class the walk judged safe whose BUILD (and call) a reviewed guard checks all the same
  const guarded = !v.guardedSetstate && GUARDED_SETSTATE.has(canonical) ? canonical : undefined;
  return storing || guarded ? { ...v, ...(storing ? { storingBuild: storing } : {}), ...(guarded ? { guardedSetstate: guarded, reason: `${v.reason}; its BUILD state (and any call of it) is checked by a reviewed guard` } : {}) } : v;
}

function judgement(module: string, name: string, unmatched: boolean): CatalogueVerdict | null {
  const e = lookupCatalogue(module, name);
  if (!e) {
    const member = unmatched ? enumMember(module, name) : null;
    if (member) return member;
    const lib = unmatched ? catalogueLibrary(module) : undefined;
    return lib ? { decision: 'unlisted', catalogue: 'unknown', reason: `not in the catalogue of ${versionsOf(lib.library, lib.versions)}` } : null;
  }
  const where = versionsOf(e.library, e.versions);
  const reviewedGadget = REVIEWED_GADGETS.get(e.name);
  if (reviewedGadget) return { decision: 'deny', catalogue: 'gadget', reason: `read by a reviewer (the catalogue of ${where} judged it ${e.kind === 'function' ? 'a safe function' : e.kind === 'class' ? 'a safe class' : e.kind}): ${reviewedGadget}` };
  // pint's and rdflib's reviewed names: their calls are checked by a guard (before callOnly: rdflib's Graph is one)
  const reviewed = unmatched ? libraryGuarded(e, where) : null;
  if (reviewed) return reviewed;
  if (e.callOnly && unmatched && (e.kind === 'gadget' || e.kind === 'unverified')) {
    // pickle rebuilds it with __new__ and BUILD, which reach nothing; only a call runs __init__
    const what = e.kind === 'gadget' ? `${e.reason}` : `the catalogue could not verify it: ${e.reason}`;
    const emptyCall = REVIEWED_ENTRIES.get(e.name)?.emptyCall;
    return {
      decision: 'allow',
      catalogue: 'safe',
      reason: `catalogued in ${where}: rebuilding it reaches no sink and no unresolved call${emptyCall ? `; calling it with no argument was read: ${emptyCall}` : ''}`,
      callVerdict: { gadget: e.kind === 'gadget', reason: `${what} (catalogue of ${where})`, ...(emptyCall ? { emptyCall } : {}) },
    };
  }
  const checked = unmatched && (e.kind === 'gadget' || e.kind === 'unverified') ? (argsGuarded(e, where) ?? methodOnly(e, where)) : null;
  if (checked) return checked;
  switch (e.kind) {
    case 'gadget':
      return unmatched || calledGadget(e) ? { decision: 'deny', catalogue: 'gadget', reason: `a gadget in the catalogue of ${where}: ${e.reason}` } : null;
    case 'unverified':
      return unmatched ? { decision: 'unlisted', catalogue: 'unverified', reason: `the catalogue of ${where} could not verify it: ${e.reason}` } : null;
    case 'value':
      return unmatched ? { decision: 'allow', catalogue: 'safe', referenceOnly: true, reason: `catalogued in ${where}: ${e.reason}` } : null;
    default:
      return unmatched ? { decision: 'allow', catalogue: 'safe', reason: `catalogued in ${where}: ${e.reason}` } : null;
  }
}

/**
 * A class whose only bad entry points are calling it and methods a pickle must call explicitly
 * (SETITEM, APPEND, ADDITEMS on an instance): allowed, with those judged where the pickle runs them.
 * xarray's Variable is one: its __setitem__ reaches what the walk cannot follow, and pickle rebuilds
 * it with __new__ and BUILD, never an item assignment.
 */
function methodOnly(e: CatalogueEntry, where: string): CatalogueVerdict | null {
  const failing = e.failing;
  if (!failing) return null;
  const names = Object.keys(failing);
  const methods = names.filter((n) => (CHECKED_METHODS as readonly string[]).includes(n));
  // a guard on the BUILD state: of the class's own __setstate__ (guarded), or of pickle's default BUILD
  // when what BUILD runs besides (Time's __getattr__) or its reviewed entries depend on the state
  const guardsBuild = GUARDED_SETSTATE.has(e.name);
  const guarded = failing.__setstate__ !== undefined && guardsBuild;
  const reviewed = REVIEWED_ENTRIES.get(e.name) ?? {};
  // entries whose review holds only with the state a guard admits count only for a guarded BUILD
  const read = names.filter(
    (n): n is (typeof REVIEWED_NAMES)[number] => (REVIEWED_NAMES as readonly string[]).includes(n) && reviewed[n as (typeof REVIEWED_NAMES)[number]] !== undefined && (guardsBuild || !NEEDS_GUARD.has(n)),
  );
  const lookup = failing.__getattr__ !== undefined ? reviewed.__getattr__ : undefined;
  const keyed = KEY_JUDGED.get(e.name);
  const hashing: string[] = keyed !== undefined ? names.filter((n) => n === '__hash__' || n === '__eq__') : [];
  const judgedElsewhere = (n: string) =>
    n === 'construction' || methods.includes(n) || (n === '__setstate__' && guarded) || (read as string[]).includes(n) || hashing.includes(n);
  if ((methods.length === 0 && !guardsBuild && read.length === 0 && hashing.length === 0) || !names.every(judgedElsewhere)) return null;
  const verdict = (name: string): CallVerdict => {
    const gadget = failing[name] === 'gadget';
    const what = e.entry === name ? e.reason : `${name} reaches ${gadget ? 'a sink' : 'an unresolved call'}`;
    return { gadget, reason: `${what} (catalogue of ${where})` };
  };
  const methodVerdicts: Partial<Record<string, CallVerdict>> = {};
  for (const m of methods) methodVerdicts[m] = verdict(m);
  // the unpickler's other lookups on an instance reach __getattr__ when the class lacks the method
  if (lookup) for (const m of ['append', 'extend', 'add']) methodVerdicts[m] ??= verdict('__getattr__');
  if (hashing.length) {
    const worst = hashing.find((n) => failing[n] === 'gadget') ?? hashing[0]!;
    methodVerdicts.__hash__ = { gadget: failing[worst] === 'gadget', reason: `${worst} reaches ${failing[worst] === 'gadget' ? 'a sink' : 'an unresolved call'}: ${keyed} (catalogue of ${where})` };
  }
  // an __eq__ read for dict keys of a guarded state (pyproj's CRS) says nothing of the operands a
  // callable handed the object may compare it with: judged where the object is handed
  if (guardsBuild && read.includes('__eq__')) methodVerdicts.__eq__ = verdict('__eq__');
  const judged = [...methods, ...(guarded ? ['__setstate__'] : []), ...(lookup ? ['__getattr__'] : []), ...hashing];
  const readText = read.map((n) => (n === '__getattr__' ? `__getattr__ as BUILD asks it for __setstate__ was read: ${reviewed[n]}` : `${n} was read: ${reviewed[n]}`)).join('; ');
  // a rebuild the walk found bad, admitted because a reviewer read it (with the state a guard checks)
  const opening = read.some((n) => NEEDS_GUARD.has(n))
    ? `catalogued in ${where} as ${e.kind === 'gadget' ? 'a gadget' : 'unverified'} (${e.reason}); rebuilt with the state a reviewed guard admits, it was read and is admitted`
    : `catalogued in ${where}: rebuilding it reaches no sink and no unresolved call`;
  return {
    decision: 'allow',
    catalogue: 'safe',
    reason: `${opening}${judged.length ? ` (its ${judged.join(', ')} ${judged.length > 1 ? 'are' : 'is'} judged where a pickle calls ${judged.length > 1 ? 'them' : 'it'}${guarded ? ', __setstate__ by a reviewed guard on the state' : ''}${hashing.length ? ', __hash__ and __eq__ where an instance is a dict key or set member' : ''})` : ''}${guardsBuild && !guarded ? '; its BUILD state is checked by a reviewed guard' : ''}${readText ? `; ${readText}` : ''}${reviewed.receivers ? `; library code given one while a pickle loads was read: ${reviewed.receivers.read}` : ''}`,
    ...(failing.construction ? { callVerdict: verdict('construction') } : {}),
    ...(Object.keys(methodVerdicts).length ? { methodVerdicts: methodVerdicts as MethodVerdicts } : {}),
    ...(guardsBuild ? { guardedSetstate: e.name } : {}),
    ...(reviewed.receivers && Object.keys(methodVerdicts).length ? { receivers: reviewed.receivers } : {}),
  };
}

/**
 * `Cls.MEMBER` that the catalogue does not list, where `Cls` is an enum class it judged safe:
 * a member, which pickles name from protocol 4 on (`optuna.trial._state TrialState.COMPLETE`).
 * A name the class or its library bases define (a method, a property) is not a member and stays
 * unknown; so do dunder names. Allowed as a value only: a member is an instance of the enum, and
 * calling it or handing it to a callable that calls it is a finding, as for any module-level value.
 */
function enumMember(module: string, name: string): CatalogueVerdict | null {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return null;
  const attr = name.slice(dot + 1);
  if (attr.startsWith('__') && attr.endsWith('__')) return null;
  const owner = lookupCatalogue(module, name.slice(0, dot));
  if (!owner || owner.kind !== 'class' || !owner.enum || owner.enum.includes(attr)) return null;
  const where = versionsOf(owner.library, owner.versions);
  return { decision: 'allow', catalogue: 'safe', referenceOnly: true, reason: `a member of ${owner.name}, an enum catalogued in ${where}: a value` };
}
