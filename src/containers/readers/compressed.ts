/**
 * Single compressed streams: gzip, bzip2, xz, lzma-alone, zlib (joblib `compress=`), joblib's old
 * `ZF` format, zstd (pandas) and lz4 frames (joblib). Each is decoded as it is read (decode/), and
 * its content walked like any stream; a corrupt stream or a cap ends the content where it happened
 * and is reported on the compressed stream.
 */
import { readBytes, type ByteSource } from '../../pickle/source';
import { DecompressError, type Codec } from '../decode';
import { TailSource } from '../io/sources';
import type { Format } from '../formats';
import { decodeFinding, type Probe, type StreamReader, type Visit } from '../reader';

const startsWith = (b: Uint8Array, sig: readonly number[], at = 0) => sig.every((x, i) => b[at + i] === x);
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/** File-name suffix that names the decompressed stream (`model.pkl.gz` holds `model.pkl`). */
const SUFFIX: Partial<Record<Format, RegExp>> = {
  gzip: /\.(gz|tgz)$/i,
  bzip2: /\.(bz2|tbz2?)$/i,
  xz: /\.(xz|txz)$/i,
  lzma: /\.lzma$/i,
  zlib: /\.(z|zlib)$/i,
  'joblib-zlib': /\.z$/i,
  zstd: /\.(zst|zstd|tzst)$/i,
  lz4: /\.(lz4|tlz4)$/i,
};

function innerName(format: Format, name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const suffix = SUFFIX[format];
  return suffix && suffix.test(base) ? base.replace(suffix, (m) => (/^\.t/i.test(m) ? '.tar' : '')) : `<${format}>`;
}

/** Walk the decoded content of `input`; `after` checks the content once it has been read to its end. */
function readCompressed(format: Format, codec: Codec, input: ByteSource, v: Visit, after?: (size: number) => DecompressError | null): void {
  if (v.budgetLeft() <= 0) {
    v.add('LIMIT_EXCEEDED/inflate-budget', { declared: null, budget: v.limits.maxInflatedBytes }, 0);
    return;
  }
  const decoded = v.decode(codec, input);
  try {
    v.member(innerName(format, v.name), decoded);
    const size = decoded.sizeNow();
    const err = decoded.error ?? after?.(size) ?? null;
    if (err) decodeFinding(v, err, `cannot decompress ${format}`, 0);
  } finally {
    decoded.close();
  }
}

function compressed(format: Format, codec: Codec, detect: (p: Probe) => boolean): StreamReader {
  return { format, kind: 'compressed', detect, read: (src, v) => readCompressed(format, codec, src, v) };
}

function isLzmaAlone(b: Uint8Array, nameHint: string): boolean {
  if (b.length < 13 || b[0]! >= 225) return false;
  const dict = (b[1]! | (b[2]! << 8) | (b[3]! << 16) | (b[4]! << 24)) >>> 0;
  const sizeUnknown = b.subarray(5, 13).every((x) => x === 0xff);
  const sizePlausible = sizeUnknown || (b[11] === 0 && b[12] === 0);
  // Python's lzma FORMAT_ALONE and joblib write props 0x5D (lc=3, lp=0, pb=2) and an 8 MiB dictionary.
  return dict >= 4096 && sizePlausible && (b[0] === 0x5d || /\.lzma$/i.test(nameHint));
}

export const gzipReader = compressed('gzip', 'gzip', (p) => startsWith(p.head, [0x1f, 0x8b]));
export const bzip2Reader = compressed('bzip2', 'bzip2', ({ head: b }) => startsWith(b, ascii('BZh')) && b[3]! >= 0x31 && b[3]! <= 0x39 && (startsWith(b, [0x31, 0x41, 0x59, 0x26, 0x53, 0x59], 4) || startsWith(b, [0x17, 0x72, 0x45, 0x38, 0x50, 0x90], 4)));
export const xzReader = compressed('xz', 'xz', (p) => startsWith(p.head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]));
export const lzmaReader = compressed('lzma', 'lzma', (p) => isLzmaAlone(p.head, p.name));
export const zlibReader = compressed('zlib', 'zlib', ({ head: b }) => b[0] === 0x78 && b.length > 1 && (b[1] === 0x01 || b[1] === 0x5e || b[1] === 0x9c || b[1] === 0xda));
export const zstdReader = compressed('zstd', 'zstd', (p) => startsWith(p.head, [0x28, 0xb5, 0x2f, 0xfd]));
export const lz4Reader = compressed('lz4', 'lz4', (p) => startsWith(p.head, [0x04, 0x22, 0x4d, 0x18]));

/** joblib < 0.10 zlib files: `ZF`, the length as a hex literal padded to 19 bytes, then a zlib stream. */
export const joblibZlibReader: StreamReader = {
  format: 'joblib-zlib',
  kind: 'compressed',
  detect: ({ head: b }) => startsWith(b, ascii('ZF')) && b.length > 21 && /^0x[0-9a-fA-F]+L? *$/.test(Buffer.from(b.subarray(2, 21)).toString('latin1')),
  read(src, v) {
    const declared = Number.parseInt(Buffer.from(readBytes(src, 2, 19)).toString('latin1').trim().replace(/L$/, ''), 16);
    readCompressed('joblib-zlib', 'zlib', new TailSource(src, 21), v, (size) =>
      declared !== size ? new DecompressError(`joblib zlib header declares ${declared} bytes, stream holds ${size}`, false) : null,
    );
  },
};
