/**
 * Raw request body with a hard cap, enforced before anything is buffered past it:
 * a declared Content-Length above the cap is refused without reading a byte, and a streamed
 * (chunked or lying) body is abandoned the moment it crosses the cap.
 */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors';

/** Media types accepted for a pickle body, lower case, without parameters. */
export const PICKLE_MEDIA_TYPES: readonly string[] = ['application/octet-stream', 'application/x-python-pickle'];

export function tooLarge(cap: number): HttpError {
  return new HttpError(413, 'payload_too_large', `request body exceeds ${cap} bytes`, {}, { maxBodyBytes: cap }, true);
}

/** 415 unless the Content-Type (ignoring parameters and case) is one of `allowed`. */
export function checkContentType(req: IncomingMessage, allowed: readonly string[]): void {
  const raw = req.headers['content-type'];
  const type = (raw ?? '').split(';')[0]!.trim().toLowerCase();
  if (!allowed.includes(type)) {
    throw new HttpError(415, 'unsupported_media_type', `Content-Type must be one of: ${allowed.join(', ')}`, {}, { accepted: allowed });
  }
}

/** 413 when the declared Content-Length is above the cap (nothing is read). */
export function checkDeclaredLength(req: IncomingMessage, cap: number): void {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > cap) throw tooLarge(cap);
}

/**
 * Reads the whole body, at most `cap` bytes. Rejects with 413 as soon as more arrive, with 400 when
 * the client goes away before the end. On rejection the request stream is paused, not drained.
 */
export function readBody(req: IncomingMessage, cap: number): Promise<Buffer> {
  checkDeclaredLength(req, cap);
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const finish = (err: Error | null, body?: Buffer): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('aborted', onAborted);
      req.off('close', onClose);
      req.off('error', onError);
      if (err) {
        req.pause();
        chunks.length = 0;
        reject(err);
      } else {
        resolve(body!);
      }
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > cap) return finish(tooLarge(cap));
      chunks.push(chunk);
    };
    const onEnd = (): void => finish(null, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
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
    if (req.readableEnded) finish(null, Buffer.alloc(0));
  });
}
