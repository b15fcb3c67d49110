/**
 * Cython's `cython.cimports` shim: every attribute of it is the top-level module of that name
 * (`__import__(item)`), so torch 2.6 with Cython imported writes `torch.channels_last` as
 * `getattr(cython.cimports.torch, 'channels_last')`. The module object is held: read with getattr
 * at once it is judged by the name it reads (`torch channels_last`); any other use is a finding.
 */
import { compilePolicy, getPolicy, scan, type Report } from '../../src';
import { P } from '../support/pickle-builder';

const judge = (bytes: Uint8Array) => {
  const r: Report = scan(bytes, { policy: 'default' });
  return [r.verdict, r.findings.filter((f) => f.severity !== 'info').map((f) => `${f.code}/${f.rule}`)];
};
const getattrOf = (p: P, module: string, attr: string) => p.global('__builtin__', 'getattr').global('cython.cimports', module).str(attr).tuple2().reduce();
const SAFE = ['safe', []];
const UNMODELED = ['dangerous', ['DENIED_GLOBAL/unmodeled-use']];

describe("Cython's cython.cimports shim", () => {
  test("torch's memory formats as torch 2.6 writes them with Cython imported are accepted", () => {
    const p = new P().proto(2).emptyList().mark();
    getattrOf(p, 'torch', 'contiguous_format');
    getattrOf(p, 'torch', 'channels_last');
    expect(judge(p.appends().stop().done())).toEqual(SAFE);
    // the 3-argument form (a default) reads the same name
    expect(judge(new P().proto(2).global('builtins', 'getattr').global('cython.cimports', 'torch').str('channels_last').none().tuple3().reduce().stop().done())).toEqual(SAFE);
    // from protocol 4 the dotted name walks through the shim into the module
    expect(judge(new P().proto(4).str('cython.cimports').str('torch.channels_last').stackGlobal().stop().done())).toEqual(SAFE);
  });

  test('an attribute is judged as the name it reads: torch.load, os.system are denied', () => {
    expect(judge(getattrOf(new P().proto(2), 'torch', 'load').stop().done())[1]).toContain('DENIED_GLOBAL/denied');
    expect(judge(getattrOf(new P().proto(2), 'os', 'system').stop().done())[1]).toContain('DENIED_GLOBAL/denied');
    expect(judge(new P().proto(4).str('cython.cimports').str('torch.load').stackGlobal().stop().done())[1]).toContain('DENIED_GLOBAL/denied');
    expect(judge(new P().proto(4).str('cython.cimports').str('os.system').stackGlobal().stop().done())[1]).toContain('DENIED_GLOBAL/denied');
    // below protocol 4 the shim gets the dotted name whole; deny rules still see the walk
    expect(judge(new P().proto(2).global('cython.cimports', 'os.system').stop().done())[1]).toContain('DENIED_GLOBAL/denied');
    // a dunder is not modeled: getattr and the module are both released
    expect(judge(getattrOf(new P().proto(2), 'torch', '__dict__').stop().done())[0]).toBe('dangerous');
  });

  test('the module object used any other way is a finding', () => {
    // returned, stored in a list, made into a tuple for another callable, given as BUILD state, called
    expect(judge(new P().proto(2).global('cython.cimports', 'torch').stop().done())).toEqual(UNMODELED);
    expect(judge(new P().proto(2).emptyList().global('cython.cimports', 'torch').append().stop().done())).toEqual(UNMODELED);
    expect(judge(new P().proto(2).global('builtins', 'list').global('cython.cimports', 'torch').str('load').tuple2().tuple1().reduce().stop().done())).toEqual(UNMODELED);
    expect(judge(new P().proto(2).global('collections', 'OrderedDict').emptyTuple().newobj().global('cython.cimports', 'torch').build().stop().done())[1]).toContain('DENIED_GLOBAL/unmodeled-use');
    expect(judge(new P().proto(2).global('cython.cimports', 'torch').emptyTuple().reduce().stop().done())[1]).toContain('DENIED_GLOBAL/unmodeled-use');
    expect(judge(new P().proto(2).global('cython.cimports', 'torch').binpersid().stop().done())[1]).toContain('DENIED_GLOBAL/unmodeled-use');
  });

  test("getattr's arguments must be taken at once: a tuple kept in the memo, or built under getattr and used otherwise, releases it", () => {
    // memoized before REDUCE: BINGET could hand the same tuple to anything later
    const memoized = new P().proto(2).global('builtins', 'getattr').global('cython.cimports', 'torch').str('channels_last').tuple2().binput(0).reduce().stop().done();
    expect(judge(memoized)[1]).toContain('DENIED_GLOBAL/unmodeled-use');
    // the module memoized, read once as modeled and then stored: the stored copy is the finding
    const reused = new P().proto(2).emptyList().global('builtins', 'getattr').global('cython.cimports', 'torch').binput(0).str('channels_last').tuple2().reduce().append().binget(0).append().stop().done();
    expect(judge(reused)).toEqual(UNMODELED);
    // built on top of getattr but packed into another tuple with it instead of called
    const packed = new P().proto(2).global('builtins', 'getattr').global('cython.cimports', 'torch').str('channels_last').tuple2().tuple2().stop().done();
    expect(judge(packed)[1]).toContain('DENIED_GLOBAL/unmodeled-use');
  });

  test('a module the policy does not know, or a dunder, is not held: not allowed as before', () => {
    expect(judge(new P().proto(2).global('cython.cimports', 'antigravity').stop().done())).toEqual(['suspicious', ['UNLISTED_GLOBAL/not-allowed']]);
    expect(judge(new P().proto(2).global('cython.cimports', '__builtins__').stop().done())[0]).not.toBe('safe');
    expect(judge(new P().proto(2).global('cython.cimports', 'antigravity').pop().global('builtins', 'list').emptyTuple().reduce().stop().done())[0]).toBe('suspicious');
  });
});

