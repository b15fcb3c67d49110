import { listTar } from '../../src/containers/tar';
import { MemorySource } from '../../src/pickle/source';
import { sample, sampleSource } from './helpers';
import { anomalyMessage } from '../../src/containers/anomaly';

describe('tar reader', () => {
  test('ustar members with offsets and sizes', async () => {
    const src = sampleSource('tar_benign.tar');
    const t = await listTar(src, 100);
    expect(t.anomalies).toEqual([]);
    expect(t.entries.map((e) => e.name)).toEqual(['README.txt', 'model/benign.pkl']);
    const e = t.entries[0];
    expect(Buffer.from(src.bytes.subarray(e.offset, e.offset + e.size)).toString()).toBe('hello\n');
  });
  test.each(['tar_pax_payload.tar', 'tar_gnu_payload.tar'])('long names: %s', async (name) => {
    const t = await listTar(sampleSource(name), 100);
    expect(t.entries).toHaveLength(1);
    expect(t.entries[0].name).toBe('deep/'.repeat(30) + 'payload.pkl');
  });
  test('checksum mismatch stops with an anomaly', async () => {
    const b = Buffer.from(sample('tar_benign.tar'));
    b[512 + 100] ^= 0xff; // second header's mode field... first header is at 0, README data at 512
    b[0] ^= 0x01;
    const t = await listTar(new MemorySource(b), 100);
    expect(t.anomalies.map((a) => anomalyMessage(a)).join()).toMatch(/checksum/);
  });
  test('truncated member and missing end blocks', async () => {
    const b = sample('tar_benign.tar').subarray(0, 512 * 3 + 10);
    const t = await listTar(new MemorySource(b), 100);
    expect(t.anomalies.map((a) => anomalyMessage(a)).join('\n')).toMatch(/truncated/);
  });
  test('member cap', async () => {
    const t = await listTar(sampleSource('tar_benign.tar'), 1);
    expect(t.capped).toBe(true);
    expect(t.entries).toHaveLength(1);
  });
});
