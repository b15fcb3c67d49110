#!/usr/bin/env python3
"""Real-world pickle corpus: files written by real Python libraries through their own save
functions, loaded back through their own load functions while every find_class call is recorded.

    python3 samples/generate/real/corpus.py [--generation NAME] [--out DIR] [--only fam,fam] [--list]

Writes DIR/<generation>/<library>/<file> and DIR/<generation>/manifest.json
(DIR defaults to samples/.corpus; the generation defaults to the Debian codename of the
running system: bookworm, trixie, ...). Runs under whatever python3 it is started with and uses
whatever libraries that interpreter can import; a library that is missing or an object that
cannot be built or saved on this generation is skipped with a note in the manifest.

Families (one module each): stdlib, numpy, scipy, pandas, sklearn, torch, longtail, code, user.
"""
import argparse
import hashlib
import importlib
import io
import json
import os
import pickletools
import platform
import subprocess
import sys
import time
import traceback
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))  # samples/generate/real -> repo
FAMILIES = ['stdlib', 'numpy', 'scipy', 'pandas', 'sklearn', 'torch', 'longtail', 'code', 'user']

BENIGN, USER, CODE = 'benign-library', 'user-class', 'code-carrying'


def _reexec_with_fixed_hash_seed():
    if os.environ.get('PYTHONHASHSEED') != '0':
        env = dict(os.environ, PYTHONHASHSEED='0')
        os.execve(sys.executable, [sys.executable] + sys.argv, env)


def debian_codename():
    try:
        with open('/etc/os-release') as f:
            for line in f:
                if line.startswith('VERSION_CODENAME='):
                    return line.split('=', 1)[1].strip().strip('"')
    except OSError:
        pass
    return 'py%d%d' % sys.version_info[:2]


def dpkg_versions():
    try:
        out = subprocess.run(['dpkg-query', '-W', '-f', '${Package} ${Version} ${Status}\n'],
                             capture_output=True, text=True, check=True).stdout
    except Exception:
        return {}
    pk = {}
    for line in out.splitlines():
        parts = line.split(' ', 2)
        if len(parts) == 3 and parts[0].startswith('python3') and 'installed' in parts[2] and 'not-installed' not in parts[2]:
            pk[parts[0]] = parts[1]
    return pk


def lib_version(lib):
    """Version of an importable module/package: its __version__, else its distribution's version."""
    mod = {'stdlib': None, 'sklearn': 'sklearn', 'pil': 'PIL'}.get(lib, lib)
    if mod is None:
        return platform.python_version()
    try:
        m = importlib.import_module(mod)
        v = getattr(m, '__version__', None) or getattr(m, 'VERSION', None)
        if v is not None and not isinstance(v, str):
            v = '.'.join(map(str, v)) if isinstance(v, tuple) else str(v)
        if v and not v.startswith('999'):
            return str(v)
        if v:  # Debian's xarray 2023.01 reports 999: ask dpkg
            dv = dpkg_versions().get('python3-' + mod.split('.')[0].lower())
            if dv:
                return 'debian ' + dv
    except Exception:
        pass
    try:
        from importlib import metadata
        top = mod.split('.')[0]
        dists = metadata.packages_distributions().get(top) or [top]
        return metadata.version(dists[0])
    except Exception:
        return None


def _short_exc(e):
    msg = str(e).replace('\n', ' ')
    if len(msg) > 300:
        msg = msg[:300] + '...'
    return '%s: %s' % (type(e).__name__, msg)


def _static_global_count(path):
    """GLOBAL/STACK_GLOBAL/INST count of a plain pickle file (sanity check of the recorder)."""
    try:
        with open(path, 'rb') as f:
            data = f.read()
        n = 0
        for op, _arg, _pos in pickletools.genops(data):
            if op.name in ('GLOBAL', 'STACK_GLOBAL', 'INST'):
                n += 1
        return n
    except Exception:
        return None


