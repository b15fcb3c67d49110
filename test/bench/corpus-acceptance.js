#!/usr/bin/env node
/**
 * Acceptance of real-world pickles (the corpus written by samples/generate/real/corpus.py).
 *
 *   node test/bench/corpus-acceptance.js [CORPUS_DIR] [--cli PATH] [--policy NAME] [--json]
 *                                        [--top N] [--batch N] [--generation NAME]
 *
 * CORPUS_DIR (default samples/.corpus) holds one folder per generation, each with a manifest.json
 * (files[].path relative to CORPUS_DIR, files[].library, files[].label). samples/real works too.
 * The picklegate CLI (default dist/src/cli/bin.js) is run as `scan --policy default --format json`
 * on batches of files. Printed: per generation and per library, files / accepted / rejected /
 * % accepted split by label, with what each label should get:
 *   benign-library  must be accepted (safe)
 *   user-class      should be `suspicious` (an import outside the policy, nothing dangerous)
 *   code-carrying   must be rejected
 * then, for benign-library files that were rejected, the reasons grouped (finding code + the
 * global, call or message) with how many files each reason appears in, so the missing names and
 * idioms can be read off. --json prints all of it as one JSON object instead.
 * Plain Node, no dependencies. Exit code 0 unless the CLI could not be run.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..', '..');

function parseArgs(argv) {
  const o = { corpus: path.join(ROOT, 'samples', '.corpus'), cli: path.join(ROOT, 'dist', 'src', 'cli', 'bin.js'), policy: 'default', json: false, top: 80, batch: 150, generation: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--cli') o.cli = path.resolve(val());
    else if (a === '--policy') o.policy = val();
    else if (a === '--json') o.json = true;
    else if (a === '--top') o.top = Number(val());
    else if (a === '--batch') o.batch = Math.max(1, Number(val()));
    else if (a === '--generation') o.generation = val();
    else if (a === '-h' || a === '--help') {
      process.stdout.write(fs.readFileSync(__filename, 'utf8').split('*/')[0].replace(/^#!.*\n\/\*\*?/, '').replace(/^ \* ?/gm, '') + '\n');
      process.exit(0);
    } else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else o.corpus = path.resolve(a);
  }
  return o;
}

/** Generations: sub-folders with a manifest.json (or the folder itself when it has one with files). */
function loadGenerations(corpus) {
  const gens = [];
  const add = (dir, m) => {
    const files = (m.files || m.samples || []).map((r) => ({ ...r, abs: path.join(corpus, r.path || r.file) }));
    gens.push({ name: m.generation || path.basename(dir), python: m.python, files });
  };
  const top = path.join(corpus, 'manifest.json');
  if (fs.existsSync(top)) {
    const m = JSON.parse(fs.readFileSync(top, 'utf8'));
    if (Array.isArray(m.files) && m.files.length && m.files[0].generation) {
      // one manifest for several generations (samples/real/manifest.json)
      const byGen = new Map();
      for (const r of m.files) {
        if (!byGen.has(r.generation)) byGen.set(r.generation, []);
        byGen.get(r.generation).push(r);
      }
      for (const [g, files] of byGen) add(path.join(corpus, g), { generation: g, python: (m.generations || {})[g]?.python, files });
      return gens;
    }
  }
  for (const name of fs.readdirSync(corpus).sort()) {
    const p = path.join(corpus, name, 'manifest.json');
    if (fs.existsSync(p)) add(path.join(corpus, name), JSON.parse(fs.readFileSync(p, 'utf8')));
  }
  return gens;
}

function runCli(cli, policy, paths) {
  const r = spawnSync(process.execPath, [cli, 'scan', '--policy', policy, '--format', 'json', '--', ...paths], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  let report;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new Error(`CLI exit ${r.status}, no JSON report: ${(r.stderr || r.stdout || '').slice(0, 2000)}`);
  }
  return report.files;
}

