/**
 * The data path's opcode table: what the typed-array fast path (data-path.ts) does with each opcode,
 * as one small number per opcode byte, so its loop is one switch over a jump table.
 */
import { byOpcode } from '../pickle/opcodes';

/**
 * What the data path does with each opcode: one action per opcode, the table naming every opcode (a
 * new opcode without an entry does not compile), the switch in data-path.ts one case per action
 * (numbers, so it compiles to a jump table). The actions:
 *   0 BAIL: imports, calls, persistent references, buffers, extension codes: the full machine
 *   1 SCALAR: a scalar whose argument needs no check
 *   2 LONG_BYTES
 *   3 INT_LINE
 *   4 LONG_LINE
 *   5 FLOAT_LINE
 *   6 STRING_LINE
 *   7 UNICODE_LINE
 *   8 UTF8
 *   9 EMPTY_LIST
 *   10 EMPTY_DICT
 *   11 EMPTY_SET
 *   12 EMPTY_TUPLE
 *   13 TUPLE_N
 *   14 TUPLE
 *   15 LIST
 *   16 FROZENSET
 *   17 DICT
 *   18 APPEND
 *   19 APPENDS
 *   20 SETITEM
 *   21 SETITEMS
 *   22 ADDITEMS
 *   23 MARK
 *   24 POP
 *   25 POP_MARK
 *   26 DUP
 *   27 GET_LINE
 *   28 GET
 *   29 PUT_LINE
 *   30 PUT
 *   31 MEMOIZE
 *   32 PROTO
 *   33 FRAME
 *   34 STOP
 */
export type DataAction = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16 | 17 | 18 | 19 | 20 | 21 | 22 | 23 | 24 | 25 | 26 | 27 | 28 | 29 | 30 | 31 | 32 | 33 | 34;

const ACTION_OF = byOpcode<DataAction>({
  GLOBAL: 0,
  INST: 0,
  STACK_GLOBAL: 0,
  EXT1: 0,
  EXT2: 0,
  EXT4: 0,
  REDUCE: 0,
  NEWOBJ: 0,
  NEWOBJ_EX: 0,
  OBJ: 0,
  BUILD: 0,
  PERSID: 0,
  BINPERSID: 0,
  NEXT_BUFFER: 0,
  READONLY_BUFFER: 0,
  NONE: 1,
  NEWTRUE: 1,
  NEWFALSE: 1,
  BININT1: 1,
  BININT2: 1,
  BININT: 1,
  BINFLOAT: 1,
  BINBYTES: 1,
  SHORT_BINBYTES: 1,
  BINBYTES8: 1,
  BYTEARRAY8: 1,
  BINSTRING: 1,
  SHORT_BINSTRING: 1,
  LONG1: 2,
  LONG4: 2,
  INT: 3,
  LONG: 4,
  FLOAT: 5,
  STRING: 6,
  UNICODE: 7,
  SHORT_BINUNICODE: 8,
  BINUNICODE: 8,
  BINUNICODE8: 8,
  EMPTY_LIST: 9,
  EMPTY_DICT: 10,
  EMPTY_SET: 11,
  EMPTY_TUPLE: 12,
  TUPLE1: 13,
  TUPLE2: 13,
  TUPLE3: 13,
  TUPLE: 14,
  LIST: 15,
  FROZENSET: 16,
  DICT: 17,
  APPEND: 18,
  APPENDS: 19,
  SETITEM: 20,
  SETITEMS: 21,
  ADDITEMS: 22,
  MARK: 23,
  POP: 24,
  POP_MARK: 25,
  DUP: 26,
  GET: 27,
  BINGET: 28,
  LONG_BINGET: 28,
  PUT: 29,
  BINPUT: 30,
  LONG_BINPUT: 30,
  MEMOIZE: 31,
  PROTO: 32,
  FRAME: 33,
  STOP: 34,
});
export const ACTION = Uint8Array.from(ACTION_OF, (a) => a ?? 0);
