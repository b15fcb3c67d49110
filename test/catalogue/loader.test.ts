/**
 * src/names/catalogue/index.ts: lazy per-library loading, lookups by any alias, and names from a
 * hostile pickle that must not reach Object.prototype.
 */
import {
  catalogueEntries,
  catalogueInternals,
  catalogueLibrary,
  lookupCatalogue,
} from '../../src/names/catalogue';

beforeEach(() => catalogueInternals.reset());

describe('catalogue loader', () => {
  it('answers catalogueLibrary by package prefix, reading only the data of the libraries it names', () => {
    expect(catalogueLibrary('sklearn.linear_model._base')).toEqual({ library: 'sklearn', versions: expect.arrayContaining(['1.2.1', '1.4.2']) });
    expect(catalogueLibrary('ruamel.yaml.comments')?.library).toBe('ruamel.yaml');
    expect(catalogueLibrary('PIL.Image')?.library).toBe('pil');
    expect(catalogueLibrary('Bio.Seq')?.library).toBe('biopython');
    expect(catalogueLibrary('os')).toBeUndefined();
    expect(catalogueLibrary('sklearnx')).toBeUndefined();
    expect(catalogueLibrary('ruamel')).toBeUndefined();
    // a library counts as catalogued only when its data can be read (the browser page has none)
    expect(catalogueInternals.loadCount()).toBe(4);
  });

  it('loads only the library a lookup names, once', () => {
    expect(lookupCatalogue('sklearn.linear_model._base', 'LinearRegression')?.kind).toBe('class');
    expect(lookupCatalogue('sklearn.pipeline', 'Pipeline')?.kind).toBe('class');
    expect(catalogueInternals.loadedLibraries()).toEqual(['sklearn']);
    expect(catalogueInternals.loadCount()).toBe(1);
    lookupCatalogue('os', 'system');
    lookupCatalogue('mymodels', 'Net');
    expect(catalogueInternals.loadedLibraries()).toEqual(['sklearn']);
  });

  it('finds an object under every alias, with one canonical name', () => {
    const canonical = lookupCatalogue('sklearn.linear_model._base', 'LinearRegression')!;
    expect(canonical.name).toBe('sklearn.linear_model._base.LinearRegression');
    expect(canonical).toMatchObject({ library: 'sklearn', module: 'sklearn.linear_model._base', qualname: 'LinearRegression' });
    expect(lookupCatalogue('sklearn.linear_model', 'LinearRegression')).toBe(canonical);
    expect(canonical.aliases).toContainEqual({ module: 'sklearn.linear_model', name: 'LinearRegression' });
    expect(canonical.aliases[0]).toEqual({ module: 'sklearn.linear_model._base', name: 'LinearRegression' });
    for (const a of canonical.aliases) expect(lookupCatalogue(a.module, a.name)).toBe(canonical);
  });

  it('follows protocol 4 dotted names through submodules', () => {
    const e = lookupCatalogue('sklearn.linear_model._base', 'LinearRegression');
    expect(lookupCatalogue('sklearn', 'linear_model._base.LinearRegression')).toBe(e);
    expect(lookupCatalogue('sklearn', 'linear_model.LinearRegression')).toBe(e);
    expect(lookupCatalogue('sklearn', 'no_such_module.LinearRegression')).toBeUndefined();
    expect(lookupCatalogue('sklearn.linear_model._base', 'LinearRegression.fit')).toBeUndefined();
  });

  it('tells a class that is bad only when called (__init__) from one that is bad when rebuilt', () => {
    const graph = lookupCatalogue('networkx', 'Graph')!;
    expect(graph).toMatchObject({ kind: 'unverified', entry: 'construction', callOnly: true });
    expect(graph.path?.[0]).toBe('networkx.classes.graph:Graph.__init__');
    expect(graph.reason).toContain('only through __init__');
    // sympy's Add reaches compile through __new__, which NEWOBJ runs too
    const add = lookupCatalogue('sympy', 'Add')!;
    expect(add.kind).toBe('gadget');
    expect(add.callOnly).toBeUndefined();
    expect(lookupCatalogue('sklearn.linear_model', 'LinearRegression')!.callOnly).toBeUndefined();
    for (const e of catalogueEntries('networkx')) {
      if (e.callOnly) expect(['gadget', 'unverified']).toContain(e.kind);
    }
  });

  it('answers undefined for names it does not know', () => {
    expect(lookupCatalogue('sklearn.linear_model._base', 'NoSuchThing')).toBeUndefined();
    expect(lookupCatalogue('mymodels', 'Net')).toBeUndefined();
    expect(lookupCatalogue('', 'x')).toBeUndefined();
    expect(lookupCatalogue('sklearn', '')).toBeUndefined();
    expect(lookupCatalogue('sklearn\nos', 'system')).toBeUndefined();
    expect(lookupCatalogue('sklearn', 'a'.repeat(5000))).toBeUndefined();
  });

  it('is not misled by __proto__, constructor and other Object.prototype names', () => {
    for (const m of ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', '__defineGetter__', 'valueOf']) {
      expect(catalogueLibrary(m)).toBeUndefined();
      expect(lookupCatalogue(m, 'system')).toBeUndefined();
      expect(lookupCatalogue(m, m)).toBeUndefined();
      expect(lookupCatalogue(`${m}.x`, 'y')).toBeUndefined();
      expect(lookupCatalogue('sklearn', m)).toBeUndefined();
      expect(lookupCatalogue(`sklearn.${m}`, 'LinearRegression')).toBeUndefined();
      expect(lookupCatalogue('sklearn.base', `${m}.${m}`)).toBeUndefined();
      expect(catalogueEntries(m)).toEqual([]);
    }
    expect(catalogueInternals.loadedLibraries()).toEqual(['sklearn']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('resolves a re-export of another library through that library', () => {
    // sklearn.cluster._bicluster does `from scipy.sparse import dia_matrix`: the entry is scipy's own
    const e = lookupCatalogue('sklearn.cluster._bicluster', 'dia_matrix');
    expect(e).toBeDefined();
    expect(e!.library).toBe('scipy');
    expect(e).toBe(lookupCatalogue('scipy.sparse', 'dia_matrix'));
    expect(catalogueInternals.loadedLibraries().sort()).toEqual(['scipy', 'sklearn']);
  });

  it('knows the catalogued gadgets of the core libraries', () => {
    const sympify = lookupCatalogue('sympy', 'sympify');
    expect(sympify?.kind).toBe('gadget');
    expect(sympify?.sink).toMatch(/^builtins:(eval|exec|compile)$/);
    expect(lookupCatalogue('torch.serialization', 'load')?.kind).toBe('gadget');
    expect(lookupCatalogue('numpy', 'load')?.kind).toBe('gadget');
    expect(lookupCatalogue('pandas', 'read_pickle')?.kind).toBe('gadget');
  });
});
