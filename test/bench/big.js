#!/usr/bin/env node
/* eslint-disable */
/**
 * Files of any size, whole process (part `big` of `npm run bench`; also `node test/bench/big.js [--quick]`).
 *
 * Each row runs the CLI (`dist/src/cli/bin.js scan --format json`) as its own process and reports wall
 * time (median of --rounds, default 3) and peak RSS (the child's maxRSS), next to the target:
 *   blobs-20g     a 20 GB raw pickle whose payload is a few BINBYTES8 blobs (a sparse file: cheap to make)
 *   payload-3g    a 3 GB raw pickle with GLOBAL os.system + REDUCE after a blob: dangerous, at its real offset
 *   blobs-200m    a 200 MB blob-heavy pickle of real bytes (page cache): whole-process GB/s
 *   dense-7m      200,000 (int, float, str) tuples at protocol 2: whole process, and next to picklescan
 *                 when its source is in test/bench/.data/picklescan (git clone https://github.com/mmaitre314/picklescan
 *                 test/bench/.data/picklescan); in-process data-path MB/s on the same bytes
 *   tiny          CLI start-up on a 14-byte pickle
 * With PICKLEGATE_BASELINE_DIST=/path/to/other/dist the dense row also runs that build (before/after).
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const DATA = path.join(__dirname, '.data', 'big');
const GB = 1e9;

function writeSparse(file, size, pieces) {
  if (fs.existsSync(file) && fs.statSync(file).size === size) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  fs.ftruncateSync(fd, size);
  for (const [at, bytes] of pieces) fs.writeSync(fd, bytes, 0, bytes.length, at);
  fs.closeSync(fd);
}

const u64 = (n) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};

/** PROTO 4, EMPTY_LIST, MARK, n × BINBYTES8 blob, APPENDS, STOP: `size` bytes in all. */
function blobsPickle(file, size, n, sparse) {
  const head = Buffer.from([0x80, 0x04, 0x5d, 0x28]);
  const blob = Math.floor((size - head.length - 2 - 9 * n) / n);
  const total = head.length + n * (9 + blob) + 2;
  const pieces = [[0, head]];
  for (let i = 0, at = head.length; i < n; i++, at += 9 + blob) pieces.push([at, Buffer.concat([Buffer.from([0x8e]), u64(blob)])]);
  pieces.push([total - 2, Buffer.from([0x65, 0x2e])]);
  if (sparse) return writeSparse(file, total, pieces);
  if (fs.existsSync(file) && fs.statSync(file).size === total) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(1 << 20);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 2654435761) >>> 24;
  for (let at = 0; at < total; at += chunk.length) fs.writeSync(fd, chunk, 0, Math.min(chunk.length, total - at), at);
  for (const [at, bytes] of pieces) fs.writeSync(fd, bytes, 0, bytes.length, at);
  fs.closeSync(fd);
}

/** A 3 GB blob, then os.system('id'): the payload sits past 2^31. */
function payloadPickle(file) {
  const blob = 3 * GB;
  const tail = Buffer.concat([Buffer.from([0x30]), Buffer.from('cos\nsystem\n', 'latin1'), Buffer.from([0x8c, 2]), Buffer.from('id'), Buffer.from([0x85, 0x52, 0x2e])]);
  const head = Buffer.concat([Buffer.from([0x80, 0x04, 0x8e]), u64(blob)]);
  const total = head.length + blob + tail.length;
  writeSparse(file, total, [[0, head], [head.length + blob, tail]]);
  return head.length + blob + 1; // offset of the GLOBAL
}

function densePickle(file) {
  if (fs.existsSync(file)) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  spawnSync('python3', ['-c', `import pickle, random
random.seed(1)
open(${JSON.stringify(file)}, 'wb').write(pickle.dumps([(i, random.random(), 'item%d' % i) for i in range(200000)], 2))`]);
}

/** Runs a command `rounds` times: median wall ms, peak RSS in MB (of one run, by GNU time when present), the last stdout. */
function timed(cmd, args, rounds, env = {}) {
  const walls = [];
  let out = '';
  const opts = { maxBuffer: 1 << 28, env: { ...process.env, ...env } };
  for (let i = 0; i < rounds; i++) {
    const t = process.hrtime.bigint();
    out = spawnSync(cmd, args, opts).stdout.toString();
    walls.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  let rss = 0;
  if (fs.existsSync('/usr/bin/time')) rss = Number(spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], opts).stderr.toString().trim().split('\n').pop()) / 1024;
  walls.sort((a, b) => a - b);
  return { ms: walls[walls.length >> 1], rss, out };
}

