/** Optimizer inspection as a machine hook: once the pickle has run, its result is checked against the bounds. */
import type { HookFactory } from '../../machine/hooks';
import type { Recorder } from '../../machine/recorder';
import type { OptimizerBounds } from '../../policy/schema';
import type { OptimizerSummary } from '../../report/optimizer';
import { inspectOptimizer } from './inspect';

/** The optimizer summary the hook made for the machine that owns `rec`, if any (kept on the recorder: no weak table entry per scan). */
export function optimizerSummaryOf(rec: Recorder): OptimizerSummary | undefined {
  return rec.optimizer;
}

/**
 * Inspects what the run returns; the summary is kept for the run's recorder (optimizerSummaryOf). One
 * factory per policy. Needs every value, so the data fast path is off.
 */
export function optimizerHook(bounds: OptimizerBounds): HookFactory {
  return (rec) => ({
    needsFullMachine: true,
    finish(results, pickles) {
      const summary = inspectOptimizer(results, bounds, rec, pickles);
      if (summary) rec.optimizer = summary;
    },
  });
}
