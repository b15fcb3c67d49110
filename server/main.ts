/**
 * `node dist/server/main.js`: the picklegate service. Exit codes: 0 after a clean shutdown,
 * 1 when in-flight requests had to be cut at shutdown or the server failed, 2 for bad configuration.
 * With PICKLEGATE_WORKERS > 1 this process is the cluster's primary and the service runs in its
 * workers (cluster.ts).
 */
import cluster from 'node:cluster';
import { createLogger } from './app';
import { announceListening, runPrimary } from './cluster';
import { ConfigError, helpText, loadConfig } from './config';
import { startService } from './serve';
import type { RunningService } from './serve';
import { VERSION } from './version';

async function main(argv: readonly string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(helpText());
    return;
  }
  if (argv.includes('--version')) {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  const unknown = argv.find((a) => a.startsWith('-'));
  if (unknown) {
    console.error(`picklegate: unknown option ${unknown} (see --help)`);
    process.exitCode = 2;
    return;
  }

  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`picklegate: invalid configuration: ${err.message}`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }

  if (config.workers > 1 && cluster.isPrimary) {
    const logger = createLogger(config, { role: 'primary' });
    const code = await runPrimary(config, logger).done;
    logger.info({ code }, 'stopped');
    exitAfterFlush(logger, code);
    return;
  }
  const worker = cluster.isWorker ? cluster.worker! : null;

  // Signal handlers first, so a SIGTERM that arrives during start-up is not fatal.
  let service: RunningService | undefined;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    if (!service) {
      process.exit(0);
    }
    const { logger } = service;
    logger.info({ signal }, 'shutting down');
    void service.shutdown().then((clean) => {
      logger.info({ clean }, 'stopped');
      exitAfterFlush(logger, clean ? 0 : 1);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // a worker whose primary is gone stops as if signalled
  if (worker) process.on('disconnect', () => onSignal('SIGTERM'));

  try {
    service = await startService(config, worker ? { clusterWorker: true, logger: createLogger(config, { worker: worker.id }) } : {});
  } catch (err) {
    const message = err instanceof ConfigError ? `invalid configuration: ${err.message}` : `cannot start: ${err instanceof Error ? err.message : String(err)}`;
    console.error(`picklegate: ${message}`);
    process.exit(err instanceof ConfigError ? 2 : 1);
  }
  service.logger.info(
    { host: config.host, port: service.port, policy: config.policy, upstream: config.upstream ?? null, scanThreads: service.pool.size, version: VERSION },
    'listening',
  );
  if (worker) announceListening(service.port);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`picklegate: fatal: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

/**
 * Exits once the logger's asynchronous destination has written what it holds (its batches are large:
 * a plain flush() then exit could drop the last lines, 'stopped' among them); after at most a second.
 */
function exitAfterFlush(logger: { flush(cb?: (err?: Error) => void): void }, code: number): void {
  let exited = false;
  const exit = (): void => {
    if (exited) return;
    exited = true;
    process.exit(code);
  };
  setTimeout(exit, 1000).unref();
  try {
    logger.flush(() => exit());
  } catch {
    exit();
  }
}
