/**
 * Spooling of large bodies: a body above the memory threshold is written to a private temporary file
 * (created with O_EXCL and mode 0600 in the spool directory, and unlinked as soon as it is open, so
 * nothing is left behind even if the process dies) and scanned, and relayed in forward mode, from its
 * descriptor. A quota bounds the bytes all spooled bodies of this process hold at once; a body that
 * would pass it is refused (503). The descriptor is closed and its bytes leave the quota when the last
 * holder (the request, a scan thread reading it) releases it.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';

export class SpoolQuota {
  private usedBytes = 0;
  constructor(readonly max: number) {}
  get used(): number {
    return this.usedBytes;
  }
  /** Takes `n` bytes of the quota; false (nothing taken) when that would pass it. */
  tryTake(n: number): boolean {
    if (this.usedBytes + n > this.max) return false;
    this.usedBytes += n;
    return true;
  }
  give(n: number): void {
    this.usedBytes = Math.max(0, this.usedBytes - n);
  }
}

/** Files of a spool directory: where they go and how much they may hold together. */
export class Spooler {
  /** Spool files open now (for tests and metrics). */
  open = 0;
  constructor(
    readonly dir: string,
    readonly quota: SpoolQuota,
  ) {}

  /** Creates an empty spool file holding `reserved` bytes of the quota (already taken by the caller). */
  create(reserved: number): Promise<SpoolFile> {
    const path = join(this.dir, `picklegate-${process.pid}-${randomBytes(8).toString('hex')}.spool`);
    return new Promise((resolve, reject) => {
      // O_EXCL: never follow or reuse a file someone else placed there; 0600: private to this user
      fs.open(path, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600, (err, fd) => {
        if (err) return reject(err);
        this.open++;
        const file = new SpoolFile(this, fd, reserved);
        fs.unlink(path, (unlinkErr) => {
          if (unlinkErr) file.path = path; // removed when released instead
          resolve(file);
        });
      });
    });
  }
}

/**
 * One spooled body: an unlinked temporary file, written once from the request, then read by
 * positional reads (scans) and streams (forward mode). Reference counted: `retain()` per holder,
 * `release()` when done; the last release closes it and returns its quota.
 */
export class SpoolFile {
  /** Bytes written so far (the body's size once complete). */
  size = 0;
  /** Set when the file could not be unlinked at creation (removed at release). */
  path: string | null = null;
  private holders = 1;
  private closed = false;

  constructor(
    private readonly spooler: Spooler,
    readonly fd: number,
    /** Bytes of the quota this file holds. */
    private reserved: number,
  ) {}

  /** Takes `n` more bytes of the quota (a chunked body grows past what was reserved); false when the quota is used up. */
  reserve(n: number): boolean {
    if (!this.spooler.quota.tryTake(n)) return false;
    this.reserved += n;
    return true;
  }

  get room(): number {
    return this.reserved - this.size;
  }

  /** Appends `chunk` (the caller reserved room for it). */
  append(chunk: Buffer, done: (err: Error | null) => void): void {
    const at = this.size;
    this.size += chunk.length;
    let off = 0;
    const step = (): void => {
      fs.write(this.fd, chunk, off, chunk.length - off, at + off, (err, n) => {
        if (err) return done(err);
        off += n;
        if (off < chunk.length) step();
        else done(null);
      });
    };
    step();
  }

  /** The body, streamed from the file (forward mode). Holds the file until the stream closes. */
  stream(): Readable {
    if (this.size === 0) return Readable.from([]);
    this.retain();
    const s = fs.createReadStream('', { fd: this.fd, start: 0, end: this.size - 1, autoClose: false, highWaterMark: 1 << 20 });
    s.once('close', () => this.release());
    return s;
  }

  retain(): void {
    this.holders++;
  }

  release(): void {
    if (this.closed || --this.holders > 0) return;
    this.closed = true;
    const { spooler } = this;
    spooler.open--;
    spooler.quota.give(this.reserved);
    fs.close(this.fd, () => undefined);
    if (this.path) fs.unlink(this.path, () => undefined);
  }
}
