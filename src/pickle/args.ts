/**
 * Argument kinds and the decoders for protocol-0 text arguments.
 *
 * The decoders follow CPython's C unpickler (Modules/_pickle.c), which is what servers run:
 * INT and LONG parse with base 0 like `strtol`/`int(s, 0)`, FLOAT like `PyOS_string_to_double`,
 * STRING like `PyBytes_DecodeEscape` of a quoted repr, UNICODE like the raw-unicode-escape codec.
 * Every decoder returns null for text CPython would reject; the caller turns that into a finding.
 */

/** Argument descriptors, named as in pickletools. */
export type ArgKind =
  | 'uint1'
  | 'uint2'
  | 'int4'
  | 'uint4'
  | 'uint8'
  | 'decimalnl_short'
  | 'decimalnl_long'
  | 'floatnl'
  | 'float8'
  | 'long1'
  | 'long4'
  | 'string1'
  | 'string4'
  | 'bytes1'
  | 'bytes4'
  | 'bytes8'
  | 'bytearray8'
  | 'stringnl'
  | 'stringnl_noescape'
  | 'stringnl_noescape_pair'
  | 'unicodestring1'
  | 'unicodestring4'
  | 'unicodestring8'
  | 'unicodestringnl';

/** Fixed-width little-endian integer arguments: their width in bytes. */
export const FIXED_WIDTH: Partial<Record<ArgKind, number>> = { uint1: 1, uint2: 2, int4: 4, uint4: 4, uint8: 8, float8: 8 };

/** Length-prefixed arguments: the width of the length prefix. */
export const LENGTH_PREFIX: Partial<Record<ArgKind, number>> = {
  long1: 1,
  long4: 4,
  string1: 1,
  string4: 4,
  bytes1: 1,
  bytes4: 4,
  bytes8: 8,
  bytearray8: 8,
  unicodestring1: 1,
  unicodestring4: 4,
  unicodestring8: 8,
};

/** Newline-terminated arguments (protocol 0 text). */
export const LINE_ARGS: ReadonlySet<ArgKind> = new Set<ArgKind>([
  'decimalnl_short',
  'decimalnl_long',
  'floatnl',
  'stringnl',
  'stringnl_noescape',
  'stringnl_noescape_pair',
  'unicodestringnl',
]);

export type PyInt = number | bigint;

type Latin1Slice = (this: Uint8Array, start: number, end: number) => string;

/**
 * Node's native latin-1 decoder (what `buffer.toString('latin1', start, end)` calls): it takes any
 * Uint8Array, and makes no view of the range first. Out-of-range positions throw there; latin1() clamps.
 * Where there is none (the browser page's Buffer shim), chunked String.fromCharCode does the same.
 */
const nativeLatin1Slice: Latin1Slice | undefined = (globalThis as { Buffer?: { prototype?: { latin1Slice?: Latin1Slice } } }).Buffer?.prototype?.latin1Slice;

function chunkedLatin1(this: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i += 4096) s += String.fromCharCode.apply(null, this.subarray(i, Math.min(end, i + 4096)) as unknown as number[]);
  return s;
}

const latin1Slice: Latin1Slice = typeof nativeLatin1Slice === 'function' ? nativeLatin1Slice : chunkedLatin1;

/** Text up to this many bytes goes through the native decoder; longer text is decoded in chunks. */
const NATIVE_LATIN1_MAX = 4096;

const char = String.fromCharCode;

function latin1(bytes: Uint8Array, start: number, end: number): string {
  const e = Math.min(end, bytes.length);
  const b = bytes;
  const s = start;
  // short text (most protocol-0 arguments: keys, numbers, names) without a call into C++
  switch (e - s) {
    case 1: return char(b[s]!);
    case 2: return char(b[s]!, b[s + 1]!);
    case 3: return char(b[s]!, b[s + 1]!, b[s + 2]!);
    case 4: return char(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!);
    case 5: return char(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!);
    case 6: return char(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!);
    case 7: return char(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!);
    case 8: return char(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!);
    default:
      if (s >= e) return '';
      // long text (megabyte strings) as before, in 4 KiB chunks: the native decoder's one flat string
      // made the growth of a 1-16 MB UNICODE line super-linear inside a busy test process
      return e - s <= NATIVE_LATIN1_MAX ? latin1Slice.call(b, s, e) : chunkedLatin1.call(b, s, e);
  }
}

