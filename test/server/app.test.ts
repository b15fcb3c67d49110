/** The service's HTTP API in-process (supertest): every endpoint and error status. */
import request from 'supertest';
import { OCTET, failingScanner, gatedScanner, makeService, mxnetSgd, osSystem, waitFor } from './support';
import { PAGE_CSP } from '../../server/page/routes';

const TOKEN = 'test-token-0123456789abcdef';

describe('POST /v1/scan', () => {
  const { app } = makeService();

  test('200 with the report of an accepted MXNet optimizer', async () => {
    const res = await request(app).post('/v1/scan').set('Content-Type', OCTET).send(mxnetSgd());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ verdict: 'safe', accepted: true, policy: 'mxnet-optimizer', size: mxnetSgd().length });
    expect(res.body.requestId).toEqual(res.headers['x-request-id']);
    expect(res.body.timing).toMatchObject({ where: 'inline', queueMs: 0 });
    expect(res.body.globals.map((g: { module: string; name: string }) => `${g.module} ${g.name}`)).toContain('mxnet.optimizer.optimizer SGD');
  });

  test('200 with a rejected report (the scan endpoint reports, it does not gate)', async () => {
    const res = await request(app).post('/v1/scan').set('Content-Type', 'application/x-python-pickle').send(osSystem());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ verdict: 'dangerous', accepted: false });
    expect(res.body.findings.length).toBeGreaterThan(0);
  });

  test('?mode=gate answers 422 for a rejected body', async () => {
    const res = await request(app).post('/v1/scan?mode=gate').set('Content-Type', OCTET).send(osSystem());
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'rejected', accepted: false });
  });

  test('?policy= picks a built-in policy; an unknown one is 400', async () => {
    const ok = await request(app).post('/v1/scan?policy=default').set('Content-Type', OCTET).send(osSystem());
    expect(ok.body.policy).toBe('default');
    const bad = await request(app).post('/v1/scan?policy=nope').set('Content-Type', OCTET).send(osSystem());
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'unknown_policy' });
    expect(bad.body.policies).toEqual(expect.arrayContaining(['default', 'mxnet-optimizer']));
  });

  test('a Request-Id header from the client is echoed when well-formed', async () => {
    const res = await request(app).post('/v1/scan').set('Content-Type', OCTET).set('X-Request-Id', 'abc-123').send(mxnetSgd());
    expect(res.body.requestId).toBe('abc-123');
    for (const bad of ['a b', 'x'.repeat(200), '<script>']) {
      const res2 = await request(app).post('/v1/scan').set('Content-Type', OCTET).set('X-Request-Id', bad).send(mxnetSgd());
      expect(res2.body.requestId).not.toBe(bad);
      expect(res2.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('POST /v1/gate', () => {
  const { app } = makeService();

  test('200 accepted, report in the body', async () => {
    const res = await request(app).post('/v1/gate').set('Content-Type', OCTET).send(mxnetSgd());
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(true);
  });

  test('422 rejected, report in the body', async () => {
    const res = await request(app).post('/v1/gate').set('Content-Type', OCTET).send(osSystem());
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'rejected', verdict: 'dangerous', accepted: false });
    expect(res.body.findings.map((f: { code: string }) => f.code)).toEqual(expect.arrayContaining([expect.any(String)]));
  });

  test('400 for an empty body', async () => {
    const res = await request(app).post('/v1/gate').set('Content-Type', OCTET).send(Buffer.alloc(0));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'empty_body' });
  });

  test('415 for a wrong or missing Content-Type', async () => {
    for (const type of ['application/json', 'text/plain', 'application/x-www-form-urlencoded']) {
      const res = await request(app).post('/v1/gate').set('Content-Type', type).send('x');
      expect(res.status).toBe(415);
      expect(res.body).toMatchObject({ error: 'unsupported_media_type' });
    }
    const none = await request(app).post('/v1/gate').send(mxnetSgd());
    expect(none.status).toBe(415);
  });

  test('Content-Type parameters and case are ignored', async () => {
    const res = await request(app).post('/v1/gate').set('Content-Type', 'Application/Octet-Stream; charset=binary').send(mxnetSgd());
    expect(res.status).toBe(200);
  });

  test('413 for a declared Content-Length above the cap', async () => {
    const small = makeService({ maxBodyBytes: 100 });
    const res = await request(small.app).post('/v1/gate').set('Content-Type', OCTET).send(Buffer.alloc(101, 0x61));
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: 'payload_too_large', maxBodyBytes: 100 });
    expect(res.headers.connection).toBe('close');
  });

  test('405 for another method on a scan endpoint, 404 elsewhere', async () => {
    const get = await request(app).get('/v1/gate');
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    const missing = await request(app).get('/nope');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: 'not_found' });
  });

  test('POST /v1/forward is 404 without an upstream', async () => {
    const res = await request(app).post('/v1/forward').set('Content-Type', OCTET).send(mxnetSgd());
    expect(res.status).toBe(404);
  });
});

