/** What the report snapshot covers, shared by take.js and reports.test.ts. */
const fs = require('fs');
const path = require('path');

const POLICIES = ['default', 'mxnet-optimizer', 'mxnet-states'];
/** Sample folders that hold generators, references or corpora rather than scanned samples. */
const NOT_SAMPLES = new Set(['generate', 'integrations', 'reference', 'real', '.corpus', '__pycache__']);

/** Every sample file below samples/, relative to it, in a stable order. */
function sampleFiles(root) {
  const base = path.join(root, 'samples');
  const out = [];
  (function walk(dir) {
    const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!NOT_SAMPLES.has(e.name)) walk(p);
      } else if (!/\.(py|md|json|txt|pyc)$/.test(e.name)) out.push(path.relative(base, p));
    }
  })(base);
  return out;
}

/** A report as plain JSON without wall times (and without the fields named in `drop`). */
function normalise(report, drop = []) {
  const skip = new Set(['timeMs', ...drop]);
  return JSON.parse(JSON.stringify(report, (k, v) => (skip.has(k) ? undefined : typeof v === 'bigint' ? v.toString() : v)));
}

module.exports = { POLICIES, sampleFiles, normalise };
