/**
 * pendulum's reviewed guards (src/machine/pendulum.ts): zones load by a constant name (whose path
 * parts pytzdata and zoneinfo refuse), a zone's BUILD sets only pendulum's attributes, and an
 * Interval or Period of pendulum's own datetimes is vouched for; anything else stays rejected.
 */
import { P, judgeSorted as judge } from './guard-support';

const SAFE = ['safe', []];
const UNSAFE = ['dangerous', ['DENIED_GLOBAL/unsafe-call']];
const GADGET_CALL = ['dangerous', ['DENIED_GLOBAL/gadget-call']];

type Part = (p: P) => P;
const done = (f: Part) => f(new P().proto(4)).stop().done();

/** pendulum 3: getattr(Timezone, '_unpickle')(key, 1), as the real files write it. */
const unpickle = (key: Part, flag: Part = (p) => p.binint1(1)): Part => (p) =>
  p.global('builtins', 'getattr').global('pendulum.tz.timezone', 'Timezone').str('_unpickle').tuple2().reduce().pipe(key).pipe(flag).tuple2().reduce();
/** pendulum 2: FixedTimezone(0, 'UTC') + BUILD of its attributes. */
const fixed = (state?: Part): Part => (p) =>
  p.global('pendulum.tz.timezone', 'FixedTimezone').binint1(0).str('UTC').tuple2().reduce()
    .pipe(state ?? ((q) => q.emptyDict().str('_name').str('UTC').setitem().str('_offset').binint1(0).setitem().str('_utcoffset').global('datetime', 'timedelta').binint1(0).binint1(0).binint1(0).tuple3().reduce().setitem()))
    .build();
/** DateTime(y, m, d, H, M, S, us, tz) as pendulum pickles it. */
const datetime = (month: number, tz: Part, module = 'pendulum.datetime', name = 'DateTime'): Part => (p) =>
  p.global(module, name).mark().binint(2024).binint1(month).binint1(1).binint1(0).binint1(0).binint1(0).binint1(0).pipe(tz).tuple().reduce();
const interval = (start: Part, end: Part, rest: Part = (p) => p.false(), cls: [string, string] = ['pendulum.interval', 'Interval']): Part => (p) =>
  p.global(...cls).pipe(start).pipe(end).pipe(rest).tuple3().reduce();
const utc = unpickle((p) => p.str('UTC'));
const timedelta = (s: number): Part => (p) => p.global('datetime', 'timedelta').binint1(0).binint(s).binint1(0).tuple3().reduce();
/** pendulum 2: TransitionType and Transition objects, NEWOBJ and a BUILD each. */
const ttype = (extra?: Part): Part => (p) =>
  p.global('pendulum.tz.zoneinfo.transition_type', 'TransitionType').emptyTuple().newobj()
    .emptyDict().str('_offset').binint(3600).setitem().str('_is_dst').false().setitem().str('_abbr').str('CET').setitem().str('_utcoffset').pipe(timedelta(3600)).setitem().pipe(extra ?? ((q) => q)).build();
const transition = (type: Part = ttype(), extra?: Part): Part => (p) =>
  p.global('pendulum.tz.zoneinfo.transition', 'Transition').emptyTuple().newobj()
    .emptyDict().mark()
    .str('_at').binint(-100).str('_local').binint(3500).str('_ttype').pipe(type).str('_previous').none()
    .str('_fix').binint1(0).str('_to').binint(3500).str('_to_utc').binint(-100).str('_utcoffset').pipe(timedelta(3600))
    .setitems().pipe(extra ?? ((q) => q)).build();
/** pendulum 2: Timezone(name) + BUILD of its name, transition table and hint. */
const named = (transitions: Part[] = [transition()]): Part => (p) =>
  p.global('pendulum.tz.timezone', 'Timezone').str('Europe/Paris').tuple1().reduce()
    .emptyDict().str('_name').str('Europe/Paris').setitem()
    .str('_transitions').emptyList().pipe((q) => transitions.reduce((x, t) => t(x.mark()).appends() as P, q)).setitem()
    .str('_hint').emptyDict().true().none().setitem().false().none().setitem().setitem()
    .build();

