/**
 * Which guarded global a call runs, for the reviewed argument guards of pint and rdflib (pint.ts,
 * rdflib.ts): the callee itself, `C.__new__` read with getattr, copyreg's `__newobj__` and
 * `__newobj_ex__` (NEWOBJ's own spelling), and copyreg's `_reconstructor` with the guarded class as
 * the class or as the base. A `functools.partial` is unwrapped by the machine before (ops/calls.ts).
 * Each guard takes the names the catalogue says it owns (GuardedArgs.owner); a call that involves none
 * of them is not its business.
 */
import type { GuardedArgs } from '../names/catalogue/verdict';
import type { CostFinding } from './cost-finding';
import type { GlobalValue, Value } from './values';

/**
 * How the guarded global runs: `call` is `C(*args, **kwargs)` (its `__new__` and `__init__`, or a
 * function's body), `new` is `C.__new__(C, *args, **kwargs)` (NEWOBJ, copyreg.__newobj__), and
 * `reconstruct` is copyreg's `_reconstructor(C, base, state)`: `base.__new__(C, state)`, then
 * `base.__init__(obj, state)` unless base is `object` (protocols 0 and 1).
 */
export interface GuardedCall {
  readonly name: string;
  readonly how: 'call' | 'new' | 'reconstruct';
  readonly args: readonly Value[];
  readonly kwargs: Value | undefined;
  /** `reconstruct`: the base class's resolved name. */
  readonly base?: string;
}

export const refuse = (why: string): CostFinding => ({ rule: 'DENIED_GLOBAL/unsafe-call', args: { why } });

/** The guarded name a value is, if it is a global a guard owns. */
function owned(v: Value | undefined, owns: (guarded: GuardedArgs) => boolean): string | undefined {
  return v?.k === 'global' && v.guardedArgs !== undefined && owns(v.guardedArgs) ? v.guardedArgs.name : undefined;
}

const RECONSTRUCTORS: ReadonlySet<string> = new Set(['copyreg._reconstructor', 'copy_reg._reconstructor']);

/**
 * The guarded call this call makes, null when it involves no guarded name `owns` accepts, or a finding when
 * it does in a shape no guard checks (a guarded class run by `__new__` of another, as a
 * reconstructor's base, with arguments the scanner cannot list).
 */
export function guardedCall(callee: GlobalValue, args: Value, kwargs: Value | undefined, owns: (guarded: GuardedArgs) => boolean, what: string): GuardedCall | CostFinding | null {
  const self = owned(callee, owns);
  const ctor = callee.ctorOf ? owned(callee.ctorOf, owns) : undefined;
  if (args.k !== 'tuple') return self || ctor ? refuse(`the arguments of ${what} are not a tuple the scanner can check`) : null;
  const items = args.items;
  const first = owned(items[0], owns);
  const second = owned(items[1], owns);
  if (!self && !ctor && !first && !second) return null;
  if (args.count !== items.length) return refuse(`${what} is called with more arguments than are kept for checking`);
  if (callee.ctorOf) {
    // C.__new__(cls, *args) runs C's __new__ on cls: both must be the same guarded class
    if (!ctor || !first || first !== ctor) return refuse(`${callee.resolved} is run on another class than its own`);
    return { name: ctor, how: 'new', args: items.slice(1), kwargs };
  }
  switch (callee.resolved) {
    case 'copyreg.__newobj__':
    case 'copy_reg.__newobj__':
      if (first) return { name: first, how: 'new', args: items.slice(1), kwargs };
      break;
    case 'copyreg.__newobj_ex__': {
      if (!first) break;
      const a = items[1];
      if (a?.k !== 'tuple' || a.count !== a.items.length) return refuse(`copyreg.__newobj_ex__ of ${what} without an argument tuple the scanner can check`);
      return { name: first, how: 'new', args: a.items, kwargs: items[2] };
    }
  }
  if (RECONSTRUCTORS.has(callee.resolved)) {
    // base.__new__(cls, state) and base.__init__(obj, state): a guarded base runs its code on the state
    if (second) return refuse(`copyreg._reconstructor with ${what} as base runs its __new__ and __init__ on the state`);
    const base = items[1];
    if (first && base?.k === 'global' && items.length === 3) return { name: first, how: 'reconstruct', args: [items[2]!], kwargs, base: base.resolved };
    if (first) return refuse(`copyreg._reconstructor of ${what} in a shape the guard does not check`);
  }
  if (self) return { name: self, how: 'call', args: items, kwargs };
  // a guarded global handed to another callable is judged there (ops/calls.ts passedClasses)
  return null;
}

/** Keyword arguments are absent (None or an empty dict count as absent). */
export function noKeywords(kwargs: Value | undefined): boolean {
  return !kwargs || kwargs.k === 'none' || (kwargs.k === 'dict' && kwargs.count === 0);
}