describe('the shim under the deny rules and the tier', () => {
  const verdictOf = (bytes: Uint8Array, policy: string) => scan(bytes, { policy }).verdict;
  // imported and dropped: importing the module is what the unpickler did
  const moduleObject = (module: string) => new P().proto(2).global('cython.cimports', module).pop().none().stop().done();

  test("a library every name of which is denied is no module object to model: cloudpickle's and dill's are refused", () => {
    for (const m of ['cloudpickle', 'dill']) expect(verdictOf(moduleObject(m), 'default')).not.toBe('safe');
    // read with getattr, the attribute is judged by its name as before
    expect(judge(getattrOf(new P().proto(2), 'cloudpickle', 'loads').stop().done())[0]).toBe('dangerous');
  });

  test('under strict, only the tier\'s libraries are modeled through the shim', () => {
    expect(verdictOf(moduleObject('lmfit'), 'default')).toBe('safe');
    expect(verdictOf(moduleObject('lmfit'), 'strict')).not.toBe('safe');
    const lmfit = getattrOf(new P().proto(2), 'lmfit', 'Parameters').stop().done();
    expect(verdictOf(lmfit, 'strict')).not.toBe('safe');
    const torch = getattrOf(new P().proto(2), 'torch', 'channels_last').stop().done();
    expect(verdictOf(torch, 'strict')).toBe('safe');
  });

  test("a policy's deny rule on the shim's module is not stepped around", () => {
    const spec = getPolicy('default').spec;
    const noCython = compilePolicy({ ...spec, name: 'no-cython', rules: [{ action: 'deny', module: 'cython', names: '*', submodules: true, reason: 'no Cython here' }, ...spec.rules] } as never);
    const torch = getattrOf(new P().proto(2), 'torch', 'channels_last').stop().done();
    expect(scan(torch, { policy: noCython }).verdict).toBe('dangerous');
    expect(scan(new P().proto(4).str('cython.cimports').str('torch.channels_last').stackGlobal().stop().done(), { policy: noCython }).verdict).toBe('dangerous');
  });
});
