/**
 * Native-speed streaming inflate for a synchronous reader. Node's zlib streams are asynchronous and
 * its synchronous calls are one-shot, so the inflating runs in a worker thread with a native zlib
 * stream, and the two threads share two SharedArrayBuffer rings:
 *
 *   reader (main thread)                               worker
 *   reads compressed bytes from its ByteSource  ──in──▶ writes them to zlib.createGunzip() & co.
 *   copies decoded bytes out, Atomics.wait   ◀──out───  copies each 'data' chunk in, Atomics.wait
 *   when the ring is empty                              when the ring is full
 *
 * The reader blocks only while the worker has nothing for it (Atomics.wait is allowed on Node's
 * main thread). A backward read, or a reader that stops early, ends the job: the worker is
 * terminated and a fresh one serves the next pass. Workers that finished a stream cleanly wait for
 * the next one (at most IDLE_WORKERS kept, unref'd so they never keep the process alive).
 *
 * Below ONE_SHOT_INPUT compressed bytes the stream is inflated in one call instead (no thread),
 * up to ONE_SHOT_OUTPUT decoded bytes; a larger output falls back to the worker.
 */
import type { Worker } from 'node:worker_threads';
import { workerThreads, zlib as lazyZlib } from '../../lazy';
import type { ByteSource } from '../../pickle/source';
import { DecompressError, type Decoder } from './decoder';

export type InflateKind = 'gzip' | 'zlib' | 'raw';
const KIND_CODE: Record<InflateKind, number> = { gzip: 0, zlib: 1, raw: 2 };

/** Compressed inputs up to this size are inflated in one call, without a worker. */
export const ONE_SHOT_INPUT = 1024 * 1024;
/** ... as long as they decode to at most this much. */
export const ONE_SHOT_OUTPUT = 32 * 1024 * 1024;

const IN_SIZE = 1 << 20; // compressed ring (power of two)
const OUT_SIZE = 4 << 20; // decoded ring (power of two)
const ERR_BYTES = 1024;
const IDLE_WORKERS = 2;
/** A worker that shows no progress for this long is presumed dead. */
const STALL_MS = 60_000;

// control words
const JOB = 0; // job number, bumped by the reader to start one
const KIND = 1;
const IN_W = 2; // compressed bytes written by the reader (wrapping int32)
const IN_R = 3; // ... consumed by the worker
const IN_EOF = 4; // the reader has no more input
const OUT_W = 5; // decoded bytes written by the worker
const OUT_R = 6; // ... consumed by the reader
const STATE = 7; // 0 idle, 1 running, 2 ended, 3 failed
const TO_READER = 8; // bumped by the worker on any change
const TO_WORKER = 9; // bumped by the reader on any change
const CANCEL = 10;
const ERR_LEN = 11;
const CTRL_WORDS = 16;

