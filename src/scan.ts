/**
 * `scan`: bytes → symbolic machine → policy → Report. Synchronous and pure: no I/O, no Python, no
 * unpickling. Never throws on bad input (that is a finding); throws PolicyError only for a bad policy.
 */
import { policyChecks } from './formats';
import { DEFAULT_LIMITS, type Limits } from './limits';
import { Machine } from './machine/machine';
import type { ScanOptions } from './options';
import { MemorySource, sizeOf, type ByteSource } from './pickle/source';
import { resolvePolicy } from './policy/registry';
import { SEVERITY_RANK, maxSeverity } from './report/findings';
import type { Finding } from './report/findings';
import type { CallRecord, GlobalRef, Report, Verdict } from './report/report';
import { makeFinding } from './report/rules';
import { now } from './clock';

export function scan(bytes: Uint8Array, options: ScanOptions = {}): Report {
  return scanSource(new MemorySource(bytes), options);
}

/**
 * Scans the pickle stream of a byte source (a file, a slice of one, a decompressor's output) through
 * a bounded window: memory does not grow with the input, and bytes payloads are skipped, not read.
 */
export function scanSource(src: ByteSource, options: ScanOptions = {}): Report {
  const t0 = now();
  const policy = resolvePolicy(options.policy);
  const limits = mergedLimits(options.limits);
  const checks = policyChecks(policy);
  const m = new Machine(src, { policy, limits, baseOffset: options.baseOffset ?? 0, stopAfter: options.stopAfter, depth: 0, hooks: checks.hooks, window: options.window });
  const rec = m.rec;
  try {
    m.run();
    attachCalls(rec.findings, rec.globals, rec.calls);
    for (const h of m.hooks) h.finish?.(m.results, m.pickles.length);
  } catch (e) {
    // fail closed: a bug of ours must never turn into an accepted input or a crash of the caller
    rec.add('ANALYSIS_ERROR/internal-error', { offset: null }, { why: e instanceof Error ? e.message : String(e) });
  }
  if (rec.droppedFindings > 0) {
    const id = rec.droppedWorst === 'dangerous' ? 'LIMIT_EXCEEDED/unlisted-dangerous-findings' : 'LIMIT_EXCEEDED/unlisted-findings';
    rec.findings.push(makeFinding(id, { offset: null }, { count: rec.droppedFindings, worst: rec.droppedWorst }));
  }
  const severity = maxSeverity(rec.findings);
  const verdict: Verdict = severity === 'info' ? 'safe' : severity;
  const acceptRank = SEVERITY_RANK[policy.spec.accept === 'suspicious' ? 'suspicious' : 'info'];
  const report: Report = {
    verdict,
    accepted: SEVERITY_RANK[severity] <= acceptRank,
    policy: policy.name,
    findings: rec.findings,
    globals: rec.globals,
    calls: rec.calls,
    pickles: m.pickles,
    size: sizeOf(src),
    counts: { opcodes: m.pickles.reduce((n, p) => n + p.opcodes, 0), globals: rec.globalCount, calls: rec.callCount },
    timeMs: 0,
  };
  const summary = checks.optimizerSummary(rec);
  if (summary) report.optimizer = summary;
  report.timeMs = Math.round((now() - t0) * 1000) / 1000;
  return report;
}

/** DEFAULT_LIMITS (frozen, never written) with the overrides, if any. */
function mergedLimits(overrides: Partial<Limits> | undefined): Limits {
  return overrides === undefined ? DEFAULT_LIMITS : { ...DEFAULT_LIMITS, ...overrides };
}

/** Import findings also show the first call made with that import (`os.system('id')`), for people. */
function attachCalls(findings: Finding[], globals: readonly GlobalRef[], calls: readonly CallRecord[]): void {
  if (!findings.some((f) => !f.call && f.global)) return;
  const resolved = new Map(globals.map((g) => [`${g.module} ${g.name}`, g.resolved]));
  const firstCall = new Map<string, string>();
  for (const c of calls) if (!firstCall.has(c.callee)) firstCall.set(c.callee, c.pseudo);
  for (const f of findings) {
    if (f.call || !f.global) continue;
    const name = resolved.get(f.global);
    const call = name === undefined ? undefined : firstCall.get(name);
    if (call) f.call = call;
  }
}
