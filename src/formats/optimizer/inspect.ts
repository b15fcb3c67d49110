/**
 * Optimizer inspection: finds the optimizer object a pickle loads (MXNet: `copy_reg._reconstructor(cls,
 * object, None)` + BUILD of its `__dict__`, or NEWOBJ at protocol 2+), turns its state into plain JSON,
 * and checks it against the policy's bounds. A value outside its bound is an OPTIMIZER_BOUND finding.
 */
import type { Recorder } from '../../machine/recorder';
import { renderValue } from '../../machine/render';
import type { CallValue, DictValue, GlobalValue, Value } from '../../machine/values';
import type { Bound, OptimizerBounds } from '../../policy/schema';
import { checkBound } from './bounds';
import { classOf, isNdarray, ndarrayInfo } from './ndarray';
import { formatHyper, pyFloat, summaryLine, type HyperValue, type OptimizerSummary, type SchedulerSummary, type Shown } from './summary';

export { classOf } from './ndarray';

const TABLE_KEYS = new Set(['idx2name', 'lr_mult', 'wd_mult', '_index_update_count', '_all_index_update_counts', 'sym_info', 'param_dict', 'weight_previous', 'cumgrads', 'param2idx']);
const MAX_NESTING = 3;

function stateDict(v: Value): DictValue | null {
  return v.k === 'call' && v.state && v.state.k === 'dict' ? v.state : null;
}

/**
 * Objects keyed by names from the pickle are built as plain objects (V8 keeps those in fast mode;
 * Object.create(null) starts in slow dictionary mode) and get their null prototype once complete
 * (`done`), so the result is the same: own properties in insertion order, no prototype.
 */
