/**
 * The pre-commit hook (.pre-commit-hooks.yaml), for real: a copy of this repository committed to a
 * temporary git repository is used by URL from another temporary repository, exactly as a user's
 * `.pre-commit-config.yaml` would (pre-commit clones it, `npm install`s it, whose prepare script
 * builds it, packs and installs it). Then commits that add malicious pickles are blocked, a benign
 * checkpoint goes through, and `args` reach the scan (a baseline lets a legacy file through).
 *
 * Skips, saying so, when `pre-commit` is not installed (`apt-get install -y pre-commit`; .ci/run
 * installs it) or the npm registry cannot be reached.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { commitAll, copyTree, gitEnv, hasCommand, isNetworkFailure, NPM_FILES, ROOT } from '../support/fresh-tree';

const HAVE_PRE_COMMIT = hasCommand('pre-commit');
if (!HAVE_PRE_COMMIT) console.warn('skipping the pre-commit hook tests: pre-commit is not installed (apt-get install -y pre-commit, or pip install pre-commit)');
const maybe = HAVE_PRE_COMMIT ? describe : describe.skip;

const SAMPLES = path.join(ROOT, 'samples');
const MALICIOUS = fs.readdirSync(path.join(SAMPLES, 'malicious')).filter((f) => f.endsWith('.pkl')).sort();

maybe('pre-commit hook', () => {
  let tmp: string;
  let hooks: string;
  let target: string;
  let rev: string;
  let env: NodeJS.ProcessEnv;
  let offline = false;

  const git = (...args: string[]) => spawnSync('git', args, { cwd: target, env, encoding: 'utf8', timeout: 600_000 });
  const head = () => git('rev-parse', 'HEAD').stdout.trim();
  const config = (args?: string[]) =>
    fs.writeFileSync(
      path.join(target, '.pre-commit-config.yaml'),
      `repos:\n  - repo: ${pathToFileUrl(hooks)}\n    rev: ${rev}\n    hooks:\n      - id: picklegate\n${args ? `        args: [${args.map((a) => JSON.stringify(a)).join(', ')}]\n` : ''}`,
    );
  const pathToFileUrl = (p: string) => `file://${p}`;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'picklegate-pre-commit-'));
    hooks = path.join(tmp, 'picklegate');
    target = path.join(tmp, 'project');
    // what pre-commit needs of this repository: the npm package's sources and the hooks file
    copyTree(hooks, { only: [...NPM_FILES, '.npmrc', '.pre-commit-hooks.yaml'] });
    rev = commitAll(hooks, 'picklegate');
    env = gitEnv({ PRE_COMMIT_HOME: path.join(tmp, 'cache'), PRE_COMMIT_COLOR: 'never', NO_COLOR: '1' });
    fs.mkdirSync(target);
    config();
    fs.writeFileSync(path.join(target, 'README.md'), 'models\n');
    commitAll(target, 'init');
    const install = spawnSync('pre-commit', ['install'], { cwd: target, env, encoding: 'utf8' });
    expect(install.status).toBe(0);
    // the hook's environment: clone, npm install (prepare builds), npm pack, npm install -g
    const r = spawnSync('pre-commit', ['install-hooks'], { cwd: target, env, encoding: 'utf8', timeout: 900_000 });
    const log = fs.existsSync(path.join(tmp, 'cache', 'pre-commit.log')) ? fs.readFileSync(path.join(tmp, 'cache', 'pre-commit.log'), 'utf8') : '';
    if (r.status !== 0 && isNetworkFailure(r.stdout + r.stderr + log)) {
      offline = true;
      console.warn(`skipping the pre-commit hook tests: the npm registry is not reachable\n${log.slice(0, 2000)}`);
      return;
    }
    if (r.status !== 0) throw new Error(`pre-commit install-hooks failed:\n${r.stdout}\n${r.stderr}\n${log}`);
  }, 900_000);
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('a commit that adds a malicious pickle is blocked', () => {
    if (offline) return;
    const before = head();
    fs.copyFileSync(path.join(SAMPLES, 'malicious', 'builtins_eval_p4.pkl'), path.join(target, 'weights.pkl'));
    git('add', 'weights.pkl');
    const r = git('commit', '-m', 'add weights');
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/picklegate \(no unsafe pickles\)\.+Failed/);
    expect(r.stdout + r.stderr).toMatch(/DANGEROUS\s+weights\.pkl \(pickle, \d+ B, rejected\)/);
    expect(r.stdout + r.stderr).toMatch(/DENIED_GLOBAL .*builtins\.eval/);
    expect(head()).toBe(before);
    git('rm', '-q', '--cached', 'weights.pkl');
    fs.rmSync(path.join(target, 'weights.pkl'));
  });

  test(`every malicious sample (${MALICIOUS.length}) is blocked, each one named`, () => {
    if (offline) return;
    const before = head();
    fs.mkdirSync(path.join(target, 'evil'));
    for (const f of MALICIOUS) fs.copyFileSync(path.join(SAMPLES, 'malicious', f), path.join(target, 'evil', f));
    git('add', 'evil');
    const r = git('commit', '-m', 'add every technique');
    expect(r.status).toBe(1);
    const out = r.stdout + r.stderr;
    const missed = MALICIOUS.filter((f) => !new RegExp(`^(DANGEROUS|SUSPICIOUS) +evil/${f.replace(/\./g, '\\.')} `, 'm').test(out));
    expect(missed).toEqual([]);
    expect(head()).toBe(before);
    git('rm', '-rq', '--cached', 'evil');
    fs.rmSync(path.join(target, 'evil'), { recursive: true });
  });

  test('a benign checkpoint passes; files that are not pickles are not even looked at', () => {
    if (offline) return;
    const before = head();
    fs.copyFileSync(path.join(SAMPLES, 'containers', 'torch_benign.pt'), path.join(target, 'model.pt'));
    fs.writeFileSync(path.join(target, 'notes.txt'), 'cos\nsystem\n(S"id"\ntR.'); // a pickle, named as text: not this hook's business
    git('add', 'model.pt', 'notes.txt');
    const r = git('commit', '-m', 'add a checkpoint');
    expect(r.stdout + r.stderr).toMatch(/picklegate \(no unsafe pickles\)\.+Passed/);
    expect(r.status).toBe(0);
    expect(head()).not.toBe(before);
  });

  test('args reach the scan: a baseline lets a reviewed legacy file through, not a new one', () => {
    if (offline) return;
    fs.copyFileSync(path.join(SAMPLES, 'containers', 'model.bin'), path.join(target, 'legacy.bin'));
    const w = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'src', 'cli', 'bin.js'), 'scan', '--write-baseline', '.picklegate-baseline.json', 'legacy.bin'], { cwd: target, encoding: 'utf8' });
    expect(w.status).toBe(0);
    config(['--baseline', '.picklegate-baseline.json']);
    git('add', '.pre-commit-config.yaml', '.picklegate-baseline.json', 'legacy.bin');
    const ok = git('commit', '-m', 'legacy checkpoint, reviewed');
    expect(ok.stdout + ok.stderr).toMatch(/Passed/);
    expect(ok.status).toBe(0);
    fs.copyFileSync(path.join(SAMPLES, 'malicious', 'os_system_stack_global_p4.pkl'), path.join(target, 'new.pkl'));
    fs.appendFileSync(path.join(target, 'legacy.bin'), Buffer.from([0x2e])); // changed: judged in full again
    git('add', 'new.pkl', 'legacy.bin');
    const bad = git('commit', '-m', 'new pickle');
    expect(bad.status).toBe(1);
    expect(bad.stdout + bad.stderr).toMatch(/DANGEROUS\s+new\.pkl/);
    expect(bad.stdout + bad.stderr).toMatch(/DANGEROUS\s+legacy\.bin \(pickle, 35 B, rejected\)/);
  });
});
