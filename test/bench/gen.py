#!/usr/bin/env python3
"""Benchmark inputs for `npm run bench` (test/bench/run.js). Stdlib only; nothing is ever unpickled here.

Usage: python3 test/bench/gen.py OUTDIR [--quick]
Writes only what is missing, then prints a JSON manifest {name: {path, bytes}} on stdout.
"""
import collections
import io
import json
import os
import pickle
import shutil
import struct
import sys
import types
import zipfile
from collections import OrderedDict

OUT = sys.argv[1]
QUICK = '--quick' in sys.argv
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..'))
os.makedirs(OUT, exist_ok=True)
MANIFEST = {}


def out(name):
    return os.path.join(OUT, name)


def record(key, name):
    p = out(name)
    MANIFEST[key] = dict(path=p, bytes=os.path.getsize(p) if os.path.isfile(p) else None)


def once(name, make):
    p = out(name)
    if not os.path.exists(p):
        tmp = p + '.tmp'
        make(tmp)
        os.replace(tmp, p)
    return p


def write_bytes(data):
    def make(tmp):
        with open(tmp, 'wb') as f:
            f.write(data)
    return make


N_TUPLES = 200_000 if QUICK else 2_000_000
SUFFIX = '-quick' if QUICK else ''

# --- opcode-dense: many small tuples (int, str, float) -----------------------------------------
for proto in (2, 4):
    name = f'tuples_p{proto}{SUFFIX}.pkl'
    once(name, lambda tmp, proto=proto: write_bytes(pickle.dumps([(i, str(i), i * 0.5) for i in range(N_TUPLES)], protocol=proto))(tmp))
    record(f'tuples_p{proto}', name)

# --- call-dense: one REDUCE and one SETITEM per element (datetimes, OrderedDicts, numpy scalars) ---
N_CALLS = 30_000 if QUICK else 300_000
name = f'calls{SUFFIX}.pkl'
once(name, lambda tmp: write_bytes(pickle.dumps(
    [collections.OrderedDict([(i, (i * 0.5, str(i), [1, 2, 3]))]) for i in range(N_CALLS)], protocol=2))(tmp))
record('calls', name)


# --- deeply nested dict/list structure ---------------------------------------------------------
def nested():
    # a tree of dicts and lists, 400 levels (800 containers) deep along many spines
    sys.setrecursionlimit(20000)
    root = {}
    spines = 40 if QUICK else 400
    for s in range(spines):
        node = root.setdefault(f'spine{s}', {})
        for level in range(400):
            lst = [level, f'k{level}', {'v': level * 1.5}]
            node[f'n{level % 7}'] = lst
            child = {}
            lst.append(child)
            node = child
    return pickle.dumps(root, protocol=4)


name = f'nested{SUFFIX}.pkl'
once(name, lambda tmp: write_bytes(nested())(tmp))
record('nested', name)

# --- blob-heavy: 20 x 10 MiB bytes at protocol 4 -----------------------------------------------
name = f'blobs{SUFFIX}.pkl'
N_BLOBS = 4 if QUICK else 20


def blobs(tmp):
    blob_list = [os.urandom(1 << 20) * 10 for _ in range(N_BLOBS)]
    with open(tmp, 'wb') as f:
        pickle.dump(blob_list, f, protocol=4)


once(name, blobs)
record('blobs', name)

# --- a ~2 KB MXNet optimizer blob (the service's typical request) -------------------------------
src = os.path.join(ROOT, 'samples', 'mxnet', 'wire-py311')
pick = None
for cand in sorted(os.listdir(src)):
    if cand.endswith('.pkl'):
        sz = os.path.getsize(os.path.join(src, cand))
        if 1500 <= sz <= 4096 and (pick is None or abs(sz - 2048) < abs(pick[1] - 2048)):
            pick = (cand, sz)
if pick is None:
    pick = ('mx1.7__SGD__module_sched.pkl', 0)
name = 'mxnet_2k.pkl'
once(name, lambda tmp: shutil.copyfile(os.path.join(src, pick[0]), tmp))
record('mxnet_2k', name)
MANIFEST['mxnet_2k']['source'] = pick[0]

# --- 100 KB and 10 MB HTTP bodies: small-int lists (opcode-dense) and one bytes blob ------------
name = 'body_100k.pkl'
once(name, lambda tmp: write_bytes(pickle.dumps([(i, str(i)) for i in range(7_000)], protocol=4))(tmp))
record('body_100k', name)
name = 'body_10m.pkl'
once(name, lambda tmp: write_bytes(pickle.dumps({'weights': os.urandom(9 << 20), 'meta': [(i, str(i)) for i in range(50_000)]}, protocol=4))(tmp))
record('body_10m', name)


# --- a PyTorch-style zip checkpoint (zip64, stored) --------------------------------------------
def torch_like_pickle(n_tensors, n_storages, storage_elems):
    """data.pkl as torch.save writes it: n_tensors (rows, 256) tensors spread over n_storages."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'samples', 'generate'))
    from containers import fake_torch_pickle
    per = n_tensors // n_storages
    rows = storage_elems // per // 256
    parts = ('attn', 'mlp', 'norm', 'proj')
    tensors = [(f'layers.{t // 4}.{parts[t % 4]}.weight', str(t % n_storages), (t // n_storages) * rows * 256, (rows, 256))
               for t in range(n_tensors)]
    return fake_torch_pickle(tensors, storage_elems)


ZIP_BYTES = (256 << 20) if QUICK else (2 << 30)
N_STORAGES = 16
STORAGE_BYTES = ZIP_BYTES // N_STORAGES
name = f'checkpoint{SUFFIX}.pt'


def checkpoint(tmp):
    data_pkl = torch_like_pickle(400, N_STORAGES, STORAGE_BYTES // 4)
    chunk = bytes(16 << 20)
    with zipfile.ZipFile(tmp, 'w', compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        zf.writestr('archive/data.pkl', data_pkl)
        zf.writestr('archive/byteorder', b'little')
        for i in range(N_STORAGES):
            with zf.open(f'archive/data/{i}', 'w', force_zip64=True) as f:
                left = STORAGE_BYTES
                while left > 0:
                    n = min(left, len(chunk))
                    f.write(chunk if n == len(chunk) else chunk[:n])
                    left -= n
        zf.writestr('archive/version', b'3\n')
        zf.writestr('archive/.data/serialization_id', b'1234567890123456789012345678901234567890')


once(name, checkpoint)
record('checkpoint', name)

# --- a directory of 1,000 small pickles --------------------------------------------------------
name = 'many'
N_FILES = 1000


def many(tmp):
    os.makedirs(tmp)
    for i in range(N_FILES):
        obj = {'id': i, 'name': f'item{i}', 'values': [j * 0.25 for j in range(i % 50)], 'tags': ('a', 'b', str(i))}
        with open(os.path.join(tmp, f'p{i:04d}.pkl'), 'wb') as f:
            pickle.dump(obj, f, protocol=2 + i % 4)


once(name, many)
record('many', name)
MANIFEST['many']['files'] = N_FILES
MANIFEST['many']['bytes'] = sum(os.path.getsize(os.path.join(out(name), f)) for f in os.listdir(out(name)))

print(json.dumps(MANIFEST))
