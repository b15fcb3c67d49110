/**
 * The built-in policies, as specs (data). `default` scans files; `strict` scans files trusting only
 * the core libraries; `mxnet-optimizer` guards the MXNet kvstore wire; `mxnet-states` scans `.states`
 * files written by Trainer.save_states / Module.save_optimizer_states.
 */
import type { PolicySpec } from '../schema';
import { NUMPY_ALLOW, PANDAS_ALLOW, PYTHON_ALLOW, REVIEWED_ALLOW, SCIPY_ALLOW, SKLEARN_ALLOW, TORCH_ALLOW, TORCH_FAMILY_ALLOW } from './allowlist';
import { DENY_RULES } from './denylist';
import { MXNET_STATES_ALLOW, MXNET_WIRE_ALLOW } from './mxnet';
import { MXNET_OPTIMIZER_BOUNDS, MXNET_STATES_BOUNDS } from './optimizer-bounds';

/** The catalogued libraries whose entries `strict` lets allow: the core of the Python ML stack. */
export const CORE_LIBRARIES = ['numpy', 'scipy', 'pandas', 'sklearn', 'joblib', 'torch', 'torchvision', 'torchaudio'] as const;

/** Opcodes `pickle.dumps(optimizer, 0)` writes (MXNET.md §2). */
export const MXNET_WIRE_OPCODES = ['GLOBAL', 'PUT', 'GET', 'MARK', 'TUPLE', 'LIST', 'DICT', 'APPEND', 'SETITEM', 'REDUCE', 'BUILD', 'NONE', 'INT', 'LONG', 'FLOAT', 'UNICODE', 'STRING', 'STOP'];

export const BUILTIN_POLICIES: readonly PolicySpec[] = [
  {
    name: 'default',
    description:
      'For scanning files: denies known code-execution, import, file and network paths (dangerous); allows the globals benign plain-Python, numpy, PyTorch, scikit-learn, pandas, joblib and MXNet pickles use; anything else is suspicious.',
    default: 'unlisted',
    accept: 'safe',
    match: 'resolved',
    catalogue: true,
    persistentIds: 'allow',
    outOfBandBuffers: 'reject',
    rules: [...DENY_RULES, ...PYTHON_ALLOW, ...NUMPY_ALLOW, ...TORCH_ALLOW, ...TORCH_FAMILY_ALLOW, ...SKLEARN_ALLOW, ...SCIPY_ALLOW, ...PANDAS_ALLOW, ...REVIEWED_ALLOW, ...MXNET_WIRE_ALLOW, ...MXNET_STATES_ALLOW],
  },
  {
    name: 'mxnet-optimizer',
    description:
      "For the MXNet kvstore wire (set_optimizer): exactly the optimizer and scheduler globals of MXNet 1.3 to 2.x in their wire spelling, protocol 0 only, one pickle with nothing after STOP, ASCII without NUL, objects only as copy_reg._reconstructor(cls, object, None) plus a str-keyed dict BUILD; hyperparameters within sane bounds.",
    default: 'unlisted',
    accept: 'safe',
    match: 'raw',
    persistentIds: 'reject',
    outOfBandBuffers: 'reject',
    rules: [...DENY_RULES, ...MXNET_WIRE_ALLOW],
    wire: {
      protocols: [0],
      opcodes: MXNET_WIRE_OPCODES,
      ascii: true,
      noNul: true,
      singlePickle: true,
      maxBytes: 16 * 1024 * 1024,
      mxnetObjectShape: true,
    },
    optimizer: MXNET_OPTIMIZER_BOUNDS,
  },
  {
    name: 'mxnet-states',
    description:
      'For MXNet .states files (Trainer.save_states, Module.save_optimizer_states) at any protocol: the optimizer globals plus NDArray state arrays; hyperparameters within sane bounds.',
    default: 'unlisted',
    accept: 'safe',
    match: 'resolved',
    persistentIds: 'reject',
    outOfBandBuffers: 'reject',
    rules: [...DENY_RULES, ...MXNET_WIRE_ALLOW, ...MXNET_STATES_ALLOW],
    wire: { singlePickle: true },
    optimizer: MXNET_STATES_BOUNDS,
  },
  {
    name: 'strict',
    description:
      "For scanning files with a smaller trusted base: the default policy's denials, and only the globals of plain Python, numpy, scipy, pandas, scikit-learn, joblib, PyTorch (torchvision, torchaudio) and MXNet; the long-tail libraries' catalogue entries and hand reviews do not allow here, so their classes are suspicious.",
    default: 'unlisted',
    accept: 'safe',
    match: 'resolved',
    catalogue: true,
    catalogueLibraries: [...CORE_LIBRARIES],
    persistentIds: 'allow',
    outOfBandBuffers: 'reject',
    rules: [...DENY_RULES, ...PYTHON_ALLOW, ...NUMPY_ALLOW, ...TORCH_ALLOW, ...TORCH_FAMILY_ALLOW, ...SKLEARN_ALLOW, ...SCIPY_ALLOW, ...PANDAS_ALLOW, ...MXNET_WIRE_ALLOW, ...MXNET_STATES_ALLOW],
  },
];
