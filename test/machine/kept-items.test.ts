/**
 * Containers keep their first 256 items for rendering and count the rest; a class, function or object
 * (a hot item) is kept wherever it comes, so the walks that judge what library code is handed see it
 * as they see the first item. A hot item that ends up where no walk can reach it, and a walk too long
 * for the input, are findings: never a silent pass.
 */
import { scan, type Report } from '../../src';
import { lookupCatalogue } from '../../src/names/catalogue';
import { P } from '../support/pickle-builder';

const rules = (r: Report) => r.findings.map((f) => `${f.code}/${f.rule}`);
const judge = (bytes: Uint8Array) => {
  const r = scan(bytes, { policy: 'default' });
  return [r.verdict, rules(r)];
};

// networkx's Graph: rebuilt it is safe; handed to a callable that may call it, unverified (its __init__)
const GRAPH = ['networkx.classes.graph', 'Graph'] as const;
// xarray's Variable: an instance handed to library code may get its unverified __setitem__ called
const VARIABLE = ['xarray.core.variable', 'Variable'] as const;
// pandas' _new_Index(cls, d) calls cls(**d): what it is handed is judged
const NEW_INDEX = ['pandas.core.indexes.base', '_new_Index'] as const;
const PASSED = ['suspicious', ['UNLISTED_GLOBAL/unverified-passed']];

/** `n` small ints as items of the open container (after a MARK). */
const ints = (p: P, n: number) => {
  for (let i = 0; i < n; i++) p.int(i);
  return p;
};

describe('hot items past the first 256', () => {
  test('the catalogue has the verdicts these tests assume', () => {
    expect(lookupCatalogue(...GRAPH)).toMatchObject({ kind: 'unverified', callOnly: true });
    expect(lookupCatalogue(...VARIABLE)!.failing).toMatchObject({ __setitem__: 'unverified' });
  });

  test.each([1, 255, 256, 257, 300, 5000])('a class handed as item %i of a list argument is judged', (before) => {
    const list = ints(new P().proto(2).global(...NEW_INDEX).global('builtins', 'object').emptyList().mark(), before).global(...GRAPH).appends();
    expect(judge(list.tuple2().reduce().stop().done())).toEqual(PASSED);
  });

  test('in a list built by LIST, a tuple built by TUPLE, a frozenset and a dict value past the 256th entry', () => {
    const call = (inner: (p: P) => P) => inner(new P().proto(2).global(...NEW_INDEX).global('builtins', 'object')).tuple2().reduce().stop().done();
    expect(judge(call((p) => ints(p.mark(), 400).global(...GRAPH).list()))).toEqual(PASSED);
    expect(judge(call((p) => ints(p.mark(), 400).global(...GRAPH).tuple()))).toEqual(PASSED);
    expect(judge(call((p) => ints(p.mark(), 400).global(...GRAPH).frozenset()))).toEqual(PASSED);
    const entries = (p: P) => {
      for (let i = 0; i < 400; i++) p.int(i).int(i);
      return p;
    };
    expect(judge(call((p) => entries(p.mark()).str('cls').global(...GRAPH).dict()))).toEqual(PASSED);
    expect(judge(call((p) => entries(p.emptyDict().mark()).str('cls').global(...GRAPH).setitems()))).toEqual(PASSED);
    // a set grown by ADDITEMS
    expect(judge(call((p) => ints(p.emptySet().mark(), 400).global(...GRAPH).additems()))).toEqual(PASSED);
  });

  test('an instance deep in a BUILD state, past the 256th item of a nested list, is judged', () => {
    const state = ints(new P().proto(2).global(...GRAPH).emptyTuple().newobj().emptyDict().str('nodes').emptyList().mark(), 600).global(...VARIABLE).emptyTuple().newobj().appends();
    const r = scan(state.setitem().build().stop().done(), { policy: 'default' });
    expect([r.verdict, rules(r)]).toEqual(PASSED);
    expect(r.findings[0]!.message).toContain('xarray.core.variable.Variable');
  });

  test('plain data past the first 256 items is not kept, and stays safe', () => {
    const big = ints(new P().proto(2).global('collections', 'OrderedDict').emptyList().mark(), 5000).appends().tuple1().reduce().stop().done();
    expect(judge(big)).toEqual(['safe', []]);
  });
});

