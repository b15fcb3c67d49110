/**
 * What a (module, name) pair really imports: `_compat_pickle` remapping below protocol 3, attribute walks
 * through dotted names (protocol 4+), and stdlib modules that hold `os`, `sys` or `builtins` under another
 * name (argparse's `_os`, `__builtins__`...). Used to judge globals by what they reach, not how they are spelled.
 */
import { IMPORT_MAPPING, NAME_MAPPING } from './compat-pickle';
import { STDLIB_ALIASES } from './data/stdlib-aliases';

export type QualName = readonly [module: string, name: string];

/** `_compat_pickle` as find_class applies it (only when the protocol is below 3). */
export function compatMap(module: string, name: string): QualName {
  const byName = NAME_MAPPING.get(module + '\0' + name);
  if (byName) return byName;
  const mod = IMPORT_MAPPING.get(module);
  return mod ? [mod, name] : [module, name];
}

/** Attribute names that, in any module, almost always hold one of these modules. */
export const CONVENTIONAL_ALIASES: ReadonlyMap<string, string> = new Map([
  ['os', 'os'],
  ['_os', 'os'],
  ['sys', 'sys'],
  ['_sys', 'sys'],
  ['builtins', 'builtins'],
  ['__builtins__', 'builtins'],
  ['_builtins', 'builtins'],
  ['__builtin__', 'builtins'],
  ['subprocess', 'subprocess'],
  ['_subprocess', 'subprocess'],
  ['posix', 'posix'],
  ['nt', 'nt'],
  ['_posixsubprocess', '_posixsubprocess'],
  ['shutil', 'shutil'],
  ['_shutil', 'shutil'],
  ['importlib', 'importlib'],
  ['_imp', '_imp'],
  ['pickle', 'pickle'],
  ['_pickle', '_pickle'],
  ['marshal', 'marshal'],
  ['ctypes', 'ctypes'],
  ['runpy', 'runpy'],
  ['socket', 'socket'],
  ['_socket', '_socket'],
  ['pty', 'pty'],
  ['code', 'code'],
]);

/**
 * Modules whose every attribute is the top-level module of that name: Cython's pure-Python shims
 * (Cython/Shadow.py, read in Cython 3.0.11, Debian 13: `CythonCImports.__getattr__(item)` returns
 * `__import__(item)` for any name that is not a dunder), which `import cython` puts in sys.modules
 * as `cython.cimports` and `cython.cimports.libc`. `cython.cimports.torch` is the module `torch`
 * itself; pickle's whichmodule() finds it first when Cython was imported, so torch 2.6 writes
 * `torch.channels_last` as `getattr(cython.cimports.torch, 'channels_last')`.
 */
const IMPORTING_SHIMS: ReadonlySet<string> = new Set(['cython.cimports', 'cython.cimports.libc']);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `module name` read through an importing shim: the top-level module the first part of `name` names,
 * and the rest of the walk (empty for the module itself). Null for anything else, and for a first
 * part that is not an identifier or is a dunder (the shim raises AttributeError for those).
 */
export function throughShim(module: string, name: string): { module: string; rest: string } | null {
  if (!IMPORTING_SHIMS.has(module)) return null;
  const dot = name.indexOf('.');
  const first = dot < 0 ? name : name.slice(0, dot);
  if (!IDENTIFIER.test(first) || (first.startsWith('__') && first.endsWith('__'))) return null;
  return { module: first, rest: dot < 0 ? '' : name.slice(dot + 1) };
}

/**
 * Every (module, name) a dotted lookup may land on after following module aliases: `argparse _os.system`
 * yields `os system`; `foo os.system` (an alias we do not know) yields `os system` too.
 */
export function aliasWalk(module: string, name: string): QualName[] {
  if (!name.includes('.')) {
    const fn = STDLIB_ALIASES.get(module + '.' + name);
    if (fn && fn.kind === 'function') return [splitQual(fn.target)];
    return [];
  }
  const parts = name.split('.');
  const out: QualName[] = [];
  let cur = module;
  for (let i = 0; i < parts.length; i++) {
    const attr = parts[i]!;
    const rest = parts.slice(i + 1).join('.');
    // an importing shim's attribute is the module of that name
    if (IMPORTING_SHIMS.has(cur) && rest && IDENTIFIER.test(attr)) {
      cur = attr;
      out.push([cur, rest]);
      continue;
    }
    const known = STDLIB_ALIASES.get(cur + '.' + attr);
    if (known && known.kind === 'module' && rest) {
      cur = known.target;
      out.push([cur, rest]);
      continue;
    }
    if (known && known.kind === 'function' && !rest) {
      out.push(splitQual(known.target));
      break;
    }
    const conventional = CONVENTIONAL_ALIASES.get(attr);
    if (conventional !== undefined && rest) {
      cur = conventional;
      out.push([cur, rest]);
      continue;
    }
    // a plain attribute: the walk continues inside an object we cannot name
    cur = cur + '.' + attr;
    if (rest) out.push([cur, rest]);
  }
  return out;
}

function splitQual(q: string): QualName {
  const i = q.lastIndexOf('.');
  return [q.slice(0, i), q.slice(i + 1)];
}
