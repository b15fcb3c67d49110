/**
 * The verdict cache: a body judged again gets its first report only when it is the same body byte
 * for byte, under the same policy and name; bounded by entries and bytes, least recently used first.
 */
import express from 'express';
import request from 'supertest';
import { pickleGuard } from '../../server/middleware';
import { resolvePolicy } from '../../src';
import { MAX_REPORT_NODES, VerdictCache, limitsScope } from '../../server/verdict-cache';
import type { BodyReport } from '../../server/scan-body';
import { jsonText, reportBody, reportBodyText } from '../../server/respond';
import type { IncomingMessage } from 'node:http';
import { OCTET, makeService, mxnetSgd, osSystem } from './support';

const report = (verdict: string): BodyReport => ({ path: 'body.pkl', format: 'pickle', size: 1, verdict, accepted: verdict === 'safe', policy: 'p', findings: [], members: [], timeMs: 0 }) as unknown as BodyReport;

describe('VerdictCache', () => {
  const policy = resolvePolicy('default');
  const other = resolvePolicy('mxnet-optimizer');
  /** Offers a report twice (seen, then kept). */
  const keep = (c: VerdictCache, key: string, r: BodyReport): void => {
    c.offer(key, r);
    c.offer(key, r);
  };

  test('a report is kept when its body is seen the second time, not the first', () => {
    const c = new VerdictCache({ entries: 8, bodyBytes: 1024 });
    const k = c.keyOf(policy, undefined, Buffer.from('abc'))!;
    const r = report('safe');
    c.offer(k, r);
    expect(c.get(k)).toBeUndefined();
    expect(Object.isFrozen(r)).toBe(false); // a body seen once costs no freeze and holds no report
    c.offer(k, r);
    expect(c.get(k)).toBe(r);
    expect(Object.isFrozen(r)).toBe(true);
  });

  test('a key is the exact bytes, the policy object and the name', () => {
    const c = new VerdictCache({ entries: 8, bodyBytes: 1024 });
    const a = Buffer.from('abc');
    keep(c, c.keyOf(policy, undefined, a)!, report('safe'));
    expect(c.get(c.keyOf(policy, undefined, Buffer.from('abc'))!)?.verdict).toBe('safe');
    expect(c.get(c.keyOf(policy, undefined, Buffer.from('abd'))!)).toBeUndefined();
    expect(c.get(c.keyOf(policy, undefined, Buffer.from('abc\x00'))!)).toBeUndefined();
    expect(c.get(c.keyOf(other, undefined, a)!)).toBeUndefined();
    expect(c.get(c.keyOf(policy, 'x.pkl', a)!)).toBeUndefined();
    // guards with other limits sharing one cache never share a report
    expect(c.get(c.keyOf(policy, undefined, a, limitsScope({ maxOpcodes: 10 }, undefined))!)).toBeUndefined();
    expect(limitsScope(undefined, undefined)).toBe('');
    expect(limitsScope({ maxOpcodes: 10 }, undefined)).not.toBe(limitsScope(undefined, { maxDepth: 1 }));
    // bytes above 0x7f are kept apart (latin1: one character per byte)
    keep(c, c.keyOf(policy, undefined, Buffer.from([0xc3, 0xa9]))!, report('dangerous'));
    expect(c.get(c.keyOf(policy, undefined, Buffer.from([0xe9]))!)).toBeUndefined();
    expect(c.get(c.keyOf(policy, undefined, Buffer.from([0xc3, 0xa9]))!)?.verdict).toBe('dangerous');
    expect([c.hits, c.misses]).toEqual([2, 6]);
  });

  test('bounded: entries, body size, total bytes and report size, least recently used dropped first', () => {
    const c = new VerdictCache({ entries: 2, bodyBytes: 16 });
    const key = (s: string): string => c.keyOf(policy, undefined, Buffer.from(s))!;
    keep(c, key('one'), report('safe'));
    keep(c, key('two'), report('safe'));
    expect(c.get(key('one'))).toBeDefined(); // now the most recently used
    keep(c, key('three'), report('safe'));
    expect(c.size).toBe(2);
    expect(c.get(key('two'))).toBeUndefined();
    expect(c.get(key('one'))).toBeDefined();
    expect(c.keyOf(policy, undefined, Buffer.alloc(17))).toBeNull();
    expect(new VerdictCache({ entries: 0, bodyBytes: 16 }).keyOf(policy, undefined, Buffer.from('a'))).toBeNull();
    // total bytes: keys, plus an estimate of each kept report
    const small = new VerdictCache({ entries: 100, bodyBytes: 16, totalBytes: 1000 });
    for (let i = 0; i < 10; i++) keep(small, small.keyOf(policy, undefined, Buffer.alloc(10, i))!, report('safe'));
    expect(small.size).toBeLessThanOrEqual(3);
    expect(small.get(small.keyOf(policy, undefined, Buffer.alloc(10, 9))!)).toBeDefined();
    // distinct bodies seen once hold keys only, within the same bound
    const seen = new VerdictCache({ entries: 100, bodyBytes: 16, totalBytes: 140 });
    for (let i = 0; i < 50; i++) seen.offer(seen.keyOf(policy, undefined, Buffer.alloc(10, i))!, report('safe'));
    expect(seen.size).toBeLessThanOrEqual(10);
    // a report of too many objects (a body of ten thousand tiny pickles) is never kept, nor frozen
    const big = report('suspicious');
    (big as unknown as { pickles: object[] }).pickles = Array.from({ length: MAX_REPORT_NODES }, (_, i) => ({ index: i }));
    const k = c.keyOf(policy, undefined, Buffer.from('big'))!;
    keep(c, k, big);
    expect(c.get(k)).toBeUndefined();
    expect(Object.isFrozen(big)).toBe(false);
  });

  test('a kept report is frozen, to the leaves', () => {
    const c = new VerdictCache({ entries: 2, bodyBytes: 16 });
    const r = report('dangerous');
    (r as unknown as { findings: unknown[] }).findings = [{ code: 'DENIED_GLOBAL', where: { offset: 3 } }];
    keep(c, c.keyOf(policy, undefined, Buffer.from('x'))!, r);
    expect(Object.isFrozen(r)).toBe(true);
    expect(Object.isFrozen(r.findings)).toBe(true);
    expect(Object.isFrozen((r.findings[0] as unknown as { where: object }).where)).toBe(true);
  });
});

