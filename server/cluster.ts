/**
 * Several service processes on one port (PICKLEGATE_WORKERS > 1), with node:cluster: the primary
 * forks the workers, each a whole service (its own scan threads, admission bound and spool quota),
 * and the primary hands them connections in turn. The primary restarts a worker that dies after it
 * started listening; a worker that cannot start stops the whole service with its exit code. On
 * SIGTERM/SIGINT the primary passes the signal on and exits once every worker has drained (0 when
 * all of them stopped cleanly, 1 otherwise). `/metrics` on any worker answers the sum over all
 * workers (prom-client's AggregatorRegistry, asked through the primary).
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { Config } from './config';

/** Messages between the primary and its workers (on the cluster IPC channel). */
type Message =
  | { picklegate: 'listening'; port: number }
  | { picklegate: 'metrics-request'; id: number }
  | { picklegate: 'metrics'; id: number; text?: string; contentType?: string; error?: string };

const isOurs = (m: unknown): m is Message => typeof m === 'object' && m !== null && typeof (m as { picklegate?: unknown }).picklegate === 'string';

/** Grace the primary adds to shutdownTimeoutMs before it kills workers that did not exit. */
const KILL_GRACE_MS = 5000;
/** Delay before a worker that died is replaced (a crash loop stays slow). */
const RESTART_DELAY_MS = 1000;

export interface Primary {
  /** Resolves with the exit code once every worker has exited after a signal (or a worker failed to start). */
  done: Promise<number>;
}

/** Runs the primary: forks `config.workers` workers and supervises them. */
export function runPrimary(config: Config, logger: Logger): Primary {
  const aggregator = new AggregatorRegistry();
  const started = new WeakSet<Worker>();
  let listening = 0;
  let stopping = false;
  let exitCode = 0;
  let finish: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (finish = resolve));

  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on('message', (m: unknown) => {
      if (!isOurs(m)) return;
      if (m.picklegate === 'listening') {
        started.add(worker);
        if (++listening === config.workers) logger.info({ host: config.host, port: m.port, workers: config.workers, policy: config.policy, pid: process.pid }, 'listening');
      } else if (m.picklegate === 'metrics-request') {
        aggregator.clusterMetrics().then(
          (text) => worker.isConnected() && worker.send({ picklegate: 'metrics', id: m.id, text, contentType: aggregator.contentType } satisfies Message),
          (err: Error) => worker.isConnected() && worker.send({ picklegate: 'metrics', id: m.id, error: err.message } satisfies Message),
        );
      }
    });
    return worker;
  };

  cluster.on('exit', (worker, code, signal) => {
    // a worker still starting when told to stop may die of the signal before it handles it: nothing was in flight
    const ok = (code === 0 && signal === null) || (stopping && !started.has(worker) && signal === 'SIGTERM');
    if (stopping) {
      if (!ok && exitCode === 0) exitCode = 1;
      if (Object.keys(cluster.workers ?? {}).length === 0) finish(exitCode);
      return;
    }
    if (!started.has(worker)) {
      // it never listened (bad policy file, port taken...): the others would fail alike
      logger.error({ worker: worker.id, code, signal }, 'worker could not start; stopping');
      stop(code === 2 ? 2 : 1);
      return;
    }
    listening--;
    logger.error({ worker: worker.id, code, signal }, 'worker died; starting another');
    setTimeout(() => {
      if (!stopping) fork();
    }, RESTART_DELAY_MS).unref();
  });

  const stop = (code: number): void => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    if (workers.length === 0) return finish(exitCode);
    for (const w of workers) w.process.kill('SIGTERM');
    setTimeout(() => {
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
      exitCode = 1;
    }, config.shutdownTimeoutMs + KILL_GRACE_MS).unref();
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    logger.info({ signal }, 'shutting down');
    stop(0);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  for (let i = 0; i < config.workers; i++) fork();
  return { done };
}

/** In a worker: tells the primary it listens. */
export function announceListening(port: number): void {
  process.send?.({ picklegate: 'listening', port } satisfies Message);
}

/** In a worker: the metrics of every worker, summed by the primary. Makes `registry` the one this worker reports. */
export function clusterMetrics(registry: Registry, timeoutMs = 10_000): () => Promise<{ text: string; contentType: string }> {
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry(); // installs the worker's answer to the primary's requests
  let nextId = 1;
  const waiting = new Map<number, (m: Extract<Message, { picklegate: 'metrics' }>) => void>();
  process.on('message', (m: unknown) => {
    if (isOurs(m) && m.picklegate === 'metrics') waiting.get(m.id)?.(m);
  });
  return () =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error('no metrics from the primary in time'));
      }, timeoutMs);
      waiting.set(id, (m) => {
        clearTimeout(timer);
        waiting.delete(id);
        if (m.error !== undefined || m.text === undefined) reject(new Error(m.error ?? 'no metrics'));
        else resolve({ text: m.text, contentType: m.contentType ?? registry.contentType });
      });
      process.send?.({ picklegate: 'metrics-request', id } satisfies Message);
    });
}
