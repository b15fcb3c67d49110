#!/usr/bin/env node
/**
 * Writes the generated schema files (JSON Schemas and the OpenAPI document) from the zod schemas:
 * `npm run schemas` (builds first). With --check, writes nothing and exits 1 when a committed copy is
 * stale. The list of files is SCHEMA_ARTEFACTS in server/schema-artefacts.ts.
 */
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
const { SCHEMA_ARTEFACTS, artefactText } = require(path.join(root, 'dist', 'server', 'schema-artefacts.js'));
const check = process.argv.includes('--check');

let stale = 0;
for (const a of SCHEMA_ARTEFACTS) {
  const file = path.join(root, a.path);
  const text = artefactText(a);
  const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
  if (old === text) {
    console.log(`up to date  ${a.path}  (${a.what})`);
    continue;
  }
  stale++;
  if (check) {
    console.log(`STALE       ${a.path}  (${a.what})`);
  } else {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    console.log(`written     ${a.path}  (${a.what})`);
  }
}
if (check && stale > 0) {
  console.error(`${stale} generated schema file(s) are stale: run npm run schemas`);
  process.exitCode = 1;
}
