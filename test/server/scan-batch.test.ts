/** Inline scans taken together once per turn of the event loop (server/scan-batch.ts). */
import { ScanBatch } from '../../server/scan-batch';
import type { ScanJob, ScanResult } from '../../server/scan-pool';
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
});
