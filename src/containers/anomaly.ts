/** Problems container readers report; the walker turns them into findings with a path. */
import { ruleMessage, type RuleArgs, type RuleId } from '../report/rules';

export interface Anomaly {
  rule: RuleId;
  args: unknown;
  /** Byte offset in the container, or null. */
  offset: number | null;
  /** Member name the anomaly belongs to, when it is about one member. */
  member?: string;
}

export function anomaly<R extends RuleId>(rule: R, args: RuleArgs<R>, offset: number | null = null, member?: string): Anomaly {
  return { rule, args, offset, ...(member !== undefined ? { member } : {}) };
}

/** What an anomaly says, as its finding would. */
export function anomalyMessage(a: Anomaly): string {
  return ruleMessage(a.rule, a.args as never);
}
