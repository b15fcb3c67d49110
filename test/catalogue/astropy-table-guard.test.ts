/**
 * astropy's Table and Column (src/machine/astropy.ts): a Column rebuilt by numpy's `_reconstruct`
 * and a BUILD of ndarray's state plus (name, unit, format, description, meta, indices); a Table by
 * NEWOBJ and a BUILD of (columns, meta), which runs Table.__init__ on them. Admitted with the shape
 * astropy writes; anything else in those states is refused.
 */
import { P, judgeSorted as judge } from './guard-support';

const SAFE = ['safe', []];

type Step = (p: P) => P;

/** numpy's dtype as numpy pickles it: `dtype(code, False, True)` and its state (str and bytes codes with their item size and alignment, objects with their flags). */
const dtype =
  (code = 'i8'): Step =>
  (p) => {
    const n = Number(code.slice(1)) || 0;
    const [elsize, alignment, flags] = code[0] === 'U' ? [4 * n, 4, 8] : code[0] === 'S' ? [n, 1, 0] : code[0] === 'O' ? [-1, -1, 63] : [-1, -1, 0];
    return p.global('numpy', 'dtype').str(code).false().true().tuple3().reduce().mark().binint1(3).str('<').none().none().none().binint(elsize).binint(alignment).binint(flags).tuple().build();
  };

const unitMeter: Step = (p) => p.global('astropy.units.core', '_recreate_irreducible_unit').global('astropy.units.core', 'IrreducibleUnit').emptyList().str('m').append().true().tuple3().reduce();

interface ColumnShape {
  cls?: [string, string];
  dtype?: Step;
  raw?: Step;
  name?: Step;
  unit?: Step;
  format?: Step;
  description?: Step;
  meta?: Step;
  indices?: Step;
  own?: Step;
}

/** A Column as astropy pickles it: `_reconstruct(Column, (0,), b'b')` and BUILD (ndarray state..., column state). */
const column =
  (s: ColumnShape = {}): Step =>
  (p) => {
    p.global('numpy.core.multiarray', '_reconstruct').global(...(s.cls ?? ['astropy.table.column', 'Column'])).binint1(0).tuple1().bytes('b').tuple3().reduce();
    p.mark().binint1(1).binint1(2).tuple1();
    (s.dtype ?? dtype())(p).false();
    (s.raw ?? ((q) => q.bytes(new Uint8Array(16))))(p);
    if (s.own) s.own(p);
    else {
      p.mark();
      (s.name ?? ((q) => q.str('a')))(p);
      (s.unit ?? ((q) => q.none()))(p);
      (s.format ?? ((q) => q.none()))(p);
      (s.description ?? ((q) => q.none()))(p);
      (s.meta ?? ((q) => q.emptyDict()))(p);
      (s.indices ?? ((q) => q.emptyList()))(p);
      p.tuple();
    }
    return p.tuple().build();
  };

interface TableShape {
  columns?: Step;
  meta?: Step;
  state?: Step;
  after?: Step;
}

/** A Table as astropy pickles it: NEWOBJ Table(), then BUILD (OrderedDict of columns, meta). */
function table(s: TableShape = {}): Uint8Array {
  const p = new P().proto(2).global('astropy.table.table', 'Table').emptyTuple().newobj();
  if (s.state) s.state(p);
  else {
    (s.columns ?? ((q) => column({ unit: unitMeter })(column()(q.global('collections', 'OrderedDict').emptyTuple().reduce().mark().str('a')).str('b')).setitems()))(p);
    (s.meta ?? ((q) => q.emptyDict().str('name').str('t').setitem()))(p);
    p.tuple2();
  }
  p.build();
  if (s.after) s.after(p);
  return p.stop().done();
}

const ordered = (...cols: Step[]): Step => (p) => {
  p.global('collections', 'OrderedDict').emptyTuple().reduce().mark();
  cols.forEach((c, i) => c(p.str(`c${i}`)));
  return p.setitems();
};

describe("astropy's Table and Column: the shape astropy writes", () => {
  test('accepted: columns with and without a unit, string columns, a plain dict of columns, described and formatted columns', () => {
    expect(judge(table())).toEqual(SAFE);
    expect(judge(table({ columns: ordered(column({ dtype: dtype('U1') }), column({ format: (p) => p.str('%d'), description: (p) => p.str('an int'), meta: (p) => p.emptyDict().str('k').binint1(1).setitem() })) }))).toEqual(SAFE);
    expect(judge(table({ columns: (p) => column()(p.emptyDict().str('a')).setitem() }))).toEqual(SAFE);
    expect(judge(table({ meta: (p) => p.global('collections', 'OrderedDict').emptyTuple().reduce() }))).toEqual(SAFE);
  });
});

