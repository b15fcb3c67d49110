/** Opcodes that push a constant: None, booleans, ints, floats, str, bytes. */
import {
  bytesToLatin1,
  decodeFloatLine,
  decodeIntLine,
  decodeLongBytes,
  decodeLongLine,
  decodeRawUnicodeEscape,
  decodeStringLine,
  decodeUtf8SurrogatePass,
  type PyInt,
} from '../../pickle/args';
import { Op } from '../../pickle/opcodes';
import { HEAD_BYTES, type OpReader } from '../../pickle/reader';
import type { MachineState } from '../state';
import { FALSE, NONE, TRUE, intValue, type Value } from '../values';
import type { Handlers } from './handler';

/** Past maxIntDigits an int is RESOURCE_HOSTILE and not decoded (CPython 3.11+ refuses it, older ones spend quadratic time). */
function hostileInt(m: MachineState, r: OpReader, digits: number): boolean {
  if (digits <= m.limits.maxIntDigits) return false;
  m.note(r, 'RESOURCE_HOSTILE/big-int', { digits, max: m.limits.maxIntDigits });
  return true;
}

function intFromText(m: MachineState, r: OpReader, v: PyInt | boolean | null): Value {
  if (v === null) m.halt(r, 'MALFORMED/invalid-int', { long: r.info.name === 'LONG', text: m.argText(r) });
  if (typeof v === 'boolean') return v ? TRUE : FALSE;
  return intValue(v);
}

/**
 * A protocol 0 line longer than maxLineBytes is RESOURCE_HOSTILE: no pickler writes one. It is not
 * read (only scanned for its end), so its text is unknown: true when that is the case.
 */
function longLine(m: MachineState, r: OpReader): boolean {
  if (r.argLoaded) return false;
  m.note(r, 'RESOURCE_HOSTILE/long-line', { bytes: r.argLen, max: m.limits.maxLineBytes });
  return true;
}

/** A str argument: decoded when short enough to keep (CPython rejects what `decode` rejects), else only its length. */
function pushText(m: MachineState, r: OpReader, decode: (b: Uint8Array, start: number, end: number) => string | null, utf8: boolean): void {
  const n = r.argLen;
  if (n > m.limits.maxKeptString || !r.argLoaded) {
    m.stack.push(m.str('', n));
    return;
  }
  const s = decode(r.argBuf, r.argStart, r.argEnd);
  if (s === null) m.halt(r, 'MALFORMED/invalid-text', { utf8 });
  m.stack.push(m.str(s, s.length));
}

const pushNumber = (m: MachineState, r: OpReader) => void m.stack.push(intValue(r.argNum));
const pushUnicode = (m: MachineState, r: OpReader) => pushText(m, r, decodeUtf8SurrogatePass, true);
/** bytes and bytearray: where they lie and their first HEAD_BYTES (see BytesValue). */
function pushBytes(m: MachineState, r: OpReader): void {
  const head = r.argBuf.subarray(r.argStart, Math.min(r.argEnd, r.argStart + HEAD_BYTES));
  const end = r.argPos + r.argLen;
  m.stack.push(r.code === Op.BYTEARRAY8 ? { k: 'bytes', start: r.argPos, end, head, bytearray: true } : { k: 'bytes', start: r.argPos, end, head });
}

function pushPy2Str(m: MachineState, r: OpReader): void {
  const n = r.argLen;
  m.stack.push(m.str(n <= m.limits.maxKeptString ? bytesToLatin1(r.argBuf, r.argStart, r.argEnd) : '', n, true));
}

function pushLongBytes(m: MachineState, r: OpReader): void {
  const n = r.argLen;
  m.stack.push(hostileInt(m, r, Math.ceil(n * 2.41)) || !r.argLoaded ? intValue(null) : intValue(decodeLongBytes(r.argBuf, r.argStart, r.argEnd)));
}

export const CONSTANT_OPS: Handlers<
  | 'NONE' | 'NEWTRUE' | 'NEWFALSE' | 'BININT1' | 'BININT2' | 'BININT' | 'INT' | 'LONG' | 'LONG1' | 'LONG4' | 'FLOAT' | 'BINFLOAT'
  | 'STRING' | 'BINSTRING' | 'SHORT_BINSTRING' | 'UNICODE' | 'SHORT_BINUNICODE' | 'BINUNICODE' | 'BINUNICODE8'
  | 'BINBYTES' | 'SHORT_BINBYTES' | 'BINBYTES8' | 'BYTEARRAY8'
> = {
  NONE: (m) => void m.stack.push(NONE),
  NEWTRUE: (m) => void m.stack.push(TRUE),
  NEWFALSE: (m) => void m.stack.push(FALSE),
  BININT1: pushNumber,
  BININT2: pushNumber,
  BININT: pushNumber,
  INT(m, r) {
    m.stack.push(hostileInt(m, r, r.argLen) ? intValue(null) : intFromText(m, r, decodeIntLine(r.argBuf, r.argStart, r.argEnd)));
  },
  LONG(m, r) {
    m.stack.push(hostileInt(m, r, r.argLen) ? intValue(null) : intFromText(m, r, decodeLongLine(r.argBuf, r.argStart, r.argEnd)));
  },
  LONG1: pushLongBytes,
  LONG4: pushLongBytes,
  FLOAT(m, r) {
    if (longLine(m, r)) return m.halt(r, 'MALFORMED/line-too-long', { bytes: r.argLen, max: m.limits.maxLineBytes });
    const f = decodeFloatLine(r.argBuf, r.argStart, r.argEnd);
    if (f === null) return m.halt(r, 'MALFORMED/invalid-float', { text: m.argText(r) });
    m.stack.push({ k: 'float', v: f });
  },
  BINFLOAT(m, r) {
    // big-endian, unlike every other binary argument
    m.stack.push({ k: 'float', v: new DataView(r.argBuf.buffer, r.argBuf.byteOffset + r.argStart, 8).getFloat64(0, false) });
  },
  STRING(m, r) {
    if (longLine(m, r)) return void m.stack.push(m.str('', r.argLen, true));
    const s = decodeStringLine(r.argBuf, r.argStart, r.argEnd);
    if (s === null) return m.halt(r, 'MALFORMED/invalid-string');
    m.stack.push(m.str(s, s.length, true));
  },
  BINSTRING: pushPy2Str,
  SHORT_BINSTRING: pushPy2Str,
  UNICODE(m, r) {
    longLine(m, r);
    pushText(m, r, decodeRawUnicodeEscape, false);
  },
  SHORT_BINUNICODE: pushUnicode,
  BINUNICODE: pushUnicode,
  BINUNICODE8: pushUnicode,
  BINBYTES: pushBytes,
  SHORT_BINBYTES: pushBytes,
  BINBYTES8: pushBytes,
  BYTEARRAY8: pushBytes,
};
