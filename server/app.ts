/**
 * The service's express application: routes only, no listen(). Every scanning route is built from
 * the same pickleGuard middleware a library user would mount.
 */
import { randomUUID } from 'node:crypto';
import express from 'express';
import type { Express, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import pino from 'pino';
import type { Logger } from 'pino';
import type { Report } from '../src';
import { Admission } from './admission';
import { bearerAuth } from './auth';
import type { Config } from './config';
import { HttpError, errorHandler } from './errors';
import { forwardTo } from './forward';
import { createMetrics } from './metrics';
import type { Metrics } from './metrics';
import { pickleGuard } from './middleware';
import type { PickleGuardOptions, RejectContext } from './middleware';
import { openApiDocument } from './openapi';
import { pageRoutes } from './page/routes';
import type { PolicySet } from './policies';
import { reportBody, sendJson } from './respond';
import type { Scanner } from './scan-pool';
import { VERSION } from './version';

export interface AppDeps {
  config: Config;
  policies: PolicySet;
  scanner: Scanner;
  /** Default: pino at config.logLevel on stdout. Tests pass `pino({ level: 'silent' })`. */
  logger?: Logger;
}

/** Mutable state the process shares with the routes. */
export interface ServiceState {
  /** Set on SIGTERM/SIGINT: /readyz answers 503 and responses close their connections. */
  draining: boolean;
}

export interface Service {
  app: Express;
  state: ServiceState;
  metrics: Metrics;
  admission: Admission;
  logger: Logger;
  /** Start draining: /readyz → 503, every response (in flight or new) closes its connection. */
  drain(): void;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The request id (see requestLogger). */
      id?: string;
      /** A logger bound to the request id, made on first use. */
      log?: Logger;
    }
  }
}

function scanSummary(report: Report | undefined): Record<string, unknown> | undefined {
  if (!report) return undefined;
  return { verdict: report.verdict, accepted: report.accepted, policy: report.policy, size: report.size, codes: [...new Set(report.findings.map((f) => f.code))], timeMs: report.timeMs };
}

/**
 * One JSON line per request, written when the response ends: request id (kept from a well-formed
 * X-Request-Id, else generated), method, url, status, time, and the scan's verdict and finding codes.
 * Never headers (Authorization) and never body bytes.
 */
function requestLogger(logger: Logger): RequestHandler {
  return function requestLogger(req, res, next) {
    const started = performance.now();
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    req.id = id;
    Object.defineProperty(req, 'log', {
      configurable: true,
      get(): Logger {
        const child = logger.child({ reqId: id });
        Object.defineProperty(req, 'log', { value: child, configurable: true });
        return child;
      },
    });
    res.setHeader('X-Request-Id', id);
    let logged = false;
    const done = (): void => {
      if (logged) return;
      logged = true;
      const status = res.statusCode;
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        {
          req: { id, method: req.method, url: req.originalUrl, remoteAddress: req.socket.remoteAddress },
          res: { statusCode: status },
          responseTime: Math.round(performance.now() - started),
          scan: scanSummary(res.locals.pickleReport as Report | undefined),
          ...(res.writableFinished ? {} : { aborted: true }),
        },
        res.writableFinished ? 'request completed' : 'request aborted',
      );
    };
    res.once('finish', done);
    res.once('close', done);
    next();
  };
}

function methodNotAllowed(allow: string): RequestHandler {
  return function methodNotAllowed(_req, res, next) {
    res.setHeader('Allow', allow);
    next(new HttpError(405, 'method_not_allowed', `use ${allow}`));
  };
}

