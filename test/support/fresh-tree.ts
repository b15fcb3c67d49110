/**
 * A copy of the repository as a fresh clone has it: the files git tracks (plus new, not ignored
 * ones), without dist/ or node_modules/. Packaging, pre-commit and action tests build from such a copy
 * so that they never touch the checkout's own dist/ while other tests use it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..');

/** What npm needs to install, build and pack the package (and nothing the package does not ship or build from). */
export const NPM_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md', 'LICENSE', 'src', 'server'];

const IGNORED_DIRS = new Set(['node_modules', 'dist', 'coverage', '.git']);

/** Files of the tree relative to ROOT: git's view when there is a git checkout, else a walk that skips build output. */
export function treeFiles(): string[] {
  const git = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'buffer' });
  if (git.status === 0) {
    return git.stdout
      .toString('utf8')
      .split('\0')
      .filter((f) => f && fs.existsSync(path.join(ROOT, f)));
  }
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!IGNORED_DIRS.has(e.name) && !r.endsWith('/.data') && !r.endsWith('/.work') && !r.endsWith('/.corpus')) walk(r);
      } else if (e.isFile()) out.push(r);
    }
  };
  walk('');
  return out;
}

/**
 * Copies the tree into `dest`. `only` restricts the copy to these top-level entries (files or
 * folders); `linkNodeModules` symlinks the checkout's node_modules so scripts can run without `npm ci`.
 */
export function copyTree(dest: string, options: { only?: string[]; linkNodeModules?: boolean } = {}): void {
  const only = options.only ? new Set(options.only) : null;
  for (const f of treeFiles()) {
    if (only && !only.has(f.split('/')[0]!)) continue;
    const to = path.join(dest, f);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), to);
  }
  if (options.linkNodeModules) fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dest, 'node_modules'), 'dir');
}

/** Makes `dir` a git repository with one commit of everything in it; returns the commit id. */
export function commitAll(dir: string, message = 'snapshot'): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: gitEnv() }).trim();
  if (!fs.existsSync(path.join(dir, '.git'))) git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '--no-verify', '-m', message);
  return git('rev-parse', 'HEAD');
}

/** An environment in which git commits work without the user's configuration. */
export function gitEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...cleanEnv(),
    GIT_AUTHOR_NAME: 'picklegate test',
    GIT_AUTHOR_EMAIL: 'test@picklegate.invalid',
    GIT_COMMITTER_NAME: 'picklegate test',
    GIT_COMMITTER_EMAIL: 'test@picklegate.invalid',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    ...extra,
  };
}

/**
 * The environment without what an enclosing `npm test` adds (npm_config_*, npm_lifecycle_*,
 * npm_package_*...), which would leak into the npm commands a test runs.
 */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/** True when a command's output says the npm registry could not be reached. */
export function isNetworkFailure(output: string): boolean {
  return /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|request to https?:\/\/\S+ failed)\b/.test(output);
}

/** Is `cmd` on the PATH? */
export function hasCommand(cmd: string, args: string[] = ['--version']): boolean {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0;
}
