/**
 * CLI robustness: paths that cannot be read, loops, bombs, truncated archives and a directory of
 * 100,000 files. Each problem is reported clearly, the rest of the scan goes on, and exit code 2 is
 * used only where a file could not be checked (a dangling link, a link loop, a file used as a directory,
 * a socket that cannot be opened). test/cli/scan.test.ts covers FIFOs, directory symlink
 * loops inside a tree, links out of the tree and dangling links inside a tree.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { cli, S } from '../cli/run';

let tmp: string;
const ok = () => path.join(tmp, 'ok.pkl');
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'picklegate-robust-cli-'));
  fs.writeFileSync(ok(), Buffer.from([0x80, 2, 0x4e, 0x2e]));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('paths that cannot be checked: exit 2, named on stderr, the other files still scanned', () => {
  test.each([
    ['a dangling symlink given directly', (d: string) => { fs.symlinkSync(path.join(d, 'nowhere'), path.join(d, 'x.pkl')); return path.join(d, 'x.pkl'); }, /ENOENT/],
    ['a symlink loop given directly', (d: string) => { fs.symlinkSync(path.join(d, 'b'), path.join(d, 'a')); fs.symlinkSync(path.join(d, 'a'), path.join(d, 'b')); return path.join(d, 'a'); }, /ELOOP/],
    ['a file used as a directory', (d: string) => { fs.writeFileSync(path.join(d, 'f'), 'x'); return path.join(d, 'f', 'model.pkl'); }, /ENOTDIR/],
  ])('%s', (_name, make, code) => {
    const d = fs.mkdtempSync(path.join(tmp, 'case-'));
    const target = make(d);
    const r = cli(['scan', '--format', 'json', target, ok()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(path.basename(target));
    expect(r.stderr).toMatch(code);
    const files = JSON.parse(r.stdout).files as { path: string; verdict?: string }[];
    expect(files.find((f) => f.path === ok())).toMatchObject({ verdict: 'safe' });
  });

  test('a file that exists but cannot be opened, even as root: a Unix socket (open() fails with ENXIO)', async () => {
    // chmod 000 does not stop root, and CI runs as root; open() on a socket fails for every user
    const f = path.join(tmp, 'socket.pkl');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(f, resolve));
    try {
      expect(fs.statSync(f).isSocket()).toBe(true);
      const r = cli(['scan', '--format', 'json', f, ok()]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${f}: cannot open: ENXIO`);
      const files = JSON.parse(r.stdout).files as { path: string; verdict?: string; accepted?: boolean; error?: { code: string; message: string } }[];
      expect(files.find((x) => x.path === f)).toMatchObject({ accepted: false, error: { code: 'ENXIO', message: expect.stringMatching(/^cannot open: ENXIO/) } });
      expect(files.find((x) => x.path === ok())).toMatchObject({ verdict: 'safe' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('bombs and broken archives are verdicts, not errors: exit 1, the rest goes on', () => {
  const zeros = Buffer.alloc(64 << 20);
  test('gzip bomb (64 MiB of zeros in 64 KiB) under a 16 MiB inflate budget', () => {
    const f = path.join(tmp, 'bomb.pkl.gz');
    fs.writeFileSync(f, zlib.gzipSync(zeros, { level: 9 }));
    const r = cli(['scan', '--format', 'json', '--max-inflated-bytes', '16MiB', f, ok()]);
    expect(r.code).toBe(1);
    const files = JSON.parse(r.stdout).files;
    expect(files[0].findings.map((x: { code: string }) => x.code)).toContain('LIMIT_EXCEEDED');
    expect(files[1].verdict).toBe('safe');
  });
  test('zip bomb: a deflated member declaring 64 MiB under a 16 MiB budget is not inflated', () => {
    const data = zlib.deflateRawSync(zeros, { level: 9 });
    const crc = zlib.crc32(zeros);
    const name = Buffer.from('archive/data.pkl');
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0); lh.writeUInt16LE(20, 4); lh.writeUInt16LE(8, 8); lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(data.length, 18); lh.writeUInt32LE(zeros.length, 22); lh.writeUInt16LE(name.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0); cd.writeUInt16LE(20, 4); cd.writeUInt16LE(20, 6); cd.writeUInt16LE(8, 10); cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(data.length, 20); cd.writeUInt32LE(zeros.length, 24); cd.writeUInt16LE(name.length, 28);
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0); eocd.writeUInt16LE(1, 8); eocd.writeUInt16LE(1, 10); eocd.writeUInt32LE(46 + name.length, 12); eocd.writeUInt32LE(30 + name.length + data.length, 16);
    const f = path.join(tmp, 'bomb.zip');
    fs.writeFileSync(f, Buffer.concat([lh, name, data, cd, name, eocd]));
    const t0 = Date.now();
    const r = cli(['scan', '--format', 'json', '--max-inflated-bytes', '16MiB', f, ok()]);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.code).toBe(1);
    const files = JSON.parse(r.stdout).files;
    expect(JSON.stringify(files[0].findings)).toMatch(/LIMIT_EXCEEDED/);
    expect(files[1].verdict).toBe('safe');
  });
  test('a truncated torch zip is a CONTAINER_ANOMALY, never safe', () => {
    const full = fs.readFileSync(S('torch_real.pt'));
    for (const cut of [Math.floor(full.length / 2), full.length - 30]) {
      const f = path.join(tmp, `trunc-${cut}.pt`);
      fs.writeFileSync(f, full.subarray(0, cut));
      const r = cli(['scan', '--format', 'json', f, ok()]);
      expect(r.code).toBe(1);
      const files = JSON.parse(r.stdout).files;
      expect(files[0].verdict).not.toBe('safe');
      expect(JSON.stringify(files[0].findings)).toMatch(/CONTAINER_ANOMALY/);
      expect(files[1].verdict).toBe('safe');
    }
  });
});

test('a directory of 100,000 files completes with exit 0', () => {
  const root = path.join(tmp, 'many');
  const body = Buffer.from([0x80, 2, 0x4b, 0, 0x2e]);
  for (let d = 0; d < 100; d++) {
    fs.mkdirSync(path.join(root, `d${d}`), { recursive: true });
    for (let i = 0; i < 1000; i++) fs.writeFileSync(path.join(root, `d${d}`, `f${i}.pkl`), body);
  }
  const t0 = Date.now();
  const r = cli(['scan', '--quiet', root], { timeout: 240_000, maxBuffer: 1 << 28 });
  expect(r.code).toBe(0);
  expect(r.stderr).toBe('');
  expect(Date.now() - t0).toBeLessThan(240_000);
  // a sample of the summary line in text mode (one subdirectory, to keep the output small)
  expect(cli(['scan', path.join(root, 'd7')]).stdout).toMatch(/1000 files: 1000 safe/);
}, 300_000);
