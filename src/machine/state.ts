/**
 * The unpickler's state and the primitives every opcode handler uses: CPython's object stack with its
 * fence, the mark stack, the memo keyed by index, the current protocol (Modules/_pickle.c `Pdata`,
 * `marks`, `memo`, `proto`), plus what the scan records. Opcode handlers (ops/) act on this; the run
 * loop (machine.ts) owns it.
 */
import type { Limits } from '../limits';
import type { CostFinding } from './cost-finding';
import { bytesToLatin1 } from '../pickle/args';
import type { OpReader } from '../pickle/reader';
import { readBytes, type ByteSource } from '../pickle/source';
import type { CompiledPolicy } from '../policy/compile';
import type { FindingCode } from '../report/findings';
import type { PickleSummary } from '../report/report';
import { ruleMessage, type RuleArgs, type RuleId } from '../report/rules';
import type { At } from '../report/rules/rule';
import type { HookFactory, MachineHook, StreamAction } from './hooks';
import { Memo } from './memo';
import { Recorder } from './recorder';
import { KEPT_ITEMS, depthOf, isHot, mayHideHot, weightOf, type BytesOf, type GlobalValue, type StrValue, type TupleValue, type Value } from './values';

/**
 * What a walk judges in a container (walkInto): 0, classes and objects (a call's arguments); 1,
 * classes only (what an inert container builder is given, what a container built by a call holds);
 * 3, objects only (a BUILD state, what an object stores).
 */
export type WalkMode = 0 | 1 | 3;

export interface MachineOptions {
  policy: CompiledPolicy;
  limits: Limits;
  /** Added to every reported offset. */
  baseOffset: number;
  /** Stop after this many complete pickles; what follows is not ours to judge. */
  stopAfter?: number;
  /** Depth of pickles nested in strings (0 for the input itself). */
  depth: number;
  /** Shared across nested runs so the opcode budget covers them all. */
  budget?: { opcodes: number };
  /** Read as CPython does from a file object without peek() (see OpReader). */
  fileMode?: boolean;
  /** Try the typed-array path for data-only pickles first (default true; see data-path.ts). */
  dataPath?: boolean;
  /** Bytes the reader reads from a source at a time (not used for memory). Default 1 MiB. */
  window?: number;
  /** Format-specific checks the machine consults while it runs (see hooks.ts): each machine makes its own. */
  hooks?: readonly HookFactory[];
}

/** Thrown inside a pickle run where CPython would raise: ends that pickle. */
export class Halt {
  constructor(
    readonly id: RuleId,
    readonly code: FindingCode,
    readonly message: string,
    readonly offset: number,
    readonly args: unknown,
    readonly opcode?: string,
  ) {}
}

/** A halt of rule `id`, its message from the rules table. */
export function makeHalt<R extends RuleId>(id: R, args: RuleArgs<R>, offset: number, opcode?: string): Halt {
  return new Halt(id, id.slice(0, id.indexOf('/')) as FindingCode, ruleMessage(id, args), offset, args, opcode);
}

/** Rules whose arguments are just where the opcode is. */
type HaltAt = { [R in RuleId]: RuleArgs<R> extends At ? (At extends RuleArgs<R> ? R : never) : never }[RuleId];
/** Rules whose arguments are where the opcode is plus a few more. */
type HaltWith = { [R in RuleId]: RuleArgs<R> extends At ? R : never }[RuleId];

const MAX_WEIGHT = Number.MAX_SAFE_INTEGER;

/** A guard's acceptance of a BUILD or a call (MachineState.watchAccepted). */
export interface Accepted {
  /** The opcode and offset of the BUILD or call. */
  readonly opcode: string;
  readonly at: number;
  readonly call: () => string;
  /** The guard again, on the values as they are now. */
  readonly recheck: () => CostFinding | null;
}

export abstract class MachineState {
  readonly rec: Recorder;
  /** The value each complete pickle returns (what pickle.load would give the caller). */
  readonly results: Value[] = [];
  /** Set when a limit stopped the analysis: the rest of the input was not looked at. */
  limitHit = false;
  /** The input. */
  readonly source: ByteSource;
  readonly policy: CompiledPolicy;
  readonly limits: Limits;
  readonly opts: MachineOptions;
  readonly hooks: readonly MachineHook[];
  /** The hooks that look at every opcode (the run loop calls only these: no optional call per hook and opcode). */
  readonly opcodeHooks: readonly MachineHook[];

  // ---- unpickler state (reset per pickle, as each pickle.load builds a new Unpickler)
  stack: Value[] = [];
  fence = 0;
  marks: number[] = [];
  memo = new Memo();
  proto = 0;
  maxProto = 0;
  opsThisPickle = 0;
  /** An opcode of the current pickle straddled a FRAME end: file-object readers see another stream. */
  straddled = false;

