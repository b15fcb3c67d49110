"""Input convention shared by the oracle scripts: file paths as arguments, or else a JSON array of
base64 strings on stdin. Options (arguments starting with --) are not paths."""
import base64
import json
import sys


def inputs(argv):
    paths = [a for a in argv if not a.startswith('--')]
    if paths:
        for p in paths:
            with open(p, 'rb') as f:
                yield f.read()
    else:
        for item in json.load(sys.stdin):
            yield base64.b64decode(item)
