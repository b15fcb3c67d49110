/**
 * Resource attacks through allowed constructors: each allowed callable with a resource-sensitive
 * argument has a cost rule (RESOURCE_HOSTILE), whatever route reaches it (direct call, NEWOBJ,
 * copyreg's reconstructors). Argument guards reject the dangerous forms of otherwise harmless callables.
 */
import { scan, type Report } from '../../src';
import { scipyArgTemplate } from '../../src/machine/costs';
import { P } from '../support/pickle-builder';

const rules = (r: Report) => r.findings.map((f) => `${f.code}/${f.rule}`);
const TB = 10 ** 12;

describe('allocation: bytes and bytearray of a huge size, by every route', () => {
  test.each([
    ['a direct call', new P().proto(2).global('builtins', 'bytearray').binint(0x7fffffff).tuple1().reduce()],
    ['NEWOBJ', new P().proto(2).global('builtins', 'bytes').long(String(TB)).tuple1().newobj()],
    ['copyreg.__newobj__', new P().proto(2).global('copyreg', '__newobj__').global('builtins', 'bytes').long(String(TB)).tuple2().reduce()],
    ['copyreg._reconstructor', new P().proto(2).global('copyreg', '_reconstructor').global('builtins', 'bytearray').global('builtins', 'bytearray').long(String(TB)).tuple3().reduce()],
  ])('%s', (_route, p) => {
    const r = scan(p.stop().done(), { limits: { maxAllocation: 1 << 20 } });
    expect(rules(r)).toContain('RESOURCE_HOSTILE/allocation');
    expect(r.accepted).toBe(false);
  });

  test('a numpy integer scalar as the size (bytes() takes anything with __index__) counts as unbounded', () => {
    const scalar = (p: P) => p.global('numpy.core.multiarray', 'scalar').global('numpy', 'dtype').str('i8').false().true().tuple3().reduce().bytes(new Uint8Array(8)).tuple2().reduce();
    expect(rules(scan(scalar(new P().proto(2).global('builtins', 'bytearray')).tuple1().reduce().stop().done()))).toContain('RESOURCE_HOSTILE/allocation');
    expect(rules(scan(scalar(new P().proto(2).global('builtins', 'list').global('builtins', 'range')).tuple1().reduce().tuple1().reduce().stop().done()))).toContain('RESOURCE_HOSTILE/iteration');
  });

  test('a small bytearray is fine', () => {
    expect(rules(scan(new P().proto(2).global('builtins', 'bytearray').binint1(16).tuple1().reduce().stop().done()))).toEqual([]);
  });
});

describe('iteration: a huge range or an endless iterator consumed by a constructor', () => {
  const range = (n: string) => new P().global('builtins', 'range').long(n).tuple1().reduce();
  test.each([
    ['collections', 'deque'],
    ['builtins', 'list'],
    ['builtins', 'set'],
    ['builtins', 'tuple'],
    ['builtins', 'frozenset'],
  ])('%s.%s(range(10**13))', (m, n) => {
    const r = scan(new P().proto(2).global(m, n).raw(range(String(10 ** 13)).done()).tuple1().reduce().stop().done());
    expect(rules(r)).toContain('RESOURCE_HOSTILE/iteration');
  });

  test('list(itertools.count()) never ends', () => {
    const count = new P().global('itertools', 'count').emptyTuple().reduce();
    const r = scan(new P().proto(2).global('builtins', 'list').raw(count.done()).tuple1().reduce().stop().done());
    expect(rules(r)).toContain('RESOURCE_HOSTILE/iteration');
  });

  test('a small range is fine, and a range held as data is fine', () => {
    expect(rules(scan(new P().proto(2).global('builtins', 'list').raw(range('100').done()).tuple1().reduce().stop().done()))).toEqual([]);
    expect(rules(scan(new P().proto(2).raw(range(String(10 ** 13)).done()).stop().done()))).toEqual([]);
  });
});