  /** copyreg's extension registry: lives in the process, so it survives across pickles. */
  readonly extensions = new Map<number, readonly [string, string]>();
  callSeq = 0;
  /** Values already searched for nested pickles. */
  readonly nestedChecked = new WeakSet<Value>();
  /** What `pickle.loads` of a bytes value gave a BUILD guard (ops/calls.ts nestedLoads): each value is run once. */
  readonly nestedLoaded = new WeakMap<Value, Value | null>();
  /**
   * What reviewed guards accepted (a guarded BUILD's state, a guarded call's arguments), and every
   * container and object in it: the library keeps them by reference (a dtype its fields dict, an
   * lmfit model its hints, a pint Quantity its magnitude array), so a change afterwards (BUILD,
   * SETITEM, APPEND, ADDITEMS) reaches it. After such a change every guard that accepted something in
   * this pickle runs again at its end, on the values as the pickle left them (recheckAccepted). Not
   * refused at once: a container still being filled when a guard ran (an object graph with a cycle)
   * is changed later in real pickles.
   */
  private readonly watched = new WeakSet<Value>();
  private accepted: Accepted[] = [];
  private changedWatched = false;
  /** Bytes constant folding has produced; it may produce 4 × the bytes read + 1 MiB. */
  foldUsed = 0;
  /**
   * A mutable container got a hot item after it was stored in another one, whose `h` did not follow:
   * from now on the walks look into every container, not only those marked hot.
   */
  lateHot = false;
  /** A container that holds or may come to hold something was stored past another's kept items. */
  unkeptContainer = false;
  /** Values the walks for handed classes and objects looked at; they may look at 4 × the bytes read + 1 MiB. */
  walkUsed = 0;
  /**
   * Bumped when what a container reaches may change without its own count changing: a container
   * stored in another grows, an object's stored values grow, a partial gets a state. Walks of a
   * container are reused while it and this stay as they were (walkInto).
   */
  walkEpoch = 0;
  private walked: WeakMap<object, { count: number; epoch: number; mode: WalkMode }> | undefined;
  /** Where each class was last reported as handed to library code (firstReport). */
  private reportedAt: Map<string, number> | undefined;
  walkExhausted = false;

  constructor(input: ByteSource, opts: MachineOptions) {
    this.source = input;
    this.opts = opts;
    this.policy = opts.policy;
    this.limits = opts.limits;
    this.rec = new Recorder(opts.baseOffset);
    this.hooks = (opts.hooks ?? []).map((make) => make(this.rec, opts.depth)).filter((h): h is MachineHook => h !== null);
    this.opcodeHooks = this.hooks.filter((h) => h.opcode !== undefined);
    for (const [code, g] of Object.entries(opts.policy.spec.extensions ?? {})) this.extensions.set(Number(code), [g.module, g.name]);
  }

  /** Runs `bytes` as pickles nested in this input (strings that are pickles); returns what it recorded. */
  abstract nested(bytes: Uint8Array): { rec: Recorder; results: readonly Value[]; pickles: readonly PickleSummary[] };
  /** Runs one pickle of this input from `pos` (a joblib object array); returns its end, or 0 when it did not complete. */
  abstract inline(pos: number): number;

  // ---------------------------------------------------------------- halts and limits

  /** CPython raises here: the pickle ends with a finding of rule `id`. */
  halt(r: OpReader, id: HaltAt): never;
  halt<R extends HaltWith>(r: OpReader, id: R, more: Omit<RuleArgs<R>, keyof At>): never;
  halt(r: OpReader, id: RuleId, more: object = {}): never {
    throw makeHalt(id, { op: r.info.name, at: r.opPos, ...more } as never, r.opPos, r.info.name);
  }

  /** A limit was reached: record it, stop the whole analysis. */
  limit(r: OpReader, id: 'LIMIT_EXCEEDED/max-stack' | 'LIMIT_EXCEEDED/max-nesting' | 'LIMIT_EXCEEDED/max-memo' | 'LIMIT_EXCEEDED/max-opcodes', max: number): never {
    this.limitHit = true;
    const args = { op: r.info.name, at: r.opPos, max };
    this.rec.add(id, { offset: r.opPos, opcode: r.info.name }, args);
    throw makeHalt(id, args, r.opPos, r.info.name);
  }

