/**
 * Service configuration: one table of settings, each readable from an environment variable or a
 * JSON config file (environment wins), validated with zod at start-up. A bad value is a ConfigError
 * whose message names the setting; `main` prints it and exits with code 2.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { z } from 'zod';
import { DEFAULT_CONTAINER_LIMITS, DEFAULT_LIMITS } from '../src';
import type { ContainerLimits, Limits } from '../src';
import { DEFAULT_CACHE_BODY_BYTES, DEFAULT_CACHE_ENTRIES } from './verdict-cache';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface Config {
  host: string;
  port: number;
  policy: string;
  policyFiles: string[];
  upstream: string | undefined;
  forwardAllPaths: boolean;
  upstreamTimeoutMs: number;
  maxBodyBytes: number;
  memoryBodyBytes: number;
  spoolDir: string;
  spoolQuotaBytes: number;
  maxConcurrentScans: number;
  retryAfterSeconds: number;
  workers: number;
  scanThreads: number;
  scanThreadBytes: number;
  scanCacheEntries: number;
  scanCacheBodyBytes: number;
  tokens: string[];
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  shutdownTimeoutMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  metrics: boolean;
  limits: Partial<Limits>;
  containerLimits: Partial<ContainerLimits>;
}

interface Setting {
  key: keyof Config;
  /** Environment variable, or null for settings only a config file can hold. */
  env: string | null;
  /** Default shown by --help. */
  shown: string;
  value: unknown;
  doc: string;
  /** Schema for a JSON value from the config file. */
  file: z.ZodType;
  /** Schema for the environment string. */
  fromEnv: z.ZodType;
}

type Kind = { file: z.ZodType; fromEnv: z.ZodType };

