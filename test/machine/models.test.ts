/**
 * CPython's own reduce idioms are modeled, not treated as attacks: getattr with a constant name,
 * calls of functools.partial objects, legacy torch module persistent ids, value-only globals. Every
 * variation an attacker controls (computed names, unknown objects, dunder walks, escapes) stays rejected.
 */
import { execFileSync } from 'node:child_process';
import { scan, type Report } from '../../src';
import { P } from '../support/pickle-builder';

const codes = (r: Report) => r.findings.map((f) => `${f.code}/${f.rule}`);

/** Real pickles written by the machine's python3 (3.8+), by name. */
function cpython(): Record<string, Uint8Array> {
  const script = String.raw`
import base64, enum, functools, json, pickle, re, zoneinfo, collections
class Color(enum.Enum):
    RED = 1
class Pair(tuple):
    def __new__(cls, a, b): return tuple.__new__(cls, (a, b))
    def __getnewargs_ex__(self): return ((self[0], self[1]), {})
out = {
  'regexflag_p2': pickle.dumps([re.IGNORECASE, re.RegexFlag.MULTILINE], 2),
  'regexflag_p4': pickle.dumps([re.IGNORECASE], 4),
  'zoneinfo_p2': pickle.dumps(zoneinfo.ZoneInfo('UTC'), 2),
  'user_enum_p4': pickle.dumps(Color.RED, 4),
  'partial_p2': pickle.dumps(functools.partial(collections.OrderedDict, a=1), 2),
}
print(json.dumps({k: base64.b64encode(v).decode() for k, v in out.items()}))
`;
  const json = JSON.parse(execFileSync('python3', ['-c', script], { encoding: 'utf8' })) as Record<string, string>;
  return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
}

describe('getattr with a constant name is judged by the attribute it reads', () => {
  const real = cpython();

  test.each(['regexflag_p2', 'regexflag_p4', 'zoneinfo_p2'])('real CPython pickle %s is safe', (name) => {
    const r = scan(real[name]!);
    expect(codes(r)).toEqual([]);
    expect(r.verdict).toBe('safe');
  });

  test("a user's own enum is as suspicious as its class, never dangerous", () => {
    const r = scan(real.user_enum_p4!);
    expect(r.verdict).toBe('suspicious');
    expect(codes(r)).toContain('UNLISTED_GLOBAL/not-allowed');
    expect(r.findings.every((f) => f.severity !== 'dangerous')).toBe(true);
  });

  test('getattr(os, "system") reads a denied name: dangerous, with the name it reaches', () => {
    const r = scan(new P().proto(2).global('builtins', 'getattr').global('os', 'path').str('system').tuple2().reduce().str('id').tuple1().reduce().stop().done());
    expect(r.verdict).toBe('dangerous');
    expect(r.findings.some((f) => f.code === 'DENIED_GLOBAL' && /os\.path\.system|os\.system/.test(f.message))).toBe(true);
  });

  test('a dunder attribute is denied (getattr(C, "__init__") walks to globals)', () => {
    const r = scan(new P().proto(2).global('builtins', 'getattr').global('collections', 'OrderedDict').str('__init__').tuple2().reduce().stop().done());
    expect(r.verdict).toBe('dangerous');
  });

  test('a computed attribute name is not modeled: getattr itself is denied', () => {
    const name = new P().global('builtins', 'int').str('1').tuple1().reduce();
    const r = scan(new P().proto(2).global('builtins', 'getattr').global('collections', 'OrderedDict').raw(name.done()).tuple2().reduce().stop().done());
    expect(codes(r)).toContain('DENIED_GLOBAL/unmodeled-use');
    expect(r.verdict).toBe('dangerous');
  });

  test('getattr passed around as a value is denied (it could be called with any name later)', () => {
    const r = scan(new P().proto(2).global('builtins', 'getattr').tuple1().stop().done());
    expect(codes(r)).toEqual(['DENIED_GLOBAL/unmodeled-use']);
    expect(r.findings[0]!.offset).toBe(2);
  });

  test('getattr on an object of unknown class is denied', () => {
    const r = scan(new P().proto(2).global('builtins', 'getattr').mark().list().str('pop').tuple2().reduce().stop().done());
    expect(codes(r)).toContain('DENIED_GLOBAL/unmodeled-use');
  });

  test('a bound method of an allowed instance is judged as Class.method: unlisted unless the policy lists it', () => {
    const r = scan(new P().proto(2).global('builtins', 'getattr').global('collections', 'OrderedDict').emptyTuple().reduce().str('popitem').tuple2().reduce().stop().done());
    expect(r.globals.map((g) => g.resolved)).toContain('collections.OrderedDict.popitem');
    expect(r.verdict).toBe('suspicious');
  });

  test('after a BUILD that may have put the name in the instance __dict__, getattr is not read as the method', () => {
    // an instance attribute beats the class's function: getattr returns what the BUILD put there
    const sched = (state: (p: P) => P) =>
      state(new P().proto(2).global('torch.optim.lr_scheduler', 'OneCycleLR').emptyTuple().newobj().binput(0)).pop()
        .global('builtins', 'getattr').binget(0).str('_annealing_cos').tuple2().reduce().stop().done();
    expect(codes(scan(sched((p) => p)))).toEqual([]);
    expect(codes(scan(sched((p) => p.emptyDict().str('total_steps').int(10).setitem().build())))).toEqual([]);
    expect(codes(scan(sched((p) => p.none().emptyDict().str('total_steps').int(10).setitem().tuple2().build())))).toEqual([]);
    // the state names it, has a key the scan cannot read, is not a dict, or is the second BUILD
    for (const state of [
      (p: P) => p.emptyDict().str('_annealing_cos').global('builtins', 'len').setitem().build(),
      (p: P) => p.none().emptyDict().str('_annealing_cos').none().setitem().tuple2().build(),
      (p: P) => p.emptyDict().global('builtins', 'object').emptyTuple().reduce().none().setitem().build(),
      (p: P) => p.emptyList().build(),
      (p: P) => p.emptyDict().build().emptyDict().build(),
    ]) {
      const r = scan(sched(state));
      expect([r.verdict, codes(r)]).toEqual(['dangerous', ['DENIED_GLOBAL/unmodeled-use']]);
    }
  });

  test("a path instance's file methods stay denied: getattr(PosixPath('/x'), 'write_text')", () => {
    const r = scan(new P().proto(2).global('builtins', 'getattr').global('pathlib', 'PosixPath').str('/tmp/x').tuple1().reduce().str('write_text').tuple2().reduce().str('data').tuple1().reduce().stop().done());
    expect(r.verdict).toBe('dangerous');
  });
});

