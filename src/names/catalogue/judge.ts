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
import { argsGuarded } from './guarded-args';
import { catalogueLibrary, lookupCatalogue, type CatalogueEntry } from './index';

/** What calling a class runs beyond rebuilding it: its __init__, judged by the catalogue. */
export interface CallVerdict {
  readonly gadget: boolean;
  readonly reason: string;
}

/** The methods the unpickler calls on an object it built, by the opcode that calls them: judged where a pickle does. */
export type MethodVerdicts = Readonly<Partial<Record<(typeof CHECKED_METHODS)[number], CallVerdict>>>;

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
 */
export const REVIEWED_ENTRIES: ReadonlyMap<string, { readonly __getattr__?: string; readonly __eq__?: string }> = new Map([
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
    'arrow.arrow.Arrow',
    {
      __eq__:
        "arrow 1.2.3 and 1.3.0: __eq__ returns False unless the other operand is an Arrow or a datetime, and then compares datetimes; the path the walk saw (a number made into an Arrow, whose tzinfo string is looked up as a zone file) is only for numbers",
    },
  ],
]);

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
  if (e.callOnly && unmatched && (e.kind === 'gadget' || e.kind === 'unverified')) {
    // pickle rebuilds it with __new__ and BUILD, which reach nothing; only a call runs __init__
    const what = e.kind === 'gadget' ? `${e.reason}` : `the catalogue could not verify it: ${e.reason}`;
    return {
      decision: 'allow',
      catalogue: 'safe',
      reason: `catalogued in ${where}: rebuilding it reaches no sink and no unresolved call`,
      callVerdict: { gadget: e.kind === 'gadget', reason: `${what} (catalogue of ${where})` },
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
  const guarded = failing.__setstate__ !== undefined && GUARDED_SETSTATE.has(e.name);
  const reviewed = REVIEWED_ENTRIES.get(e.name) ?? {};
  const read = names.filter((n): n is '__getattr__' | '__eq__' => (n === '__getattr__' || n === '__eq__') && reviewed[n] !== undefined);
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
  const judged = [...methods, ...(guarded ? ['__setstate__'] : []), ...(lookup ? ['__getattr__'] : [])];
  const readText = read.map((n) => (n === '__getattr__' ? `__getattr__ as BUILD asks it for __setstate__ was read: ${reviewed[n]}` : `${n} was read: ${reviewed[n]}`)).join('; ');
  return {
    decision: 'allow',
    catalogue: 'safe',
    reason: `catalogued in ${where}: rebuilding it reaches no sink and no unresolved call${judged.length ? ` (its ${judged.join(', ')} ${judged.length > 1 ? 'are' : 'is'} judged where a pickle calls ${judged.length > 1 ? 'them' : 'it'}${guarded ? ', __setstate__ by a reviewed guard on the state' : ''})` : ''}${readText ? `; ${readText}` : ''}`,
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
