'use strict';
/**
 * Compares our opcode stream (readOps) with CPython's pickletools.genops (test/oracle/genops.py).
 *
 * readOps decodes arguments as CPython's C unpickler (pickle.loads) does; genops has a few quirks
 * of its own, which are not differences in what a real unpickler runs:
 *  - decimalnl_short arguments (INT, PUT, GET...): genops turns exactly "00"/"01" into False/True,
 *    the C unpickler any 2-character spelling of 0/1 for INT ("+1", " 1") and never for PUT/GET;
 *  - FLOAT (and INT/LONG) text: genops uses Python's float()/int(), which accept spaces and
 *    underscores the C unpickler rejects ("could not convert string to float");
 *  - STRING: genops takes a lone quote (`S'`) as an empty string; the unpickler wants two quotes.
 * `streamMismatch` returns null when equal, `{ lenient: probe }` when readOps refuses text only genops
 * takes (callers confirm with the find_class oracle that CPython's unpickler refuses the probe too), else a
 * description. GLOBAL/INST lines with a backslash are not compared (genops escape-decodes them).
 */

function sameArg(name, a, want) {
  if (want === null) return a === null;
  if ('b' in want) return a === want.b || ((typeof a === 'number' || typeof a === 'bigint') && BigInt(a) === (want.b ? 1n : 0n));
  if ('i' in want) {
    if (typeof a === 'boolean') return name === 'INT' && BigInt(want.i) === (a ? 1n : 0n);
    return (typeof a === 'number' || typeof a === 'bigint') && BigInt(a) === BigInt(want.i);
  }
  if ('f' in want) {
    const f = want.f === 'inf' ? Infinity : want.f === '-inf' ? -Infinity : want.f === 'nan' ? NaN : Number(want.f);
    return typeof a === 'number' && Object.is(a, f);
  }
  if ('s' in want) {
    if (!Array.isArray(a)) return a === want.s;
    const ours = `${a[0]} ${a[1]}`;
    // genops escape-decodes GLOBAL/INST lines (codecs.escape_decode); the unpickler takes them as UTF-8 text
    return ours === want.s || ours.includes('\\');
  }
  if ('x' in want) return a instanceof Uint8Array && Buffer.from(a).toString('hex') === want.x;
  return false;
}

const LENIENT_TEXT = new Set(['FLOAT', 'INT', 'LONG', 'STRING']);

/** @param {Function} readOps @param {Function} ReadOpsError */
function streamMismatch(readOps, ReadOpsError, bytes, want) {
  let ours;
  try {
    ours = [...readOps(bytes, { firstPickleOnly: true })];
  } catch (e) {
    const d = (e && e.detail) || {};
    // genops does not check FRAME lengths; CPython's unpickler (and we) refuse a frame longer than the input
    if (e instanceof ReadOpsError && d.opcode === 'FRAME' && want.ops.some(([n]) => n === 'FRAME')) return null;
    if (e instanceof ReadOpsError && LENIENT_TEXT.has(d.opcode) && want.ops.some(([n, p]) => n === d.opcode && p === d.offset)) {
      const nl = bytes.indexOf(0x0a, d.offset + 1);
      return { lenient: Buffer.concat([Buffer.from(bytes.subarray(d.offset, nl + 1)), Buffer.from('.')]) };
    }
    return `readOps threw where genops parses: ${e.message}`;
  }
  if (ours.length !== want.ops.length) return `${ours.length} ops vs genops ${want.ops.length}`;
  for (let k = 0; k < ours.length; k++) {
    const [name, pos, arg] = want.ops[k];
    const op = ours[k];
    if (op.name !== name || op.pos !== pos || !sameArg(name, op.arg, arg)) return `op ${k}: ours ${op.name}@${op.pos} ${String(op.arg)} vs ${name}@${pos} ${JSON.stringify(arg)}`;
  }
  return null;
}

/**
 * For a `{ lenient: probe }` result: `probe` is the refused opcode line alone followed by STOP; it is
 * a real difference only if CPython's unpickler (find_class oracle, --bytes-only) loads the probe.
 */
function cpythonRefusesProbe(res) {
  return !!res && res.loads === false;
}

module.exports = { sameArg, streamMismatch, cpythonRefusesProbe };
