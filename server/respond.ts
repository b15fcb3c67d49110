/** JSON bodies of scan answers. Never contains payload bytes: only the report and timings. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BodyReport, ScanTiming } from './scan-body';

export type { ScanTiming } from './scan-body';

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/** The request id the request logger assigned, or a placeholder when logging is not wired in. */
export function requestIdOf(req: IncomingMessage): string {
  const id = (req as IncomingMessage & { id?: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : 'unknown';
}

const MINIMAL = 'return=minimal';
/** `return=minimal` among the preferences of a Prefer header (RFC 7240: comma-separated, each `token[=word]` with `;` parameters; names are case-insensitive). */
const RETURN_MINIMAL = /(?:^|,)[ \t]*return[ \t]*=[ \t]*(?:minimal|"minimal")[ \t]*(?:[;,]|$)/i;

/**
 * True when the request asks for the minimal scan answer: `Prefer: return=minimal` (RFC 7240). The
 * answer then carries `Preference-Applied: return=minimal` (PREFERENCE_APPLIED).
 */
export function prefersMinimal(req: IncomingMessage): boolean {
  const prefer = req.headers.prefer; // node joins repeated Prefer headers with ', '
  if (prefer === undefined) return false;
  if (typeof prefer !== 'string') return RETURN_MINIMAL.test(prefer.join(','));
  return prefer === MINIMAL || RETURN_MINIMAL.test(prefer);
}

/** The response header of a minimal scan answer. */
export const PREFERENCE_APPLIED = ['Preference-Applied', MINIMAL] as const;

function timingBody(timing: ScanTiming): ScanTiming {
  return { readMs: round(timing.readMs), queueMs: round(timing.queueMs), scanMs: round(timing.scanMs), totalMs: round(timing.totalMs), where: timing.where };
}

/** The report's part of a scan answer: the whole report, or (minimal) its verdict, decision and findings. */
function reportFields(report: BodyReport, minimal: boolean): Record<string, unknown> {
  if (!minimal) return report as unknown as Record<string, unknown>;
  return {
    path: report.path,
    format: report.format,
    size: report.size,
    verdict: report.verdict,
    accepted: report.accepted,
    policy: report.policy,
    ...(report.error !== undefined ? { error: report.error } : {}),
    findings: report.findings,
    timeMs: report.timeMs,
  };
}

/**
 * The scan answer: request id, the body's report, timings. `minimal` (the request said `Prefer:
 * return=minimal`): only the verdict, the decision and the findings of the report (MinimalScanResponse).
 */
export function reportBody(req: IncomingMessage, report: BodyReport, timing: ScanTiming | undefined, minimal = false): Record<string, unknown> {
  return {
    requestId: requestIdOf(req),
    ...reportFields(report, minimal),
    ...(timing ? { timing: timingBody(timing) } : {}),
  };
}

/**
 * `head`'s fields, then the body's, where the two share names (a report with its own `error`: a body
 * that could not be checked at all): head's values win, in their place, and the body's `error` is
 * given as `fileError`. A 422's `error` is always `"rejected"`.
 */
function withHead(head: Record<string, unknown>, body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...head };
  for (const [k, v] of Object.entries(body)) if (!Object.hasOwn(head, k)) out[k] = v;
  if (Object.hasOwn(head, 'error') && body.error !== undefined) out.fileError = body.error;
  return out;
}

/** The fields a 422 answer has before the report's (see reportBodyText's `head`). */
export function rejectedHead(report: BodyReport): Record<string, unknown> {
  return { error: 'rejected', message: `body rejected by policy ${report.policy} (${report.verdict})` };
}

/**
 * A scan answer's JSON: text, or the same text as UTF-8 bytes (the answer of a kept report). Either is
 * what `res.end` writes.
 */
export type JsonBody = string | Buffer;

/**
 * The UTF-8 bytes of a frozen report's fields (whole, minimal), without the braces: made once, since the
 * report cannot change. Kept as bytes, not text: the text of a report with any non-Latin-1 character
 * (the `…` of a shortened dict in pseudo-code) is a two-byte string, and each answer would otherwise
 * join, flatten and encode it again.
 */
const frozenFields = new WeakMap<BodyReport, { whole?: Buffer; minimal?: Buffer }>();

const fieldBytes = (fields: Record<string, unknown> | BodyReport): Buffer => Buffer.from(jsonText(fields).slice(1, -1), 'utf8');

/**
 * `jsonText(reportBody(...))`, after `head`'s fields (the 422's error and message): the same JSON, as
 * text or as its UTF-8 bytes. A frozen report (one the verdict cache keeps, answered again and again)
 * has its own fields encoded once: only the request id and the timings are new in each answer, which
 * is then a Buffer.
 */
export function reportBodyText(req: IncomingMessage, report: BodyReport, timing: ScanTiming | undefined, minimal: boolean, head?: Record<string, unknown>): JsonBody {
  if (head !== undefined && Object.keys(head).some((k) => Object.hasOwn(report, k))) return jsonText(withHead(head, reportBody(req, report, timing, minimal)));
  if (!Object.isFrozen(report)) return jsonText({ ...head, ...reportBody(req, report, timing, minimal) });
  let kept = frozenFields.get(report);
  if (kept === undefined) frozenFields.set(report, (kept = {}));
  const fields = minimal ? (kept.minimal ??= fieldBytes(reportFields(report, true))) : (kept.whole ??= fieldBytes(report));
  const before = `{${head !== undefined ? `${jsonText(head).slice(1, -1)},` : ''}"requestId":${JSON.stringify(requestIdOf(req))}${fields.length > 0 ? ',' : ''}`;
  const after = timing ? `,"timing":${JSON.stringify(timingBody(timing))}}` : '}';
  const beforeBytes = Buffer.byteLength(before);
  const out = Buffer.allocUnsafe(beforeBytes + fields.length + Buffer.byteLength(after));
  out.write(before, 0, 'utf8');
  fields.copy(out, beforeBytes);
  out.write(after, beforeBytes + fields.length, 'utf8');
  return out;
}

/** JSON text, safe for bigint values a report may carry (written as decimal strings). */
export function jsonText(body: unknown): string {
  try {
    return JSON.stringify(body); // the common case: a replacer function makes stringify several times slower
  } catch {
    return JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  }
}

/**
 * Answers `status` with `body` as JSON. Plain node:http (no express response methods), so express
 * routes and the lean scan handler answer byte for byte alike: `Content-Type: application/json;
 * charset=utf-8` and a Content-Length, as express's res.json would.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendJsonText(res, status, jsonText(body));
}

/** sendJson with the JSON made already (text, or its UTF-8 bytes). */
export function sendJsonText(res: ServerResponse, status: number, text: JsonBody): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', typeof text === 'string' ? Buffer.byteLength(text) : text.length);
  res.end(text);
}
