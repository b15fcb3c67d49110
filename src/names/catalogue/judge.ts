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
import { argsGuarded } from './guarded-args';
import { catalogueLibrary, lookupCatalogue, type CatalogueEntry } from './index';

/** What calling a class runs beyond rebuilding it: its __init__, judged by the catalogue. */
export interface CallVerdict {
  readonly gadget: boolean;
  readonly reason: string;
}

/** The methods the unpickler calls on an object it built, by the opcode that calls them: judged where a pickle does. */
export type MethodVerdicts = Readonly<Partial<Record<(typeof CHECKED_METHODS)[number] | '__eq__', CallVerdict>>>;

/**
 * Entry points a scan sees being run, besides calling the class: APPEND(S) calls append or extend,
 * SETITEM(S) __setitem__, ADDITEMS add, on an object the pickle built.
 */
export const CHECKED_METHODS = ['__setitem__', 'append', 'extend', 'add'] as const;

/**
 * Classes whose __setstate__ a reviewer read and the scanner guards at BUILD (src/machine/costs.ts):
 * statsmodels' model data re-evaluates the model's formula through patsy (an eval) only when the
 * state has `restore_design_info`; any other state only updates __dict__. Pillow's images are
 * admitted with the plain-data state Pillow writes.
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
  // tqdm's bar (no __setstate__: pickle's BUILD into __dict__): the state of a disabled bar only, on
  // which its reviewed __new__ and __del__ rest (REVIEWED_ENTRIES)
  'tqdm.std.tqdm',
  // pyproj: a CRS's srs and a transformer maker's CRS are parsed by PROJ, which opens the files a
  // PROJ string names; admitted as AUTHORITY:CODE only. The Transformer calls its maker at BUILD.
  'pyproj.crs.crs.CRS',
  'pyproj.transformer.TransformerFromCRS',
  'pyproj.transformer.Transformer',
]);

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
    },
  ],
  [
    'arrow.arrow.Arrow',
    {
      __eq__:
        "arrow 1.2.3 and 1.3.0: __eq__ returns False unless the other operand is an Arrow or a datetime, and then compares datetimes; the path the walk saw (a number made into an Arrow, whose tzinfo string is looked up as a zone file) is only for numbers",
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

const REVIEWED_NAMES = ['__getattr__', '__eq__', '__hash__', '__new__', '__del__'] as const;
/** Reviewed entries that are safe only with the state a guard admits: counted only for a guarded class. */
const NEEDS_GUARD: ReadonlySet<string> = new Set(['__hash__', '__new__', '__del__']);

/** What a reviewer read of a class's entry points the catalogue's walk could not tell safe (REVIEWED_ENTRIES). */
interface ReviewedEntries {
  readonly __getattr__?: string;
  readonly __eq__?: string;
  readonly __hash__?: string;
  readonly __new__?: string;
  readonly __del__?: string;
}

/**
 * How a reviewed BUILD receiver (STORING_BUILD) stores its state: where its values go as they are,
 * without any of their methods being called.
 */
export interface StoringBuild {
  /**
   * `default`: the class has no __setstate__; pickle puts a dict state (or the dict half of a
   * `(dict, slots)` pair) into the instance's __dict__ and sets the slots half with setattr.
   * `dict-update`: its __setstate__(state) is `self.__dict__.update(state)`; only a plain dict state
   * is stored as it is.
   */
  readonly setstate: 'default' | 'dict-update';
  /** Values of the dict state go into a plain instance __dict__ under any key (no __dict__: false). */
  readonly dict: boolean;
  /** Names in the slots half whose setattr (the class's __setattr__, then a slot's member descriptor) stores the value as it is. */
  readonly slots: readonly string[];
}

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

export interface CatalogueVerdict {
  decision: 'allow' | 'deny' | 'unlisted';
  reason: string;
  referenceOnly?: boolean;
  callVerdict?: CallVerdict;
  methodVerdicts?: MethodVerdicts;
  /** Its __setstate__ is guarded at BUILD (GUARDED_SETSTATE): the canonical name the guard is looked up by. */
  guardedSetstate?: string;
  /** Admitted with a reviewed argument guard (guarded-args.ts, src/machine/sympy.ts): the canonical name it is looked up by. */
  guardedArgs?: string;
  /** Its BUILD stores the state's values as they are (STORING_BUILD): how. */
  storingBuild?: StoringBuild;
  catalogue: 'safe' | 'gadget' | 'unverified' | 'unknown';
}

const versionsOf = (library: string, versions: readonly string[]) => `${library} ${versions.join(', ')}`;

/** A gadget reached by calling it (a function), not by rebuilding an instance (a class). */
const calledGadget = (e: CatalogueEntry) => e.entry === undefined || e.entry === 'the call';

/**
 * The verdict on `module.name`, or null when the catalogue has nothing to add. `unmatched`: no rule
 * of the policy matches the name (else a wildcard allow rule does).
 */
