/**
 * The streaming decoders: every codec gives the bytes of the reference decompressor, whatever the
 * read sizes (1-byte and 64-byte reads, backward reads that restart), and the caps hold as bytes flow.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { MemorySource, readAll, type ByteSource } from '../../src/pickle/source';
import { DecodedSource, DecompressError, MAX_RESTARTS, closeInflateWorkers, decoderFor, workerInflate, type Codec } from '../../src/containers/decode';
import { xxh32 } from '../../src/containers/decode/xxh32';
import { decodeBlock } from '../../src/containers/decode/lz4';
import { sample } from './helpers';

afterAll(() => closeInflateWorkers());

const REAL = path.join(__dirname, '..', '..', 'samples', 'real');
const payload = sample('model.bin');
const big = { max: 2 ** 40, used: 0 };

function source(codec: Codec, bytes: Uint8Array, budget = { ...big }, maxRatio = 1e9): DecodedSource {
  return new DecodedSource(decoderFor(codec), new MemorySource(bytes), { budget, maxRatio });
}

/** Read a whole source with reads of `chunk` bytes. */
function readWith(src: ByteSource, chunk: number): Buffer {
  const parts: Buffer[] = [];
  const buf = new Uint8Array(chunk);
  let pos = 0;
  for (;;) {
    const n = src.read(pos, buf, 0, chunk);
    if (n === 0) break;
    parts.push(Buffer.from(buf.subarray(0, n)));
    pos += n;
  }
  return Buffer.concat(parts);
}

/** A little pseudo-random, compressible data. */
function data(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = i % 7 === 0 ? 0x41 : (x >>> 24) & 0x3f;
  }
  return b;
}

describe('decoders give the reference bytes', () => {
  const cases: [string, Codec, Buffer][] = [
    ['payload.pkl.gz', 'gzip', payload],
    ['payload.pkl.bz2', 'bzip2', payload],
    ['payload.pkl.xz', 'xz', payload],
    ['payload.pkl.lzma', 'lzma', payload],
    ['payload.joblib', 'zlib', payload],
  ];
  test.each(cases)('%s with 64-byte and 1-byte reads', (name, codec, want) => {
    const input = sample(name);
    expect(readWith(source(codec, input), 65536)).toEqual(want);
    expect(readWith(source(codec, input), 64)).toEqual(want);
    expect(readWith(source(codec, input), 1)).toEqual(want);
  });
  test('raw deflate', () => {
    const d = data(300_000);
    expect(readWith(source('deflate-raw', zlib.deflateRawSync(d)), 64)).toEqual(d);
  });
  test('gzip with several members (as gzip and Python read them)', () => {
    const a = data(5000, 1);
    const b = data(7000, 2);
    expect(readWith(source('gzip', Buffer.concat([zlib.gzipSync(a), zlib.gzipSync(b)])), 999)).toEqual(Buffer.concat([a, b]));
  });
  test('bzip2: several streams and several blocks', () => {
    const bz = sample('payload.pkl.bz2');
    expect(readWith(source('bzip2', Buffer.concat([bz, bz])), 4096)).toEqual(Buffer.concat([payload, payload]));
  });

  const real = (glob: RegExp) =>
    ['bookworm', 'trixie'].flatMap((g) =>
      fs.readdirSync(path.join(REAL, g), { recursive: true, encoding: 'utf8' }).filter((f) => glob.test(f)).map((f) => path.join(REAL, g, f)),
    );
  test.each(real(/\.lz4$/))('lz4 frame written by joblib: %s', (file) => {
    const input = fs.readFileSync(file);
    const out = readWith(source('lz4', input), 65536);
    expect(out[0]).toBe(0x80); // a pickle
    expect(out[out.length - 1]).toBe(0x2e); // ... ending in STOP
    expect(readWith(source('lz4', input), 1)).toEqual(out);
  });
  test.each(real(/\.zst$/))('zstd frame written by pandas: %s', (file) => {
    const input = fs.readFileSync(file);
    const out = readWith(source('zstd', input), 65536);
    expect(out[0]).toBe(0x80);
    expect(out[out.length - 1]).toBe(0x2e);
    expect(readWith(source('zstd', input), 64)).toEqual(out);
  });
});

