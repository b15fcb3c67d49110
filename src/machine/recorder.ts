/**
 * What the machine saw, recorded the moment it happened: imports (judged by the policy right away),
 * calls, and findings. Nothing here can be undone by later opcodes (POP, memo tricks, a later error).
 * Output stays bounded: repeated findings are folded into the first one with a count.
 */
import { FINDING_CODES, SEVERITY_RANK, type Finding, type FindingCode, type Severity } from '../report/findings';
import type { CallKind, CallRecord, GlobalRef } from '../report/report';
import type { Judgement } from '../policy/compile';

/** Calls listed individually in a report; further calls are counted and still judged. */
export const MAX_LISTED_CALLS = 10_000;
/** Distinct findings listed in a report; further ones are counted. */
export const MAX_LISTED_FINDINGS = 2_000;

export interface RecordedFinding extends Finding {
  /** How many times the same finding (code, global or message key) occurred; the offset is the first. */
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
  /** Findings by code, then by key: no key string is concatenated on the hot path of a repeated finding. */
  private readonly findingIndex = new Map<FindingCode, Map<string, RecordedFinding>>();
  private readonly globalIndex = new Map<string, number>();
  /** Index of the pickle being run, stamped on everything recorded. */
  pickle = 0;

  constructor(private readonly baseOffset: number) {}

  /**
   * Adds a finding, or bumps the count of an equal one. `key` decides what counts as equal
   * (default: code + message).
   */
  finding(code: FindingCode, message: string, offset: number | null, extra: Partial<Finding> = {}, key?: string, severity?: Severity): RecordedFinding {
    const k = key ?? message;
    let byCode = this.findingIndex.get(code);
    const existing = byCode === undefined ? undefined : byCode.get(k);
    if (existing) {
      existing.count = (existing.count ?? 1) + 1;
      return existing;
    }
    const f: RecordedFinding = {
      code,
      severity: severity ?? FINDING_CODES[code].severity,
      message,
      offset: offset === null ? null : offset + this.baseOffset,
      pickle: this.pickle,
      ...extra,
    };
    if (this.findings.length >= MAX_LISTED_FINDINGS) {
      // not listed, but its severity still counts towards the verdict (see scan())
      this.droppedFindings++;
      if (SEVERITY_RANK[f.severity] > SEVERITY_RANK[this.droppedWorst]) this.droppedWorst = f.severity;
      return f;
    }
    if (byCode === undefined) this.findingIndex.set(code, (byCode = new Map()));
    byCode.set(k, f);
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
      this.globals.push({
        module,
        name,
        resolved: j.resolved,
        offset: offset + this.baseOffset,
        opcode,
        pickle: this.pickle,
        decision: j.decision,
        ...(j.reason ? { reason: j.reason } : {}),
      });
    }
    const spelled = `${module} ${name}`;
    if (j.decision === 'deny') {
      this.finding('DENIED_GLOBAL', `${opcode} imports ${j.resolved}${j.resolved !== `${module}.${name}` ? ` (written as ${spelled})` : ''}: ${j.reason ?? 'denied by the policy'}`, offset, { opcode, global: spelled }, key);
    } else if (j.decision === 'unlisted') {
      this.finding('UNLISTED_GLOBAL', `${opcode} imports ${j.resolved}${j.resolved !== `${module}.${name}` ? ` (written as ${spelled})` : ''}, which the policy does not allow`, offset, { opcode, global: spelled }, key);
    }
    return id;
  }

  /** Takes an import recorded by another run over the same input (offsets already final). */
  adopt(g: GlobalRef): void {
    const key = g.module + '\0' + g.name + '\0' + g.resolved + '\0' + g.decision;
    if (this.globalIndex.has(key)) return;
    this.globalIndex.set(key, this.globals.length);
    this.globals.push({ ...g, pickle: this.pickle });
  }

  call(offset: number, opcode: string, kind: CallKind, callee: string, pseudo: string): void {
    this.callCount++;
    if (this.calls.length < MAX_LISTED_CALLS) {
      this.calls.push({ offset: offset + this.baseOffset, opcode, pickle: this.pickle, kind, callee, pseudo });
    }
  }
}
