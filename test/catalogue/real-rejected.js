#!/usr/bin/env node
/**
 * Writes test/catalogue/real-rejected.json: the benign-library files of samples/real that the
 * default policy rejects, each with the finding that keeps it out (worst first). Run after
 * `npm run build`; review the diff (a file leaving the list is a file now accepted).
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const { scanFile } = require(path.join(root, 'dist', 'src'));
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'samples', 'real', 'manifest.json'), 'utf8'));

(async () => {
  const out = {};
  for (const f of manifest.files) {
    if (f.label !== 'benign-library') continue;
    const r = await scanFile(path.join(root, 'samples', 'real', f.path), { policy: 'default' });
    if (r.accepted) continue;
    const worst = r.findings.find((x) => x.severity === r.verdict) ?? r.findings[0];
    out[f.path] = worst ? `${r.verdict}: ${worst.code}/${worst.rule}${worst.global ? ` ${worst.global}` : ''}` : r.verdict;
  }
  fs.writeFileSync(path.join(__dirname, 'real-rejected.json'), `${JSON.stringify(out, null, 1)}\n`);
  console.log(`${Object.keys(out).length} benign files rejected, written to test/catalogue/real-rejected.json`);
})();
