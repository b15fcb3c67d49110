/**
 * The optimizer section of a report: what a legitimate MXNet optimizer blob sets, as plain JSON values
 * taken from the symbolic machine's constants (never from executing or decoding into live objects).
 * Filled by src/formats/optimizer/ for policies with optimizer bounds. The types are derived from the
 * zod schemas of src/report/schema/optimizer.ts (type-only imports: the library never loads zod to scan).
 */
import type { z } from 'zod';
import type { OptimizerSummarySchema, SchedulerSummarySchema } from './schema/optimizer';

export type { HyperValue } from './schema/optimizer';

/** The learning-rate scheduler of an optimizer: class and settings. */
export type SchedulerSummary = z.infer<typeof SchedulerSummarySchema>;

/** The optimizer summary: class, hyperparameters, table sizes, scheduler, nested optimizers, `.states` shapes, one readable line. */
export type OptimizerSummary = z.infer<typeof OptimizerSummarySchema>;
