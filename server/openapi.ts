/** Hand-written OpenAPI 3.1 description of the service (served at GET /openapi.json). */

const errorBody = { $ref: '#/components/schemas/Error' };
const reportBody = { $ref: '#/components/schemas/ScanResponse' };
const json = (schema: unknown, description: string): Record<string, unknown> => ({ description, content: { 'application/json': { schema } } });

const pickleBody = {
  required: true,
  description: 'The raw pickle bytes, unchanged.',
  content: {
    'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } },
    'application/x-python-pickle': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } },
  },
};

const policyParam = { name: 'policy', in: 'query', required: false, description: 'A built-in policy name or one preloaded from PICKLEGATE_POLICY_FILES. Default: the configured policy.', schema: { type: 'string' } };

const commonErrors = {
  '400': json(errorBody, 'Empty body, unknown policy, or the client went away mid-body'),
  '401': json(errorBody, 'Missing or wrong bearer token (only when tokens are configured)'),
  '413': json(errorBody, 'Body larger than maxBodyBytes (refused before it is buffered)'),
  '415': json(errorBody, 'Content-Type is not application/octet-stream or application/x-python-pickle'),
  '500': json(errorBody, 'Internal error; nothing was accepted or forwarded'),
  '503': { ...json(errorBody, 'Too many concurrent scans; retry after the given delay'), headers: { 'Retry-After': { schema: { type: 'integer' } } } },
};

export function openApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'picklegate',
      version,
      description: 'Scans Python pickles statically (never unpickles) and gates or forwards them according to a policy.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Only when PICKLEGATE_TOKENS is set.' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error', 'message', 'requestId'],
          properties: { error: { type: 'string', description: 'Stable code, e.g. payload_too_large' }, message: { type: 'string' }, requestId: { type: 'string' } },
        },
        Finding: {
          type: 'object',
          required: ['code', 'severity', 'message', 'offset'],
          properties: {
            code: { type: 'string' },
            severity: { enum: ['info', 'suspicious', 'dangerous'] },
            message: { type: 'string' },
            offset: { type: ['integer', 'null'] },
            opcode: { type: 'string' },
            pickle: { type: 'integer' },
            global: { type: 'string' },
            call: { type: 'string' },
          },
        },
        ScanResponse: {
          type: 'object',
          required: ['requestId', 'verdict', 'accepted', 'policy', 'findings', 'globals', 'calls', 'size', 'timing'],
          properties: {
            requestId: { type: 'string' },
            error: { const: 'rejected', description: 'Only on 422' },
            verdict: { enum: ['safe', 'suspicious', 'dangerous'] },
            accepted: { type: 'boolean' },
            policy: { type: 'string' },
            findings: { type: 'array', items: { $ref: '#/components/schemas/Finding' } },
            globals: { type: 'array', items: { type: 'object' } },
            calls: { type: 'array', items: { type: 'object' } },
            pickles: { type: 'array', items: { type: 'object' } },
            size: { type: 'integer' },
            timeMs: { type: 'number' },
            optimizer: {
              type: 'object',
              description: 'Policies with optimizer bounds (mxnet-optimizer, mxnet-states): what the optimizer blob sets, as plain JSON from the pickle constants',
              required: ['class', 'name', 'params', 'tables', 'scheduler', 'line'],
              properties: {
                class: { type: ['string', 'null'] },
                name: { type: ['string', 'null'] },
                params: { type: 'object', description: 'Hyperparameters; inf/nan as strings; non-constants as {$call} or {$array}' },
                tables: { type: 'object', additionalProperties: { type: 'integer' } },
                scheduler: { type: ['object', 'null'], properties: { class: { type: 'string' }, params: { type: 'object' } } },
                nested: { type: 'object', description: 'Optimizers held by this one (SVRG default_opt/aux_opt)' },
                states: { type: 'object', properties: { count: { type: 'integer' }, shapes: { type: 'array' } } },
                line: { type: 'string', description: 'One readable line, e.g. SGD lr=0.1 momentum=0.9 wd=0.0001 scheduler=FactorScheduler(step=1000, factor=0.5)' },
              },
            },
            timing: {
              type: 'object',
              properties: { readMs: { type: 'number' }, queueMs: { type: 'number' }, scanMs: { type: 'number' }, totalMs: { type: 'number' }, where: { enum: ['inline', 'worker'] } },
            },
          },
        },
      },
    },
    paths: {
      '/v1/scan': {
        post: {
          summary: 'Scan a body and return the report (200 whatever the verdict, unless mode=gate)',
          security: [{}, { bearer: [] }],
          parameters: [policyParam, { name: 'mode', in: 'query', required: false, schema: { enum: ['scan', 'gate'] }, description: '`gate` answers like /v1/gate' }],
          requestBody: pickleBody,
          responses: { '200': json(reportBody, 'The report'), '422': json(reportBody, 'Rejected (mode=gate only)'), ...commonErrors },
        },
      },
      '/v1/gate': {
        post: {
          summary: 'Judge a body: 200 if the policy accepts it, 422 if not; the report in both cases',
          security: [{}, { bearer: [] }],
          parameters: [policyParam],
          requestBody: pickleBody,
          responses: { '200': json(reportBody, 'Accepted'), '422': json(reportBody, 'Rejected'), ...commonErrors },
        },
      },
      '/v1/forward': {
        post: {
          summary: 'Scan, and relay an accepted body unchanged to the configured upstream; answer with the upstream response',
          description: 'Only when PICKLEGATE_UPSTREAM is set (else 404). With PICKLEGATE_FORWARD_ALL_PATHS every other path behaves the same, keeping its path.',
          security: [{}, { bearer: [] }],
          parameters: [policyParam],
          requestBody: pickleBody,
          responses: {
            default: { description: 'The upstream response, relayed (status, headers, body)' },
            '404': json(errorBody, 'Forward mode not configured'),
            '422': json(reportBody, 'Rejected; the upstream was not contacted'),
            '502': json(errorBody, 'Upstream unreachable'),
            '504': json(errorBody, 'Upstream did not answer in time'),
            ...commonErrors,
          },
        },
      },
      '/v1/policies': {
        get: {
          summary: 'Policies that can be selected with ?policy=',
          security: [{}, { bearer: [] }],
          responses: {
            '200': json(
              {
                type: 'object',
                properties: {
                  default: { type: 'string' },
                  policies: {
                    type: 'array',
                    items: { type: 'object', properties: { name: { type: 'string' }, description: { type: 'string' }, rules: { type: 'integer' }, source: { enum: ['built-in', 'file'] } } },
                  },
                },
              },
              'Policy list',
            ),
            '401': commonErrors['401'],
          },
        },
      },
      '/healthz': { get: { summary: 'Liveness', responses: { '200': json({ type: 'object' }, 'The process is up') } } },
      '/readyz': {
        get: {
          summary: 'Readiness: policy compiled, scan workers up, not shutting down',
          responses: { '200': json({ type: 'object' }, 'Ready'), '503': json({ type: 'object' }, 'Starting or draining') },
        },
      },
      '/metrics': { get: { summary: 'Prometheus metrics', responses: { '200': { description: 'Text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } } } },
      '/openapi.json': { get: { summary: 'This document', responses: { '200': json({ type: 'object' }, 'OpenAPI 3.1') } } },
    },
  };
}
