/** The format-specific checks a policy asks for, as machine hooks (see src/machine/hooks.ts). */
import type { HookFactory } from '../machine/hooks';
import type { CompiledPolicy } from '../policy/compile';
import type { OptimizerSummary } from '../report/optimizer';
import { joblibHook } from './joblib';
import { wireHook } from './mxnet-wire';
import { optimizerHook } from './optimizer/hook';

export interface PolicyChecks {
  hooks: HookFactory[];
  /** Filled after the run when the policy has optimizer bounds. */
  optimizer: { summary?: OptimizerSummary };
}

/** joblib's in-stream arrays always; the policy's wire rules and optimizer bounds when it has them. */
export function policyChecks(policy: CompiledPolicy): PolicyChecks {
  const optimizer: PolicyChecks['optimizer'] = {};
  const hooks: HookFactory[] = [joblibHook];
  if (policy.spec.wire) hooks.push(wireHook(policy.spec.wire));
  if (policy.spec.optimizer) hooks.push(optimizerHook(policy.spec.optimizer, optimizer));
  return { hooks, optimizer };
}
