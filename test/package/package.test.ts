/**
 * What a user gets from `npm pack`, built from a fresh copy of the tree (no dist/, as after a clone):
 * the entry points, type declarations, README and LICENSE, no tests or samples. Installed into a new
 * project, the tarball works from CommonJS, from ESM (`import { scan } from 'picklegate'`), as the
 * `picklegate` command, and under strict TypeScript: the library alone without @types/express, the
 * server entry with it.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cleanEnv, commitAll, copyTree, gitEnv, isNetworkFailure, NPM_FILES, ROOT } from '../support/fresh-tree';

jest.setTimeout(600_000);

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
};

function run(cmd: string, args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 480_000, env: cleanEnv({ NO_COLOR: '1', ...extraEnv }), maxBuffer: 1 << 28 });
}
const out = (r: SpawnSyncReturns<string>) => `${r.stdout}\n${r.stderr}`;

let tmp: string;
let tree: string;
let tarball: string;
let packed: { path: string }[];

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'picklegate-pack-'));
  tree = path.join(tmp, 'tree');
  copyTree(tree, { linkNodeModules: true });
  expect(fs.existsSync(path.join(tree, 'dist'))).toBe(false);
  const r = run('npm', ['pack', '--json', '--pack-destination', tmp], tree);
  if (r.status !== 0) throw new Error(`npm pack failed:\n${out(r)}`);
  const json = JSON.parse(r.stdout.slice(r.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(tmp, json[0]!.filename);
  packed = json[0]!.files;
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('npm pack from a fresh tree', () => {
  test('builds first, and ships the entry points, declarations, README and LICENSE', () => {
    const files = packed.map((f) => f.path).sort();
    expect(fs.existsSync(tarball)).toBe(true);
    expect(path.basename(tarball)).toBe(`picklegate-${pkg.version}.tgz`);
    for (const f of [
      'package.json',
      'README.md',
      'LICENSE',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/cli/bin.js',
      'dist/src/cli/action.js',
      'dist/src/cli/baseline.js',
      'dist/src/policy/export/python.js',
      'dist/server/index.js',
      'dist/server/index.d.ts',
      'dist/server/main.js',
      'dist/cli/picklegate.js',
      'dist/cli/picklegate.cache',
      'dist/page/index.html',
      'dist/page/report.js',
    ]) {
      expect(files).toContain(f);
    }
    expect(files.length).toBeGreaterThan(100);
  });

  test('ships no tests, samples, TypeScript sources or CI files', () => {
    const files = packed.map((f) => f.path);
    // the library catalogue's data ships as it is committed (src/names/catalogue/<library>.json)
    const stray = files.filter((f) => !/^(package\.json|README\.md|LICENSE|dist\/(src|server|cli|page)\/.*|src\/names\/catalogue\/[a-z0-9_.-]+\.json)$/.test(f));
    expect(stray).toEqual([]);
    expect(files.filter((f) => f.startsWith('src/names/catalogue/')).length).toBeGreaterThan(75);
    expect(files.filter((f) => /(^|\/)(test|samples)\//.test(f) || /\.test\./.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
  });

  test("the library's declarations never reference express or the server", () => {
    const dts: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.d.ts')) dts.push(p);
      }
    };
    walk(path.join(tree, 'dist', 'src'));
    expect(dts.length).toBeGreaterThan(50);
    const offenders = dts.filter((f) => /['"]express['"]|@types\/express|\/server\//.test(fs.readFileSync(f, 'utf8')));
    expect(offenders.map((f) => path.relative(tree, f))).toEqual([]);
    // and the server's do: that is where the optional peer dependency is needed
    expect(fs.readFileSync(path.join(tree, 'dist', 'server', 'middleware.d.ts'), 'utf8')).toMatch(/from 'express'/);
  });

  test('@types/express is an optional peer dependency', () => {
    expect(pkg.peerDependencies['@types/express']).toBeDefined();
    expect(pkg.peerDependenciesMeta['@types/express']?.optional).toBe(true);
  });
});

describe('the tarball installed into a new project', () => {
  let proj: string;
  let offline = false;

  beforeAll(() => {
    proj = path.join(tmp, 'consumer');
    fs.mkdirSync(proj);
    fs.writeFileSync(path.join(proj, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2));
    const deps = [tarball, `typescript@${pkg.devDependencies.typescript}`, `@types/node@${pkg.devDependencies['@types/node']}`];
    const r = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...deps], proj);
    if (r.status !== 0 && isNetworkFailure(out(r))) {
      offline = true;
      console.warn(`skipping the install tests: the npm registry is not reachable\n${out(r).slice(0, 2000)}`);
      return;
    }
    if (r.status !== 0) throw new Error(`npm install failed:\n${out(r)}`);
    // @types/express is an optional peer: not installed for a library user
    expect(fs.existsSync(path.join(proj, 'node_modules', '@types', 'express'))).toBe(false);
    expect(fs.existsSync(path.join(proj, 'node_modules', 'picklegate', 'dist', 'src', 'index.js'))).toBe(true);
  });

  const malicious = path.join(ROOT, 'samples', 'containers', 'model.bin');

  test('CommonJS: require("picklegate") and require("picklegate/server")', () => {
    if (offline) return;
    fs.writeFileSync(
      path.join(proj, 'cjs.cjs'),
      `const fs = require('node:fs');
const { scan, FINDING_CODES } = require('picklegate');
const { pickleGuard } = require('picklegate/server');
const r = scan(fs.readFileSync(${JSON.stringify(malicious)}), { policy: 'default' });
console.log(JSON.stringify({ verdict: r.verdict, codes: r.findings.map((f) => f.code), guard: typeof pickleGuard, n: Object.keys(FINDING_CODES).length }));
`,
    );
    const r = run(process.execPath, ['cjs.cjs'], proj);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ verdict: 'dangerous', guard: 'function' });
    expect(j.codes).toContain('DENIED_GLOBAL');
  });

  test('ESM: import { scan } from "picklegate", every CommonJS export by name', () => {
    if (offline) return;
    fs.writeFileSync(
      path.join(proj, 'esm.mjs'),
      `import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { scan } from 'picklegate';
import * as lib from 'picklegate';
import * as server from 'picklegate/server';
const require = createRequire(import.meta.url);
const missing = [
  ...Object.keys(require('picklegate')).filter((k) => !(k in lib)),
  ...Object.keys(require('picklegate/server')).filter((k) => !(k in server)).map((k) => 'server:' + k),
];
const r = scan(readFileSync(${JSON.stringify(malicious)}));
console.log(JSON.stringify({ verdict: r.verdict, missing, guard: typeof server.pickleGuard }));
`,
    );
    const r = run(process.execPath, ['esm.mjs'], proj);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ verdict: 'dangerous', missing: [], guard: 'function' });
  });

  test('the picklegate command: npx --no-install picklegate', () => {
    if (offline) return;
    const v = run('npx', ['--no-install', 'picklegate', '--version'], proj);
    expect(v.stdout.trim()).toBe(pkg.version);
    const s = run('npx', ['--no-install', 'picklegate', 'scan', malicious], proj);
    expect(s.status).toBe(1);
    expect(s.stdout).toMatch(/DANGEROUS/);
    // the installed command reads the catalogue shipped with it: networkx's Graph, rebuilt, is safe
    const graph = path.join(proj, 'graph.pkl');
    fs.writeFileSync(graph, Buffer.from('\x80\x02cnetworkx.classes.graph\nGraph\n)\x81}b.', 'latin1'));
    const g = run('npx', ['--no-install', 'picklegate', 'scan', graph], proj);
    expect([g.status, g.stdout]).toEqual([0, expect.stringMatching(/^SAFE/)]);
    // the HTML report inlines the page's built views, which ship in dist/page/
    const html = path.join(proj, 'report.html');
    const h = run('npx', ['--no-install', 'picklegate', 'scan', '--format', 'html', '-o', html, malicious], proj);
    expect(h.status).toBe(1);
    expect(fs.readFileSync(html, 'utf8')).toContain('DENIED_GLOBAL');
  });

  const tsconfig = (moduleKind: 'nodenext' | 'commonjs', file: string) => ({
    compilerOptions: {
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      target: 'ES2022',
      module: moduleKind,
      moduleResolution: moduleKind === 'nodenext' ? 'nodenext' : 'node10',
      types: ['node'],
      ...(moduleKind === 'commonjs' ? { esModuleInterop: true } : {}),
    },
    files: [file],
  });
  const tsc = (config: string) => run(process.execPath, [path.join(proj, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config], proj);

  const LIB_TS = `import { scan, scanFile, compilePolicy, type Report, type Finding, type FileResult } from 'picklegate';

const report: Report = scan(new Uint8Array([0x80, 4, 0x4e, 0x2e]), { policy: 'default' });
const codes: string[] = report.findings.map((f: Finding) => \`\${f.code}/\${f.rule}\`);
const policy = compilePolicy({ name: 'mine', extends: 'default', rules: [{ module: 'mylib', names: ['Net'], action: 'allow', reason: 'ours' }] });
export async function check(file: string): Promise<boolean> {
  const r: FileResult = await scanFile(file, { policy });
  return r.accepted && codes.length >= 0;
}
`;
  const SERVER_TS = `import express from 'express';
import { pickleGuard, errorHandler } from 'picklegate/server';

const app = express();
app.post('/command', pickleGuard({ policy: 'mxnet-optimizer', maxBodyBytes: 1 << 20 }), (req, res) => {
  res.json({ verdict: req.pickleReport?.verdict });
});
app.use(errorHandler());
export default app;
`;

  test('strict TypeScript, library only, without @types/express: no TS7016', () => {
    if (offline) return;
    fs.writeFileSync(path.join(proj, 'lib.ts'), LIB_TS);
    for (const kind of ['nodenext', 'commonjs'] as const) {
      const config = path.join(proj, `tsconfig.lib.${kind}.json`);
      fs.writeFileSync(config, JSON.stringify(tsconfig(kind, 'lib.ts'), null, 2));
      const r = tsc(config);
      expect({ kind, status: r.status, out: r.stdout + r.stderr }).toEqual({ kind, status: 0, out: '' });
    }
  });

  test('strict TypeScript with picklegate/server: needs @types/express, then compiles', () => {
    if (offline) return;
    fs.writeFileSync(path.join(proj, 'server.ts'), SERVER_TS);
    const config = path.join(proj, 'tsconfig.server.json');
    fs.writeFileSync(config, JSON.stringify(tsconfig('nodenext', 'server.ts'), null, 2));
    // without the optional peer dependency the server entry's types cannot be resolved
    const before = tsc(config);
    expect(before.status).not.toBe(0);
    expect(before.stdout).toMatch(/TS7016: Could not find a declaration file for module 'express'/);

    const r = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `@types/express@${pkg.devDependencies['@types/express']}`], proj);
    if (r.status !== 0 && isNetworkFailure(out(r))) return console.warn('skipping: @types/express cannot be installed (registry not reachable)');
    expect(r.status).toBe(0);
    for (const kind of ['nodenext', 'commonjs'] as const) {
      const c = path.join(proj, `tsconfig.server.${kind}.json`);
      fs.writeFileSync(c, JSON.stringify(tsconfig(kind, 'server.ts'), null, 2));
      const after = tsc(c);
      expect({ kind, status: after.status, out: after.stdout + after.stderr }).toEqual({ kind, status: 0, out: '' });
    }
  });
});

describe('installed from a git URL at a tag, as the README says', () => {
  test('npm install git+...#vX.Y.Z builds it (prepare) and npx --no-install runs it', () => {
    const repo = path.join(tmp, 'git-repo');
    copyTree(repo, { only: [...NPM_FILES, '.npmrc'] });
    commitAll(repo, 'release');
    expect(spawnSync('git', ['tag', `v${pkg.version}`], { cwd: repo, env: gitEnv() }).status).toBe(0);
    const proj = path.join(tmp, 'git-consumer');
    fs.mkdirSync(proj);
    fs.writeFileSync(path.join(proj, 'package.json'), JSON.stringify({ name: 'git-consumer', version: '1.0.0', private: true }, null, 2));
    const r = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `git+file://${repo}#v${pkg.version}`], proj, gitEnv());
    if (r.status !== 0 && isNetworkFailure(out(r))) return console.warn(`skipping the git install test: the npm registry is not reachable\n${out(r).slice(0, 2000)}`);
    expect({ status: r.status, out: r.status === 0 ? '' : out(r) }).toEqual({ status: 0, out: '' });
    expect(fs.existsSync(path.join(proj, 'node_modules', 'picklegate', 'dist', 'src', 'cli', 'bin.js'))).toBe(true);
    expect(run('npx', ['--no-install', 'picklegate', '--version'], proj).stdout.trim()).toBe(pkg.version);
    const s = run('npx', ['--no-install', 'picklegate', 'scan', path.join(ROOT, 'samples', 'containers', 'model.bin')], proj);
    expect(s.status).toBe(1);
  });
});
