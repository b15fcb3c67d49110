/**
 * What a cost rule or a reviewed guard says of a call or a BUILD it refuses: the finding's rule and its
 * arguments (the machine adds where and which call). Its own file, so that the guards (astropy.ts,
 * sympy.ts, ...) and costs.ts, which dispatches to them, do not import each other.
 */
import type { RuleArgs } from '../report/rules';

export type CostFinding =
  | { rule: 'RESOURCE_HOSTILE/allocation'; args: Omit<RuleArgs<'RESOURCE_HOSTILE/allocation'>, 'op' | 'at' | 'call'> }
  | { rule: 'RESOURCE_HOSTILE/iteration'; args: Omit<RuleArgs<'RESOURCE_HOSTILE/iteration'>, 'op' | 'at' | 'call'> }
  | { rule: 'RESOURCE_HOSTILE/number-text'; args: Omit<RuleArgs<'RESOURCE_HOSTILE/number-text'>, 'op' | 'at' | 'call'> }
  | { rule: 'DENIED_GLOBAL/unsafe-call'; args: Omit<RuleArgs<'DENIED_GLOBAL/unsafe-call'>, 'op' | 'at' | 'call'> };
