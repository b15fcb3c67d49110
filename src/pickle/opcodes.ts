/**
 * The pickle opcode table, as data: one record per opcode of protocols 0 to 5, in the order and with
 * the names, argument kinds, protocols and stack effects of CPython's `pickletools.opcodes`
 * (checked against samples/reference/opcodes.json by test/pickle/opcodes.test.ts).
 *
 * `Op` names every opcode byte. Code that acts on opcodes keys its handlers by `OpcodeName`
 * (`satisfies Record<OpcodeName, ...>`), so an opcode without a handler is a compile error.
 */
import type { ArgKind } from './args';

/** Every opcode, by its pickletools name. */
export enum Op {
  INT = 0x49,
  BININT = 0x4a,
  BININT1 = 0x4b,
  BININT2 = 0x4d,
  LONG = 0x4c,
  LONG1 = 0x8a,
  LONG4 = 0x8b,
  STRING = 0x53,
  BINSTRING = 0x54,
  SHORT_BINSTRING = 0x55,
  BINBYTES = 0x42,
  SHORT_BINBYTES = 0x43,
  BINBYTES8 = 0x8e,
  BYTEARRAY8 = 0x96,
  NEXT_BUFFER = 0x97,
  READONLY_BUFFER = 0x98,
  NONE = 0x4e,
  NEWTRUE = 0x88,
  NEWFALSE = 0x89,
  UNICODE = 0x56,
  SHORT_BINUNICODE = 0x8c,
  BINUNICODE = 0x58,
  BINUNICODE8 = 0x8d,
  FLOAT = 0x46,
  BINFLOAT = 0x47,
  EMPTY_LIST = 0x5d,
  APPEND = 0x61,
  APPENDS = 0x65,
  LIST = 0x6c,
  EMPTY_TUPLE = 0x29,
  TUPLE = 0x74,
  TUPLE1 = 0x85,
  TUPLE2 = 0x86,
  TUPLE3 = 0x87,
  EMPTY_DICT = 0x7d,
  DICT = 0x64,
  SETITEM = 0x73,
  SETITEMS = 0x75,
  EMPTY_SET = 0x8f,
  ADDITEMS = 0x90,
  FROZENSET = 0x91,
  POP = 0x30,
  DUP = 0x32,
  MARK = 0x28,
  POP_MARK = 0x31,
  GET = 0x67,
  BINGET = 0x68,
  LONG_BINGET = 0x6a,
  PUT = 0x70,
  BINPUT = 0x71,
  LONG_BINPUT = 0x72,
  MEMOIZE = 0x94,
  EXT1 = 0x82,
  EXT2 = 0x83,
  EXT4 = 0x84,
  GLOBAL = 0x63,
  STACK_GLOBAL = 0x93,
  REDUCE = 0x52,
  BUILD = 0x62,
  INST = 0x69,
  OBJ = 0x6f,
  NEWOBJ = 0x81,
  NEWOBJ_EX = 0x92,
  PROTO = 0x80,
  STOP = 0x2e,
  FRAME = 0x95,
  PERSID = 0x50,
  BINPERSID = 0x51,
}

export type OpcodeName = keyof typeof Op;

export interface OpcodeInfo {
  readonly name: OpcodeName;
  /** The opcode byte. */
  readonly code: Op;
  /** How its argument is encoded, or null when it has none. */
  readonly arg: ArgKind | null;
  /** The protocol that introduced it. */
  readonly proto: number;
  /** Stack items consumed and produced, named as in pickletools (`mark` is the mark stack). */
  readonly stackBefore: readonly string[];
  readonly stackAfter: readonly string[];
}

function op(code: Op, arg: ArgKind | null, proto: number, stackBefore: string[], stackAfter: string[]): OpcodeInfo {
  const name = Op[code] as OpcodeName;
  return Object.freeze({ name, code, arg, proto, stackBefore: Object.freeze(stackBefore), stackAfter: Object.freeze(stackAfter) });
}

