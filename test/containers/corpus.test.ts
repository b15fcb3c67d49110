/** Every container sample gets the verdict its manifest row expects, under the default policy. */
import * as path from 'node:path';
import { scanFile, scanBytes } from '../../src/containers/scan-file';
import type { FileResult } from '../../src/containers/result';
import { SAMPLES, manifest, sample } from './helpers';

const rows = manifest();

describe('the container corpus is all there', () => {
  test('samples/containers/manifest.json lists exactly the 70 files of the folder', () => {
    const fs = require('node:fs') as typeof import('node:fs');
    const files = fs.readdirSync(SAMPLES).filter((f) => f !== 'manifest.json').sort();
    expect(rows.map((r) => r.file).sort()).toEqual(files);
    expect(rows).toHaveLength(70);
  });
});

describe('every container sample (zip, tar, compressed, npy, torch) gets the file verdict its manifest row expects under the default policy, without an I/O error, and is accepted only when safe', () => {
  test.each(rows.map((r) => [r.file, r.verdict, r.note] as const))('%s → %s (%s)', async (file, verdict) => {
    const r = await scanFile(path.join(SAMPLES, file));
    expect(r.error).toBeUndefined();
    expect({ file, verdict: r.verdict, findings: r.findings.map((f) => `${f.severity} ${f.code} ${(f.path ?? []).join('>')}: ${f.message}`) }).toMatchObject({ file, verdict });
    expect(r.accepted).toBe(verdict === 'safe');
  });
});

const codes = (r: FileResult) => r.findings.map((f) => f.code);
const find = (r: FileResult, re: RegExp) => r.findings.find((f) => re.test(f.message));

describe('container walker details', () => {
  test('finding paths name the member', async () => {
    const r = await scanBytes(sample('torch_payload_data_1.pt'), 'model.pt');
    const dangerous = r.findings.filter((f) => f.severity === 'dangerous');
    expect(dangerous.length).toBeGreaterThan(0);
    expect(dangerous[0].path).toEqual(['model.pt', 'archive/data/1']);
    expect(r.format).toBe('torch-zip');
  });
  test('CRC mismatch is reported on the member', async () => {
    const r = await scanBytes(sample('torch_crc_mismatch.pt'), 'm.pt');
    const f = find(r, /CRC-32 mismatch/);
    expect(f?.path).toEqual(['m.pt', 'archive/data.pkl']);
  });
  test('storages and text members are skipped, not scanned', async () => {
    const r = await scanBytes(sample('torch_benign.pt'), 'm.pt');
    expect(r.members.map((m) => m.name)).toEqual(['archive/data.pkl']);
    expect(r.skippedMembers).toBe(4);
  });
  test('polyglot: both halves scanned', async () => {
    const r = await scanBytes(sample('pickle_zip_polyglot.pt'), 'p.pt');
    expect(r.format).toBe('pickle');
    expect(r.members[0].name).toBe('<appended zip>');
    expect(r.members[0].format).toBe('torch-zip');
    expect(find(r, /polyglot/)).toBeDefined();
  });
  test('zip with a prefix scans the prefix', async () => {
    const r = await scanBytes(sample('torch_prefix_junk.pt'), 'j.pt');
    expect(find(r, /before the first local header/)).toBeDefined();
  });
  test('nested: finding path through gz > tar > zip', async () => {
    const r = await scanBytes(sample('nested_zip_in_tar_in_gz.tar.gz'), 'n.tar.gz');
    const f = r.findings.find((x) => x.severity === 'dangerous');
    expect(f?.path).toEqual(['n.tar.gz', 'n.tar', 'bundle/inner.zip', 'inside/payload.pkl']);
  });
  test('depth limit', async () => {
    const r = await scanBytes(sample('nested_too_deep.tar.gz'), 'd.tar.gz');
    expect(codes(r)).toContain('LIMIT_EXCEEDED');
    const r2 = await scanBytes(sample('nested_too_deep.tar.gz'), 'd.tar.gz', { containerLimits: { maxDepth: 10 } });
    expect(r2.verdict).toBe('dangerous');
  });
  test('inflate budget', async () => {
    const r = await scanBytes(sample('bomb.pkl.gz'), 'b.pkl.gz', { containerLimits: { maxInflatedBytes: 1024 * 1024 } });
    expect(find(r, /exceeds/)?.code).toBe('LIMIT_EXCEEDED');
  });
  test('declared zip bomb is not inflated', async () => {
    const r = await scanBytes(sample('zip_declared_bomb.zip'), 'z.zip');
    expect(find(r, /declares 5368709120 bytes/)?.code).toBe('LIMIT_EXCEEDED');
  });
  test('member cap', async () => {
    const r = await scanBytes(sample('torch_benign.pt'), 'm.pt', { containerLimits: { maxMembers: 2 } });
    expect(codes(r)).toContain('LIMIT_EXCEEDED');
  });
  test('read cap for raw pickles', async () => {
    const r = await scanBytes(sample('model.bin'), 'model.bin', { containerLimits: { maxFileBytes: 10 } });
    expect(codes(r)).toEqual(['LIMIT_EXCEEDED']);
    expect(r.accepted).toBe(false);
  });
  test('text file: NOT_A_PICKLE info, accepted', async () => {
    const r = await scanBytes(sample('README.txt'), 'README.txt');
    expect(r).toMatchObject({ verdict: 'safe', accepted: true, format: 'text' });
    expect(r.findings.map((f) => [f.code, f.severity])).toEqual([['NOT_A_PICKLE', 'info']]);
  });
  test('legacy torch: tail that is not storages', async () => {
    const r = await scanBytes(sample('legacy_tail_payload.pt'), 'l.pt');
    expect(find(r, /storage layout/)).toBeDefined();
    expect(r.verdict).toBe('dangerous');
  });
  test('npy object payload offsets are file offsets', async () => {
    const r = await scanBytes(sample('npy_object_payload.npy'), 'a.npy');
    const f = r.findings.find((x) => x.severity === 'dangerous');
    expect(f?.offset).toBeGreaterThanOrEqual(64);
  });
});
