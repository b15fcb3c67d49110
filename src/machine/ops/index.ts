/**
 * Every opcode's handler, by opcode byte. The families below must cover every opcode together: the
 * `Record<OpcodeName, Handler>` type makes a missing handler a compile error.
 */
import { byOpcode, type OpcodeName } from '../../pickle/opcodes';
import { CALL_OPS } from './calls';
import { CONSTANT_OPS } from './constants';
import { CONTAINER_OPS } from './containers';
import { FRAMING_OPS } from './framing';
import { GLOBAL_OPS } from './globals';
import type { Handler } from './handler';
import { MEMO_OPS } from './memo';

const HANDLERS: Readonly<Record<OpcodeName, Handler>> = { ...CONSTANT_OPS, ...CONTAINER_OPS, ...MEMO_OPS, ...GLOBAL_OPS, ...CALL_OPS, ...FRAMING_OPS };

export const HANDLER_BY_CODE = byOpcode(HANDLERS);