const int = (min: number, max: number): Kind => {
  const file = z.number({ error: 'must be a number' }).int({ error: 'must be an integer' }).min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` });
  return { file, fromEnv: z.string().trim().regex(/^-?[0-9]+$/, { error: 'must be an integer' }).transform(Number).pipe(file) };
};
const bool = (): Kind => ({ file: z.boolean({ error: 'must be true or false' }), fromEnv: z.stringbool({ error: 'must be true/false, 1/0, yes/no or on/off' }) });
const str = (schema: z.ZodType): Kind => ({ file: schema, fromEnv: schema });
const list = (item: z.ZodString): Kind => {
  const file = z.array(item, { error: 'must be a list' });
  return { file, fromEnv: z.string().transform((s) => s.split(',').map((t) => t.trim()).filter((t) => t.length > 0)).pipe(file) };
};
const upstreamUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

/** A count of processes: an integer from 1 to `max`, or `auto` (one per CPU). */
const processes = (max: number): Kind => {
  const file = z.union([z.literal('auto'), z.number().int().min(1).max(max)], { error: `must be auto or an integer from 1 to ${max}` });
  return { file, fromEnv: z.string().trim().transform((v) => (v === 'auto' ? v : /^[0-9]+$/.test(v) ? Number(v) : NaN)).pipe(file) };
};

const MS_DAY = 86_400_000;
const GiB = 1024 ** 3;
const cpuThreads = Math.min(2, availableParallelism());

const LIMIT_KEYS = Object.keys(DEFAULT_LIMITS) as (keyof Limits)[];
const LimitsSchema = z.strictObject(Object.fromEntries(LIMIT_KEYS.map((k) => [k, z.number().int().positive().optional()])) as Record<keyof Limits, z.ZodOptional<z.ZodNumber>>);
const CONTAINER_LIMIT_KEYS = Object.keys(DEFAULT_CONTAINER_LIMITS) as (keyof ContainerLimits)[];
const ContainerLimitsSchema = z.strictObject(
  Object.fromEntries(CONTAINER_LIMIT_KEYS.map((k) => [k, z.number().int().positive().optional()])) as Record<keyof ContainerLimits, z.ZodOptional<z.ZodNumber>>,
);

/** Largest body the service can be configured to take (1 TiB; bodies above memoryBodyBytes are spooled to disk). */
export const MAX_BODY_BYTES_CAP = 1024 * GiB;

function s(key: keyof Config, env: string | null, value: unknown, shown: string, kind: Kind, doc: string): Setting {
  return { key, env, value, shown, doc, ...kind };
}

/** Every setting, in --help order. */
export const SETTINGS: readonly Setting[] = [
  s('host', 'PICKLEGATE_HOST', '127.0.0.1', '127.0.0.1', str(z.string().min(1, { error: 'must not be empty' })), 'Address to listen on (0.0.0.0 or :: for every interface).'),
  s('port', 'PICKLEGATE_PORT', 8080, '8080', int(0, 65535), 'TCP port (0 picks a free one, logged at start-up).'),
  s('policy', 'PICKLEGATE_POLICY', 'mxnet-optimizer', 'mxnet-optimizer', str(z.string().min(1, { error: 'must not be empty' })), 'Default policy: a built-in name or the name of a policy from policyFiles.'),
  s('policyFiles', 'PICKLEGATE_POLICY_FILES', [], '(none)', list(z.string().min(1)), 'JSON policy files to preload (comma-separated); each is selectable by its name with ?policy=.'),
  s('upstream', 'PICKLEGATE_UPSTREAM', undefined, '(none)', { file: upstreamUrl, fromEnv: z.string().trim().transform((v) => v || undefined).pipe(upstreamUrl.optional()) }, 'Upstream URL for forward mode (POST /v1/forward relays accepted bodies there).'),
  s('forwardAllPaths', 'PICKLEGATE_FORWARD_ALL_PATHS', false, 'false', bool(), 'Also guard and forward every path that is not a picklegate endpoint (needs upstream); the path is kept.'),
  s('upstreamTimeoutMs', 'PICKLEGATE_UPSTREAM_TIMEOUT_MS', 30_000, '30000', int(1, MS_DAY), 'Time the upstream has to answer before 504.'),
  s('maxBodyBytes', 'PICKLEGATE_MAX_BODY_BYTES', 16 * 1024 * 1024, '16777216 (16 MiB)', int(1, MAX_BODY_BYTES_CAP), 'Largest accepted body, up to 1 TiB; larger → 413 before it is read. Bodies above memoryBodyBytes are spooled to a temporary file.'),
  s('memoryBodyBytes', 'PICKLEGATE_MEMORY_BODY_BYTES', 16 * 1024 * 1024, '16777216 (16 MiB)', int(0, 2 ** 30), 'Bodies up to this size are held in memory; larger ones are spooled to a private temporary file in spoolDir and scanned from it.'),
  s('spoolDir', 'PICKLEGATE_SPOOL_DIR', tmpdir(), 'the OS temporary directory', str(z.string().min(1, { error: 'must not be empty' })), 'Directory for spooled bodies (files of mode 0600, unlinked as soon as they are opened).'),
  s('spoolQuotaBytes', 'PICKLEGATE_SPOOL_QUOTA_BYTES', 16 * GiB, '17179869184 (16 GiB)', int(0, 64 * 1024 * GiB), 'Bytes all spooled bodies may take at once; a body that would pass it → 503 with Retry-After.'),
  s('maxConcurrentScans', 'PICKLEGATE_MAX_CONCURRENT_SCANS', 64, '64', int(1, 100_000), 'Requests read or scanned at once (per process); beyond → 503 with Retry-After.'),
  s('retryAfterSeconds', 'PICKLEGATE_RETRY_AFTER_SECONDS', 1, '1', int(0, 3600), 'Retry-After value of a 503.'),
  s('workers', 'PICKLEGATE_WORKERS', 1, '1', processes(1024), 'Service processes sharing the port (node:cluster): a number, or auto for one per CPU. 1 runs in this process.'),
  s('scanThreads', 'PICKLEGATE_SCAN_THREADS', cpuThreads, 'min(2, CPUs)', int(0, 64), 'Scan threads per process for large bodies (0: scan everything on the event loop).'),
  s('scanThreadBytes', 'PICKLEGATE_SCAN_THREAD_BYTES', 256 * 1024, '262144 (256 KiB)', int(0, 2 ** 31 - 1), 'Bodies at least this large (and every spooled body) are scanned in a scan thread.'),
  s('scanCacheEntries', 'PICKLEGATE_SCAN_CACHE_ENTRIES', DEFAULT_CACHE_ENTRIES, String(DEFAULT_CACHE_ENTRIES), int(0, 100_000), 'Bodies remembered by the verdict cache (exact bytes, policy and name); from its second sighting a body is answered with its kept report without another scan (timing.where cache); 0 turns the cache off.'),
  s('scanCacheBodyBytes', 'PICKLEGATE_SCAN_CACHE_BODY_BYTES', DEFAULT_CACHE_BODY_BYTES, `${DEFAULT_CACHE_BODY_BYTES} (64 KiB)`, int(0, 16 * 1024 * 1024), 'Largest body the verdict cache remembers; all its entries together take at most 64 MiB.'),
  s('tokens', 'PICKLEGATE_TOKENS', [], '(none: no auth)', list(z.string().min(16, { error: 'each token must have at least 16 characters' }).regex(/^[\x21-\x7e]+$/, { error: 'tokens must be printable ASCII without spaces' })), 'Bearer tokens (comma-separated); when set, /v1/* and forwarded paths need `Authorization: Bearer <token>`.'),
  s('requestTimeoutMs', 'PICKLEGATE_REQUEST_TIMEOUT_MS', 30_000, '30000', int(1, MS_DAY), 'Time a client has to send a whole request (slow uploads are cut).'),
  s('headersTimeoutMs', 'PICKLEGATE_HEADERS_TIMEOUT_MS', 10_000, '10000', int(1, MS_DAY), 'Time a client has to send the request headers (at most requestTimeoutMs).'),
  s('keepAliveTimeoutMs', 'PICKLEGATE_KEEP_ALIVE_TIMEOUT_MS', 5_000, '5000', int(0, MS_DAY), 'Idle time before a keep-alive connection is closed.'),
  s('maxConnections', 'PICKLEGATE_MAX_CONNECTIONS', 1024, '1024', int(1, 1_000_000), 'Open connections at once; more are refused by the server.'),
  s('shutdownTimeoutMs', 'PICKLEGATE_SHUTDOWN_TIMEOUT_MS', 10_000, '10000', int(0, MS_DAY), 'On SIGTERM/SIGINT: time in-flight requests get to finish before a forced exit (code 1).'),
  s('logLevel', 'PICKLEGATE_LOG_LEVEL', 'info', 'info', str(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be one of fatal, error, warn, info, debug, trace, silent' })), 'pino log level (JSON lines on stdout).'),
  s('metrics', 'PICKLEGATE_METRICS', true, 'true', bool(), 'Serve GET /metrics (Prometheus text format).'),
  s('limits', null, {}, '{}', { file: LimitsSchema, fromEnv: z.never() }, `Overrides of the scan limits (config file only): ${LIMIT_KEYS.join(', ')}.`),
  s('containerLimits', null, {}, '{}', { file: ContainerLimitsSchema, fromEnv: z.never() }, `Overrides of the container limits (config file only): ${CONTAINER_LIMIT_KEYS.join(', ')}.`),
];

/** Environment variable naming the JSON config file. */
export const CONFIG_ENV = 'PICKLEGATE_CONFIG';

/** The config file: every setting a file can hold, each optional (the schema readConfigFile and loadConfig apply, key by key). */
export function configFileSchema(): z.ZodObject {
  return z.strictObject(
    Object.fromEntries(
      SETTINGS.map((x) => [x.key, x.file.optional().describe(`${x.doc} ${x.env ? `Environment variable ${x.env} (wins over the file).` : 'Config file only.'} Default: ${x.shown}.`)]),
    ),
  );
}

/** The JSON Schema of the config file (docs/schemas/config.schema.json, written by `npm run schemas`). */
export function configJsonSchema(): Record<string, unknown> {
  const { $schema, ...body } = z.toJSONSchema(configFileSchema(), {
    target: 'draft-07',
    io: 'input',
    unrepresentable: 'throw',
    override({ jsonSchema }) {
      if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
      if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
    },
  });
  return {
    $schema,
    title: 'picklegate service config file',
    description: `The JSON file named by ${CONFIG_ENV} (docs/http-api.md#configuration). Generated from server/config.ts by \`npm run schemas\`; do not edit.`,
    ...body,
  };
}

