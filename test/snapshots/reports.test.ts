/**
 * Refactoring proof: every sample's report, under every built-in policy, equals the snapshot taken
 * from the 0.1 build before the architecture refactor (test/snapshots/take.js), except for the
 * finding field `rule` that the refactor added.
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
const snapshot = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(__dirname, 'reports-v0.1.json.gz'))).toString('utf8')) as Record<string, { scan: unknown; file: unknown }>;
const files = sampleFiles(root).filter((rel) => `${rel}|default` in snapshot);
const NEW_FIELDS = ['rule'];

/**
 * Samples whose file report legitimately changed since the snapshot (their `scan()` report of the
 * raw bytes did not): each with why, the verdict now expected and findings it must have (code/rule:
 * path; the MXNet policies add their wire-rule findings on the scanned content).
 */
const CHANGED_FILE_REPORTS: Record<string, { why: string; verdict: string; findings: string[] }> = {
  // decompression is streamed: the bytes before the ratio cap are walked (and scanned, the inner
  // name being bomb.pkl) instead of nothing; the cap is reported as before
  'containers/bomb.pkl.bz2': {
    why: 'streaming decompression: the content decoded before the cap is scanned too',
    verdict: 'suspicious',
    findings: ['LIMIT_EXCEEDED/inflate-limit: bomb.pkl.bz2', 'MALFORMED/invalid-opcode: bomb.pkl.bz2>bomb.pkl'],
  },
  // zstd is opened now: a zstd magic followed by zeros is a corrupt frame, not UNSUPPORTED_FORMAT
  'containers/model.pkl.zst': {
    why: 'zstd is supported: the truncated frame is reported as corrupt',
    verdict: 'suspicious',
    findings: ['CONTAINER_ANOMALY/corrupt-stream: model.pkl.zst', 'TRUNCATED/empty-input: model.pkl.zst>model.pkl'],
  },
};

describe('reports are unchanged since the 0.1 snapshot', () => {
  test('the snapshot covers the sample corpus', () => {
    expect(Object.keys(snapshot).length).toBe(1824);
    expect(files.length).toBe(608);
  });

  test.each(files)('%s', async (rel) => {
    const file = path.join(root, 'samples', rel);
    const bytes = fs.readFileSync(file);
    for (const policy of POLICIES) {
      const want = snapshot[`${rel}|${policy}`]!;
      expect(normalise(scan(bytes, { policy }), NEW_FIELDS)).toEqual(want.scan);
      const fileResult = await scanFile(file, { policy });
      fileResult.path = rel;
      const changed = CHANGED_FILE_REPORTS[rel];
      if (changed) {
        expect(fileResult.verdict).toBe(changed.verdict);
        expect(fileResult.accepted).toBe(false);
        expect(fileResult.findings.map((f) => `${f.code}/${f.rule}: ${(f.path ?? []).join('>')}`)).toEqual(expect.arrayContaining(changed.findings));
        expect(normalise(fileResult, NEW_FIELDS)).not.toEqual(want.file);
      } else expect(normalise(fileResult, NEW_FIELDS)).toEqual(want.file);
    }
  });
});
