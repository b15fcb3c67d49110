/**
 * astropy's Time (src/machine/astropy.ts): NEWOBJ `Time.__new__(Time, format_object)` and a BUILD of
 * its __dict__, admitted when the state leaves TimeBase.__getattr__ as it is (SCALES a tuple of scale
 * names, no FORMATS, no dunder keys); __hash__ and __eq__ are judged where a Time is a dict key or
 * set member, __setitem__ and the unpickler's append/extend/add lookups where a pickle runs them.
 */
import { lookupCatalogue } from '../../src/names/catalogue';
import { P } from '../support/pickle-builder';
import { judgeSorted as judge } from './guard-support';

const SAFE = ['safe', []];
const UNSAFE = ['dangerous', ['DENIED_GLOBAL/unsafe-call']];

type Step = (p: P) => P;
const SCALE_NAMES = ['tai', 'tcb', 'tcg', 'tdb', 'tt', 'ut1', 'utc'];
const scales =
  (names = SCALE_NAMES): Step =>
  (p) => {
    p.mark();
    for (const n of names) p.str(n);
    return p.tuple();
  };

/** The format object __getnewargs__ gives: TimeISOT rebuilt with NEWOBJ and a dict state. */
const format: Step = (p) => p.global('astropy.time.formats', 'TimeISOT').emptyTuple().newobj().emptyDict().str('_scale').str('utc').setitem().build();

interface Shape {
  cls?: Step;
  args?: Step;
  state?: Step;
  extra?: Array<[string, Step]>;
  after?: Step;
}

/** Time as astropy pickles it (protocol 2: GLOBAL + NEWOBJ); the format object is memo 0. */
function time(s: Shape = {}): P {
  const p = new P().proto(2);
  (s.cls ?? ((q) => q.global('astropy.time.core', 'Time')))(p);
  format(p).binput(0);
  if (s.args) {
    p.pop();
    s.args(p);
  } else p.tuple1();
  p.newobj();
  if (s.state) s.state(p);
  else {
    p.emptyDict().mark().str('_location').none().str('_time').binget(0).str('_format').str('isot').str('SCALES');
    scales()(p);
    for (const [k, v] of s.extra ?? []) v(p.str(k));
    p.setitems();
  }
  p.build();
  if (s.after) s.after(p);
  return p;
}
const done = (p: P) => p.stop().done();

describe("astropy's Time: the shape astropy writes", () => {
  test('the catalogue still calls it a gadget (its __eq__ and __init__ reach the leap-second update)', () => {
    expect(lookupCatalogue('astropy.time.core', 'Time')?.kind).toBe('gadget');
  });
  test('NEWOBJ of the format object and its __dict__ are accepted, under any spelling of the class', () => {
    expect(judge(done(time()))).toEqual(SAFE);
    expect(judge(done(time({ extra: [['location', (p) => p.none()], ['_delta_ut1_utc', (p) => p.float('0.1')]] })))).toEqual(SAFE);
    const p4 = format(new P().proto(4).str('astropy.time.core').str('Time').stackGlobal());
    expect(judge(p4.tuple1().newobj().emptyDict().str('_format').str('isot').setitem().build().stop().done())).toEqual(SAFE);
  });
});

describe("astropy's Time: BUILD states that change what TimeBase.__getattr__ does", () => {
  const bad: Array<[string, Array<[string, Step]>]> = [
    ["'__setstate__' among the SCALES (the next BUILD converts scales)", [['SCALES', scales(['utc', '__setstate__'])]]],
    ["'extend' among the SCALES", [['SCALES', scales(['extend'])]]],
    ['SCALES as a list', [['SCALES', (p) => p.emptyList().str('utc').append()]]],
    ['SCALES holding an object', [['SCALES', (p) => p.global('datetime', 'timedelta').emptyTuple().reduce().tuple1()]]],
    ['SCALES made by a call', [['SCALES', (p) => p.global('builtins', 'tuple').emptyTuple().reduce()]]],
    ['FORMATS', [['FORMATS', (p) => p.emptyDict()]]],
    ['__getattribute__ (what __getattr__ calls last)', [['__getattribute__', (p) => p.global('builtins', 'len')]]],
    ['__class__', [['__class__', (p) => p.none()]]],
  ];
  for (const [what, extra] of bad) {
    test(what, () => {
      expect(judge(done(time({ extra })))[1]).toContain('DENIED_GLOBAL/unsafe-call');
      // and as a second BUILD on a Time first built as astropy writes it
      const again: Step = (p) => {
        p.emptyDict().mark();
        for (const [k, v] of extra) v(p.str(k));
        return p.setitems().build();
      };
      expect(judge(done(time({ after: again })))[1]).toContain('DENIED_GLOBAL/unsafe-call');
    });
  }
  test('a state that is not a dict of constant keys, or not kept whole, is refused', () => {
    expect(judge(done(time({ state: (p) => p.none().emptyDict().str('_format').str('isot').setitem().tuple2() })))).toEqual(UNSAFE);
    expect(judge(done(time({ state: (p) => p.emptyList() })))).toEqual(UNSAFE);
    expect(judge(done(time({ state: (p) => p.emptyDict().binint1(1).str('x').setitem() })))).toEqual(UNSAFE);
    expect(judge(done(time({ state: (p) => p.emptyDict().global('builtins', 'str').emptyTuple().reduce().str('x').setitem() })))[1]).toContain('DENIED_GLOBAL/unsafe-call');
    const many = new P().proto(2).global('astropy.time.core', 'Time');
    format(many).tuple1().newobj().emptyDict().mark();
    for (let i = 0; i < 5000; i++) many.str(`k${i}`).binint1(1);
    expect(judge(many.setitems().build().stop().done())).toEqual(UNSAFE);
  });
});

