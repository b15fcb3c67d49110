/**
 * Globals that benign pickles of plain Python values, numpy, PyTorch, scikit-learn, pandas, scipy,
 * joblib and MXNet use, so that they pass the `default` policy with no warning. Each entry is a class
 * or a reconstructor function whose call builds data and nothing else.
 *
 * `*` in `names` matches undotted names only: a dotted name (a protocol 4 attribute walk) must be
 * listed exactly.
 */
import { MODEL_CLASSES } from '../../machine/lmfit';
import type { PolicyRule } from '../schema';
import { BUILTIN_EXCEPTIONS, STDLIB_ENUM_MEMBERS, STDLIB_ENUMS } from './names';
import { SCIPY_DISTRIBUTIONS, TORCHAUDIO_CLASSES, TORCHVISION_CLASSES } from './reviewed-classes';

const allow = (module: string, names: string[] | '*', reason: string, submodules = false): PolicyRule => ({
  module,
  names,
  action: 'allow',
  reason,
  ...(submodules ? { submodules } : {}),
});

/** Allowed as values only: libraries pickle these by name (functions, ufuncs, constants); calling one while loading is not accepted. */
const reference = (module: string, names: string[] | '*', reason: string, submodules = false): PolicyRule => ({ ...allow(module, names, reason, submodules), use: 'reference' });

const STRUCT_SEQUENCES = ['stat_result', 'statvfs_result', 'terminal_size', 'times_result', 'uname_result', 'sched_param', 'waitid_result'];
const PATHS = ['Path', 'PosixPath', 'WindowsPath', 'PurePath', 'PurePosixPath', 'PureWindowsPath'];
/** Built-in functions libraries keep as sort keys and callbacks. */
const KEPT_BUILTINS = ['abs', 'len', 'min', 'max', 'sum', 'round', 'ord', 'chr', 'hash', 'id', 'repr', 'sorted', 'reversed'];
const DECIMAL_SIGNALS = ['DecimalException', 'Clamped', 'InvalidOperation', 'DivisionByZero', 'Inexact', 'Rounded', 'Subnormal', 'Overflow', 'Underflow', 'FloatOperation', 'ConversionSyntax', 'DivisionImpossible', 'DivisionUndefined', 'InvalidContext'];

export const NUMPY_SCALARS = [
  'bool_', 'bool', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'intc', 'uintc', 'int_', 'uint',
  'longlong', 'ulonglong', 'float16', 'float32', 'float64', 'float128', 'longdouble', 'half', 'single', 'double',
  'complex64', 'complex128', 'complex256', 'clongdouble', 'object_', 'str_', 'bytes_', 'unicode_', 'string_', 'void',
  'datetime64', 'timedelta64', 'generic', 'number',
];

