/**
 * Default hyperparameter bounds of the MXNet policies: loose enough for every real optimizer
 * (MXNET.md §6 defaults and common training settings), tight enough to stop sabotage such as a
 * learning rate of 1e9, a negative weight decay or a NaN gradient rescale.
 */
import type { OptimizerBounds } from '../schema';

export const MXNET_OPTIMIZER_BOUNDS: OptimizerBounds = {
  expect: 'optimizer',
  all: {
    lr: { types: ['number', 'null'], finite: true, exclusiveMin: 0, max: 10 },
    wd: { types: ['number'], finite: true, min: 0, max: 1 },
    rescale_grad: { types: ['number'], finite: true, exclusiveMin: 0, max: 1e6 },
    clip_gradient: { types: ['number', 'null'], finite: true, exclusiveMin: 0 },
    momentum: { types: ['number'], finite: true, min: 0, exclusiveMax: 1 },
    beta1: { types: ['number'], finite: true, min: 0, exclusiveMax: 1 },
    beta2: { types: ['number'], finite: true, min: 0, exclusiveMax: 1 },
    epsilon: { types: ['number'], finite: true, exclusiveMin: 0, max: 1 },
    multi_precision: { types: ['boolean'] },
    begin_num_update: { types: ['integer'], min: 0 },
    num_update: { types: ['integer'], min: 0 },
  },
  scheduler: {
    base_lr: { types: ['number'], finite: true, exclusiveMin: 0, max: 10 },
    factor: { types: ['number'], finite: true, exclusiveMin: 0, max: 1 },
    stop_factor_lr: { types: ['number'], finite: true, min: 0 },
    warmup_steps: { types: ['integer'], min: 0 },
    warmup_begin_lr: { types: ['number'], finite: true, min: 0, max: 10 },
    warmup_final_lr: { types: ['number'], finite: true, min: 0, max: 10 },
    final_lr: { types: ['number'], finite: true, min: 0, max: 10 },
    max_update: { types: ['integer'], min: 1 },
    power: { types: ['number'], finite: true, exclusiveMin: 0, max: 10 },
  },
  required: ['lr', 'wd', 'rescale_grad'],
};

/** `.states` files: the same bounds; the payload is a states dict or a (states, optimizer) tuple. */
export const MXNET_STATES_BOUNDS: OptimizerBounds = { ...MXNET_OPTIMIZER_BOUNDS, expect: 'states' };
