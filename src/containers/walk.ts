/**
 * The container walker: detect a stream's format by content, open it, and recurse into what it
 * holds, down to the pickles, which go to `scan()`. Every problem becomes a finding with the path
 * of the stream it is about; nothing here throws on bad input.
 */
import { scan } from '../scan';
import type { ScanOptions } from '../options';
import { SEVERITY_RANK, maxSeverity, type Finding, type Severity } from '../report/findings';
import { makeFinding, type RuleArgs, type RuleId } from '../report/rules';
import { findPickleStart } from '../pickle/sniff';
import type { Report, Verdict } from '../report/report';
import type { Anomaly } from './anomaly';
import { DecompressError, bunzip2, gunzip, inflateJoblibZ, inflateRaw, inflateRawPrefix, inflateZlib, unlzma, unxz, type DecompressCaps } from './compressed';
import { SNIFF_BYTES, detectFormat } from './detect';
import { COMPRESSED, INERT, UNSUPPORTED, isPickleNamed, type Format } from './formats';
import type { ContainerLimits } from './limits';
import { parseNpyHeader } from './npy';
import type { MemberResult } from './result';
import { BufferSource, SliceSource, readAll, type Source } from './source';
import { listTar } from './tar';
import { countKeys, storageTailMatches } from './torch-legacy';
import { METHOD_STORED, checkLocalHeaders, findEocd, readZipDirectory, type ZipEntry } from './zip';
import * as zlib from 'node:zlib';

/** State shared by every stream of one file. */
export interface WalkContext {
  /** Options for `scan()`, with the policy already compiled. */
  scan: ScanOptions;
  limits: ContainerLimits;
  /** Highest severity the policy accepts (0 = safe only, 1 = suspicious). */
  acceptRank: number;
  /** Bytes produced by decompression so far. */
  inflated: number;
  /** Archive members seen so far. */
  members: number;
  /** Set when anything in the file is not accepted. */
  rejected: boolean;
  /** Set once a member-count finding was emitted. */
  membersCapped: boolean;
}

const verdictOf = (s: Severity): Verdict => (s === 'info' ? 'safe' : s);

/** Stored members up to this size are read whole (CRC and scan from memory); larger ones stay on disk. */
const READ_STORED_WHOLE = 256 * 1024 * 1024;

const COMPRESSED_SUFFIX: Partial<Record<Format, RegExp>> = {
  gzip: /\.(gz|tgz)$/i,
  bzip2: /\.(bz2|tbz2?)$/i,
  xz: /\.(xz|txz)$/i,
  lzma: /\.lzma$/i,
  zlib: /\.(z|zlib)$/i,
  'joblib-zlib': /\.z$/i,
};

class Node {
  readonly result: MemberResult;
  constructor(
    readonly ctx: WalkContext,
    name: string,
    path: string[],
    format: Format,
    size: number,
  ) {
    this.result = { name, path, format, size, verdict: 'safe', findings: [], members: [] };
  }

  add<R extends RuleId>(rule: R, args: RuleArgs<R>, offset: number | null, member?: string): void {
    const path = member === undefined ? this.result.path : [...this.result.path, member];
    this.push(makeFinding(rule, { offset, path }, args));
  }

  addAnomaly(a: Anomaly): void {
    this.add(a.rule, a.args as never, a.offset, a.member);
  }

  push(f: Finding): void {
    if (SEVERITY_RANK[f.severity] > this.ctx.acceptRank) this.ctx.rejected = true;
    this.result.findings.push(f);
  }

  addReport(report: Report): void {
    if (!report.accepted) this.ctx.rejected = true;
    for (const f of report.findings) this.result.findings.push({ ...f, path: [...this.result.path, ...(f.path ?? [])] });
    this.result.pickles = report.pickles;
    this.result.globals = report.globals;
    this.result.calls = report.calls;
    if (report.optimizer) this.result.optimizer = report.optimizer;
    if (report.globals.some((g) => g.module === 'joblib.numpy_pickle' || g.module === 'sklearn.externals.joblib.numpy_pickle')) this.result.format = 'joblib';
  }

  child(m: MemberResult): void {
    this.result.members.push(m);
  }

  skip(): void {
    this.result.skippedMembers = (this.result.skippedMembers ?? 0) + 1;
  }

  finish(): MemberResult {
    const r = this.result;
    for (const m of r.members) r.findings.push(...m.findings);
    r.verdict = verdictOf(maxSeverity(r.findings));
    return r;
  }
}