export const PYTHON_ALLOW: readonly PolicyRule[] = [
  allow('builtins', ['object', 'set', 'frozenset', 'list', 'dict', 'tuple', 'bytearray', 'bytes', 'complex', 'int', 'float', 'str', 'bool', 'slice', 'range', 'Ellipsis', 'NotImplemented'], 'built-in value types (cost rules bound what their arguments may ask for)'),
  allow('__builtin__', ['object', 'set', 'frozenset', 'list', 'dict', 'tuple', 'bytearray', 'complex', 'int', 'long', 'float', 'str', 'unicode', 'bool', 'slice', 'xrange', 'basestring'], 'built-in value types (Python 2 spelling)'),
  allow('builtins', ['type'], 'type(x) is how pickle rebuilds NoneType, type(Ellipsis) and friends; a guard rejects the class-creating form type(name, bases, dict)'),
  allow('builtins', [...BUILTIN_EXCEPTIONS], 'exception classes: building one stores its arguments'),
  allow('exceptions', [...BUILTIN_EXCEPTIONS], 'exception classes (Python 2 spelling)'),
  allow('functools', ['partial'], 'building a partial runs nothing; calling one is modeled as a call of its function, which is judged'),
  allow('_functools', ['partial'], 'building a partial runs nothing; calling one is modeled as a call of its function, which is judged'),
  allow('operator', ['itemgetter', 'attrgetter', 'methodcaller', 'or_', 'and_', 'xor'], 'building a getter runs nothing (calling one is a call of a call result, which is flagged); or_/and_/xor combine flag members'),
  allow('_operator', ['itemgetter', 'attrgetter', 'methodcaller', 'or_', 'and_', 'xor'], 'building a getter runs nothing (calling one is a call of a call result, which is flagged); or_/and_/xor combine flag members'),
  allow('itertools', ['count'], 'an iterator object; cost rules reject a pickle that makes an allowed constructor consume it'),
  ...Object.entries(STDLIB_ENUMS).map(([m, names]) => allow(m, names.flatMap((n) => [n, `${n}.*`]), 'standard-library enumeration: building one or reading a member looks up a constant')),
  ...Object.entries(STDLIB_ENUM_MEMBERS).map(([m, names]) => reference(m, [...names], 'members of standard-library enumerations exported under their module (signal.SIGTERM, re.IGNORECASE): constants')),
  allow('os', STRUCT_SEQUENCES, 'result tuples of os functions (stat, terminal size): plain values'),
  allow('posix', STRUCT_SEQUENCES, 'result tuples of os functions (platform spelling): plain values'),
  allow('time', ['struct_time'], 'a time tuple: a plain value'),
  reference('builtins', KEPT_BUILTINS, 'built-in functions containers keep as keys and callbacks (a SortedKeyList with key=abs): values, not called while loading'),
  reference('__builtin__', KEPT_BUILTINS, 'built-in functions kept as keys and callbacks (Python 2 spelling): values'),
  reference('time', ['monotonic', 'time', 'perf_counter', 'process_time', 'thread_time'], 'clock functions caches keep as their timer (cachetools TTLCache): values, not called while loading'),
  allow('decimal', ['Context', ...DECIMAL_SIGNALS], 'decimal contexts and their signal classes (the trap table is keyed by them)'),
  allow('urllib.parse', ['ParseResult', 'SplitResult', 'DefragResult', 'ParseResultBytes', 'SplitResultBytes', 'DefragResultBytes'], 'parsed URL tuples: plain values (urlparse.ParseResult in Python 2 pickles)'),
  allow('pathlib._local', PATHS, 'path values (Python 3.13 spelling); their file methods stay denied'),
  allow('copyreg', ['_reconstructor', '__newobj__', '__newobj_ex__'], 'how pickle rebuilds plain instances'),
  allow('copy_reg', ['_reconstructor', '__newobj__', '__newobj_ex__'], 'how pickle rebuilds plain instances (Python 2 spelling)'),
  allow('_codecs', ['encode'], 'protocol 0-2 encoding of bytes'),
  allow('codecs', ['encode'], 'protocol 0-2 encoding of bytes'),
  allow('collections', ['OrderedDict', 'defaultdict', 'deque', 'Counter', 'ChainMap', 'UserDict', 'UserList', 'UserString'], 'container types'),
  allow('datetime', ['datetime', 'date', 'time', 'timedelta', 'timezone', 'tzinfo'], 'date and time values'),
  allow('decimal', ['Decimal'], 'decimal numbers'),
  allow('fractions', ['Fraction'], 'rational numbers'),
  allow('uuid', ['UUID', 'SafeUUID'], 'UUID values'),
  allow('pathlib', PATHS, 'path values; their file methods stay denied'),
  allow('ipaddress', ['IPv4Address', 'IPv6Address', 'IPv4Network', 'IPv6Network', 'IPv4Interface', 'IPv6Interface'], 'address values'),
  allow('argparse', ['Namespace'], 'parsed arguments'),
  allow('types', ['SimpleNamespace'], 'plain namespaces'),
  allow('array', ['array', '_array_reconstructor'], 'typed arrays'),
  allow('re', ['_compile', 'Pattern'], 'compiled regular expressions'),
  allow('zoneinfo', ['ZoneInfo', 'ZoneInfo._unpickle'], 'time zones; ZoneInfo._unpickle(key, from_cache) looks a zone up by its IANA key, which zoneinfo validates'),
  allow('zoneinfo._zoneinfo', ['ZoneInfo', 'ZoneInfo._unpickle'], 'time zones; ZoneInfo._unpickle(key, from_cache) looks a zone up by its IANA key, which zoneinfo validates'),
];

