#!/usr/bin/env node
/* eslint-disable */
/**
 * `npm run bench [-- --quick] [-- --only=scan,python,http,cli,stream,big]`: the benchmark suite (not part of `npm test`).
 *
 * Generates its inputs once with python3 (test/bench/gen.py → test/bench/.data/, git-ignored), then measures
 *   - scan() in-process, one child process per input (median of N runs; peak RSS of that child),
 *   - the Python baseline over the same bytes (pickletools.genops, pickle.loads for reference),
 *   - the HTTP service (autocannon against dist/server/main.js on a free 127.0.0.1 port),
 *   - the CLI (wall time, peak RSS via /proc/<pid>/status VmHWM, start-up time),
 *   - streaming decompression (test/bench/stream.js: a 2 GB gzip-compressed pickle, picklegate's
 *     decoder source and scanFile next to plain zlib inflate, throughput and peak RSS),
 *   - files of any size, whole process (test/bench/big.js: 20 GB and 3 GB sparse raw pickles, a 200 MB
 *     blob-heavy one, an opcode-dense one next to picklescan, CLI start-up),
 * and prints one table per part. Everything stays on 127.0.0.1 and is bounded in time.
 * PICKLEGATE_DIST=/path/to/dist measures another build (for before/after comparisons).
 */
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = path.resolve(process.env.PICKLEGATE_DIST || path.join(ROOT, 'dist'));
const DATA = path.join(__dirname, '.data');
const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const onlyArg = argv.find((a) => a.startsWith('--only='));
const ONLY = onlyArg ? new Set(onlyArg.slice(7).split(',')) : null;
const want = (part) => !ONLY || ONLY.has(part);
const PY = process.env.PYTHON || 'python3';

// ------------------------------------------------------------------ child mode: scan one input N times
if (argv[0] === '--child-scan') {
  const { scan } = require(path.join(DIST, 'src'));
  const file = argv[1];
  const runs = Number(argv[2]);
  const bytes = fs.readFileSync(file);
  const times = [];
  let report;
  const deadline = Date.now() + 60_000;
  for (let i = 0; i < runs && (i < 1 || Date.now() < deadline); i++) {
    const t = process.hrtime.bigint();
    report = scan(bytes);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  process.stdout.write(JSON.stringify({
    ms: times[times.length >> 1],
    runs: times.length,
    opcodes: report.counts.opcodes,
    verdict: report.verdict,
    findings: report.findings.map((f) => f.code),
    maxRssKiB: process.resourceUsage().maxRSS,
  }));
  process.exit(0);
}

// ------------------------------------------------------------------ helpers
const fmt = {
  mb: (n) => (n / 1e6).toFixed(n < 1e5 ? 4 : 1),
  rate: (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)),
  ms: (v) => (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toFixed(3)),
  big: (v) => (v >= 1e6 ? (v / 1e6).toFixed(1) + ' M' : v >= 1e3 ? (v / 1e3).toFixed(1) + ' k' : String(Math.round(v))),
};

function table(title, head, rows) {
  const all = [head, ...rows].map((r) => r.map(String));
  const w = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => '| ' + r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join(' | ') + ' |';
  const out = [`\n### ${title}\n`, line(all[0]), '|' + w.map((n, i) => (i === 0 ? '-'.repeat(n + 1) + '-' : '-'.repeat(n + 1) + ':')).join('|') + '|', ...all.slice(1).map(line)];
  console.log(out.join('\n'));
  return out.join('\n');
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Runs a command; returns wall ms, peak RSS (VmHWM, polled, KiB), exit code, stdout. */
function measureProcess(cmd, args, { timeoutMs = 120_000, env } = {}) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env || process.env });
    let hwm = 0;
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { if (out.length < 1 << 20) out += d; });
    child.stderr.on('data', (d) => { if (err.length < 1 << 16) err += d; });
    const poll = () => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) hwm = Math.max(hwm, Number(m[1]));
      } catch {}
    };
    const timer = setInterval(poll, 5);
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      clearTimeout(killer);
      resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, hwmKiB: hwm, code, signal, out, err });
    });
  });
}

