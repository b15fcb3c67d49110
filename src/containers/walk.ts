/**
 * The container walker: detect a stream's format through the registry, let its reader read it, and
 * recurse into what it holds, down to the pickles, which go to `scanSource()`. Everything is
 * synchronous over ByteSources (files by positional reads, members as slices, decoded streams as
 * they are decoded); nothing reads a whole stream itself. Every problem becomes a finding with the
 * path of the stream it is about; nothing here throws on bad input.
 */
import { scanSource } from '../scan';
import type { ScanOptions } from '../options';
import { readBytes, type ByteSource } from '../pickle/source';
import { SEVERITY_RANK, maxSeverity, type Finding, type Severity } from '../report/findings';
import { makeFinding, type RuleArgs, type RuleId } from '../report/rules';
import type { Report, Verdict } from '../report/report';
import type { Anomaly } from './anomaly';
import { DecodedSource, decoderFor, type Codec, type InflateBudget } from './decode';
import { SNIFF_BYTES } from './detect';
import { isPickleNamed, type Format } from './formats';
import { sizeOf } from './io/sources';
import type { ContainerLimits } from './limits';
import type { PickleScan, StreamReader, Visit } from './reader';
import { detectFormat, detectReader, probeOf } from './registry';
import type { MemberResult } from './result';

/** A pickle stream the walker scanned (for `picklegate disasm`). */
export interface ScannedPickle {
  /** File name, then members, down to this stream. */
  path: string[];
  /** The pickle stream (valid during the callback only: the file may be closed after it). */
  src: ByteSource;
  /** Offset of the stream within the member named last in `path`. */
  base: number;
  report: Report;
}

/** State shared by every stream of one file. */
export interface WalkContext {
  /** Options for `scan()`, with the policy already compiled. */
  scan: ScanOptions;
  limits: ContainerLimits;
  /** Highest severity the policy accepts (0 = safe only, 1 = suspicious). */
  acceptRank: number;
  /** Decompressed bytes of this file so far, against --max-inflated-bytes. */
  budget: InflateBudget;
  /** Archive members seen so far. */
  members: number;
  /** Set when anything in the file is not accepted. */
  rejected: boolean;
  /** Set once a member-count finding was emitted. */
  membersCapped: boolean;
  /** Called for every pickle stream scanned, right after its scan. */
  onPickle?: (p: ScannedPickle) => void;
}

export function newWalkContext(p: { scan: ScanOptions; limits: ContainerLimits; acceptRank: number }, onPickle?: (p: ScannedPickle) => void): WalkContext {
  return { scan: p.scan, limits: p.limits, acceptRank: p.acceptRank, budget: { max: p.limits.maxInflatedBytes, used: 0 }, members: 0, rejected: false, membersCapped: false, onPickle };
}

const verdictOf = (s: Severity): Verdict => (s === 'info' ? 'safe' : s);
const CONTAINER_KINDS = new Set(['archive', 'compressed']);

class Node implements Visit {
  readonly result: MemberResult;
  constructor(
    readonly ctx: WalkContext,
    readonly src: ByteSource,
    readonly name: string,
    readonly path: string[],
    format: Format,
    readonly depth: number,
  ) {
    this.result = { name, path, format, size: src.size ?? 0, verdict: 'safe', findings: [], members: [] };
    this.sizeUnknown = src.size === undefined;
  }

  private readonly sizeUnknown: boolean;

  get limits(): ContainerLimits {
    return this.ctx.limits;
  }

  add<R extends RuleId>(rule: R, args: RuleArgs<R>, offset: number | null, member?: string): void {
    const path = member === undefined ? this.result.path : [...this.result.path, member];
    this.push(makeFinding(rule, { offset, path }, args));
  }

  anomaly(a: Anomaly): void {
    this.add(a.rule, a.args as never, a.offset, a.member);
  }

  setFormat(format: Format): void {
    this.result.format = format;
  }

  private push(f: Finding): void {
    if (SEVERITY_RANK[f.severity] > this.ctx.acceptRank) this.ctx.rejected = true;
    this.result.findings.push(f);
  }

