/** The package version, read once from package.json (works from `server/` and from `dist/server/`). */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

function readVersion(): string {
  for (const dir of [path.resolve(__dirname, '..'), path.resolve(__dirname, '..', '..')]) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'picklegate' && pkg.version) return pkg.version;
    }
  }
  return '0.0.0';
}

export const VERSION = readVersion();
