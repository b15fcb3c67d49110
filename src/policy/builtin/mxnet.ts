/**
 * The globals a legitimate MXNet optimizer pickle references, per release family (MXNet 1.3 to 2.x),
 * in their exact wire spelling: what `pickle.dumps(optimizer, 0)` writes on Python 2 and 3.
 */
import type { PolicyRule } from '../schema';

const OPT_1X = ['AdaDelta', 'AdaGrad', 'Adam', 'Adamax', 'DCASGD', 'FTML', 'Ftrl', 'LBSGD', 'NAG', 'Nadam', 'RMSProp', 'SGD', 'SGLD', 'Signum', 'Test', 'ccSGD'];

const rule = (module: string, names: string[], reason: string): PolicyRule => ({ module, names, action: 'allow', reason });

/** The kvstore wire (`kvstore.set_optimizer`): optimizer classes, schedulers, and the protocol-0 object reconstructor. */
export const MXNET_WIRE_ALLOW: readonly PolicyRule[] = [
  rule('copy_reg', ['_reconstructor'], 'protocol 0 rebuilds every optimizer and scheduler object with copy_reg._reconstructor'),
  rule('__builtin__', ['object'], 'the base class argument of copy_reg._reconstructor'),
  rule('mxnet.lr_scheduler', ['LRScheduler', 'FactorScheduler', 'MultiFactorScheduler', 'PolyScheduler', 'CosineScheduler'], 'learning-rate schedulers (CosineScheduler since 1.4)'),
  rule('mxnet.optimizer', OPT_1X, 'MXNet 1.3 optimizers'),
  rule('mxnet.optimizer.optimizer', [...OPT_1X, 'LAMB', 'LARS'], 'MXNet 1.4-1.9 optimizers (LAMB, LARS since 1.6); Test also in 2.x'),
  rule('mxnet.optimizer.contrib', ['GroupAdaGrad'], 'MXNet 1.4+ contrib optimizer'),
  rule('mxnet.contrib.svrg_optimization.svrg_optimizer', ['_SVRGOptimizer', '_AssignmentOptimizer'], 'MXNet 1.4-1.9 SVRG optimizers'),
  rule('mxnet.optimizer.sgd', ['SGD'], 'MXNet 2.x'),
  rule('mxnet.optimizer.nag', ['NAG'], 'MXNet 2.x'),
  rule('mxnet.optimizer.signum', ['Signum'], 'MXNet 2.x'),
  rule('mxnet.optimizer.sgld', ['SGLD'], 'MXNet 2.x'),
  rule('mxnet.optimizer.dcasgd', ['DCASGD'], 'MXNet 2.x'),
  rule('mxnet.optimizer.adagrad', ['AdaGrad'], 'MXNet 2.x'),
  rule('mxnet.optimizer.adadelta', ['AdaDelta'], 'MXNet 2.x'),
  rule('mxnet.optimizer.adam', ['Adam'], 'MXNet 2.x'),
  rule('mxnet.optimizer.adamax', ['Adamax'], 'MXNet 2.x'),
  rule('mxnet.optimizer.nadam', ['Nadam'], 'MXNet 2.x'),
  rule('mxnet.optimizer.ftrl', ['Ftrl'], 'MXNet 2.x'),
  rule('mxnet.optimizer.ftml', ['FTML'], 'MXNet 2.x'),
  rule('mxnet.optimizer.rmsprop', ['RMSProp'], 'MXNet 2.x'),
  rule('mxnet.optimizer.lamb', ['LAMB'], 'MXNet 2.x'),
  rule('mxnet.optimizer.lans', ['LANS'], 'MXNet 2.x'),
  rule('mxnet.optimizer.lars', ['LARS'], 'MXNet 2.x'),
  rule('mxnet.optimizer.adamW', ['AdamW'], 'MXNet 2.x'),
  rule('mxnet.optimizer.adabelief', ['AdaBelief'], 'MXNet 2.0.0.beta0+'),
];

/** Extra globals of `.states` files (Trainer.save_states, Module.save_optimizer_states) at any protocol. */
export const MXNET_STATES_ALLOW: readonly PolicyRule[] = [
  rule('copyreg', ['_reconstructor'], 'protocol 0/1 object reconstruction (Python 3 spelling)'),
  rule('builtins', ['object', 'bytearray'], 'reconstructor base class; NDArray handles are bytearrays'),
  rule('__builtin__', ['bytearray'], 'NDArray handles on Python 2'),
  rule('_codecs', ['encode'], 'bytes at protocol 0-2 on Python 3'),
  rule('mxnet.ndarray.ndarray', ['NDArray'], 'optimizer state arrays'),
  rule('mxnet.ndarray.sparse', ['RowSparseNDArray', 'CSRNDArray'], 'sparse optimizer state arrays'),
  rule('mxnet.numpy.multiarray', ['ndarray'], 'numpy-compatible arrays (1.6+, custom optimizers)'),
];
