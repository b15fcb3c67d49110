"""Checks lmfit's reviewed guard (src/machine/lmfit.ts) against the installed lmfit and asteval: run it
with each generation's Python (see regenerate.sh for the trixie chroot).

It reads CONSTRAINT_FUNCTIONS, MODEL_CLASSES and MODEL_ATTRIBUTES from lmfit.ts and fails on anything
unexpected:
- every constraint function is in the symbol table of a new Parameters() (so a pickle's
  unique_symbols, which only adds names not there yet, cannot replace it) and is a numpy ufunc or
  function or the builtin max or min;
- every model class of lmfit.model and lmfit.models but ExpressionModel is listed, and every
  attribute a new instance has is in MODEL_ATTRIBUTES;
- every constraint lmfit's models write (with and without a prefix, and in a composite) is in
  test/catalogue/lmfit-model-constraints.json, which the tests run through the grammar (`--print`
  prints them, for the union of both generations);
- Parameter's state is still the 11-tuple the guard reads, and unpickling a Parameters still does not
  evaluate a parameter's expression (only SETITEM and reading .value do).

    python3 samples/generate/catalogue/check_lmfit_guard.py        # exit status 0: all as reviewed
"""
import builtins
import inspect
import json
import os
import pickle
import re
import sys

import numpy
import lmfit
from lmfit import model as lmodel, models as lmodels
from lmfit.parameter import Parameter, Parameters

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
SOURCE = open(os.path.join(ROOT, 'src', 'machine', 'lmfit.ts'), encoding='utf-8').read()
FIXTURE = os.path.join(ROOT, 'test', 'catalogue', 'lmfit-model-constraints.json')
FAILURES = []


def strings(const):
    """The quoted strings of a `const NAME ... = new Set([...])` or `[...]` in lmfit.ts."""
    m = re.search(r'const ' + const + r'\b[^=]*=[^\[]*\[(.*?)\]\)?;', SOURCE, re.S)
    if not m:
        sys.exit('cannot read %s from lmfit.ts' % const)
    body = m.group(1)
    names = re.findall(r"'([^']+)'", body)
    if const == 'MODEL_CLASSES':
        names = [n if n.startswith('lmfit.') else 'lmfit.models.' + n for n in names]
    return names


def fail(what):
    FAILURES.append(what)
    print('FAIL', what)


def main():
    print('lmfit', lmfit.__version__, 'asteval', __import__('asteval').__version__, 'Python', sys.version.split()[0])
    table = Parameters()._asteval.symtable
    for name in strings('CONSTRAINT_FUNCTIONS'):
        f = table.get(name)
        ok = f is builtins.max or f is builtins.min or isinstance(f, numpy.ufunc) or (callable(f) and getattr(f, '__module__', '') == 'numpy')
        if not ok:
            fail('constraint function %s is %r in Parameters()' % (name, f))

    listed = set(strings('MODEL_CLASSES'))
    attributes = set(strings('MODEL_ATTRIBUTES'))
    found = set()
    exprs = set()
    for mod in (lmodel, lmodels):
        for _, cls in inspect.getmembers(mod, inspect.isclass):
            if not issubclass(cls, lmfit.Model) or cls.__module__ != mod.__name__ or cls.__name__ == 'ExpressionModel':
                continue
            found.add('%s.%s' % (cls.__module__, cls.__qualname__))
            for prefix in ('', 'p1_'):
                kw = {'prefix': prefix}
                if cls.__name__ == 'SplineModel':
                    kw['xknots'] = numpy.linspace(0, 1, 5)
                if cls is lmodel.Model:
                    m = cls(lmfit.lineshapes.gaussian, **kw)
                elif cls is lmodel.CompositeModel:
                    m = lmodels.GaussianModel(prefix='a_') + lmodels.ConstantModel(**kw)
                else:
                    m = cls(**kw)
                extra = set(vars(m)) - attributes
                if extra:
                    fail('%s has attributes not in MODEL_ATTRIBUTES: %s' % (cls.__name__, sorted(extra)))
                for p in m.make_params().values():
                    if p.expr:
                        exprs.add(p.expr)
    for name in sorted(found - listed):
        fail('model class %s is not in MODEL_CLASSES' % name)
    if '--print' in sys.argv:
        print(json.dumps(sorted(exprs)))
        return 0
    known = set(json.load(open(FIXTURE, encoding='utf-8')))
    for e in sorted(exprs - known):
        fail('constraint %r is not in %s' % (e, os.path.relpath(FIXTURE, ROOT)))

    p = Parameters()
    p.add('a', value=1.0)
    p.add('b', expr='a * 2')
    state = p['b'].__getstate__()
    if not isinstance(state, tuple) or len(state) != 11 or state[3] != 'a * 2':
        fail('Parameter.__getstate__ is not the 11-tuple the guard reads: %r' % (state,))
    # unpickling parses the expression only; reading the value runs it (the positive control)
    import asteval
    runs = []
    data = pickle.dumps(p)
    original = asteval.Interpreter.run

    def counting(self, *args, **kwargs):
        runs.append(1)
        return original(self, *args, **kwargs)
    asteval.Interpreter.run = counting
    try:
        q = pickle.loads(data)
        loaded = len(runs)
        q['b'].value
        read = len(runs) - loaded
    finally:
        asteval.Interpreter.run = original
    if loaded or not read:
        fail('unpickling a Parameters ran asteval %d times (reading a value: %d)' % (loaded, read))
    print('%d constraint functions, %d model classes, %d model constraints: %s' % (
        len(strings('CONSTRAINT_FUNCTIONS')), len(found), len(exprs), 'FAILED' if FAILURES else 'all as reviewed'))
    return 1 if FAILURES else 0


if __name__ == '__main__':
    sys.exit(main())
