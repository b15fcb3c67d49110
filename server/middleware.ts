/**
 * `pickleGuard`: express middleware that reads a pickle body with a hard cap, judges it with a
 * picklegate policy and only lets accepted bodies through to the next handler. The work is done by
 * `Guard`, which knows nothing of express: the service's lean scan handler (app.ts) uses the same one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
// Direct module paths: src/index.ts re-exports this file, so importing '../src' here would be circular.
import { resolvePolicy } from '../src/policy/registry';
import type { CompiledPolicy, ContainerLimits, Limits, PolicySpec } from '../src';
import { Admission } from './admission';
import { PICKLE_MEDIA_TYPES, checkContentType, checkDeclaredLength, readBodyThen } from './body';
import type { Body } from './body';
import { HttpError } from './errors';
import { rejectedHead, reportBodyText, sendJsonText } from './respond';
import type { BodyReport, ScanTiming } from './scan-body';
import { InlineScanner } from './scan-pool';
import { failure } from './scanner';
import type { ScanJob, ScanResult, Scanner } from './scanner';
import type { Spooler } from './spool';
import { VerdictCache, limitsScope } from './verdict-cache';
import type { VerdictCacheOptions } from './verdict-cache';

export type { ScanTiming } from './scan-body';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by pickleGuard: the result for this request's body. */
      pickleReport?: BodyReport;
      /** Set by pickleGuard: the body, in memory or spooled (`req.body` is the Buffer only for bodies in memory). */
      pickleBody?: Body;
    }
  }
}

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** What a custom `onReject` responder gets. */
export interface RejectContext {
  req: Request;
  res: Response;
  next: NextFunction;
  report: BodyReport;
  timing: ScanTiming;
}

export interface PickleGuardOptions {
  /** Policy name, spec or compiled policy; compiled once when the middleware is created. Default `default`. */
  policy?: string | PolicySpec | CompiledPolicy;
  /** Policies a client may pick with `?policy=NAME` (none when omitted: the query parameter is then ignored). */
  policies?: ReadonlyMap<string, CompiledPolicy>;
  /** Query parameter that selects a policy from `policies`. Default `policy`. */
  policyParam?: string;
  /** Query parameter naming the body (finding paths, format hint, as a file name does for the CLI). Default: none (the body is `body.pkl`, `body.pkl.gz` when gzip-compressed, ...). */
  nameParam?: string;
  /** Overrides of the library's resource limits. */
  limits?: Partial<Limits>;
  /** Overrides of the container limits (policies without a `wire` section open containers). */
  containerLimits?: Partial<ContainerLimits>;
  /** Hard cap on the body: 413 before buffering past it. Default 16 MiB. */
  maxBodyBytes?: number;
  /** Bodies above this size are spooled to `spooler` (when given) instead of held in memory. Default 16 MiB. */
  memoryBodyBytes?: number;
  /** Where large bodies are spooled (a Spooler with its quota). Default: none, every body is held in memory. */
  spooler?: Spooler;
  /** Accepted Content-Types (lower case, no parameters). Default octet-stream and x-python-pickle. */
  contentTypes?: readonly string[];
  /** Where scans run (e.g. a ScanPool with worker threads). Default: inline on the event loop. */
  scanner?: Scanner;
  /** Shared bound on concurrent reads+scans (an Admission or its size); beyond it → 503. Default unbounded. */
  admission?: Admission | number;
  /** Seconds in the Retry-After header of a 503. Default 1. */
  retryAfterSeconds?: number;
  /** Custom responder for rejected bodies. Default: 422 with the report as JSON. */
  onReject?: (ctx: RejectContext) => void;
  /** Called after every completed scan (metrics, audit). Must not throw. */
  onScan?: (req: Request, result: ScanResult, policy: CompiledPolicy) => void;
  /**
   * Reports of bodies already judged, by exact bytes (a VerdictCache, or its options): a body seen
   * twice is answered from then on with its report, `timing.where: 'cache'`. Default: none, every body
   * is scanned.
   */
  cache?: VerdictCache | VerdictCacheOptions;
}

/** A parsed query string: each value a string, or an array when the parameter was given more than once. */
export type Query = Readonly<Record<string, unknown>>;

