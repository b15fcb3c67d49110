# -*- coding: utf-8 -*-
"""Child script (Python 2.7 and 3.x): pickles MXNet-shaped optimizers and .states.

Run by gen_mxnet.py under each pyenv interpreter. It builds a throwaway fake
`mxnet` package (plain classes under the real module names, `__getstate__`
dropping `param_dict` like Optimizer since 1.3.0) in a temp dir, pickles the
requested cases and prints {"name": "hex"} as JSON on stdout. Nothing from
MXNet is used or needed; layouts follow design/MXNET.md sections 5 and 6.
Usage: python mxnet_child.py wire|states
"""
from __future__ import print_function
import json
import os
import pickle
import shutil
import struct
import sys
import tempfile

PY2 = sys.version_info[0] == 2

BASE_SRC = '''
class _Base(object):
    def __getstate__(self):
        d = self.__dict__.copy()
        d.pop('param_dict', None)
        return d

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.param_dict = {}


class _Plain(object):
    pass


def make(ns, module, names, base):
    for n in names:
        ns[n] = type(n, (base,), {'__module__': module})
'''

OPT_1X = ['AdaDelta', 'AdaGrad', 'Adam', 'Adamax', 'DCASGD', 'FTML', 'Ftrl', 'LBSGD', 'NAG',
          'Nadam', 'RMSProp', 'SGD', 'SGLD', 'Signum', 'Test', 'ccSGD', 'LAMB', 'LARS']
SCHEDS = ['LRScheduler', 'FactorScheduler', 'MultiFactorScheduler', 'PolyScheduler', 'CosineScheduler']
OPT_2X = {'sgd': 'SGD', 'nag': 'NAG', 'adam': 'Adam', 'adamW': 'AdamW', 'lamb': 'LAMB', 'rmsprop': 'RMSProp'}

NDARRAY_SRC = '''
class NDArray(object):
    __module__ = 'mxnet.ndarray.ndarray'

    def __init__(self, handle, writable=True):
        self.handle = handle
        self.writable = writable

    def __reduce__(self):
        return NDArray, (None,), self.__getstate__()

    def __getstate__(self):
        return {'handle': self.handle}

    def __setstate__(self, state):
        self.handle = state['handle']
'''


def write(path, text):
    d = os.path.dirname(path)
    if not os.path.isdir(d):
        os.makedirs(d)
    with open(path, 'w') as f:
        f.write(text)


def build_package(root):
    pkg = os.path.join(root, 'mxnet')
    write(os.path.join(pkg, '__init__.py'), '')
    write(os.path.join(pkg, '_base.py'), BASE_SRC)
    # 1.3: classes live in mxnet.optimizer itself.
    write(os.path.join(pkg, 'optimizer', '__init__.py'),
          'from mxnet._base import make, _Base\nmake(globals(), "mxnet.optimizer", %r, _Base)\n' % OPT_1X)
    write(os.path.join(pkg, 'optimizer', 'optimizer.py'),
          'from mxnet._base import make, _Base\nmake(globals(), "mxnet.optimizer.optimizer", %r, _Base)\n' % OPT_1X)
    for mod, cls in OPT_2X.items():
        write(os.path.join(pkg, 'optimizer', mod + '.py'),
              'from mxnet._base import make, _Base\nmake(globals(), "mxnet.optimizer.%s", [%r], _Base)\n' % (mod, cls))
    write(os.path.join(pkg, 'lr_scheduler.py'),
          'from mxnet._base import make, _Plain\nmake(globals(), "mxnet.lr_scheduler", %r, _Plain)\n' % SCHEDS)
    write(os.path.join(pkg, 'contrib', '__init__.py'), '')
    write(os.path.join(pkg, 'contrib', 'svrg_optimization', '__init__.py'), '')
    write(os.path.join(pkg, 'contrib', 'svrg_optimization', 'svrg_optimizer.py'),
          'from mxnet._base import make, _Base\nmake(globals(), "mxnet.contrib.svrg_optimization.svrg_optimizer", '
          '["_SVRGOptimizer", "_AssignmentOptimizer"], _Base)\n')
    write(os.path.join(pkg, 'ndarray', '__init__.py'), '')
    write(os.path.join(pkg, 'ndarray', 'ndarray.py'), NDARRAY_SRC)


def s(x):
    """Python 2 MXNet uses str (bytes) everywhere; Python 3 str."""
    return str(x)


class OD(object):
    """Ordered (key, value) list turned into a __dict__ in insertion order."""


def new(cls, items):
    obj = cls.__new__(cls)
    for k, v in items:
        setattr(obj, s(k), v)
    return obj


