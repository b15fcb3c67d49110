/**
 * The walk, proved on a planted package (test/catalogue/planted/plantedpkg): extract + classify run
 * with the machine's python3 on a package whose gadgets we wrote ourselves.
 */
import * as path from 'node:path';
import { classify, extractPackage, fullPath, type RawEntry } from './support';

describe('catalogue walk on a planted package', () => {
  let byName: Map<string, RawEntry>;

  beforeAll(() => {
    const dir = extractPackage('plantedpkg', path.join(__dirname, 'planted'));
    const files = classify([dir]);
    expect(Object.keys(files).sort()).toEqual(['libraries.ts', 'plantedpkg.json']);
    const doc = JSON.parse(files['plantedpkg.json']!) as { entries: RawEntry[]; versions: Record<string, string> };
    expect(doc.versions).toEqual({ planted: '1.0' });
    for (const e of doc.entries) expect(e.versions).toBeUndefined(); // one generation: every entry has every version
    byName = new Map(doc.entries.map((e) => [e.name, e]));
  }, 120_000);

  it('finds os.system two calls below __setstate__', () => {
    const e = byName.get('plantedpkg.models:Runner')!;
    expect(e.kind).toBe('gadget');
    expect(e.sink).toBe('posix:system'); // os.system is posix.system at run time
    expect(fullPath(e, byName)).toEqual([
      'plantedpkg.models:Runner.__setstate__',
      'plantedpkg._helpers:prepare',
      'plantedpkg._helpers:_launch',
      'posix:system',
    ]);
    expect(e).toMatchObject({ entry: '__setstate__', category: 'process' });
    expect(e.aliases).toEqual(['plantedpkg']); // `module` alone: the same qualname
    // the helpers on the way are gadgets themselves, under their re-exported names too
    expect(byName.get('plantedpkg._helpers:prepare')).toMatchObject({ kind: 'gadget', sink: 'posix:system', aliases: ['plantedpkg.models'] });
  });

  it('finds eval returned by __reduce__', () => {
    const e = byName.get('plantedpkg.models:Evaluator')!;
    expect(e).toMatchObject({ kind: 'gadget', sink: 'builtins:eval', category: 'exec', reduce: ['builtins:eval'], entry: 'its reduce target builtins:eval' });
    expect(e.path).toEqual(['plantedpkg.models:Evaluator.__reduce__', 'builtins:eval']);
  });

  it('finds an import by name in the constructor', () => {
    const e = byName.get('plantedpkg.models:Loader')!;
    expect(e).toMatchObject({ kind: 'gadget', sink: 'importlib:import_module', category: 'import', entry: 'construction' });
    expect(e.path).toEqual(['plantedpkg.models:Loader.__init__', 'importlib:import_module']);
  });

  it('does not call a class safe when its state method calls a value from the state', () => {
    const e = byName.get('plantedpkg.models:Hooked')!;
    expect(e.kind).toBe('unverified');
    expect(e.unresolved).toBe('calls an item of a container');
    expect(e.path).toEqual(['plantedpkg.models:Hooked.__setstate__']);
  });

  it('follows callables through the parameters they are passed in', () => {
    // apply(function, value) calls its parameter: on its own (a pickle may REDUCE it with anything) it
    // is unverified; Sorter passes it `sorted` and stays safe; Callback passes it os.system
    expect(byName.get('plantedpkg._helpers:apply')).toMatchObject({ kind: 'unverified', unresolved: 'calls the parameter function' });
    expect(byName.get('plantedpkg._helpers:apply')!.entry).toBeUndefined(); // the call itself
    expect(byName.get('plantedpkg.models:Sorter')).toMatchObject({ kind: 'class', checked: '__setstate__' });
    expect(byName.get('plantedpkg.models:Callback')).toMatchObject({ kind: 'gadget', sink: 'posix:system', entry: '__setstate__' });
  });

  it('marks a class whose __init__ alone reaches the sink as callOnly', () => {
    // a rebuild (NEWOBJ / copyreg.__newobj__ + BUILD) runs __new__ and __setstate__, never __init__
    const e = byName.get('plantedpkg.models:Launcher')!;
    expect(e).toMatchObject({ kind: 'gadget', sink: 'posix:system', entry: 'construction', callOnly: 1 });
    expect(e.path).toEqual(['plantedpkg.models:Launcher.__init__', 'posix:system']);
    expect(byName.get('plantedpkg.models:Loader')).toMatchObject({ kind: 'gadget', entry: 'construction', callOnly: 1 });
  });

  it('does not mark a class callOnly when __setstate__ or __new__ reaches the sink', () => {
    const state = byName.get('plantedpkg.models:StateLauncher')!;
    expect(state).toMatchObject({ kind: 'gadget', sink: 'posix:system', entry: '__setstate__' });
    expect(state.callOnly).toBeUndefined();
    expect(byName.get('plantedpkg.models:Runner')!.callOnly).toBeUndefined();
    expect(byName.get('plantedpkg.models:Callback')!.callOnly).toBeUndefined();
    expect(byName.get('plantedpkg.models:Hooked')!.callOnly).toBeUndefined();
    // NEWOBJ calls cls.__new__(cls, *args) with arguments of the pickle's choice
    const created = byName.get('plantedpkg.models:NewLauncher')!;
    expect(created).toMatchObject({ kind: 'gadget', sink: 'posix:system', entry: 'construction' });
    expect(created.path).toEqual(['plantedpkg.models:NewLauncher.__new__', 'posix:system']);
    expect(created.callOnly).toBeUndefined();
    // a reduce target is not __init__
    expect(byName.get('plantedpkg.models:Evaluator')!.callOnly).toBeUndefined();
  });

  it('does not count an import of a module the library names itself', () => {
    // optional_backend(name) imports its parameter: on its own it is a gadget; called with 'json.decoder' it is not
    expect(byName.get('plantedpkg._helpers:optional_backend')).toMatchObject({ kind: 'gadget', sink: 'importlib:import_module' });
    expect(byName.get('plantedpkg.models:Accelerated')).toMatchObject({ kind: 'class' });
    // only imports: a file opened at a constant path stays a gadget, and so does a module the state names
    expect(byName.get('plantedpkg.models:ConfigWriter')).toMatchObject({ kind: 'gadget', sink: 'io:open', entry: '__setstate__' });
    expect(byName.get('plantedpkg.models:NamedBackend')).toMatchObject({ kind: 'gadget', sink: 'importlib:import_module', entry: '__setstate__' });
  });

  it('calls the harmless class safe and says what it walked', () => {
    const e = byName.get('plantedpkg.models:SafePoint')!;
    expect(e.kind).toBe('class');
    expect(e.checked).toBe('__init__, __setstate__, __hash__, __eq__');
    expect(byName.get('plantedpkg._helpers:describe')!.kind).toBe('function');
  });
});

