/**
 * The OpenAPI 3.1 description of the service (GET /openapi.json; committed as docs/schemas/openapi.json
 * by `npm run schemas`). Every body schema comes from the zod schemas of src/report/schema/ (their
 * JSON Schemas become `components.schemas`); the paths, parameters and responses are listed here, and a
 * test checks them against the routes the express app really serves.
 */
import type { z } from 'zod';
import type { HTTP_ERRORS } from '../src/report/schema';
import type { JsonSchema } from '../src/report/schema/json-schema';

/** The schema modules, loaded when the document is first built (not at service start-up). */
function schemas(): typeof import('../src/report/schema') & typeof import('../src/report/schema/json-schema') {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return { ...(require('../src/report/schema') as typeof import('../src/report/schema')), ...(require('../src/report/schema/json-schema') as typeof import('../src/report/schema/json-schema')) };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

export interface OpenApiOptions {
  /** Objects get `additionalProperties: false` (the tests validate answers with this; the served document is open). */
  closed?: boolean;
}

type ErrorStatus = keyof typeof HTTP_ERRORS;

/**
 * Collects the JSON Schemas of zod schemas as OpenAPI components: each schema with an id is one
 * component, and the body schemas refer to them by `#/components/schemas/<id>`.
 */
class Components {
  readonly schemas: Record<string, JsonSchema> = {};
  constructor(
    private readonly closed: boolean,
    private readonly toJsonSchema: ReturnType<typeof schemas>['toJsonSchema'],
  ) {}

  /** The JSON Schema of `schema` for a media type: a `$ref` when it has an id, else inline. */
  ref(schema: z.ZodType): JsonSchema {
    const { $schema: _, $defs, ...root } = this.toJsonSchema(schema, { target: 'draft-2020-12', closed: this.closed });
    for (const [id, def] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) {
      const rewritten = rewriteRefs(def) as JsonSchema;
      const known = this.schemas[id];
      if (known && JSON.stringify(known) !== JSON.stringify(rewritten)) throw new Error(`two different schemas have the id ${id}`);
      this.schemas[id] = rewritten;
    }
    return rewriteRefs(root) as JsonSchema;
  }

  sorted(): Record<string, JsonSchema> {
    return Object.fromEntries(Object.entries(this.schemas).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}

/** zod writes references to its own `$defs`; in the document they live in `components.schemas`. */
function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === '$ref' && typeof v === 'string') {
      if (!v.startsWith('#/$defs/')) throw new Error(`unexpected $ref ${v}`);
      out[k] = `#/components/schemas/${v.slice('#/$defs/'.length)}`;
    } else out[k] = rewriteRefs(v);
  }
  return out;
}

const requestIdHeader = { $ref: '#/components/headers/X-Request-Id' };

function jsonResponse(description: string, schema: JsonSchema, headers: Record<string, unknown> = {}): JsonSchema {
  return { description, headers: { 'X-Request-Id': requestIdHeader, ...headers }, content: { 'application/json': { schema } } };
}

/** Extra response headers of some errors. */
const ERROR_HEADERS: Partial<Record<ErrorStatus, Record<string, unknown>>> = {
  401: { 'WWW-Authenticate': { description: '`Bearer realm="picklegate"`', schema: { type: 'string' } } },
  503: { 'Retry-After': { description: 'Seconds to wait (retryAfterSeconds)', schema: { type: 'integer', minimum: 0 } } },
};

const built = new Map<string, JsonSchema>();

/** The document for a service version; built once (it is served as is, never modified). */
export function openApiDocument(version: string, options: OpenApiOptions = {}): JsonSchema {
  const key = `${version}\0${options.closed === true}`;
  let doc = built.get(key);
  if (!doc) built.set(key, (doc = buildDocument(version, options.closed === true)));
  return doc;
}

