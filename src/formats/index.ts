/** The format-specific checks a policy asks for, as machine hooks (see src/machine/hooks.ts). */
import type { HookFactory } from '../machine/hooks';
import type { Recorder } from '../machine/recorder';
import type { CompiledPolicy } from '../policy/compile';
import type { OptimizerSummary } from '../report/optimizer';
import { joblibHook } from './joblib';
import { wireHook } from './mxnet-wire';
import { optimizerHook, optimizerSummaryOf } from './optimizer/hook';

export interface PolicyChecks {
  hooks: readonly HookFactory[];
  /** After the run, for policies with optimizer bounds: the summary made for the machine of recorder `rec`. */
  optimizerSummary(rec: Recorder): OptimizerSummary | undefined;
}

const noSummary = (): undefined => undefined;
const byPolicy = new WeakMap<CompiledPolicy, PolicyChecks>();

/** joblib's in-stream arrays always; the policy's wire rules and optimizer bounds when it has them. Made once per policy. */
export function policyChecks(policy: CompiledPolicy): PolicyChecks {
  let checks = byPolicy.get(policy);
  if (checks) return checks;
  const hooks: HookFactory[] = [joblibHook];
  if (policy.spec.wire) hooks.push(wireHook(policy.spec.wire));
  if (policy.spec.optimizer) hooks.push(optimizerHook(policy.spec.optimizer));
  checks = { hooks, optimizerSummary: policy.spec.optimizer ? optimizerSummaryOf : noSummary };
  byPolicy.set(policy, checks);
  return checks;
}
