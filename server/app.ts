/**
 * The service's express application: routes only, no listen(). Every scanning route is built from
 * the same Guard the pickleGuard middleware is made of.
 *
 * The two hot routes, `POST /v1/scan` and `POST /v1/gate`, are served by a lean handler in front of
 * express's stack (the application's `handle` is wrapped): it does what the express stack does for
 * them (request id and log line, the API headers, draining, auth, the guard, metrics, the same JSON
 * and error bodies) with the same functions, without express's per-request routing and response
 * wrapping. Every other request (and any spelling express would also route to those paths, e.g. with a
 * trailing slash) goes through express as before.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import express from 'express';
import type { Express, RequestHandler } from 'express';
import pino from 'pino';
import type { Logger } from 'pino';
import { HeldLines, accessLog } from './access-log';
import type { AccessLevel, AccessLog } from './access-log';
import { Admission } from './admission';
import { API_HEADERS, setApiHeaders } from './api-headers';
import { bearerAuth, bearerCheck } from './auth';
import { clusterMetrics } from './cluster';
import type { Config } from './config';
import { HttpError, errorHandler, sendError } from './errors';
import { forwardTo } from './forward';
import { createMetrics } from './metrics';
import type { Metrics } from './metrics';
import { Guard, pickleGuard, singleParam } from './middleware';
import type { Judged, PickleGuardOptions, Query, RejectContext } from './middleware';
import { openApiDocument } from './openapi';
import { pageRoutes } from './page/routes';
import type { PolicySet } from './policies';
import { PREFERENCE_APPLIED, prefersMinimal, rejectedHead, reportBodyText, sendJson, sendJsonText } from './respond';
import type { JsonBody } from './respond';
import type { BodyReport } from './scan-body';
import type { Scanner } from './scanner';
import { SpoolQuota, Spooler } from './spool';
import { VerdictCache } from './verdict-cache';
import { VERSION } from './version';

export interface AppDeps {
  config: Config;
  policies: PolicySet;
  scanner: Scanner;
  /** Default: pino at config.logLevel on stdout. Tests pass `pino({ level: 'silent' })`. */
  logger?: Logger;
  /** Default: a spooler of config.spoolDir with a quota of config.spoolQuotaBytes. */
  spooler?: Spooler;
  /** This process is a worker of a cluster (PICKLEGATE_WORKERS > 1): /metrics answers for all workers. */
  clusterWorker?: boolean;
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
  spooler: Spooler;
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

type Req = IncomingMessage & { id?: string; log?: Logger; originalUrl?: string };
type Res = ServerResponse & { locals?: Record<string, unknown> };

/** `req.log`: a logger bound to the request id, made on first use. */
function attachLog(logger: Logger, req: Req, id: string): void {
  Object.defineProperty(req, 'log', {
    configurable: true,
    get(): Logger {
      const child = logger.child({ reqId: id });
      Object.defineProperty(req, 'log', { value: child, configurable: true });
      return child;
    },
  });
}

/** The request's id, kept from a well-formed X-Request-Id, else generated; set as `req.id`. */
function requestIdFor(req: Req): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  req.id = id;
  return id;
}

