/**
 * One typed HTTP error and one error handler. Anything that is not an HttpError becomes an
 * opaque 500: the client gets a request id, never a message or a stack trace.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { requestIdOf, sendJson } from './respond';

/** Stable error codes of the HTTP API (the `error` field of every error body). */
export type HttpErrorCode =
  | 'bad_request'
  | 'empty_body'
  | 'unknown_policy'
  | 'unauthorized'
  | 'not_found'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rejected'
  | 'internal'
  | 'overloaded'
  | 'bad_gateway'
  | 'gateway_timeout'
  | 'not_ready'
  | 'method_not_allowed';

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: HttpErrorCode,
    message: string,
    /** Response headers to set (e.g. Retry-After, WWW-Authenticate). */
    readonly headers: Readonly<Record<string, string>> = {},
    /** Extra JSON fields for the body (e.g. the list of known policies). */
    readonly details: Readonly<Record<string, unknown>> = {},
    /** Close the connection after answering (the rest of the request body is not read). */
    readonly closeConnection = false,
  ) {
    super(message);
  }
}

/**
 * After an early answer (413, 503) the rest of the request body is never read or buffered. Node
 * destroys a `Connection: close` socket as soon as the response is written; with request bytes still
 * unread the kernel then sends RST and the client may never see the answer. So this socket closes
 * gently instead: half-close after the response, discard whatever still arrives, destroy after LINGER_MS.
 */
const LINGER_MS = 2000;
function lingeringClose(req: IncomingMessage): void {
  const socket = req.socket as Socket & { destroySoon?: () => void };
  socket.destroySoon = function lingeringDestroySoon(this: Socket): void {
    if (this.writable) this.end();
    const timer = setTimeout(() => this.destroy(), LINGER_MS);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
    req.resume();
  };
}

export interface ErrorHandlerHooks {
  /** Called once per error response with its status (metrics). */
  onError?: (status: number) => void;
}

/**
 * Answers an error: HttpError → its status, headers and JSON body; anything else → opaque 500 (logged).
 * Plain node:http, shared by the express error handler and the lean scan handler.
 */
export function sendError(err: unknown, req: IncomingMessage & { log?: Logger }, res: ServerResponse, hooks: ErrorHandlerHooks = {}): void {
  const known = err instanceof HttpError;
  const status = known ? err.status : 500;
  if (!known) req.log?.error({ err }, 'internal error');
  hooks.onError?.(status);
  if (res.headersSent) {
    // Part of a relayed upstream answer is already out: cut the connection so the client sees a failure.
    res.destroy();
    return;
  }
  if (known) {
    for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
    if (err.closeConnection) {
      res.setHeader('Connection', 'close');
      lingeringClose(req);
    }
  }
  sendJson(res, status, {
    error: known ? err.code : 'internal',
    message: known ? err.message : 'internal error',
    requestId: requestIdOf(req),
    ...(known ? err.details : {}),
  });
}

/** Express error handler: HttpError → its status and JSON body; anything else → opaque 500. */
export function errorHandler(hooks: ErrorHandlerHooks = {}): ErrorRequestHandler {
  return function picklegateErrorHandler(err, req, res, _next) {
    sendError(err, req, res, hooks);
  };
}
