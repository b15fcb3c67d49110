'use strict';
/**
 * Structure-aware pickle mutator shared by the fuzz campaign (test/fuzz/campaign.js) and the
 * robustness tests (test/robustness/*.test.ts). Plain CommonJS so both can load it.
 *
 * Mutations work on opcode boundaries where the input still parses (found with the injected
 * `readOps`), and on raw bytes otherwise: bit flips, interesting bytes, truncations, op deletion,
 * duplication and swaps, splices between two inputs, inserted opcode snippets (GLOBAL, STACK_GLOBAL,
 * REDUCE, BUILD, NEWOBJ, EXT1/2/4, memo ops, PROTO, FRAME, MARK...), and rewritten length fields.
 */

/** Small deterministic PRNG (mulberry32). */
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    chance: (p) => next() < p,
  };
}

const latin1 = (s) => Buffer.from(s, 'latin1');
const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };
const u64 = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; };
const sbu = (s) => { const b = Buffer.from(s, 'utf8'); return Buffer.concat([Buffer.from([0x8c, b.length]), b]); };

/** Module/name pairs used by inserted imports: harmless-looking, allowed, denied and unknown. */
const NAMES = [
  ['os', 'system'], ['builtins', 'eval'], ['__builtin__', 'eval'], ['subprocess', 'Popen'], ['posix', 'system'],
  ['collections', 'OrderedDict'], ['_codecs', 'encode'], ['builtins', 'getattr'], ['copyreg', '_reconstructor'],
  ['copy_reg', '_reconstructor'], ['numpy.core.multiarray', '_reconstruct'], ['numpy', 'ndarray'], ['numpy', 'dtype'],
  ['datetime', 'datetime'], ['decimal', 'Decimal'], ['builtins', 'set'], ['builtins', 'complex'], ['pickle', 'loads'],
  ['copyreg', 'add_extension'], ['mxnet.optimizer.optimizer', 'SGD'], ['__builtin__', 'object'], ['builtins', 'object'],
  ['argparse', '_os.system'], ['collections', 'OrderedDict.__init__'], ['torch._utils', '_rebuild_tensor_v2'], ['zzz', 'yyy'],
];

/** Opcode snippets that can be inserted at an op boundary. */
function snippet(r) {
  const [m, n] = r.pick(NAMES);
  switch (r.int(22)) {
    case 0: return latin1(`c${m}\n${n}\n`);
    case 1: return Buffer.concat([sbu(m), sbu(n), Buffer.from([0x93])]);
    case 2: return Buffer.from([0x93]);
    case 3: return latin1('R');
    case 4: return latin1('b');
    case 5: return Buffer.from([0x81]);
    case 6: return Buffer.from([0x92]);
    case 7: return Buffer.from([0x82, r.int(256)]);
    case 8: return Buffer.from([0x83, r.int(256), r.int(256)]);
    case 9: return Buffer.concat([Buffer.from([0x84]), u32(r.pick([1, 255, 256, 65535, 0x7fffffff, r.int(1 << 30)]))]);
    case 10: return Buffer.from([r.pick([0x28, 0x30, 0x31, 0x32, 0x29, 0x5d, 0x7d, 0x8f, 0x4e, 0x88, 0x89, 0x2e, 0x94, 0x85, 0x86, 0x87, 0x74, 0x6c, 0x64, 0x73, 0x75, 0x61, 0x65, 0x90, 0x91])]);
    case 11: return Buffer.from([r.pick([0x71, 0x68]), r.int(8)]);
    case 12: return Buffer.concat([Buffer.from([r.pick([0x72, 0x6a])]), u32(r.pick([0, 1, 2, 1e8, 0xffffffff]))]);
    case 13: return latin1(`${r.pick(['p', 'g'])}${r.int(10)}\n`);
    case 14: return Buffer.from([0x80, r.pick([0, 1, 2, 3, 4, 5, 6, 255])]);
    case 15: return Buffer.concat([Buffer.from([0x95]), u64(r.pick([0, 1, 9, 64, r.int(4096), 2 ** 40]))]);
    case 16: return latin1(`i${m}\n${n}\n`);
    case 17: return latin1(`(S'${m}'\nS'${n}'\n`);
    case 18: return Buffer.concat([Buffer.from([0x8c, 2]), latin1('os')]);
    case 19: return latin1(r.pick(['I0\n', 'L1L\n', 'F1.5\n', "S'x'\n", 'Vx\n', 'I01\n', 'N', 'Pid\n']));
    case 20: return Buffer.from([r.pick([0x4b, 0x4d, 0x4a, 0x8a, 0x47, 0x55, 0x43, 0x8d, 0x42, 0x58, 0x8e, 0x96, 0x97, 0x98, 0x51, 0x50])]);
    default: return Buffer.concat([latin1(`c${m}\n${n}\n`), latin1("(S'echo x'\ntR")]);
  }
}

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x0a, 0x28, 0x2e, 0x52, 0x63, 0x69, 0x6f, 0x62, 0x93, 0x81, 0x82, 0x95, 0x80];

/**
 * @param {{ readOps: (bytes: Uint8Array, opts?: object) => Iterable<{pos:number,end:number,name:string,arg:unknown}> }} deps
 */
