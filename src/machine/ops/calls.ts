/**
 * Opcodes that call or set state: REDUCE, NEWOBJ(_EX), OBJ (and INST, via doCall), BUILD; persistent
 * references and out-of-band buffers. Every call is recorded as pseudo-Python the moment it happens;
 * what flows into it is followed (constant folding, pickles hidden in strings).
 */
import { bytesToLatin1 } from '../../pickle/args';
import type { OpReader } from '../../pickle/reader';
import type { CallKind } from '../../report/report';
import { catalogueJudgement, NEW_ONLY_REBUILDERS } from '../../names/catalogue/judge';
import type { StoringBuild } from '../../names/catalogue/verdict';
import { buildGuard, buildGuarded, callCost, reviewedCall } from '../costs';
import { factoryBuildGuard } from '../numpy-dtype';
import { ignoredClassArgument } from '../pint';
import { foldCall } from '../fold';
import { isPartial, modelGetattr, noteBuild, partialCall, persistentTarget } from '../models';
import { checkHandedArguments, checkHandedState } from '../handed';
import { findNestedPickles, looksLikeNestedPickle, mayHoldNested } from '../nested';
import type { Recorder } from '../recorder';
import { KEEPERS, vouchedCall } from '../pendulum';
import { lazyText, renderCall, renderNew, renderValue, type LazyText } from '../render';
import type { MachineState } from '../state';
import { ARRAY_FINALIZE_READ } from '../astropy';
import { NUMPY_RECONSTRUCT, classOf, isHot, originGlobal, type CallValue, type GlobalValue, type Value } from '../values';
import { noKeywords } from '../guarded-call';
import type { Handlers } from './handler';

/** True for values that are plain data (never made by importing or calling). */
export function isConst(v: Value): boolean {
  return v.k !== 'call' && v.k !== 'global' && v.k !== 'unknown' && v.k !== 'persid' && v.k !== 'buffer';
}

export function describeOperand(v: Value): string {
  return `${v.k === 'call' ? 'the result of ' : v.k === 'global' ? 'global ' : ''}${renderValue(v)}`;
}

/** Where a pickle's calls may lead before the machine stops following partial objects. */
const MAX_PARTIAL_DEPTH = 8;

export function doCall(m: MachineState, r: OpReader, callee: Value, args: Value, kind: CallKind, kwargs?: Value, depth = 0): void {
  if (callee.k === 'call' && depth < MAX_PARTIAL_DEPTH) {
    const p = partialCall(callee, args, kwargs);
    if (p) return doCall(m, r, p.fn, { k: 'tuple', items: m.keep(r, p.args), count: p.args.length, d: 0, w: 0, h: p.args.some(isHot) }, kind, p.kwargs, depth + 1);
  }
  switch (callee.k) {
    case 'global':
      break;
    case 'unknown':
      m.note(r, 'UNRESOLVED_CALL/call-of-unresolved', { callee: renderValue(callee) }, { call: renderCall(callee, args, 0, kwargs) });
      break;
    case 'call':
    case 'persid':
      m.note(r, 'CALL_ON_CALL_RESULT/call-of-call', { callee: callee.k === 'call' ? renderValue(callee) : 'persistent_load' }, { call: renderCall(callee, args, 0, kwargs) });
      break;
    default:
      m.halt(r, 'MALFORMED/not-callable', { what: describeOperand(callee) });
  }
  if (isConst(args) && args.k !== 'tuple' && kind !== 'newobj_ex') m.halt(r, 'MALFORMED/args-not-tuple', { kind: args.k });
  for (const v of kwargs ? [args, kwargs] : [args]) if (v.k === 'global' && v.held) m.releaseHeld(v, 'given as the arguments of a call');
  const pseudo = lazyText(() => (kind === 'newobj' || kind === 'newobj_ex' ? renderNew(callee, args, kwargs) : renderCall(callee, args, 0, kwargs)));
  m.rec.call(r.opPos, r.info.name, kind, callee.k === 'global' ? callee.resolved : `<${callee.k}>`, pseudo);
  for (const h of m.hooks) h.call?.(r, callee, args);

  let result: Value | null = null;
  // objects a reviewed callee was given that its result keeps (see handedInstance)
  let held: Value[] | undefined;
  if (callee.k === 'global') {
    if (callee.held) {
      // getattr is modeled; a module object called is not
      result = callee.moduleOf ? null : modelGetattr(m, r, args);
      if (!result) m.releaseHeld(callee, `called with ${describeArgs(args)}`);
      else m.takeModuleArgs(args);
    } else held = judgeCall(m, r, callee, args, pseudo, kind, kwargs);
    if (!result && m.foldAllowed(r)) {
      result = foldCall(callee.resolved, args, m.bytesOf);
      // folding copies bytes; the budget keeps a memoized string fed to a million calls linear
      if (result) m.foldUsed += result.k === 'bytes' ? result.end - result.start : result.len;
    }
    if (callee.resolved === 'copyreg.add_extension' && args.k === 'tuple') {
      const [mod, name, code] = args.items;
      if (mod?.k === 'str' && name?.k === 'str' && code?.k === 'int' && mod.v && name.v && code.v !== null) m.extensions.set(Number(code.v), [mod.v, name.v]);
    }
  }
  checkNested(m, r, args, pseudo);
  if (kwargs) checkNested(m, r, kwargs, pseudo);
  if (result) {
    // a folded or modeled result keeps nothing: what a reviewed callee was given is judged here
    if (held) for (const it of held) handedInstance(m, r, it, callee.k === 'global' ? callee.resolved : 'a call', pseudo);
    m.stack.push(result);
    return;
  }
  // every field set here, so that every call value has one shape (the hot paths read them all)
  const call: CallValue = { k: 'call', callee, args, kwargs, id: m.callSeq++, at: r.opPos + m.opts.baseOffset, d: 0, w: 0, state: undefined, stateAt: undefined, stored: undefined, handed: false };
  if (held) for (const it of held) holdIn(m, r, call, it);
  m.stack.push(m.measure(r, call, kwargs ? [callee, args, kwargs] : [callee, args]));
}

