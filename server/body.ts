/**
 * Raw request body with a hard cap, enforced before anything is buffered past it:
 * a declared Content-Length above the cap is refused without reading a byte, and a streamed
 * (chunked or lying) body is abandoned the moment it crosses the cap. Bodies above a memory
 * threshold are spooled to a private temporary file (spool.ts).
 */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors';
import type { SpoolFile, Spooler } from './spool';

/** Media types accepted for a pickle body, lower case, without parameters. */
export const PICKLE_MEDIA_TYPES: readonly string[] = ['application/octet-stream', 'application/x-python-pickle'];

export function tooLarge(cap: number): HttpError {
  return new HttpError(413, 'payload_too_large', `request body exceeds ${cap} bytes`, {}, { maxBodyBytes: cap }, true);
}

/** 415 unless the Content-Type (ignoring parameters and case) is one of `allowed`. */
export function checkContentType(req: IncomingMessage, allowed: readonly string[]): void {
  const raw = req.headers['content-type'];
  if (raw !== undefined && allowed.includes(raw)) return; // the usual header, already in the form compared below
  const type = (raw ?? '').split(';')[0]!.trim().toLowerCase();
  if (!allowed.includes(type)) {
    throw new HttpError(415, 'unsupported_media_type', `Content-Type must be one of: ${allowed.join(', ')}`, {}, { acceptedTypes: allowed });
  }
}

/** 413 when the declared Content-Length is above the cap (nothing is read). */
export function checkDeclaredLength(req: IncomingMessage, cap: number): void {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > cap) throw tooLarge(cap);
}

/** A request body: in memory, or spooled to a temporary file (bodies above the memory threshold). */
export type Body = { kind: 'memory'; bytes: Buffer; size: number } | { kind: 'spool'; file: SpoolFile; size: number };

export interface ReadBodyOptions {
  /** 413 above this many bytes. */
  cap: number;
  /** Bodies up to this many bytes stay in memory; larger ones go to `spooler` (when given). */
  memoryBytes?: number;
  spooler?: Spooler;
  /** The 503 to answer when the spool quota is used up. */
  overloaded?: () => HttpError;
}

const defaultOverloaded = (): HttpError => new HttpError(503, 'overloaded', 'too many large bodies being held, retry later', {}, {}, true);

/**
 * Reads the whole body, at most `cap` bytes: in memory up to `memoryBytes`, spooled to a private
 * temporary file beyond (with backpressure: the request is paused while a chunk is written). Rejects
 * with 413 as soon as more than `cap` bytes arrive, 503 when the spool quota cannot hold the body
 * (a declared length is reserved before a byte is read), 400 when the client goes away before the end.
 * On rejection the request stream is paused, not drained, and a spool file is released.
 */
export function readBody(req: IncomingMessage, capOrOptions: number | ReadBodyOptions): Promise<Body> {
  const o: ReadBodyOptions = typeof capOrOptions === 'number' ? { cap: capOrOptions } : capOrOptions;
  checkDeclaredLength(req, o.cap);
  return new Promise<Body>((resolve, reject) => readBodyThen(req, o, (err, body) => (err === null ? resolve(body!) : reject(err))));
}

/**
 * readBody with a callback instead of a promise (the service's hot path): `done` is called once, with
 * the body or the error readBody would reject with. The declared length must have been checked
 * (checkDeclaredLength) before.
 */
export function readBodyThen(req: IncomingMessage, o: ReadBodyOptions, done: (err: Error | null, body?: Body) => void): void {
  const cap = o.cap;
  const spooler = o.spooler;
  const memoryBytes = spooler ? (o.memoryBytes ?? cap) : cap;
  const overloaded = o.overloaded ?? defaultOverloaded;
  const declaredText = req.headers['content-length'];
  const declared = declaredText === undefined ? undefined : Number(declaredText);
  const chunks: Buffer[] = [];
  let total = 0;
  let settled = false;
  let file: SpoolFile | null = null;
  /** The spool file is being created: chunks wait in `chunks`. */
  let creating = false;
  /** Chunk writes in flight (data is paused while there are any). */
  let writes = 0;
  let ended = false;
  const finish = (err: Error | null): void => {
    if (settled) return;
    settled = true;
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('aborted', onAborted);
    req.off('close', onClose);
    req.off('error', onError);
    if (err) {
      chunks.length = 0;
      req.pause();
      file?.release();
      done(err);
    } else if (file) {
      done(null, { kind: 'spool', file, size: total });
    } else {
      done(null, { kind: 'memory', bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total), size: total });
    }
  };
  const idle = (): boolean => !creating && writes === 0;
  const written = (err: Error | null): void => {
    writes--;
    if (settled) return;
    if (err) return finish(err);
    if (!idle()) return;
    if (ended) finish(null);
    else req.resume();
  };
  const write = (f: SpoolFile, chunk: Buffer): void => {
    writes++;
    req.pause();
    f.append(chunk, written);
  };
  /** Moves to a spool file holding `reserve` bytes of quota; what was buffered so far is written to it first. */
  const startSpool = (reserve: number): void => {
    if (!spooler!.quota.tryTake(reserve)) return finish(overloaded());
    creating = true;
    req.pause();
    spooler!.create(reserve).then(
      (f) => {
        creating = false;
        if (settled) return f.release();
        file = f;
        const queue = chunks.splice(0);
        if (queue.length === 0) {
          if (ended) finish(null);
          else req.resume();
          return;
        }
        for (const c of queue) write(f, c);
      },
      (err: Error) => {
        creating = false;
        spooler!.quota.give(reserve);
        finish(err);
      },
    );
  };
  const onData = (chunk: Buffer): void => {
    if (settled) return;
    total += chunk.length;
    if (total > cap) return finish(tooLarge(cap));
    if (file) {
      if (file.room < chunk.length && !file.reserve(chunk.length - file.room)) return finish(overloaded());
      write(file, chunk);
      return;
    }
    chunks.push(chunk);
    if (!creating && spooler && total > memoryBytes) startSpool(Math.max(total, declared ?? 0));
  };
  const onEnd = (): void => {
    ended = true;
    if (idle()) finish(null);
  };
  const gone = (): HttpError => new HttpError(400, 'bad_request', 'request body incomplete (client disconnected)');
  const onAborted = (): void => finish(gone());
  const onClose = (): void => {
    if (!req.complete) finish(gone());
  };
  const onError = (): void => finish(gone());
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('aborted', onAborted);
  req.on('close', onClose);
  req.on('error', onError);
  if (req.readableEnded) return finish(null);
  // a declared length above the memory threshold goes to the spool from its first byte (its quota taken now)
  if (spooler && declared !== undefined && declared > memoryBytes) startSpool(declared);
}
