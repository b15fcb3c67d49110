/**
 * The verdict cache: a body judged again gets its first report only when it is the same body byte
 * for byte, under the same policy and name; bounded by entries and bytes, least recently used first.
 */
import request from 'supertest';
import { resolvePolicy } from '../../src';
import { VerdictCache } from '../../server/verdict-cache';
import type { BodyReport } from '../../server/scan-body';
import { jsonText, reportBody, reportBodyText } from '../../server/respond';
import type { IncomingMessage } from 'node:http';
import { OCTET, makeService, mxnetSgd, osSystem } from './support';

const report = (verdict: string): BodyReport => ({ path: 'body.pkl', format: 'pickle', size: 1, verdict, accepted: verdict === 'safe', policy: 'p', findings: [], members: [], timeMs: 0 }) as unknown as BodyReport;

describe('VerdictCache', () => {
  const policy = resolvePolicy('default');
  const other = resolvePolicy('mxnet-optimizer');

  test('a key is the exact bytes, the policy object and the name', () => {
    const c = new VerdictCache({ entries: 8, bodyBytes: 1024 });
    const a = Buffer.from('abc');
    const k = c.keyOf(policy, undefined, a)!;
    c.set(k, report('safe'));
    expect(c.get(c.keyOf(policy, undefined, Buffer.from('abc'))!)?.verdict).toBe('safe');
    expect(c.get(c.keyOf(policy, undefined, Buffer.from('abd'))!)).toBeUndefined();
    expect(c.get(c.keyOf(policy, undefined, Buffer.from('abc\x00'))!)).toBeUndefined();
    expect(c.get(c.keyOf(other, undefined, a)!)).toBeUndefined();
    expect(c.get(c.keyOf(policy, 'x.pkl', a)!)).toBeUndefined();
    // bytes above 0x7f are kept apart (latin1: one character per byte)
    c.set(c.keyOf(policy, undefined, Buffer.from([0xc3, 0xa9]))!, report('dangerous'));
    expect(c.get(c.keyOf(policy, undefined, Buffer.from([0xe9]))!)).toBeUndefined();
    expect(c.get(c.keyOf(policy, undefined, Buffer.from([0xc3, 0xa9]))!)?.verdict).toBe('dangerous');
    expect([c.hits, c.misses]).toEqual([2, 5]);
  });

  test('bounded: entries, body size and total bytes, least recently used dropped first', () => {
    const c = new VerdictCache({ entries: 2, bodyBytes: 16 });
    const key = (s: string): string => c.keyOf(policy, undefined, Buffer.from(s))!;
    c.set(key('one'), report('safe'));
    c.set(key('two'), report('safe'));
    expect(c.get(key('one'))).toBeDefined(); // now the most recently used
    c.set(key('three'), report('safe'));
    expect(c.size).toBe(2);
    expect(c.get(key('two'))).toBeUndefined();
    expect(c.get(key('one'))).toBeDefined();
    expect(c.keyOf(policy, undefined, Buffer.alloc(17))).toBeNull();
    expect(new VerdictCache({ entries: 0, bodyBytes: 16 }).keyOf(policy, undefined, Buffer.from('a'))).toBeNull();
    const small = new VerdictCache({ entries: 100, bodyBytes: 16, totalBytes: 40 });
    for (let i = 0; i < 10; i++) small.set(small.keyOf(policy, undefined, Buffer.alloc(10, i))!, report('safe'));
    expect(small.size).toBeLessThanOrEqual(3); // each key holds 10 bytes and a short prefix
    expect(small.get(small.keyOf(policy, undefined, Buffer.alloc(10, 9))!)).toBeDefined();
  });

  test('a kept report is frozen, to the leaves', () => {
    const c = new VerdictCache({ entries: 2, bodyBytes: 16 });
    const r = report('dangerous');
    (r as unknown as { findings: unknown[] }).findings = [{ code: 'DENIED_GLOBAL', where: { offset: 3 } }];
    c.set(c.keyOf(policy, undefined, Buffer.from('x'))!, r);
    expect(Object.isFrozen(r)).toBe(true);
    expect(Object.isFrozen(r.findings)).toBe(true);
    expect(Object.isFrozen((r.findings[0] as unknown as { where: object }).where)).toBe(true);
  });
});