// ------------------------------------------------------------------ inputs
function generate() {
  const t = Date.now();
  const r = spawnSync(PY, [path.join(__dirname, 'gen.py'), DATA, ...(QUICK ? ['--quick'] : [])], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) {
    console.error(r.stderr);
    throw new Error('input generation failed (python3 test/bench/gen.py)');
  }
  const manifest = JSON.parse(r.stdout.trim().split('\n').pop());
  console.log(`inputs ready in ${((Date.now() - t) / 1000).toFixed(1)} s (${DATA})`);
  return manifest;
}

const PY_BASELINE = `
import json, pickle, pickletools, sys, time
path, runs, do_loads = sys.argv[1], int(sys.argv[2]), sys.argv[3] == '1'
data = open(path, 'rb').read()
def timed(fn):
    ts = []
    deadline = time.monotonic() + 120
    for i in range(runs):
        t = time.perf_counter(); r = fn(); ts.append(time.perf_counter() - t)
        if time.monotonic() > deadline: break
    ts.sort(); return ts[len(ts) // 2] * 1000, r
def genops():
    n = 0
    for _ in pickletools.genops(data): n += 1
    return n
g_ms, ops = timed(genops)
l_ms = None
if do_loads:
    try:
        l_ms, _ = timed(lambda: pickle.loads(data))
    except Exception as e:
        l_ms = None
print(json.dumps(dict(genops_ms=g_ms, loads_ms=l_ms, ops=ops)))
`;

// ------------------------------------------------------------------ part 1: scan() and the Python baseline
async function benchScan(m) {
  const inputs = [
    ['tuples_p2', 'opcode-dense: 2 M (int, str, float) tuples, protocol 2', QUICK ? 3 : 5, true],
    ['tuples_p4', 'opcode-dense: same, protocol 4', QUICK ? 3 : 5, true],
    ['calls', `call-dense: ${QUICK ? '30 k' : '300 k'} OrderedDicts (a REDUCE and a SETITEM each), protocol 2`, QUICK ? 3 : 5, true],
    ['nested', 'deep nesting: dict/list trees, 800 levels', QUICK ? 3 : 7, true],
    ['blobs', `blob-heavy: ${QUICK ? 4 : 20} × 10 MiB bytes, protocol 4`, QUICK ? 5 : 11, true],
    ['mxnet_2k', 'MXNet optimizer blob (service request)', QUICK ? 2000 : 20000, false],
  ];
  if (QUICK) {
    inputs[0][1] = inputs[0][1].replace('2 M', '200 k');
  }
  const rows = [];
  const results = {};
  for (const [key, desc, runs] of inputs) {
    const file = m[key].path;
    const size = fs.statSync(file).size;
    const r = await measureProcess(process.execPath, [__filename, '--child-scan', file, String(runs)], { timeoutMs: 600_000 });
    if (r.code !== 0) throw new Error(`scan child failed on ${key}: ${r.err}`);
    const s = JSON.parse(r.out);
    let py = null;
    if (want('python')) {
      const pyRuns = key === 'mxnet_2k' ? (QUICK ? 200 : 2000) : QUICK ? 1 : key.startsWith('tuples') ? 3 : 5;
      const loads = key !== 'mxnet_2k'; // loads would import mxnet; only our own generated, benign inputs are loaded
      const p = spawnSync(PY, ['-c', PY_BASELINE, file, String(pyRuns), loads ? '1' : '0'], { encoding: 'utf8', timeout: 900_000 });
      if (p.status === 0) py = JSON.parse(p.stdout);
      else console.error(`python baseline failed on ${key}: ${p.stderr}`);
    }
    const mbs = size / 1e6 / (s.ms / 1000);
    const pyMbs = py ? size / 1e6 / (py.genops_ms / 1000) : null;
    results[key] = { size, ...s, py };
    rows.push([
      key,
      fmt.mb(size),
      fmt.big(s.opcodes),
      fmt.ms(s.ms),
      fmt.rate(mbs),
      fmt.big(s.opcodes / (s.ms / 1000)),
      (Math.max(s.maxRssKiB, r.hwmKiB) / 1024).toFixed(0),
      py ? fmt.ms(py.genops_ms) : '–',
      py ? fmt.rate(pyMbs) : '–',
      py && py.loads_ms != null ? fmt.ms(py.loads_ms) : '–',
      py ? (mbs / pyMbs).toFixed(1) + '×' : '–',
      s.verdict,
    ]);
  }
  const md = table('scan() in-process (median per input; RSS = peak of a child process that read the file and scanned it)',
    ['input', 'MB', 'opcodes', 'scan ms', 'MB/s', 'ops/s', 'peak RSS MB', 'genops ms', 'genops MB/s', 'loads ms', 'vs genops', 'verdict'], rows);
  return { md, results, descs: inputs.map(([k, d]) => [k, d]) };
}

