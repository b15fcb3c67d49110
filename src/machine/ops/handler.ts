/** The shape of an opcode handler: it runs the current opcode of `r` on the machine state `m`. */
import type { OpcodeName } from '../../pickle/opcodes';
import type { OpReader } from '../../pickle/reader';
import type { MachineState } from '../state';

export type Handler = (m: MachineState, r: OpReader) => void;

/** Handlers of one family of opcodes. */
export type Handlers<N extends OpcodeName> = Readonly<Record<N, Handler>>;
