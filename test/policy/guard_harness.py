# -*- coding: utf-8 -*-
"""Runs a generated picklegate guard (picklegate policy export NAME --format python) over files.

    python guard_harness.py GUARD.py loads FILE...   one JSON line per file: what guard.loads(bytes) did
    python guard_harness.py GUARD.py judge           stdin: JSON [[module, name, proto], ...];
                                                     stdout: JSON [judgement, ...]

Standard library only; Python 2.7 and 3.6+. Each file is loaded in a forked child (with a time
limit), so nothing a load does can affect the next one. Modules the guard admits but this
interpreter lacks (mxnet, torch, sklearn...) are replaced by stubs, as if the library were installed:
an admitted global gets imported, the stub records it, and loading goes on. The canary file of the
malicious samples ($PICKLEGATE_CANARY) is checked after every load; every global the guard
actually imports is recorded.
"""
from __future__ import print_function

import json
import os
import signal
import sys
import traceback
import types

PY2 = sys.version_info[0] == 2
if PY2:
    import imp
else:
    import importlib.util


def text(s):
    if PY2 and isinstance(s, str):
        return s.decode('utf-8', 'replace')
    return s


def load_guard(path):
    directory, filename = os.path.split(os.path.abspath(path))
    sys.path.insert(0, directory)
    return __import__(filename[:-3])


# ---- stubs for libraries this interpreter does not have -------------------------------------------

STUBS = []


class StubMeta(type):
    def __getattr__(cls, name):
        if name.startswith('__'):
            raise AttributeError(name)
        sub = make_stub(cls.__module__, cls.__name__ + '.' + name)
        setattr(cls, name, sub)
        return sub


def _stub_new(cls, *args, **kwargs):
    return object.__new__(cls)


def _stub_init(self, *args, **kwargs):
    self.__dict__['_stub_args'] = args


def _stub_setstate(self, state):
    self.__dict__['_stub_state'] = state


def _stub_append(self, item):
    self.__dict__.setdefault('_stub_items', []).append(item)


def _stub_extend(self, items):
    self.__dict__.setdefault('_stub_items', []).extend(items)


def _stub_setitem(self, key, value):
    self.__dict__.setdefault('_stub_map', []).append((key, value))


def make_stub(module, name):
    STUBS.append([module, name])
    return StubMeta(str(name.split('.')[-1]), (object,), {
        '__module__': module, '__new__': _stub_new, '__init__': _stub_init, '__setstate__': _stub_setstate,
        'append': _stub_append, 'extend': _stub_extend, '__setitem__': _stub_setitem,
    })


class StubModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        value = make_stub(self.__name__, name)
        setattr(self, name, value)
        return value


class StubFinder(object):
    """Last on sys.meta_path: only modules nothing else can import get a stub."""

    def find_spec(self, fullname, path=None, target=None):
        return importlib.util.spec_from_loader(fullname, self, is_package=True)

    def create_module(self, spec):
        m = StubModule(spec.name)
        m.__path__ = []
        return m

    def exec_module(self, module):
        STUBS.append([module.__name__, None])

    # Python 2 asks sys.meta_path before its own importers: step aside for anything they can find
    def find_module(self, fullname, path=None):
        if fullname in sys.modules:
            return None
        try:
            handle = imp.find_module(fullname.rsplit('.', 1)[-1], path)
        except ImportError:
            return self
        if handle[0] is not None:
            handle[0].close()
        return None

    def load_module(self, fullname):
        m = sys.modules.get(fullname)
        if m is None:
            m = StubModule(fullname)
            m.__path__ = []
            m.__loader__ = self
            sys.modules[fullname] = m
            STUBS.append([fullname, None])
        return m


sys.meta_path.append(StubFinder())


# ---- one load -------------------------------------------------------------------------------------

class Timeout(Exception):
    pass


def on_alarm(signum, frame):
    raise Timeout()


def load_one(guard, path, timeout):
    imported = []
    original = guard.RestrictedUnpickler.__dict__['_pg_import']

    def logged(self, module, name, proto, fix):
        imported.append([text(module), text(name), proto])
        return original(self, module, name, proto, fix)
    guard.RestrictedUnpickler._pg_import = logged
    with open(path, 'rb') as f:
        data = f.read()
    result = {'file': path}
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(timeout)
    try:
        guard.loads(data)
        result['status'] = 'loaded'
    except guard.RefusedError as e:
        result.update(status='refused', rule=e.rule, message=text(str(e)) if PY2 else str(e))
    except Timeout:
        result.update(status='timeout')
    except BaseException as e:
        result.update(status='error', error=type(e).__name__, message=text(repr(e))[:300])
    finally:
        signal.alarm(0)
    result['imported'] = imported
    result['stubs'] = [[text(m), text(n) if n is not None else None] for m, n in STUBS]
    return result


def run_forked(guard, path, timeout, canary):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            out = json.dumps(load_one(guard, path, timeout))
        except BaseException:
            out = json.dumps({'file': path, 'status': 'harness-error', 'message': traceback.format_exc()})
        with os.fdopen(w, 'w') as f:
            f.write(out)
        os._exit(0)
    os.close(w)
    with os.fdopen(r) as f:
        out = f.read()
    _, status = os.waitpid(pid, 0)
    try:
        result = json.loads(out)
    except ValueError:
        result = {'file': path, 'status': 'crashed', 'message': 'child exited with status %d' % status}
    result['canary'] = os.path.exists(canary)
    if result['canary']:
        os.remove(canary)
    return result


def main():
    guard = load_guard(sys.argv[1])
    mode = sys.argv[2]
    if mode == 'judge':
        triples = json.loads(sys.stdin.read())
        out = []
        for module, name, proto in triples:
            if PY2:
                module, name = module.encode('utf-8'), name.encode('utf-8')
            j = guard.judge(module, name, proto).as_dict()
            out.append(dict((k, text(v)) for k, v in j.items()))
        sys.stdout.write(json.dumps(out))
        return
    canary = os.environ['PICKLEGATE_CANARY']
    timeout = int(os.environ.get('GUARD_TIMEOUT', '30'))
    for path in sys.argv[3:]:
        sys.stdout.write(json.dumps(run_forked(guard, path, timeout, canary)) + '\n')
        sys.stdout.flush()


if __name__ == '__main__':
    main()
