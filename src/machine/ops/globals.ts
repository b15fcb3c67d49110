/**
 * Opcodes that import: GLOBAL and INST (protocol 0 lines), STACK_GLOBAL (names from the stack) and
 * EXT1/2/4 (codes in copyreg's extension registry). Every import is judged by the policy the moment
 * it happens.
 */
import { decodeUtf8SurrogatePass } from '../../pickle/args';
import { Op } from '../../pickle/opcodes';
import type { OpReader } from '../../pickle/reader';
import type { MachineState } from '../state';
import { importGlobal } from '../imports';
import { describeOperand, doCall, isConst } from './calls';
import type { Handlers } from './handler';

/** GLOBAL and INST: module and name on two lines. */
function lineGlobal(m: MachineState, r: OpReader): void {
  if (!r.argLoaded) m.halt(r, 'MALFORMED/line-too-long', { bytes: r.argLen, max: m.limits.maxLineBytes });
  const module = decodeUtf8SurrogatePass(r.argBuf, r.argStart, r.argEnd);
  const name = decodeUtf8SurrogatePass(r.argBuf, r.arg2Start, r.arg2End);
  if (module === null || name === null) m.halt(r, 'MALFORMED/invalid-global-name');
  if (module.length === 0 || name.length === 0) m.halt(r, 'TRUNCATED/empty-global-name');
  const g = importGlobal(m, r, module, name);
  if (r.code === Op.GLOBAL) m.stack.push(g);
  else doCall(m, r, g, m.tuple(r, m.popToMark(r)), 'inst');
}

function ext(m: MachineState, r: OpReader): void {
  const code = r.argNum;
  if (code <= 0) m.halt(r, 'MALFORMED/ext-code');
  const g = m.extensions.get(code);
  if (g) m.stack.push(importGlobal(m, r, g[0], g[1]));
  else {
    m.note(r, 'UNREGISTERED_EXT/unregistered-ext', { code });
    m.stack.push({ k: 'unknown', why: `extension code ${code}` });
  }
}

export const GLOBAL_OPS: Handlers<'GLOBAL' | 'INST' | 'STACK_GLOBAL' | 'EXT1' | 'EXT2' | 'EXT4'> = {
  GLOBAL: lineGlobal,
  INST: lineGlobal,
  STACK_GLOBAL(m, r) {
    const name = m.pop(r);
    const module = m.pop(r);
    if (module.k === 'str' && name.k === 'str' && module.v && name.v) {
      m.stack.push(importGlobal(m, r, module.v, name.v));
    } else if (isConst(module) && isConst(name) && (module.k !== 'str' || name.k !== 'str')) {
      m.halt(r, 'MALFORMED/stack-global-operands', { module: module.k, name: name.k });
    } else {
      const what = `module ${describeOperand(module)}, name ${describeOperand(name)}`;
      m.rec.add('UNRESOLVED_GLOBAL/computed-name', { offset: r.opPos, opcode: 'STACK_GLOBAL' }, { at: r.opPos, what });
      m.stack.push({ k: 'unknown', why: `unresolved import (${what})` });
    }
  },
  EXT1: ext,
  EXT2: ext,
  EXT4: ext,
};
