#!/usr/bin/env node
/* eslint-disable */
/**
 * Streaming decompression benchmark (part `stream` of `npm run bench`; also `node test/bench/stream.js [--quick]`).
 *
 * Inputs: gzip-compressed pickles of about 2 GB (256 MB with --quick) made mostly of BINBYTES8 blobs
 * (so the scanner's core costs little), of weight-like (1.5:1) and text-like (3:1) bytes, generated
 * once into test/bench/.data/. Each row runs in its own child process; peak RSS is that child's
 * maxRSS; --rounds=N (default 1, 3 with --quick) runs the rows interleaved N times, median shown:
 *   zlib one-shot     fs.readFileSync + zlib.gunzipSync (the reference: plain native inflate)
 *   zlib stream       fs.createReadStream → zlib.createGunzip, counting bytes (native, asynchronous)
 *   DecodedSource     picklegate's synchronous ByteSource over the file (worker-thread inflate), read in 1 MiB pieces
 *   scanFile          picklegate end to end (detect, decode, scan); its memory depends on the core's
 *                     windowed reader (until it lands, scanSource reads the whole decoded stream)
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const ROOT = path.resolve(__dirname, '..', '..');
const DATA = path.join(__dirname, '.data');

function makeInput(file, total, kind) {
  if (fs.existsSync(file)) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const BLOB = 16 * 1024 * 1024;
  const blob = Buffer.alloc(BLOB);
  let x = 12345;
  if (kind === 'weights') {
    for (let i = 0; i < BLOB; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      // weight-like bytes: compress about 1.5:1, mostly literals for the inflater
      blob[i] = i % 4 === 3 ? 0x3f : (x >>> 24) & 0x3f;
    }
  } else {
    // text-like: short random words from a small vocabulary, compress about 6:1 (mostly matches)
    const words = Array.from({ length: 512 }, (_, k) => Buffer.from(`w${(k * 2654435761) >>> 20} `));
    for (let i = 0; i < BLOB; ) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const w = words[(x >>> 23) & 511];
      i += w.copy(blob, i);
    }
  }
  const n = Math.max(1, Math.floor(total / BLOB));
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  const gz = zlib.createGzip({ level: 6 });
  const pending = [];
  gz.on('data', (c) => fs.writeSync(fd, c));
  const write = (b) => new Promise((res) => (gz.write(b) ? res() : gz.once('drain', res)));
  return (async () => {
    await write(Buffer.from([0x80, 0x04, 0x5d, 0x28])); // PROTO 4, EMPTY_LIST, MARK
    const head = Buffer.alloc(9);
    head[0] = 0x8e; // BINBYTES8
    head.writeBigUInt64LE(BigInt(BLOB), 1);
    for (let i = 0; i < n; i++) {
      await write(head);
      await write(blob);
    }
    await new Promise((res) => gz.end(Buffer.from([0x65, 0x2e]), res)); // APPENDS, STOP
    await new Promise((res) => (gz.readableEnded ? res() : gz.once('end', res)));
    fs.closeSync(fd);
    fs.renameSync(tmp, file);
  })();
}

// ------------------------------------------------------------------ child mode
if (process.argv[2] === '--child') {
  const [mode, file, dist] = process.argv.slice(3);
  const t0 = process.hrtime.bigint();
  let out = 0;
  let extra = '';
  const done = () => {
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    process.stdout.write(JSON.stringify({ ms, out, rssKiB: process.resourceUsage().maxRSS, extra }));
    process.exit(0);
  };
  if (mode === 'oneshot') {
    out = zlib.gunzipSync(fs.readFileSync(file), { maxOutputLength: 2 ** 32 }).length;
    done();
  } else if (mode === 'stream') {
    const z = zlib.createGunzip();
    fs.createReadStream(file).pipe(z);
    z.on('data', (c) => (out += c.length));
    z.on('end', done);
  } else if (mode === 'source') {
    const { DecodedSource, decoderFor } = require(path.join(dist, 'src/containers/decode'));
    const { FileSource } = require(path.join(dist, 'src/containers/io/file-source'));
    const fd = fs.openSync(file, 'r');
    const src = new DecodedSource(decoderFor('gzip'), new FileSource(fd, fs.fstatSync(fd).size), { budget: { max: 2 ** 40, used: 0 }, maxRatio: 10000 });
    const buf = new Uint8Array(1 << 20);
    let n;
    while ((n = src.read(out, buf, 0, buf.length)) > 0) out += n;
    if (src.error) extra = src.error.message;
    done();
  } else if (mode === 'scanFile') {
    const { scanFile } = require(path.join(dist, 'src'));
    scanFile(file).then((r) => {
      out = r.members[0] ? r.members[0].size : 0;
      extra = `${r.verdict}${r.findings.length ? ': ' + r.findings.map((f) => f.code).join(',') : ''}`;
      done();
    });
  }
  return;
}

// ------------------------------------------------------------------ parent
async function run({ quick = false, dist = path.join(ROOT, 'dist'), rounds = quick ? 3 : 1 } = {}) {
  const total = quick ? 256 * 1024 * 1024 : 119 * 16 * 1024 * 1024; // about 2.0 GB (within the default 2 GiB inflate budget)
  const md = [];
  for (const kind of ['weights', 'text']) md.push(await runOne(kind, total, quick, dist, rounds));
  return { md: md.join('\n') };
}

async function runOne(kind, total, quick, dist, rounds) {
  const file = path.join(DATA, `blobs-${kind}-${quick ? '256m' : '2g'}.pkl.gz`);
  const t = Date.now();
  await makeInput(file, total, kind);
  if (Date.now() - t > 1000) console.log(`generated ${file} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  const size = fs.statSync(file).size;
  const rows = [];
  const results = [];
  const modes = [
    ['oneshot', 'zlib one-shot (gunzipSync)'],
    ['stream', 'zlib stream (createGunzip)'],
    ['source', 'picklegate DecodedSource (worker inflate)'],
    ['scanFile', 'picklegate scanFile, end to end'],
  ];
  // rounds interleave the modes (A B C D A B C D ...): on a shared machine, load hits them alike; median per mode
  const runs = new Map(modes.map(([mode]) => [mode, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [mode] of modes) {
      const r = spawnSync(process.execPath, [__filename, '--child', mode, file, dist], { encoding: 'utf8', maxBuffer: 1 << 20, timeout: 900_000 });
      if (r.status !== 0) runs.get(mode).push({ failed: (r.stderr || '').split('\n')[0].slice(0, 80) });
      else runs.get(mode).push(JSON.parse(r.stdout));
    }
  }
  for (const [mode, label] of modes) {
    const ok = runs.get(mode).filter((x) => !x.failed);
    if (ok.length === 0) {
      rows.push([label, '–', '–', '–', '–', '–', `failed: ${runs.get(mode)[0].failed}`]);
      continue;
    }
    ok.sort((a, b) => a.ms - b.ms);
    const m = { ...ok[ok.length >> 1], rssKiB: Math.max(...ok.map((x) => x.rssKiB)) };
    results.push({ mode, label, m, mbs: m.out / 1e6 / (m.ms / 1000) });
  }
  // the reference: the faster of the two plain zlib rows (one-shot degrades on outputs of GBs)
  const ref = Math.max(0, ...results.filter((x) => x.mode === 'oneshot' || x.mode === 'stream').map((x) => x.mbs));
  for (const { label, m, mbs } of results) {
    rows.push([label, (m.out / 1e6).toFixed(0), m.ms.toFixed(0), mbs.toFixed(0), ref ? `${((mbs / ref) * 100).toFixed(0)} %` : '–', (m.rssKiB / 1024).toFixed(0), m.extra || '']);
  }
  const head = ['reader', 'output MB', 'ms', 'MB/s (output)', 'vs best zlib', 'peak RSS MB', 'note'];
  const all = [head, ...rows];
  const w = head.map((_, i) => Math.max(...all.map((x) => String(x[i]).length)));
  const line = (x) => '| ' + x.map((c, i) => (i === 0 || i === 6 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join(' | ') + ' |';
  const md = [
    `\n### Streaming decompression: ${(size / 1e6).toFixed(0)} MB gzip file of a pickle of ${kind === 'weights' ? 'weight-like' : 'text-like'} BINBYTES blobs (${(total / size).toFixed(1)}:1)`,
    '',
    line(head),
    '|' + w.map((n, i) => (i === 0 || i === 6 ? '-'.repeat(n + 2) : '-'.repeat(n + 1) + ':')).join('|') + '|',
    ...rows.map(line),
  ].join('\n');
  console.log(md);
  return md;
}

module.exports = { run };
const roundsArg = process.argv.find((a) => a.startsWith('--rounds='));
if (require.main === module) run({ quick: process.argv.includes('--quick'), dist: path.resolve(process.env.PICKLEGATE_DIST || path.join(ROOT, 'dist')), ...(roundsArg ? { rounds: Number(roundsArg.slice(9)) } : {}) }).catch((e) => {
  console.error(e);
  process.exit(1);
});