  pickle(src: ByteSource, opts: PickleScan = {}): Report | null {
    let report: Report;
    try {
      report = scanSource(src, { ...this.ctx.scan, ...opts });
    } catch (err) {
      if ((err as Error)?.name === 'PolicyError') throw err;
      this.add('MALFORMED/scanner-failed', { why: (err as Error)?.message ?? String(err) }, null);
      return null;
    }
    this.addReport(report);
    this.ctx.onPickle?.({ path: this.path, src, base: opts.baseOffset ?? 0, report });
    return report;
  }

  private addReport(report: Report): void {
    if (!report.accepted) this.ctx.rejected = true;
    for (const f of report.findings) this.result.findings.push({ ...f, path: [...this.result.path, ...(f.path ?? [])] });
    this.result.pickles = report.pickles;
    this.result.globals = report.globals;
    this.result.calls = report.calls;
    if (report.optimizer) this.result.optimizer = report.optimizer;
    if (report.globals.some((g) => g.module === 'joblib.numpy_pickle' || g.module === 'sklearn.externals.joblib.numpy_pickle')) this.result.format = 'joblib';
  }

  member(name: string, src: ByteSource, as?: StreamReader): void {
    this.result.members.push(walkStream(src, name, [...this.path, name], this.ctx, this.depth + 1, as));
  }

  worthWalking(head: Uint8Array, size: number, name: string): boolean {
    const f = detectFormat(head, size, name, false);
    return !INERT_FORMATS.has(f) || isPickleNamed(name);
  }

  skip(): void {
    this.result.skippedMembers = (this.result.skippedMembers ?? 0) + 1;
  }

  membersLeft(): number {
    return Math.max(0, this.ctx.limits.maxMembers - this.ctx.members);
  }

  countMembers(n: number): number {
    const ctx = this.ctx;
    const room = this.membersLeft();
    ctx.members += Math.min(n, room);
    if (n > room && !ctx.membersCapped) {
      ctx.membersCapped = true;
      this.add('LIMIT_EXCEEDED/max-members', { max: ctx.limits.maxMembers }, null);
    }
    return Math.min(n, room);
  }

  decode(codec: Codec, input: ByteSource): DecodedSource {
    return new DecodedSource(decoderFor(codec), input, { budget: this.ctx.budget, maxRatio: this.ctx.limits.maxRatio });
  }

  budgetLeft(): number {
    return Math.max(0, this.ctx.budget.max - this.ctx.budget.used);
  }

  finish(): MemberResult {
    const r = this.result;
    // a decoded stream's size is known once it has been read to its end
    if (this.sizeUnknown) r.size = this.src.size ?? sizeOf(this.src);
    for (const m of r.members) r.findings.push(...m.findings);
    r.verdict = verdictOf(maxSeverity(r.findings));
    return r;
  }
}

/** Formats whose content no loader unpickles (members in them are counted, not walked). */
const INERT_FORMATS: ReadonlySet<Format> = new Set(['safetensors', 'gguf', 'hdf5', 'text', 'data', 'empty']);

/**
 * Scan one stream: detect, read, recurse. `depth` counts the containers above it; `as` forces a
 * reader (the zip of a polyglot, the pickle hiding in a legacy torch tail).
 */
export function walkStream(src: ByteSource, name: string, path: string[], ctx: WalkContext, depth: number, as?: StreamReader): MemberResult {
  const head = readBytes(src, 0, SNIFF_BYTES);
  const probe = probeOf(src, head, name);
  const reader = as ?? detectReader(probe);
  const node = new Node(ctx, src, name, path, reader.format, depth);
  if (depth === 0 && src.size !== undefined && src.size > ctx.limits.maxFileBytes) {
    node.add('LIMIT_EXCEEDED/max-file-bytes', { size: src.size, max: ctx.limits.maxFileBytes, compressed: false }, null);
    return node.finish();
  }
  if (CONTAINER_KINDS.has(reader.kind) && depth >= ctx.limits.maxDepth) {
    node.add('LIMIT_EXCEEDED/max-depth', { format: reader.format, depth, max: ctx.limits.maxDepth }, 0);
    return node.finish();
  }
  try {
    reader.read(src, node, probe);
  } catch (err) {
    if ((err as Error)?.name === 'PolicyError') throw err;
    node.add('MALFORMED/scanner-failed', { why: (err as Error)?.message ?? String(err) }, null);
  }
  return node.finish();
}
