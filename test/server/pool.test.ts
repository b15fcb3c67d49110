/** Large bodies in worker threads (the compiled worker from dist/), small ones inline. */
import request from 'supertest';
import { ScanPool } from '../../server/scan-pool';
import { DIST_WORKER, OCTET, makeService, mxnetSgd, osSystem } from './support';
import { getPolicy } from '../../src';
import type { CompiledPolicy } from '../../src';

const job = (bytes: Buffer, policy: CompiledPolicy) => ({ body: { kind: 'memory' as const, bytes, size: bytes.length }, policy, name: 'body.pkl' });

describe('ScanPool', () => {
  let pool: ScanPool;
  beforeAll(async () => {
    pool = new ScanPool({ size: 2, thresholdBytes: 64 * 1024, workerFile: DIST_WORKER });
    await pool.whenReady();
  });
  afterAll(() => pool.close());

  test('small bodies inline, large ones in a worker, same verdicts', async () => {
    const policy = getPolicy('mxnet-optimizer');
    const small = await pool.scan(job(mxnetSgd(), policy));
    expect(small.where).toBe('inline');
    const big = mxnetSgd(5000);
    expect(big.length).toBeGreaterThan(64 * 1024);
    const inWorker = await pool.scan(job(big, policy));
    expect(inWorker.where).toBe('worker');
    expect(inWorker.report).toMatchObject({ accepted: true, verdict: 'safe', size: big.length });
    const bad = await pool.scan(job(Buffer.concat([osSystem(), Buffer.alloc(70 * 1024, 0x20)]), policy));
    expect(bad.where).toBe('worker');
    expect(bad.report.accepted).toBe(false);
  });

  test('custom policies (with extends) reach the workers intact', async () => {
    const { compilePolicy } = await import('../../src/policy/registry');
    const custom = compilePolicy({
      name: 'no-sgd',
      extends: 'mxnet-optimizer',
      rules: [{ module: 'mxnet.optimizer.optimizer', names: ['SGD'], action: 'deny', reason: 'test: SGD banned' }],
    });
    const big = mxnetSgd(5000);
    const [inline, worker] = [await new ScanPool({ size: 0, thresholdBytes: 0 }).scan(job(big, custom)), await pool.scan(job(big, custom))];
    expect(worker.where).toBe('worker');
    expect(worker.report.accepted).toBe(false);
    expect(worker.report.policy).toBe('no-sgd');
    expect(worker.report.findings.map((f) => f.code)).toEqual(inline.report.findings.map((f) => f.code));
    expect((await pool.scan(job(big, getPolicy('mxnet-optimizer')))).report.accepted).toBe(true);
  });

  test('parallel scans queue on the workers and all complete', async () => {
    const policy = getPolicy('mxnet-optimizer');
    const big = mxnetSgd(5000);
    const results = await Promise.all(Array.from({ length: 8 }, () => pool.scan(job(big, policy))));
    expect(results.every((r) => r.report.accepted && r.where === 'worker')).toBe(true);
    expect(results.some((r) => r.queueMs > 0)).toBe(true);
  });

  test('the service reports worker timing and stays responsive while workers scan', async () => {
    const { app } = makeService({}, pool);
    const big = mxnetSgd(5000);
    const scans = Array.from({ length: 4 }, () => request(app).post('/v1/gate').set('Content-Type', OCTET).send(big));
    const health = await request(app).get('/healthz');
    expect(health.status).toBe(200);
    const done = await Promise.all(scans);
    for (const r of done) {
      expect(r.status).toBe(200);
      expect(r.body.timing.where).toBe('worker');
    }
  });

  test('a pool whose worker cannot start is not ready and fails large scans closed', async () => {
    const broken = new ScanPool({ size: 1, thresholdBytes: 10, workerFile: '/nonexistent/worker.js' });
    await expect(broken.whenReady()).rejects.toThrow();
    expect(broken.isReady()).toBe(false);
    await expect(broken.scan(job(mxnetSgd(), getPolicy('mxnet-optimizer')))).rejects.toThrow();
    const { app } = makeService({}, broken);
    expect((await request(app).get('/readyz')).status).toBe(503);
    expect((await request(app).post('/v1/gate').set('Content-Type', OCTET).send(mxnetSgd())).status).toBe(500);
    await broken.close();
  });
});