async function run({ quick = false, dist = path.join(ROOT, 'dist'), rounds = quick ? 2 : 3 } = {}) {
  const cli = path.join(dist, 'src', 'cli', 'bin.js');
  const node = process.execPath;
  const rows = [];
  const scanJson = (file, extra = []) => timed(node, [cli, 'scan', '--format', 'json', ...extra, file], rounds);
  const verdictOf = (out) => {
    try {
      const j = JSON.parse(out);
      return j.files[0];
    } catch {
      return null;
    }
  };

  const f20 = path.join(DATA, 'blobs-20g.pkl');
  blobsPickle(f20, quick ? 2 * GB : 20 * GB, 4, true);
  let r = scanJson(f20);
  rows.push({ input: `${quick ? 2 : 20} GB raw pickle, 4 blobs (sparse)`, target: 'under 1 s, under 150 MB', wall: r.ms, rss: r.rss, result: verdictOf(r.out)?.verdict });

  const f3 = path.join(DATA, 'payload-3g.pkl');
  const at = payloadPickle(f3);
  r = scanJson(f3);
  const fr = verdictOf(r.out);
  const f = fr?.findings.find((x) => x.severity === 'dangerous');
  rows.push({ input: '3 GB raw pickle, os.system after the blob', target: `dangerous at offset ${at}`, wall: r.ms, rss: r.rss, result: `${fr?.verdict} at ${f?.offset}${f?.offset === at ? ' (exact)' : ' (WRONG)'}` });

  const f200 = path.join(DATA, 'blobs-200m.pkl');
  blobsPickle(f200, 200e6, 12, false);
  fs.readFileSync(f200); // into the page cache
  r = scanJson(f200);
  rows.push({ input: '200 MB blob-heavy pickle', target: 'at least 2 GB/s whole process', wall: r.ms, rss: r.rss, result: `${(200e6 / (r.ms / 1000) / GB).toFixed(2)} GB/s, ${verdictOf(r.out)?.verdict}` });

  const fd = path.join(DATA, 'dense-7m.pkl');
  densePickle(fd);
  const size = fs.statSync(fd).size;
  r = scanJson(fd);
  let vs = '';
  const ps = path.join(__dirname, '.data', 'picklescan', 'src');
  if (fs.existsSync(path.join(ps, 'picklescan'))) {
    const p = timed('python3', ['-m', 'picklescan', '-p', fd], rounds, { PYTHONPATH: ps });
    vs = `, picklescan ${p.ms.toFixed(0)} ms: ${(p.ms / r.ms).toFixed(1)}x`;
  }
  rows.push({ input: `${(size / 1e6).toFixed(1)} MB opcode-dense p2 pickle (200,000 tuples)`, target: 'at least 20x picklescan', wall: r.ms, rss: r.rss, result: `${verdictOf(r.out)?.verdict}${vs}` });
  const inproc = (d) => {
    const code = `const {scan}=require(${JSON.stringify(path.join(d, 'src'))});const b=require('fs').readFileSync(${JSON.stringify(fd)});const t=[];for(let i=0;i<7;i++){const s=process.hrtime.bigint();scan(b);t.push(Number(process.hrtime.bigint()-s)/1e6)}t.sort((a,b)=>a-b);process.stdout.write(String(t[3]))`;
    return Number(spawnSync(node, ['-e', code]).stdout.toString());
  };
  const ms = inproc(dist);
  let base = '';
  if (process.env.PICKLEGATE_BASELINE_DIST) base = `; baseline build ${(size / 1e6 / (inproc(process.env.PICKLEGATE_BASELINE_DIST) / 1000)).toFixed(0)} MB/s`;
  rows.push({ input: 'same bytes, scan() in process', target: 'at least 200 MB/s', wall: ms, rss: 0, result: `${(size / 1e6 / (ms / 1000)).toFixed(0)} MB/s${base}` });

  const tiny = path.join(DATA, 'tiny.pkl');
  fs.writeFileSync(tiny, Buffer.from([0x80, 0x02, 0x5d, 0x71, 0x00, 0x28, 0x4b, 0x01, 0x4b, 0x02, 0x4b, 0x03, 0x65, 0x2e]));
  r = timed(node, [cli, 'scan', tiny], Math.max(rounds, 5));
  const bare = timed(node, ['-e', '0'], Math.max(rounds, 5));
  rows.push({ input: 'CLI start-up, one 14-byte pickle', target: 'under 60 ms', wall: r.ms, rss: r.rss, result: `node -e 0: ${bare.ms.toFixed(0)} ms` });

  const md = [
    '### Files of any size (whole process: wall median, peak RSS)',
    '',
    '| input | target | wall | peak RSS | result |',
    '|---|---|---|---|---|',
    ...rows.map((x) => `| ${x.input} | ${x.target} | ${x.wall < 10 ? x.wall.toFixed(1) : x.wall.toFixed(0)} ms | ${x.rss ? x.rss.toFixed(0) + ' MB' : '–'} | ${x.result} |`),
  ].join('\n');
  return { rows, md };
}

module.exports = { run };
if (require.main === module) run({ quick: process.argv.includes('--quick') }).then((r) => console.log(r.md));