def scheduler(kind, family, base_lr=0.01):
    import mxnet.lr_scheduler as L
    if family == '1.3':
        items = [('base_lr', base_lr)]
    else:
        items = [('base_lr', base_lr), ('warmup_steps', 0), ('warmup_final_lr', base_lr),
                 ('warmup_begin_lr', 0), ('warmup_mode', s('linear'))]
    if kind == 'factor':
        items += [('step', 1000), ('factor', 0.5), ('stop_factor_lr', 1e-08), ('count', 0)]
        cls = L.FactorScheduler
    elif kind == 'multifactor':
        items += [('step', [10, 20]), ('cur_step_ind', 0), ('factor', 0.1), ('count', 0)]
        cls = L.MultiFactorScheduler
    elif kind == 'poly':
        if family == '1.3':
            items += [('base_lr_orig', base_lr), ('max_update', 100), ('power', 2)]
        else:
            items += [('power', 2), ('base_lr_orig', base_lr), ('max_update', 100), ('final_lr', 0),
                      ('max_steps', 100)]
        cls = L.PolyScheduler
    elif kind == 'cosine':
        items = [('base_lr', base_lr), ('warmup_steps', 10), ('warmup_final_lr', base_lr),
                 ('warmup_begin_lr', 0), ('warmup_mode', s('linear')),
                 ('base_lr_orig', base_lr), ('max_update', 100), ('final_lr', 0), ('max_steps', 90)]
        cls = L.CosineScheduler
    return new(cls, items)


EXTRA_1X = {
    'SGD': (0.01, 4, [('momentum', 0.0), ('lazy_update', True)]),
    'NAG': (0.01, 0, [('momentum', 0.0)]),
    'Adam': (0.001, 0, [('beta1', 0.9), ('beta2', 0.999), ('epsilon', 1e-08), ('lazy_update', True)]),
    'AdaGrad': (0.01, 0, [('float_stable_eps', 1e-07)]),
    'RMSProp': (0.001, 0, [('gamma1', 0.9), ('gamma2', 0.9), ('centered', False), ('epsilon', 1e-08),
                           ('clip_weights', None)]),
    'Signum': (0.01, 0, [('momentum', 0.9), ('wd_lh', 0.0)]),
    'LAMB': (0.001, 0, [('beta1', 0.9), ('beta2', 0.999), ('epsilon', 1e-06), ('lower_bound', None),
                        ('upper_bound', None), ('bias_correction', True)]),
    'Test': (0.01, 0, []),
    '_AssignmentOptimizer': (0.01, 0, []),
    '_SVRGOptimizer': (0.01, 0, []),
}
EXTRA_2X = {
    'SGD': (0.1, 1, True, [('momentum', 0.0), ('lazy_update', False)]),
    'AdamW': (0.001, 4, True, [('beta1', 0.9), ('beta2', 0.999), ('epsilon', 1e-06), ('correct_bias', True)]),
}


def optimizer(family, name, sched=None, module_style=False):
    """An optimizer object with the family's __dict__ layout (MXNET.md section 6)."""
    import importlib
    if name in ('_SVRGOptimizer', '_AssignmentOptimizer'):
        mod = importlib.import_module('mxnet.contrib.svrg_optimization.svrg_optimizer')
    elif family == '1.3':
        mod = importlib.import_module('mxnet.optimizer')
    elif family.startswith('2.0'):
        modname = [m for m, c in OPT_2X.items() if c == name][0]
        mod = importlib.import_module('mxnet.optimizer.' + modname)
    else:
        mod = importlib.import_module('mxnet.optimizer.optimizer')
    cls = getattr(mod, name)
    if family.startswith('2.0'):
        lr, agg, fused, extra = EXTRA_2X[name]
    else:
        lr, agg, extra = EXTRA_1X[name]
        fused = None
    lr_value = lr
    if sched is not None:
        if family in ('1.3', '1.4', '1.5'):
            sched.base_lr = lr
        elif name in ('SGD', 'NAG'):
            lr_value = None
    if module_style:
        rescale, wd = 1.0 / 128, 0.0001
        lr_mult = {s('fc1_bias'): 2.0}
        wd_mult = {s('fc1_bias'): 0.0}
        idx2name = {0: s('fc1_weight'), 1: s('fc1_bias')}
        sym_info = ({s('fc1_bias'): {s('__lr_mult__'): s('2.0'), s('__wd_mult__'): s('0.0')}},
                    [s('data'), s('fc1_weight'), s('fc1_bias'), s('softmax_label')])
    else:
        rescale, wd, lr_mult, wd_mult, idx2name, sym_info = 1.0, 0.0, {}, {}, {}, ()
    counts = {}
    if family in ('1.3', '1.4'):
        items = [('rescale_grad', rescale), ('lr', lr_value), ('lr_scheduler', sched), ('wd', wd),
                 ('lr_mult', lr_mult), ('wd_mult', wd_mult), ('begin_num_update', 0), ('num_update', 0),
                 ('_index_update_count', counts), ('clip_gradient', None), ('multi_precision', False),
                 ('idx2name', idx2name), ('sym_info', sym_info)]
    else:
        head = [('rescale_grad', rescale), ('lr', lr_value), ('lr_scheduler', sched)]
        if family != '1.5':
            head = [head[0], head[2], head[1]]
        items = head + [('wd', wd), ('lr_mult', lr_mult), ('wd_mult', wd_mult), ('begin_num_update', 0),
                        ('num_update', 0), ('_all_index_update_counts', {0: counts}),
                        ('_index_update_count', counts), ('clip_gradient', None), ('multi_precision', False),
                        ('aggregate_num', agg), ('idx2name', idx2name), ('sym_info', sym_info)]
        if family != '1.5':
            items.append(('allow_np_array', False))
        if family.startswith('2.0'):
            items.append(('use_fused_step', fused))
    if name == '_SVRGOptimizer':
        items += [('default_opt', optimizer(family, 'SGD')), ('aux_opt', optimizer(family, '_AssignmentOptimizer'))]
    items += extra
    return new(cls, items)