/** Bytes as a latin-1 string (one char per byte). */
export function bytesToLatin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return latin1(bytes, start, end);
}

const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const digitValue = (c: number): number => {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x5a) return c - 0x41 + 10;
  return 99;
};

function toPyInt(negative: boolean, digits: string, base: number): PyInt {
  if (digits.length <= 15 && base === 10) {
    const n = Number.parseInt(digits, 10);
    return negative ? -n : n;
  }
  const prefix = base === 16 ? '0x' : base === 8 ? '0o' : base === 2 ? '0b' : '';
  let b = BigInt(prefix + digits);
  if (negative) b = -b;
  return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
}

/**
 * Python's `int(text, 0)` (what PyLong_FromString(s, NULL, 0) accepts): optional whitespace, sign,
 * 0x/0o/0b prefixes, underscores between digits, no leading zeros on non-zero decimals.
 */
export function parsePyIntBase0(text: Uint8Array, start: number, end: number, explicitBase?: 10): PyInt | null {
  let i = start;
  let e = end;
  while (i < e && isSpace(text[i]!)) i++;
  while (e > i && isSpace(text[e - 1]!)) e--;
  let negative = false;
  if (i < e && (text[i] === 0x2b || text[i] === 0x2d)) {
    negative = text[i] === 0x2d;
    i++;
  }
  if (i >= e) return null;
  let base = 10;
  if (explicitBase === undefined && text[i] === 0x30 && i + 1 < e) {
    const p = text[i + 1]! | 0x20;
    if (p === 0x78) base = 16;
    else if (p === 0x6f) base = 8;
    else if (p === 0x62) base = 2;
    if (base !== 10) {
      i += 2;
      if (i < e && text[i] === 0x5f) i++; // 0x_1f is valid
    }
  }
  if (i >= e) return null;
  let digits = '';
  let prevUnderscore = true;
  for (let j = i; j < e; j++) {
    const c = text[j]!;
    if (c === 0x5f) {
      if (prevUnderscore) return null;
      prevUnderscore = true;
      continue;
    }
    if (digitValue(c) >= base) return null;
    digits += String.fromCharCode(c);
    prevUnderscore = false;
  }
  if (prevUnderscore || digits.length === 0) return null;
  if (explicitBase === undefined && base === 10 && digits.length > 1 && digits[0] === '0' && /[^0]/.test(digits)) return null;
  return toPyInt(negative, digits, base);
}

/**
 * `strtol(s, &end, 0)` as the C unpickler's INT uses it, or null when it does not consume the whole
 * line or overflows a C long (the C code then falls back to int(s, 0)).
 */
function strtolWhole(text: Uint8Array, start: number, end: number): number | null {
  let i = start;
  while (i < end && isSpace(text[i]!)) i++;
  let negative = false;
  if (i < end && (text[i] === 0x2b || text[i] === 0x2d)) {
    negative = text[i] === 0x2d;
    i++;
  }
  let base = 10;
  if (i < end && text[i] === 0x30) {
    if (i + 2 < end && (text[i + 1]! | 0x20) === 0x78 && digitValue(text[i + 2]!) < 16) {
      base = 16;
      i += 2;
    } else base = 8;
  }
  const digitsStart = i;
  let value = 0n;
  while (i < end && digitValue(text[i]!) < base) {
    value = value * BigInt(base) + BigInt(digitValue(text[i]!));
    i++;
    if (value > 0x7fffffffffffffffn) return null; // overflow: stop here, or a long line costs quadratic time
  }
  if (i === digitsStart || i !== end) return null;
  if (value > 0x7fffffffffffffffn) return null;
  const n = negative ? -value : value;
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : null;
}

/**
 * The value of `text[start..end)` when it is a plain decimal: `0`, or 1 to 15 digits without a leading
 * zero, optionally after a `-` (every parser here reads those as that number); else -1 (parse it in full).
 */
