/**
 * The data path and the full machine agree opcode by opcode. For every opcode of the table
 * (src/pickle/opcodes.ts), a pickle is built from the table's own description of it (its argument
 * kind and the stack it consumes), once well-formed and once with its operand or argument broken;
 * scanning each with and without the data path gives the same report. And the data path's share is
 * what it claims: it completes every well-formed pickle of a data opcode, and hands every pickle
 * that imports, calls, references or borrows (and every broken one) to the full machine.
 */
import { DEFAULT_LIMITS, getPolicy } from '../../src';
import { DataPath } from '../../src/machine/data-path';
import { Machine } from '../../src/machine/machine';
import type { ArgKind } from '../../src/pickle/args';
import { OPCODES, type OpcodeInfo } from '../../src/pickle/opcodes';
import { MemorySource } from '../../src/pickle/source';

/** Opcodes that import, call, reference persistent or out-of-band objects: the full machine's alone. */
const MACHINE_ONLY = new Set(['GLOBAL', 'INST', 'STACK_GLOBAL', 'EXT1', 'EXT2', 'EXT4', 'REDUCE', 'NEWOBJ', 'NEWOBJ_EX', 'OBJ', 'BUILD', 'PERSID', 'BINPERSID', 'NEXT_BUFFER', 'READONLY_BUFFER']);

const le = (n: number, width: number) => {
  const b = Buffer.alloc(width);
  if (width === 8) b.writeBigUInt64LE(BigInt(n));
  else b.writeUIntLE(n, 0, width);
  return [...b];
};
const ascii = (s: string) => [...Buffer.from(s, 'latin1')];
const withLen = (width: number, body: number[]) => [...le(body.length, width), ...body];

/** A valid argument of each kind (memo indexes are 0, which the prologue fills). */
const ARG: Record<ArgKind, number[]> = {
  uint1: [0],
  uint2: [0, 0],
  int4: le(7, 4),
  uint4: le(0, 4),
  uint8: le(0, 8),
  decimalnl_short: ascii('0\n'),
  decimalnl_long: ascii('12L\n'),
  floatnl: ascii('1.5\n'),
  float8: [0x3f, 0xf8, 0, 0, 0, 0, 0, 0],
  long1: withLen(1, [0x2a]),
  long4: withLen(4, [0x2a, 0x01]),
  string1: withLen(1, ascii('ab')),
  string4: withLen(4, ascii('ab')),
  bytes1: withLen(1, ascii('ab')),
  bytes4: withLen(4, ascii('ab')),
  bytes8: withLen(8, ascii('ab')),
  bytearray8: withLen(8, ascii('ab')),
  stringnl: ascii("'ab'\n"),
  stringnl_noescape: ascii('ab\n'),
  stringnl_noescape_pair: ascii('builtins\nset\n'),
  unicodestringnl: ascii('ab\n'),
  unicodestring1: withLen(1, ascii('ab')),
  unicodestring4: withLen(4, ascii('ab')),
  unicodestring8: withLen(8, ascii('ab')),
};

/** The same kinds, broken: a line without its end, a bad number, a string past the input, bad UTF-8. */
const BAD_ARG: Partial<Record<ArgKind, number[]>> = {
  decimalnl_short: ascii('1x\n'),
  decimalnl_long: ascii('1.5L\n'),
  floatnl: ascii('one\n'),
  stringnl: ascii('ab\n'),
  unicodestring1: withLen(1, [0xff, 0xfe]),
  unicodestring4: withLen(4, [0xc3]),
  bytes4: le(1 << 30, 4),
  long1: [5, 1],
  uint4: le(77, 4), // a memo index nobody stored
};

/** Memo writes go to index 1 (index 0 is the prologue's; writing it again is a finding of its own). */
const PUT_ARG: Record<string, number[]> = { PUT: ascii('1\n'), BINPUT: [1], LONG_BINPUT: le(1, 4) };

/** Pushes one stack item of a kind the table names. */
function item(kind: string): number[] {
  switch (kind) {
    case 'list':
      return [0x5d]; // EMPTY_LIST
    case 'dict':
      return [0x7d]; // EMPTY_DICT
    case 'set':
      return [0x8f]; // EMPTY_SET
    case 'str':
      return [0x8c, ...withLen(1, ascii('builtins'))]; // SHORT_BINUNICODE
    case 'mark':
      return [0x28]; // MARK
    case 'stackslice':
      return [0x4b, 1, 0x4b, 2]; // two BININT1 (an even count, for DICT and SETITEMS)
    default:
      return [0x4b, 1]; // BININT1 1
  }
}

