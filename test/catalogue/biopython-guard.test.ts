/**
 * Biopython's substitution matrices (src/machine/biopython.ts): `Array.__new__(Array, alphabet, dims,
 * None, dtype)` then a BUILD whose state is a pickle `__setstate__` loads. Admitted with the shape
 * Biopython writes (protocol 2: `getattr(Array, '__new__')`, protocol 4: the dotted name
 * `Array.__new__`), the state run as a nested pickle that must give a plain numpy array; every way
 * out of that shape is refused.
 */
import { scan, type Report } from '../../src';
import { P } from '../support/pickle-builder';

const MOD = 'Bio.Align.substitution_matrices';
const rules = (r: Report) => [...new Set(r.findings.filter((f) => f.severity !== 'info').map((f) => `${f.code}/${f.rule}`))].sort();
const judge = (bytes: Uint8Array, limits?: Record<string, number>) => {
  const r = scan(bytes, { policy: 'default', ...(limits ? { limits } : {}) });
  return [r.verdict, rules(r)];
};
const SAFE = ['safe', []];
const UNSAFE = ['dangerous', ['DENIED_GLOBAL/unsafe-call']];

type Step = (p: P) => P;

/** numpy's dtype as numpy pickles it: dtype(code, False, True), then its BUILD (an object dtype's flags say so). */
const dtype =
  (code = 'f8'): Step =>
  (p) =>
    p.global('numpy', 'dtype').str(code).false().true().tuple3().reduce().mark().binint1(3).str('<').none().none().none().binint(-1).binint(-1).binint1(code.startsWith('O') ? 63 : 0).tuple().build();

/** A numpy array pickle (what Biopython's __reduce__ puts in the state): `_reconstruct(ndarray, (0,), b'b')` and its BUILD. */
function arrayPickle(opts: { data?: Step; module?: string; code?: string } = {}): Uint8Array {
  const p = new P().proto(4).global(opts.module ?? 'numpy.core.multiarray', '_reconstruct').global('numpy', 'ndarray').binint1(0).tuple1().bytes('b').tuple3().reduce();
  p.mark().binint1(1).binint1(2).binint1(2).tuple2();
  dtype(opts.code)(p).false();
  (opts.data ?? ((q) => q.bytes(new Uint8Array(32))))(p);
  return p.tuple().build().stop().done();
}

/** The constructor as each protocol spells it. */
const CTOR: Record<'getattr' | 'dotted', Step> = {
  getattr: (p) => p.global('builtins', 'getattr').global(MOD, 'Array').str('__new__').tuple2().reduce(),
  dotted: (p) => p.str(MOD).str('Array.__new__').stackGlobal(),
};

interface Shape {
  ctor?: Step;
  cls?: Step;
  alphabet?: Step;
  dims?: Step;
  data?: Step;
  dtype?: Step;
  state?: Step;
  after?: Step;
}

function matrix(form: 'getattr' | 'dotted', s: Shape = {}): Uint8Array {
  const p = new P().proto(form === 'getattr' ? 2 : 4);
  (s.ctor ?? CTOR[form])(p);
  p.mark();
  (s.cls ?? ((q) => q.global(MOD, 'Array')))(p);
  (s.alphabet ?? ((q) => q.str('ARNDCQEGHILKMFPSTWYVBZX*')))(p);
  (s.dims ?? ((q) => q.binint1(2)))(p);
  (s.data ?? ((q) => q.none()))(p);
  (s.dtype ?? dtype())(p);
  p.tuple().reduce();
  (s.state ?? ((q) => q.bytes(arrayPickle())))(p);
  p.build();
  if (s.after) s.after(p);
  return p.stop().done();
}

const nestedCall = (module: string, name: string, arg: string) => new P().proto(4).global(module, name).str(arg).tuple1().reduce().stop().done();

