/**
 * `readOps`: the opcode stream of one input as plain records, like `pickletools.genops`, for
 * disassembly, tests and tools. The scanner itself pulls from OpReader directly and never builds these.
 */
import {
  bytesToLatin1,
  decodeDecimalLine,
  decodeFloatLine,
  decodeIntLine,
  decodeLongBytes,
  decodeLongLine,
  decodeRawUnicodeEscape,
  decodeStringLine,
  decodeUtf8SurrogatePass,
  type PyInt,
} from './args';
import { ruleMessage } from '../report/rules';
import { Op, type OpcodeName } from './opcodes';
import { OpReader } from './reader';

export type OpArg = null | boolean | PyInt | string | Uint8Array | readonly [string, string];

/** One opcode of the stream, as a plain record. */
export interface OpRecord {
  name: OpcodeName;
  code: number;
  /** Offset of the opcode byte. */
  pos: number;
  /** Offset just past its argument. */
  end: number;
  /** The decoded argument (bytes arguments are views into the input, not copies). */
  arg: OpArg;
  /** Set when the opcode straddles a FRAME boundary: what a finding would say. */
  frameViolation?: string;
}

export interface ReadOpsOptions {
  start?: number;
  end?: number;
  /** Stop after the first STOP (like genops). Default false: read every pickle to the end of input. */
  firstPickleOnly?: boolean;
}

/** Decodes the current opcode's argument. Returns undefined when its text is invalid. */
export function decodeArg(r: OpReader): OpArg | undefined {
  const { buf, argStart: s, argEnd: e } = r;
  switch (r.info.arg) {
    case null:
      return null;
    case 'uint1':
    case 'uint2':
    case 'int4':
    case 'uint4':
      return r.argNum;
    case 'uint8': {
      const v = new DataView(buf.buffer, buf.byteOffset + s, 8).getBigUint64(0, true);
      return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    }
    case 'float8':
      return new DataView(buf.buffer, buf.byteOffset + s, 8).getFloat64(0, false);
    case 'decimalnl_short':
      return (r.info.name === 'INT' ? decodeIntLine(buf, s, e) : decodeDecimalLine(buf, s, e)) ?? undefined;
    case 'decimalnl_long':
      return decodeLongLine(buf, s, e) ?? undefined;
    case 'floatnl':
      return decodeFloatLine(buf, s, e) ?? undefined;
    case 'long1':
    case 'long4':
      return decodeLongBytes(buf, s, e);
    case 'string1':
    case 'string4':
      return bytesToLatin1(buf, s, e);
    case 'bytes1':
    case 'bytes4':
    case 'bytes8':
    case 'bytearray8':
      return buf.subarray(s, e);
    case 'unicodestring1':
    case 'unicodestring4':
    case 'unicodestring8':
      return decodeUtf8SurrogatePass(buf, s, e) ?? undefined;
    case 'stringnl':
      return decodeStringLine(buf, s, e) ?? undefined;
    case 'stringnl_noescape':
      return bytesToLatin1(buf, s, e);
    case 'unicodestringnl':
      return decodeRawUnicodeEscape(buf, s, e) ?? undefined;
    case 'stringnl_noescape_pair': {
      const m = decodeUtf8SurrogatePass(buf, s, e);
      const n = decodeUtf8SurrogatePass(buf, r.arg2Start, r.arg2End);
      return m === null || n === null ? undefined : ([m, n] as const);
    }
  }
}

/** Where and why the bytes stop being an opcode stream. */
export interface ReadOpsErrorDetail {
  code: 'MALFORMED' | 'TRUNCATED';
  /** The finding rule (see src/report/rules/). */
  rule: string;
  message: string;
  offset: number;
  opcode?: string;
}

export class ReadOpsError extends Error {
  constructor(readonly detail: ReadOpsErrorDetail) {
    super(detail.message);
    this.name = 'ReadOpsError';
  }
}

/**
 * Yields every opcode of the input in order. Throws ReadOpsError (with code, offset and opcode) where
 * the bytes stop being a valid opcode stream; opcodes before that point have been yielded.
 */
export function* readOps(bytes: Uint8Array, options: ReadOpsOptions = {}): Generator<OpRecord, void, void> {
  // a listing shows every argument whole, however long
  const r = new OpReader(bytes, { start: options.start, end: options.end, maxKept: Infinity, maxLine: Infinity });
  while (r.next()) {
    const arg = decodeArg(r);
    if (arg === undefined) {
      const args = { op: r.info.name, at: r.opPos };
      throw new ReadOpsError({ code: 'MALFORMED', rule: 'invalid-argument', message: ruleMessage('MALFORMED/invalid-argument', args), offset: r.opPos, opcode: r.info.name });
    }
    const op: OpRecord = { name: r.info.name, code: r.code, pos: r.opPos, end: r.pos, arg };
    if (r.frameViolation) op.frameViolation = ruleMessage(r.frameViolation.rule, r.frameViolation.args as never);
    yield op;
    if (r.code === Op.STOP && options.firstPickleOnly) return;
  }
  const e = r.error;
  if (e) throw new ReadOpsError({ code: e.code, rule: e.rule.slice(e.rule.indexOf('/') + 1), message: e.message, offset: e.offset, ...(e.opcode ? { opcode: e.opcode } : {}) });
}
