import { detectFormat } from '../../src/containers/registry';
import { looksLikePickle } from '../../src/pickle/sniff';
import { isPickleNamed } from '../../src/containers/formats';
import { sample } from './helpers';

const fmt = (name: string) => {
  const b = sample(name);
  return detectFormat(b.subarray(0, 65536), b.length, name, false);
};

describe('format detection by content', () => {
  test.each([
    ['torch_benign.pt', 'zip'],
    ['model.bin', 'pickle'],
    ['payload_p0.pkl', 'pickle'],
    ['legacy_benign.pt', 'torch-legacy'],
    ['npy_plain.npy', 'npy'],
    ['payload.pkl.gz', 'gzip'],
    ['payload.pkl.bz2', 'bzip2'],
    ['payload.pkl.xz', 'xz'],
    ['payload.pkl.lzma', 'lzma'],
    ['payload.joblib', 'zlib'],
    ['payload_old_joblib.pkl.z', 'joblib-zlib'],
    ['tar_benign.tar', 'tar'],
    ['model.7z', '7z'],
    ['model.pkl.zst', 'zstd'],
    ['README.txt', 'text'],
    ['empty.pt', 'empty'],
  ])('%s is %s', (name, format) => {
    expect(fmt(name)).toBe(format);
  });
  test('extension is only a hint', () => {
    const b = sample('model.bin');
    expect(detectFormat(b, b.length, 'x.txt', false)).toBe('pickle');
  });
  test('a zip found only by its end record', () => {
    const b = Buffer.from('\x00\x01\x02 junk');
    expect(detectFormat(b, b.length, 'x', true)).toBe('zip');
  });
  test('pickle sniffing', () => {
    expect(looksLikePickle(Buffer.from('\x80\x02}q\x00.', 'latin1'))).toBe(true);
    expect(looksLikePickle(Buffer.from('\x80\x06}.', 'latin1'))).toBe(false);
    expect(looksLikePickle(Buffer.from('\x80\x02\xff\xff', 'latin1'))).toBe(false);
    expect(looksLikePickle(Buffer.from('(lp0\nI1\naI2\na.', 'latin1'))).toBe(true);
    expect(looksLikePickle(Buffer.from('# Title\nsome text', 'latin1'))).toBe(false);
    expect(looksLikePickle(Buffer.from('Lorem ipsum dolor', 'latin1'))).toBe(false);
    expect(looksLikePickle(Buffer.from('cat README\nfoo\nbar', 'latin1'))).toBe(false);
  });
  test('pickle-like names', () => {
    for (const n of ['a.pkl', 'x/data.pkl', 'm.pt', 'm.PTH', 'w.bin', 'm.joblib', 'a.npy', 'a.pkl.gz']) expect(isPickleNamed(n)).toBe(true);
    for (const n of ['README.md', 'archive/version', 'archive/data/0', 'x.txt', 'model.params']) expect(isPickleNamed(n)).toBe(false);
  });
});
