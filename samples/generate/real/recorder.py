"""Record every find_class(module, name) call a library's own loader makes.

Nothing is stubbed: the real classes are imported and the real objects are built; we only
observe. How:

* `pickle.Unpickler`, `pickle.load` and `pickle.loads` (module attributes) are replaced by a
  subclass of the C unpickler whose find_class records and then calls the C one. Libraries
  that look these up at call time (torch.load's `pickle_module.Unpickler`, numpy's
  `pickle.load`, pandas' `pickle.load`, cloudpickle files loaded with pickle.load) go through it.
* `pickle._Unpickler.find_class` (the pure-Python unpickler, base of joblib's NumpyUnpickler,
  pandas' compat Unpickler, dill's Unpickler) is wrapped the same way.
* Every subclass of either unpickler that exists at load time, or is created later (torch
  defines `UnpicklerWrapper` inside each torch.load call), gets its own find_class wrapped.

Within one load, `globals` are the (module, name) pairs the outermost find_class received
(what is written in the file, in order, deduplicated) and `resolved` are the pairs that reached
the base find_class after the library's own renaming (torch's `load_module_mapping`, pandas'
`_class_locations_map`, dill's `_dill` aliases) when that differs.
"""
import _pickle
import contextlib
import functools
import pickle

_PyUnpickler = pickle._Unpickler
_CUnpickler = _pickle.Unpickler


class Session:
    def __init__(self):
        self.raw = []
        self.base = []
        self.depth = 0

    @staticmethod
    def _dedupe(pairs):
        seen, out = set(), []
        for p in pairs:
            if p not in seen:
                seen.add(p)
                out.append(p)
        return out

    def result(self):
        raw = ['%s %s' % p for p in self._dedupe(self.raw)]
        base = ['%s %s' % p for p in self._dedupe(self.base)]
        return raw, (base if base != raw else None)


_current = []  # stack of sessions (loads may nest: an object's __setstate__ may unpickle)


def _record_raw(module, name):
    if _current:
        s = _current[-1]
        if s.depth == 0:
            s.raw.append((str(module), str(name)))


def _record_base(module, name):
    if _current:
        _current[-1].base.append((str(module), str(name)))


def _wrap_override(orig):
    """Wrap a subclass's own find_class: record the raw name at the outermost level."""
    if getattr(orig, '_pg_wrapped', False):
        return orig

    @functools.wraps(orig)
    def find_class(self, module, name):
        s = _current[-1] if _current else None
        if s is None:
            return orig(self, module, name)
        _record_raw(module, name)
        s.depth += 1
        try:
            return orig(self, module, name)
        finally:
            s.depth -= 1

    find_class._pg_wrapped = True
    return find_class


def _base_c_find_class(self, module, name):
    _record_raw(module, name)
    _record_base(module, name)
    return _CUnpickler.find_class(self, module, name)


_base_c_find_class._pg_wrapped = True
_orig_py_find_class = _PyUnpickler.find_class


def _base_py_find_class(self, module, name):
    _record_raw(module, name)
    _record_base(module, name)
    return _orig_py_find_class(self, module, name)


_base_py_find_class._pg_wrapped = True


def _init_subclass(cls, **kw):
    fc = cls.__dict__.get('find_class')
    if fc is not None and not getattr(fc, '_pg_wrapped', False):
        cls.find_class = _wrap_override(fc)


class RecordingUnpickler(_CUnpickler):
    find_class = _base_c_find_class

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        _init_subclass(cls)


def _load(file, **kw):
    return RecordingUnpickler(file, **kw).load()


def _loads(data, /, **kw):
    import io
    if isinstance(data, str):
        raise TypeError("Can't load pickle from unicode string")
    return RecordingUnpickler(io.BytesIO(data), **kw).load()


_installed = False


def install():
    global _installed
    if _installed:
        return
    _installed = True
    pickle.Unpickler = RecordingUnpickler
    pickle.load = _load
    pickle.loads = _loads
    _PyUnpickler.find_class = _base_py_find_class
    _PyUnpickler.__init_subclass__ = classmethod(lambda cls, **kw: _init_subclass(cls))


def _all_subclasses(cls):
    out, todo = [], [cls]
    while todo:
        c = todo.pop()
        for s in c.__subclasses__():
            if s not in out:
                out.append(s)
                todo.append(s)
    return out


def wrap_existing():
    """Wrap subclasses defined before install() (or by C-level subclassing of _pickle.Unpickler)."""
    for sub in _all_subclasses(_PyUnpickler) + _all_subclasses(_CUnpickler):
        if sub is RecordingUnpickler:
            continue
        own = sub.__dict__.get('find_class')
        if own is not None:
            if not getattr(own, '_pg_wrapped', False):
                sub.find_class = _wrap_override(own)
        elif issubclass(sub, _CUnpickler) and not issubclass(sub, RecordingUnpickler):
            # a subclass of the C unpickler that does not override find_class: give it the recorder
            sub.find_class = _base_c_find_class


@contextlib.contextmanager
def session():
    install()
    wrap_existing()
    s = Session()
    _current.append(s)
    try:
        yield s
    finally:
        _current.pop()
