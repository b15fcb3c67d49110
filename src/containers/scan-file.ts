/**
 * File-level entry points: scan a file on disk (a ByteSource of positional reads: only the parts a
 * container needs are read), bytes in memory, a readable stream (buffered when small, spooled to a
 * private temporary file when large) or stdin, and wrap the walker's result as a FileResult.
 * The signatures are async; the scan itself is synchronous.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { basename, join } from 'node:path';
import { crypto, os } from '../lazy';
import type { ScanOptions } from '../options';
import type { Limits } from '../limits';
import { MemorySource, type ByteSource } from '../pickle/source';
import { resolvePolicy } from '../policy/registry';
import { FileSource } from './io/file-source';
import { containerLimits, type ContainerLimits } from './limits';
import type { FileResult, MemberResult } from './result';
import { newWalkContext, walkStream, type ScannedPickle, type WalkContext } from './walk';
import { now } from '../clock';

export interface FileScanOptions {
  /** Built-in policy name, policy spec or compiled policy; default `default`. */
  policy?: ScanOptions['policy'];
  /** Core scanner limits (opcodes, stack, memo...). */
  limits?: Partial<Limits>;
  /** Container limits (file size, inflate budget, ratio, depth, members). */
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

function toFileResult(path: string, m: MemberResult, ctx: WalkContext, started: number): FileResult {
  const { name: _name, path: _path, ...rest } = m;
  return { path, ...rest, accepted: !ctx.rejected, timeMs: Math.round((now() - started) * 1000) / 1000 };
}

export function errorResult(path: string, code: string, message: string): FileResult {
  return { path, format: 'data', size: 0, verdict: 'suspicious', accepted: false, findings: [], members: [], error: { code, message }, timeMs: 0 };
}

/** Walk one source as a file (synchronous). `onPickle` sees every pickle stream scanned. */
export function scanByteSource(path: string, name: string, src: ByteSource, options: FileScanOptions | PreparedOptions = {}, onPickle?: (p: ScannedPickle) => void): FileResult {
  const started = now();
  const ctx = newWalkContext(prepareOptions(options), onPickle);
  const m = walkStream(src, name, [name], ctx, 0);
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
export async function scanBytes(bytes: Uint8Array, name = '<bytes>', options: FileScanOptions | PreparedOptions = {}): Promise<FileResult> {
  return scanByteSource(name, name, new MemorySource(bytes), options);
}

/**
 * Open a file for scanning: O_NONBLOCK (opening a FIFO must not wait for a writer), regular files
 * only. Returns the open handle and its size, or an error result.
 */
export async function openRegularFile(path: string): Promise<{ handle: fsp.FileHandle; size: number } | FileResult> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return errorResult(path, e.code ?? 'EIO', `cannot open: ${e.message}`);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) {
      await handle.close().catch(() => undefined);
      const kind = st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : 'a device or special file';
      return errorResult(path, 'ENOTREG', `not a regular file (${kind}): not scanned`);
    }
    return { handle, size: st.size };
  } catch (err) {
    await handle.close().catch(() => undefined);
    const e = err as NodeJS.ErrnoException;
    return errorResult(path, e.code ?? 'EIO', `cannot stat: ${e.message}`);
  }
}

/**
 * Scan one file. Reads only what its format needs (a multi-gigabyte PyTorch zip is read through its
 * central directory; compressed files are decompressed as they are read). Never rejects for I/O
 * problems: they are returned in `error`. Throws only for a bad policy (PolicyError).
 */
