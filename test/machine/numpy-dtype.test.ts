/**
 * BUILD on a numpy dtype (src/machine/numpy-dtype.ts): the states numpy writes are accepted; a state
 * that gives a non-void dtype fields, or flags that disagree with whether the dtype holds objects,
 * makes numpy read raw bytes as object pointers, and is refused. The accepted states are the ones
 * numpy 1.24 and 2.4 write (`dtype.__reduce__()`), built here op by op.
 */
import { DENIED, P, SAFE, judge } from '../catalogue/guard-support';

type Step = (p: P) => P;

/** `numpy.dtype(code, False, True)`, then a BUILD of `state` (none: no BUILD). */
const dtype =
  (code: string, state?: Step, cls: [string, string] = ['numpy', 'dtype']): Step =>
  (p) => {
    p.global(...cls);
    if (cls[1] === 'dtype') p.str(code).false().true().tuple3();
    else p.emptyTuple();
    p.reduce();
    return state ? state(p.mark()).tuple().build() : p;
  };

/** numpy's version 3 state: (3, order, subarray, names, fields, elsize, alignment, flags). */
const v3 =
  (order: string, flags: number, struct?: { names: Step; fields: Step; subarray?: Step; elsize: number; alignment: number }): Step =>
  (p) => {
    p.binint1(3).str(order);
    if (struct) {
      (struct.subarray ?? ((q) => q.none()))(p);
      struct.names(p);
      struct.fields(p);
      return p.binint(struct.elsize).binint(struct.alignment).binint(flags);
    }
    return p.none().none().none().binint(-1).binint(-1).binint(flags);
  };

const F8 = dtype('f8', v3('<', 0));
const O8 = dtype('O8', v3('|', 63));

/** A struct of fields `name: (dtype, offset)`. */
const struct = (fields: [string, Step, number][], elsize: number, flags: number, code = `V${elsize}`): Step =>
  dtype(
    code,
    v3('|', flags, {
      names: (p) => {
        p.mark();
        for (const [n] of fields) p.str(n);
        return p.tuple();
      },
      fields: (p) => {
        p.emptyDict();
        for (const [n, d, at] of fields) d(p.str(n)).binint(at).tuple2().setitem();
        return p;
      },
      elsize,
      alignment: 1,
    }),
  );

/** A pickle of just the dtype, and one of an array of it rebuilt from raw bytes. */
const alone = (d: Step) => d(new P().proto(2)).stop().done();
const inArray = (d: Step) =>
  d(new P().proto(2).global('numpy.core.multiarray', '_reconstruct').global('numpy', 'ndarray').binint1(0).tuple1().bytes('b').tuple3().reduce().mark().binint1(1).binint1(2).tuple1())
    .false()
    .bytes(new Uint8Array(16))
    .tuple()
    .build()
    .stop()
    .done();

describe('BUILD on a numpy dtype: what numpy writes', () => {
  test.each<[string, Step]>([
    ['float64', F8],
    ['big-endian float64', dtype('f8', v3('>', 0))],
    ['object', O8],
    ['bytes S5 (its item size)', dtype('S5', (p) => p.binint1(3).str('|').none().none().none().binint(5).binint(1).binint(0))],
    ['str U3 (flags 8)', dtype('U3', (p) => p.binint1(3).str('<').none().none().none().binint(12).binint(4).binint(8))],
    ['a struct of numbers (flags 16)', struct([['a', dtype('i4', v3('<', 0)), 0]], 4, 16)],
    ['a struct holding an object (flags 27)', struct([['a', F8, 0], ['b', O8, 8]], 16, 27)],
    ['a nested struct holding an object', struct([['y', struct([['z', O8, 0]], 8, 27), 0]], 8, 27)],
    ['overlapping number fields (a union)', struct([['a', F8, 0], ['b', dtype('i8', v3('<', 0)), 0]], 8, 16)],
    ['a subarray', dtype('V16', v3('|', 0, { subarray: (p) => F8(p).binint1(2).tuple1().tuple2(), names: (p) => p.none(), fields: (p) => p.none(), elsize: 16, alignment: 8 }))],
    ['datetime64[D] (version 4, its unit)', dtype('M8', (p) => p.binint1(4).str('<').none().none().none().binint(-1).binint(-1).binint(0).none().mark().bytes('D').binint1(1).binint1(1).binint1(1).tuple().tuple2())],
    ["a record array's dtype: dtype(numpy.record, False, True) with its fields", (p) => p.global('numpy', 'dtype').global('numpy', 'record').false().true().tuple3().reduce().mark().pipe(v3('|', 16, { names: (q) => q.str('n').tuple1(), fields: (q) => dtype('i4', v3('<', 0))(q.emptyDict().str('n')).binint1(0).tuple2().setitem(), elsize: 4, alignment: 1 })).tuple().build()],
    ['float64 with metadata (version 4)', dtype('f8', (p) => p.binint1(4).str('<').none().none().none().binint(-1).binint(-1).binint(0).emptyDict().str('a').binint1(1).setitem())],
  ])('%s is accepted, alone and in an array', (_what, d) => {
    expect(judge(alone(d))).toEqual(SAFE);
    expect(judge(inArray(d))).toEqual(SAFE);
  });
});