export const NUMPY_ALLOW: readonly PolicyRule[] = [
  reference('numpy', '*', 'numpy functions and ufuncs that objects store by name (FunctionTransformer(func=np.log1p), np.mean): values, never called while loading', true),
  allow('numpy', ['poly1d', 'vectorize', 'finfo', 'iinfo', 'chararray', 'memmap'], 'numpy value classes (memmap only as the class argument of _reconstruct: calling it is denied)'),
  allow('numpy.ma', ['MaskedArray', 'mvoid', 'MaskedConstant', 'masked_array'], 'masked arrays (numpy 2 spelling)'),
  allow('numpy.ma.core', ['mvoid', 'masked_array'], 'masked arrays'),
  allow('numpy.rec', ['recarray', 'record'], 'record arrays (numpy 2 spelling)'),
  allow('numpy._core.records', ['recarray', 'record'], 'record arrays (numpy 2)'),
  allow('numpy.char', ['chararray'], 'character arrays (numpy 2 spelling)'),
  allow('numpy._core.defchararray', ['chararray'], 'character arrays (numpy 2)'),
  allow('numpy.core.defchararray', ['chararray'], 'character arrays'),
  allow('numpy.core.getlimits', ['MachArLike'], 'machine limits held by finfo'),
  allow('numpy._core.getlimits', ['MachArLike'], 'machine limits held by finfo (numpy 2)'),
  allow('numpy._core._internal', ['_convert_to_stringdtype_kwargs'], 'StringDType reconstruction (numpy 2)'),
  allow('numpy.polynomial.polynomial', ['Polynomial'], 'polynomial series'),
  allow('numpy.polynomial.chebyshev', ['Chebyshev'], 'polynomial series'),
  allow('numpy.polynomial.legendre', ['Legendre'], 'polynomial series'),
  allow('numpy.polynomial.hermite', ['Hermite'], 'polynomial series'),
  allow('numpy.polynomial.hermite_e', ['HermiteE'], 'polynomial series'),
  allow('numpy.polynomial.laguerre', ['Laguerre'], 'polynomial series'),
  allow('numpy.random.bit_generator', ['__pyx_unpickle_SeedSequence'], "Cython's unpickler for SeedSequence: checks the layout checksum, then sets the state"),
  allow('numpy', ['ndarray', 'dtype', 'matrix', 'recarray', 'record', ...NUMPY_SCALARS], 'numpy arrays, dtypes and scalar types'),
  allow('numpy.core.multiarray', ['_reconstruct', 'scalar', 'ndarray', 'dtype'], 'numpy array and scalar reconstruction (numpy < 2)'),
  allow('numpy._core.multiarray', ['_reconstruct', 'scalar', 'ndarray', 'dtype'], 'numpy array and scalar reconstruction (numpy >= 2)'),
  allow('numpy.core.numeric', ['_frombuffer'], 'protocol 5 arrays (numpy < 2)'),
  allow('numpy._core.numeric', ['_frombuffer'], 'protocol 5 arrays (numpy >= 2)'),
  allow('numpy.core.records', ['recarray', 'record'], 'record arrays'),
  allow('numpy.ma.core', ['MaskedArray', '_mareconstruct', 'MaskedConstant'], 'masked arrays'),
  allow('numpy.dtypes', '*', 'dtype classes (numpy >= 1.25)'),
  allow('numpy.random._pickle', ['__randomstate_ctor', '__bit_generator_ctor', '__generator_ctor'], 'random generator state'),
  allow('numpy.random.mtrand', ['RandomState'], 'random generator state'),
  allow('numpy.random._generator', ['Generator'], 'random generator state'),
  allow('numpy.random._mt19937', ['MT19937'], 'random generator state'),
  allow('numpy.random._pcg64', ['PCG64', 'PCG64DXSM'], 'random generator state'),
  allow('numpy.random._philox', ['Philox'], 'random generator state'),
  allow('numpy.random._sfc64', ['SFC64'], 'random generator state'),
  allow('numpy.random.bit_generator', ['BitGenerator', 'SeedSequence', 'SeedlessSeedSequence'], 'random generator state'),
];

const TORCH_STORAGES = [
  'FloatStorage', 'DoubleStorage', 'HalfStorage', 'BFloat16Storage', 'LongStorage', 'IntStorage', 'ShortStorage',
  'CharStorage', 'ByteStorage', 'BoolStorage', 'ComplexFloatStorage', 'ComplexDoubleStorage', 'QUInt8Storage',
  'QInt8Storage', 'QInt32Storage', 'QUInt4x2Storage', 'QUInt2x4Storage', 'UntypedStorage', 'TypedStorage',
];
const TORCH_DTYPES = [
  'float16', 'float32', 'float64', 'bfloat16', 'half', 'float', 'double', 'int8', 'int16', 'int32', 'int64', 'uint8',
  'uint16', 'uint32', 'uint64', 'short', 'int', 'long', 'bool', 'complex32', 'complex64', 'complex128', 'cfloat',
  'cdouble', 'qint8', 'quint8', 'qint32', 'quint4x2', 'quint2x4', 'float8_e4m3fn', 'float8_e5m2', 'float8_e4m3fnuz',
  'float8_e5m2fnuz',
];

