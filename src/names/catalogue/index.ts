/**
 * The library catalogue: every class, callable and library-typed value that the catalogued Python
 * libraries define, under every `module.name` it is importable as, with a verdict derived from the
 * library's own source (samples/generate/catalogue, docs/catalogue.md):
 *
 * - `class`: reconstructing it (calling it, `__new__`, `__setstate__`, `__setattr__`, `__setitem__`,
 *   `append`/`extend`/`add`, `__hash__`/`__eq__`, `__del__`, its reduce targets) reaches no sink and no
 *   unresolved call;
 * - `function`: a callable, not a class, whose call reaches no sink and no unresolved call;
 * - `value`: a module-level instance of a library class;
 * - `gadget`: reaches a sink (`sink`, `path`);
 * - `unverified`: reaches an unresolved call (a dynamic call, an uncatalogued package): never safe.
 *
 * A gadget or unverified class whose bad path starts at `__init__` alone is marked `callOnly`: a
 * protocol 2+ rebuild (NEWOBJ / `copyreg.__newobj__`, then BUILD) never runs `__init__`.
 *
 * One JSON file per library, read on first use (synchronously) and cached. Names from a pickle are
 * untrusted: every table is a Map, never a plain object, so `__proto__` or `constructor` are just
 * names that are not there.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOGUE_LIBRARIES } from './libraries';

export type CatalogueKind = 'class' | 'function' | 'value' | 'gadget' | 'unverified';

/** One importable spelling: what `find_class(module, name)` is called with. */
export interface CatalogueAlias {
  readonly module: string;
  readonly name: string;
}

export interface CatalogueEntry {
  readonly kind: CatalogueKind;
  /** Catalogue library (file) name, e.g. `sklearn`, `pil`, `biopython`. */
  readonly library: string;
  /** Canonical dotted name, `module.qualname` (the spelling pickle itself writes). */
  readonly name: string;
  readonly module: string;
  readonly qualname: string;
  /** Versions of the library in which the object was found (one per generation). */
  readonly versions: readonly string[];
  /** Every spelling, the canonical one first. */
  readonly aliases: readonly CatalogueAlias[];
  /** What was checked (safe entries) or what was reached (gadgets, unverified). */
  readonly reason: string;
  /** The sink a gadget reaches, `module:qualname` (or `.method()` for a call on an object of unknown type). */
  readonly sink?: string;
  /** The sink's category: exec, import, process, file, network, pickle, ctypes, gadget, duck. */
  readonly category?: string;
  /** Where the walk that reached the sink or unresolved call started: `construction`, `__setstate__`, `the call`... */
  readonly entry?: string;
  /**
   * For a gadget or unverified class: the walk's verdict comes from `__init__` alone: rebuilding the
   * object with `__new__` and `__setstate__`/BUILD, as protocol 2+ pickles do, reaches no sink and no
   * unresolved call. Calling the class (REDUCE of the class itself, INST/OBJ with arguments) runs
   * `__init__` and stays as bad as `kind` says; `entry`, `sink`, `unresolved` and `path` describe that
   * call. Set only when it holds in every library version where the class is not safe.
   */
  readonly callOnly?: boolean;
  /**
   * For a gadget or unverified class: every entry point that reaches a sink (`gadget`) or an
   * unresolved call (`unverified`): `construction` (calling the class), `__new__` (a rebuild's
   * __new__ with arguments), a method the unpickler may call (`__setstate__`, `__setitem__`,
   * `append`...), `reduce` (its reduce target). A scan can then tell whether a pickle runs them.
   */
  readonly failing?: Readonly<Record<string, 'gadget' | 'unverified'>>;
  /**
   * For an enum class: the attribute names its class and library bases define (methods, properties;
   * dunders left out). Any other `Cls.NAME` is a member, which pickles name from protocol 4 on.
   */
  readonly enum?: readonly string[];
  /** The unresolved call an unverified entry reaches. */
  readonly unresolved?: string;
  /** Call path (call-graph nodes `module:qualname`) from the entry point towards the sink or unresolved call. */
  readonly path?: readonly string[];
  /** The path continues as the path of this catalogued function (`module:qualname`, or `library/module:qualname`). */
  readonly via?: string;
  /** Compiled (C, Cython, pybind11): no Python source to read. */
  readonly native?: boolean;
  /** A callable some class's `__reduce__`/`__reduce_ex__` returns. */
  readonly reduceTarget?: boolean;
  /** For a class: the callables its `__reduce__`/`__reduce_ex__` return (`module:qualname`). */
  readonly reduce?: readonly string[];
  /** For a value: its class (`module:qualname`). */
  readonly type?: string;
}

export interface CatalogueLibraryInfo {
  readonly library: string;
  readonly versions: readonly string[];
}

