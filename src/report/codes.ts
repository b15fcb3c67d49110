/**
 * The finding codes: the families of findings, each with a one-line description (SARIF, docs). Part of
 * the public contract (CLI JSON, SARIF, HTTP reports, metrics): add new ones, never rename or reuse one.
 */

type Severity = 'info' | 'suspicious' | 'dangerous';

/**
 * Every finding code with a one-line description (used by SARIF and docs) and the severity most of its
 * rules have; a rule's own severity (see RULES) is the one a finding gets.
 */
export const FINDING_CODES = {
  // --- imports and calls, judged by the policy
  DENIED_GLOBAL: { severity: 'dangerous', title: 'Import of a global the policy denies (known code-execution or import path)' },
  UNLISTED_GLOBAL: { severity: 'suspicious', title: 'Import of a global the policy does not allow' },
  UNRESOLVED_GLOBAL: { severity: 'suspicious', title: 'Import whose module or name is not a constant string (cannot be resolved statically)' },
  UNREGISTERED_EXT: { severity: 'suspicious', title: 'Extension code (EXT1/EXT2/EXT4) with no registry entry in the policy' },
  PERSISTENT_ID: { severity: 'suspicious', title: 'Persistent reference (PERSID/BINPERSID) not allowed by the policy' },
  OUT_OF_BAND_BUFFER: { severity: 'suspicious', title: 'Out-of-band buffer (NEXT_BUFFER) not allowed by the policy' },
  // --- data-flow signals from the symbolic machine
  UNRESOLVED_CALL: { severity: 'dangerous', title: 'A call of a global that cannot be resolved statically (computed name or unregistered EXT code)' },
  CALL_ON_CALL_RESULT: { severity: 'dangerous', title: 'The result of a call is itself called (getattr-style indirection)' },
  BUILD_ON_NON_INSTANCE: { severity: 'dangerous', title: 'BUILD sets state on a module, class or function instead of a fresh instance' },
  NESTED_PICKLE: { severity: 'dangerous', title: 'A string that is itself a dangerous pickle flows into a call' },
  NESTED_PICKLE_UNVERIFIED: { severity: 'suspicious', title: 'A string that looks like a pickle flows into a call and could not be fully verified' },
  METHOD_CALL_ON_OBJECT: { severity: 'suspicious', title: 'APPEND/SETITEM on an object that is not a plain list or dict calls one of its methods' },
  // --- structure of the stream
  MALFORMED: { severity: 'suspicious', title: 'The stream is not a valid pickle at this offset' },
  TRUNCATED: { severity: 'suspicious', title: 'The stream ends in the middle of an opcode or before STOP' },
  TRAILING_DATA: { severity: 'suspicious', title: 'Bytes after STOP that are not another pickle' },
  MULTIPLE_PICKLES: { severity: 'info', title: 'Several pickles stored back to back' },
  FRAME_VIOLATION: { severity: 'suspicious', title: 'An opcode straddles a FRAME boundary (unpicklers disagree on such streams)' },
  LIMIT_EXCEEDED: { severity: 'suspicious', title: 'A resource limit was reached; the rest of the stream was not analysed' },
  RESOURCE_HOSTILE: { severity: 'suspicious', title: 'Cheap to send, expensive to unpickle (memo index, integer size, declared length)' },
  // --- wire rules (policies with a wire section, e.g. mxnet-optimizer)
  WIRE_RULE: { severity: 'suspicious', title: 'Violates a wire rule of the policy (protocol, opcode, encoding, NUL, shape)' },
  // --- optimizer inspection
  OPTIMIZER_BOUND: { severity: 'suspicious', title: 'An optimizer hyperparameter is outside the bounds the policy sets' },
  // --- containers (CLI and file helpers)
  CONTAINER_ANOMALY: { severity: 'suspicious', title: 'The container (zip, tar, compressed stream) is malformed or uses a trick that can hide content' },
  UNSUPPORTED_FORMAT: { severity: 'suspicious', title: 'A format picklegate cannot open, so its content cannot be verified' },
  ANALYSIS_ERROR: { severity: 'suspicious', title: 'picklegate failed while analysing this input (a bug to report); the input is not accepted' },
  NOT_A_PICKLE: { severity: 'info', title: 'The input is not a pickle and contains none' },
} as const satisfies Record<string, { severity: Severity; title: string }>;

export type FindingCode = keyof typeof FINDING_CODES;
