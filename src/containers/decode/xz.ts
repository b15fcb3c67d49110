/**
 * Streaming xz on xz-embedded compiled to WebAssembly (the `xz-decompress` package), driven
 * synchronously: the package's own API is a web ReadableStream, so its wasm module is instantiated
 * here and fed by hand (same calls as the package's XzContext). Concatenated streams (as `xz` and
 * Python's lzma read them) are decoded one after another; zero padding between them is skipped.
 */
import * as fs from 'node:fs';
import type { ByteSource } from '../../pickle/source';
import { DecompressError, InputReader, type Decoder } from './decoder';

const XZ_OK = 0;
const XZ_STREAM_END = 1;

/** The parts of the WebAssembly global used here (not in the ES2022 lib). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let compiled: object | null = null;

function xzModule(): object {
  if (compiled) return compiled;
  const text = fs.readFileSync(require.resolve('xz-decompress'), 'latin1');
  const m = /data:application\/wasm;base64,([A-Za-z0-9+/=]+)/.exec(text);
  if (!m) throw new Error('xz-decompress: wasm module not found in the package');
  compiled = new Wasm.Module(Buffer.from(m[1]!, 'base64'));
  return compiled;
}

interface XzExports {
  memory: { buffer: ArrayBuffer };
  create_context(): number;
  destroy_context(ptr: number): void;
  supply_input(ptr: number, len: number): void;
  get_next_output(ptr: number): number;
}

/** One xz stream's decoder state in its own wasm instance. */
class XzContext {
  private readonly ex: XzExports;
  private readonly ptr: number;
  readonly bufSize: number;
  private readonly inStart: number;
  private readonly outStart: number;

  constructor() {
    this.ex = new Wasm.Instance(xzModule(), {}).exports as unknown as XzExports;
    this.ptr = this.ex.create_context();
    const m = this.mem32();
    this.bufSize = m[0]!;
    this.inStart = m[1]! - this.ptr;
    this.outStart = m[4]! - this.ptr;
  }

  private mem32(): Uint32Array {
    return new Uint32Array(this.ex.memory.buffer, this.ptr, 8);
  }
  private mem8(): Uint8Array {
    return new Uint8Array(this.ex.memory.buffer, this.ptr);
  }

  supply(bytes: Uint8Array): void {
    this.mem8().set(bytes, this.inStart);
    this.ex.supply_input(this.ptr, bytes.length);
  }
  needsInput(): boolean {
    const m = this.mem32();
    return m[2] === m[3];
  }
  /** Input bytes supplied but not consumed. */
  unconsumed(): number {
    const m = this.mem32();
    return m[3]! - m[2]!;
  }
  /** Decode into the output buffer; returns the bytes produced and whether the stream ended. */
  step(): { out: Uint8Array; end: boolean } {
    const r = this.ex.get_next_output(this.ptr);
    if (r !== XZ_OK && r !== XZ_STREAM_END) throw new DecompressError(`corrupt xz stream (xz-embedded error ${r})`, false);
    const m = this.mem32();
    const out = this.mem8().subarray(this.outStart, this.outStart + m[5]!);
    m[5] = 0;
    return { out, end: r === XZ_STREAM_END };
  }
  dispose(): void {
    this.ex.destroy_context(this.ptr);
  }
}

export class XzDecoder implements Decoder {
  private readonly reader: InputReader;
  private ctx: XzContext | null = null;
  private pending: Uint8Array = new Uint8Array(0);
  private done = false;
  private streams = 0;

  constructor(input: ByteSource) {
    this.reader = new InputReader(input);
  }

  get consumed(): number {
    return this.reader.pos;
  }

  read(dst: Uint8Array, off: number, len: number): number {
    let n = 0;
    while (n < len) {
      if (this.pending.length > 0) {
        const k = Math.min(this.pending.length, len - n);
        dst.set(this.pending.subarray(0, k), off + n);
        this.pending = this.pending.subarray(k);
        n += k;
        continue;
      }
      if (this.done || n > 0) break;
      this.produce();
    }
    return n;
  }

  /** Decode the next piece into `pending` (or end). */
  private produce(): void {
    if (!this.ctx) {
      if (this.streams > 0) {
        // after a stream: zero padding, then another stream or the end
        let b: number;
        while ((b = this.reader.byte()) === 0);
        if (b < 0) {
          this.done = true;
          return;
        }
        this.reader.pos--;
      }
      this.ctx = new XzContext();
      this.streams++;
    }
    const ctx = this.ctx;
    let fed = 0;
    if (ctx.needsInput()) {
      const piece = this.reader.take(ctx.bufSize);
      fed = piece.length;
      ctx.supply(piece);
    }
    const { out, end } = ctx.step();
    this.pending = out.slice();
    if (end) {
      this.reader.pos -= ctx.unconsumed();
      ctx.dispose();
      this.ctx = null;
    } else if (out.length === 0 && fed === 0 && ctx.needsInput()) {
      throw new DecompressError('corrupt xz stream: unexpected end of input', false);
    }
  }

  close(): void {
    this.ctx?.dispose();
    this.ctx = null;
  }
}
