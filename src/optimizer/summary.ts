/**
 * The optimizer section of a report: what a legitimate MXNet optimizer blob sets, as plain JSON values
 * taken from the symbolic machine's constants (never from executing or decoding into live objects).
 */

/** A hyperparameter value: JSON, with inf/nan as strings and non-constants described. */
export type HyperValue = null | boolean | number | string | HyperValue[] | { [key: string]: HyperValue } | { $call: string } | { $array: { shape: number[] | null } };

export interface SchedulerSummary {
  /** Class as `module.name`. */
  class: string;
  params: Record<string, HyperValue>;
}

export interface OptimizerSummary {
  /** Optimizer class as `module.name`, or null for a states-only file. */
  class: string | null;
  /** Short class name, e.g. `SGD`. */
  name: string | null;
  /** Scalar hyperparameters (lr, wd, momentum, ...). Bookkeeping dicts are summarised in `tables`. */
  params: Record<string, HyperValue>;
  /** Sizes of bookkeeping tables (idx2name, lr_mult, wd_mult, update counts, sym_info). */
  tables: Record<string, number>;
  scheduler: SchedulerSummary | null;
  /** `.states` files: how many states, and the shapes the pickle shows (NDArray headers). */
  states?: { count: number; shapes: (number[] | null)[] };
  /** One readable line, e.g. `SGD lr=0.1 momentum=0.9 wd=0.0001 scheduler=FactorScheduler(step=1000, factor=0.5)`. */
  line: string;
}

const LINE_KEYS = ['lr', 'momentum', 'beta1', 'beta2', 'epsilon', 'wd', 'rescale_grad', 'clip_gradient', 'multi_precision'];
const SCHED_KEYS = ['step', 'factor', 'base_lr', 'max_update', 'power', 'final_lr', 'warmup_steps'];

export function formatHyper(v: HyperValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v === 'inf' || v === '-inf' || v === 'nan' ? v : JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(formatHyper).join(', ')}]`;
  if ('$call' in v) return String(v.$call);
  if ('$array' in v) return 'NDArray';
  return '{…}';
}

export function summaryLine(s: Omit<OptimizerSummary, 'line'>): string {
  const parts: string[] = [s.name ?? 'states'];
  for (const k of LINE_KEYS) if (k in s.params && !(k === 'clip_gradient' && s.params[k] === null)) parts.push(`${k}=${formatHyper(s.params[k]!)}`);
  if (s.scheduler) {
    const short = s.scheduler.class.slice(s.scheduler.class.lastIndexOf('.') + 1);
    const args = SCHED_KEYS.filter((k) => k in s.scheduler!.params).map((k) => `${k}=${formatHyper(s.scheduler!.params[k]!)}`);
    parts.push(`scheduler=${short}(${args.join(', ')})`);
  }
  if (s.states) parts.push(`states=${s.states.count}`);
  return parts.join(' ');
}
