/**
 * Refactoring proof: every sample's report, under every built-in policy, equals the snapshot taken
 * from the 0.1 build before the architecture refactor (test/snapshots/take.js), except for the
 * finding field `rule` that the refactor added.
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
const snapshot = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(__dirname, 'reports-v0.1.json.gz'))).toString('utf8')) as Record<string, { scan: unknown; file: unknown }>;
const files = sampleFiles(root).filter((rel) => `${rel}|default` in snapshot);
const NEW_FIELDS = ['rule'];

describe('the 0.1 snapshot covers the sample corpus', () => {
  test('1,824 reports: 608 sample files under 3 policies, every one of them still a sample file', () => {
    expect(Object.keys(snapshot).length).toBe(1824);
    expect(files.length).toBe(608);
    expect(sampleFiles(root)).toHaveLength(608);
  });
});

// the quick tier (npm run test:quick) checks every 4th sample: 152 of the 608
const checked = everyNthWhenQuick(files, 4);
const which = QUICK ? `every 4th sample's (${checked.length} of ${files.length}, quick tier)` : `every sample's (${checked.length})`;

describe(`${which} scan() and scanFile() reports under every built-in policy are unchanged since the 0.1 snapshot (but for the new \`rule\` field)`, () => {
  test.each(checked)('%s', async (rel) => {
    const file = path.join(root, 'samples', rel);
    const bytes = fs.readFileSync(file);
    for (const policy of POLICIES) {
      const want = snapshot[`${rel}|${policy}`]!;
      expect(normalise(scan(bytes, { policy }), NEW_FIELDS)).toEqual(want.scan);
      const fileResult = await scanFile(file, { policy });
      fileResult.path = rel;
      expect(normalise(fileResult, NEW_FIELDS)).toEqual(want.file);
    }
  });
});
