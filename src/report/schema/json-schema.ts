/**
 * JSON Schemas generated from the zod schemas (zod 4's z.toJSONSchema). The committed copies
 * (src/cli/report.schema.json, docs/schemas/) are written by `npm run schemas` and checked by a test.
 */
import { z } from 'zod';
import { CliReportSchema } from './cli';
import { FileResultSchema } from './files';
import { ReportSchema } from './report';

export type JsonSchema = Record<string, unknown>;

export interface JsonSchemaOptions {
  /**
   * Objects get `additionalProperties: false`. The published schemas are open (a new field is not a
   * new version); the tests validate with closed ones, so a field the schemas lack fails them.
   */
  closed?: boolean;
  /** Default draft-07 (standalone documents); the OpenAPI 3.1 document uses draft-2020-12. */
  target?: 'draft-07' | 'draft-2020-12';
}

/** zod's JSON Schema of one output schema, tidied: no ±2^53 bounds on every integer, objects open unless `closed`. */
export function toJsonSchema(schema: z.ZodType, options: JsonSchemaOptions = {}): JsonSchema {
  const closed = options.closed ?? false;
  return z.toJSONSchema(schema, {
    target: options.target ?? 'draft-07',
    io: 'output',
    unrepresentable: 'throw',
    override({ zodSchema, jsonSchema }) {
      dropSafeIntegerBounds(jsonSchema);
      if (!closed && zodSchema._zod.def.type === 'object' && jsonSchema.additionalProperties === false) delete jsonSchema.additionalProperties;
    },
  }) as JsonSchema;
}

/** zod bounds every integer by ±(2^53 - 1); JSON numbers past that are not integers JavaScript can hold anyway. */
export function dropSafeIntegerBounds(jsonSchema: { minimum?: number; maximum?: number }): void {
  if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
  if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
}

/**
 * A standalone document: `$schema`, `$id`, title and description first. zod makes a root schema that
 * has an id a `$ref` to its own definition; that definition becomes the root again when nothing else
 * refers to it (a draft-07 `$ref` hides its sibling keywords).
 */
function document(schema: z.ZodType, head: { $id?: string; title: string; description: string }, options: JsonSchemaOptions): JsonSchema {
  let { $schema, ...body } = toJsonSchema(schema, options);
  const defsKey = body.definitions ? 'definitions' : '$defs';
  const defs = body[defsKey] as Record<string, JsonSchema> | undefined;
  const ref = typeof body.$ref === 'string' ? body.$ref : undefined;
  const prefix = `#/${defsKey}/`;
  if (defs && ref?.startsWith(prefix) && Object.keys(body).length === 2) {
    const id = ref.slice(prefix.length);
    const { [id]: root, ...rest } = defs;
    if (root && !JSON.stringify(rest).includes(JSON.stringify(ref))) {
      body = { ...root, ...(Object.keys(rest).length ? { [defsKey]: rest } : {}) };
    }
  }
  return { $schema, ...head, ...body };
}

/** `picklegate scan --format json` (src/cli/report.schema.json). */
export function cliReportJsonSchema(options: JsonSchemaOptions = {}): JsonSchema {
  return document(
    CliReportSchema,
    {
      $id: 'https://picklegate.dev/schema/report-v1.json',
      title: 'picklegate scan --format json report, version 1',
      description: 'Generated from src/report/schema/ by `npm run schemas`; do not edit.',
    },
    options,
  );
}

/** The Report of `scan()`, also the body of the HTTP answers (docs/schemas/report.schema.json). */
export function reportJsonSchema(options: JsonSchemaOptions = {}): JsonSchema {
  return document(ReportSchema, { title: 'picklegate Report', description: 'The report of scan(). Generated from src/report/schema/ by `npm run schemas`; do not edit.' }, options);
}

/** The FileResult of `scanFile()`, `scanBytes()` and `scanPaths()` (docs/schemas/file-result.schema.json). */
export function fileResultJsonSchema(options: JsonSchemaOptions = {}): JsonSchema {
  return document(
    FileResultSchema,
    { title: 'picklegate FileResult', description: 'The result of scanFile(), scanBytes() and scanPaths() for one file. Generated from src/report/schema/ by `npm run schemas`; do not edit.' },
    options,
  );
}
