/**
 * The committed catalogue (src/names/catalogue) is exactly what classify.py makes of the committed
 * recorded inputs (samples/catalogue/inputs), and it is well formed. Needs python3 only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { classify, dataDir, inputsDir, type RawEntry } from './support';

interface Doc {
  format: number;
  library: string;
  packages: string[];
  versions: Record<string, string>;
  modules: string[];
  entries: RawEntry[];
  foreign: Record<string, string>;
}

const committed = fs.readdirSync(dataDir).filter((f) => f.endsWith('.json') || f === 'libraries.ts').sort();
const docs: Doc[] = committed.filter((f) => f.endsWith('.json')).map((f) => JSON.parse(fs.readFileSync(path.join(dataDir, f), 'utf8')) as Doc);

describe('committed catalogue', () => {
  it('equals what classify makes of the committed recorded inputs', () => {
    const files = classify([inputsDir]);
    expect(Object.keys(files).sort()).toEqual(committed);
    const differing = Object.entries(files).filter(([name, text]) => fs.readFileSync(path.join(dataDir, name), 'utf8') !== text).map(([name]) => name);
    expect(differing).toEqual([]);
  }, 900_000);

  it('covers the libraries the issue names and the corpus uses, in both generations', () => {
    const byLib = new Map(docs.map((d) => [d.library, d]));
    const required = [
      'numpy', 'scipy', 'pandas', 'sklearn', 'torch', 'torchvision', 'joblib', 'xgboost', 'statsmodels', 'networkx', 'sympy',
      'astropy', 'matplotlib', 'xarray', 'imblearn', 'pil', 'shapely', 'pint', 'uncertainties', 'biopython', 'sortedcontainers',
      'optuna', 'skorch', 'lmfit', 'dateutil', 'pytz',
    ];
    for (const lib of required) {
      expect([lib, Object.keys(byLib.get(lib)?.versions ?? {}).sort()]).toEqual([lib, ['bookworm', 'trixie']]);
    }
  });

  it('has well-formed entries', () => {
    const kinds = new Set(['class', 'function', 'value', 'gadget', 'unverified']);
    const rank: Record<string, number> = { class: 0, function: 0, value: 0, unverified: 1, gadget: 2 };
    const problems: string[] = [];
    for (const d of docs) {
      // an explicit alias belongs to one entry; it may also be another entry's own name (the object
      // moved between versions), and then the entry that lists it is at least as bad
      const seen = new Map<string, RawEntry>();
      const names = new Map(d.entries.map((e) => [e.name, e]));
      for (const e of d.entries) {
        if (!kinds.has(e.kind)) problems.push(`${e.name}: kind ${e.kind}`);
        if (e.kind === 'class' && e.checked === undefined) problems.push(`${e.name}: a class without what was checked`);
        if (e.versions && !e.versions.length) problems.push(`${e.name}: empty versions`);
        if (e.kind === 'gadget' && (!e.sink || !e.path?.length)) problems.push(`${e.name}: gadget without sink/path`);
        if (e.kind === 'unverified' && !e.unresolved) problems.push(`${e.name}: unverified without the unresolved call`);
        if (e.kind !== 'gadget' && e.sink) problems.push(`${e.name}: sink on a ${e.kind}`);
        if (!/^[A-Za-z_][\w.]*:[A-Za-z_][\w.<>]*(#\d+)?$/.test(e.name)) problems.push(`${e.name}: name`);
        const qual = e.name.split(':')[1]!.replace(/#\d+$/, '');
        for (const a of (e.aliases ?? []).map((x) => (x.includes(':') ? x : `${x}:${qual}`))) {
          if (!/^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$/.test(a)) problems.push(`${e.name}: alias ${a}`);
          const prev = seen.get(a);
          if (prev !== undefined) problems.push(`${a}: listed by ${prev.name} and ${e.name}`);
          seen.set(a, e);
          const other = names.get(a);
          if (other && other !== e && rank[e.kind]! < rank[other.kind]!) problems.push(`${a}: listed by ${e.name}, a better verdict than its own entry`);
          if (!d.packages.some((p) => a === p || a.startsWith(`${p}.`) || a.startsWith(`${p}:`))) problems.push(`${a}: outside ${d.packages.join(',')}`);
        }
      }
    }
    expect(problems.slice(0, 20)).toEqual([]);
  });
});
