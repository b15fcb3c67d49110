#!/usr/bin/env python3
"""CPython oracle: which globals does a real (C) unpickler ask for?

Runs CPython's own `pickle.Unpickler` over each input with `find_class`
overridden: it records the (module, name) pair it receives and returns a
harmless stand-in class instead of importing anything. Calls, attribute
access, BUILD/__setstate__, APPEND(S)/SETITEM(S)/ADDITEMS on stand-ins are
tolerated and recorded; `persistent_load` returns a stand-in too. No real
global is ever imported or called, so malicious inputs are safe to feed.

A few pure data functions are emulated so that realistic streams keep going
(they never touch the system): `_codecs.encode`, `codecs.encode/decode` on
text and base64/hex codecs, `base64.b64decode`, `binascii.unhexlify`,
`bytes.fromhex`, `str.join`, `operator.add/concat` on strings, and
`copyreg.add_extension` (only recorded in the extension registry for the
duration of one input, so a later EXT opcode in the same stream resolves).
A call of a stand-in `loads` of pickle/_pickle/cPickle/ForkingPickler with
bytes runs the recorder on the inner pickle ("nested").

Input: a JSON array of base64 strings on stdin, or file paths as argv.
Output: one JSON line per input:
  {"globals": [[module, name], ...]   raw arguments find_class received, in order
   "resolved": [[module, name], ...]  same after _compat_pickle (protocol < 3)
   "protos": [int, ...]               protocol in effect at each find_class call
   "persistent": [repr, ...]          persistent ids seen
   "loads": bool                      the load reached STOP
   "error": str | null                exception type and message if not
   "nested": [{"via", "globals", "loads", "error"}, ...]
   "mode": "file"                     read through io.BytesIO (pickle.load / torch.load)
   "bytes_mode": {...}                only if pickle.loads(bytes) differs (FRAME straddling)}
Options: --calls adds "calls": [[callee, args repr], ...]; --bytes-only reads with
pickle.loads semantics only; --all adds "following": the pickles after the first one,
as repeated pickle.load() calls on the same file see them (stops at the first failure).
"""
import base64
import binascii
import codecs
import copyreg
import io
import json
import os
import pickle
import sys
import _compat_pickle

from oracle_inputs import inputs

MAX_NESTED_DEPTH = 3
REPR_LIMIT = 200

LOADS_NAMES = {
    ('pickle', 'loads'), ('pickle', '_loads'), ('_pickle', 'loads'),
    ('multiprocessing.reduction', 'ForkingPickler.loads'), ('pickle', 'Unpickler'),
}


def _short_repr(x):
    try:
        r = repr(x)
    except Exception as e:  # pragma: no cover - stand-ins always repr
        r = '<unrepr %s>' % type(e).__name__
    if len(r) > REPR_LIMIT:
        r = r[:REPR_LIMIT] + '...'
    return r


def _map_name(module, name, proto):
    if proto is not None and proto < 3:
        if (module, name) in _compat_pickle.NAME_MAPPING:
            return list(_compat_pickle.NAME_MAPPING[(module, name)])
        if module in _compat_pickle.IMPORT_MAPPING:
            return [_compat_pickle.IMPORT_MAPPING[module], name]
    return [module, name]


class Session:
    """State for one recorded load."""

    def __init__(self, depth=0, record_calls=False):
        self.depth = depth
        self.record_calls = record_calls
        self.globals = []
        self.persistent = []
        self.calls = []
        self.nested = []

    # -- emulation of pure helpers ---------------------------------------
    def emulate(self, key, args, kwargs):
        """Return (True, value) when the call is emulated, else (False, None)."""
        m, n = key
        try:
            if (m, n) in (('_codecs', 'encode'), ('codecs', 'encode')):
                data, enc = (list(args) + ['utf-8'])[:2]
                if isinstance(data, str) and isinstance(enc, str) and codecs.lookup(enc)._is_text_encoding:
                    return True, codecs.encode(data, enc)
            if (m, n) in (('_codecs', 'decode'), ('codecs', 'decode')):
                data, enc = (list(args) + ['utf-8'])[:2]
                if isinstance(data, (bytes, bytearray, str)) and isinstance(enc, str):
                    info = codecs.lookup(enc)
                    if info.name in ('base64', 'hex', 'utf-8', 'latin-1', 'ascii', 'iso8859-1'):
                        return True, codecs.decode(data, enc)
            if (m, n) == ('base64', 'b64decode') and args and isinstance(args[0], (bytes, str)):
                return True, base64.b64decode(args[0])
            if (m, n) == ('binascii', 'unhexlify') and args and isinstance(args[0], (bytes, str)):
                return True, binascii.unhexlify(args[0])
            if (m, n) == ('builtins', 'bytes.fromhex') and len(args) == 1 and isinstance(args[0], str):
                return True, bytes.fromhex(args[0])
            if (m, n) == ('builtins', 'str.join') and len(args) == 2 and isinstance(args[0], str):
                items = list(args[1])
                if all(isinstance(i, str) for i in items):
                    return True, args[0].join(items)
            if (m, n) in (('operator', 'add'), ('operator', 'concat'), ('_operator', 'add')) and len(args) == 2:
                a, b = args
                if isinstance(a, str) and isinstance(b, str):
                    return True, a + b
            if (m, n) == ('copyreg', 'add_extension') and len(args) == 3:
                mod, name, code = args
                if isinstance(mod, str) and isinstance(name, str) and isinstance(code, int) \
                        and not isinstance(code, bool) and 1 <= code <= 0x7fffffff:
                    copyreg._extension_registry[(mod, name)] = code
                    copyreg._inverted_registry[code] = (mod, name)
                    return True, None
            if key in LOADS_NAMES and args and isinstance(args[0], (bytes, bytearray)) \
                    and self.depth < MAX_NESTED_DEPTH:
                inner = record(bytes(args[0]), depth=self.depth + 1, record_calls=self.record_calls,
                               both_modes=False)
                self.nested.append({'via': '%s %s' % key, 'globals': inner['globals'],
                                    'loads': inner['loads'], 'error': inner['error'],
                                    'nested': inner['nested']})
        except Exception:
            return False, None
        return False, None

    # -- stand-ins ----------------------------------------------------------
    def make_class(self, label, key):
        session = self

        class StandIn(StandInBase):
            pass

        StandIn.__name__ = StandIn.__qualname__ = 'StandIn'
        StandIn._label = label
        StandIn._key = key
        StandIn._session = session
        return StandIn


