/**
 * The security headers of the service's API answers (JSON, Prometheus text, errors): the set the OWASP
 * REST Security Cheat Sheet gives for an API, not helmet's set for HTML documents. The triage page
 * (GET /, GET /page/*) keeps helmet's headers and its own Content-Security-Policy.
 *
 * - `Cache-Control: no-store`: a scan answer is about one request's body; no cache keeps it.
 * - `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'`: an answer opened in a
 *   browser loads nothing and is framed by nobody.
 * - `X-Content-Type-Options: nosniff`: a JSON answer is never taken for HTML or script.
 * - `X-Frame-Options: DENY`: frame-ancestors for browsers that predate it.
 *
 * Not sent: `Strict-Transport-Security`, which browsers ignore over plain HTTP (RFC 6797, 8.1): the
 * service speaks plain HTTP, and the TLS terminator in front of it sets HSTS. helmet's other headers
 * (cross-origin isolation, DNS prefetch, download and XSS-auditor switches) concern HTML documents.
 */
import type { ServerResponse } from 'node:http';

/** The headers, flat (name, value, name, value, ...), as `writeHead` takes them. */
export const API_HEADERS: readonly string[] = [
  'Cache-Control', 'no-store',
  'Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options', 'nosniff',
  'X-Frame-Options', 'DENY',
];

/** Sets the API headers on a response not yet started. */
export function setApiHeaders(res: ServerResponse): void {
  for (let i = 0; i < API_HEADERS.length; i += 2) res.setHeader(API_HEADERS[i]!, API_HEADERS[i + 1]!);
}
