#!/usr/bin/env node
/**
 * How long the triage page takes to show the report of a 100 MB checkpoint, measured in Chromium
 * (`npm run bench:page`; needs /usr/bin/chromium and the build). Makes, in a temporary folder:
 *   - a PyTorch zip (torch.save layout: archive/data.pkl + 100 stored 1 MiB float32 storages),
 *   - a 100 MB raw pickle of 100 bytes objects of 1 MiB (a few opcodes, long payloads),
 *   - a 100 MB raw pickle of 11 million floats (11 million opcodes: the worst case for the listing),
 * then times each from the file being given to the report shown (the page's own measure), scanned in
 * the browser. Prints the page weight too.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const CHROMIUM = process.env.PICKLEGATE_CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const MAKE = String.raw`
import io, os, pickle, sys, types, zipfile
out = sys.argv[1]
# torch.save's data.pkl, written by pickle itself against stand-ins of the torch names
torch = types.ModuleType('torch'); utils = types.ModuleType('torch._utils')
class FloatStorage: pass
FloatStorage.__module__ = 'torch'; torch.FloatStorage = FloatStorage
def _rebuild_tensor_v2(*a): pass
_rebuild_tensor_v2.__module__ = 'torch._utils'; utils._rebuild_tensor_v2 = _rebuild_tensor_v2
sys.modules['torch'] = torch; sys.modules['torch._utils'] = utils
class Storage:
    def __init__(self, key, numel): self.key, self.numel = key, numel
class Tensor:
    def __init__(self, storage, size): self.storage, self.size = storage, size
    def __reduce__(self):
        from collections import OrderedDict
        return (_rebuild_tensor_v2, (self.storage, 0, (self.size,), (1,), False, OrderedDict()))
class P(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage): return ('storage', FloatStorage, obj.key, 'cpu', obj.numel)
        return None
from collections import OrderedDict
n, numel = 100, 262144
state = OrderedDict((f'layer{i}.weight', Tensor(Storage(str(i), numel), numel)) for i in range(n))
buf = io.BytesIO(); P(buf, protocol=2).dump(state)
with zipfile.ZipFile(os.path.join(out, 'model_100mb.pt'), 'w', zipfile.ZIP_STORED) as z:
    z.writestr('archive/data.pkl', buf.getvalue())
    z.writestr('archive/byteorder', 'little')
    for i in range(n): z.writestr(f'archive/data/{i}', os.urandom(numel * 4))
    z.writestr('archive/version', '3\n')
with open(os.path.join(out, 'blobs_100mb.pkl'), 'wb') as f:
    pickle.dump([os.urandom(1 << 20) for _ in range(100)], f, protocol=4)
with open(os.path.join(out, 'floats_100mb.pkl'), 'wb') as f:
    pickle.dump([i * 0.5 for i in range(11_000_000)], f, protocol=4)
`;

async function main() {
  const { chromium } = require('playwright-core');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picklegate-measure-'));
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'picklegate-chromium-'));
  execFileSync('python3', ['-c', MAKE, dir]);
  const { spawn } = require('node:child_process');
  const svc = spawn(process.execPath, [path.join(ROOT, 'dist/server/main.js')], { env: { ...process.env, PICKLEGATE_PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  let log = '';
  const port = await new Promise((resolve, reject) => {
    svc.stdout.on('data', (d) => {
      log += d;
      const m = /"port":(\d+)[^\n]*"msg":"listening"/.exec(log);
      if (m) resolve(Number(m[1]));
    });
    svc.on('exit', () => reject(new Error('service exited')));
  });
  const ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 900 } });
  const results = [];
  try {
    const page = ctx.pages()[0] || (await ctx.newPage());
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForSelector('body[data-state="idle"]');
    for (const name of ['model_100mb.pt', 'blobs_100mb.pkl', 'floats_100mb.pkl']) {
      const file = path.join(dir, name);
      for (let run = 0; run < 2; run++) {
        await page.setInputFiles('#file', []);
        await page.evaluate(() => (document.body.dataset.state = 'waiting'));
        const t0 = Date.now();
        await page.setInputFiles('#file', file);
        await page.waitForFunction(() => document.body.dataset.state === 'done' || document.body.dataset.state === 'error', null, { timeout: 600_000 });
        const wall = Date.now() - t0;
        const r = await page.evaluate(() => ({ state: document.body.dataset.state, ms: Number(document.body.dataset.scanMs), verdict: document.querySelector('article.file')?.getAttribute('data-verdict'), scanMs: window.picklegate.last?.doc.files[0].timeMs, ops: (window.picklegate.last?.streams ?? []).reduce((n, s) => n + s.count, 0) }));
        results.push({ file: name, size: fs.statSync(file).size, run, ...r, wallMs: wall });
      }
    }
  } finally {
    await ctx.close();
    svc.kill();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(profile, { recursive: true, force: true });
  }
  const weight = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist/page/weight.json'), 'utf8'));
  console.log(`page weight: ${(weight.page.gzip / 1024).toFixed(1)} KiB gzipped (${(weight.page.bytes / 1024).toFixed(1)} KiB), budget ${(weight.budgetGzip / 1024).toFixed(0)} KiB`);
  for (const r of results) console.log(`${r.file.padEnd(18)} ${(r.size / 1e6).toFixed(1)} MB  run ${r.run}: report shown in ${r.ms} ms (scan ${Math.round(r.scanMs)} ms, ${r.ops.toLocaleString('en-US')} opcodes listed, wall ${r.wallMs} ms) ${r.state} ${r.verdict}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
