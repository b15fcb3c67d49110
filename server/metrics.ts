/** Prometheus metrics on a registry of their own (never prom-client's global one). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CompiledPolicy, Report } from '../src';
import type { ScanResult } from './scan-pool';

export interface Metrics {
  registry: Registry;
  /** Records one completed scan. */
  observeScan(result: ScanResult, policy: CompiledPolicy): void;
  /** Records one error response by status (400, 401, 413, 415, 422 is counted by rejections, 500, 502, 503, 504). */
  observeError(status: number): void;
}

/** Finding codes that made a report fail (suspicious or worse); `none` if a policy rejected without one. */
function rejectionCodes(report: Report): string[] {
  const codes = new Set<string>();
  for (const f of report.findings) if (f.severity !== 'info') codes.add(f.code);
  return codes.size > 0 ? [...codes] : ['none'];
}

export function createMetrics(inFlight: () => number, options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'picklegate_' });

  const scans = new Counter({ name: 'picklegate_scans_total', help: 'Completed scans by verdict and policy', labelNames: ['verdict', 'policy', 'accepted'], registers: [registry] });
  const duration = new Histogram({
    name: 'picklegate_scan_duration_seconds',
    help: 'Scan time (worker round trip included) by where the scan ran',
    labelNames: ['where'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const queue = new Histogram({
    name: 'picklegate_scan_queue_seconds',
    help: 'Time waiting for a free scan worker',
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  const bytes = new Counter({ name: 'picklegate_scanned_bytes_total', help: 'Bytes scanned', registers: [registry] });
  const rejections = new Counter({ name: 'picklegate_rejections_total', help: 'Rejected bodies by finding code (one body may count under several codes)', labelNames: ['code'], registers: [registry] });
  const errors = new Counter({ name: 'picklegate_http_errors_total', help: 'Error responses by status (413 too large, 503 overloaded, ...)', labelNames: ['status'], registers: [registry] });
  new Gauge({
    name: 'picklegate_scans_in_flight',
    help: 'Requests being read or scanned now',
    registers: [registry],
    collect() {
      this.set(inFlight());
    },
  });

  return {
    registry,
    observeScan({ report, scanMs, queueMs, where }, policy) {
      scans.inc({ verdict: report.verdict, policy: policy.name, accepted: String(report.accepted) });
      duration.observe({ where }, scanMs / 1000);
      if (where === 'worker') queue.observe(queueMs / 1000);
      bytes.inc(report.size);
      if (!report.accepted) for (const code of rejectionCodes(report)) rejections.inc({ code });
    },
    observeError(status) {
      errors.inc({ status: String(status) });
    },
  };
}
