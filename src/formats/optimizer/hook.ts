/** Optimizer inspection as a machine hook: once the pickle has run, its result is checked against the bounds. */
import type { HookFactory } from '../../machine/hooks';
import type { OptimizerBounds } from '../../policy/schema';
import type { OptimizerSummary } from '../../report/optimizer';
import { inspectOptimizer } from './inspect';

/** Inspects what the run returns; the summary lands in `out`. Needs every value, so the data fast path is off. */
export function optimizerHook(bounds: OptimizerBounds, out: { summary?: OptimizerSummary }): HookFactory {
  return (rec) => ({
    needsFullMachine: true,
    finish(results, pickles) {
      const summary = inspectOptimizer(results, bounds, rec, pickles);
      if (summary) out.summary = summary;
    },
  });
}
