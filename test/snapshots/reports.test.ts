/**
 * Every sample's report, under every built-in policy, equals the reviewed snapshot. A change that
 * alters reports on purpose regenerates it (`npm run build && node test/snapshots/take.js
 * test/snapshots/reports.json.gz`) and the commit shows the reviewed difference. (The architecture
 * refactor of 0.2 was proven this way against the 0.1 snapshot: identical reports but for the new `rule`.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { scan, scanFile } from '../../src';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { POLICIES, sampleFiles, normalise } = require('./snapshot-files') as {
  POLICIES: string[];
  sampleFiles(root: string): string[];
  normalise(report: unknown, drop?: string[]): unknown;
};

const root = path.resolve(__dirname, '../..');
const snapshot = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(__dirname, 'reports.json.gz'))).toString('utf8')) as Record<string, { scan: unknown; file: unknown }>;
const files = sampleFiles(root);

describe('reports equal the reviewed snapshot', () => {
  test('the snapshot covers exactly the sample files, under every policy', () => {
    expect(files.length).toBeGreaterThan(600);
    expect(Object.keys(snapshot).sort()).toEqual(files.flatMap((rel) => POLICIES.map((p) => `${rel}|${p}`)).sort());
  });

  test.each(files)('%s', async (rel) => {
    const file = path.join(root, 'samples', rel);
    const bytes = fs.readFileSync(file);
    for (const policy of POLICIES) {
      const want = snapshot[`${rel}|${policy}`]!;
      expect(normalise(scan(bytes, { policy }))).toEqual(want.scan);
      const fileResult = await scanFile(file, { policy });
      fileResult.path = rel;
      expect(normalise(fileResult)).toEqual(want.file);
    }
  });
});
