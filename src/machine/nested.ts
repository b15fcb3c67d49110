/**
 * Finding pickles hidden in strings: a bytes or str constant that flows into a call and starts like a
 * pickle (a PROTO opcode, or protocol 0 text with a GLOBAL line), raw or base64-encoded.
 */
import { bytesToLatin1 } from '../pickle/args';
import { decodeBase64 } from './fold';
import type { BytesOf, Value } from './values';

/** The shortest string looked at: shorter ones cannot hold a pickle that imports anything. */
export const MIN_NESTED_LEN = 8;
const MAX_BLOBS = 16;

function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** Protocol 2+ header, or protocol 0/1 text that imports something (`c<module>\n<name>\n`). */
export function looksLikeNestedPickle(b: Uint8Array): boolean {
  if (b.length < MIN_NESTED_LEN) return false;
  if (b[0] === 0x80 && b[1]! >= 1 && b[1]! <= 5) return true;
  const head = bytesToLatin1(b.subarray(0, Math.min(b.length, 4096)));
  return /(^|[\n(\]})ptRb0-9])c[A-Za-z_][\w.]*\n[A-Za-z_][\w.]*\n/.test(head) || /^\(?i[A-Za-z_][\w.]*\n[A-Za-z_][\w.]*\n/.test(head);
}

/** A newline, or a character that is not latin-1 (its byte is its low 8 bits, which may be a newline). */
const NEWLINE_OR_WIDE = /[\n\u0100-\uffff]/;

/**
 * False when the bytes of a str (each character's low 8 bits, as latin1Bytes makes them) cannot start
 * a candidate: no PROTO byte or base64 `g` first, and no newline among the first 4096 bytes (both
 * protocol-0 patterns need one). Tested on the text itself, so most strings never get a byte copy.
 */
function strMayHoldPickle(s: string): boolean {
  const first = s.charCodeAt(0) & 0xff;
  if (first === 0x80 || first === 0x67) return true;
  return NEWLINE_OR_WIDE.test(s.length > 4096 ? s.slice(0, 4096) : s);
}

function candidates(v: Value, bytesOf: BytesOf, out: Candidate[]): void {
  if (out.length >= MAX_BLOBS) return;
  let head: Uint8Array | null = null;
  if (v.k === 'bytes') head = v.data ?? v.head;
  else if (v.k === 'str' && v.v !== null && v.v.length >= MIN_NESTED_LEN && strMayHoldPickle(v.v)) head = latin1Bytes(v.v);
  if (!head) return;
  const length = v.k === 'bytes' ? v.end - v.start : head.length;
  const whole = () => (v.k === 'bytes' ? bytesOf(v, Infinity) : head);
  if (looksLikeNestedPickle(head)) {
    out.push({ length, bytes: whole });
    return;
  }
  // base64 of a protocol 2-5 pickle starts with "gA" (0x80 ...): the decoded head says whether to decode it all
  if (length >= 12 && head[0] === 0x67 && head[1] === 0x41) {
    const prefix = decodeBase64(bytesToLatin1(head.subarray(0, Math.min(head.length, 4096) & ~3)));
    if (prefix && looksLikeNestedPickle(prefix)) {
      out.push({
        length: Math.floor((length * 3) / 4),
        bytes: () => {
          const b = whole();
          return b ? decodeBase64(bytesToLatin1(b)) : null;
        },
      });
    }
  }
}

/** A string that looks like a pickle: its length, and its bytes when they are read (null when they cannot be). */
export interface Candidate {
  length: number;
  bytes: () => Uint8Array | null;
}

/**
 * The values a call's argument is searched in, in order: the value itself, its items (a dict's
 * values), and the items of tuples and lists among them. Stops at the first `visit` that returns
 * true, and returns whether one did. findNestedPickles and mayHoldNested both walk this, so the
 * pre-check can never skip a value the search would look at.
 */
function someLookedAt(v: Value, visit: (x: Value) => boolean): boolean {
  if (visit(v)) return true;
  const inner = (item: Value): boolean => visit(item) || ((item.k === 'tuple' || item.k === 'list') && item.items.some(visit));
  if (v.k === 'tuple' || v.k === 'list' || v.k === 'set') return v.items.some(inner);
  if (v.k === 'dict') return v.entries.some((e) => inner(e[1]));
  return false;
}

/** Pickle-like strings in a value and one level inside its containers. */
export function findNestedPickles(v: Value, bytesOf: BytesOf): Candidate[] {
  const out: Candidate[] = [];
  someLookedAt(v, (x) => {
    candidates(x, bytesOf, out);
    return false;
  });
  return out;
}

/** How many values mayHoldNested looks at before it gives up and says "maybe". */
const PRECHECK_VALUES = 32;

/**
 * False when `v` certainly holds no string findNestedPickles would look at (none of MIN_NESTED_LEN
 * or more characters or bytes); true when it may, or when it is too big to tell cheaply (the memo may
 * hand one big value to many calls: those are remembered by the caller instead).
 */
export function mayHoldNested(v: Value): boolean {
  let budget = PRECHECK_VALUES;
  return someLookedAt(v, (x) => --budget < 0 || (x.k === 'bytes' ? x.end - x.start >= MIN_NESTED_LEN : x.k === 'str' && x.v !== null && x.v.length >= MIN_NESTED_LEN));
}