/**
 * A protocol-5 pickle around the opcode: a memo entry 0 first (for the memo reads), then a list and a
 * MARK, then the opcode's operands and the opcode, then APPENDS and STOP (whatever it pushed goes into
 * the list). MARK itself is closed with TUPLE; PROTO, FRAME and STOP stand where they must.
 */
function pickleFor(op: OpcodeInfo, arg: number[] | null, operands = true): Uint8Array {
  const code = [op.code, ...(arg ?? [])];
  const PROLOGUE = [0x4b, 9, 0x94, 0x30]; // BININT1 9, MEMOIZE (memo 0), POP
  const body = (inner: number[]) => [0x80, 5, ...PROLOGUE, 0x5d, 0x28, ...inner, 0x65, 0x2e];
  if (op.name === 'PROTO') return Uint8Array.from([...code, 0x4b, 1, 0x2e]);
  if (op.name === 'STOP') return Uint8Array.from([0x80, 5, ...(operands ? [0x4b, 1] : []), ...code]);
  if (op.name === 'FRAME') {
    const rest = [...PROLOGUE, 0x5d, 0x28, 0x4b, 1, 0x65, 0x2e];
    return Uint8Array.from([0x80, 5, op.code, ...(arg === ARG.uint8 ? le(rest.length, 8) : le(rest.length + 40, 8)), ...rest]);
  }
  // PUT and its kin store the top of the stack without popping it: the table lists no operand
  const peeks = op.name in PUT_ARG ? ['any'] : [];
  const before = operands ? [...peeks, ...op.stackBefore].flatMap(item) : [];
  const after = op.stackAfter.includes('mark') ? [0x74] : []; // TUPLE closes a MARK the opcode pushed
  return Uint8Array.from(body([...before, ...code, ...after]));
}

function report(bytes: Uint8Array, dataPath: boolean): string {
  const m = new Machine(bytes, { policy: getPolicy('default'), limits: DEFAULT_LIMITS, baseOffset: 0, depth: 0, dataPath });
  m.run();
  return JSON.stringify({ findings: m.rec.findings, globals: m.rec.globals, calls: m.rec.calls, pickles: m.pickles, limit: m.limitHit });
}

const completes = (bytes: Uint8Array) => new DataPath(new MemorySource(bytes), DEFAULT_LIMITS).run(0, DEFAULT_LIMITS.maxOpcodes) !== null;

const cases = OPCODES.flatMap((op) => {
  const arg = PUT_ARG[op.name] ?? (op.arg ? ARG[op.arg] : null);
  const good = pickleFor(op, arg);
  const broken: [string, Uint8Array][] = op.stackBefore.length || op.name in PUT_ARG ? [['without its operands', pickleFor(op, arg, false)]] : [];
  // memo writes: a far index (hostile memo growth) instead of one nobody stored
  const bad = op.name === 'LONG_BINPUT' ? le(0xfffffff0, 4) : op.arg ? BAD_ARG[op.arg] : undefined;
  if (bad) broken.push(['with a bad argument', pickleFor(op, bad)]);
  if (op.name === 'FRAME') broken.push(['with a frame past the end', pickleFor(op, ARG.uint4)]);
  return [{ op, good, broken }];
});

test('every opcode of the table is covered', () => {
  expect(cases.length).toBe(68);
  expect(new Set(cases.map((c) => c.op.name)).size).toBe(68);
  for (const name of MACHINE_ONLY) expect(cases.some((c) => c.op.name === name)).toBe(true);
});

describe.each(cases)('$op.name', ({ op, good, broken }) => {
  test('well-formed: same report with and without the data path', () => {
    expect(report(good, true)).toBe(report(good, false));
  });

  if (MACHINE_ONLY.has(op.name)) {
    test('the data path hands it to the full machine', () => {
      expect(completes(good)).toBe(false);
    });
  } else {
    test('the data path completes it, and the full machine finds nothing in it either', () => {
      expect(completes(good)).toBe(true);
      expect(JSON.parse(report(good, false)).findings).toEqual([]);
    });
  }

  if (broken.length) test.each(broken)('%s: same report, and the data path does not complete it', (_what, bytes) => {
    expect(report(bytes, true)).toBe(report(bytes, false));
    expect(completes(bytes)).toBe(false);
  });
});
