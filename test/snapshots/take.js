#!/usr/bin/env node
/**
 * Writes the report snapshot that test/snapshots/reports.test.ts compares against: for every sample
 * file and every built-in policy, the `scan()` report of its bytes and the `scanFile()` result, with
 * `timeMs` removed. Taken from a build (dist/) before a refactor, so the refactor can prove that no
 * report changed.
 *
 *   npm run build && node test/snapshots/take.js test/snapshots/reports.json.gz
 */
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { POLICIES, sampleFiles, normalise } = require('./snapshot-files');

const root = path.resolve(__dirname, '../..');
const out = process.argv[2];
if (!out) {
  console.error('usage: node test/snapshots/take.js OUT.json.gz');
  process.exit(2);
}
const lib = require(path.join(root, 'dist/src/index.js'));

(async () => {
  const snap = {};
  for (const rel of sampleFiles(root)) {
    const file = path.join(root, 'samples', rel);
    const bytes = fs.readFileSync(file);
    for (const policy of POLICIES) {
      const fileResult = await lib.scanFile(file, { policy });
      fileResult.path = rel;
      snap[`${rel}|${policy}`] = { scan: normalise(lib.scan(bytes, { policy })), file: normalise(fileResult) };
    }
  }
  fs.writeFileSync(out, zlib.gzipSync(JSON.stringify(snap)));
  console.log(`${Object.keys(snap).length} reports written to ${out}`);
})();
