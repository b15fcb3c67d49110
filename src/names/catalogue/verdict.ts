/**
 * What the library catalogue says of one global (judge.ts makes it; src/policy/compile.ts and the
 * machine read it): the verdict and the guards it comes with. Types only, and the methods a scan sees
 * run: no verdicts here, so the machine's guards and the catalogue can both import this file.
 */

/** What calling a class runs beyond rebuilding it: its __init__, judged by the catalogue. */
export interface CallVerdict {
  readonly gadget: boolean;
  readonly reason: string;
  /**
   * A reviewer read that calling the class with no argument at all (`Cls()`, how shapely 1.8 pickles
   * its geometries before a BUILD of their WKB) reaches nothing: what was read. Such a call is not a
   * finding; any other call still is (REVIEWED_ENTRIES `emptyCall`).
   */
  readonly emptyCall?: string;
}

/**
 * Library code a reviewer read that is given an instance of the class while a pickle loads and runs
 * none of its failing methods (`__setitem__`...) on it: callees by name (the pickle calls them with
 * the instance in their arguments) and classes whose BUILD gets it in its state. The instance is not
 * a finding there; it is held by what that code made (the call's result, the BUILD's object) and
 * judged again wherever that goes (ops/calls.ts handedInstance).
 */
export interface ReviewedReceivers {
  readonly calls: readonly string[];
  readonly builds: readonly string[];
  readonly read: string;
}

/**
 * The methods the unpickler calls on an object it built, by the opcode that calls them: judged where a
 * pickle does. `__hash__` (for a class of KEY_JUDGED): its __hash__ and __eq__, run when an instance is
 * a dict key or set member; `__eq__` (a reviewed __eq__ of a class with a guarded BUILD): run by
 * library code the instance is handed to, with any operand.
 */
export type MethodVerdicts = Readonly<Partial<Record<(typeof CHECKED_METHODS)[number] | '__hash__' | '__eq__', CallVerdict>>>;

/**
 * Entry points a scan sees being run, besides calling the class: APPEND(S) calls append or extend,
 * SETITEM(S) __setitem__, ADDITEMS add, on an object the pickle built.
 */
export const CHECKED_METHODS = ['__setitem__', 'append', 'extend', 'add'] as const;

/**
 * How a reviewed BUILD receiver (STORING_BUILD) stores its state: where its values go as they are,
 * without any of their methods being called.
 */
export interface StoringBuild {
  /**
   * `default`: the class has no __setstate__; pickle puts a dict state (or the dict half of a
   * `(dict, slots)` pair) into the instance's __dict__ and sets the slots half with setattr.
   * `dict-update`: its __setstate__(state) is `self.__dict__.update(state)`; only a plain dict state
   * is stored as it is.
   */
  readonly setstate: 'default' | 'dict-update';
  /** Values of the dict state go into a plain instance __dict__ under any key (no __dict__: false). */
  readonly dict: boolean;
  /** Names in the slots half whose setattr (the class's __setattr__, then a slot's member descriptor) stores the value as it is. */
  readonly slots: readonly string[];
}

/** The machine's reviewed argument guards (src/machine/sympy.ts, pint.ts, rdflib.ts). */
export type ArgumentGuard = 'sympy' | 'pint' | 'rdflib';

/**
 * A name admitted with a reviewed argument guard: the guard that owns it, set where the catalogue
 * admits it (guarded-args.ts), and the canonical name that guard knows it by. Each guard checks only
 * the names it owns, so the owner must be said, not inferred from which guard knows the name: a name
 * no guard owned would otherwise pass unchecked.
 */
export interface GuardedArgs {
  readonly owner: ArgumentGuard;
  readonly name: string;
}

export interface CatalogueVerdict {
  decision: 'allow' | 'deny' | 'unlisted';
  reason: string;
  referenceOnly?: boolean;
  callVerdict?: CallVerdict;
  methodVerdicts?: MethodVerdicts;
  /** Its __setstate__ is guarded at BUILD (GUARDED_SETSTATE): the canonical name the guard is looked up by. */
  guardedSetstate?: string;
  /** Admitted with a reviewed argument guard (guarded-args.ts): which guard, and the canonical name it is looked up by. */
  guardedArgs?: GuardedArgs;
  /** Its BUILD stores the state's values as they are (STORING_BUILD): how. */
  storingBuild?: StoringBuild;
  /** Library code reviewed not to run its failing methods on an instance it is given (REVIEWED_ENTRIES `receivers`). */
  receivers?: ReviewedReceivers;
  catalogue: 'safe' | 'gadget' | 'unverified' | 'unknown';
}