describe('callOnly over two generations of a planted package', () => {
  let byName: Map<string, RawEntry>;

  beforeAll(() => {
    const v1 = extractPackage('plantedpkg', path.join(__dirname, 'planted'), 'g1');
    const v2 = extractPackage('plantedpkg', path.join(__dirname, 'planted-v2'), 'g2');
    const doc = JSON.parse(classify([v1, v2])['plantedpkg.json']!) as { entries: RawEntry[]; versions: Record<string, string> };
    expect(doc.versions).toEqual({ g1: '1.0', g2: '2.0' });
    byName = new Map(doc.entries.map((e) => [e.name, e]));
  }, 120_000);

  it('keeps callOnly when it holds in every generation where the class is not safe', () => {
    expect(byName.get('plantedpkg.models:Loader')).toMatchObject({ kind: 'gadget', entry: 'construction', callOnly: 1 });
    // safe in 1.0, only __init__ is bad in 2.0
    expect(byName.get('plantedpkg.models:SafePoint')).toMatchObject({ kind: 'gadget', entry: 'construction', callOnly: 1, note: 'class in g1' });
  });

  it('drops callOnly when one generation reaches the sink without __init__', () => {
    const e = byName.get('plantedpkg.models:Launcher')!;
    expect(e.kind).toBe('gadget');
    expect(e.callOnly).toBeUndefined();
  });

  it('keeps the flag of a class found in one generation only', () => {
    expect(byName.get('plantedpkg.models:Runner')).toMatchObject({ kind: 'gadget', versions: ['1.0'] });
    expect(byName.get('plantedpkg.models:Runner')!.callOnly).toBeUndefined();
  });
});
