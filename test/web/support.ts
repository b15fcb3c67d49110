/**
 * Helpers of the page tests: the browser build of the scan core loaded into a bare V8 context (no
 * Buffer, no process, no require: what a browser gives a worker), and the bits of Chromium set-up
 * the browser tests share.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';

export const ROOT = path.resolve(__dirname, '..', '..');

/** What core.ts exports, as the browser bundle has it. */
export interface BrowserCore {
  scanForPage(root: unknown, name: string, policy: string): { doc: { files: unknown[]; policy: string; summary: unknown }; streams: { info: { path: string[]; base: number; count: number; note?: string } }[] };
  rowsOf(s: unknown, from: number, count: number): { pos: number; level: number; op: string; arg: string }[];
  MemorySource: new (bytes: Uint8Array) => unknown;
  listPolicies(): { name: string }[];
}

export interface LoadedCore {
  core: BrowserCore;
  /** Copies bytes into the context's own Uint8Array (typed arrays do not cross realms for instanceof). */
  bytes(b: Uint8Array): Uint8Array;
  /** The bundle's source. */
  code: string;
}

let cached: LoadedCore | null = null;

/** Build server/page/web/core.ts with the page's esbuild options and run it in a fresh context. */
export async function loadBrowserCore(): Promise<LoadedCore> {
  if (cached) return cached;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { browserOptions } = require(path.join(ROOT, 'server/page/build.js')) as { browserOptions(entry: string, extra?: object): object };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const out = await esbuild.build({ ...browserOptions('core.ts', { write: false, globalName: 'PicklegateCore', minify: false }) } as import('esbuild').BuildOptions);
  const code = out.outputFiles![0]!.text;
  const context = vm.createContext({ TextEncoder, TextDecoder, WebAssembly: (globalThis as { WebAssembly?: unknown }).WebAssembly, performance, console, structuredClone });
  vm.runInContext(code, context, { filename: 'core.js' });
  const CtxUint8Array = vm.runInContext('Uint8Array', context) as Uint8ArrayConstructor;
  cached = {
    core: vm.runInContext('PicklegateCore', context) as BrowserCore,
    bytes: (b) => {
      const out = new CtxUint8Array(b.length);
      out.set(b);
      return out;
    },
    code,
  };
  return cached;
}

/** Every regular file under a directory, sorted. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** A result as JSON, without the wall times (which differ run to run). */
export function comparable(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x, (k, v) => (k === 'timeMs' ? undefined : typeof v === 'bigint' ? v.toString() : v)));
}
