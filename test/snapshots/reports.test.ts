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
import { everyNthWhenQuick, QUICK } from '../support/tier';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { POLICIES, sampleFiles, normalise } = require('./snapshot-files') as {
  POLICIES: string[];
  sampleFiles(root: string): string[];
  normalise(report: unknown, drop?: string[]): unknown;
};

const root = path.resolve(__dirname, '../..');
const snapshot = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(__dirname, 'reports.json.gz'))).toString('utf8')) as Record<string, { scan: unknown; file: unknown }>;
const files = sampleFiles(root);

describe('the snapshot covers the sample corpus', () => {
  test('one report per sample file and built-in policy, no more, no fewer', () => {
    expect(files.length).toBeGreaterThan(600);
    expect(Object.keys(snapshot).sort()).toEqual(files.flatMap((rel) => POLICIES.map((p) => `${rel}|${p}`)).sort());
  });
});

// the quick tier (npm run test:quick) checks every 4th sample
const checked = everyNthWhenQuick(files, 4);
const which = QUICK ? `every 4th sample's (${checked.length} of ${files.length}, quick tier)` : `every sample's (${checked.length})`;

describe(`${which} scan() and scanFile() reports under every built-in policy equal the snapshot`, () => {
  test.each(checked)('%s', async (rel) => {
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