/** copyreg's _reconstructor(cls, base, state): rebuilds cls with base.__new__ and base.__init__. */
const RECONSTRUCTORS: ReadonlySet<string> = new Set(['copyreg._reconstructor', 'copy_reg._reconstructor']);
/**
 * copyreg's rebuilders, whose first argument is the class they rebuild without calling it, and
 * functools.partial, whose call the machine models as a call of its first argument.
 */
const REBUILDERS: ReadonlySet<string> = new Set([...RECONSTRUCTORS, 'copyreg.__newobj__', 'copyreg.__newobj_ex__', 'functools.partial', '_functools.partial']);
/**
 * A class accepted because only its __init__ reaches a sink (`callVerdict`) is safe where pickle
 * rebuilds it, not where it is handed to a callable that may call it (pandas' `_new_Index(cls, d)`
 * does `cls(**d)`): anywhere in a call's arguments but the class position of copyreg's rebuilders
 * and of partial (whose call is judged as the class's), and _reconstructor's base (which initRun
 * judges), it is judged by its __init__'s verdict; so is a partial of it handed over.
 */
function passedClasses(m: MachineState, r: OpReader, callee: GlobalValue, args: Value, kwargs: Value | undefined, pseudo: LazyText): Value[] | undefined {
  const rebuilder = REBUILDERS.has(callee.resolved);
  const reconstructor = RECONSTRUCTORS.has(callee.resolved);
  const inert = keepsArguments(callee.resolved);
  // a reviewed reconstructor that only rebuilds these classes with __new__ (catalogue NEW_ONLY_REBUILDERS)
  const rebuilds = NEW_ONLY_REBUILDERS.get(callee.resolved);
  let seen: Set<Value> | undefined;
  // a callee reviewed not to run an instance's failing methods: its result keeps the instance (made on first use)
  let receiver: Receiver | undefined;
  // objects: judge objects too (false for what a container built by a call holds: handedInstance
  // judges those objects through storedInstances)
  const visit = (v: Value, position: number, objects = true): void => {
    switch (v.k) {
      case 'global': {
        if ((rebuilder && position === 0) || (reconstructor && position === 1)) return;
        if (position === 0 && rebuilds?.has(v.resolved)) return;
        // C.__new__(C, ...) rebuilds C as copyreg.__newobj__(C, ...) does; for a guarded class the guard checks the call
        // (and, for a class with a guarded BUILD, costs.ts ownConstructor that it is called on C itself)
        if (position === 0 && (v.guardedArgs || v.guardedSetstate) && callee.ctorOf?.resolved === v.resolved) return;
        // numpy's _reconstruct(C, ...) rebuilds C without its __new__ for a class whose __array_finalize__(None) was read (astropy.ts)
        if (position === 0 && v.guardedSetstate && ARRAY_FINALIZE_READ.has(v.guardedSetstate) && NUMPY_RECONSTRUCT.has(callee.resolved)) return;
        // pint's _unpickle_*(cls, ...) ignores the class pint writes there (pint.ts)
        if (position === 0 && ignoredClassArgument(callee, v)) return;
        // one finding per class and call site, however often the arguments hold it
        if (!m.firstReport(v, r.opPos)) return;
        const at = { op: r.info.name, at: r.opPos, cls: v.resolved, callee: callee.resolved };
        // the callee may make one and call its methods: the worst of what the catalogue judged
        const verdict = worstVerdict(v);
        if (verdict) {
          const rule = verdict.gadget ? 'DENIED_GLOBAL/gadget-passed' : 'UNLISTED_GLOBAL/unverified-passed';
          m.rec.add(rule, { offset: r.opPos, opcode: r.info.name, call: pseudo() }, { ...at, reason: verdict.reason });
        } else if (v.catalogueVeto) {
          // a wildcard-allowed name handed over may be a gadget function the callee calls
          const veto = catalogueJudgement(v.catalogueVeto[0], v.catalogueVeto[1], false);
          if (veto?.decision === 'deny') m.rec.add('DENIED_GLOBAL/gadget-passed', { offset: r.opPos, opcode: r.info.name, call: pseudo() }, { ...at, reason: veto.reason });
        }
        return;
      }
      case 'tuple':
      case 'list':
      case 'set':
        if (m.walkInto(r, v, (seen ??= new Set()), objects && !inert ? 0 : 1)) for (const x of v.items) visit(x, -1, objects);
        return;
      case 'dict':
        if (!m.walkInto(r, v, (seen ??= new Set()), objects && !inert ? 0 : 1)) return;
        for (const [k, x] of v.entries) {
          visit(k, -1, objects);
          visit(x, -1, objects);
        }
        return;
      case 'call': {
        const held = v.callee.k === 'global' && keepsArguments(v.callee.resolved) ? v.stored : undefined;
        // a partial handed over is a callable too: what it wraps is called with it
        if (isPartial(v)) {
          visit(v.args, -1, objects);
          if (v.kwargs) visit(v.kwargs, -1, objects);
          if (v.state) visit(v.state, -1, objects);
          return;
        }
        // a container built by a call and filled by SETITEM, APPEND...: what it holds goes with it
        if (held && !(seen ??= new Set()).has(v)) {
          seen.add(v);
          visit(held, -1, false);
        }
        if (!objects) return;
        // an object whose methods are judged where they run: the callee may run them (what the
        // object stored is walked with a set of its own: this walk's `seen` must not hide classes)
        if (!inert) handedInstance(m, r, v, callee.resolved, pseudo, undefined, undefined, (receiver ??= { kind: 'call', name: callee.resolved }));
        // list(obj), dict(obj)... iterate it: its own code may reach what its BUILD stored
        else if (position >= 0) storedInstances(m, r, v, callee.resolved, pseudo, new Set());
        return;
      }
      default:
    }
  };
  // _reconstructor(cls, base, state) with a base other than object runs base.__init__(obj, state),
  // which may call the new object's own methods (OrderedDict's fills it with obj[key] = value)
  if (reconstructor && args.k === 'tuple') {
    const [cls, base] = args.items;
    if (cls?.k === 'global' && cls.methodVerdicts && !(base?.k === 'global' && base.resolved === 'builtins.object')) {
      const verdict = worstVerdict(cls)!;
      m.rec.add(verdict.gadget ? 'DENIED_GLOBAL/gadget-passed' : 'UNLISTED_GLOBAL/unverified-passed', { offset: r.opPos, opcode: r.info.name, call: pseudo() }, { op: r.info.name, at: r.opPos, cls: cls.resolved, callee: callee.resolved, reason: verdict.reason });
    }
  }
  if (args.k === 'tuple') args.items.forEach((x, i) => visit(x, i));
  else visit(args, -1);
  if (kwargs) visit(kwargs, -1);
  return receiver?.pending;
}

