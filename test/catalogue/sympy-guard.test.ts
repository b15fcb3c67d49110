/**
 * sympy's reviewed argument guard (src/machine/sympy.ts): sympy classes are admitted where the pickle
 * calls them with what sympy writes (ints, a Float's pickled mpf, a Symbol's name, sympy objects the
 * pickle built); a str, an unknown object, a persistent id or a global at a sympified position makes
 * them the gadgets they are, and so does a BUILD on an expression or a sympy key next to a key its
 * __eq__ would convert.
 */
import { scan } from '../../src';
import { lookupCatalogue } from '../../src/names/catalogue';
import { REVIEWED } from '../../src/machine/sympy';
import { compilePolicy, getPolicy } from '../../src/policy/registry';
import { DENIED, P, SAFE, judge, split } from './guard-support';

const ADD = 'sympy.core.add.Add';
const SYMBOL = 'sympy.core.symbol.Symbol';
const INTEGER = 'sympy.core.numbers.Integer';

/** Pushes a sympy object built as sympy pickles it (NEWOBJ of the class with its args). */
const integer = (p: P, n: number) => p.global(...split(INTEGER)).binint1(n).tuple1().newobj();
const symbol = (p: P, name: string) => p.global(...split(SYMBOL)).str(name).tuple1().emptyDict().str('real').true().setitem().newobjEx();

/** Hostile values for a sympified position. */
const HOSTILE: ReadonlyArray<[string, (p: P) => P]> = [
  ['a str (parsed and evaluated)', (p) => p.str("__import__('os').system('id')")],
  ['bytes', (p) => p.bytes('1+1')],
  ['a tuple holding a str', (p) => p.binint1(1).str('x').tuple2()],
  ['a list holding a str', (p) => p.emptyList().str('x').append()],
  ['a dict holding a str', (p) => p.emptyDict().binint1(1).str('x').setitem()],
  ['an object of another library', (p) => p.global('collections', 'OrderedDict').emptyTuple().reduce()],
  ['a global', (p) => p.global('builtins', 'len')],
  ['a persistent id', (p) => p.str('0').binpersid()],
];

describe('sympy: the classes the guard reviews', () => {
  test('each is a gadget or unverified in the catalogue and admitted by the guard', () => {
    for (const name of REVIEWED.keys()) {
      const e = lookupCatalogue(...split(name));
      expect([name, e?.kind === 'gadget' || e?.kind === 'unverified']).toEqual([name, true]);
      const r = scan(new P().proto(2).global(...split(name)).stop().done(), { policy: 'default' });
      expect([name, r.verdict]).toEqual([name, 'safe']);
    }
  });
});

