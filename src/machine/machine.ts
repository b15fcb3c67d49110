/**
 * The symbolic pickle machine: runs an opcode stream the way CPython's C unpickler does, with symbolic
 * values, so every import and call is seen and judged without executing anything. This file is the
 * run loop: several pickles back to back, breaks, resynchronisation after junk (so a payload behind
 * garbage is still found), the file-object re-reading of frame straddles, and nested runs. What each
 * opcode does is in ops/; the state it acts on in state.ts.
 */
import { Op } from '../pickle/opcodes';
import { OpReader } from '../pickle/reader';
import { findPickleStartIn } from '../pickle/sniff';
import { MemorySource, hasByteAt, sizeOf, type ByteSource } from '../pickle/source';
import type { PickleSummary } from '../report/report';
import { DataPath } from './data-path';
import { Memo } from './memo';
import { HANDLER_BY_CODE } from './ops';
import { Halt, MachineState, makeHalt, type MachineOptions } from './state';
import type { Value } from './values';

export type { MachineOptions } from './state';

/** The result of a pickle the data path finished: plain data, nothing imported or called. */
const PLAIN_DATA: Value = Object.freeze({ k: 'unknown', why: 'plain data (not materialised)' });

export class Machine extends MachineState {
  readonly pickles: PickleSummary[] = [];
  private readonly budget: { opcodes: number };
  private readonly dataPathAllowed: boolean;

  constructor(input: Uint8Array | ByteSource, opts: MachineOptions) {
    super(input instanceof Uint8Array ? new MemorySource(input) : input, opts);
    this.budget = opts.budget ?? { opcodes: 0 };
    // the data path sees no opcodes and keeps no values: not for hooks that need them
    this.dataPathAllowed = opts.dataPath !== false && !opts.fileMode && !this.hooks.some((h) => h.needsFullMachine);
  }

  /** Runs every pickle in the input. */
  run(): void {
    const src = this.source;
    if (!hasByteAt(src, 0)) {
      this.rec.add('TRUNCATED/empty-input', { offset: 0 }, {});
      return;
    }
    for (const h of this.hooks) h.input?.(src);
    let pos = 0;
    let resyncing = false;
    while (hasByteAt(src, pos) && !this.limitHit) {
      if (this.opts.stopAfter !== undefined && this.results.length >= this.opts.stopAfter) return;
      if (this.pickles.length >= this.limits.maxPickles) {
        this.limitHit = true;
        this.rec.add('LIMIT_EXCEEDED/max-pickles', { offset: pos }, { max: this.limits.maxPickles });
        return;
      }
      const index = this.pickles.length;
      this.rec.pickle = index;
      const afterComplete = index > 0 && this.pickles[index - 1]!.complete;
      if (afterComplete) for (const h of this.hooks) h.afterStop?.(pos);
      const outcome = this.runOne(pos);
      this.pickles.push(outcome.summary);
      if (this.straddled && !this.opts.fileMode) this.rereadAsFile(pos);
      if (outcome.summary.complete) {
        if (index > 0 && !resyncing) this.rec.add('MULTIPLE_PICKLES/another-pickle', { offset: pos }, { at: pos });
        resyncing = false;
        pos = outcome.summary.end;
        continue;
      }
      if (this.limitHit) return;
      const halt = outcome.halt!;
      const site = { offset: halt.offset, ...(halt.opcode ? { opcode: halt.opcode } : {}) };
      if (afterComplete) {
        this.rec.add('TRAILING_DATA/after-stop', { ...site, offset: pos }, { bytes: sizeOf(src) - pos, stop: pos - 1, why: halt.message });
        this.pickles.pop();
      } else {
        this.rec.add(halt.id, site, halt.args as never);
      }
      const next = findPickleStartIn(src, Math.max(halt.offset + 1, pos + 1));
      if (next < 0) return;
      resyncing = true;
      pos = next;
    }
  }