function runScan(node: Node, bytes: Uint8Array, extra: Partial<ScanOptions> = {}): Report | null {
  try {
    const report = scan(bytes, { ...node.ctx.scan, ...extra });
    node.addReport(report);
    return report;
  } catch (err) {
    if ((err as Error)?.name === 'PolicyError') throw err;
    node.add('MALFORMED/scanner-failed', { why: (err as Error)?.message ?? String(err) }, null);
    return null;
  }
}

async function loadBytes(node: Node, src: Source): Promise<Uint8Array | null> {
  if (src.size > node.ctx.limits.maxFileBytes) {
    node.add('LIMIT_EXCEEDED/max-file-bytes', { size: src.size, max: node.ctx.limits.maxFileBytes, compressed: false }, null);
    return null;
  }
  return readAll(src);
}

/** Scan one stream: detect, open, recurse. `depth` counts the containers above it. */
export async function walkStream(src: Source, name: string, path: string[], ctx: WalkContext, depth: number): Promise<MemberResult> {
  const head = await src.read(0, SNIFF_BYTES);
  const eocd = src.size >= 22 && head[0] !== 0x50 ? (await findEocd(src)) !== null : false;
  const format = detectFormat(head, src.size, name, eocd);
  const node = new Node(ctx, name, path, format, src.size);
  const isContainer = format === 'zip' || format === 'tar' || COMPRESSED.has(format);
  if (isContainer && depth >= ctx.limits.maxDepth) {
    node.add('LIMIT_EXCEEDED/max-depth', { format, depth, max: ctx.limits.maxDepth }, 0);
    return node.finish();
  }
  if (format === 'pickle') await onPickle(node, src, eocd, depth);
  else if (format === 'torch-legacy') await onTorchLegacy(node, src);
  else if (format === 'npy') await onNpy(node, src, head);
  else if (format === 'zip') await onZip(node, src, depth, true);
  else if (format === 'tar') await onTar(node, src, depth);
  else if (COMPRESSED.has(format)) await onCompressed(node, src, depth);
  else if (UNSUPPORTED.has(format)) {
    node.add('UNSUPPORTED_FORMAT/unsupported-format', { format }, 0);
  } else await onInert(node, src);
  return node.finish();
}

async function onPickle(node: Node, src: Source, eocd: boolean, depth: number): Promise<void> {
  const bytes = await loadBytes(node, src);
  if (bytes) runScan(node, bytes);
  if (eocd) {
    // A pickle at offset 0 and a zip directory at the end: pickle.load reads the first, zip readers the second.
    node.add('CONTAINER_ANOMALY/pickle-zip-polyglot', {}, 0);
    const zipNode = new Node(node.ctx, '<appended zip>', [...node.result.path, '<appended zip>'], 'zip', src.size);
    await onZip(zipNode, src, depth + 1, false);
    node.child(zipNode.finish());
  }
}

async function onTorchLegacy(node: Node, src: Source): Promise<void> {
  const bytes = await loadBytes(node, src);
  if (!bytes) return;
  const report = runScan(node, bytes, { stopAfter: 5 });
  if (!report) return;
  const complete = report.pickles.filter((p) => p.complete);
  if (complete.length < 5) {
    node.add('CONTAINER_ANOMALY/legacy-torch-pickles', { complete: complete.length }, null);
    return;
  }
  const keys = complete[4];
  const nKeys = countKeys(bytes, keys.start, keys.end);
  const ok = nKeys === null ? null : storageTailMatches(bytes, keys.end, bytes.length, nKeys);
  if (ok === true) return;
  node.add('CONTAINER_ANOMALY/legacy-torch-tail', { bytes: bytes.length - keys.end, matched: ok, keys: nKeys }, keys.end);
  // Whatever hides there: the first place that reads as a protocol 2+ pickle is scanned as one.
  const at = findPickleStart(bytes, keys.end, { protocol0: false, sniff: SNIFF_BYTES, maxCandidates: 10_000 });
  if (at >= 0) {
    const tail = bytes.subarray(at);
    const tailNode = new Node(node.ctx, '<storage tail>', [...node.result.path, '<storage tail>'], 'pickle', tail.length);
    runScan(tailNode, tail, { baseOffset: at });
    node.child(tailNode.finish());
  }
}

