/** Opcodes that frame the stream: PROTO, FRAME and STOP. */
import type { Handlers } from './handler';

export const FRAMING_OPS: Handlers<'PROTO' | 'FRAME' | 'STOP'> = {
  PROTO(m, r) {
    const p = r.argNum;
    if (p > 5) m.halt(r, 'MALFORMED/unsupported-protocol', { proto: p });
    m.proto = p;
    if (p > m.maxProto) m.maxProto = p;
  },
  // frame boundaries are checked by the reader
  FRAME() {},
  STOP(m, r) {
    const result = m.pop(r);
    if (result.k === 'global' && result.held) m.releaseHeld(result, 'what the pickle returns');
    m.results.push(result);
    for (const h of m.hooks) h.stop?.(m.stack.length, m.marks.length, r.opPos);
  },
};
