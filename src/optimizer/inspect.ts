/**
 * Optimizer inspection: finds the optimizer object a pickle loads (MXNet: `copy_reg._reconstructor(cls,
 * object, None)` + BUILD of its `__dict__`, or NEWOBJ at protocol 2+), turns its state into plain JSON,
 * and checks it against the policy's bounds. A value outside its bound is an OPTIMIZER_BOUND finding.
 */
import type { Recorder } from '../machine/recorder';
import { renderValue } from '../machine/render';
import type { CallValue, DictValue, GlobalValue, Value } from '../machine/values';
import type { OptimizerBounds } from '../policy/schema';
import { checkBound } from './bounds';
import { summaryLine, type HyperValue, type OptimizerSummary, type SchedulerSummary } from './summary';

const RECONSTRUCTORS = new Set(['copyreg._reconstructor', 'copyreg.__newobj__', 'copyreg.__newobj_ex__']);
const TABLE_KEYS = new Set(['idx2name', 'lr_mult', 'wd_mult', '_index_update_count', '_all_index_update_counts', 'sym_info', 'param_dict', 'weight_previous', 'cumgrads', 'param2idx']);
const NDARRAY_CLASSES = new Set(['mxnet.ndarray.ndarray.NDArray', 'mxnet.ndarray.sparse.RowSparseNDArray', 'mxnet.ndarray.sparse.CSRNDArray', 'mxnet.numpy.multiarray.ndarray']);

/** The class an instance was made from: the first argument of a reconstructor, or the NEWOBJ class. */
export function classOf(v: Value): GlobalValue | null {
  if (v.k !== 'call' || v.callee.k !== 'global') return null;
  if (RECONSTRUCTORS.has(v.callee.resolved)) {
    const cls = v.args.k === 'tuple' ? v.args.items[0] : undefined;
    return cls && cls.k === 'global' ? cls : null;
  }
  return v.callee;
}

function stateDict(v: CallValue): DictValue | null {
  return v.state && v.state.k === 'dict' ? v.state : null;
}

function ndarrayShape(v: Value, input: Uint8Array): number[] | null {
  if (v.k !== 'call' || !v.state || v.state.k !== 'dict') return null;
  const handle = v.state.entries.find(([k]) => k.k === 'str' && k.v === 'handle')?.[1];
  if (!handle || handle.k !== 'bytes') return null;
  const b = handle.data ?? input.subarray(handle.start, handle.end);
  if (b.length < 12) return null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const magic = dv.getUint32(0, true);
  if (magic !== 0xf993fac9 && magic !== 0xf993faca) return null;
  const stype = dv.getInt32(4, true);
  if (stype !== 0) return null;
  const ndim = dv.getUint32(8, true);
  if (ndim > 32 || 12 + ndim * 8 > b.length) return null;
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(Number(dv.getBigInt64(12 + i * 8, true)));
  return shape;
}