describe('numbers from text with a huge digit count or exponent', () => {
  test.each([
    ['fractions', 'Fraction', '1e999999999'],
    ['decimal', 'Decimal', '1e999999999999'],
    ['builtins', 'int', '9'.repeat(5000)],
    ['decimal', 'Decimal', '7'.repeat(5000)],
  ])('%s.%s of a long or huge-exponent string', (m, n, text) => {
    const r = scan(new P().proto(2).global(m, n).str(text).tuple1().reduce().stop().done());
    expect(rules(r)).toContain('RESOURCE_HOSTILE/number-text');
  });

  test("Decimal's tuple form (sign, digits, exponent) with a huge exponent or digit count", () => {
    const decimal = (digits: number, exponent: number) => {
      const p = new P().proto(2).global('decimal', 'Decimal').binint1(0).mark();
      for (let i = 0; i < digits; i++) p.binint1(1);
      return p.tuple().binint(exponent).tuple3().tuple1().reduce().stop().done();
    };
    expect(rules(scan(decimal(1, 999999999)))).toContain('RESOURCE_HOSTILE/number-text');
    expect(rules(scan(decimal(3, -2)))).toEqual([]);
  });

  test('ordinary numbers are fine', () => {
    expect(rules(scan(new P().proto(2).global('decimal', 'Decimal').str('3.14159').tuple1().reduce().stop().done()))).toEqual([]);
    expect(rules(scan(new P().proto(2).global('fractions', 'Fraction').str('1e10').tuple1().reduce().stop().done()))).toEqual([]);
  });
});