function createMutator(deps) {
  /** Op start offsets of the longest parseable prefix (plus the end of that prefix). */
  function boundaries(bytes) {
    const out = [0];
    try {
      for (const op of deps.readOps(bytes)) out.push(op.end);
    } catch {
      /* keep the prefix */
    }
    if (out[out.length - 1] !== bytes.length) out.push(bytes.length);
    return [...new Set(out)].sort((a, b) => a - b);
  }
  function ops(bytes) {
    const out = [];
    try {
      for (const op of deps.readOps(bytes)) out.push(op);
    } catch {
      /* prefix */
    }
    return out;
  }

  /** One mutation of `bytes`; `other` is a second input for splices. Returns [name, mutant]. */
  function mutateOnce(r, bytes, other) {
    const b = Buffer.from(bytes);
    const len = b.length;
    const kind = r.int(12);
    if (len === 0) return ['insert', snippet(r)];
    switch (kind) {
      case 0: { // bit flips
        const n = 1 + r.int(4);
        for (let i = 0; i < n; i++) b[r.int(len)] ^= 1 << r.int(8);
        return ['bitflip', b];
      }
      case 1: { // interesting byte
        b[r.int(len)] = r.chance(0.5) ? r.pick(INTERESTING) : r.int(256);
        return ['byte', b];
      }
      case 2: { // truncate (at an op boundary or anywhere)
        const at = r.chance(0.5) ? r.pick(boundaries(b)) : r.int(len);
        return ['truncate', b.subarray(0, at)];
      }
      case 3: case 4: case 5: { // insert a snippet at an op boundary
        const bs = boundaries(b);
        const at = r.pick(bs);
        const parts = [b.subarray(0, at)];
        const k = 1 + r.int(3);
        for (let i = 0; i < k; i++) parts.push(snippet(r));
        parts.push(b.subarray(at));
        return ['insert', Buffer.concat(parts)];
      }
      case 6: { // delete an op range
        const bs = boundaries(b);
        const i = r.int(bs.length);
        const j = Math.min(bs.length - 1, i + 1 + r.int(3));
        return ['delete', Buffer.concat([b.subarray(0, bs[i]), b.subarray(bs[j])])];
      }
      case 7: { // duplicate an op range
        const bs = boundaries(b);
        const i = r.int(bs.length);
        const j = Math.min(bs.length - 1, i + 1 + r.int(4));
        return ['duplicate', Buffer.concat([b.subarray(0, bs[j]), b.subarray(bs[i], bs[j]), b.subarray(bs[j])])];
      }
      case 8: { // splice: prefix of this input, suffix (or middle) of the other
        const o = Buffer.from(other ?? bytes);
        const ba = boundaries(b);
        const bo = boundaries(o);
        const a = r.pick(ba);
        const s = r.pick(bo);
        const e = r.chance(0.5) ? o.length : bo[Math.min(bo.length - 1, bo.indexOf(s) + 1 + r.int(8))];
        const tail = r.chance(0.5) ? b.subarray(a) : Buffer.alloc(0);
        return ['splice', Buffer.concat([b.subarray(0, a), o.subarray(s, e), tail])];
      }
      case 9: { // swap two adjacent op ranges
        const bs = boundaries(b);
        if (bs.length < 3) return ['bitflip', (b[r.int(len)] ^= 1, b)];
        const i = r.int(bs.length - 2);
        return ['swap', Buffer.concat([b.subarray(0, bs[i]), b.subarray(bs[i + 1], bs[i + 2]), b.subarray(bs[i], bs[i + 1]), b.subarray(bs[i + 2])])];
      }
      case 10: { // rewrite a length / integer / memo-index field of a binary opcode
        const os = ops(b).filter((op) => op.end - op.pos > 1 && !/\n$/.test(String(op.name)));
        if (os.length === 0) return ['byte', (b[r.int(len)] = r.int(256), b)];
        const op = r.pick(os);
        const field = Math.min(op.end - op.pos - 1, r.pick([1, 4, 8]));
        const v = r.pick([0, 1, 0xff, 0x7f, 0x80, r.int(256)]);
        for (let i = 0; i < field; i++) b[op.pos + 1 + i] = i === 0 ? v : r.chance(0.8) ? 0 : 0xff;
        return ['field', b];
      }
      default: { // replace an opcode byte with another opcode
        const bs = boundaries(b).filter((x) => x < len);
        b[r.pick(bs)] = r.pick([0x63, 0x93, 0x52, 0x62, 0x81, 0x92, 0x82, 0x83, 0x84, 0x69, 0x6f, 0x30, 0x31, 0x32, 0x28, 0x94, 0x71, 0x68, 0x2e, 0x95, 0x80, 0x50, 0x51]);
        return ['opcode', b];
      }
    }
  }

  /** 1-4 stacked mutations. Returns { ops: string[], bytes }. */
  function mutate(r, bytes, other) {
    const n = 1 + (r.chance(0.6) ? 0 : r.int(4));
    let cur = bytes;
    const names = [];
    for (let i = 0; i < n; i++) {
      const [name, out] = mutateOnce(r, cur, other);
      names.push(name);
      cur = out;
      if (cur.length > 4 << 20) cur = cur.subarray(0, 4 << 20);
    }
    return { ops: names, bytes: new Uint8Array(cur) };
  }

  return { mutate, mutateOnce, boundaries };
}

module.exports = { rng, createMutator, snippet, NAMES };