describe('fail closed', () => {
  test('500 with an opaque message and a request id when the scanner throws', async () => {
    const { app } = makeService({}, failingScanner);
    const res = await request(app).post('/v1/gate').set('Content-Type', OCTET).send(mxnetSgd());
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'internal', message: 'internal error', requestId: expect.any(String) });
    expect(res.text).not.toMatch(/secret|passwd|at .*\.ts/);
  });

  test('503 with Retry-After when the concurrent-scan bound is reached', async () => {
    const scanner = gatedScanner();
    const { app, admission } = makeService({ maxConcurrentScans: 2, retryAfterSeconds: 3 }, scanner);
    const agent = request(app);
    const first = agent.post('/v1/gate').set('Content-Type', OCTET).send(mxnetSgd()).then((r) => r);
    const second = agent.post('/v1/gate').set('Content-Type', OCTET).send(mxnetSgd()).then((r) => r);
    await waitFor(() => scanner.waiting() === 2);
    const third = await agent.post('/v1/gate').set('Content-Type', OCTET).send(mxnetSgd());
    expect(third.status).toBe(503);
    expect(third.headers['retry-after']).toBe('3');
    expect(third.body).toMatchObject({ error: 'overloaded' });
    scanner.release();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    expect(admission.inFlight).toBe(0);
    // another body (the same one again would be answered from the verdict cache, without the scanner)
    const fourth = agent.post('/v1/gate').set('Content-Type', OCTET).send(mxnetSgd(1)).then((r) => r);
    await waitFor(() => scanner.waiting() === 1);
    scanner.release();
    expect((await fourth).status).toBe(200);
  });
});

describe('auth', () => {
  const { app } = makeService({ tokens: [TOKEN, 'another-token-abcdefghijkl'] });

  test('401 with WWW-Authenticate without a token or with a wrong one', async () => {
    for (const auth of [undefined, 'Bearer wrong', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, 'Bearer ']) {
      const req = request(app).post('/v1/gate').set('Content-Type', OCTET);
      if (auth !== undefined) req.set('Authorization', auth);
      const res = await req.send(mxnetSgd());
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
      expect(res.body).toMatchObject({ error: 'unauthorized', message: 'authentication required' });
    }
  });

  test('every configured token works; health, readiness and metrics stay open', async () => {
    for (const token of [TOKEN, 'another-token-abcdefghijkl']) {
      const res = await request(app).post('/v1/gate').set('Authorization', `Bearer ${token}`).set('Content-Type', OCTET).send(mxnetSgd());
      expect(res.status).toBe(200);
    }
    expect((await request(app).get('/v1/policies')).status).toBe(401);
    expect((await request(app).get('/healthz')).status).toBe(200);
    expect((await request(app).get('/readyz')).status).toBe(200);
    expect((await request(app).get('/metrics')).status).toBe(200);
  });
});

