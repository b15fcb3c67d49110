/**
 * Optional bearer-token auth. Tokens are compared as SHA-256 digests with timingSafeEqual, against
 * every configured token (no early exit), so timing reveals neither a token nor its length.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { HttpError } from './errors';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** The check of a request's Authorization header: null when it may pass, else the 401 to answer. Always null when `tokens` is empty. */
export function bearerCheck(tokens: readonly string[]): (req: IncomingMessage) => HttpError | null {
  const digests = tokens.map(digest);
  return function checkBearer(req) {
    if (digests.length === 0) return null;
    const header = req.headers.authorization ?? '';
    const match = /^Bearer +(\S+) *$/i.exec(header);
    const given = digest(match ? match[1]! : '');
    let ok = false;
    for (const d of digests) ok = timingSafeEqual(d, given) || ok;
    if (ok && match) return null;
    return new HttpError(401, 'unauthorized', 'authentication required', { 'WWW-Authenticate': 'Bearer realm="picklegate"' });
  };
}

/** A no-op when `tokens` is empty. */
export function bearerAuth(tokens: readonly string[]): RequestHandler {
  const check = bearerCheck(tokens);
  return function bearerAuth(req, _res, next) {
    const err = check(req);
    if (err) next(err);
    else next();
  };
}