describe('argument guards', () => {
  test('type(x) is how NoneType pickles; type(name, bases, dict) creates a class and is denied', () => {
    expect(rules(scan(new P().proto(2).global('builtins', 'type').none().tuple1().reduce().stop().done()))).toEqual([]);
    const r = scan(new P().proto(2).global('builtins', 'type').str('X').emptyTuple().emptyDict().tuple3().reduce().stop().done());
    expect(rules(r)).toEqual(['DENIED_GLOBAL/unsafe-call']);
  });

  test('dateutil tzfile(None, name) as pickles write it is fine; tzfile(path) opens the path', () => {
    expect(rules(scan(new P().proto(2).global('dateutil.tz.tz', 'tzfile').none().str('/usr/share/zoneinfo/UTC').tuple2().reduce().stop().done()))).toEqual([]);
    expect(rules(scan(new P().proto(2).global('dateutil.tz.tz', 'tzfile').str('/dev/zero').tuple1().reduce().stop().done()))).toEqual(['DENIED_GLOBAL/unsafe-call']);
  });

  test("a torch ScriptObject may only take torch's own packed-parameter classes", () => {
    const obj = (cls: string) => new P().proto(2).global('torch', 'ScriptObject').emptyTuple().newobj().emptyTuple().str(cls).tuple2().build().stop().done();
    expect(rules(scan(obj('__torch__.torch.classes.quantized.LinearPackedParamsBase')))).toEqual([]);
    expect(rules(scan(obj('__torch__.torch.classes.c10d.FileStore')))).toEqual(['DENIED_GLOBAL/unsafe-call']);
  });

  describe("scipy distributions: __setstate__ exec()s the state's _parse_arg_template", () => {
    // what scipy writes for norm (no shapes) and for beta (shapes a, b) and binom (discrete: loc only)
    const NORM = scipyArgTemplate('', 'loc=0, scale=1');
    const BETA = scipyArgTemplate('a, b, ', 'loc=0, scale=1');
    const BINOM = scipyArgTemplate('n, p, ', 'loc=0');
    const dist = (cls: string, state: (p: P) => P) =>
      state(new P().proto(2).global(cls === 'binom_gen' ? 'scipy.stats._discrete_distns' : 'scipy.stats._continuous_distns', cls).emptyTuple().newobj()).build().stop().done();
    const dictOf = (...kv: [string, string][]) => (p: P) => {
      p.emptyDict().mark();
      for (const [k, v] of kv) p.str(k).str(v);
      return p.setitems();
    };

    test('the template scipy writes is accepted, with or without shape names', () => {
      expect(NORM).toBe("\ndef _parse_args(self,  loc=0, scale=1):\n    return (), loc, scale\n\ndef _parse_args_rvs(self,  loc=0, scale=1, size=None):\n    return self._argcheck_rvs( loc, scale, size=size)\n\ndef _parse_args_stats(self,  loc=0, scale=1, moments='mv'):\n    return (), loc, scale, moments\n");
      for (const [cls, t] of [['norm_gen', NORM], ['beta_gen', BETA], ['binom_gen', BINOM]] as const) {
        const r = scan(dist(cls, dictOf(['name', cls.slice(0, -4)], ['_parse_arg_template', t])), { policy: 'default' });
        expect([cls, r.verdict, rules(r)]).toEqual([cls, 'safe', []]);
      }
      expect(scan(dist('norm_gen', dictOf(['name', 'norm'])), { policy: 'default' }).verdict).toBe('safe');
    });

    test('any other template, a state that cannot be checked, or a second template is rejected', () => {
      const evil = NORM + "\n__import__('os').system('id')\n";
      const shapeCode = NORM.replace('self,  loc', "self, a=__import__('os').system('id'),  loc");
      for (const state of [
        dictOf(['_parse_arg_template', evil]),
        dictOf(['_parse_arg_template', shapeCode]),
        dictOf(['_parse_arg_template', NORM], ['_parse_arg_template', evil]),
        (p: P) => p.str('_parse_arg_template').str(evil).tuple2().tuple1(), // dict.update() takes pairs too
        (p: P) => p.emptyDict().mark().int(1).str('x').str('_parse_arg_template').str(NORM).setitems(),
      ]) {
        const r = scan(dist('norm_gen', state), { policy: 'default' });
        expect(r.verdict).toBe('dangerous');
        expect(rules(r)).toContain('DENIED_GLOBAL/unsafe-call');
      }
    });

    test('what _attach_methods assigns anew (older scipy kept vecentropy in the state) may be anything', () => {
      const vectorized = (p: P) => p.global('numpy', 'vectorize').global('numpy', 'test').tuple1().reduce();
      const state = (p: P) => vectorized(p.emptyDict().mark().str('_parse_arg_template').str(NORM).str('vecentropy')).setitems();
      expect(scan(dist('norm_gen', state), { policy: 'default' }).findings.filter((f) => f.rule === 'unsafe-call')).toEqual([]);
    });

    test('a state entry that replaces a method __setstate__ calls, or any method with a callable, is rejected', () => {
      const withEntry = (key: string, value: (p: P) => P) => (p: P) => value(p.emptyDict().mark().str('_parse_arg_template').str(NORM).str(key)).setitems();
      // numpy.test is allowed as a value; under _attach_methods, __setstate__ calls it (it runs numpy's test suite)
      const numpyTest = (p: P) => p.global('numpy', 'test');
      const partial = (p: P) => p.global('functools', 'partial').global('numpy', 'test').tuple1().reduce();
      for (const state of [withEntry('_attach_methods', numpyTest), withEntry('_attach_argparser_methods', (p) => p.none()), withEntry('_attach_methods', partial), withEntry('_pdf', numpyTest), withEntry('_pdf', partial)]) {
        const r = scan(dist('norm_gen', state), { policy: 'default' });
        expect(r.verdict).toBe('dangerous');
        expect(rules(r)).toContain('DENIED_GLOBAL/unsafe-call');
      }
    });
  });

  test("Pillow's Image state: a palette bytes() would allocate from, or a size beyond the allocation bound, is rejected", () => {
    const image = (mode: string, size: (p: P) => P, palette: (p: P) => P) =>
      palette(size(new P().proto(2).global('PIL.Image', 'Image').emptyTuple().newobj().mark().emptyDict().str(mode))).bytes(new Uint8Array(4)).list().build().stop().done();
    const small = (p: P) => p.binint1(2).binint1(2).tuple2();
    expect(scan(image('P', small, (p) => p.bytes(new Uint8Array(6))), { policy: 'default' }).verdict).toBe('safe');
    for (const bytes of [image('P', small, (p) => p.long(String(TB))), image('RGBA', (p) => p.binint(200000).binint(200000).tuple2(), (p) => p.none())]) {
      const r = scan(bytes, { policy: 'default' });
      expect(r.verdict).toBe('dangerous');
      expect(rules(r)).toContain('DENIED_GLOBAL/unsafe-call');
    }
  });
});