describe('pendulum 3: zones by key', () => {
  test("Timezone._unpickle(key, from_cache) with a constant key is accepted (zoneinfo refuses keys that leave its directories)", () => {
    expect(judge(done(datetime(5, unpickle((p) => p.str('Europe/Paris')))))).toEqual(SAFE);
    expect(judge(done((p) => p.global('pendulum.tz.timezone', 'Timezone._unpickle').str('Asia/Tokyo').binint1(1).tuple2().reduce()))).toEqual(SAFE);
  });

  test.each<[string, Part]>([
    ['a path object as the key', unpickle((p) => p.global('pathlib', 'PurePosixPath').str('/etc/passwd').tuple1().reduce())],
    ['an int as the key', unpickle((p) => p.binint1(1))],
    ['a str with a NUL', unpickle((p) => p.str('UTC\0'))],
    ['an object as the flag', unpickle((p) => p.str('UTC'), (p) => p.global('collections', 'OrderedDict').emptyTuple().reduce())],
  ])('%s is rejected', (_what, f) => {
    expect(judge(done(f))).toEqual(UNSAFE);
    expect(judge(done((p) => p.global('pendulum.tz.timezone', 'Timezone._unpickle').str('UTC').binint1(1).binint1(1).tuple3().reduce()))).toEqual(UNSAFE);
  });

  test('another spelling of _unpickle is not admitted', () => {
    expect(judge(done((p) => p.global('pendulum.tz', 'Timezone._unpickle').str('UTC').binint1(1).tuple2().reduce()))[0]).toBe('suspicious');
  });
});

describe('pendulum 2: zones by name and fixed offsets', () => {
  test("Timezone(name) with its transition table and FixedTimezone(offset, name), with BUILDs of pendulum's attributes, are accepted", () => {
    expect(judge(done(datetime(5, named())))).toEqual(SAFE);
    expect(judge(done(datetime(5, fixed())))).toEqual(SAFE);
  });

  test.each<[string, Part]>([
    ['Timezone(object)', (p) => p.global('pendulum.tz.timezone', 'Timezone').global('pathlib', 'PurePosixPath').str('x').tuple1().reduce().tuple1().reduce()],
    ['Timezone(name, extended, more)', (p) => p.global('pendulum.tz.timezone', 'Timezone').str('UTC').true().none().tuple3().reduce()],
    ['Timezone under another spelling with an object', (p) => p.global('pendulum', 'Timezone').binint1(1).tuple1().reduce()],
    ['FixedTimezone(str)', (p) => p.global('pendulum.tz.timezone', 'FixedTimezone').str('3600').tuple1().reduce()],
    ['FixedTimezone(offset, object)', (p) => p.global('pendulum.tz.timezone', 'FixedTimezone').binint1(0).global('collections', 'OrderedDict').emptyTuple().reduce().tuple2().reduce()],
    ['a BUILD that sets utcoffset (shadowing the method)', fixed((p) => p.emptyDict().str('utcoffset').global('builtins', 'len').setitem())],
    ['a BUILD whose _utcoffset is an object', fixed((p) => p.emptyDict().str('_utcoffset').global('collections', 'OrderedDict').emptyTuple().reduce().setitem())],
    ['a BUILD that is not a dict', fixed((p) => p.none().emptyDict().tuple2())],
    ['a Timezone BUILD with another attribute', (p) => p.global('pendulum.tz.timezone', 'Timezone').str('UTC').tuple1().reduce().emptyDict().str('convert').none().setitem().build()],
    ['a transition table holding another object', named([(p) => p.global('collections', 'OrderedDict').emptyTuple().reduce()])],
    ['a Transition BUILD that sets utcoffset', transition(ttype(), (p) => p.str('utcoffset').global('builtins', 'len').setitem())],
    ['a Transition whose type is another object', transition((p) => p.global('collections', 'OrderedDict').emptyTuple().reduce())],
    ['a TransitionType whose offset is a str', ttype((p) => p.str('_offset').str('3600').setitem())],
    ['a Transition called with arguments', (p) => p.global('pendulum.tz.zoneinfo.transition', 'Transition').binint1(0).none().none().tuple3().reduce()],
  ])('%s is rejected', (_what, f) => {
    expect(judge(done(f))).toEqual(UNSAFE);
  });
});

