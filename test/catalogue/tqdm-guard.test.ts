/**
 * tqdm's bar (tqdm.std.tqdm): its __new__ (which starts tqdm's monitor thread) and __del__ (which
 * closes the bar) were read, and are safe with the state of a disabled bar, the only bar that
 * pickles; a BUILD guard admits exactly that state (src/machine/library-guards.ts tqdmStateGuard).
 * With any other state, __del__ and the monitor thread call what the state holds (`sp`, `fp.write`).
 */
import { scan, type Report } from '../../src';
import { lookupCatalogue } from '../../src/names/catalogue';
import { P } from '../support/pickle-builder';

const judge = (bytes: Uint8Array) => {
  const r: Report = scan(bytes, { policy: 'default' });
  return [r.verdict, r.findings.filter((f) => f.severity !== 'info').map((f) => `${f.code}/${f.rule}`)];
};
const TQDM = ['tqdm.std', 'tqdm'] as const;
const SAFE = ['safe', []];
const REFUSED = ['dangerous', ['DENIED_GLOBAL/unsafe-call']];
type Entry = [string, (p: P) => P];
const DISABLED: Entry[] = [
  ['iterable', (p) => p.global('builtins', 'range').int(0).int(3).int(1).tuple3().reduce()],
  ['disable', (p) => p.true()],
  ['pos', (p) => p.int(0)],
  ['n', (p) => p.int(0)],
  ['total', (p) => p.int(3)],
  ['leave', (p) => p.true()],
];
// tqdm.__new__(tqdm) then BUILD with a dict of these entries, as pickle writes a disabled bar
const bar = (entries: Entry[], p = new P().proto(2).global(...TQDM).emptyTuple().newobj()) => {
  let q = p.emptyDict();
  for (const [k, v] of entries) q = v(q.str(k)).setitem();
  return q.build();
};
const replace = (key: string, v: (p: P) => P): Entry[] => DISABLED.map(([k, x]) => [k, k === key ? v : x]);

describe("tqdm's bar", () => {
  test('the catalogue has the verdicts these tests assume', () => {
    expect(lookupCatalogue(...TQDM)!.failing).toEqual({ __del__: 'unverified', __new__: 'gadget', construction: 'gadget' });
  });

  test('a disabled bar, as tqdm pickles it, is accepted (NEWOBJ or copyreg, total None, leave None)', () => {
    expect(judge(bar(DISABLED).stop().done())).toEqual(SAFE);
    expect(judge(bar(DISABLED, new P().proto(2).global('copyreg', '__newobj__').global(...TQDM).tuple1().reduce()).stop().done())).toEqual(SAFE);
    expect(judge(bar(DISABLED, new P().proto(2).global('copyreg', '_reconstructor').global(...TQDM).global('builtins', 'object').none().tuple3().reduce()).stop().done())).toEqual(SAFE);
    expect(judge(bar(replace('total', (p) => p.none()).map(([k, v]) => [k, k === 'leave' ? (p: P) => p.none() : v])).stop().done())).toEqual(SAFE);
    // NEWOBJ alone: __del__ stops at the missing disable
    expect(judge(new P().proto(2).global(...TQDM).emptyTuple().newobj().stop().done())).toEqual(SAFE);
  });

  test('any other state is refused: an enabled bar, a key a disabled bar lacks (sp, fp, start_t), values of another type', () => {
    expect(judge(bar(replace('disable', (p) => p.false())).stop().done())).toEqual(REFUSED);
    expect(judge(bar(replace('disable', (p) => p.int(1))).stop().done())).toEqual(REFUSED);
    expect(judge(bar(DISABLED.filter(([k]) => k !== 'disable')).stop().done())).toEqual(REFUSED);
    expect(judge(bar([...DISABLED, ['sp', (p) => p.global('builtins', 'abs')]]).stop().done())).toEqual(REFUSED);
    expect(judge(bar([...DISABLED, ['start_t', (p) => p.float('0.0')]]).stop().done())).toEqual(REFUSED);
    expect(judge(bar(replace('pos', (p) => p.str('0'))).stop().done())).toEqual(REFUSED);
    expect(judge(bar(replace('total', (p) => p.global('builtins', 'object').emptyTuple().reduce())).stop().done())).toEqual(REFUSED);
    expect(judge(bar(replace('leave', (p) => p.int(1))).stop().done())).toEqual(REFUSED);
    // a (dict, slots) pair sets attributes with setattr: not the state tqdm writes
    expect(judge(new P().proto(2).global(...TQDM).emptyTuple().newobj().none().emptyDict().str('disable').true().setitem().tuple2().build().stop().done())).toEqual(REFUSED);
    // a key that is not a constant string
    const computed = new P().proto(2).global(...TQDM).emptyTuple().newobj().emptyDict().global('builtins', 'str').str('sp').tuple1().reduce().global('builtins', 'abs').setitem().build();
    expect(judge(computed.stop().done())[1]).toContain('DENIED_GLOBAL/unsafe-call');
    // a second BUILD is guarded as well
    expect(judge(bar([['disable', (p) => p.false()]], bar(DISABLED)).stop().done())).toEqual(REFUSED);
  });

  test('called, or handed to a callable that may call it, it is the gadget the catalogue found', () => {
    expect(judge(new P().proto(2).global(...TQDM).emptyTuple().reduce().stop().done())).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-call']]);
    expect(judge(new P().proto(2).global('pandas.core.indexes.base', '_new_Index').global(...TQDM).emptyDict().tuple2().reduce().stop().done())).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-passed']]);
    // another spelling, or a subclass, is not the reviewed class
    expect(judge(new P().proto(2).global('tqdm.asyncio', 'tqdm_asyncio').emptyTuple().newobj().stop().done())[0]).not.toBe('safe');
  });
});