export const TORCH_ALLOW: readonly PolicyRule[] = [
  allow('torch._utils', [
    '_rebuild_tensor', '_rebuild_tensor_v2', '_rebuild_tensor_v3', '_rebuild_parameter', '_rebuild_parameter_with_state',
    '_rebuild_qtensor', '_rebuild_sparse_tensor', '_rebuild_sparse_csr_tensor', '_rebuild_nested_tensor', '_rebuild_device_tensor_from_numpy',
    '_rebuild_meta_tensor_no_storage', '_rebuild_wrapper_subclass', '_rebuild_device_tensor_from_cpu_tensor', '_rebuild_xla_tensor',
  ], 'PyTorch tensor reconstruction'),
  allow('torch._tensor', ['_rebuild_from_type', '_rebuild_from_type_v2', 'Tensor'], 'PyTorch tensor reconstruction'),
  allow('torch', [...TORCH_STORAGES, ...TORCH_DTYPES, 'Size', 'device', 'dtype', 'layout', 'strided', 'sparse_coo', 'sparse_csr', 'memory_format', 'contiguous_format', 'channels_last', 'channels_last_3d', 'preserve_format', 'per_tensor_affine', 'per_channel_affine', 'per_tensor_symmetric', 'per_channel_symmetric', 'Tensor', 'finfo', 'iinfo'], 'PyTorch storages, dtypes and tensor metadata'),
  allow('torch.storage', ['TypedStorage', 'UntypedStorage', '_StorageBase'], 'PyTorch storages'),
  allow('torch.nn.parameter', ['Parameter', 'UninitializedParameter', 'Buffer'], 'PyTorch parameters'),
  allow('torch.nn.modules', '*', 'PyTorch layer classes (whole-model pickles)', true),
  allow('torch.nn.utils.parametrize', ['ParametrizationList'], 'PyTorch parametrizations'),
  allow('torch.optim', '*', 'PyTorch optimizer classes', true),
  allow('torch.serialization', ['_get_layout'], 'looks a tensor layout up by name among torch\'s own layout objects (sparse tensors)'),
  allow('torch.return_types', '*', 'named result tuples of torch functions (torch.return_types.max): plain values'),
  allow('torch.torch_version', ['TorchVersion'], 'a version string'),
  allow('torch', ['ScriptObject'], "TorchScript custom-class objects (quantized packed parameters); a BUILD guard admits only torch's own quantized classes"),
  allow('torch.nn.utils.rnn', ['PackedSequence'], 'packed sequences: a named tuple of tensors'),
  allow('torch.nn.utils.prune', '*', 'pruning methods held by pruned modules (forward pre-hooks of torch\'s own classes)'),
  allow('torch.nn.utils.weight_norm', ['WeightNorm'], 'weight normalisation held by a module'),
  allow('torch.nn.utils.spectral_norm', ['SpectralNorm', 'SpectralNormStateDictHook', 'SpectralNormLoadStateDictPreHook'], 'spectral normalisation held by a module'),
  allow('torch.utils.data.dataset', ['Dataset', 'IterableDataset', 'TensorDataset', 'StackDataset', 'ConcatDataset', 'ChainDataset', 'Subset'], 'dataset containers over tensors'),
  allow('torch.utils.data.sampler', ['Sampler', 'SequentialSampler', 'RandomSampler', 'SubsetRandomSampler', 'WeightedRandomSampler', 'BatchSampler'], 'index samplers'),
  allow('torch.distributions', '*', 'probability distributions, constraints and transforms over tensors', true),
  reference('torch.nn.functional', '*', 'activation functions that modules store (TransformerEncoderLayer.activation = F.relu): values'),
  allow('torch.ao.nn', '*', 'quantized, QAT and fused module classes (whole-model pickles)', true),
  allow('torch.nn.quantized', '*', 'quantized module classes (old spelling)', true),
  allow('torch.nn.intrinsic', '*', 'fused module classes (old spelling)', true),
  allow('torch.nn.qat', '*', 'quantization-aware module classes (old spelling)', true),
  allow('torch.optim.lr_scheduler', ['OneCycleLR._annealing_cos', 'OneCycleLR._annealing_linear', 'SWALR._linear_anneal', 'SWALR._cosine_anneal', 'CyclicLR._triangular_scale_fn', 'CyclicLR._triangular2_scale_fn', 'CyclicLR._exp_range_scale_fn'], 'annealing and scale functions schedulers keep as bound methods (pure arithmetic)'),
  allow('torch.optim.swa_utils', ['SWALR._linear_anneal', 'SWALR._cosine_anneal'], 'annealing functions SWALR keeps (pure arithmetic)'),
  allow('torch.cuda.amp.grad_scaler', ['GradScaler'], 'mixed-precision scaler state'),
  allow('torch.amp.grad_scaler', ['GradScaler'], 'mixed-precision scaler state'),
];

export const SKLEARN_ALLOW: readonly PolicyRule[] = [
  allow('sklearn', '*', 'scikit-learn estimator classes and their helper types', true),
  allow('scipy.sparse', '*', 'sparse matrices', true),
  allow('scipy.sparse._csr', '*', 'sparse matrices'),
  // reconstructors scikit-learn's pickles call (REDUCE), listed exactly although sklearn.* covers them: a call
  // of a wildcard-allowed name is checked against the catalogue, which would load sklearn's for every model
  allow('sklearn.tree._tree', ['Tree'], "decision-tree structure: rebuilt from its sizes, then its node and value arrays (catalogued safe)"),
  allow('sklearn.metrics._dist_metrics', ['newObj', ...['Euclidean', 'SEuclidean', 'Manhattan', 'Chebyshev', 'Minkowski', 'Mahalanobis', 'Hamming', 'Canberra', 'BrayCurtis', 'Jaccard', 'Matching', 'Dice', 'Kulsinski', 'RogersTanimoto', 'RussellRao', 'SokalMichener', 'SokalSneath', 'Haversine'].flatMap((n) => [`${n}Distance`, `${n}Distance32`, `${n}Distance64`])], 'distance metrics and their reconstructor (Cython; catalogued safe; PyFuncDistance, which calls a function, is left to sklearn.*)'),
  allow('sklearn.neighbors._kd_tree', ['newObj', 'KDTree', 'KDTree64', 'KDTree32'], 'KD-tree and its reconstructor (Cython; catalogued safe)'),
  allow('sklearn.neighbors._ball_tree', ['newObj', 'BallTree', 'BallTree64', 'BallTree32'], 'ball tree and its reconstructor (Cython; catalogued safe)'),
  allow('sklearn._loss._loss', ['CyAbsoluteError', 'CyExponentialLoss', 'CyHalfBinomialLoss', 'CyHalfGammaLoss', 'CyHalfMultinomialLoss', 'CyHalfPoissonLoss', 'CyHalfSquaredError', 'CyHalfTweedieLoss', 'CyHalfTweedieLossIdentity', 'CyHuberLoss', 'CyPinballLoss'], 'loss classes handed to their Cython reconstructors (catalogued safe)'),
  allow('sklearn._loss._loss', ['__pyx_unpickle_CyAbsoluteError', '__pyx_unpickle_CyExponentialLoss', '__pyx_unpickle_CyHalfBinomialLoss', '__pyx_unpickle_CyHalfGammaLoss', '__pyx_unpickle_CyHalfMultinomialLoss', '__pyx_unpickle_CyHalfPoissonLoss', '__pyx_unpickle_CyHalfSquaredError', '__pyx_unpickle_CyHalfTweedieLoss', '__pyx_unpickle_CyHalfTweedieLossIdentity', '__pyx_unpickle_CyHuberLoss', '__pyx_unpickle_CyPinballLoss'], "loss objects' Cython reconstructors: a checksum and the object's fields (catalogued safe)"),
  allow('sklearn.linear_model._sgd_fast', ['Hinge', 'Log', 'ModifiedHuber', 'SquaredLoss', 'Huber', 'EpsilonInsensitive', 'SquaredEpsilonInsensitive', 'SquaredHinge'], "SGD loss functions, rebuilt from their parameters (Cython; catalogued safe)"),
  allow('joblib.numpy_pickle', ['NumpyArrayWrapper'], 'joblib array placeholder (its bytes follow in the stream)'),
  allow('joblib.numpy_pickle_compat', ['NDArrayWrapper', 'ZNDArrayWrapper'], 'old joblib array placeholders'),
  allow('sklearn.externals.joblib.numpy_pickle', ['NumpyArrayWrapper'], 'old vendored joblib array placeholder'),
];

