/**
 * Runs the CPython oracles in test/oracle/ (stdlib-only python3 scripts) over many inputs at once.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '../..');
const ORACLE = join(ROOT, 'test/oracle');

export type OracleArg = null | { i: string } | { b: boolean } | { f: string } | { s: string } | { x: string } | { r: string };
export interface GenopsResult {
  ok: boolean;
  ops: [string, number, OracleArg][];
  end?: number;
  error?: string;
}
export interface FindClassResult {
  globals: [string, string][];
  loads: boolean;
  error: string | null;
}

function runBatch<T>(script: string, inputs: Uint8Array[], args: string[] = []): T[] {
  if (inputs.length === 0) return [];
  const out = execFileSync('python3', [join(ORACLE, script), ...args], {
    input: JSON.stringify(inputs.map((b) => Buffer.from(b).toString('base64'))),
    maxBuffer: 1 << 30,
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
  const results = out.trim().split('\n').map((l) => JSON.parse(l) as T);
  // one answer per input, or the callers would compare against a shorter list and pass on what is missing
  if (results.length !== inputs.length) throw new Error(`${script}: ${results.length} answers for ${inputs.length} inputs`);
  return results;
}

export const genops = (inputs: Uint8Array[]) => runBatch<GenopsResult>('genops.py', inputs);
export const findClass = (inputs: Uint8Array[]) => runBatch<FindClassResult>('find_class.py', inputs, ['--bytes-only']);

export function randomPickles(count: number, seed: number, plain = false): Uint8Array[] {
  const args = [join(ORACLE, 'random_pickles.py'), String(count), String(seed), ...(plain ? ['--plain'] : [])];
  const out = execFileSync('python3', args, { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  return (JSON.parse(out) as string[]).map((s) => new Uint8Array(Buffer.from(s, 'base64')));
}

/** Every sample file under the given samples/ folders (recursively), as [relative path, bytes]. A missing folder is an error. */
export function sampleFiles(sub: string[] = ['benign', 'malicious', 'malformed', 'mxnet']): [string, Uint8Array][] {
  const out: [string, Uint8Array][] = [];
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(p).isDirectory()) walk(p, r);
      else if (!/\.(json|md|txt|py)$/.test(name)) out.push([r, new Uint8Array(readFileSync(p))]);
    }
  };
  for (const s of sub) walk(join(ROOT, 'samples', s), s);
  return out;
}

/** The files samples/manifest.json lists under the given folders, sorted: what sampleFiles() must find there. */
export function manifestFiles(sub: string[] = ['benign', 'malicious', 'malformed', 'mxnet']): string[] {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'samples', 'manifest.json'), 'utf8')) as { samples: { file: string }[] };
  return manifest.samples.map((s) => s.file).filter((f) => sub.some((d) => f.startsWith(`${d}/`))).sort();
}
