/**
 * Bodies above memoryBodyBytes are spooled to a private temporary file: scanned from it (as files,
 * in scan threads), relayed from it in forward mode, released when the request ends or aborts, and
 * bounded by the spool quota (503 beyond).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { scanFile } from '../../src';
import { ScanPool } from '../../server/scan-pool';
import { SpoolQuota, Spooler } from '../../server/spool';
import { DIST_WORKER, OCTET, ROOT, close, listen, makeService, mxnetSgd, osSystem, waitFor } from './support';

const KiB = 1024;
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** A protocol-4 pickle of `n` bytes: a list of BINBYTES8 blobs (plain data, accepted by every built-in policy but the wire ones). */
function bigPickle(n: number): Buffer {
  const blob = 64 * KiB;
  const parts: Buffer[] = [Buffer.from([0x80, 0x04, 0x5d, 0x28])];
  let left = n - 6;
  while (left > 0) {
    const len = Math.min(blob, left - 9);
    const head = Buffer.alloc(9);
    head[0] = 0x8e;
    head.writeBigUInt64LE(BigInt(len), 1);
    parts.push(head, Buffer.alloc(len, 0x5a));
    left -= 9 + len;
  }
  parts.push(Buffer.from([0x65, 0x2e]));
  return Buffer.concat(parts);
}

function spoolDir(): string {
  return fs.mkdtempSync(path.join(tmpdir(), 'picklegate-spool-test-'));
}

describe('spooled bodies', () => {
  const dir = spoolDir();
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a body above memoryBodyBytes is spooled, scanned as a file, and released; nothing is left in the spool directory', async () => {
    const spooler = new Spooler(dir, new SpoolQuota(64 * 1024 * KiB));
    const { app } = makeService({ maxBodyBytes: 16 * 1024 * KiB, memoryBodyBytes: 32 * KiB, spoolDir: dir }, undefined, spooler);
    const body = bigPickle(600 * KiB);
    const opened: number[] = [];
    const create = spooler.create.bind(spooler);
    spooler.create = async (reserved) => {
      const file = await create(reserved);
      const st = fs.fstatSync(file.fd);
      opened.push(st.mode & 0o777, st.nlink);
      return file;
    };
    const res = await request(app).post('/v1/gate?policy=default').set('Content-Type', OCTET).send(body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ verdict: 'safe', accepted: true, format: 'pickle', size: body.length, path: 'body.pkl' });
    expect(opened).toEqual([0o600, 0]); // private, and already unlinked while in use
    await waitFor(() => spooler.open === 0 && spooler.quota.used === 0);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('containers are opened from the spool as from memory (the CLI\'s answer for every container sample)', async () => {
    const spooler = new Spooler(dir, new SpoolQuota(1024 * 1024 * KiB));
    const { app } = makeService({ maxBodyBytes: 64 * 1024 * KiB, memoryBodyBytes: 1, spoolDir: dir }, undefined, spooler);
    const containers = path.join(ROOT, 'samples', 'containers');
    const files = fs.readdirSync(containers).filter((f) => !/\.(md|txt|json)$/.test(f) && fs.statSync(path.join(containers, f)).size > 1);
    expect(files.length).toBeGreaterThan(40);
    for (const f of files) {
      const file = path.join(containers, f);
      const cli = await scanFile(file, { policy: 'default' });
      const res = await request(app).post(`/v1/scan?policy=default&name=${encodeURIComponent(f)}`).set('Content-Type', OCTET).send(fs.readFileSync(file));
      expect({ f, verdict: res.body.verdict, accepted: res.body.accepted, format: res.body.format }).toEqual({ f, verdict: cli.verdict, accepted: cli.accepted, format: cli.format });
    }
    await waitFor(() => spooler.open === 0 && spooler.quota.used === 0);
  });

  test('spooled bodies are scanned in a scan thread through their descriptor', async () => {
    const pool = new ScanPool({ size: 1, thresholdBytes: 1024 * KiB, workerFile: DIST_WORKER });
    await pool.whenReady();
    try {
      const spooler = new Spooler(dir, new SpoolQuota(64 * 1024 * KiB));
      const { app } = makeService({ maxBodyBytes: 16 * 1024 * KiB, memoryBodyBytes: 32 * KiB, spoolDir: dir }, pool, spooler);
      const good = await request(app).post('/v1/gate?policy=default').set('Content-Type', OCTET).send(bigPickle(300 * KiB));
      expect(good.status).toBe(200);
      expect(good.body.timing.where).toBe('worker');
      const evil = Buffer.concat([osSystem(), Buffer.alloc(100 * KiB, 0x20)]);
      const bad = await request(app).post('/v1/gate?policy=default').set('Content-Type', OCTET).send(evil);
      expect(bad.status).toBe(422);
      expect(bad.body.timing.where).toBe('worker');
      expect(bad.body.findings[0]).toMatchObject({ severity: 'dangerous', path: ['body.pkl'] });
      await waitFor(() => spooler.open === 0 && spooler.quota.used === 0);
    } finally {
      await pool.close();
    }
  });

  test('the wire policy scans a spooled body as one raw pickle too', async () => {
    const spooler = new Spooler(dir, new SpoolQuota(64 * 1024 * KiB));
    const { app } = makeService({ maxBodyBytes: 16 * 1024 * KiB, memoryBodyBytes: 1024, spoolDir: dir }, undefined, spooler);
    const body = mxnetSgd(300);
    expect(body.length).toBeGreaterThan(1024);
    const res = await request(app).post('/v1/gate').set('Content-Type', OCTET).send(body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ policy: 'mxnet-optimizer', format: 'pickle', accepted: true, size: body.length });
    expect(res.body.optimizer.name).toBe('SGD');
  });

  test('forward mode relays an accepted spooled body from the spool, byte for byte', async () => {
    const seen: { body: Buffer; length: string | undefined }[] = [];
    const up = await listen((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ body: Buffer.concat(chunks), length: req.headers['content-length'] });
        res.end('ok');
      });
    });
    try {
      const spooler = new Spooler(dir, new SpoolQuota(64 * 1024 * KiB));
      const { app } = makeService({ upstream: `${up.url}/command`, maxBodyBytes: 16 * 1024 * KiB, memoryBodyBytes: 32 * KiB, spoolDir: dir }, undefined, spooler);
      const body = bigPickle(2 * 1024 * KiB);
      const res = await request(app).post('/v1/forward?policy=default').set('Content-Type', OCTET).send(body);
      expect(res.status).toBe(200);
      expect(res.text).toBe('ok');
      expect(seen).toHaveLength(1);
      expect(seen[0]!.length).toBe(String(body.length));
      expect(sha256(seen[0]!.body)).toBe(sha256(body));
      await waitFor(() => spooler.open === 0 && spooler.quota.used === 0);
    } finally {
      await close(up.server);
    }
  });
});

