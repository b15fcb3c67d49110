import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import * as path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..');
export const BIN = path.join(ROOT, 'dist', 'src', 'cli', 'bin.js');
export const SAMPLES = path.join(ROOT, 'samples', 'containers');
export const S = (name: string) => path.join(SAMPLES, name);

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Run the built CLI as a user would. */
export function cli(args: string[], opts: SpawnSyncOptions = {}): Run {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' },
    ...opts,
  });
  return { code: r.status, stdout: String(r.stdout), stderr: String(r.stderr), ms: Date.now() - t0 };
}