/** Callables that store what they are given without calling its methods (containers built from items); their instances' item methods store too. */
export const INERT_CALLEES: ReadonlySet<string> = new Set(['builtins.list', 'builtins.tuple', 'builtins.set', 'builtins.frozenset', 'builtins.dict', 'collections.OrderedDict', 'collections.deque']);

/**
 * Callables that keep what they are given and call none of the methods the catalogue judges where
 * the unpickler runs them (append, extend, add, __setitem__) on it: the INERT_CALLEES, and reviewed
 * library constructors (pendulum's Interval and Period, src/machine/pendulum.ts). What they were
 * made from is judged wherever the object they make is handed on, as for a list built from items.
 */
function keepsArguments(resolved: string): boolean {
  return INERT_CALLEES.has(resolved) || KEEPERS.has(resolved);
}

/**
 * An object the pickle built, of a class admitted because its bad methods (`__setitem__`, `append`...)
 * are judged where the pickle calls them, given to library code that may call them itself (a call's
 * arguments, the state a __setstate__ receives): judged by the worst of them. So is what a reviewed
 * receiver's BUILD stored in it unjudged (storedInstances): that code may reach it through the object.
 */
export function handedInstance(m: MachineState, r: OpReader, v: Value, to: string, pseudo: LazyText, seen?: Set<Value>, storedIn?: string, receiver?: Receiver): void {
  const cls = classOf(v);
  // the object exists already: what its methods reach is what matters, not calling its class
  const verdict = cls?.methodVerdicts ? worseOf(undefined, cls.methodVerdicts) : undefined;
  if (verdict && v.k === 'call' && receiver && reviewedReceiver(cls!, receiver)) {
    // library code read not to run its failing methods keeps it: judged wherever that goes next
    if (receiver.holder) {
      if (!holds(receiver.holder, v)) holdIn(m, r, receiver.holder, v);
    } else (receiver.pending ??= []).push(v);
  } else if (verdict && m.firstReport(cls!, r.opPos)) {
    // one finding per class and call site (or BUILD), however many of its objects are handed there
    const what = `a ${cls!.resolved} the pickle built${storedIn ? ` and stored in a ${storedIn}` : ''}`;
    m.rec.add(verdict.gadget ? 'DENIED_GLOBAL/gadget-passed' : 'UNLISTED_GLOBAL/unverified-passed', { offset: r.opPos, opcode: r.info.name, call: pseudo() }, { op: r.info.name, at: r.opPos, cls: what, callee: to, reason: verdict.reason });
  }
  if (v.k !== 'call') return;
  v.handed = true;
  if (v.stored || (v.callee.k === 'global' && keepsArguments(v.callee.resolved))) storedInstances(m, r, v, to, pseudo, seen ?? new Set(), receiver);
}