describe('the service answers a body sent again from the cache', () => {
  test('same bytes: the first report, where cache; one byte apart: scanned', async () => {
    const { app, metrics } = makeService();
    const agent = request(app);
    const first = await agent.post('/v1/gate').set('Content-Type', OCTET).send(mxnetSgd());
    const again = await agent.post('/v1/gate').set('Content-Type', OCTET).send(mxnetSgd());
    expect(first.body.timing.where).toBe('inline');
    expect(again.body.timing.where).toBe('cache');
    const { requestId: _a, timing: _t, ...firstReport } = first.body;
    const { requestId: _b, timing: _u, ...againReport } = again.body;
    expect(againReport).toEqual(firstReport);
    expect(again.body.requestId).not.toBe(first.body.requestId);

    // the same length, one byte apart: a body of its own
    const evil = osSystem('echo pwned');
    const twin = Buffer.from(evil);
    twin[twin.indexOf('pwned')] = 'P'.charCodeAt(0);
    for (const body of [evil, twin, evil, twin]) {
      const res = await agent.post('/v1/gate').set('Content-Type', OCTET).send(body);
      expect(res.status).toBe(422);
      expect(res.body.verdict).toBe('dangerous');
      expect(res.body.findings[0].code).toBe('DENIED_GLOBAL');
    }
    // another policy, or another name, is another key
    const other = await agent.post('/v1/gate?policy=default').set('Content-Type', OCTET).send(mxnetSgd());
    expect(other.body.timing.where).not.toBe('cache');
    expect(other.body.policy).toBe('default');
    const named = await agent.post('/v1/scan?name=opt.pkl').set('Content-Type', OCTET).send(mxnetSgd());
    expect(named.body.timing.where).toBe('inline');
    expect(named.body.path).toBe('opt.pkl');

    const text = await metrics.registry.metrics();
    expect(text).toMatch(/picklegate_scan_duration_seconds_count\{where="cache"\} 3/);
  });

  test('PICKLEGATE_SCAN_CACHE_ENTRIES=0 scans every body', async () => {
    const { app } = makeService({ scanCacheEntries: 0 });
    for (let i = 0; i < 2; i++) {
      const res = await request(app).post('/v1/gate').set('Content-Type', OCTET).send(mxnetSgd());
      expect(res.body.timing.where).toBe('inline');
    }
  });

  test('bodies above PICKLEGATE_SCAN_CACHE_BODY_BYTES are scanned every time', async () => {
    const body = mxnetSgd(200);
    const { app } = makeService({ scanCacheBodyBytes: body.length - 1 });
    for (let i = 0; i < 2; i++) {
      const res = await request(app).post('/v1/gate').set('Content-Type', OCTET).send(body);
      expect(res.status).toBe(200);
      expect(res.body.timing.where).toBe('inline');
    }
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
    new VerdictCache({ entries: 1, bodyBytes: 8 }).set('k', frozen);
    expect(Object.isFrozen(frozen)).toBe(true);
    const head = { error: 'rejected', message: 'body rejected by policy p (dangerous)' };
    for (const minimal of [false, true]) {
      for (const t of [timing, undefined]) {
        for (const h of [undefined, head]) {
          const expected = jsonText({ ...h, ...reportBody(req, make(), t, minimal) });
          expect(reportBodyText(req, frozen, t, minimal, h)).toBe(expected);
          expect(reportBodyText(req, frozen, t, minimal, h)).toBe(expected); // and again, from the kept text
          expect(reportBodyText(req, make(), t, minimal, h)).toBe(expected);
        }
      }
    }
  });
});