/** An entry as stored: defaults left out (see docs/catalogue.md#data-files). */
interface RawEntry {
  name: string;
  kind: CatalogueKind;
  /** Absent: every version of the library. */
  versions?: string[];
  /** `module` alone keeps the canonical qualname; `module:qualname` otherwise. */
  aliases?: string[];
  /** Safe class: the entry points walked (`__init__, __setstate__@sklearn.base:BaseEstimator`). */
  checked?: string;
  /** Gadget/unverified: where the walk started (`construction`, `__setstate__`...; absent: `the call`). */
  entry?: string;
  /** Gadget/unverified class: 1 when only `__init__` reaches the sink or unresolved call. */
  callOnly?: number;
  /** Gadget/unverified class: `entry:g` (reaches a sink) or `entry:u` (an unresolved call) for every entry point that does. */
  failing?: string[];
  /** Enum class: the non-dunder attribute names of the class and its library bases (anything else is a member). */
  enum?: string[];
  sink?: string;
  category?: string;
  unresolved?: string;
  path?: string[];
  via?: string;
  native?: number;
  reduceTarget?: number;
  reduce?: string[];
  type?: string;
  /** Set when another generation gave another verdict (the worse one is kept). */
  note?: string;
}

interface RawLibrary {
  format: number;
  library: string;
  packages: string[];
  versions: Record<string, string>;
  modules: string[];
  entries: RawEntry[];
  foreign: Record<string, string>;
}

/** A library file as read: raw entries, and index tables into them; entries are built on first use. */
class LoadedLibrary {
  readonly byAlias = new Map<string, number>();
  readonly byName = new Map<string, number>();
  readonly modules: ReadonlySet<string>;
  readonly foreign: ReadonlyMap<string, string>;
  private readonly built: (CatalogueEntry | undefined)[];
  private readonly allVersions: readonly string[];

  constructor(private readonly raw: RawLibrary) {
    this.modules = new Set(raw.modules);
    this.foreign = new Map(Object.entries(raw.foreign ?? {}));
    this.built = new Array<CatalogueEntry | undefined>(raw.entries.length);
    this.allVersions = Object.freeze([...new Set(Object.values(raw.versions))].sort());
    raw.entries.forEach((r, i) => {
      this.byName.set(r.name, i);
      // a spelling that named different objects in different library versions answers with the
      // worse verdict (classify lists it under that entry; a tie keeps the first, as classify does)
      for (const a of aliasKeys(r)) {
        const prev = this.byAlias.get(a);
        if (prev === undefined || RANK[r.kind] > RANK[raw.entries[prev]!.kind]) this.byAlias.set(a, i);
      }
    });
  }

  get size(): number {
    return this.raw.entries.length;
  }

  entry(i: number | undefined): CatalogueEntry | undefined {
    if (i === undefined) return undefined;
    return (this.built[i] ??= buildEntry(this.raw.entries[i]!, this.raw.library, this.allVersions));
  }

  all(): readonly CatalogueEntry[] {
    return Object.freeze(this.raw.entries.map((_r, i) => this.entry(i)!));
  }
}

/** `module:Qual#2` is a second object that had the same canonical name (redefined in its module); its
 * spelling is the first one's. Aliases stored as `module` alone keep the canonical qualname. */