export async function scanFile(path: string, options: FileScanOptions | PreparedOptions = {}, onPickle?: (p: ScannedPickle) => void): Promise<FileResult> {
  const prepared = prepareOptions(options);
  const opened = await openRegularFile(path);
  if (!('handle' in opened)) return opened;
  const { handle, size } = opened;
  try {
    return scanByteSource(path, path === '-' ? '<stdin>' : basename(path), new FileSource(handle.fd, size), prepared, onPickle);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e?.name === 'PolicyError') throw e;
    return errorResult(path, e.code ?? 'EIO', `read failed: ${e.message}`);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Stream bodies up to this size are scanned from memory; larger ones are spooled to a temporary file. */
export const STREAM_MEMORY_THRESHOLD = 16 * 1024 * 1024;

export interface StreamScanOptions {
  /** Path reported in the result (default `-`). */
  path?: string;
  /** Name used in finding paths and as a format hint (default `<stdin>`). */
  name?: string;
  /** Bodies up to this many bytes stay in memory (default STREAM_MEMORY_THRESHOLD). */
  memoryThreshold?: number;
  /** Directory for the spool file (default the OS temporary directory). */
  tmpDir?: string;
  /** Aborts reading the body (the spool file is removed). */
  signal?: AbortSignal;
  /** Called for every pickle stream scanned (disasm). */
  onPickle?: (p: ScannedPickle) => void;
}

/**
 * Scan a readable stream (an HTTP body, stdin): bodies up to `memoryThreshold` are buffered, larger
 * ones are spooled to a private temporary file (mode 0600, removed when the scan ends, fails or is
 * aborted) and scanned as a file. A body over --max-file-bytes is an `EFBIG` error result; a read
 * error or an abort is an `EIO` / `ABORT_ERR` error result. Throws only PolicyError.
 */
export async function scanStream(stream: AsyncIterable<unknown> | NodeJS.ReadableStream, options: FileScanOptions | PreparedOptions = {}, streamOptions: StreamScanOptions = {}): Promise<FileResult> {
  const prepared = prepareOptions(options);
  const path = streamOptions.path ?? '-';
  const name = streamOptions.name ?? '<stdin>';
  const threshold = streamOptions.memoryThreshold ?? STREAM_MEMORY_THRESHOLD;
  const max = prepared.limits.maxFileBytes;
  const signal = streamOptions.signal;
  const chunks: Buffer[] = [];
  let total = 0;
  let spool: { path: string; handle: fsp.FileHandle } | null = null;
  try {
    try {
      for await (const chunk of stream as AsyncIterable<unknown>) {
        if (signal?.aborted) return errorResult(path, 'ABORT_ERR', 'scan aborted while reading the body');
        const b = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
        total += b.length;
        if (total > max) return errorResult(path, 'EFBIG', `${path === '-' ? 'stdin' : path} is larger than --max-file-bytes (${max})`);
        if (!spool && total > threshold) {
          const file = join(streamOptions.tmpDir ?? os().tmpdir(), `picklegate-${process.pid}-${crypto().randomBytes(8).toString('hex')}.spool`);
          // O_EXCL: never follow or reuse a file someone else placed there; 0600: private to this user
          const handle = await fsp.open(file, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
          spool = { path: file, handle };
          for (const c of chunks) await handle.write(c);
          chunks.length = 0;
        }
        if (spool) await spool.handle.write(b);
        else chunks.push(b);
      }
    } catch (err) {
      if ((err as Error)?.name === 'AbortError' || signal?.aborted) return errorResult(path, 'ABORT_ERR', 'scan aborted while reading the body');
      return errorResult(path, 'EIO', `cannot read ${path === '-' ? 'stdin' : 'the stream'}: ${(err as Error).message}`);
    }
    if (signal?.aborted) return errorResult(path, 'ABORT_ERR', 'scan aborted while reading the body');
    const src: ByteSource = spool ? new FileSource(spool.handle.fd, total) : new MemorySource(Buffer.concat(chunks, total));
    try {
      return scanByteSource(path, name, src, prepared, streamOptions.onPickle);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e?.name === 'PolicyError') throw e;
      return errorResult(path, e.code ?? 'EIO', `read failed: ${e.message}`);
    }
  } finally {
    if (spool) {
      await spool.handle.close().catch(() => undefined);
      await fsp.unlink(spool.path).catch(() => undefined);
    }
  }
}

/** Scan standard input (for `picklegate scan -`), through scanStream. */
export async function scanStdin(options: FileScanOptions | PreparedOptions = {}, stream: NodeJS.ReadableStream = process.stdin): Promise<FileResult> {
  return scanStream(stream, options, { path: '-', name: '<stdin>' });
}
