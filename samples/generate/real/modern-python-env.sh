#!/bin/bash
# Build (idempotently) a Debian "trixie" chroot with MODERN Python ML libraries
# from Debian's own packages (no PyPI): Python 3.13, torch 2.6, numpy 2.2,
# scikit-learn 1.4.2, pandas 2.2.3, scipy 1.15, joblib 1.4, xgboost 3.0, ...
#
#   bash modern-python-env.sh [TARGET]        # TARGET defaults to /srv/trixie
#
# Needs root, ~6 GiB disk, ~5 minutes (debootstrap ~3 min, apt install ~2 min).
# The mirror is NOT hard-coded: it is read at run time from the host's
# /etc/apt/sources.list.d/debian.sources (the URIs of the non-security entry),
# so it is whatever apt on this machine already uses.
#
# Tested on a Debian 12 (bookworm) host with debootstrap 1.0.128.
# (samples/generate/real/regenerate.sh uses it to write the trixie generation of the corpus.)
# If debootstrap ever fails in a sandbox, the fallback is: `apt-get download`
# the trixie .debs (with -o Dir::Etc::sourcelist pointing at a trixie list),
# `dpkg -x` each into a folder, and run a Python 3.13 with PYTHONPATH /
# LD_LIBRARY_PATH pointing into it (not needed here; not scripted).
set -euo pipefail

TARGET=${1:-/srv/trixie}
SUITE=trixie
SOURCES=/etc/apt/sources.list.d/debian.sources

# Packages we want (each is checked with apt-cache policy first; missing ones are skipped).
WANT="python3-torch python3-numpy python3-sklearn python3-pandas python3-scipy python3-joblib
python3-xgboost python3-statsmodels python3-networkx python3-sympy python3-dateutil python3-tz
python3-dill python3-cloudpickle python3-matplotlib python3-skimage python3-torchvision
python3-torchaudio python3-nltk python3-astropy python3-xarray python3-shapely python3-pil
python3-pint python3-uncertainties python3-sortedcontainers python3-bidict python3-multidict
python3-intervaltree python3-biopython python3-imblearn python3-arrow python3-pendulum
python3-attr python3-pydantic python3-lz4 python3-zstandard python3-skorch python3-lmfit
python3-optuna python3-sklearn-pandas python3-pyarrow python3-gensim python3-tables python3-h5py
python3-yarl python3-frozendict python3-boltons python3-toolz python3-cachetools python3-more-itertools
python3-numexpr python3-patsy python3-mpmath python3-pyproj python3-geopandas python3-emcee
python3-pynndescent python3-numba python3-bitarray python3-pyrsistent python3-babel python3-sparse
python3-dask python3-bottleneck python3-rdflib python3-igraph python3-pywt python3-cftime
python3-netcdf4 python3-ruamel.yaml python3-seaborn python3-colour python3-isodate python3-tzlocal
python3-natsort python3-ordered-set python3-pomegranate python3-fastcluster python3-pyemd python3-tqdm"
CHECK='import torch, numpy, sklearn, pandas, scipy, joblib'

[ "$(id -u)" = 0 ] || { echo "must run as root" >&2; exit 1; }

# --- mirror URI from the host's apt configuration (first non-security URIs line)
MIRROR=""
if [ -r "$SOURCES" ]; then
    MIRROR=$(awk '/^URIs:/{print $2}' "$SOURCES" | grep -v -- '-security' | head -n1 || true)
fi
if [ -z "$MIRROR" ] && [ -r /etc/apt/sources.list ]; then
    MIRROR=$(awk '$1=="deb"{print $2}' /etc/apt/sources.list | grep -v -- '-security' | head -n1 || true)
fi
[ -n "$MIRROR" ] || { echo "cannot find a Debian mirror URI in $SOURCES" >&2; exit 1; }
echo "mirror (from host apt config): $MIRROR"

# --- 1. debootstrap (skipped when the base system is already there)
if [ ! -x "$TARGET/usr/bin/apt-get" ]; then
    command -v debootstrap >/dev/null || { apt-get update && apt-get install -y debootstrap; }
    mkdir -p "$TARGET"
    debootstrap --variant=minbase "$SUITE" "$TARGET" "$MIRROR"
else
    echo "base system already present in $TARGET"
fi

# --- 2. mounts / resolv.conf (proc is unmounted again on exit if we mounted it)
cp /etc/resolv.conf "$TARGET/etc/resolv.conf"
MOUNTED_PROC=0
if ! mountpoint -q "$TARGET/proc"; then
    mount -t proc proc "$TARGET/proc"
    MOUNTED_PROC=1
fi
cleanup() { if [ "$MOUNTED_PROC" = 1 ]; then umount "$TARGET/proc" || true; fi; }
trap cleanup EXIT

# --- 3. packages (only the ones that exist in the suite; skipped if all installed)
if chroot "$TARGET" python3 -c "$CHECK" 2>/dev/null && [ "${FORCE_APT:-0}" != 1 ]; then
    echo "python3 + core ML libraries already importable in $TARGET (FORCE_APT=1 to re-run apt)"
else
    chroot "$TARGET" apt-get update
    AVAIL=""
    for p in $WANT; do
        c=$(chroot "$TARGET" apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/{print $2}')
        if [ -n "$c" ] && [ "$c" != "(none)" ]; then AVAIL="$AVAIL $p"; else echo "skip (not in $SUITE): $p"; fi
    done
    # shellcheck disable=SC2086
    chroot "$TARGET" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $AVAIL
    chroot "$TARGET" apt-get clean
fi

# --- 4. verify + print versions
chroot "$TARGET" python3 -c "$CHECK" 
chroot "$TARGET" python3 - <<'EOF'
import sys, importlib
print('python', sys.version.split()[0])
for m in ['torch', 'numpy', 'sklearn', 'pandas', 'scipy', 'joblib', 'xgboost', 'statsmodels', 'networkx',
          'sympy', 'dill', 'cloudpickle', 'matplotlib', 'torchvision', 'nltk', 'astropy', 'xarray', 'imblearn']:
    try:
        print('%-12s %s' % (m, getattr(importlib.import_module(m), '__version__', '?')))
    except Exception as e:
        print('%-12s not importable: %s' % (m, type(e).__name__))
EOF

cat <<EOF

OK. To run Python 3.13 with the trixie libraries:

  mountpoint -q $TARGET/proc || mount -t proc proc $TARGET/proc
  chroot $TARGET python3 -c 'import torch, numpy, sklearn, pandas, scipy, joblib'

To work on host files, bind-mount the folder at the same path inside the chroot
(DIR is an absolute path on the host):

  mkdir -p $TARGET\$DIR && mount --bind \$DIR $TARGET\$DIR
  chroot $TARGET python3 \$DIR/script.py
  umount $TARGET\$DIR; umount $TARGET/proc      # when done
EOF
