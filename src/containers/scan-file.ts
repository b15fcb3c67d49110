/**
 * File-level entry points: scan a file on disk (read through a handle: only the parts a container
 * needs), a buffer, or stdin, and wrap the walker's result as a FileResult.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { basename } from 'node:path';
import type { ScanOptions } from '../options';
import type { Limits } from '../limits';
import { resolvePolicy } from '../policy/registry';
import { containerLimits, type ContainerLimits } from './limits';
import type { FileResult, MemberResult } from './result';
import { BufferSource, FileSource, type Source } from './source';
import { walkStream, type WalkContext } from './walk';

export interface FileScanOptions {
  /** Built-in policy name, policy spec or compiled policy; default `default`. */
  policy?: ScanOptions['policy'];
  /** Core scanner limits (opcodes, stack, memo...). */
  limits?: Partial<Limits>;
  /** Container limits (read size, inflate budget, depth, members). */
  containerLimits?: Partial<ContainerLimits>;
}

/** Options compiled once and reused for many files. */
export interface PreparedOptions {
  scan: ScanOptions;
  limits: ContainerLimits;
  acceptRank: number;
  policyName: string;
}

export function prepareOptions(options: FileScanOptions | PreparedOptions = {}): PreparedOptions {
  if ('acceptRank' in options) return options;
  const policy = resolvePolicy(options.policy ?? 'default');
  return {
    scan: { policy, limits: options.limits },
    limits: containerLimits(options.containerLimits),
    acceptRank: policy.spec.accept === 'suspicious' ? 1 : 0,
    policyName: policy.name,
  };
}

function newContext(p: PreparedOptions): WalkContext {
  return { scan: p.scan, limits: p.limits, acceptRank: p.acceptRank, inflated: 0, members: 0, rejected: false, membersCapped: false };
}

function toFileResult(path: string, m: MemberResult, ctx: WalkContext, started: number): FileResult {
  const { name: _name, path: _path, ...rest } = m;
  return { path, ...rest, accepted: !ctx.rejected, timeMs: Math.round((performance.now() - started) * 1000) / 1000 };
}

export function errorResult(path: string, code: string, message: string): FileResult {
  return { path, format: 'data', size: 0, verdict: 'suspicious', accepted: false, findings: [], members: [], error: { code, message }, timeMs: 0 };
}

async function scanSource(path: string, name: string, src: Source, options: FileScanOptions | PreparedOptions): Promise<FileResult> {
  const started = performance.now();
  const prepared = prepareOptions(options);
  const ctx = newContext(prepared);
  const m = await walkStream(src, name, [name], ctx, 0);
  return toFileResult(path, m, ctx, started);
}

/**
 * Scan bytes that came from a file or a stream: containers (zip, tar, compressed, npy...) are opened
 * like files on disk. `name` is used in finding paths and as a format hint.
 *
 * @example
 * const result = await scanBytes(fs.readFileSync('model.pt'), 'model.pt');
 * if (!result.accepted) process.exitCode = 1;
 */
export function scanBytes(bytes: Uint8Array, name = '<bytes>', options: FileScanOptions | PreparedOptions = {}): Promise<FileResult> {
  return scanSource(name, name, new BufferSource(bytes), options);
}

/**
 * Scan one file. Reads only what its format needs (a multi-gigabyte PyTorch zip is read through its
 * central directory). Never rejects for I/O problems: they are returned in `error`. Throws only for
 * a bad policy (PolicyError).
 */
export async function scanFile(path: string, options: FileScanOptions | PreparedOptions = {}): Promise<FileResult> {
  const prepared = prepareOptions(options);
  let handle: fsp.FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer.
    handle = await fsp.open(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return errorResult(path, e.code ?? 'EIO', `cannot open: ${e.message}`);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) {
      const kind = st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : 'a device or special file';
      return errorResult(path, 'ENOTREG', `not a regular file (${kind}): not scanned`);
    }
    return await scanSource(path, path === '-' ? '<stdin>' : basename(path), new FileSource(handle, st.size), prepared);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e?.name === 'PolicyError') throw e;
    return errorResult(path, e.code ?? 'EIO', `read failed: ${e.message}`);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Read a whole stream (stdin) up to `max` bytes; null when it is larger. */
export async function readStream(stream: NodeJS.ReadableStream, max: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += b.length;
    if (total > max) return null;
    chunks.push(b);
  }
  return Buffer.concat(chunks, total);
}

/** Scan standard input (for `picklegate scan -`). */
export async function scanStdin(options: FileScanOptions | PreparedOptions = {}, stream: NodeJS.ReadableStream = process.stdin): Promise<FileResult> {
  const prepared = prepareOptions(options);
  let bytes: Buffer | null;
  try {
    bytes = await readStream(stream, prepared.limits.maxFileBytes);
  } catch (err) {
    return errorResult('-', 'EIO', `cannot read stdin: ${(err as Error).message}`);
  }
  if (bytes === null) return errorResult('-', 'EFBIG', `stdin is larger than --max-file-bytes (${prepared.limits.maxFileBytes})`);
  return scanSource('-', '<stdin>', new BufferSource(bytes), prepared);
}
