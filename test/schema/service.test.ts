/**
 * Real answers of the service validate against the OpenAPI document it serves: the body schema the
 * document declares for that path, method and status (closed: a field the document lacks fails), and
 * the headers it promises. Every sample goes through /v1/scan; gate, forward, the status documents
 * and every error status are provoked.
 */
import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as path from 'node:path';
import request from 'supertest';
import type { Response } from 'supertest';
import { InlineScanner } from '../../server';
import type { ScanResult, Scanner } from '../../server';
import { OCTET, close, failingScanner, freePort, gatedScanner, listen, makeService, mxnetSgd, osSystem, waitFor } from '../server/support';
import { OpenApiValidator, errorBodyValidator, explain } from './support';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { POLICIES, sampleFiles } = require('../snapshots/snapshot-files.js') as { POLICIES: string[]; sampleFiles: (root: string) => string[] };

const ROOT = path.resolve(__dirname, '../..');
const TOKEN = 'schema-test-token-0123456789';
const doc = new OpenApiValidator();

function check(p: string, method: string, res: Response, mediaType = 'application/json'): void {
  doc.check(p, method, res.status, mediaType === 'application/json' ? res.body : res.text, res.headers, mediaType);
}

describe('every sample through POST /v1/scan, under every policy', () => {
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    const { app } = makeService({ maxBodyBytes: 64 * 1024 * 1024 });
    ({ server, url } = await listen(app));
  });
  afterAll(() => close(server));

  test.each(POLICIES)('%s', async (policy) => {
    const statuses = new Map<number, number>();
    const bad: string[] = [];
    for (const f of sampleFiles(ROOT)) {
      const res = await fetch(`${url}/v1/scan?policy=${policy}`, { method: 'POST', headers: { 'Content-Type': OCTET }, body: fs.readFileSync(path.join(ROOT, 'samples', f)) });
      const body: unknown = await res.json();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      try {
        doc.check('/v1/scan', 'post', res.status, body, Object.fromEntries(res.headers));
      } catch (e) {
        bad.push(`${f}: ${(e as Error).message}`);
      }
    }
    expect(bad.slice(0, 3)).toEqual([]);
    expect(statuses.get(200)).toBeGreaterThan(600);
  });
});

describe('scan and gate answers', () => {
  const { app } = makeService();

  test('scan: accepted and rejected reports (200), mode=gate rejection (422)', async () => {
    check('/v1/scan', 'post', await request(app).post('/v1/scan').set('Content-Type', OCTET).send(mxnetSgd()));
    check('/v1/scan', 'post', await request(app).post('/v1/scan').set('Content-Type', OCTET).send(osSystem()));
    const gated = await request(app).post('/v1/scan?mode=gate').set('Content-Type', OCTET).send(osSystem());
    expect(gated.status).toBe(422);
    check('/v1/scan', 'post', gated);
  });

  test('gate: 200 accepted, 422 rejected', async () => {
    const ok = await request(app).post('/v1/gate?policy=mxnet-optimizer').set('Content-Type', OCTET).send(mxnetSgd());
    expect(ok.status).toBe(200);
    check('/v1/gate', 'post', ok);
    const no = await request(app).post('/v1/gate').set('Content-Type', 'application/x-python-pickle').send(osSystem());
    expect(no.status).toBe(422);
    check('/v1/gate', 'post', no);
  });

  test('minimal answers (Prefer: return=minimal): 200 and 422 of scan and gate', async () => {
    for (const [p, body, status] of [
      ['/v1/scan', osSystem(), 200],
      ['/v1/scan?mode=gate', osSystem(), 422],
      ['/v1/gate?policy=mxnet-optimizer', mxnetSgd(), 200],
      ['/v1/gate', osSystem(), 422],
    ] as const) {
      const res = await request(app).post(p).set('Content-Type', OCTET).set('Prefer', 'return=minimal').send(body);
      expect(res.status).toBe(status);
      expect(res.body).not.toHaveProperty('globals');
      check(p.split('?')[0]!, 'post', res);
    }
  });

  test('status documents: policies, healthz, readyz (200 and 503), metrics, openapi.json', async () => {
    const svc = makeService();
    check('/v1/policies', 'get', await request(svc.app).get('/v1/policies'));
    check('/healthz', 'get', await request(svc.app).get('/healthz'));
    check('/readyz', 'get', await request(svc.app).get('/readyz'));
    check('/metrics', 'get', await request(svc.app).get('/metrics'), 'text/plain');
    check('/openapi.json', 'get', await request(svc.app).get('/openapi.json'));
    svc.drain();
    const draining = await request(svc.app).get('/readyz');
    expect(draining.status).toBe(503);
    check('/readyz', 'get', draining);
  });
});

