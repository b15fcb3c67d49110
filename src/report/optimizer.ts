/**
 * The optimizer section of a report: what a legitimate MXNet optimizer blob sets, as plain JSON values
 * taken from the symbolic machine's constants (never from executing or decoding into live objects).
 * Filled by src/formats/optimizer/ for policies with optimizer bounds.
 */

/**
 * A hyperparameter value as JSON. Python floats and ints are both JSON numbers (inf, -inf and nan as
 * the strings `inf`, `-inf`, `nan`); ints too large for a double are decimal strings. Values that are
 * not plain constants are described, never guessed: `{ $call }` is what the unpickler would call to make
 * the value (a numpy scalar, any object), `{ $array }` an NDArray state with the header's shape and,
 * for a one-element array, its element.
 */
export type HyperValue =
  | null
  | boolean
  | number
  | string
  | HyperValue[]
  | { [key: string]: HyperValue }
  | { $call: string }
  | { $array: { shape: number[] | null; dtype?: string; stype?: string; value?: number } };

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
  /** Hyperparameters and other scalar settings (lr, wd, momentum, ...), in pickle order. Bookkeeping dicts are summarised in `tables`. */
  params: Record<string, HyperValue>;
  /** Sizes of bookkeeping tables (idx2name, lr_mult, wd_mult, update counts, sym_info). */
  tables: Record<string, number>;
  scheduler: SchedulerSummary | null;
  /** Optimizers held by this one (`_SVRGOptimizer.default_opt`, `.aux_opt`), each bounded like the outer one. */
  nested?: Record<string, OptimizerSummary>;
  /** `.states` files: how many states, and the shapes the pickle shows (NDArray headers, null when unreadable). */
  states?: { count: number; shapes: (number[] | null)[] };
  /** One readable line, e.g. `SGD lr=0.1 momentum=0.9 wd=0.0001 scheduler=FactorScheduler(step=1000, factor=0.5)`. */
  line: string;
}
