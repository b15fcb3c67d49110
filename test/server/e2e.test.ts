/**
 * End to end: the built service in forward mode in front of a fake MXNet server node that really
 * runs pickle.loads. Accepted MXNet optimizer bodies must arrive byte for byte; malicious ones must
 * never arrive (checked by the node's receive log and a canary file their payloads would create).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Child } from './support';
import { ROOT, spawnCmd, startBuiltService, waitFor } from './support';

const INTEGRATIONS = path.join(ROOT, 'samples', 'integrations');
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

interface Sample {
  name: string;
  body: Buffer;
  accept: boolean;
}

/** Corpus samples from samples/manifest.json: the MXNet wire bodies (accepted when mxnet-optimizer expects safe) and the malicious ones. */
function corpus(): { wire: Sample[]; malicious: Sample[] } {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'samples', 'manifest.json'), 'utf8')) as { samples: { file: string; category: string; expect: Record<string, string> }[] };
  const load = (category: string): Sample[] =>
    manifest.samples
      .filter((s) => s.category === category)
      .map((s) => ({ name: s.file, body: readFileSync(path.join(ROOT, 'samples', s.file)), accept: s.expect['mxnet-optimizer'] === 'safe' }));
  return { wire: load('mxnet-wire'), malicious: load('malicious') };
}

/** Payloads that create the canary file if anything unpickles them. */
function canaryAttacks(canary: string): Sample[] {
  const q = (s: string): string => s.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
  const touch = `open('${canary}', 'w').write('pwned')`;
  const bodies: [string, string][] = [
    ['os.system', `cos\nsystem\n(S'touch ${q(canary)}'\ntR.`],
    ['posix.system', `cposix\nsystem\n(S'touch ${q(canary)}'\ntR.`],
    ['builtins.exec', `cbuiltins\nexec\n(V${touch}\ntR.`],
    ['__builtin__.eval (py2 spelling)', `c__builtin__\neval\n(V${touch}\ntR.`],
    ['hidden in an optimizer dict', `ccopy_reg\n_reconstructor\np0\n(cmxnet.optimizer.optimizer\nSGD\np1\nc__builtin__\nobject\np2\nNtp3\nRp4\n(dp5\nVlr\np6\ncbuiltins\nexec\n(V${touch}\ntRsb.`],
    ['reconstructor on os.system', `ccopy_reg\n_reconstructor\n(cos\nsystem\nc__builtin__\nobject\nS'touch ${q(canary)}'\ntR.`],
    ['unused REDUCE under the result', `(cbuiltins\nexec\n(V${touch}\ntRI1\n.`],
  ];
  return bodies.map(([name, text]) => ({ name: `inline: ${name}`, body: Buffer.from(text, 'latin1'), accept: false }));
}

