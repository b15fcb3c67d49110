import { checkLocalHeaders, readZipDirectory, type ZipDirectory } from '../../src/containers/zip';
import { MemorySource } from '../../src/pickle/source';
import { sampleSource } from './helpers';
import { anomalyMessage } from '../../src/containers/anomaly';

async function dir(name: string): Promise<ZipDirectory> {
  const src = sampleSource(name);
  const d = await readZipDirectory(src, 1000);
  if ('error' in d) throw new Error(d.error);
  await checkLocalHeaders(src, d);
  return d;
}

const messages = (d: ZipDirectory) => d.anomalies.map((a) => anomalyMessage(a)).join('\n');

describe('zip reader', () => {
  test('a clean torch-style zip has no anomalies and every member located', async () => {
    const d = await dir('torch_benign.pt');
    expect(d.anomalies).toEqual([]);
    expect(d.entries.map((e) => e.name)).toEqual(['archive/data.pkl', 'archive/byteorder', 'archive/data/0', 'archive/version', 'archive/.data/serialization_id']);
    expect(d.firstLocal).toBe(0);
    expect(d.entries.every((e) => e.dataStart !== null && !e.unreadable)).toBe(true);
  });

  test.each([
    ['torch_zip64.pt', true],
    ['torch_zip64_payload.pt', true],
    ['torch_benign.pt', false],
  ])('zip64 records: %s', async (name, zip64) => {
    const d = await dir(name);
    expect(d.zip64).toBe(zip64);
    expect(d.anomalies).toEqual([]);
    expect(d.entries[0].size).toBeGreaterThan(0);
  });

  test('data descriptors are read and checked', async () => {
    const d = await dir('torch_data_descriptor.pt');
    expect(d.anomalies).toEqual([]);
    const e = d.entries[0];
    expect(e.flags & 8).toBe(8);
    expect(e.end! - e.dataStart! - e.compressedSize).toBe(16);
  });

  test.each([
    ['torch_crc_mismatch.pt', /^$/], // the CRC is checked when the member is read (walker), not here
    ['torch_encrypted_flag_payload.pt', /encryption flag/],
    ['torch_flag_0x20.pt', /compressed-patched-data/],
    ['torch_flag_0x40.pt', /strong-encryption/],
    ['torch_name_mismatch_payload.pt', /local header name "archive\/xxxx.pkl" differs/],
    ['torch_size_mismatch.pt', /local header sizes/],
    ['torch_unsupported_method.pt', /unsupported compression method 12/],
    ['torch_duplicate_name.pt', /duplicate member name "archive\/data.pkl"/],
    ['torch_overlap.pt', /overlaps/],
    ['torch_prefix_junk.pt', /256 bytes before the start of the zip/],
  ])('anomaly: %s', async (name, re) => {
    expect(messages(await dir(name))).toMatch(re);
  });

  test('encrypted-flag members stay readable (loaders ignore the bit)', async () => {
    const d = await dir('torch_encrypted_flag_payload.pt');
    expect(d.entries[0].unreadable).toBe(false);
  });

  test('a pickle/zip polyglot has its zip found from the end', async () => {
    const d = await dir('pickle_zip_polyglot.pt');
    expect(d.firstLocal).toBeGreaterThan(0);
    expect(messages(d)).toMatch(/bytes before the start of the zip/);
  });

  test('no end record: error, not an exception', async () => {
    const r = await readZipDirectory(new MemorySource(Buffer.from('PK\x03\x04 not really')), 10);
    expect(r).toEqual({ error: 'no end-of-central-directory record' });
  });

  test('truncated central directory is an error', async () => {
    const whole = sampleSource('torch_benign.pt').bytes;
    const eocd = whole.subarray(whole.length - 22);
    const cut = Buffer.concat([whole.subarray(0, 40), eocd]);
    const r = await readZipDirectory(new MemorySource(cut), 10);
    expect('error' in r).toBe(true);
  });

  test('entry cap stops reading the directory', async () => {
    const src = sampleSource('torch_benign.pt');
    const d = await readZipDirectory(src, 2);
    if ('error' in d) throw new Error(d.error);
    expect(d.entries).toHaveLength(2);
    expect(d.declaredEntries).toBe(5);
  });
});
