/**
 * What the machine saw, recorded the moment it happened: imports (judged by the policy right away),
 * calls, and findings. Nothing here can be undone by later opcodes (POP, memo tricks, a later error).
 * Output stays bounded: repeated findings are folded into the first one with a count.
 */
import { SEVERITY_RANK, type Finding, type FindingSite, type Severity } from '../report/findings';
import { RULES, ruleKey, ruleMessage, splitRule, type RuleArgs, type RuleDef, type RuleId } from '../report/rules';
import type { CallKind, CallRecord, GlobalRef } from '../report/report';
import type { Judgement } from '../policy/compile';
import type { OptimizerSummary } from '../report/optimizer';

/** Calls listed individually in a report; further calls are counted and still judged. */
export const MAX_LISTED_CALLS = 10_000;
/** Distinct findings listed in a report; further ones are counted. */
export const MAX_LISTED_FINDINGS = 2_000;

export interface RecordedFinding extends Finding {
  /** How many times the same finding (rule and key) occurred; the offset is the first. */
  count?: number;
}

export class Recorder {
  readonly findings: RecordedFinding[] = [];
  readonly globals: GlobalRef[] = [];
  readonly calls: CallRecord[] = [];
  callCount = 0;
  globalCount = 0;
  droppedFindings = 0;
  /** The most severe of the findings that were not listed. */
  droppedWorst: Severity = 'info';
  /** Findings by rule, then by key: no key string is concatenated on the hot path of a repeated finding. */
  private readonly findingIndex = new Map<string, Map<string, RecordedFinding>>();
  private readonly globalIndex = new Map<string, number>();
  /** Index of the pickle being run, stamped on everything recorded. */
  pickle = 0;
  /** The optimizer summary made after the run, under a policy with optimizer bounds (src/formats/optimizer/hook.ts). */
  optimizer: OptimizerSummary | undefined = undefined;

  constructor(private readonly baseOffset: number) {}

  /** Adds a finding of rule `id` at `site` (offset relative to this recorder's input), or bumps the count of an equal one. */
  add<R extends RuleId>(id: R, site: FindingSite, args: RuleArgs<R>): RecordedFinding {
    // a rule with its own key folds repeats without building their message (a bomb repeats one finding a million times)
    const keyOf = (RULES[id] as RuleDef<RuleArgs<R>>).key;
    if (keyOf) {
      const existing = this.findingIndex.get(id)?.get(keyOf(args));
      if (existing) {
        existing.count = (existing.count ?? 1) + 1;
        return existing;
      }
    }
    const message = ruleMessage(id, args);
    return this.put(id, ruleKey(id, args, message), site, message);
  }

  /** Takes over a finding recorded by another run over part of this input (its offset is final), with `prefix` on its message. */
  adopt(f: Finding, prefix = ''): void {
    const id = `${f.code}/${f.rule}` as RuleId;
    const message = prefix + f.message;
    this.put(id, message, { ...f, offset: f.offset === null ? null : f.offset - this.baseOffset }, message);
  }

  private put(id: RuleId, key: string, site: FindingSite, message: string): RecordedFinding {
    let byRule = this.findingIndex.get(id);
    const existing = byRule === undefined ? undefined : byRule.get(key);
    if (existing) {
      existing.count = (existing.count ?? 1) + 1;
      return existing;
    }
    const { code, rule } = splitRule(id);
    const { offset, opcode, global, call, path } = site;
    const f: RecordedFinding = { code, rule, severity: RULES[id].severity, message, offset: offset === null ? null : offset + this.baseOffset, pickle: this.pickle };
    if (opcode !== undefined) f.opcode = opcode;
    if (global !== undefined) f.global = global;
    if (call !== undefined) f.call = call;
    if (path !== undefined) f.path = path;
    if (this.findings.length >= MAX_LISTED_FINDINGS) {
      // not listed, but its severity still counts towards the verdict (see scan())
      this.droppedFindings++;
      if (SEVERITY_RANK[f.severity] > SEVERITY_RANK[this.droppedWorst]) this.droppedWorst = f.severity;
      return f;
    }
    if (byRule === undefined) this.findingIndex.set(id, (byRule = new Map()));
    byRule.set(key, f);
    this.findings.push(f);
    return f;
  }

