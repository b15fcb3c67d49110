/**
 * Cross-check: the optimizer values the report shows are what CPython's unpickler puts into the
 * optimizer's state (test/oracle/optimizer_state.py, stand-in classes, nothing imported), for every MXNet
 * sample: wire-py311, wire-other (Python 2.7 / 3.6) and .states. Floats compare exactly (inf/nan too),
 * and their Python repr is what the summary line prints.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scan, type HyperValue, type OptimizerSummary } from '../../src';
import { pyFloat } from '../../src/formats/optimizer/summary';

type Py = null | boolean | string | { i: string } | { f: string } | { b: number } | { l: Py[] } | { d: [Py, Py][] } | { obj: string; state: Record<string, Py> | null; args: Py[] } | { other: string };
interface PyResult { class: string | null; params: Record<string, Py> | null; states: number | null; shapes: (number[] | null)[] | null; error: string | null }

const ROOT = join(__dirname, '../../samples/mxnet');
const files: [string, string][] = [];
for (const dir of ['wire-py311', 'wire-other', 'states']) for (const f of readdirSync(join(ROOT, dir)).sort()) if (/\.(pkl|states)$/.test(f)) files.push([`${dir}/${f}`, dir === 'states' ? 'mxnet-states' : 'mxnet-optimizer']);
// plus edited wire samples with the floats no legitimate sample has: nan, inf, -inf, -0.0, 1e+300, 5e-324
const SGD17 = readFileSync(join(ROOT, 'wire-py311/mx1.7__SGD__module_sched.pkl'), 'latin1');
const EDITS: [string, Buffer][] = [['Fnan', 'Finf'], ['F-inf', 'F-0.0'], ['F1e+300', 'F5e-324']].map(([a, b]) => [
  `edited rescale_grad=${a} wd=${b}`,
  Buffer.from(SGD17.replace('F0.0078125\n', `${a}\n`).replace('F0.0001\n', `${b}\n`), 'latin1'),
]);
const bytesOf = (f: string) => EDITS.find(([name]) => name === f)?.[1] ?? readFileSync(join(ROOT, f));
for (const [name] of EDITS) files.push([name, 'mxnet-optimizer']);
const TABLES = new Set(['idx2name', 'lr_mult', 'wd_mult', '_index_update_count', '_all_index_update_counts', 'sym_info', 'param_dict', 'weight_previous', 'cumgrads', 'param2idx']);

let oracle: PyResult[] = [];
beforeAll(() => {
  const input = JSON.stringify(files.map(([f]) => bytesOf(f).toString('base64')));
  const out = execFileSync('python3', [join(__dirname, '../oracle/optimizer_state.py')], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  oracle = out.trim().split('\n').map((l) => JSON.parse(l) as PyResult);
});

const floats: string[] = [];
/** Python's value as the HyperValue we must report (objects: only that it is not a constant). */
function expected(v: Py): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if ('i' in v) return Number.isSafeInteger(Number(v.i)) ? Number(v.i) : v.i;
  if ('f' in v) {
    floats.push(v.f);
    return v.f === 'inf' || v.f === '-inf' || v.f === 'nan' ? v.f : Number(v.f);
  }
  if ('l' in v) return v.l.map(expected);
  if ('d' in v) return Object.fromEntries(v.d.map(([k, x]) => [typeof k === 'string' ? k : String(expected(k)), expected(x)]));
  if ('obj' in v) return expect.objectContaining(v.obj.startsWith('mxnet.ndarray') ? { $array: expect.anything() } : { $call: expect.stringContaining(v.obj) });
  throw new Error(`unexpected ${JSON.stringify(v)}`);
}

const isOptimizer = (v: Py): v is { obj: string; state: Record<string, Py>; args: Py[] } =>
  v !== null && typeof v === 'object' && 'obj' in v && v.state !== null && ('lr' in v.state || 'rescale_grad' in v.state);

