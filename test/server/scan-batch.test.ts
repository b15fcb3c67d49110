/** Inline scans taken together once per turn of the event loop (server/scan-batch.ts). */
import { ScanBatch } from '../../server/scan-batch';
import type { ScanJob, ScanResult } from '../../server/scanner';
import { getPolicy } from '../../src';

const policy = getPolicy('mxnet-optimizer');
const job = (name: string): ScanJob => ({ body: { kind: 'memory', bytes: Buffer.from(name), size: name.length }, policy, name });
const result = (name: string): ScanResult => ({ report: { path: name } as ScanResult['report'], queueMs: 0, scanMs: 0, where: 'inline' });

describe('ScanBatch', () => {
  test('the jobs of one turn of the event loop are scanned together, in order, after it', async () => {
    const seen: string[] = [];
    const batch = new ScanBatch({
      scan(j) {
        seen.push(j.name!);
        return Promise.resolve(result(j.name!));
      },
    });
    const pending = ['a', 'b', 'c'].map((n) => batch.scan(job(n)));
    expect(seen).toEqual([]); // nothing is scanned before the check phase
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['a', 'b', 'c']);
    const results = await Promise.all(pending);
    expect(results.map((r) => r.report.path)).toEqual(['a', 'b', 'c']);
    // a later job starts a new batch
    await expect(batch.scan(job('d'))).resolves.toMatchObject({ report: { path: 'd' } });
    expect(seen).toEqual(['a', 'b', 'c', 'd']);
  });

  test('a failing scan rejects its own job only, whether the scanner rejects or throws', async () => {
    const batch = new ScanBatch({
      scan(j) {
        if (j.name === 'throws') throw new Error('scanner threw');
        return j.name === 'bad' ? Promise.reject(new Error('scanner failed')) : Promise.resolve(result(j.name!));
      },
    });
    const [ok, bad, threw, ok2] = [batch.scan(job('ok')), batch.scan(job('bad')), batch.scan(job('throws')), batch.scan(job('ok2'))];
    await expect(bad).rejects.toThrow('scanner failed');
    await expect(threw).rejects.toThrow('scanner threw');
    await expect(ok).resolves.toMatchObject({ report: { path: 'ok' } });
    await expect(ok2).resolves.toMatchObject({ report: { path: 'ok2' } });
  });

  test('with a synchronous scanner, every job of the turn is scanned before the first callback runs', async () => {
    const seen: string[] = [];
    const batch = new ScanBatch({
      scanSync(j) {
        seen.push(`scan ${j.name}`);
        if (j.name === 'throws') throw new Error('scanner threw');
        return j.name === 'async' ? null : result(j.name!);
      },
      scan(j) {
        seen.push(`promise ${j.name}`);
        return Promise.resolve(result(j.name!));
      },
    });
    const answers: string[] = [];
    const done = (name: string) => (err: unknown, r?: ScanResult) => {
      seen.push(`done ${name}`);
      answers.push(err ? `${name}: ${(err as Error).message}` : `${name}: ${r!.report.path}`);
    };
    for (const n of ['a', 'throws', 'async', 'b']) batch.scanThen(job(n), done(n));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['scan a', 'scan throws', 'scan async', 'promise async', 'scan b', 'done a', 'done throws', 'done b', 'done async']);
    expect(answers).toEqual(['a: a', 'throws: scanner threw', 'b: b', 'async: async']);
  });

  test('a callback that throws does not keep the other jobs of the batch from their answers', async () => {
    const batch = new ScanBatch({ scanSync: (j) => result(j.name!), scan: () => Promise.reject(new Error('unused')) });
    // the batch rethrows a callback's error in a microtask of its own (an uncaught exception, as an unhandled rejection was)
    const thrown: unknown[] = [];
    const queue = globalThis.queueMicrotask;
    globalThis.queueMicrotask = (f: () => void) => {
      try {
        f();
      } catch (err) {
        thrown.push(err);
      }
    };
    try {
      const answered: string[] = [];
      batch.scanThen(job('first'), () => {
        throw new Error('callback bug');
      });
      batch.scanThen(job('second'), (_err, r) => void answered.push(r!.report.path));
      await new Promise((r) => setImmediate(r));
      expect(answered).toEqual(['second']);
      expect(thrown.map((e) => (e as Error).message)).toEqual(['callback bug']);
    } finally {
      globalThis.queueMicrotask = queue;
    }
  });
});