class _StandInMeta(type):
    def __repr__(cls):
        return '<stand-in %s>' % cls._label


class StandInBase(metaclass=_StandInMeta):
    """An instance stands for anything a stand-in produced. Tolerates everything."""
    _label = '?'
    _key = None
    _session = None

    def __new__(cls, *args, **kwargs):
        sess = cls._session
        if sess is not None:
            if sess.record_calls:
                sess.calls.append([cls._label, _short_repr(args)])
            if cls._key is not None:
                handled, value = sess.emulate(cls._key, args, kwargs)
                if handled:
                    return value
        inst = object.__new__(cls)
        object.__setattr__(inst, '_inst_label', cls._label + '()')
        return inst

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        sess = type(self)._session
        if sess is not None and sess.record_calls:
            sess.calls.append([self._inst_label, _short_repr(args)])
        return _child(self, '()')

    def __getattr__(self, name):
        if name.startswith('__') and name.endswith('__'):
            raise AttributeError(name)
        return _child(self, '.' + name)

    def __setstate__(self, state):
        sess = type(self)._session
        if sess is not None and sess.record_calls:
            sess.calls.append([self._inst_label + '.__setstate__', _short_repr(state)])

    def append(self, x):
        pass

    def extend(self, xs):
        for _ in xs:
            pass

    def add(self, x):
        pass

    def __setitem__(self, k, v):
        pass

    def __getitem__(self, k):
        return _child(self, '[]')

    def __iter__(self):
        return iter(())

    def __repr__(self):
        return '<stand-in %s>' % self._inst_label


def _child(parent, suffix):
    cls = type(parent)
    inst = object.__new__(cls)
    object.__setattr__(inst, '_inst_label', (parent._inst_label + suffix)[:REPR_LIMIT])
    return inst


def _make_unpickler(session, file):
    class Recorder(pickle.Unpickler):
        def find_class(self, module, name):
            session.globals.append([module, name])
            # Emulation keys use Python 3 module spellings (copy_reg, cPickle...).
            key = (_compat_pickle.IMPORT_MAPPING.get(module, module), name)
            return session.make_class('%s %s' % (module, name), key)

        def persistent_load(self, pid):
            session.persistent.append(_short_repr(pid))
            return session.make_class('persistent %s' % _short_repr(pid), None)()

    return Recorder(file)


class _WholeBuffer:
    """A reader whose first read() hands over the whole input.

    The C unpickler keeps whatever a read returns in its buffer, so this gives
    exactly the in-memory semantics of pickle.loads(bytes) (FRAMEs contiguous),
    while still letting us install find_class/persistent_load hooks.
    """

    def __init__(self, data):
        self.data = data
        self.pos = 0

    def read(self, n=-1):
        chunk = self.data[self.pos:]
        self.pos = len(self.data)
        return chunk

    def readline(self):
        return self.read()


def _protos_via_python(data):
    """Protocol in effect at each find_class call, from the pure-Python unpickler."""
    protos = []

    class PyRecorder(pickle._Unpickler):
        def find_class(self, module, name):
            protos.append(self.proto)
            return Session().make_class('%s %s' % (module, name), None)

        def persistent_load(self, pid):
            return Session().make_class('persistent', None)()

    try:
        PyRecorder(io.BytesIO(data)).load()
    except BaseException:  # noqa: B902 - only the protocols matter here
        pass
    return protos


