"""code-carrying: functions, lambdas and classes pickled BY VALUE (their code objects travel in the
file): cloudpickle and dill, and numba dispatchers (whose reduce embeds cloudpickled code).
TorchScript archives (torch.jit.save) are written by fam_torch."""
import sys
import warnings

CODE = 'code-carrying'


def _closure_factory(k):
    def scale(x):
        return x * k
    return scale


def generate(ctx):
    main = sys.modules['__main__']
    # functions defined in __main__ are pickled by value by cloudpickle and dill
    ns = {}
    exec(compile('def norm(v):\n    return sum(a * a for a in v) ** 0.5\n'
                 'class Dyn:\n    def __init__(self):\n        self.v = 1\n    def get(self):\n        return self.v\n', '<main>', 'exec'), main.__dict__, ns)
    norm, Dyn = ns['norm'], ns['Dyn']
    norm.__module__ = Dyn.__module__ = '__main__'
    lam = lambda x: x + 1  # noqa: E731
    lam.__module__ = '__main__'
    try:
        import cloudpickle
        add = lambda n, b, s: ctx.add('cloudpickle', n, b, list(s), label=CODE)
        add('lambda', lambda: lam, ['cloudpickle-p2', 'cloudpickle-p4', 'cloudpickle-p5'])
        add('closure', lambda: _closure_factory(3), ['cloudpickle-p4'])
        add('main_function', lambda: norm, ['cloudpickle-p3', 'cloudpickle-p4'])
        add('dynamic_class_instance', lambda: Dyn(), ['cloudpickle-p4', 'cloudpickle-p5'])
        add('dict_of_callables', lambda: {'f': lam, 'g': norm, 'data': [1, 2]}, ['cloudpickle-p4'])
        try:
            import numpy as np
            from sklearn.preprocessing import FunctionTransformer
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                add('sklearn_function_transformer_lambda', lambda: FunctionTransformer(lambda X: np.log1p(X)).fit(np.ones((3, 2))), ['cloudpickle-p4'])
        except ImportError:
            pass
    except ImportError as e:
        ctx.note('cloudpickle', '*', '-', 'not importable: %s' % e)
    try:
        import dill
        add = lambda n, b, s: ctx.add('dill', n, b, list(s), label=CODE)
        add('lambda', lambda: lam, ['dill-p2', 'dill-p3', 'dill-p4', 'dill-p5'])
        add('lambda_recurse', lambda: lam, ['dill-p4-recurse'])
        add('closure', lambda: _closure_factory(5), ['dill-p4', 'dill-p4-recurse'])
        add('main_function', lambda: norm, ['dill-p2', 'dill-p4'])
        add('dynamic_class_instance', lambda: Dyn(), ['dill-p4'])
        add('generator_free_objects', lambda: {'f': lam, 'code': lam.__code__}, ['dill-p4'])
    except ImportError as e:
        ctx.note('dill', '*', '-', 'not importable: %s' % e)
    try:
        import numba

        @numba.njit
        def nb_add(a, b):
            return a + b
        nb_add(1, 2)
        ctx.add('numba', 'njit_dispatcher', lambda: nb_add, ['p4'], label=CODE)
    except Exception as e:
        ctx.note('numba', '*', '-', 'not available: %s: %s' % (type(e).__name__, e))
    try:
        import joblib  # noqa: F401
        import cloudpickle  # noqa: F401
        # joblib.dump of a wrapped lambda: joblib's own cloudpickle wrapper (as used by joblib.Parallel)
        from joblib.externals.loky import wrap_non_picklable_objects
        ctx.add('joblib', 'wrapped_lambda', lambda: wrap_non_picklable_objects(lam), ['joblib'], label=CODE)
    except Exception as e:
        ctx.note('joblib', 'wrapped_lambda', '-', 'not available: %s: %s' % (type(e).__name__, e))
