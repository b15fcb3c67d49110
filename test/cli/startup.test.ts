/**
 * What the command line loads to scan one small file: the start-up bundle through its code cache,
 * not the modules; none of the built-in modules that only some files need (src/lazy.ts); no
 * dependency but the argument parser and colours. Start-up time itself is measured by
 * `npm run bench -- --only=big` (test/bench/big.js), not here.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, ROOT, S } from './run';

const BUNDLE = path.join(ROOT, 'dist', 'cli', 'picklegate.js');
const CACHE = path.join(ROOT, 'dist', 'cli', 'picklegate.cache');
/** A small benign pickle (a datetime: globals, a call, a container). */
const SMALL = path.join(ROOT, 'samples', 'benign', 'datetime_p4.pkl');

/** Built-in modules loaded only when a file needs them. */
const ON_DEMAND = ['zlib', 'worker_threads', 'crypto', 'os', 'child_process', 'dgram'];

interface Loaded {
  code: number | null;
  builtins: string[];
  files: string[];
}

let dir: string;
let hook: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picklegate-startup-'));
  hook = path.join(dir, 'record.js');
  // Preloaded into the CLI's process: at exit, the built-in modules and the files it loaded.
  fs.writeFileSync(
    hook,
    `const before = new Set(process.moduleLoadList);
process.on('exit', () => {
  const builtins = process.moduleLoadList.filter((m) => !before.has(m) && m.startsWith('NativeModule ')).map((m) => m.slice(13));
  require('fs').writeFileSync(${JSON.stringify(path.join(dir, 'loaded.json'))}, JSON.stringify({ builtins, files: Object.keys(require.cache) }));
});
`,
  );
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): Loaded {
  const r = spawnSync(process.execPath, ['--require', hook, BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
  const loaded = JSON.parse(fs.readFileSync(path.join(dir, 'loaded.json'), 'utf8')) as Omit<Loaded, 'code'>;
  return { code: r.status, ...loaded };
}

const onDemand = (l: Loaded) => l.builtins.filter((m) => ON_DEMAND.includes(m) || ON_DEMAND.some((d) => m.startsWith(`internal/${d}/`)));

describe('start-up of picklegate scan on one small file', () => {
  test('the bundle and its code cache were built', () => {
    expect(fs.statSync(BUNDLE).size).toBeGreaterThan(100_000);
    // the cache is V8's for this very source under this Node.js: a plain node process (as the CLI
    // runs; jest's own workers run with other V8 flags) compiles with it and does not refuse it
    const check = `const fs = require('fs'), vm = require('vm'), Module = require('module');
      const s = new vm.Script(Module.wrap(fs.readFileSync(${JSON.stringify(BUNDLE)}, 'utf8')), { cachedData: fs.readFileSync(${JSON.stringify(CACHE)}) });
      process.stdout.write(String(s.cachedDataRejected));`;
    expect(spawnSync(process.execPath, ['-e', check], { encoding: 'utf8' }).stdout).toBe('false');
  });

  test('runs from the bundle: none of the modules in dist/src/ but the entry point is loaded', () => {
    const l = run(['scan', '-q', SMALL]);
    expect(l.code).toBe(0);
    const ours = l.files.filter((f) => f.startsWith(ROOT) && !f.includes(`${path.sep}node_modules${path.sep}`));
    expect(ours.map((f) => path.relative(ROOT, f)).sort()).toEqual([path.join('dist', 'src', 'cli', 'bin.js')]);
  });

  test('a plain pickle loads none of the on-demand built-ins, and no dependency but commander and picocolors', () => {
    const l = run(['scan', '-q', SMALL]);
    expect(onDemand(l)).toEqual([]);
    expect(l.builtins).not.toContain('perf_hooks'); // timings come from process.hrtime (src/clock.ts)
    const deps = new Set(l.files.filter((f) => f.includes(`${path.sep}node_modules${path.sep}`)).map((f) => f.split(`node_modules${path.sep}`)[1]!.split(path.sep)[0]));
    expect([...deps].every((d) => ['commander', 'picocolors'].includes(d))).toBe(true);
  });

  test('... which are loaded when a file needs them: a gzip file loads zlib', () => {
    const l = run(['scan', '-q', S('benign.pkl.gz')]);
    expect(l.code).toBe(0);
    expect(onDemand(l)).toContain('zlib');
  });
});
