/** Graceful shutdown of the built service: SIGTERM during a slow in-flight request. */
import * as net from 'node:net';
import { OCTET, mxnetSgd, startBuiltService, waitFor } from './support';

test('SIGTERM: stops accepting, finishes the in-flight request, exits 0', async () => {
  const svc = await startBuiltService({ PICKLEGATE_SCAN_THREADS: '0', PICKLEGATE_SHUTDOWN_TIMEOUT_MS: '10000' });
  const port = Number(new URL(svc.url).port);
  const body = mxnetSgd();
  const sock = net.connect(port, '127.0.0.1');
  let answer = '';
  sock.on('data', (d: Buffer) => (answer += d.toString()));
  await new Promise((r) => sock.once('connect', r));
  sock.write(`POST /v1/gate HTTP/1.1\r\nHost: x\r\nContent-Type: ${OCTET}\r\nContent-Length: ${body.length}\r\n\r\n`);
  sock.write(body.subarray(0, 100));
  await new Promise((r) => setTimeout(r, 200));

  svc.proc.kill('SIGTERM');
  await waitFor(() => svc.stdout().includes('"msg":"shutting down"'));
  // New connections are refused while the old request is still in flight.
  const refused = await new Promise<boolean>((resolve) => {
    const probe = net.connect(port, '127.0.0.1');
    probe.once('connect', () => {
      probe.destroy();
      resolve(false);
    });
    probe.once('error', () => resolve(true));
  });
  expect(refused).toBe(true);
  expect(svc.proc.exitCode).toBeNull();

  sock.write(body.subarray(100));
  await waitFor(() => answer.includes('"accepted":true'));
  expect(answer).toMatch(/^HTTP\/1\.1 200 /);
  expect(answer).toMatch(/connection: close/i);
  expect(await svc.exited).toBe(0);
  expect(svc.stdout()).toContain('"msg":"stopped"');
  sock.destroy();
});

test('SIGINT on an idle service exits 0 at once', async () => {
  const svc = await startBuiltService({ PICKLEGATE_SCAN_THREADS: '1' });
  const t0 = Date.now();
  svc.proc.kill('SIGINT');
  expect(await svc.exited).toBe(0);
  expect(Date.now() - t0).toBeLessThan(5000);
});
