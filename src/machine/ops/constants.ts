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
import type { OpReader } from '../../pickle/reader';
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

/** A protocol 0 line longer than maxLineBytes is RESOURCE_HOSTILE: no pickler writes one. */
function longLine(m: MachineState, r: OpReader): void {
  const n = r.argEnd - r.argStart;
  if (n > m.limits.maxLineBytes) m.note(r, 'RESOURCE_HOSTILE/long-line', { bytes: n, max: m.limits.maxLineBytes });
}

/** A str argument: decoded when short enough to keep (CPython rejects what `decode` rejects), else only its length. */
function pushText(m: MachineState, r: OpReader, decode: (b: Uint8Array, start: number, end: number) => string | null, utf8: boolean): void {
  const n = r.argEnd - r.argStart;
  if (n > m.limits.maxKeptString) {
    m.stack.push(m.str('', n));
    return;
  }
  const s = decode(m.input, r.argStart, r.argEnd);
  if (s === null) m.halt(r, 'MALFORMED/invalid-text', { utf8 });
  m.stack.push(m.str(s, s.length));
}

const pushNumber = (m: MachineState, r: OpReader) => void m.stack.push(intValue(r.argNum));
const pushUnicode = (m: MachineState, r: OpReader) => pushText(m, r, decodeUtf8SurrogatePass, true);
const pushBytes = (m: MachineState, r: OpReader) => void m.stack.push({ k: 'bytes', start: r.argStart, end: r.argEnd });

function pushPy2Str(m: MachineState, r: OpReader): void {
  const n = r.argEnd - r.argStart;
  m.stack.push(m.str(n <= m.limits.maxKeptString ? bytesToLatin1(m.input, r.argStart, r.argEnd) : '', n, true));
}

function pushLongBytes(m: MachineState, r: OpReader): void {
  const n = r.argEnd - r.argStart;
  m.stack.push(hostileInt(m, r, Math.ceil(n * 2.41)) ? intValue(null) : intValue(decodeLongBytes(m.input, r.argStart, r.argEnd)));
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
    m.stack.push(hostileInt(m, r, r.argEnd - r.argStart) ? intValue(null) : intFromText(m, r, decodeIntLine(m.input, r.argStart, r.argEnd)));
  },
  LONG(m, r) {
    m.stack.push(hostileInt(m, r, r.argEnd - r.argStart) ? intValue(null) : intFromText(m, r, decodeLongLine(m.input, r.argStart, r.argEnd)));
  },
  LONG1: pushLongBytes,
  LONG4: pushLongBytes,
  FLOAT(m, r) {
    const f = decodeFloatLine(m.input, r.argStart, r.argEnd);
    if (f === null) return m.halt(r, 'MALFORMED/invalid-float', { text: m.argText(r) });
    m.stack.push({ k: 'float', v: f });
  },
  BINFLOAT(m, r) {
    // big-endian, unlike every other binary argument
    m.stack.push({ k: 'float', v: new DataView(m.input.buffer, m.input.byteOffset + r.argStart, 8).getFloat64(0, false) });
  },
  STRING(m, r) {
    longLine(m, r);
    const s = decodeStringLine(m.input, r.argStart, r.argEnd);
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
  BYTEARRAY8: (m, r) => void m.stack.push({ k: 'bytes', start: r.argStart, end: r.argEnd, bytearray: true }),
};
