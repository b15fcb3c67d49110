/**
 * Shared helpers of the catalogue tests: running the generator's two stages with `python3`
 * (standard library only; the libraries themselves are not needed) and building the pickles a
 * gadget can be spelled in.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CatalogueEntry } from '../../src/names/catalogue';
import { argsGuarded } from '../../src/names/catalogue/guarded-args';
import { CHECKED_METHODS } from '../../src/names/catalogue/verdict';
import { P } from '../support/pickle-builder';

export const root = path.resolve(__dirname, '../..');
export const generator = path.join(root, 'samples/generate/catalogue');
export const dataDir = path.join(root, 'src/names/catalogue');
export const inputsDir = path.join(root, 'samples/catalogue/inputs');

const pyEnv = { ...process.env, PYTHONHASHSEED: '0', PYTHONDONTWRITEBYTECODE: '1' };

/** classify.py over some input directories: file name -> file text. */
export function classify(inputs: string[]): Record<string, string> {
  const args = [path.join(generator, 'classify.py'), ...inputs.flatMap((d) => ['--inputs', d]), '--stdout'];
  const out = execFileSync('python3', args, { cwd: root, env: pyEnv, maxBuffer: 1 << 30 });
  return JSON.parse(out.toString('utf8')) as Record<string, string>;
}

/** extract.py for a package of one's own; returns the directory holding its recorded input. */
export function extractPackage(pkg: string, searchPath: string, generation = 'planted'): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'picklegate-catalogue-'));
  execFileSync('python3', [path.join(generator, 'extract.py'), '--package', pkg, '--path', searchPath, '--generation', generation, '--out', out], {
    cwd: root,
    env: pyEnv,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return out;
}

export interface RawEntry {
  name: string;
  kind: string;
  versions?: string[];
  aliases?: string[];
  checked?: string;
  entry?: string;
  callOnly?: number;
  category?: string;
  sink?: string;
  unresolved?: string;
  path?: string[];
  via?: string;
  reduce?: string[];
  note?: string;
}

/** A gadget's whole call path: its own path, then the path of the function `via` names, and so on. */
export function fullPath(e: RawEntry, byName: ReadonlyMap<string, RawEntry>): string[] {
  const out = [...(e.path ?? [])];
  let cur = e;
  for (let i = 0; cur.via !== undefined && i < 64; i++) {
    const next = byName.get(cur.via);
    if (!next) break;
    out.pop();
    out.push(...(next.path ?? []));
    cur = next;
  }
  return out;
}

/** The pickles a gadget can be spelled in (protocol 2 GLOBAL + REDUCE, GLOBAL + NEWOBJ; protocol 4 STACK_GLOBAL dotted walk + REDUCE). */
export function gadgetPickles(module: string, name: string, dotted: boolean): { form: string; bytes: Uint8Array }[] {
  if (dotted) {
    return [{ form: 'getattr walk', bytes: new P().proto(4).str(module).str(name).stackGlobal().str('x').tuple1().reduce().stop().done() }];
  }
  return [
    { form: 'REDUCE', bytes: new P().proto(2).global(module, name).str('x').tuple1().reduce().stop().done() },
    { form: 'NEWOBJ', bytes: new P().proto(2).global(module, name).emptyTuple().newobj().stop().done() },
  ];
}

/**
 * The methods a class is judged by where a pickle calls them (the default policy admits it when
 * rebuilt, see judge.ts methodOnly): its failing entries are calling it and such methods. Else null.
 */
export function methodOnly(e: CatalogueEntry): string[] | null {
  if (!e.failing || (e.kind !== 'gadget' && e.kind !== 'unverified')) return null;
  const names = Object.keys(e.failing);
  const methods = names.filter((n) => (CHECKED_METHODS as readonly string[]).includes(n));
  return methods.length && names.every((n) => n === 'construction' || methods.includes(n)) ? methods : null;
}

/**
 * A class admitted with a reviewed argument guard (sympy, src/machine/sympy.ts): pickles that give it
 * what the guard refuses, in the forms a gadget can be reached: a str at its first sympified position
 * (REDUCE, NEWOBJ, copyreg.__newobj__), a global, and an instance as a dict key next to a tuple holding
 * a str (its __eq__); its methods as for methodOnly classes.
 */
export function guardedArgsPickles(module: string, name: string, dotted: boolean, e: CatalogueEntry): { form: string; bytes: Uint8Array }[] | null {
  if (!argsGuarded(e, '')) return null;
  const cls = (p: P) => (dotted ? p.str(module).str(name).stackGlobal() : p.global(module, name));
  const proto = dotted ? 4 : 2;
  const methods = Object.keys(e.failing!).filter((n) => (CHECKED_METHODS as readonly string[]).includes(n));
  return [
    { form: 'REDUCE str', bytes: cls(new P().proto(proto)).str('x').tuple1().reduce().stop().done() },
    { form: 'NEWOBJ str', bytes: cls(new P().proto(proto)).str('x').tuple1().newobj().stop().done() },
    { form: 'NEWOBJ global', bytes: cls(new P().proto(proto)).global('builtins', 'len').tuple1().newobj().stop().done() },
    { form: 'copyreg.__newobj__ str', bytes: cls(new P().proto(proto).global('copyreg', '__newobj__')).str('x').tuple2().reduce().stop().done() },
    { form: 'dict key', bytes: cls(new P().proto(proto).emptyDict()).emptyTuple().newobj().binint1(1).setitem().str('x').tuple1().binint1(2).setitem().stop().done() },
    ...methodPickles(module, name, dotted, methods),
  ];
}

/** NEWOBJ of the class, then the opcode that calls each method on the instance. */
export function methodPickles(module: string, name: string, dotted: boolean, methods: readonly string[]): { form: string; bytes: Uint8Array }[] {
  const made = () => (dotted ? new P().proto(4).str(module).str(name).stackGlobal() : new P().proto(2).global(module, name)).emptyTuple().newobj();
  const forms: Record<string, () => Uint8Array> = {
    __setitem__: () => made().str('k').str('v').setitem().stop().done(),
    append: () => made().str('x').append().stop().done(),
    extend: () => made().mark().str('x').str('y').appends().stop().done(),
    add: () => made().mark().str('x').additems().stop().done(),
  };
  return methods.map((m) => ({ form: `NEWOBJ + ${m}`, bytes: forms[m]!() }));
}
