/**
 * Where scans run. Small bodies are scanned inline (a scan of a few hundred KB takes a few ms), in
 * batches once per turn of the event loop (scan-batch.ts);
 * bodies at or above the threshold, and spooled bodies, go to a fixed pool of worker threads so the
 * event loop keeps answering health checks and other requests meanwhile.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CompiledPolicy } from '../src';
import type { Body } from './body';
import { ScanBatch } from './scan-batch';
import { failure } from './scanner';
import type { ScanDone, ScanJob, ScanResult, Scanner } from './scanner';
import { isWirePolicy, scanBody, scanRawBody } from './scan-body';
import type { BodyBytes } from './scan-body';
import type { WorkerRequest, WorkerResponse } from './scan-worker-protocol';

function bytesOf(body: Body): BodyBytes {
  return body.kind === 'memory' ? { bytes: body.bytes } : { fd: body.file.fd, size: body.size };
}

/** Scans on the calling thread. The default for `pickleGuard` when no pool is given. */
export class InlineScanner implements Scanner {
  /**
   * The scan of a body under a wire policy (the hot path: small MXNet blobs), synchronous; null for
   * other policies (scan() then). Throws what scan() would reject with.
   */
  scanSync(job: ScanJob): ScanResult | null {
    if (!isWirePolicy(job.policy)) return null;
    const t0 = performance.now();
    const report = scanRawBody(bytesOf(job.body), { policy: job.policy, name: job.name, limits: job.limits, containerLimits: job.containerLimits });
    return { report, queueMs: 0, scanMs: performance.now() - t0, where: 'inline' };
  }

  scan(job: ScanJob): Promise<ScanResult> {
    if (isWirePolicy(job.policy)) {
      try {
        return Promise.resolve(this.scanSync(job)!);
      } catch (err) {
        return Promise.reject(err);
      }
    }
    const t0 = performance.now();
    const options = { policy: job.policy, name: job.name, limits: job.limits, containerLimits: job.containerLimits };
    return scanBody(bytesOf(job.body), options).then((report) => ({ report, queueMs: 0, scanMs: performance.now() - t0, where: 'inline' }));
  }
  isReady(): boolean {
    return true;
  }
  async close(): Promise<void> {}
}

export interface ScanPoolOptions {
  /** Worker threads; 0 scans everything inline. */
  size: number;
  /** Bodies of at least this many bytes, and every spooled body, go to a worker. */
  thresholdBytes: number;
  /** Compiled worker script (`dist/server/scan-worker.js`); default: found next to this file or in `dist/`. */
  workerFile?: string;
}

interface Task {
  msg: Omit<WorkerRequest, 'spec'>;
  spec: unknown;
  enqueued: number;
  started: number;
  resolve: (r: ScanResult) => void;
  reject: (e: Error) => void;
  /** Called once the task is settled (a spooled body's file is held until then). */
  done: () => void;
}

interface Slot {
  worker: Worker;
  online: boolean;
  task: Task | null;
  /** Policy keys whose spec this worker already compiled. */
  seen: Set<string>;
}

/** The compiled scan worker, next to this module when running from `dist/`, else in `dist/server/`. */
export function defaultWorkerFile(): string | undefined {
  const candidates = [path.join(__dirname, 'scan-worker.js'), path.resolve(__dirname, '..', 'dist', 'server', 'scan-worker.js')];
  return candidates.find((f) => existsSync(f));
}

export class ScanPool implements Scanner {
  private readonly inline = new InlineScanner();
  /** Small bodies: scanned inline, together once per turn of the event loop (scan-batch.ts). */
  private readonly batch = new ScanBatch(this.inline);
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private readonly policyKeys = new WeakMap<CompiledPolicy, string>();
  private nextId = 1;
  private nextKey = 1;
  private closing = false;
  /** Set when a worker failed before it was ready: large bodies then fail closed (500). */
  private broken: Error | null = null;
  private readonly workerFile: string | undefined;

  constructor(private readonly options: ScanPoolOptions) {
    this.workerFile = options.workerFile ?? defaultWorkerFile();
    if (options.size > 0 && !this.workerFile) {
      this.broken = new Error('scan worker script not found (build with `npm run build`)');
      return;
    }
    for (let i = 0; i < options.size; i++) this.slots.push(this.spawn());
  }

  get size(): number {
    return this.slots.length;
  }

  isReady(): boolean {
    return this.broken === null && !this.closing && this.slots.every((s) => s.online);
  }

