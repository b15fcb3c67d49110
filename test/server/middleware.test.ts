/** pickleGuard as a library user mounts it: in front of their own handler. */
import * as http from 'node:http';
import express from 'express';
import type { Request, Response } from 'express';
import request from 'supertest';
import { pickleGuard } from '../../server';
import { errorHandler } from '../../server/errors';
import { OCTET, close, failingScanner, listen, mxnetSgd, osSystem } from './support';

describe('pickleGuard', () => {
  test('is a factory returning a named middleware; a bad policy throws at creation', () => {
    const guard = pickleGuard({ policy: 'mxnet-optimizer' });
    expect(guard.name).toBe('pickleGuard');
    expect(() => pickleGuard({ policy: 'no-such-policy' })).toThrow();
  });

  test('comes from picklegate/server; the library root does not load the server', async () => {
    const root = await import('../../src');
    expect('pickleGuard' in root).toBe(false);
    const server = await import('../../server');
    expect(server.pickleGuard().name).toBe('pickleGuard');
  });

  test('passes accepted bodies to the next handler with req.body and req.pickleReport', async () => {
    const seen: { body: unknown; report: unknown; locals: unknown }[] = [];
    const app = express();
    app.post('/command', pickleGuard({ policy: 'mxnet-optimizer' }), (req: Request, res: Response) => {
      seen.push({ body: req.body, report: req.pickleReport, locals: res.locals.pickleReport });
      res.status(204).end();
    });
    const res = await request(app).post('/command').set('Content-Type', OCTET).send(mxnetSgd());
    expect(res.status).toBe(204);
    expect(seen).toHaveLength(1);
    expect(Buffer.isBuffer(seen[0]!.body)).toBe(true);
    expect((seen[0]!.body as Buffer).equals(mxnetSgd())).toBe(true);
    expect(seen[0]!.report).toMatchObject({ accepted: true, verdict: 'safe' });
    expect(seen[0]!.locals).toBe(seen[0]!.report);
  });

  test('answers 422 itself and never calls the next handler for a rejected body', async () => {
    const next = jest.fn((_req: Request, res: Response) => res.sendStatus(204));
    const app = express();
    app.post('/command', pickleGuard({ policy: 'mxnet-optimizer' }), next);
    const res = await request(app).post('/command').set('Content-Type', OCTET).send(osSystem());
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'rejected', accepted: false, verdict: 'dangerous' });
    expect(next).not.toHaveBeenCalled();
  });

  test('onReject replaces the responder', async () => {
    const app = express();
    app.post(
      '/command',
      pickleGuard({ onReject: ({ res, report }) => void res.status(403).type('text/plain').send(`no: ${report.verdict}`) }),
      (_req, res) => res.sendStatus(204),
    );
    const res = await request(app).post('/command').set('Content-Type', OCTET).send(osSystem());
    expect(res.status).toBe(403);
    expect(res.text).toBe('no: dangerous');
  });

  test('413/415/400 errors go to the app error handler; internal errors never reach the handler', async () => {
    const downstream = jest.fn((_req: Request, res: Response) => res.sendStatus(204));
    const app = express();
    app.post('/small', pickleGuard({ maxBodyBytes: 10 }), downstream);
    app.post('/broken', pickleGuard({ scanner: failingScanner }), downstream);
    app.use(errorHandler());
    expect((await request(app).post('/small').set('Content-Type', OCTET).send(Buffer.alloc(11, 0x61))).status).toBe(413);
    expect((await request(app).post('/small').set('Content-Type', 'text/plain').send('abc')).status).toBe(415);
    expect((await request(app).post('/small').set('Content-Type', OCTET).send(Buffer.alloc(0))).status).toBe(400);
    const broken = await request(app).post('/broken').set('Content-Type', OCTET).send(mxnetSgd());
    expect(broken.status).toBe(500);
    expect(broken.text).not.toContain('secret');
    expect(downstream).not.toHaveBeenCalled();
  });

  test('in front of a minimal proxy handler: accepted bodies reach the upstream byte for byte, rejected ones never', async () => {
    const received: Buffer[] = [];
    const upstream = await listen((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(Buffer.concat(chunks));
        res.writeHead(200, { 'content-type': 'text/plain' }).end('stored');
      });
    });
    try {
      const app = express();
      // The user's own proxy: relays req.body (the Buffer the guard read) to the upstream.
      app.post('/kv', pickleGuard({ policy: 'mxnet-optimizer' }), (req: Request, res: Response) => {
        const body = req.body as Buffer;
        const out = http.request(`${upstream.url}/kv`, { method: 'POST', headers: { 'content-length': body.length } }, (up) => {
          res.status(up.statusCode ?? 502);
          up.pipe(res);
        });
        out.on('error', () => res.sendStatus(502));
        out.end(body);
      });
      const ok = await request(app).post('/kv').set('Content-Type', OCTET).send(mxnetSgd(50));
      expect(ok.status).toBe(200);
      expect(ok.text).toBe('stored');
      const bad = await request(app).post('/kv').set('Content-Type', OCTET).send(osSystem());
      expect(bad.status).toBe(422);
      expect(received).toHaveLength(1);
      expect(received[0]!.equals(mxnetSgd(50))).toBe(true);
    } finally {
      await close(upstream.server);
    }
  });

  test('policies selectable per request only from the given map', async () => {
    const { getPolicy } = await import('../../src');
    const app = express();
    app.post('/x', pickleGuard({ policy: 'mxnet-optimizer', policies: new Map([['default', getPolicy('default')]]) }), (req, res) => {
      res.json({ policy: req.pickleReport!.policy });
    });
    app.use(errorHandler());
    expect((await request(app).post('/x').set('Content-Type', OCTET).send(mxnetSgd())).body.policy).toBe('mxnet-optimizer');
    expect((await request(app).post('/x?policy=mxnet-states').set('Content-Type', OCTET).send(mxnetSgd())).status).toBe(400);
  });
});