/**
 * Where library code gets an object: a call of `name` (whose result keeps the objects a reviewed
 * callee was given: `pending`, held by doCall) or the BUILD of an instance of class `name` (`holder`).
 */
export interface Receiver {
  readonly kind: 'call' | 'build';
  readonly name: string;
  readonly holder?: CallValue;
  pending?: Value[];
}

/**
 * Is `receiver` library code a reviewer read not to run `cls`'s failing methods (catalogue
 * REVIEWED_ENTRIES `receivers`)? A BUILD target that library code was given before may be reached
 * through that code later: not reviewed.
 */
function reviewedReceiver(cls: GlobalValue, receiver: Receiver): boolean {
  const r = cls.receivers;
  if (!r || receiver.holder?.handed) return false;
  return (receiver.kind === 'call' ? r.calls : r.builds).includes(receiver.name);
}

/**
 * What `v` holds that was not judged when it got there (CallValue.stored: what a reviewed receiver's
 * BUILD stored, what a container builder was made from or was given by SETITEM, APPEND...), judged
 * now that code may reach it through `v`: `v` given to library code, a BUILD on a receiver that is
 * not a plain store, or the pickle calling `v`'s __setitem__, append... (containers.ts).
 */
export function storedInstances(m: MachineState, r: OpReader, v: Value, to: string, pseudo: LazyText, seen: Set<Value>, receiver?: Receiver): void {
  if (v.k !== 'call' || seen.has(v)) return;
  // list(items), OrderedDict(pairs), a pendulum Interval...: what they were made from is held, not handed
  const built = v.callee.k === 'global' && keepsArguments(v.callee.resolved);
  if (!v.stored && !built) return;
  seen.add(v);
  const into = classOf(v)?.resolved ?? 'object';
  if (built) {
    handedValues(m, r, v.args, to, pseudo, seen, into, receiver);
    if (v.kwargs) handedValues(m, r, v.kwargs, to, pseudo, seen, into, receiver);
  }
  if (v.stored) handedValues(m, r, v.stored, to, pseudo, seen, into, receiver);
}

/** What holdIn gave each object: a lookup instead of a walk of its kept items (many objects handed to one receiver). */
const heldBy = new WeakMap<CallValue, WeakSet<Value>>();

/** Did holdIn give `it` to `v` already? */
function holds(v: CallValue, it: Value): boolean {
  return heldBy.get(v)?.has(it) === true;
}

/** Adds `it` to what `v` holds unjudged (CallValue.stored), kept and marked as a list's item is. */
export function holdIn(m: MachineState, r: OpReader, v: CallValue, it: Value): void {
  const held = (v.stored ??= { k: 'list', items: [], count: 0, d: 0, w: 0, h: false, s: false });
  held.count++;
  let given = heldBy.get(v);
  if (!given) heldBy.set(v, (given = new WeakSet()));
  given.add(it);
  // the object may sit in containers already walked: walks through them may see something new
  m.walkEpoch++;
  if ((it.k === 'list' || it.k === 'dict' || (it.k === 'set' && !it.frozen)) && !it.s) it.s = true;
  if (isHot(it)) held.h = true;
  m.keepInto(r, held.items, it);
}

/** The objects in a value (through tuples, lists, sets and dicts) given to library code: see handedInstance. */
export function handedValues(m: MachineState, r: OpReader, root: Value, to: string, pseudo: LazyText, seen: Set<Value>, storedIn?: string, receiver?: Receiver): void {
  const visit = (v: Value): void => {
    switch (v.k) {
      case 'tuple':
      case 'list':
      case 'set':
        if (m.walkInto(r, v, seen, 3)) for (const x of v.items) visit(x);
        return;
      case 'dict':
        if (!m.walkInto(r, v, seen, 3)) return;
        for (const [k, x] of v.entries) {
          visit(k);
          visit(x);
        }
        return;
      case 'call':
        handedInstance(m, r, v, to, pseudo, seen, storedIn, receiver);
        return;
      default:
    }
  };
  visit(root);
}

