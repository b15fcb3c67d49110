"""Benign samples: plain values at protocols 0..5 and common framework shapes, all safe."""
import collections
import datetime
import decimal
import pickle
import struct
import sys
import types

from builder import P, framed
from common import add


def values():
    """One composite of every plain value type."""
    shared = ['shared', 1]
    return {
        'ints': [0, 1, -1, 255, 256, 65535, 65536, 2**31 - 1, -2**31, 2**31, 2**63, -2**63 - 1,
                 2**200, -(3**150)],
        'floats': [0.0, -0.0, 1.5, -2.25, 1e308, 5e-324, float('inf'), float('-inf'), float('nan')],
        'strs': ['', 'plain', 'quote \' " and \\ backslash', 'nl\nnul\x00tab\t', 'unicode \u00e9\u20ac\U0001f600',
                 'x' * 300],
        'bytes': [b'', b'abc', bytes(range(256))],
        'bytearray': bytearray(b'\x00\x01mutable'),
        'tuples': [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4)],
        'lists': [[], [1], list(range(20))],
        'dicts': [{}, {'a': 1}, {i: str(i) for i in range(12)}],
        'sets': [set(), {1, 2, 3}, frozenset(), frozenset({'a'})],
        'singletons': [None, True, False],
        'nested': {'a': [{'b': ({'c': [1, (2, [3])]},)}]},
        'memo': [shared, shared, (shared,)],
    }


def recursive_list():
    a = [1, 2]
    a.append(a)
    return a


def recursive_dict():
    d = {'k': 1}
    d['self'] = d
    return d


def deep(n):
    x = 'leaf'
    for i in range(n):
        x = [x] if i % 2 else (x,)
    return x


# -- numpy-shaped pickles, built op by op (no numpy needed) -------------------
# Byte-identical to what numpy's __reduce__ + CPython's pickler write (checked
# against numpy 2.x for the numpy._core spelling).


class _W:
    """Op writer with pickle's memo discipline: PUT/MEMOIZE every object once, GET on reuse."""

    def __init__(self, proto):
        self.p = P()
        self.proto = proto
        self.next = 0
        self.strings = {}
        self.globals = {}

    def memo(self):
        if self.proto >= 4:
            self.p.memoize()
        else:
            self.p.binput(self.next)
        self.next += 1
        return self.next - 1

    def s(self, text):
        if text in self.strings:
            self.p.binget(self.strings[text])
            return
        if self.proto >= 4 and len(text.encode('utf-8')) < 256:
            self.p.short_binunicode(text)
        else:
            self.p.binunicode(text)
        self.strings[text] = self.memo()

    def g(self, module, name):
        if (module, name) in self.globals:
            self.p.binget(self.globals[(module, name)])
            return
        if self.proto >= 4:
            self.s(module)
            self.s(name)
            self.p.stack_global()
        else:
            self.p.global_(module, name)
        self.globals[(module, name)] = self.memo()

    def raw_bytes(self, data):
        if self.proto >= 3:
            self.p.b(data)
            self.memo()
        else:
            self.g('_codecs', 'encode')
            self.s(data.decode('latin-1'))
            self.s('latin1')
            self.p.tuple2()
            self.memo()
            self.p.reduce()
            self.memo()

    def dtype_f8(self):
        self.g('numpy', 'dtype')
        self.s('f8')
        self.p.false().true().tuple3()
        self.memo()
        self.p.reduce()
        self.memo()
        self.p.mark().int(3)
        self.s('<')
        self.p.none().none().none().binint(-1).binint(-1).int(0).tuple()
        self.memo()
        self.p.build()

    def finish(self):
        self.p.stop()
        if self.proto >= 4:
            return framed(self.p.bytes(), self.proto)
        return b'\x80' + bytes([self.proto]) + self.p.bytes()


def numpy_array(proto, values=(1.0, 2.0, 3.0), core='numpy.core.multiarray'):
    raw = b''.join(struct.pack('<d', v) for v in values)
    w = _W(proto)
    w.g(core, '_reconstruct')
    w.g('numpy', 'ndarray')
    w.p.int(0).tuple1()
    w.memo()
    w.raw_bytes(b'b')
    w.p.tuple3()
    w.memo()
    w.p.reduce()
    w.memo()
    w.p.mark().int(1).int(len(values)).tuple1()
    w.memo()
    w.dtype_f8()
    w.p.false()
    w.raw_bytes(raw)
    w.p.tuple()
    w.memo()
    w.p.build()
    return w.finish()


def numpy_scalar(proto, value=2.5, core='numpy.core.multiarray'):
    w = _W(proto)
    w.g(core, 'scalar')
    w.dtype_f8()
    w.raw_bytes(struct.pack('<d', value))
    w.p.tuple2()
    w.memo()
    w.p.reduce()
    w.memo()
    return w.finish()