// ------------------------------------------------------------------ part 2: HTTP
async function startServer() {
  const env = { ...process.env, PICKLEGATE_HOST: '127.0.0.1', PICKLEGATE_PORT: '0', PICKLEGATE_LOG_LEVEL: 'warn', PICKLEGATE_MAX_CONCURRENT_SCANS: '256' };
  // the port is logged at info level: read it from the 'listening' line
  env.PICKLEGATE_LOG_LEVEL = 'info';
  const child = spawn(process.execPath, [path.join(DIST, 'server', 'main.js')], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const port = await new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('service did not start in 15 s')), 15_000);
    child.stdout.on('data', (d) => {
      buf += d;
      const m = /"port":(\d+)[^\n]*"listening"|"msg":"listening"[^\n]*"port":(\d+)/.exec(buf);
      const n = m ? Number(m[1] || m[2]) : 0;
      if (!n) {
        const m2 = /\{[^\n]*listening[^\n]*\}/.exec(buf);
        if (m2) {
          try { const j = JSON.parse(m2[0]); if (j.port) { clearTimeout(timer); return resolve(j.port); } } catch {}
        }
        return;
      }
      clearTimeout(timer);
      resolve(n);
    });
    child.on('exit', (c) => reject(new Error(`service exited (${c})`)));
  });
  child.stdout.resume();
  child.stderr.resume();
  return { child, port };
}