/** A short, groupable reason for one finding. */
function reasonOf(f) {
  if (f.global) return `${f.code}  ${f.global}`;
  let what = f.call || f.message;
  what = what
    .replace(/persistent_load\(\(.*?\)\)(?=\)|$)/gs, 'persistent_load((…))') // persistent ids are data: group them
    .replace(/'(?:[^'\\]|\\.)*'(?:…\(\d+ chars\))?/gs, "'…'") // string literals
    .replace(/"(?:[^"\\]|\\.)*"/gs, '"…"')
    .replace(/\b\d+\b/g, 'N');
  if (what.length > 200) what = what.slice(0, 200) + '…';
  return `${f.code}  ${what}`;
}

const EXPECT = {
  'benign-library': (r) => r.accepted,
  'user-class': (r) => r.verdict === 'suspicious',
  'code-carrying': (r) => !r.accepted,
};

function pct(a, b) {
  return b ? ((100 * a) / b).toFixed(1) + '%' : '-';
}

function pad(s, n, right = false) {
  s = String(s);
  return right ? s.padStart(n) : s.padEnd(n);
}

function analyse(gen, results) {
  const libs = new Map();
  const reasons = new Map(); // reason -> {files, libraries:Set, example}
  const misses = { 'user-class': [], 'code-carrying': [] };
  let errors = 0;
  for (const f of gen.files) {
    const r = results.get(f.abs);
    const lib = f.library || '?';
    if (!libs.has(lib)) libs.set(lib, { library: lib, files: 0, accepted: 0, rejected: 0, errors: 0, labels: {} });
    const L = libs.get(lib);
    const label = f.label || 'unlabelled';
    L.labels[label] ??= { files: 0, accepted: 0, safe: 0, suspicious: 0, dangerous: 0, error: 0, asExpected: 0 };
    const B = L.labels[label];
    L.files++;
    B.files++;
    if (!r || r.error) {
      L.errors++;
      B.error++;
      errors++;
      if (label === 'benign-library') {
        const key = `ERROR  ${r ? r.error.code + ': ' + r.error.message : 'no result'}`;
        const e = reasons.get(key) ?? { reason: key, files: 0, libraries: new Set(), example: f.path };
        e.files++;
        e.libraries.add(lib);
        reasons.set(key, e);
      }
      continue;
    }
    if (r.accepted) (L.accepted++, B.accepted++);
    else L.rejected++;
    B[r.verdict]++;
    const ok = (EXPECT[label] ?? (() => true))(r);
    if (ok) B.asExpected++;
    else if (misses[label]) {
      const top = r.findings.find((x) => x.severity === 'dangerous') || r.findings.find((x) => x.severity !== 'info');
      misses[label].push({ path: f.path, verdict: r.verdict, finding: top ? reasonOf(top) : undefined });
    }
    if (label === 'benign-library' && !r.accepted) {
      const seen = new Set();
      for (const x of r.findings) {
        if (x.severity === 'info') continue;
        const key = reasonOf(x);
        if (seen.has(key)) continue;
        seen.add(key);
        const e = reasons.get(key) ?? { reason: key, severity: x.severity, files: 0, libraries: new Set(), example: f.path };
        e.files++;
        e.libraries.add(lib);
        reasons.set(key, e);
      }
    }
  }
  const rows = [...libs.values()].sort((a, b) => a.library.localeCompare(b.library));
  const total = rows.reduce((t, L) => {
    t.files += L.files;
    t.accepted += L.accepted;
    t.rejected += L.rejected;
    t.errors += L.errors;
    for (const [k, v] of Object.entries(L.labels)) {
      t.labels[k] ??= { files: 0, accepted: 0, safe: 0, suspicious: 0, dangerous: 0, error: 0, asExpected: 0 };
      for (const kk of Object.keys(v)) t.labels[k][kk] += v[kk];
    }
    return t;
  }, { library: 'TOTAL', files: 0, accepted: 0, rejected: 0, errors: 0, labels: {} });
  const grouped = [...reasons.values()].sort((a, b) => b.files - a.files || a.reason.localeCompare(b.reason)).map((e) => ({ ...e, libraries: [...e.libraries].sort() }));
  return { generation: gen.name, python: gen.python, libraries: rows, total, reasons: grouped, misses, errors };
}

function labelCell(b, label) {
  if (!b) return '';
  if (label === 'benign-library') return `${b.accepted}/${b.files}`;
  if (label === 'user-class') return `${b.suspicious}s/${b.files}` + (b.accepted ? ` (${b.accepted} acc)` : '') + (b.dangerous ? ` (${b.dangerous} dng)` : '');
  return `${b.files - b.accepted - b.error}/${b.files}` + (b.accepted ? ` (${b.accepted} ACC)` : '');
}

