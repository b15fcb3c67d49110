#!/usr/bin/env node
/* eslint-disable */
/**
 * `npm run bench:http [-- --rounds=5 --duration=5 --connections=10 --only=throughput,upload]`: the
 * HTTP service against the HTTP stack it runs on (not part of `npm test`).
 *
 * throughput  Two servers side by side on 127.0.0.1: a bare `node:http` server that reads the body
 *             and answers a small JSON document (and a second one answering as many bytes as the
 *             service's whole answer: what the HTTP stack alone costs for that answer), and the picklegate service as shipped
 *             (dist/server/main.js, default settings: logs on at info, metrics on, one process).
 *             autocannon POSTs the same 405-byte MXNet optimizer blob to both (`POST /` and
 *             `POST /v1/gate`, once asking for the whole answer, the default, and once with
 *             `Prefer: return=minimal`; and the same against a second service with its verdict cache
 *             off, PICKLEGATE_SCAN_CACHE_ENTRIES=0, where every body is scanned as a body never seen
 *             before is; and the service with its cache on sent a body never sent before at every
 *             request, the blob with a counter in its learning rate: the cost of distinct or hostile
 *             traffic, the cache's own work included), in interleaved rounds (the host may be shared and noisy); the
 *             medians of req/s, p99 and CPU time per request of the server process (user + system,
 *             /proc/<pid>/stat) are printed, and the ratio service / bare of each round.
 *             PICKLEGATE_WORKERS=auto (or a number) in the environment measures a multi-process service.
 * upload      A 1 GiB body (a protocol-4 pickle of 64 BINBYTES8 blobs of 16 MiB, generated once into
 *             test/bench/.data/) streamed to `POST /v1/gate?policy=default` of a service started with
 *             PICKLEGATE_MAX_BODY_BYTES=4 GiB; the service's resident memory is sampled every 5 ms
 *             from /proc/<pid>/status (VmRSS) and its peak (VmHWM) printed, with the verdict and times.
 *
 * Pinning (`--pin=auto`, the default, on Linux with `taskset` and at least two CPUs): the servers run
 * on the last CPU and this process (autocannon, the load generator) on the others, as a load
 * generator on another host would. Unpinned, the two share every core and the scheduler decides
 * which runs where: the same build then measures in two modes (about 12,000 or 17,000 req/s for the
 * cached row on the 2-CPU development host). `--pin=off` measures unpinned. A multi-process
 * service (PICKLEGATE_WORKERS) is never pinned to one CPU.
 *
 * PICKLEGATE_DIST=<dir> measures another build. Results are also written to test/bench/.data/http.md.
 */
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const os = require('node:os');

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = path.resolve(process.env.PICKLEGATE_DIST || path.join(ROOT, 'dist'));
const DATA = path.join(__dirname, '.data');
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const a = argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : dflt;
};
const ROUNDS = Number(opt('rounds', '5'));
const DURATION = Number(opt('duration', '5'));
const CONNECTIONS = Number(opt('connections', '10'));
const UPLOAD_BYTES = Number(opt('upload-bytes', String(2 ** 30)));
const ONLY = new Set(opt('only', 'throughput,upload').split(','));
const BLOB = path.join(ROOT, 'samples', 'mxnet', 'wire-py311', 'mx1.3__AdaDelta__default.pkl');

/** The CPUs this process runs on when pinned (set for the pinned copy of this process). */
const PINNED_ENV = 'PICKLEGATE_BENCH_CLIENT_CPUS';
/** The CPUs this process may run on (its affinity, e.g. a container's cpuset), from /proc/self/status. */
function allowedCpus() {
  try {
    const list = /Cpus_allowed_list:\s*(\S+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1];
    return list.split(',').flatMap((r) => {
      const [a, b] = r.split('-').map(Number);
      return Array.from({ length: (b ?? a) - a + 1 }, (_, i) => a + i);
    });
  } catch {
    return [];
  }
}
const ALLOWED = allowedCpus();
function hasTaskset(cpu) {
  try {
    return require('node:child_process').spawnSync('taskset', ['-c', String(cpu), 'true'], { stdio: 'ignore' }).status === 0;
  } catch {
    return false;
  }
}
/** A service of several processes (PICKLEGATE_WORKERS other than 1) is not pinned to one CPU. */
const MULTI_PROCESS = process.env.PICKLEGATE_WORKERS !== undefined && process.env.PICKLEGATE_WORKERS !== '1';
/** The servers' CPU, as the first run of this script chose it for the pinned run. */
const SERVER_CPU_ENV = 'PICKLEGATE_BENCH_SERVER_CPU';
const PINNED = process.env[PINNED_ENV] !== undefined && process.env[SERVER_CPU_ENV] !== undefined;
const PIN = PINNED || (opt('pin', 'auto') !== 'off' && !MULTI_PROCESS && process.platform === 'linux' && ALLOWED.length >= 2 && hasTaskset(ALLOWED[ALLOWED.length - 1]));
/** The servers' CPU when pinned: the last one this process may use; the load generator gets the others. */
const SERVER_CPU = PINNED ? process.env[SERVER_CPU_ENV] : String(ALLOWED[ALLOWED.length - 1]);
const CLIENT_CPUS = PINNED ? process.env[PINNED_ENV] : ALLOWED.slice(0, -1).join(',');
/** A command, on the servers' CPU when pinned. */
const onServerCpu = (args) => (PIN ? ['taskset', ['-c', SERVER_CPU, ...args]] : [args[0], args.slice(1)]);

