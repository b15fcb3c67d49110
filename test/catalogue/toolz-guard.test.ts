/**
 * toolz's `_restore_curry`: a catalogue gadget (a str func is imported by name), admitted by a reviewed
 * rule with an argument guard (src/machine/library-guards.ts toolzRestoreCurryGuard) only in the shape
 * curry's __reduce__ writes for a plain function.
 */
import { scan, type Report } from '../../src';
import { P } from '../support/pickle-builder';

const judge = (bytes: Uint8Array) => {
  const r: Report = scan(bytes, { policy: 'default' });
  return [r.verdict, r.findings.filter((f) => f.severity !== 'info').map((f) => `${f.code}/${f.rule}`)];
};
const REFUSED = ['dangerous', ['DENIED_GLOBAL/unsafe-call']];
type Step = (p: P) => P;
const pair = (k: string, v: Step): Step => (p) => v(p.str(k)).tuple2();

interface Parts {
  cls?: Step;
  func?: Step;
  args?: Step;
  kwargs?: Step;
  userdict?: Step;
  decorated?: Step;
  count?: number;
}

/** `_restore_curry(curry, max, (5,), {}, (('__name__', 'max'), ...), None)` as toolz writes it, with parts replaced. */
function curried(parts: Parts = {}): Uint8Array {
  const steps: Step[] = [
    parts.cls ?? ((p) => p.global('toolz.functoolz', 'curry')),
    parts.func ?? ((p) => p.global('__builtin__', 'max')),
    parts.args ?? ((p) => p.binint1(5).tuple1()),
    parts.kwargs ?? ((p) => p.emptyDict()),
    parts.userdict ??
      ((p) => [pair('__doc__', (q) => q.str('max(iterable)')), pair('__name__', (q) => q.str('max')), pair('__module__', (q) => q.str('builtins')), pair('_has_unknown_args', (q) => q.none())].reduce((q, f) => f(q), p.mark()).tuple()),
    parts.decorated ?? ((p) => p.none()),
  ];
  let p = new P().proto(2).global('toolz.functoolz', '_restore_curry').mark();
  for (const s of steps.slice(0, parts.count ?? 6)) p = s(p);
  return p.tuple().reduce().stop().done();
}

describe("toolz's _restore_curry", () => {
  test('a curried plain function, as toolz 0.12 and 1.0 pickle it, is accepted', () => {
    expect(judge(curried())).toEqual(['safe', []]);
    expect(judge(curried({ kwargs: (p) => p.none(), userdict: (p) => p.emptyDict().str('__name__').str('max').setitem() }))).toEqual(['safe', []]);
  });

  test('a str func, imported by name, is refused whatever it names', () => {
    expect(judge(curried({ func: (p) => p.str('os:system'), decorated: (p) => p.true() }))).toEqual(REFUSED);
    expect(judge(curried({ func: (p) => p.str('builtins:max') }))).toEqual(REFUSED);
  });

  test('another class to call, a func the pickle built, extra or missing arguments: refused', () => {
    expect(judge(curried({ cls: (p) => p.global('collections', 'OrderedDict') }))).toEqual(REFUSED);
    expect(judge(curried({ func: (p) => p.global('collections', 'OrderedDict').emptyTuple().reduce() }))).toEqual(REFUSED);
    expect(judge(curried({ count: 5 }))).toEqual(REFUSED);
    expect(judge(curried({ args: (p) => p.emptyList() }))).toEqual(REFUSED);
    expect(judge(curried({ kwargs: (p) => p.emptyDict().binint1(1).str('x').setitem() }))).toEqual(REFUSED);
  });

  test("a userdict that sets another attribute (the partial the curry calls later) or a value that is not plain: refused", () => {
    expect(judge(curried({ userdict: (p) => pair('_partial', (q) => q.global('__builtin__', 'min'))(p.mark()).tuple() }))).toEqual(REFUSED);
    expect(judge(curried({ userdict: (p) => pair('__name__', (q) => q.global('__builtin__', 'min'))(p.mark()).tuple() }))).toEqual(REFUSED);
    expect(judge(curried({ userdict: (p) => p.mark().str('__name__').tuple1().tuple() }))).toEqual(REFUSED);
  });

  test('a denied func is still dangerous at its import', () => {
    const [verdict, rules] = judge(curried({ func: (p) => p.global('os', 'system') }));
    expect(verdict).toBe('dangerous');
    expect(rules).toContain('DENIED_GLOBAL/denied');
  });
});
