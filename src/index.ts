/**
 * picklegate: find every import and call a Python pickle would make, without running Python.
 *
 * @example
 * import { scan } from 'picklegate';
 * const report = scan(bytes, { policy: 'mxnet-optimizer' });
 * if (!report.accepted) console.error(report.verdict, report.findings);
 */
export { scan, scanSource } from './scan';
export { MemorySource, SliceSource } from './pickle/source';
export type { ByteSource } from './pickle/source';
export type { ScanOptions } from './options';
export { DEFAULT_LIMITS } from './limits';
export type { Limits } from './limits';
export type { Report, Verdict, GlobalRef, GlobalDecision, CallRecord, CallKind, PickleSummary } from './report/report';
export { FINDING_CODES, SEVERITY_RANK, maxSeverity } from './report/findings';
export type { Finding, FindingCode, FindingSite, Severity } from './report/findings';
export { CompiledPolicy } from './policy/compile';
export type { Judgement } from './policy/compile';
export type { ArgumentGuard, CallVerdict, GuardedArgs, MethodVerdicts, ReviewedReceivers, StoringBuild } from './names/catalogue/verdict';
export { parsePolicy, compilePolicy, loadPolicyFile, getPolicy, listPolicies, resolvePolicy, PolicyError } from './policy/registry';
export type { ParsePolicyResult } from './policy/registry';
export type { PolicySpec, PolicyRule, Bound, OptimizerBounds } from './policy/schema';
export { PolicySchema } from './policy/schema';
export { readOps, ReadOpsError, OPCODES, OPCODE_BY_CODE, Op } from './pickle';
export type { OpRecord, OpcodeInfo, OpcodeName, ReadOpsErrorDetail } from './pickle';
export { RULES } from './report/rules';
export type { RuleId } from './report/rules';
export { scanFile, scanBytes, scanStdin, scanStream, prepareOptions, STREAM_MEMORY_THRESHOLD } from './containers/scan-file';
export type { FileScanOptions, PreparedOptions, StreamScanOptions } from './containers/scan-file';
export { scanPaths, planFiles } from './containers/scan-paths';
export type { PathScanOptions, PlannedFile } from './containers/scan-paths';
export type { FileResult, MemberResult, StreamResult } from './containers/result';
export type { Format } from './containers/formats';
export { DEFAULT_CONTAINER_LIMITS } from './containers/limits';
export type { ContainerLimits } from './containers/limits';
export type { OptimizerSummary, SchedulerSummary, HyperValue } from './report/optimizer';