/** A body the guard judged. */
export interface Judged {
  result: ScanResult;
  report: BodyReport;
  timing: ScanTiming;
  body: Body;
  policy: CompiledPolicy;
}

/** A parameter that may be given at most once: its value, or undefined. */
export function singleParam(query: Query, name: string): string | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new HttpError(400, 'bad_request', `query parameter ${name} given more than once`);
  return v;
}

const BODY_NAME = /^[^/\\\x00-\x1f\x7f]{1,255}$/;

/** Reads, admits and judges request bodies; knows nothing of express (see pickleGuard and app.ts). */
export class Guard {
  readonly policy: CompiledPolicy;
  private readonly policies: ReadonlyMap<string, CompiledPolicy> | undefined;
  private readonly policyParam: string;
  private readonly nameParam: string | undefined;
  private readonly cap: number;
  private readonly memoryBytes: number;
  private readonly spooler: Spooler | undefined;
  private readonly contentTypes: readonly string[];
  private readonly scanner: Scanner;
  private readonly admission: Admission | undefined;
  private readonly retryAfter: string;
  private readonly limits: Partial<Limits> | undefined;
  private readonly containerLimits: Partial<ContainerLimits> | undefined;
  private readonly cache: VerdictCache | undefined;
  /** This guard's part of the cache's keys (its limits). */
  private readonly cacheScope: string;

  constructor(options: PickleGuardOptions = {}) {
    this.policy = resolvePolicy(options.policy ?? 'default');
    this.policies = options.policies;
    this.policyParam = options.policyParam ?? 'policy';
    this.nameParam = options.nameParam;
    this.cap = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.memoryBytes = options.memoryBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.spooler = options.spooler;
    this.contentTypes = options.contentTypes ?? PICKLE_MEDIA_TYPES;
    this.scanner = options.scanner ?? new InlineScanner();
    this.admission = typeof options.admission === 'number' ? new Admission(options.admission) : options.admission;
    this.retryAfter = String(options.retryAfterSeconds ?? 1);
    this.limits = options.limits;
    this.containerLimits = options.containerLimits;
    const cache = options.cache;
    this.cache = cache === undefined || cache instanceof VerdictCache ? cache : new VerdictCache(cache);
    this.cacheScope = limitsScope(this.limits, this.containerLimits);
  }

  private selectPolicy(query: Query): CompiledPolicy {
    const policies = this.policies;
    if (!policies) return this.policy;
    const name = singleParam(query, this.policyParam);
    if (name === undefined) return this.policy;
    const found = policies.get(name);
    if (!found) throw new HttpError(400, 'unknown_policy', 'unknown policy', {}, { policies: [...policies.keys()] });
    return found;
  }

  /** The name the request gives the body, or undefined (the scan then names it: defaultBodyName). */
  private bodyName(query: Query): string | undefined {
    if (this.nameParam === undefined) return undefined;
    const name = singleParam(query, this.nameParam);
    if (name === undefined) return undefined;
    if (!BODY_NAME.test(name)) throw new HttpError(400, 'bad_request', `query parameter ${this.nameParam} must be a file name: 1 to 255 characters, no / or \\, no control characters`);
    return name;
  }

  private overloaded = (): HttpError => new HttpError(503, 'overloaded', 'too many concurrent scans, retry later', { 'Retry-After': this.retryAfter }, {}, true);

  /**
   * Checks the request (policy, name, Content-Type, declared length), admits it, reads the body and
   * judges it. Throws HttpError (400, 413, 415, 503) or whatever the scanner throws (500). A spooled
   * body's file is released when `res` closes.
   */
  judge(req: IncomingMessage, res: ServerResponse, query: Query): Promise<Judged> {
    return new Promise<Judged>((resolve, reject) => this.judgeThen(req, res, query, (err, judged) => (err === null ? resolve(judged!) : reject(err))));
  }