export const OPCODES: readonly OpcodeInfo[] = Object.freeze([
  op(Op.INT, 'decimalnl_short', 0, [], ['int_or_bool']),
  op(Op.BININT, 'int4', 1, [], ['int']),
  op(Op.BININT1, 'uint1', 1, [], ['int']),
  op(Op.BININT2, 'uint2', 1, [], ['int']),
  op(Op.LONG, 'decimalnl_long', 0, [], ['int']),
  op(Op.LONG1, 'long1', 2, [], ['int']),
  op(Op.LONG4, 'long4', 2, [], ['int']),
  op(Op.STRING, 'stringnl', 0, [], ['bytes_or_str']),
  op(Op.BINSTRING, 'string4', 1, [], ['bytes_or_str']),
  op(Op.SHORT_BINSTRING, 'string1', 1, [], ['bytes_or_str']),
  op(Op.BINBYTES, 'bytes4', 3, [], ['bytes']),
  op(Op.SHORT_BINBYTES, 'bytes1', 3, [], ['bytes']),
  op(Op.BINBYTES8, 'bytes8', 4, [], ['bytes']),
  op(Op.BYTEARRAY8, 'bytearray8', 5, [], ['bytearray']),
  op(Op.NEXT_BUFFER, null, 5, [], ['buffer']),
  op(Op.READONLY_BUFFER, null, 5, ['buffer'], ['buffer']),
  op(Op.NONE, null, 0, [], ['None']),
  op(Op.NEWTRUE, null, 2, [], ['bool']),
  op(Op.NEWFALSE, null, 2, [], ['bool']),
  op(Op.UNICODE, 'unicodestringnl', 0, [], ['str']),
  op(Op.SHORT_BINUNICODE, 'unicodestring1', 4, [], ['str']),
  op(Op.BINUNICODE, 'unicodestring4', 1, [], ['str']),
  op(Op.BINUNICODE8, 'unicodestring8', 4, [], ['str']),
  op(Op.FLOAT, 'floatnl', 0, [], ['float']),
  op(Op.BINFLOAT, 'float8', 1, [], ['float']),
  op(Op.EMPTY_LIST, null, 1, [], ['list']),
  op(Op.APPEND, null, 0, ['list', 'any'], ['list']),
  op(Op.APPENDS, null, 1, ['list', 'mark', 'stackslice'], ['list']),
  op(Op.LIST, null, 0, ['mark', 'stackslice'], ['list']),
  op(Op.EMPTY_TUPLE, null, 1, [], ['tuple']),
  op(Op.TUPLE, null, 0, ['mark', 'stackslice'], ['tuple']),
  op(Op.TUPLE1, null, 2, ['any'], ['tuple']),
  op(Op.TUPLE2, null, 2, ['any', 'any'], ['tuple']),
  op(Op.TUPLE3, null, 2, ['any', 'any', 'any'], ['tuple']),
  op(Op.EMPTY_DICT, null, 1, [], ['dict']),
  op(Op.DICT, null, 0, ['mark', 'stackslice'], ['dict']),
  op(Op.SETITEM, null, 0, ['dict', 'any', 'any'], ['dict']),
  op(Op.SETITEMS, null, 1, ['dict', 'mark', 'stackslice'], ['dict']),
  op(Op.EMPTY_SET, null, 4, [], ['set']),
  op(Op.ADDITEMS, null, 4, ['set', 'mark', 'stackslice'], ['set']),
  op(Op.FROZENSET, null, 4, ['mark', 'stackslice'], ['frozenset']),
  op(Op.POP, null, 0, ['any'], []),
  op(Op.DUP, null, 0, ['any'], ['any', 'any']),
  op(Op.MARK, null, 0, [], ['mark']),
  op(Op.POP_MARK, null, 1, ['mark', 'stackslice'], []),
  op(Op.GET, 'decimalnl_short', 0, [], ['any']),
  op(Op.BINGET, 'uint1', 1, [], ['any']),
  op(Op.LONG_BINGET, 'uint4', 1, [], ['any']),
  op(Op.PUT, 'decimalnl_short', 0, [], []),
  op(Op.BINPUT, 'uint1', 1, [], []),
  op(Op.LONG_BINPUT, 'uint4', 1, [], []),
  op(Op.MEMOIZE, null, 4, ['any'], ['any']),
  op(Op.EXT1, 'uint1', 2, [], ['any']),
  op(Op.EXT2, 'uint2', 2, [], ['any']),
  op(Op.EXT4, 'int4', 2, [], ['any']),
  op(Op.GLOBAL, 'stringnl_noescape_pair', 0, [], ['any']),
  op(Op.STACK_GLOBAL, null, 4, ['str', 'str'], ['any']),
  op(Op.REDUCE, null, 0, ['any', 'any'], ['any']),
  op(Op.BUILD, null, 0, ['any', 'any'], ['any']),
  op(Op.INST, 'stringnl_noescape_pair', 0, ['mark', 'stackslice'], ['any']),
  op(Op.OBJ, null, 1, ['mark', 'any', 'stackslice'], ['any']),
  op(Op.NEWOBJ, null, 2, ['any', 'any'], ['any']),
  op(Op.NEWOBJ_EX, null, 4, ['any', 'any', 'any'], ['any']),
  op(Op.PROTO, 'uint1', 2, [], []),
  op(Op.STOP, null, 0, ['any'], []),
  op(Op.FRAME, 'uint8', 4, [], []),
  op(Op.PERSID, 'stringnl_noescape', 0, [], ['any']),
  op(Op.BINPERSID, null, 1, ['any'], ['any']),
]);

/** Opcode info by byte value; undefined for bytes that are not opcodes. */
export const OPCODE_BY_CODE: readonly (OpcodeInfo | undefined)[] = (() => {
  const table: (OpcodeInfo | undefined)[] = new Array(256).fill(undefined);
  for (const info of OPCODES) table[info.code] = info;
  return Object.freeze(table);
})();

export const OPCODE_BY_NAME: ReadonlyMap<string, OpcodeInfo> = new Map(OPCODES.map((o) => [o.name, o]));

/**
 * A table indexed by opcode byte, built from one entry per opcode name. `entries` must name every
 * opcode (the type says so), which is how handler tables are kept complete.
 */
export function byOpcode<T>(entries: Readonly<Record<OpcodeName, T>>): readonly (T | undefined)[] {
  const table: (T | undefined)[] = new Array(256).fill(undefined);
  for (const info of OPCODES) table[info.code] = entries[info.name];
  return table;
}