/**
 * The bare server: reads the whole body and answers a small JSON document (or, given a size, one of
 * that many bytes: the HTTP stack's cost for an answer as large as the service's).
 */
const BARE = `
const http = require('node:http');
const pad = Number(process.argv[2] || 0);
// the padded answer, made once per body size (the same every time here): the stack's cost, not the padding's
const padded = new Map();
const answer = (size) => {
  const small = JSON.stringify({ accepted: true, size });
  if (pad <= small.length + 9) return small;
  let text = padded.get(size);
  if (text === undefined) padded.set(size, (text = JSON.stringify({ accepted: true, size, pad: 'x'.repeat(pad - small.length - 9) })));
  return text;
};
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const text = answer(body.length);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
});
server.keepAliveTimeout = 5000;
server.listen(Number(process.argv[1]), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
`;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function get(port, p) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
  });
}

async function waitUp(port, p, child) {
  const end = Date.now() + 20_000;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`);
    if ((await get(port, p)) === 200) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('server did not come up in 20 s');
}

async function startBare(answerBytes = 0) {
  const port = await freePort();
  const [cmd, args] = onServerCpu([process.execPath, '-e', BARE, String(port), String(answerBytes)]);
  const child = spawn(cmd, args, { stdio: 'ignore' });
  await waitUp(port, '/', child);
  return { child, port };
}

async function startService(env = {}) {
  const port = await freePort();
  // stdout (the JSON log lines) goes to /dev/null: a pipe read by this process would cost it CPU
  const [cmd, args] = onServerCpu([process.execPath, path.join(DIST, 'server', 'main.js')]);
  const child = spawn(cmd, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, PICKLEGATE_HOST: '127.0.0.1', PICKLEGATE_PORT: String(port), ...env },
  });
  await waitUp(port, '/readyz', child);
  return { child, port };
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** CPU time (user + system) of a process so far, in µs; null where /proc is not available. */
function cpuOf(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS) * 1e6;
  } catch {
    return null;
  }
}
/** USER_HZ of /proc/<pid>/stat: 100 on Linux (getconf CLK_TCK). */
const CLOCK_TICKS = 100;

/** The blob with its learning rate given eight more digits from a counter: a body never sent before, at every call. */
let distinctCount = 0;
function distinctBody(body) {
  const at = body.indexOf('F0.01\n');
  if (at < 0) throw new Error('the benchmark blob has no F0.01 line');
  const digits = String(++distinctCount % 1e8).padStart(8, '0');
  return Buffer.concat([body.subarray(0, at + 5), Buffer.from(digits), body.subarray(at + 5)]);
}

/** The size of the service's whole answer to the blob. */
async function answerBytes(port, body) {
  const res = await fetch(`http://127.0.0.1:${port}/v1/gate`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body });
  return (await res.arrayBuffer()).byteLength;
}

