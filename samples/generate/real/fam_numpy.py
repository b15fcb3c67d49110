"""numpy: arrays of many dtypes, masked arrays, matrices, scalars, random state, ufuncs, dtypes;
pickle.dump at several protocols, np.save / np.savez / np.savez_compressed."""

P = ['p2', 'p4', 'p5']
PALL = ['p0', 'p2', 'p3', 'p4', 'p5']


def generate(ctx):
    try:
        import numpy as np
    except ImportError as e:
        ctx.note('numpy', '*', '-', 'not importable: %s' % e)
        return
    np2 = int(np.__version__.split('.')[0]) >= 2
    add = lambda name, build, savers=P: ctx.add('numpy', name, build, savers)

    add('arr_float64', lambda: np.linspace(0, 1, 12).reshape(3, 4), PALL)
    add('arr_int', lambda: [np.arange(6, dtype=t) for t in ('i1', 'i2', 'i4', 'i8', 'u1', 'u2', 'u4', 'u8')], PALL)
    add('arr_float_kinds', lambda: [np.ones(3, dtype=t) for t in ('f2', 'f4', 'f8', 'g')])
    add('arr_complex', lambda: [np.array([1 + 2j, 3 - 4j], dtype=t) for t in ('c8', 'c16', 'G')])
    add('arr_bool', lambda: np.array([True, False, True]), PALL)
    add('arr_str_bytes', lambda: [np.array(['a', 'bcd', 'é']), np.array([b'x', b'yz']), np.array([b'\x00' * 8], dtype='V8')], PALL)
    add('arr_object', lambda: np.array([1, 'two', None, [3], {'four': 4}], dtype=object), PALL)
    add('arr_datetime', lambda: [np.array(['2024-01-01T00:00:00', 'NaT'], dtype='datetime64[ns]'),
                                 np.arange('2024-01', '2024-03', dtype='datetime64[D]'), np.array([1, 2], dtype='timedelta64[s]')], PALL)
    add('arr_structured', lambda: np.array([(1, 2.5, b'ab'), (3, 4.5, b'cd')], dtype=[('a', '<i4'), ('b', '<f8'), ('c', 'S2')]), PALL)
    add('arr_nested_struct', lambda: np.zeros(2, dtype=[('pos', '<f4', (3,)), ('meta', [('id', '<u2'), ('ok', '?')])]))
    add('arr_record', lambda: np.rec.array([(1, 'x'), (2, 'y')], dtype=[('n', 'i4'), ('s', 'U1')]), PALL)
    add('arr_bigendian', lambda: np.arange(4, dtype='>i4'))
    add('arr_fortran', lambda: np.asfortranarray(np.arange(12.).reshape(3, 4)))
    add('arr_noncontig', lambda: np.arange(20)[::3])
    add('arr_0d_empty', lambda: [np.array(5.0), np.empty((0, 3)), np.zeros((2, 0, 2), dtype='i8')])
    add('arr_3d', lambda: np.arange(24, dtype='f4').reshape(2, 3, 4))
    add('masked_array', lambda: np.ma.array([1.0, 2.0, 3.0], mask=[False, True, False], fill_value=-1), PALL)
    add('masked_struct', lambda: np.ma.masked_array(np.zeros(2, dtype=[('a', 'i4'), ('b', 'f4')]), mask=[(True, False), (False, False)]))
    add('masked_constant', lambda: [np.ma.masked, np.ma.array([1, 2], mask=np.ma.nomask)])
    add('matrix', lambda: np.matrix([[1, 2], [3, 4]]), PALL)
    add('scalars', lambda: [np.float64(1.5), np.float32(2.5), np.float16(0.5), np.int8(-1), np.uint64(2 ** 63), np.int64(7),
                            np.bool_(True), np.complex128(1j), np.longdouble(3.25), np.str_('s'), np.bytes_(b'b'),
                            np.datetime64('2024-05-01'), np.timedelta64(3, 'h'), np.void(b'\x01\x02')], PALL)
    add('struct_scalar', lambda: np.array([(1, 2.0)], dtype=[('a', 'i4'), ('b', 'f8')])[0])
    add('dtypes', lambda: [np.dtype('f8'), np.dtype('>u2'), np.dtype([('x', 'f4'), ('y', 'i8')]), np.dtype('M8[ms]'),
                           np.dtype('U10'), np.dtype(object), np.dtype(('f4', (2, 2)))], PALL)
    add('ufuncs', lambda: [np.add, np.sin, np.logical_and, np.matmul, np.isnan], PALL)
    add('numpy_functions', lambda: [np.mean, np.sum, np.linalg.norm, np.fft.fft])
    add('random_state', lambda: np.random.RandomState(42), PALL)
    add('random_generator_pcg64', lambda: np.random.default_rng(123), PALL)
    add('bit_generators', lambda: [np.random.MT19937(1), np.random.Philox(2), np.random.SFC64(3), np.random.PCG64(4)])
    add('generator_mt19937', lambda: np.random.Generator(np.random.MT19937(7)))
    add('pcg64dxsm', lambda: np.random.Generator(np.random.PCG64DXSM(5)))
    add('seed_sequence', lambda: np.random.SeedSequence(2024, spawn_key=(1, 2)))
    add('polynomials', lambda: [np.polynomial.Polynomial([1, 2, 3]), np.polynomial.Chebyshev([0, 1]),
                                np.polynomial.Legendre([1]), np.polynomial.Hermite([1, 0, 1])])
    add('poly1d', lambda: np.poly1d([1, -3, 2]))
    add('finfo_iinfo', lambda: [np.finfo(np.float32), np.iinfo(np.int16)], ['p2', 'p4'])
    add('chararray', lambda: np.char.array(['ab', 'cde']))
    add('memmap_view', lambda: _memmap(np))
    add('errstate_dict', lambda: {'settings': np.geterr(), 'printopts': np.get_printoptions()})
    add('nditer_index', lambda: [np.s_[1:3, ::2], np.index_exp[0]], ['p2', 'p4'])
    add('mixed_container', lambda: {'weights': np.ones((2, 2), dtype='f4'), 'bias': np.zeros(2), 'step': np.int64(10),
                                    'lr': np.float32(0.01), 'names': np.array(['w', 'b'])}, PALL)
    if np2:
        add('stringdtype', lambda: np.array(['short', 'a much longer string ' * 3, ''], dtype=np.dtypes.StringDType()))
        add('stringdtype_na', lambda: np.array(['x', None], dtype=np.dtypes.StringDType(na_object=None)))
        add('dtype_classes', lambda: [np.dtypes.Float64DType(), np.dtypes.StringDType(), np.dtypes.Int32DType],
            ['p2', 'p4', 'p5'])

    # np.save / np.savez / np.savez_compressed (object arrays need allow_pickle)
    npy = lambda name, build: ctx.add('numpy', name, build, ['npy'])
    npy('npy_object', lambda: np.array([{'a': 1}, [1, 2], 'x', None], dtype=object))
    npy('npy_object_2d', lambda: np.array([[np.float64(1), 'b'], [(1, 2), {3}]], dtype=object))
    npy('npy_object_datetime', lambda: np.array([__import__('datetime').date(2024, 1, 1), __import__('decimal').Decimal('1.1')], dtype=object))
    npy('npy_float', lambda: np.arange(10, dtype='f8'))
    npy('npy_structured', lambda: np.zeros(3, dtype=[('a', 'i4'), ('b', 'U3')]))
    npy('npy_object_struct', lambda: np.array([(1, {'k': 'v'})], dtype=[('i', 'i4'), ('o', 'O')]))
    npy('npy_masked_fill', lambda: np.ma.array([1, 2, 3], mask=[0, 1, 0]).filled(0))
    if np2:
        npy('npy_stringdtype', lambda: np.array(['a', 'bb'], dtype=np.dtypes.StringDType()))
    for sv in ('npz', 'npz-c'):
        ctx.add('numpy', 'npz_mixed', lambda: {'x': np.arange(5), 'obj': np.array([None, {'a': [1]}], dtype=object),
                                               's': np.array('text'), 'dt': np.array(['2020-01-01'], dtype='M8[D]')}, [sv])
        ctx.add('numpy', 'npz_numeric', lambda: {'a': np.eye(3), 'b': np.ones(4, dtype='i2')}, [sv])
        ctx.add('numpy', 'npz_objects_only', lambda: {'cfg': np.array({'lr': 0.1, 'layers': [3, 4]}, dtype=object),
                                                      'names': np.array(['a', 1, None], dtype=object)}, [sv])


def _memmap(np):
    import tempfile
    import os
    fd, path = tempfile.mkstemp()
    os.close(fd)
    m = np.memmap(path, dtype='f4', mode='w+', shape=(4,))
    m[:] = 1
    arr = m[1:3]
    os.unlink(path)
    return arr
