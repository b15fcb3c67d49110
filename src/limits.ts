/**
 * Resource limits. Every one is a hard cap: reaching it produces a LIMIT_EXCEEDED finding
 * (the input is not accepted), never a crash or an unbounded allocation.
 */
export interface Limits {
  /** Opcodes executed across all pickles of one input. */
  maxOpcodes: number;
  /** Items on the unpickler stack at once (all mark frames together). */
  maxStack: number;
  /** Open MARKs at once, and container nesting depth. */
  maxNesting: number;
  /** Memo entries. */
  maxMemo: number;
  /**
   * A PUT/BINPUT/LONG_BINPUT index more than this far beyond the number of opcodes read so far is
   * RESOURCE_HOSTILE: no pickler writes one, and CPython allocates a memo table that large.
   */
  maxMemoIndexGap: number;
  /** Decimal digits in a protocol-0 INT/LONG or a LONG1/LONG4 byte length above which parsing is RESOURCE_HOSTILE. */
  maxIntDigits: number;
  /** Container nesting depth above which a structure is RESOURCE_HOSTILE (CPython's own pickler cannot write ~1000+). */
  maxObjectDepth: number;
  /** Objects a structure expands to when traversed (shared references counted each time) above which it is RESOURCE_HOSTILE. */
  maxExpansion: number;
  /** Bytes a call such as bytearray(n) may ask the server to allocate before it is RESOURCE_HOSTILE. */
  maxAllocation: number;
  /** Bytes in one protocol-0 text line above which it is RESOURCE_HOSTILE. */
  maxLineBytes: number;
  /** Pickles back to back in one input. */
  maxPickles: number;
  /** Depth of pickles found inside strings of other pickles. */
  maxNestedPickleDepth: number;
  /** Bytes of a string constant kept for analysis (longer ones are skipped, never copied). */
  maxKeptString: number;
  /** Bytes of a string that starts like a pickle and flows into a call, read to scan it as a nested pickle; longer ones are NESTED_PICKLE_UNVERIFIED. */
  maxNestedPickleBytes: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxOpcodes: 200_000_000,
  maxStack: 5_000_000,
  maxNesting: 10_000,
  maxMemo: 20_000_000,
  maxMemoIndexGap: 1_000_000,
  maxIntDigits: 4300,
  maxObjectDepth: 5_000,
  maxExpansion: 100_000_000,
  maxAllocation: 1 << 30,
  maxLineBytes: 1 << 20,
  maxPickles: 10_000,
  maxNestedPickleDepth: 4,
  maxKeptString: 65_536,
  maxNestedPickleBytes: 256 * 1024 * 1024,
});