describe("Biopython's substitution matrices: the shape Biopython writes", () => {
  for (const form of ['getattr', 'dotted'] as const) {
    test(`${form}: accepted, with the state's array under either numpy name`, () => {
      expect(judge(matrix(form))).toEqual(SAFE);
      expect(judge(matrix(form, { state: (p) => p.bytes(arrayPickle({ module: 'numpy._core.multiarray' })) }))).toEqual(SAFE);
      expect(judge(matrix(form, { alphabet: (p) => p.str('AB').str('CD').tuple2() }))).toEqual(SAFE);
      expect(judge(matrix(form, { dims: (p) => p.binint1(1), dtype: dtype('i8') }))).toEqual(SAFE);
    });
  }
});

describe("Biopython's substitution matrices: the state __setstate__ loads", () => {
  for (const form of ['getattr', 'dotted'] as const) {
    test(`${form}: a pickle that calls something is what it is, and not an array`, () => {
      const [verdict, found] = judge(matrix(form, { state: (p) => p.bytes(nestedCall('os', 'system', 'id')) }));
      expect(verdict).toBe('dangerous');
      expect(found).toEqual(expect.arrayContaining(['NESTED_PICKLE/nested-dangerous', 'DENIED_GLOBAL/unsafe-call']));
    });
    test(`${form}: a pickle of an allowed object that is not a plain numeric array is refused`, () => {
      expect(judge(matrix(form, { state: (p) => p.bytes(new P().proto(4).global('collections', 'OrderedDict').emptyTuple().reduce().stop().done()) }))).toEqual(UNSAFE);
      expect(judge(matrix(form, { state: (p) => p.bytes(new P().proto(4).emptyList().binint1(1).append().stop().done()) }))).toEqual(UNSAFE);
      // an object array: numpy pickles its items as a list, whose objects numpy would then convert
      expect(judge(matrix(form, { state: (p) => p.bytes(arrayPickle({ code: 'O', data: (q) => q.emptyList() })) }))).toEqual(UNSAFE);
      expect(judge(matrix(form, { state: (p) => p.bytes(arrayPickle({ data: (q) => q.emptyList() })) }))).toEqual(UNSAFE);
    });
    test(`${form}: a state that is not a pickle of protocol 2 to 5 the scanner can run is refused`, () => {
      expect(judge(matrix(form, { state: (p) => p.str('x') }))).toEqual(UNSAFE);
      // protocol 0 text, which pickle.loads reads as well: not a shape Biopython writes
      expect(judge(matrix(form, { state: (p) => p.bytes('cos\nsystem\n(Vid\ntR.') }))[1]).toContain('DENIED_GLOBAL/unsafe-call');
      expect(judge(matrix(form, { state: (p) => p.bytes(new P().raw(0x8c, 2, 'os', 0x8c, 6, 'system', 0x93).str('id').tuple1().reduce().stop().done()) }))[1]).toContain('DENIED_GLOBAL/unsafe-call');
      // a state made by a call, a truncated pickle
      expect(judge(matrix(form, { state: (p) => p.global('builtins', 'bytes').emptyTuple().reduce() }))[1]).toContain('DENIED_GLOBAL/unsafe-call');
      expect(judge(matrix(form, { state: (p) => p.bytes(arrayPickle().subarray(0, 40)) }))[1]).toContain('DENIED_GLOBAL/unsafe-call');
    });
    test(`${form}: a state the scanner may not run (nested pickles too deep) is refused`, () => {
      expect(judge(matrix(form), { maxNestedPickleDepth: 0 })).toEqual(UNSAFE);
    });
    test(`${form}: the same state given to a second BUILD (from the memo) is run once, its findings reported once, and refused again`, () => {
      const once = scan(matrix(form, { state: (p) => p.bytes(nestedCall('os', 'system', 'id')).binput(200) }), { policy: 'default' });
      const twice = scan(matrix(form, { state: (p) => p.bytes(nestedCall('os', 'system', 'id')).binput(200), after: (p) => p.binget(200).build() }), { policy: 'default' });
      const nested = (r: Report) => r.findings.filter((f) => f.code === 'NESTED_PICKLE');
      expect(nested(once)).toHaveLength(1);
      expect(nested(twice)).toHaveLength(1);
      expect(twice.verdict).toBe('dangerous');
      // the second BUILD is refused by the guard as the first is
      const refusals = (r: Report) => r.findings.filter((f) => f.code === 'DENIED_GLOBAL' && f.rule === 'unsafe-call').length;
      expect(refusals(twice)).toBeGreaterThan(refusals(once));
    });
    test(`${form}: a second BUILD with another state is checked again`, () => {
      const [verdict, found] = judge(matrix(form, { after: (p) => p.bytes(nestedCall('os', 'system', 'id')).build() }));
      expect(verdict).toBe('dangerous');
      expect(found).toEqual(expect.arrayContaining(['NESTED_PICKLE/nested-dangerous', 'DENIED_GLOBAL/unsafe-call']));
    });
  }
});

