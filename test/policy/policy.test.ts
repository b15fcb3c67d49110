import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compilePolicy, getPolicy, listPolicies, loadPolicyFile, parsePolicy, PolicyError, scan } from '../../src';
import { P } from '../support/pickle-builder';

const judge = (policy: ReturnType<typeof getPolicy>, m: string, n: string, proto = 4) => policy.judge(m, n, proto).decision;

describe('rule matching', () => {
  const p = compilePolicy({
    name: 't',
    rules: [
      { module: 'pkg', names: ['A', 'Outer.Inner'], action: 'allow', reason: 'listed' },
      { module: 'pkg.sub', names: '*', action: 'allow', reason: 'star' },
      { module: 'tree', names: '*', action: 'allow', reason: 'tree', submodules: true },
      { module: 'tree.bad', names: ['f'], action: 'deny', reason: 'deny beats allow' },
      { module: 'evil', names: '*', action: 'deny', reason: 'whole package', submodules: true },
    ],
  });

  test('exact names, dotted names listed exactly', () => {
    expect(judge(p, 'pkg', 'A')).toBe('allow');
    expect(judge(p, 'pkg', 'Outer.Inner')).toBe('allow');
    expect(judge(p, 'pkg', 'B')).toBe('unlisted');
  });

  test('* in an allow rule matches undotted names only', () => {
    expect(judge(p, 'pkg.sub', 'Anything')).toBe('allow');
    expect(judge(p, 'pkg.sub', 'Anything.attr')).toBe('unlisted');
    expect(judge(p, 'pkg.sub.deeper', 'X')).toBe('unlisted');
  });

  test('submodule rules cover packages; deny beats allow', () => {
    expect(judge(p, 'tree.a.b', 'X')).toBe('allow');
    expect(judge(p, 'tree.bad', 'f')).toBe('deny');
    expect(judge(p, 'tree.bad', 'g')).toBe('allow');
    expect(judge(p, 'evil.x.y', 'z.w')).toBe('deny');
  });

  test('every dotted prefix is checked against deny rules', () => {
    const d = getPolicy('default');
    expect(judge(d, 'builtins', 'getattr.__call__')).toBe('deny');
    expect(judge(d, 'torch', 'fx.graph_module.reduce_graph_module')).toBe('deny');
  });

  test.each([
    ['codecs', 'open'],
    ['site', 'addsitedir'],
    ['warnings', '_getcategory'],
    ['unittest.mock', '_importer'],
    ['gzip', 'GzipFile'],
    ['logging', 'FileHandler'],
    ['torch._C', 'import_ir_module'],
  ])('less obvious file, import and code paths are denied: %s.%s', (m, n) => {
    expect(judge(getPolicy('default'), m, n)).toBe('deny');
  });

  test('numpy.memmap may be referenced (memmap views pass the class to _reconstruct) but never called', () => {
    const j = getPolicy('default').judge('numpy', 'memmap', 4);
    expect(j.decision).toBe('allow');
    expect(j.denyCall).toMatch(/opens, creates or truncates/);
  });

  test('deny rules do not cover the stdlib value types they list as exceptions, nor what lies below them', () => {
    const d = getPolicy('default');
    expect(judge(d, 'signal', 'Signals')).toBe('allow');
    expect(judge(d, 'signal', 'signal')).toBe('deny');
    expect(judge(d, 'http', 'HTTPStatus.OK')).toBe('allow');
    expect(judge(d, 'http.client', 'HTTPConnection')).toBe('deny');
    expect(judge(d, 'os', 'stat_result')).toBe('allow');
    expect(judge(d, 'os', 'system')).toBe('deny');
    expect(judge(d, 'http', 'HTTPStatus.__init__')).toBe('deny');
  });

  test('Cls.* allows one non-dunder attribute of an allowed enumeration', () => {
    const d = getPolicy('default');
    expect(judge(d, 're', 'RegexFlag.IGNORECASE')).toBe('allow');
    expect(judge(d, 're', 'RegexFlag.IGNORECASE.real')).toBe('unlisted');
    expect(judge(d, 're', 'RegexFlag.__class__')).toBe('deny');
  });

  test('a walk through a dunder attribute is denied', () => {
    expect(judge(getPolicy('default'), 'collections', 'OrderedDict.__init__.__globals__')).toBe('deny');
  });

  test('an unknown alias of os inside any module is caught by the conventional names', () => {
    const j = getPolicy('default').judge('somepkg.util', 'os.system', 4);
    expect(j).toMatchObject({ decision: 'deny', resolved: 'os.system' });
  });

  test('default "deny" makes unlisted globals dangerous', () => {
    const strict = compilePolicy({ name: 's', default: 'deny', rules: [] });
    const r = scan(new P().proto(2).global('mylib', 'Thing').stop().done(), { policy: strict });
    expect(r.verdict).toBe('dangerous');
  });

  test('accept: suspicious accepts unlisted globals but never denied ones', () => {
    const lax = compilePolicy({ name: 'lax', extends: 'default', accept: 'suspicious' });
    expect(scan(new P().proto(2).global('mylib', 'Thing').stop().done(), { policy: lax }).accepted).toBe(true);
    expect(scan(new P().proto(2).global('os', 'system').stop().done(), { policy: lax }).accepted).toBe(false);
  });
});