export const PANDAS_ALLOW: readonly PolicyRule[] = [
  allow('pytz', ['_p', '_UTC', 'UTC', 'utc'], "pytz time zones: _p(zone, ...) looks a zone up by name among pytz's own (names with path parts are refused)"),
  allow('pytz.tzinfo', ['StaticTzInfo', 'DstTzInfo', 'BaseTzInfo'], 'pytz time-zone classes'),
  allow('pytz.reference', ['UTC', 'FixedOffset', 'LocalTimezone'], 'pytz time-zone classes'),
  allow('pytz.tzfile', ['StaticTzInfo', 'DstTzInfo'], 'pytz time-zone classes'),
  allow('dateutil.relativedelta', ['relativedelta', 'weekday'], 'calendar arithmetic values'),
  allow('dateutil._common', ['weekday'], 'calendar arithmetic values'),
  allow('dateutil.tz.tz', ['tzutc', 'tzoffset', 'tzlocal', 'tzrange', 'tzstr', '_ttinfo', '_tzinfo', 'tzfile'], 'dateutil time zones (a guard rejects tzfile with a file argument: pickles pass None)'),
  allow('pandas.core', '*', 'pandas frames, series, indexes and blocks', true),
  allow('pandas._libs', '*', 'pandas internal types (timestamps, intervals, block managers)', true),
  allow('pandas', ['DataFrame', 'Series', 'Index', 'MultiIndex', 'RangeIndex', 'DatetimeIndex', 'Timestamp', 'Timedelta', 'Categorical', 'CategoricalDtype', 'Interval', 'Period', 'NaT'], 'pandas types'),
  // reconstructors pandas' pickles call (REDUCE), listed exactly although pandas.core.* and pandas._libs.* cover
  // them: a call of a wildcard-allowed name is checked against the catalogue, which would load pandas' for every frame
  allow('pandas.core.indexes.base', ['_new_Index'], "index reconstructor: _new_Index(cls, d) builds cls from a dict of arrays; cls is a global the pickle imports, judged by the policy"),
  allow('pandas.core.indexes.datetimes', ['_new_DatetimeIndex'], 'datetime-index reconstructor (catalogued safe)'),
  allow('pandas.core.indexes.interval', ['_new_IntervalIndex'], 'interval-index reconstructor (catalogued safe)'),
  allow('pandas._libs.internals', ['_unpickle_block'], 'block reconstructor: an array and its placement (catalogued safe)'),
  allow('pandas._libs.arrays', ['__pyx_unpickle_NDArrayBacked'], 'Cython reconstructor of array-backed extension arrays (catalogued safe)'),
  allow('pandas._libs.interval', ['__pyx_unpickle_IntervalMixin', 'Interval'], 'intervals (catalogued safe)'),
  allow('pandas._libs.tslibs.timestamps', ['_unpickle_timestamp'], 'timestamp reconstructor (catalogued safe)'),
  allow('pandas._libs.tslibs.timedeltas', ['_timedelta_unpickle'], 'timedelta reconstructor (catalogued safe)'),
  allow('pandas._libs.tslibs.nattype', ['__nat_unpickle'], 'the NaT singleton (catalogued safe)'),
  allow('pandas._libs.tslibs.period', ['Period'], 'periods (catalogued safe)'),
  allow('pandas._libs.sparse', ['IntIndex', 'BlockIndex'], 'sparse-array indexes (catalogued safe)'),
  allow('pandas._libs.tslibs.offsets', ['Day', 'Hour', 'Minute', 'Second', 'Milli', 'Micro', 'Nano', 'Week', 'MonthEnd', 'MonthBegin', 'BusinessDay', 'BusinessMonthEnd', 'BusinessMonthBegin', 'QuarterEnd', 'QuarterBegin', 'YearEnd', 'YearBegin', 'DateOffset'], 'date offsets, rebuilt from their parameters (catalogued safe)'),
  allow('pandas.core.internals.managers', ['BlockManager'], 'the block manager of a frame (catalogued safe)'),
  // classes pandas' reconstructors are handed (_new_Index(cls, d), NDArrayBacked's cls): listed exactly so that
  // the catalogue is not needed to see that they are not gadget functions
  allow('pandas.core.indexes.base', ['Index'], 'index class handed to _new_Index'),
  allow('pandas.core.indexes.range', ['RangeIndex'], 'index class handed to _new_Index'),
  allow('pandas.core.indexes.numeric', ['Int64Index', 'UInt64Index', 'Float64Index', 'NumericIndex'], 'index classes handed to _new_Index (pandas 1.x)'),
  allow('pandas.core.indexes.multi', ['MultiIndex'], 'index class handed to _new_Index'),
  allow('pandas.core.indexes.category', ['CategoricalIndex'], 'index class handed to _new_Index'),
  allow('pandas.core.indexes.datetimes', ['DatetimeIndex'], 'index class handed to _new_Index'),
  allow('pandas.core.indexes.timedeltas', ['TimedeltaIndex'], 'index class handed to _new_Index'),
  allow('pandas.core.indexes.period', ['PeriodIndex'], 'index class handed to _new_Index'),
  allow('pandas.core.indexes.interval', ['IntervalIndex'], 'index class handed to _new_Index'),
  allow('pandas.core.arrays.datetimes', ['DatetimeArray'], 'extension array class handed to its reconstructor'),
  allow('pandas.core.arrays.timedeltas', ['TimedeltaArray'], 'extension array class handed to its reconstructor'),
  allow('pandas.core.arrays.period', ['PeriodArray'], 'extension array class handed to its reconstructor'),
  allow('pandas.core.arrays.interval', ['IntervalArray'], 'extension array class handed to its reconstructor'),
  allow('pandas.core.arrays.categorical', ['Categorical'], 'categorical array class handed to its reconstructor'),
  allow('pandas.core.arrays.string_', ['StringArray'], 'string array class handed to its reconstructor'),
  allow('pandas.core.dtypes.dtypes', ['PeriodDtype', 'DatetimeTZDtype'], 'pandas dtypes (catalogued safe)'),
];