describe('operational endpoints', () => {
  test('healthz, readyz (503 while draining), the API security headers', async () => {
    const { app, state } = makeService();
    const live = await request(app).get('/healthz');
    expect(live.status).toBe(200);
    expect(live.headers['x-content-type-options']).toBe('nosniff');
    expect(live.headers['cache-control']).toBe('no-store');
    expect(live.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(live.headers['x-frame-options']).toBe('DENY');
    // helmet's headers for HTML documents are the page's, not the API's
    expect(live.headers['cross-origin-opener-policy']).toBeUndefined();
    expect(live.headers['strict-transport-security']).toBeUndefined();
    expect(live.headers['x-powered-by']).toBeUndefined();
    // the page: helmet's headers, and its own Content-Security-Policy and caching
    const page = await request(app).get('/');
    expect(page.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(page.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(page.headers['content-security-policy']).toBe(PAGE_CSP);
    expect(page.headers['cache-control']).toBe('no-cache');
    const missing = await request(app).get('/page/toString');
    expect(missing.status).toBe(404);
    expect(missing.headers['cache-control']).toBe('no-store');
    expect(missing.headers['cross-origin-opener-policy']).toBeUndefined();
    expect((await request(app).get('/readyz')).body).toMatchObject({ status: 'ready', policy: 'mxnet-optimizer' });
    state.draining = true;
    const draining = await request(app).get('/readyz');
    expect(draining.status).toBe(503);
    expect(draining.body.status).toBe('draining');
    expect(draining.headers.connection).toBe('close');
  });

  test('GET /v1/policies lists built-ins with descriptions and rule counts', async () => {
    const { app } = makeService();
    const res = await request(app).get('/v1/policies');
    expect(res.status).toBe(200);
    expect(res.body.default).toBe('mxnet-optimizer');
    const names = res.body.policies.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(['default', 'mxnet-optimizer', 'mxnet-states']));
    for (const p of res.body.policies) expect(p).toMatchObject({ description: expect.any(String), rules: expect.any(Number), source: 'built-in' });
  });

  test('GET /openapi.json documents every endpoint', async () => {
    const { app } = makeService();
    const res = await request(app).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths).sort()).toEqual(['/healthz', '/metrics', '/openapi.json', '/readyz', '/v1/forward', '/v1/gate', '/v1/policies', '/v1/scan']);
  });

  test('GET /metrics counts scans, rejections, bytes and error statuses on its own registry', async () => {
    const { app } = makeService({ maxBodyBytes: 10_000 });
    await request(app).post('/v1/gate').set('Content-Type', OCTET).send(mxnetSgd());
    await request(app).post('/v1/gate').set('Content-Type', OCTET).send(osSystem());
    await request(app).post('/v1/gate').set('Content-Type', OCTET).send(Buffer.alloc(10_001, 0x61));
    await request(app).post('/v1/gate').set('Content-Type', 'text/plain').send('x');
    const res = await request(app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.text;
    expect(text).toMatch(/picklegate_scans_total\{verdict="safe",policy="mxnet-optimizer",accepted="true"\} 1/);
    expect(text).toMatch(/picklegate_scans_total\{verdict="dangerous",policy="mxnet-optimizer",accepted="false"\} 1/);
    expect(text).toMatch(/picklegate_rejections_total\{code="[A-Z_]+"\} 1/);
    expect(text).toContain(`picklegate_scanned_bytes_total ${mxnetSgd().length + osSystem().length}`);
    expect(text).toMatch(/picklegate_http_errors_total\{status="413"\} 1/);
    expect(text).toMatch(/picklegate_http_errors_total\{status="415"\} 1/);
    expect(text).toMatch(/picklegate_scan_duration_seconds_count\{where="inline"\} 2/);
    expect(text).toMatch(/picklegate_scans_in_flight 0/);
    // Its own registry: a second service starts from zero.
    const other = await request(makeService().app).get('/metrics');
    expect(other.text).not.toMatch(/picklegate_scans_total\{/);
  });
});

describe('logs', () => {
  test('one JSON line per request with id, status, verdict and codes; never body bytes or the token', async () => {
    const { Writable } = await import('node:stream');
    const pino = (await import('pino')).default;
    const { createApp } = await import('../../server/app');
    const { loadPolicies } = await import('../../server/policies');
    const { testConfig } = await import('./support');
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        cb();
      },
    });
    const config = testConfig({ tokens: [TOKEN] });
    const { InlineScanner } = await import('../../server/scan-pool');
    const { app } = createApp({ config, policies: loadPolicies(config.policy, []), scanner: new InlineScanner(), logger: pino({ level: 'info' }, sink) });
    const marker = `S'MARKER-${'Q'.repeat(20)}'\n`;
    const body = Buffer.from(`cos\nsystem\n(${marker}tR.`, 'latin1');
    const res = await request(app).post('/v1/gate').set('Authorization', `Bearer ${TOKEN}`).set('Content-Type', OCTET).send(body);
    expect(res.status).toBe(422);
    await new Promise((r) => setImmediate(r));
    const entry = lines.map((l) => JSON.parse(l) as Record<string, any>).find((e) => e.req?.url === '/v1/gate');
    expect(entry).toBeDefined();
    expect(entry!.req.id).toBe(res.body.requestId);
    expect(entry!.res.statusCode).toBe(422);
    expect(entry!.scan).toMatchObject({ verdict: 'dangerous', accepted: false, size: body.length, codes: expect.arrayContaining([expect.any(String)]) });
    expect(typeof entry!.responseTime).toBe('number');
    const all = lines.join('\n');
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain('Q'.repeat(20));
  });
});