function cannon(port, body, { connections, duration, query = '' }) {
  const autocannon = require('autocannon');
  return new Promise((resolve, reject) => {
    autocannon({
      url: `http://127.0.0.1:${port}/v1/scan${query}`,
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body,
      connections,
      duration,
      timeout: 30,
    }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

async function benchHttp(m) {
  const { child, port } = await startServer();
  const rows = [];
  const D = QUICK ? 3 : 10;
  const row = (name, conns, res) => rows.push([
    name,
    conns,
    fmt.rate(res.requests.average),
    fmt.ms(res.latency.p50),
    fmt.ms(res.latency.p99),
    fmt.ms(res.latency.p99_9 ?? res.latency.max),
    String(res.errors + res.timeouts),
    String(res.non2xx),
  ]);
  try {
    const small = fs.readFileSync(m.mxnet_2k.path);
    const mid = fs.readFileSync(m.body_100k.path);
    const big = fs.readFileSync(m.body_10m.path);
    await cannon(port, small, { connections: 10, duration: 1 }); // warm-up
    const r2k = await cannon(port, small, { connections: 10, duration: D });
    row(`2 KB MXNet blob (${small.length} B)`, 10, r2k);
    row(`2 KB, ?mode=gate`, 10, await cannon(port, small, { connections: 10, duration: D, query: '?mode=gate' }));
    row(`100 KB pickle (${mid.length} B)`, 10, await cannon(port, mid, { connections: 10, duration: D }));
    row(`10 MB pickle (${big.length} B)`, 4, await cannon(port, big, { connections: 4, duration: D }));
    const [mixSmall, mixBig] = await Promise.all([
      cannon(port, small, { connections: 10, duration: D }),
      cannon(port, big, { connections: 2, duration: D }),
    ]);
    row('2 KB beside 10 MB scans', 10, mixSmall);
    row('  (the 10 MB scans)', 2, mixBig);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => { const t = setTimeout(() => { child.kill('SIGKILL'); r(); }, 12_000); child.on('exit', () => { clearTimeout(t); r(); }); });
  }
  const md = table(`HTTP service (autocannon, ${D} s per row, POST /v1/scan, 127.0.0.1)`, ['load', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'errors', 'non-2xx'], rows);
  return { md };
}

// ------------------------------------------------------------------ part 3: CLI
async function benchCli(m) {
  const bin = path.join(DIST, 'src', 'cli', 'bin.js');
  const rows = [];
  const run = (args) => measureProcess(process.execPath, [bin, 'scan', '--format', 'json', ...args], { timeoutMs: 300_000 });
  const one = path.join(m.many.path, 'p0000.pkl');
  const starts = [];
  for (let i = 0; i < 10; i++) starts.push(await run([one]));
  const st = median(starts.map((s) => s.ms));
  rows.push(['start-up: one small file (median of 10)', fmt.mb(fs.statSync(one).size), fmt.ms(st), (median(starts.map((s) => s.hwmKiB)) / 1024).toFixed(0), String(starts[0].code)]);
  const dir = await run([m.many.path]);
  rows.push([`directory of ${m.many.files} small pickles`, fmt.mb(m.many.bytes), fmt.ms(dir.ms), (dir.hwmKiB / 1024).toFixed(0), String(dir.code)]);
  const ck = await run([m.checkpoint.path]);
  rows.push([`PyTorch zip checkpoint (zip64, stored)`, fmt.mb(m.checkpoint.bytes), fmt.ms(ck.ms), (ck.hwmKiB / 1024).toFixed(0), String(ck.code)]);
  for (const r of [starts[0], dir, ck]) if (r.code !== 0 && r.code !== 1) console.error(`CLI exit ${r.code}: ${r.err.slice(0, 400)}`);
  const md = table('CLI (node dist/src/cli/bin.js scan --format json; wall time incl. start-up, peak RSS from /proc VmHWM)', ['run', 'MB', 'wall ms', 'peak RSS MB', 'exit'], rows);
  return { md };
}

// ------------------------------------------------------------------ main
(async () => {
  if (!fs.existsSync(path.join(DIST, 'src', 'index.js'))) throw new Error(`no build at ${DIST}: run npm run build`);
  const py = spawnSync(PY, ['-c', 'import sys; print(sys.version.split()[0])'], { encoding: 'utf8' }).stdout.trim();
  const machine = `${os.cpus().length} × ${os.cpus()[0].model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, Python ${py}${QUICK ? ', --quick' : ''}`;
  console.log(`picklegate bench — ${machine}\nbuild: ${DIST}`);
  const m = generate();
  const parts = [`machine: ${machine}`];
  if (want('scan') || want('python')) parts.push((await benchScan(m)).md);
  if (want('http')) parts.push((await benchHttp(m)).md);
  if (want('cli')) parts.push((await benchCli(m)).md);
  if (want('stream')) parts.push((await require('./stream').run({ quick: QUICK, dist: DIST })).md);
  if (want('big')) parts.push((await require('./big').run({ quick: QUICK, dist: DIST })).md);
  const outFile = path.join(DATA, `results${QUICK ? '-quick' : ''}.md`);
  fs.writeFileSync(outFile, parts.join('\n') + '\n');
  console.log(`\ntables written to ${outFile}`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
