/**
 * The committed subset of real library files (samples/real: what 60-odd libraries wrote with their
 * own save functions, Debian bookworm and trixie) under the default policy:
 *
 * - every file that carries code (cloudpickle, dill, TorchScript) is rejected;
 * - no pickle of a user's own class is accepted;
 * - every benign-library file is accepted, except those listed in real-rejected.json with the
 *   finding that keeps each out. The list is a ratchet: a file rejected that is not on it is a
 *   regression (a false positive), and a listed file now accepted must leave the list (regenerate
 *   it with `node test/catalogue/real-rejected.js` after `npm run build`, and review the diff).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanFile } from '../../src';

interface RealFile {
  path: string;
  library: string;
  label: 'benign-library' | 'user-class' | 'code-carrying';
}

const ROOT = path.join(__dirname, '..', '..', 'samples', 'real');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'manifest.json'), 'utf8')) as { files: RealFile[] };
const listed = JSON.parse(fs.readFileSync(path.join(__dirname, 'real-rejected.json'), 'utf8')) as Record<string, string>;

const results = new Map<string, { accepted: boolean; verdict: string }>();

beforeAll(async () => {
  for (const f of manifest.files) {
    const r = await scanFile(path.join(ROOT, f.path), { policy: 'default' });
    results.set(f.path, { accepted: r.accepted, verdict: r.verdict });
  }
}, 120_000);

const byLabel = (label: RealFile['label']) => manifest.files.filter((f) => f.label === label);

describe('real library files under the default policy', () => {
  test('the subset is there: over 1,000 benign files of over 50 libraries, and files of both other kinds', () => {
    expect(byLabel('benign-library').length).toBeGreaterThan(1000);
    expect(new Set(byLabel('benign-library').map((f) => f.library)).size).toBeGreaterThan(50);
    expect(byLabel('code-carrying').length).toBeGreaterThan(20);
    expect(byLabel('user-class').length).toBeGreaterThan(20);
  });

  test('every file that carries code is rejected', () => {
    expect(byLabel('code-carrying').filter((f) => results.get(f.path)!.accepted).map((f) => f.path)).toEqual([]);
  });

  test("no pickle of a user's own class is accepted", () => {
    expect(byLabel('user-class').filter((f) => results.get(f.path)!.accepted).map((f) => f.path)).toEqual([]);
  });

  test('every benign file is accepted but the listed ones (no new false positive)', () => {
    const rejected = byLabel('benign-library').filter((f) => !results.get(f.path)!.accepted && !(f.path in listed));
    expect(rejected.map((f) => `${f.path} (${results.get(f.path)!.verdict})`)).toEqual([]);
  });

  test('every listed file is still rejected (the list only shrinks)', () => {
    const benign = new Set(byLabel('benign-library').map((f) => f.path));
    expect(Object.keys(listed).filter((p) => !benign.has(p))).toEqual([]);
    expect(Object.keys(listed).filter((p) => results.get(p)!.accepted)).toEqual([]);
    const share = 1 - Object.keys(listed).length / benign.size;
    console.log(`real files: ${benign.size - Object.keys(listed).length} of ${benign.size} benign files accepted (${(share * 100).toFixed(1)} %)`);
  });
});