function firstIssue(err: z.ZodError): string {
  const issue = err.issues[0]!;
  const where = issue.path.length > 0 ? ` (at ${issue.path.join('.')})` : '';
  return `${issue.message}${where}`;
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${CONFIG_ENV}: cannot read config file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(`${CONFIG_ENV}: config file ${file} is not valid JSON`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ConfigError(`${CONFIG_ENV}: config file ${file} must hold a JSON object`);
  const known = new Set(SETTINGS.map((x) => x.key as string));
  for (const k of Object.keys(json)) if (!known.has(k)) throw new ConfigError(`config file ${file}: unknown setting "${k}"`);
  return json as Record<string, unknown>;
}

/** Reads and validates the configuration. Throws ConfigError naming the first bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const configFile = env[CONFIG_ENV]?.trim();
  const fileValues = configFile ? readConfigFile(configFile) : {};
  const out: Record<string, unknown> = {};
  for (const setting of SETTINGS) {
    const fromEnv = setting.env ? env[setting.env] : undefined;
    if (fromEnv !== undefined) {
      const r = setting.fromEnv.safeParse(fromEnv);
      if (!r.success) throw new ConfigError(`${setting.env}: ${firstIssue(r.error)} (got ${JSON.stringify(fromEnv.length > 80 ? fromEnv.slice(0, 80) + '…' : fromEnv)})`);
      out[setting.key] = r.data;
    } else if (fileValues[setting.key] !== undefined) {
      const r = setting.file.safeParse(fileValues[setting.key]);
      if (!r.success) throw new ConfigError(`config file ${configFile}: "${setting.key}": ${firstIssue(r.error)}`);
      out[setting.key] = r.data;
    } else {
      out[setting.key] = setting.value;
    }
  }
  if (out.workers === 'auto') out.workers = availableParallelism();
  const config = out as unknown as Config;
  if (config.forwardAllPaths && !config.upstream) throw new ConfigError('PICKLEGATE_FORWARD_ALL_PATHS: needs PICKLEGATE_UPSTREAM');
  if (config.headersTimeoutMs > config.requestTimeoutMs) throw new ConfigError('PICKLEGATE_HEADERS_TIMEOUT_MS: must not exceed PICKLEGATE_REQUEST_TIMEOUT_MS');
  if (config.maxBodyBytes > config.memoryBodyBytes && config.spoolQuotaBytes < config.maxBodyBytes) {
    throw new ConfigError(`PICKLEGATE_SPOOL_QUOTA_BYTES: must be at least PICKLEGATE_MAX_BODY_BYTES (${config.maxBodyBytes}) when bodies above PICKLEGATE_MEMORY_BODY_BYTES are spooled`);
  }
  return config;
}

/** Text of `--help`: every setting with its variable, config key, default and meaning. */
export function helpText(): string {
  const lines = [
    'picklegate service: an HTTP gate that scans Python pickles before they reach a server.',
    '',
    'Usage: node dist/server/main.js [--help]',
    '',
    `Settings come from environment variables, or from a JSON config file named by ${CONFIG_ENV}`,
    '(keys as below; environment variables win). A bad value stops start-up with exit code 2.',
    '',
  ];
  for (const x of SETTINGS) {
    lines.push(`  ${x.env ?? '(config file only)'}${' '.repeat(Math.max(1, 36 - (x.env ?? '(config file only)').length))}key "${x.key}", default ${x.shown}`);
    lines.push(`      ${x.doc}`);
  }
  lines.push(`  ${CONFIG_ENV}${' '.repeat(36 - CONFIG_ENV.length)}path of the JSON config file`);
  return lines.join('\n') + '\n';
}
