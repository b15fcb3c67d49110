/**
 * Finding pickles hidden in strings: a bytes or str constant that flows into a call and starts like a
 * pickle (a PROTO opcode, or protocol 0 text with a GLOBAL line), raw or base64-encoded.
 */
import { decodeBase64 } from './fold';
import type { Value } from './values';

const MIN_LEN = 8;
const MAX_BLOBS = 16;

function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** Protocol 2+ header, or protocol 0/1 text that imports something (`c<module>\n<name>\n`). */
export function looksLikeNestedPickle(b: Uint8Array): boolean {
  if (b.length < MIN_LEN) return false;
  if (b[0] === 0x80 && b[1]! >= 1 && b[1]! <= 5) return true;
  const head = Buffer.from(b.subarray(0, Math.min(b.length, 4096))).toString('latin1');
  return /(^|[\n(\]})ptRb0-9])c[A-Za-z_][\w.]*\n[A-Za-z_][\w.]*\n/.test(head) || /^\(?i[A-Za-z_][\w.]*\n[A-Za-z_][\w.]*\n/.test(head);
}

function candidates(v: Value, input: Uint8Array, out: Uint8Array[]): void {
  if (out.length >= MAX_BLOBS) return;
  let b: Uint8Array | null = null;
  if (v.k === 'bytes') b = v.data ?? input.subarray(v.start, v.end);
  else if (v.k === 'str' && v.v !== null && v.v.length >= MIN_LEN) b = latin1Bytes(v.v);
  if (!b) return;
  if (looksLikeNestedPickle(b)) {
    out.push(b);
    return;
  }
  // base64 of a protocol 2-5 pickle starts with "gA" (0x80 ...)
  if (b.length >= 12 && b[0] === 0x67 && b[1] === 0x41) {
    const decoded = decodeBase64(Buffer.from(b).toString('latin1'));
    if (decoded && looksLikeNestedPickle(decoded)) out.push(decoded);
  }
}

/** Pickle-like strings in a value and one level inside its containers. */
export function findNestedPickles(v: Value, input: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  candidates(v, input, out);
  const inner = v.k === 'tuple' || v.k === 'list' || v.k === 'set' ? v.items : v.k === 'dict' ? v.entries.map((e) => e[1]) : [];
  for (const item of inner) {
    candidates(item, input, out);
    if (item.k === 'tuple' || item.k === 'list') for (const x of item.items) candidates(x, input, out);
  }
  return out;
}