export function catalogueJudgement(module: string, name: string, unmatched: boolean): CatalogueVerdict | null {
  const v = judgement(module, name, unmatched);
  const storing = v?.decision === 'allow' && !v.referenceOnly ? STORING_BUILD.get(lookupCatalogue(module, name)?.name ?? '') : undefined;
  return storing ? { ...v!, storingBuild: storing } : v;
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
  if (e.callOnly && unmatched && (e.kind === 'gadget' || e.kind === 'unverified')) {
    // pickle rebuilds it with __new__ and BUILD, which reach nothing; only a call runs __init__
    const what = e.kind === 'gadget' ? `${e.reason}` : `the catalogue could not verify it: ${e.reason}`;
    return {
      decision: 'allow',
      catalogue: 'safe',
      reason: `catalogued in ${where}: rebuilding it reaches no sink and no unresolved call`,
      callVerdict: { gadget: e.kind === 'gadget', reason: `${what} (catalogue of ${where})` },
      ...(GUARDED_SETSTATE.has(e.name) ? { guardedSetstate: e.name } : {}),
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
      // a safe class whose BUILD state is still guarded: what a later call of it does depends on it
      if (unmatched && GUARDED_SETSTATE.has(e.name)) return { decision: 'allow', catalogue: 'safe', reason: `catalogued in ${where}: ${e.reason}; its BUILD state is checked by a reviewed guard`, guardedSetstate: e.name };
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
  // a guard on the BUILD state: of the class's own __setstate__, or of pickle's default BUILD when
  // what its reviewed entries do depends on the state
  const guarded = GUARDED_SETSTATE.has(e.name);
  const reviewed = REVIEWED_ENTRIES.get(e.name) ?? {};
  const read = names.filter((n): n is keyof ReviewedEntries => (REVIEWED_NAMES as readonly string[]).includes(n) && reviewed[n as keyof ReviewedEntries] !== undefined && (guarded || !NEEDS_GUARD.has(n)));
  const lookup = failing.__getattr__ !== undefined ? reviewed.__getattr__ : undefined;
  const judgedElsewhere = (n: string) => n === 'construction' || methods.includes(n) || (n === '__setstate__' && guarded) || (read as string[]).includes(n);
  if ((methods.length === 0 && !guarded && read.length === 0) || !names.every(judgedElsewhere)) return null;
  const verdict = (name: string): CallVerdict => {
    const gadget = failing[name] === 'gadget';
    const what = e.entry === name ? e.reason : `${name} reaches ${gadget ? 'a sink' : 'an unresolved call'}`;
    return { gadget, reason: `${what} (catalogue of ${where})` };
  };
  const methodVerdicts: Partial<Record<string, CallVerdict>> = {};
  for (const m of methods) methodVerdicts[m] = verdict(m);
  // the unpickler's other lookups on an instance reach __getattr__ when the class lacks the method
  if (lookup) for (const m of ['append', 'extend', 'add']) methodVerdicts[m] ??= verdict('__getattr__');
  // an __eq__ read for dict keys of a guarded state (pyproj's CRS) says nothing of the operands a
  // callable handed the object may compare it with: judged where the object is handed
  if (guarded && read.includes('__eq__')) methodVerdicts.__eq__ = verdict('__eq__');
  const ownSetstate = guarded && failing.__setstate__ !== undefined;
  const judged = [...methods, ...(ownSetstate ? ['__setstate__'] : []), ...(lookup ? ['__getattr__'] : [])];
  const readText = read.map((n) => (n === '__getattr__' ? `__getattr__ as BUILD asks it for __setstate__ was read: ${reviewed[n]}` : `${n} was read: ${reviewed[n]}`)).join('; ');
  // a rebuild the walk found bad, admitted because a reviewer read it (with the state a guard checks)
  const opening = read.some((n) => NEEDS_GUARD.has(n))
    ? `catalogued in ${where} as ${e.kind === 'gadget' ? 'a gadget' : 'unverified'} (${e.reason}); rebuilt with the state a reviewed guard admits, it was read and is admitted`
    : `catalogued in ${where}: rebuilding it reaches no sink and no unresolved call`;
  return {
    decision: 'allow',
    catalogue: 'safe',
    reason: `${opening}${judged.length ? ` (its ${judged.join(', ')} ${judged.length > 1 ? 'are' : 'is'} judged where a pickle calls ${judged.length > 1 ? 'them' : 'it'}${ownSetstate ? ', __setstate__ by a reviewed guard on the state' : ''})` : ''}${guarded && !ownSetstate ? '; its BUILD state is checked by a reviewed guard' : ''}${readText ? `; ${readText}` : ''}`,
    ...(failing.construction ? { callVerdict: verdict('construction') } : {}),
    ...(Object.keys(methodVerdicts).length ? { methodVerdicts: methodVerdicts as MethodVerdicts } : {}),
    ...(guarded ? { guardedSetstate: e.name } : {}),
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
