/** A progress bar on stderr, only for text output to a terminal with enough work to be worth it. */
import type { SingleBar } from 'cli-progress';

export interface Progress {
  tick(path: string): void;
  stop(): void;
}

const NONE: Progress = { tick() {}, stop() {} };

/** Shown for at least this many files, or this many bytes in total. */
const MIN_FILES = 20;
const MIN_BYTES = 256 * 1024 * 1024;

export function startProgress(enabled: boolean, files: number, bytes: number): Progress {
  if (!enabled || !process.stderr.isTTY || (files < MIN_FILES && bytes < MIN_BYTES)) return NONE;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SingleBar, Presets } = require('cli-progress') as typeof import('cli-progress');
  const bar: SingleBar = new SingleBar(
    { stream: process.stderr, format: 'scanning [{bar}] {value}/{total} {file}', hideCursor: true, clearOnComplete: true, etaBuffer: 20 },
    Presets.shades_classic,
  );
  bar.start(files, 0, { file: '' });
  return {
    tick(path) {
      bar.increment(1, { file: path.length > 40 ? '…' + path.slice(-39) : path });
    },
    stop() {
      bar.stop();
    },
  };
}
