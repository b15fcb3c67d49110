#!/usr/bin/env node
'use strict';
/**
 * Long-running fuzz campaign against the built library (dist/src).
 *
 *   npm run fuzz -- --seconds 300 [--seed 1] [--hang-ms 3000] [--batch 64] [--out samples/regressions] [--dry-run]
 *
 * Structure-aware mutation (test/fuzz/mutate.js) of the sample corpus; scans run in a worker thread
 * with a watchdog. Saved as regression samples (samples/regressions/*.pkl + a JSON line each in
 * samples/regressions/manifest.json):
 *  - crash:    scan() threw or reported ANALYSIS_ERROR;
 *  - hang:     one scan took longer than --hang-ms (the worker is killed and restarted);
 *  - accept:   an accepted input where CPython's find_class oracle sees a global the policy does not allow;
 *  - stream:   an input CPython's pickletools.genops parses but our readOps reads differently.
 * Oracle calls (python3) are batched and run asynchronously while the worker keeps scanning.
 */
const { Worker } = require('node:worker_threads');
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { rng, createMutator } = require('./mutate');
const { streamMismatch, cpythonRefusesProbe } = require('./compare');

const ROOT = path.join(__dirname, '..', '..');
const DIST = path.join(ROOT, 'dist', 'src');
const lib = require(DIST);
const { readOps, ReadOpsError } = require(path.join(DIST, 'pickle'));