/**
 * Does a BUILD state set an instance attribute `__setstate__` to something callable? The unpickler
 * looks `__setstate__` up on the object (`getattr(inst, '__setstate__')`), where an instance
 * __dict__ entry beats a method of the class: a second BUILD of the same object calls it. A key the
 * scan cannot read (made by a call) may spell it too.
 */
function setsSetstate(state: Value): boolean {
  const spells = (k: Value) => (k.k === 'str' && k.v === '__setstate__') || k.k === 'call' || k.k === 'unknown' || k.k === 'persid';
  const sets = (d: Value | undefined) => d?.k === 'dict' && d.entries.some(([k, x]) => !isConst(x) && spells(k));
  if (state.k === 'dict') return sets(state);
  return state.k === 'tuple' && state.count === 2 && (sets(state.items[0]) || sets(state.items[1]));
}

/** A constant string key, not a dunder one (a `__setstate__` entry in __dict__ is what a later BUILD calls). */
const plainName = (k: Value): k is Value & { k: 'str'; v: string } => k.k === 'str' && k.v !== null && !(k.v.startsWith('__') && k.v.endsWith('__'));

/**
 * Does a BUILD with this state on a reviewed receiver only store the state's values, as the review
 * found (STORING_BUILD)? A dict state into a plain __dict__, and for pickle's default BUILD a
 * `(dict or None, slots)` pair whose slots half names only reviewed slots, all under constant
 * string keys. A dunder key is allowed only with a value that holds no object.
 */
function storesOnly(b: StoringBuild, state: Value): boolean {
  const dictPart = (d: Value) => d.k === 'dict' && b.dict && d.entries.every(([k, x]) => k.k === 'str' && k.v !== null && (plainName(k) || !isHot(x)));
  if (state.k === 'dict') return dictPart(state);
  if (b.setstate !== 'default' || state.k !== 'tuple' || state.count !== 2) return false;
  const [d, slots] = state.items as [Value, Value];
  // every key of the slots half must be seen: an unkept one may name a property, whose setter runs
  return (d.k === 'none' || dictPart(d)) && slots.k === 'dict' && slots.count === slots.entries.length && slots.entries.every(([k]) => plainName(k) && b.slots.includes(k.v));
}

/**
 * Objects in a BUILD state whose bad methods the object's __setstate__ may call (see handedInstance).
 * A reviewed receiver's BUILD that only stores them leaves them for later (CallValue.stored), unless
 * the object was given to library code before; any other BUILD on it runs its own code (a property
 * setter), which may reach what it stored before.
 */
function stateInstances(m: MachineState, r: OpReader, inst: CallValue, cls: GlobalValue | null, state: Value, to: string, pseudo: LazyText): void {
  // most states hold no object at all, on objects that hold nothing: nothing to walk, nothing to allocate
  if (!cls?.storingBuild && !inst.stored && !m.lateHot && !isHot(state)) return;
  const seen = new Set<Value>();
  // library code read not to run the failing methods of some classes keeps their objects in the instance
  const receiver: Receiver | undefined = cls ? { kind: 'build', name: cls.resolved, holder: inst } : undefined;
  if (cls?.storingBuild) {
    // given to library code before, the object may be kept there and its code run again later
    if (!inst.handed && storesOnly(cls.storingBuild, state)) {
      holdIn(m, r, inst, state);
      return;
    }
    storedInstances(m, r, inst, to, pseudo, seen);
  } else if (inst.stored && !(inst.callee.k === 'global' && INERT_CALLEES.has(inst.callee.resolved))) {
    // what a reviewed callee's result keeps: this BUILD runs the object's own code, which may reach it
    storedInstances(m, r, inst, to, pseudo, seen, receiver);
  }
  handedValues(m, r, state, to, pseudo, seen, undefined, receiver);
}

/** The worst of a class's call and method verdicts (a gadget before an unverified entry), if any. */
function worstVerdict(v: GlobalValue): { gadget: boolean; reason: string } | undefined {
  let worst = v.callVerdict;
  const guardedArgs = v.guardedArgs ?? v.ctorOf?.guardedArgs;
  if (!worst && guardedArgs) worst = { gadget: true, reason: `${guardedArgs.name} is admitted only with arguments a reviewed guard has checked; a callable it is handed to may call it with any` };
  if (!worst && v.guardedSetstate) worst = { gadget: false, reason: 'its __setstate__ is admitted only with a state a guard has checked; a callable it is handed to may give it any state' };
  return worseOf(worst, v.methodVerdicts);
}

type Verdict = { gadget: boolean; reason: string };