function aliasKeys(r: RawEntry): string[] {
  const spelled = r.name.replace(/#\d+$/, '');
  const qual = spelled.slice(spelled.indexOf(':') + 1);
  return [spelled, ...(r.aliases ?? []).map((a) => (a.includes(':') ? a : `${a}:${qual}`))];
}

function buildEntry(r: RawEntry, library: string, allVersions: readonly string[]): CatalogueEntry {
  const keys = aliasKeys(r);
  const canon = splitQual(keys[0]!);
  return Object.freeze({
    kind: r.kind,
    library,
    name: `${canon.module}.${canon.name}`,
    module: canon.module,
    qualname: canon.name,
    versions: r.versions ? Object.freeze([...r.versions]) : allVersions,
    aliases: Object.freeze(keys.map((k) => Object.freeze(splitQual(k)))),
    reason: reasonOf(r),
    ...(r.sink !== undefined ? { sink: r.sink } : {}),
    ...(r.category !== undefined ? { category: r.category } : {}),
    ...(r.entry !== undefined ? { entry: r.entry } : {}),
    ...(r.callOnly && (r.kind === 'gadget' || r.kind === 'unverified') ? { callOnly: true } : {}),
    ...(r.failing !== undefined ? { failing: failingOf(r.failing) } : {}),
    ...(r.enum !== undefined ? { enum: Object.freeze([...r.enum]) } : {}),
    ...(r.unresolved !== undefined ? { unresolved: r.unresolved } : {}),
    ...(r.path !== undefined ? { path: Object.freeze([...r.path]) } : {}),
    ...(r.via !== undefined ? { via: r.via } : {}),
    ...(r.native ? { native: true } : {}),
    ...(r.reduceTarget ? { reduceTarget: true } : {}),
    ...(r.reduce !== undefined ? { reduce: Object.freeze([...r.reduce]) } : {}),
    ...(r.type !== undefined ? { type: r.type } : {}),
  });
}

const RANK: Readonly<Record<CatalogueKind, number>> = { class: 0, function: 0, value: 0, unverified: 1, gadget: 2 };
const MAX_NAME = 1024;
const MAX_PARTS = 64;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** package (top-level or dotted, e.g. `ruamel.yaml`) -> library. */
const PACKAGES: ReadonlyMap<string, { library: string; versions: readonly string[]; file: string }> = (() => {
  const m = new Map<string, { library: string; versions: readonly string[]; file: string }>();
  for (const [library, info] of CATALOGUE_LIBRARIES) {
    for (const p of info.packages) m.set(p, { library, versions: info.versions, file: info.file });
  }
  return m;
})();
const MAX_PACKAGE_PARTS = Math.max(1, ...[...PACKAGES.keys()].map((p) => p.split('.').length));

const loaded = new Map<string, LoadedLibrary | null>();
let loadCount = 0;

function validModule(module: string): boolean {
  if (typeof module !== 'string' || module.length === 0 || module.length > MAX_NAME) return false;
  const parts = module.split('.');
  return parts.length <= MAX_PARTS && parts.every((p) => IDENT.test(p));
}

function validName(name: string): boolean {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME) return false;
  const parts = name.split('.');
  return parts.length <= MAX_PARTS && parts.every((p) => IDENT.test(p));
}

function packageOf(module: string): { library: string; versions: readonly string[]; file: string } | undefined {
  if (!validModule(module)) return undefined;
  const parts = module.split('.');
  for (let n = Math.min(parts.length, MAX_PACKAGE_PARTS); n >= 1; n--) {
    const hit = PACKAGES.get(parts.slice(0, n).join('.'));
    if (hit) return hit;
  }
  return undefined;
}

/**
 * Where the data files are: src/names/catalogue/ of this package (they ship in the package as they
 * are; no build step copies them). Found from the package root, so that the modules in dist/src/,
 * the CLI bundle in dist/cli/ and the sources under ts-jest all read the same files.
 */
let dataDir: string | null = null;
function dataPath(file: string): string {
  if (dataDir === null) {
    let dir = __dirname;
    dataDir = join(__dirname, file, '..');
    for (let i = 0; i < 6; i++) {
      const candidate = join(dir, 'src', 'names', 'catalogue');
      if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) {
        dataDir = candidate;
        break;
      }
      dir = join(dir, '..');
    }
  }
  return join(dataDir, file);
}

/** The human-readable reason, from the stored parts. */
function reasonOf(r: RawEntry): string {
  let text: string;
  switch (r.kind) {
    case 'class':
      text = `${r.native ? 'compiled class; ' : ''}walked ${r.checked || 'nothing (no Python-level method)'}: no sink, no unresolved call`;
      break;
    case 'function':
      text = r.native ? 'compiled callable: not read, not a sink' : 'call walked: no sink, no unresolved call';
      break;
    case 'value':
      text = `module-level instance of ${r.type ?? 'a library class'}`;
      break;
    case 'gadget':
      text = `${r.entry ?? 'the call'} reaches ${r.sink ?? 'a sink'}${r.category ? ` (${r.category})` : ''}`;
      break;
    default:
      text = `${r.entry ?? 'the call'} reaches an unresolved call: ${r.unresolved ?? '?'}`;
  }
  if (r.callOnly && r.kind !== 'class' && r.kind !== 'function' && r.kind !== 'value') {
    text += ' (only through __init__: a rebuild with __new__ and BUILD reaches nothing)';
  }
  return r.note ? `${text} [${r.note}]` : text;
}

/** `['__setitem__:g', 'construction:u']` as a frozen record (no prototype: entry names are data). */
function failingOf(raw: readonly string[]): Readonly<Record<string, 'gadget' | 'unverified'>> {
  const out = Object.create(null) as Record<string, 'gadget' | 'unverified'>;
  for (const f of raw) {
    const i = f.lastIndexOf(':');
    out[f.slice(0, i)] = f.slice(i + 1) === 'g' ? 'gadget' : 'unverified';
  }
  return Object.freeze(out);
}

function splitQual(q: string): CatalogueAlias {
  const i = q.indexOf(':');
  return { module: q.slice(0, i), name: q.slice(i + 1) };
}

