/**
 * Findings: everything picklegate has to say about a pickle. Each has a stable `code` (the family,
 * e.g. RESOURCE_HOSTILE) and a stable `rule` (the check within it, e.g. `memo-index`); the rules, their
 * severities and their wording live in one table, src/report/rules/.
 *
 * Codes and rules are part of the public contract (CLI JSON, SARIF, HTTP reports, metrics):
 * add new ones, never rename or reuse one.
 */

import type { z } from 'zod';
import type { FindingSchema, FindingSiteSchema, SeveritySchema } from './schema/findings';

/** Ordered severities. A report's verdict is the highest severity among its findings. */
export type Severity = z.infer<typeof SeveritySchema>;

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 0, suspicious: 1, dangerous: 2 };

export { FINDING_CODES } from './codes';
export type { FindingCode } from './codes';

/**
 * Where a finding is: what a call site knows besides the rule's own arguments (offset, opcode, global,
 * call, path). Described in src/report/schema/findings.ts.
 */
export type FindingSite = z.infer<typeof FindingSiteSchema>;

/**
 * One finding: stable `code` and `rule` (see src/report/rules/), severity, message, where, and how often
 * it recurred (`count`). Described, field by field, in src/report/schema/findings.ts.
 */
export type Finding = z.infer<typeof FindingSchema>;

export function maxSeverity(findings: readonly Finding[]): Severity {
  let rank = 0;
  for (const f of findings) rank = Math.max(rank, SEVERITY_RANK[f.severity]);
  return rank === 2 ? 'dangerous' : rank === 1 ? 'suspicious' : 'info';
}

/** Findings sorted for people: most severe first, otherwise in the order they were found. */
export function bySeverity<T extends { severity: Severity; offset: number | null }>(findings: readonly T[]): T[] {
  return findings
    .map((f, i) => [f, i] as const)
    .sort(([a, i], [b, j]) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || i - j)
    .map(([f]) => f);
}