describe("astropy's Time: what the constructor gets", () => {
  test('another Time (copied through its methods), no argument, two, keywords, or arguments the scan cannot list are refused', () => {
    const aTime: Step = (p) => p.global('astropy.time.core', 'Time').binget(0).tuple1().newobj().tuple1();
    expect(judge(done(time({ args: aTime })))[1]).toContain('DENIED_GLOBAL/unsafe-call');
    expect(judge(done(time({ args: (p) => p.emptyTuple() })))[1]).toContain('DENIED_GLOBAL/unsafe-call');
    expect(judge(done(time({ args: (p) => p.binget(0).str('utc').tuple2() })))[1]).toContain('DENIED_GLOBAL/unsafe-call');
    expect(judge(done(time({ args: (p) => p.global('datetime', 'timedelta').emptyTuple().reduce().tuple1() })))[1]).toContain('DENIED_GLOBAL/unsafe-call');
    expect(judge(done(time({ args: (p) => p.global('builtins', 'tuple').emptyList().binget(0).append().tuple1().reduce() })))[1]).toContain('DENIED_GLOBAL/unsafe-call');
    // the alias under which astropy.time.formats re-exports Time is Time, not a format
    const alias: Step = (p) => p.global('astropy.time.formats', 'Time').binget(0).tuple1().newobj().tuple1();
    expect(judge(done(time({ args: alias })))[1]).toContain('DENIED_GLOBAL/unsafe-call');
    const ex = new P().proto(4).global('astropy.time.core', 'Time');
    format(ex).tuple1().emptyDict().str('format').str('jd').setitem().newobjEx().stop();
    expect(judge(ex.done())[1]).toContain('DENIED_GLOBAL/unsafe-call');
  });
  test('calling Time runs __init__: a gadget call', () => {
    const r = new P().proto(2).global('astropy.time.core', 'Time').str('2020-01-01').tuple1().reduce().stop().done();
    expect(judge(r)[1]).toContain('DENIED_GLOBAL/gadget-call');
  });
});

describe("astropy's Time: __hash__ and __eq__, __setitem__, and the unpickler's lookups", () => {
  const keyed: Array<[string, Step]> = [
    ['a dict key (SETITEM)', (p) => p.emptyDict().binget(1).none().setitem()],
    ['a dict key (DICT)', (p) => p.mark().binget(1).none().dict()],
    ['a key inside a tuple key', (p) => p.emptyDict().binget(1).binint1(1).tuple2().none().setitem()],
    ['a set member (ADDITEMS)', (p) => p.emptySet().mark().binget(1).additems()],
    ['a frozenset member (FROZENSET)', (p) => p.mark().binget(1).frozenset()],
    ['a key of an OrderedDict (SETITEM on a dict subclass)', (p) => p.global('collections', 'OrderedDict').emptyTuple().reduce().binget(1).none().setitem()],
  ];
  for (const [what, step] of keyed) {
    test(what, () => {
      expect(judge(done(step(time().binput(1))))[1]).toContain('DENIED_GLOBAL/gadget-method');
    });
  }
  test('a member or key of set(), frozenset(), dict(), OrderedDict() and Counter()', () => {
    const built: Step[] = [
      (p) => p.global('builtins', 'set').emptyList().binget(1).append().tuple1().reduce(),
      (p) => p.global('builtins', 'frozenset').binget(1).tuple1().tuple1().reduce(),
      (p) => p.global('builtins', 'dict').emptyList().binget(1).none().tuple2().append().tuple1().reduce(),
      (p) => p.global('collections', 'OrderedDict').emptyList().binget(1).none().tuple2().append().tuple1().reduce(),
      (p) => p.global('collections', 'Counter').emptyDict().binget(1).binint1(1).setitem().tuple1().reduce(),
      (p) => p.global('builtins', 'set').global('builtins', 'list').binget(1).tuple1().tuple1().reduce().tuple1().reduce(),
    ];
    for (const step of built) expect(judge(done(step(time().binput(1))))[1]).toContain('DENIED_GLOBAL/unsafe-call');
  });
  test('a Time as a value of a dict is only stored', () => {
    expect(judge(done(time().binput(1).emptyDict().str('t').binget(1).setitem()))).toEqual(SAFE);
  });
  test('SETITEM, APPENDS and ADDITEMS on a Time run __setitem__ or __getattr__: gadget methods', () => {
    expect(judge(done(time().str('x').none().setitem()))[1]).toContain('DENIED_GLOBAL/gadget-method');
    expect(judge(done(time().mark().none().appends()))[1]).toContain('DENIED_GLOBAL/gadget-method');
    expect(judge(done(time().mark().none().additems()))[1]).toContain('DENIED_GLOBAL/gadget-method');
  });
  test('a Time given to library code, which may hash or compare it, is judged by its worst method', () => {
    expect(judge(done(time().binput(1).pop().global('datetime', 'timedelta').binget(1).tuple1().reduce()))[1]).toContain('DENIED_GLOBAL/gadget-passed');
  });
});
