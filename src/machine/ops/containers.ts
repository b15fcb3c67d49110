/**
 * Opcodes that build tuples, lists, dicts and sets, and those that add to them (APPEND, SETITEM,
 * ADDITEMS). Adding to something that is not a plain list, dict or set calls one of its methods.
 */
import type { OpReader } from '../../pickle/reader';
import type { CallKind } from '../../report/report';
import { lazyText, renderValue } from '../render';
import type { MachineState } from '../state';
import { hashedKey } from '../keys';
import { pintKeys } from '../pint';
import { sympyKeys } from '../sympy';
import { EMPTY_TUPLE, KEPT_ITEMS, classOf, isHot, mayHideHot, originGlobal, type GlobalValue, type Value } from '../values';
import { INERT_CALLEES, checkNested, describeOperand, handedValues, holdIn, storedInstances } from './calls';
import type { Handlers } from './handler';

function doAppend(m: MachineState, r: OpReader, x: number): void {
  const stack = m.stack;
  const len = stack.length;
  if (x > len || x <= m.fence) m.halt(r, 'MALFORMED/stack-underflow');
  if (len === x) return;
  const target = stack[x - 1]!;
  m.changing(target);
  const items = stack.splice(x);
  if (target.k === 'list') {
    for (const it of items) m.keepInto(r, target.items, it);
    target.count += items.length;
    m.measure(r, target, items, true);
    return;
  }
  mutateObject(m, r, target, () => `.extend(${renderValue({ k: 'list', items: items.slice(0, 8), count: items.length, d: 1, w: 1, h: false, s: false })})`, 'append', items);
}

/**
 * Keys of a dict or members of a set the pickle fills (every `step`-th of `items[from..to)`): a sympy
 * object's __eq__ may meet the others (sympy.ts); a pint object hashes through pint's registry, and a
 * pint udict takes unit names only (pint.ts); an object whose __hash__ and __eq__ the catalogue
 * judged (keys.ts) has them run.
 */
function judgeKeys(m: MachineState, r: OpReader, container: Value, items: readonly Value[], from: number, to: number, step: number): void {
  // the common case: a plain dict or set given scalar keys, whose hash and equality run no library code
  if ((container.k === 'dict' || container.k === 'set') && scalarKeys(items, from, to, step)) return;
  const f = sympyKeys(container, items, from, to, step) ?? pintKeys(container, items, from, to, step);
  if (f) m.rec.add(f.rule, { offset: r.opPos, opcode: r.info.name }, { op: r.info.name, at: r.opPos, call: renderValue(container), ...f.args } as never);
  const h = hashedKey(items, from, to, step);
  if (h) {
    const rule = h.verdict.gadget ? 'DENIED_GLOBAL/gadget-method' : 'UNLISTED_GLOBAL/unverified-method';
    m.rec.add(rule, { offset: r.opPos, opcode: r.info.name, call: renderValue(container) }, { op: r.info.name, at: r.opPos, cls: h.cls, method: '__hash__ (a dict key or set member)', reason: h.verdict.reason });
  }
}

/** Every `step`-th of `items[from..to)` is a str, bytes, int, float, bool or None. */
function scalarKeys(items: readonly Value[], from: number, to: number, step: number): boolean {
  for (let i = from; i < to; i += step) {
    const k = items[i]!.k;
    if (k !== 'str' && k !== 'int' && k !== 'float' && k !== 'bytes' && k !== 'bool' && k !== 'none') return false;
  }
  return true;
}

/** A dict keeps its first KEPT_ITEMS entries, and every later one whose key or value is hot. */
function keepEntry(m: MachineState, r: OpReader, entries: [Value, Value][], key: Value, value: Value): void {
  if (entries.length < KEPT_ITEMS || isHot(key) || isHot(value)) entries.push([key, value]);
  else {
    m.drop(r, key);
    m.drop(r, value);
  }
}