  /**
   * Watches what a reviewed guard accepted: `values` and the containers and objects in them (scalars
   * cannot change). A value watched already is not walked again (what it held then is watched too, and
   * what it was given since was a change): the walks of a pickle see each value once.
   */
  watchAccepted(values: readonly Value[], acc: Accepted): void {
    this.accepted.push(acc);
    const todo: Value[] = [...values];
    while (todo.length) {
      const x = todo.pop()!;
      if (x.k !== 'dict' && x.k !== 'list' && x.k !== 'set' && x.k !== 'tuple' && x.k !== 'call') continue;
      if (this.watched.has(x)) continue;
      this.watched.add(x);
      if (x.k === 'dict') for (const [k, y] of x.entries) todo.push(k, y);
      else if (x.k === 'call') {
        todo.push(x.args);
        if (x.kwargs) todo.push(x.kwargs);
        if (x.state) todo.push(x.state);
        if (x.stored) todo.push(x.stored);
      } else for (const y of x.items) todo.push(y);
    }
  }

  /** `target` is about to change (the current opcode): if a guard accepted it, the guards run again at the end. */
  changing(target: Value): void {
    if (this.accepted.length !== 0 && !this.changedWatched && this.watched.has(target)) this.changedWatched = true;
  }

  /** Runs every guard that accepted something again, when the pickle changed a value one of them accepted (at the end of a pickle). */
  recheckAccepted(): void {
    const all = this.accepted;
    if (all.length === 0) return;
    this.accepted = [];
    const changed = this.changedWatched;
    this.changedWatched = false;
    if (!changed) return;
    for (const acc of all) {
      const f = acc.recheck();
      if (!f) continue;
      const why = (f.args as { why?: string }).why;
      const args = why === undefined ? f.args : { ...f.args, why: `${why} (the values it was given, as the rest of the pickle left them: it changed them after this ${acc.opcode})` };
      this.rec.add(f.rule, { offset: acc.at, opcode: acc.opcode }, { op: acc.opcode, at: acc.at, call: acc.call(), ...args } as never);
    }
  }

  /** A finding at the current opcode. */
  note<R extends HaltWith>(r: OpReader, id: R, more: Omit<RuleArgs<R>, keyof At>, site: { call?: string } = {}): void {
    this.rec.add(id, { offset: r.opPos, opcode: r.info.name, ...site }, { op: r.info.name, at: r.opPos, ...more } as RuleArgs<R>);
  }

  // ---------------------------------------------------------------- stack primitives (CPython Pdata)

  pop(r: OpReader): Value {
    if (this.stack.length <= this.fence) this.halt(r, 'MALFORMED/stack-underflow');
    return this.stack.pop()!;
  }

  top(r: OpReader): Value {
    if (this.stack.length <= this.fence) this.halt(r, 'MALFORMED/stack-underflow');
    return this.stack[this.stack.length - 1]!;
  }

  /** Pops the innermost MARK and returns the stack index it marked. */
  popMark(r: OpReader): number {
    if (this.marks.length === 0) this.halt(r, 'MALFORMED/no-mark');
    const k = this.marks.pop()!;
    this.fence = this.marks.length ? this.marks[this.marks.length - 1]! : 0;
    return k;
  }

  /** Items above the innermost MARK, popped with it. */
  popToMark(r: OpReader): Value[] {
    return this.stack.splice(this.popMark(r));
  }

  // ---------------------------------------------------------------- values

  str(s: string, len: number, py2 = false): StrValue {
    const kept = len <= this.limits.maxKeptString ? s : null;
    return py2 ? { k: 'str', v: kept, len, py2 } : { k: 'str', v: kept, len };
  }

  /**
   * Sets the depth `d` and expanded size `w` of container `v` made of `items` (or, with `extend`, of `v`
   * grown by `items`) and returns it. Crossing maxObjectDepth or maxExpansion is RESOURCE_HOSTILE: cheap
   * for us, but traversing it (repr, deepcopy, comparison, JSON) exhausts the server.
   */
  measure<T extends { d: number; w: number }>(r: OpReader, v: T, items: readonly Value[], extend = false): T {
    return this.measureRange(r, v, items, 0, items.length, extend);
  }

