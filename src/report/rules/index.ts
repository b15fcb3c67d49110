/**
 * The rules table: every check picklegate reports, by `CODE/rule`, with its severity and wording.
 * Call sites name a rule and pass its arguments (typed per rule); nothing else decides how a finding
 * reads or how severe it is.
 */
import type { Finding, FindingCode, FindingSite } from '../findings';
import { CHECK_RULES } from './checks';
import { CONTAINER_RULES } from './containers';
import { MACHINE_RULES } from './machine';
import type { RuleDef } from './rule';

export const RULES = { ...MACHINE_RULES, ...CHECK_RULES, ...CONTAINER_RULES } satisfies Record<`${FindingCode}/${string}`, RuleDef<never>>;

export type RuleId = keyof typeof RULES;
export type RuleArgs<R extends RuleId> = Parameters<(typeof RULES)[R]['message']>[0];

/** The code and rule name of a rule id (`RESOURCE_HOSTILE/memo-index` → RESOURCE_HOSTILE, memo-index). */
export function splitRule(id: RuleId): { code: FindingCode; rule: string } {
  const slash = id.indexOf('/');
  return { code: id.slice(0, slash) as FindingCode, rule: id.slice(slash + 1) };
}

/** The message of a rule for its arguments. */
export function ruleMessage<R extends RuleId>(id: R, args: RuleArgs<R>): string {
  return (RULES[id] as RuleDef<RuleArgs<R>>).message(args);
}

/** What makes two findings of a rule the same finding (see RuleDef.key). */
export function ruleKey<R extends RuleId>(id: R, args: RuleArgs<R>, message: string): string {
  const key = (RULES[id] as RuleDef<RuleArgs<R>>).key;
  return key ? key(args) : message;
}

/** A finding of `id` at `site`. */
export function makeFinding<R extends RuleId>(id: R, site: FindingSite, args: RuleArgs<R>): Finding {
  const { code, rule } = splitRule(id);
  return { code, rule, severity: RULES[id].severity, message: ruleMessage(id, args), ...site };
}

export type { RuleDef } from './rule';