describe('spool quota and aborts', () => {
  const dir = spoolDir();
  let server: http.Server;
  let port = 0;
  const spooler = new Spooler(dir, new SpoolQuota(256 * KiB));
  let inFlight = (): number => 0;

  beforeAll(async () => {
    const svc = makeService({ maxBodyBytes: 1024 * KiB, memoryBodyBytes: 16 * KiB, spoolQuotaBytes: 256 * KiB, spoolDir: dir, retryAfterSeconds: 2 }, undefined, spooler);
    inFlight = () => svc.admission.inFlight;
    ({ server, port } = await listen(svc.app));
  });
  afterAll(async () => {
    await close(server);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function raw(): Promise<{ sock: net.Socket; received: () => string; closed: Promise<void> }> {
    return new Promise((resolve, reject) => {
      const sock = net.connect(port, '127.0.0.1');
      let data = '';
      sock.on('data', (d: Buffer) => (data += d.toString('latin1')));
      const closed = new Promise<void>((r) => sock.on('close', () => r()));
      sock.on('error', () => {});
      sock.once('connect', () => resolve({ sock, received: () => data, closed }));
      sock.once('error', reject);
    });
  }

  test('a declared length the quota cannot hold: 503 with Retry-After before a byte is read', async () => {
    const { sock, received, closed } = await raw();
    sock.write(`POST /v1/gate?policy=default HTTP/1.1\r\nHost: x\r\nContent-Type: ${OCTET}\r\nContent-Length: ${512 * KiB}\r\n\r\n`);
    await waitFor(() => received().includes('\r\n\r\n'));
    expect(received()).toMatch(/^HTTP\/1\.1 503 /);
    expect(received()).toMatch(/retry-after: 2/i);
    expect(received()).toMatch(/"error":"overloaded"/);
    sock.destroy();
    await closed;
    expect(spooler.quota.used).toBe(0);
  });

  test('a chunked body that grows past the quota: 503 while it is sent; the spool is released', async () => {
    const { sock, received, closed } = await raw();
    sock.write(`POST /v1/gate?policy=default HTTP/1.1\r\nHost: x\r\nContent-Type: ${OCTET}\r\nTransfer-Encoding: chunked\r\n\r\n`);
    const chunk = Buffer.alloc(32 * KiB, 0x61);
    for (let sent = 0; sent < 1024 * KiB && !received().includes('\r\n\r\n') && !sock.destroyed; sent += chunk.length) {
      sock.write(`${chunk.length.toString(16)}\r\n`);
      sock.write(chunk);
      sock.write('\r\n');
      await new Promise((r) => setTimeout(r, 2));
    }
    await waitFor(() => received().includes('\r\n\r\n'));
    expect(received()).toMatch(/^HTTP\/1\.1 503 /);
    sock.destroy();
    await closed;
    await waitFor(() => spooler.open === 0 && spooler.quota.used === 0 && inFlight() === 0);
  });

  test('a client that goes away mid-upload: the spool file is closed and its quota returned', async () => {
    const { sock, closed } = await raw();
    sock.write(`POST /v1/gate?policy=default HTTP/1.1\r\nHost: x\r\nContent-Type: ${OCTET}\r\nContent-Length: ${200 * KiB}\r\n\r\n`);
    sock.write(Buffer.alloc(100 * KiB, 0x61));
    await waitFor(() => spooler.open === 1 && spooler.quota.used === 200 * KiB);
    sock.destroy();
    await closed;
    await waitFor(() => spooler.open === 0 && spooler.quota.used === 0 && inFlight() === 0);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('two bodies the quota holds one at a time: the second waits for nothing and gets 503, the first is judged', async () => {
    const first = await raw();
    first.sock.write(`POST /v1/gate?policy=default HTTP/1.1\r\nHost: x\r\nContent-Type: ${OCTET}\r\nContent-Length: ${200 * KiB}\r\n\r\n`);
    await waitFor(() => spooler.quota.used === 200 * KiB);
    const second = await request(`http://127.0.0.1:${port}`).post('/v1/gate?policy=default').set('Content-Type', OCTET).send(bigPickle(100 * KiB));
    expect(second.status).toBe(503);
    const body = bigPickle(200 * KiB);
    first.sock.write(body);
    await waitFor(() => first.received().includes('"accepted":true'));
    expect(first.received()).toMatch(/^HTTP\/1\.1 200 /);
    first.sock.destroy();
    await first.closed;
    await waitFor(() => spooler.open === 0 && spooler.quota.used === 0);
  });
});
