/**
 * Globals that benign pickles of plain Python values, numpy, PyTorch, scikit-learn, pandas, scipy,
 * joblib and MXNet use, so that they pass the `default` policy with no warning. Each entry is a class
 * or a reconstructor function whose call builds data and nothing else.
 *
 * `*` in `names` matches undotted names only: a dotted name (a protocol 4 attribute walk) must be
 * listed exactly.
 */
import type { PolicyRule } from '../schema';

const allow = (module: string, names: string[] | '*', reason: string, submodules = false): PolicyRule => ({
  module,
  names,
  action: 'allow',
  reason,
  ...(submodules ? { submodules } : {}),
});

export const NUMPY_SCALARS = [
  'bool_', 'bool', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'intc', 'uintc', 'int_', 'uint',
  'longlong', 'ulonglong', 'float16', 'float32', 'float64', 'float128', 'longdouble', 'half', 'single', 'double',
  'complex64', 'complex128', 'complex256', 'clongdouble', 'object_', 'str_', 'bytes_', 'unicode_', 'string_', 'void',
  'datetime64', 'timedelta64', 'generic', 'number',
];

export const PYTHON_ALLOW: readonly PolicyRule[] = [
  allow('builtins', ['object', 'set', 'frozenset', 'list', 'dict', 'tuple', 'bytearray', 'bytes', 'complex', 'int', 'float', 'str', 'bool', 'slice', 'range', 'Ellipsis', 'NotImplemented'], 'built-in value types'),
  allow('__builtin__', ['object', 'set', 'frozenset', 'list', 'dict', 'tuple', 'bytearray', 'complex', 'int', 'long', 'float', 'str', 'unicode', 'bool', 'slice', 'xrange', 'basestring'], 'built-in value types (Python 2 spelling)'),
  allow('copyreg', ['_reconstructor', '__newobj__', '__newobj_ex__'], 'how pickle rebuilds plain instances'),
  allow('copy_reg', ['_reconstructor', '__newobj__', '__newobj_ex__'], 'how pickle rebuilds plain instances (Python 2 spelling)'),
  allow('_codecs', ['encode'], 'protocol 0-2 encoding of bytes'),
  allow('codecs', ['encode'], 'protocol 0-2 encoding of bytes'),
  allow('collections', ['OrderedDict', 'defaultdict', 'deque', 'Counter', 'ChainMap', 'UserDict', 'UserList', 'UserString'], 'container types'),
  allow('datetime', ['datetime', 'date', 'time', 'timedelta', 'timezone', 'tzinfo'], 'date and time values'),
  allow('decimal', ['Decimal'], 'decimal numbers'),
  allow('fractions', ['Fraction'], 'rational numbers'),
  allow('uuid', ['UUID', 'SafeUUID'], 'UUID values'),
  allow('pathlib', ['Path', 'PosixPath', 'WindowsPath', 'PurePath', 'PurePosixPath', 'PureWindowsPath'], 'path values'),
  allow('ipaddress', ['IPv4Address', 'IPv6Address', 'IPv4Network', 'IPv6Network', 'IPv4Interface', 'IPv6Interface'], 'address values'),
  allow('argparse', ['Namespace'], 'parsed arguments'),
  allow('types', ['SimpleNamespace'], 'plain namespaces'),
  allow('array', ['array', '_array_reconstructor'], 'typed arrays'),
  allow('re', ['_compile', 'Pattern'], 'compiled regular expressions'),
  allow('enum', ['Enum', 'IntEnum', 'Flag', 'IntFlag'], 'enumerations'),
  allow('zoneinfo', ['ZoneInfo'], 'time zones'),
  allow('zoneinfo._zoneinfo', ['ZoneInfo'], 'time zones'),
];

export const NUMPY_ALLOW: readonly PolicyRule[] = [
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
  allow('numpy.random.bit_generator', ['BitGenerator', 'SeedSequence'], 'random generator state'),
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
    '_rebuild_qtensor', '_rebuild_sparse_tensor', '_rebuild_nested_tensor', '_rebuild_device_tensor_from_numpy',
    '_rebuild_meta_tensor_no_storage', '_rebuild_wrapper_subclass', '_rebuild_device_tensor_from_cpu_tensor', '_rebuild_xla_tensor',
  ], 'PyTorch tensor reconstruction'),
  allow('torch._tensor', ['_rebuild_from_type', '_rebuild_from_type_v2', 'Tensor'], 'PyTorch tensor reconstruction'),
  allow('torch', [...TORCH_STORAGES, ...TORCH_DTYPES, 'Size', 'device', 'dtype', 'layout', 'strided', 'sparse_coo', 'sparse_csr', 'memory_format', 'contiguous_format', 'channels_last', 'channels_last_3d', 'preserve_format', 'per_tensor_affine', 'per_channel_affine', 'per_tensor_symmetric', 'per_channel_symmetric', 'Tensor', 'finfo', 'iinfo'], 'PyTorch storages, dtypes and tensor metadata'),
  allow('torch.storage', ['TypedStorage', 'UntypedStorage', '_StorageBase'], 'PyTorch storages'),
  allow('torch.nn.parameter', ['Parameter', 'UninitializedParameter', 'Buffer'], 'PyTorch parameters'),
  allow('torch.nn.modules', '*', 'PyTorch layer classes (whole-model pickles)', true),
  allow('torch.nn.utils.parametrize', ['ParametrizationList'], 'PyTorch parametrizations'),
  allow('torch.optim', '*', 'PyTorch optimizer classes', true),
  allow('torch.cuda.amp.grad_scaler', ['GradScaler'], 'mixed-precision scaler state'),
  allow('torch.amp.grad_scaler', ['GradScaler'], 'mixed-precision scaler state'),
];

export const SKLEARN_ALLOW: readonly PolicyRule[] = [
  allow('sklearn', '*', 'scikit-learn estimator classes and their helper types', true),
  allow('scipy.sparse', '*', 'sparse matrices', true),
  allow('scipy.sparse._csr', '*', 'sparse matrices'),
  allow('joblib.numpy_pickle', ['NumpyArrayWrapper'], 'joblib array placeholder (its bytes follow in the stream)'),
  allow('joblib.numpy_pickle_compat', ['NDArrayWrapper', 'ZNDArrayWrapper'], 'old joblib array placeholders'),
  allow('sklearn.externals.joblib.numpy_pickle', ['NumpyArrayWrapper'], 'old vendored joblib array placeholder'),
];

export const PANDAS_ALLOW: readonly PolicyRule[] = [
  allow('pandas.core', '*', 'pandas frames, series, indexes and blocks', true),
  allow('pandas._libs', '*', 'pandas internal types (timestamps, intervals, block managers)', true),
  allow('pandas', ['DataFrame', 'Series', 'Index', 'MultiIndex', 'RangeIndex', 'DatetimeIndex', 'Timestamp', 'Timedelta', 'Categorical', 'CategoricalDtype', 'Interval', 'Period', 'NaT'], 'pandas types'),
];
