/**
 * The optimizer summary where people see it: one readable line in the CLI's text output (built binary),
 * the `optimizer` section in the CLI's JSON and in the service's POST /v1/scan report.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { cli } from '../cli/run';
import { OCTET, makeService } from '../server/support';

const M = 'samples/mxnet';
const SCHED = `${M}/wire-py311/mx1.7__SGD__module_sched.pkl`;
const LINE_SCHED = 'SGD lr=None momentum=0.9 wd=0.0001 rescale_grad=0.0078125 scheduler=FactorScheduler(step=1000, factor=0.5, base_lr=0.01)';

describe('CLI text output', () => {
  test('--policy mxnet-optimizer prints the optimizer line under each file', () => {
    const r = cli(['scan', '--policy', 'mxnet-optimizer', '--no-progress', SCHED, `${M}/wire-py311/mx1.3__Adam__default.pkl`, `${M}/wire-other/py27__mx1.4___SVRGOptimizer__default.pkl`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain(`  optimizer: ${LINE_SCHED}`);
    expect(lines).toContain('  optimizer: Adam lr=0.001 beta1=0.9 beta2=0.999 epsilon=1e-08 wd=0.0');
    expect(lines).toContain('  optimizer: _SVRGOptimizer lr=0.01 wd=0.0 default_opt=(SGD lr=0.01 momentum=0.0 wd=0.0) aux_opt=(_AssignmentOptimizer lr=0.01 wd=0.0)');
    expect(lines.indexOf(`  optimizer: ${LINE_SCHED}`)).toBe(lines.findIndex((l) => l.includes('mx1.7__SGD__module_sched.pkl')) + 1);
  });

  test('--policy mxnet-states shows states and shapes; default policy prints no optimizer line', () => {
    const r = cli(['scan', '--policy', 'mxnet-states', '--no-progress', `${M}/states/py311__trainer_adam__p4.states`, `${M}/states/py27__module_sgd_momentum__p0.states`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  optimizer: Adam lr=0.001 beta1=0.9 beta2=0.999 epsilon=1e-08 wd=0.0 states=2 shapes=[(2, 2), (2, 2), (2,), (2,)]\n');
    expect(r.stdout).toContain('  optimizer: (no optimizer) states=2 shapes=[(2, 3), (3,)]\n');
    expect(cli(['scan', '--no-progress', SCHED]).stdout).not.toContain('optimizer:');
  });

  test('a rejected blob shows the line and the OPTIMIZER_BOUND finding; exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'picklegate-opt-cli-'));
    try {
      const f = join(dir, 'sabotage.pkl');
      writeFileSync(f, Buffer.from(readFileSync(SCHED, 'latin1').replace('Vfactor\np19\nF0.5\n', 'Vfactor\np19\nF2.0\n'), 'latin1'));
      const r = cli(['scan', '--policy', 'mxnet-optimizer', '--no-progress', f]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('scheduler=FactorScheduler(step=1000, factor=2.0, base_lr=0.01)');
      expect(r.stdout).toMatch(/suspicious OPTIMIZER_BOUND .*SGD\.lr_scheduler \(FactorScheduler\)\.factor is 2\.0; it must be at most 1/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--format json carries the optimizer section', () => {
    const r = cli(['scan', '--policy', 'mxnet-optimizer', '--format', 'json', '--no-progress', SCHED]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { files: { optimizer?: { line: string; params: Record<string, unknown> } }[] };
    expect(out.files[0]!.optimizer).toMatchObject({ line: LINE_SCHED, params: { momentum: 0.9, lr: null } });
  });
});

describe('service report', () => {
  const { app } = makeService();

  test('POST /v1/scan includes `optimizer` (default policy mxnet-optimizer)', async () => {
    const res = await request(app).post('/v1/scan').set('Content-Type', OCTET).send(readFileSync(SCHED));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: true, policy: 'mxnet-optimizer' });
    expect(res.body.optimizer).toEqual({
      class: 'mxnet.optimizer.optimizer.SGD',
      name: 'SGD',
      params: { rescale_grad: 0.0078125, lr: null, wd: 0.0001, begin_num_update: 0, num_update: 0, clip_gradient: null, multi_precision: false, aggregate_num: 4, allow_np_array: false, momentum: 0.9, lazy_update: true },
      tables: { lr_mult: 1, wd_mult: 1, _all_index_update_counts: 1, _index_update_count: 0, idx2name: 2, sym_info: 2 },
      scheduler: {
        class: 'mxnet.lr_scheduler.FactorScheduler',
        params: { base_lr: 0.01, warmup_steps: 0, warmup_final_lr: 0.01, warmup_begin_lr: 0, warmup_mode: 'linear', step: 1000, factor: 0.5, stop_factor_lr: 1e-8, count: 0 },
      },
      line: LINE_SCHED,
    });
  });

  test('?policy=mxnet-states on a .states file, and a rejected blob still reports its optimizer', async () => {
    const res = await request(app).post('/v1/scan?policy=mxnet-states').set('Content-Type', OCTET).send(readFileSync(`${M}/states/py311__trainer_adam__p4.states`));
    expect(res.body).toMatchObject({ accepted: true, optimizer: { name: 'Adam', states: { count: 2, shapes: [[2, 2], [2, 2], [2], [2]] } } });
    const bad = Buffer.from(readFileSync(SCHED, 'latin1').replace('Vwd\np23\nF0.0001\n', 'Vwd\np23\nF-1.0\n'), 'latin1');
    const r2 = await request(app).post('/v1/scan').set('Content-Type', OCTET).send(bad);
    expect(r2.body).toMatchObject({ accepted: false, optimizer: { params: { wd: -1 } } });
    expect(r2.body.findings.map((f: { code: string }) => f.code)).toEqual(['OPTIMIZER_BOUND']);
  });
});
