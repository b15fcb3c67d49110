/**
 * The service judges a body as the CLI judges the same file: every file under samples/ (containers,
 * real-world files, malformed and malicious samples, MXNet wire bodies, and the generators' own text
 * files) is posted to POST /v1/scan and compared with scanFile() of the file under the same policy.
 *
 * - With `?name=<file name>` (what the CLI sees): under policies without a wire section (default), the
 *   verdict and the decision are the CLI's, file by file. Under the wire policies (mxnet-optimizer,
 *   mxnet-states) the body is one raw pickle stream by design: equal wherever the CLI reads the file as
 *   one plain pickle stream, and never accepted where the CLI rejects.
 * - Without a name (the body is `body.pkl`, compressed bodies `body.pkl.gz`...): equal to the CLI except
 *   for files the CLI reads as text or data, which the service, named like a pickle, scans as one and
 *   never accepts more readily.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { scanFile } from '../../src';
import { ROOT, close, listen, makeService } from './support';

const SAMPLES = path.join(ROOT, 'samples');

function allSampleFiles(): string[] {
  const out: string[] = [];
  (function walk(dir: string) {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name.startsWith('.') || e.name === '__pycache__') continue; // samples/.corpus: generated, not committed
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && fs.statSync(p).size > 0) out.push(p);
    }
  })(SAMPLES);
  return out;
}

interface Answer {
  status: number;
  body: { verdict: string; accepted: boolean; format: string; path: string; error?: string };
}

describe('service vs CLI on every sample file', () => {
  const files = allSampleFiles();
  let server: http.Server;
  let port = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  const post = (query: string, body: Buffer): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: `/v1/scan?${query}`, method: 'POST', agent, headers: { 'content-type': 'application/octet-stream', 'content-length': body.length } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Answer['body'] }));
      });
      req.on('error', reject);
      req.end(body);
    });

  beforeAll(async () => {
    const { app } = makeService({ maxBodyBytes: 64 * 1024 * 1024 });
    ({ server, port } = await listen(app));
  });
  afterAll(async () => {
    agent.destroy();
    await close(server);
  });

  test('the samples include the containers and the real-world files', () => {
    const rel = files.map((f) => path.relative(SAMPLES, f));
    expect(rel.filter((f) => f.startsWith('containers/')).length).toBeGreaterThanOrEqual(50);
    expect(rel.filter((f) => f.startsWith('real/')).length).toBeGreaterThanOrEqual(50);
    expect(files.length).toBeGreaterThan(1800);
  });

  test.each(['default', 'mxnet-optimizer', 'mxnet-states'])('named as the file: %s', async (policy) => {
    const wire = policy !== 'default';
    const differ: string[] = [];
    let compared = 0;
    for (const f of files) {
      const cli = await scanFile(f, { policy });
      const svc = await post(`policy=${policy}&name=${encodeURIComponent(path.basename(f))}`, fs.readFileSync(f));
      expect(svc.status).toBe(200);
      const rel = path.relative(SAMPLES, f);
      const plainPickle = cli.format === 'pickle' && cli.members.length === 0;
      if (wire && !plainPickle) {
        // a raw pickle scan of a container or a text file: never accepted where the CLI rejects
        if (svc.body.accepted && !cli.accepted) differ.push(`${rel}: service accepts a ${cli.format} the CLI rejects`);
        continue;
      }
      compared++;
      if (svc.body.verdict !== cli.verdict || svc.body.accepted !== cli.accepted) differ.push(`${rel}: service ${svc.body.verdict}/${svc.body.accepted}, CLI ${cli.verdict}/${cli.accepted} (${cli.format})`);
      if (!wire) expect(svc.body.format).toBe(cli.format);
    }
    expect(differ).toEqual([]);
    expect(compared).toBeGreaterThan(wire ? 1400 : files.length - 1);
  });

  test('unnamed bodies, policy default: the CLI\'s answer, or stricter for what the CLI reads as text or data', async () => {
    const differ: string[] = [];
    let stricter = 0;
    for (const f of files) {
      const cli = await scanFile(f, { policy: 'default' });
      const svc = await post('policy=default', fs.readFileSync(f));
      const same = svc.body.verdict === cli.verdict && svc.body.accepted === cli.accepted;
      if (same) continue;
      const rel = path.relative(SAMPLES, f);
      // text or data to the CLI, by its name: also inside a compressed file (inputs.json.xz)
      const textual = (format: string) => ['text', 'data', 'empty'].includes(format);
      const decoded = cli.members.length === 1 ? cli.members[0]! : undefined;
      if ((textual(cli.format) || (decoded !== undefined && textual(decoded.format))) && !svc.body.accepted) stricter++;
      else differ.push(`${rel}: service ${svc.body.verdict}/${svc.body.accepted}, CLI ${cli.verdict}/${cli.accepted} (${cli.format})`);
    }
    expect(differ).toEqual([]);
    expect(stricter).toBeLessThan(files.length / 4);
  });
});
