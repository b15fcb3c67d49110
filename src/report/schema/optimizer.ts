/**
 * The optimizer section of a report, as zod schemas: what a legitimate MXNet optimizer blob sets, as
 * plain JSON values taken from the symbolic machine's constants. Types only for the library (see findings.ts).
 */
import { z } from 'zod';

/**
 * A hyperparameter value as JSON. Python floats and ints are both JSON numbers (inf, -inf and nan as
 * the strings `inf`, `-inf`, `nan`); ints too large for a double are decimal strings. Values that are
 * not plain constants are described, never guessed: `{ $call }` is what the unpickler would call to make
 * the value (a numpy scalar, any object), `{ $array }` an NDArray state with the header's shape and,
 * for a one-element array, its element.
 *
 * Written out because TypeScript cannot infer a recursive union; HyperValueSchema is checked against it.
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

const shape = z.array(z.number().int().nonnegative()).nullable();

export const HyperValueSchema: z.ZodType<HyperValue> = z
  .lazy(() =>
    z.union([
      z.null(),
      z.boolean(),
      z.number(),
      z.string().describe('A string; also `inf`, `-inf`, `nan`, and integers too large for a double (in decimal).'),
      z.array(HyperValueSchema),
      z.object({
        /** What the unpickler would call to make the value, as pseudo-Python. */
        $call: z.string().describe('What the unpickler would call to make the value, as pseudo-Python.'),
      }),
      z.object({
        /** An NDArray state. */
        $array: z
          .object({
            /** Shape from the NDArray header, or null when unreadable. */
            shape: shape.describe('Shape from the NDArray header, or null when unreadable.'),
            dtype: z.string().optional(),
            stype: z.string().optional(),
            /** The element of a one-element array. */
            value: z.number().optional().describe('The element of a one-element array.'),
          })
          .describe('An NDArray state.'),
      }),
      z.record(z.string(), HyperValueSchema),
    ]),
  )
  .meta({
    id: 'HyperValue',
    description:
      'A hyperparameter value as JSON: numbers (inf, -inf, nan as strings; huge ints as decimal strings), strings, booleans, null, lists, dicts; `{ $call }` for values made by a call, `{ $array }` for NDArray states.',
  });

const params = z.record(z.string(), HyperValueSchema);

export const SchedulerSummarySchema = z
  .object({
    /** Class as `module.name`. */
    class: z.string().describe('Class as `module.name`.'),
    /** The scheduler's settings, in pickle order. */
    params: params.describe("The scheduler's settings, in pickle order."),
  })
  .meta({ id: 'SchedulerSummary', description: 'The learning-rate scheduler of an optimizer.' });

export const OptimizerSummarySchema = z
  .object({
    /** Optimizer class as `module.name`, or null for a states-only file. */
    class: z.string().nullable().describe('Optimizer class as `module.name`, or null for a states-only file.'),
    /** Short class name, e.g. `SGD`. */
    name: z.string().nullable().describe('Short class name, e.g. `SGD`.'),
    /** Hyperparameters and other scalar settings (lr, wd, momentum, ...), in pickle order. Bookkeeping dicts are summarised in `tables`. */
    params: params.describe('Hyperparameters and other scalar settings (lr, wd, momentum, ...), in pickle order. Bookkeeping dicts are summarised in `tables`.'),
    /** Sizes of bookkeeping tables (idx2name, lr_mult, wd_mult, update counts, sym_info). */
    tables: z.record(z.string(), z.number().int().nonnegative()).describe('Sizes of bookkeeping tables (idx2name, lr_mult, wd_mult, update counts, sym_info).'),
    scheduler: SchedulerSummarySchema.nullable(),
    /** Optimizers held by this one (`_SVRGOptimizer.default_opt`, `.aux_opt`), each bounded like the outer one. */
    get nested() {
      return z
        .record(z.string(), OptimizerSummarySchema)
        .optional()
        .describe('Optimizers held by this one (`_SVRGOptimizer.default_opt`, `.aux_opt`), each bounded like the outer one.');
    },
    /** `.states` files: how many states, and the shapes the pickle shows (NDArray headers, null when unreadable). */
    states: z
      .object({ count: z.number().int().nonnegative(), shapes: z.array(shape) })
      .optional()
      .describe('`.states` files: how many states, and the shapes the pickle shows (NDArray headers, null when unreadable).'),
    /** One readable line, e.g. `SGD lr=0.1 momentum=0.9 wd=0.0001 scheduler=FactorScheduler(step=1000, factor=0.5)`. */
    line: z.string().describe('One readable line, e.g. `SGD lr=0.1 momentum=0.9 wd=0.0001 scheduler=FactorScheduler(step=1000, factor=0.5)`.'),
  })
  .meta({
    id: 'OptimizerSummary',
    description: 'What an MXNet optimizer blob sets, as plain JSON values from the pickle\'s constants (never from executing it). Policies with optimizer bounds only (mxnet-optimizer, mxnet-states).',
  });
