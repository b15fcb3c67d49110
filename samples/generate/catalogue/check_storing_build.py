"""Checks the reviewed BUILD receivers (STORING_BUILD in src/names/catalogue/judge.ts) against the
installed libraries: run it with each generation's Python (see regenerate.sh for the trixie chroot).

For every class of the record it prints, and fails on anything unexpected:
- where the MRO defines __setstate__, __setattr__, __getattr__, __getattribute__, __new__, __dict__,
  __hash__, __eq__, __del__, and whether instances have a __dict__;
- that each reviewed slot name resolves, through the MRO, to a member descriptor (a slot), not a
  property whose setter would run;
- a BUILD of the class (copyreg._reconstructor, then BUILD) whose state holds recording values, under
  the C and the pure-Python unpickler: any attribute access or dunder call on a value is a failure,
  and so is a value that does not end up stored as it is;
- negative controls, which must be seen to call the values (the harness sees calls).

    python3 samples/generate/catalogue/check_storing_build.py        # exit status 0: all as reviewed
"""
import copyreg
import importlib
import io
import os
import pickle
import re
import sys
import types

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
JUDGE = os.path.join(ROOT, 'src', 'names', 'catalogue', 'judge.ts')

LOG = []
_DUNDERS = ['__eq__', '__ne__', '__lt__', '__le__', '__gt__', '__ge__', '__len__', '__iter__', '__bool__',
            '__setitem__', '__getitem__', '__delitem__', '__contains__', '__index__', '__int__', '__float__',
            '__str__', '__repr__', '__format__', '__call__', '__add__', '__radd__', '__iadd__', '__or__',
            '__and__', '__enter__', '__exit__', '__get__', '__set__', '__set_name__', '__length_hint__',
            '__reversed__', '__copy__', '__deepcopy__', '__array__', '__fspath__', '__missing__']


class Spy(object):
    """Records every attribute looked up on it and every special method called on it."""

    def __getattribute__(self, name):
        LOG.append(name)
        return object.__getattribute__(self, name)

    def __hash__(self):
        LOG.append('__hash__')
        return 1


def _recording(name):
    def f(self, *args, **kwargs):
        LOG.append(name)
        return NotImplemented
    f.__name__ = name
    return f


for _name in _DUNDERS:
    setattr(Spy, _name, _recording(_name))


class Rebuild(object):
    """Pickles as copyreg._reconstructor(cls, object, None) followed by BUILD(state)."""

    def __init__(self, cls, state):
        self.cls, self.state = cls, state

    def __reduce_ex__(self, protocol):
        return (copyreg._reconstructor, (self.cls, object, None), self.state)


def record():
    """STORING_BUILD as judge.ts has it: name -> (setstate, dict, slots)."""
    with open(JUDGE) as f:
        text = f.read()
    body = text[text.index('export const STORING_BUILD'):]
    body = body[:body.index(']);')]
    out = {}
    for name, setstate, has_dict, slots in re.findall(r"\['([\w.]+)', \{ setstate: '([\w-]+)', dict: (true|false), slots: \[([^\]]*)\] \}\]", body):
        out[name] = (setstate, has_dict == 'true', re.findall(r"'(\w+)'", slots))
    return out


def load_class(dotted):
    module, _, name = dotted.rpartition('.')
    return getattr(importlib.import_module(module), name)


def where(cls, name):
    for k in cls.__mro__:
        if name in k.__dict__:
            return k, k.__dict__[name]
    return None, None


def describe(cls, name):
    k, v = where(cls, name)
    if k is None:
        return '-'
    return '%s.%s (%s)' % (k.__module__, k.__qualname__, type(v).__name__)


def build(cls, state, python):
    data = pickle.dumps(Rebuild(cls, state), protocol=2)
    del LOG[:]
    unpickler = pickle._Unpickler(io.BytesIO(data)) if python else pickle.Unpickler(io.BytesIO(data))
    return unpickler.load(), list(LOG)


def check(dotted, setstate, has_dict, slots):
    failures = []
    cls = load_class(dotted)
    top = sys.modules[dotted.split('.')[0]]
    print('== %s (%s %s)' % (dotted, top.__name__, getattr(top, '__version__', '?')))
    for name in ['__setstate__', '__setattr__', '__getattr__', '__getattribute__', '__new__', '__dict__', '__hash__', '__eq__', '__del__']:
        print('   %-18s %s' % (name, describe(cls, name)))
    inst_dict = hasattr(object.__new__(cls), '__dict__')
    print('   instance __dict__: %s' % inst_dict)
    if where(cls, '__del__')[0] is not None:
        failures.append('defines __del__')
    if where(cls, '__new__')[1] is not object.__dict__['__new__']:
        failures.append('__new__ is not object.__new__')
    own_setstate = where(cls, '__setstate__')[0]
    if setstate == 'default' and own_setstate is not None:
        failures.append('has a __setstate__, the record says none')
    if setstate == 'dict-update' and own_setstate is None:
        failures.append('has no __setstate__, the record says dict-update')
    if has_dict != inst_dict:
        failures.append('instance __dict__ is %s, the record says %s' % (inst_dict, has_dict))
    if has_dict and not isinstance(where(cls, '__dict__')[1], types.GetSetDescriptorType):
        failures.append('__dict__ is not the plain getset descriptor')
    for slot in slots:
        k, v = where(cls, slot)
        if not isinstance(v, types.MemberDescriptorType):
            failures.append('slot %s resolves to %r' % (slot, v))
    cases = []
    if has_dict:
        keys = ['model', 'params', '_results', '_name', 'value', 'append', 'extend', 'summary']
        cases.append(('dict state', lambda: {k: Spy() for k in keys}, keys, False))
    if slots:
        cases.append(('slots half', lambda: (None, {k: Spy() for k in slots}), slots, True))
    for label, state, keys, in_slots in cases:
        for python in (False, True):
            obj, log = build(cls, state(), python)
            stored = all(type(object.__getattribute__(obj, k) if in_slots else obj.__dict__[k]) is Spy for k in keys)
            print('   %s, %s unpickler: calls on the values %s, stored as they are: %s' % (label, 'Python' if python else 'C', log, stored))
            if log or not stored:
                failures.append('%s (%s unpickler): %s' % (label, 'Python' if python else 'C', log or 'not stored'))
    return failures


def controls():
    """BUILDs that do use their values: the harness must see it."""
    failures = []
    for dotted, state in [('xarray.core.dataarray.DataArray', lambda: (None, {'attrs': Spy()}))]:
        try:
            cls = load_class(dotted)
        except ImportError:
            continue
        try:
            _, log = build(cls, state(), False)
        except Exception:
            log = list(LOG)
        print('== control %s %r: calls on the value %s' % (dotted, state()[1].keys() if isinstance(state(), tuple) else '', log))
        if not log:
            failures.append('control %s: no call seen' % dotted)
    return failures


def main():
    print('Python %s' % sys.version.split()[0])
    failures = []
    for dotted, (setstate, has_dict, slots) in sorted(record().items()):
        failures += ['%s: %s' % (dotted, f) for f in check(dotted, setstate, has_dict, slots)]
    failures += controls()
    for f in failures:
        print('FAIL ' + f)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
