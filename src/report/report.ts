import type { Finding } from './findings';
import type { OptimizerSummary } from './optimizer';

export type Verdict = 'safe' | 'suspicious' | 'dangerous';

/** How the policy judged one imported global. */
export type GlobalDecision = 'allow' | 'deny' | 'unlisted';

/** One import the unpickler would perform (GLOBAL, STACK_GLOBAL, INST, OBJ-less EXT...). */
export interface GlobalRef {
  /** Module as written in the stream. */
  module: string;
  /** Name as written in the stream (may be dotted at protocol 4+). */
  name: string;
  /** `module.name` after `_compat_pickle` remapping and stdlib alias resolution, as the policy saw it. */
  resolved: string;
  offset: number;
  opcode: string;
  pickle: number;
  decision: GlobalDecision;
  /** The policy rule's reason, when a rule matched. */
  reason?: string;
}

export type CallKind = 'reduce' | 'newobj' | 'newobj_ex' | 'obj' | 'inst' | 'build' | 'append' | 'setitem' | 'additems';

/** One call the unpickler would make. */
export interface CallRecord {
  offset: number;
  opcode: string;
  pickle: number;
  kind: CallKind;
  /** The callee as `module.name`, or a description of a non-global callee. */
  callee: string;
  /** Readable pseudo-Python, e.g. `os.system('echo hi')`. Arguments are elided past a size bound. */
  pseudo: string;
}

/** One pickle in the input (a file may hold several back to back). */
export interface PickleSummary {
  index: number;
  /** Offset of its first opcode. */
  start: number;
  /** Offset just past its STOP, or where analysis stopped. */
  end: number;
  /** Highest protocol announced by PROTO, or 0 when there is none. */
  protocol: number;
  opcodes: number;
  /** True when it ended with STOP. */
  complete: boolean;
}

export interface Report {
  verdict: Verdict;
  /** The policy's decision. Built-in policies accept only `safe`. */
  accepted: boolean;
  policy: string;
  findings: Finding[];
  globals: GlobalRef[];
  calls: CallRecord[];
  pickles: PickleSummary[];
  /** Size of the scanned input in bytes. */
  size: number;
  /** How many opcodes ran, imports happened and calls were made (lists above may be capped). */
  counts: { opcodes: number; globals: number; calls: number };
  /** Optimizer summary, for policies with optimizer bounds (the MXNet policies). */
  optimizer?: OptimizerSummary;
  /** Wall time of the scan in milliseconds. */
  timeMs: number;
}
