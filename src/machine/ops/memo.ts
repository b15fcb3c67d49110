/** Opcodes that move things on the stack (MARK, POP, DUP) and in the memo (GET, PUT, MEMOIZE). */
import { decodeDecimalLine } from '../../pickle/args';
import type { OpReader } from '../../pickle/reader';
import type { MachineState } from '../state';
import type { Handlers } from './handler';

function formatBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(1)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  return `${n} bytes`;
}

function get(m: MachineState, r: OpReader, idx: number): void {
  const v = m.memo.get(idx);
  if (v === undefined) m.halt(r, 'MALFORMED/memo-missing', { idx });
  m.stack.push(v);
}

function put(m: MachineState, r: OpReader, idx: number): void {
  const v = m.top(r);
  if (idx < 0) m.halt(r, 'MALFORMED/negative-memo-index');
  if (idx > m.opsThisPickle + m.limits.maxMemoIndexGap) m.note(r, 'RESOURCE_HOSTILE/memo-index', { idx, table: formatBytes(idx * 16) });
  m.memoSet(r, idx, v);
}

/** The memo index of a protocol 0 GET/PUT line. */
function lineIndex(m: MachineState, r: OpReader): number | bigint {
  if (!r.argLoaded) m.halt(r, 'MALFORMED/line-too-long', { bytes: r.argLen, max: m.limits.maxLineBytes });
  const idx = decodeDecimalLine(r.argBuf, r.argStart, r.argEnd);
  if (idx === null) m.halt(r, 'MALFORMED/invalid-memo-index', { text: m.argText(r) });
  return idx;
}

export const MEMO_OPS: Handlers<'MARK' | 'POP' | 'POP_MARK' | 'DUP' | 'GET' | 'BINGET' | 'LONG_BINGET' | 'PUT' | 'BINPUT' | 'LONG_BINPUT' | 'MEMOIZE'> = {
  MARK(m, r) {
    m.marks.push(m.stack.length);
    m.fence = m.stack.length;
    if (m.marks.length > m.limits.maxNesting) m.limit(r, 'LIMIT_EXCEEDED/max-nesting', m.limits.maxNesting);
  },
  POP(m, r) {
    // pops a MARK when one sits on top (CPython's load_pop)
    if (m.marks.length && m.marks[m.marks.length - 1] === m.stack.length) m.popMark(r);
    else m.pop(r);
  },
  POP_MARK(m, r) {
    m.stack.length = m.popMark(r);
  },
  DUP: (m, r) => void m.stack.push(m.top(r)),
  GET: (m, r) => get(m, r, Number(lineIndex(m, r))),
  BINGET: (m, r) => get(m, r, r.argNum),
  LONG_BINGET: (m, r) => get(m, r, r.argNum),
  PUT(m, r) {
    const idx = lineIndex(m, r);
    put(m, r, typeof idx === 'bigint' ? Number.MAX_SAFE_INTEGER : idx);
  },
  BINPUT: (m, r) => put(m, r, r.argNum),
  LONG_BINPUT: (m, r) => put(m, r, r.argNum),
  // stores at len(memo), which may overwrite an explicit PUT slot
  MEMOIZE: (m, r) => m.memoSet(r, m.memo.size, m.top(r)),
};