describe('error answers', () => {
  const { app } = makeService();
  const post = (p: string, type = OCTET) => request(app).post(p).set('Content-Type', type);

  test('400 empty_body and unknown_policy', async () => {
    for (const p of ['/v1/scan', '/v1/gate']) {
      const empty = await post(p).send(Buffer.alloc(0));
      expect([empty.status, empty.body.error]).toEqual([400, 'empty_body']);
      check(p, 'post', empty);
      const unknown = await post(`${p}?policy=nope`).send(mxnetSgd());
      expect([unknown.status, unknown.body.error]).toEqual([400, 'unknown_policy']);
      check(p, 'post', unknown);
    }
  });

  test('401 without a token', async () => {
    const guarded = makeService({ tokens: [TOKEN] });
    for (const p of ['/v1/scan', '/v1/gate', '/v1/forward']) {
      const res = await request(guarded.app).post(p).set('Content-Type', OCTET).send(mxnetSgd());
      expect(res.status).toBe(401);
      check(p, 'post', res);
    }
    const list = await request(guarded.app).get('/v1/policies');
    expect(list.status).toBe(401);
    check('/v1/policies', 'get', list);
  });

  test('413 and 415', async () => {
    const small = makeService({ maxBodyBytes: 100 });
    const big = await request(small.app).post('/v1/gate').set('Content-Type', OCTET).send(Buffer.alloc(101, 0x61));
    expect(big.status).toBe(413);
    check('/v1/gate', 'post', big);
    const type = await post('/v1/scan', 'application/json').send('{}');
    expect(type.status).toBe(415);
    check('/v1/scan', 'post', type);
  });

  test('404 (unknown path, forward without upstream) and 405', async () => {
    const forward = await post('/v1/forward').send(mxnetSgd());
    expect(forward.status).toBe(404);
    check('/v1/forward', 'post', forward);
    const v404 = errorBodyValidator(404);
    const missing = await request(app).get('/nope');
    expect(missing.status).toBe(404);
    if (!v404(missing.body)) throw new Error(explain(v404.errors, missing.body));
    const v405 = errorBodyValidator(405);
    for (const p of ['/v1/scan', '/v1/gate', '/v1/forward']) {
      const res = await request(app).get(p);
      expect([res.status, res.headers.allow]).toEqual([405, 'POST']);
      if (!v405(res.body)) throw new Error(explain(v405.errors, res.body));
    }
  });

  test('500 internal', async () => {
    const broken = makeService({}, failingScanner);
    const res = await request(broken.app).post('/v1/scan').set('Content-Type', OCTET).send(mxnetSgd());
    expect(res.status).toBe(500);
    check('/v1/scan', 'post', res);
  });

  test('a body that could not be checked at all: its error in a 200, and in a 422 as fileError (error stays "rejected")', async () => {
    const inline = new InlineScanner();
    const unreadable: Scanner = {
      async scan(job): Promise<ScanResult> {
        const r = await inline.scan(job);
        return { ...r, report: { ...r.report, verdict: 'suspicious', accepted: false, findings: [], error: { code: 'EIO', message: 'cannot read the spooled body' } } };
      },
      isReady: () => true,
      close: async () => {},
    };
    const svc = makeService({}, unreadable);
    const scanned = await request(svc.app).post('/v1/scan').set('Content-Type', OCTET).send(mxnetSgd());
    expect(scanned.status).toBe(200);
    expect(scanned.body.error).toEqual({ code: 'EIO', message: 'cannot read the spooled body' });
    check('/v1/scan', 'post', scanned);
    for (const prefer of ['return=representation', 'return=minimal']) {
      const gated = await request(svc.app).post('/v1/gate').set('Content-Type', OCTET).set('Prefer', prefer).send(mxnetSgd());
      expect(gated.status).toBe(422);
      expect(gated.body.error).toBe('rejected');
      expect(gated.body.fileError).toEqual({ code: 'EIO', message: 'cannot read the spooled body' });
      check('/v1/gate', 'post', gated);
    }
  });

  test('503 overloaded', async () => {
    const scanner = gatedScanner();
    const busy = makeService({ maxConcurrentScans: 1 }, scanner);
    const first = request(busy.app).post('/v1/gate').set('Content-Type', OCTET).send(mxnetSgd()).then((r) => r);
    await waitFor(() => scanner.waiting() === 1);
    const res = await request(busy.app).post('/v1/gate').set('Content-Type', OCTET).send(mxnetSgd());
    expect(res.status).toBe(503);
    check('/v1/gate', 'post', res);
    scanner.release();
    check('/v1/gate', 'post', await first);
  });

  test('forward: 422 rejected, 502 upstream down, 504 upstream silent', async () => {
    const down = makeService({ upstream: `http://127.0.0.1:${await freePort()}/` });
    const rejected = await request(down.app).post('/v1/forward').set('Content-Type', OCTET).send(osSystem());
    expect(rejected.status).toBe(422);
    check('/v1/forward', 'post', rejected);
    const gone = await request(down.app).post('/v1/forward').set('Content-Type', OCTET).send(mxnetSgd());
    expect(gone.status).toBe(502);
    check('/v1/forward', 'post', gone);
    const silent = await listen(() => {});
    try {
      const slow = makeService({ upstream: silent.url, upstreamTimeoutMs: 200 });
      const res = await request(slow.app).post('/v1/forward').set('Content-Type', OCTET).send(mxnetSgd());
      expect(res.status).toBe(504);
      check('/v1/forward', 'post', res);
    } finally {
      await close(silent.server);
    }
  });
});