function load(library: string, file: string): LoadedLibrary | null {
  if (loaded.has(library)) return loaded.get(library)!;
  let lib: LoadedLibrary | null = null;
  try {
    lib = new LoadedLibrary(JSON.parse(readFileSync(dataPath(file), 'utf8')) as RawLibrary);
    loadCount++;
  } catch {
    lib = null; // a missing or broken data file: the library is treated as uncatalogued
  }
  loaded.set(library, lib);
  return lib;
}

function libraryData(module: string): LoadedLibrary | null | undefined {
  const info = packageOf(module);
  if (!info) return undefined;
  return load(info.library, info.file);
}

function lookupIn(module: string, name: string, depth: number): CatalogueEntry | undefined {
  const lib = libraryData(module);
  if (!lib) return undefined;
  let mod = module;
  let rest = name;
  for (;;) {
    const key = `${mod}:${rest}`;
    const hit = lib.entry(lib.byAlias.get(key));
    if (hit) return hit;
    const target = lib.foreign.get(key);
    if (target !== undefined && depth < 2) {
      const t = splitQual(target);
      if (validModule(t.module) && validName(t.name)) {
        const other = libraryData(t.module);
        const e = other?.entry(other.byName.get(target));
        if (e) return e;
      }
      return undefined;
    }
    // a protocol-4 dotted name that walks into a submodule: `sklearn linear_model.LinearRegression`
    const dot = rest.indexOf('.');
    if (dot < 0) return undefined;
    const sub = `${mod}.${rest.slice(0, dot)}`;
    if (!lib.modules.has(sub)) return undefined;
    mod = sub;
    rest = rest.slice(dot + 1);
  }
}

/**
 * The catalogue entry for `find_class(module, name)` (any alias; a dotted name may walk through
 * submodules and nested classes), or undefined when the name is not catalogued. Loads only the
 * library that `module` belongs to, on first use.
 */
export function lookupCatalogue(module: string, name: string): CatalogueEntry | undefined {
  if (!validModule(module) || !validName(name)) return undefined;
  return lookupIn(module, name, 0);
}

/** The catalogued library `module` belongs to (by package prefix), when its data can be read (read on first use). */
export function catalogueLibrary(module: string): CatalogueLibraryInfo | undefined {
  const info = packageOf(module);
  // a library whose data cannot be read (the browser page has none) is not catalogued here
  return info && load(info.library, info.file) ? { library: info.library, versions: info.versions } : undefined;
}

/** Every catalogued library name. */
export function catalogueLibraries(): string[] {
  return [...CATALOGUE_LIBRARIES.keys()];
}

/** All entries of one library (loads it). */
export function catalogueEntries(library: string): readonly CatalogueEntry[] {
  const info = CATALOGUE_LIBRARIES.get(library);
  if (!info) return [];
  return load(library, info.file)?.all() ?? [];
}

/** One spelling of a gadget that a pickle could use. */
export interface GadgetSpelling {
  readonly library: string;
  readonly module: string;
  readonly name: string;
  readonly entry: CatalogueEntry;
  /** `name` is a protocol-4 dotted walk from a parent package (`pkg` + `sub.mod_attr`). */
  readonly dotted: boolean;
}

/**
 * Every gadget × every spelling: each alias as written (a REDUCE target or a NEWOBJ class), and
 * each alias as a protocol-4 dotted walk from every parent package (`pkg.sub` + `mod.f`). For tests
 * that run them through `scan()`.
 */
export function listGadgetSpellings(libraries: readonly string[] = catalogueLibraries()): GadgetSpelling[] {
  const out: GadgetSpelling[] = [];
  for (const library of libraries) {
    const info = CATALOGUE_LIBRARIES.get(library);
    const lib = info ? load(library, info.file) : null;
    if (!lib) continue;
    for (const entry of lib.all()) {
      if (entry.kind !== 'gadget') continue;
      for (const a of entry.aliases) {
        out.push({ library, module: a.module, name: a.name, entry, dotted: false });
        // from each parent package the walk reaches a.module through submodules the library has
        const parts = a.module.split('.');
        for (let n = parts.length - 1; n >= 1; n--) {
          const parent = parts.slice(0, n).join('.');
          if (catalogueLibrary(parent)?.library !== library || !lib.modules.has(parent)) break;
          out.push({ library, module: parent, name: `${parts.slice(n).join('.')}.${a.name}`, entry, dotted: true });
        }
      }
    }
  }
  return out;
}

/** For tests: how many library files have been read, and forgetting them. */
export const catalogueInternals = {
  loadedLibraries: (): string[] => [...loaded.keys()],
  loadCount: (): number => loadCount,
  reset(): void {
    loaded.clear();
    loadCount = 0;
  },
};
