/**
 * samples/integrations/picklegate_client.py as a command-line tool, against the built service:
 * --help, several files, --url, --token or PICKLEGATE_TOKEN, --policy, verdicts with their top
 * findings, exit codes 0/1/2 as the CLI's, and never a traceback. Run with python3, and with
 * python2.7 / python3.6 too when this machine has them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Child } from './support';
import { ROOT, mxnetSgd, osSystem, spawnCmd, startBuiltService } from './support';

const CLIENT = path.join(ROOT, 'samples', 'integrations', 'picklegate_client.py');
const TOKEN = 'client-test-token-0123456789';
const TORCH_PAYLOAD = path.join(ROOT, 'samples', 'containers', 'torch_deflated_payload.pt');
const TORCH_BENIGN = path.join(ROOT, 'samples', 'containers', 'torch_benign.pt');

interface Run {
  code: number | null;
  out: string;
  err: string;
}

/** pyenv selects interpreters by PYENV_VERSION (e.g. `3.11.7:2.7.18:3.6.15`): passed on when set. */
const PYENV = process.env.PYENV_VERSION ? { PYENV_VERSION: process.env.PYENV_VERSION } : {};

async function client(args: string[], extraEnv: NodeJS.ProcessEnv = {}, python = 'python3', input?: Buffer): Promise<Run> {
  const env = { ...PYENV, ...extraEnv };
  if (input) {
    const r = spawnSync(python, [CLIENT, ...args], { input, env: { PATH: process.env.PATH, HOME: process.env.HOME, PYTHONDONTWRITEBYTECODE: '1', ...env }, encoding: 'utf8' });
    return { code: r.status, out: r.stdout, err: r.stderr };
  }
  const c = spawnCmd(python, [CLIENT, ...args], env);
  const code = await c.exited;
  return { code, out: c.stdout(), err: c.stderr() };
}

const noTraceback = (r: Run): void => expect(r.out + r.err).not.toMatch(/Traceback|File ".*", line \d+/);

describe('picklegate_client.py', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'picklegate-client-'));
  const good = path.join(tmp, 'optimizer.pkl');
  const bad = path.join(tmp, 'attack.pkl');
  const missing = path.join(tmp, 'missing.pkl');
  let open: Child & { url: string };
  let guarded: Child & { url: string };

  beforeAll(async () => {
    writeFileSync(good, mxnetSgd());
    writeFileSync(bad, osSystem('echo pwned'));
    [open, guarded] = await Promise.all([startBuiltService({ PICKLEGATE_SCAN_THREADS: '0' }), startBuiltService({ PICKLEGATE_SCAN_THREADS: '0', PICKLEGATE_TOKENS: TOKEN })]);
  });
  afterAll(async () => {
    for (const s of [open, guarded]) s?.proc.kill('SIGTERM');
    await Promise.all([open?.exited, guarded?.exited]);
    rmSync(tmp, { recursive: true, force: true });
  });

  test('--help: usage, options and the environment variables; exit 0', async () => {
    const r = await client(['--help']);
    expect(r.code).toBe(0);
    for (const s of ['--url', '--token', '--policy', 'PICKLEGATE_TOKEN', 'PICKLEGATE_URL', 'Exit codes']) expect(r.out).toContain(s);
    noTraceback(r);
  });

  test('no file: usage on stderr, exit 2, no traceback', async () => {
    const r = await client([]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/usage:/);
    noTraceback(r);
  });

  test('accepted files: exit 0, one line each with the verdict', async () => {
    const r = await client(['--url', open.url, good, good]);
    expect(r.code).toBe(0);
    expect(r.out.split('\n').filter((l) => l.startsWith(`accepted\t${good}\tsafe, pickle`))).toHaveLength(2);
  });

  test('a rejected file: exit 1, with the reason (its top findings, most severe first)', async () => {
    const r = await client(['--url', open.url, good, bad]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`accepted\t${good}`);
    expect(r.out).toMatch(new RegExp(`rejected\\t${bad}\\tdangerous, pickle, \\d+ findings? \\(policy mxnet-optimizer\\)`));
    const reasons = r.out.split('\n').filter((l) => l.startsWith('  '));
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons[0]).toMatch(/^ {2}dangerous +[A-Z_]+\/[a-z-]+ @\d+: .*os\.system/);
  });

  test('--policy default opens containers: the finding names the member', async () => {
    const r = await client(['--url', open.url, '--policy', 'default', TORCH_BENIGN, TORCH_PAYLOAD]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`accepted\t${TORCH_BENIGN}\tsafe, torch-zip`);
    expect(r.out).toContain(`rejected\t${TORCH_PAYLOAD}\tdangerous, torch-zip`);
    expect(r.out).toMatch(/dangerous +DENIED_GLOBAL\/denied \[in archive\/data\.pkl\]/);
  });

  test('a missing file: exit 2 with the reason; a rejection elsewhere still wins (exit 1)', async () => {
    const r = await client(['--url', open.url, good, missing]);
    expect(r.code).toBe(2);
    expect(r.out).toContain(`error\t${missing}\tcannot read:`);
    noTraceback(r);
    const both = await client(['--url', open.url, missing, bad]);
    expect(both.code).toBe(1);
    noTraceback(both);
  });

  test('an unreachable service or an unknown policy: exit 2, no traceback', async () => {
    const down = await client(['--url', 'http://127.0.0.1:1', '--timeout', '3', good]);
    expect(down.code).toBe(2);
    expect(down.out).toMatch(/^error\t.*service unreachable/m);
    noTraceback(down);
    const nope = await client(['--url', open.url, '--policy', 'nope', good]);
    expect(nope.code).toBe(2);
    expect(nope.out).toContain('HTTP 400 unknown_policy');
  });

  test('tokens: --token, or PICKLEGATE_TOKEN; without one the service answers 401 (exit 2)', async () => {
    const none = await client(['--url', guarded.url, good]);
    expect(none.code).toBe(2);
    expect(none.out).toContain('HTTP 401 unauthorized');
    noTraceback(none);
    expect((await client(['--url', guarded.url, '--token', TOKEN, good])).code).toBe(0);
    expect((await client(['--url', guarded.url, good], { PICKLEGATE_TOKEN: TOKEN })).code).toBe(0);
    expect((await client([good], { PICKLEGATE_TOKEN: TOKEN, PICKLEGATE_URL: guarded.url })).code).toBe(0);
  });

  test('standard input, and --json answers', async () => {
    const r = await client(['--url', open.url, '-'], {}, 'python3', osSystem());
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^rejected\t-\t/);
    const j = await client(['--url', open.url, '--json', good, bad]);
    expect(j.code).toBe(1);
    const lines = j.out.trim().split('\n').map((l) => JSON.parse(l) as { file: string; status: number; answer: { accepted: boolean } });
    expect(lines.map((l) => [l.file, l.status, l.answer.accepted])).toEqual([
      [good, 200, true],
      [bad, 422, false],
    ]);
  });

  test.each(['python2.7', 'python3.6'])('%s, when this machine has it', async (python) => {
    const probe = spawnSync(python, ['-c', 'import sys'], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...PYENV } });
    if (probe.status !== 0) return; // not installed here
    const r = await client(['--url', open.url, '--policy', 'default', good, TORCH_PAYLOAD, missing], {}, python);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`accepted\t${good}`);
    expect(r.out).toContain(`rejected\t${TORCH_PAYLOAD}\tdangerous, torch-zip`);
    expect(r.out).toContain(`error\t${missing}\tcannot read:`);
    noTraceback(r);
  });
});
