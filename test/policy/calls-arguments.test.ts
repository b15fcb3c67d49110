/**
 * Rules with `callsArguments`: a global that calls what it is handed (a sorted container's key, the
 * class astropy's unit unpickler instantiates) is accepted only when what is handed there is plain
 * data or a global the policy lets the pickle call. Before these rules, sortedcontainers' SortedList
 * was accepted from the catalogue whatever key it was handed (its __new__ picks SortedKeyList, whose
 * __init__ keeps the key and calls it: the walk could not see that), so `SortedList(['/x'], numpy.memmap)`
 * opened a file while loading.
 */
import { compilePolicy, scan, type Report } from '../../src';
import { P } from '../support/pickle-builder';

const rules = (r: Report) => r.findings.map((f) => `${f.code}/${f.rule}`);
const judge = (bytes: Uint8Array, policy: Parameters<typeof scan>[1] = { policy: 'default' }) => {
  const r = scan(bytes, policy);
  return [r.verdict, rules(r)];
};
const SORTED_LIST = ['sortedcontainers.sortedlist', 'SortedList'] as const;
const SORTED_KEY_LIST = ['sortedcontainers.sortedlist', 'SortedKeyList'] as const;
const SORTED_DICT = ['sortedcontainers.sorteddict', 'SortedDict'] as const;
const UNIT = ['astropy.units.core', '_recreate_irreducible_unit'] as const;

/** `cls(values, key)` as sortedcontainers' __reduce__ writes it, protocol 2. */
const sortedWith = (cls: readonly [string, string], key: (p: P) => P) => key(new P().proto(2).global(...cls).emptyList().unicode('/tmp/x').append()).tuple2().reduce().stop().done();

describe('sorted containers call the key they are handed', () => {
  test('a key that is a builtin kept as a value (abs, len) or None is accepted', () => {
    expect(judge(sortedWith(SORTED_KEY_LIST, (p) => p.global('builtins', 'abs')))).toEqual(['safe', []]);
    expect(judge(sortedWith(SORTED_LIST, (p) => p.global('__builtin__', 'len')))).toEqual(['safe', []]);
    expect(judge(sortedWith(SORTED_LIST, (p) => p.none()))).toEqual(['safe', []]);
  });

  test('a key whose call the policy denies is dangerous (the file-opening numpy.memmap)', () => {
    const r = scan(sortedWith(SORTED_LIST, (p) => p.global('numpy', 'memmap')), { policy: 'default' });
    expect([r.verdict, rules(r)]).toEqual(['dangerous', ['DENIED_GLOBAL/handed-denied-call']]);
    expect(r.findings[0]!.message).toMatch(/hands numpy\.memmap to sortedcontainers\.sortedlist\.SortedList, which calls what it is handed: numpy\.memmap\(path, mode\) opens/);
    expect(r.findings[0]!.offset).toBe(r.calls[0]!.offset);
  });

  test('a key allowed only as a value, and not a pure builtin, is suspicious', () => {
    expect(judge(sortedWith(SORTED_KEY_LIST, (p) => p.global('builtins', 'repr')))).toEqual(['suspicious', ['UNLISTED_GLOBAL/handed-reference']]);
    expect(judge(sortedWith(SORTED_KEY_LIST, (p) => p.global('time', 'time')))).toEqual(['suspicious', ['UNLISTED_GLOBAL/handed-reference']]);
  });

  test('a key that is an object the pickle built is suspicious: its __call__ is not checked', () => {
    const built = (p: P) => p.global('collections', 'OrderedDict').emptyTuple().reduce();
    expect(judge(sortedWith(SORTED_KEY_LIST, built))).toEqual(['suspicious', ['UNLISTED_GLOBAL/handed-object']]);
  });

  test('a key passed by keyword, through functools.partial, is checked too', () => {
    // partial(SortedKeyList) with the state (func, args, keywords, dict) that partial's __reduce__ writes, then called
    const viaPartial = (key: (p: P) => P) =>
      key(new P().proto(2).global('functools', 'partial').global(...SORTED_KEY_LIST).tuple1().reduce().mark().global(...SORTED_KEY_LIST).emptyTuple().emptyDict().unicode('key'))
        .setitem()
        .none()
        .tuple()
        .build()
        .emptyList()
        .tuple1()
        .reduce()
        .stop()
        .done();
    expect(judge(viaPartial((p) => p.global('numpy', 'memmap')))).toEqual(['dangerous', ['DENIED_GLOBAL/handed-denied-call']]);
    expect(judge(viaPartial((p) => p.global('builtins', 'abs')))).toEqual(['safe', []]);
  });

  test('SortedDict takes its key first', () => {
    const dict = (key: (p: P) => P) => key(new P().proto(2).global(...SORTED_DICT)).emptyDict().unicode('a').int(1).setitem().tuple2().reduce().stop().done();
    expect(judge(dict((p) => p.none()))).toEqual(['safe', []]);
    expect(judge(dict((p) => p.global('builtins', 'abs')))).toEqual(['safe', []]);
    expect(judge(dict((p) => p.global('numpy', 'memmap')))[0]).toBe('dangerous');
  });

  test('a rebuild does not call the key, but the state BUILD gives is checked: its attributes are what the methods call', () => {
    const rebuilt = (state: (p: P) => P) =>
      state(new P().proto(2).global(...SORTED_DICT).emptyTuple().newobj().emptyDict().unicode('_list_add'))
        .setitem()
        .build()
        .stop()
        .done();
    expect(judge(rebuilt((p) => p.global('numpy', 'memmap')))).toEqual(['dangerous', ['DENIED_GLOBAL/handed-denied-call']]);
    expect(judge(rebuilt((p) => p.global('builtins', 'repr')))).toEqual(['suspicious', ['UNLISTED_GLOBAL/handed-reference']]);
    expect(judge(rebuilt((p) => p.int(3)))).toEqual(['safe', []]);
  });
});

