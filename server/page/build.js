#!/usr/bin/env node
/**
 * Builds the triage page and the HTML report's viewer with esbuild into dist/page/ (part of
 * `npm run build`), and fails when the page weighs more than its budget or refers to anything
 * outside itself.
 *
 *   dist/page/index.html   the page (GET / fills in its config)
 *   dist/page/app.js       the page's code: controls, views
 *   dist/page/worker.js    the scan worker: the library bundled for the browser (see below)
 *   dist/page/page.css     styles of the page and the report
 *   dist/page/report.js    the HTML report's viewer: the same views, no scanner
 *   dist/page/weight.json  sizes, gzipped sizes, the budget
 *
 * The library runs in the browser unchanged; the Node-only pieces it names are swapped here:
 * `node:*` modules resolve to web/shims/ (zlib → a CRC-32, fs → the xz wasm text embedded at build
 * time, worker_threads/crypto/os/fs.promises → stubs that throw), `Buffer` is injected from
 * web/shims/buffer.ts, `require.resolve` is defined to a name lookup, and the zod policy schemas
 * (only for policy files) are left out. The deflate family is decoded by pako (web/inflate.ts,
 * installed with setInflateBackend). Any other `node:` import fails the build.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const ROOT = path.resolve(__dirname, '..', '..');
const WEB = path.join(__dirname, 'web');
const OUT = path.join(ROOT, 'dist', 'page');
/** The page (what a browser loads for GET /: html, css, app, worker), gzipped. */
const BUDGET_GZIP = 300 * 1024;
/** Files a visit to the page loads. */
const PAGE_ASSETS = ['index.html', 'page.css', 'app.js', 'worker.js'];

const SHIMS = {
  fs: 'fs.ts',
  zlib: 'zlib.ts',
  path: 'path.ts',
  crypto: 'unavailable.ts',
  os: 'unavailable.ts',
  'fs/promises': 'unavailable.ts',
  worker_threads: 'unavailable.ts',
};

/** The wasm module of xz-decompress, as the data URL its package text carries (what src/containers/decode/xz.ts looks for). */
function xzWasmText() {
  const text = fs.readFileSync(require.resolve('xz-decompress', { paths: [ROOT] }), 'latin1');
  const m = /data:application\/wasm;base64,[A-Za-z0-9+/=]+/.exec(text);
  if (!m) throw new Error('xz-decompress: wasm module not found in the package');
  return m[0];
}

const browserShims = {
  name: 'picklegate-browser-shims',
  setup(build) {
    build.onResolve({ filter: /^(node:)?(fs|zlib|path|crypto|os|fs\/promises|worker_threads)$/ }, (a) => ({ path: path.join(WEB, 'shims', SHIMS[a.path.replace(/^node:/, '')]) }));
    build.onResolve({ filter: /^node:/ }, (a) => ({ errors: [{ text: `${a.path} has no browser shim (imported by ${path.relative(ROOT, a.importer)})` }] }));
    build.onResolve({ filter: /^\.\/schema$/ }, (a) => (a.importer === path.join(ROOT, 'src', 'policy', 'registry.ts') ? { path: path.join(WEB, 'shims', 'policy-schema.ts') } : undefined));
    build.onResolve({ filter: /^picklegate:xz-decompress$/ }, () => ({ path: 'xz-decompress', namespace: 'picklegate-virtual' }));
    build.onLoad({ filter: /.*/, namespace: 'picklegate-virtual' }, () => ({ contents: `export default ${JSON.stringify(xzWasmText())};`, loader: 'js' }));
  },
};

function version() {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
}

/** esbuild options of the browser bundles (also used by test/web/ to build the core for Node's vm). */
function browserOptions(entry, extra = {}) {
  return {
    entryPoints: [path.join(WEB, entry)],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'warning',
    mainFields: ['browser', 'module', 'main'],
    conditions: ['browser', 'import', 'default'],
    inject: [path.join(WEB, 'shims', 'buffer.ts'), path.join(WEB, 'shims', 'require.ts')],
    define: { 'require.resolve': '__picklegateRequireResolve', __PICKLEGATE_VERSION__: JSON.stringify(version()), 'process.env.NODE_ENV': '"production"' },
    plugins: [browserShims],
    absWorkingDir: ROOT,
    ...extra,
  };
}

function gzipSize(buf) {
  return zlib.gzipSync(buf, { level: 9 }).length;
}

function checkSelfContained(name, text) {
  const problems = [];
  if (name.endsWith('.css')) {
    if (/@import/i.test(text)) problems.push('@import');
    for (const m of text.matchAll(/url\(\s*['"]?([^'")]*)/gi)) if (!m[1].startsWith('data:')) problems.push(`url(${m[1]})`);
  }
  if (name.endsWith('.html')) {
    for (const m of text.matchAll(/\b(?:src|href)\s*=\s*["']([^"']*)["']/gi)) if (!/^(\/page\/|#|data:)/.test(m[1])) problems.push(`${m[0]}`);
  }
  if (name.endsWith('.js')) {
    if (/importScripts\s*\(/.test(text)) problems.push('importScripts()');
    if (/\bfetch\s*\(\s*["'`]https?:/.test(text)) problems.push('fetch() of an absolute URL');
    if (name === 'report.js' && /<\/script|<!--/i.test(text)) problems.push('</script or <!-- (the report inlines this file)');
  }
  if (problems.length) throw new Error(`${name} is not self-contained: ${problems.join(', ')}`);
}

async function build() {
  const esbuild = require('esbuild');
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });
  const started = Date.now();
  await Promise.all([
    esbuild.build(browserOptions('app.ts', { outfile: path.join(OUT, 'app.js') })),
    esbuild.build(browserOptions('worker.ts', { outfile: path.join(OUT, 'worker.js') })),
    esbuild.build(browserOptions('report.ts', { outfile: path.join(OUT, 'report.js') })),
    esbuild.build({ entryPoints: [path.join(WEB, 'style.css')], bundle: true, minify: true, outfile: path.join(OUT, 'page.css'), logLevel: 'warning', absWorkingDir: ROOT }),
  ]);
  fs.copyFileSync(path.join(WEB, 'index.html'), path.join(OUT, 'index.html'));

  const assets = {};
  for (const name of fs.readdirSync(OUT).sort()) {
    const buf = fs.readFileSync(path.join(OUT, name));
    checkSelfContained(name, buf.toString('utf8'));
    assets[name] = { bytes: buf.length, gzip: gzipSize(buf) };
  }
  const page = PAGE_ASSETS.reduce((t, n) => ({ bytes: t.bytes + assets[n].bytes, gzip: t.gzip + assets[n].gzip }), { bytes: 0, gzip: 0 });
  const weight = { budgetGzip: BUDGET_GZIP, page: { assets: PAGE_ASSETS, ...page }, assets };
  fs.writeFileSync(path.join(OUT, 'weight.json'), JSON.stringify(weight, null, 2) + '\n');
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`page: ${PAGE_ASSETS.map((n) => `${n} ${kb(assets[n].gzip)}`).join(', ')}; total ${kb(page.gzip)} gzipped of a ${kb(BUDGET_GZIP)} budget (${Date.now() - started} ms)`);
  if (page.gzip > BUDGET_GZIP) throw new Error(`the page weighs ${kb(page.gzip)} gzipped, over its budget of ${kb(BUDGET_GZIP)} (server/page/build.js)`);
}

module.exports = { browserOptions, BUDGET_GZIP, PAGE_ASSETS, OUT };

if (require.main === module) {
  build().catch((err) => {
    console.error(`page build failed: ${err.message}`);
    process.exit(1);
  });
}
