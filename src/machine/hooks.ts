/**
 * The interface between the generic machine and format-specific checks (src/formats/): the MXNet
 * wire rules, joblib's in-stream arrays, optimizer inspection. The machine calls a hook at each point
 * below; a hook reports through the recorder it was made with and never changes the machine's state,
 * except by the stream actions a BUILD hook returns.
 */
import type { OpReader } from '../pickle/reader';
import type { ByteSource } from '../pickle/source';
import type { Recorder } from './recorder';
import type { Value } from './values';

/** What follows a BUILD in the stream, when it is not the next opcode (joblib writes array bytes there). */
export type StreamAction =
  /** `bytes` raw bytes, preceded (when `aligned`) by a byte giving the padding length and the padding. */
  | { kind: 'skip'; aligned: boolean; bytes: number }
  /** One whole pickle (an object array) that the loader reads right there. */
  | { kind: 'pickle' }
  /** Bytes follow but their size cannot be known statically: the stream cannot be read on. */
  | { kind: 'unknown-size'; why: string };

export interface MachineHook {
  /**
   * True when the hook needs the full machine: every opcode and every value. The typed-array fast path
   * for data-only pickles (which sees neither) is then off.
   */
  readonly needsFullMachine?: boolean;
  /** The input, once, before the first opcode. */
  input?(src: ByteSource): void;
  /** Every opcode, before it runs. */
  opcode?(r: OpReader): void;
  /** Every REDUCE, NEWOBJ, NEWOBJ_EX, OBJ and INST, with the callee and its argument tuple. */
  call?(r: OpReader, callee: Value, args: Value): void;
  /** Every BUILD; the returned action tells the machine what bytes follow it. */
  build?(r: OpReader, inst: Value, state: Value): StreamAction | void;
  /** A pickle begins right after a complete one, at `pos`. */
  afterStop?(pos: number): void;
  /** STOP at `pos` with `stackLeft` objects and `marksLeft` marks left under the result. */
  stop?(stackLeft: number, marksLeft: number, pos: number): void;
  /** After the run: the values the pickles return. */
  finish?(results: readonly Value[], pickles: number): void;
}

/** Makes a hook for one machine run (hooks are stateful: one per input). */
export type HookFactory = (rec: Recorder, depth: number) => MachineHook | null;
