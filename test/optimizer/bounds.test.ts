/**
 * Optimizer bounds (issue #7): every legitimate MXNet sample passes the built-in bounds; a value outside
 * its bound is an OPTIMIZER_BOUND finding and the blob is rejected. Sabotage blobs are real wire samples
 * (protocol 0 is ASCII text) with one value edited, so everything else about them stays legitimate.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scan, type PolicySpec, type Report } from '../../src';
import { MXNET_OPTIMIZER_BOUNDS, MXNET_STATES_BOUNDS } from '../../src/policy/builtin/optimizer-bounds';
import { compilePolicy, loadPolicyFile, parsePolicy, PolicyError } from '../../src/policy/registry';

const SAMPLES = join(__dirname, '../../samples/mxnet');
const read = (rel: string) => readFileSync(join(SAMPLES, rel));
const listDir = (d: string, ext: string) => readdirSync(join(SAMPLES, d)).filter((f) => f.endsWith(ext)).sort();

/** A wire sample with one edit; fails loudly when the pattern is not there (so a test cannot pass vacuously). */
function edit(rel: string, from: RegExp, to: string): Buffer {
  const text = read(rel).toString('latin1');
  if (!from.test(text)) throw new Error(`${from} not in ${rel}`);
  return Buffer.from(text.replace(from, to), 'latin1');
}
const setFloat = (rel: string, key: string, value: string) => edit(rel, new RegExp(`(V${key}\\np\\d+\\n)(?:F[^\\n]*\\n|I\\d+\\n|N)`), `$1${value}\n`);

const bound = (r: Report) => r.findings.filter((f) => f.code === 'OPTIMIZER_BOUND').map((f) => f.message);
function rejectedOnlyForBounds(r: Report): string[] {
  expect(r.accepted).toBe(false);
  expect(r.verdict).toBe('suspicious');
  expect(r.findings.map((f) => f.code).filter((c) => c !== 'OPTIMIZER_BOUND')).toEqual([]);
  return bound(r);
}

const SGD15 = 'wire-py311/mx1.5__SGD__module_sched.pkl'; // lr and a FactorScheduler
const SGD17 = 'wire-py311/mx1.7__SGD__module_sched.pkl'; // lr None (1.6+), momentum 0.9
const wire = (b: Uint8Array, policy: string | PolicySpec = 'mxnet-optimizer') => scan(b, { policy });

describe('every legitimate sample passes the built-in bounds', () => {
  test('the samples are all there: 13 Python 2.7/3.6 wire bodies and 14 .states files', () => {
    expect(listDir('wire-other', '.pkl')).toHaveLength(13);
    expect(listDir('states', '.states')).toHaveLength(14);
  });

  test.each(listDir('wire-other', '.pkl'))('wire-other/%s under mxnet-optimizer', (f) => {
    const r = wire(read(`wire-other/${f}`));
    expect(r.findings).toEqual([]);
    expect(r).toMatchObject({ verdict: 'safe', accepted: true });
    expect(r.optimizer?.class).toMatch(/^mxnet\./);
  });

  test.each(listDir('states', '.states'))('states/%s under mxnet-states', (f) => {
    const r = scan(read(`states/${f}`), { policy: 'mxnet-states' });
    expect(r.findings).toEqual([]);
    expect(r).toMatchObject({ verdict: 'safe', accepted: true });
    expect(r.optimizer?.states?.count).toBe(2);
    expect(r.optimizer?.states?.shapes.every((s) => Array.isArray(s))).toBe(true);
  });

  test('the base samples of the sabotage tests are clean', () => {
    for (const f of [SGD15, SGD17]) expect(wire(read(f)).findings).toEqual([]);
  });
});