describe('Interval (pendulum 3) and Period (pendulum 2) of pendulum datetimes', () => {
  test('as pendulum pickles them they are accepted (and rebuilt with NEWOBJ too)', () => {
    expect(judge(done(interval(datetime(1, utc), datetime(2, utc))))).toEqual(SAFE);
    expect(judge(done(interval(datetime(1, fixed()), datetime(2, (p) => p.none()), (p) => p.true(), ['pendulum.period', 'Period'])))).toEqual(SAFE);
    expect(judge(done(interval(datetime(1, named()), datetime(2, named()), (p) => p.false(), ['pendulum.period', 'Period'])))).toEqual(SAFE);
    const dates = interval((p) => p.global('pendulum.date', 'Date').bytes('\x07\xe8\x01\x01').tuple1().reduce(), (p) => p.global('pendulum.date', 'Date').binint(2024).binint1(2).binint1(1).tuple3().reduce());
    expect(judge(done(dates))).toEqual(SAFE);
    expect(judge(done((p) => p.global('pendulum.interval', 'Interval').pipe(datetime(1, utc)).pipe(datetime(2, utc)).tuple2().newobj()))).toEqual(SAFE);
  });

  test.each<[string, Part]>([
    ['a stdlib datetime (pendulum.instance() may look the local zone up)', interval(datetime(1, utc, 'datetime', 'datetime'), datetime(2, utc))],
    ['a DateTime with a BUILD (an attribute could shadow utcoffset)', interval((p) => p.pipe(datetime(1, utc)).emptyDict().str('utcoffset').global('builtins', 'len').setitem().build(), datetime(2, utc))],
    ["a DateTime whose tzinfo is another library's zone", interval(datetime(1, (p) => p.global('dateutil.tz.tz', 'tzutc').emptyTuple().reduce()), datetime(2, utc))],
    ['a DateTime under another spelling', interval(datetime(1, utc, 'pendulum', 'DateTime'), datetime(2, utc))],
    ['an object as the flag', interval(datetime(1, utc), datetime(2, utc), (p) => p.global('collections', 'OrderedDict').emptyTuple().reduce())],
    ['another spelling of Interval', interval(datetime(1, utc), datetime(2, utc), (p) => p.false(), ['pendulum', 'Interval'])],
  ])('%s makes the call the gadget it is', (_what, f) => {
    expect(judge(done(f))).toEqual(expect.arrayContaining(['dangerous', expect.arrayContaining(['DENIED_GLOBAL/gadget-call'])]));
  });

  test('four arguments, or keywords, are not vouched for', () => {
    expect(judge(done((p) => p.global('pendulum.interval', 'Interval').mark().pipe(datetime(1, utc)).pipe(datetime(2, utc)).false().none().tuple().reduce()))).toEqual(GADGET_CALL);
  });

  test('the class handed to a callable, and a vouched interval handed on, are judged by what they hold', () => {
    const cls = done((p) => p.global('pandas.core.indexes.base', '_new_Index').global('pendulum.interval', 'Interval').emptyDict().tuple2().reduce());
    expect(judge(cls)).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-passed']]);
    const handedOn = done((p) => p.global('datetime', 'timedelta').pipe(interval(datetime(1, utc), datetime(2, utc))).tuple1().reduce());
    expect(judge(handedOn)).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-passed']]);
  });
});