function parseArgs(argv) {
  const o = { seconds: 60, seed: Date.now() & 0x7fffffff, hangMs: 3000, batch: 64, out: path.join(ROOT, 'samples', 'regressions'), dryRun: false, genopsShare: 0.25 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i];
    if (a === '--seconds') o.seconds = Number(v());
    else if (a === '--seed') o.seed = Number(v());
    else if (a === '--hang-ms') o.hangMs = Number(v());
    else if (a === '--batch') o.batch = Number(v());
    else if (a === '--out') o.out = path.resolve(v());
    else if (a === '--dry-run') o.dryRun = true;
    else if (a === '--genops-share') o.genopsShare = Number(v());
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm run fuzz -- --seconds N [--seed S] [--hang-ms MS] [--batch N] [--out DIR] [--dry-run]');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

/** Seeds: benign samples (default policy), MXNet wire optimizers and states (their policies). */
function loadSeeds() {
  const seeds = [];
  const add = (dir, policy, filter = () => true) => {
    const walk = (d) => {
      for (const n of fs.readdirSync(d).sort()) {
        const p = path.join(d, n);
        if (fs.statSync(p).isDirectory()) walk(p);
        else if (filter(n) && !/\.(json|md|txt|py)$/.test(n)) seeds.push({ name: path.relative(ROOT, p), policy, bytes: new Uint8Array(fs.readFileSync(p)) });
      }
    };
    walk(path.join(ROOT, dir));
  };
  add('samples/benign', 'default');
  add('samples/mxnet/wire-py311', 'mxnet-optimizer');
  add('samples/mxnet/states', 'mxnet-states');
  return seeds.filter((s) => s.bytes.length <= 1 << 20);
}

/** Runs one of the python oracles on a batch, asynchronously. */
function oracle(script, inputs, args = []) {
  return new Promise((resolve, reject) => {
    const p = spawn('python3', [path.join(ROOT, 'test', 'oracle', script), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    p.stdout.on('data', (d) => out.push(d));
    p.stderr.on('data', (d) => err.push(d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 300_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`${script} exited ${code}: ${Buffer.concat(err).toString().slice(0, 500)}`));
      resolve(Buffer.concat(out).toString('utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)));
    });
    p.stdin.end(JSON.stringify(inputs.map((b) => Buffer.from(b).toString('base64'))));
  });
}

/** Every (module, name) CPython asked find_class for, in either read mode, nested loads included. */
function cpythonGlobals(res) {
  const out = [];
  const walk = (r) => {
    if (!r) return;
    for (const g of r.globals || []) out.push(g);
    for (const n of r.nested || []) walk(n);
  };
  walk(res);
  walk(res.bytes_mode);
  return out;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const seeds = loadSeeds();
  const r = rng(opts.seed);
  const mut = createMutator({ readOps });
  const pool = seeds.map((s) => ({ ...s }));
  const POOL_MAX = 3000;
  const stats = { cases: 0, accepted: 0, crashes: 0, hangs: 0, acceptDisagreements: 0, streamMismatches: 0, findClassChecked: 0, genopsChecked: 0, genopsParsed: 0, genopsLenient: 0, saved: 0, maxMs: 0, restarts: 0 };
  const saved = new Set();
  if (!opts.dryRun) fs.mkdirSync(opts.out, { recursive: true });
  const manifestFile = path.join(opts.out, 'manifest.json');
  if (!opts.dryRun && fs.existsSync(manifestFile)) {
    for (const line of fs.readFileSync(manifestFile, 'utf8').split('\n')) {
      try {
        saved.add(JSON.parse(line).sha256);
      } catch { /* blank */ }
    }
  }

  function save(kind, bytes, info) {
    const sha = crypto.createHash('sha256').update(bytes).digest('hex');
    if (saved.has(sha)) return;
    saved.add(sha);
    stats.saved++;
    const file = `${kind}-${sha.slice(0, 12)}.pkl`;
    const line = { file, kind, sha256: sha, size: bytes.length, found: new Date().toISOString(), seed: opts.seed, ...info };
    console.log(`!! ${kind}: ${file} ${JSON.stringify(info).slice(0, 300)}`);
    if (opts.dryRun) return;
    fs.writeFileSync(path.join(opts.out, file), bytes);
    fs.appendFileSync(manifestFile, JSON.stringify(line) + '\n');
  }

  const progressBuf = new SharedArrayBuffer(4);
  const progress = new Int32Array(progressBuf);
  let worker;
  let pending = null; // { id, cases: Map, resolve, timer, started }
  let nextCase = 0;
  let nextBatch = 0;
  const cases = new Map();

  function startWorker() {
    worker = new Worker(path.join(__dirname, 'worker.js'), { workerData: { dist: DIST, progress: progressBuf }, resourceLimits: { maxOldGenerationSizeMb: 2048 } });
    worker.on('message', (msg) => {
      if (!pending || msg.batch !== pending.id) return;
      clearTimeout(pending.timer);
      const p = pending;
      pending = null;
      p.resolve(msg.results);
    });
    worker.on('error', (e) => {
      if (!pending) return;
      clearTimeout(pending.timer);
      const p = pending;
      pending = null;
      const id = Atomics.load(progress, 0);
      p.resolve({ died: String(e && e.stack || e), id });
    });
  }

  function runBatch(batch) {
    return new Promise((resolve) => {
      Atomics.store(progress, 0, -1);
      const id = nextBatch++;
      pending = { id, resolve };
      // watchdog: a batch gets hangMs per case in the worst case, but a single case is what hangs:
      // poll the progress index and kill when one case has run longer than hangMs.
      let lastId = -2;
      let since = Date.now();
      const tick = () => {
        if (!pending || pending.id !== id) return;
        const cur = Atomics.load(progress, 0);
        if (cur !== lastId) {
          lastId = cur;
          since = Date.now();
        } else if (cur >= 0 && Date.now() - since > opts.hangMs) {
          pending = null;
          worker.terminate();
          stats.restarts++;
          startWorker();
          resolve({ hung: cur });
          return;
        }
        pending.timer = setTimeout(tick, 100);
      };
      pending.timer = setTimeout(tick, 100);
      worker.postMessage({ id, cases: batch.map((c) => ({ id: c.id, bytes: c.bytes, policy: c.policy })) });
    });
  }

  const findClassQueue = [];
  const genopsQueue = [];
  let oracleBusy = null;

  async function flushOracles(force) {
    if (oracleBusy) {
      if (!force) return;
      await oracleBusy;
    }
    if (!force && findClassQueue.length < 200 && genopsQueue.length < 1500) return;
    const fc = findClassQueue.splice(0);
    const go = genopsQueue.splice(0);
    oracleBusy = (async () => {
      try {
        if (fc.length) {
          const res = await oracle('find_class.py', fc.map((c) => c.bytes));
          stats.findClassChecked += fc.length;
          fc.forEach((c, i) => {
            const allowed = new Set(c.result.globals.filter((g) => g[2] === 'allow').map((g) => `${g[0]} ${g[1]}`));
            const bad = cpythonGlobals(res[i]).filter(([m, n]) => !allowed.has(`${m} ${n}`));
            if (bad.length) {
              stats.acceptDisagreements++;
              save('accept', c.bytes, { policy: c.policy, from: c.from, mutations: c.ops, cpythonGlobals: bad.map((g) => g.join(' ')), verdict: c.result.verdict });
            }
          });
        }
        if (go.length) {
          const res = await oracle('genops.py', go.map((c) => c.bytes));
          stats.genopsChecked += go.length;
          const lenient = [];
          go.forEach((c, i) => {
            if (!res[i].ok) return;
            stats.genopsParsed++;
            let why;
            try {
              why = streamMismatch(readOps, ReadOpsError, c.bytes, res[i]);
            } catch (e) {
              why = `comparison threw: ${e.message}`;
            }
            if (why && why.lenient) lenient.push({ ...c, probe: why.lenient });
            else if (why) {
              stats.streamMismatches++;
              save('stream', c.bytes, { policy: c.policy, from: c.from, mutations: c.ops, mismatch: why });
            }
          });
          if (lenient.length) {
            // readOps refused number text genops accepts: fine only if CPython's unpickler refuses it too
            const fcr = await oracle('find_class.py', lenient.map((c) => c.probe), ['--bytes-only']);
            stats.genopsLenient += lenient.length;
            lenient.forEach((c, i) => {
              if (cpythonRefusesProbe(fcr[i])) return;
              stats.streamMismatches++;
              save('stream', c.bytes, { policy: c.policy, from: c.from, mutations: c.ops, mismatch: `readOps refused number text that CPython's unpickler accepts: ${JSON.stringify(Buffer.from(c.probe).toString('latin1'))}` });
            });
          }
        }
      } catch (e) {
        console.error(`oracle failed: ${e.message}`);
      }
    })();
    const b = oracleBusy;
    await b;
    if (oracleBusy === b) oracleBusy = null;
  }

  async function loop() {
    startWorker();
    const t0 = Date.now();
    const deadline = t0 + opts.seconds * 1000;
    let lastReport = t0;
    console.log(`picklegate fuzz: ${seeds.length} seeds, seed ${opts.seed}, ${opts.seconds} s, hang bound ${opts.hangMs} ms${opts.dryRun ? ', dry run' : ''}`);
    while (Date.now() < deadline) {
      const batch = [];
      for (let k = 0; k < opts.batch; k++) {
        const base = r.chance(0.7) ? r.pick(seeds) : r.pick(pool);
        const other = r.pick(r.chance(0.5) ? seeds : pool);
        const policy = r.chance(0.8) ? base.policy : r.pick(['default', 'mxnet-optimizer', 'mxnet-states']);
        const m = mut.mutate(r, base.bytes, other.bytes);
        const c = { id: nextCase++, bytes: m.bytes, policy, from: base.name, ops: m.ops };
        cases.set(c.id, c);
        batch.push(c);
      }
      const res = await runBatch(batch);
      if (res.hung !== undefined || res.died !== undefined) {
        const idx = res.hung !== undefined ? res.hung : res.id;
        const c = cases.get(idx) || batch[0];
        if (res.hung !== undefined) {
          stats.hangs++;
          save('hang', c.bytes, { policy: c.policy, from: c.from, mutations: c.ops, boundMs: opts.hangMs });
        } else {
          stats.crashes++;
          save('crash', c.bytes, { policy: c.policy, from: c.from, mutations: c.ops, error: res.died.slice(0, 1000), worker: true });
          worker.terminate();
          startWorker();
        }
        // the rest of the batch is dropped (counted only as far as it ran)
        stats.cases += batch.findIndex((x) => x.id === c.id) + 1;
        for (const x of batch) cases.delete(x.id);
        continue;
      }
      for (const out of res) {
        const c = cases.get(out.id);
        cases.delete(out.id);
        stats.cases++;
        if (out.ms > stats.maxMs) stats.maxMs = out.ms;
        if (out.error) {
          stats.crashes++;
          save('crash', c.bytes, { policy: c.policy, from: c.from, mutations: c.ops, error: out.error.slice(0, 1000) });
          continue;
        }
        if (out.ms > opts.hangMs) {
          stats.hangs++;
          save('hang', c.bytes, { policy: c.policy, from: c.from, mutations: c.ops, boundMs: opts.hangMs, ms: out.ms });
        }
        c.result = out;
        if (out.accepted) {
          stats.accepted++;
          // an accepted input must be one complete pickle stream set whose globals are all allowed
          if (!out.complete || out.globals.some((g) => g[2] !== 'allow')) {
            stats.acceptDisagreements++;
            save('accept', c.bytes, { policy: c.policy, from: c.from, mutations: c.ops, why: 'accepted but incomplete or with a non-allowed global', globals: out.globals });
          }
          findClassQueue.push(c);
          if (pool.length < POOL_MAX) pool.push({ name: `${c.from}+`, policy: c.policy, bytes: c.bytes });
          else pool[r.int(POOL_MAX)] = { name: `${c.from}+`, policy: c.policy, bytes: c.bytes };
        } else if (out.complete && r.chance(0.02)) {
          if (pool.length < POOL_MAX) pool.push({ name: `${c.from}+`, policy: c.policy, bytes: c.bytes });
        }
        if (c.bytes.length <= 1 << 16 && r.chance(opts.genopsShare)) genopsQueue.push(c);
      }
      if (!oracleBusy) flushOracles(false);
      if (Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        const s = (Date.now() - t0) / 1000;
        console.log(`[${s.toFixed(0)} s] ${stats.cases} cases (${(stats.cases / s).toFixed(0)}/s), accepted ${stats.accepted}, find_class ${stats.findClassChecked}, genops ${stats.genopsChecked} (${stats.genopsParsed} parsed), crashes ${stats.crashes}, hangs ${stats.hangs}, disagreements ${stats.acceptDisagreements}+${stats.streamMismatches}`);
      }
    }
    await flushOracles(true);
    await flushOracles(true);
    await worker.terminate();
    const s = (Date.now() - t0) / 1000;
    const summary = { ...stats, seconds: Math.round(s), casesPerSecond: Math.round(stats.cases / s), seed: opts.seed };
    console.log(JSON.stringify(summary, null, 1));
    if (stats.saved > 0 && !opts.dryRun) console.log('new regression samples: run `python3 samples/generate/gen_regressions.py` to derive their expectations (the regression test needs them)');
    process.exitCode = stats.crashes + stats.hangs + stats.acceptDisagreements + stats.streamMismatches > 0 ? 1 : 0;
  }

  loop().catch((e) => {
    console.error(e);
    process.exit(2);
  });
}

if (require.main === module) main();
module.exports = { cpythonGlobals };