  /** measure() of the items `from`..`to` of `items` (SETITEM measures two values on the stack without taking them off in an array first). */
  measureRange<T extends { d: number; w: number }>(r: OpReader, v: T, items: readonly Value[], from: number, to: number, extend: boolean): T {
    let child = 0;
    let w = extend ? v.w : 1;
    let hot = false;
    for (let i = from; i < to; i++) {
      const it = items[i]!;
      if (it.k === 'global' && it.held !== undefined && !(it.moduleOf && this.holdModule(r, v, items, from, to, i))) this.releaseHeld(it, 'stored in a container or passed as an argument');
      const id = depthOf(it);
      if (id > child) child = id;
      w += weightOf(it);
      if (isHot(it)) hot = true;
      if ((it.k === 'list' || it.k === 'dict' || (it.k === 'set' && !it.frozen)) && !it.s) it.s = true;
    }
    if (hot) this.heat(r, v as unknown as Value, extend);
    // a container stored in another changed: walks through the other may see something new
    if (extend && (v as { s?: boolean }).s) this.walkEpoch++;
    const d = extend ? Math.max(v.d, child + 1) : child + 1;
    if (w > MAX_WEIGHT) w = MAX_WEIGHT;
    if (d > this.limits.maxObjectDepth) this.note(r, 'RESOURCE_HOSTILE/object-depth', { max: this.limits.maxObjectDepth });
    if (w > this.limits.maxExpansion && w > 100 * r.pos) {
      this.note(r, 'RESOURCE_HOSTILE/memo-expansion', { objects: w >= MAX_WEIGHT ? 'more than 2^53' : String(w), size: r.pos });
    }
    v.d = d;
    v.w = w;
    return v;
  }

  /** A tuple of `items` (see keep). */
  tuple(r: OpReader, items: Value[]): TupleValue {
    return this.measure(r, { k: 'tuple', items: this.keep(r, items), count: items.length, d: 0, w: 0, h: false }, items);
  }

  /** The items a new container keeps: the first KEPT_ITEMS, and every hot one after them. */
  keep(r: OpReader, items: Value[]): Value[] {
    if (items.length <= KEPT_ITEMS) return items;
    const out = items.slice(0, KEPT_ITEMS);
    for (let i = KEPT_ITEMS; i < items.length; i++) this.keepInto(r, out, items[i]!);
    return out;
  }

  /** Adds `it` to a container's kept `items` when there is room or it is hot. */
  keepInto(r: OpReader, items: Value[], it: Value): void {
    if (items.length < KEPT_ITEMS || isHot(it)) items.push(it);
    else this.drop(r, it);
  }

  /** `it` is counted, not kept: no walk can reach it, which matters if a hot item may end up in it. */
  drop(r: OpReader, it: Value): void {
    if (this.unkeptContainer || !mayHideHot(it)) return;
    this.unkeptContainer = true;
    if (this.lateHot) this.note(r, 'LIMIT_EXCEEDED/unkept-items', { kept: KEPT_ITEMS });
  }

  /** True the first time `cls` is reported at opcode offset `at`: one handed-class finding per class and site. */
  firstReport(cls: GlobalValue, at: number): boolean {
    // by name: each GLOBAL opcode makes its own value, and a pickle may spell one class many times
    const reported = (this.reportedAt ??= new Map());
    if (reported.get(cls.resolved) === at) return false;
    reported.set(cls.resolved, at);
    return true;
  }

  /** `v` holds a hot item now; if it is a mutable container already stored elsewhere, its holders do not know. */
  private heat(r: OpReader, v: Value, grown: boolean): void {
    if (v.k !== 'tuple' && v.k !== 'list' && v.k !== 'dict' && v.k !== 'set') return;
    if (v.h) return;
    v.h = true;
    if (!grown || v.k === 'tuple' || !v.s || this.lateHot) return;
    this.lateHot = true;
    if (this.unkeptContainer) this.note(r, 'LIMIT_EXCEEDED/unkept-items', { kept: KEPT_ITEMS });
  }

  /**
   * May a walk for handed classes and objects look into container `v` (see isHot)? Only if it holds a
   * hot item (or one may hide there unseen), once per walk (`seen`: shared references make a DAG),
   * not again when an earlier walk of the same `mode` (or of mode 0, which judges everything) looked
   * into it and nothing it can reach changed since (its count and walkEpoch are as they were then:
   * its findings are recorded already), and only while the walks have looked at fewer than
   * 4 × the bytes read + 1 MiB values in all: past that, a finding.
   */
  walkInto(r: OpReader, v: Value & { readonly count: number; h: boolean }, seen: Set<Value>, mode: WalkMode): boolean {
    if (!v.h && !this.lateHot) return false;
    if (seen.has(v)) return false;
    seen.add(v);
    const walked = (this.walked ??= new WeakMap());
    const mark = walked.get(v);
    if (mark && mark.count === v.count && mark.epoch === this.walkEpoch && (mark.mode === mode || mark.mode === 0)) return false;
    if (this.walkUsed + v.count <= 4 * r.pos + (1 << 20)) {
      this.walkUsed += v.count;
      if (mark) {
        mark.count = v.count;
        mark.epoch = this.walkEpoch;
        mark.mode = mode;
      } else walked.set(v, { count: v.count, epoch: this.walkEpoch, mode });
      return true;
    }
    if (!this.walkExhausted) {
      this.walkExhausted = true;
      this.note(r, 'LIMIT_EXCEEDED/max-walk', { max: 4 * r.pos + (1 << 20) });
    }
    return false;
  }