function plainDecimal(text: Uint8Array, start: number, end: number, signed: boolean): number {
  let i = start;
  const negative = signed && i < end && text[i] === 0x2d;
  if (negative) i++;
  const n = end - i;
  if (n < 1 || n > 15) return -1;
  let c = text[i]! - 0x30;
  if (c < 0 || c > 9 || (c === 0 && n > 1)) return -1;
  let v = c;
  for (i++; i < end; i++) {
    c = text[i]! - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return negative ? -v : v;
}

/** GET/PUT index (`g...\n`, `p...\n`): PyLong_FromString(s, NULL, 10). */
export function decodeDecimalLine(text: Uint8Array, start: number, end: number): PyInt | null {
  // the common case (picklers write 0, 1, 2, ...) without building a digit string
  const plain = plainDecimal(text, start, end, false);
  if (plain >= 0) return plain;
  return parsePyIntBase0(text, start, end, 10);
}

/** INT (`I...\n`): `I00`/`I01` are False/True (3 bytes with the newline), else an int. */
export function decodeIntLine(text: Uint8Array, start: number, end: number): PyInt | boolean | null {
  if (end - start < 1) return null;
  // a plain decimal is what strtol reads too (no BigInt arithmetic for it); `-0` and `00`/`01` go the long way
  const plain = plainDecimal(text, start, end, true);
  if (plain > 0 || plain < -1 || (plain === 0 && end - start === 1)) return plain;
  // protocol 0's booleans, I00 and I01 (strtol reads them as octal 0 and 1)
  if (end - start === 2 && text[start] === 0x30 && (text[start + 1] === 0x30 || text[start + 1] === 0x31)) return text[start + 1] === 0x31;
  const viaStrtol = strtolWhole(text, start, end);
  if (viaStrtol !== null) {
    if (end - start === 2 && (viaStrtol === 0 || viaStrtol === 1)) return viaStrtol === 1;
    return viaStrtol;
  }
  return parsePyIntBase0(text, start, end);
}

/** LONG (`L...L\n`): the trailing L is optional; base 0. */
export function decodeLongLine(text: Uint8Array, start: number, end: number): PyInt | null {
  let e = end;
  if (e - start > 1 && text[e - 1] === 0x4c) e--;
  return parsePyIntBase0(text, start, e);
}

const FLOAT_RE = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)$/i;

/** FLOAT (`F...\n`), as PyOS_string_to_double: decimal, inf/infinity/nan in any case; no whitespace. */
export function decodeFloatLine(text: Uint8Array, start: number, end: number): number | null {
  const s = latin1(text, start, end);
  if (!FLOAT_RE.test(s)) return null;
  // ending in a digit or a point: a decimal number (inf, infinity and nan end in a letter)
  const last = text[end - 1]!;
  if ((last >= 0x30 && last <= 0x39) || last === 0x2e) return Number.parseFloat(s);
  const lower = s.toLowerCase();
  if (lower.endsWith('inf') || lower.endsWith('infinity')) return lower.startsWith('-') ? -Infinity : Infinity;
  if (lower.endsWith('nan')) return Number.NaN;
  return Number.parseFloat(s);
}

