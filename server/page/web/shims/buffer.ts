/**
 * The part of Node's Buffer the library and its decoders use, for the browser bundle (injected by
 * esbuild wherever the bundled code names `Buffer`). test/web/shims.test.ts checks each method
 * against Node's own Buffer.
 *
 * Used: Buffer.from(bytes | string, encoding), new Buffer(n) (seek-bzip), Buffer.alloc, Buffer.concat,
 * toString(encoding), equals, copy, readBigUInt64LE. Encodings: utf8, latin1 (binary), hex,
 * base64, base64url. Anything else throws, so a new use shows up in the tests instead of decoding wrong.
 */

type Encoding = 'utf8' | 'utf-8' | 'latin1' | 'binary' | 'hex' | 'base64' | 'base64url';

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

function norm(encoding: string | undefined): string {
  const e = (encoding ?? 'utf8').toLowerCase();
  if (e === 'utf-8') return 'utf8';
  if (e === 'binary') return 'latin1';
  return e;
}

// base64 and base64url decode alike in Node: both alphabets, other characters skipped, '=' ends the data
// (each UTF-16 unit by its low byte, as Node reads a string for these encodings)
const SEXTET = new Int8Array(256).fill(-1);
for (let i = 0; i < 64; i++) SEXTET['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;
SEXTET['-'.charCodeAt(0)] = 62;
SEXTET['_'.charCodeAt(0)] = 63;

function decodeBase64(s: string): Uint8Array {
  const out = new Uint8Array(Math.floor((s.length * 3) / 4) + 3);
  let n = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < s.length; i++) {
    // like Node, each UTF-16 unit counts by its low byte
    const c = s.charCodeAt(i) & 0xff;
    if (c === 0x3d) break;
    const v = SEXTET[c]!;
    if (v < 0) continue;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, n);
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function encodeBase64(b: Uint8Array, url: boolean): string {
  const abc = url ? B64URL : B64;
  let s = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const v = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    s += abc[v >> 18]! + abc[(v >> 12) & 63]! + abc[(v >> 6) & 63]! + abc[v & 63]!;
  }
  const rest = b.length - i;
  if (rest === 1) {
    const v = b[i]! << 16;
    s += abc[v >> 18]! + abc[(v >> 12) & 63]! + (url ? '' : '==');
  } else if (rest === 2) {
    const v = (b[i]! << 16) | (b[i + 1]! << 8);
    s += abc[v >> 18]! + abc[(v >> 12) & 63]! + abc[(v >> 6) & 63]! + (url ? '' : '=');
  }
  return s;
}

const HEX_VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(i)] = i;
}

function decodeHex(s: string): Uint8Array {
  const out = new Uint8Array(s.length >> 1);
  let n = 0;
  for (; n < out.length; n++) {
    const hi = HEX_VALUE[s.charCodeAt(2 * n) & 0xff]!;
    const lo = HEX_VALUE[s.charCodeAt(2 * n + 1) & 0xff]!;
    if (hi < 0 || lo < 0) break;
    out[n] = (hi << 4) | lo;
  }
  return out.subarray(0, n);
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode.apply(null, b.subarray(i, Math.min(b.length, i + 8192)) as unknown as number[]);
  return s;
}

function fromString(s: string, encoding: string | undefined): Uint8Array {
  switch (norm(encoding)) {
    case 'utf8':
      return utf8Encoder.encode(s);
    case 'latin1': {
      const out = new Uint8Array(s.length);
      for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
      return out;
    }
    case 'hex':
      return decodeHex(s);
    case 'base64':
    case 'base64url':
      return decodeBase64(s);
    default:
      throw new TypeError(`Unknown encoding: ${encoding}`);
  }
}

export class Buffer extends Uint8Array {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Node's signature, wider than Uint8Array.from's
  static override from(value: any, encodingOrOffset?: any, length?: number): any {
    if (typeof value === 'string') {
      const b = fromString(value, encodingOrOffset as string | undefined);
      return new Buffer(b.buffer as ArrayBuffer, b.byteOffset, b.length);
    }
    if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer)) {
      return new Buffer(value as ArrayBuffer, (encodingOrOffset as number | undefined) ?? 0, length ?? value.byteLength - ((encodingOrOffset as number | undefined) ?? 0));
    }
    const src = value as ArrayLike<number>;
    const out = new Buffer(src.length);
    out.set(src);
    return out;
  }

  static alloc(size: number): Buffer {
    return new Buffer(size);
  }

  static allocUnsafe(size: number): Buffer {
    return new Buffer(size);
  }

  static isBuffer(x: unknown): x is Buffer {
    return x instanceof Buffer;
  }

  static concat(list: readonly Uint8Array[], total?: number): Buffer {
    const size = total ?? list.reduce((n, b) => n + b.length, 0);
    const out = new Buffer(size);
    let at = 0;
    for (const b of list) {
      if (at >= size) break;
      const part = b.subarray(0, size - at);
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  override toString(encoding?: Encoding | string, start = 0, end = this.length): string {
    const b = this.subarray(start, end);
    switch (norm(encoding)) {
      case 'utf8':
        return utf8Decoder.decode(b);
      case 'latin1':
        return latin1(b);
      case 'hex': {
        let s = '';
        for (const x of b) s += (x < 16 ? '0' : '') + x.toString(16);
        return s;
      }
      case 'base64':
        return encodeBase64(b, false);
      case 'base64url':
        return encodeBase64(b, true);
      default:
        throw new TypeError(`Unknown encoding: ${encoding}`);
    }
  }

  equals(other: Uint8Array): boolean {
    if (other.length !== this.length) return false;
    for (let i = 0; i < this.length; i++) if (this[i] !== other[i]) return false;
    return true;
  }

  copy(target: Uint8Array, targetStart = 0, sourceStart = 0, sourceEnd = this.length): number {
    const n = Math.max(0, Math.min(sourceEnd - sourceStart, target.length - targetStart, this.length - sourceStart));
    if (n > 0) target.set(this.subarray(sourceStart, sourceStart + n), targetStart);
    return n;
  }

  readBigUInt64LE(offset = 0): bigint {
    if (offset < 0 || offset + 8 > this.length) throw new RangeError(`The value of "offset" is out of range. It must be >= 0 and <= ${this.length - 8}. Received ${offset}`);
    return new DataView(this.buffer, this.byteOffset, this.length).getBigUint64(offset, true);
  }
}
