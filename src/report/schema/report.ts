/** The report of one scan (`scan()`, HTTP answers), as zod schemas. Types only for the library (see findings.ts). */
import { z } from 'zod';
import { FindingSchema } from './findings';
import { OptimizerSummarySchema } from './optimizer';

const offset = z.number().int().nonnegative();
const pickleIndex = z.number().int().nonnegative().describe('Index of the pickle within the input.');

export const VerdictSchema = z.enum(['safe', 'suspicious', 'dangerous']).meta({
  id: 'Verdict',
  description:
    '`safe`: every import allowed, nothing found. `suspicious`: something not allowed but not known to be dangerous, or malformed, truncated, over a limit, unresolvable. `dangerous`: a denied global or a dangerous data flow.',
});

export const GlobalDecisionSchema = z.enum(['allow', 'deny', 'unlisted']).meta({ id: 'GlobalDecision', description: 'How the policy judged one imported global.' });

export const GlobalRefSchema = z
  .object({
    /** Module as written in the stream. */
    module: z.string().describe('Module as written in the stream.'),
    /** Name as written in the stream (may be dotted at protocol 4+). */
    name: z.string().describe('Name as written in the stream (may be dotted at protocol 4+).'),
    /** `module.name` after `_compat_pickle` remapping and stdlib alias resolution, as the policy saw it. */
    resolved: z.string().describe('`module.name` after `_compat_pickle` remapping and stdlib alias resolution, as the policy saw it.'),
    /** Byte offset of the opcode that imports it. */
    offset: offset.describe('Byte offset of the opcode that imports it.'),
    /** The opcode that imports it (GLOBAL, STACK_GLOBAL, INST, EXT1...). */
    opcode: z.string().describe('The opcode that imports it (GLOBAL, STACK_GLOBAL, INST, EXT1...).'),
    pickle: pickleIndex,
    decision: GlobalDecisionSchema,
    /** The policy rule's reason, when a rule matched. */
    reason: z.string().optional().describe("The policy rule's reason, when a rule matched."),
  })
  .meta({ id: 'GlobalRef', description: 'One distinct import the unpickler would perform (GLOBAL, STACK_GLOBAL, INST, EXT...).' });

export const CallKindSchema = z
  .enum(['reduce', 'newobj', 'newobj_ex', 'obj', 'inst', 'build', 'append', 'setitem', 'additems'])
  .meta({ id: 'CallKind', description: 'The opcode family that makes the call (APPEND/SETITEM/ADDITEMS only on objects that are not plain lists, dicts or sets).' });

export const CallRecordSchema = z
  .object({
    /** Byte offset of the calling opcode. */
    offset: offset.describe('Byte offset of the calling opcode.'),
    /** The calling opcode. */
    opcode: z.string().describe('The calling opcode.'),
    pickle: pickleIndex,
    kind: CallKindSchema,
    /** The callee as `module.name`, or a description of a non-global callee. */
    callee: z.string().describe('The callee as `module.name`, or a description of a non-global callee.'),
    /** Readable pseudo-Python, e.g. `os.system('echo hi')`. Arguments are elided past a size bound. */
    pseudo: z.string().describe("Readable pseudo-Python, e.g. `os.system('echo hi')`. Arguments are elided past a size bound."),
  })
  .meta({ id: 'CallRecord', description: 'One call the unpickler would make.' });

export const PickleSummarySchema = z
  .object({
    index: pickleIndex,
    /** Offset of its first opcode. */
    start: offset.describe('Offset of its first opcode.'),
    /** Offset just past its STOP, or where analysis stopped. */
    end: offset.describe('Offset just past its STOP, or where analysis stopped.'),
    /** Highest protocol announced by PROTO, or 0 when there is none. */
    protocol: z.number().int().min(0).describe('Highest protocol announced by PROTO, or 0 when there is none.'),
    /** Opcodes run. */
    opcodes: z.number().int().nonnegative().describe('Opcodes run.'),
    /** True when it ended with STOP. */
    complete: z.boolean().describe('True when it ended with STOP.'),
  })
  .meta({ id: 'PickleSummary', description: 'One pickle in the input (an input may hold several back to back).' });

const count = z.number().int().nonnegative();

export const ReportSchema = z
  .object({
    verdict: VerdictSchema,
    /** The policy's decision. Built-in policies accept only `safe`. */
    accepted: z.boolean().describe("The policy's decision. Built-in policies accept only `safe`."),
    /** The policy's name. */
    policy: z.string().describe("The policy's name."),
    /** Findings, in the order they were found (at most 2,000 distinct ones are listed; a LIMIT_EXCEEDED finding counts the rest). */
    findings: z.array(FindingSchema).describe('Findings, in the order they were found (at most 2,000 distinct ones are listed; a LIMIT_EXCEEDED finding counts the rest).'),
    /** Each distinct import. */
    globals: z.array(GlobalRefSchema).describe('Each distinct import.'),
    /** Each call, at most 10,000 listed (`counts.calls` has the total). */
    calls: z.array(CallRecordSchema).describe('Each call, at most 10,000 listed (`counts.calls` has the total).'),
    /** Each pickle of the input. */
    pickles: z.array(PickleSummarySchema).describe('Each pickle of the input.'),
    /** Size of the scanned input in bytes. */
    size: z.number().int().nonnegative().describe('Size of the scanned input in bytes.'),
    /** How many opcodes ran, imports happened and calls were made (the lists above may be capped). */
    counts: z
      .object({ opcodes: count, globals: count, calls: count })
      .describe('How many opcodes ran, imports happened and calls were made (the lists above may be capped).'),
    /** Optimizer summary, for policies with optimizer bounds (the MXNet policies). */
    optimizer: OptimizerSummarySchema.optional().describe('Optimizer summary, for policies with optimizer bounds (the MXNet policies).'),
    /** Wall time of the scan in milliseconds. */
    timeMs: z.number().nonnegative().describe('Wall time of the scan in milliseconds.'),
  })
  .meta({ id: 'Report', description: 'The report of one scan: the verdict, the policy\'s decision, findings, imports, calls and pickles.' });
