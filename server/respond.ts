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

/** The scan answer: request id, the body's report, timings. */
export function reportBody(req: IncomingMessage, report: BodyReport, timing: ScanTiming | undefined): Record<string, unknown> {
  return {
    requestId: requestIdOf(req),
    ...report,
    ...(timing
      ? { timing: { readMs: round(timing.readMs), queueMs: round(timing.queueMs), scanMs: round(timing.scanMs), totalMs: round(timing.totalMs), where: timing.where } }
      : {}),
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