describe('sympy: sympified positions', () => {
  const SYMPIFIED = [...REVIEWED].filter(([, r]) => r.args.kind === 'sympified').map(([n]) => n);

  test('ints, floats, bools, None and sympy objects the pickle built are accepted (NEWOBJ, REDUCE, copyreg.__newobj__)', () => {
    for (const name of SYMPIFIED) {
      if (name === 'sympy.matrices.dense.MutableDenseMatrix') continue;
      const args = (p: P) => integer(symbol(p.mark(), 'x'), 2).binint1(3).float('0.5').none().true().tuple();
      expect([name, judge(args(new P().proto(4).global(...split(name))).newobj().stop().done())]).toEqual([name, SAFE]);
      expect([name, judge(args(new P().proto(4).global(...split(name))).reduce().stop().done())]).toEqual([name, SAFE]);
      const viaNewobj = new P().proto(2).global('copyreg', '__newobj__').mark().global(...split(name)).pipe((p) => integer(p, 1)).tuple().reduce().stop().done();
      expect([name, judge(viaNewobj)]).toEqual([name, SAFE]);
    }
  });

  test('Infinity, NegativeInfinity and NaN (safe in the catalogue) count as sympy objects when made without arguments', () => {
    const inf = (args: (p: P) => P) => new P().proto(4).global(...split(ADD)).global('sympy.core.numbers', 'Infinity').pipe(args).newobj().tuple1().newobj().stop().done();
    expect(judge(inf((p) => p.emptyTuple()))).toEqual(SAFE);
    expect(judge(inf((p) => p.str('x').tuple1()))).toEqual(DENIED);
  });

  test('containers of those are accepted: Tuple(*tup), FiniteSet(*x), Dict(...) sympify each item', () => {
    const nested = new P().proto(4).global(...split(ADD)).pipe((p) => integer(p.binint1(1), 4).tuple2()).emptyList().binint1(2).append().tuple2().newobj().stop().done();
    expect(judge(nested)).toEqual(SAFE);
  });

  test.each(HOSTILE)('%s makes every sympified class a gadget (NEWOBJ, REDUCE, NEWOBJ_EX, copyreg.__newobj__)', (_what, hostile) => {
    for (const name of SYMPIFIED) {
      expect([name, judge(hostile(new P().proto(4).global(...split(name))).tuple1().newobj().stop().done())]).toEqual([name, expect.arrayContaining(['dangerous'])]);
      const reduce = judge(integer(new P().proto(4).global(...split(name)), 1).pipe(hostile).tuple2().reduce().stop().done());
      expect([name, reduce[0], reduce[1]]).toEqual([name, 'dangerous', expect.arrayContaining(['DENIED_GLOBAL/unsafe-call'])]);
      const viaNewobj = judge(new P().proto(2).global('copyreg', '__newobj__').global(...split(name)).pipe(hostile).tuple2().reduce().stop().done());
      expect([name, viaNewobj[0], viaNewobj[1]]).toEqual([name, 'dangerous', expect.arrayContaining(['DENIED_GLOBAL/unsafe-call'])]);
    }
  });

  test('a str nested in a tuple, a list or a dict argument is found', () => {
    const deep = new P().proto(4).global(...split(ADD)).binint1(1).emptyList().emptyDict().binint1(1).str('x').setitem().append().tuple2().tuple1().newobj().stop().done();
    expect(judge(deep)).toEqual(DENIED);
  });

  test('keyword arguments are refused (evaluate=, sympify=, a Poly domain= string)', () => {
    const kw = new P().proto(4).global(...split(ADD)).pipe((p) => integer(p, 1)).tuple1().emptyDict().str('evaluate').false().setitem().newobjEx().stop().done();
    expect(judge(kw)).toEqual(DENIED);
  });
});

describe('sympy: numbers and symbols', () => {
  const RATIONAL = split('sympy.core.numbers.Rational');
  const FLOAT = split('sympy.core.numbers.Float');

  test('Integer and Rational take ints only', () => {
    expect(judge(integer(new P().proto(2), 7).stop().done())).toEqual(SAFE);
    expect(judge(new P().proto(2).global(...RATIONAL).binint1(3).binint1(7).tuple2().newobj().stop().done())).toEqual(SAFE);
    expect(judge(new P().proto(2).global(...split(INTEGER)).str('7').tuple1().newobj().stop().done())).toEqual(DENIED);
    expect(judge(new P().proto(2).global(...RATIONAL).str('1/3').tuple1().newobj().stop().done())).toEqual(DENIED);
    expect(judge(new P().proto(2).global(...RATIONAL).float('0.5').tuple1().newobj().stop().done())).toEqual(DENIED);
    expect(judge(new P().proto(2).global(...split(INTEGER)).emptyTuple().newobj().stop().done())).toEqual(DENIED);
  });

  test("Float takes sympy's pickled mpf tuple and precision=", () => {
    const mpf = (man: (p: P) => P) => new P().proto(4).global(...FLOAT).mark().binint1(0).pipe(man).binint(-1).binint1(2).tuple().tuple1().emptyDict().str('precision').binint1(103).setitem().newobjEx().stop().done();
    expect(judge(mpf((p) => p.str('3')))).toEqual(SAFE);
    expect(judge(mpf((p) => p.str('0x1fL')))).toEqual(SAFE);
    expect(judge(mpf((p) => p.str('pi')))).toEqual(DENIED);
    // an exponent or bit count no sympy Float has (mpmath would shift by it)
    const big = new P().proto(4).global(...FLOAT).mark().binint1(0).str('3').long('1099511627776').binint1(2).tuple().tuple1().newobj().stop().done();
    expect(judge(big)).toEqual(DENIED);
    expect(judge(new P().proto(2).global(...FLOAT).str('1.5').tuple1().newobj().stop().done())).toEqual(DENIED);
    expect(judge(new P().proto(4).global(...FLOAT).float('1.5').tuple1().emptyDict().str('dps').binint1(15).setitem().newobjEx().stop().done())).toEqual(DENIED);
  });

  test("Symbol's name may be a str (it is never sympified); its assumptions are bools", () => {
    expect(judge(symbol(new P().proto(4), "__import__('os')").stop().done())).toEqual(SAFE);
    expect(judge(new P().proto(4).global(...split(SYMBOL)).binint1(1).tuple1().newobj().stop().done())).toEqual(DENIED);
    expect(judge(new P().proto(4).global(...split(SYMBOL)).str('x').tuple1().emptyDict().str('real').str('yes').setitem().newobjEx().stop().done())).toEqual(DENIED);
  });

  test("Dummy's name and index; the relations sympify both sides", () => {
    const dummy = (index: (p: P) => P) => new P().proto(4).global('sympy.core.symbol', 'Dummy').str('x').pipe(index).tuple2().emptyDict().str('real').true().setitem().newobjEx().stop().done();
    expect(judge(dummy((p) => p.binint(1234)))).toEqual(SAFE);
    expect(judge(dummy((p) => p.str('1234')))).toEqual(DENIED);
    const eq = (rhs: (p: P) => P) => integer(new P().proto(4).global('sympy.core.relational', 'Equality'), 1).pipe(rhs).tuple2().newobj().stop().done();
    expect(judge(eq((p) => integer(p, 2)))).toEqual(SAFE);
    expect(judge(eq((p) => p.str('x').tuple1()))).toEqual(DENIED);
  });

  test('singletons take no argument', () => {
    expect(judge(new P().proto(2).global('sympy.core.numbers', 'Pi').emptyTuple().newobj().stop().done())).toEqual(SAFE);
    expect(judge(new P().proto(2).global('sympy.core.numbers', 'Pi').str('x').tuple1().reduce().stop().done())).toEqual(DENIED);
  });
});