def torch_data_pkl():
    """PyTorch zip-format data.pkl of a state_dict {'weight': FloatTensor 2x2} (protocol 2)."""
    b = P().proto(2)
    b.global_('collections', 'OrderedDict').binput(0).empty_tuple().reduce().binput(1)
    b.mark()
    b.binunicode('weight').binput(2)
    b.global_('torch._utils', '_rebuild_tensor_v2').binput(3)
    b.mark()
    b.mark().binunicode('storage').binput(4).global_('torch', 'FloatStorage').binput(5)
    b.binunicode('0').binput(6).binunicode('cpu').binput(7).int(4).tuple().binput(8).binpersid()
    b.int(0).int(2).int(2).tuple2().binput(9).int(2).int(1).tuple2().binput(10).false()
    b.binget(0).empty_tuple().reduce().binput(11).tuple().binput(12).reduce().binput(13)
    b.setitems()
    b.empty_dict().binput(14).binunicode('_metadata').binput(15)
    b.binget(0).empty_tuple().reduce().binput(16).binunicode('').binput(17)
    b.empty_dict().binput(18).binunicode('version').binput(19).int(1).setitem().setitem()
    b.setitem().build().stop()
    return b.bytes()


def _fake_module(name, **attrs):
    mod = types.ModuleType(name)
    for k, v in attrs.items():
        if isinstance(v, type):
            v.__module__ = name
        setattr(mod, k, v)
    sys.modules[name] = mod
    return mod


def sklearn_like(proto):
    """LinearRegression-like estimator: class in a stand-in sklearn module, plain __dict__."""
    class LinearRegression(object):
        pass
    LinearRegression.__qualname__ = 'LinearRegression'
    fakes = ['sklearn', 'sklearn.linear_model', 'sklearn.linear_model._base']
    for name in fakes[:-1]:
        _fake_module(name)
    _fake_module(fakes[-1], LinearRegression=LinearRegression)
    try:
        est = LinearRegression()
        est.__dict__.update([('fit_intercept', True), ('copy_X', True), ('n_jobs', None), ('positive', False),
                             ('n_features_in_', 2), ('coef_', [0.5, -1.25]), ('rank_', 2),
                             ('singular_', [1.4142135623730951, 0.7071067811865476]),
                             ('intercept_', 3.0), ('_sklearn_version', '1.3.0')])
        return pickle.dumps(est, proto)
    finally:
        for name in fakes:
            del sys.modules[name]