describe("Biopython's substitution matrices: what the constructor is given", () => {
  for (const form of ['getattr', 'dotted'] as const) {
    test(`${form}: arguments out of the shape are refused`, () => {
      const bad: Shape[] = [
        { alphabet: (p) => p.global('collections', 'OrderedDict').emptyTuple().reduce() },
        { alphabet: (p) => p.str('A').binint1(1).tuple2() },
        { alphabet: (p) => p.none() },
        { dims: (p) => p.binint1(3) },
        { dims: (p) => p.str('2') },
        { data: (p) => p.emptyDict().str('A').binint1(1).setitem() },
        { data: (p) => p.global('collections', 'OrderedDict').emptyTuple().reduce() },
        { dtype: dtype('O') },
        { dtype: dtype('U99999') },
        { dtype: (p) => p.global('numpy', 'float64') },
        { dtype: (p) => p.str('f8') },
        // 100,000 letters squared: 80 GB of float64
        { alphabet: (p) => p.str('A'.repeat(100_000)) },
      ];
      for (const s of bad) expect(judge(matrix(form, s))[1]).toContain('DENIED_GLOBAL/unsafe-call');
    });
    test(`${form}: the constructor called on another class, or with fewer arguments, is refused`, () => {
      expect(judge(matrix(form, { cls: (p) => p.global('numpy', 'ndarray') }))[1]).toContain('DENIED_GLOBAL/unsafe-call');
      const short = new P().proto(4);
      CTOR[form](short).global(MOD, 'Array').tuple1().reduce().stop();
      expect(judge(short.done())).toEqual(UNSAFE);
    });
  }
  test('NEWOBJ and a call of Array itself get the same check', () => {
    const newobj = (alphabet: Step) => {
      const p = new P().proto(2).global(MOD, 'Array');
      alphabet(p).binint1(2).none();
      return dtype()(p).tuple().newobj().stop().done();
    };
    expect(judge(dtype()(new P().proto(2).global(MOD, 'Array').mark().str('AB').binint1(2).none()).tuple().reduce().stop().done())).toEqual(SAFE);
    expect(judge(newobj((p) => p.mark().str('AB')))).toEqual(SAFE);
    expect(judge(newobj((p) => p.mark().none()))).toEqual(UNSAFE);
  });
  test("numpy's _reconstruct(Array, ...) (no __new__ run) is not a way round the guards: the class handed to it is judged, and its BUILD guarded", () => {
    const viaNumpy = new P().proto(2).global('numpy.core.multiarray', '_reconstruct').global(MOD, 'Array').binint1(0).tuple1().bytes('b').tuple3().reduce();
    const [verdict, found] = judge(viaNumpy.bytes(nestedCall('os', 'system', 'id')).build().stop().done());
    expect(verdict).toBe('dangerous');
    expect(found).toEqual(expect.arrayContaining(['UNLISTED_GLOBAL/unverified-passed', 'DENIED_GLOBAL/unsafe-call', 'NESTED_PICKLE/nested-dangerous']));
  });
  test('the dotted name C.__new__ stays denied for a class without a reviewed guard', () => {
    const r = scan(new P().proto(4).str('collections').str('OrderedDict.__new__').stackGlobal().global('collections', 'OrderedDict').tuple1().reduce().stop().done(), { policy: 'default' });
    expect(rules(r)).toContain('DENIED_GLOBAL/denied');
  });
});
