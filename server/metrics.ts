/** Prometheus metrics on a registry of their own (never prom-client's global one). */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CompiledPolicy } from '../src';
import type { BodyReport } from './scan-body';
import type { ScanResult } from './scanner';

export interface Metrics {
  registry: Registry;
  /** Records one completed scan. */
  observeScan(result: ScanResult, policy: CompiledPolicy): void;
  /** Records one error response by status (400, 401, 413, 415, 422 is counted by rejections, 500, 502, 503, 504). */
  observeError(status: number): void;
}

export interface MetricsOptions {
  /** Node process metrics (prefixed `picklegate_`). Default true. */
  defaultMetrics?: boolean;
  /** Bytes of spooled bodies held now. */
  spooled?: () => number;
}

/** Finding codes that made a report fail (suspicious or worse); `none` if a policy rejected without one. */
function rejectionCodes(report: BodyReport): string[] {
  const codes = new Set<string>();
  for (const f of report.findings) if (f.severity !== 'info') codes.add(f.code);
  return codes.size > 0 ? [...codes] : ['none'];
}

const LAG = 'picklegate_nodejs_eventloop_lag';

/**
 * prom-client's event-loop delay gauges read a histogram it resets at every scrape: a scrape with no
 * sample since the last one (right after start, or two scrapes close together) shows its empty state,
 * a minimum of 9223372036 s and a mean of NaN. These report the last period that had samples instead
 * (0 before the first one).
 */
function eventLoopDelay(registry: Registry): void {
  const stats = ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'] as const;
  const helps: Record<(typeof stats)[number], string> = {
    min: 'The minimum recorded event loop delay.',
    max: 'The maximum recorded event loop delay.',
    mean: 'The mean of the recorded event loop delays.',
    stddev: 'The standard deviation of the recorded event loop delays.',
    p50: 'The 50th percentile of the recorded event loop delays.',
    p90: 'The 90th percentile of the recorded event loop delays.',
    p99: 'The 99th percentile of the recorded event loop delays.',
  };
  for (const s of stats) registry.removeSingleMetric(`${LAG}_${s}_seconds`);
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const gauges = Object.fromEntries(
    stats.map((s) => [s, new Gauge({ name: `${LAG}_${s}_seconds`, help: helps[s], registers: [registry], aggregator: s === 'min' ? 'min' : s === 'max' ? 'max' : 'average' })]),
  ) as Record<(typeof stats)[number], Gauge>;
  for (const s of stats) gauges[s].set(0);
  const read = (): void => {
    if (histogram.count === 0) return; // nothing since the last scrape: keep the last values
    gauges.min.set(histogram.min / 1e9);
    gauges.max.set(histogram.max / 1e9);
    gauges.mean.set(histogram.mean / 1e9);
    gauges.stddev.set(histogram.stddev / 1e9);
    gauges.p50.set(histogram.percentile(50) / 1e9);
    gauges.p90.set(histogram.percentile(90) / 1e9);
    gauges.p99.set(histogram.percentile(99) / 1e9);
    histogram.reset();
  };
  // the first gauge read at a scrape collects them all (as prom-client's own collect does)
  (gauges.min as unknown as { collect: () => void }).collect = read;
}

export function createMetrics(inFlight: () => number, options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) {
    collectDefaultMetrics({ register: registry, prefix: 'picklegate_' });
    eventLoopDelay(registry);
  }

  const scans = new Counter({ name: 'picklegate_scans_total', help: 'Completed scans by verdict and policy', labelNames: ['verdict', 'policy', 'accepted'], registers: [registry] });
  const duration = new Histogram({
    name: 'picklegate_scan_duration_seconds',
    help: 'Scan time (worker round trip included) by where the scan ran (cache: the report of the same bytes judged before)',
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
  if (options.spooled) {
    const spooled = options.spooled;
    new Gauge({
      name: 'picklegate_spooled_bytes',
      help: 'Bytes of spool quota held by large bodies now',
      registers: [registry],
      collect() {
        this.set(spooled());
      },
    });
  }

  // label children, made once per label set (prom-client hashes the labels object at every call otherwise)
  const scanCounters = new Map<string, { inc(): void }>();
  const durations = { inline: duration.labels('inline'), worker: duration.labels('worker'), cache: duration.labels('cache') };
  return {
    registry,
    observeScan({ report, scanMs, queueMs, where }, policy) {
      const key = `${report.verdict}\0${policy.name}\0${report.accepted}`;
      let counter = scanCounters.get(key);
      if (!counter) scanCounters.set(key, (counter = scans.labels(report.verdict, policy.name, String(report.accepted))));
      counter.inc();
      durations[where].observe(scanMs / 1000);
      if (where === 'worker') queue.observe(queueMs / 1000);
      bytes.inc(report.size);
      if (!report.accepted) for (const code of rejectionCodes(report)) rejections.inc({ code });
    },
    observeError(status) {
      errors.inc({ status: String(status) });
    },
  };
}
