/**
 * Wire rules of a policy (the `wire` section): what a transport such as MXNet's kvstore really carries.
 * For `mxnet-optimizer`: protocol 0 only, a fixed opcode set, ASCII without NUL (the C layer cuts the
 * body at the first NUL), one pickle with nothing after STOP, and objects built only as
 * `copy_reg._reconstructor(cls, object, None)` plus a str-keyed dict BUILD.
 */
import type { OpReader } from '../pickle/reader';
import { OPCODE_BY_NAME } from '../pickle/opcodes';
import type { Recorder } from './recorder';
import type { Value } from './values';
import type { ParsedPolicySpec } from '../policy/schema';

type Wire = NonNullable<ParsedPolicySpec['wire']>;

function isRawGlobal(v: Value | undefined, module: string, name: string): boolean {
  return v !== undefined && v.k === 'global' && v.module === module && v.name === name;
}

export class WireChecker {
  private readonly allowed: Uint8Array | null;
  /** Opcodes already reported as not carried by this wire. */
  private readonly reported = new Uint8Array(256);

  constructor(
    private readonly wire: Wire,
    private readonly rec: Recorder,
  ) {
    if (wire.opcodes) {
      this.allowed = new Uint8Array(256);
      for (const name of wire.opcodes) {
        const info = OPCODE_BY_NAME.get(name);
        if (info) this.allowed[info.code] = 1;
      }
    } else this.allowed = null;
  }

  private violation(message: string, offset: number | null, key: string, opcode?: string): void {
    this.rec.finding('WIRE_RULE', message, offset, opcode ? { opcode } : {}, key);
  }

  /** Byte-level rules, checked once over the whole input. */
  checkBytes(input: Uint8Array): void {
    const w = this.wire;
    if (w.maxBytes !== undefined && input.length > w.maxBytes) {
      this.violation(`the input is ${input.length} bytes, more than the ${w.maxBytes} this wire accepts`, null, 'size');
    }
    if (w.noNul) {
      const nul = input.indexOf(0);
      if (nul >= 0) this.violation(`NUL byte at offset ${nul}: the transport cuts the body there, so the server would load a different pickle`, nul, 'nul');
    }
    if (w.ascii) {
      for (let i = 0; i < input.length; i++) {
        if (input[i]! >= 0x80) {
          this.violation(`non-ASCII byte 0x${input[i]!.toString(16)} at offset ${i}: legitimate bodies are pure ASCII`, i, 'ascii');
          break;
        }
      }
    }
  }

  opcode(r: OpReader): void {
    if (this.allowed && !this.allowed[r.code] && !this.reported[r.code]) {
      // once per opcode: the first offset is what a person needs, and the hot path stays cheap
      this.reported[r.code] = 1;
      this.violation(`${r.info.name} at offset ${r.opPos} is not an opcode this wire carries`, r.opPos, `op${r.code}`, r.info.name);
    }
    if (r.code === 0x80 && this.wire.protocols && !this.wire.protocols.includes(r.argNum)) {
      this.violation(`protocol ${r.argNum} at offset ${r.opPos}; this wire carries protocol ${this.wire.protocols.join(', ')}`, r.opPos, 'proto', 'PROTO');
    }
  }

  afterStop(pos: number): void {
    if (this.wire.singlePickle) this.violation(`bytes after STOP at offset ${pos}: exactly one pickle is expected and the loader ignores the rest`, pos, 'afterstop');
  }

  stop(stackLeft: number, marksLeft: number, pos: number): void {
    if (stackLeft > 0 || marksLeft > 0) {
      this.violation(`STOP at offset ${pos} leaves ${stackLeft} object(s) and ${marksLeft} MARK(s) under the result: a legitimate pickle leaves nothing behind`, pos, 'leftover', 'STOP');
    }
  }

  call(r: OpReader, callee: Value, args: Value): void {
    if (!this.wire.mxnetObjectShape || r.code !== 0x52) return;
    const ok =
      isRawGlobal(callee, 'copy_reg', '_reconstructor') &&
      args.k === 'tuple' &&
      args.count === 3 &&
      args.items[0]!.k === 'global' &&
      isRawGlobal(args.items[1], '__builtin__', 'object') &&
      args.items[2]!.k === 'none';
    if (!ok) {
      this.violation(`REDUCE at offset ${r.opPos} is not copy_reg._reconstructor(<class>, object, None), the only call an optimizer pickle makes`, r.opPos, `reduce${r.opPos}`, 'REDUCE');
    }
  }

  build(r: OpReader, inst: Value, state: Value): void {
    if (!this.wire.mxnetObjectShape) return;
    const made = inst.k === 'call' && isRawGlobal(inst.callee, 'copy_reg', '_reconstructor');
    const dictOfStr = state.k === 'dict' && state.count === state.entries.length && state.entries.every(([k]) => k.k === 'str');
    if (!made || !dictOfStr) {
      this.violation(
        `BUILD at offset ${r.opPos} ${!made ? 'targets an object not made by copy_reg._reconstructor' : 'has a state that is not a dict with str keys (a 2-tuple state would set attributes directly)'}`,
        r.opPos,
        `build${r.opPos}`,
        'BUILD',
      );
    }
  }
}
