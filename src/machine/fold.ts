/**
 * Constant folding of a few pure functions, so data keeps flowing through them: protocol 0-2 pickles
 * write bytes as `_codecs.encode(str, 'latin1')`, and payloads hide pickles in base64 or hex. Only
 * the functions below, only on constant arguments, and only to learn what bytes they produce: nothing
 * is executed.
 */
import type { BytesOf, BytesValue, StrValue, Value } from './values';

function latin1Bytes(s: string): Uint8Array | null {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) return null;
    out[i] = c;
  }
  return out;
}

function constStr(v: Value | undefined): string | null {
  return v && v.k === 'str' ? v.v : null;
}

function constBytes(v: Value | undefined, bytesOf: BytesOf): Uint8Array | null {
  if (!v) return null;
  if (v.k === 'bytes') return bytesOf(v, Infinity);
  if (v.k === 'str' && v.v !== null) return latin1Bytes(v.v);
  return null;
}

const bytesValue = (data: Uint8Array): BytesValue => ({ k: 'bytes', start: 0, end: data.length, head: data.subarray(0, 4096), data });

const BASE64_RE = /^[A-Za-z0-9+/\-_=\s]*$/;
const HEX_RE = /^(?:[0-9a-fA-F]{2}|\s)*$/;

export function decodeBase64(s: string): Uint8Array | null {
  if (!BASE64_RE.test(s)) return null;
  return new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), s.includes('-') || s.includes('_') ? 'base64url' : 'base64'));
}

function decodeHex(s: string): Uint8Array | null {
  if (!HEX_RE.test(s)) return null;
  return new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
}

const strValue = (s: string): StrValue => ({ k: 'str', v: s, len: s.length });

function constStrings(v: Value | undefined): string[] | null {
  if (!v || (v.k !== 'list' && v.k !== 'tuple') || v.count !== v.items.length) return null;
  const out: string[] = [];
  for (const x of v.items) {
    if (x.k !== 'str' || x.v === null) return null;
    out.push(x.v);
  }
  return out;
}

/**
 * The value a call produces, when the callee is one of the folded pure functions and its arguments
 * are constants: bytes from encoders and decoders, str from joins and concatenations (names built at
 * load time, e.g. `''.join(['s','y','s'])`, so a STACK_GLOBAL fed by them still resolves).
 */
export function foldCall(resolved: string, args: Value, bytesOf: BytesOf): BytesValue | StrValue | null {
  if (args.k !== 'tuple') return null;
  const [a0, a1] = args.items;
  switch (resolved) {
    case 'builtins.str.join': {
      const sep = constStr(a0);
      const parts = constStrings(a1);
      return sep !== null && parts ? strValue(parts.join(sep)) : null;
    }
    case 'operator.add':
    case 'operator.concat':
    case '_operator.add':
    case '_operator.concat':
    case 'builtins.str.__add__': {
      const x = constStr(a0);
      const y = constStr(a1);
      return x !== null && y !== null ? strValue(x + y) : null;
    }
    case 'builtins.str.lower':
    case 'builtins.str.upper':
    case 'builtins.str.strip': {
      const x = constStr(a0);
      if (x === null) return null;
      return strValue(resolved.endsWith('lower') ? x.toLowerCase() : resolved.endsWith('upper') ? x.toUpperCase() : x.trim());
    }
    case 'builtins.str': {
      const x = constStr(a0);
      return x !== null && args.count === 1 ? strValue(x) : null;
    }
    case '_codecs.encode':
    case 'codecs.encode': {
      const s = constStr(a0);
      const enc = (constStr(a1) ?? 'utf-8').toLowerCase().replace(/[-_ ]/g, '');
      if (s === null) return null;
      if (enc === 'latin1' || enc === 'iso88591' || enc === 'l1' || enc === 'ascii') {
        const b = latin1Bytes(s);
        return b ? bytesValue(b) : null;
      }
      if (enc === 'utf8') return bytesValue(new Uint8Array(Buffer.from(s, 'utf8')));
      return null;
    }
    case 'base64.b64decode':
    case 'base64.decodebytes':
    case 'base64.standard_b64decode':
    case 'base64.urlsafe_b64decode':
    case 'binascii.a2b_base64': {
      const b = constBytes(a0, bytesOf);
      return b ? mapNull(decodeBase64(Buffer.from(b).toString('latin1'))) : null;
    }
    case 'binascii.unhexlify':
    case 'binascii.a2b_hex':
    case 'builtins.bytes.fromhex':
    case 'bytes.fromhex': {
      const b = constBytes(a0, bytesOf);
      return b ? mapNull(decodeHex(Buffer.from(b).toString('latin1'))) : null;
    }
    case 'codecs.decode':
    case '_codecs.decode': {
      const b = constBytes(a0, bytesOf);
      const enc = (constStr(a1) ?? '').toLowerCase().replace(/[-_ ]/g, '');
      if (!b) return null;
      if (enc === 'base64' || enc === 'base64codec') return mapNull(decodeBase64(Buffer.from(b).toString('latin1')));
      if (enc === 'hex' || enc === 'hexcodec') return mapNull(decodeHex(Buffer.from(b).toString('latin1')));
      return null;
    }
    case 'builtins.bytes':
    case 'builtins.bytearray': {
      const b = constBytes(a0, bytesOf);
      return b ? { ...bytesValue(b), ...(resolved.endsWith('bytearray') ? { bytearray: true } : {}) } : null;
    }
    default:
      return null;
  }
}

function mapNull(b: Uint8Array | null): BytesValue | null {
  return b ? bytesValue(b) : null;
}