function cannon(port, p, body, duration, headers = {}, distinct = false) {
  const autocannon = require('autocannon');
  const request = distinct ? { requests: [{ setupRequest: (req) => ({ ...req, body: distinctBody(body) }) }] } : { body };
  return new Promise((resolve, reject) => {
    autocannon(
      { url: `http://127.0.0.1:${port}${p}`, method: 'POST', headers: { 'content-type': 'application/octet-stream', ...headers }, ...request, connections: CONNECTIONS, duration, timeout: 30 },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
  });
}

function table(title, head, rows) {
  const all = [head, ...rows].map((r) => r.map(String));
  const w = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => '| ' + r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join(' | ') + ' |';
  const out = [`\n### ${title}\n`, line(all[0]), '|' + w.map((n, i) => (i === 0 ? '-'.repeat(n + 1) + '-' : '-'.repeat(n + 1) + ':')).join('|') + '|', ...all.slice(1).map(line)];
  console.log(out.join('\n'));
  return out.join('\n');
}

async function throughput() {
  const body = fs.readFileSync(BLOB);
  // every server started is stopped at the end, whatever fails on the way
  const started = [];
  const keep = async (server) => {
    started.push(server.child);
    return server;
  };
  const targets = [];
  try {
    const bare = await keep(await startBare());
    const workers = process.env.PICKLEGATE_WORKERS ? {} : { PICKLEGATE_WORKERS: '1' };
    const svc = await keep(await startService(workers));
    // the bare server answering as many bytes as the service's whole answer: the HTTP stack's share of the gap
    const wholeBytes = await answerBytes(svc.port, body);
    const bareLarge = await keep(await startBare(wholeBytes));
    // the same service with its verdict cache off: every request's body is scanned, as a body never
    // seen before would be (what distinct or hostile traffic costs)
    const uncached = await keep(await startService({ ...workers, PICKLEGATE_SCAN_CACHE_ENTRIES: '0' }));
    targets.push(
      { name: 'bare node:http', child: bare.child, port: bare.port, path: '/', headers: {}, runs: [] },
      { name: `bare node:http, answer of ${wholeBytes} bytes (as the whole answer)`, child: bareLarge.child, port: bareLarge.port, path: '/', headers: {}, runs: [] },
      { name: 'picklegate /v1/gate', child: svc.child, port: svc.port, path: '/v1/gate', headers: {}, runs: [] },
      { name: 'picklegate /v1/gate, Prefer: return=minimal', child: svc.child, port: svc.port, path: '/v1/gate', headers: { prefer: 'return=minimal' }, runs: [] },
      { name: 'picklegate /v1/gate, every body distinct (cache on)', child: svc.child, port: svc.port, path: '/v1/gate', headers: {}, runs: [], distinct: true },
      { name: 'picklegate /v1/gate, cache off (every body scanned)', child: uncached.child, port: uncached.port, path: '/v1/gate', headers: {}, runs: [] },
      { name: 'picklegate /v1/gate, cache off, Prefer: return=minimal', child: uncached.child, port: uncached.port, path: '/v1/gate', headers: { prefer: 'return=minimal' }, runs: [] },
    );
    // a service of several processes: its CPU is its workers' (not measured here)
    const cpuMeasured = !MULTI_PROCESS;
    for (const t of targets) await cannon(t.port, t.path, body, 1, t.headers, t.distinct); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      // alternate the order, so that none always runs right after another
      const order = round % 2 ? [...targets].reverse() : targets;
      for (const t of order) {
        const cpu0 = cpuOf(t.child.pid);
        const r = await cannon(t.port, t.path, body, DURATION, t.headers, t.distinct);
        const cpu1 = cpuOf(t.child.pid);
        if (r.errors + r.timeouts > 0 || r.non2xx > 0) throw new Error(`${t.name}: ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx`);
        const cpuUs = cpuMeasured && cpu0 !== null && cpu1 !== null && r.requests.total > 0 ? (cpu1 - cpu0) / r.requests.total : NaN;
        t.runs.push({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, cpuUs });
        process.stderr.write(`round ${round + 1}/${ROUNDS} ${t.name}: ${r.requests.average.toFixed(0)} req/s, p99 ${r.latency.p99} ms, CPU ${cpuUs.toFixed(1)} µs/request\n`);
      }
    }
  } finally {
    await Promise.all(started.map(stop));
  }
  const [b, ...gates] = targets;
  const rows = targets.map((t) => [
    t.name,
    median(t.runs.map((r) => r.rps)).toFixed(0),
    t.runs.map((r) => r.rps.toFixed(0)).join(' '),
    t === b ? '1' : median(t.runs.map((r, i) => r.rps / b.runs[i].rps)).toFixed(2),
    median(t.runs.map((r) => r.p50)).toFixed(1),
    median(t.runs.map((r) => r.p99)).toFixed(1),
    t.runs.map((r) => r.p99).join(' '),
    median(t.runs.map((r) => r.cpuUs)).toFixed(1),
  ]);
  const md = table(
    `405-byte MXNet blob, ${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ${DURATION} s (medians)`,
    ['server', 'req/s', 'req/s per round', 'ratio to bare', 'p50 ms', 'p99 ms', 'p99 per round', 'CPU µs/request'],
    rows,
  );
  const summary = gates
    .map((g) => {
      const ratios = b.runs.map((r, i) => g.runs[i].rps / r.rps);
      return `ratio ${g.name} / bare: ${median(ratios).toFixed(2)} (median of per-round ratios; per round: ${ratios.map((r) => r.toFixed(2)).join(' ')}); p99 ${median(g.runs.map((r) => r.p99)).toFixed(1)} ms`;
    })
    .join('\n');
  console.log(`\n${summary}`);
  return `${md}\n\n${summary}`;
}