/** `worst`, or the first gadget among `more` when it is no gadget, or the first of `more` when there is none. */
function worseOf(worst: Verdict | undefined, more: Readonly<Partial<Record<string, Verdict>>> | undefined): Verdict | undefined {
  if (more) for (const x of Object.values(more)) if (x && (!worst || (x.gadget && !worst.gadget))) worst = x;
  return worst;
}

/**
 * The class whose __init__ this call runs, if any: calling a class (REDUCE, and INST or OBJ, which
 * call it whenever they have arguments or it defines __getinitargs__), or copyreg's _reconstructor
 * with it as the base (`base.__init__(obj, state)`). NEWOBJ and copyreg.__newobj__ run __new__ only.
 */
function initRun(callee: GlobalValue, args: Value, kind: CallKind): GlobalValue | null {
  if (kind === 'reduce' || kind === 'inst' || kind === 'obj') {
    if (RECONSTRUCTORS.has(callee.resolved)) {
      const base = args.k === 'tuple' ? args.items[1] : undefined;
      return base && base.k === 'global' ? base : null;
    }
    return callee;
  }
  return null;
}

/** What the policy says about calling this global, beyond importing it: value-only entries, call denials, cost rules. */
function judgeCall(m: MachineState, r: OpReader, callee: GlobalValue, args: Value, pseudo: LazyText, kind: CallKind, kwargs?: Value): Value[] | undefined {
  const at = { op: r.info.name, at: r.opPos };
  // NEWOBJ needs a class (cls.__new__): only a call can run a gadget function
  if (callee.catalogueVeto && (kind === 'reduce' || kind === 'inst' || kind === 'obj')) {
    const veto = catalogueJudgement(callee.catalogueVeto[0], callee.catalogueVeto[1], false);
    if (veto?.decision === 'deny') m.rec.add('DENIED_GLOBAL/denied-call', { offset: r.opPos, opcode: r.info.name, call: pseudo() }, { ...at, callee: callee.resolved, reason: veto.reason });
  }
  const held = passedClasses(m, r, callee, args, kwargs, pseudo);
  const inits = initRun(callee, args, kind);
  // what the callee calls of its arguments (a class's __init__ runs only on a call, not on NEWOBJ)
  if (inits === callee) checkHandedArguments(m, r, callee, args, kwargs, pseudo);
  else if (inits?.callsArguments) checkHandedState(m, r, inits, args.k === 'tuple' ? (args.items[2] ?? args) : args, pseudo);
  // a call with no argument at all, which a reviewer read to reach nothing (shapely 1.8's `Polygon()`),
  // or one whose arguments a reviewed guard vouches for (pendulum's Interval of two of its datetimes)
  const readEmpty = inits === callee && callee.callVerdict?.emptyCall !== undefined && noArguments(args, kwargs);
  if (inits?.callVerdict && !readEmpty && !(inits === callee && vouchedCall(callee, args, kwargs))) {
    const rule = inits.callVerdict.gadget ? 'DENIED_GLOBAL/gadget-call' : 'UNLISTED_GLOBAL/unverified-call';
    m.rec.add(rule, { offset: r.opPos, opcode: r.info.name, call: pseudo() }, { ...at, callee: inits.resolved, reason: inits.callVerdict.reason });
  }
  if (callee.referenceOnly) m.rec.add('UNLISTED_GLOBAL/called-reference', { offset: r.opPos, opcode: r.info.name, call: pseudo() }, { ...at, callee: callee.resolved, reason: m.policy.judge(callee.module, callee.name, m.proto).reason ?? '' });
  if (callee.denyCall) m.rec.add('DENIED_GLOBAL/denied-call', { offset: r.opPos, opcode: r.info.name, call: pseudo() }, { ...at, callee: callee.resolved, reason: callee.denyCall });
  const cost = callCost(callee, args, m.limits, kwargs);
  if (cost) m.rec.add(cost.rule, { offset: r.opPos, opcode: r.info.name, call: pseudo() }, { ...at, call: pseudo(), ...cost.args } as never);
  else {
    // what a reviewed guard accepted is checked again at the end if the pickle changes it (MachineState.watchAccepted)
    if (reviewedCall(callee, args) !== undefined) {
      const limits = m.limits;
      m.watchAccepted(kwargs ? [args, kwargs] : [args], { opcode: r.info.name, at: r.opPos, call: pseudo, recheck: () => callCost(callee, args, limits, kwargs) });
    }
  }
  return held;
}

/** An empty argument tuple and no keyword argument (or an empty dict of them). */
function noArguments(args: Value, kwargs: Value | undefined): boolean {
  return args.k === 'tuple' && args.count === 0 && noKeywords(kwargs);
}

function describeArgs(args: Value): string {
  return args.k === 'tuple' ? `(${args.items.slice(0, 3).map((x) => describeOperand(x)).join(', ')})` : describeOperand(args);
}

