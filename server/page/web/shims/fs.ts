/**
 * `node:fs` in the browser bundle. No file system: the only read the bundled library makes is the xz
 * decoder loading the `xz-decompress` package's text to find its wasm module, served here from a copy
 * embedded at build time (the virtual module `picklegate:xz-decompress`, see ../../build.js; the
 * bundle's `require.resolve` gives back the package name, see ./require.ts).
 */
import xzDecompressText from 'picklegate:xz-decompress';

const FILES: Record<string, string> = { 'xz-decompress': xzDecompressText };

function unavailable(name: string): never {
  throw new Error(`fs.${name} is not available in the browser`);
}

export function readFileSync(path: string, encoding?: string): string {
  const text = FILES[path];
  if (text === undefined || encoding !== 'latin1') return unavailable(`readFileSync(${JSON.stringify(path)})`);
  return text;
}

export const constants = { O_RDONLY: 0, O_NONBLOCK: 0, O_RDWR: 0, O_CREAT: 0, O_EXCL: 0 };
export const readSync = (): never => unavailable('readSync');
export const existsSync = (): boolean => false;
