#!/usr/bin/env python3
"""Copy a representative subset of the generated corpus into samples/real/ (committed).

    python3 samples/generate/real/subset.py [--corpus samples/.corpus] [--out samples/real] [--max-file BYTES]

Keeps, per generation: the smallest file of every (library, saver, label) combination, the
smallest file of every (library, object) pair, and every user-class and code-carrying file;
files larger than --max-file (default 1.5 MB) are left out. Writes samples/real/manifest.json
(the generations' metadata and the chosen files' records, paths relative to samples/real).
Stdlib only; any Python 3.
"""
import argparse
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--corpus', default=os.path.join(ROOT, 'samples', '.corpus'))
    ap.add_argument('--out', default=os.path.join(ROOT, 'samples', 'real'))
    ap.add_argument('--max-file', type=int, default=1_500_000)
    ap.add_argument('--budget', type=int, default=30_000_000)
    args = ap.parse_args()

    gens = sorted(d for d in os.listdir(args.corpus) if os.path.exists(os.path.join(args.corpus, d, 'manifest.json')))
    if not gens:
        raise SystemExit('no generation under %s (run corpus.py first)' % args.corpus)
    chosen, meta = [], {}
    for g in gens:
        with open(os.path.join(args.corpus, g, 'manifest.json')) as f:
            m = json.load(f)
        meta[g] = {k: m[k] for k in ('python', 'debian', 'libraries', 'debian_packages') if k in m}
        meta[g]['notes'] = m.get('notes', [])
        files = sorted((r for r in m['files'] if r['size'] <= args.max_file), key=lambda r: (r['size'], r['path']))
        pick = {}
        for keyf in (lambda r: ('s', r['library'], r['saver'], r['label']), lambda r: ('o', r['library'], r['object'])):
            for r in files:
                pick.setdefault(keyf(r), r)
        paths = {r['path'] for r in pick.values()}
        paths |= {r['path'] for r in files if r['label'] != 'benign-library'}
        chosen += [r for r in m['files'] if r['path'] in paths]
    total = sum(r['size'] for r in chosen)
    if total > args.budget:
        raise SystemExit('subset is %d bytes, over the %d budget: lower --max-file' % (total, args.budget))
    for g in gens:
        d = os.path.join(args.out, g)
        if os.path.isdir(d):
            shutil.rmtree(d)
    for r in chosen:
        dst = os.path.join(args.out, r['path'])
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copyfile(os.path.join(args.corpus, r['path']), dst)
    manifest = {'version': 1, 'generations': meta, 'files': sorted(chosen, key=lambda r: r['path'])}
    with open(os.path.join(args.out, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)
        f.write('\n')
    print('%d files, %d bytes -> %s' % (len(chosen), total, args.out))


if __name__ == '__main__':
    main()
