/**
 * The page's scan worker: the whole scan runs here, off the main thread, on the file the user gave
 * (never uploaded). Files up to IN_MEMORY_MAX are read into memory; larger ones are read by
 * positional slices (FileReaderSync), as `picklegate scan` reads a file on disk.
 */
import { MemorySource, type ByteSource } from '../../../src/pickle/source';
import { VERSION, indexWhole, listPolicies, rowsOf, scanForPage, type IndexedStream } from './core';
import type { FromWorker, ToWorker } from './protocol';

declare const self: {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((ev: MessageEvent<ToWorker>) => void) | null;
};
declare const FileReaderSync: { new (): { readAsArrayBuffer(blob: Blob): ArrayBuffer } };

/** Files up to this size are read whole into memory (fastest); larger ones slice by slice. */
const IN_MEMORY_MAX = 512 * 1024 * 1024;
const BLOCK = 1024 * 1024;
const BLOCKS_KEPT = 32;

/** A file read by positional slices, through a small cache of 1 MiB blocks. */
class BlobSource implements ByteSource {
  readonly size: number;
  private readonly reader = new FileReaderSync();
  private readonly cache = new Map<number, Uint8Array>();
  maxRead = 0;

  constructor(
    private readonly blob: Blob,
    private readonly onRead: (pos: number) => void,
  ) {
    this.size = blob.size;
  }

  private block(i: number): Uint8Array {
    let b = this.cache.get(i);
    if (b) {
      this.cache.delete(i);
      this.cache.set(i, b);
      return b;
    }
    b = new Uint8Array(this.reader.readAsArrayBuffer(this.blob.slice(i * BLOCK, Math.min(this.size, (i + 1) * BLOCK))));
    this.cache.set(i, b);
    if (this.cache.size > BLOCKS_KEPT) this.cache.delete(this.cache.keys().next().value!);
    return b;
  }

  read(pos: number, dst: Uint8Array, dstOffset: number, length: number): number {
    const end = Math.min(this.size, pos + length);
    let at = pos;
    while (at < end) {
      const b = this.block(Math.floor(at / BLOCK));
      const inBlock = at % BLOCK;
      const n = Math.min(end - at, b.length - inBlock);
      if (n <= 0) break;
      dst.set(b.subarray(inBlock, inBlock + n), dstOffset + (at - pos));
      at += n;
    }
    if (at > this.maxRead) {
      this.maxRead = at;
      this.onRead(at);
    }
    return Math.max(0, at - pos);
  }
}

/** Memory source that reports how far its readers have got (zip members, decoders: not the opcode reader, which takes the bytes whole). */
class WatchedMemory extends MemorySource {
  private maxRead = 0;
  constructor(
    bytes: Uint8Array,
    private readonly onRead: (pos: number) => void,
  ) {
    super(bytes);
  }
  private saw(pos: number): void {
    if (pos > this.maxRead) {
      this.maxRead = pos;
      this.onRead(pos);
    }
  }
  override read(pos: number, dst: Uint8Array, dstOffset: number, length: number): number {
    const n = super.read(pos, dst, dstOffset, length);
    this.saw(pos + n);
    return n;
  }
  override view(start: number, end: number): Uint8Array {
    const v = super.view(start, end);
    this.saw(start + v.length);
    return v;
  }
}

let streams: IndexedStream[] = [];

function throttled(id: number, phase: 'reading' | 'scanning' | 'listing', total: number): (done: number) => void {
  let last = 0;
  return (done) => {
    const now = performance.now();
    if (now - last < 80 && done < total) return;
    last = now;
    self.postMessage({ type: 'progress', id, phase, done, total });
  };
}

async function openFile(id: number, file: Blob): Promise<ByteSource> {
  const progress = throttled(id, 'scanning', file.size);
  if (file.size > IN_MEMORY_MAX) return new BlobSource(file, progress);
  self.postMessage({ type: 'progress', id, phase: 'reading', done: 0, total: file.size });
  const bytes = new Uint8Array(await file.arrayBuffer());
  return new WatchedMemory(bytes, progress);
}

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case 'scan': {
      streams = [];
      const root = await openFile(msg.id, msg.file);
      self.postMessage({ type: 'progress', id: msg.id, phase: 'scanning', done: 0, total: msg.file.size });
      const listing = throttled(msg.id, 'listing', 1);
      const session = scanForPage(root, msg.name, msg.policy, { onProgress: (phase, done, total) => phase === 'listing' && listing(total ? done / total : 1) });
      streams = session.streams;
      self.postMessage({ type: 'result', id: msg.id, doc: session.doc, streams: streams.map((s) => s.info) });
      return;
    }
    case 'index': {
      streams = [];
      const bytes = new Uint8Array(await msg.file.slice(0, Math.min(msg.file.size, IN_MEMORY_MAX)).arrayBuffer());
      streams = indexWhole(new MemorySource(bytes), msg.name, msg.result);
      self.postMessage({ type: 'result', id: msg.id, doc: { version: 1, tool: { name: 'picklegate', version: VERSION }, policy: '', files: [msg.result], summary: { files: 1, safe: 0, suspicious: 0, dangerous: 0, errors: 0, rejected: 0, exitCode: 0 } }, streams: streams.map((s) => s.info) });
      return;
    }
    case 'positions': {
      const p = streams[msg.stream]?.positions.slice() ?? new Float64Array(0);
      self.postMessage({ type: 'positions', id: msg.id, positions: p }, [p.buffer]);
      return;
    }
    case 'rows': {
      const s = streams[msg.stream];
      self.postMessage({ type: 'rows', id: msg.id, rows: s ? rowsOf(s, msg.from, msg.count) : [] });
      return;
    }
  }
}

self.onmessage = (ev) => {
  handle(ev.data).catch((err: unknown) => self.postMessage({ type: 'error', id: ev.data.id, message: (err as Error)?.message ?? String(err) }));
};

self.postMessage({ type: 'ready', policies: listPolicies().map((p) => ({ name: p.name, description: p.description })), version: VERSION });
