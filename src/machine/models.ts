/**
 * CPython's own reduce idioms, evaluated instead of being judged by their callee alone:
 *
 * - `builtins.getattr(obj, 'name')` with a constant name reads one attribute. On a module or class `G`
 *   it is the global `G.name`, imported and judged exactly like a protocol 4 dotted name (enum members,
 *   `zoneinfo.ZoneInfo._unpickle`, classmethods); on an instance of class `C` it is the bound method
 *   `C.name`, judged the same way, unless a BUILD may have put that name in its __dict__ (mayShadow).
 *   `getattr(C, '__new__')` is C's constructor. Any other use of getattr (a computed name, an object
 *   of unknown class, passing it around) is denied as before.
 *   On a module object read through an importing shim (`cython.cimports torch`, see resolve.ts) it
 *   is that module's name (`torch channels_last`); the module object is held like getattr itself:
 *   put anywhere but as getattr's first argument, it is a finding (state.ts settleModule).
 * - calling a `functools.partial` object calls its function with its arguments first (protocols 2
 *   and 3 pickle `__getnewargs_ex__` as `partial(C.__new__, C, *args, **kwargs)`).
 * - a persistent id `('module', cls, source_file, source)` (whole modules saved by legacy torch.save)
 *   is what torch's persistent_load returns: `cls` itself.
 */
import type { OpReader } from '../pickle/reader';
import { importGlobal } from './imports';
import type { MachineState } from './state';
import { classOf, type CallValue, type GlobalValue, type Value } from './values';

const PARTIALS: ReadonlySet<string> = new Set(['functools.partial', '_functools.partial']);

/** A `functools.partial` object built by the pickle: calling it calls what it wraps. */
export function isPartial(v: Value): v is CallValue {
  return v.k === 'call' && v.callee.k === 'global' && PARTIALS.has(v.callee.resolved);
}

/** `getattr(target, name)`: the attribute as a global judged by the policy, or null when it cannot be modeled. */
export function modelGetattr(m: MachineState, r: OpReader, args: Value): Value | null {
  if (args.k !== 'tuple' || (args.count !== 2 && args.count !== 3)) return null;
  const [target, attr] = args.items;
  if (!target || !attr || attr.k !== 'str' || !attr.v || attr.v.includes('.')) return null;
  // a module object read through a shim: its attribute is that module's name (a dunder is not one)
  if (target.k === 'global' && target.moduleOf) return attr.v.startsWith('__') ? null : importGlobal(m, r, target.moduleOf, attr.v);
  let owner: GlobalValue | null = null;
  if (target.k === 'global' && !target.held) owner = target.ctorOf ? null : target;
  else if (target.k === 'call' && !mayShadow(target, attr.v)) owner = classOf(target);
  if (!owner || owner.held) return null;
  if (attr.v === '__new__' && target.k === 'global') {
    return { k: 'global', module: owner.module, name: `${owner.name}.__new__`, resolved: `${owner.resolved}.__new__`, id: owner.id, ctorOf: owner };
  }
  return importGlobal(m, r, owner.module, `${owner.name}.${attr.v}`);
}

/** Instances a pickle BUILT more than once: their `state` is the last one, and an earlier one may have set any attribute. */
const rebuilt = new WeakSet<object>();

/** Notes a BUILD on an instance, before its state is replaced (ops/calls.ts doBuild). */
export function noteBuild(inst: CallValue): void {
  if (inst.state !== undefined) rebuilt.add(inst);
}

/** A dict (or None) whose keys are constant strings other than `attr`, all kept. */
const keysExclude = (d: Value | undefined, attr: string): boolean =>
  d !== undefined && (d.k === 'none' || (d.k === 'dict' && d.count === d.entries.length && d.entries.every(([k]) => k.k === 'str' && k.v !== null && k.v !== attr)));

/**
 * Could a BUILD have put `attr` in the instance's __dict__? getattr finds an instance attribute before
 * the class's method (a function is a non-data descriptor): the value would be whatever the pickle
 * put there, not the bound method the name says, and judging it by that name would let a value
 * through where its own class is judged (a callOnly class handed to a callable, an object whose bad
 * methods are judged where it goes). A dict state or a `(dict, slots)` pair whose constant keys do not
 * name it cannot (the classes whose methods policies allow as references store their state in
 * __dict__ under its own keys); a key the scan cannot read, another state or a second BUILD can.
 */
function mayShadow(inst: CallValue, attr: string): boolean {
  const state = inst.state;
  if (state === undefined) return false;
  if (rebuilt.has(inst)) return true;
  if (state.k === 'dict') return !keysExclude(state, attr);
  return !(state.k === 'tuple' && state.count === 2 && state.items.length === 2 && keysExclude(state.items[0], attr) && keysExclude(state.items[1], attr));
}

/** A call of a `functools.partial` object: its function and the arguments it would really get, or null. */
export function partialCall(callee: CallValue, args: Value, kwargs: Value | undefined): { fn: Value; args: Value[]; kwargs?: Value } | null {
  if (callee.callee.k !== 'global' || !PARTIALS.has(callee.callee.resolved)) return null;
  if (args.k !== 'tuple' || args.count !== args.items.length) return null;
  // REDUCE partial(fn) then BUILD (fn, args, kwargs, dict); or REDUCE partial(fn, *args)
  const state = callee.state;
  let fn: Value | undefined;
  let bound: Value[];
  let kw: Value | undefined;
  if (state && state.k === 'tuple' && state.count === 4) {
    const [f, a, k] = state.items;
    if (!f || !a || a.k !== 'tuple' || a.count !== a.items.length) return null;
    fn = f;
    bound = a.items;
    kw = k && k.k !== 'none' ? k : undefined;
  } else if (!state && callee.args.k === 'tuple' && callee.args.count === callee.args.items.length) {
    [fn, ...bound] = callee.args.items;
  } else return null;
  if (!fn || (kw && kwargs)) return null;
  const all = kw ?? kwargs;
  return { fn, args: [...bound, ...args.items], ...(all ? { kwargs: all } : {}) };
}

/** What a persistent id refers to, when the machine knows: legacy torch's `('module', cls, ...)` is `cls`. */
export function persistentTarget(pid: Value): GlobalValue | null {
  if (pid.k !== 'tuple' || pid.count < 2) return null;
  const [tag, cls] = pid.items;
  return tag && tag.k === 'str' && tag.v === 'module' && cls && cls.k === 'global' && !cls.held ? cls : null;
}
