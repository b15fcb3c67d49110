/** Hostile clients against the real HTTP server (timeouts set as in production, shorter). */
import * as net from 'node:net';
import request from 'supertest';
import { startService } from '../../server/serve';
import type { RunningService } from '../../server/serve';
import { OCTET, silentLogger, testConfig, waitFor } from './support';

const CAP = 1024 * 1024;
let svc: RunningService;

beforeAll(async () => {
  svc = await startService(testConfig({ port: 0, maxBodyBytes: CAP, requestTimeoutMs: 1500, headersTimeoutMs: 500, keepAliveTimeoutMs: 500 }), { logger: silentLogger() });
});
afterAll(async () => {
  await svc.shutdown();
});

/** Opens a raw TCP connection; collects what the server sends until it closes. */
function connect(): Promise<{ sock: net.Socket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(svc.port, '127.0.0.1');
    let data = '';
    sock.on('data', (d: Buffer) => (data += d.toString('latin1')));
    const closed = new Promise<void>((r) => sock.on('close', () => r()));
    sock.on('error', () => {});
    sock.once('connect', () => resolve({ sock, received: () => data, closed }));
    sock.once('error', reject);
  });
}

test('chunked body over the cap: 413 while the client is still sending, connection closed', async () => {
  const { sock, received, closed } = await connect();
  sock.write(`POST /v1/gate HTTP/1.1\r\nHost: x\r\nContent-Type: ${OCTET}\r\nTransfer-Encoding: chunked\r\n\r\n`);
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let sent = 0;
  // Offer up to 16 MiB in 64 KiB chunks, stopping as soon as the server has answered.
  while (sent < 16 * CAP && !received().includes('\r\n\r\n') && !sock.destroyed) {
    sock.write(`${chunk.length.toString(16)}\r\n`);
    sock.write(chunk);
    sock.write('\r\n');
    sent += chunk.length;
    await new Promise((r) => setImmediate(r));
  }
  await waitFor(() => received().includes('\r\n\r\n'));
  expect(received()).toMatch(/^HTTP\/1\.1 413 /);
  expect(received()).toMatch(/connection: close/i);
  expect(sent).toBeLessThan(4 * CAP);
  await closed; // the server ends the connection (after a short linger)
  await waitFor(() => svc.admission.inFlight === 0);
});

test('Content-Length above the cap: 413 before any body byte is sent', async () => {
  const { sock, received, closed } = await connect();
  sock.write(`POST /v1/gate HTTP/1.1\r\nHost: x\r\nContent-Type: ${OCTET}\r\nContent-Length: ${CAP + 1}\r\n\r\n`);
  await waitFor(() => received().includes('\r\n\r\n'));
  expect(received()).toMatch(/^HTTP\/1\.1 413 /);
  await closed;
});

test('client disconnects mid-body: nothing is scanned, the slot is released, the server stays up', async () => {
  const { sock } = await connect();
  sock.write(`POST /v1/gate HTTP/1.1\r\nHost: x\r\nContent-Type: ${OCTET}\r\nContent-Length: 100000\r\n\r\n`);
  sock.write(Buffer.alloc(1000, 0x28));
  await waitFor(() => svc.admission.inFlight === 1);
  sock.destroy();
  await waitFor(() => svc.admission.inFlight === 0);
  expect((await request(svc.server).get('/healthz')).status).toBe(200);
  const metrics = await request(svc.server).get('/metrics');
  expect(metrics.text).not.toMatch(/picklegate_scans_total\{/);
});

test('Content-Length larger than what is sent: cut by the request timeout, slot released', async () => {
  const { sock, received, closed } = await connect();
  sock.write(`POST /v1/gate HTTP/1.1\r\nHost: x\r\nContent-Type: ${OCTET}\r\nContent-Length: 5000\r\n\r\n`);
  sock.write(Buffer.alloc(100, 0x28));
  const t0 = Date.now();
  await closed;
  expect(Date.now() - t0).toBeLessThan(6000);
  expect(received()).toMatch(/^(HTTP\/1\.1 408 |$)/);
  await waitFor(() => svc.admission.inFlight === 0);
});

test('slow headers: the connection is closed after the headers timeout', async () => {
  const { sock, closed } = await connect();
  sock.write('POST /v1/gate HTTP/1.1\r\nHost: x\r\n');
  const t0 = Date.now();
  await closed;
  expect(Date.now() - t0).toBeLessThan(5000);
});