describe('functools.partial objects are followed to their function', () => {
  test('the __getnewargs_ex__ idiom of protocols 2-3: partial(C.__new__, C, *args)() constructs C', () => {
    // BUILD state (fn, args, kwargs, dict) set on the partial, then REDUCE partial()
    const bytes = new P()
      .proto(2)
      .global('functools', 'partial')
      .global('builtins', 'getattr').global('collections', 'OrderedDict').binput(0).str('__new__').tuple2().reduce().binput(1)
      .tuple1().reduce()
      .mark().binget(1).binget(0).tuple1().emptyDict().none().tuple().build()
      .emptyTuple().reduce()
      .stop().done();
    const r = scan(bytes);
    expect(codes(r)).toEqual([]);
    expect(r.calls.map((c) => c.pseudo)).toContain('collections.OrderedDict.__new__(collections.OrderedDict)');
  });

  test('a real protocol 2 pickle of a partial is safe', () => {
    expect(scan(cpython().partial_p2!).verdict).toBe('safe');
  });

  test('calling partial(os.system, cmd) is a call of os.system (denied at its import)', () => {
    const r = scan(new P().proto(2).global('functools', 'partial').global('os', 'system').str('id').tuple2().reduce().emptyTuple().reduce().stop().done());
    expect(r.verdict).toBe('dangerous');
    expect(r.calls.map((c) => c.pseudo)).toContain("os.system('id')");
  });

  test('a partial of a call result, called, is still a call of a call result', () => {
    const inner = new P().global('collections', 'OrderedDict').emptyTuple().reduce();
    const r = scan(new P().proto(2).global('functools', 'partial').raw(inner.done()).tuple1().reduce().emptyTuple().reduce().stop().done());
    expect(codes(r)).toContain('CALL_ON_CALL_RESULT/call-of-call');
  });
});

describe('legacy torch module persistent ids', () => {
  test("('module', cls, file, source) is the class itself: an allowed module class is safe", () => {
    const pid = new P().mark().str('module').global('torch.nn.modules.linear', 'Linear').str('/x/linear.py').str('class Linear: ...').tuple();
    const r = scan(new P().proto(2).raw(pid.done()).binpersid().emptyTuple().newobj().stop().done());
    expect(codes(r)).toEqual([]);
  });

  test("a user's own class there is suspicious, not dangerous", () => {
    const pid = new P().mark().str('module').global('mymodels', 'Net').str('/x/m.py').str('...').tuple();
    const r = scan(new P().proto(2).raw(pid.done()).binpersid().emptyTuple().newobj().stop().done());
    expect(r.verdict).toBe('suspicious');
  });
});

describe('value-only globals and call denials', () => {
  test('a numpy ufunc stored as a value is safe, called while loading it is not', () => {
    expect(scan(new P().proto(2).global('numpy', 'log1p').tuple1().stop().done()).verdict).toBe('safe');
    const r = scan(new P().proto(2).global('numpy', 'log1p').binint1(3).tuple1().reduce().stop().done());
    expect(codes(r)).toEqual(['UNLISTED_GLOBAL/called-reference']);
  });

  test('numpy.memmap may be passed to _reconstruct but calling it is dangerous', () => {
    const ok = new P().proto(2).global('numpy.core.multiarray', '_reconstruct').global('numpy', 'memmap').binint1(0).tuple1().bytes('b').tuple3().reduce().stop().done();
    expect(scan(ok).verdict).toBe('safe');
    const bad = new P().proto(2).global('numpy', 'memmap').str('/etc/passwd').str('w+').tuple2().reduce().stop().done();
    const r = scan(bad);
    expect(codes(r)).toEqual(['DENIED_GLOBAL/denied-call']);
    expect(r.verdict).toBe('dangerous');
  });
});