  /** Resolves when every worker is online; rejects when one cannot start. */
  whenReady(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.broken) return reject(this.broken);
        if (this.isReady()) return resolve();
        if (Date.now() > deadline) return reject(new Error('scan workers did not start in time'));
        setTimeout(check, 10).unref();
      };
      check();
    });
  }

  /** scan() with a callback: small bodies are scanned in the batch without a promise. */
  scanThen(job: ScanJob, done: ScanDone): void {
    if (this.inlines(job)) return this.batch.scanThen(job, done);
    this.scan(job).then((r) => done(null, r), (err: unknown) => done(failure(err)));
  }

  /** Small bodies (and all of them without workers) are scanned on the event loop, in the batch. */
  private inlines(job: ScanJob): boolean {
    return this.options.size === 0 || (job.body.kind === 'memory' && job.body.size < this.options.thresholdBytes);
  }

  scan(job: ScanJob): Promise<ScanResult> {
    const { body, policy, limits, containerLimits } = job;
    if (this.inlines(job)) return this.batch.scan(job);
    if (this.broken) return Promise.reject(this.broken);
    if (this.closing) return Promise.reject(new Error('scan pool closed'));
    // a spooled body is read by the worker through the descriptor (threads share it): hold the file until the scan ends
    const file = body.kind === 'spool' ? body.file : null;
    file?.retain();
    return new Promise<ScanResult>((resolve, reject) => {
      const task: Task = {
        msg: {
          id: this.nextId++,
          ...(body.kind === 'memory' ? { bytes: body.bytes } : { fd: body.file.fd, size: body.size }),
          ...(job.name !== undefined ? { name: job.name } : {}),
          policyKey: this.keyOf(policy),
          ...(limits ? { limits } : {}),
          ...(containerLimits ? { containerLimits } : {}),
        },
        // The spec is already merged with its base: drop `extends` so the worker does not merge twice.
        spec: { ...policy.spec, extends: undefined },
        enqueued: performance.now(),
        started: 0,
        resolve,
        reject,
        done: () => file?.release(),
      };
      this.queue.push(task);
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const t of this.queue.splice(0)) this.reject(t, new Error('scan pool closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private keyOf(policy: CompiledPolicy): string {
    let key = this.policyKeys.get(policy);
    if (!key) {
      key = `${policy.name}#${this.nextKey++}`;
      this.policyKeys.set(policy, key);
    }
    return key;
  }

  private spawn(): Slot {
    const worker = new Worker(this.workerFile!);
    const slot: Slot = { worker, online: false, task: null, seen: new Set() };
    worker.unref();
    worker.on('message', (msg: WorkerResponse) => {
      if ('ready' in msg) {
        slot.online = true;
        this.dispatch();
      } else {
        this.settle(slot, msg);
      }
    });
    worker.on('error', (err) => this.fail(slot, err));
    worker.on('exit', (code) => this.fail(slot, new Error(`scan worker exited with code ${code}`)));
    return slot;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (!slot.online || slot.task) continue;
      const task = this.queue.shift();
      if (!task) return;
      slot.task = task;
      task.started = performance.now();
      const send: WorkerRequest = slot.seen.has(task.msg.policyKey) ? task.msg : { ...task.msg, spec: task.spec };
      slot.seen.add(task.msg.policyKey);
      slot.worker.postMessage(send);
    }
  }

  private settle(slot: Slot, msg: Exclude<WorkerResponse, { ready: true }>): void {
    const task = slot.task;
    if (!task || task.msg.id !== msg.id) return;
    slot.task = null;
    const done = performance.now();
    task.done();
    if ('report' in msg) task.resolve({ report: msg.report, queueMs: task.started - task.enqueued, scanMs: done - task.started, where: 'worker' });
    else task.reject(new Error(`scan worker: ${msg.error}`));
    this.dispatch();
  }

  private reject(task: Task, err: Error): void {
    task.done();
    task.reject(err);
  }

  /** A worker died: fail its task (fail closed), replace it, unless it never came up. */
  private fail(slot: Slot, err: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    const task = slot.task;
    slot.task = null;
    if (task) {
      task.reject(err);
      // the thread may still be reading a spooled body's descriptor: release the file once it is gone
      void slot.worker.terminate().finally(() => task.done());
    }
    if (this.closing) return;
    if (!slot.online) {
      this.broken = err;
      for (const t of this.queue.splice(0)) this.reject(t, err);
      return;
    }
    slot.worker.removeAllListeners();
    void slot.worker.terminate();
    this.slots[index] = this.spawn();
  }
}