function buildDocument(version: string, closed: boolean): JsonSchema {
  const { HTTP_ERRORS, HealthSchema, MinimalRejectedResponseSchema, MinimalScanResponseSchema, PolicyListSchema, ReadinessSchema, RejectedResponseSchema, ScanResponseSchema, errorBodyFor, toJsonSchema } = schemas();
  const c = new Components(closed, toJsonSchema);
  const errors = (...statuses: ErrorStatus[]): Record<string, JsonSchema> =>
    Object.fromEntries(
      statuses.map((s) => {
        const e = HTTP_ERRORS[s];
        return [String(s), jsonResponse(`${e.description} (\`error\`: ${e.codes.join(', ')})`, c.ref(errorBodyFor(s)), ERROR_HEADERS[s])];
      }),
    );
  // the whole answer, or the minimal one when the request says `Prefer: return=minimal`
  const scanResponse = { oneOf: [c.ref(ScanResponseSchema), c.ref(MinimalScanResponseSchema)] };
  const rejectedResponse = { oneOf: [c.ref(RejectedResponseSchema), c.ref(MinimalRejectedResponseSchema)] };
  const preferenceApplied = {
    'Preference-Applied': { required: false, description: '`return=minimal` when the answer is the minimal one (the request said `Prefer: return=minimal`); absent otherwise.', schema: { type: 'string', enum: ['return=minimal'] } },
  };

  const policyParam = {
    name: 'policy',
    in: 'query',
    required: false,
    description: 'A built-in policy name or one preloaded from PICKLEGATE_POLICY_FILES (see GET /v1/policies). Default: the configured policy.',
    schema: { type: 'string' },
  };
  const requestIdParam = {
    name: 'X-Request-Id',
    in: 'header',
    required: false,
    description: 'Kept as the request id when well-formed (1-128 of A-Z a-z 0-9 . _ : -), else one is generated.',
    schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
  };
  const preferParam = {
    name: 'Prefer',
    in: 'header',
    required: false,
    description:
      '`return=minimal` (RFC 7240): the answer keeps the verdict, the decision and the findings and leaves out the analysis details (MinimalScanResponse, MinimalRejectedResponse), with `Preference-Applied: return=minimal`. Any other preference is ignored.',
    schema: { type: 'string' },
  };
  const pickleBody = {
    required: true,
    description: 'The raw pickle bytes, unchanged (at most maxBodyBytes).',
    content: {
      'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } },
      'application/x-python-pickle': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } },
    },
  };
  const guarded = { security: [{}, { bearer: [] }] };
  const scanningErrors = errors(400, 401, 413, 415, 500, 503);
  const onlyPost = 'Any other method answers 405 `method_not_allowed` with `Allow: POST`.';

  const paths = {
    '/v1/scan': {
      description: onlyPost,
      post: {
        operationId: 'scan',
        summary: 'Scan a body and return the report (200 whatever the verdict, unless mode=gate)',
        ...guarded,
        parameters: [policyParam, { name: 'mode', in: 'query', required: false, description: '`gate` answers like /v1/gate.', schema: { type: 'string', enum: ['scan', 'gate'] } }, requestIdParam, preferParam],
        requestBody: pickleBody,
        responses: { '200': jsonResponse('The report', scanResponse, preferenceApplied), '422': jsonResponse('Rejected (mode=gate only)', rejectedResponse, preferenceApplied), ...scanningErrors },
      },
    },
    '/v1/gate': {
      description: onlyPost,
      post: {
        operationId: 'gate',
        summary: 'Judge a body: 200 if the policy accepts it, 422 if not; the report in both cases',
        ...guarded,
        parameters: [policyParam, requestIdParam, preferParam],
        requestBody: pickleBody,
        responses: { '200': jsonResponse('Accepted', scanResponse, preferenceApplied), '422': jsonResponse('Rejected', rejectedResponse, preferenceApplied), ...scanningErrors },
      },
    },
    '/v1/forward': {
      description: `${onlyPost} With PICKLEGATE_FORWARD_ALL_PATHS, every path that is not a picklegate endpoint behaves like this one, keeping its method, path and query.`,
      post: {
        operationId: 'forward',
        summary: 'Scan, and relay an accepted body unchanged to the configured upstream; answer with the upstream response',
        description:
          'Only when PICKLEGATE_UPSTREAM is set (else 404). The upstream receives the unchanged body with an `X-Picklegate-Verdict` header; with tokens configured, the client\'s Authorization header is not passed on.',
        ...guarded,
        parameters: [policyParam, requestIdParam, preferParam],
        requestBody: pickleBody,
        responses: {
          default: { description: 'The upstream response, relayed (status, headers, body)' },
          '422': jsonResponse('Rejected; the upstream was not contacted', rejectedResponse, preferenceApplied),
          ...errors(404, 502, 504),
          ...scanningErrors,
        },
      },
    },
    '/v1/policies': {
      get: {
        operationId: 'listPolicies',
        summary: 'Policies that can be selected with ?policy=',
        ...guarded,
        parameters: [requestIdParam],
        responses: { '200': jsonResponse('Policy list', c.ref(PolicyListSchema)), ...errors(401) },
      },
    },
    '/healthz': {
      get: { operationId: 'health', summary: 'Liveness', parameters: [requestIdParam], responses: { '200': jsonResponse('The process is up', c.ref(HealthSchema)) } },
    },
    '/readyz': {
      get: {
        operationId: 'ready',
        summary: 'Readiness: policy compiled, scan workers up, not shutting down',
        parameters: [requestIdParam],
        responses: { '200': jsonResponse('Ready', c.ref(ReadinessSchema)), '503': jsonResponse('Starting or draining', c.ref(ReadinessSchema)) },
      },
    },
    '/metrics': {
      get: {
        operationId: 'metrics',
        summary: 'Prometheus metrics (when PICKLEGATE_METRICS is true, the default)',
        parameters: [requestIdParam],
        responses: {
          '200': { description: 'Prometheus text exposition format', headers: { 'X-Request-Id': requestIdHeader }, content: { 'text/plain': { schema: { type: 'string' } } } },
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'openapi',
        summary: 'This document',
        parameters: [requestIdParam],
        responses: { '200': jsonResponse('OpenAPI 3.1', { type: 'object' }) },
      },
    },
  };

  return {
    openapi: '3.1.0',
    info: {
      title: 'picklegate',
      version,
      description:
        'Scans Python pickles statically (never unpickles) and gates or forwards them according to a policy. Generated from the zod schemas of src/report/schema/ (server/openapi.ts); do not edit.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      schemas: c.sorted(),
      headers: { 'X-Request-Id': { description: 'The request id (also in every JSON body and log line).', schema: { type: 'string' } } },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Only when PICKLEGATE_TOKENS is set.' } },
    },
  };
}