function doBuild(m: MachineState, r: OpReader, inst: Value, state: Value): void {
  for (const v of [inst, state]) if (v.k === 'global' && v.held) m.releaseHeld(v, 'used as object state');
  const pseudo = lazyText(() => `${renderValue(inst)}.__setstate__(${renderValue(state)})`);
  switch (inst.k) {
    case 'global':
      m.rec.add('BUILD_ON_NON_INSTANCE/build-on-global', { offset: r.opPos, opcode: 'BUILD', call: `${inst.resolved}.__setstate__(${renderValue(state)})` }, { at: r.opPos, target: inst.resolved });
      break;
    case 'persid':
    case 'buffer':
      m.rec.add('BUILD_ON_NON_INSTANCE/build-on-reference', { offset: r.opPos, opcode: 'BUILD' }, { at: r.opPos, what: inst.k === 'persid' ? 'persistent reference' : 'buffer' });
      break;
    case 'call': {
      // a partial's state is part of what walks through it look at (passedClasses)
      if (isPartial(inst)) m.walkEpoch++;
      noteBuild(inst);
      m.changing(inst);
      const rebuilt = inst.state !== undefined;
      inst.state = state;
      inst.stateAt = r.opPos + m.opts.baseOffset;
      const cls = classOf(inst);
      if (cls) checkHandedState(m, r, cls, state, pseudo);
      stateInstances(m, r, inst, cls, state, `the BUILD of ${originGlobal(inst)?.resolved ?? 'an object'} (its __setstate__ or __setattr__)`, pseudo);
      if (setsSetstate(state))
        m.rec.add('DENIED_GLOBAL/unsafe-call', { offset: r.opPos, opcode: 'BUILD', call: pseudo() }, { op: 'BUILD', at: r.opPos, call: pseudo(), why: 'the state gives the object an attribute __setstate__ (or one under a name the scan cannot read), which a later BUILD of it calls with its state' });
      const guard = (cls ? buildGuard(cls, state, { hotKnown: !m.lateHot, loads: (v) => nestedLoads(m, r, v, pseudo), target: inst, rebuilt, limits: m.limits }) : null) ?? factoryBuildGuard(inst);
      if (guard) m.rec.add(guard.rule, { offset: r.opPos, opcode: 'BUILD' }, { op: 'BUILD', at: r.opPos, call: cls ? `${cls.resolved}.__setstate__(${renderValue(state)})` : pseudo(), ...guard.args } as never);
      else if (cls && buildGuarded(cls)) {
        const ctx = { hotKnown: !m.lateHot, loads: (v: Value) => nestedLoads(m, r, v, pseudo), target: inst, rebuilt, limits: m.limits };
        m.watchAccepted([state], { opcode: 'BUILD', at: r.opPos, call: pseudo, recheck: () => buildGuard(cls, state, ctx) });
      }
      break;
    }
    case 'unknown':
      break;
    default:
      m.halt(r, 'MALFORMED/cannot-build', { what: describeOperand(inst) });
  }
  m.rec.call(r.opPos, 'BUILD', 'build', originGlobal(inst)?.resolved ?? `<${inst.k}>`, pseudo);
  let action = null;
  for (const h of m.hooks) action = h.build?.(r, inst, state) ?? action;
  checkNested(m, r, state, pseudo);
  if (action) m.applyStreamAction(r, action);
}

const site = (call: LazyText) => ({ call: call() });

/** Strings flowing into a call that are themselves pickles get scanned too. */
export function checkNested(m: MachineState, r: OpReader, v: Value, pseudo: LazyText): void {
  if (m.opts.depth >= m.limits.maxNestedPickleDepth) return;
  // most calls get a few numbers and short strings: nothing to look at, and no need to remember them
  if (!mayHoldNested(v)) return;
  // each value is looked at once, however often the memo hands it to a call
  if (m.nestedChecked.has(v)) return;
  m.nestedChecked.add(v);
  for (const candidate of findNestedPickles(v, m.bytesOf)) {
    const blob = candidate.length <= m.limits.maxNestedPickleBytes ? candidate.bytes() : null;
    if (!blob) {
      m.note(r, 'NESTED_PICKLE_UNVERIFIED/nested-too-large', { bytes: candidate.length, max: m.limits.maxNestedPickleBytes }, site(pseudo));
      continue;
    }
    reportNested(m, r, m.nested(blob).rec, blob.length, pseudo);
  }
}

