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

/**
 * The scan answer: request id, the body's report, timings. `minimal` (the request said `Prefer:
 * return=minimal`): only the verdict, the decision and the findings of the report (MinimalScanResponse).
 */
export function reportBody(req: IncomingMessage, report: BodyReport, timing: ScanTiming | undefined, minimal = false): Record<string, unknown> {
  if (minimal) {
    return {
      requestId: requestIdOf(req),
      path: report.path,
      format: report.format,
      size: report.size,
      verdict: report.verdict,
      accepted: report.accepted,
      policy: report.policy,
      ...(report.error !== undefined ? { error: report.error } : {}),
      findings: report.findings,
      timeMs: report.timeMs,
      ...(timing ? { timing: timingBody(timing) } : {}),
    };
  }
  return {
    requestId: requestIdOf(req),
    ...report,
    ...(timing ? { timing: timingBody(timing) } : {}),
  };
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
  const text = jsonText(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
