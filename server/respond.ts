/** JSON bodies of scan answers. Never contains payload bytes: only the report and timings. */
import type { Request, Response } from 'express';
import type { Report } from '../src';
import { requestIdOf } from './errors';

export interface ScanTiming {
  /** Reading the body. */
  readMs: number;
  /** Waiting for a scan worker. */
  queueMs: number;
  scanMs: number;
  /** From the start of the guard to the verdict. */
  totalMs: number;
  where: 'inline' | 'worker';
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

export function reportBody(req: Request, report: Report, timing: ScanTiming | undefined): Record<string, unknown> {
  return {
    requestId: requestIdOf(req),
    ...report,
    ...(timing
      ? { timing: { readMs: round(timing.readMs), queueMs: round(timing.queueMs), scanMs: round(timing.scanMs), totalMs: round(timing.totalMs), where: timing.where } }
      : {}),
  };
}

/** res.json, but safe for bigint values a report may carry (written as decimal strings). */
export function sendJson(res: Response, status: number, body: unknown): void {
  let text: string;
  try {
    text = JSON.stringify(body); // the common case: a replacer function makes stringify several times slower
  } catch {
    text = JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  }
  res.status(status).type('application/json').send(text);
}