  private runOne(start: number): { summary: PickleSummary; halt?: Halt } {
    this.stack = [];
    this.fence = 0;
    this.marks = [];
    this.memo = new Memo();
    this.proto = 0;
    this.maxProto = 0;
    this.opsThisPickle = 0;
    this.straddled = false;
    this.pendingModule = null;
    const base = this.opts.baseOffset;
    const summary: PickleSummary = { index: this.pickles.length, start: start + base, end: start + base, protocol: 0, opcodes: 0, complete: false };
    if (this.dataPathAllowed) {
      const fast = new DataPath(this.source, this.limits, this.opts.window).run(start, this.limits.maxOpcodes - this.budget.opcodes);
      if (fast) {
        this.budget.opcodes += fast.opcodes;
        this.results.push(PLAIN_DATA);
        return { summary: { ...summary, end: fast.end + base, protocol: fast.protocol, opcodes: fast.opcodes, complete: true } };
      }
    }
    const r = new OpReader(this.source, { start, fileMode: this.opts.fileMode, window: this.opts.window, maxKept: this.limits.maxKeptString, maxLine: this.limits.maxLineBytes });
    let halt: Halt | undefined;
    try {
      this.loop(r);
      summary.complete = true;
    } catch (e) {
      if (!(e instanceof Halt)) throw e;
      halt = e;
    }
    // what reviewed guards accepted and the rest of the pickle changed, judged as it was left
    this.recheckAccepted();
    summary.end = (halt ? r.opPos : r.pos) + base;
    summary.opcodes = this.opsThisPickle;
    summary.protocol = this.maxProto;
    return halt ? { summary, halt } : { summary };
  }

  private loop(r: OpReader): void {
    const limits = this.limits;
    const hooks = this.opcodeHooks;
    for (;;) {
      if (!r.next()) {
        const e = r.error;
        if (e) throw makeHalt(e.rule, e.args as never, e.offset, e.opcode);
        throw makeHalt('TRUNCATED/end-before-stop', { at: r.pos }, r.pos);
      }
      this.opsThisPickle++;
      if (++this.budget.opcodes > limits.maxOpcodes) this.limit(r, 'LIMIT_EXCEEDED/max-opcodes', limits.maxOpcodes);
      if (r.frameViolation) {
        this.straddled = true;
        this.rec.add(r.frameViolation.rule, { offset: r.opPos, opcode: r.info.name }, r.frameViolation.args as never);
      }
      if (r.frameOversize) this.rec.add('RESOURCE_HOSTILE/frame-oversize', { offset: r.opPos, opcode: 'FRAME' }, r.frameOversize);
      for (let i = 0; i < hooks.length; i++) hooks[i]!.opcode!(r);
      HANDLER_BY_CODE[r.code]!(this, r);
      // a module object held in a tuple must be taken by getattr's REDUCE right after the tuple is made
      if (this.pendingModule !== null && this.pendingModule.at !== r.opPos && r.code !== Op.FRAME) this.settleModule();
      if (r.code === Op.STOP) return;
      if (this.stack.length > limits.maxStack) this.limit(r, 'LIMIT_EXCEEDED/max-stack', limits.maxStack);
    }
  }

  /** Runs one pickle starting at `pos` (for nested streams inside this input); returns its end or 0. */
  runFrom(pos: number): number {
    this.rec.pickle = 0;
    const outcome = this.runOne(pos);
    this.pickles.push(outcome.summary);
    if (outcome.halt) {
      const h = outcome.halt;
      this.rec.add(h.id, { offset: h.offset, ...(h.opcode ? { opcode: h.opcode } : {}) }, h.args as never);
      return 0;
    }
    return outcome.summary.end - this.opts.baseOffset;
  }

  nested(bytes: Uint8Array): Machine {
    const inner = new Machine(bytes, { ...this.opts, depth: this.opts.depth + 1, baseOffset: 0, stopAfter: undefined, budget: this.budget });
    inner.run();
    return inner;
  }

  inline(pos: number): number {
    const inner = new Machine(this.source, { ...this.opts, stopAfter: 1, budget: this.budget });
    const end = inner.runFrom(pos);
    this.absorb(inner);
    return end;
  }

  /**
   * A pickle with an opcode straddling a FRAME end reads differently from a file object without
   * peek() (torch.load's io.BytesIO): run that reading too and keep what it finds.
   */
  private rereadAsFile(pos: number): void {
    const alt = new Machine(this.source, { ...this.opts, fileMode: true, stopAfter: 1, budget: this.budget });
    alt.rec.pickle = this.rec.pickle;
    alt.runFrom(pos);
    this.absorb(alt, 'read from a file object without peek(): ');
  }

  /** Takes over the findings, imports and calls of a machine run on part of this input. */
  private absorb(other: Machine, prefix = ''): void {
    for (const f of other.rec.findings) this.rec.adopt(f, prefix);
    for (const g of other.rec.globals) this.rec.adoptGlobal(g);
    for (const c of other.rec.calls) this.rec.call(c.offset - this.opts.baseOffset, c.opcode, c.kind, c.callee, c.pseudo);
    if (other.limitHit) this.limitHit = true;
  }
}
