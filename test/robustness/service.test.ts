/**
 * Service robustness not covered by test/server/hostile.test.ts (disconnect mid-body, short body,
 * chunked over the cap, slow headers), app.test.ts (503 + Retry-After at the bound) and
 * shutdown.test.ts (SIGTERM with one in-flight request): SIGTERM under concurrent load.
 */
import * as http from 'node:http';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { OCTET, ROOT, osSystem, startBuiltService, waitFor } from '../server/support';

/** The first 20 wire bodies samples/manifest.json expects mxnet-optimizer (the service's default policy) to accept. */
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'samples/manifest.json'), 'utf8')) as { samples: { file: string; category: string; expect: Record<string, string> }[] };
const legit = manifest.samples
  .filter((s) => s.category === 'mxnet-wire' && s.expect['mxnet-optimizer'] === 'safe')
  .slice(0, 20)
  .map((s) => readFileSync(path.join(ROOT, 'samples', s.file)));

type Kind = 'benign' | 'malicious';
type Body = { accepted?: boolean; verdict?: string; error?: string } | null;
type Outcome = { kind: Kind; status: number; body: Body } | { kind: Kind; error: string };

let refused = 0; // 503 answers so far: one means the bound of 8 requests in flight is full
let release = (): void => undefined;
/** Bodies are sent in two parts: 50 bytes at once, the rest once the test releases them (after SIGTERM). */
const released = new Promise<void>((r) => (release = r));

function post(port: number, kind: Kind, body: Buffer): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/v1/gate', method: 'POST', agent: false, headers: { 'content-type': OCTET, 'content-length': body.length } }, (res) => {
      if (res.statusCode === 503) refused++;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        let parsed: Body = null;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = null; // asserted below: every answer must be a JSON body
        }
        resolve({ kind, status: res.statusCode ?? 0, body: parsed });
      });
      res.on('error', (e) => resolve({ kind, error: String(e) }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ kind, error: e.code ?? String(e) }));
    // half a body, so the admitted requests are still in flight when SIGTERM arrives
    req.write(body.subarray(0, 50));
    void released.then(() => req.end(body.subarray(50)));
  });
}

test('SIGTERM under concurrent load: every started request is answered with the verdict its body deserves, or refused; exit 0', async () => {
  expect(legit).toHaveLength(20);
  const svc = await startBuiltService({ PICKLEGATE_WORKERS: '1', PICKLEGATE_MAX_CONCURRENT_SCANS: '8', PICKLEGATE_SHUTDOWN_TIMEOUT_MS: '10000' });
  try {
    await underLoad(svc);
  } finally {
    release();
    if (svc.proc.exitCode === null && svc.proc.signalCode === null) svc.proc.kill('SIGKILL'); // never leave it running after a failure
  }
}, 60_000);

async function underLoad(svc: Awaited<ReturnType<typeof startBuiltService>>): Promise<void> {
  const port = Number(new URL(svc.url).port);
  const inflight: Promise<Outcome>[] = [];
  for (let i = 0; i < 60; i++) inflight.push(i % 2 === 1 ? post(port, 'malicious', osSystem()) : post(port, 'benign', legit[i % legit.length]!));
  // SIGTERM once the bound is full (a 503 came back): the 8 admitted requests are waiting for the rest of their bodies
  await waitFor(() => refused > 0, 30_000);
  svc.proc.kill('SIGTERM');
  await waitFor(() => svc.stdout().includes('"msg":"shutting down"'), 10_000);
  // more clients arrive after the signal; then every body is completed
  for (let i = 0; i < 20; i++) inflight.push(post(port, 'benign', legit[i % legit.length]!));
  release();
  const results = await Promise.all(inflight);
  const answered = results.filter((x): x is Extract<Outcome, { status: number }> => 'status' in x);
  const errors = results.filter((x): x is Extract<Outcome, { error: string }> => 'error' in x).map((x) => x.error);

  // Each answer matches its body: a benign optimizer is 200 accepted (safe), os.system is 422 rejected
  // (dangerous), and either may be refused with 503 (bound reached or draining). Never 200 for os.system,
  // never 422 for a legitimate optimizer, never a 5xx crash.
  const wrong = answered.filter(({ kind, status, body }) => {
    if (status === 503) return !body?.error;
    if (kind === 'benign') return !(status === 200 && body?.accepted === true && body.verdict === 'safe');
    return !(status === 422 && body?.accepted === false && body.verdict === 'dangerous');
  });
  expect(wrong).toEqual([]);
  // the 8 requests in flight when the signal came were answered with verdicts, of both kinds
  expect(answered.filter((x) => x.status !== 503).length).toBeGreaterThanOrEqual(8);
  expect(answered.some((x) => x.kind === 'benign' && x.status === 200)).toBe(true);
  expect(answered.some((x) => x.kind === 'malicious' && x.status === 422)).toBe(true);
  // refused connections after the listener closed, or sockets closed at drain time, are the only errors
  expect(errors.filter((e) => !['ECONNREFUSED', 'ECONNRESET', 'EPIPE'].includes(e))).toEqual([]);
  expect(await svc.exited).toBe(0);
}
