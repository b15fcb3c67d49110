/**
 * `pickleGuard`: express middleware that reads a pickle body with a hard cap, judges it with a
 * picklegate policy and only lets accepted bodies through to the next handler.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
// Direct module paths: src/index.ts re-exports this file, so importing '../src' here would be circular.
import { resolvePolicy } from '../src/policy/registry';
import type { CompiledPolicy, Limits, PolicySpec, Report } from '../src';
import { Admission } from './admission';
import { PICKLE_MEDIA_TYPES, checkContentType, checkDeclaredLength, readBody } from './body';
import { HttpError } from './errors';
import { reportBody, sendJson } from './respond';
import type { ScanTiming } from './respond';
import { InlineScanner } from './scan-pool';
import type { ScanResult, Scanner } from './scan-pool';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by pickleGuard: the scan report of this request's body. */
      pickleReport?: Report;
    }
  }
}

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** What a custom `onReject` responder gets. */
export interface RejectContext {
  req: Request;
  res: Response;
  next: NextFunction;
  report: Report;
  timing: ScanTiming;
}

export interface PickleGuardOptions {
  /** Policy name, spec or compiled policy; compiled once when the middleware is created. Default `default`. */
  policy?: string | PolicySpec | CompiledPolicy;
  /** Policies a client may pick with `?policy=NAME` (none when omitted: the query parameter is then ignored). */
  policies?: ReadonlyMap<string, CompiledPolicy>;
  /** Query parameter that selects a policy from `policies`. Default `policy`. */
  policyParam?: string;
  /** Overrides of the library's resource limits. */
  limits?: Partial<Limits>;
  /** Hard cap on the body: 413 before buffering past it. Default 16 MiB. */
  maxBodyBytes?: number;
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
}

function defaultReject({ req, res, report, timing }: RejectContext): void {
  sendJson(res, 422, { error: 'rejected', message: `body rejected by policy ${report.policy} (${report.verdict})`, ...reportBody(req, report, timing) });
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
  const policy = resolvePolicy(options.policy ?? 'default');
  const policies = options.policies;
  const policyParam = options.policyParam ?? 'policy';
  const cap = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const contentTypes = options.contentTypes ?? PICKLE_MEDIA_TYPES;
  const scanner = options.scanner ?? new InlineScanner();
  const admission = typeof options.admission === 'number' ? new Admission(options.admission) : options.admission;
  const retryAfter = String(options.retryAfterSeconds ?? 1);
  const onReject = options.onReject ?? defaultReject;
  const limits = options.limits;

  function selectPolicy(req: Request): CompiledPolicy {
    const q = req.query[policyParam];
    if (!policies || q === undefined) return policy;
    const name = typeof q === 'string' ? q : '';
    const found = policies.get(name);
    if (!found) throw new HttpError(400, 'unknown_policy', 'unknown policy', {}, { policies: [...policies.keys()] });
    return found;
  }

  return async function pickleGuard(req: Request, res: Response, next: NextFunction): Promise<void> {
    const t0 = performance.now();
    let admitted = false;
    let accepted: boolean;
    try {
      const chosen = selectPolicy(req);
      checkContentType(req, contentTypes);
      checkDeclaredLength(req, cap);
      if (admission) {
        if (!admission.tryAcquire()) {
          throw new HttpError(503, 'overloaded', 'too many concurrent scans, retry later', { 'Retry-After': retryAfter }, {}, true);
        }
        admitted = true;
      }
      const body = await readBody(req, cap);
      const tRead = performance.now();
      if (body.length === 0) throw new HttpError(400, 'empty_body', 'request body is empty');
      const result = await scanner.scan(body, chosen, limits);
      if (admitted) {
        admission!.release();
        admitted = false;
      }
      const { report } = result;
      const timing: ScanTiming = { readMs: tRead - t0, queueMs: result.queueMs, scanMs: result.scanMs, totalMs: performance.now() - t0, where: result.where };
      req.pickleReport = report;
      res.locals.pickleReport = report;
      res.locals.pickleTiming = timing;
      req.body = body;
      options.onScan?.(req, result, chosen);
      accepted = report.accepted === true;
      if (!accepted) onReject({ req, res, next, report, timing });
    } catch (err) {
      if (admitted) admission!.release();
      next(err);
      return;
    }
    // Outside the try: an error thrown downstream must never be mistaken for a scan failure, and vice versa.
    if (accepted) next();
  };
}
