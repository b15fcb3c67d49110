/**
 * picklegate: find every import and call a Python pickle would make, without running Python.
 *
 * @example
 * import { scan } from 'picklegate';
 * const report = scan(bytes, { policy: 'mxnet-optimizer' });
 * if (!report.accepted) console.error(report.verdict, report.findings);
 */
export { scan } from './scan';
export type { ScanOptions } from './options';
export { DEFAULT_LIMITS } from './limits';
export type { Limits } from './limits';
export type { Report, Verdict, GlobalRef, GlobalDecision, CallRecord, CallKind, PickleSummary } from './report/report';
export { FINDING_CODES, SEVERITY_RANK, maxSeverity } from './report/findings';
export type { Finding, FindingCode, Severity } from './report/findings';
export { CompiledPolicy } from './policy/compile';
export type { Judgement } from './policy/compile';
export { parsePolicy, compilePolicy, loadPolicyFile, getPolicy, listPolicies, resolvePolicy, PolicyError } from './policy/registry';
export type { ParsePolicyResult } from './policy/registry';
export type { PolicySpec, PolicyRule, Bound, OptimizerBounds } from './policy/schema';
export { PolicySchema } from './policy/schema';
export { readOps, OPCODES, OPCODE_BY_CODE } from './pickle';
export type { Op, OpcodeInfo } from './pickle';
/**
 * Express middleware that reads a body up to a cap, scans it, and calls `next()` only for accepted
 * bodies (see the HTTP section of the README). Loaded on first use, so using the scanner alone never
 * loads express.
 *
 * @example
 * app.post('/command', pickleGuard({ policy: 'mxnet-optimizer' }), (req, res) => res.sendStatus(204));
 */
export function pickleGuard(options?: import('../server/middleware').PickleGuardOptions): import('express').RequestHandler {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../server/middleware') as typeof import('../server/middleware')).pickleGuard(options);
}
export type { PickleGuardOptions } from '../server/middleware';
export { scanFile, scanBytes, scanStdin, prepareOptions } from './containers/scan-file';
export type { FileScanOptions, PreparedOptions } from './containers/scan-file';
export { scanPaths, planFiles } from './containers/scan-paths';
export type { PathScanOptions, PlannedFile } from './containers/scan-paths';
export type { FileResult, MemberResult, StreamResult } from './containers/result';
export type { Format } from './containers/formats';
export { DEFAULT_CONTAINER_LIMITS } from './containers/limits';
export type { ContainerLimits } from './containers/limits';
export type { OptimizerSummary, SchedulerSummary, HyperValue } from './optimizer/summary';