/** A symbolic value as plain JSON (bounded depth and size). */
export function toHyper(v: Value, input: Uint8Array, depth = 0): HyperValue {
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
      return depth > 3 ? [] : v.items.slice(0, 64).map((x) => toHyper(x, input, depth + 1));
    case 'dict': {
      const o: { [key: string]: HyperValue } = Object.create(null);
      if (depth > 3) return o;
      for (const [k, x] of v.entries.slice(0, 64)) {
        const key = k.k === 'str' && k.v !== null ? k.v : renderValue(k, input);
        Object.defineProperty(o, key, { value: toHyper(x, input, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return o;
    }
    case 'call': {
      const cls = classOf(v);
      if (cls && NDARRAY_CLASSES.has(cls.resolved)) return { $array: { shape: ndarrayShape(v, input) } };
      return { $call: renderValue(v, input) };
    }
    default:
      return { $call: renderValue(v, input) };
  }
}

function scheduler(v: Value, input: Uint8Array): SchedulerSummary | null {
  const cls = classOf(v);
  if (!cls || v.k !== 'call') return null;
  const params: Record<string, HyperValue> = Object.create(null);
  const d = stateDict(v);
  if (d) for (const [k, x] of d.entries) if (k.k === 'str' && k.v !== null) Object.defineProperty(params, k.v, { value: toHyper(x, input), enumerable: true, writable: true, configurable: true });
  return { class: cls.resolved, params };
}

/** A state is None, an NDArray, or a (nested) tuple of those (MXNET.md §5). */
function isState(v: Value, depth = 0): boolean {
  if (v.k === 'none') return true;
  if (v.k === 'call') {
    const cls = classOf(v);
    return cls !== null && NDARRAY_CLASSES.has(cls.resolved);
  }
  if ((v.k === 'tuple' || v.k === 'list') && depth < 3 && v.count === v.items.length) return v.items.every((x) => isState(x, depth + 1));
  return false;
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

interface Located { key: string; value: Value | undefined; offset: number | null }

export function inspectOptimizer(results: readonly Value[], input: Uint8Array, bounds: OptimizerBounds, rec: Recorder, pickles: number): OptimizerSummary | undefined {
  const result = results[0];
  if (!result || pickles === 0) return undefined;
  let opt: Value | null = null;
  let states: Value | null = null;
  if (bounds.expect === 'states') {
    if (result.k === 'tuple' && result.count === 2) [states, opt] = [result.items[0]!, result.items[1]!];
    else states = result;
    const bad = states.k === 'dict' ? badStateEntry(states) : null;
    if (states.k !== 'dict' || bad) {
      rec.finding('OPTIMIZER_BOUND', bad ?? `the pickle loads ${renderValue(result, input)}, not an optimizer states dict or a (states, optimizer) tuple`, null, {}, 'shape');
      return undefined;
    }
  } else {
    opt = result;
  }
  const cls = opt ? classOf(opt) : null;
  if (opt && (!cls || opt.k !== 'call' || !stateDict(opt))) {
    rec.finding('OPTIMIZER_BOUND', `the pickle loads ${renderValue(opt, input)}, not an optimizer object with a state dict`, null, {}, 'shape');
    return undefined;
  }
  const params: Record<string, HyperValue> = Object.create(null);
  const tables: Record<string, number> = Object.create(null);
  const located: Located[] = [];
  let sched: SchedulerSummary | null = null;
  let schedValue: CallValue | null = null;
  if (opt && opt.k === 'call') {
    const d = stateDict(opt)!;
    for (const [k, x] of d.entries) {
      if (k.k !== 'str' || k.v === null) continue;
      located.push({ key: k.v, value: x, offset: opt.stateAt ?? null });
      if (k.v === 'lr_scheduler') {
        if (x.k === 'call') {
          sched = scheduler(x, input);
          schedValue = x;
        }
        continue;
      }
      if (TABLE_KEYS.has(k.v)) {
        tables[k.v] = x.k === 'dict' ? x.count : x.k === 'tuple' || x.k === 'list' ? x.count : 0;
        continue;
      }
      Object.defineProperty(params, k.v, { value: toHyper(x, input), enumerable: true, writable: true, configurable: true });
    }
  }
  let statesSummary: OptimizerSummary['states'];
  if (states && states.k === 'dict') {
    const shapes: (number[] | null)[] = [];
    for (const [, s] of states.entries.slice(0, 64)) {
      const items = s.k === 'tuple' ? s.items : [s];
      for (const it of items) if (it.k === 'call') shapes.push(ndarrayShape(it, input));
    }
    statesSummary = { count: states.count, shapes };
  }

  // ---- bounds
  if (opt) {
    const className = cls!.name;
    const perKey = { ...(bounds.all ?? {}), ...(bounds.classes?.[className] ?? {}) };
    const present = new Map(located.map((l) => [l.key, l]));
    for (const key of bounds.required ?? []) {
      if (!present.has(key)) rec.finding('OPTIMIZER_BOUND', `${className} sets no '${key}', which the policy requires`, opt.k === 'call' ? opt.stateAt ?? null : null, {}, `req${key}`);
    }
    for (const key of bounds.forbidden ?? []) {
      const l = present.get(key);
      if (l) rec.finding('OPTIMIZER_BOUND', `${className} sets '${key}', which the policy forbids`, l.offset, {}, `forbid${key}`);
    }
    for (const [key, bound] of Object.entries(perKey)) {
      const l = present.get(key);
      if (!l || !l.value) continue;
      const problem = checkBound(l.value, bound, input);
      if (problem) rec.finding('OPTIMIZER_BOUND', `${className}.${key} ${problem}`, l.offset, {}, `b${key}`);
    }
    if (schedValue && bounds.scheduler) {
      const d = stateDict(schedValue);
      for (const [key, bound] of Object.entries(bounds.scheduler)) {
        const x = d?.entries.find(([k]) => k.k === 'str' && k.v === key)?.[1];
        if (!x) continue;
        const problem = checkBound(x, bound, input);
        if (problem) rec.finding('OPTIMIZER_BOUND', `scheduler ${sched!.class}.${key} ${problem}`, schedValue.stateAt ?? null, {}, `s${key}`);
      }
    }
  }
  const summary = { class: cls ? cls.resolved : null, name: cls ? cls.name : null, params, tables, scheduler: sched, ...(statesSummary ? { states: statesSummary } : {}) };
  return { ...summary, line: summaryLine(summary) };
}
