#!/usr/bin/env node
/**
 * Builds the command line's start-up bundle (part of `npm run build`, after tsc):
 *
 *   dist/cli/picklegate.js     src/cli/main.ts and everything it reaches, in one CommonJS file
 *   dist/cli/picklegate.cache  V8's code cache of that file, taken after a warm-up run
 *
 * `picklegate` (dist/src/cli/bin.js) loads the bundle through that cache: one file read instead of a
 * hundred module resolutions, and the functions a scan runs come compiled. A cache that V8 refuses
 * (another Node.js version or flags) only costs the compile it would have saved; without the bundle
 * the command line runs from the modules in dist/src/.
 *
 * Kept out of the bundle: zod (only policy files need it; resolved from node_modules when they do),
 * xz-decompress (its wasm is found with require.resolve), seek-bzip (it calls the deprecated
 * Buffer(); Node warns about that only outside node_modules). Commander's `node:child_process` (only for
 * executable subcommands, which picklegate has none of) is loaded on first use instead of at
 * start-up; which built-in modules a one-file scan loads is asserted by test/cli/startup.test.ts.
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');
const { Writable } = require('node:stream');

const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, 'dist', 'cli');
const BUNDLE = path.join(OUT, 'picklegate.js');
const CACHE = path.join(OUT, 'picklegate.cache');

const lazyChildProcess = {
  name: 'picklegate-lazy-child-process',
  setup(build) {
    build.onResolve({ filter: /^(node:)?child_process$/ }, () => ({ path: 'child_process', namespace: 'picklegate-lazy' }));
    build.onLoad({ filter: /.*/, namespace: 'picklegate-lazy' }, () => ({
      contents: "let m; module.exports = new Proxy({}, { get: (_, k) => (m ??= require('node:child_process'))[k] });",
      loader: 'js',
    }));
  },
};

async function bundle() {
  const esbuild = require('esbuild');
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'src', 'cli', 'main.ts')],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['zod', 'xz-decompress', 'seek-bzip'],
    plugins: [lazyChildProcess],
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
}

/** Small pickles a warm-up scan goes through: protocols 0 and 2, a global, a call, a container. */
const WARM_UP = {
  'p0.pkl': Buffer.from("ccollections\nOrderedDict\n(tR(S'lr'\nF0.01\nsS'wd'\nI0\ns.", 'latin1'),
  'p2.pkl': Buffer.from('\x80\x02cbuiltins\nset\nq\x00]q\x01(K\x01K\x02X\x01\x00\x00\x00ae\x85q\x02Rq\x03.', 'latin1'),
  'p4.pkl': Buffer.from('\x80\x04\x95\x1b\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x94\x8c\x06system\x94\x93\x94\x8c\x02id\x94\x85\x94R\x94.', 'latin1'),
};

/** Loads the bundle exactly as bin.ts does, runs scans, and writes the code cache V8 then holds. */
async function codeCache() {
  const source = fs.readFileSync(BUNDLE, 'utf8');
  const script = new vm.Script(Module.wrap(source), { filename: BUNDLE });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, Module.createRequire(BUNDLE), mod, BUNDLE, OUT);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picklegate-warm-up-'));
  try {
    for (const [name, bytes] of Object.entries(WARM_UP)) fs.writeFileSync(path.join(dir, name), bytes);
    const quiet = new Writable({ write: (_chunk, _enc, done) => done() });
    const io = { stdout: quiet, stderr: quiet, env: {}, cwd: dir };
    for (const format of ['text', 'json']) await mod.exports.main(['scan', '--format', format, '--no-progress', dir], io);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  fs.writeFileSync(CACHE, script.createCachedData());
}

async function build() {
  const started = Date.now();
  fs.mkdirSync(OUT, { recursive: true });
  await bundle();
  await codeCache();
  const kib = (f) => (fs.statSync(f).size / 1024).toFixed(0);
  console.log(`cli: picklegate.js ${kib(BUNDLE)} KiB, code cache ${kib(CACHE)} KiB (${Date.now() - started} ms)`);
}

build().catch((err) => {
  console.error(`cli bundle: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});
