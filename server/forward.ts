/**
 * Relays an accepted body, byte for byte, to the upstream and the upstream's answer back.
 * Only reached after pickleGuard called next(), i.e. for accepted bodies. A body in memory is sent
 * as is; a spooled body is streamed from its spool file. Upstream unreachable → 502, no answer in
 * time → 504; once the upstream's status line is relayed, a failure cuts the connection.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { HttpError } from './errors';

export interface ForwardOptions {
  /** Upstream base URL, e.g. `http://10.0.0.5:9000/command`. */
  upstream: string;
  /** Give up (504) when the upstream has not answered within this time. */
  timeoutMs: number;
  /** `fixed`: always the upstream URL as configured; `path`: the upstream origin + the request's own path and query. */
  target: 'fixed' | 'path';
  /** Strip the client's Authorization header (it carries picklegate's own token). */
  stripAuthorization: boolean;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) and ones recomputed here. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length', 'expect']);

function copyHeaders(src: IncomingHttpHeaders, drop: ReadonlySet<string>): OutgoingHttpHeaders {
  const connectionListed = new Set(String(src.connection ?? '').toLowerCase().split(',').map((s) => s.trim()).filter(Boolean));
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(src)) {
    if (v === undefined || HOP_BY_HOP.has(k) || drop.has(k) || connectionListed.has(k)) continue;
    out[k] = v;
  }
  return out;
}

function targetUrl(opts: ForwardOptions, req: Request): URL {
  const base = new URL(opts.upstream);
  return opts.target === 'fixed' ? base : new URL(req.originalUrl, base.origin);
}

export function forwardTo(opts: ForwardOptions): RequestHandler {
  new URL(opts.upstream); // throws at creation for a bad URL
  const dropRequest = new Set(opts.stripAuthorization ? ['authorization'] : []);
  const dropResponse = new Set<string>();
  return function forwardToUpstream(req, res, next) {
    const body = req.pickleBody;
    if (!body || req.pickleReport?.accepted !== true) {
      // Never forward anything the guard did not accept.
      next(new Error('forward reached without an accepted body'));
      return;
    }
    const url = targetUrl(opts, req);
    const headers = copyHeaders(req.headers, dropRequest);
    headers['content-length'] = String(body.size);
    headers['x-picklegate-verdict'] = req.pickleReport.verdict;
    const client = url.protocol === 'https:' ? https : http;
    let done = false;
    const fail = (err: Error): void => {
      if (done) return;
      done = true;
      if (res.headersSent) res.destroy(err);
      else next(err);
    };
    const upstream = client.request(url, { method: req.method, headers, timeout: opts.timeoutMs }, (up) => {
      clearTimeout(deadline);
      res.status(up.statusCode ?? 502);
      res.set(copyHeaders(up.headers, dropResponse) as Record<string, string | string[]>);
      up.on('error', (err) => fail(err));
      up.on('aborted', () => fail(new Error('upstream response aborted')));
      up.pipe(res);
      up.on('end', () => {
        done = true;
      });
    });
    // Whole-exchange deadline up to the response head (the socket `timeout` only covers idleness).
    const deadline = setTimeout(() => {
      upstream.destroy();
      fail(new HttpError(504, 'gateway_timeout', 'upstream did not answer in time'));
    }, opts.timeoutMs);
    upstream.on('timeout', () => {
      upstream.destroy();
      fail(new HttpError(504, 'gateway_timeout', 'upstream did not answer in time'));
    });
    upstream.on('error', (err) => {
      clearTimeout(deadline);
      req.log?.warn({ err: { message: err.message, code: (err as NodeJS.ErrnoException).code } }, 'upstream request failed');
      fail(new HttpError(502, 'bad_gateway', 'upstream unavailable'));
    });
    // The client went away: stop talking to the upstream too.
    res.on('close', () => {
      clearTimeout(deadline);
      if (!res.writableFinished) {
        done = true;
        upstream.destroy();
      }
    });
    if (body.kind === 'memory') {
      upstream.end(body.bytes);
      return;
    }
    const stream = body.file.stream();
    stream.on('error', (err) => {
      upstream.destroy();
      fail(err);
    });
    upstream.once('close', () => stream.destroy());
    stream.pipe(upstream);
  };
}