describe('built-in policies', () => {
  test('the four built-ins are listed', () => {
    expect(listPolicies().map((p) => p.name)).toEqual(['default', 'mxnet-optimizer', 'mxnet-states', 'strict']);
  });

  test('mxnet-optimizer matches the exact wire spelling, never remapped aliases', () => {
    const p = getPolicy('mxnet-optimizer');
    expect(judge(p, 'copy_reg', '_reconstructor', 0)).toBe('allow');
    expect(judge(p, 'copyreg', '_reconstructor', 0)).toBe('unlisted');
    expect(judge(p, '__builtin__', 'object', 0)).toBe('allow');
    expect(judge(p, 'builtins', 'object', 0)).toBe('unlisted');
    expect(judge(p, 'mxnet.optimizer.optimizer', 'SGD', 0)).toBe('allow');
    expect(judge(p, 'mxnet.optimizer', 'AdamW', 0)).toBe('unlisted');
    expect(judge(p, '__main__', 'MyOpt', 0)).toBe('unlisted');
  });

  test('an extended policy adds third-party schedulers', () => {
    const p = compilePolicy({
      name: 'gluoncv',
      extends: 'mxnet-optimizer',
      rules: [{ module: 'gluoncv.utils.lr_scheduler', names: ['LRScheduler', 'LRSequential'], action: 'allow', reason: 'gluoncv schedulers' }],
    });
    expect(judge(p, 'gluoncv.utils.lr_scheduler', 'LRSequential', 0)).toBe('allow');
    expect(p.spec.wire?.protocols).toEqual([0]);
  });

  test('unknown built-in names are a PolicyError', () => {
    expect(() => getPolicy('nope')).toThrow(PolicyError);
    expect(() => scan(new Uint8Array([0x4e, 0x2e]), { policy: 'nope' })).toThrow(/unknown policy 'nope'/);
  });
});

describe('policy files are validated with errors that name the path', () => {
  test('bad rules are reported by path', () => {
    const r = parsePolicy({ name: 'x', rules: [{ module: 'os', names: '*', action: 'deny', reason: 'r' }, { module: 'bad module', names: [], action: 'maybe' }] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.join('\n')).toMatch(/rules\[1\]\.module: must be a dotted Python identifier/);
    expect(r.issues.join('\n')).toMatch(/rules\[1\]\.action/);
    expect(r.issues.join('\n')).toMatch(/rules\[1\]\.reason/);
  });

  test('unknown keys and a __proto__ key are rejected, not merged', () => {
    const r = parsePolicy(JSON.parse('{"name":"x","rules":[],"__proto__":{"default":"allow"}}'));
    expect(r.ok).toBe(false);
  });

  test('unknown extends is rejected', () => {
    const r = parsePolicy({ name: 'x', extends: 'nope' });
    expect(r).toEqual({ ok: false, issues: ["extends: unknown built-in policy 'nope'"] });
  });

  test('loadPolicyFile reads, validates and compiles', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-policy-'));
    writeFileSync(join(dir, 'ok.json'), JSON.stringify({ name: 'ok', extends: 'default', rules: [{ module: 'mylib', names: ['Net'], action: 'allow', reason: 'ours' }] }));
    writeFileSync(join(dir, 'bad.json'), '{"name": 3}');
    writeFileSync(join(dir, 'broken.json'), '{');
    const ok = await loadPolicyFile(join(dir, 'ok.json'));
    expect(scan(new P().proto(2).global('mylib', 'Net').stop().done(), { policy: ok }).verdict).toBe('safe');
    await expect(loadPolicyFile(join(dir, 'bad.json'))).rejects.toThrow(/name:/);
    await expect(loadPolicyFile(join(dir, 'broken.json'))).rejects.toThrow(/not valid JSON/);
    await expect(loadPolicyFile(join(dir, 'missing.json'))).rejects.toThrow(/ENOENT/);
  });
});
