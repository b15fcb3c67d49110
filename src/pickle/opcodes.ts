/**
 * The pickle opcode table, as data: one record per opcode of protocols 0 to 5, in the order and with
 * the names, argument kinds, protocols and stack effects of CPython's `pickletools.opcodes`
 * (checked against samples/reference/opcodes.json by test/pickle/opcodes.test.ts).
 */
import type { ArgKind } from './args';

export type OpcodeName =
  | 'INT'
  | 'BININT'
  | 'BININT1'
  | 'BININT2'
  | 'LONG'
  | 'LONG1'
  | 'LONG4'
  | 'STRING'
  | 'BINSTRING'
  | 'SHORT_BINSTRING'
  | 'BINBYTES'
  | 'SHORT_BINBYTES'
  | 'BINBYTES8'
  | 'BYTEARRAY8'
  | 'NEXT_BUFFER'
  | 'READONLY_BUFFER'
  | 'NONE'
  | 'NEWTRUE'
  | 'NEWFALSE'
  | 'UNICODE'
  | 'SHORT_BINUNICODE'
  | 'BINUNICODE'
  | 'BINUNICODE8'
  | 'FLOAT'
  | 'BINFLOAT'
  | 'EMPTY_LIST'
  | 'APPEND'
  | 'APPENDS'
  | 'LIST'
  | 'EMPTY_TUPLE'
  | 'TUPLE'
  | 'TUPLE1'
  | 'TUPLE2'
  | 'TUPLE3'
  | 'EMPTY_DICT'
  | 'DICT'
  | 'SETITEM'
  | 'SETITEMS'
  | 'EMPTY_SET'
  | 'ADDITEMS'
  | 'FROZENSET'
  | 'POP'
  | 'DUP'
  | 'MARK'
  | 'POP_MARK'
  | 'GET'
  | 'BINGET'
  | 'LONG_BINGET'
  | 'PUT'
  | 'BINPUT'
  | 'LONG_BINPUT'
  | 'MEMOIZE'
  | 'EXT1'
  | 'EXT2'
  | 'EXT4'
  | 'GLOBAL'
  | 'STACK_GLOBAL'
  | 'REDUCE'
  | 'BUILD'
  | 'INST'
  | 'OBJ'
  | 'NEWOBJ'
  | 'NEWOBJ_EX'
  | 'PROTO'
  | 'STOP'
  | 'FRAME'
  | 'PERSID'
  | 'BINPERSID';

export interface OpcodeInfo {
  readonly name: OpcodeName;
  /** The opcode byte. */
  readonly code: number;
  /** How its argument is encoded, or null when it has none. */
  readonly arg: ArgKind | null;
  /** The protocol that introduced it. */
  readonly proto: number;
  /** Stack items consumed and produced, named as in pickletools (`mark` is the mark stack). */
  readonly stackBefore: readonly string[];
  readonly stackAfter: readonly string[];
}

function op(name: OpcodeName, code: number, arg: ArgKind | null, proto: number, stackBefore: string[], stackAfter: string[]): OpcodeInfo {
  return Object.freeze({ name, code, arg, proto, stackBefore: Object.freeze(stackBefore), stackAfter: Object.freeze(stackAfter) });
}

