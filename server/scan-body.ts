/**
 * How the service judges one body, the same on the event loop and in a scan thread:
 *   - under a policy with a `wire` section (mxnet-optimizer): the body is one raw pickle stream, scanned
 *     with `scan()`/`scanSource()` and never opened as a container (the wire carries a pickle, nothing else);
 *   - under any other policy: as the CLI scans a file, with the library's file-level scan
 *     (`scanBytes` for a body in memory, `scanByteSource` over the spool file's descriptor): format
 *     detected by content, containers and compressed streams opened, findings with member paths.
 * Either way the answer is a BodyReport: the CLI's per-file shape plus the policy, findings sorted by
 * severity (most severe first) at every level.
 */
// Direct module paths: src/index.ts re-exports the server's middleware, so importing '../src' would be circular.
import { readSync } from 'node:fs';
import { SNIFF_BYTES } from '../src/containers/detect';
import type { Format } from '../src/containers/formats';
import { FileSource } from '../src/containers/io/file-source';
import { detectFormat } from '../src/containers/registry';
import { prepareOptions, scanByteSource, scanBytes } from '../src/containers/scan-file';
import type { PreparedOptions } from '../src/containers/scan-file';
import type { ContainerLimits } from '../src/containers/limits';
import type { FileResult, MemberResult } from '../src/containers/result';
import type { Limits } from '../src/limits';
import type { CompiledPolicy } from '../src/policy/compile';
import { bySeverity } from '../src/report/findings';
import type { Report } from '../src/report/report';
import { scan, scanSource } from '../src/scan';
import type { z } from 'zod';
import type { BodyReportSchema, ScanTimingSchema } from '../src/report/schema/http';

/** What the service says about one body (src/report/schema/http.ts; type only: the service never loads zod). */
export type BodyReport = z.infer<typeof BodyReportSchema>;
/** Where the time of one request went. */
export type ScanTiming = z.infer<typeof ScanTimingSchema>;

/** The name a body gets when the request gives none: named like a pickle, so bytes that are not recognised are still scanned as one. */
export const DEFAULT_BODY_NAME = 'body.pkl';

/** Suffixes a compressed body gets when it has no name, so that its content is named like a pickle too (`body.pkl.gz` holds `body.pkl`). */
const COMPRESSED_SUFFIX: Partial<Record<Format, string>> = { gzip: '.gz', bzip2: '.bz2', xz: '.xz', lzma: '.lzma', zlib: '.z', 'joblib-zlib': '.z', zstd: '.zst', lz4: '.lz4' };

/**
 * The name of a body the request did not name: DEFAULT_BODY_NAME, plus the suffix of its compression
 * when its format (detected by the library, from its first bytes) is a compressed stream, as the CLI
 * sees `model.pkl.gz`. Names given by the client are used as they are.
 */
export function defaultBodyName(head: Uint8Array, size: number): string {
  const suffix = COMPRESSED_SUFFIX[detectFormat(head, size, DEFAULT_BODY_NAME, false)];
  return suffix ? DEFAULT_BODY_NAME + suffix : DEFAULT_BODY_NAME;
}

function headOf(body: BodyBytes): Uint8Array {
  if ('bytes' in body) return body.bytes.subarray(0, SNIFF_BYTES);
  const head = Buffer.alloc(Math.min(SNIFF_BYTES, body.size));
  let got = 0;
  while (got < head.length) {
    const n = readSync(body.fd, head, got, head.length - got, got);
    if (n === 0) break;
    got += n;
  }
  return head.subarray(0, got);
}

/** True when the policy judges a transport's raw pickle (it has wire rules): the body is never opened as a container. */
export function isWirePolicy(policy: CompiledPolicy): boolean {
  return policy.spec.wire !== undefined;
}

/** Where a body's bytes are: in memory, or in an open file (a spooled body's descriptor). */
export type BodyBytes = { bytes: Uint8Array } | { fd: number; size: number };

export interface BodyScanOptions {
  policy: CompiledPolicy;
  limits?: Partial<Limits>;
  containerLimits?: Partial<ContainerLimits>;
  /** The body's name (finding paths, format hint); undefined when the request gave none (see defaultBodyName). */
  name: string | undefined;
}

/** The BodyReport of a raw pickle scan: one stream of format `pickle`, its findings under the body's name. */
export function rawBodyReport(report: Report, name: string): BodyReport {
  const path = [name];
  const findings = report.findings.length === 0 ? [] : bySeverity(report.findings.map((f) => ({ ...f, path })));
  const out: BodyReport = {
    path: name,
    format: 'pickle',
    size: report.size,
    verdict: report.verdict,
    accepted: report.accepted,
    policy: report.policy,
    findings,
    members: [],
    pickles: report.pickles,
    globals: report.globals,
    calls: report.calls,
    timeMs: report.timeMs,
  };
  if (report.optimizer) out.optimizer = report.optimizer;
  return out;
}

function sortMembers(members: MemberResult[]): MemberResult[] {
  for (const m of members) {
    m.findings = bySeverity(m.findings);
    if (m.members.length) sortMembers(m.members);
  }
  return members;
}

/** The BodyReport of a file-level scan: the FileResult, the policy next to the verdict, findings sorted. */
export function fileBodyReport(r: FileResult, policy: string): BodyReport {
  const { path, format, size, verdict, accepted, findings, members, timeMs, error, ...rest } = r;
  return {
    path,
    format,
    size,
    verdict,
    accepted,
    policy,
    ...(error ? { error } : {}),
    findings: bySeverity(findings),
    members: sortMembers(members),
    ...rest,
    timeMs,
  };
}

/** Prepared file-scan options per policy (the service's limits are fixed; a scan thread receives copies of them). */
const prepared = new WeakMap<CompiledPolicy, { limits: unknown; containerLimits: unknown; options: PreparedOptions }>();
const same = (a: unknown, b: unknown): boolean => a === b || JSON.stringify(a) === JSON.stringify(b);

function preparedFor(o: BodyScanOptions): PreparedOptions {
  const known = prepared.get(o.policy);
  if (known && same(known.limits, o.limits) && same(known.containerLimits, o.containerLimits)) return known.options;
  const options = prepareOptions({ policy: o.policy, ...(o.limits ? { limits: o.limits } : {}), ...(o.containerLimits ? { containerLimits: o.containerLimits } : {}) });
  prepared.set(o.policy, { limits: o.limits, containerLimits: o.containerLimits, options });
  return options;
}

/** A raw pickle scan of a body (wire policies): synchronous, the service's hot path. */
export function scanRawBody(body: BodyBytes, o: BodyScanOptions): BodyReport {
  const options = { policy: o.policy, ...(o.limits ? { limits: o.limits } : {}) };
  const report = 'bytes' in body ? scan(body.bytes, options) : scanSource(new FileSource(body.fd, body.size), options);
  return rawBodyReport(report, o.name ?? DEFAULT_BODY_NAME);
}

/** Judges a body (the scan itself is synchronous; a spooled body is read by positional reads of its descriptor). */
export async function scanBody(body: BodyBytes, o: BodyScanOptions): Promise<BodyReport> {
  if (isWirePolicy(o.policy)) return scanRawBody(body, o);
  const size = 'bytes' in body ? body.bytes.length : body.size;
  const name = o.name ?? defaultBodyName(headOf(body), size);
  const result = 'bytes' in body ? await scanBytes(body.bytes, name, preparedFor(o)) : scanByteSource(name, name, new FileSource(body.fd, body.size), preparedFor(o));
  return fileBodyReport(result, o.policy.name);
}