describe('sympy: arithmetic evaluated while loading', () => {
  const POW = split('sympy.core.power.Pow');
  const pow = (p: P, base: (q: P) => P, exp: (q: P) => P) => p.global(...POW).pipe(base).pipe(exp).tuple2().newobj();
  const hostile = ['suspicious', ['RESOURCE_HOSTILE/number-text']];

  test('a power of numbers with a result sympy computes at once is accepted', () => {
    expect(judge(pow(new P().proto(4), (p) => integer(p, 2), (p) => integer(p, 200)).stop().done())).toEqual(SAFE);
    expect(judge(pow(new P().proto(4), (p) => integer(p, 2), (p) => p.global('sympy.core.numbers', 'Half').emptyTuple().newobj()).stop().done())).toEqual(SAFE);
    expect(judge(pow(new P().proto(4), (p) => symbol(p, 'x'), (p) => p.long('1000000000000000000')).stop().done())).toEqual(SAFE);
  });

  test('Pow(3, 10**7) (seconds), Pow(2, 10**18) (never ends), nested powers and a Mul of a big number repeated are RESOURCE_HOSTILE', () => {
    expect(judge(pow(new P().proto(4), (p) => integer(p, 3), (p) => p.binint(10_000_000)).stop().done())).toEqual(hostile);
    expect(judge(pow(new P().proto(4), (p) => p.binint1(2), (p) => p.long('1000000000000000000')).stop().done())).toEqual(hostile);
    // (2**200)**200 by Rational and Integer objects
    const inner = (p: P) => pow(p, (q) => integer(q, 2), (q) => integer(q, 200));
    expect(judge(pow(new P().proto(4), inner, (p) => p.global('sympy.core.numbers', 'Rational').binint1(200).binint1(1).tuple2().newobj()).stop().done())).toEqual(hostile);
    // (2*x)**n distributes: 2**n
    const mul2x = (p: P) => p.global('sympy.core.mul', 'Mul').pipe((q) => integer(q, 2)).pipe((q) => symbol(q, 'x')).tuple2().newobj();
    expect(judge(pow(new P().proto(4), mul2x, (p) => p.binint(100_000)).stop().done())).toEqual(hostile);
    // one 1000-digit number, memoized, multiplied by itself 100 times
    const big = new P().proto(4).global('sympy.core.mul', 'Mul').mark().global(...split(INTEGER)).long('9'.repeat(1000)).tuple1().newobj().memoize();
    for (let i = 0; i < 99; i++) big.binget(0);
    expect(judge(big.tuple().newobj().stop().done())).toEqual(hostile);
  });
});