  /** Text of the current argument for a message: the first 40 bytes. */
  argText(r: OpReader): string {
    const end = Math.min(r.argEnd, r.argStart + 40);
    const s = bytesToLatin1(r.argBuf, r.argStart, end);
    return r.argLen > 40 ? s + '…' : s;
  }

  /** All of a bytes value, or its first `max` bytes, read from the input when its head does not hold them. */
  readonly bytesOf: BytesOf = (v, max) => {
    const len = v.end - v.start;
    if (v.data) return v.data.length > max ? v.data.subarray(0, max) : v.data;
    if (v.head.length >= Math.min(len, max)) return v.head.subarray(0, Math.min(len, max));
    const want = Math.min(len, max);
    const b = readBytes(this.source, v.start, want);
    return b.length === want ? b : null;
  };

  /** May constant folding still produce bytes at this point of the input (4 × the bytes read + 1 MiB)? */
  foldAllowed(r: OpReader): boolean {
    return this.foldUsed < 4 * r.pos + (1 << 20);
  }

  /**
   * A module object read through a shim (models.ts) put in a container: held still when the container
   * is a new 2- or 3-tuple with it first and a constant string second, on top of a held getattr (the
   * arguments of `getattr(module, 'name')`), until the next opcode: REDUCE takes the tuple as
   * getattr's arguments (takeModuleArgs), anything else releases it (settleModule).
   */
  private holdModule(r: OpReader, v: object, items: readonly Value[], from: number, to: number, i: number): boolean {
    const callee = this.stack[this.stack.length - 1];
    const attr = items[from + 1];
    if ((v as Value).k !== 'tuple' || i !== from || to - from < 2 || to - from > 3 || !attr || attr.k !== 'str' || attr.v === null) return false;
    if (!callee || callee.k !== 'global' || !callee.held || callee.moduleOf || callee.resolved !== 'builtins.getattr') return false;
    this.settleModule();
    this.pendingModule = { args: v as Value, module: items[i] as GlobalValue, at: r.opPos };
    return true;
  }

  /** The tuple a held module object waits in (holdModule), and the offset of the opcode that made it. */
  pendingModule: { readonly args: Value; readonly module: GlobalValue; readonly at: number } | null = null;

  /** getattr took its arguments: the module object in them was read, as modeled. */
  takeModuleArgs(args: Value): void {
    if (this.pendingModule?.args === args) this.pendingModule = null;
  }

  /** The module object waiting in a tuple (holdModule) is released: the tuple was not getattr's arguments at once. */
  settleModule(): void {
    const p = this.pendingModule;
    if (!p) return;
    this.pendingModule = null;
    this.releaseHeld(p.module, 'stored in a container or passed as an argument');
  }

  /** A held import (see models.ts) used in a way the machine does not model: its deny finding now, once. */
  releaseHeld(g: GlobalValue, use: string): void {
    const h = g.held;
    if (!h || h.released) return;
    h.released = true;
    this.rec.releaseHeld(g.id, h.offset, h.opcode, h.reason, use);
  }

  // ---------------------------------------------------------------- memo

  memoSet(r: OpReader, idx: number, v: Value): void {
    this.memo.set(idx, v);
    if (this.memo.size > this.limits.maxMemo) this.limit(r, 'LIMIT_EXCEEDED/max-memo', this.limits.maxMemo);
  }

  // ---------------------------------------------------------------- hooks

  /** BUILD hooks may ask to step over bytes that follow in the stream (joblib arrays). */
  applyStreamAction(r: OpReader, action: StreamAction): void {
    if (action.kind === 'unknown-size') this.halt(r, 'MALFORMED/joblib-array-size', { why: action.why });
    if (action.kind === 'pickle') {
      const end = this.inline(r.pos);
      if (!end) this.halt(r, 'MALFORMED/joblib-object-array');
      r.pos = end;
      return;
    }
    let p = r.pos;
    if (action.aligned) {
      const pad = r.byteAt(p);
      if (pad < 0) this.halt(r, 'TRUNCATED/joblib-array-missing');
      p += 1 + pad;
    }
    if (action.bytes > 0 && r.byteAt(p + action.bytes - 1) < 0) this.halt(r, 'TRUNCATED/joblib-array-past-end', { bytes: action.bytes });
    r.pos = p + action.bytes;
  }
}