const WORKER_SOURCE = `
'use strict';
const { workerData } = require('node:worker_threads');
const zlib = require('node:zlib');
const ctrl = new Int32Array(workerData.ctrl);
const inRing = new Uint8Array(workerData.input);
const outRing = new Uint8Array(workerData.output);
const errText = new Uint8Array(workerData.err);
const IN_SIZE = inRing.length, OUT_SIZE = outRing.length;
const [JOB, KIND, IN_W, IN_R, IN_EOF, OUT_W, OUT_R, STATE, TO_READER, TO_WORKER, CANCEL, ERR_LEN] = [${[JOB, KIND, IN_W, IN_R, IN_EOF, OUT_W, OUT_R, STATE, TO_READER, TO_WORKER, CANCEL, ERR_LEN].join(', ')}];
// Atomics.waitAsync holds no handle: without one, the event loop would end while waiting
setInterval(() => undefined, 1 << 30);
const signal = () => { Atomics.add(ctrl, TO_READER, 1); Atomics.notify(ctrl, TO_READER); };
const cancelled = () => Atomics.load(ctrl, CANCEL) !== 0;
async function waitFor(index, seen) {
  const r = Atomics.waitAsync(ctrl, index, seen);
  if (r.async) await r.value;
}
function runJob() {
  return new Promise((resolve) => {
    const kind = Atomics.load(ctrl, KIND);
    const opts = { chunkSize: 256 * 1024 };
    const z = kind === 0 ? zlib.createGunzip(opts) : kind === 1 ? zlib.createInflate(opts) : zlib.createInflateRaw(opts);
    let finished = false;
    const finish = (state, message) => {
      if (finished) return;
      finished = true;
      if (message) {
        const b = Buffer.from(String(message)).subarray(0, errText.length);
        errText.set(b);
        Atomics.store(ctrl, ERR_LEN, b.length);
      }
      Atomics.store(ctrl, STATE, state);
      signal();
      resolve();
    };
    z.on('data', (chunk) => {
      let off = 0;
      while (off < chunk.length) {
        if (cancelled()) { z.destroy(); return; }
        const seen = Atomics.load(ctrl, TO_WORKER);
        const w = Atomics.load(ctrl, OUT_W);
        const free = OUT_SIZE - ((w - Atomics.load(ctrl, OUT_R)) | 0);
        if (free <= 0) { Atomics.wait(ctrl, TO_WORKER, seen, 1000); continue; }
        const at = w & (OUT_SIZE - 1);
        const n = Math.min(free, chunk.length - off, OUT_SIZE - at);
        outRing.set(chunk.subarray(off, off + n), at);
        off += n;
        Atomics.store(ctrl, OUT_W, (w + n) | 0);
        signal();
      }
    });
    z.on('end', () => finish(2));
    z.on('error', (e) => finish(3, e && e.message || String(e)));
    z.on('close', () => finish(cancelled() ? 3 : 2, cancelled() ? 'cancelled' : undefined));
    (async () => {
      while (!finished && !z.writableEnded && !z.destroyed) {
        if (cancelled()) { z.destroy(); return; }
        const seen = Atomics.load(ctrl, TO_WORKER);
        const r = Atomics.load(ctrl, IN_R);
        const avail = (Atomics.load(ctrl, IN_W) - r) | 0;
        if (avail > 0) {
          const at = r & (IN_SIZE - 1);
          const n = Math.min(avail, IN_SIZE - at);
          const piece = Buffer.from(inRing.subarray(at, at + n));
          Atomics.store(ctrl, IN_R, (r + n) | 0);
          signal();
          if (!z.write(piece)) {
            await new Promise((res) => {
              const go = () => { z.off('drain', go); z.off('close', go); z.off('end', go); res(); };
              z.on('drain', go); z.on('close', go); z.on('end', go);
            });
          }
          continue;
        }
        if (Atomics.load(ctrl, IN_EOF)) { z.end(); return; }
        await waitFor(TO_WORKER, seen);
      }
    })().catch((e) => finish(3, e && e.message));
  });
}
(async () => {
  let job = 0;
  for (;;) {
    await waitFor(JOB, job);
    job = Atomics.load(ctrl, JOB);
    await runJob();
  }
})();
`;

interface Slot {
  worker: Worker;
  ctrl: Int32Array;
  input: Uint8Array;
  output: Uint8Array;
  err: Uint8Array;
}

const idle: Slot[] = [];

function newSlot(): Slot {
  const ctrlBuf = new SharedArrayBuffer(CTRL_WORDS * 4);
  const inBuf = new SharedArrayBuffer(IN_SIZE);
  const outBuf = new SharedArrayBuffer(OUT_SIZE);
  const errBuf = new SharedArrayBuffer(ERR_BYTES);
  const worker = new (workerThreads().Worker)(WORKER_SOURCE, { eval: true, workerData: { ctrl: ctrlBuf, input: inBuf, output: outBuf, err: errBuf } });
  worker.unref();
  // an error in the worker shows up as a stalled or failed job; never as an unhandled event
  worker.on('error', () => undefined);
  return { worker, ctrl: new Int32Array(ctrlBuf), input: new Uint8Array(inBuf), output: new Uint8Array(outBuf), err: new Uint8Array(errBuf) };
}