describe("astropy's Column: states out of the shape", () => {
  const bad: Array<[string, ColumnShape]> = [
    ['an object array (its items go to astropy mixin checks)', { dtype: dtype('O'), raw: (p) => p.emptyList().global('datetime', 'timedelta').emptyTuple().reduce().append() }],
    ['raw data that is a list', { raw: (p) => p.emptyList() }],
    ['indices (each is deep-copied and told replace_col)', { indices: (p) => p.emptyList().global('collections', 'OrderedDict').emptyTuple().reduce().append() }],
    ['a unit written as a str (parsed)', { unit: (p) => p.str('m / s') }],
    ['a unit that is another object', { unit: (p) => p.global('datetime', 'timedelta').emptyTuple().reduce() }],
    ['meta holding an object (deep-copied)', { meta: (p) => p.emptyDict().str('k').global('datetime', 'timedelta').emptyTuple().reduce().setitem() }],
    ['meta that is not a mapping', { meta: (p) => p.emptyList() }],
    ['a name that is an object', { name: (p) => p.global('datetime', 'timedelta').emptyTuple().reduce() }],
    ['a column state of five items', { own: (p) => p.mark().none().none().none().none().emptyDict().tuple() }],
  ];
  for (const [what, shape] of bad) {
    test(what, () => {
      expect(judge(table({ columns: ordered(column(shape)) }))[1]).toContain('DENIED_GLOBAL/unsafe-call');
      // and a Column alone
      expect(judge(column(shape)(new P().proto(2)).stop().done())[1]).toContain('DENIED_GLOBAL/unsafe-call');
    });
  }
  test('a state that is not the ndarray state and the column state', () => {
    expect(judge(new P().proto(2).pipe((p) => column()(p)).stop().done())).toEqual(SAFE);
    const bare = (state: Step) => state(new P().proto(2).global('numpy.core.multiarray', '_reconstruct').global('astropy.table.column', 'Column').binint1(0).tuple1().bytes('b').tuple3().reduce()).build().stop().done();
    expect(judge(bare((p) => p.emptyDict()))[1]).toContain('DENIED_GLOBAL/unsafe-call');
    expect(judge(bare((p) => p.none().tuple1()))[1]).toContain('DENIED_GLOBAL/unsafe-call');
  });
  test("a Column's constructor with arguments (NEWOBJ, Column.__new__ by name or getattr) is refused; without, it makes an empty column", () => {
    const args: Step = (p) => p.mark().none().str('a').none().emptyTuple().binint1(0).none().str('m / s').tuple();
    expect(judge(args(new P().proto(2).global('astropy.table.column', 'Column')).newobj().stop().done())[1]).toContain('DENIED_GLOBAL/unsafe-call');
    expect(judge(new P().proto(2).global('astropy.table.column', 'Column').emptyTuple().newobj().stop().done())).toEqual(SAFE);
    const dotted = new P().proto(4).str('astropy.table.column').str('Column.__new__').stackGlobal().mark().global('astropy.table.column', 'Column').none().str('a').tuple().reduce().stop().done();
    expect(judge(dotted)[1]).toContain('DENIED_GLOBAL/unsafe-call');
    const viaGetattr = new P().proto(2).global('builtins', 'getattr').global('astropy.table.column', 'Column').str('__new__').tuple2().reduce().global('astropy.table.column', 'Column').str('x').tuple2().reduce().stop().done();
    expect(judge(viaGetattr)[1]).toContain('DENIED_GLOBAL/unsafe-call');
  });
  test('a Column handed to anything but numpy _reconstruct is judged by its guarded BUILD; MaskedColumn stays unverified', () => {
    expect(judge(new P().proto(2).global('builtins', 'list').global('astropy.table.column', 'Column').tuple1().tuple1().reduce().stop().done())[1]).toContain('UNLISTED_GLOBAL/unverified-passed');
    expect(judge(new P().proto(2).global('astropy.table.column', 'MaskedColumn').stop().done())[0]).not.toBe('safe');
  });
});

describe("astropy's Table: states out of the shape", () => {
  const objectValue: Step = (p) => p.global('datetime', 'timedelta').emptyTuple().reduce();
  const bad: Array<[string, TableShape]> = [
    ['a column that is another object', { columns: ordered(column(), objectValue) }],
    // plain values are not kept by the OrderedDict (only objects are): they must be counted all the same
    ['a column that is a str, next to a Column', { columns: ordered(column(), (p) => p.str('some text')) }],
    ['a column that is an int, next to a Column', { columns: ordered(column(), (p) => p.binint1(7)) }],
    ['a Column under a key that is a Column', { columns: (p) => column()(column()(p.global('collections', 'OrderedDict').emptyTuple().reduce())).setitem() }],
    ['columns as a list', { columns: (p) => column()(p.emptyList()).append() }],
    ['columns as an OrderedDict made from pairs', { columns: (p) => column()(p.global('collections', 'OrderedDict').emptyList().str('a')).tuple2().append().tuple1().reduce() }],
    ['columns as an OrderedDict with a BUILD', { columns: (p) => ordered(column())(p).emptyDict().build() }],
    ['an empty OrderedDict of columns', { columns: (p) => p.global('collections', 'OrderedDict').emptyTuple().reduce() }],
    ['a column key that is an object', { columns: (p) => column()(p.emptyDict().pipe(objectValue)).setitem() }],
    ['meta holding an object', { meta: (p) => p.emptyDict().str('k').pipe(objectValue).setitem() }],
    ['a state of three items', { state: (p) => p.emptyDict().none().none().tuple3() }],
    ['a dict state', { state: (p) => p.emptyDict() }],
  ];
  for (const [what, shape] of bad) {
    test(what, () => {
      expect(judge(table(shape))[1]).toContain('DENIED_GLOBAL/unsafe-call');
    });
  }
  test('calling Table, SETITEM on one, and a second BUILD out of shape', () => {
    expect(judge(new P().proto(2).global('astropy.table.table', 'Table').emptyList().tuple1().reduce().stop().done())[1]).toContain('DENIED_GLOBAL/gadget-call');
    expect(judge(table({ after: (p) => p.str('x').none().setitem() }))[1]).toContain('DENIED_GLOBAL/gadget-method');
    expect(judge(table({ after: (p) => p.emptyList().none().tuple2().build() }))[1]).toContain('DENIED_GLOBAL/unsafe-call');
  });
});