describe('hot items added to a container after it was stored in another', () => {
  test('are still seen: the walks then look into every container', () => {
    // outer = [inner]; inner.append(Graph) through the memo; _new_Index(object, outer)
    const late = new P().proto(2).global(...NEW_INDEX).global('builtins', 'object').emptyList().emptyList().binput(1).append().binput(0).pop()
      .binget(1).global(...GRAPH).append().pop()
      .binget(0).tuple2().reduce().stop().done();
    expect(judge(late)).toEqual(PASSED);
  });

  test('are seen by a later walk of a container an earlier walk found clean', () => {
    // outer = [inner, OrderedDict]; _new_Index(object, outer) finds nothing; inner.append(Graph); _new_Index(object, outer) again
    const p = new P().proto(2).emptyList().mark().emptyList().emptyList().binput(1).append().global('collections', 'OrderedDict').append().binput(0).pop();
    p.global(...NEW_INDEX).global('builtins', 'object').binget(0).tuple2().reduce();
    p.binget(1).global(...GRAPH).append().pop();
    p.global(...NEW_INDEX).global('builtins', 'object').binget(0).tuple2().reduce();
    const r = scan(p.appends().stop().done(), { policy: 'default' });
    expect([r.verdict, rules(r)]).toEqual(PASSED);
    expect(r.findings[0]!.offset).toBeGreaterThan(40);
  });

  test('in a container stored past the kept items of another, are a finding: no walk can reach them', () => {
    // outer = [0..299, inner]: inner is counted, not kept (it was empty then); then inner.append(Graph)
    const outer = ints(new P().proto(2).global(...NEW_INDEX).global('builtins', 'object').emptyList().mark(), 300).emptyList().binput(1).appends().binput(0).pop();
    const hidden = outer.binget(1).global(...GRAPH).append().pop().binget(0).tuple2().reduce().stop().done();
    const r = scan(hidden, { policy: 'default' });
    expect(r.accepted).toBe(false);
    expect(rules(r)).toContain('LIMIT_EXCEEDED/unkept-items');
    expect(r.findings.find((f) => f.rule === 'unkept-items')!.message).toMatch(/^APPEND at offset \d+ adds a class, function or object to a container already stored in another/);
  });

  test('a late item with nothing dropped anywhere is no finding of its own', () => {
    const late = new P().proto(2).emptyList().emptyList().binput(1).append().binput(0).pop().binget(1).global('collections', 'OrderedDict').append().pop().binget(0).stop().done();
    expect(judge(late)).toEqual(['safe', []]);
  });
});

describe('walk budget', () => {
  test('shared references are walked once per call: a DAG of 2^30 paths is walked in 31 steps', () => {
    // L0 = [Graph]; Li = [Li-1, Li-1], handed to _new_Index (a memo bomb too, which is its own finding)
    const p = new P().proto(2).global(...NEW_INDEX).global('builtins', 'object').emptyList().global(...GRAPH).append();
    for (let i = 0; i < 30; i++) p.binput(0).pop().emptyList().mark().binget(0).binget(0).appends();
    expect(judge(p.tuple2().reduce().stop().done())).toEqual(['suspicious', ['RESOURCE_HOSTILE/memo-expansion', 'UNLISTED_GLOBAL/unverified-passed']]);
  });

  test('walks past 4 × the bytes read + 1 MiB values are a finding, after what was found before', () => {
    // _new_Index(object, [Graph]); then H = [0..4999, OrderedDict, X], and 400 times: X.append(0)
    // (X is stored in H, so what H reaches may have changed) and _new_Index(object, H): 2 million values from 20 KB
    const p = new P().proto(2).emptyList().mark().global(...NEW_INDEX).global('builtins', 'object').emptyList().global(...GRAPH).append().tuple2().reduce();
    ints(p.emptyList().binput(0).mark(), 5000).global('collections', 'OrderedDict').emptyList().binput(1).appends().pop();
    for (let i = 0; i < 400; i++) p.binget(1).int(0).append().pop().global(...NEW_INDEX).global('builtins', 'object').binget(0).tuple2().reduce();
    const r = scan(p.appends().stop().done(), { policy: 'default' });
    expect(r.accepted).toBe(false);
    expect(rules(r)).toEqual(['UNLISTED_GLOBAL/unverified-passed', 'LIMIT_EXCEEDED/max-walk']);
    expect(r.findings[1]!.message).toMatch(/^looking for classes and objects handed to library code took more than \d+ steps by offset \d+ /);
  });

  test('a container handed again with nothing changed is not walked again', () => {
    // the same H handed to 400 calls with nothing in between: one walk, then reuse (no budget finding)
    const p = new P().proto(2).emptyList().mark();
    ints(p.emptyList().binput(0).mark(), 5000).global('collections', 'OrderedDict').appends().pop();
    for (let i = 0; i < 400; i++) p.global(...NEW_INDEX).global('builtins', 'object').binget(0).tuple2().reduce();
    expect(judge(p.appends().stop().done())).toEqual(['safe', []]);
    // a class in it is still reported at the first call
    const q = new P().proto(2).emptyList().mark();
    ints(q.emptyList().binput(0).mark(), 5000).global(...GRAPH).appends().pop();
    for (let i = 0; i < 400; i++) q.global(...NEW_INDEX).global('builtins', 'object').binget(0).tuple2().reduce();
    expect(judge(q.appends().stop().done())).toEqual(PASSED);
  });

  test('a big plain container handed to many calls costs nothing: it holds nothing a walk looks for', () => {
    const p = ints(new P().proto(2).emptyList().binput(0).mark(), 2000).appends().pop();
    p.emptyList().mark();
    for (let i = 0; i < 2000; i++) p.global('collections', 'OrderedDict').binget(0).tuple1().reduce();
    const r = scan(p.appends().stop().done(), { policy: 'default' });
    expect([r.verdict, rules(r)]).toEqual(['safe', []]);
  });
});