async function onNpy(node: Node, src: Source, head: Uint8Array): Promise<void> {
  let header = parseNpyHeader(head);
  if ('error' in header && head.length < src.size && head.length >= 12) {
    const want = Math.min(src.size, 12 + ((head[8] | (head[9] << 8) | (head[10] << 16) | (head[11] << 24)) >>> 0), 16 * 1024 * 1024);
    header = parseNpyHeader(await src.read(0, want));
  }
  if ('error' in header) {
    node.add('CONTAINER_ANOMALY/npy-header', { why: header.error }, 0);
    return;
  }
  const dataBytes = src.size - header.dataOffset;
  if (header.hasObject) {
    // numpy.save pickles object arrays right after the header; numpy.load(allow_pickle=True) unpickles it.
    const bytes = await loadBytes(node, new SliceSource(src, header.dataOffset, dataBytes));
    if (bytes) runScan(node, bytes, { baseOffset: header.dataOffset });
    return;
  }
  if (header.expectedDataBytes !== null && header.expectedDataBytes !== dataBytes) {
    node.add('CONTAINER_ANOMALY/npy-data-size', { bytes: dataBytes, expected: header.expectedDataBytes }, header.dataOffset + Math.min(dataBytes, header.expectedDataBytes));
  }
}

function countMembers(node: Node, n: number): number {
  const ctx = node.ctx;
  const room = Math.max(0, ctx.limits.maxMembers - ctx.members);
  ctx.members += Math.min(n, room);
  if (n > room && !ctx.membersCapped) {
    ctx.membersCapped = true;
    node.add('LIMIT_EXCEEDED/max-members', { max: ctx.limits.maxMembers }, null);
  }
  return Math.min(n, room);
}

/** Examine a member: anything that is not inert, and anything named like a pickle. */
function worthExamining(head: Uint8Array | null, size: number, name: string): boolean {
  if (head === null) return true;
  const f = detectFormat(head, size, name, false);
  return !INERT.has(f) || isPickleNamed(name);
}

async function onZip(node: Node, src: Source, depth: number, scanPrefix: boolean): Promise<void> {
  const ctx = node.ctx;
  const dir = await readZipDirectory(src, Math.max(0, ctx.limits.maxMembers - ctx.members) + 1);
  if ('error' in dir) {
    node.add('CONTAINER_ANOMALY/zip-unreadable', { why: dir.error }, null);
    return;
  }
  await checkLocalHeaders(src, dir);
  const names = dir.entries.map((e) => e.name);
  if (names.some((n) => n === 'data.pkl' || n.endsWith('/data.pkl'))) node.result.format = 'torch-zip';
  else if (names.length > 0 && names.every((n) => n.endsWith('.npy'))) node.result.format = 'npz';
  for (const a of dir.anomalies) node.addAnomaly(a);
  const n = countMembers(node, Math.max(dir.entries.length, dir.declaredEntries));
  if (scanPrefix && dir.firstLocal > 0) {
    node.add('CONTAINER_ANOMALY/zip-prefix', { bytes: dir.firstLocal }, 0);
    node.child(await walkStream(new SliceSource(src, 0, dir.firstLocal), '<prefix>', [...node.result.path, '<prefix>'], ctx, depth + 1));
  }
  for (const e of dir.entries.slice(0, n)) {
    if (e.unreadable || e.dataStart === null || e.name.endsWith('/')) continue;
    const m = await openZipMember(node, src, e);
    if (m === 'skip') node.skip();
    else if (m) node.child(await walkStream(m, e.name, [...node.result.path, e.name], ctx, depth + 1));
  }
}

function caps(ctx: WalkContext): DecompressCaps {
  return { maxOutput: Math.max(0, Math.min(ctx.limits.maxFileBytes, ctx.limits.maxInflatedBytes - ctx.inflated)), maxRatio: ctx.limits.maxRatio };
}

async function crcOf(src: Source): Promise<number> {
  let crc = 0;
  const chunk = 4 * 1024 * 1024;
  for (let off = 0; off < src.size; off += chunk) crc = zlib.crc32(await src.read(off, chunk), crc);
  return crc >>> 0;
}