function printText(res, o) {
  const out = [];
  const w = (s = '') => out.push(s);
  w(`picklegate corpus acceptance  (policy ${o.policy}, CLI ${path.relative(process.cwd(), o.cli) || o.cli})`);
  w('columns: benign = accepted/files (must all be accepted); user = suspicious/files (expected suspicious); code = rejected/files (must all be rejected)');
  for (const g of res) {
    w();
    w(`== ${g.generation}${g.python ? ' (Python ' + g.python + ')' : ''}: ${g.total.files} files, ${g.total.accepted} accepted, ${g.total.rejected} rejected, ${g.total.errors} errors`);
    const head = `${pad('library', 18)} ${pad('files', 6, true)} ${pad('acc', 5, true)} ${pad('rej', 5, true)} ${pad('%acc', 7, true)}   ${pad('benign', 9)} ${pad('%benign', 7, true)}  ${pad('user', 12)} ${pad('code', 12)}`;
    w(head);
    w('-'.repeat(head.length));
    for (const L of [...g.libraries, g.total]) {
      if (L === g.total) w('-'.repeat(head.length));
      const b = L.labels['benign-library'];
      w(`${pad(L.library, 18)} ${pad(L.files, 6, true)} ${pad(L.accepted, 5, true)} ${pad(L.rejected, 5, true)} ${pad(pct(L.accepted, L.files), 7, true)}   ${pad(labelCell(b, 'benign-library'), 9)} ${pad(b ? pct(b.accepted, b.files) : '', 7, true)}  ${pad(labelCell(L.labels['user-class'], 'user-class'), 12)} ${pad(labelCell(L.labels['code-carrying'], 'code-carrying'), 12)}`);
    }
    const bl = g.total.labels['benign-library'] ?? { files: 0, accepted: 0 };
    w();
    w(`benign-library accepted: ${bl.accepted}/${bl.files} (${pct(bl.accepted, bl.files)})`);
    for (const [label, list] of Object.entries(g.misses)) {
      if (!list.length) continue;
      w(`${label} files not as expected (${list.length}):`);
      for (const m of list.slice(0, 40)) w(`   ${m.path} [${m.verdict}]${m.finding ? '  ' + m.finding : ''}`);
      if (list.length > 40) w('   …');
    }
    w();
    w(`-- ${g.generation}: why benign-library files were rejected (top ${Math.min(o.top, g.reasons.length)} of ${g.reasons.length} reasons; count = files)`);
    for (const e of g.reasons.slice(0, o.top)) {
      w(`${pad(e.files, 5, true)}  ${e.reason}    [${e.libraries.join(', ')}]  e.g. ${e.example}`);
    }
  }
  process.stdout.write(out.join('\n') + '\n');
}

function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(o.cli)) throw new Error(`picklegate CLI not found: ${o.cli} (build it, or pass --cli)`);
  let gens = loadGenerations(o.corpus);
  if (o.generation) gens = gens.filter((g) => g.name === o.generation);
  if (!gens.length) throw new Error(`no generation with a manifest.json under ${o.corpus}`);
  const all = gens.flatMap((g) => g.files.map((f) => f.abs)).filter((p) => fs.existsSync(p));
  const results = new Map();
  for (let i = 0; i < all.length; i += o.batch) {
    const batch = all.slice(i, i + o.batch);
    for (const r of runCli(o.cli, o.policy, batch)) results.set(path.resolve(r.path), r);
    if (!o.json && process.stderr.isTTY) process.stderr.write(`\rscanned ${Math.min(i + o.batch, all.length)}/${all.length}`);
  }
  if (!o.json && process.stderr.isTTY) process.stderr.write('\n');
  const res = gens.map((g) => analyse(g, results));
  if (o.json) process.stdout.write(JSON.stringify({ policy: o.policy, cli: o.cli, corpus: o.corpus, generations: res }, null, 1) + '\n');
  else printText(res, o);
}

try {
  main();
} catch (err) {
  process.stderr.write(`corpus-acceptance: ${err.message}\n`);
  process.exit(2);
}
