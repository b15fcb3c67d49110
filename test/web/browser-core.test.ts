/**
 * The library as the page runs it: the browser bundle of the scan core (node: modules shimmed, Buffer
 * injected, pako for deflate), in a bare V8 context without Node's globals, gives the same file
 * results as the Node library on every sample, and the same opcode rows as `picklegate disasm` lists.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanBytes, type PolicySpec } from '../../src';
import { BUILTIN_POLICIES } from '../../src/policy/builtin';
import { closeInflateWorkers } from '../../src/containers/decode';
import { listingRows } from '../../src/cli/listing';
import { ROOT, comparable, filesUnder, loadBrowserCore, type LoadedCore } from './support';

let loaded: LoadedCore;
beforeAll(async () => {
  loaded = await loadBrowserCore();
}, 60_000);
afterAll(() => closeInflateWorkers());

/**
 * The page has no library catalogue (its data is not bundled): a built-in policy that uses it is,
 * in the browser, that policy without it. Names only the catalogue would judge stay unlisted there
 * (suspicious, never accepted).
 */
function asInBrowser(name: string): string | PolicySpec {
  const spec = BUILTIN_POLICIES.find((p) => p.name === name)!;
  return spec.catalogue ? { ...spec, catalogue: false } : name;
}

const SAMPLES = filesUnder(path.join(ROOT, 'samples')).filter((f) => !f.includes(`${path.sep}generate${path.sep}`) && !f.endsWith('.json') && !f.endsWith('.md'));

test('the browser bundle has no Node globals to lean on', () => {
  // every require was bundled (esbuild leaves `__require("x")` for those it could not), and zod is out
  expect(loaded.code).not.toMatch(/__require\(\s*["']/);
  expect(loaded.code).not.toMatch(/from\s*["']zod["']/);
  expect(SAMPLES.length).toBeGreaterThan(1500);
});

describe.each([
  ['benign', 'default'],
  ['malicious', 'default'],
  ['malformed', 'default'],
  ['containers', 'default'],
  ['mxnet', 'mxnet-optimizer'],
  ['real', 'default'],
  ['regressions', 'default'],
])('samples/%s with policy %s: browser core = Node library', (folder, policy) => {
  const files = SAMPLES.filter((f) => f.startsWith(path.join(ROOT, 'samples', folder) + path.sep));
  test(`${files.length} files`, async () => {
    expect(files.length).toBeGreaterThan(0);
    const differ: string[] = [];
    for (const f of files) {
      const bytes = fs.readFileSync(f);
      const name = path.basename(f);
      const browser = loaded.core.scanForPage(new loaded.core.MemorySource(loaded.bytes(bytes)), name, policy);
      const node = await scanBytes(new Uint8Array(bytes), name, { policy: asInBrowser(policy) });
      if (JSON.stringify(comparable(browser.doc.files[0])) !== JSON.stringify(comparable(node))) differ.push(path.relative(ROOT, f));
    }
    expect(differ).toEqual([]);
  }, 300_000);
});

test('without the catalogue, the page leaves the names only it judges unlisted, never accepted', async () => {
  // networkx's Graph, rebuilt as pickle does: the catalogue finds it safe, the built-in rules do not list it
  const bytes = Buffer.from('\x80\x02cnetworkx.classes.graph\nGraph\n)\x81}b.', 'latin1');
  const browser = loaded.core.scanForPage(new loaded.core.MemorySource(loaded.bytes(bytes)), 'graph.pkl', 'default').doc.files[0] as { verdict: string; accepted: boolean };
  const node = await scanBytes(new Uint8Array(bytes), 'graph.pkl', { policy: 'default' });
  expect([node.verdict, browser.verdict, browser.accepted]).toEqual(['safe', 'suspicious', false]);
});

test('listing rows from the browser index are the CLI listing rows', () => {
  for (const rel of ['samples/containers/torch_payload_data_pkl.pt', 'samples/malicious', 'samples/containers/legacy_payload.pt']) {
    const files = fs.statSync(path.join(ROOT, rel)).isDirectory() ? filesUnder(path.join(ROOT, rel)).slice(0, 40) : [path.join(ROOT, rel)];
    for (const f of files) {
      const bytes = fs.readFileSync(f);
      const s = loaded.core.scanForPage(new loaded.core.MemorySource(loaded.bytes(bytes)), path.basename(f), 'default');
      for (const st of s.streams) {
        if (st.info.path.length !== 1) continue;
        const all = loaded.core.rowsOf(st, 0, st.info.count);
        expect(all.length).toBe(st.info.count);
        const cli = [...listingRows(new Uint8Array(bytes), 0)].slice(0, st.info.count);
        expect(comparable(all)).toEqual(comparable(cli));
        // resumed in the middle: same rows
        const mid = Math.floor(st.info.count / 2);
        expect(comparable(loaded.core.rowsOf(st, mid, 5))).toEqual(comparable(cli.slice(mid, mid + 5)));
      }
    }
  }
});