describe('sympy: how the class is reached', () => {
  test("protocol 2's partial(getattr(Symbol, '__new__'), Symbol, name, **assumptions) is checked as the call of Symbol", () => {
    const partial = (cls: [string, string], arg: (p: P) => P) =>
      new P()
        .proto(2)
        .global('functools', 'partial')
        .global('builtins', 'getattr')
        .global(...split(SYMBOL))
        .binput(0)
        .str('__new__')
        .tuple2()
        .reduce()
        .binput(1)
        .tuple1()
        .reduce()
        .mark()
        .binget(1)
        .global(...cls)
        .pipe(arg)
        .tuple2()
        .emptyDict()
        .str('commutative')
        .true()
        .setitem()
        .none()
        .tuple()
        .build()
        .emptyTuple()
        .reduce()
        .stop()
        .done();
    expect(judge(partial(split(SYMBOL), (p) => p.str('x')))).toEqual(SAFE);
    // Symbol.__new__ run on another class, or Add.__new__ on Symbol: refused
    expect(judge(partial(split(ADD), (p) => p.str('x')))).toEqual(expect.arrayContaining(['dangerous']));
  });

  test("Add.__new__ read with getattr and run on Symbol's arguments is refused", () => {
    const bytes = new P().proto(2).global('builtins', 'getattr').global(...split(ADD)).str('__new__').tuple2().reduce().global(...split(SYMBOL)).str('x + 1').tuple2().reduce().stop().done();
    expect(judge(bytes)[0]).toBe('dangerous');
  });

  test('a call with more arguments than the scanner keeps is refused: a str past the kept ones would be sympified unseen', () => {
    const TUPLE = 'sympy.core.containers.Tuple';
    const many = (build: (p: P) => P, tail: (p: P) => P) => {
      const p = build(new P().proto(4));
      for (let i = 0; i < 300; i++) p.binint1(1);
      return tail(p.str("__import__('os').system('id')")).stop().done();
    };
    // Tuple(1, ..., 1, str): REDUCE, NEWOBJ and copyreg.__newobj__
    expect(judge(many((p) => p.global(...split(TUPLE)).mark(), (p) => p.tuple().reduce()))[0]).toBe('dangerous');
    expect(judge(many((p) => p.global(...split(TUPLE)).mark(), (p) => p.tuple().newobj()))[0]).toBe('dangerous');
    expect(judge(many((p) => p.global('copyreg', '__newobj__').mark().global(...split(TUPLE)), (p) => p.tuple().reduce()))[0]).toBe('dangerous');
    // and copyreg.__newobj_ex__ with such an argument tuple
    expect(judge(many((p) => p.global('copyreg', '__newobj_ex__').global(...split(TUPLE)).mark(), (p) => p.tuple().emptyDict().tuple3().reduce()))[0]).toBe('dangerous');
    // the same call with all its arguments kept is accepted
    const kept = new P().proto(4).global(...split(TUPLE)).mark();
    for (let i = 0; i < 200; i++) kept.binint1(1);
    expect(judge(kept.tuple().reduce().stop().done())).toEqual(SAFE);
  });

  test('copyreg._reconstructor(cls, object, state) runs no sympy code; another base is refused', () => {
    const rebuilt = (base: [string, string]) => new P().proto(2).global('copyreg', '_reconstructor').global(...split(ADD)).global(...base).none().tuple3().reduce().stop().done();
    expect(judge(rebuilt(['builtins', 'object']))).toEqual(SAFE);
    expect(judge(rebuilt(['builtins', 'dict']))[0]).toBe('dangerous');
  });

  test('a guarded class handed to another callable, or as copyreg._reconstructor base, is a gadget', () => {
    const handed = new P().proto(2).global('pandas.core.indexes.base', '_new_Index').global(...split(ADD)).emptyDict().tuple2().reduce().stop().done();
    expect(judge(handed)).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-passed']]);
    const base = new P().proto(2).global('copyreg', '_reconstructor').global(...split(ADD)).global(...split(ADD)).str('x').tuple3().reduce().stop().done();
    expect(judge(base)[0]).toBe('dangerous');
  });
});

