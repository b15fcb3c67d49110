/**
 * Wire rules of a policy (the `wire` section): what a transport such as MXNet's kvstore really carries.
 * For `mxnet-optimizer`: protocol 0 only, a fixed opcode set, ASCII without NUL (the C layer cuts the
 * body at the first NUL), one pickle with nothing after STOP, and objects built only as
 * `copy_reg._reconstructor(cls, object, None)` plus a str-keyed dict BUILD.
 */
import type { HookFactory, MachineHook } from '../machine/hooks';
import type { Recorder } from '../machine/recorder';
import type { Value } from '../machine/values';
import { OPCODE_BY_NAME, Op } from '../pickle/opcodes';
import type { OpReader } from '../pickle/reader';
import { readBytes, type ByteSource } from '../pickle/source';
import type { ParsedPolicySpec } from '../policy/schema';

type Wire = NonNullable<ParsedPolicySpec['wire']>;

function isRawGlobal(v: Value | undefined, module: string, name: string): boolean {
  return v !== undefined && v.k === 'global' && v.module === module && v.name === name;
}

/** The opcodes a wire carries, as a table by opcode byte (made once per wire section). */
const allowedTables = new WeakMap<Wire, Uint8Array | null>();

function allowedTable(wire: Wire): Uint8Array | null {
  let table = allowedTables.get(wire);
  if (table === undefined) {
    table = null;
    if (wire.opcodes) {
      table = new Uint8Array(256);
      for (const name of wire.opcodes) {
        const info = OPCODE_BY_NAME.get(name);
        if (info) table[info.code] = 1;
      }
    }
    allowedTables.set(wire, table);
  }
  return table;
}

export class WireChecker implements MachineHook {
  readonly needsFullMachine = true;
  private readonly allowed: Uint8Array | null;
  /** Opcodes already reported as not carried by this wire (made at the first one). */
  private reported: Uint8Array | null = null;

  constructor(
    private readonly wire: Wire,
    private readonly rec: Recorder,
  ) {
    this.allowed = allowedTable(wire);
  }

  /** Byte-level rules, checked once over the input (up to maxBytes + 1: beyond that the size rule has failed already). */
  input(src: ByteSource): void {
    const w = this.wire;
    const cap = w.maxBytes === undefined ? Infinity : w.maxBytes + 1;
    let size = 0;
    let nul = -1;
    let ascii = -1;
    let byte = 0;
    for (let at = 0; at < cap; ) {
      const chunk = readBytes(src, at, Math.min(cap - at, 1 << 20));
      if (chunk.length === 0) break;
      if (w.noNul && nul < 0) {
        const i = chunk.indexOf(0);
        if (i >= 0) nul = at + i;
      }
      if (w.ascii && ascii < 0) {
        // eight bytes at a time while none has its high bit set, then byte by byte to the first that has
        let i = 0;
        const n8 = chunk.length - 8;
        while (i <= n8 && ((chunk[i]! | chunk[i + 1]! | chunk[i + 2]! | chunk[i + 3]! | chunk[i + 4]! | chunk[i + 5]! | chunk[i + 6]! | chunk[i + 7]!) & 0x80) === 0) i += 8;
        for (; i < chunk.length; i++) {
          if (chunk[i]! >= 0x80) {
            ascii = at + i;
            byte = chunk[i]!;
            break;
          }
        }
      }
      at += chunk.length;
      size = at;
    }
    if (w.maxBytes !== undefined && size > w.maxBytes) this.rec.add('WIRE_RULE/max-bytes', { offset: null }, { size: src.size ?? size, max: w.maxBytes });
    if (nul >= 0) this.rec.add('WIRE_RULE/nul-byte', { offset: nul }, { at: nul });
    if (ascii >= 0) this.rec.add('WIRE_RULE/non-ascii', { offset: ascii }, { at: ascii, byte });
  }

  opcode(r: OpReader): void {
    if (this.allowed && !this.allowed[r.code] && !this.reported?.[r.code]) {
      // once per opcode: the first offset is what a person needs, and the hot path stays cheap
      (this.reported ??= new Uint8Array(256))[r.code] = 1;
      this.rec.add('WIRE_RULE/opcode', { offset: r.opPos, opcode: r.info.name }, { op: r.info.name, at: r.opPos });
    }
    if (r.code === Op.PROTO && this.wire.protocols && !this.wire.protocols.includes(r.argNum)) {
      this.rec.add('WIRE_RULE/protocol', { offset: r.opPos, opcode: 'PROTO' }, { proto: r.argNum, at: r.opPos, allowed: this.wire.protocols.join(', ') });
    }
  }

  afterStop(pos: number): void {
    if (this.wire.singlePickle) this.rec.add('WIRE_RULE/after-stop', { offset: pos }, { at: pos });
  }

  stop(stackLeft: number, marksLeft: number, pos: number): void {
    if (stackLeft > 0 || marksLeft > 0) this.rec.add('WIRE_RULE/leftover', { offset: pos, opcode: 'STOP' }, { at: pos, objects: stackLeft, marks: marksLeft });
  }

  call(r: OpReader, callee: Value, args: Value): void {
    if (!this.wire.mxnetObjectShape || r.code !== Op.REDUCE) return;
    const ok =
      isRawGlobal(callee, 'copy_reg', '_reconstructor') &&
      args.k === 'tuple' &&
      args.count === 3 &&
      args.items[0]!.k === 'global' &&
      isRawGlobal(args.items[1], '__builtin__', 'object') &&
      args.items[2]!.k === 'none';
    if (!ok) this.rec.add('WIRE_RULE/reduce-shape', { offset: r.opPos, opcode: 'REDUCE' }, { at: r.opPos });
  }

  build(r: OpReader, inst: Value, state: Value): void {
    if (!this.wire.mxnetObjectShape) return;
    const made = inst.k === 'call' && isRawGlobal(inst.callee, 'copy_reg', '_reconstructor');
    const dictOfStr = state.k === 'dict' && state.count === state.entries.length && state.entries.every(([k]) => k.k === 'str');
    if (!made || !dictOfStr) this.rec.add('WIRE_RULE/build-shape', { offset: r.opPos, opcode: 'BUILD' }, { at: r.opPos, target: !made });
  }
}

/** The wire rules of a policy, for the input itself (not for pickles nested in its strings). */
export function wireHook(wire: Wire): HookFactory {
  return (rec, depth) => (depth === 0 ? new WireChecker(wire, rec) : null);
}