describe('query parameters', () => {
  const { app } = makeService();
  const post = (q: string) => request(app).post(q).set('Content-Type', OCTET).send(mxnetSgd());

  test('a repeated policy, mode or name is 400 bad_request, not an unknown policy', async () => {
    for (const q of ['/v1/gate?policy=default&policy=default', '/v1/scan?mode=gate&mode=gate', '/v1/scan?name=a.pkl&name=b.pkl']) {
      const res = await post(q);
      expect({ q, status: res.status, error: res.body.error }).toEqual({ q, status: 400, error: 'bad_request' });
      expect(res.body.message).toMatch(/given more than once/);
    }
  });

  test('an unknown mode is 400; /v1/gate takes mode=gate only', async () => {
    for (const q of ['/v1/scan?mode=strict', '/v1/scan?mode=', '/v1/gate?mode=scan', '/v1/gate?mode=report']) {
      const res = await post(q);
      expect({ q, status: res.status, error: res.body.error }).toEqual({ q, status: 400, error: 'bad_request' });
      expect(res.body.message).toMatch(/mode/);
    }
    expect((await post('/v1/scan?mode=scan')).status).toBe(200);
    expect((await post('/v1/gate?mode=gate')).status).toBe(200);
  });

  test('?name= names the body in the answer and in finding paths; a path or control characters are 400', async () => {
    const res = await request(app).post('/v1/scan?policy=default&name=model.pkl').set('Content-Type', OCTET).send(osSystem());
    expect(res.body.path).toBe('model.pkl');
    expect(res.body.findings.every((f: { path: string[] }) => f.path[0] === 'model.pkl')).toBe(true);
    for (const bad of ['a/b.pkl', '..%2Fx', 'x%00y', '']) {
      const r = await post(`/v1/scan?name=${bad}`);
      expect({ bad, status: r.status }).toEqual({ bad, status: 400 });
    }
  });
});

