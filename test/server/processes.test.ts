/**
 * The service's processes: several workers on one port (PICKLEGATE_WORKERS), and `npm start` passing
 * signals on (no service left running after the npm process is told to stop).
 */
import { readFileSync } from 'node:fs';
import { ROOT, mxnetSgd, osSystem, spawnCmd, startBuiltService, waitFor } from './support';

/** Pids of the children of `pid` (Linux /proc), and of their children. */
function descendants(pid: number): number[] {
  let kids: number[] = [];
  try {
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return kids.flatMap((k) => [k, ...descendants(k)]);
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const post = (url: string, body: Buffer) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body });

test('PICKLEGATE_WORKERS=2: two workers share the port, /metrics sums them, SIGTERM stops them all (exit 0)', async () => {
  const svc = await startBuiltService({ PICKLEGATE_WORKERS: '2', PICKLEGATE_SCAN_THREADS: '0', PICKLEGATE_LOG_LEVEL: 'info' });
  try {
    await waitFor(() => /"role":"primary"[^\n]*"workers":2[^\n]*"msg":"listening"/.test(svc.stdout()), 15_000);
    const workers = descendants(svc.proc.pid!);
    expect(workers).toHaveLength(2);
    for (let i = 0; i < 20; i++) expect((await post(`${svc.url}/v1/gate`, mxnetSgd())).status).toBe(200);
    expect((await post(`${svc.url}/v1/gate`, osSystem())).status).toBe(422);
    // connections are dealt to both workers in turn
    await waitFor(() => /"worker":1[^\n]*"request completed"/.test(svc.stdout()) && /"worker":2[^\n]*"request completed"/.test(svc.stdout()));
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    expect(metrics).toMatch(/picklegate_scans_total\{verdict="safe",policy="mxnet-optimizer",accepted="true"\} 20\n/);
    expect(metrics).toMatch(/picklegate_scans_total\{verdict="dangerous",policy="mxnet-optimizer",accepted="false"\} 1\n/);
    svc.proc.kill('SIGTERM');
    expect(await svc.exited).toBe(0);
    await waitFor(() => workers.every((w) => !alive(w)));
    expect(svc.stdout()).toMatch(/"role":"primary"[^\n]*"code":0[^\n]*"msg":"stopped"/);
  } finally {
    if (svc.proc.exitCode === null) svc.proc.kill('SIGKILL');
  }
}, 60_000);

test('a worker that dies is replaced; the service keeps answering', async () => {
  const svc = await startBuiltService({ PICKLEGATE_WORKERS: '2', PICKLEGATE_SCAN_THREADS: '0', PICKLEGATE_LOG_LEVEL: 'info' });
  try {
    await waitFor(() => /"role":"primary"[^\n]*"msg":"listening"/.test(svc.stdout()), 15_000);
    const [first] = descendants(svc.proc.pid!);
    process.kill(first!, 'SIGKILL');
    await waitFor(() => /worker died; starting another/.test(svc.stdout()));
    await waitFor(() => descendants(svc.proc.pid!).length === 2 && !descendants(svc.proc.pid!).includes(first!), 15_000);
    for (let i = 0; i < 6; i++) expect((await post(`${svc.url}/v1/gate`, mxnetSgd())).status).toBe(200);
    svc.proc.kill('SIGTERM');
    expect({ code: await svc.exited, out: svc.stdout() }).toEqual({ code: 0, out: svc.stdout() });
  } finally {
    if (svc.proc.exitCode === null) svc.proc.kill('SIGKILL');
  }
}, 60_000);

test('workers that cannot start stop the service with their exit code', async () => {
  const svc = spawnCmd(process.execPath, [`${ROOT}/dist/server/main.js`], { PICKLEGATE_WORKERS: '2', PICKLEGATE_PORT: '0', PICKLEGATE_POLICY_FILES: '/nonexistent/policy.json' });
  // a bad policy file is found by the workers (they compile the policies): the service stops with 2
  expect(await svc.exited).toBe(2);
}, 30_000);

test('npm start, then SIGTERM to the npm process: the service stops too (no orphan)', async () => {
  // --ignore-scripts skips prestart's build (pretest built dist/; rebuilding it here would race the other suites)
  const npm = spawnCmd('npm', ['start', '--silent', '--ignore-scripts'], { PICKLEGATE_PORT: '0', PICKLEGATE_LOG_LEVEL: 'info', npm_config_update_notifier: 'false' });
  try {
    await waitFor(() => /"msg":"listening"/.test(npm.stdout()), 60_000);
    const tree = descendants(npm.proc.pid!);
    const node = tree.find((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('dist/server/main.js');
      } catch {
        return false;
      }
    });
    expect(node).toBeDefined();
    npm.proc.kill('SIGTERM');
    await npm.exited;
    await waitFor(() => !alive(node!), 15_000);
    expect(npm.stdout()).toMatch(/"msg":"stopped"/);
  } finally {
    for (const p of descendants(npm.proc.pid!)) if (alive(p)) process.kill(p, 'SIGKILL');
    if (npm.proc.exitCode === null) npm.proc.kill('SIGKILL');
  }
}, 180_000);