describe('streaming inflate in the worker', () => {
  test('large stream through the worker equals one-shot inflate, with small reads', () => {
    const d = data(3_000_000, 7);
    const gz = zlib.gzipSync(d);
    const src = new DecodedSource((input) => workerInflate('gzip', input), new MemorySource(gz), { budget: { ...big }, maxRatio: 1e9 });
    expect(readWith(src, 4093)).toEqual(d);
  });
  test('over 1 MiB compressed: the start from one call, the rest from the worker, seamlessly', () => {
    const d = Buffer.concat([data(2_000_000, 11), Buffer.from(require('node:crypto').randomBytes(1_500_000))]);
    const gz = zlib.gzipSync(d);
    expect(gz.length).toBeGreaterThan(1024 * 1024);
    expect(readWith(source('gzip', gz), 4093)).toEqual(d);
    expect(readWith(source('gzip', gz), 65536)).toEqual(d);
    const raw = zlib.deflateRawSync(d);
    const src = source('deflate-raw', raw);
    const head = new Uint8Array(100);
    expect(src.read(0, head, 0, 100)).toBe(100);
    expect(Buffer.from(head)).toEqual(d.subarray(0, 100));
    expect(readWith(src, 1 << 20)).toEqual(d);
  });
  test('a truncated stream ends where it breaks; what came before is readable', () => {
    const d = data(3_000_000, 8);
    const gz = zlib.gzipSync(d);
    const src = new DecodedSource((input) => workerInflate('gzip', input), new MemorySource(gz.subarray(0, gz.length >> 1)), { budget: { ...big }, maxRatio: 1e9 });
    const out = readWith(src, 65536);
    expect(src.error).toBeInstanceOf(DecompressError);
    expect(src.error!.limit).toBe(false);
    expect(out.length).toBeGreaterThan(0);
    expect(out.length).toBeLessThan(d.length);
    expect(out).toEqual(d.subarray(0, out.length));
  });
  test('a corrupt stream is an error, not a limit', () => {
    const gz = Buffer.from(zlib.gzipSync(data(3_000_000, 8)));
    gz[gz.length >> 1] ^= 0xff;
    gz[(gz.length >> 1) + 1] ^= 0xff;
    const src = new DecodedSource((input) => workerInflate('gzip', input), new MemorySource(gz), { budget: { ...big }, maxRatio: 1e9 });
    readWith(src, 65536);
    expect(src.error?.limit).toBe(false);
  });
  test('backward reads restart the decoder and give the same bytes', () => {
    const d = data(4_000_000, 9);
    const src = new DecodedSource((input) => workerInflate('zlib', input), new MemorySource(zlib.deflateSync(d)), { budget: { ...big }, maxRatio: 1e9 });
    const buf = new Uint8Array(1000);
    expect(src.read(3_500_000, buf, 0, 1000)).toBe(1000);
    expect(Buffer.from(buf)).toEqual(d.subarray(3_500_000, 3_501_000));
    expect(src.read(10, buf, 0, 1000)).toBe(1000); // far behind the kept chunks: restart
    expect(Buffer.from(buf)).toEqual(d.subarray(10, 1010));
    expect(src.restarts).toBe(1);
    expect(src.read(3_999_500, buf, 0, 1000)).toBe(500);
    expect(src.size).toBe(d.length);
  });
});

describe('backward reads', () => {
  test.each(['gzip', 'bzip2', 'xz', 'lzma', 'zlib'] as const)('%s: re-read of kept bytes costs nothing, earlier bytes restart', (codec) => {
    const input = sample({ gzip: 'payload.pkl.gz', bzip2: 'payload.pkl.bz2', xz: 'payload.pkl.xz', lzma: 'payload.pkl.lzma', zlib: 'payload.joblib' }[codec]);
    const src = source(codec, input);
    expect(Buffer.from(readAll(src))).toEqual(payload);
    const again = new Uint8Array(20);
    expect(src.read(5, again, 0, 20)).toBe(20);
    expect(Buffer.from(again)).toEqual(payload.subarray(5, 25));
    expect(src.restarts).toBe(0);
  });
  test('restarts are capped', () => {
    const d = data(3 * 1024 * 1024, 3);
    const src = source('deflate-raw', zlib.deflateRawSync(d));
    const buf = new Uint8Array(1);
    for (let i = 0; i < MAX_RESTARTS; i++) {
      expect(src.read(3 * 1024 * 1024 - 1, buf, 0, 1)).toBe(1);
      expect(src.read(0, buf, 0, 1)).toBe(1);
    }
    src.read(3 * 1024 * 1024 - 1, buf, 0, 1);
    expect(src.read(0, buf, 0, 1)).toBe(0);
    expect(src.error?.limit).toBe(true);
    expect(src.error?.message).toMatch(/backward reads/);
  });
});

