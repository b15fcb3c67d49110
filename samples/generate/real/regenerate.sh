#!/bin/bash
# Regenerate the real-world pickle corpus in two Debian generations, then the committed subset.
#
#   sudo bash samples/generate/real/regenerate.sh [bookworm|trixie|subset|all]   (default: all)
#
# bookworm: the host must be Debian 12; installs Debian's python3-* library packages with apt
#           and runs corpus.py with Debian's /usr/bin/python3 (3.11).
# trixie:   builds (once) a Debian 13 chroot with modern-python-env.sh (debootstrap + apt, Debian's
#           packages only: Python 3.13, torch 2.6, numpy 2.2, scikit-learn 1.4, pandas 2.2, ...),
#           bind-mounts this repository's samples/ folder into it and runs corpus.py there.
#           TRIXIE_ROOT selects the chroot folder (default /srv/trixie).
# subset:   copies the representative subset into samples/real/ (subset.py).
# Output: samples/.corpus/<generation>/ (git-ignored) and samples/real/ (committed).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
WHAT=${1:-all}
TRIXIE_ROOT=${TRIXIE_ROOT:-/srv/trixie}

BOOKWORM_WANT="python3-torch python3-torchvision python3-torchaudio python3-numpy python3-sklearn python3-pandas
python3-scipy python3-joblib python3-xgboost python3-statsmodels python3-networkx python3-sympy python3-dateutil
python3-tz python3-dill python3-cloudpickle python3-matplotlib python3-skimage python3-nltk python3-astropy
python3-xarray python3-shapely python3-pil python3-pint python3-uncertainties python3-sortedcontainers
python3-bidict python3-multidict python3-intervaltree python3-biopython python3-imblearn python3-arrow
python3-pendulum python3-attr python3-pydantic python3-lz4 python3-zstandard python3-skorch python3-lmfit
python3-optuna python3-pyarrow python3-gensim python3-tables python3-h5py python3-sklearn-pandas
python3-yarl python3-frozendict python3-boltons python3-toolz python3-cachetools python3-more-itertools
python3-numexpr python3-patsy python3-mpmath python3-pyproj python3-geopandas python3-emcee
python3-pynndescent python3-numba python3-bitarray python3-pyrsistent python3-babel python3-sparse
python3-dask python3-bottleneck python3-rdflib python3-igraph python3-pywt python3-cftime
python3-netcdf4 python3-ruamel.yaml python3-seaborn python3-colour python3-isodate python3-tzlocal
python3-natsort python3-ordered-set python3-pomegranate python3-fastcluster python3-pyemd python3-tqdm"

bookworm() {
    apt-get update
    local avail="" p c
    for p in $BOOKWORM_WANT; do
        c=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/{print $2}')
        if [ -n "$c" ] && [ "$c" != "(none)" ]; then avail="$avail $p"; else echo "skip (not in this suite): $p"; fi
    done
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $avail
    OMP_NUM_THREADS=1 /usr/bin/python3 "$HERE/corpus.py" --generation bookworm
}

trixie() {
    bash "$HERE/modern-python-env.sh" "$TRIXIE_ROOT"
    mountpoint -q "$TRIXIE_ROOT/proc" || mount -t proc proc "$TRIXIE_ROOT/proc"
    mkdir -p "$TRIXIE_ROOT$REPO/samples"
    local mounted=0
    if ! mountpoint -q "$TRIXIE_ROOT$REPO/samples"; then mount --bind "$REPO/samples" "$TRIXIE_ROOT$REPO/samples"; mounted=1; fi
    chroot "$TRIXIE_ROOT" env HOME=/tmp OMP_NUM_THREADS=1 python3 "$REPO/samples/generate/real/corpus.py" --generation trixie || rc=$?
    if [ "$mounted" = 1 ]; then umount "$TRIXIE_ROOT$REPO/samples"; fi
    return "${rc:-0}"
}

subset() {
    python3 "$HERE/subset.py"
}

case "$WHAT" in
    bookworm) bookworm ;;
    trixie) trixie ;;
    subset) subset ;;
    all) bookworm; trixie; subset ;;
    *) echo "usage: $0 [bookworm|trixie|subset|all]" >&2; exit 2 ;;
esac
