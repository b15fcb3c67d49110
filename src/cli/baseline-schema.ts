/**
 * The baseline file of `picklegate scan --write-baseline` / `--baseline`, as a zod schema. The JSON
 * Schema docs/schemas/baseline.schema.json is generated from it (`npm run schemas`). Loaded only when a
 * baseline is read or its schema generated: scanning never loads zod.
 */
import { z } from 'zod';
import { FindingCodeSchema, RULE_NAME, SeveritySchema } from '../report/schema/findings';
import { dropSafeIntegerBounds } from '../report/schema/json-schema';

export const BaselineFindingSchema = z
  .object({
    code: FindingCodeSchema,
    /** Stable name of the check within `code`. */
    rule: z.string().regex(RULE_NAME).describe('Stable name of the check within `code`.'),
    /** Severity when the baseline was written (for people; not used for matching). */
    severity: SeveritySchema.describe('Severity when the baseline was written (for people; not used for matching).'),
    /** Byte offset in the stream named by the last element of `path`, or null. */
    offset: z.number().int().nonnegative().nullable().describe('Byte offset in the stream named by the last element of `path`, or null.'),
    /** The finding\'s message when the baseline was written (for people; not used for matching). */
    message: z.string().describe("The finding's message when the baseline was written (for people; not used for matching)."),
    /** Location inside nested containers: the file name, then members, as in the scan output. */
    path: z.array(z.string()).min(1).describe('Location inside nested containers: the file name, then members, as in the scan output.'),
  })
  .meta({
    id: 'BaselineFinding',
    description: 'A reviewed finding. A finding of a later scan matches it when `code`, `rule`, `offset` and `path` (after its first element) are equal.',
  });

export const BaselineFileSchema = z
  .object({
    /** The file, relative to the directory of the baseline file, with `/` separators. */
    path: z.string().min(1).describe('The file, relative to the directory of the baseline file, with `/` separators.'),
    /** SHA-256 of the whole file (lower-case hex). When the file\'s digest differs, none of its findings are baselined. */
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .describe("SHA-256 of the whole file (lower-case hex). When the file's digest differs, none of its findings are baselined."),
    /** The file\'s verdict when the baseline was written. */
    verdict: z.enum(['safe', 'suspicious', 'dangerous']).describe("The file's verdict when the baseline was written."),
    /** Its findings above info, in report order. */
    findings: z.array(BaselineFindingSchema).describe('Its findings above info, in report order.'),
  })
  .meta({ id: 'BaselineFile', description: 'A reviewed file: its digest and the findings it had.' });

export const BaselineSchema = z
  .object({
    /** Format version: changes only when a field changes meaning or disappears. */
    version: z.literal(1).describe('Format version: changes only when a field changes meaning or disappears.'),
    tool: z.object({
      name: z.literal('picklegate'),
      /** picklegate version that wrote the baseline. */
      version: z.string().describe('picklegate version that wrote the baseline.'),
    }),
    /** The policy the files were judged by when the baseline was written. */
    policy: z.string().describe('The policy the files were judged by when the baseline was written.'),
    /** Reviewed files with findings above info, sorted by path. */
    files: z.array(BaselineFileSchema).describe('Reviewed files with findings above info, sorted by path.'),
  })
  .meta({ id: 'Baseline', title: 'picklegate baseline, version 1' });

export type Baseline = z.infer<typeof BaselineSchema>;
export type BaselineFile = z.infer<typeof BaselineFileSchema>;
export type BaselineFinding = z.infer<typeof BaselineFindingSchema>;

/** Validates parsed JSON; issues name their path (`files[0].sha256: ...`). */
export function parseBaseline(input: unknown): { ok: true; baseline: Baseline } | { ok: false; issues: string[] } {
  const r = BaselineSchema.safeParse(input);
  if (r.success) return { ok: true, baseline: r.data };
  return {
    ok: false,
    issues: r.error.issues.map((i) => {
      const p = i.path.map((seg, k) => (typeof seg === 'number' ? `[${seg}]` : k === 0 ? String(seg) : `.${String(seg)}`)).join('');
      return `${p || '(root)'}: ${i.message}`;
    }),
  };
}

/** docs/schemas/baseline.schema.json (JSON Schema draft-07). */
export function baselineJsonSchema(): Record<string, unknown> {
  const { $schema, ...body } = z.toJSONSchema(BaselineSchema, {
    target: 'draft-07',
    io: 'output',
    unrepresentable: 'throw',
    override({ zodSchema, jsonSchema }) {
      dropSafeIntegerBounds(jsonSchema);
      if (zodSchema._zod.def.type === 'object' && jsonSchema.additionalProperties === false) delete jsonSchema.additionalProperties;
    },
  });
  const defsKey = body.definitions ? 'definitions' : '$defs';
  const defs = (body as Record<string, unknown>)[defsKey] as Record<string, Record<string, unknown>> | undefined;
  // zod makes a root schema with an id a $ref to its definition: inline it again
  let root: Record<string, unknown> = body;
  if (defs && typeof body.$ref === 'string' && body.$ref === `#/${defsKey}/Baseline`) {
    const { Baseline: top, ...rest } = defs;
    root = { ...top, ...(Object.keys(rest).length ? { [defsKey]: rest } : {}) };
  }
  return {
    $schema,
    $id: 'https://picklegate.dev/schema/baseline-v1.json',
    title: 'picklegate baseline, version 1',
    description: 'Files and findings reviewed and accepted for now (picklegate scan --write-baseline / --baseline, docs/cli.md#baselines). Generated from src/cli/baseline-schema.ts by `npm run schemas`; do not edit.',
    ...root,
  };
}
