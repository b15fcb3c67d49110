/** Shared helpers for the server tests: bodies, configs, in-process services, child processes. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import pino from 'pino';
import { createApp } from '../../server/app';
import type { Service } from '../../server/app';
import { loadConfig } from '../../server/config';
import type { Config } from '../../server/config';
import { loadPolicies } from '../../server/policies';
import type { ScanResult, Scanner } from '../../server/scanner';
import { InlineScanner } from '../../server/scan-pool';
import type { Spooler } from '../../server/spool';

export const ROOT = path.resolve(__dirname, '..', '..');
export const DIST_MAIN = path.join(ROOT, 'dist', 'server', 'main.js');
export const DIST_WORKER = path.join(ROOT, 'dist', 'server', 'scan-worker.js');
export const OCTET = 'application/octet-stream';

/**
 * An MXNet 1.7 `SGD` optimizer exactly as `kvstore.set_optimizer` sends it (protocol 0, Python 3.11),
 * from the wire reference set. `idx2name` entries can be added to make it as large as a big model's.
 */
export function mxnetSgd(idx2nameEntries = 0): Buffer {
  const entries: string[] = [];
  for (let i = 0; i < idx2nameEntries; i++) entries.push(`I${i}\nVstage${i >> 4}_conv${i & 15}_weight\ns`);
  const text = [
    'ccopy_reg\n_reconstructor\np0\n(cmxnet.optimizer.optimizer\nSGD\np1\nc__builtin__\nobject\np2\nNtp3\nRp4\n(dp5\n',
    'Vrescale_grad\np6\nF1.0\nsVlr_scheduler\np7\nNsVlr\np8\nF0.01\nsVwd\np9\nF0.0\nsVlr_mult\np10\n(dp11\nsVwd_mult\np12\n(dp13\n',
    'sVbegin_num_update\np14\nI0\nsVnum_update\np15\nI0\nsV_all_index_update_counts\np16\n(dp17\nI0\n(dp18\nssV_index_update_count\np19\ng18\n',
    'sVclip_gradient\np20\nNsVmulti_precision\np21\nI00\nsVaggregate_num\np22\nI4\nsVidx2name\np23\n(dp24\n',
    entries.join(''),
    'sVsym_info\np25\n(tsVallow_np_array\np26\nI00\nsVmomentum\np27\nF0.0\nsVlazy_update\np28\nI01\nsb.',
  ].join('');
  return Buffer.from(text, 'latin1');
}

/** The textbook attack: `os.system(cmd)` at protocol 0. */
export function osSystem(cmd = 'echo pwned'): Buffer {
  return Buffer.from(`cos\nsystem\n(S'${cmd}'\ntR.`, 'latin1');
}

export const silentLogger = (): pino.Logger => pino({ level: 'silent' });

/** Defaults of the real service, with no workers and silent logs, plus overrides. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({ PICKLEGATE_SCAN_THREADS: '0', PICKLEGATE_LOG_LEVEL: 'silent' }), ...overrides };
}

export function makeService(overrides: Partial<Config> = {}, scanner: Scanner = new InlineScanner(), spooler?: Spooler): Service {
  const config = testConfig(overrides);
  return createApp({ config, policies: loadPolicies(config.policy, config.policyFiles), scanner, logger: silentLogger(), ...(spooler ? { spooler } : {}) });
}

/** A scanner that always throws (to prove internal errors fail closed). */
export const failingScanner: Scanner = {
  scan: async () => {
    throw new Error('secret internal detail /etc/passwd');
  },
  isReady: () => true,
  close: async () => {},
};

/** A scanner whose scans wait until `release()` (to fill the admission bound). */
export function gatedScanner(): Scanner & { release(): void; waiting(): number } {
  const inner = new InlineScanner();
  let waiters: (() => void)[] = [];
  return {
    async scan(job): Promise<ScanResult> {
      await new Promise<void>((r) => waiters.push(r));
      return inner.scan(job);
    },
    isReady: () => true,
    close: async () => {},
    release() {
      const w = waiters;
      waiters = [];
      w.forEach((r) => r());
    },
    waiting: () => waiters.length,
  };
}

/** Listens on 127.0.0.1:0; resolves with the server and its base URL. */
export async function listen(handler: http.RequestListener): Promise<{ server: http.Server; url: string; port: number }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { server, url: `http://127.0.0.1:${port}`, port };
}

export function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((r) => server.close(() => r()));
}

/** A port that was free a moment ago (nothing listens there now). */
export async function freePort(): Promise<number> {
  const { server, port } = await listen(() => {});
  await close(server);
  return port;
}

export const waitFor = async (cond: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

export interface Child {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

export function spawnNode(args: string[], env: NodeJS.ProcessEnv): Child {
  return spawnCmd(process.execPath, args, env);
}

export function spawnCmd(cmd: string, args: string[], env: NodeJS.ProcessEnv): Child {
  // PYTHONDONTWRITEBYTECODE: a python3 child importing samples/integrations must not write __pycache__ into the tree
  const proc = spawn(cmd, args, { env: { PATH: process.env.PATH, HOME: process.env.HOME, PYTHONDONTWRITEBYTECODE: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  return { proc, stdout: () => out, stderr: () => err, exited };
}

/** Starts the built service on a free port; resolves with its base URL once it logged `listening`. */
export async function startBuiltService(env: NodeJS.ProcessEnv): Promise<Child & { url: string }> {
  if (!existsSync(DIST_MAIN)) throw new Error('dist/server/main.js missing: run `npm run build` (pretest does)');
  const child = spawnNode([DIST_MAIN], { PICKLEGATE_PORT: '0', ...env });
  let port = 0;
  await waitFor(() => {
    const m = /"port":(\d+)[^\n]*"msg":"listening"/.exec(child.stdout());
    if (m) port = Number(m[1]);
    if (child.proc.exitCode !== null) throw new Error(`service exited: ${child.stderr()}`);
    return port > 0;
  }, 15_000);
  return { ...child, url: `http://127.0.0.1:${port}` };
}

/** Raw HTTP request with full control over headers and body pacing. */
export function rawRequest(
  url: string,
  opts: { method?: string; headers?: http.OutgoingHttpHeaders; path?: string },
): { req: http.ClientRequest; response: Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> } {
  const u = new URL(opts.path ?? '/', url);
  const req = http.request(u, { method: opts.method ?? 'POST', headers: opts.headers ?? {}, agent: false });
  const response = new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  return { req, response };
}