/** Signed little-endian two's complement (LONG1/LONG4 payload). */
export function decodeLongBytes(bytes: Uint8Array, start: number, end: number): PyInt {
  const n = end - start;
  if (n === 0) return 0;
  if (n <= 6) {
    let v = 0;
    for (let i = end - 1; i >= start; i--) v = v * 256 + bytes[i]!;
    if (bytes[end - 1]! & 0x80) v -= 2 ** (8 * n);
    return v;
  }
  let hex = '';
  for (let i = end - 1; i >= start; i--) hex += bytes[i]!.toString(16).padStart(2, '0');
  let v = BigInt('0x' + hex);
  if (bytes[end - 1]! & 0x80) v -= 1n << BigInt(8 * n);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/**
 * STRING (`S'...'\n`): the quoted repr of a Python 2 str. Returns the decoded bytes as a latin-1
 * string, or null when the quotes do not match or an escape is invalid.
 */
export function decodeStringLine(text: Uint8Array, start: number, end: number): string | null {
  if (end - start < 2) return null;
  const q = text[start]!;
  if ((q !== 0x27 && q !== 0x22) || text[end - 1] !== q) return null;
  let out = '';
  for (let i = start + 1; i < end - 1; i++) {
    if (text[i] !== 0x5c) {
      // copy a run without escapes at once: per-byte appends cost ~30 bytes of rope per input byte
      const run = i;
      while (i < end - 1 && text[i] !== 0x5c) i++;
      out += latin1(text, run, i);
      if (i >= end - 1) break;
    }
    i++;
    if (i >= end - 1) return null; // trailing backslash: "Trailing \ in string"
    const e = text[i]!;
    switch (e) {
      case 0x0a: break; // backslash-newline: line continuation
      case 0x5c: out += '\\'; break;
      case 0x27: out += "'"; break;
      case 0x22: out += '"'; break;
      case 0x62: out += '\b'; break;
      case 0x66: out += '\f'; break;
      case 0x74: out += '\t'; break;
      case 0x6e: out += '\n'; break;
      case 0x72: out += '\r'; break;
      case 0x76: out += '\v'; break;
      case 0x61: out += '\x07'; break;
      case 0x78: {
        const h1 = i + 1 < end - 1 ? digitValue(text[i + 1]!) : 99;
        const h2 = i + 2 < end - 1 ? digitValue(text[i + 2]!) : 99;
        if (h1 >= 16 || h2 >= 16) return null; // "invalid \x escape"
        out += String.fromCharCode(h1 * 16 + h2);
        i += 2;
        break;
      }
      default:
        if (e >= 0x30 && e <= 0x37) {
          let v = e - 0x30;
          for (let k = 0; k < 2 && i + 1 < end - 1 && text[i + 1]! >= 0x30 && text[i + 1]! <= 0x37; k++) {
            i++;
            v = v * 8 + (text[i]! - 0x30);
          }
          out += String.fromCharCode(v & 0xff);
        } else {
          out += '\\' + String.fromCharCode(e); // unknown escapes are kept (with a DeprecationWarning)
        }
    }
  }
  return out;
}

/** UNICODE (`V...\n`): raw-unicode-escape of latin-1 bytes. */
export function decodeRawUnicodeEscape(text: Uint8Array, start: number, end: number): string | null {
  let out = '';
  let i = start;
  while (i < end) {
    if (text[i] !== 0x5c) {
      const run = i;
      while (i < end && text[i] !== 0x5c) i++;
      out += latin1(text, run, i);
      continue;
    }
    const bs = i;
    while (i < end && text[i] === 0x5c) i++;
    const run = i - bs;
    if ((run & 1) === 0 || i >= end || (text[i] !== 0x75 && text[i] !== 0x55)) {
      out += '\\'.repeat(run);
      continue;
    }
    out += '\\'.repeat(run - 1);
    const count = text[i] === 0x75 ? 4 : 8;
    i++;
    let cp = 0;
    for (let k = 0; k < count; k++, i++) {
      if (i >= end) return null;
      const d = digitValue(text[i]!);
      if (d >= 16) return null;
      cp = cp * 16 + d;
    }
    if (cp > 0x10ffff) return null;
    out += String.fromCodePoint(cp);
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * UTF-8 with the `surrogatepass` error handler, as the C unpickler decodes BINUNICODE and friends:
 * encoded surrogates (ED A0..BF xx) are accepted as lone surrogates; anything else invalid is null.
 */
export function decodeUtf8SurrogatePass(bytes: Uint8Array, start: number, end: number): string | null {
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return latin1(bytes, start, end);
  const view = bytes.subarray(start, end);
  try {
    return utf8.decode(view);
  } catch {
    return decodeUtf8Slow(view);
  }
}

function decodeUtf8Slow(b: Uint8Array): string | null {
  const parts: number[] = [];
  let out = '';
  const flush = () => {
    out += String.fromCharCode.apply(null, parts);
    parts.length = 0;
  };
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    let cp: number;
    let need: number;
    let min: number;
    if (c < 0x80) { cp = c; need = 0; min = 0; }
    else if (c >= 0xc2 && c <= 0xdf) { cp = c & 0x1f; need = 1; min = 0x80; }
    else if (c >= 0xe0 && c <= 0xef) { cp = c & 0x0f; need = 2; min = 0x800; }
    else if (c >= 0xf0 && c <= 0xf4) { cp = c & 0x07; need = 3; min = 0x10000; }
    else return null;
    for (let k = 1; k <= need; k++) {
      const cc = b[i + k];
      if (cc === undefined || (cc & 0xc0) !== 0x80) return null;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff) return null;
    i += need + 1;
    if (cp >= 0x10000) {
      const v = cp - 0x10000;
      parts.push(0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff));
    } else parts.push(cp);
    if (parts.length > 4000) flush();
  }
  flush();
  return out;
}
