/**
 * Decompressors for single-stream formats, each bounded by an output cap and a ratio cap.
 * They throw DecompressError; the walker turns it into a finding.
 */
import * as zlib from 'node:zlib';
import { decodeLzmaAlone } from './lzma';

export class DecompressError extends Error {
  constructor(
    message: string,
    /** True when a cap, not corrupt data, stopped decompression. */
    readonly limit: boolean,
  ) {
    super(message);
  }
}

export interface DecompressCaps {
  /** Largest output in bytes. */
  maxOutput: number;
  /** Largest output/input ratio once the output passes 1 MiB. */
  maxRatio: number;
}

const RATIO_FLOOR = 1024 * 1024;

function checkRatio(out: number, input: number, caps: DecompressCaps): void {
  if (out > RATIO_FLOOR && out > caps.maxRatio * Math.max(1, input)) {
    throw new DecompressError(`decompression ratio above ${caps.maxRatio}:1 (${input} bytes give more than ${out})`, true);
  }
}

function zlibCall(fn: () => Buffer, input: number, caps: DecompressCaps): Uint8Array {
  let out: Buffer;
  try {
    out = fn();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw new DecompressError(`decompressed size exceeds ${caps.maxOutput} bytes`, true);
    }
    throw new DecompressError(`corrupt stream: ${e.message}`, false);
  }
  checkRatio(out.length, input, caps);
  return out;
}

function zlibOptions(caps: DecompressCaps, input: number): zlib.ZlibOptions {
  // The ratio cap also bounds the output, so a bomb stops early instead of filling maxOutput.
  const byRatio = Math.max(RATIO_FLOOR, caps.maxRatio * Math.max(1, input)) + 1;
  return { maxOutputLength: Math.max(1, Math.min(caps.maxOutput, byRatio)) };
}

export function inflateRaw(input: Uint8Array, caps: DecompressCaps): Uint8Array {
  return zlibCall(() => zlib.inflateRawSync(input, zlibOptions(caps, input.length)), input.length, caps);
}

export function gunzip(input: Uint8Array, caps: DecompressCaps): Uint8Array {
  return zlibCall(() => zlib.gunzipSync(input, zlibOptions(caps, input.length)), input.length, caps);
}

export function inflateZlib(input: Uint8Array, caps: DecompressCaps): Uint8Array {
  return zlibCall(() => zlib.inflateSync(input, zlibOptions(caps, input.length)), input.length, caps);
}

/** Up to `want` bytes from the start of a raw deflate stream, for sniffing; null if it cannot be inflated. */
export function inflateRawPrefix(input: Uint8Array, want: number): Uint8Array | null {
  try {
    const out = zlib.inflateRawSync(input, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: Math.max(want, 1 << 20) });
    return out.subarray(0, want);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return null;
    return null;
  }
}

/** joblib < 0.10 zlib files: `ZF`, the length as a hex literal padded to 19 bytes, then a zlib stream. */
export function inflateJoblibZ(input: Uint8Array, caps: DecompressCaps): Uint8Array {
  const header = Buffer.from(input.subarray(2, 21)).toString('latin1').trim().replace(/L$/, '');
  const declared = Number.parseInt(header, 16);
  const out = inflateZlib(input.subarray(21), caps);
  if (declared !== out.length) throw new DecompressError(`joblib zlib header declares ${declared} bytes, stream holds ${out.length}`, false);
  return out;
}

export function bunzip2(input: Uint8Array, caps: DecompressCaps): Uint8Array {
  // seek-bzip writes byte by byte into our sink, which enforces the caps as it grows.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Bunzip = require('seek-bzip') as { decode(input: Buffer, output: unknown, multistream: boolean): void };
  const limit = Math.min(caps.maxOutput, Math.max(RATIO_FLOOR, caps.maxRatio * Math.max(1, input.length)));
  let buf = Buffer.allocUnsafe(Math.min(limit, Math.max(64 * 1024, input.length * 4)));
  let pos = 0;
  const sink = {
    writeByte(b: number) {
      if (pos >= buf.length) {
        if (pos >= limit) {
          if (limit === caps.maxOutput) throw new DecompressError(`decompressed size exceeds ${caps.maxOutput} bytes`, true);
          throw new DecompressError(`decompression ratio above ${caps.maxRatio}:1`, true);
        }
        const bigger = Buffer.allocUnsafe(Math.min(limit, buf.length * 2));
        buf.copy(bigger, 0, 0, pos);
        buf = bigger;
      }
      buf[pos++] = b;
    },
    write(src: Uint8Array, off: number, len: number) {
      for (let i = 0; i < len; i++) sink.writeByte(src[off + i]);
      return len;
    },
    flush() {},
  };
  try {
    Bunzip.decode(Buffer.from(input.buffer, input.byteOffset, input.length), sink, true);
  } catch (err) {
    if (err instanceof DecompressError) throw err;
    throw new DecompressError(`corrupt bzip2 stream: ${(err as Error).message ?? String(err)}`, false);
  }
  return buf.subarray(0, pos);
}

export async function unxz(input: Uint8Array, caps: DecompressCaps): Promise<Uint8Array> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { XzReadableStream } = require('xz-decompress') as typeof import('xz-decompress');
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(input);
      controller.close();
    },
  });
  const reader = new XzReadableStream(body).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > caps.maxOutput) throw new DecompressError(`decompressed size exceeds ${caps.maxOutput} bytes`, true);
      checkRatio(total, input.length, caps);
      chunks.push(value);
    }
  } catch (err) {
    await reader.cancel().catch(() => undefined);
    if (err instanceof DecompressError) throw err;
    throw new DecompressError(`corrupt xz stream: ${(err as Error)?.message ?? String(err)}`, false);
  }
  return Buffer.concat(chunks, total);
}

export function unlzma(input: Uint8Array, caps: DecompressCaps): Uint8Array {
  const limit = Math.min(caps.maxOutput, Math.max(RATIO_FLOOR, caps.maxRatio * Math.max(1, input.length)));
  const r = decodeLzmaAlone(input, limit);
  if (r.error === 'limit') {
    throw new DecompressError(limit === caps.maxOutput ? `decompressed size exceeds ${caps.maxOutput} bytes` : `decompression ratio above ${caps.maxRatio}:1`, true);
  }
  if (r.error) throw new DecompressError(`corrupt lzma stream: ${r.error}`, false);
  return r.output;
}