describe('sympy: BUILD and dict keys', () => {
  test('a BUILD on a sympy expression is refused (sympy writes none; Basic.__setstate__ sets any attribute)', () => {
    expect(judge(integer(new P().proto(2), 1).emptyDict().str('_args').str('x').tuple1().setitem().build().stop().done())).toEqual(DENIED);
  });

  test("a matrix's {rows, cols, _rep} state is accepted with a DomainMatrix, refused otherwise", () => {
    const matrix = (rep: (p: P) => P) =>
      new P().proto(2).global('sympy.matrices.dense', 'MutableDenseMatrix').emptyTuple().newobj().emptyDict().str('rows').binint1(1).setitem().str('cols').binint1(1).setitem().str('_rep').pipe(rep).setitem().build().stop().done();
    const domainMatrix = (p: P) =>
      p.global('sympy.polys.matrices.domainmatrix', 'DomainMatrix').emptyDict().binint1(0).emptyDict().binint1(0).pipe((q) => integer(q, 1)).setitem().setitem().binint1(1).binint1(1).tuple2().global('sympy.polys.domains.expressionrawdomain', 'ExpressionRawDomain').emptyTuple().newobj().tuple3().newobj();
    expect(judge(matrix(domainMatrix))).toEqual(SAFE);
    expect(judge(matrix((p) => p.str('x')))).toEqual(DENIED);
    const setitem = new P().proto(2).global('sympy.matrices.dense', 'MutableDenseMatrix').emptyTuple().newobj().binint1(0).str('x').setitem().stop().done();
    expect(judge(setitem)).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-method']]);
  });

  test('a sympy key is accepted next to ints, strs and sympy keys', () => {
    const d = integer(symbol(new P().proto(4).emptyDict(), 'x').binint1(1).setitem(), 2).binint1(2).setitem().str('name').binint1(3).setitem().binint1(4).binint1(4).setitem().stop().done();
    expect(judge(d)).toEqual(SAFE);
  });

  test('a sympy key next to a tuple or frozenset holding a str, or an object of another library, is refused', () => {
    const withTuple = integer(new P().proto(4).emptyDict(), 5).binint1(1).setitem().str('x').tuple1().binint1(2).setitem().stop().done();
    expect(judge(withTuple)).toEqual(DENIED);
    // in either order, in one SETITEMS, in a set, in a frozenset, in set([...])
    expect(judge(new P().proto(4).emptyDict().str('x').tuple1().binint1(2).setitem().pipe((p) => integer(p, 5)).binint1(1).setitem().stop().done())).toEqual(DENIED);
    expect(judge(new P().proto(4).emptySet().mark().pipe((p) => integer(p, 5)).str('x').tuple1().additems().stop().done())).toEqual(DENIED);
    expect(judge(new P().proto(4).mark().pipe((p) => integer(p, 5)).str('x').tuple1().frozenset().stop().done())).toEqual(DENIED);
    expect(judge(new P().proto(4).global('builtins', 'set').emptyList().pipe((p) => integer(p, 5)).append().str('x').tuple1().append().tuple1().reduce().stop().done())).toEqual(DENIED);
    expect(judge(new P().proto(4).global('builtins', 'frozenset').global('builtins', 'tuple').emptyList().pipe((p) => integer(p, 5)).append().tuple1().reduce().tuple1().reduce().stop().done())).toEqual(DENIED);
    // a dict subclass the pickle fills with SETITEMS hashes its keys too
    const ordered = integer(new P().proto(4).global('collections', 'OrderedDict').emptyTuple().reduce(), 5).binint1(1).setitem().str('x').tuple1().binint1(2).setitem().stop().done();
    expect(judge(ordered)).toEqual(DENIED);
    const withObject = integer(new P().proto(4).emptyDict(), 5).binint1(1).setitem().global('datetime', 'date').binint(2000).binint1(1).binint1(1).tuple3().reduce().binint1(2).setitem().stop().done();
    expect(judge(withObject)).toEqual(DENIED);
  });
});

describe('sympy: the exported Python guard', () => {
  test('carries no catalogue, so it refuses every reviewed class (fail closed: the argument guard has no Python counterpart)', () => {
    const def = getPolicy('default');
    const rulesOnly = compilePolicy({ ...def.spec, catalogue: false } as never);
    for (const name of REVIEWED.keys()) {
      expect([name, def.judge(...split(name), 4).decision]).toEqual([name, 'allow']);
      expect([name, rulesOnly.judge(...split(name), 4).decision]).toEqual([name, 'unlisted']);
    }
  });
});