class Context:
    def __init__(self, out_root, generation, only=None):
        self.generation = generation
        self.gen_dir = os.path.join(out_root, generation)
        self.records = []
        self.notes = []
        self.versions = {}
        self.only = only
        self.names = set()
        self.cur_family = None

    # ------------------------------------------------------------------ helpers
    def version(self, lib):
        if lib not in self.versions:
            self.versions[lib] = lib_version(lib)
        return self.versions[lib]

    def note(self, lib, name, saver, msg):
        self.notes.append({'family': self.cur_family, 'library': lib, 'object': name, 'saver': saver, 'note': msg})
        print('  skip %s/%s [%s]: %s' % (lib, name, saver, msg), file=sys.stderr)

    def _path(self, lib, fname):
        d = os.path.join(self.gen_dir, lib)
        os.makedirs(d, exist_ok=True)
        rel = '%s/%s/%s' % (self.generation, lib, fname)
        if rel in self.names:
            raise RuntimeError('duplicate file name ' + rel)
        self.names.add(rel)
        return os.path.join(d, fname), rel

    # ------------------------------------------------------------------ the core
    def add(self, lib, name, build, savers, label=BENIGN, desc=None, lib_version_of=None):
        """Build an object (build() is called), then save it with every saver in `savers`."""
        try:
            obj = build()
        except Exception as e:
            self.note(lib, name, '-', 'build failed: ' + _short_exc(e))
            return
        for sv in savers:
            spec = SAVERS.get(sv) if isinstance(sv, str) else sv
            if spec is None:
                raise KeyError('unknown saver ' + repr(sv))
            self.save(lib, name, obj, spec, label, desc, lib_version_of)

    def save(self, lib, name, obj, spec, label=BENIGN, desc=None, lib_version_of=None):
        fname = '%s__%s%s' % (name, spec.tag, spec.ext)
        path, rel = self._path(lib, fname)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                spec.dump(obj, path)
        except Exception as e:
            self.note(lib, name, spec.desc, 'save failed: ' + _short_exc(e))
            self.names.discard(rel)
            for p in (path, path + '.npy', path + '.npz'):
                if os.path.exists(p) and os.path.isfile(p):
                    os.remove(p)
            return
        if not os.path.exists(path):
            self.note(lib, name, spec.desc, 'saver wrote no file at ' + fname)
            return
        self.record(lib, name, path, rel, spec.desc, spec.load, label, desc, lib_version_of, spec.plain)

    def record(self, lib, name, path, rel, saver, loader, label, desc=None, lib_version_of=None, plain=False):
        from recorder import session
        size = os.path.getsize(path)
        with open(path, 'rb') as f:
            sha = hashlib.sha256(f.read()).hexdigest()
        rec = {
            'path': rel,
            'family': self.cur_family,
            'generation': self.generation,
            'python': platform.python_version(),
            'library': lib,
            'library_version': self.version(lib_version_of or lib),
            'object': name,
            'saver': saver,
            'label': label,
            'size': size,
            'sha256': sha,
        }
        if desc:
            rec['description'] = desc
        if loader is None:
            rec['loader'] = None
            rec['globals'] = None
            rec['loads'] = None
            rec['note'] = 'no Python-level unpickler to observe'
        else:
            loader_name, fn = loader
            rec['loader'] = loader_name
            with session() as s:
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter('ignore')
                        fn(path)
                    rec['loads'] = True
                except Exception as e:
                    rec['loads'] = False
                    rec['error'] = _short_exc(e)
            raw, resolved = s.result()
            rec['globals'] = raw
            if resolved is not None:
                rec['resolved'] = resolved
            if plain and not raw:
                n = _static_global_count(path)
                if n:
                    rec['note'] = 'recorder saw no find_class call but the stream has %d GLOBAL-like opcodes' % n
        self.records.append(rec)

    def custom(self, lib, name, fname_tag, ext, saver, dump, loader, label=BENIGN, desc=None, lib_version_of=None):
        """A file written by a library-specific save function (dump(path)); loader = (name, fn(path)) or None."""
        path, rel = self._path(lib, '%s__%s%s' % (name, fname_tag, ext))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                dump(path)
        except Exception as e:
            self.note(lib, name, saver, 'save failed: ' + _short_exc(e))
            self.names.discard(rel)
            if os.path.isfile(path):
                os.remove(path)
            return
        self.record(lib, name, path, rel, saver, loader, label, desc, lib_version_of)


# ---------------------------------------------------------------------- savers
class Saver:
    def __init__(self, tag, ext, desc, dump, load, plain=False):
        self.tag, self.ext, self.desc, self.dump, self.load, self.plain = tag, ext, desc, dump, load, plain


def _pickle_dump(proto):
    def dump(obj, path):
        import pickle
        with open(path, 'wb') as f:
            pickle.dump(obj, f, protocol=proto)
    return dump


def _pickle_load(path):
    import pickle
    with open(path, 'rb') as f:
        return pickle.load(f)


