/** Formats that are recognised but not opened (7z, rar), and inert formats (no pickle a loader would read). */
import { SEVERITY_RANK, maxSeverity } from '../../report/findings';
import { isPickleNamed, type Format } from '../formats';
import type { Probe, StreamReader } from '../reader';

const startsWith = (b: Uint8Array, sig: readonly number[], at = 0) => sig.every((x, i) => b[at + i] === x);
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

function unsupported(format: Format, detect: (p: Probe) => boolean): StreamReader {
  return { format, kind: 'unsupported', detect, read: (_src, v) => v.add('UNSUPPORTED_FORMAT/unsupported-format', { format }, 0) };
}

export const sevenZipReader = unsupported('7z', (p) => startsWith(p.head, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]));
export const rarReader = unsupported('rar', (p) => startsWith(p.head, ascii('Rar!\x1a\x07')));

function inert(format: Format, detect: (p: Probe) => boolean): StreamReader {
  return {
    format,
    kind: 'inert',
    detect,
    read(src, v) {
      const label = format === 'data' ? 'binary data' : format === 'empty' ? 'empty' : format;
      if (isPickleNamed(v.name) && (format === 'text' || format === 'data' || format === 'empty')) {
        // Named like a pickle: let the scanner judge it, and never call it clean.
        const report = v.pickle(src);
        if (!report || (!report.pickles.some((p) => p.complete) && SEVERITY_RANK[maxSeverity(report.findings)] === 0)) {
          v.setFormat(format);
          v.add('NOT_A_PICKLE/named-like-pickle', { label }, 0);
        }
        return;
      }
      v.add('NOT_A_PICKLE/not-a-pickle', { label }, null);
    },
  };
}

function isText(b: Uint8Array): boolean {
  if (b.length === 0) return false;
  const n = Math.min(b.length, 4096);
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i]!;
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

export const emptyReader = inert('empty', (p) => p.head.length === 0);
export const hdf5Reader = inert('hdf5', (p) => startsWith(p.head, [0x89, ...ascii('HDF\r\n\x1a\n')]));
export const ggufReader = inert('gguf', (p) => startsWith(p.head, ascii('GGUF')));
export const safetensorsReader = inert('safetensors', ({ head: b, sizeNow }) => {
  if (b.length < 10 || b[8] !== 0x7b || b[9] !== 0x22) return false;
  const n = Number(Buffer.from(b.subarray(0, 8)).readBigUInt64LE());
  return n + 8 <= sizeNow();
});
export const textReader = inert('text', (p) => isText(p.head));
export const dataReader = inert('data', () => true);