describe('answers', () => {
  const { app } = makeService();

  test('415 lists the media types under acceptedTypes (never under the report\'s boolean key accepted)', async () => {
    const res = await request(app).post('/v1/gate').set('Content-Type', 'text/plain').send('x');
    expect(res.status).toBe(415);
    expect(res.body.acceptedTypes).toEqual(['application/octet-stream', 'application/x-python-pickle']);
    expect(res.body).not.toHaveProperty('accepted');
  });

  test('the CLI\'s per-file shape: format, members, findings with paths, most severe first', async () => {
    const body = Buffer.from(`(cos\nsystem\n(S'id'\ntRcfoo\nbar\n(tRl.`, 'latin1');
    const res = await request(app).post('/v1/scan?policy=default').set('Content-Type', OCTET).send(body);
    expect(res.body).toMatchObject({ path: 'body.pkl', format: 'pickle', policy: 'default', members: [], accepted: false, verdict: 'dangerous' });
    const ranks = res.body.findings.map((f: { severity: string }) => ({ info: 0, suspicious: 1, dangerous: 2 })[f.severity]!);
    expect(ranks.length).toBeGreaterThan(1);
    expect([...ranks].sort((a: number, b: number) => b - a)).toEqual(ranks);
    expect(res.body.findings.every((f: { path?: string[] }) => Array.isArray(f.path) && f.path[0] === 'body.pkl')).toBe(true);
  });

  test('a PyTorch zip under default: opened like the CLI opens it (members with paths)', async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { ROOT } = await import('./support');
    const dir = join(ROOT, 'samples', 'containers');
    const name = readdirSync(dir).find((f) => /^torch.*benign.*\.pt$|^torch_zip.*\.pt$/.test(f)) ?? readdirSync(dir).find((f) => f.endsWith('.pt'))!;
    const { scanFile } = await import('../../src');
    const cli = await scanFile(join(dir, name), { policy: 'default' });
    const res = await request(app).post(`/v1/scan?policy=default&name=${name}`).set('Content-Type', OCTET).send(readFileSync(join(dir, name)));
    expect(res.body).toMatchObject({ format: cli.format, verdict: cli.verdict, accepted: cli.accepted });
    expect(res.body.members.length).toBe(cli.members.length);
  });

  test('Prefer: return=minimal: the verdict, the decision and the findings, as in the whole answer, and nothing else', async () => {
    const fields = ['requestId', 'path', 'format', 'size', 'verdict', 'accepted', 'policy', 'findings', 'timeMs', 'timing'];
    for (const [route, body, status] of [
      ['/v1/gate', mxnetSgd(), 200],
      ['/v1/gate', osSystem(), 422],
      ['/v1/gate/', osSystem(), 422],
      ['/v1/scan', osSystem(), 200],
      ['/v1/scan?mode=gate', osSystem(), 422],
      ['/v1/scan/?policy=default', osSystem(), 200],
    ] as const) {
      const whole = await request(app).post(route).set('Content-Type', OCTET).send(body);
      for (const prefer of ['return=minimal', 'respond-async, RETURN="minimal"; x=1']) {
        const min = await request(app).post(route).set('Content-Type', OCTET).set('Prefer', prefer).send(body);
        expect([route, min.status, whole.status]).toEqual([route, status, status]);
        expect(min.headers['preference-applied']).toBe('return=minimal');
        expect(Object.keys(min.body)).toEqual(status === 422 ? ['error', 'message', ...fields] : fields);
        for (const k of ['path', 'format', 'size', 'verdict', 'accepted', 'policy', 'findings', 'error', 'message']) expect([k, min.body[k]]).toEqual([k, whole.body[k]]);
      }
      expect(whole.headers['preference-applied']).toBeUndefined();
    }
    // other preferences, or return=minimal as a parameter of another one, leave the whole answer
    for (const prefer of ['return=representation', 'respond-async; return=minimal', 'return=minimalist']) {
      const res = await request(app).post('/v1/gate').set('Content-Type', OCTET).set('Prefer', prefer).send(osSystem());
      expect(res.status).toBe(422);
      expect(res.headers['preference-applied']).toBeUndefined();
      expect(res.body).toHaveProperty('globals');
      expect(res.body).toHaveProperty('calls');
    }
  });

  test('the lean scan routes answer as the express stack does: same status, headers and body', async () => {
    // `/v1/gate/` (trailing slash) is routed by express to the same guard; `/v1/gate` takes the lean path
    for (const [body, status] of [
      [mxnetSgd(), 200],
      [osSystem(), 422],
    ] as const) {
      const lean = await request(app).post('/v1/gate').set('Content-Type', OCTET).set('X-Request-Id', 'same-id').send(body);
      const full = await request(app).post('/v1/gate/').set('Content-Type', OCTET).set('X-Request-Id', 'same-id').send(body);
      expect([lean.status, full.status]).toEqual([status, status]);
      const headers = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).filter(([k]) => k !== 'date' && k !== 'content-length'));
      expect(headers(lean.headers)).toEqual(headers(full.headers));
      const strip = (b: Record<string, unknown>) => ({ ...b, timing: undefined, timeMs: undefined });
      expect(strip(lean.body)).toEqual(strip(full.body));
    }
    // the minimal answer (Prefer: return=minimal), lean and express alike
    for (const [body, status] of [
      [mxnetSgd(), 200],
      [osSystem(), 422],
    ] as const) {
      const send = (p: string) => request(app).post(p).set('Content-Type', OCTET).set('X-Request-Id', 'same-id').set('Prefer', 'return=minimal').send(body);
      const [lean, full] = [await send('/v1/gate'), await send('/v1/gate/')];
      expect([lean.status, full.status]).toEqual([status, status]);
      const headers = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).filter(([k]) => k !== 'date' && k !== 'content-length'));
      expect(headers(lean.headers)).toEqual(headers(full.headers));
      expect(lean.headers['preference-applied']).toBe('return=minimal');
      const strip = (b: Record<string, unknown>) => ({ ...b, timing: undefined, timeMs: undefined });
      expect(strip(lean.body)).toEqual(strip(full.body));
    }
    for (const type of ['text/plain', undefined]) {
      const send = (p: string) => (type ? request(app).post(p).set('Content-Type', type) : request(app).post(p)).set('X-Request-Id', 'same-id').send('x');
      const [lean, full] = [await send('/v1/scan'), await send('/v1/scan/')];
      expect(lean.status).toBe(415);
      expect(lean.headers).toEqual({ ...full.headers, date: lean.headers.date });
      expect(lean.body).toEqual(full.body);
    }
  });
});

describe('metrics right after start', () => {
  test('event-loop delay gauges are numbers (0 before the first sample), never 9223372036 s or NaN', async () => {
    const { app } = makeService();
    for (let i = 0; i < 2; i++) {
      const text = (await request(app).get('/metrics')).text;
      const lines = text.split('\n').filter((l) => /^picklegate_nodejs_eventloop_lag_\w+_seconds /.test(l));
      expect(lines.length).toBe(7);
      for (const l of lines) {
        const v = Number(l.split(' ')[1]);
        expect({ l, finite: Number.isFinite(v) && v >= 0 && v < 60 }).toEqual({ l, finite: true });
      }
    }
  });
});
