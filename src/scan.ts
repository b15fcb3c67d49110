/**
 * `scan`: bytes → symbolic machine → policy → Report. Synchronous and pure: no I/O, no Python, no
 * unpickling. Never throws on bad input (that is a finding); throws PolicyError only for a bad policy.
 */
import { DEFAULT_LIMITS, type Limits } from './limits';
import { Machine } from './machine/machine';
import type { ScanOptions } from './options';
import { inspectOptimizer } from './optimizer/inspect';
import { resolvePolicy } from './policy/registry';
import { FINDING_CODES, SEVERITY_RANK, maxSeverity } from './report/findings';
import type { CallRecord, GlobalRef, Report, Verdict } from './report/report';
import type { Finding } from './report/findings';

export function scan(bytes: Uint8Array, options: ScanOptions = {}): Report {
  const t0 = performance.now();
  const policy = resolvePolicy(options.policy);
  const limits: Limits = { ...DEFAULT_LIMITS, ...(options.limits ?? {}) };
  const baseOffset = options.baseOffset ?? 0;
  const m = new Machine(bytes, { policy, limits, baseOffset, stopAfter: options.stopAfter, depth: 0 });
  const rec = m.rec;
  let optimizer: Report['optimizer'];
  try {
    m.run();
    attachCalls(rec.findings, rec.globals, rec.calls);
    optimizer = policy.spec.optimizer ? inspectOptimizer(m.results, bytes, policy.spec.optimizer, rec, m.pickles.length) : undefined;
  } catch (e) {
    // fail closed: a bug of ours must never turn into an accepted input or a crash of the caller
    rec.finding('ANALYSIS_ERROR', `analysis failed (${e instanceof Error ? e.message : String(e)}); everything found before the failure is reported`, null);
  }
  if (rec.droppedFindings > 0) {
    rec.findings.push({
      code: 'LIMIT_EXCEEDED',
      severity: SEVERITY_RANK[rec.droppedWorst] > SEVERITY_RANK.suspicious ? rec.droppedWorst : FINDING_CODES.LIMIT_EXCEEDED.severity,
      message: `${rec.droppedFindings} further findings were not listed (the most severe of them: ${rec.droppedWorst})`,
      offset: null,
    });
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
    size: bytes.length,
    counts: { opcodes: m.pickles.reduce((n, p) => n + p.opcodes, 0), globals: rec.globalCount, calls: rec.callCount },
    timeMs: 0,
  };
  if (optimizer) report.optimizer = optimizer;
  report.timeMs = Math.round((performance.now() - t0) * 1000) / 1000;
  return report;
}

/** Import findings also show the first call made with that import (`os.system('id')`), for people. */
function attachCalls(findings: Finding[], globals: readonly GlobalRef[], calls: readonly CallRecord[]): void {
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
