/** The optimizer section's summary line and value formatting, as Python prints them. */
import type { HyperValue, OptimizerSummary, SchedulerSummary } from '../../report/optimizer';

export type { HyperValue, OptimizerSummary, SchedulerSummary };

/** Keys every MXNet optimizer has (MXNET.md §6); all other scalar keys are the class's own hyperparameters. */
const BASE_KEYS = new Set(['rescale_grad', 'lr', 'lr_scheduler', 'wd', 'lr_mult', 'wd_mult', 'begin_num_update', 'num_update', '_index_update_count', '_all_index_update_counts', 'clip_gradient', 'multi_precision', 'idx2name', 'sym_info', 'aggregate_num', 'allow_np_array', 'use_fused_step', 'param_dict']);
/** Class keys that are implementation switches or training progress, not worth the line. */
const QUIET_KEYS = new Set(['lazy_update']);
/** Scheduler keys shown per class (then base_lr when the optimizer's lr differs, and warmup when used). */
const SCHED_KEYS: Record<string, string[]> = {
  LRScheduler: [],
  FactorScheduler: ['step', 'factor'],
  MultiFactorScheduler: ['step', 'factor'],
  PolyScheduler: ['max_update', 'power', 'final_lr'],
  CosineScheduler: ['max_update', 'final_lr'],
};
const SCHED_COUNTERS = new Set(['count', 'cur_step_ind', 'base_lr_orig', 'max_steps', 'warmup_final_lr']);

/** Python's `repr(float)`: shortest round-trip digits, exponent form below 1e-4 and from 1e16 (`1e-08`, `1.0`, `inf`). */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const a = Math.abs(x);
  if (a >= 1e-4 && a < 1e16) {
    // JavaScript writes these as Python does (the same shortest digits, no exponent), less the `.0` of integers
    const s = String(x);
    return s.includes('.') ? s : `${s}.0`;
  }
  const e = x.toExponential();
  const at = e.indexOf('e');
  const mant = e.slice(0, at);
  const exp = Number(e.slice(at + 1));
  const sign = mant.startsWith('-') ? '-' : '';
  const digits = mant.replace('-', '').replace('.', '');
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** A HyperValue the way Python would print it (numbers as ints: use the `shown` strings for floats). */
export function formatHyper(v: HyperValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v === 'inf' || v === '-inf' || v === 'nan' ? v : `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(formatHyper).join(', ')}]`;
  if ('$call' in v) return String(v.$call);
  if ('$array' in v) {
    const a = v.$array as { shape: number[] | null; value?: number };
    return `NDArray(${a.shape ? `shape=(${a.shape.join(', ')}${a.shape.length === 1 ? ',' : ''})` : 'shape=?'}${a.value !== undefined ? `, value=${a.value}` : ''})`;
  }
  return '{…}';
}

/** Python-style renderings of values, keyed like `params` and `scheduler.params` (floats keep `.0`); made when the line needs them. */
export interface Shown {
  params(key: string): string | undefined;
  scheduler(key: string): string | undefined;
}

const isTable = (v: HyperValue | undefined): boolean => v !== null && typeof v === 'object' && !('$call' in v) && !('$array' in v);

/**
 * The one-line summary: class, lr, the class's own hyperparameters, wd, then rescale_grad /
 * clip_gradient / multi_precision only when not at their defaults (1.0 / None / False), the scheduler
 * with its class's settings, nested optimizers and the number of states.
 */
export function summaryLine(s: Omit<OptimizerSummary, 'line'>, shown?: Shown): string {
  const p = s.params;
  const show = (k: string) => shown?.params(k) ?? formatHyper(p[k]!);
  const parts: string[] = [s.name ?? '(no optimizer)'];
  if ('lr' in p) parts.push(`lr=${show('lr')}`);
  for (const k of Object.keys(p)) {
    if (BASE_KEYS.has(k) || QUIET_KEYS.has(k) || p[k] === null || isTable(p[k])) continue;
    parts.push(`${k}=${show(k)}`);
  }
  if ('wd' in p) parts.push(`wd=${show('wd')}`);
  if ('rescale_grad' in p && p.rescale_grad !== 1) parts.push(`rescale_grad=${show('rescale_grad')}`);
  if ('clip_gradient' in p && p.clip_gradient !== null) parts.push(`clip_gradient=${show('clip_gradient')}`);
  if ('multi_precision' in p && p.multi_precision !== false) parts.push(`multi_precision=${show('multi_precision')}`);
  if (s.scheduler) {
    const sp = s.scheduler.params;
    const sshow = (k: string) => shown?.scheduler(k) ?? formatHyper(sp[k]!);
    const short = s.scheduler.class.slice(s.scheduler.class.lastIndexOf('.') + 1);
    let keys = Object.hasOwn(SCHED_KEYS, short) ? SCHED_KEYS[short] : undefined; // short comes from the pickle: never walk the prototype
    if (!keys) keys = Object.keys(sp).filter((k) => !SCHED_COUNTERS.has(k) && !k.startsWith('warmup_') && k !== 'base_lr' && !isTable(sp[k]));
    keys = keys.filter((k) => k in sp);
    if ('base_lr' in sp && (!('lr' in p) || p.lr === null || p.lr !== sp.base_lr)) keys.push('base_lr');
    if (typeof sp.warmup_steps === 'number' && sp.warmup_steps !== 0) keys.push(...['warmup_steps', 'warmup_begin_lr', 'warmup_mode'].filter((k) => k in sp));
    if (short === 'FactorScheduler' && 'stop_factor_lr' in sp && sp.stop_factor_lr !== 1e-8) keys.push('stop_factor_lr');
    parts.push(`scheduler=${short}(${keys.map((k) => `${k}=${sshow(k)}`).join(', ')})`);
  }
  if (s.nested) for (const [k, n] of Object.entries(s.nested)) parts.push(`${k}=(${n.line})`);
  if (s.states) {
    const shapes = s.states.shapes.slice(0, 8).map((d) => (d ? `(${d.join(', ')}${d.length === 1 ? ',' : ''})` : '?'));
    if (s.states.shapes.length > 8) shapes.push('…');
    parts.push(`states=${s.states.count}${shapes.length ? ` shapes=[${shapes.join(', ')}]` : ''}`);
  }
  return parts.join(' ');
}