/** Enumerations among the torchvision classes: their members are read by name (InterpolationMode.BILINEAR, a model's weights enum). */
const isTorchvisionEnum = (name: string) => name === 'InterpolationMode' || name === 'AutoAugmentPolicy' || name.endsWith('_Weights');

export const TORCH_FAMILY_ALLOW: readonly PolicyRule[] = [
  ...Object.entries(TORCHVISION_CLASSES).map(([m, names]) =>
    allow(m, names.flatMap((n) => (isTorchvisionEnum(n) ? [n, `${n}.*`] : [n])), "torchvision model, layer, op and transform classes (listed from the catalogue of torchvision 0.14 and 0.21, gadgets left out): nn.Module subclasses and transforms; unpickling makes them with __new__ and restores their __dict__ through torch.nn.Module.__setstate__, and none defines __reduce__. Calling one builds layers from numbers and from callables the pickle must import itself, which the policy judges"),
  ),
  ...Object.entries(TORCHAUDIO_CLASSES).map(([m, names]) =>
    allow(m, [...names], 'torchaudio model and transform classes (listed from the catalogue of torchaudio 0.13 and 2.6, gadgets and classes that look attributes up by a given name left out): nn.Module subclasses rebuilt as torch modules are'),
  ),
];

/** lmfit's model classes in lmfit.models (1.1.0 and 1.3.3; ExpressionModel is denied: the catalogue's REVIEWED_GADGETS). */
const LMFIT_MODELS = MODEL_CLASSES.filter((n) => n.startsWith('lmfit.models.')).map((n) => n.slice('lmfit.models.'.length));

/** nltk's language stemmers (nltk 3.8 and 3.9.1), whose stem method SnowballStemmer keeps. */
const SNOWBALL_STEMMERS = [
  'ArabicStemmer', 'DanishStemmer', 'DutchStemmer', 'EnglishStemmer', 'FinnishStemmer', 'FrenchStemmer', 'GermanStemmer', 'HungarianStemmer',
  'ItalianStemmer', 'NorwegianStemmer', 'PorterStemmer', 'PortugueseStemmer', 'RomanianStemmer', 'RussianStemmer', 'SpanishStemmer', 'SwedishStemmer',
];

/** An allow rule for a global that calls the values handed at `positions` (see RuleSchema `callsArguments`). */
const calling = (module: string, names: string[], positions: number[], reason: string): PolicyRule => ({ ...allow(module, names, reason), callsArguments: positions });