/** Terminate the idle inflate workers (tests, or a host that wants its threads back). */
export function closeInflateWorkers(): void {
  for (const s of idle.splice(0)) void s.worker.terminate();
}

/** Streaming inflate in a worker thread. */
class WorkerInflate implements Decoder {
  consumed = 0;
  private slot: Slot | null;
  private inPos = 0;
  private inEof = false;
  private done = false;

  constructor(
    private readonly input: ByteSource,
    kind: InflateKind,
  ) {
    const slot = idle.pop() ?? newSlot();
    this.slot = slot;
    const c = slot.ctrl;
    for (const i of [IN_W, IN_R, IN_EOF, OUT_W, OUT_R, CANCEL, ERR_LEN]) Atomics.store(c, i, 0);
    Atomics.store(c, KIND, KIND_CODE[kind]);
    Atomics.store(c, STATE, 1);
    Atomics.add(c, JOB, 1);
    Atomics.notify(c, JOB);
  }

  read(dst: Uint8Array, off: number, len: number): number {
    const s = this.slot;
    if (!s || this.done) return 0;
    const c = s.ctrl;
    let lastProgress = Date.now();
    for (;;) {
      const seen = Atomics.load(c, TO_READER);
      const r = Atomics.load(c, OUT_R);
      const avail = (Atomics.load(c, OUT_W) - r) | 0;
      if (avail > 0) {
        const at = r & (OUT_SIZE - 1);
        const n = Math.min(avail, len, OUT_SIZE - at);
        dst.set(s.output.subarray(at, at + n), off);
        Atomics.store(c, OUT_R, (r + n) | 0);
        this.wake();
        return n;
      }
      const state = Atomics.load(c, STATE);
      if (state === 2) {
        this.done = true;
        this.release(true);
        return 0;
      }
      if (state === 3) {
        const msg = Buffer.from(s.err.subarray(0, Atomics.load(c, ERR_LEN))).toString();
        this.release(false);
        throw new DecompressError(`corrupt stream: ${msg}`, false);
      }
      if (this.feed()) {
        lastProgress = Date.now();
        continue;
      }
      if (Atomics.wait(c, TO_READER, seen, 1000) === 'timed-out' && Date.now() - lastProgress > STALL_MS) {
        this.release(false);
        throw new DecompressError('the decompression worker stopped responding', false, { kind: 'internal' });
      }
      if (Atomics.load(c, TO_READER) !== seen) lastProgress = Date.now();
    }
  }

  /** Copy compressed input into the ring while it has room; true when anything changed. */
  private feed(): boolean {
    const s = this.slot!;
    const c = s.ctrl;
    if (this.inEof) return false;
    const w = Atomics.load(c, IN_W);
    const free = IN_SIZE - ((w - Atomics.load(c, IN_R)) | 0);
    if (free <= 0) return false;
    const at = w & (IN_SIZE - 1);
    const n = this.input.read(this.inPos, s.input, at, Math.min(free, IN_SIZE - at));
    if (n === 0) {
      this.inEof = true;
      Atomics.store(c, IN_EOF, 1);
    } else {
      this.inPos += n;
      this.consumed = this.inPos;
      Atomics.store(c, IN_W, (w + n) | 0);
    }
    this.wake();
    return true;
  }

  private wake(): void {
    const c = this.slot!.ctrl;
    Atomics.add(c, TO_WORKER, 1);
    Atomics.notify(c, TO_WORKER);
  }

  private release(clean: boolean): void {
    const s = this.slot;
    if (!s) return;
    this.slot = null;
    if (clean && idle.length < IDLE_WORKERS) idle.push(s);
    else {
      Atomics.store(s.ctrl, CANCEL, 1);
      Atomics.add(s.ctrl, TO_WORKER, 1);
      Atomics.notify(s.ctrl, TO_WORKER);
      void s.worker.terminate();
    }
  }

  close(): void {
    this.release(this.done);
  }
}

