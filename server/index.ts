/**
 * picklegate/server: the express guard, and the pieces of the HTTP service for embedding.
 *
 * @example
 * import express from 'express';
 * import { pickleGuard } from 'picklegate/server';
 * const app = express();
 * app.post('/command', pickleGuard({ policy: 'mxnet-optimizer' }), (req, res) => res.sendStatus(204));
 */
export { pickleGuard, DEFAULT_MAX_BODY_BYTES } from './middleware';
export type { PickleGuardOptions, RejectContext } from './middleware';
export { Admission } from './admission';
export { InlineScanner, ScanPool } from './scan-pool';
export type { ScanPoolOptions } from './scan-pool';
export type { Scanner, ScanJob, ScanResult } from './scanner';
export { PICKLE_MEDIA_TYPES } from './body';
export type { Body } from './body';
export { Spooler, SpoolQuota, SpoolFile } from './spool';
export { VerdictCache } from './verdict-cache';
export type { VerdictCacheOptions } from './verdict-cache';
export type { BodyReport, ScanTiming } from './scan-body';
export { HttpError, errorHandler } from './errors';
export { forwardTo } from './forward';
export type { ForwardOptions } from './forward';
export { createApp } from './app';
export type { AppDeps, Service, ServiceState } from './app';
export { loadConfig, helpText, ConfigError, SETTINGS } from './config';
export type { Config } from './config';
export { loadPolicies } from './policies';
export { startService } from './serve';
export type { RunningService } from './serve';
export { openApiDocument } from './openapi';