describe('the service answers a body seen before from the cache', () => {
  const gate = (agent: ReturnType<typeof request>, body: Buffer, q = ''): Promise<request.Response> => agent.post(`/v1/gate${q}`).set('Content-Type', OCTET).send(body);

  test('same bytes: scanned twice, then the kept report, where cache; one byte apart: scanned', async () => {
    const { app, metrics } = makeService();
    const agent = request(app);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await gate(agent, mxnetSgd()));
    expect(answers.map((a) => a.body.timing.where)).toEqual(['inline', 'inline', 'cache', 'cache']);
    const strip = (b: Record<string, unknown>): Record<string, unknown> => {
      const { requestId: _r, timing: _t, timeMs: _m, ...rest } = b;
      return rest;
    };
    for (const a of answers) expect(strip(a.body)).toEqual(strip(answers[0]!.body));
    expect(answers[3]!.body.timeMs).toBe(answers[1]!.body.timeMs); // the kept scan's own time
    expect(new Set(answers.map((a) => a.body.requestId)).size).toBe(4);

    // the same length, one byte apart: a body of its own
    const evil = osSystem('echo pwned');
    const twin = Buffer.from(evil);
    twin[twin.indexOf('pwned')] = 'P'.charCodeAt(0);
    const wheres = [];
    for (const body of [evil, twin, evil, twin, evil, twin]) {
      const res = await gate(agent, body);
      expect(res.status).toBe(422);
      expect(res.body.verdict).toBe('dangerous');
      expect(res.body.findings[0].code).toBe('DENIED_GLOBAL');
      wheres.push(res.body.timing.where);
    }
    expect(wheres).toEqual(['inline', 'inline', 'inline', 'inline', 'cache', 'cache']);
    // another policy, or another name, is another key
    for (let i = 0; i < 3; i++) {
      const other = await gate(agent, mxnetSgd(), '?policy=default');
      expect(other.body.policy).toBe('default');
      expect(other.body.timing.where).toBe(i < 2 ? 'inline' : 'cache');
    }
    const named = await agent.post('/v1/scan?name=opt.pkl').set('Content-Type', OCTET).send(mxnetSgd());
    expect(named.body.timing.where).toBe('inline');
    expect(named.body.path).toBe('opt.pkl');

    const text = await metrics.registry.metrics();
    expect(text).toMatch(/picklegate_scan_duration_seconds_count\{where="cache"\} 5/);
  });

  test('PICKLEGATE_SCAN_CACHE_ENTRIES=0 scans every body', async () => {
    const { app } = makeService({ scanCacheEntries: 0 });
    for (let i = 0; i < 3; i++) expect((await gate(request(app), mxnetSgd())).body.timing.where).toBe('inline');
  });

  test('bodies above PICKLEGATE_SCAN_CACHE_BODY_BYTES are scanned every time', async () => {
    const body = mxnetSgd(200);
    const { app } = makeService({ scanCacheBodyBytes: body.length - 1 });
    for (let i = 0; i < 3; i++) {
      const res = await gate(request(app), body);
      expect(res.status).toBe(200);
      expect(res.body.timing.where).toBe('inline');
    }
  });
});

