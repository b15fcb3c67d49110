/**
 * Bodies of the HTTP service's answers, as zod schemas: the scan answer (the body's file result, as the
 * CLI reports a file, plus the policy, request id and timings), the rejection, errors, and the small
 * status documents. server/openapi.ts builds the OpenAPI document from these; the service itself imports
 * their types only.
 */
import { z } from 'zod';
import { FileErrorSchema, FileResultSchema } from './files';

const ms = z.number().nonnegative();

export const ScanTimingSchema = z
  .object({
    /** Reading the body. */
    readMs: ms.describe('Reading the body.'),
    /** Waiting for a scan worker. */
    queueMs: ms.describe('Waiting for a scan worker.'),
    /** Scanning. */
    scanMs: ms.describe('Scanning.'),
    /** From the start of the guard to the verdict. */
    totalMs: ms.describe('From the start of the guard to the verdict.'),
    /** Where the scan ran: on the event loop, in a worker thread (large bodies), or not at all: `cache` is the report of the same bytes judged before under the same policy and name. */
    where: z.enum(['inline', 'worker', 'cache']).describe('Where the scan ran: on the event loop, in a worker thread (large bodies), or not at all: `cache` is the report of the same bytes judged before under the same policy and name.'),
  })
  .meta({ id: 'ScanTiming', description: 'Where the time of one request went, in milliseconds (rounded to microseconds).' });

const requestId = z.string().describe('The request id: the client\'s well-formed X-Request-Id, else a generated one (also in the X-Request-Id header and the logs).');

/**
 * What the service says about one body: the CLI's result for one file (format detected by content,
 * containers opened, findings with the path of the member they are about), plus the policy.
 */
export const BodyReportSchema = FileResultSchema.extend({
  /** The policy the body was judged by. */
  policy: z.string().describe('The policy the body was judged by.'),
  /** The body's name: `?name=` when given, else `body.pkl` (first element of every finding `path`). */
  path: z.string().describe('The body\'s name: `?name=` when given, else `body.pkl` (first element of every finding `path`).'),
}).meta({
  id: 'BodyReport',
  description:
    'The result for the body, in the shape the CLI gives one file (FileResult), plus the policy. Under a policy with a `wire` section (mxnet-optimizer) the body is scanned as one raw pickle stream (format `pickle`, never opened as a container); under other policies its format is detected by content as the CLI does. Findings are sorted by severity, most severe first.',
});

export const ScanResponseSchema = BodyReportSchema.extend({
  requestId,
  timing: ScanTimingSchema,
}).meta({ id: 'ScanResponse', description: 'The result for the body (see BodyReport), with the request id and timings.' });

export const RejectedResponseSchema = ScanResponseSchema.extend({
  error: z.literal('rejected'),
  /** Why, for a person, e.g. `body rejected by policy mxnet-optimizer (dangerous)`. */
  message: z.string().describe('Why, for a person, e.g. `body rejected by policy mxnet-optimizer (dangerous)`.'),
  /** The body could not be checked at all: the report's own `error` (which `error` holds in a 200 answer; a 422's `error` is always `rejected`). */
  fileError: FileErrorSchema.optional().describe("The body could not be checked at all: the report's own `error` (which `error` holds in a 200 answer; a 422's `error` is always `rejected`)."),
}).meta({ id: 'RejectedResponse', description: 'The policy did not accept the body (422): the report, marked as an error.' });

/**
 * The scan answer a client asked to keep short with `Prefer: return=minimal` (RFC 7240): the verdict,
 * the decision and the findings, without the analysis details (members, pickles, globals, calls,
 * optimizer and the rest of the file result).
 */
export const MinimalScanResponseSchema = ScanResponseSchema.pick({
  requestId: true,
  path: true,
  format: true,
  size: true,
  verdict: true,
  accepted: true,
  policy: true,
  error: true,
  findings: true,
  timeMs: true,
  timing: true,
}).meta({
  id: 'MinimalScanResponse',
  description:
    'The answer to a request with `Prefer: return=minimal`: the body\'s verdict, decision and findings (as in ScanResponse), with the request id and timings, without members, pickles, globals, calls and optimizer.',
});

export const MinimalRejectedResponseSchema = MinimalScanResponseSchema.extend({
  error: z.literal('rejected'),
  /** Why, for a person, e.g. `body rejected by policy mxnet-optimizer (dangerous)`. */
  message: z.string().describe('Why, for a person, e.g. `body rejected by policy mxnet-optimizer (dangerous)`.'),
  /** The body could not be checked at all: the report's own `error` (which `error` holds in a 200 answer; a 422's `error` is always `rejected`). */
  fileError: FileErrorSchema.optional().describe("The body could not be checked at all: the report's own `error` (which `error` holds in a 200 answer; a 422's `error` is always `rejected`)."),
}).meta({ id: 'MinimalRejectedResponse', description: 'The policy did not accept the body (422), answered with `Prefer: return=minimal`: the minimal answer, marked as an error.' });

