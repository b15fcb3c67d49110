#!/usr/bin/env python3
"""Which globals of the real-world corpus the catalogue covers, and how.

    python3 coverage.py [--manifest samples/real/manifest.json ...] [--catalogue src/names/catalogue] [--json]
    python3 coverage.py --summary     # only the totals: files whose every non-stdlib global is safe

For every `benign-library` file of the manifests, every global its library's own loader resolved
(`globals`) is looked up the way src/names/catalogue/index.ts does (any alias, dotted walks
through submodules, re-exports of other libraries). Prints, per top-level package, the globals
that are not a safe `class` in the catalogue, with their verdict (`function`, `value`, `gadget`,
`unverified`, `stdlib` for the standard library, `missing` when not catalogued), and how many
benign files each appears in.
"""
import argparse
import collections
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))


class Catalogue:
    def __init__(self, d):
        self.dir = d
        self.packages = {}
        for f in sorted(os.listdir(d)):
            if f.endswith('.json'):
                with open(os.path.join(d, f), encoding='utf-8') as fh:
                    head = json.load(fh)
                for p in head['packages']:
                    self.packages[p] = f
        self.cache = {}

    def lib_for(self, module):
        parts = module.split('.')
        for n in range(len(parts), 0, -1):
            f = self.packages.get('.'.join(parts[:n]))
            if f:
                return self.load(f)
        return None

    def load(self, f):
        if f not in self.cache:
            with open(os.path.join(self.dir, f), encoding='utf-8') as fh:
                doc = json.load(fh)
            by_alias, by_name = {}, {}
            rank = {'class': 0, 'function': 0, 'value': 0, 'unverified': 1, 'gadget': 2}
            for e in doc['entries']:
                by_name[e['name']] = e
                qual = e['name'].split(':', 1)[1]
                for a in [e['name']] + [a if ':' in a else '%s:%s' % (a, qual) for a in e.get('aliases', [])]:
                    if a not in by_alias or rank[e['kind']] > rank[by_alias[a]['kind']]:
                        by_alias[a] = e
            self.cache[f] = (by_alias, by_name, set(doc['modules']), doc['foreign'])
        return self.cache[f]

    def lookup(self, module, name, depth=0):
        lib = self.lib_for(module)
        if lib is None:
            return None
        by_alias, _by_name, modules, foreign = lib
        while True:
            key = '%s:%s' % (module, name)
            if key in by_alias:
                return by_alias[key]
            if key in foreign and depth < 2:
                t = foreign[key]
                other = self.lib_for(t.split(':', 1)[0])
                return other[1].get(t) if other else None
            if '.' not in name or '%s.%s' % (module, name.split('.', 1)[0]) not in modules:
                return None
            first, name = name.split('.', 1)
            module = '%s.%s' % (module, first)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--manifest', action='append')
    ap.add_argument('--catalogue', default=os.path.join(ROOT, 'src', 'names', 'catalogue'))
    ap.add_argument('--json', action='store_true')
    ap.add_argument('--summary', action='store_true', help='print the totals only')
    args = ap.parse_args()
    manifests = args.manifest or [os.path.join(ROOT, 'samples', 'real', 'manifest.json')]
    cat = Catalogue(args.catalogue)
    stdlib = set(sys.stdlib_module_names) | {'__builtin__', 'copy_reg', 'exceptions', 'urlparse'}
    files = collections.Counter()
    verdict = {}
    total = 0
    file_globals = []
    for m in manifests:
        with open(m, encoding='utf-8') as fh:
            doc = json.load(fh)
        for f in doc['files']:
            if f.get('label') != 'benign-library' or not f.get('globals'):
                continue
            total += 1
            file_globals.append(f['globals'])
            for g in f['globals']:
                module, name = g.split(' ', 1)
                files[g] += 1
                if g in verdict:
                    continue
                e = cat.lookup(module, name)
                if e is not None:
                    verdict[g] = (e['kind'], e.get('sink') or e.get('unresolved') or '', e['name'])
                elif module.split('.')[0] in stdlib:
                    verdict[g] = ('stdlib', '', '')
                else:
                    verdict[g] = ('missing', '', '')
    # a file is covered when every global it needs outside the standard library is a safe entry
    safe = {'class', 'function', 'value'}
    covered = sum(1 for gs in file_globals if all(verdict[g][0] in safe or verdict[g][0] == 'stdlib' for g in gs))
    groups = collections.defaultdict(list)
    kinds = collections.Counter()
    for g, (kind, why, canon) in verdict.items():
        kinds[kind] += 1
        if kind != 'class':
            groups[g.split(' ', 1)[0].split('.')[0]].append((g, kind, why, files[g]))
    if args.json:
        json.dump({'files': total, 'covered': covered, 'globals': len(verdict), 'kinds': kinds,
                   'not_safe_class': {k: sorted(v) for k, v in sorted(groups.items())}}, sys.stdout, indent=1, sort_keys=True)
        print()
        return
    print('%d benign-library files, %d distinct globals: %s' % (
        total, len(verdict), ', '.join('%s %d' % kv for kv in sorted(kinds.items()))))
    print('%d of %d files (%.1f%%) need only safe catalogue entries (class, function, value) outside the standard library' % (
        covered, total, 100.0 * covered / max(total, 1)))
    if args.summary:
        return
    for top in sorted(groups):
        print('\n%s' % top)
        for g, kind, why, n in sorted(groups[top]):
            print('  %-70s %-10s %4d  %s' % (g, kind, n, why[:90]))


if __name__ == '__main__':
    main()
