/**
 * Streaming and in-memory scans give identical reports: every sample, under every policy, read
 * through a 64-byte window from a source that hands out a few bytes per read (so every opcode and
 * argument boundary is crossed), of known and of unknown size, reports exactly what scan(bytes) does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scan, scanSource, type ByteSource } from '../../src';
import { P } from '../support/pickle-builder';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { POLICIES, sampleFiles, normalise } = require('../snapshots/snapshot-files') as {
  POLICIES: string[];
  sampleFiles(root: string): string[];
  normalise(report: unknown, drop?: string[]): unknown;
};

/** A source that gives at most `step` bytes per read and, unless `sized`, hides its size (a stream). */
class Trickle implements ByteSource {
  reads = 0;
  backward = 0;
  private last = 0;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly step: number,
    private readonly sized: boolean,
  ) {}
  get size(): number | undefined {
    return this.sized ? this.bytes.length : undefined;
  }
  read(pos: number, dst: Uint8Array, dstOffset: number, length: number): number {
    this.reads++;
    if (pos < this.last) this.backward++;
    this.last = pos;
    const n = Math.max(0, Math.min(length, this.step, this.bytes.length - pos));
    dst.set(this.bytes.subarray(pos, pos + n), dstOffset);
    return n;
  }
}

const root = path.resolve(__dirname, '../..');
const files = sampleFiles(root).filter((rel) => !rel.startsWith('containers/'));

describe('a scan through a small window reports what an in-memory scan does', () => {
  test('the sample corpus is there', () => {
    expect(files.length).toBeGreaterThan(500);
  });

  test.each(files)('%s', (rel) => {
    const bytes = fs.readFileSync(path.join(root, 'samples', rel));
    for (const policy of POLICIES) {
      const want = normalise(scan(bytes, { policy }));
      expect(normalise(scanSource(new Trickle(bytes, 7, true), { policy, window: 64 }))).toEqual(want);
      expect(normalise(scanSource(new Trickle(bytes, 64, false), { policy, window: 64 }))).toEqual(want);
    }
  });
});

describe('bytes payloads are skipped, not read', () => {
  test('a pickle of 20 MiB of bytes is read in a few kilobytes', () => {
    const blob = new P().proto(4).raw(0x8e, ...new Uint8Array(new BigUint64Array([BigInt(20 << 20)]).buffer)).done();
    const bytes = new Uint8Array(blob.length + (20 << 20) + 1);
    bytes.set(blob);
    bytes[bytes.length - 1] = 0x2e;
    let read = 0;
    const src: ByteSource = {
      size: bytes.length,
      read(pos, dst, off, len) {
        const n = Math.max(0, Math.min(len, bytes.length - pos));
        read += n;
        dst.set(bytes.subarray(pos, pos + n), off);
        return n;
      },
    };
    const r = scanSource(src, { window: 4096 });
    expect(r.verdict).toBe('safe');
    expect(read).toBeLessThan(64 * 1024);
  });
});
