/**
 * The browser bundle's stand-ins for Node, against Node itself: the Buffer subset (every encoding the
 * library uses, on arbitrary input), zlib.crc32, and the pako inflate backend against Node's native
 * inflate on the cases where decoders differ (several gzip members, zero padding, garbage after a
 * member, truncation, bad checksums, corrupt data).
 */
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { nodeInflate, type InflateKind } from '../../src/containers/decode/inflate-worker';
import type { Decoder } from '../../src/containers/decode/decoder';
import { closeInflateWorkers } from '../../src/containers/decode';
import { MemorySource } from '../../src/pickle/source';
import { Buffer as ShimBuffer } from '../../server/page/web/shims/buffer';
import { crc32 } from '../../server/page/web/shims/zlib';
import { pakoInflate } from '../../server/page/web/inflate';

afterAll(() => closeInflateWorkers());

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('Buffer shim = Node Buffer', () => {
  test('toString latin1, utf8, hex, base64, base64url of any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        for (const enc of ['latin1', 'binary', 'utf8', 'utf-8', 'hex', 'base64', 'base64url'] as const) {
          expect(ShimBuffer.from(b).toString(enc)).toBe(Buffer.from(b).toString(enc));
        }
      }),
      { numRuns: 400 },
    );
  });

  test('from(string, encoding) of any string, including junk for hex and base64', () => {
    const junky = fc.string({ unit: fc.constantFrom(...'AZaz09+/-_= \n\t!é0123456789abcdefABCDEFxyz'.split('')), maxLength: 80 });
    fc.assert(
      fc.property(fc.oneof(junky, fc.string({ maxLength: 60, unit: 'binary' }), fc.string({ maxLength: 40, unit: 'grapheme' })), (s) => {
        for (const enc of ['latin1', 'utf8', 'hex', 'base64', 'base64url'] as const) {
          expect(`${enc} ${JSON.stringify(s)} ${hex(ShimBuffer.from(s, enc))}`).toBe(`${enc} ${JSON.stringify(s)} ${Buffer.from(s, enc).toString('hex')}`);
        }
      }),
      { numRuns: 600 },
    );
  });

  test('equals, copy, readBigUInt64LE, concat, new Buffer(n)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 64 }), fc.uint8Array({ maxLength: 64 }), fc.nat(70), fc.nat(70), (a, b, t, s) => {
        expect(ShimBuffer.from(a).equals(b)).toBe(Buffer.from(a).equals(b));
        expect(ShimBuffer.from(a).equals(a)).toBe(true);
        expect(ShimBuffer.from(a).readBigUInt64LE(0)).toBe(Buffer.from(a).readBigUInt64LE(0));
        const x = new Uint8Array(40);
        const y = new Uint8Array(40);
        const tt = Math.min(t, 40);
        const ss = Math.min(s, a.length);
        expect(ShimBuffer.from(a).copy(x, tt, ss)).toBe(Buffer.from(a).copy(y, tt, ss));
        expect(hex(x)).toBe(hex(y));
        expect(hex(ShimBuffer.concat([a, b]))).toBe(hex(Buffer.concat([a, b])));
      }),
    );
    // seek-bzip's `new Buffer(n)`: zero-filled
    expect([...new ShimBuffer(5)]).toEqual([0, 0, 0, 0, 0]);
    expect(() => ShimBuffer.from('x', 'ucs2')).toThrow(/Unknown encoding/);
  });
});

test('crc32 = zlib.crc32, whole and continued', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), fc.uint8Array({ maxLength: 100 }), (a, b) => {
      expect(crc32(a)).toBe(zlib.crc32(a));
      expect(crc32(b, crc32(a))).toBe(zlib.crc32(b, zlib.crc32(a)));
    }),
  );
});

/** Everything a decoder gives, read in `step`-byte calls, and the error it ends with. */
function drain(make: () => Decoder, step: number): { out: string; error: string | null } {
  const chunks: Buffer[] = [];
  const buf = new Uint8Array(step);
  let error: string | null = null;
  let d: Decoder | null = null;
  try {
    d = make();
    for (;;) {
      const n = d.read(buf, 0, step);
      if (n === 0) break;
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
  } catch (err) {
    error = (err as Error).message;
  } finally {
    d?.close();
  }
  return { out: Buffer.concat(chunks).toString('hex'), error };
}

describe('pako inflate backend = Node native inflate', () => {
  const text = Buffer.from('picklegate '.repeat(3000) + Array.from({ length: 4000 }, (_, i) => String((i * 7919) % 1000)).join(','));
  const gz = zlib.gzipSync(text);
  const member2 = zlib.gzipSync(Buffer.from('second member'));
  const z = zlib.deflateSync(text);
  const raw = zlib.deflateRawSync(text);
  const flip = (b: Buffer, at: number): Buffer => {
    const c = Buffer.from(b);
    c[at] = c[at]! ^ 0xff;
    return c;
  };
  const cases: [string, InflateKind, Buffer][] = [
    ['gzip', 'gzip', gz],
    ['gzip, two members', 'gzip', Buffer.concat([gz, member2])],
    ['gzip, zero padding after the member', 'gzip', Buffer.concat([gz, Buffer.alloc(100)])],
    ['gzip, garbage after the member', 'gzip', Buffer.concat([gz, Buffer.from('garbage!')])],
    ['gzip, truncated', 'gzip', gz.subarray(0, gz.length - 20)],
    ['gzip, truncated in the trailer', 'gzip', gz.subarray(0, gz.length - 3)],
    ['gzip, bad CRC', 'gzip', flip(gz, gz.length - 6)],
    ['gzip, bad length', 'gzip', flip(gz, gz.length - 2)],
    ['gzip, bad header', 'gzip', flip(gz, 0)],
    ['gzip, corrupt data', 'gzip', flip(gz, 40)],
    ['zlib', 'zlib', z],
    ['zlib, data after the end', 'zlib', Buffer.concat([z, Buffer.from('tail')])],
    ['zlib, bad Adler-32', 'zlib', flip(z, z.length - 1)],
    ['zlib, truncated', 'zlib', z.subarray(0, z.length - 10)],
    ['zlib, bad header', 'zlib', flip(z, 0)],
    ['raw deflate', 'raw', raw],
    ['raw deflate, truncated', 'raw', raw.subarray(0, raw.length - 10)],
    ['raw deflate, data after the end', 'raw', Buffer.concat([raw, Buffer.from('tail')])],
    ['raw deflate, corrupt', 'raw', flip(raw, 3)],
    ['empty input', 'gzip', Buffer.alloc(0)],
  ];
  const full = [text, Buffer.from('second member')].map((b) => b.toString('hex'));
  const expected = (_kind: InflateKind, _input: Buffer): string => full[0]! + full[1]!;
  test.each(cases)('%s', (_name, kind, input) => {
    const node = drain(() => nodeInflate(kind, new MemorySource(new Uint8Array(input))), 65536);
    for (const step of [1, 1000, 65536]) {
      const pako = drain(() => pakoInflate(kind, new MemorySource(new Uint8Array(input))), step);
      expect(pako.error).toBe(node.error);
      // what came out before an error: Node's one-call path for small streams gives nothing, its
      // streaming path what was decoded; pako always streams. Either way it is the start of the data.
      if (node.error === null) expect(pako.out === node.out).toBe(true);
      else expect(expected(kind, input).startsWith(pako.out)).toBe(true);
    }
  });
});
