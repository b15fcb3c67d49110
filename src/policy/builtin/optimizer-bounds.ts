/**
 * Default hyperparameter bounds of the MXNet policies: loose enough for every real optimizer
 * (MXNET.md §6 defaults and common training settings), tight enough to stop sabotage such as a
 * learning rate of 1e9, a negative weight decay or a NaN gradient rescale.
 *
 * Every bound applies only when the key is present (bar `required`); every number must be a plain
 * constant of the pickle (a call result such as a numpy scalar never passes). Keys without a bound
 * (class extras such as rho, gamma1, lamda1, counters) are reported but not limited.
 *   lr             number or None (1.6+ SGD/NAG with a scheduler), finite, 0 < lr <= 10
 *   wd             finite, 0 <= wd <= 1
 *   rescale_grad   finite, 0 < x <= 1e6 (1/batch size is typical); .states also a one-element NDArray (2.x AdamW/AdaBelief)
 *   clip_gradient  None or finite > 0 (the kernels clip only when >= 0: 0 would zero every gradient; None is sent as -1)
 *   momentum, beta1, beta2   finite, 0 <= x < 1
 *   epsilon        finite, 0 < x <= 1
 *   multi_precision  bool
 *   begin_num_update, num_update   int >= 0
 *   scheduler: base_lr 0 < x <= 10; factor 0 < x <= 1; stop_factor_lr >= 0; warmup_steps int >= 0;
 *     warmup_begin_lr, warmup_final_lr, final_lr 0 <= x <= 10; max_update int >= 1; power 0 < x <= 10
 *   required: lr, wd, rescale_grad (every MXNet optimizer since 1.3 has them)
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

/**
 * `.states` files: the same bounds; the payload is a states dict or a (states, optimizer) tuple. One
 * difference: MXNet 2.x AdamW/AdaBelief replace `rescale_grad` by a one-element NDArray after their first
 * step (MXNET.md §5), so a `.states` file may legitimately hold one there. It passes when its header shows
 * a single element within the same range (the element is read from the pickle's constant bytes); an
 * NDArray whose element cannot be read is a finding like any other non-constant.
 */
export const MXNET_STATES_BOUNDS: OptimizerBounds = {
  ...MXNET_OPTIMIZER_BOUNDS,
  expect: 'states',
  all: { ...MXNET_OPTIMIZER_BOUNDS.all, rescale_grad: { types: ['number', 'ndarray'], finite: true, exclusiveMin: 0, max: 1e6 } },
};