def _first_proto(data):
    return data[1] if len(data) >= 2 and data[0] == 0x80 else 0


def _run(data, depth, record_calls, mode):
    """One recorded load. mode 'file': io.BytesIO (pickle.load, torch.load); 'bytes': pickle.loads."""
    saved_reg = dict(copyreg._extension_registry)
    saved_inv = dict(copyreg._inverted_registry)
    saved_cache = dict(copyreg._extension_cache)
    session = Session(depth=depth, record_calls=record_calls)
    ok, error = False, None
    try:
        reader = io.BytesIO(data) if mode == 'file' else _WholeBuffer(data)
        _make_unpickler(session, reader).load()
        ok = True
    except BaseException as e:  # noqa: B902 - any failure is a result here
        error = '%s: %s' % (type(e).__name__, str(e)[:500])
    finally:
        copyreg._extension_registry.clear()
        copyreg._extension_registry.update(saved_reg)
        copyreg._inverted_registry.clear()
        copyreg._inverted_registry.update(saved_inv)
        copyreg._extension_cache.clear()
        copyreg._extension_cache.update(saved_cache)
    return session, ok, error


def _result(session, ok, error, data):
    protos = []
    if session.globals:
        py_protos = _protos_via_python(data)
        last = _first_proto(data)
        for i in range(len(session.globals)):
            if i < len(py_protos):
                last = py_protos[i]
            protos.append(last)
    resolved = [_map_name(m, n, p) for (m, n), p in zip(session.globals, protos)]
    out = {'globals': session.globals, 'resolved': resolved, 'protos': protos,
           'persistent': session.persistent, 'loads': ok, 'error': error,
           'nested': session.nested}
    if session.record_calls:
        out['calls'] = session.calls
    return out


def record(data, depth=0, record_calls=False, both_modes=True):
    session, ok, error = _run(data, depth, record_calls, 'file')
    out = _result(session, ok, error, data)
    out['mode'] = 'file'
    if both_modes:
        s2, ok2, err2 = _run(data, depth, record_calls, 'bytes')
        if (s2.globals, ok2, err2) != (session.globals, ok, error):
            alt = _result(s2, ok2, err2, data)
            out['bytes_mode'] = {k: alt[k] for k in ('globals', 'resolved', 'loads', 'error', 'nested')}
    return out


def _end_of_first(data):
    """Offset right after the first pickle's STOP as the C unpickler reads a file (None if it fails)."""
    bio = io.BytesIO(data)
    session = Session()
    try:
        _make_unpickler(session, bio).load()
    except BaseException:  # noqa: B902
        return None
    finally:
        copyreg._extension_cache.clear()
    return bio.tell()


def record_following(data, offsets=None):
    """Later pickles in the same input, as a loader calling pickle.load() repeatedly sees them.

    Without offsets: start after the first pickle and continue while loads succeed.
    With offsets: record a pickle at each given offset (e.g. after junk a loader would not skip).
    """
    out = []
    if offsets is None:
        offsets = []
        pos = _end_of_first(data)
        while pos is not None and pos < len(data):
            offsets.append(pos)
            nxt = _end_of_first(data[pos:])
            pos = None if nxt is None else pos + nxt
    for off in offsets:
        rec = record(data[off:], both_modes=False)
        out.append({'offset': off, 'globals': rec['globals'], 'resolved': rec['resolved'],
                    'loads': rec['loads'], 'error': rec['error'], 'nested': rec['nested']})
    return out


_BYTEARRAY_EXPORTS = 'deallocated bytearray object has exported buffers'


def _drop_known_bytearray_message():
    """Keep a known CPython message out of stderr, and only that one.

    When BYTEARRAY8 declares more bytes than can be allocated, the C unpickler's load fails with
    MemoryError (recorded as this input's error) and then frees a bytearray that still exports its
    buffer; bytearray_dealloc reports that through sys.excepthook as 'SystemError: deallocated
    bytearray object has exported buffers'. It says nothing about the input we did not record.
    """
    hook = sys.excepthook

    def excepthook(kind, value, tb):
        if kind is SystemError and str(value) == _BYTEARRAY_EXPORTS:
            return
        hook(kind, value, tb)

    sys.excepthook = excepthook


def main(argv):
    _drop_known_bytearray_message()
    record_calls = '--calls' in argv
    bytes_only = '--bytes-only' in argv
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))
    out = sys.stdout
    for data in inputs(argv):
        if bytes_only:
            s, ok, err = _run(data, 0, record_calls, 'bytes')
            res = _result(s, ok, err, data)
            res['mode'] = 'bytes'
        else:
            res = record(data, record_calls=record_calls)
        if '--all' in argv:
            res['following'] = record_following(data)
        out.write(json.dumps(res, sort_keys=True) + '\n')
        out.flush()
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