  /**
   * judge() with a callback (the service's hot path): `done` is called once, with the judged body or
   * what judge() would reject with, after the admission is released.
   */
  judgeThen(req: IncomingMessage, res: ServerResponse, query: Query, done: (err: unknown, judged?: Judged) => void): void {
    const t0 = performance.now();
    let policy: CompiledPolicy;
    let name: string | undefined;
    try {
      policy = this.selectPolicy(query);
      name = this.bodyName(query);
      checkContentType(req, this.contentTypes);
      checkDeclaredLength(req, this.cap);
    } catch (err) {
      done(err);
      return;
    }
    const admission = this.admission;
    if (admission && !admission.tryAcquire()) {
      done(this.overloaded());
      return;
    }
    let over = false;
    const finish = (err: unknown, judged?: Judged): void => {
      if (over) return;
      over = true;
      admission?.release();
      done(err, judged);
    };
    readBodyThen(req, { cap: this.cap, memoryBytes: this.memoryBytes, ...(this.spooler ? { spooler: this.spooler } : {}), overloaded: this.overloaded }, (readErr, read) => {
      if (readErr !== null) return finish(readErr);
      const body = read!;
      if (body.kind === 'spool') {
        const file = body.file;
        if (res.closed) file.release();
        else res.once('close', () => file.release());
      }
      const tRead = performance.now();
      if (body.size === 0) return finish(new HttpError(400, 'empty_body', 'request body is empty'));
      const cache = this.cache;
      const key = cache !== undefined && body.kind === 'memory' ? cache.keyOf(policy, name, body.bytes, this.cacheScope) : null;
      if (key !== null) {
        const kept = cache!.get(key);
        if (kept !== undefined) {
          const r: ScanResult = { report: kept, queueMs: 0, scanMs: performance.now() - tRead, where: 'cache' };
          return finish(null, { result: r, report: kept, timing: { readMs: tRead - t0, queueMs: 0, scanMs: r.scanMs, totalMs: performance.now() - t0, where: 'cache' }, body, policy });
        }
      }
      const job: ScanJob = { body, policy, ...(name !== undefined ? { name } : {}), ...(this.limits ? { limits: this.limits } : {}), ...(this.containerLimits ? { containerLimits: this.containerLimits } : {}) };
      const scanned = (scanErr: unknown, result?: ScanResult): void => {
        if (scanErr !== null) return finish(scanErr);
        const r = result!;
        if (key !== null) cache!.offer(key, r.report);
        finish(null, { result: r, report: r.report, timing: { readMs: tRead - t0, queueMs: r.queueMs, scanMs: r.scanMs, totalMs: performance.now() - t0, where: r.where }, body, policy });
      };
      const scanner = this.scanner;
      let pending: Promise<ScanResult>;
      try {
        // a scanner that answers through a callback spares the promise (ScanPool, for small bodies)
        if (scanner.scanThen) return scanner.scanThen(job, scanned);
        pending = scanner.scan(job);
      } catch (err) {
        if (over) throw err; // thrown by `done`, not by the scanner
        return finish(failure(err));
      }
      pending.then((r) => scanned(null, r), (err: unknown) => finish(failure(err)));
    });
  }
}

function defaultReject({ req, res, report, timing }: RejectContext): void {
  sendJsonText(res, 422, reportBodyText(req, report, timing, false, rejectedHead(report)));
}

/**
 * Creates the guard. Throws PolicyError at creation for a bad policy (never per request).
 *
 * @example
 * app.post('/upload', pickleGuard({ policy: 'mxnet-optimizer', maxBodyBytes: 1 << 20 }), (req, res) => {
 *   // req.body is the accepted pickle as a Buffer, req.pickleReport its report
 *   res.sendStatus(204);
 * });
 */
export function pickleGuard(options: PickleGuardOptions = {}): RequestHandler {
  const guard = new Guard(options);
  const onReject = options.onReject ?? defaultReject;
  return async function pickleGuard(req: Request, res: Response, next: NextFunction): Promise<void> {
    let accepted: boolean;
    try {
      const { result, report, timing, body, policy } = await guard.judge(req, res, req.query as Query);
      req.pickleReport = report;
      req.pickleBody = body;
      res.locals.pickleReport = report;
      res.locals.pickleTiming = timing;
      req.body = body.kind === 'memory' ? body.bytes : undefined;
      options.onScan?.(req, result, policy);
      accepted = report.accepted === true;
      if (!accepted) onReject({ req, res, next, report, timing });
    } catch (err) {
      next(err);
      return;
    }
    // Outside the try: an error thrown downstream must never be mistaken for a scan failure, and vice versa.
    if (accepted) next();
  };
}