describe('BUILD on a numpy dtype: states that make numpy read bytes as pointers', () => {
  test.each<[string, Step]>([
    ['int64 given an object field (flags 61)', struct([['a', O8, 0]], 8, 61, 'i8')],
    ['int64 given a number field', struct([['a', F8, 0]], 8, 16, 'i8')],
    ['a struct holding an object, flags without the object bits', struct([['a', O8, 0]], 16, 0)],
    ['a struct holding an object in a nested struct, flags 0', struct([['y', struct([['z', O8, 0]], 8, 27), 0]], 8, 0)],
    ['float64 with the object flags', dtype('f8', v3('<', 63))],
    ['object without the object flags', dtype('O8', v3('|', 0))],
    ['a field beyond the item size (read and written out of bounds)', struct([['a', F8, 100000]], 8, 0)],
    ['a field that ends past the item size', struct([['a', F8, 4]], 8, 0)],
    ['an object field overlapping a number field', struct([['a', O8, 0], ['b', dtype('i8', v3('<', 0)), 4]], 16, 27)],
    ['a subarray larger than the item size', dtype('V8', v3('|', 0, { subarray: (p) => F8(p).binint1(2).tuple1().tuple2(), names: (p) => p.none(), fields: (p) => p.none(), elsize: 8, alignment: 8 }))],
    ['an object field whose own state says it is 0 bytes long (numpy ignores that: it overlaps the next field)', struct([['o', dtype('O8', (p) => p.binint1(3).str('|').none().none().none().binint(0).binint(0).binint(63)), 0], ['a', dtype('i8', v3('<', 0)), 0]], 8, 63 | 16)],
    ['an alignment of 0 (numpy divides by it when copying)', dtype('V16', v3('|', 0, { names: (p) => p.str('a').tuple1(), fields: (p) => F8(p.emptyDict().str('a')).binint1(0).tuple2().setitem(), elsize: 16, alignment: 0 }))],
    ['a struct whose flags lack NPY_NEEDS_PYAPI (numpy sorts it in C and crashes)', struct([['a', F8, 0]], 8, 0)],
    ['a field whose dtype is not a dtype', struct([['a', (p) => p.str('O'), 0]], 8, 0)],
    ['a state of another shape', dtype('f8', (p) => p.binint1(3).str('<'))],
    ['version 2', dtype('f8', (p) => p.binint1(2).str('<').none().none().none().binint(-1).binint(-1).binint(0))],
    ['numpy.dtypes.Int64DType given an object field', (p) => dtype('', (q) => v3('|', 61, { names: (r) => r.str('a').tuple1(), fields: (r) => O8(r.emptyDict().str('a')).binint1(0).tuple2().setitem(), elsize: 8, alignment: 1 })(q), ['numpy.dtypes', 'Int64DType'])(p)],
    ['a dtype whose type code is not a constant', (p) => p.global('numpy', 'dtype').global('builtins', 'str').emptyTuple().reduce().false().true().tuple3().reduce().mark().pipe(v3('<', 0)).tuple().build()],
  ])('%s is refused, alone and in an array', (_what, d) => {
    const [verdict, found] = judge(alone(d));
    expect(verdict).toBe('dangerous');
    expect(found).toContain('DENIED_GLOBAL/unsafe-call');
    expect(judge(inArray(d))[0]).toBe('dangerous');
  });

  test('under a name the catalogue knows for numpy.dtype (numpy.core.numeric.dtype), a state numpy never writes is refused too', () => {
    const spelled = (flags: number) => alone((p) => p.global('numpy.core.numeric', 'dtype').str('f8').false().true().tuple3().reduce().mark().pipe(v3('<', flags)).tuple().build());
    // (calling that name is suspicious of itself: the catalogue knows it as a module-level value)
    expect(judge(spelled(0))[1]).not.toContain('DENIED_GLOBAL/unsafe-call');
    expect(judge(spelled(63))).toEqual(['dangerous', expect.arrayContaining(['DENIED_GLOBAL/unsafe-call'])]);
  });

  test("a BUILD on what pandas_dtype returns (numpy's shared int64 dtype) is refused", () => {
    const built = new P().proto(2).global('pandas.core.dtypes.common', 'pandas_dtype').str('i8').tuple1().reduce().mark().pipe(v3('<', 0)).tuple().build().stop().done();
    expect(judge(built)[1]).toContain('DENIED_GLOBAL/unsafe-call');
  });

  test('a second BUILD of one dtype is refused (it could change a field after the struct holding it took its flags)', () => {
    const twice = new P().proto(2).pipe(F8).binput(0).pop().binget(0).mark().pipe(v3('<', 0)).tuple().build().stop().done();
    expect(judge(twice)).toEqual(DENIED);
  });
});