describe('caps as bytes flow', () => {
  test('inflate budget shared by the streams of one file, re-decoded bytes counted once', () => {
    const budget = { max: 2_000_000, used: 0 };
    const a = source('gzip', zlib.gzipSync(data(1_500_000)), budget);
    expect(readAll(a).length).toBe(1_500_000);
    readAll(a);
    expect(budget.used).toBe(1_500_000);
    const b = source('gzip', zlib.gzipSync(data(1_500_000)), budget);
    expect(readAll(b).length).toBe(500_000);
    expect(b.error?.limit).toBe(true);
    expect(b.error?.message).toMatch(/inflate budget/);
  });
  test('ratio cap stops a bzip2 bomb after about 1 MiB', () => {
    const src = source('bzip2', sample('bomb.pkl.bz2'), { ...big }, 10_000);
    const n = readAll(src).length;
    expect(src.error?.limit).toBe(true);
    expect(src.error?.message).toMatch(/ratio/);
    expect(n).toBeLessThan(4 * 1024 * 1024);
  });
  test('ratio cap on a gzip bomb streamed through the worker', () => {
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024));
    const src = new DecodedSource((input) => workerInflate('gzip', input), new MemorySource(bomb), { budget: { ...big }, maxRatio: 100 });
    const n = readAll(src).length;
    expect(src.error?.limit).toBe(true);
    expect(n).toBeLessThan(64 * 1024 * 1024);
  });
  test('zstd frames asking for a huge window are refused before allocating it', () => {
    // frame header: magic, FHD (no single segment), window descriptor 0xf8 (2^41 bytes)
    const src = source('zstd', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xf8, 0x01, 0x00, 0x00]));
    expect(readAll(src).length).toBe(0);
    expect(src.error?.limit).toBe(true);
  });
});

describe('corrupt input', () => {
  test.each([
    ['gzip', 'payload.pkl.gz'],
    ['bzip2', 'payload.pkl.bz2'],
    ['xz', 'payload.pkl.xz'],
    ['lzma', 'payload.pkl.lzma'],
  ] as const)('%s truncated', (codec, name) => {
    const input = sample(name);
    const src = source(codec, input.subarray(0, Math.floor(input.length * 0.6)));
    readAll(src);
    expect(src.error?.limit).toBe(false);
  });
  test('bzip2 CRC', () => {
    const bz = Buffer.from(sample('payload.pkl.bz2'));
    bz[bz.length - 3] ^= 0xff;
    const src = source('bzip2', bz);
    readAll(src);
    expect(src.error?.message).toMatch(/corrupt/);
  });
});

describe('lz4 and xxh32', () => {
  test('xxh32 reference values', () => {
    expect(xxh32(new Uint8Array(0))).toBe(0x02cc5d05);
    expect(xxh32(Buffer.from('a'))).toBe(0x550d7456);
    expect(xxh32(Buffer.from('Nobody inspects the spammish repetition'))).toBe(0xe2293b2f);
  });
  test('lz4 block with an overlapping match', () => {
    // literals "ab", match offset 2 length 4+6 → "ab" + "ababababab", then last literals "c"
    const block = Buffer.from([0x26, 0x61, 0x62, 0x02, 0x00, 0x10, 0x63]);
    const out = new Uint8Array(64);
    const end = decodeBlock(block, out, 0, 64, 0);
    expect(Buffer.from(out.subarray(0, end)).toString()).toBe('ababababababc');
  });
  test('a frame with a bad header checksum is corrupt', () => {
    const f = Buffer.from(fs.readFileSync(path.join(REAL, 'trixie', 'sklearn', 'pipeline__joblib-lz4.joblib.lz4')));
    f[6] ^= 0xff;
    const src = source('lz4', f);
    readAll(src);
    expect(src.error?.message).toMatch(/checksum/);
  });
});
