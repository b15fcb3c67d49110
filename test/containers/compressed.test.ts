import * as zlib from 'node:zlib';
import { bunzip2, gunzip, inflateJoblibZ, inflateRaw, inflateZlib, unlzma, unxz, DecompressError } from '../../src/containers/compressed';
import { decodeLzmaAlone } from '../../src/containers/lzma';
import { sample } from './helpers';

const BIG = { maxOutput: 1 << 30, maxRatio: 10_000 };
const payload = sample('model.bin');

describe('decompressors', () => {
  test.each([
    ['payload.pkl.gz', gunzip],
    ['payload.pkl.bz2', bunzip2],
    ['payload.pkl.lzma', unlzma],
    ['payload.joblib', inflateZlib],
    ['payload_old_joblib.pkl.z', inflateJoblibZ],
  ] as const)('%s round-trips', (name, fn) => {
    expect(Buffer.from(fn(sample(name), BIG))).toEqual(payload);
  });
  test('xz round-trips', async () => {
    expect(Buffer.from(await unxz(sample('payload.pkl.xz'), BIG))).toEqual(payload);
  });
  test('raw deflate', () => {
    expect(Buffer.from(inflateRaw(zlib.deflateRawSync(payload), BIG))).toEqual(payload);
  });

  const expectLimit = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(DecompressError);
      expect((e as DecompressError).limit).toBe(true);
      return;
    }
    throw new Error('no limit hit');
  };
  test('output cap', () => {
    const zeros = Buffer.alloc(1 << 20);
    expectLimit(() => gunzip(zlib.gzipSync(zeros), { maxOutput: 1000, maxRatio: 1e9 }));
    expectLimit(() => inflateZlib(zlib.deflateSync(zeros), { maxOutput: 1000, maxRatio: 1e9 }));
    expectLimit(() => unlzma(sample('payload.pkl.lzma'), { maxOutput: 10, maxRatio: 1e9 }));
  });
  test('ratio cap stops a bzip2 bomb early', () => {
    expectLimit(() => bunzip2(sample('bomb.pkl.bz2'), BIG));
  });
  test('xz output cap', async () => {
    await expect(unxz(sample('payload.pkl.xz'), { maxOutput: 5, maxRatio: 1e9 })).rejects.toMatchObject({ limit: true });
  });
  test('corrupt input is a non-limit error', () => {
    const bad = Buffer.from(sample('payload.pkl.gz'));
    bad[bad.length - 6] ^= 0xff; // CRC
    expect(() => gunzip(bad, BIG)).toThrow(DecompressError);
    const bz = Buffer.from(sample('payload.pkl.bz2'));
    bz[bz.length - 3] ^= 0xff;
    expect(() => bunzip2(bz, BIG)).toThrow(/corrupt/);
  });
  test('lzma: truncated and corrupt streams', () => {
    const lz = sample('benign.pkl.lzma');
    expect(decodeLzmaAlone(lz.subarray(0, 20), 1e6).error).toBe('truncated');
    expect(decodeLzmaAlone(lz.subarray(0, 5), 1e6).error).toMatch(/header/);
    const bad = Buffer.from(lz);
    bad[13] = 1; // first range-coder byte must be 0
    expect(decodeLzmaAlone(bad, 1e6).error).toBe('corrupt data');
  });
  test('joblib ZF header must match the stream length', () => {
    const b = Buffer.from(sample('payload_old_joblib.pkl.z'));
    b.write('0x1    ', 2, 'latin1');
    expect(() => inflateJoblibZ(b, BIG)).toThrow(/declares/);
  });
});
