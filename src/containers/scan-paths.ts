/**
 * Expand command-line paths into files and scan them one by one, in a stable order.
 * Directories are walked recursively. Symbolic links inside a directory are followed only when
 * they stay inside the tree being scanned (or with followSymlinks); a link that leaves it is
 * reported as an error, never skipped silently. Each directory is entered once (loops end).
 */
import * as fsp from 'node:fs/promises';
import { join, relative, isAbsolute, sep } from 'node:path';
import { errorResult, prepareOptions, scanFile, scanStdin, type FileScanOptions, type PreparedOptions } from './scan-file';
import type { FileResult } from './result';

export interface PathScanOptions extends FileScanOptions {
  /** Follow symbolic links that point outside the directory being scanned. Default false. */
  followSymlinks?: boolean;
}

/** One thing to scan: a file path, or a problem found while listing. */
export type PlannedFile = { path: string } | { path: string; error: { code: string; message: string } };

const inside = (root: string, p: string) => {
  const r = relative(root, p);
  return r === '' || (!r.startsWith('..' + sep) && r !== '..' && !isAbsolute(r));
};

/** List the files the paths stand for (directories expanded). */
export async function* planFiles(paths: readonly string[], followSymlinks = false): AsyncGenerator<PlannedFile> {
  for (const p of paths) {
    if (p === '-') {
      yield { path: '-' };
      continue;
    }
    let st;
    try {
      st = await fsp.stat(p);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      yield { path: p, error: { code: e.code ?? 'EIO', message: `cannot stat: ${e.message}` } };
      continue;
    }
    if (!st.isDirectory()) {
      yield { path: p };
      continue;
    }
    const root = await fsp.realpath(p);
    const seen = new Set<string>([root]);
    yield* walkDir(p, root, seen, followSymlinks);
  }
}

async function* walkDir(dir: string, root: string, seen: Set<string>, follow: boolean): AsyncGenerator<PlannedFile> {
  let entries;
  try {
    entries = await fsp.readdir(dir, { withFileTypes: true });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    yield { path: dir, error: { code: e.code ?? 'EIO', message: `cannot list directory: ${e.message}` } };
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const ent of entries) {
    const full = join(dir, ent.name);
    if (ent.isDirectory()) {
      const real = await fsp.realpath(full).catch(() => full);
      if (seen.has(real)) continue;
      seen.add(real);
      yield* walkDir(full, root, seen, follow);
    } else if (ent.isSymbolicLink()) {
      let real: string;
      let st;
      try {
        real = await fsp.realpath(full);
        st = await fsp.stat(real);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        yield { path: full, error: { code: e.code ?? 'EIO', message: `dangling or unreadable symbolic link: ${e.message}` } };
        continue;
      }
      if (!follow && !inside(root, real)) {
        yield { path: full, error: { code: 'ESYMLINK', message: `symbolic link to ${real}, outside the scanned tree: not followed (use --follow-symlinks)` } };
        continue;
      }
      if (st.isDirectory()) {
        if (seen.has(real)) continue; // a loop, or a directory already walked
        seen.add(real);
        yield* walkDir(full, root, seen, follow);
      } else yield { path: full };
    } else yield { path: full };
  }
}

/** Scan every file the paths stand for, calling `onResult` as each one finishes. */
export async function scanPaths(
  paths: readonly string[],
  options: PathScanOptions | (PreparedOptions & { followSymlinks?: boolean }) = {},
  onResult?: (r: FileResult) => void,
): Promise<FileResult[]> {
  const prepared = prepareOptions(options);
  const out: FileResult[] = [];
  for await (const planned of planFiles(paths, options.followSymlinks ?? false)) {
    let r: FileResult;
    if ('error' in planned) r = errorResult(planned.path, planned.error.code, planned.error.message);
    else if (planned.path === '-') r = await scanStdin(prepared);
    else r = await scanFile(planned.path, prepared);
    out.push(r);
    onResult?.(r);
  }
  return out;
}