/** The marker functions matplotlib's MarkerStyle keeps (`_set_` + each name of MarkerStyle.markers, and the vertex, path, tuple and mathtext ones), in 3.6.3 and 3.10.1. */
const MARKER_FUNCTIONS = [
  'caretdown', 'caretdownbase', 'caretleft', 'caretleftbase', 'caretright', 'caretrightbase', 'caretup', 'caretupbase', 'circle', 'diamond',
  'hexagon1', 'hexagon2', 'hline', 'nothing', 'octagon', 'pentagon', 'pixel', 'plus', 'plus_filled', 'point', 'square', 'star', 'thin_diamond',
  'tickdown', 'tickleft', 'tickright', 'tickup', 'tri_down', 'tri_left', 'tri_right', 'tri_up', 'triangle_down', 'triangle_left', 'triangle_right',
  'triangle_up', 'vline', 'x', 'x_filled', 'vertices', 'path_marker', 'tuple_marker', 'mathtext_path',
].map((n) => `_set_${n}`);

const SORTED_KEY =
  'sorted containers (sortedcontainers 2.4, read in full): __reduce__ gives (values, key) and __init__ keeps key and calls it on every value, so the key handed over must be one the policy lets the pickle call (a builtin such as abs, or None); nothing else in construction calls a value of the pickle';

/**
 * Long-tail classes and functions reviewed by hand because the catalogue's walk cannot follow them
 * (an attribute that holds a bound method, a class chosen in __new__), each with what was checked.
 */
export const REVIEWED_ALLOW: readonly PolicyRule[] = [
  calling('sortedcontainers', ['SortedList', 'SortedKeyList', 'SortedListWithKey', 'SortedSet'], [1], SORTED_KEY),
  calling('sortedcontainers.sortedlist', ['SortedList', 'SortedKeyList', 'SortedListWithKey'], [1], SORTED_KEY),
  calling('sortedcontainers.sortedset', ['SortedSet'], [1], SORTED_KEY),
  calling('sortedcontainers', ['SortedDict'], [0], SORTED_KEY.replace('(values, key)', '(key, items)').replace('keeps key', 'takes a leading callable (or None) as its key')),
  calling('sortedcontainers.sorteddict', ['SortedDict'], [0], SORTED_KEY.replace('(values, key)', '(key, items)').replace('keeps key', 'takes a leading callable (or None) as its key')),
  allow('intervaltree', ['IntervalTree'], 'interval tree (intervaltree 3.0.2, read in full): __reduce__ gives (sorted intervals,); __init__ builds a set, a node tree and a SortedDict without a key from the intervals, calling nothing it is handed'),
  allow('intervaltree.intervaltree', ['IntervalTree'], 'interval tree (intervaltree 3.0.2, read in full): __reduce__ gives (sorted intervals,); __init__ builds a set, a node tree and a SortedDict without a key from the intervals, calling nothing it is handed'),
  ...['bidict', 'bidict._base'].map((m) =>
    calling(m, ['BidictBase._from_other'], [0], "bidict's unpickler (bidict 0.22.1 and 0.23.1, read): __reduce__ gives _from_other(cls, dict, inverted), which calls cls() with no arguments and fills the instance with _init_from; cls must be a class the policy lets the pickle call"),
  ),
  allow('bidict', ['bidict', 'frozenbidict', 'OrderedBidict', 'FrozenOrderedBidict', 'BidictBase'], "bidirectional dicts (bidict 0.22.1 and 0.23.1, read: __init__, _update, _write, _dedup, _init_from and the ordered node list): construction fills two backing mappings made from class attributes (dict, or bidict's own for the ordered kinds) and undoes a failed update with those mappings' own __setitem__ and __delitem__, the 'unwriteop' the catalogue's walk could not follow; nothing handed is called"),
  allow('bidict._base', ['BidictBase'], 'the base class of bidirectional dicts, named as the owner of _from_other'),
  ...['uncertainties.core', 'uncertainties'].map((m) =>
    allow(m, ['Variable', 'AffineScalarFunc', 'UFloat'], "numbers with uncertainties (uncertainties 3.1.6 and 3.2.3, read): __setstate__ sets the named slots with setattr (no __setattr__; the properties it may reach convert to float); the one other method the unpickler can run is __eq__, only between dict keys of equal hash, and Variable hashes by id() while AffineScalarFunc has no hash; that __eq__ subtracts two affine functions (float arithmetic), and the 'closure cls' the catalogue's walk could not follow is AffineScalarFunc itself"),
  ),
  ...['yarl', 'yarl._url'].map((m) =>
    allow(m, ['URL'], "URLs (yarl 1.8.2 and 1.19.0, read): __new__ takes a str (a str subclass through str()) or, encoded, a SplitResult, splits it with urllib and requotes the parts with yarl's own quoters, the 'callable value' the catalogue's walk could not follow (_Quoter instances made at import); anything else is a TypeError. __setstate__ stores the split result and an empty cache; nothing handed is called"),
  ),
  calling('astropy.units.core', ['_recreate_irreducible_unit'], [0], "astropy's unpickler of irreducible units (astropy 5.2 and 7.0, read): returns the unit of that name from the unit registry, else calls cls(names) and may register the result; cls must be a class the policy lets the pickle call"),
  reference('matplotlib.markers', MARKER_FUNCTIONS.map((n) => `MarkerStyle.${n}`), "the marker function a MarkerStyle keeps as a bound method (matplotlib 3.6.3 and 3.10.1, read: _set_marker stores getattr(self, '_set_' + name), pickled as getattr(style, name); MarkerStyle has no __getattr__, __getattribute__ or __setstate__, so the getattr reads the class's function; each computes the marker's path and transform from the style's own attributes when called, which loading never does): values only"),
  reference('matplotlib.cbook', ['_exception_printer'], "matplotlib's default exception handler a CallbackRegistry keeps (3.6.3 and 3.10.1, read: called only by CallbackRegistry.process with an exception, which it re-raises or prints; the uncatalogued call the walk saw is the GUI-framework check): a value only"),
  // bound methods objects keep, pickled as getattr(obj, name): values, never called while loading
  reference('lmfit.models', LMFIT_MODELS.map((n) => `${n}._residual`), "the residual function a fit keeps as userfcn (lmfit 1.1.0 and 1.3.3, read: Model._residual, inherited by every model class, evaluates the model with the parameters' values and subtracts the data): a bound method of a model the pickle built, judged as that object; a value"),
  reference('lmfit.model', ['Model._residual', 'CompositeModel._residual'], "the residual function a fit keeps as userfcn (lmfit 1.1.0 and 1.3.3, read): a bound method of a model the pickle built; a value"),
  reference('lmfit.minimizer', ['MinimizerResult.show_candidates'], "a method ModelResult copies from its MinimizerResult with every public attribute (lmfit 1.1.0 and 1.3.3, read: it prints the brute-force candidates); a value"),
  reference('nltk.stem.snowball', SNOWBALL_STEMMERS.map((n) => `${n}.stem`), "the stem method SnowballStemmer keeps as self.stem (nltk 3.8 and 3.9.1, read: string processing of the word it is given, with the stemmer's own suffix tables and stopword set); a bound method of a stemmer the pickle built; a value"),
  allow('pendulum.tz.timezone', ['Timezone._unpickle'], "pendulum 3's zones (pendulum 3.0.0, read): zoneinfo's C classmethod _unpickle(key, from_cache) read off Timezone, a ZoneInfo subclass whose __new__ only wraps ZoneInfo's; zoneinfo refuses absolute keys and keys that leave its zone directories before opening a file, and a guard admits only a constant str key (src/machine/pendulum.ts)"),
  allow('toolz.functoolz', ['_restore_curry'], "toolz's unpickler of curried functions (toolz 0.12.0 and 1.0.0, read): a str func is imported by name, so a guard (src/machine/library-guards.ts toolzRestoreCurryGuard) admits only curry's own class, a global func, a tuple of args, None or a dict of keywords and a userdict of curry's attribute names with plain values; curry.__init__ then stores a functools.partial and calls nothing"),
];

