export { OPCODES, OPCODE_BY_CODE, OPCODE_BY_NAME } from './opcodes';
export type { OpcodeInfo, OpcodeName } from './opcodes';
export type { ArgKind } from './args';
export { readOps, decodeArg, ReadOpsError } from './read-ops';
export type { Op, OpArg, ReadOpsOptions } from './read-ops';
export { OpReader } from './reader';
export type { ReadError, ReadErrorCode } from './reader';
