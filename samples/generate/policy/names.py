#!/usr/bin/env python3
"""Names the default policy needs from the libraries themselves, listed by introspection.

    python3 samples/generate/policy/names.py > samples/reference/policy-names/<generation>.json

Run once per Python environment (Debian bookworm's /usr/bin/python3 and the trixie chroot); then
samples/generate/policy/names_to_ts.py merges them into src/policy/builtin/names.ts. Lists:
  - stdlib enumeration classes (constructing one, or reading a member, runs no code), and the
    members that modules export under their own name (signal.SIGTERM, re.IGNORECASE), which pickles
    reference by name;
  - the builtin exception classes (pickles of exceptions call them with their args).
Nothing is called but imports and attribute reads.
"""
import enum
import importlib
import json
import sys
import warnings

SKIP = {'antigravity', 'this', 'idlelib', 'tkinter', 'turtle', 'turtledemo', '__main__', 'pydoc_data', 'test', 'lib2to3', 'ensurepip', 'venv'}


def stdlib_modules():
    names = set(getattr(sys, 'stdlib_module_names', ()))
    out = []
    for name in sorted(names):
        if name in SKIP or name.startswith('_') and name not in ('_operator', '_socket', '_ssl'):
            continue
        out.append(name)
    return out


def walk_submodules(name):
    yield name
    try:
        mod = importlib.import_module(name)
    except Exception:
        return
    path = getattr(mod, '__path__', None)
    if not path:
        return
    import pkgutil
    for info in pkgutil.iter_modules(path):
        sub = name + '.' + info.name
        if info.name.startswith('test') or info.name in SKIP:
            continue
        yield sub


def stdlib_enums():
    classes, members = set(), set()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for top in stdlib_modules():
            for modname in walk_submodules(top):
                try:
                    mod = importlib.import_module(modname)
                except Exception:
                    continue
                for attr, value in list(vars(mod).items()):
                    if isinstance(value, type) and issubclass(value, enum.Enum) and value.__module__ == modname and value.__qualname__ == attr:
                        classes.add((modname, attr))
                    elif isinstance(value, enum.Enum) and type(value).__module__ == modname and getattr(value, 'name', None) == attr:
                        members.add((modname, attr))
    return sorted(classes), sorted(members)


def builtin_exceptions():
    import builtins
    return sorted(n for n, v in vars(builtins).items() if isinstance(v, type) and issubclass(v, BaseException))


def main():
    classes, members = stdlib_enums()
    json.dump({'python': sys.version.split()[0], 'stdlibEnums': classes, 'stdlibEnumMembers': members, 'builtinExceptions': builtin_exceptions()}, sys.stdout, indent=0)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
