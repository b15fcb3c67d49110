/**
 * Values handed to a global that calls them. A policy rule's `callsArguments` names the argument
 * positions whose value the global calls, at once or later (sortedcontainers keeps its `key` and calls
 * it on every element; astropy's `_recreate_irreducible_unit(cls, ...)` calls `cls`). The call is
 * then as safe as what is handed there:
 *
 * - plain data (None, numbers, strings, containers) is not callable: nothing runs;
 * - a global runs what calling it runs, so it must be one the policy lets the pickle call: one
 *   allowed only as a value (`use: 'reference'`) or whose call is denied is a finding here, as a
 *   REDUCE of it would be (classes and gadget functions the catalogue judged are passedClasses' part);
 * - an object the pickle built (an instance, a persistent reference, a buffer) runs its class's
 *   `__call__`, which nothing checked: a finding.
 *
 * Keyword arguments are checked like the named positions, and so is every value of the state a BUILD
 * gives an instance of such a class (its attributes are what its methods call later).
 */
import type { OpReader } from '../pickle/reader';
import { renderValue, type LazyText } from './render';
import type { MachineState } from './state';
import type { GlobalValue, Value } from './values';

/**
 * Builtins a policy allows as values (sort keys, callbacks) that are harmless to call on the values a
 * container holds: they run only the values' own arithmetic, length, comparison and hash methods,
 * which sorting those values runs anyway. `repr` and the rest are not here.
 */
export const PURE_BUILTINS: ReadonlySet<string> = new Set(['abs', 'len', 'min', 'max', 'sum', 'round', 'ord', 'chr', 'hash', 'id', 'sorted', 'reversed'].map((n) => `builtins.${n}`));

/** Checks what `target` is handed at its `callsArguments` positions of `args` and in `kwargs`. */
export function checkHandedArguments(m: MachineState, r: OpReader, target: GlobalValue, args: Value, kwargs: Value | undefined, pseudo: LazyText): void {
  const positions = target.callsArguments;
  if (!positions) return;
  if (args.k === 'tuple') {
    for (const i of positions) {
      const v = args.items[i];
      if (v) checkHanded(m, r, target, v, pseudo);
    }
  } else checkHanded(m, r, target, args, pseudo);
  if (kwargs) forEachValue(kwargs, (v) => checkHanded(m, r, target, v, pseudo));
}

/** Checks the state a BUILD gives an instance of `cls`, when `cls` calls what it is handed. */
export function checkHandedState(m: MachineState, r: OpReader, cls: GlobalValue, state: Value, pseudo: LazyText): void {
  if (!cls.callsArguments) return;
  // (dict_state, slot_state) or a dict or anything __setstate__ takes: every value it holds at the top
  const parts = state.k === 'tuple' && state.items.length === 2 ? state.items : [state];
  for (const part of parts) forEachValue(part, (v) => checkHanded(m, r, cls, v, pseudo));
}

function forEachValue(v: Value, f: (x: Value) => void): void {
  if (v.k === 'dict') for (const [, x] of v.entries) f(x);
  else if (v.k !== 'none') f(v);
}

function checkHanded(m: MachineState, r: OpReader, target: GlobalValue, v: Value, pseudo: LazyText): void {
  const at = { op: r.info.name, at: r.opPos, callee: target.resolved };
  const site = () => ({ offset: r.opPos, opcode: r.info.name, call: pseudo() });
  switch (v.k) {
    case 'global':
      if (v.denyCall) m.rec.add('DENIED_GLOBAL/handed-denied-call', site(), { ...at, handed: v.resolved, reason: v.denyCall });
      else if (v.referenceOnly && !PURE_BUILTINS.has(v.resolved)) m.rec.add('UNLISTED_GLOBAL/handed-reference', site(), { ...at, handed: v.resolved });
      return;
    case 'call':
    case 'persid':
    case 'buffer':
    case 'unknown':
      m.rec.add('UNLISTED_GLOBAL/handed-object', site(), { ...at, handed: renderValue(v) });
      return;
    default:
    // plain data: calling it raises TypeError, nothing runs
  }
}
