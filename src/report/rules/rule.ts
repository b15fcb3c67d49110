/**
 * The shape of one rule in the rules table: its severity, its wording, and what makes two of its
 * findings the same (they are folded into one with a count).
 */
import type { Severity } from '../findings';

export interface RuleDef<A> {
  readonly severity: Severity;
  /** The sentence a person reads. */
  readonly message: (a: A) => string;
  /**
   * What makes two findings of this rule the same finding (the second only bumps the first's count).
   * Default: the message.
   */
  readonly key?: (a: A) => string;
}

/** Several findings of a rule fold into the first, whatever their arguments. */
export const ONCE = (): string => '';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export function rule<A = {}>(severity: Severity, message: (a: A) => string, key?: (a: A) => string): RuleDef<A> {
  return key ? { severity, message, key } : { severity, message };
}

/** `op at offset N`, the way every opcode finding begins. */
export interface At {
  op: string;
  at: number;
}