/** A stream small enough to inflate in one call. */
class OneShot implements Decoder {
  private at = 0;
  constructor(
    private readonly out: Uint8Array,
    readonly consumed: number,
  ) {}
  read(dst: Uint8Array, off: number, len: number): number {
    const n = Math.min(len, this.out.length - this.at);
    dst.set(this.out.subarray(this.at, this.at + n), off);
    this.at += n;
    return n;
  }
  close(): void {}
}

function oneShot(kind: InflateKind, input: Uint8Array): Uint8Array | 'too-large' {
  const opts = { maxOutputLength: ONE_SHOT_OUTPUT };
  try {
    const z = lazyZlib();
    return kind === 'gzip' ? z.gunzipSync(input, opts) : kind === 'zlib' ? z.inflateSync(input, opts) : z.inflateRawSync(input, opts);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) return 'too-large';
    throw new DecompressError(`corrupt stream: ${e.message}`, false);
  }
}

/** Compressed bytes inflated in one call for the start of a large stream (at most ~1032× as many out). */
export const PREFIX_INPUT = 64 * 1024;

/**
 * The start of a large stream from one call over its first PREFIX_INPUT compressed bytes (a format
 * sniff needs no thread); the worker starts only when a read goes past it, and skips what was served.
 */
class PrefixThenWorker implements Decoder {
  private at = 0;
  private worker: WorkerInflate | null = null;
  private skipped = 0;
  constructor(
    private readonly input: ByteSource,
    private readonly kind: InflateKind,
    private readonly prefix: Uint8Array,
    private readonly prefixInput: number,
  ) {}
  get consumed(): number {
    return this.worker ? this.worker.consumed : this.prefixInput;
  }
  read(dst: Uint8Array, off: number, len: number): number {
    if (this.at < this.prefix.length) {
      const n = Math.min(len, this.prefix.length - this.at);
      dst.set(this.prefix.subarray(this.at, this.at + n), off);
      this.at += n;
      return n;
    }
    if (!this.worker) this.worker = new WorkerInflate(this.input, this.kind);
    const scratch = new Uint8Array(256 * 1024);
    while (this.skipped < this.at) {
      const n = this.worker.read(scratch, 0, Math.min(scratch.length, this.at - this.skipped));
      if (n === 0) return 0;
      this.skipped += n;
    }
    const n = this.worker.read(dst, off, len);
    this.at += n;
    this.skipped += n;
    return n;
  }
  close(): void {
    this.worker?.close();
  }
}

function readInput(input: ByteSource, max: number): Uint8Array {
  const bytes = new Uint8Array(max);
  let got = 0;
  while (got < max) {
    const n = input.read(got, bytes, got, max - got);
    if (n === 0) break;
    got += n;
  }
  return bytes.subarray(0, got);
}

/** The decoded start of a stream from its first compressed bytes (no end expected), or null. */
function prefixOf(kind: InflateKind, input: Uint8Array): Uint8Array | null {
  const opts = { finishFlush: lazyZlib().constants.Z_SYNC_FLUSH, maxOutputLength: input.length * 1100 + 1024 };
  try {
    const z = lazyZlib();
    return kind === 'gzip' ? z.gunzipSync(input, opts) : kind === 'zlib' ? z.inflateSync(input, opts) : z.inflateRawSync(input, opts);
  } catch {
    return null; // corrupt early: the worker reports it
  }
}

/** Node's native inflate: one call for small streams, a worker thread for the rest. */
export function nodeInflate(kind: InflateKind, input: ByteSource): Decoder {
  const size = input.size;
  if (size !== undefined && size <= ONE_SHOT_INPUT) {
    const bytes = readInput(input, size);
    const out = oneShot(kind, bytes);
    if (out !== 'too-large') return new OneShot(out, bytes.length);
  }
  const head = readInput(input, PREFIX_INPUT);
  const prefix = prefixOf(kind, head);
  if (prefix && prefix.length > 0) return new PrefixThenWorker(input, kind, prefix, head.length);
  return new WorkerInflate(input, kind);
}

/** Streaming inflate through the worker only (tests and benchmarks). */
export function workerInflate(kind: InflateKind, input: ByteSource): Decoder {
  return new WorkerInflate(input, kind);
}
