/**
 * Service robustness not covered by test/server/hostile.test.ts (disconnect mid-body, short body,
 * chunked over the cap, slow headers), app.test.ts (503 + Retry-After at the bound) and
 * shutdown.test.ts (SIGTERM with one in-flight request): SIGTERM under concurrent load.
 */
import * as http from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { OCTET, ROOT, osSystem, startBuiltService } from '../server/support';

const WIRE = path.join(ROOT, 'samples/mxnet/wire-py311');
const legit = readdirSync(WIRE).filter((f) => f.endsWith('.pkl')).slice(0, 20).map((f) => readFileSync(path.join(WIRE, f)));

function post(port: number, body: Buffer): Promise<{ status: number } | { error: string }> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/v1/gate', method: 'POST', agent: false, headers: { 'content-type': OCTET, 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
      res.on('error', (e) => resolve({ error: String(e) }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? String(e) }));
    // send in two parts so many requests are in flight when SIGTERM arrives
    req.write(body.subarray(0, 50));
    setTimeout(() => req.end(body.subarray(50)), 150);
  });
}

test('SIGTERM under concurrent load: every started request is answered or refused, exit 0', async () => {
  const svc = await startBuiltService({ PICKLEGATE_WORKERS: '1', PICKLEGATE_MAX_CONCURRENT_SCANS: '8', PICKLEGATE_SHUTDOWN_TIMEOUT_MS: '10000' });
  const port = Number(new URL(svc.url).port);
  const inflight: Promise<{ status: number } | { error: string }>[] = [];
  for (let i = 0; i < 60; i++) inflight.push(post(port, i % 4 === 3 ? osSystem() : legit[i % legit.length]!));
  await new Promise((r) => setTimeout(r, 60));
  svc.proc.kill('SIGTERM');
  // more clients arrive after the signal
  for (let i = 0; i < 20; i++) inflight.push(post(port, legit[i % legit.length]!));
  const results = await Promise.all(inflight);
  const statuses = results.filter((x): x is { status: number } => 'status' in x).map((x) => x.status);
  const errors = results.filter((x): x is { error: string } => 'error' in x).map((x) => x.error);
  // answers are verdicts (200 accepted, 422 rejected) or 503 (bound reached / draining); never a 5xx crash
  expect(statuses.filter((s) => ![200, 422, 503].includes(s))).toEqual([]);
  // refused connections after the listener closed, or sockets closed at drain time, are the only errors
  expect(errors.filter((e) => !['ECONNREFUSED', 'ECONNRESET', 'EPIPE'].includes(e))).toEqual([]);
  // the requests already in flight when the signal came were answered
  expect(statuses.length).toBeGreaterThanOrEqual(8);
  expect(await svc.exited).toBe(0);
}, 30_000);
