/**
 * Builds the whole service from a Config (policies, scan pool, app, HTTP server with timeouts),
 * listens, and shuts down gracefully: stop accepting, mark not ready, let in-flight requests
 * finish, stop the workers.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createApp } from './app';
import type { Service } from './app';
import type { Config } from './config';
import { loadPolicies } from './policies';
import { ScanPool } from './scan-pool';

export interface RunningService extends Service {
  server: http.Server;
  pool: ScanPool;
  port: number;
  /** Resolves true when everything in flight finished in time, false when it had to cut connections. */
  shutdown(): Promise<boolean>;
}

export async function startService(config: Config, options: { logger?: Logger; workerFile?: string; clusterWorker?: boolean } = {}): Promise<RunningService> {
  const policies = loadPolicies(config.policy, config.policyFiles);
  const pool = new ScanPool({ size: config.scanThreads, thresholdBytes: config.scanThreadBytes, ...(options.workerFile ? { workerFile: options.workerFile } : {}) });
  await pool.whenReady();
  const service = createApp({ config, policies, scanner: pool, ...(options.logger ? { logger: options.logger } : {}), ...(options.clusterWorker ? { clusterWorker: true } : {}) });

  const server = http.createServer(service.app);
  server.requestTimeout = config.requestTimeoutMs;
  server.headersTimeout = config.headersTimeoutMs;
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  server.maxConnections = config.maxConnections;
  // Node checks request/headers timeouts on this interval; keep it below the smallest timeout.
  (server as http.Server & { connectionsCheckingInterval?: number }).connectionsCheckingInterval = Math.min(30_000, config.headersTimeoutMs);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<boolean> | null = null;
  const shutdown = (): Promise<boolean> => {
    closing ??= new Promise<boolean>((resolve) => {
      service.drain();
      const timer = setTimeout(() => {
        server.closeAllConnections();
        void pool.close().finally(() => resolve(false));
      }, config.shutdownTimeoutMs);
      server.close(() => {
        clearTimeout(timer);
        void pool.close().finally(() => resolve(true));
      });
      server.closeIdleConnections();
    });
    return closing;
  };

  return { ...service, server, pool, port, shutdown };
}
