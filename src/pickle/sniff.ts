/**
 * Recognising pickles without running them: does a byte prefix look like the start of a pickle, and
 * where in a run of bytes may the next pickle start. Used to choose how to read a stream and where to
 * resume after a break; what is found is then run by the machine, which decides.
 */
import { Op } from './opcodes';
import { A_LINE, A_LINE2, ARG_CLASS, OpReader } from './reader';
import { MemorySource, readBytes, type ByteSource } from './source';

/** Bytes that start real protocol 0/1 pickles (MARK, EMPTY_LIST/DICT/TUPLE, GLOBAL, INST, scalars, PERSID). */
const PROTO01_STARTERS = new Set([...'(]})cIiLSVNFKJMXUTGP'].map((c) => c.charCodeAt(0)));

/** GLOBAL/INST module and name lines as picklers write them (CPython's find_class would reject others). */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\r?$/;

const JOBLIB_WRAPPER = [...'NumpyArrayWrapper'].map((c) => c.charCodeAt(0));

function mentionsJoblib(b: Uint8Array, end: number): boolean {
  const first = JOBLIB_WRAPPER[0]!;
  for (let i = b.indexOf(first); i >= 0 && i + JOBLIB_WRAPPER.length <= end; i = b.indexOf(first, i + 1)) {
    let k = 1;
    while (k < JOBLIB_WRAPPER.length && b[i + k] === JOBLIB_WRAPPER[k]) k++;
    if (k === JOBLIB_WRAPPER.length) return true;
  }
  return false;
}

function isPrintableLine(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i]! < 0x20 && b[i] !== 0x09 && b[i] !== 0x0d) return false;
  return true;
}

function isIdentifierLine(b: Uint8Array, start: number, end: number): boolean {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
  return IDENTIFIER.test(s);
}

/**
 * True when `b` starts with PROTO 2..5 followed by valid opcodes, or with a plausible protocol 0/1
 * opcode sequence of at least three opcodes (or a complete pickle), with no invalid opcode before
 * STOP or the end of the prefix. `complete` says `b` is the whole stream, so it must reach STOP.
 */
export function looksLikePickle(b: Uint8Array, complete = false): boolean {
  // a longer stream may be cut anywhere
  const atEnd = (ops: number) => !complete && ops >= 3;
  if (b.length < 2) return false;
  if (b[0] === Op.PROTO) {
    if (b[1]! < 2 || b[1]! > 5) return false;
  } else if (!PROTO01_STARTERS.has(b[0]!)) return false;
  const r = new OpReader(b);
  let ops = 0;
  while (r.next()) {
    ops++;
    const cls = ARG_CLASS[r.code];
    if (cls === A_LINE || cls === A_LINE2) {
      if (!isPrintableLine(b, r.argStart, r.argEnd)) return false;
      if (cls === A_LINE2 && (!isPrintableLine(b, r.arg2Start, r.arg2End) || !isIdentifierLine(b, r.argStart, r.argEnd) || !isIdentifierLine(b, r.arg2Start, r.arg2End))) return false;
    }
    if (r.code === Op.PROTO && r.argNum > 5) return false;
    if (r.code === Op.STOP) return ops >= 2;
  }
  const e = r.error;
  if (e === null) return atEnd(ops);
  switch (e.rule) {
    case 'MALFORMED/invalid-opcode':
      // joblib writes raw array bytes into the stream right after a NumpyArrayWrapper's BUILD
      return ops >= 3 && r.opPos > 0 && b[r.opPos - 1] === Op.BUILD && mentionsJoblib(b, r.opPos);
    case 'MALFORMED/negative-length':
      return r.code !== Op.LONG4 && atEnd(ops + 1);
    default:
      // the prefix ends inside this opcode (a PROTO cut before its argument does not count)
      return atEnd(r.code === Op.PROTO ? ops : ops + 1);
  }
}

export interface PickleStartOptions {
  /** Also resume at a protocol 0 `GLOBAL` line (`c` + dotted name + newline + name + newline). Default true. */
  protocol0?: boolean;
  /** Only where the next `sniff` bytes pass looksLikePickle. Default 0: any PROTO 2..5. */
  sniff?: number;
  /** Give up after this many PROTO bytes (0x80) looked at. Default: no limit. */
  maxCandidates?: number;
}

/** Where the next pickle may start at or after `from`: a PROTO 2..5 opcode, or a protocol 0 GLOBAL line; -1 when none. Linear. */
export function findPickleStart(input: Uint8Array, from: number, options: PickleStartOptions = {}): number {
  const { protocol0 = true, sniff = 0, maxCandidates = Infinity } = options;
  let candidates = 0;
  for (let i = protocol0 ? from : input.indexOf(Op.PROTO, from); i >= 0 && i < input.length - 1 && candidates < maxCandidates; i = protocol0 ? i + 1 : input.indexOf(Op.PROTO, i + 1)) {
    const c = input[i]!;
    if (c === Op.PROTO) {
      candidates++;
      const p = input[i + 1]!;
      if (p < 2 || p > 5) continue;
      if (sniff === 0 || looksLikePickle(input.subarray(i, i + sniff), i + sniff >= input.length)) return i;
    } else if (c === Op.GLOBAL && isGlobalLine(input, i)) return i;
  }
  return -1;
}

/** GLOBAL lines are recognised within this many bytes. */
const GLOBAL_LINE_SPAN = 512;

/** findPickleStart over a byte source, read forward in chunks (positions absolute). */
export function findPickleStartIn(src: ByteSource, from: number, options: PickleStartOptions = {}): number {
  if (src instanceof MemorySource) return findPickleStart(src.bytes, from, options);
  const chunk = 1 << 20;
  const overlap = Math.max(GLOBAL_LINE_SPAN, options.sniff ?? 0) + 2;
  let budget = options.maxCandidates ?? Infinity;
  for (let at = from; ; at += chunk) {
    const bytes = readBytes(src, at, chunk + overlap);
    if (bytes.length === 0) return -1;
    const last = bytes.length < chunk + overlap;
    // candidates in [0, chunk): each sees its overlap; the final chunk sees everything
    const found = findPickleStart(last ? bytes : bytes.subarray(0, chunk + overlap), 0, { ...options, maxCandidates: budget });
    if (found >= 0 && (last || found < chunk)) return at + found;
    if (last) return -1;
    if (budget !== Infinity) budget -= countProtos(bytes.subarray(0, chunk));
    if (budget <= 0) return -1;
  }
}

function countProtos(b: Uint8Array): number {
  let n = 0;
  for (let i = b.indexOf(Op.PROTO); i >= 0; i = b.indexOf(Op.PROTO, i + 1)) n++;
  return n;
}

function isGlobalLine(input: Uint8Array, i: number): boolean {
  if (!isIdentStart(input[i + 1]!)) return false;
  let lines = 0;
  for (let j = i + 1; j < input.length && j - i < GLOBAL_LINE_SPAN; j++) {
    const d = input[j]!;
    if (d === 0x0a) {
      if (++lines === 2) return true;
      if (j + 1 >= input.length || !isIdentStart(input[j + 1]!)) return false;
    } else if (!isIdentChar(d)) return false;
  }
  return false;
}

const isIdentStart = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
const isIdentChar = (c: number) => isIdentStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2e;