describe("astropy's unit unpickler calls the class it is handed", () => {
  const unit = (cls: (p: P) => P) =>
    cls(new P().proto(2).global(...UNIT))
      .unicode('m')
      .tuple1()
      .false()
      .tuple3()
      .reduce()
      .stop()
      .done();

  test('a class the policy lets the pickle call is accepted', () => {
    expect(judge(unit((p) => p.global('astropy.units.core', 'IrreducibleUnit')))).toEqual(['safe', []]);
  });

  test('a class whose call the policy denies, or an object the pickle built, is not', () => {
    expect(judge(unit((p) => p.global('numpy', 'memmap')))).toEqual(['dangerous', ['DENIED_GLOBAL/handed-denied-call']]);
    expect(judge(unit((p) => p.global('collections', 'OrderedDict').emptyTuple().reduce()))).toEqual(['suspicious', ['UNLISTED_GLOBAL/handed-object']]);
  });
});

describe("bidict's unpickler calls the class it is handed", () => {
  // getattr(bidict.BidictBase, '_from_other')(cls, {'a': 1}, False), as bidict's __reduce__ writes it
  const fromOther = (cls: (p: P) => P) =>
    cls(new P().proto(2).global('builtins', 'getattr').global('bidict', 'BidictBase').unicode('_from_other').tuple2().reduce())
      .emptyDict()
      .unicode('a')
      .int(1)
      .setitem()
      .false()
      .tuple3()
      .reduce()
      .stop()
      .done();

  test('a bidict class is accepted; a class whose call is denied is not', () => {
    expect(judge(fromOther((p) => p.global('bidict', 'frozenbidict')))).toEqual(['safe', []]);
    expect(judge(fromOther((p) => p.global('numpy', 'memmap')))).toEqual(['dangerous', ['DENIED_GLOBAL/handed-denied-call']]);
  });
});

describe('callsArguments in a policy of ones own', () => {
  test('a user policy can say which arguments its own global calls', () => {
    const policy = compilePolicy({
      name: 'mine',
      rules: [
        { module: 'mylib', names: ['Registry'], action: 'allow', reason: 'calls its first argument', callsArguments: [0] },
        { module: 'mylib', names: ['helper'], action: 'allow', use: 'reference', reason: 'kept as a value' },
      ],
    });
    const reg = (arg: (p: P) => P) => arg(new P().proto(2).global('mylib', 'Registry')).tuple1().reduce().stop().done();
    expect(judge(reg((p) => p.int(1)), { policy })).toEqual(['safe', []]);
    expect(judge(reg((p) => p.global('mylib', 'helper')), { policy })).toEqual(['suspicious', ['UNLISTED_GLOBAL/handed-reference']]);
  });

  test('the schema rejects positions that are not small non-negative integers', () => {
    expect(() => compilePolicy({ name: 'bad', rules: [{ module: 'm', names: ['f'], action: 'allow', reason: 'r', callsArguments: [-1] }] } as never)).toThrow();
  });
});