  /** Records an import and turns the policy's judgement into a finding. Returns the import's id. */
  global(module: string, name: string, offset: number, opcode: string, j: Judgement): number {
    this.globalCount++;
    const key = module + '\0' + name + '\0' + j.resolved + '\0' + j.decision;
    let id = this.globalIndex.get(key);
    if (id === undefined) {
      id = this.globals.length;
      this.globalIndex.set(key, id);
      const ref: GlobalRef = { module, name, resolved: j.resolved, offset: offset + this.baseOffset, opcode, pickle: this.pickle, decision: j.decision };
      if (j.reason) ref.reason = j.reason; // last, as before (no spread of a temporary object)
      this.globals.push(ref);
    }
    if (j.decision === 'allow') return id;
    const spelled = `${module} ${name}`;
    const imported = { op: opcode, resolved: j.resolved, spelled: j.resolved !== `${module}.${name}` ? spelled : null, key };
    const site = { offset, opcode, global: spelled };
    if (j.decision === 'deny') this.add(j.catalogue === 'gadget' ? 'DENIED_GLOBAL/gadget' : 'DENIED_GLOBAL/denied', site, { ...imported, reason: j.reason ?? 'denied by the policy' });
    else if (j.catalogue === 'unverified') this.add('UNLISTED_GLOBAL/unverified', site, { ...imported, reason: j.reason ?? '' });
    else if (j.catalogue === 'unknown') this.add('UNLISTED_GLOBAL/not-in-catalogue', site, { ...imported, reason: j.reason ?? '' });
    else if (j.outsideTier) this.add('UNLISTED_GLOBAL/outside-tier', site, { ...imported, reason: j.reason ?? '' });
    else this.add('UNLISTED_GLOBAL/not-allowed', site, imported);
    return id;
  }

  /**
   * Records the import of a builtin whose calls the machine models (getattr), or of a module object
   * whose attributes it models: allowed for now, its finding held back until a use the machine cannot
   * model (see releaseHeld). Returns the import's id.
   */
  holdGlobal(module: string, name: string, offset: number, opcode: string, j: Judgement, how = 'each call with a constant attribute name is judged by the attribute it reads'): number {
    return this.global(module, name, offset, opcode, { decision: 'allow', resolved: j.resolved, reason: `modeled by picklegate: ${how}` });
  }

  /** A held import is used in a way the machine does not model: it is denied after all, with a finding at the import. */
  releaseHeld(id: number, offset: number, opcode: string, reason: string, use: string): void {
    const g = this.globals[id];
    if (!g) return;
    g.decision = 'deny';
    g.reason = reason;
    const key = g.module + '\0' + g.name + '\0' + g.resolved + '\0deny';
    const spelled = `${g.module} ${g.name}`;
    this.add('DENIED_GLOBAL/unmodeled-use', { offset, opcode, global: spelled }, { op: opcode, resolved: g.resolved, spelled: g.resolved !== `${g.module}.${g.name}` ? spelled : null, key, reason, use });
  }

  /** Takes an import recorded by another run over the same input (offsets already final). */
  adoptGlobal(g: GlobalRef): void {
    const key = g.module + '\0' + g.name + '\0' + g.resolved + '\0' + g.decision;
    if (this.globalIndex.has(key)) return;
    this.globalIndex.set(key, this.globals.length);
    this.globals.push({ ...g, pickle: this.pickle });
  }

  /** Records a call; its pseudo-Python (text, or rendered now only when the call is listed). */
  call(offset: number, opcode: string, kind: CallKind, callee: string, pseudo: string | (() => string)): void {
    this.callCount++;
    if (this.calls.length < MAX_LISTED_CALLS) {
      this.calls.push({ offset: offset + this.baseOffset, opcode, pickle: this.pickle, kind, callee, pseudo: typeof pseudo === 'string' ? pseudo : pseudo() });
    }
  }
}