function doSetItems(m: MachineState, r: OpReader, x: number): void {
  const stack = m.stack;
  const len = stack.length;
  if (x > len || x <= m.fence) m.halt(r, 'MALFORMED/stack-underflow');
  if (len === x) return;
  if ((len - x) % 2) m.halt(r, 'MALFORMED/odd-items', { what: 'SETITEMS' });
  const target = stack[x - 1]!;
  m.changing(target);
  if (target.k === 'dict') {
    // the common case, a plain dict: its new entries are taken from the stack where they lie (no spliced copy)
    for (let i = x; i < len; i += 2) keepEntry(m, r, target.entries, stack[i]!, stack[i + 1]!);
    target.count += (len - x) / 2;
    judgeKeys(m, r, target, stack, x, len, 2);
    m.measureRange(r, target, stack, x, len, true);
    // SETITEM takes two values: two pops (setting the length is a runtime call)
    if (len - x === 2) {
      stack.pop();
      stack.pop();
    } else stack.length = x;
    return;
  }
  const items = stack.splice(x);
  if (target.k === 'list') return; // list[int] = value is valid Python
  // a dict subclass (OrderedDict, defaultdict, a library's) hashes its keys too
  judgeKeys(m, r, target, items, 0, items.length, 2);
  mutateObject(m, r, target, () => `[${renderValue(items[0]!)}] = ${renderValue(items[1]!)}`, 'setitem', items);
}

function doAddItems(m: MachineState, r: OpReader, x: number): void {
  const stack = m.stack;
  if (x > stack.length || x <= m.fence) m.halt(r, 'MALFORMED/stack-underflow');
  const target = stack[x - 1]!;
  const items = stack.splice(x);
  if (items.length === 0) return;
  m.changing(target);
  if (target.k === 'set') {
    for (const it of items) m.keepInto(r, target.items, it);
    target.count += items.length;
    judgeKeys(m, r, target, items, 0, items.length, 1);
    m.measure(r, target, items, true);
    return;
  }
  judgeKeys(m, r, target, items, 0, items.length, 1);
  mutateObject(m, r, target, () => `.add(${renderValue(items[0]!)})`, 'additems', items);
}

const ACTIONS: Readonly<Record<string, string>> = { setitem: 'item assignment', append: 'append', additems: 'add' };

/** The methods the unpickler may call for each: APPENDS uses extend when there is one, else append. */
const METHODS_RUN: Readonly<Record<string, readonly string[]>> = { setitem: ['__setitem__'], append: ['append', 'extend'], additems: ['add'] };

/** Methods of an instance's class that the catalogue judged (a gadget or unverified), now run by the pickle. */
function judgeMethods(m: MachineState, r: OpReader, cls: GlobalValue, methods: readonly string[], pseudo: () => string): void {
  for (const name of methods) {
    const v = cls.methodVerdicts![name];
    if (!v) continue;
    const rule = v.gadget ? 'DENIED_GLOBAL/gadget-method' : 'UNLISTED_GLOBAL/unverified-method';
    m.rec.add(rule, { offset: r.opPos, opcode: r.info.name, call: pseudo() }, { op: r.info.name, at: r.opPos, cls: cls.resolved, method: name, reason: v.reason });
  }
}

/**
 * APPEND/SETITEM/ADDITEMS on something that is not a plain list/dict/set call its methods
 * (extend, append, __setitem__, add). Fine on an instance of an allowed class; a problem on a
 * module, class or function.
 */
function mutateObject(m: MachineState, r: OpReader, target: Value, suffix: () => string, kind: CallKind, items: Value[]): void {
  for (const v of [target, ...items]) if (v.k === 'global' && v.held) m.releaseHeld(v, 'added to an object');
  switch (target.k) {
    case 'call': {
      target.given = (target.given ?? 0) + items.length;
      const pseudo = lazyText(() => renderValue(target) + suffix());
      m.rec.call(r.opPos, r.info.name, kind, originGlobal(target)?.resolved ?? '<call>', pseudo);
      const cls = classOf(target);
      if (cls?.methodVerdicts) judgeMethods(m, r, cls, METHODS_RUN[kind]!, pseudo);
      // a container's method stores the items: held for later walks; any other class's may call
      // their methods now, or reach what the object holds unjudged (a reviewed BUILD's store)
      if (cls && INERT_CALLEES.has(cls.resolved)) {
        for (const it of items) if (isHot(it) || mayHideHot(it)) holdIn(m, r, target, it);
      } else {
        const to = `${originGlobal(target)?.resolved ?? 'an object'}'s ${METHODS_RUN[kind]!.join(' or ')}`;
        storedInstances(m, r, target, to, pseudo, new Set());
        for (const it of items) handedValues(m, r, it, to, pseudo, new Set());
      }
      for (const it of items) checkNested(m, r, it, pseudo);
      return;
    }
    case 'global': {
      const text = target.resolved + suffix();
      m.note(r, 'METHOD_CALL_ON_OBJECT/method-on-global', { target: target.resolved, call: text }, { call: text });
      m.rec.call(r.opPos, r.info.name, kind, target.resolved, text);
      return;
    }
    case 'unknown':
    case 'persid':
    case 'buffer':
      m.note(r, 'METHOD_CALL_ON_OBJECT/method-on-unknown', { target: renderValue(target), kind });
      return;
    default:
      m.halt(r, 'MALFORMED/unsupported-mutation', { what: describeOperand(target), action: ACTIONS[kind]! });
  }
}