function post(url: string, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'content-length': body.length } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('e2e: service in forward mode before a fake MXNet server node', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'picklegate-e2e-'));
  const canary = path.join(tmp, 'canary');
  const nodeLog = path.join(tmp, 'node.log');
  let node: Child;
  let nodeUrl = '';
  let svc: Child & { url: string };
  const { wire, malicious } = corpus();

  const received = (): Set<string> =>
    new Set(
      (existsSync(nodeLog) ? readFileSync(nodeLog, 'utf8') : '')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { sha256: string }).sha256),
    );

  beforeAll(async () => {
    node = spawnCmd('python3', [path.join(INTEGRATIONS, 'fake_server_node.py'), '--port', '0', '--log', nodeLog], { PICKLEGATE_CANARY: canary });
    await waitFor(() => /listening \d+/.test(node.stdout()), 15_000);
    nodeUrl = `http://127.0.0.1:${/listening (\d+)/.exec(node.stdout())![1]}`;
    svc = await startBuiltService({ PICKLEGATE_UPSTREAM: `${nodeUrl}/command`, PICKLEGATE_SCAN_THREADS: '1', PICKLEGATE_SCAN_THREAD_BYTES: '4096', PICKLEGATE_LOG_LEVEL: 'info' });
  });

  afterAll(async () => {
    svc?.proc.kill('SIGTERM');
    node?.proc.kill('SIGTERM');
    await Promise.all([svc?.exited, node?.exited]);
    rmSync(tmp, { recursive: true, force: true });
  });

  test('the corpus is there: 349 MXNet wire bodies (348 to accept) and 91 malicious samples', () => {
    expect(wire).toHaveLength(349);
    expect(wire.filter((s) => s.accept)).toHaveLength(348);
    expect(malicious).toHaveLength(91);
  });

  test('sanity: the fake node really executes what it is sent (so the canary check means something)', async () => {
    const attack = canaryAttacks(canary)[0]!;
    await post(`${nodeUrl}/direct`, attack.body);
    expect(existsSync(canary)).toBe(true);
    rmSync(canary);
    writeFileSync(nodeLog, '');
  });

  test('all 349 MXNet wire bodies: the 348 accepted arrive byte-equal, the other is refused with 422 and never arrives', async () => {
    for (const s of wire) {
      const res = await post(`${svc.url}/v1/forward`, s.body);
      if (s.accept) {
        expect({ name: s.name, status: res.status }).toEqual({ name: s.name, status: 200 });
        expect(JSON.parse(res.text)).toMatchObject({ ok: true, sha256: sha256(s.body) });
      } else {
        expect({ name: s.name, status: res.status }).toEqual({ name: s.name, status: 422 });
      }
    }
    const got = received();
    for (const s of wire) expect({ name: s.name, arrived: got.has(sha256(s.body)) }).toEqual({ name: s.name, arrived: s.accept });
  });

  test('all 91 malicious samples and 7 inline canary attacks are rejected with 422 and never reach the node; the canary is never created', async () => {
    const attacks = [...malicious, ...canaryAttacks(canary)];
    expect(attacks).toHaveLength(98);
    for (const s of attacks) {
      const res = await post(`${svc.url}/v1/forward`, s.body);
      expect({ name: s.name, status: res.status }).toEqual({ name: s.name, status: 422 });
      expect(JSON.parse(res.text)).toMatchObject({ accepted: false });
    }
    const got = received();
    for (const s of attacks) expect({ name: s.name, arrived: got.has(sha256(s.body)) }).toEqual({ name: s.name, arrived: false });
    await new Promise((r) => setTimeout(r, 200));
    expect(existsSync(canary)).toBe(false);
  });

  test('python3 picklegate_client.py: accepted bodies pass, attacks and errors fail closed', async () => {
    const files: string[] = [];
    const write = (name: string, body: Buffer): string => {
      const f = path.join(tmp, name);
      writeFileSync(f, body);
      files.push(f);
      return f;
    };
    const good = wire.filter((s) => s.accept).slice(0, 5);
    const goodFiles = good.map((s, i) => write(`good${i}.pkl`, s.body));
    expect(goodFiles).toHaveLength(5);
    const badFile = write('bad.pkl', canaryAttacks(canary)[0]!.body);
    const client = path.join(INTEGRATIONS, 'picklegate_client.py');

    const ok = spawnCmd('python3', [client, '--url', svc.url, ...goodFiles], {});
    expect(await ok.exited).toBe(0);
    expect(ok.stdout().split('\n').filter((l) => l.startsWith('accepted')).length).toBe(goodFiles.length);

    const bad = spawnCmd('python3', [client, '--url', svc.url, goodFiles[0]!, badFile], {});
    expect(await bad.exited).toBe(1);
    expect(bad.stdout()).toContain(`rejected\t${badFile}`);

    // Library use: check_blob is False for an attack, for an unreachable service, and for a wrong policy name.
    const script = [
      'import sys',
      `sys.path.insert(0, ${JSON.stringify(INTEGRATIONS)})`,
      'from picklegate_client import check_blob',
      `good = open(${JSON.stringify(goodFiles[0])}, 'rb').read()`,
      `bad = open(${JSON.stringify(badFile)}, 'rb').read()`,
      `url = ${JSON.stringify(svc.url)}`,
      'print(check_blob(good, url=url), check_blob(good.decode("latin-1"), url=url), check_blob(bad, url=url),',
      '      check_blob(good, url="http://127.0.0.1:1", timeout=2), check_blob(good, url=url, policy="nope"), check_blob(None, url=url))',
    ].join('\n');
    const lib = spawnCmd('python3', ['-c', script], {});
    expect(await lib.exited).toBe(0);
    expect(lib.stdout().trim()).toBe('True True False False False False');
    expect(existsSync(canary)).toBe(false);
  });
});
