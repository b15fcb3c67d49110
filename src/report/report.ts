/**
 * The report of one scan. Its types are derived from the zod schemas of src/report/schema/report.ts,
 * which describe every field (and from which the JSON Schemas and the OpenAPI document are generated).
 * Type-only imports: the library never loads zod to scan.
 */
import type { z } from 'zod';
import type { CallKindSchema, CallRecordSchema, GlobalDecisionSchema, GlobalRefSchema, PickleSummarySchema, ReportSchema, VerdictSchema } from './schema/report';

/** `safe`, `suspicious` or `dangerous`: the highest severity among the findings (`safe` when only info). */
export type Verdict = z.infer<typeof VerdictSchema>;

/** How the policy judged one imported global. */
export type GlobalDecision = z.infer<typeof GlobalDecisionSchema>;

/** One import the unpickler would perform (GLOBAL, STACK_GLOBAL, INST, OBJ-less EXT...). */
export type GlobalRef = z.infer<typeof GlobalRefSchema>;

/** The opcode family of a call. */
export type CallKind = z.infer<typeof CallKindSchema>;

/** One call the unpickler would make. */
export type CallRecord = z.infer<typeof CallRecordSchema>;

/** One pickle in the input (a file may hold several back to back). */
export type PickleSummary = z.infer<typeof PickleSummarySchema>;

/** The report of `scan()`: verdict, the policy's decision, findings, imports, calls, pickles, counts, optimizer summary. */
export type Report = z.infer<typeof ReportSchema>;