/** A pickle of `total` bytes: PROTO 4, EMPTY_LIST, MARK, BINBYTES8 blobs of 16 MiB, APPENDS, STOP. */
async function bigPickle(total) {
  const file = path.join(DATA, `upload-${total}.pkl`);
  if (fs.existsSync(file) && fs.statSync(file).size === total) return file;
  fs.mkdirSync(DATA, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  const head = Buffer.from([0x80, 0x04, 0x5d, 0x28]);
  const tail = Buffer.from([0x65, 0x2e]); // APPENDS STOP
  let left = total - head.length - tail.length;
  fs.writeSync(fd, head);
  const chunk = Buffer.alloc(16 * 1024 * 1024, 0x5a);
  while (left > 0) {
    const n = Math.min(chunk.length, left - 9);
    const h = Buffer.alloc(9);
    h[0] = 0x8e;
    h.writeBigUInt64LE(BigInt(n), 1);
    fs.writeSync(fd, h);
    fs.writeSync(fd, chunk, 0, n);
    left -= 9 + n;
  }
  fs.writeSync(fd, tail);
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
  return file;
}

function rssOf(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rss: Number(/VmRSS:\s+(\d+)/.exec(s)[1]) * 1024, hwm: Number(/VmHWM:\s+(\d+)/.exec(s)[1]) * 1024 };
  } catch {
    return null;
  }
}

async function upload() {
  const file = await bigPickle(UPLOAD_BYTES);
  const size = fs.statSync(file).size;
  const svc = await startService({ PICKLEGATE_WORKERS: '1', PICKLEGATE_MAX_BODY_BYTES: String(4 * 2 ** 30), PICKLEGATE_REQUEST_TIMEOUT_MS: '600000', PICKLEGATE_HEADERS_TIMEOUT_MS: '10000' });
  const before = rssOf(svc.child.pid);
  let peak = 0;
  const timer = setInterval(() => {
    const r = rssOf(svc.child.pid);
    if (r) peak = Math.max(peak, r.rss, r.hwm);
  }, 5);
  const t0 = performance.now();
  let result;
  try {
    result = await new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: svc.port, path: '/v1/gate?policy=default', method: 'POST', headers: { 'content-type': 'application/octet-stream', 'content-length': size } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
      });
      req.on('error', reject);
      fs.createReadStream(file, { highWaterMark: 1 << 20 }).pipe(req);
    });
  } finally {
    clearInterval(timer);
  }
  const ms = performance.now() - t0;
  const after = rssOf(svc.child.pid);
  if (after) peak = Math.max(peak, after.hwm);
  await stop(svc.child);
  const mb = (n) => (n / 2 ** 20).toFixed(0);
  const t = result.body.timing || {};
  const md = table(
    `${(size / 2 ** 30).toFixed(2)} GiB upload to POST /v1/gate?policy=default (RSS of the service process, /proc VmRSS every 5 ms and VmHWM)`,
    ['body bytes', 'status', 'verdict', 'format', 'wall s', 'read s', 'scan s', 'RSS idle MiB', 'peak RSS MiB'],
    [[String(size), String(result.status), result.body.verdict, String(result.body.format), (ms / 1000).toFixed(1), ((t.readMs || 0) / 1000).toFixed(1), ((t.scanMs || 0) / 1000).toFixed(2), before ? mb(before.rss) : '?', mb(peak)]],
  );
  return md;
}

/** Runs this script again on the load generator's CPUs (taskset), once; resolves its exit code, or null when this is that run (or pinning is off). */
function pinnedRun() {
  if (!PIN || PINNED) return Promise.resolve(null);
  return new Promise((resolve) => {
    const child = spawn('taskset', ['-c', CLIENT_CPUS, process.execPath, ...process.execArgv, __filename, ...argv], { stdio: 'inherit', env: { ...process.env, [PINNED_ENV]: CLIENT_CPUS, [SERVER_CPU_ENV]: SERVER_CPU } });
    // a signal to this process is passed on (the pinned run stops its servers)
    for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

(async () => {
  const code = await pinnedRun();
  if (code !== null) process.exit(code);
  if (!fs.existsSync(path.join(DIST, 'server', 'main.js'))) throw new Error(`no build at ${DIST}: run npm run build`);
  const pinning = PIN ? `servers pinned to CPU ${SERVER_CPU}, load generator to CPU ${CLIENT_CPUS}` : 'not pinned';
  const machine = `${os.cpus().length} × ${os.cpus()[0].model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, ${pinning}`;
  console.log(`picklegate bench:http — ${machine}`);
  const parts = [`machine: ${machine}`];
  if (ONLY.has('throughput')) parts.push(await throughput());
  if (ONLY.has('upload')) parts.push(await upload());
  fs.mkdirSync(DATA, { recursive: true });
  fs.writeFileSync(path.join(DATA, 'http.md'), parts.join('\n') + '\n');
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