export const OPCODES: readonly OpcodeInfo[] = Object.freeze([
  op('INT', 0x49, 'decimalnl_short', 0, [], ['int_or_bool']),
  op('BININT', 0x4a, 'int4', 1, [], ['int']),
  op('BININT1', 0x4b, 'uint1', 1, [], ['int']),
  op('BININT2', 0x4d, 'uint2', 1, [], ['int']),
  op('LONG', 0x4c, 'decimalnl_long', 0, [], ['int']),
  op('LONG1', 0x8a, 'long1', 2, [], ['int']),
  op('LONG4', 0x8b, 'long4', 2, [], ['int']),
  op('STRING', 0x53, 'stringnl', 0, [], ['bytes_or_str']),
  op('BINSTRING', 0x54, 'string4', 1, [], ['bytes_or_str']),
  op('SHORT_BINSTRING', 0x55, 'string1', 1, [], ['bytes_or_str']),
  op('BINBYTES', 0x42, 'bytes4', 3, [], ['bytes']),
  op('SHORT_BINBYTES', 0x43, 'bytes1', 3, [], ['bytes']),
  op('BINBYTES8', 0x8e, 'bytes8', 4, [], ['bytes']),
  op('BYTEARRAY8', 0x96, 'bytearray8', 5, [], ['bytearray']),
  op('NEXT_BUFFER', 0x97, null, 5, [], ['buffer']),
  op('READONLY_BUFFER', 0x98, null, 5, ['buffer'], ['buffer']),
  op('NONE', 0x4e, null, 0, [], ['None']),
  op('NEWTRUE', 0x88, null, 2, [], ['bool']),
  op('NEWFALSE', 0x89, null, 2, [], ['bool']),
  op('UNICODE', 0x56, 'unicodestringnl', 0, [], ['str']),
  op('SHORT_BINUNICODE', 0x8c, 'unicodestring1', 4, [], ['str']),
  op('BINUNICODE', 0x58, 'unicodestring4', 1, [], ['str']),
  op('BINUNICODE8', 0x8d, 'unicodestring8', 4, [], ['str']),
  op('FLOAT', 0x46, 'floatnl', 0, [], ['float']),
  op('BINFLOAT', 0x47, 'float8', 1, [], ['float']),
  op('EMPTY_LIST', 0x5d, null, 1, [], ['list']),
  op('APPEND', 0x61, null, 0, ['list', 'any'], ['list']),
  op('APPENDS', 0x65, null, 1, ['list', 'mark', 'stackslice'], ['list']),
  op('LIST', 0x6c, null, 0, ['mark', 'stackslice'], ['list']),
  op('EMPTY_TUPLE', 0x29, null, 1, [], ['tuple']),
  op('TUPLE', 0x74, null, 0, ['mark', 'stackslice'], ['tuple']),
  op('TUPLE1', 0x85, null, 2, ['any'], ['tuple']),
  op('TUPLE2', 0x86, null, 2, ['any', 'any'], ['tuple']),
  op('TUPLE3', 0x87, null, 2, ['any', 'any', 'any'], ['tuple']),
  op('EMPTY_DICT', 0x7d, null, 1, [], ['dict']),
  op('DICT', 0x64, null, 0, ['mark', 'stackslice'], ['dict']),
  op('SETITEM', 0x73, null, 0, ['dict', 'any', 'any'], ['dict']),
  op('SETITEMS', 0x75, null, 1, ['dict', 'mark', 'stackslice'], ['dict']),
  op('EMPTY_SET', 0x8f, null, 4, [], ['set']),
  op('ADDITEMS', 0x90, null, 4, ['set', 'mark', 'stackslice'], ['set']),
  op('FROZENSET', 0x91, null, 4, ['mark', 'stackslice'], ['frozenset']),
  op('POP', 0x30, null, 0, ['any'], []),
  op('DUP', 0x32, null, 0, ['any'], ['any', 'any']),
  op('MARK', 0x28, null, 0, [], ['mark']),
  op('POP_MARK', 0x31, null, 1, ['mark', 'stackslice'], []),
  op('GET', 0x67, 'decimalnl_short', 0, [], ['any']),
  op('BINGET', 0x68, 'uint1', 1, [], ['any']),
  op('LONG_BINGET', 0x6a, 'uint4', 1, [], ['any']),
  op('PUT', 0x70, 'decimalnl_short', 0, [], []),
  op('BINPUT', 0x71, 'uint1', 1, [], []),
  op('LONG_BINPUT', 0x72, 'uint4', 1, [], []),
  op('MEMOIZE', 0x94, null, 4, ['any'], ['any']),
  op('EXT1', 0x82, 'uint1', 2, [], ['any']),
  op('EXT2', 0x83, 'uint2', 2, [], ['any']),
  op('EXT4', 0x84, 'int4', 2, [], ['any']),
  op('GLOBAL', 0x63, 'stringnl_noescape_pair', 0, [], ['any']),
  op('STACK_GLOBAL', 0x93, null, 4, ['str', 'str'], ['any']),
  op('REDUCE', 0x52, null, 0, ['any', 'any'], ['any']),
  op('BUILD', 0x62, null, 0, ['any', 'any'], ['any']),
  op('INST', 0x69, 'stringnl_noescape_pair', 0, ['mark', 'stackslice'], ['any']),
  op('OBJ', 0x6f, null, 1, ['mark', 'any', 'stackslice'], ['any']),
  op('NEWOBJ', 0x81, null, 2, ['any', 'any'], ['any']),
  op('NEWOBJ_EX', 0x92, null, 4, ['any', 'any', 'any'], ['any']),
  op('PROTO', 0x80, 'uint1', 2, [], []),
  op('STOP', 0x2e, null, 0, ['any'], []),
  op('FRAME', 0x95, 'uint8', 4, [], []),
  op('PERSID', 0x50, 'stringnl_noescape', 0, [], ['any']),
  op('BINPERSID', 0x51, null, 1, ['any'], ['any']),
]);

/** Opcode info by byte value; undefined for bytes that are not opcodes. */
export const OPCODE_BY_CODE: readonly (OpcodeInfo | undefined)[] = (() => {
  const table: (OpcodeInfo | undefined)[] = new Array(256).fill(undefined);
  for (const info of OPCODES) table[info.code] = info;
  return Object.freeze(table);
})();

export const OPCODE_BY_NAME: ReadonlyMap<string, OpcodeInfo> = new Map(OPCODES.map((o) => [o.name, o]));