export function createApp(deps: AppDeps): Service {
  const { config, policies, scanner } = deps;
  const logger = deps.logger ?? pino({ level: config.logLevel, base: { service: 'picklegate' } });
  const state: ServiceState = { draining: false };
  const admission = new Admission(config.maxConcurrentScans);
  const metrics = createMetrics(() => admission.inFlight);
  const auth = bearerAuth(config.tokens);

  const guardOptions: PickleGuardOptions = {
    policy: policies.defaultPolicy,
    policies: policies.byName,
    limits: config.limits,
    maxBodyBytes: config.maxBodyBytes,
    scanner,
    admission,
    retryAfterSeconds: config.retryAfterSeconds,
    onScan: (_req, result, policy) => metrics.observeScan(result, policy),
  };
  const gate = pickleGuard(guardOptions);
  const scanOnly = pickleGuard({
    ...guardOptions,
    onReject(ctx: RejectContext) {
      if (ctx.req.query.mode === 'gate') sendJson(ctx.res, 422, { error: 'rejected', message: `body rejected by policy ${ctx.report.policy}`, ...reportBody(ctx.req, ctx.report, ctx.timing) });
      else sendJson(ctx.res, 200, reportBody(ctx.req, ctx.report, ctx.timing));
    },
  });
  const answerReport: RequestHandler = function answerReport(req, res) {
    sendJson(res, 200, reportBody(req, req.pickleReport!, res.locals.pickleTiming));
  };
  const forward = config.upstream
    ? forwardTo({ upstream: config.upstream, timeoutMs: config.upstreamTimeoutMs, target: 'fixed', stripAuthorization: config.tokens.length > 0 })
    : null;

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(requestLogger(logger));
  app.use(helmet());
  // Responses not yet started; on drain they are told to close their connection.
  const pending = new Set<Response>();
  app.use(function drainingConnections(_req, res, next) {
    if (state.draining) res.setHeader('Connection', 'close');
    else {
      pending.add(res);
      res.once('close', () => pending.delete(res));
    }
    next();
  });
  const drain = (): void => {
    state.draining = true;
    for (const res of pending) if (!res.headersSent) res.setHeader('Connection', 'close');
    pending.clear();
  };

  app.get('/healthz', (_req, res) => sendJson(res, 200, { status: 'ok' }));
  app.get('/readyz', (_req, res) => {
    const ready = !state.draining && scanner.isReady();
    sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : state.draining ? 'draining' : 'starting', policy: policies.defaultPolicy.name });
  });
  if (config.metrics) {
    app.get('/metrics', async (_req, res, next) => {
      try {
        const text = await metrics.registry.metrics();
        res.type(metrics.registry.contentType).send(text);
      } catch (err) {
        next(err);
      }
    });
  }
  app.get('/openapi.json', (_req, res) => sendJson(res, 200, openApiDocument(VERSION)));
  // the triage page (GET /, GET /page/*): a user interface, not part of the API document
  app.use(pageRoutes({ maxBodyBytes: config.maxBodyBytes, auth: config.tokens.length > 0, policy: config.policy === 'mxnet-optimizer' ? 'default' : config.policy, servicePolicies: policies.info.filter((p) => p.source === 'file').map((p) => p.name) }));

  app.use('/v1', auth);
  app.get('/v1/policies', (_req, res) => sendJson(res, 200, { default: policies.defaultPolicy.name, policies: policies.info }));
  app.post('/v1/scan', scanOnly, answerReport);
  app.post('/v1/gate', gate, answerReport);
  if (forward) {
    app.post('/v1/forward', gate, forward);
  } else {
    app.post('/v1/forward', (_req, _res, next) => next(new HttpError(404, 'not_found', 'forward mode is not configured (set PICKLEGATE_UPSTREAM)')));
  }
  for (const p of ['/v1/scan', '/v1/gate', '/v1/forward']) app.all(p, methodNotAllowed('POST'));

  if (forward && config.forwardAllPaths) {
    const forwardPath = forwardTo({ upstream: config.upstream!, timeoutMs: config.upstreamTimeoutMs, target: 'path', stripAuthorization: config.tokens.length > 0 });
    app.use(auth, gate, forwardPath);
  }

  app.use((_req, _res, next) => next(new HttpError(404, 'not_found', 'no such endpoint')));
  app.use(errorHandler({ onError: (status) => metrics.observeError(status) }));
  return { app, state, metrics, admission, logger, drain };
}
