/** Validators built from the generated schemas, for the schema tests. */
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { HTTP_ERRORS, errorBodyFor } from '../../src/report/schema';
import { cliReportJsonSchema, fileResultJsonSchema, reportJsonSchema, toJsonSchema } from '../../src/report/schema/json-schema';
import { openApiDocument } from '../../server/openapi';

/** Draft-07 validators of the closed schemas: objects with `additionalProperties: false`, so a field the schema lacks fails. */
export function closedValidators(): { cli: ValidateFunction; report: ValidateFunction; fileResult: ValidateFunction } {
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
  return {
    cli: ajv.compile(cliReportJsonSchema({ closed: true })),
    report: ajv.compile(reportJsonSchema({ closed: true })),
    fileResult: ajv.compile(fileResultJsonSchema({ closed: true })),
  };
}

/** The first few errors of a failed validation, readable. */
export function explain(errors: ErrorObject[] | null | undefined, data?: unknown): string {
  return (errors ?? [])
    .slice(0, 8)
    .map((e) => {
      let at: unknown = data;
      for (const seg of e.instancePath.split('/').slice(1)) at = (at as Record<string, unknown> | undefined)?.[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
      return `${e.instancePath || '(root)'} ${e.message} ${JSON.stringify(e.params)}${data === undefined ? '' : ` — value: ${JSON.stringify(at)?.slice(0, 300)}`}`;
    })
    .join('\n');
}

const DOC_ID = 'https://picklegate.test/openapi.json';

/** Escapes a JSON pointer segment. */
const seg = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Validates HTTP answers against the OpenAPI document: the body schema the document declares for
 * (path, method, status), closed by default.
 */
export class OpenApiValidator {
  readonly doc: Record<string, unknown>;
  private readonly ajv = new Ajv2020({ allErrors: true, strict: false });

  constructor(closed = true) {
    this.doc = openApiDocument('test', { closed });
    this.ajv.addSchema({ ...this.doc, $id: DOC_ID });
  }

  /** The documented response, or undefined when the status is not documented for that operation. */
  response(path: string, method: string, status: number): { description: string; headers?: Record<string, unknown>; content?: Record<string, { schema: unknown }> } | undefined {
    const op = ((this.doc.paths as Record<string, Record<string, { responses: Record<string, never> }>>)[path] ?? {})[method.toLowerCase()];
    return op?.responses[String(status)];
  }

  /** Throws unless `body` is what the document promises for this answer. */
  check(path: string, method: string, status: number, body: unknown, headers: Record<string, unknown> = {}, mediaType = 'application/json'): void {
    const r = this.response(path, method, status);
    if (!r) throw new Error(`${method} ${path} → ${status} is not documented`);
    for (const [h, doc] of Object.entries(r.headers ?? {})) {
      // a header documented with `required: false` is present only sometimes (Preference-Applied)
      if ((doc as { required?: boolean }).required === false) continue;
      if (headers[h.toLowerCase()] === undefined) throw new Error(`${method} ${path} → ${status}: header ${h} documented but missing`);
    }
    if (!r.content?.[mediaType]) throw new Error(`${method} ${path} → ${status}: no ${mediaType} body documented`);
    const pointer = `#/paths/${seg(path)}/${method.toLowerCase()}/responses/${status}/content/${seg(mediaType)}/schema`;
    const validate = this.ajv.getSchema(`${DOC_ID}${pointer}`);
    if (!validate) throw new Error(`cannot compile ${pointer}`);
    if (!validate(body)) throw new Error(`${method} ${path} → ${status}: body does not match the document:\n${explain(validate.errors, body)}`);
  }
}

/** A validator of the closed error body of one status (for answers no documented path covers: unknown paths, wrong methods). */
export function errorBodyValidator(status: keyof typeof HTTP_ERRORS): ValidateFunction {
  return new Ajv2020({ allErrors: true, strict: false }).compile(toJsonSchema(errorBodyFor(status), { target: 'draft-2020-12', closed: true }));
}