describe('pickleGuard with a shared cache', () => {
  test('guards with other limits never answer from each other\'s reports', async () => {
    const cache = new VerdictCache({ entries: 16, bodyBytes: 65536 });
    const app = express();
    const ok = (_req: express.Request, res: express.Response): void => void res.json({ ok: true });
    app.post('/roomy', pickleGuard({ policy: 'mxnet-optimizer', cache }), ok);
    app.post('/tight', pickleGuard({ policy: 'mxnet-optimizer', cache, limits: { maxOpcodes: 10 } }), ok);
    const agent = request(app);
    for (let i = 0; i < 3; i++) expect((await agent.post('/roomy').set('Content-Type', OCTET).send(mxnetSgd())).status).toBe(200);
    expect(cache.hits).toBe(1);
    const tight = await agent.post('/tight').set('Content-Type', OCTET).send(mxnetSgd());
    expect(tight.status).toBe(422);
    expect(tight.body.findings.map((f: { code: string }) => f.code)).toContain('LIMIT_EXCEEDED');
    expect(tight.body.timing.where).toBe('inline');
  });
});

describe('the answer text of a kept (frozen) report', () => {
  const req = { id: 'req-"1"' } as unknown as IncomingMessage;
  const timing = { readMs: 0.0123456, queueMs: 0, scanMs: 0.5, totalMs: 0.6, where: 'cache' as const };
  const rich = (): BodyReport =>
    ({
      ...report('dangerous'),
      error: { code: 'TRUNCATED', message: 'ends at 7' },
      findings: [{ code: 'DENIED_GLOBAL', severity: 'dangerous', message: 'os.system \u2028 "q"', where: { offset: 3 }, count: 1n }],
      globals: [{ module: 'os', name: 'system' }],
    }) as unknown as BodyReport;

  test.each([
    ['with', rich],
    ['without', (): BodyReport => {
      const { error: _e, ...r } = rich() as unknown as Record<string, unknown>;
      return r as unknown as BodyReport;
    }],
  ])('is the text the answer would have without the cache (a report %s an error): whole, minimal, 422, without timing', (_what, make) => {
    const frozen = make();
    const c = new VerdictCache({ entries: 1, bodyBytes: 8 });
    c.offer('k', frozen);
    c.offer('k', frozen);
    expect(Object.isFrozen(frozen)).toBe(true);
    const head = { error: 'rejected', message: 'body rejected by policy p (dangerous)' };
    for (const minimal of [false, true]) {
      for (const t of [timing, undefined]) {
        for (const h of [undefined, head]) {
          const plain = reportBody(req, make(), t, minimal);
          const expected = reportBodyText(req, make(), t, minimal, h) as string;
          // the answer is the report's JSON, after the 422's head; a 422 keeps error "rejected" and gives the report's own error as fileError
          const parsed = JSON.parse(expected) as Record<string, unknown>;
          if (h === undefined) expect(expected).toBe(jsonText(plain));
          else {
            expect(Object.keys(parsed).slice(0, 2)).toEqual(['error', 'message']);
            expect(parsed.error).toBe('rejected');
            expect(parsed.fileError).toEqual(plain.error);
            const { error: _own, ...rest } = plain;
            expect(parsed).toEqual(JSON.parse(jsonText({ ...h, ...rest, ...(plain.error !== undefined ? { fileError: plain.error } : {}) })));
          }
          // a kept report's answer is its UTF-8 bytes, byte for byte the text's
          const kept = reportBodyText(req, frozen, t, minimal, h);
          // (a report field named like one of the 422's head fields takes the uncached path: text)
          expect(Buffer.isBuffer(kept)).toBe(h === undefined || !Object.hasOwn(frozen, 'error'));
          expect(kept.toString('utf8')).toBe(expected);
          expect(reportBodyText(req, frozen, t, minimal, h).toString('utf8')).toBe(expected); // and again, from the kept bytes
        }
      }
    }
  });
});