describe('sabotage values are OPTIMIZER_BOUND findings and reject the blob', () => {
  test('lr = 1e9', () => {
    const msgs = rejectedOnlyForBounds(wire(setFloat(SGD15, 'lr', 'F1e9')));
    expect(msgs).toEqual(['SGD.lr is 1000000000.0; it must be at most 10']);
  });

  test('lr = 0 and lr = -0.1', () => {
    expect(rejectedOnlyForBounds(wire(setFloat(SGD15, 'lr', 'F0.0')))[0]).toMatch(/SGD\.lr .*greater than 0/);
    expect(rejectedOnlyForBounds(wire(setFloat(SGD15, 'lr', 'F-0.1')))[0]).toMatch(/SGD\.lr .*greater than 0/);
  });

  test('negative wd', () => {
    expect(rejectedOnlyForBounds(wire(setFloat(SGD17, 'wd', 'F-0.0001')))).toEqual(['SGD.wd is -0.0001; it must be at least 0']);
  });

  test.each(['Fnan', 'Finf', 'F-inf'])('rescale_grad %s', (v) => {
    const msgs = rejectedOnlyForBounds(wire(setFloat(SGD17, 'rescale_grad', v)));
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatch(/^SGD\.rescale_grad is float\('-?(nan|inf)'\); it must be a finite number$/);
  });

  test.each(['F0.0', 'F-1.0', 'I0'])('clip_gradient %s (<= 0)', (v) => {
    expect(rejectedOnlyForBounds(wire(setFloat(SGD17, 'clip_gradient', v)))[0]).toMatch(/^SGD\.clip_gradient .*greater than 0/);
    expect(wire(setFloat(SGD17, 'clip_gradient', 'F10.0')).findings).toEqual([]);
  });

  test('momentum >= 1', () => {
    expect(rejectedOnlyForBounds(wire(setFloat(SGD17, 'momentum', 'F1.0')))[0]).toMatch(/^SGD\.momentum .*less than 1/);
  });

  test('a call result where a number is expected (an allowlisted object as wd)', () => {
    // wd = copy_reg._reconstructor(FactorScheduler, object, None): every global allowed, the object shape is the wire's own
    const b = edit(SGD17, /(Vwd\np23\n)F0\.0001\n/, '$1g0\n(g8\ng2\nNtRp900\n');
    const msgs = rejectedOnlyForBounds(wire(b));
    expect(msgs).toEqual([expect.stringMatching(/^SGD\.wd is .*FactorScheduler.*not a plain constant/)]);
    expect(wire(b).optimizer?.params.wd).toEqual({ $call: expect.stringContaining('FactorScheduler') });
  });

  test('numpy-scalar hyperparameters under a policy that allows numpy: reported as calls, never guessed', () => {
    const policy: PolicySpec = {
      name: 'mxnet-numpy-hparams',
      rules: [
        { module: 'copy_reg', names: ['_reconstructor'], action: 'allow', reason: 'wire' },
        { module: '__builtin__', names: ['object'], action: 'allow', reason: 'wire' },
        { module: 'mxnet.optimizer.optimizer', names: ['SGD'], action: 'allow', reason: 'optimizer' },
        { module: 'numpy._core.multiarray', names: ['scalar'], action: 'allow', reason: 'numpy scalar' },
        { module: 'numpy', names: ['dtype'], action: 'allow', reason: 'numpy scalar' },
        { module: '_codecs', names: ['encode'], action: 'allow', reason: 'numpy scalar bytes' },
      ],
      match: 'raw',
      optimizer: MXNET_OPTIMIZER_BOUNDS,
    };
    const r = scan(read('wire-py311/mx1.7__SGD__numpy_hparams.pkl'), { policy });
    const msgs = rejectedOnlyForBounds(r);
    expect(msgs.map((m) => m.split(' ')[0]).sort()).toEqual(['SGD.lr', 'SGD.momentum', 'SGD.rescale_grad']);
    for (const m of msgs) expect(m).toMatch(/numpy\._core\.multiarray\.scalar\(.*not a plain constant/);
    for (const k of ['lr', 'momentum', 'rescale_grad']) expect(r.optimizer?.params[k]).toEqual({ $call: expect.stringMatching(/^numpy\._core\.multiarray\.scalar\(/) });
    expect(r.optimizer?.params.wd).toBe(0);
    expect(r.optimizer?.line).toMatch(/^SGD lr=numpy\._core\.multiarray\.scalar\(/);
  });

  test('scheduler factor > 1, and a negative step count', () => {
    expect(rejectedOnlyForBounds(wire(setFloat(SGD17, 'factor', 'F2.0')))).toEqual([
      'SGD.lr_scheduler (FactorScheduler).factor is 2.0; it must be at most 1',
    ]);
    expect(rejectedOnlyForBounds(wire(setFloat(SGD17, 'base_lr', 'F1e9')))[0]).toMatch(/FactorScheduler\)\.base_lr .*at most 10/);
  });

  test('a required key missing', () => {
    const b = edit(SGD17, /Vrescale_grad\np6\nF0\.0078125\ns/, '');
    expect(rejectedOnlyForBounds(wire(b))).toEqual(["SGD sets no 'rescale_grad', which the policy requires"]);
  });

  test('a wrong type (lr as a string)', () => {
    expect(rejectedOnlyForBounds(wire(setFloat(SGD15, 'lr', "V0.01")))[0]).toMatch(/^SGD\.lr is '0\.01' \(string\); the policy allows number or null/);
  });

  test('a nested optimizer (SVRG default_opt) is bounded too', () => {
    const b = edit('wire-other/py27__mx1.4___SVRGOptimizer__default.pkl', /(S'momentum'\np\d+\n)F0\.0\n/, '$1F5.0\n');
    expect(rejectedOnlyForBounds(wire(b))).toEqual(['_SVRGOptimizer.default_opt.momentum is 5.0; it must be less than 1']);
  });
});

describe('custom bounds in policy JSON', () => {
  const custom = {
    name: 'tight-sgd',
    extends: 'mxnet-optimizer',
    optimizer: {
      classes: { SGD: { momentum: { min: 0.5, max: 0.95 }, lr: { types: ['null'] } }, Adam: { beta2: { oneOf: [0.999] } } },
      forbidden: ['clip_weights'],
      required: ['momentum'],
      scheduler: { step: { types: ['integer'], min: 100 } },
    },
  };

  test('per-class bounds add to the defaults of the extended policy', () => {
    const p = compilePolicy(custom as PolicySpec);
    expect(p.spec.optimizer?.all).toEqual(MXNET_OPTIMIZER_BOUNDS.all);
    expect(p.spec.optimizer?.required).toEqual(['lr', 'wd', 'rescale_grad', 'momentum']);
    expect(p.spec.optimizer?.expect).toBe('optimizer');
    expect(wire(read(SGD17), custom as PolicySpec).findings).toEqual([]);
    expect(rejectedOnlyForBounds(wire(setFloat(SGD17, 'momentum', 'F0.99'), custom as PolicySpec))).toEqual(['SGD.momentum is 0.99; it must be at most 0.95']);
    // a default bound is still there
    expect(rejectedOnlyForBounds(wire(setFloat(SGD17, 'wd', 'F-1.0'), custom as PolicySpec))[0]).toMatch(/SGD\.wd .*at least 0/);
    // the SGD lr bound (None only) does not apply to other classes
    expect(rejectedOnlyForBounds(wire(setFloat(SGD15, 'lr', 'F0.01'), custom as PolicySpec))).toEqual(['SGD.lr is 0.01 (number); the policy allows null']);
    expect(rejectedOnlyForBounds(wire(setFloat(SGD17, 'step', 'I10'), custom as PolicySpec))[0]).toMatch(/FactorScheduler\)\.step is 10; it must be at least 100/);
  });

  test('oneOf, required and forbidden keys', () => {
    const adam = read('wire-py311/mx1.7__Adam__default.pkl');
    expect(bound(wire(adam, custom as PolicySpec))).toEqual(["Adam sets no 'momentum', which the policy requires"]);
    const b = edit('wire-py311/mx1.7__Adam__default.pkl', /(Vbeta2\np\d+\n)F0\.999\n/, '$1F0.99\n');
    expect(bound(wire(b, custom as PolicySpec))).toContain('Adam.beta2 is 0.99; the policy allows only 0.999');
    const rms = read('wire-py311/mx1.7__RMSProp__default.pkl');
    expect(bound(wire(rms, custom as PolicySpec))).toContain("RMSProp sets 'clip_weights', which the policy forbids");
  });

  test('a bound in a policy file loaded through loadPolicyFile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'picklegate-bounds-'));
    try {
      const file = join(dir, 'policy.json');
      writeFileSync(file, JSON.stringify({ name: 'file-bounds', extends: 'mxnet-optimizer', optimizer: { all: { wd: { max: 0.00001 } } } }));
      const policy = await loadPolicyFile(file);
      expect(policy.name).toBe('file-bounds');
      const r = scan(read(SGD17), { policy });
      expect(rejectedOnlyForBounds(r)).toEqual(['SGD.wd is 0.0001; it must be at most 0.00001'.replace('0.00001', String(0.00001))]);
      expect(scan(read('wire-py311/mx1.7__SGD__default.pkl'), { policy }).accepted).toBe(true);

      writeFileSync(file, JSON.stringify({ name: 'bad', optimizer: { all: { wd: { max: '1' } }, classes: { SGD: { lr: { types: ['float'] } } }, oops: 1 } }));
      await expect(loadPolicyFile(file)).rejects.toThrow(PolicyError);
      const issues = (await loadPolicyFile(file).catch((e: PolicyError) => e)) as PolicyError;
      expect(issues.issues.join('\n')).toMatch(/optimizer\.all\.wd\.max/);
      expect(issues.issues.join('\n')).toMatch(/optimizer\.classes\.SGD\.lr\.types\[0\]/);
      expect(issues.issues.join('\n')).toMatch(/oops/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('zod rejects unknown bound keys and bad types', () => {
    expect(parsePolicy({ name: 'x', optimizer: { all: { lr: { maximum: 1 } } } }).ok).toBe(false);
    expect(parsePolicy({ name: 'x', optimizer: { expect: 'model' } }).ok).toBe(false);
    expect(parsePolicy({ name: 'x', optimizer: { required: 'lr' } }).ok).toBe(false);
    expect(parsePolicy({ name: 'x', optimizer: { all: { lr: { types: ['ndarray', 'number'], finite: true } } } }).ok).toBe(true);
  });
});

describe('.states: 2.x AdamW keeps rescale_grad as a one-element NDArray after its first step', () => {
  const make = (v: string) => {
    const out = JSON.parse(execFileSync('python3', [join(__dirname, 'make_adamw_states.py'), v], { encoding: 'utf8' })) as Record<string, string>;
    expect(Object.keys(out).sort()).toEqual(['p0', 'p4']); // the loops below must not pass on nothing
    return Object.fromEntries(Object.entries(out).map(([k, hex]) => [k, Buffer.from(hex, 'hex')]));
  };

  test('accepted by mxnet-states when its element is within the rescale_grad bound', () => {
    for (const [proto, b] of Object.entries(make('0.0078125'))) {
      const r = scan(b, { policy: 'mxnet-states' });
      expect([proto, r.findings]).toEqual([proto, []]);
      expect(r.optimizer?.params.rescale_grad).toEqual({ $array: { shape: [1], dtype: 'float32', value: 0.0078125 } });
      expect(r.optimizer?.states).toEqual({ count: 1, shapes: [[2], [2]] });
      expect(r.optimizer?.line).toBe('AdamW lr=0.001 beta1=0.9 beta2=0.999 epsilon=1e-06 correct_bias=True wd=0.01 rescale_grad=NDArray(shape=(1,), value=0.0078125) states=1 shapes=[(2,), (2,)]');
    }
  });

  test('rejected when the element is out of bounds (nan, negative)', () => {
    for (const v of ['nan', '-1.0']) {
      for (const b of Object.values(make(v))) {
        const msgs = rejectedOnlyForBounds(scan(b, { policy: 'mxnet-states' }));
        expect(msgs).toEqual([expect.stringMatching(/^AdamW\.rescale_grad is an NDArray holding (NaN|-1); it must be/)]);
      }
    }
  });

  test('the wire policy never takes an NDArray as a hyperparameter', () => {
    expect(MXNET_OPTIMIZER_BOUNDS.all?.rescale_grad?.types).toEqual(['number']);
    expect(MXNET_STATES_BOUNDS.all?.rescale_grad?.types).toEqual(['number', 'ndarray']);
  });
});
