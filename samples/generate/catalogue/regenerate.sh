#!/bin/bash
# Regenerates the library catalogue (docs/catalogue.md):
#   1. extract: every library of libraries.py in the two environments, each library in its own
#      process, into samples/catalogue/.staging/<library>-<generation>.json.gz (git-ignored):
#        bookworm: /usr/bin/python3 (Debian 12 python3-* packages)
#        trixie:   the Debian 13 chroot at /srv/trixie (samples/generate/real/modern-python-env.sh),
#                  with this repository bind-mounted at the same path
#   2. pack:     the staged records into samples/catalogue/inputs/<library>.json.xz (committed)
#   3. classify: samples/catalogue/inputs -> src/names/catalogue/<library>.json + libraries.ts
#
#   bash samples/generate/catalogue/regenerate.sh [all|bookworm|trixie|pack|classify] [--only lib,lib]
#
# `classify` alone needs no library (npm run catalogue:classify); the test suite checks that the
# committed catalogue is what classify makes of the committed inputs.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
HERE=$ROOT/samples/generate/catalogue
STAGING=$ROOT/samples/catalogue/.staging
INPUTS=$ROOT/samples/catalogue/inputs
OUT=$ROOT/src/names/catalogue
TRIXIE=${TRIXIE:-/srv/trixie}
BOOKWORM_PY=${BOOKWORM_PY:-/usr/bin/python3}
PY=${PY:-python3}
WHAT=${1:-all}
shift || true
ONLY=()
if [ "${1:-}" = "--only" ]; then ONLY=(--only "$2"); fi

stage_clean() {   # $1 generation
    mkdir -p "$STAGING"
    if [ ${#ONLY[@]} -eq 0 ]; then rm -f "$STAGING"/*-"$1".json.gz; fi
}

bookworm() {
    stage_clean bookworm
    "$BOOKWORM_PY" "$HERE/run_extract.py" --generation bookworm --out "$STAGING" "${ONLY[@]}"
}

trixie() {
    [ "$(id -u)" = 0 ] || { echo "trixie: needs root (chroot)" >&2; exit 1; }
    [ -x "$TRIXIE/usr/bin/python3" ] || { echo "trixie: no chroot at $TRIXIE (see samples/generate/real/modern-python-env.sh)" >&2; exit 1; }
    stage_clean trixie
    local mounted_proc=0 mounted_root=0
    if ! mountpoint -q "$TRIXIE/proc"; then mount -t proc proc "$TRIXIE/proc"; mounted_proc=1; fi
    mkdir -p "$TRIXIE$ROOT"
    if ! mountpoint -q "$TRIXIE$ROOT"; then mount --bind "$ROOT" "$TRIXIE$ROOT"; mounted_root=1; fi
    # shellcheck disable=SC2064
    trap "[ $mounted_root = 1 ] && umount '$TRIXIE$ROOT'; [ $mounted_proc = 1 ] && umount '$TRIXIE/proc'; true" EXIT
    chroot "$TRIXIE" /usr/bin/python3 "$HERE/run_extract.py" --generation trixie --out "$STAGING" "${ONLY[@]}"
}

pack() {
    local drop=()
    if [ ${#ONLY[@]} -eq 0 ]; then drop=(--drop-missing); fi
    "$PY" "$HERE/pack.py" --staging "$STAGING" --inputs "$INPUTS" "${drop[@]}"
}

classify() {
    "$PY" "$HERE/classify.py" --inputs "$INPUTS" --out "$OUT"
}

case "$WHAT" in
    all) bookworm; (trixie); pack; classify ;;
    bookworm) bookworm; pack; classify ;;
    trixie) trixie; pack; classify ;;
    pack) pack; classify ;;
    classify) classify ;;
    *) echo "usage: $0 [all|bookworm|trixie|pack|classify] [--only lib,lib]" >&2; exit 2 ;;
esac
