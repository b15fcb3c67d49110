"""pandas: DataFrames, Series, Index types, extension dtypes; DataFrame/Series.to_pickle with every
compression pandas supports (None, gzip, bz2, xz, zip, zstd, tar), read back with pd.read_pickle;
also plain pickle.dump and joblib.dump of a frame."""


def generate(ctx):
    try:
        import numpy as np
        import pandas as pd
    except ImportError as e:
        ctx.note('pandas', '*', '-', 'not importable: %s' % e)
        return
    add = lambda name, build, savers=('pd-none',): ctx.add('pandas', name, build, list(savers))
    idx = pd.date_range('2024-01-01', periods=6, freq='D')

    def frame():
        return pd.DataFrame({'i': np.arange(6), 'f': np.linspace(0, 1, 6), 's': list('abcdef'),
                             'b': [True, False] * 3, 't': idx, 'c': pd.Categorical(list('xyxyxz'))})

    add('dataframe_basic', frame, ['pd-none', 'pd-gzip', 'pd-bz2', 'pd-xz', 'pd-zip', 'pd-zstd', 'pd-tar', 'pd-none-p2', 'pd-none-p4', 'p2', 'p4', 'p5', 'joblib', 'joblib-c3'])
    add('series_float', lambda: pd.Series([1.5, np.nan, 3.0], index=['a', 'b', 'c'], name='x'), PANDAS_ALL + ['pd-none-p2', 'p4'])
    add('series_datetime_tz', lambda: pd.Series(pd.date_range('2024-03-30', periods=4, freq='h', tz='Europe/Paris')), ['pd-none', 'pd-gzip', 'p4'])
    add('series_period', lambda: pd.Series(pd.period_range('2024-01', periods=4, freq='M')), ['pd-none', 'pd-xz'])
    add('series_interval', lambda: pd.Series(pd.interval_range(0, 5)), ['pd-none', 'pd-bz2'])
    add('series_timedelta', lambda: pd.Series(pd.to_timedelta([1, 2, 3], unit='s')), ['pd-none'])
    add('series_sparse', lambda: pd.Series(pd.arrays.SparseArray([0, 0, 1, 0, 2])), ['pd-none', 'pd-zip'])
    add('series_nullable', lambda: pd.DataFrame({'Int64': pd.array([1, None, 3], dtype='Int64'), 'UInt8': pd.array([1, 2, None], dtype='UInt8'),
                                                 'boolean': pd.array([True, None, False], dtype='boolean'),
                                                 'Float32': pd.array([1.5, None, 2], dtype='Float32'),
                                                 'string': pd.array(['a', None, 'c'], dtype='string')}), ['pd-none', 'pd-zstd', 'p4'])
    add('categorical_ordered', lambda: pd.Categorical(['lo', 'hi', 'mid', 'lo'], categories=['lo', 'mid', 'hi'], ordered=True), ['pd-none-p4'] if False else ['p2', 'p4'])
    add('multiindex_frame', lambda: pd.DataFrame(np.arange(8).reshape(4, 2), index=pd.MultiIndex.from_product([['a', 'b'], [1, 2]], names=['k', 'n']),
                                                 columns=pd.MultiIndex.from_tuples([('x', 'u'), ('x', 'v')])), ['pd-none', 'pd-gzip', 'p2'])
    add('index_types', lambda: [pd.Index([1, 2, 3]), pd.Index(['a', 'b']), pd.RangeIndex(0, 10, 2), pd.DatetimeIndex(idx),
                                pd.TimedeltaIndex(['1 day', '2 days']), pd.PeriodIndex(['2024Q1', '2024Q2'], freq='Q'),
                                pd.IntervalIndex.from_breaks([0, 1, 2]), pd.CategoricalIndex(['a', 'b', 'a']),
                                pd.Index([1.5, 2.5]), pd.Index([True, False], dtype=object)], ['p2', 'p4', 'p5'])
    add('scalars', lambda: [pd.Timestamp('2024-01-01 12:00', tz='UTC'), pd.Timestamp('2020-02-02'), pd.Timedelta('3h'),
                            pd.Period('2024-05', freq='M'), pd.Interval(0, 1, closed='left'), pd.NaT, pd.NA,
                            pd.offsets.BDay(2), pd.offsets.MonthEnd(), pd.DateOffset(months=1)], ['p2', 'p4', 'p5'])
    add('dataframe_tz_period', lambda: pd.DataFrame({'ts': pd.date_range('2024-01-01', periods=3, tz='US/Eastern'),
                                                     'p': pd.period_range('2024', periods=3, freq='Y'),
                                                     'iv': pd.IntervalIndex.from_breaks([0, 1, 2, 3])}), ['pd-none', 'pd-bz2'])
    add('dataframe_object_mixed', lambda: pd.DataFrame({'o': [{'a': 1}, [1, 2], None], 'd': [__import__('decimal').Decimal('1.1')] * 3}), ['pd-none', 'p4'])
    add('dataframe_wide_float32', lambda: pd.DataFrame(np.random.RandomState(0).rand(20, 8).astype('f4'), columns=list('abcdefgh')), ['pd-none', 'pd-xz'])
    add('dataframe_attrs_flags', lambda: _attrs(pd), ['pd-none'])
    add('groupby_result', lambda: frame().groupby('c', observed=False)['f'].agg(['mean', 'sum']), ['pd-none'])
    add('pivot_table', lambda: frame().pivot_table(index='c', columns='b', values='f', aggfunc='mean', observed=False), ['pd-none'])
    add('resample_result', lambda: frame().set_index('t')['f'].resample('2D').mean(), ['pd-none'])
    add('rolling_frame', lambda: frame()[['i', 'f']].rolling(2).mean(), ['pd-gzip'])
    add('dtypes_objects', lambda: [pd.CategoricalDtype(['a', 'b'], ordered=True), pd.DatetimeTZDtype(tz='UTC'), pd.PeriodDtype('D'),
                                   pd.IntervalDtype('int64'), pd.SparseDtype('float', 0.0), pd.Int64Dtype(), pd.StringDtype(),
                                   pd.BooleanDtype()], ['p2', 'p4'])
    add('extension_arrays', lambda: [pd.array([1, 2], dtype='Int32'), pd.arrays.IntervalArray.from_breaks([0, 1, 2]),
                                     pd.arrays.DatetimeArray._from_sequence(idx) if hasattr(pd.arrays.DatetimeArray, '_from_sequence') else None,
                                     pd.array(['x'], dtype='string')], ['p4'])
    add('series_categorical_int', lambda: pd.Series([1, 2, 1], dtype='category'), ['pd-none-p2'])
    add('styler_free_csv_roundtrip', lambda: pd.read_csv(__import__('io').StringIO('a,b\n1,x\n2,y\n')), ['pd-none'])
    add('npy_of_frame_values', lambda: frame().values, ['npy'])


def _attrs(pd):
    df = pd.DataFrame({'a': [1, 2]})
    df.attrs['source'] = 'sensor-7'
    return df


PANDAS_ALL = ['pd-none', 'pd-gzip', 'pd-bz2', 'pd-xz', 'pd-zip', 'pd-zstd', 'pd-tar']