def nd_handle(shape, seed):
    """NDArray::Save bytes: V3 magic 0xF993FACA, stype, shape, context, dtype float32, data."""
    out = struct.pack('<I', 0xF993FACA) + struct.pack('<i', 0)
    out += struct.pack('<i', len(shape)) + b''.join(struct.pack('<q', d) for d in shape)
    out += struct.pack('<ii', 1, 0) + struct.pack('<i', 0)
    size = 1
    for d in shape:
        size *= d
    out += b''.join(struct.pack('<f', ((i + seed) % 7) * 0.125) for i in range(size))
    return bytearray(out)


def ndarray(shape, seed):
    from mxnet.ndarray.ndarray import NDArray
    return NDArray(nd_handle(shape, seed))


def wire_cases():
    v = sys.version_info[:2]
    cases = []
    if v == (2, 7):
        cases = [('py27__mx1.3__SGD__default', '1.3', 'SGD', None, False),
                 ('py27__mx1.3__Adam__module_sched', '1.3', 'Adam', 'factor', True),
                 ('py27__mx1.4__NAG__default', '1.4', 'NAG', None, False),
                 ('py27__mx1.4___SVRGOptimizer__default', '1.4', '_SVRGOptimizer', None, False),
                 ('py27__mx1.5__SGD__gluon_multifactor', '1.5', 'SGD', 'multifactor', False),
                 ('py27__mx1.7__RMSProp__poly', '1.7', 'RMSProp', 'poly', False),
                 ('py27__mx1.7__Signum__module_sched', '1.7', 'Signum', 'factor', True)]
    elif v == (3, 6):
        cases = [('py36__mx1.3__AdaGrad__default', '1.3', 'AdaGrad', None, False),
                 ('py36__mx1.5__Adam__default', '1.5', 'Adam', None, False),
                 ('py36__mx1.6__LAMB__default', '1.6', 'LAMB', None, False),
                 ('py36__mx1.7__SGD__module_sched', '1.7', 'SGD', 'factor', True),
                 ('py36__mx2.0__AdamW__default', '2.0', 'AdamW', None, False),
                 ('py36__mx2.0__SGD__cosine_warmup', '2.0', 'SGD', 'cosine', False)]
    out = {}
    for name, family, cls, sched, module_style in cases:
        sch = scheduler(sched, family) if sched else None
        opt = optimizer(family, cls, sch, module_style)
        out[name + '.pkl'] = pickle.dumps(opt, 0)
    return out


def states_cases():
    v = sys.version_info[:2]
    tag = 'py%d%d' % v
    protos = [0, 2] if PY2 else [0, 2, 3, 4]
    out = {}
    for p in protos:
        # Module.save_optimizer_states: states only (SGD with momentum: one NDArray each).
        states = {0: ndarray((2, 3), 0), 1: ndarray((3,), 1)}
        out['%s__module_sgd_momentum__p%d.states' % (tag, p)] = pickle.dumps(states, p)
        # gluon.Trainer.save_states: (states, optimizer); Adam keeps (mean, var).
        states = {0: (ndarray((2, 2), 2), ndarray((2, 2), 3)), 1: (ndarray((2,), 4), ndarray((2,), 5))}
        opt = optimizer('1.7', 'Adam', None, False)
        out['%s__trainer_adam__p%d.states' % (tag, p)] = pickle.dumps((states, opt), p)
    if not PY2:
        # SGD without momentum keeps None states; kvstore updaters use str indices.
        opt = optimizer('1.7', 'SGD', scheduler('factor', '1.7'), True)
        out['%s__trainer_sgd_nomomentum__p4.states' % tag] = pickle.dumps(({0: None, 1: None}, opt), 4)
        out['%s__kvstore_str_index__p4.states' % tag] = pickle.dumps({'0': ndarray((4,), 6), '1': ndarray((1,), 7)}, 4)
    return out


def main():
    what = sys.argv[1]
    root = tempfile.mkdtemp(prefix='picklegate-fake-mxnet-')
    try:
        build_package(root)
        sys.path.insert(0, root)
        out = wire_cases() if what == 'wire' else states_cases()
    finally:
        shutil.rmtree(root)
    result = dict((k, bytearray(v).hex() if not PY2 else bytes(v).encode('hex')) for k, v in out.items())
    sys.stdout.write(json.dumps(result, sort_keys=True))


if __name__ == '__main__':
    main()
