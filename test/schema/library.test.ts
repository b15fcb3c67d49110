/** scan() and scanFile() results validate against the closed Report and FileResult schemas. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scan, scanFile } from '../../src';
import { closedValidators, explain } from './support';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { POLICIES, sampleFiles } = require('../snapshots/snapshot-files.js') as { POLICIES: string[]; sampleFiles: (root: string) => string[] };

const ROOT = path.resolve(__dirname, '../..');
const files = sampleFiles(ROOT);
const v = closedValidators();
/** As JSON, the way every output writes a report. */
const json = (x: unknown): unknown => JSON.parse(JSON.stringify(x, (_k, val: unknown) => (typeof val === 'bigint' ? val.toString() : val)));

test('the samples are there', () => {
  expect(files.length).toBeGreaterThan(600);
});

describe.each(POLICIES)('policy %s', (policy) => {
  test('scan(): every sample\'s Report', () => {
    const bad: string[] = [];
    for (const f of files) {
      const report = json(scan(fs.readFileSync(path.join(ROOT, 'samples', f)), { policy }));
      if (!v.report(report)) bad.push(`${f}:\n${explain(v.report.errors, report)}`);
    }
    expect(bad.slice(0, 3)).toEqual([]);
  });

  test('scanFile(): the container samples\' FileResults', async () => {
    const bad: string[] = [];
    for (const f of files.filter((x) => x.startsWith('containers/'))) {
      const result = json(await scanFile(path.join(ROOT, 'samples', f), { policy }));
      if (!v.fileResult(result)) bad.push(`${f}:\n${explain(v.fileResult.errors, result)}`);
    }
    expect(bad.slice(0, 3)).toEqual([]);
  });
});
