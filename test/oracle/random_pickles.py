#!/usr/bin/env python3
"""Random pickles for differential tests: plain Python values (nested containers, shared
references, recursive lists, stdlib value types) dumped at a random protocol 0-5.

Usage: random_pickles.py COUNT SEED [--plain]  ->  JSON array of base64 strings on stdout.
--plain: only None, bool, int (|x| < 2^40), finite float, str, bytes, list, tuple and dict with
int/str keys, at protocols 2-5: values an independent decoder can represent exactly.
Deterministic for a given COUNT and SEED. Stdlib only.
"""
import base64
import collections
import datetime
import decimal
import fractions
import json
import pickle
import random
import sys
import uuid


def value(rng, depth, pool):
    kinds = ['int', 'bigint', 'float', 'str', 'bytes', 'bool', 'none']
    if depth < 4:
        kinds += ['list', 'tuple', 'dict', 'set', 'frozenset', 'shared', 'odict', 'bytearray', 'stdlib'] * 2
    k = rng.choice(kinds)
    if k == 'int':
        return rng.choice([0, 1, -1, 255, 256, 65535, 65536, 2**31 - 1, -2**31, rng.randint(-10**6, 10**6)])
    if k == 'bigint':
        return rng.choice([2**63, -2**64 - 3, rng.randint(-10**40, 10**40)])
    if k == 'float':
        return rng.choice([0.0, -0.0, 1.5, 1e-300, float('inf'), float('-inf'), rng.random() * 1e6])
    if k == 'str':
        return ''.join(rng.choice('abc xyz\n\\\'"\u00e9\u4e2d\U0001f600\x00') for _ in range(rng.randint(0, 12)))
    if k == 'bytes':
        return bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 300) if rng.random() < 0.1 else rng.randint(0, 12)))
    if k == 'bytearray':
        return bytearray(rng.randint(0, 255) for _ in range(rng.randint(0, 10)))
    if k == 'bool':
        return rng.random() < 0.5
    if k == 'none':
        return None
    if k == 'shared' and pool:
        return rng.choice(pool)
    n = rng.randint(0, 6) if depth > 0 or rng.random() < 0.95 else rng.randint(200, 1200)
    if k in ('list', 'shared'):
        v = [value(rng, depth + 1, pool) for _ in range(n)]
        if rng.random() < 0.1:
            v.append(v)  # recursive list
    elif k == 'tuple':
        v = tuple(value(rng, depth + 1, pool) for _ in range(n))
    elif k == 'dict':
        v = {rng.choice([rng.randint(0, 50), 'k%d' % rng.randint(0, 50), (1, 2)]): value(rng, depth + 1, pool) for _ in range(n)}
    elif k == 'odict':
        v = collections.OrderedDict(('k%d' % i, value(rng, depth + 1, pool)) for i in range(min(n, 5)))
    elif k == 'set':
        v = {rng.randint(0, 1000) for _ in range(n)}
    elif k == 'frozenset':
        v = frozenset('s%d' % rng.randint(0, 100) for _ in range(n))
    else:
        v = rng.choice([
            datetime.datetime(2020, 1, 2, 3, 4, 5, 6), datetime.date(1999, 12, 31), datetime.timedelta(days=3),
            decimal.Decimal('1.25'), fractions.Fraction(3, 7), complex(1, -2), uuid.UUID(int=12345),
            collections.deque([1, 2]), collections.Counter('aab'), range(3, 9), slice(1, 5),
        ])
    pool.append(v)
    return v


def plain(rng, depth):
    k = rng.choice(['none', 'bool', 'int', 'float', 'str', 'bytes'] + (['list', 'tuple', 'dict'] * 2 if depth < 4 else []))
    if k == 'none':
        return None
    if k == 'bool':
        return rng.random() < 0.5
    if k == 'int':
        return rng.choice([0, 1, -1, 255, 256, 65536, -2**31, 2**31 - 1, rng.randint(-2**31, 2**40)])
    if k == 'float':
        return rng.choice([0.5, -2.25, 1e-300, 1e300, rng.random() * 1e6])
    if k == 'str':
        return ''.join(rng.choice('abc xyz\n\u00e9\u4e2d\U0001f600') for _ in range(rng.randint(0, 12)))
    if k == 'bytes':
        return bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 20)))
    n = rng.randint(0, 6)
    if k == 'list':
        return [plain(rng, depth + 1) for _ in range(n)]
    if k == 'tuple':
        return tuple(plain(rng, depth + 1) for _ in range(n))
    return {rng.choice([rng.randint(0, 99), 'k%d' % rng.randint(0, 99)]): plain(rng, depth + 1) for _ in range(n)}


def main():
    count, seed = int(sys.argv[1]), int(sys.argv[2])
    only_plain = '--plain' in sys.argv
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        obj = plain(rng, 0) if only_plain else value(rng, 0, [])
        proto = rng.randint(2, pickle.HIGHEST_PROTOCOL) if only_plain else rng.randint(0, pickle.HIGHEST_PROTOCOL)
        out.append(base64.b64encode(pickle.dumps(obj, protocol=proto)).decode('ascii'))
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
