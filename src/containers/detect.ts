/**
 * Format detection by magic bytes. The file name is only a hint (for the weak LZMA-alone signature).
 */
import type { Format } from './formats';
import { looksLikePickle } from '../pickle/sniff';

/** Bytes of a file's start that detection looks at. */
export const SNIFF_BYTES = 64 * 1024;

const TORCH_LEGACY_MAGIC = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

function startsWith(b: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (b.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[at + i] !== sig[i]) return false;
  return true;
}

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/** Is this a valid tar header block (checksum over the 512 bytes with the checksum field as spaces)? */
export function isTarHeader(b: Uint8Array, at = 0): boolean {
  if (b.length < at + 512) return false;
  let sum = 0;
  let allZero = true;
  for (let i = 0; i < 512; i++) {
    const v = i >= 148 && i < 156 ? 0x20 : b[at + i];
    if (b[at + i] !== 0) allZero = false;
    sum += v;
  }
  if (allZero) return false;
  const field = Buffer.from(b.subarray(at + 148, at + 156)).toString('latin1').replace(/[\0 ]+$/g, '').trim();
  if (!/^[0-7]+$/.test(field)) return false;
  return parseInt(field, 8) === sum;
}

function isLzmaAlone(b: Uint8Array, nameHint: string): boolean {
  if (b.length < 13 || b[0] >= 225) return false;
  const dict = (b[1] | (b[2] << 8) | (b[3] << 16) | (b[4] << 24)) >>> 0;
  const sizeUnknown = b.subarray(5, 13).every((x) => x === 0xff);
  const sizePlausible = sizeUnknown || (b[11] === 0 && b[12] === 0);
  // Python's lzma FORMAT_ALONE and joblib write props 0x5D (lc=3, lp=0, pb=2) and an 8 MiB dictionary.
  return dict >= 4096 && sizePlausible && (b[0] === 0x5d || /\.lzma$/i.test(nameHint));
}

function isText(b: Uint8Array): boolean {
  if (b.length === 0) return false;
  const n = Math.min(b.length, 4096);
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c === 0) return false;
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) bad++;
  }
  if (bad > n / 100) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(0, n - (n === b.length ? 0 : 4)));
    return true;
  } catch {
    return false;
  }
}

/**
 * Detect the format of a stream from its first bytes (`head`, up to SNIFF_BYTES) and its total size.
 * `hasEocd` says whether a zip end-of-central-directory record sits near the end (a zip that does
 * not start with a local header, e.g. a pickle/zip polyglot, is still a zip).
 */
export function detectFormat(head: Uint8Array, size: number, nameHint: string, hasEocd: boolean): Format {
  if (size === 0) return 'empty';
  const b = head;
  if (startsWith(b, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return '7z';
  if (startsWith(b, ascii('Rar!\x1a\x07'))) return 'rar';
  if (startsWith(b, [0x28, 0xb5, 0x2f, 0xfd])) return 'zstd';
  if (startsWith(b, [0x04, 0x22, 0x4d, 0x18])) return 'lz4';
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04]) || startsWith(b, [0x50, 0x4b, 0x05, 0x06]) || startsWith(b, [0x50, 0x4b, 0x07, 0x08])) return 'zip';
  if (startsWith(b, [0x93, ...ascii('NUMPY')])) return 'npy';
  if (startsWith(b, [0x1f, 0x8b])) return 'gzip';
  if (startsWith(b, ascii('BZh')) && b[3] >= 0x31 && b[3] <= 0x39 && (startsWith(b, [0x31, 0x41, 0x59, 0x26, 0x53, 0x59], 4) || startsWith(b, [0x17, 0x72, 0x45, 0x38, 0x50, 0x90], 4))) return 'bzip2';
  if (startsWith(b, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'xz';
  if (startsWith(b, ascii('ZF')) && b.length > 21 && /^0x[0-9a-fA-F]+L? *$/.test(Buffer.from(b.subarray(2, 21)).toString('latin1'))) return 'joblib-zlib';
  if (b[0] === 0x78 && b.length > 1 && (b[1] === 0x01 || b[1] === 0x5e || b[1] === 0x9c || b[1] === 0xda)) return 'zlib';
  if (startsWith(b, TORCH_LEGACY_MAGIC)) return 'torch-legacy';
  if (startsWith(b, ascii('ustar'), 257) || isTarHeader(b)) return 'tar';
  if (startsWith(b, [0x89, ...ascii('HDF\r\n\x1a\n')])) return 'hdf5';
  if (startsWith(b, ascii('GGUF'))) return 'gguf';
  if (looksLikePickle(b, b.length >= size)) return 'pickle';
  if (hasEocd) return 'zip';
  if (isLzmaAlone(b, nameHint)) return 'lzma';
  if (b.length >= 10 && b[8] === 0x7b && b[9] === 0x22) {
    const n = Number(Buffer.from(b.subarray(0, 8)).readBigUInt64LE());
    if (n + 8 <= size) return 'safetensors';
  }
  if (isText(b)) return 'text';
  return 'data';
}
