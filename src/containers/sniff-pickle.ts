/**
 * Does a byte prefix look like the start of a pickle? Used only to choose how to read a stream
 * (a stream that is not sniffed as a pickle but is named like one is still scanned by the caller).
 * It walks opcode framing from the opcode table without interpreting anything.
 */
import { OPCODE_BY_CODE } from '../pickle/opcodes';
import { FIXED_WIDTH, LENGTH_PREFIX, LINE_ARGS } from '../pickle/args';

/** Bytes that start real protocol 0/1 pickles (MARK, EMPTY_LIST/DICT/TUPLE, GLOBAL, INST, scalars, PERSID). */
const PROTO01_STARTERS = new Set([...'(]})cIiLSVNFKJMXUTGP'].map((c) => c.charCodeAt(0)));

/** GLOBAL/INST module and name lines as picklers write them (CPython's find_class would reject others). */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\r?$/;

const JOBLIB_WRAPPER = Buffer.from('NumpyArrayWrapper', 'latin1');
function mentionsJoblib(b: Uint8Array, end: number): boolean {
  return Buffer.from(b.buffer, b.byteOffset, end).indexOf(JOBLIB_WRAPPER) >= 0;
}

function isPrintableLine(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i] < 0x20 && b[i] !== 0x09 && b[i] !== 0x0d) return false;
  return true;
}

/**
 * True when `b` starts with PROTO 2..5 followed by valid opcodes, or with a plausible protocol 0/1
 * opcode sequence of at least three opcodes (or a complete pickle), with no invalid opcode before
 * STOP or the end of the prefix.
 */
export function looksLikePickle(b: Uint8Array, complete = false): boolean {
  // A prefix that is the whole stream must reach STOP; a longer stream may be cut anywhere.
  const atEnd = (ops: number, need: number) => !complete && ops >= need;
  if (b.length < 2) return false;
  if (b[0] === 0x80) {
    if (b[1] < 2 || b[1] > 5) return false;
  } else if (!PROTO01_STARTERS.has(b[0])) return false;
  let pos = 0;
  let ops = 0;
  while (pos < b.length) {
    const info = OPCODE_BY_CODE[b[pos]];
    // joblib writes raw array bytes into the stream right after a NumpyArrayWrapper's BUILD.
    if (!info) return ops >= 3 && pos > 0 && b[pos - 1] === 0x62 && mentionsJoblib(b, pos);
    if (info.name === 'PROTO') {
      if (pos + 1 >= b.length) return atEnd(ops, 3);
      if (b[pos + 1] > 5) return false;
    }
    ops++;
    let next = pos + 1;
    const kind = info.arg;
    if (kind) {
      const fixed = FIXED_WIDTH[kind];
      const prefix = LENGTH_PREFIX[kind];
      if (fixed !== undefined) next += fixed;
      else if (prefix !== undefined) {
        if (next + prefix > b.length) return atEnd(ops, 3);
        let len = 0;
        for (let i = prefix - 1; i >= 0; i--) len = len * 256 + b[next + i];
        if (kind === 'long4' && len > 0x7fffffff) return false;
        next += prefix + len;
      } else if (LINE_ARGS.has(kind)) {
        const lines = kind === 'stringnl_noescape_pair' ? 2 : 1;
        for (let l = 0; l < lines; l++) {
          const nl = b.indexOf(0x0a, next);
          if (nl < 0) return atEnd(ops, 3);
          if (!isPrintableLine(b, next, nl)) return false;
          if (kind === 'stringnl_noescape_pair' && !IDENTIFIER.test(Buffer.from(b.subarray(next, nl)).toString('latin1'))) return false;
          next = nl + 1;
        }
      }
    }
    if (info.name === 'STOP') return ops >= 2;
    if (next > b.length) return atEnd(ops, 3);
    pos = next;
  }
  return atEnd(ops, 3);
}
