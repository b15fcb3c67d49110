/**
 * Builds pickles op by op for tests, so each case says exactly which opcodes it sends.
 *
 * @example
 * const bytes = new P().proto(2).global('os', 'system').str('echo hi').tuple1().reduce().stop().done();
 */
export class P {
  private readonly parts: number[] = [];

  raw(...bytes: (number | string | Uint8Array)[]): this {
    for (const b of bytes) {
      if (typeof b === 'number') this.parts.push(b);
      else if (typeof b === 'string') for (const c of Buffer.from(b, 'latin1')) this.parts.push(c);
      else for (const c of b) this.parts.push(c);
    }
    return this;
  }

  private u32(n: number): number[] {
    return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
  }

  private u64(n: number | bigint): number[] {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    return [...b];
  }

  proto(n: number): this { return this.raw(0x80, n); }
  frame(n: number | bigint): this { return this.raw(0x95, ...this.u64(n)); }
  stop(): this { return this.raw(0x2e); }
  mark(): this { return this.raw(0x28); }
  pop(): this { return this.raw(0x30); }
  popMark(): this { return this.raw(0x31); }
  dup(): this { return this.raw(0x32); }
  none(): this { return this.raw(0x4e); }
  true(): this { return this.raw(0x88); }
  false(): this { return this.raw(0x89); }
  /** Protocol 0 text opcodes. */
  int(text: string | number): this { return this.raw('I' + text + '\n'); }
  long(text: string): this { return this.raw('L' + text + '\n'); }
  float(text: string): this { return this.raw('F' + text + '\n'); }
  string(repr: string): this { return this.raw('S' + repr + '\n'); }
  unicode(text: string): this { return this.raw('V' + text + '\n'); }
  global(module: string, name: string): this { return this.raw(0x63, ...Buffer.from(module + '\n' + name + '\n', 'utf8')); }
  inst(module: string, name: string): this { return this.raw(0x69, ...Buffer.from(module + '\n' + name + '\n', 'utf8')); }
  put(i: number): this { return this.raw('p' + i + '\n'); }
  get(i: number): this { return this.raw('g' + i + '\n'); }
  persid(text: string): this { return this.raw('P' + text + '\n'); }
  /** Binary opcodes. */
  binint1(n: number): this { return this.raw(0x4b, n); }
  binint(n: number): this { return this.raw(0x4a, ...this.u32(n)); }
  binput(i: number): this { return this.raw(0x71, i); }
  binget(i: number): this { return this.raw(0x68, i); }
  longBinput(i: number): this { return this.raw(0x72, ...this.u32(i)); }
  longBinget(i: number): this { return this.raw(0x6a, ...this.u32(i)); }
  memoize(): this { return this.raw(0x94); }
  /** SHORT_BINUNICODE or BINUNICODE by length. */
  str(s: string): this {
    const b = Buffer.from(s, 'utf8');
    return b.length < 256 ? this.raw(0x8c, b.length, ...b) : this.raw(0x58, ...this.u32(b.length), ...b);
  }
  binunicodeRaw(b: Uint8Array): this { return this.raw(0x58, ...this.u32(b.length), ...b); }
  shortBinstring(s: string): this { return this.raw(0x55, s.length, s); }
  bytes(b: Uint8Array | string): this {
    const x = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
    return x.length < 256 ? this.raw(0x43, x.length, ...x) : this.raw(0x42, ...this.u32(x.length), ...x);
  }
  binbytesDeclared(len: number): this { return this.raw(0x42, ...this.u32(len)); }
  binbytes8Declared(len: number | bigint): this { return this.raw(0x8e, ...this.u64(len)); }
  emptyTuple(): this { return this.raw(0x29); }
  emptyList(): this { return this.raw(0x5d); }
  emptyDict(): this { return this.raw(0x7d); }
  emptySet(): this { return this.raw(0x8f); }
  tuple(): this { return this.raw(0x74); }
  tuple1(): this { return this.raw(0x85); }
  tuple2(): this { return this.raw(0x86); }
  tuple3(): this { return this.raw(0x87); }
  list(): this { return this.raw(0x6c); }
  dict(): this { return this.raw(0x64); }
  append(): this { return this.raw(0x61); }
  appends(): this { return this.raw(0x65); }
  setitem(): this { return this.raw(0x73); }
  setitems(): this { return this.raw(0x75); }
  additems(): this { return this.raw(0x90); }
  frozenset(): this { return this.raw(0x91); }
  stackGlobal(): this { return this.raw(0x93); }
  reduce(): this { return this.raw(0x52); }
  build(): this { return this.raw(0x62); }
  newobj(): this { return this.raw(0x81); }
  newobjEx(): this { return this.raw(0x92); }
  obj(): this { return this.raw(0x6f); }
  ext1(code: number): this { return this.raw(0x82, code); }
  ext2(code: number): this { return this.raw(0x83, code & 0xff, code >> 8); }
  ext4(code: number): this { return this.raw(0x84, ...this.u32(code)); }
  binpersid(): this { return this.raw(0x51); }
  nextBuffer(): this { return this.raw(0x97); }
  readonlyBuffer(): this { return this.raw(0x98); }

  /** `module.name(arg)` via STACK_GLOBAL + TUPLE1 + REDUCE (protocol 4 style). */
  callStack(module: string, name: string, arg: string): this {
    return this.str(module).str(name).stackGlobal().str(arg).tuple1().reduce();
  }

  get length(): number {
    return this.parts.length;
  }

  /** The pickle built so far. */
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}
