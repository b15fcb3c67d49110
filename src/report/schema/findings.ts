/**
 * Findings, as zod schemas. Like everything in src/report/schema/, this module loads zod: the library
 * imports its types only (`import type`), so scanning never pays zod's start-up cost.
 */
import { z } from 'zod';
import { FINDING_CODES, type FindingCode } from '../codes';

export const SeveritySchema = z
  .enum(['info', 'suspicious', 'dangerous'])
  .meta({ id: 'Severity', description: 'Ordered severities (info < suspicious < dangerous). A verdict is the highest severity among the findings, `safe` when there is none above info.' });

export const FindingCodeSchema = z
  .enum(Object.keys(FINDING_CODES) as [FindingCode, ...FindingCode[]])
  .meta({ id: 'FindingCode', description: 'Stable finding code: the family of a finding (see FINDING_CODES and docs/library.md#finding-codes-and-rules). New codes may be added; none is renamed or reused.' });

/** Stable name of a check within its code: lower case words joined by `-`. */
export const RULE_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Where a finding is: what a call site knows besides the rule's own arguments. */
export const FindingSiteSchema = z.object({
  /** Byte offset of the opcode that caused the finding, in the scanned input (for file results: in the stream named by the last element of `path`); null when the finding is not tied to one offset. */
  offset: z
    .number()
    .int()
    .nonnegative()
    .nullable()
    .describe('Byte offset of the opcode that caused the finding, in the scanned input (for file results: in the stream named by the last element of `path`); null when the finding is not tied to one offset.'),
  /** Canonical opcode name (as in pickletools) at `offset`, when there is one. */
  opcode: z.string().optional().describe('Canonical opcode name (as in pickletools) at `offset`, when there is one.'),
  /** The global involved, as `module name` (wire spelling). */
  global: z.string().optional().describe('The global involved, as `module name` (wire spelling).'),
  /** The call involved, as readable pseudo-Python, e.g. `os.system('id')`. */
  call: z.string().optional().describe('The call involved, as readable pseudo-Python, e.g. `os.system(\'id\')`.'),
  /** Location inside nested containers, outermost first: the file name, then members (file results only). */
  path: z.array(z.string()).min(1).optional().describe('Location inside nested containers, outermost first: the file name, then members (file results only).'),
});

export const FindingSchema = z
  .object({
    code: FindingCodeSchema,
    /** Stable name of the check within `code` (e.g. `memo-index` of RESOURCE_HOSTILE); `code` and `rule` together name one rule of the table in src/report/rules/. New rules may be added; none is renamed or reused. */
    rule: z
      .string()
      .regex(RULE_NAME)
      .describe('Stable name of the check within `code` (e.g. `memo-index` of RESOURCE_HOSTILE); `code` and `rule` together name one rule of the table in src/report/rules/. New rules may be added; none is renamed or reused.'),
    /** Severity of this finding (its rule's severity). */
    severity: SeveritySchema.describe('Severity of this finding (its rule\'s severity).'),
    /** One sentence for a person: what and why (programs match on `code` and `rule`, not on the wording). */
    message: z.string().describe('One sentence for a person: what and why (programs match on `code` and `rule`, not on the wording).'),
    ...FindingSiteSchema.shape,
    /** Index of the pickle within a stream of back-to-back pickles. */
    pickle: z.number().int().nonnegative().optional().describe('Index of the pickle within a stream of back-to-back pickles.'),
    /** How many times the same finding occurred (folded into this one, whose offset is the first); absent when once. */
    count: z.number().int().min(2).optional().describe('How many times the same finding occurred (folded into this one, whose offset is the first); absent when once.'),
    /** `picklegate scan --baseline` only: the baseline records this finding, so it does not make the command fail. */
    baselined: z.literal(true).optional().describe('`picklegate scan --baseline` only: the baseline records this finding, so it does not make the command fail.'),
  })
  .meta({ id: 'Finding', description: 'Something picklegate has to say about the input: a stable `code` and `rule`, a severity, a sentence, and where.' });
