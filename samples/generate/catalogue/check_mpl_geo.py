"""Checks the reviewed admissions for matplotlib, geopandas and shapely (docs/catalogue.md, "Reviewed
guards: matplotlib, geopandas and shapely") against the installed libraries, with real Python:

- the benign files of samples/real (or --corpus DIR) load, and loading geopandas' never runs
  GeometryArray.__setitem__ (the pandas code listed as its reviewed receivers);
- each hostile variant the guards refuse reaches what the review says it reaches. Each runs in a
  subprocess: several end the process by reading memory at address 16 (a SIGSEGV is the expected
  outcome there).

Run it with each generation's Python after a library update:

    /usr/bin/python3 samples/generate/catalogue/check_mpl_geo.py bookworm
    chroot /srv/trixie python3 <repo>/samples/generate/catalogue/check_mpl_geo.py trixie

Exit status 0 when everything is as reviewed. It unpickles the hostile variants on purpose: run it
in a throwaway environment.
"""
import argparse
import glob
import gzip
import os
import pickle
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'real')

# an object whose __array_interface__ points numpy or shapely 1.8 at address 16
NS = "types.SimpleNamespace(__array_interface__={'shape': (4, 2), 'typestr': '<f8', 'data': (16, False), 'version': 3})"

HOSTILE = {
    # shapely 1.8: any argument to Polygon() is read as coordinates (REVIEWED_ENTRIES emptyCall)
    'bookworm': [
        ('Polygon(obj with __array_interface__) reads memory at its data address', -11, f"""
import pickle, types
from shapely.geometry import Polygon
class R:
    def __reduce__(self): return (Polygon, ({NS},))
pickle.loads(pickle.dumps(R(), 2))
"""),
    ],
    # geopandas 1.0: GeometryArray.__setstate__((wkb, crs)) gives wkb to np.asarray (the BUILD guard)
    'trixie': [
        ('GeometryArray BUILD (obj with __array_interface__, None) reads memory at its data address', -11, f"""
import pickle, types, copyreg
from geopandas.array import GeometryArray
class R:
    def __reduce__(self): return (copyreg._reconstructor, (GeometryArray, object, None), ({NS}, None))
pickle.loads(pickle.dumps(R(), 2))
"""),
    ],
    'both': [
        # a CallbackRegistry state with _remove_proxy: what a dying callback's weakref calls
        ('CallbackRegistry with _remove_proxy=print and a callback that dies calls print', 0, """
import pickle, copyreg, gc, inspect, itertools
from matplotlib.cbook import CallbackRegistry
class Obj:
    def meth(self): pass
counter = 1 if 'next(self._cid_gen)' in inspect.getsource(CallbackRegistry.__getstate__) else itertools.count(1)
state = {'_signals': None, 'exception_handler': None, 'callbacks': {'s': {0: Obj().meth}}, '_cid_gen': counter,
         '_func_cid_map': None, '_pickled_cids': {0}, '_remove_proxy': print}
class R:
    def __reduce__(self): return (copyreg._reconstructor, (CallbackRegistry, object, None), state)
pickle.loads(pickle.dumps(R(), 2))
gc.collect()
""", '; dead>'),
        # getattr(style, '_set_circle') after a BUILD that set that name returns the pickle's value
        ('getattr on a MarkerStyle whose state set _set_circle returns that value', 0, """
import copyreg, pickle
from matplotlib.markers import MarkerStyle
class M:
    def __reduce__(self): return (copyreg._reconstructor, (MarkerStyle, object, None), {'_set_circle': 'not a method'})
class G:
    def __reduce__(self): return (getattr, (m, '_set_circle'))
m = M()
print(repr(pickle.loads(pickle.dumps([m, G()], 2))[1]))
""", "'not a method'"),
        # a figure pickled from pyplot goes back to pyplot: it is registered and given a backend's canvas
        ('a pyplot figure registers itself with pyplot while it loads', 0, """
import pickle
import matplotlib
matplotlib.use('agg')
import matplotlib.pyplot as plt
fig = plt.figure(); plt.plot([1, 2])
data = pickle.dumps(fig); plt.close('all')
pickle.loads(data)
print('figures', plt.get_fignums())
""", 'figures [1]'),
    ],
}


def load(path):
    data = open(path, 'rb').read()
    return pickle.loads(gzip.decompress(data) if path.endswith('.gz') else data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('generation', choices=['bookworm', 'trixie'])
    ap.add_argument('--corpus', default=ROOT, help='a folder with <generation>/<library>/ files (samples/real or samples/.corpus)')
    a = ap.parse_args()
    bad = 0

    from geopandas.array import GeometryArray
    trapped = []

    def trap(self, key, value):
        trapped.append(key)
        raise AssertionError('GeometryArray.__setitem__ ran while loading')
    GeometryArray.__setitem__ = trap
    for lib in ['matplotlib', 'geopandas', 'shapely']:
        for f in sorted(glob.glob(os.path.join(a.corpus, a.generation, lib, '*'))):
            if os.path.basename(f).startswith('figure_'):
                continue
            try:
                obj = load(f)
                print(f'ok    {lib}/{os.path.basename(f)}: {type(obj).__name__}')
            except Exception as e:  # noqa: BLE001 - report and go on
                bad += 1
                print(f'FAIL  {lib}/{os.path.basename(f)}: {e!r}')
    if trapped:
        bad += 1
        print(f'FAIL  GeometryArray.__setitem__ ran while loading: {trapped}')

    for name, status, code, *expect in HOSTILE[a.generation] + HOSTILE['both']:
        p = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=300)
        out = p.stdout + p.stderr
        good = p.returncode == status and all(e in out for e in expect)
        bad += not good
        print(f"{'ok   ' if good else 'FAIL '} {name}: exit {p.returncode}{' (SIGSEGV)' if p.returncode == -11 else ''}")
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
