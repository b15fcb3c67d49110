#!/usr/bin/env python3
"""CPython oracle: what does a real unpickler put into an MXNet optimizer's state?

Loads each input with CPython's own `pickle.Unpickler`, but `find_class` never
imports anything: MXNet classes (optimizers, schedulers, NDArray, numpy) become
recording stand-in classes whose `__setstate__` (BUILD) keeps the state dict and
whose constructor keeps its arguments. Only pure data helpers are real:
`copyreg._reconstructor` (applied to stand-ins it is `object.__new__`), `object`,
`bytearray`, `_codecs.encode`. Malicious inputs are safe to feed.

Input: a JSON array of base64 strings on stdin. Output: one JSON line per input:
  {"class": "module.name" | null,      the optimizer (null for a states-only file)
   "params": {key: value},             its state dict, values encoded as below
   "states": int | null,               number of entries of the states dict
   "shapes": [[dim, ...] | null, ...], NDArray shapes from the handle headers (struct)
   "error": str | null}
Values: null/true/false/str as JSON; int {"i": "123"}; float {"f": repr(x)}
(so 1e-08, inf and nan stay exact); list/tuple {"l": [...]}; dict {"d": [[k, v], ...]};
a stand-in object {"obj": "module.name", "state": {...} | null, "args": [...]}.
"""
import base64
import codecs
import copyreg
import io
import json
import pickle
import struct
import sys
import _compat_pickle

_CLASSES = {}


class StandIn(object):
    def __init__(self, *args, **kwargs):
        self._args = args
        self._state = None

    def __setstate__(self, state):
        self._state = state


REAL = {
    ('copyreg', '_reconstructor'): copyreg._reconstructor,
    ('builtins', 'object'): object,
    ('builtins', 'bytearray'): bytearray,
    ('_codecs', 'encode'): codecs.encode,
}


class Recorder(pickle.Unpickler):
    def find_class(self, module, name):
        real = (module, name)
        # Python 2 spellings, as the default find_class maps them (fix_imports, protocol < 3)
        if real in _compat_pickle.NAME_MAPPING:
            real = _compat_pickle.NAME_MAPPING[real]
        elif module in _compat_pickle.IMPORT_MAPPING:
            real = (_compat_pickle.IMPORT_MAPPING[module], name)
        if real in REAL:
            return REAL[real]
        key = (module, name)
        if key not in _CLASSES:
            _CLASSES[key] = type(name, (StandIn,), {'__module__': module, '_qual': module + '.' + name})
        return _CLASSES[key]

    def persistent_load(self, pid):
        raise pickle.UnpicklingError('persistent id')


def enc(x, depth=0):
    if depth > 6:
        return '<deep>'
    if x is None or isinstance(x, (bool, str)):
        return x
    if isinstance(x, int):
        return {'i': str(x)}
    if isinstance(x, float):
        return {'f': repr(x)}
    if isinstance(x, (bytes, bytearray)):
        return {'b': len(x)}
    if isinstance(x, (list, tuple)):
        return {'l': [enc(v, depth + 1) for v in x]}
    if isinstance(x, dict):
        return {'d': [[enc(k, depth + 1), enc(v, depth + 1)] for k, v in x.items()]}
    if isinstance(x, StandIn):
        st = x._state
        return {'obj': type(x)._qual, 'state': {str(k): enc(v, depth + 1) for k, v in st.items()} if isinstance(st, dict) else None,
                'args': [enc(a, depth + 1) for a in getattr(x, '_args', ())]}
    return {'other': type(x).__name__}


def nd_shape(obj):
    """TShape from an NDArray::Save header: magic, [stype, [storage shape]], ndim (i32), dims (i64)."""
    st = obj._state if isinstance(obj, StandIn) else None
    h = st.get('handle') if isinstance(st, dict) else None
    if not isinstance(h, (bytes, bytearray)) or len(h) < 8:
        return None
    magic, = struct.unpack_from('<I', h, 0)
    p = 4
    if magic in (0xF993FAC9, 0xF993FACA):
        stype, = struct.unpack_from('<i', h, p)
        p += 4
        if stype != 0:
            n, = struct.unpack_from('<i', h, p)
            p += 4 + 8 * n
    elif magic != 0xF993FAC8:
        return None
    ndim, = struct.unpack_from('<i', h, p)
    if ndim < 0:
        return None
    return list(struct.unpack_from('<%dq' % ndim, h, p + 4))


def flatten_states(s, out, depth=0):
    if isinstance(s, StandIn):
        out.append(nd_shape(s))
    elif isinstance(s, (tuple, list)) and depth < 3:
        for x in s:
            flatten_states(x, out, depth + 1)


def load(data):
    try:
        return Recorder(io.BytesIO(data)).load()
    except UnicodeDecodeError:
        return Recorder(io.BytesIO(data), encoding='latin1').load()


def one(data):
    out = {'class': None, 'params': None, 'states': None, 'shapes': None, 'error': None}
    try:
        root = load(data)
    except Exception as e:  # noqa: BLE001 - any failure is the answer
        out['error'] = '%s: %s' % (type(e).__name__, e)
        return out
    opt, states = None, None
    if isinstance(root, StandIn):
        opt = root
    elif isinstance(root, tuple) and len(root) == 2 and isinstance(root[0], dict):
        states, opt = root
    elif isinstance(root, dict):
        states = root
    if opt is not None:
        out['class'] = type(opt)._qual
        st = opt._state if isinstance(opt._state, dict) else {}
        out['params'] = {str(k): enc(v) for k, v in st.items()}
    if states is not None:
        out['states'] = len(states)
        shapes = []
        for v in list(states.values())[:64]:
            flatten_states(v, shapes)
        out['shapes'] = shapes
    return out


def main():
    inputs = json.load(sys.stdin)
    for b in inputs:
        sys.stdout.write(json.dumps(one(base64.b64decode(b))) + '\n')


if __name__ == '__main__':
    main()