/** Error codes of error bodies (HttpErrorCode of server/errors.ts without `rejected`, which is a RejectedResponse; checked by a test). */
export const ERROR_CODES = [
  'bad_request',
  'empty_body',
  'unknown_policy',
  'unauthorized',
  'not_found',
  'method_not_allowed',
  'payload_too_large',
  'unsupported_media_type',
  'internal',
  'overloaded',
  'bad_gateway',
  'gateway_timeout',
  'not_ready',
] as const;

export const ErrorCodeSchema = z.enum(ERROR_CODES).meta({ id: 'ErrorCode', description: 'Stable error code of an error answer.' });

export const ErrorBodySchema = z
  .object({
    error: ErrorCodeSchema,
    /** For a person; opaque (`internal error`) for 500. */
    message: z.string().describe('For a person; opaque (`internal error`) for 500.'),
    requestId,
    /** unknown_policy: the policies that can be selected. */
    policies: z.array(z.string()).optional().describe('unknown_policy: the policies that can be selected.'),
    /** payload_too_large: the cap. */
    maxBodyBytes: z.number().int().positive().optional().describe('payload_too_large: the cap.'),
    /** unsupported_media_type: the Content-Types the endpoint takes. */
    acceptedTypes: z.array(z.string()).optional().describe('unsupported_media_type: the Content-Types the endpoint takes.'),
  })
  .meta({ id: 'Error', description: 'Every error answer: a stable code, a message and the request id, plus details for some codes.' });

type ErrorCode = (typeof ERROR_CODES)[number];
type ErrorDetail = 'policies' | 'maxBodyBytes' | 'acceptedTypes';

/** The errors each status carries, and their detail fields: for the OpenAPI document and the tests. */
export const HTTP_ERRORS = {
  400: {
    codes: ['empty_body', 'unknown_policy', 'bad_request'],
    details: ['policies'],
    description: 'Empty body, unknown `?policy=`, a query parameter given twice or with a value it does not take (`mode`, `name`), or the client went away mid-body',
  },
  401: { codes: ['unauthorized'], details: [], description: 'Missing or wrong bearer token (only when tokens are configured); `WWW-Authenticate: Bearer`' },
  404: { codes: ['not_found'], details: [], description: 'No such endpoint, or /v1/forward without PICKLEGATE_UPSTREAM' },
  405: { codes: ['method_not_allowed'], details: [], description: 'Not POST on a scanning endpoint; `Allow: POST`' },
  413: { codes: ['payload_too_large'], details: ['maxBodyBytes'], description: 'Body larger than maxBodyBytes (refused before it is buffered; the connection is closed)' },
  415: { codes: ['unsupported_media_type'], details: ['acceptedTypes'], description: 'Content-Type is not application/octet-stream or application/x-python-pickle' },
  500: { codes: ['internal'], details: [], description: 'Internal error; nothing was accepted or forwarded' },
  502: { codes: ['bad_gateway'], details: [], description: 'Upstream unreachable' },
  503: { codes: ['overloaded'], details: [], description: 'Too many concurrent scans, or the spool quota for large bodies is used up; retry after the Retry-After delay' },
  504: { codes: ['gateway_timeout'], details: [], description: 'Upstream did not answer in time' },
} as const satisfies Record<number, { codes: readonly ErrorCode[]; details: readonly ErrorDetail[]; description: string }>;

/** The error body of one status: `error` narrowed to the codes it carries, and only its detail fields. */
export function errorBodyFor(status: keyof typeof HTTP_ERRORS): z.ZodType {
  const { codes, details } = HTTP_ERRORS[status];
  const [first, ...rest] = codes;
  const keep: Partial<Record<'error' | 'message' | 'requestId' | ErrorDetail, true>> = { error: true, message: true, requestId: true };
  for (const d of details) keep[d] = true;
  return ErrorBodySchema.pick(keep).extend({
    /** Stable error code. */
    error: z.enum([first, ...rest]).describe('Stable error code.'),
  });
}

export const PolicyInfoSchema = z
  .object({
    /** Select it with `?policy=NAME`. */
    name: z.string().describe('Select it with `?policy=NAME`.'),
    description: z.string(),
    /** How many rules on imported globals it has. */
    rules: z.number().int().nonnegative().describe('How many rules on imported globals it has.'),
    /** A built-in policy, or one preloaded from PICKLEGATE_POLICY_FILES. */
    source: z.enum(['built-in', 'file']).describe('A built-in policy, or one preloaded from PICKLEGATE_POLICY_FILES.'),
  })
  .meta({ id: 'PolicyInfo', description: 'A policy the service offers.' });

export const PolicyListSchema = z
  .object({
    /** The policy used when a request does not pick one. */
    default: z.string().describe('The policy used when a request does not pick one.'),
    policies: z.array(PolicyInfoSchema),
  })
  .meta({ id: 'PolicyList', description: 'Policies that can be selected with `?policy=`.' });

export const HealthSchema = z.object({ status: z.literal('ok') }).meta({ id: 'Health', description: 'The process is up.' });

export const ReadinessSchema = z
  .object({
    status: z.enum(['ready', 'starting', 'draining']),
    /** The default policy. */
    policy: z.string().describe('The default policy.'),
  })
  .meta({ id: 'Readiness', description: 'Whether the service takes traffic: policy compiled, scan workers up, not shutting down.' });
