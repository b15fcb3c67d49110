#!/usr/bin/env python3
"""Packs the per-generation records extract.py staged (`<library>-<generation>.json.gz`) into the
committed recorded inputs, one file per library with every generation:
`samples/catalogue/inputs/<library>.json.xz` = {"format", "library", "generations": {gen: record}}.
Generations not staged now are kept from the existing file. xz over both generations together
stores what they share once (about half the size of two gzip files).

Functions the classify walk never reaches (from any class, function or reduce target of any
library of that generation) are dropped from the records (`--no-prune` keeps them): classify
gives the same catalogue without them, and the inputs are about half as large. Changing which
methods classify walks (ENTRY_METHODS, call semantics) therefore needs a new extract.

    python3 pack.py --staging samples/catalogue/.staging --inputs samples/catalogue/inputs
"""
import argparse
import collections
import gzip
import json
import lzma
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import classify  # noqa: E402

FORMAT = 1


def slim_binds(call, params, cells):
    """Drops the ` +key=VAL` bindings no function looks up and the ` ~name=CALL` cells no body calls."""
    if ' ' not in call:
        return call
    parts = call.split(' ')
    keep = [parts[0]]
    for p in parts[1:]:
        key = p[1:].split('=', 1)[0]
        if p.startswith('+') and key != '*' and key not in params:
            continue
        if p.startswith('~') and key not in cells:
            continue
        keep.append(p)
    return ' '.join(keep)


def prune(docs):
    """Drops, per generation, the functions the walk does not reach."""
    by_gen = collections.defaultdict(list)
    for doc in docs.values():
        for g, rec in doc['generations'].items():
            by_gen[g].append(rec)
    for g, recs in sorted(by_gen.items()):
        gen = classify.Generation(g, recs)
        classify.classify_generation(gen)
        reached = {state[0] for state in gen.succ_cache}
        # which call-site bindings and closure cells the walk can look up at all
        params, cells = set(), {'__class__'}
        for rec in recs:
            for calls in rec['functions'].values():
                for c in calls:
                    if c[0] in 'pq':
                        idx, _, name = c[1:].split('=', 1)[0].partition(':')
                        params.update(('#' + idx, name))
                    elif c[0] in 'fs':
                        cells.add(c[1:].split(' ', 1)[0])
                    for part in c.split(' ')[1:]:
                        if part.startswith('+') and '=@' in part:
                            idx, _, name = part.split('=@', 1)[1].partition(':')
                            params.update(('#' + idx, name.split('=', 1)[0]))
        before = after = cbefore = cafter = 0
        for rec in recs:
            before += len(rec['functions'])
            rec['functions'] = {k: sorted({slim_binds(c, params, cells) for c in v if c[0] != 'd' or c[1:] in classify.sinks.DUCK})
                                for k, v in rec['functions'].items() if k in reached}
            after += len(rec['functions'])
            classes = {}
            for cid, crec in rec['classes'].items():
                cbefore += 1
                if cid not in gen.classes.touched:
                    continue
                crec = dict(crec)
                if 'attrs' in crec and cid not in gen.all_names:
                    crec['attrs'] = {n: r for n, r in crec['attrs'].items() if n in gen.queried}
                classes[cid] = crec
                cafter += 1
            rec['classes'] = classes
        print('[%s] kept %d of %d functions, %d of %d class records (the rest are never reached)' % (
            g, after, before, cafter, cbefore), file=sys.stderr)


def read_packed(path):
    with lzma.open(path, 'rb') as fh:
        return json.loads(fh.read().decode('utf-8'))


def write_packed(path, doc):
    raw = json.dumps(doc, sort_keys=True, separators=(',', ':'), ensure_ascii=True).encode()
    data = lzma.compress(raw, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64, preset=9 | lzma.PRESET_EXTREME)
    tmp = path + '.tmp'
    with open(tmp, 'wb') as fh:
        fh.write(data)
    os.replace(tmp, path)
    return len(data), len(raw)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--staging', required=True)
    ap.add_argument('--inputs', required=True)
    ap.add_argument('--no-prune', action='store_true', help='keep functions the walk never reaches')
    ap.add_argument('--drop-missing', action='store_true',
                    help='remove generations of libraries that were not staged for a generation that was')
    args = ap.parse_args()
    staged = {}
    for f in sorted(os.listdir(args.staging)):
        if f.endswith('.json.gz'):
            with gzip.open(os.path.join(args.staging, f), 'rb') as fh:
                d = json.loads(fh.read().decode('utf-8'))
            staged.setdefault(d['library'], {})[d['generation']] = d
    staged_gens = {g for gens in staged.values() for g in gens}
    os.makedirs(args.inputs, exist_ok=True)
    libs = set(staged)
    for f in os.listdir(args.inputs):
        if f.endswith('.json.xz'):
            libs.add(f[:-len('.json.xz')])
    total = 0
    docs = {}
    for lib in sorted(libs):
        path = os.path.join(args.inputs, '%s.json.xz' % lib)
        doc = read_packed(path) if os.path.exists(path) else {'format': FORMAT, 'library': lib, 'generations': {}}
        gens = doc['generations']
        for g, rec in staged.get(lib, {}).items():
            gens[g] = rec
        if args.drop_missing:
            for g in list(gens):
                if g in staged_gens and g not in staged.get(lib, {}):
                    del gens[g]
        if not gens:
            if os.path.exists(path):
                os.remove(path)
            continue
        docs[lib] = doc
    if not args.no_prune:
        prune(docs)
    for lib, doc in sorted(docs.items()):
        path = os.path.join(args.inputs, '%s.json.xz' % lib)
        gens = doc['generations']
        size, raw = write_packed(path, doc)
        total += size
        print('%-24s %8d bytes (%d raw) %s' % (lib, size, raw, ' '.join(sorted(gens))), file=sys.stderr)
    print('total %d bytes' % total, file=sys.stderr)


if __name__ == '__main__':
    main()
