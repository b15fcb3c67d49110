export { OPCODES, OPCODE_BY_CODE, OPCODE_BY_NAME, Op, byOpcode } from './opcodes';
export type { OpcodeInfo, OpcodeName } from './opcodes';
export type { ArgKind } from './args';
export { readOps, decodeArg, ReadOpsError } from './read-ops';
export type { OpRecord, OpArg, ReadOpsOptions, ReadOpsErrorDetail } from './read-ops';
export { OpReader } from './reader';
export type { ReadError, ReaderOptions, FrameViolation } from './reader';
export { looksLikePickle, findPickleStart } from './sniff';
export type { PickleStartOptions } from './sniff';
