#!/usr/bin/env python3
"""Runs extract.py for every library of libraries.py that this interpreter can import, one
process per library (so one library's imports cannot disturb another's record), two at a time.

    /usr/bin/python3 run_extract.py --generation bookworm --out samples/catalogue/inputs [--only a,b] [--jobs 2]
"""
import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from libraries import LIBRARIES  # noqa: E402


def installed(packages):
    for p in packages:
        try:
            if importlib.util.find_spec(p) is not None:
                return True
        except (ImportError, ValueError):
            pass
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--generation', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--only', default='')
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--timeout', type=int, default=1800)
    args = ap.parse_args()
    only = set(filter(None, args.only.split(',')))
    todo = [(name, pk) for name, pk, _s in LIBRARIES if (not only or name in only)]
    todo = [(n, pk) for n, pk in todo if installed(pk)]
    missing = sorted(set(n for n, _p, _s in LIBRARIES if not only or n in only) - set(n for n, _ in todo))
    if missing:
        print('[%s] not installed: %s' % (args.generation, ' '.join(missing)), file=sys.stderr)
    os.makedirs(args.out, exist_ok=True)
    # stale records of this generation for libraries no longer installed are removed
    if not only:
        for f in os.listdir(args.out):
            if f.endswith('-%s.json.gz' % args.generation) and f[:-len('-%s.json.gz' % args.generation)] in missing:
                os.remove(os.path.join(args.out, f))
    env = dict(os.environ, PYTHONHASHSEED='0', MPLBACKEND='Agg', TQDM_DISABLE='1', OMP_NUM_THREADS='1',
               PYTHONDONTWRITEBYTECODE='1', HOME=os.environ.get('HOME', '/root'))

    out = os.path.abspath(args.out)

    def one(item):
        name, _pk = item
        t = time.time()
        # a scratch working directory: some libraries write caches into the current directory on import
        with tempfile.TemporaryDirectory(prefix='catalogue-extract-') as cwd:
            try:
                p = subprocess.run([sys.executable, os.path.join(HERE, 'extract.py'), '--library', name,
                                    '--generation', args.generation, '--out', out],
                                   env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   timeout=args.timeout, stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                return name, -1, time.time() - t, 'timed out'
        tail = p.stderr.decode('utf-8', 'replace').strip().splitlines()[-1:] or ['']
        return name, p.returncode, time.time() - t, tail[0]

    failures = 0
    with ThreadPoolExecutor(max_workers=args.jobs) as ex:
        for name, rc, dt, tail in ex.map(one, todo):
            print('[%s] %-22s rc=%s %5.0fs %s' % (args.generation, name, rc, dt, tail), file=sys.stderr, flush=True)
            failures += rc != 0
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()