SAVERS = {}
for _p in range(0, 6):
    SAVERS['p%d' % _p] = Saver('p%d' % _p, '.pkl', 'pickle p%d' % _p, _pickle_dump(_p), ('pickle.load', _pickle_load), plain=True)


def _joblib_saver(tag, compress, ext):
    def dump(obj, path):
        import joblib
        if compress is None:
            joblib.dump(obj, path)
        else:
            joblib.dump(obj, path, compress=compress)

    def load(path):
        import joblib
        return joblib.load(path)
    desc = 'joblib.dump' if compress is None else 'joblib.dump compress=%r' % (compress,)
    return Saver(tag, ext, desc, dump, ('joblib.load', load))


JOBLIB_COMPRESSIONS = [
    ('joblib', None, '.joblib'),
    ('joblib-c3', 3, '.joblib'),               # int: zlib
    ('joblib-zlib', ('zlib', 3), '.joblib.z'),
    ('joblib-gzip', ('gzip', 3), '.joblib.gz'),
    ('joblib-bz2', ('bz2', 3), '.joblib.bz2'),
    ('joblib-xz', ('xz', 3), '.joblib.xz'),
    ('joblib-lzma', ('lzma', 3), '.joblib.lzma'),
    ('joblib-lz4', ('lz4', 3), '.joblib.lz4'),
]
for _t, _c, _e in JOBLIB_COMPRESSIONS:
    SAVERS[_t] = _joblib_saver(_t, _c, _e)
JOBLIB_ALL = [t for t, _c, _e in JOBLIB_COMPRESSIONS]


def _torch_saver(zipfmt, proto):
    def dump(obj, path):
        import torch
        kw = {'pickle_protocol': proto}
        if not zipfmt:
            kw['_use_new_zipfile_serialization'] = False
        torch.save(obj, path, **kw)

    def load(path):
        import torch
        return torch.load(path, weights_only=False)
    tag = 'torch-%s-p%d' % ('zip' if zipfmt else 'legacy', proto)
    return Saver(tag, '.pt', 'torch.save %s protocol=%d' % ('zip' if zipfmt else 'legacy', proto), dump, ('torch.load(weights_only=False)', load))


for _z in (True, False):
    for _p in (2, 3, 4, 5):
        _s = _torch_saver(_z, _p)
        SAVERS[_s.tag] = _s


def _pandas_saver(comp, proto=None):
    ext = {None: '.pkl', 'gzip': '.pkl.gz', 'bz2': '.pkl.bz2', 'xz': '.pkl.xz', 'zip': '.pkl.zip',
           'zstd': '.pkl.zst', 'tar': '.pkl.tar'}[comp]

    def dump(obj, path):
        kw = {'compression': comp}
        if proto is not None:
            kw['protocol'] = proto
        obj.to_pickle(path, **kw)

    def load(path):
        import pandas as pd
        return pd.read_pickle(path, compression=comp)
    tag = 'pd-%s%s' % (comp or 'none', '' if proto is None else '-p%d' % proto)
    desc = 'to_pickle compression=%s%s' % (comp, '' if proto is None else ' protocol=%d' % proto)
    return Saver(tag, ext, desc, dump, ('pd.read_pickle', load), plain=comp is None)


for _c in (None, 'gzip', 'bz2', 'xz', 'zip', 'zstd', 'tar'):
    _s = _pandas_saver(_c)
    SAVERS[_s.tag] = _s
for _p in (2, 4):
    _s = _pandas_saver(None, _p)
    SAVERS[_s.tag] = _s
PANDAS_COMPRESSIONS = ['pd-none', 'pd-gzip', 'pd-bz2', 'pd-xz', 'pd-zip', 'pd-zstd', 'pd-tar']


def _np_load_all(path):
    import numpy as np
    r = np.load(path, allow_pickle=True)
    if hasattr(r, 'files'):
        with r:
            return {k: r[k] for k in r.files}
    return r


def _np_save(obj, path):
    import numpy as np
    np.save(path, obj, allow_pickle=True)


def _np_savez(obj, path):
    import numpy as np
    with open(path, 'wb') as f:  # a file object keeps np.savez from appending .npz
        np.savez(f, **obj)


def _np_savez_c(obj, path):
    import numpy as np
    with open(path, 'wb') as f:
        np.savez_compressed(f, **obj)