function setKey<T>(o: Record<string, T>, k: string, v: T): void {
  // '__proto__' is the one name a plain assignment would not store as an own property while o still has Object.prototype
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

function done<T extends object>(o: T): T {
  return Object.setPrototypeOf(o, null) as T;
}

/**
 * Values keyed by name in the order they were set (a key set again keeps its last value, as in a Map;
 * a few lookups in a short list cost less than a Map built per object).
 */
class ShownValues {
  readonly keys: string[] = [];
  readonly values: Value[] = [];
  set(key: string, v: Value): void {
    this.keys.push(key);
    this.values.push(v);
  }
  get(key: string): Value | undefined {
    for (let i = this.keys.length - 1; i >= 0; i--) if (this.keys[i] === key) return this.values[i];
    return undefined;
  }
}

/** Values keyed by name, rendered as Python prints them only when asked (the summary line shows a few). */
function lazyShown(values: ShownValues): (key: string) => string | undefined {
  return (key) => {
    const v = values.get(key);
    return v === undefined ? undefined : pyRepr(v);
  };
}

/** A symbolic value as plain JSON (bounded depth and size). */
export function toHyper(v: Value, depth = 0): HyperValue {
  switch (v.k) {
    case 'none':
      return null;
    case 'bool':
      return v.v;
    case 'int':
      return v.v === null ? { $call: '<huge int>' } : typeof v.v === 'bigint' ? v.v.toString() : v.v;
    case 'float':
      return Number.isNaN(v.v) ? 'nan' : v.v === Infinity ? 'inf' : v.v === -Infinity ? '-inf' : v.v;
    case 'str':
      return v.v ?? `<${v.len} chars>`;
    case 'tuple':
    case 'list':
    case 'set':
      return depth > 3 ? [] : v.items.slice(0, 64).map((x) => toHyper(x, depth + 1));
    case 'dict': {
      const o: { [key: string]: HyperValue } = {};
      if (depth > 3) return done(o);
      for (const [k, x] of v.entries.slice(0, 64)) setKey(o, k.k === 'str' && k.v !== null ? k.v : renderValue(k), toHyper(x, depth + 1));
      return done(o);
    }
    case 'call': {
      const nd = ndarrayInfo(v);
      if (nd) return { $array: nd };
      return { $call: renderValue(v) };
    }
    default:
      return { $call: renderValue(v) };
  }
}

/** How Python would print a value (for the summary line): floats keep their `.0`, strings are quoted. */
function pyRepr(v: Value, depth = 0): string {
  switch (v.k) {
    case 'float':
      return pyFloat(v.v);
    case 'tuple':
    case 'list': {
      if (depth > 2) return v.k === 'list' ? '[…]' : '(…)';
      const items = v.items.slice(0, 16).map((x) => pyRepr(x, depth + 1));
      if (v.count > items.length) items.push('…');
      return v.k === 'list' ? `[${items.join(', ')}]` : `(${items.join(', ')}${items.length === 1 ? ',' : ''})`;
    }
    default:
      return formatHyper(toHyper(v, 3));
  }
}

/** An object whose state dict looks like an optimizer's (used for optimizers nested in others, e.g. SVRG). */
function isOptimizerObject(v: Value): v is CallValue {
  const d = stateDict(v);
  return d !== null && classOf(v) !== null && !isNdarray(v) && d.entries.some(([k]) => k.k === 'str' && (k.v === 'lr' || k.v === 'rescale_grad'));
}

function scheduler(v: CallValue, shown: ShownValues): SchedulerSummary {
  const params: Record<string, HyperValue> = {};
  const d = stateDict(v);
  if (d) {
    for (const [k, x] of d.entries) {
      if (k.k !== 'str' || k.v === null) continue;
      setKey(params, k.v, toHyper(x));
      shown.set(k.v, x);
    }
  }
  return { class: classOf(v)!.resolved, params: done(params) };
}

/** A state is None, an NDArray, or a (nested) tuple of those (MXNET.md §5). */
function isState(v: Value, depth = 0): boolean {
  if (v.k === 'none') return true;
  if (v.k === 'call') return isNdarray(v);
  if ((v.k === 'tuple' || v.k === 'list') && depth < 3 && v.count === v.items.length) return v.items.every((x) => isState(x, depth + 1));
  return false;
}

function stateShapes(v: Value, out: (number[] | null)[], depth = 0): void {
  if (v.k === 'call') out.push(ndarrayInfo(v)?.shape ?? null);
  else if ((v.k === 'tuple' || v.k === 'list') && depth < 3) for (const x of v.items) stateShapes(x, out, depth + 1);
}

/** Why a states dict is not one: keys are parameter indices (int or str), values are states. */
function badStateEntry(d: DictValue): string | null {
  if (d.count !== d.entries.length) return null;
  for (const [k, v] of d.entries) {
    if (k.k !== 'int' && k.k !== 'str') return `a states dict is keyed by parameter index (int or str), not by ${k.k}`;
    if (!isState(v)) return `states entry ${k.k === 'str' ? JSON.stringify(k.v) : String(k.v)} is a ${v.k}, not None, an NDArray or a tuple of them`;
  }
  return null;
}

interface Inspected {
  value: CallValue;
  cls: GlobalValue;
  summary: OptimizerSummary;
  /** The keys the bounds of this class look at (see checkedKeys). */
  checked: CheckedKeys;
  /** The value of each of them in the state dict (the last one given), by its index in `checked`. */
  found: (Value | undefined)[];
  schedValue: CallValue | null;
  nested: [string, Inspected][];
}

function inspectObject(opt: CallValue, depth: number, bounds: OptimizerBounds, extra: Partial<OptimizerSummary> = {}): Inspected {
  const cls = classOf(opt)!;
  const params: Record<string, HyperValue> = {};
  const tables: Record<string, number> = {};
  const shownParams = new ShownValues();
  const shownScheduler = new ShownValues();
  const checked = checkedKeys(bounds, cls.name);
  const found: (Value | undefined)[] = new Array<Value | undefined>(checked.keys.length).fill(undefined);
  const nested: [string, Inspected][] = [];
  let sched: SchedulerSummary | null = null;
  let schedValue: CallValue | null = null;
  for (const [k, x] of stateDict(opt)!.entries) {
    if (k.k !== 'str' || k.v === null) continue;
    const at = checked.index.get(k.v);
    if (at !== undefined) found[at] = x;
    if (k.v === 'lr_scheduler' && x.k === 'call' && classOf(x)) {
      sched = scheduler(x, shownScheduler);
      schedValue = x;
      continue;
    }
    if (k.v === 'lr_scheduler' && x.k === 'none') continue; // `scheduler: null`; anything else stays visible in params
    if (TABLE_KEYS.has(k.v)) {
      setKey(tables, k.v, x.k === 'dict' || x.k === 'tuple' || x.k === 'list' ? x.count : 0);
      continue;
    }
    if (depth < MAX_NESTING && isOptimizerObject(x)) {
      nested.push([k.v, inspectObject(x, depth + 1, bounds)]);
      continue;
    }
    setKey(params, k.v, toHyper(x));
    shownParams.set(k.v, x);
  }
  const body: Omit<OptimizerSummary, 'line'> = { class: cls.resolved, name: cls.name, params: done(params), tables: done(tables), scheduler: sched, ...extra };
  if (nested.length) {
    const byKey: Record<string, OptimizerSummary> = {};
    for (const [k, n] of nested) setKey(byKey, k, n.summary);
    body.nested = done(byKey);
  }
  const shown: Shown = { params: lazyShown(shownParams), scheduler: lazyShown(shownScheduler) };
  // the line goes last, as a property of the same object (no copy of the summary to add it)
  const summary = body as OptimizerSummary;
  summary.line = summaryLine(body, shown);
  return { value: opt, cls, checked, found, schedValue, nested, summary };
}

/** The bounds of each key for one class (`all`, overridden by the class's own), worked out once per policy and class. */
const boundsByClass = new WeakMap<OptimizerBounds, Map<string | null, [string, Bound][]>>();

function keyBounds(bounds: OptimizerBounds, className: string): [string, Bound][] {
  const perClass = bounds.classes && Object.hasOwn(bounds.classes, className) ? bounds.classes[className] : undefined; // className comes from the pickle
  // classes without bounds of their own share one entry: the cache holds only the policy's class names
  const cacheKey = perClass ? className : null;
  let byClass = boundsByClass.get(bounds);
  if (!byClass) boundsByClass.set(bounds, (byClass = new Map()));
  let entries = byClass.get(cacheKey);
  if (!entries) byClass.set(cacheKey, (entries = Object.entries({ ...(bounds.all ?? {}), ...(perClass ?? {}) })));
  return entries;
}

/**
 * The state-dict keys checkObject looks at for one class (required, forbidden, bounded), each once,
 * with its index: inspectObject notes their values as it walks the dict (no Map of every key per object).
 */
interface CheckedKeys {
  keys: string[];
  index: Map<string, number>;
}

const checkedByClass = new WeakMap<OptimizerBounds, Map<string | null, CheckedKeys>>();

function checkedKeys(bounds: OptimizerBounds, className: string): CheckedKeys {
  const perClass = bounds.classes && Object.hasOwn(bounds.classes, className); // className comes from the pickle
  const cacheKey = perClass ? className : null;
  let byClass = checkedByClass.get(bounds);
  if (!byClass) checkedByClass.set(bounds, (byClass = new Map()));
  let checked = byClass.get(cacheKey);
  if (!checked) {
    const keys = [...new Set([...(bounds.required ?? []), ...(bounds.forbidden ?? []), ...keyBounds(bounds, className).map(([k]) => k)])];
    byClass.set(cacheKey, (checked = { keys, index: new Map(keys.map((k, i) => [k, i])) }));
  }
  return checked;
}

/** Applies the policy's bounds to one optimizer object (and the optimizers it holds). */
function checkObject(ins: Inspected, bounds: OptimizerBounds, rec: Recorder, label: string): void {
  const className = ins.cls.name;
  const at = ins.value.stateAt ?? null;
  const who = label === className ? className : `${label} (${className})`;
  const valueOf = (key: string): Value | undefined => ins.found[ins.checked.index.get(key)!];
  for (const key of bounds.required ?? []) {
    if (valueOf(key) === undefined) rec.add('OPTIMIZER_BOUND/required', { offset: at }, { who, key, label });
  }
  for (const key of bounds.forbidden ?? []) {
    if (valueOf(key) !== undefined) rec.add('OPTIMIZER_BOUND/forbidden', { offset: at }, { who, key, label });
  }
  for (const [key, bound] of keyBounds(bounds, className)) {
    const v = valueOf(key);
    if (!v) continue;
    const problem = checkBound(v, bound);
    if (problem) rec.add('OPTIMIZER_BOUND/bound', { offset: at }, { label, key, problem });
  }
  if (ins.schedValue && bounds.scheduler) {
    const d = stateDict(ins.schedValue);
    const sclass = classOf(ins.schedValue)!.name;
    for (const [key, bound] of Object.entries(bounds.scheduler)) {
      const x = d?.entries.find(([k]) => k.k === 'str' && k.v === key)?.[1];
      if (!x) continue;
      const problem = checkBound(x, bound);
      if (problem) rec.add('OPTIMIZER_BOUND/scheduler-bound', { offset: ins.schedValue.stateAt ?? null }, { label, scheduler: sclass, key, problem, id: ins.schedValue.id });
    }
  }
  for (const [key, n] of ins.nested) checkObject(n, bounds, rec, `${label}.${key}`);
}

export function inspectOptimizer(results: readonly Value[], bounds: OptimizerBounds, rec: Recorder, pickles: number): OptimizerSummary | undefined {
  const result = results[0];
  if (!result || pickles === 0) return undefined;
  let opt: Value | null = null;
  let states: Value | null = null;
  if (bounds.expect === 'states') {
    if (result.k === 'tuple' && result.count === 2) [states, opt] = [result.items[0]!, result.items[1]!];
    else states = result;
    const bad = states.k === 'dict' ? badStateEntry(states) : null;
    if (states.k !== 'dict' || bad) {
      rec.add('OPTIMIZER_BOUND/not-states', { offset: null }, { loads: renderValue(result), problem: bad });
      return undefined;
    }
  } else {
    opt = result;
  }
  if (opt && (opt.k !== 'call' || !classOf(opt) || !stateDict(opt))) {
    rec.add('OPTIMIZER_BOUND/not-optimizer', { offset: null }, { loads: renderValue(opt) });
    return undefined;
  }
  let statesSummary: OptimizerSummary['states'];
  if (states && states.k === 'dict') {
    const shapes: (number[] | null)[] = [];
    for (const [, s] of states.entries.slice(0, 64)) stateShapes(s, shapes);
    statesSummary = { count: states.count, shapes };
  }
  const extra = statesSummary ? { states: statesSummary } : {};
  if (!opt) {
    const body = { class: null, name: null, params: done({} as Record<string, HyperValue>), tables: done({} as Record<string, number>), scheduler: null, ...extra };
    return { ...body, line: summaryLine(body) };
  }
  const ins = inspectObject(opt as CallValue, 0, bounds, extra);
  checkObject(ins, bounds, rec, ins.cls.name);
  return ins.summary;
}
