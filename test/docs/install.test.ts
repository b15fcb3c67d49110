/**
 * picklegate is not on the npm registry: an example that runs `npx picklegate` (or `npx --yes
 * picklegate`, or `npm install picklegate`) would download and run whatever someone else publishes
 * under that name. Every example installs from this repository (a tag or a tarball) and runs the
 * installed command with `npx --no-install`. And the README's quick start uses what the repository has.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');
const files = ['README.md', 'SECURITY.md', 'action.yml', '.pre-commit-hooks.yaml', ...fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

describe('no example fetches picklegate from the npm registry', () => {
  test.each(files)('%s', (file) => {
    const bad: string[] = [];
    fs.readFileSync(path.join(root, file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        for (const m of line.matchAll(/\bnpx\s+((?:--?[\w-]+(?:=\S+)?\s+)*)picklegate\b/g)) if (!/--no-install\b/.test(m[1]!)) bad.push(`${file}:${i + 1}: ${line.trim()}`);
        if (/\bnpm\s+(install|i|add)\s+(-g\s+|--global\s+)?picklegate(@|\s|$)/.test(line)) bad.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    expect(bad).toEqual([]);
  });
});

describe("the README's quick start and install sections use what the repository has", () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> };

  test('npm ci builds (prepare), npm start and npm test exist, the CLI path is the package bin', () => {
    const quick = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Install'));
    expect(quick).toMatch(/npm ci/);
    expect(pkg.scripts.prepare).toMatch(/npm run build/);
    expect(pkg.scripts.build).toBeDefined();
    for (const script of ['start', 'test']) if (new RegExp(`npm ${script}\\b`).test(quick)) expect(pkg.scripts[script]).toBeDefined();
    expect(quick).toMatch(/node dist\/src\/cli\/bin\.js/);
    expect(pkg.bin.picklegate).toBe('dist/src/cli/bin.js');
  });

  test('install: a git URL at a tag or a tarball made by npm pack, run with npx --no-install', () => {
    const install = readme.slice(readme.indexOf('## Install'), readme.indexOf('## Usage'));
    expect(install).toMatch(/npm install git\+https:\/\/\S+#vX\.Y\.Z/);
    expect(install).toMatch(/npm pack/);
    expect(install).toMatch(/npm install \.\/picklegate-X\.Y\.Z\.tgz/);
    expect(install).toMatch(/npx --no-install picklegate/);
  });
});