function compareOptimizer(ours: OptimizerSummary, cls: string, state: Record<string, Py>): void {
  expect(ours.class).toBe(cls);
  const seen = new Set<string>();
  for (const [key, v] of Object.entries(state)) {
    seen.add(key);
    if (key === 'lr_scheduler' && v !== null) {
      const s = v as { obj: string; state: Record<string, Py> };
      expect(ours.scheduler?.class).toBe(s.obj);
      expect(ours.scheduler?.params).toEqual(Object.fromEntries(Object.entries(s.state).map(([k, x]) => [k, expected(x)])));
    } else if (key === 'lr_scheduler') {
      expect(ours.scheduler).toBeNull();
      expect('lr_scheduler' in ours.params).toBe(false);
    } else if (TABLES.has(key)) {
      const n = v && typeof v === 'object' ? ('d' in v ? v.d.length : 'l' in v ? v.l.length : 0) : 0;
      expect([key, ours.tables[key]]).toEqual([key, n]);
    } else if (isOptimizer(v)) {
      compareOptimizer(ours.nested![key]!, v.obj, v.state);
    } else {
      expect([key, ours.params[key]]).toEqual([key, expected(v)]);
    }
  }
  const reported = [...Object.keys(ours.params), ...Object.keys(ours.tables), ...Object.keys(ours.nested ?? {}), 'lr_scheduler'];
  expect(new Set(reported)).toEqual(seen);
}

describe('report.optimizer equals what CPython unpickles', () => {
  test('the oracle ran over every MXNet sample', () => {
    expect(files.length).toBe(336 + 13 + 14 + EDITS.length);
    expect(oracle).toHaveLength(files.length);
    expect(oracle.filter((o) => o.error)).toEqual([]);
  });

  test('every sample, parameter by parameter', () => {
    let compared = 0;
    files.forEach(([f, policy], i) => {
      const py = oracle[i]!;
      const ours = scan(bytesOf(f), { policy }).optimizer;
      expect([f, ours !== undefined]).toEqual([f, true]);
      if (py.class) {
        compareOptimizer(ours!, py.class, py.params!);
        compared++;
      } else {
        expect(ours!.class).toBeNull();
      }
      if (py.states !== null) expect([f, ours!.states]).toEqual([f, { count: py.states, shapes: py.shapes }]);
      else expect(ours!.states).toBeUndefined();
    });
    expect(compared).toBe(336 + 13 + 7 + EDITS.length); // 7 .states files carry (states, optimizer)
  });

  test("floats print as Python's repr in the summary line", () => {
    expect(floats.length).toBeGreaterThan(2000);
    for (const f of ['nan', 'inf', '-inf', '-0.0', '1e+300', '5e-324']) expect(floats).toContain(f);
    for (const f of new Set(floats)) expect([f, pyFloat(f === 'nan' ? NaN : Number(f.replace(/^(-?)inf$/, '$1Infinity')))]).toEqual([f, f]);
    for (const x of [1, 0.1, 1e-5, 0.0001, 1e16, 1234567890123456.0, 123456789012345680000, 5e-324, -2.5, 1 / 3, 1e22, 0.00012345]) {
      expect(pyFloat(x)).toBe(
        ({ 1: '1.0', 0.1: '0.1', 1e-5: '1e-05', 0.0001: '0.0001', 1e16: '1e+16', 1234567890123456: '1234567890123456.0', 123456789012345680000: '1.2345678901234568e+20', 5e-324: '5e-324', [-2.5]: '-2.5', [1 / 3]: '0.3333333333333333', 1e22: '1e+22', 0.00012345: '0.00012345' } as Record<string, string>)[String(x)],
      );
    }
  });
});

describe('HyperValue stays plain JSON', () => {
  test('round-trips through JSON.stringify', () => {
    const r = scan(readFileSync(join(ROOT, 'wire-py311/mx1.7__SGD__module_sched.pkl')), { policy: 'mxnet-optimizer' });
    const back = JSON.parse(JSON.stringify(r.optimizer)) as OptimizerSummary;
    expect(back).toEqual({ ...r.optimizer });
    const v: HyperValue = back.params.momentum!;
    expect(v).toBe(0.9);
  });
});