SAVERS['npy'] = Saver('npy', '.npy', 'np.save allow_pickle', _np_save, ('np.load(allow_pickle=True)', _np_load_all))
SAVERS['npz'] = Saver('npz', '.npz', 'np.savez', _np_savez, ('np.load(allow_pickle=True)', _np_load_all))
SAVERS['npz-c'] = Saver('npz-c', '.npz', 'np.savez_compressed', _np_savez_c, ('np.load(allow_pickle=True)', _np_load_all))


def _cloudpickle_saver(proto):
    def dump(obj, path):
        import cloudpickle
        with open(path, 'wb') as f:
            cloudpickle.dump(obj, f, protocol=proto)
    return Saver('cloudpickle-p%d' % proto, '.pkl', 'cloudpickle.dump p%d' % proto, dump, ('pickle.load', _pickle_load), plain=True)


def _dill_saver(proto, recurse=False):
    def dump(obj, path):
        import dill
        with open(path, 'wb') as f:
            dill.dump(obj, f, protocol=proto, recurse=recurse)

    def load(path):
        import dill
        with open(path, 'rb') as f:
            return dill.load(f)
    tag = 'dill-p%d%s' % (proto, '-recurse' if recurse else '')
    return Saver(tag, '.pkl', 'dill.dump p%d%s' % (proto, ' recurse=True' if recurse else ''), dump, ('dill.load', load), plain=True)


for _p in (2, 3, 4, 5):
    _s = _cloudpickle_saver(_p)
    SAVERS[_s.tag] = _s
    for _r in (False, True):
        _s = _dill_saver(_p, _r)
        SAVERS[_s.tag] = _s


# ---------------------------------------------------------------------- user classes in __main__
class MainPoint:
    """A plain user class defined in the generating script (pickled as __main__.MainPoint)."""

    def __init__(self, x, y):
        self.x, self.y = x, y


class MainConfig(dict):
    """A dict subclass defined in the generating script."""


# ---------------------------------------------------------------------- main
def main():
    _reexec_with_fixed_hash_seed()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--generation', default=None, help='folder name (default: Debian codename)')
    ap.add_argument('--out', default=os.path.join(ROOT, 'samples', '.corpus'))
    ap.add_argument('--only', default=None, help='comma-separated families')
    args = ap.parse_args()
    sys.path.insert(0, HERE)
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    os.environ.setdefault('MPLBACKEND', 'Agg')
    import recorder
    recorder.install()
    gen = args.generation or debian_codename()
    ctx = Context(os.path.abspath(args.out), gen)
    fams = args.only.split(',') if args.only else FAMILIES
    # a fresh generation folder (only the families we run are rewritten)
    if not args.only and os.path.isdir(ctx.gen_dir):
        import shutil
        shutil.rmtree(ctx.gen_dir)
    os.makedirs(ctx.gen_dir, exist_ok=True)
    t0 = time.time()
    for fam in fams:
        ctx.cur_family = fam
        t = time.time()
        n0 = len(ctx.records)
        try:
            mod = importlib.import_module('fam_' + fam)
            mod.generate(ctx)
        except Exception as e:
            traceback.print_exc()
            ctx.note(fam, '*', '-', 'family failed: ' + _short_exc(e))
        print('%-9s %4d files  %5.1fs' % (fam, len(ctx.records) - n0, time.time() - t), file=sys.stderr)
    manifest_path = os.path.join(ctx.gen_dir, 'manifest.json')
    old = None
    if args.only and os.path.exists(manifest_path):
        with open(manifest_path) as f:
            old = json.load(f)
        keep = [r for r in old['files'] if r.get('family') not in fams]
        ctx.records = keep + ctx.records
        ctx.notes = [n for n in old.get('notes', []) if n.get('family') not in fams] + ctx.notes
        ctx.versions = dict(old.get('libraries', {}), **ctx.versions)
    manifest = {
        'version': 1,
        'generation': gen,
        'python': platform.python_version(),
        'debian': open('/etc/debian_version').read().strip() if os.path.exists('/etc/debian_version') else None,
        'libraries': {k: v for k, v in sorted(ctx.versions.items())},
        'debian_packages': dpkg_versions(),
        'files': sorted(ctx.records, key=lambda r: r['path']),
        'notes': ctx.notes,
    }
    with open(manifest_path, 'w') as f:
        json.dump(manifest, f, indent=1, sort_keys=False)
        f.write('\n')
    print('%s: %d files, %d notes, %.0fs -> %s' % (gen, len(ctx.records), len(ctx.notes), time.time() - t0, manifest_path), file=sys.stderr)


if __name__ == '__main__':
    main()