function fromMark(m: MachineState, r: OpReader, k: 'list' | 'frozenset'): void {
  const items = m.popToMark(r);
  const keep = m.keep(r, items);
  const v: Value = k === 'list' ? { k: 'list', items: keep, count: items.length, d: 0, w: 0, h: false, s: false } : { k: 'set', frozen: true, items: keep, count: items.length, d: 0, w: 0, h: false, s: false };
  if (k === 'frozenset') judgeKeys(m, r, v, items, 0, items.length, 1);
  m.stack.push(m.measure(r, v, items));
}

export const CONTAINER_OPS: Handlers<
  'EMPTY_LIST' | 'EMPTY_DICT' | 'EMPTY_SET' | 'EMPTY_TUPLE' | 'TUPLE1' | 'TUPLE2' | 'TUPLE3' | 'TUPLE' | 'LIST' | 'FROZENSET' | 'DICT'
  | 'APPEND' | 'APPENDS' | 'SETITEM' | 'SETITEMS' | 'ADDITEMS'
> = {
  EMPTY_LIST: (m) => void m.stack.push({ k: 'list', items: [], count: 0, d: 1, w: 1, h: false, s: false }),
  EMPTY_DICT: (m) => void m.stack.push({ k: 'dict', entries: [], count: 0, d: 1, w: 1, h: false, s: false }),
  EMPTY_SET: (m) => void m.stack.push({ k: 'set', frozen: false, items: [], count: 0, d: 1, w: 1, h: false, s: false }),
  EMPTY_TUPLE: (m) => void m.stack.push(EMPTY_TUPLE),
  TUPLE1(m, r) {
    const a = m.pop(r);
    m.stack.push(m.tuple(r, [a]));
  },
  TUPLE2(m, r) {
    const b = m.pop(r);
    const a = m.pop(r);
    m.stack.push(m.tuple(r, [a, b]));
  },
  TUPLE3(m, r) {
    const c = m.pop(r);
    const b = m.pop(r);
    const a = m.pop(r);
    m.stack.push(m.tuple(r, [a, b, c]));
  },
  TUPLE(m, r) {
    m.stack.push(m.tuple(r, m.popToMark(r)));
  },
  LIST: (m, r) => fromMark(m, r, 'list'),
  FROZENSET: (m, r) => fromMark(m, r, 'frozenset'),
  DICT(m, r) {
    const k = m.popMark(r);
    const n = m.stack.length - k;
    if (n % 2) m.halt(r, 'MALFORMED/odd-items', { what: 'DICT' });
    const items = m.stack.splice(k);
    const entries: [Value, Value][] = [];
    for (let i = 0; i < items.length; i += 2) keepEntry(m, r, entries, items[i]!, items[i + 1]!);
    const dict: Value = { k: 'dict', entries, count: n / 2, d: 0, w: 0, h: false, s: false };
    judgeKeys(m, r, dict, items, 0, items.length, 2);
    m.stack.push(m.measure(r, dict, items));
  },
  APPEND: (m, r) => doAppend(m, r, m.stack.length - 1),
  APPENDS: (m, r) => doAppend(m, r, m.popMark(r)),
  SETITEM: (m, r) => doSetItems(m, r, m.stack.length - 2),
  SETITEMS: (m, r) => doSetItems(m, r, m.popMark(r)),
  ADDITEMS: (m, r) => doAddItems(m, r, m.popMark(r)),
};
