/**
 * The streaming path (files by positional reads, decoders, slices) gives the same result as the
 * same bytes in memory, for every sample; real lz4, zstd and legacy torch files at every pickle
 * protocol are opened; scanStream spools large bodies to a private file and removes it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { scanBytes, scanFile, scanStream } from '../../src/containers/scan-file';
import { closeInflateWorkers } from '../../src/containers/decode';
import type { FileResult } from '../../src/containers/result';
import { SAMPLES, sample } from './helpers';

afterAll(() => closeInflateWorkers());

const ROOT = path.join(__dirname, '..', '..', 'samples');
const REAL = path.join(ROOT, 'real');

const strip = (r: FileResult) => JSON.parse(JSON.stringify(r, (k, v) => (k === 'timeMs' || k === 'path' && typeof v === 'string' ? undefined : v)));

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : /\.(py|md|json|txt|pyc)$/.test(e.name) ? [] : [path.join(dir, e.name)]));
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { sampleFiles } = require('../snapshots/snapshot-files') as { sampleFiles(root: string): string[] };

describe('scanFile (positional reads) equals scanBytes (memory)', () => {
  // every sample, and the real files of both generations
  const files = [...sampleFiles(path.join(ROOT, '..')).map((rel) => path.join(ROOT, rel)), ...walk(REAL)];
  test.each(files.map((f) => [path.relative(ROOT, f), f]))('%s', async (_rel, file) => {
    const name = path.basename(file);
    const a = await scanFile(file);
    const b = await scanBytes(fs.readFileSync(file), name);
    expect(strip(b)).toEqual(strip(a));
  });
});

describe('real files that were not opened before', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(REAL, 'manifest.json'), 'utf8')) as { files: { path: string; label: string; saver: string }[] };
  const rows = manifest.files.filter((f) => /torch-legacy|joblib-lz4|pd-zstd/.test(f.path));
  test('there are legacy torch files at protocols 2, 3 and 4, lz4 and zstd files', () => {
    for (const re of [/legacy-p2/, /legacy-p3/, /legacy-p4/, /lz4/, /zst/]) expect(rows.some((r) => re.test(r.path))).toBe(true);
  });
  test.each(rows.map((r) => [r.path, r.label] as const))('%s (%s): opened, no container anomaly', async (rel, label) => {
    const r = await scanFile(path.join(REAL, rel));
    expect(r.error).toBeUndefined();
    const container = r.findings.filter((f) => ['TRAILING_DATA', 'CONTAINER_ANOMALY', 'UNSUPPORTED_FORMAT', 'MALFORMED', 'TRUNCATED'].includes(f.code));
    expect(container.map((f) => `${f.code}: ${f.message}`)).toEqual([]);
    if (/legacy/.test(rel)) expect(r.format).toBe('torch-legacy');
    else {
      expect(r.members).toHaveLength(1);
      expect(r.members[0]!.pickles?.length).toBeGreaterThan(0);
    }
    if (label === 'benign-library' && /pipeline|series/.test(rel)) expect(r.accepted).toBe(true);
  });
});

describe('zip CRC-32 over streamed content', () => {
  test('a stored member with a CRC mismatch', async () => {
    const r = await scanFile(path.join(SAMPLES, 'torch_crc_mismatch.pt'));
    expect(r.findings.find((f) => f.rule === 'zip-crc')?.path).toEqual(['torch_crc_mismatch.pt', 'archive/data.pkl']);
  });
  test('a deflated member with a CRC mismatch', async () => {
    const b = Buffer.from(sample('torch_deflated.pt'));
    // the central directory's CRC of data.pkl: change it
    const name = Buffer.from('data.pkl');
    let at = -1;
    for (let i = b.length - 46; i >= 0; i--) if (b.readUInt32LE(i) === 0x02014b50 && b.subarray(i + 46, i + 46 + b.readUInt16LE(i + 28)).toString().endsWith(name.toString())) at = i;
    expect(at).toBeGreaterThan(0);
    b.writeUInt32LE((b.readUInt32LE(at + 16) ^ 0x1234) >>> 0, at + 16);
    const r = await scanBytes(b, 'd.pt');
    expect(r.findings.some((f) => f.rule === 'zip-crc')).toBe(true);
    expect(r.accepted).toBe(false);
  });
});

describe('scanStream', () => {
  test('a small body is scanned from memory', async () => {
    const r = await scanStream(Readable.from([sample('payload.pkl.gz')]), {}, { name: 'body.pkl.gz' });
    expect(r.verdict).toBe('dangerous');
    expect(r.path).toBe('-');
  });
  test('a large body is spooled to a private file, removed afterwards', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-spool-'));
    const body = zlib.gzipSync(Buffer.concat([sample('model.bin')]));
    let seenMode = -1;
    const watcher = setInterval(() => {
      for (const f of fs.readdirSync(dir)) {
        // the spool file may be removed between the listing and the stat (a fast scan)
        const st = fs.statSync(path.join(dir, f), { throwIfNoEntry: false });
        if (st) seenMode = st.mode & 0o777;
      }
    }, 1);
    try {
      const chunks = [body.subarray(0, 10), body.subarray(10)];
      const r = await scanStream(Readable.from(chunks), {}, { memoryThreshold: 16, tmpDir: dir, name: 'big.pkl.gz' });
      expect(r.verdict).toBe('dangerous');
      expect(strip(r)).toEqual(strip(await scanBytes(body, 'big.pkl.gz')));
    } finally {
      clearInterval(watcher);
    }
    expect(fs.readdirSync(dir)).toEqual([]);
    if (seenMode !== -1) expect(seenMode).toBe(0o600);
    fs.rmdirSync(dir);
  });
  test('a body over --max-file-bytes is an error result, and the spool file is gone', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-spool-'));
    const r = await scanStream(Readable.from([Buffer.alloc(100), Buffer.alloc(100)]), { containerLimits: { maxFileBytes: 150 } }, { memoryThreshold: 50, tmpDir: dir });
    expect(r.error?.code).toBe('EFBIG');
    expect(fs.readdirSync(dir)).toEqual([]);
    fs.rmdirSync(dir);
  });
  test('an aborted or failing body removes the spool file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-spool-'));
    async function* failing() {
      yield Buffer.alloc(100);
      throw new Error('connection reset');
    }
    const r = await scanStream(failing(), {}, { memoryThreshold: 50, tmpDir: dir });
    expect(r.error?.code).toBe('EIO');
    const ac = new AbortController();
    async function* aborting() {
      yield Buffer.alloc(100);
      ac.abort();
      yield Buffer.alloc(100);
    }
    const r2 = await scanStream(aborting(), {}, { memoryThreshold: 50, tmpDir: dir, signal: ac.signal });
    expect(r2.error?.code).toBe('ABORT_ERR');
    expect(fs.readdirSync(dir)).toEqual([]);
    fs.rmdirSync(dir);
  });
});

describe('deflated members', () => {
  test('sniffing inert deflated members does not use up the inflate budget', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-zip-'));
    const file = path.join(dir, 'm.pt');
    const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
    const py = `
import zipfile, pickle, random, sys
random.seed(1)
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('archive/data.pkl', pickle.dumps({'a': 1}, protocol=2))
    for i in range(40):
        z.writestr('archive/data/%d' % i, bytes(random.getrandbits(8) & 0x3f for _ in range(200000)))
`;
    expect(spawnSync('python3', ['-c', py, file]).status).toBe(0);
    const r = await scanFile(file, { containerLimits: { maxInflatedBytes: 1024 * 1024 } });
    expect(r.findings.filter((f) => f.severity !== 'info').map((f) => f.message)).toEqual([]);
    expect(r.accepted).toBe(true);
    expect(r.skippedMembers).toBe(40);
    fs.rmSync(dir, { recursive: true });
  });
});