/** What a nested pickle's run found, reported where the string holding it flows. */
function reportNested(m: MachineState, r: OpReader, inner: Recorder, bytes: number, pseudo: LazyText): void {
  const bad = inner.findings.filter((f) => f.severity !== 'info');
  const imports = inner.globals;
  if (imports.length === 0 && inner.callCount === 0) return; // just data that happens to look like a pickle
  if (bad.some((f) => f.severity === 'dangerous')) {
    const denied = [...new Set(imports.filter((g) => g.decision === 'deny').map((g) => g.resolved))];
    const inside = denied.length ? `imports ${denied.join(', ')}` : bad.find((f) => f.severity === 'dangerous')!.message;
    m.note(r, 'NESTED_PICKLE/nested-dangerous', { bytes, inside }, site(pseudo));
  } else if (bad.length) {
    const names = [...new Set(imports.map((g) => g.resolved))].slice(0, 8).join(', ');
    m.note(r, 'NESTED_PICKLE_UNVERIFIED/nested-unverified', { bytes, code: bad[0]!.code, why: bad[0]!.message, imports: names || 'nothing' }, site(pseudo));
  }
}

/**
 * What `pickle.loads(v)` returns, for a library's __setstate__ that loads its state (a BUILD guard
 * asks, costs.ts BuildContext): the bytes `v` run as a nested pickle of this input, its findings
 * reported as checkNested's (which then skips `v`), and the value its first pickle returns, kept for
 * the next BUILD given the same value. Null when it cannot be run: nested too deep, larger than
 * maxNestedPickleBytes, not kept, not starting like a pickle, or halted before its STOP.
 */
function nestedLoads(m: MachineState, r: OpReader, v: Value, pseudo: LazyText): Value | null {
  if (v.k !== 'bytes' || m.opts.depth >= m.limits.maxNestedPickleDepth || v.end - v.start > m.limits.maxNestedPickleBytes) return null;
  // the same bytes (a memo entry) handed to several BUILDs: run once, reported once (checkNested may
  // have searched them already, but it reads only their head: what it found is not taken for granted)
  const known = m.nestedLoaded.get(v);
  if (known !== undefined) return known;
  const blob = m.bytesOf(v, Infinity);
  if (!blob || !looksLikeNestedPickle(blob)) return null;
  m.nestedChecked.add(v);
  const inner = m.nested(blob);
  reportNested(m, r, inner.rec, blob.length, pseudo);
  const first = inner.pickles[0];
  const loaded = first?.complete ? (inner.results[0] ?? null) : null;
  m.nestedLoaded.set(v, loaded);
  return loaded;
}

function persistent(m: MachineState, r: OpReader, pid: Value): void {
  if (pid.k === 'global' && pid.held) m.releaseHeld(pid, 'given to persistent_load');
  if (m.policy.spec.persistentIds === 'reject') m.note(r, 'PERSISTENT_ID/persistent-id', { pid: renderValue(pid) });
  m.stack.push(persistentTarget(pid) ?? { k: 'persid', pid });
}

export const CALL_OPS: Handlers<'REDUCE' | 'NEWOBJ' | 'NEWOBJ_EX' | 'OBJ' | 'BUILD' | 'PERSID' | 'BINPERSID' | 'NEXT_BUFFER' | 'READONLY_BUFFER'> = {
  REDUCE(m, r) {
    const args = m.pop(r);
    doCall(m, r, m.pop(r), args, 'reduce');
  },
  NEWOBJ(m, r) {
    const args = m.pop(r);
    doCall(m, r, m.pop(r), args, 'newobj');
  },
  NEWOBJ_EX(m, r) {
    const kwargs = m.pop(r);
    const args = m.pop(r);
    doCall(m, r, m.pop(r), args, 'newobj_ex', kwargs);
  },
  OBJ(m, r) {
    const items = m.popToMark(r);
    if (items.length < 1) m.halt(r, 'MALFORMED/obj-without-class');
    doCall(m, r, items[0]!, m.tuple(r, items.slice(1)), 'obj');
  },
  BUILD(m, r) {
    const state = m.pop(r);
    doBuild(m, r, m.top(r), state);
  },
  PERSID(m, r) {
    if (!r.argLoaded) m.halt(r, 'MALFORMED/line-too-long', { bytes: r.argLen, max: m.limits.maxLineBytes });
    for (let i = r.argStart; i < r.argEnd; i++) if (r.argBuf[i]! >= 0x80) m.halt(r, 'MALFORMED/persid-not-ascii');
    const pid = bytesToLatin1(r.argBuf, r.argStart, r.argEnd);
    persistent(m, r, m.str(pid, pid.length));
  },
  BINPERSID: (m, r) => persistent(m, r, m.pop(r)),
  NEXT_BUFFER(m, r) {
    if (m.policy.spec.outOfBandBuffers !== 'allow') m.rec.add('OUT_OF_BAND_BUFFER/out-of-band', { offset: r.opPos, opcode: 'NEXT_BUFFER' }, { at: r.opPos });
    m.stack.push({ k: 'buffer', readonly: false });
  },
  READONLY_BUFFER(m, r) {
    const t = m.top(r);
    if (t.k === 'buffer') m.stack[m.stack.length - 1] = { k: 'buffer', readonly: true };
  },
};