/** Level of the access line of a response with this status. */
const accessLevel = (status: number): AccessLevel => (status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info');

/**
 * The request's id (kept from a well-formed X-Request-Id, else generated), its logger (made on first
 * use), the X-Request-Id response header, and one JSON log line when the response ends: id, method,
 * url, status, time, and the scan's verdict and finding codes. Never headers (Authorization) and
 * never body bytes.
 */
function startRequest(logger: Logger, access: AccessLog, req: Req, res: Res): string {
  const started = performance.now();
  const id = requestIdFor(req);
  attachLog(logger, req, id);
  res.setHeader('X-Request-Id', id);
  let logged = false;
  const done = (): void => {
    if (logged) return;
    logged = true;
    const status = res.statusCode;
    const level = accessLevel(status);
    if (!access.enabled(level)) return;
    access.write(level, {
      id,
      method: req.method,
      url: req.originalUrl ?? req.url,
      remoteAddress: req.socket.remoteAddress,
      statusCode: status,
      responseTime: Math.round(performance.now() - started),
      report: res.locals?.pickleReport as BodyReport | undefined,
      finished: res.writableFinished,
    });
  };
  res.once('finish', done);
  res.once('close', done);
  return id;
}

function methodNotAllowed(allow: string): RequestHandler {
  return function methodNotAllowed(_req, res, next) {
    res.setHeader('Allow', allow);
    next(new HttpError(405, 'method_not_allowed', `use ${allow}`));
  };
}

/** Values `mode` may take on each scan route. */
const MODES = { scan: ['scan', 'gate'], gate: ['gate'] } as const;

function checkMode(query: Query, route: keyof typeof MODES): 'scan' | 'gate' {
  const mode = singleParam(query, 'mode');
  if (mode === undefined) return route;
  if (!(MODES[route] as readonly string[]).includes(mode)) {
    throw new HttpError(400, 'bad_request', route === 'scan' ? 'query parameter mode must be scan or gate' : 'query parameter mode must be gate (or absent) on /v1/gate');
  }
  return mode as 'scan' | 'gate';
}

/**
 * A scan answer on the express path: the whole report, or the minimal answer (with
 * Preference-Applied) when the request says `Prefer: return=minimal`.
 */
function sendReport(req: IncomingMessage, res: ServerResponse, status: 200 | 422, j: Pick<Judged, 'report' | 'timing'>): void {
  const minimal = prefersMinimal(req);
  if (minimal) res.setHeader(PREFERENCE_APPLIED[0], PREFERENCE_APPLIED[1]);
  sendJsonText(res, status, reportBodyText(req, j.report, j.timing, minimal, status === 422 ? rejectedHead(j.report) : undefined));
}

/**
 * Log lines are written in batches of this many bytes, or after LOG_FLUSH_MS, whichever comes first
 * (at 13,000 requests a second, one write every 6 ms; each write of the asynchronous destination wakes
 * a thread of libuv's pool, so fewer and larger ones cost less CPU than one per 4 KiB). The lines are
 * held by HeldLines until then and given to the destination in one piece.
 */
const LOG_BATCH_BYTES = 32 * 1024;
/** Largest single write (sonic-boom's maxWrite, which must exceed the batch size). */
const LOG_WRITE_BYTES = 64 * 1024;
const LOG_FLUSH_MS = 100;

/**
 * The service's logger: pino JSON lines on stdout, written asynchronously in batches (one write per
 * LOG_BATCH_BYTES of lines or LOG_FLUSH_MS, not one per line; what is left is written at exit).
 */
export function createLogger(config: Pick<Config, 'logLevel'>, base: Record<string, unknown> = {}): Logger {
  const dest = pino.destination({ dest: 1, sync: false, minLength: LOG_BATCH_BYTES, maxWrite: LOG_WRITE_BYTES, periodicFlush: LOG_FLUSH_MS });
  return pino({ level: config.logLevel, base: { service: 'picklegate', ...base } }, new HeldLines(dest, LOG_BATCH_BYTES, LOG_FLUSH_MS));
}

export function createApp(deps: AppDeps): Service {
  const { config, policies, scanner } = deps;
  const logger = deps.logger ?? createLogger(config);
  const access = accessLog(logger);
  const state: ServiceState = { draining: false };
  const admission = new Admission(config.maxConcurrentScans);
  const spooler = deps.spooler ?? new Spooler(config.spoolDir, new SpoolQuota(config.spoolQuotaBytes));
  const metrics = createMetrics(() => admission.inFlight, { spooled: () => spooler.quota.used });
  const metricsText = deps.clusterWorker
    ? clusterMetrics(metrics.registry)
    : async (): Promise<{ text: string; contentType: string }> => ({ text: await metrics.registry.metrics(), contentType: metrics.registry.contentType });
  const auth = bearerAuth(config.tokens);
  const checkAuth = bearerCheck(config.tokens);
  const errorHooks = { onError: (status: number) => metrics.observeError(status) };

  const guardOptions: PickleGuardOptions = {
    policy: policies.defaultPolicy,
    policies: policies.byName,
    nameParam: 'name',
    // no overrides: the library's defaults as they are (no merged copy per scan)
    ...(Object.keys(config.limits).length ? { limits: config.limits } : {}),
    ...(Object.keys(config.containerLimits).length ? { containerLimits: config.containerLimits } : {}),
    maxBodyBytes: config.maxBodyBytes,
    memoryBodyBytes: config.memoryBodyBytes,
    spooler,
    scanner,
    admission,
    retryAfterSeconds: config.retryAfterSeconds,
    onScan: (_req, result, policy) => metrics.observeScan(result, policy),
    // one cache for every route: they share the policies and limits
    ...(config.scanCacheEntries > 0 ? { cache: new VerdictCache({ entries: config.scanCacheEntries, bodyBytes: config.scanCacheBodyBytes }) } : {}),
  };
  const guard = new Guard(guardOptions);
  // the middleware's own 422, with the minimal answer when asked for
  const gate = pickleGuard({ ...guardOptions, onReject: (ctx: RejectContext) => sendReport(ctx.req, ctx.res, 422, ctx) });
  const scanOnly = pickleGuard({
    ...guardOptions,
    onReject(ctx: RejectContext) {
      sendReport(ctx.req, ctx.res, ctx.req.query.mode === 'gate' ? 422 : 200, ctx);
    },
  });
  const answerReport: RequestHandler = function answerReport(req, res) {
    sendReport(req, res, 200, { report: req.pickleReport!, timing: res.locals.pickleTiming });
  };
  const modeOf = (route: keyof typeof MODES): RequestHandler =>
    function mode(req, _res, next) {
      try {
        checkMode(req.query as Query, route);
        next();
      } catch (err) {
        next(err);
      }
    };
  const forward = config.upstream
    ? forwardTo({ upstream: config.upstream, timeoutMs: config.upstreamTimeoutMs, target: 'fixed', stripAuthorization: config.tokens.length > 0 })
    : null;

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(function requestLogger(req, res, next) {
    startRequest(logger, access, req, res);
    next();
  });
  // the API's security headers on every answer; the triage page's routes add helmet's (page/routes.ts)
  app.use(function apiHeaders(_req, res, next) {
    setApiHeaders(res);
    next();
  });
  // Responses not yet started; on drain they are told to close their connection.
  const pending = new Set<ServerResponse>();
  const trackDraining = (res: ServerResponse): void => {
    if (state.draining) res.setHeader('Connection', 'close');
    else {
      pending.add(res);
      res.once('close', () => pending.delete(res));
    }
  };
  app.use(function drainingConnections(_req, res, next) {
    trackDraining(res);
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
        const { text, contentType } = await metricsText();
        res.type(contentType).send(text);
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
  app.post('/v1/scan', modeOf('scan'), scanOnly, answerReport);
  app.post('/v1/gate', modeOf('gate'), gate, answerReport);
  if (forward) {
    app.post('/v1/forward', modeOf('gate'), gate, forward);
  } else {
    app.post('/v1/forward', (_req, _res, next) => next(new HttpError(404, 'not_found', 'forward mode is not configured (set PICKLEGATE_UPSTREAM)')));
  }
  for (const p of ['/v1/scan', '/v1/gate', '/v1/forward']) app.all(p, methodNotAllowed('POST'));

  if (forward && config.forwardAllPaths) {
    const forwardPath = forwardTo({ upstream: config.upstream!, timeoutMs: config.upstreamTimeoutMs, target: 'path', stripAuthorization: config.tokens.length > 0 });
    app.use(auth, pickleGuard({ ...guardOptions, nameParam: undefined }), forwardPath);
  }

  app.use((_req, _res, next) => next(new HttpError(404, 'not_found', 'no such endpoint')));
  app.use(errorHandler(errorHooks));

  // ---- the lean handler of POST /v1/scan and POST /v1/gate, in front of express's stack
  /** What the express stack sets before a handler runs (error paths use setHeader, like express). */
  function setBaseHeaders(res: ServerResponse, id: string): void {
    res.setHeader('X-Request-Id', id);
    setApiHeaders(res);
  }

  /**
   * A JSON answer with every header in one writeHead: the same headers as sendReport after the express
   * stack, fewer steps.
   */
  function answer(res: ServerResponse, id: string, status: number, text: JsonBody, minimal: boolean): void {
    // a text is written as it is (encoded with the headers, no Buffer copy first); a kept report's answer is its bytes already
    const length = String(typeof text === 'string' ? Buffer.byteLength(text) : text.length);
    res.writeHead(
      status,
      minimal
        ? ['X-Request-Id', id, ...API_HEADERS, ...PREFERENCE_APPLIED, 'Content-Type', 'application/json; charset=utf-8', 'Content-Length', length]
        : ['X-Request-Id', id, ...API_HEADERS, 'Content-Type', 'application/json; charset=utf-8', 'Content-Length', length],
    );
    res.end(text);
  }

  function leanError(err: unknown, req: Req, res: Res, id: string): void {
    if (!('log' in req)) attachLog(logger, req, id);
    if (!res.headersSent) setBaseHeaders(res, id);
    sendError(err, req, res, errorHooks);
  }

  /**
   * A lean request's state, kept on its response: the 'finish' and 'close' listeners are shared
   * functions (no closure or once-wrapper per request) that find it there.
   */
  interface LeanState {
    req: Req;
    id: string;
    started: number;
    /** The scan's report, once judged (the access line's `scan`). */
    report: BodyReport | undefined;
    logged: boolean;
    /** In `pending` (responses told to close their connection on drain). */
    tracked: boolean;
  }
  const LEAN = Symbol('picklegate.lean');
  type LeanRes = Res & { [LEAN]?: LeanState };

  /** The access line, once: when the response finishes, or closes first (aborted). What startRequest's listeners do. */
  function leanLogged(this: LeanRes): void {
    const s = this[LEAN]!;
    if (s.logged) return;
    s.logged = true;
    const req = s.req;
    const status = this.statusCode;
    const level = accessLevel(status);
    if (!access.enabled(level)) return;
    access.write(level, {
      id: s.id,
      method: req.method,
      url: req.originalUrl ?? req.url,
      remoteAddress: req.socket.remoteAddress,
      statusCode: status,
      responseTime: Math.round(performance.now() - s.started),
      report: s.report,
      finished: this.writableFinished,
    });
  }

  function leanClosed(this: LeanRes): void {
    const s = this[LEAN]!;
    if (s.tracked) pending.delete(this);
    leanLogged.call(this);
  }

  /** The body judged (or not): the answer, as leanScan after `await guard.judge()`. */
  function leanJudged(req: Req, res: LeanRes, mode: 'scan' | 'gate', err: unknown, judged: Judged | undefined): void {
    const id = res[LEAN]!.id;
    if (err !== null) return leanError(err, req, res, id);
    const j = judged!;
    const report = j.report;
    res[LEAN]!.report = report;
    try {
      metrics.observeScan(j.result, j.policy);
      const minimal = prefersMinimal(req);
      if (report.accepted === true || mode === 'scan') answer(res, id, 200, reportBodyText(req, report, j.timing, minimal), minimal);
      else answer(res, id, 422, reportBodyText(req, report, j.timing, minimal, rejectedHead(report)), minimal);
    } catch (thrown) {
      leanError(thrown, req, res, id);
    }
  }

  /** Serves the request when it is one of the lean routes; false to let express have it. */
  function lean(req: Req, res: LeanRes): boolean {
    if (req.method !== 'POST') return false;
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const route = path === '/v1/gate' ? 'gate' : path === '/v1/scan' ? 'scan' : null;
    if (route === null) return false;
    // what requestLogger, apiHeaders and drainingConnections do (the headers are written with the answer);
    // the logger is attached only on the error path (the one place that reads req.log here): an accessor
    // defined on every request costs the request object its fast shape
    const started = performance.now();
    const id = requestIdFor(req);
    const s: LeanState = { req, id, started, report: undefined, logged: false, tracked: false };
    res[LEAN] = s;
    res.on('finish', leanLogged);
    res.on('close', leanClosed);
    if (state.draining) res.setHeader('Connection', 'close');
    else {
      pending.add(res);
      s.tracked = true;
    }
    const denied = checkAuth(req);
    if (denied) {
      leanError(denied, req, res, id);
      return true;
    }
    const query: Query = q < 0 ? {} : parseQuery(url.slice(q + 1));
    let mode: 'scan' | 'gate';
    try {
      mode = checkMode(query, route);
    } catch (err) {
      leanError(err, req, res, id);
      return true;
    }
    try {
      guard.judgeThen(req, res, query, (err, judged) => leanJudged(req, res, mode, err, judged));
    } catch (err) {
      leanError(err, req, res, id);
    }
    return true;
  }

  type Handle = (req: IncomingMessage, res: ServerResponse, next?: unknown) => void;
  const withHandle = app as unknown as { handle: Handle };
  const expressHandle = withHandle.handle.bind(app);
  // As a sub-application (called with `next`), everything goes through express.
  withHandle.handle = function handle(req, res, next) {
    if (next === undefined && lean(req, res)) return;
    expressHandle(req, res, next);
  };

  return { app, state, metrics, admission, spooler, logger, drain };
}