def generate():
    cat = 'benign'
    for p in range(6):
        add('benign/values_p%d.pkl' % p, pickle.dumps(values(), p), cat, 'values-p%d' % p,
            'Every plain Python value type (ints, floats incl. inf/nan, str, bytes, containers, sets) at protocol %d.' % p)
    singles = [
        ('ints_big_negative_p2', [2**64, -2**64, 2**1000, -1, -129, 10**30], 2, 'Big and negative integers (LONG1) at protocol 2.'),
        ('ints_big_negative_p0', [2**64, -2**64, -1, 123456789012345678901234567890], 0, 'Big and negative integers as protocol-0 INT/LONG lines.'),
        ('floats_special_p0', [float('inf'), float('-inf'), float('nan'), -0.0, 1e-310], 0, 'inf, -inf, nan, -0.0 and a subnormal as protocol-0 FLOAT lines.'),
        ('floats_special_p4', [float('inf'), float('-inf'), float('nan'), -0.0, 1e-310], 4, 'inf, -inf, nan, -0.0 and a subnormal as BINFLOAT.'),
        ('str_escapes_p0', ['a\\b', 'line\nbreak', 'nul\x00', '\r\x1a', 'caf\u00e9 \u2603'], 0, 'Strings needing raw-unicode-escape in protocol-0 UNICODE lines.'),
        ('str_unicode_p3', ['\u00e9\u20ac\U0001f600', 'y' * 70000, ''], 3, 'Non-ASCII and long strings as BINUNICODE.'),
        ('bytes_p3', [b'', b'\x00\xff' * 10, b'z' * 300], 3, 'bytes values as SHORT_BINBYTES/BINBYTES at protocol 3.'),
        ('bytearray_p5', [bytearray(b'abc'), bytearray(b'\x00' * 40)], 5, 'bytearray values as BYTEARRAY8 at protocol 5.'),
        ('sets_p4', [set(), {1, 2}, frozenset({'a', 'b'}), frozenset()], 4, 'set and frozenset via EMPTY_SET/ADDITEMS/FROZENSET.'),
        ('sets_p2', [{1, 2}, frozenset({3})], 2, 'set and frozenset at protocol 2 (builtins set/frozenset REDUCE).'),
        ('singletons_p1', [None, True, False, (), [], {}], 1, 'None/True/False and empty containers at protocol 1.'),
        ('nested_deep_p3', deep(60), 3, 'Sixty levels of alternating list/tuple nesting.'),
        ('recursive_list_p0', recursive_list(), 0, 'A list containing itself (memo GET before the list is complete).'),
        ('recursive_list_p2', recursive_list(), 2, 'A list containing itself at protocol 2.'),
        ('recursive_dict_p4', recursive_dict(), 4, 'A dict containing itself at protocol 4 (MEMOIZE).'),
        ('ordereddict_p2', collections.OrderedDict([('b', 1), ('a', [2])]), 2, 'collections.OrderedDict at protocol 2.'),
        ('ordereddict_p4', collections.OrderedDict([('b', 1), ('a', [2])]), 4, 'collections.OrderedDict at protocol 4.'),
        ('datetime_p2', [datetime.datetime(2024, 2, 29, 12, 30, 45, 123456), datetime.date(1999, 12, 31),
                         datetime.timedelta(days=3, seconds=7)], 2, 'datetime, date and timedelta at protocol 2.'),
        ('datetime_p4', [datetime.datetime(2024, 2, 29, 12, 30, 45), datetime.time(23, 59)], 4, 'datetime and time at protocol 4.'),
        ('decimal_p2', [decimal.Decimal('3.14159'), decimal.Decimal('-1E+10')], 2, 'decimal.Decimal at protocol 2.'),
        ('decimal_p4', [decimal.Decimal('0.1'), decimal.Decimal('NaN')], 4, 'decimal.Decimal at protocol 4.'),
        ('complex_p2', [complex(1, -2), 3j], 2, 'complex at protocol 2 (NEWOBJ builtins complex).'),
        ('complex_p0', [complex(1.5, 2)], 0, 'complex at protocol 0 (copy_reg _reconstructor).'),
        ('complex_p4', [complex(0, 1)], 4, 'complex at protocol 4.'),
        ('memo_shared_p1', values()['memo'], 1, 'One list referenced three times through the memo (BINPUT/BINGET).'),
        ('bytes_codecs_p2', [b'\x00\x01\xfe\xff binary', b'plain'], 2, 'Protocol-2 bytes values written as _codecs.encode(latin-1 str).'),
    ]
    for name, value, proto, desc in singles:
        add('benign/%s.pkl' % name, pickle.dumps(value, proto), cat, name.replace('_', '-'), desc)
    # Memo sharing at protocol 4 built with explicit MEMOIZE/BINGET.
    add('benign/memo_shared_p4.pkl', pickle.dumps(values()['memo'], 4), cat, 'memo-shared-p4',
        'Shared list through MEMOIZE/BINGET at protocol 4.')
    add('benign/numpy_array_p2.pkl', numpy_array(2), cat, 'numpy-array-p2',
        'What pickle.dumps(np.array([1.,2.,3.]), 2) writes: numpy.core.multiarray _reconstruct, numpy ndarray, numpy dtype, _codecs encode.')
    add('benign/numpy_array_p4.pkl', numpy_array(4), cat, 'numpy-array-p4',
        'What pickle.dumps(np.array([1.,2.,3.]), 4) writes (numpy < 2 module names).')
    add('benign/numpy2_array_p4.pkl', numpy_array(4, core='numpy._core.multiarray'), cat, 'numpy2-array-p4',
        'numpy >= 2 spelling numpy._core.multiarray _reconstruct at protocol 4.')
    add('benign/numpy2_array_p2.pkl', numpy_array(2, (0.5, -0.5), core='numpy._core.multiarray'), cat, 'numpy2-array-p2',
        'numpy >= 2 spelling at protocol 2.')
    add('benign/numpy_scalar_p2.pkl', numpy_scalar(2), cat, 'numpy-scalar-p2',
        'numpy.float64 scalar: numpy.core.multiarray scalar(dtype, _codecs.encode bytes) at protocol 2.')
    add('benign/numpy_scalar_p4.pkl', numpy_scalar(4), cat, 'numpy-scalar-p4',
        'numpy.float64 scalar: numpy.core.multiarray scalar(dtype, bytes) at protocol 4.')
    add('benign/torch_state_dict_data.pkl', torch_data_pkl(), cat, 'torch-data-pkl',
        'PyTorch data.pkl: OrderedDict state_dict, _rebuild_tensor_v2 and a FloatStorage persistent id, protocol 2.')
    add('benign/sklearn_linear_regression_p1.pkl', sklearn_like(1), cat, 'sklearn-reconstructor',
        'sklearn-like LinearRegression via copy_reg _reconstructor + BUILD dict (protocol 1).')
    add('benign/sklearn_linear_regression_p4.pkl', sklearn_like(4), cat, 'sklearn-newobj',
        'sklearn-like LinearRegression via NEWOBJ + BUILD dict (protocol 4).')
    stacked = pickle.dumps({'a': 1}, 2) + pickle.dumps([1, 2, 3], 4) + pickle.dumps('third', 0)
    add('benign/back_to_back.pkl', stacked, cat, 'stacked-benign',
        'Three benign pickles back to back (protocols 2, 4, 0).')
