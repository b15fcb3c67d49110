/** Forward mode against a local upstream: relay, 422 without contact, 502, 504, all-paths mode. */
import type * as http from 'node:http';
import request from 'supertest';
import { OCTET, close, freePort, listen, makeService, mxnetSgd, osSystem } from './support';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

async function upstream(respond: (seen: Seen, res: http.ServerResponse) => void = (_s, res) => res.end()) {
  const seen: Seen[] = [];
  const up = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) };
      seen.push(s);
      respond(s, res);
    });
  });
  return { ...up, seen };
}

describe('POST /v1/forward', () => {
  test('relays an accepted body unchanged and the upstream answer (status, headers, body) back', async () => {
    const up = await upstream((s, res) => {
      res.writeHead(201, { 'content-type': 'application/x-custom', 'x-upstream': 'yes' });
      res.end(`got ${s.body.length}`);
    });
    try {
      const { app } = makeService({ upstream: `${up.url}/command?x=1` });
      const body = mxnetSgd(200);
      const res = await request(app).post('/v1/forward?policy=mxnet-optimizer').set('Content-Type', OCTET).set('X-Trace', 't1').send(body);
      expect(res.status).toBe(201);
      expect(res.headers['x-upstream']).toBe('yes');
      expect(res.headers['content-type']).toBe('application/x-custom');
      expect(res.text).toBe(`got ${body.length}`);
      expect(up.seen).toHaveLength(1);
      expect(up.seen[0]!.body.equals(body)).toBe(true);
      expect(up.seen[0]!.url).toBe('/command?x=1');
      expect(up.seen[0]!.method).toBe('POST');
      expect(up.seen[0]!.headers['x-trace']).toBe('t1');
      expect(up.seen[0]!.headers['content-length']).toBe(String(body.length));
      expect(up.seen[0]!.headers['x-picklegate-verdict']).toBe('safe');
    } finally {
      await close(up.server);
    }
  });

  test('422 with the report for a rejected body; the upstream is never contacted', async () => {
    const up = await upstream();
    try {
      const { app } = makeService({ upstream: up.url });
      const res = await request(app).post('/v1/forward').set('Content-Type', OCTET).send(osSystem());
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ accepted: false, error: 'rejected' });
      const garbage = await request(app).post('/v1/forward').set('Content-Type', OCTET).send(Buffer.from('\x80\x05\x95garbage'));
      expect(garbage.status).toBe(422);
      // the minimal answer when asked for
      const minimal = await request(app).post('/v1/forward').set('Content-Type', OCTET).set('Prefer', 'return=minimal').send(osSystem());
      expect(minimal.status).toBe(422);
      expect(minimal.headers['preference-applied']).toBe('return=minimal');
      expect(minimal.body).toMatchObject({ accepted: false, error: 'rejected', findings: res.body.findings });
      expect(minimal.body).not.toHaveProperty('globals');
      expect(up.seen).toHaveLength(0);
    } finally {
      await close(up.server);
    }
  });

  test('the bearer token is checked and not passed on', async () => {
    const up = await upstream();
    try {
      const token = 'forward-token-0123456789';
      const { app } = makeService({ upstream: up.url, tokens: [token] });
      expect((await request(app).post('/v1/forward').set('Content-Type', OCTET).send(mxnetSgd())).status).toBe(401);
      const ok = await request(app).post('/v1/forward').set('Authorization', `Bearer ${token}`).set('Content-Type', OCTET).send(mxnetSgd());
      expect(ok.status).toBe(200);
      expect(up.seen).toHaveLength(1);
      expect(up.seen[0]!.headers.authorization).toBeUndefined();
    } finally {
      await close(up.server);
    }
  });

  test('502 when the upstream is down', async () => {
    const { app } = makeService({ upstream: `http://127.0.0.1:${await freePort()}/` });
    const res = await request(app).post('/v1/forward').set('Content-Type', OCTET).send(mxnetSgd());
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ error: 'bad_gateway', requestId: expect.any(String) });
  });

  test('504 when the upstream does not answer in time', async () => {
    const up = await upstream(() => {
      /* never answers */
    });
    try {
      const { app } = makeService({ upstream: up.url, upstreamTimeoutMs: 200 });
      const t0 = Date.now();
      const res = await request(app).post('/v1/forward').set('Content-Type', OCTET).send(mxnetSgd());
      expect(res.status).toBe(504);
      expect(res.body).toMatchObject({ error: 'gateway_timeout' });
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(up.seen).toHaveLength(1);
    } finally {
      await close(up.server);
    }
  });

  test('an internal scan error is 500 and never forwarded', async () => {
    const up = await upstream();
    try {
      const { failingScanner } = await import('./support');
      const { app } = makeService({ upstream: up.url }, failingScanner);
      const res = await request(app).post('/v1/forward').set('Content-Type', OCTET).send(mxnetSgd());
      expect(res.status).toBe(500);
      expect(up.seen).toHaveLength(0);
    } finally {
      await close(up.server);
    }
  });
});

describe('forwardAllPaths', () => {
  test('guards and forwards other paths keeping path and query; picklegate endpoints stay local', async () => {
    const up = await upstream((s, res) => res.end(`upstream ${s.url}`));
    try {
      const { app } = makeService({ upstream: `${up.url}/ignored`, forwardAllPaths: true });
      const ok = await request(app).put('/kv/command?id=0').set('Content-Type', OCTET).send(mxnetSgd());
      expect(ok.status).toBe(200);
      expect(ok.text).toBe('upstream /kv/command?id=0');
      expect(up.seen[0]!.method).toBe('PUT');
      const bad = await request(app).post('/anything').set('Content-Type', OCTET).send(osSystem());
      expect(bad.status).toBe(422);
      expect((await request(app).get('/healthz')).status).toBe(200);
      expect(up.seen).toHaveLength(1);
    } finally {
      await close(up.server);
    }
  });
});
