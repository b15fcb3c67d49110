#!/usr/bin/env python3
"""Writes MXNet 2.x AdamW `.states` payloads after a training step: `(states, optimizer)` where the
optimizer's `rescale_grad` has become a one-element float32 NDArray (AdamW.fused_step, MXNET.md §5).
Plain stand-in classes under the real module names; stdlib only. argv: rescale value; prints
{"p0": hex, "p4": hex} (protocol 0 as Python 3 writes it, and the 3.8+ default 4)."""
import json
import pickle
import struct
import sys
import types


def module(name):
    m = types.ModuleType(name)
    sys.modules[name] = m
    return m


class NDArray(object):
    def __init__(self, handle):
        self.handle = handle

    def __reduce__(self):
        return NDArray, (None,), {'handle': self.handle}

    def __setstate__(self, state):
        self.handle = state['handle']


class AdamW(object):
    pass


for pkg in ('mxnet', 'mxnet.ndarray', 'mxnet.optimizer'):
    module(pkg).__path__ = []
NDArray.__module__ = 'mxnet.ndarray.ndarray'
AdamW.__module__ = 'mxnet.optimizer.adamW'
module('mxnet.ndarray.ndarray').NDArray = NDArray
module('mxnet.optimizer.adamW').AdamW = AdamW


def nd(shape, values):
    out = struct.pack('<Ii', 0xF993FACA, 0) + struct.pack('<i', len(shape)) + b''.join(struct.pack('<q', d) for d in shape)
    out += struct.pack('<iii', 1, 0, 0) + b''.join(struct.pack('<f', v) for v in values)
    return NDArray(bytearray(out))


opt = AdamW()
for k, v in [('rescale_grad', nd((1,), [float(sys.argv[1])])), ('lr_scheduler', None), ('lr', 0.001), ('wd', 0.01),
             ('lr_mult', {}), ('wd_mult', {}), ('begin_num_update', 0), ('num_update', 1),
             ('_all_index_update_counts', {0: {0: 1}}), ('_index_update_count', {0: 1}), ('clip_gradient', None),
             ('multi_precision', False), ('aggregate_num', 4), ('idx2name', {0: 'dense0_weight'}), ('sym_info', ()),
             ('allow_np_array', False), ('use_fused_step', True), ('beta1', 0.9), ('beta2', 0.999),
             ('epsilon', 1e-06), ('correct_bias', True)]:
    setattr(opt, k, v)
states = {0: (nd((2,), [0.5, 0.25]), nd((2,), [0.125, 0.0]))}
print(json.dumps({'p%d' % p: pickle.dumps((states, opt), p).hex() for p in (0, 4)}))