export const SCIPY_ALLOW: readonly PolicyRule[] = [
  ...Object.entries(SCIPY_DISTRIBUTIONS).flatMap(([m, names]) => [
    allow(m, [...names], "scipy.stats distributions (frozen distributions hold one): rv_generic.__setstate__ updates __dict__ and exec()s the instance's _parse_arg_template, so a BUILD guard admits only the template scipy writes (shape names that are identifiers, scipy's loc/scale forms) and rejects any other state"),
    reference(m, names.map((n) => `${n}.*`), "bound methods a distribution's vectorized helpers keep (binom_gen._entropy): numeric code, values only"),
  ]),
  allow('scipy.stats._distn_infrastructure', ['rv_frozen', 'rv_continuous_frozen', 'rv_discrete_frozen'], 'frozen distributions: a distribution object and its arguments (the distribution itself is guarded)'),
  allow('scipy.stats._kde', ['gaussian_kde'], 'kernel density estimate: arrays and a bandwidth; no __setstate__'),
  allow('scipy.stats._multivariate', ['_PSD'], 'a positive semi-definite matrix decomposition held by multivariate distributions: arrays'),
  allow('scipy.interpolate._cubic', ['CubicSpline', 'PchipInterpolator', 'Akima1DInterpolator', 'CubicHermiteSpline'], 'piecewise-polynomial interpolants: coefficient arrays (calling one solves a banded system with LAPACK)'),
  allow('scipy.interpolate._interpolate', ['interp1d', 'PPoly', 'BPoly', 'NdPPoly'], 'interpolants: arrays and options; no __setstate__'),
  reference('scipy.interpolate._interpolate', ['interp1d._call_linear', 'interp1d._call_linear_np', 'interp1d._call_nearest', 'interp1d._call_previousnext', 'interp1d._call_spline', 'interp1d._call_nan_spline'], 'the evaluation method interp1d keeps for its kind: values only'),
  allow('scipy.interpolate._rbfinterp', ['RBFInterpolator'], 'radial basis interpolant: arrays and options; no __setstate__'),
  allow('scipy.interpolate._rgi', ['RegularGridInterpolator'], 'regular-grid interpolant: grid and value arrays; no __setstate__'),
  reference('scipy.special._logsumexp', ['logsumexp', 'softmax', 'log_softmax'], 'numeric functions stored as values (a model keeps its link function)'),
];
