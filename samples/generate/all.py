#!/usr/bin/env python3
"""Regenerate the whole sample corpus and samples/manifest.json.

    python3 samples/generate/all.py [--skip-aliases]

Deterministic and idempotent: rerunning rewrites byte-identical files. Re-executes
itself with PYTHONHASHSEED=0 so set/dict orders of pickled values are stable.
Every sample is checked with the recording unpickler in test/oracle/find_class.py
(nothing is ever really imported or called); a malicious sample whose intended
global CPython does not request makes the run fail.
--skip-aliases keeps an existing reference/stdlib-aliases.json (slow to rebuild).
"""
import json
import os
import sys

if os.environ.get('PYTHONHASHSEED') != '0':
    os.environ['PYTHONHASHSEED'] = '0'
    os.execv(sys.executable, [sys.executable] + sys.argv)

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.dirname(HERE)
ROOT = os.path.dirname(SAMPLES)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, 'test', 'oracle'))
sys.dont_write_bytecode = True

import common  # noqa: E402
import find_class  # noqa: E402
import gen_benign  # noqa: E402
import gen_malformed  # noqa: E402
import gen_malicious  # noqa: E402
import gen_mxnet  # noqa: E402
import gen_reference  # noqa: E402
import gen_regressions  # noqa: E402

OWNED = ['benign', 'malicious', 'malformed', os.path.join('mxnet', 'wire-other'), os.path.join('mxnet', 'states')]
DANGER = {'default': 'dangerous', 'mxnet-optimizer': 'dangerous', 'mxnet-states': 'dangerous'}


def default_expect(sample, cp):
    if sample.expect:
        return dict(sample.expect)
    if sample.category == 'malicious':
        return dict(DANGER)
    if sample.category in ('malformed', 'hostile'):
        return {'default': 'suspicious', 'mxnet-optimizer': 'suspicious', 'mxnet-states': 'suspicious'}
    if sample.category == 'benign':
        # neither an optimizer object (mxnet-optimizer) nor a states payload (mxnet-states)
        return {'default': 'safe', 'mxnet-optimizer': 'suspicious', 'mxnet-states': 'suspicious'}
    raise ValueError('no expectation for ' + sample.file)


def flatten_nested(nested):
    out = []
    for n in nested:
        out += ['%s %s' % tuple(g) for g in n['globals']]
        out += flatten_nested(n.get('nested', []))
    return out


def dedupe(items):
    seen, out = set(), []
    for x in items:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out


def main():
    with_aliases = '--skip-aliases' not in sys.argv
    for d in OWNED:
        path = os.path.join(SAMPLES, d)
        if os.path.isdir(path):
            for name in os.listdir(path):
                os.remove(os.path.join(path, name))
    gen_mxnet.copy_wire_reference()
    gen_benign.generate()
    gen_malicious.generate()
    gen_malformed.generate()
    gen_mxnet.generate()
    gen_reference.generate(with_aliases)

    rows, problems = [], []
    for s in common.SAMPLES:
        path = os.path.join(SAMPLES, s.file)
        if not s.register_only:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'wb') as f:
                f.write(s.data)
        if len(s.data) > 6 * 1024 * 1024:
            problems.append('%s: over 6 MB' % s.file)
        rec = find_class.record(s.data)
        globals_ = dedupe(['%s %s' % tuple(g) for g in rec['globals']])
        resolved = dedupe(['%s %s' % tuple(g) for g in rec['resolved']])
        nested = dedupe(flatten_nested(rec['nested']))
        cp = {'globals': globals_, 'loads': rec['loads']}
        if rec['error']:
            cp['error'] = rec['error']
        if resolved != globals_:
            cp['resolved'] = resolved
        if nested:
            cp['nested_globals'] = nested
        if rec['persistent']:
            cp['persistent'] = rec['persistent']
        if 'bytes_mode' in rec:
            bm = rec['bytes_mode']
            cp['loads_bytes'] = {'globals': dedupe(['%s %s' % tuple(g) for g in bm['globals']]), 'loads': bm['loads']}
            if bm['error']:
                cp['loads_bytes']['error'] = bm['error']
        seen = list(globals_) + nested
        following = find_class.record_following(s.data, s.offsets)
        if following:
            cp['following'] = []
            for fo in following:
                item = {'offset': fo['offset'], 'globals': dedupe(['%s %s' % tuple(g) for g in fo['globals']]),
                        'loads': fo['loads']}
                if fo['error']:
                    item['error'] = fo['error']
                cp['following'].append(item)
                seen += item['globals'] + flatten_nested(fo['nested'])
        missing = [g for g in s.intended if g not in seen]
        if missing:
            problems.append('%s: CPython find_class never saw %s (saw %s)' % (s.file, missing, globals_))
        if s.category == 'malicious' and s.intended == () and 'ext' not in s.technique:
            problems.append('%s: no intended global' % s.file)
        if s.category == 'benign' and not rec['loads']:
            problems.append('%s: benign sample does not load: %s' % (s.file, rec['error']))
        row = {'file': s.file, 'category': s.category, 'technique': s.technique, 'description': s.description,
               'ref': s.ref, 'expect': default_expect(s, cp), 'cpython': cp}
        rows.append(row)
    rows.sort(key=lambda r: r['file'])
    with open(os.path.join(SAMPLES, 'manifest.json'), 'w', encoding='utf-8') as f:
        json.dump({'version': 1, 'samples': rows}, f, indent=1, ensure_ascii=True)
        f.write('\n')
    counts = {}
    for r in rows:
        counts[r['category']] = counts.get(r['category'], 0) + 1
    print('samples:', len(rows), json.dumps(counts, sort_keys=True))
    # regression expectations are derived from the corpus manifest just written
    gen_regressions.main([])
    if problems:
        print('PROBLEMS:\n  ' + '\n  '.join(problems))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