/** The member's content as a source, 'skip' when it is inert, or null when it failed (finding added). */
async function openZipMember(node: Node, src: Source, e: ZipEntry): Promise<Source | 'skip' | null> {
  const ctx = node.ctx;
  const start = e.dataStart as number;
  let head: Uint8Array | null;
  if (e.method === METHOD_STORED) head = await src.read(start, Math.min(e.compressedSize, SNIFF_BYTES));
  else head = inflateRawPrefix(await src.read(start, Math.min(e.compressedSize, SNIFF_BYTES)), SNIFF_BYTES);
  if (!worthExamining(head, e.size, e.name)) return 'skip';

  let content: Source;
  if (e.method === METHOD_STORED) {
    if (e.compressedSize !== e.size) node.add('CONTAINER_ANOMALY/zip-stored-size', { compressed: e.compressedSize, size: e.size }, e.localOffset, e.name);
    const slice = new SliceSource(src, start, Math.max(0, Math.min(e.compressedSize, src.size - start)));
    content = slice.size <= READ_STORED_WHOLE && slice.size <= ctx.limits.maxFileBytes ? new BufferSource(await readAll(slice)) : slice;
  } else {
    if (e.size > caps(ctx).maxOutput) {
      node.add('LIMIT_EXCEEDED/inflate-budget', { declared: e.size, budget: ctx.limits.maxInflatedBytes }, e.localOffset, e.name);
      return null;
    }
    if (e.compressedSize > ctx.limits.maxFileBytes) {
      node.add('LIMIT_EXCEEDED/max-file-bytes', { size: e.compressedSize, max: ctx.limits.maxFileBytes, compressed: true }, e.localOffset, e.name);
      return null;
    }
    let out: Uint8Array;
    try {
      out = inflateRaw(await src.read(start, e.compressedSize), caps(ctx));
    } catch (err) {
      const d = err as DecompressError;
      node.add(d.limit ? 'LIMIT_EXCEEDED/inflate-limit' : 'CONTAINER_ANOMALY/corrupt-stream', { what: 'cannot inflate member', why: d.message }, e.localOffset, e.name);
      return null;
    }
    ctx.inflated += out.length;
    if (out.length !== e.size) node.add('CONTAINER_ANOMALY/zip-inflated-size', { bytes: out.length, declared: e.size }, e.localOffset, e.name);
    content = new BufferSource(out);
  }
  const crc = content instanceof BufferSource ? zlib.crc32(content.bytes) >>> 0 : await crcOf(content);
  if (crc !== e.crc32) {
    node.add('CONTAINER_ANOMALY/zip-crc', { crc: hex(crc), declared: hex(e.crc32) }, e.localOffset, e.name);
  }
  return content;
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

async function onTar(node: Node, src: Source, depth: number): Promise<void> {
  const ctx = node.ctx;
  const listing = await listTar(src, Math.max(0, ctx.limits.maxMembers - ctx.members) + 1);
  for (const a of listing.anomalies) node.addAnomaly(a);
  const n = countMembers(node, listing.entries.length);
  for (const e of listing.entries.slice(0, n)) {
    const slice = new SliceSource(src, e.offset, e.size);
    if (!worthExamining(await slice.read(0, SNIFF_BYTES), e.size, e.name)) {
      node.skip();
      continue;
    }
    node.child(await walkStream(slice, e.name, [...node.result.path, e.name], ctx, depth + 1));
  }
}

async function onCompressed(node: Node, src: Source, depth: number): Promise<void> {
  const ctx = node.ctx;
  const format = node.result.format;
  const input = await loadBytes(node, src);
  if (!input) return;
  const c = caps(ctx);
  if (c.maxOutput <= 0) {
    node.add('LIMIT_EXCEEDED/inflate-budget', { declared: null, budget: ctx.limits.maxInflatedBytes }, 0);
    return;
  }
  let out: Uint8Array;
  try {
    if (format === 'gzip') out = gunzip(input, c);
    else if (format === 'bzip2') out = bunzip2(input, c);
    else if (format === 'xz') out = await unxz(input, c);
    else if (format === 'lzma') out = unlzma(input, c);
    else if (format === 'joblib-zlib') out = inflateJoblibZ(input, c);
    else out = inflateZlib(input, c);
  } catch (err) {
    const d = err as DecompressError;
    node.add(d.limit ? 'LIMIT_EXCEEDED/inflate-limit' : 'CONTAINER_ANOMALY/corrupt-stream', { what: `cannot decompress ${format}`, why: d.message }, 0);
    return;
  }
  ctx.inflated += out.length;
  const base = node.result.name.slice(node.result.name.lastIndexOf('/') + 1);
  const suffix = COMPRESSED_SUFFIX[format];
  const inner = suffix && suffix.test(base) ? base.replace(suffix, (m) => (/^\.t/i.test(m) ? '.tar' : '')) : `<${format}>`;
  node.child(await walkStream(new BufferSource(out), inner, [...node.result.path, inner], ctx, depth + 1));
}

async function onInert(node: Node, src: Source): Promise<void> {
  const { format, name } = node.result;
  const label = format === 'data' ? 'binary data' : format === 'empty' ? 'empty' : format;
  if (isPickleNamed(name) && (format === 'text' || format === 'data' || format === 'empty')) {
    // Named like a pickle: let the scanner judge it, and never call it clean.
    const bytes = await loadBytes(node, src);
    const report = bytes ? runScan(node, bytes) : null;
    if (!report || (!report.pickles.some((p) => p.complete) && SEVERITY_RANK[maxSeverity(report.findings)] === 0)) {
      node.result.format = format;
      node.add('NOT_A_PICKLE/named-like-pickle', { label }, 0);
    }
    return;
  }
  node.add('NOT_A_PICKLE/not-a-pickle', { label }, null);
}
