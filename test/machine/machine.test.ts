import { scan, type Report } from '../../src';
import { P } from '../support/pickle-builder';
import { cpuMs } from '../support/cpu-time';

const codes = (r: Report) => r.findings.map((f) => f.code);
const globals = (r: Report) => r.globals.map((g) => `${g.module} ${g.name}`);

describe('stack, marks and memo follow CPython', () => {
  test('a plain protocol 0 list of ints is safe', () => {
    const r = scan(new P().mark().int(1).int(2).list().stop().done());
    expect(r.verdict).toBe('safe');
    expect(r.accepted).toBe(true);
    expect(r.pickles).toEqual([{ index: 0, start: 0, end: 9, protocol: 0, opcodes: 5, complete: true }]);
  });

  test('POP pops a MARK that sits on top of the stack (load_pop)', () => {
    const r = scan(new P().none().mark().pop().stop().done());
    expect(r.verdict).toBe('safe');
  });

  test('an opcode cannot reach below the innermost MARK (stack fence)', () => {
    const r = scan(new P().none().mark().tuple1().stop().done());
    expect(r.verdict).toBe('suspicious');
    expect(r.findings[0]).toMatchObject({ code: 'MALFORMED', offset: 2, opcode: 'TUPLE1' });
    expect(r.findings[0]!.message).toMatch(/stack underflow/);
  });

  test('TUPLE without MARK is malformed with offset and opcode', () => {
    const r = scan(new P().none().tuple().stop().done());
    expect(r.findings[0]).toMatchObject({ code: 'MALFORMED', offset: 1, opcode: 'TUPLE' });
  });

  test('GET of a missing memo index is an error', () => {
    const r = scan(new P().proto(2).binget(7).stop().done());
    expect(r.findings[0]).toMatchObject({ code: 'MALFORMED', opcode: 'BINGET' });
    expect(r.findings[0]!.message).toMatch(/memo has no entry 7/);
  });

  test('PUT stores the current top, not the previous argument (memo write after POP)', () => {
    // push 'os', push 'system', POP 'system', PUT 0 stores 'os'; later GET 0 twice gives os/os
    const r = scan(new P().proto(4).str('os').str('posix').pop().binput(0).str('system').binget(0).pop().stackGlobal().stop().done());
    expect(globals(r)).toEqual(['os system']);
    expect(r.verdict).toBe('dangerous');
  });

  test('MEMOIZE stores at len(memo) and may overwrite an explicit PUT slot', () => {
    // PUT 1 'builtins'; MEMOIZE stores at len(memo)=1, overwriting slot 1 with 'os'
    const b = new P().proto(4).str('builtins').binput(1).pop().str('os').memoize().pop().binget(1).str('system').stackGlobal().stop().done();
    const r = scan(b);
    expect(globals(r)).toEqual(['os system']);
    expect(r.verdict).toBe('dangerous');
  });

  test('STACK_GLOBAL operands from protocol 0 STRING without PROTO resolve', () => {
    const r = scan(new P().string("'os'").string("'system'").stackGlobal().stop().done());
    expect(globals(r)).toEqual(['os system']);
  });

  test('STACK_GLOBAL with a non-constant operand is unresolved, never accepted', () => {
    const b = new P().proto(4).str('collections').str('OrderedDict').stackGlobal().emptyTuple().reduce().str('system').stackGlobal().str('id').tuple1().reduce().stop().done();
    const r = scan(b);
    expect(codes(r)).toEqual(expect.arrayContaining(['UNRESOLVED_GLOBAL', 'UNRESOLVED_CALL']));
    expect(r.verdict).toBe('dangerous');
    expect(r.accepted).toBe(false);
  });

  test('STACK_GLOBAL with bytes operands is what CPython rejects', () => {
    const r = scan(new P().proto(4).bytes('os').bytes('system').stackGlobal().stop().done());
    expect(r.findings[0]).toMatchObject({ code: 'MALFORMED', opcode: 'STACK_GLOBAL' });
  });

  test('DICT with an odd number of items is malformed', () => {
    const r = scan(new P().mark().int(1).dict().stop().done());
    expect(r.findings[0]!.message).toMatch(/odd number of items/);
  });
});

describe('every import and call is recorded when it happens', () => {
  test('os.system via GLOBAL + REDUCE is dangerous with pseudo-Python', () => {
    const r = scan(new P().global('os', 'system').mark().string("'echo hi'").tuple().reduce().stop().done());
    expect(r.verdict).toBe('dangerous');
    expect(r.accepted).toBe(false);
    expect(r.findings[0]).toMatchObject({ code: 'DENIED_GLOBAL', offset: 0, opcode: 'GLOBAL', global: 'os system' });
    expect(r.calls[0]).toMatchObject({ kind: 'reduce', callee: 'os.system', pseudo: "os.system('echo hi')", offset: 24 });
  });

  test('a discarded call (result POPped) is still found', () => {
    const r = scan(new P().proto(2).global('subprocess', 'check_output').str('id').tuple1().reduce().pop().none().stop().done());
    expect(r.verdict).toBe('dangerous');
    expect(r.calls.map((c) => c.callee)).toEqual(['subprocess.check_output']);
  });

  test('objects left under the result and unclosed MARKs do not hide a call', () => {
    const r = scan(new P().mark().global('builtins', 'exec').str('x=1').tuple1().reduce().none().stop().done());
    expect(r.verdict).toBe('dangerous');
  });

  test('a payload followed by garbage is still dangerous and the break is reported', () => {
    const r = scan(new P().global('os', 'system').string("'id'").raw(0x85).reduce().raw(0xff, 0xfe).done());
    expect(r.verdict).toBe('dangerous');
    expect(codes(r)).toEqual(expect.arrayContaining(['DENIED_GLOBAL', 'MALFORMED']));
    expect(r.findings.find((f) => f.code === 'MALFORMED')!.offset).toBe(r.size - 2);
  });

  test('a payload then truncation is dangerous and TRUNCATED', () => {
    const r = scan(new P().proto(2).global('posix', 'system').str('id').tuple1().reduce().done());
    expect(r.verdict).toBe('dangerous');
    expect(codes(r)).toContain('TRUNCATED');
  });

  test('INST and OBJ are calls', () => {
    const inst = scan(new P().mark().string("'id'").inst('os', 'system').stop().done());
    expect(inst.calls[0]).toMatchObject({ kind: 'inst', pseudo: "os.system('id')" });
    const obj = scan(new P().proto(1).mark().global('subprocess', 'Popen').string("'id'").obj().stop().done());
    expect(obj.calls[0]).toMatchObject({ kind: 'obj', callee: 'subprocess.Popen' });
    expect(obj.verdict).toBe('dangerous');
  });

  test('NEWOBJ_EX is a call with keyword arguments', () => {
    const r = scan(new P().proto(4).str('subprocess').str('Popen').stackGlobal().str('id').tuple1().emptyDict().str('shell').true().setitem().newobjEx().stop().done());
    expect(r.calls[0]!.pseudo).toBe("subprocess.Popen.__new__(subprocess.Popen, 'id', shell=True)");
  });

  test('calling the result of a call is a data-flow finding', () => {
    // getattr-free indirection: collections.OrderedDict(...)(...)
    const r = scan(new P().proto(2).global('collections', 'OrderedDict').emptyTuple().reduce().str('x').tuple1().reduce().stop().done());
    expect(codes(r)).toContain('CALL_ON_CALL_RESULT');
    expect(r.verdict).toBe('dangerous');
  });

  test('BUILD on a function or class (not an instance) is dangerous', () => {
    const r = scan(new P().proto(2).global('collections', 'OrderedDict').emptyDict().str('__reduce__').none().setitem().build().stop().done());
    expect(codes(r)).toContain('BUILD_ON_NON_INSTANCE');
    expect(r.verdict).toBe('dangerous');
  });

  test('APPEND on a module-level object calls its method: dangerous', () => {
    const r = scan(new P().proto(2).global('collections', 'OrderedDict').str('x').append().stop().done());
    expect(codes(r)).toContain('METHOD_CALL_ON_OBJECT');
  });

  test('a nested pickle passed to a call is scanned', () => {
    const inner = new P().proto(2).global('os', 'system').str('id').tuple1().reduce().stop().done();
    const r = scan(new P().proto(2).global('collections', 'OrderedDict').bytes(inner).tuple1().reduce().stop().done());
    expect(codes(r)).toContain('NESTED_PICKLE');
    expect(r.findings.find((f) => f.code === 'NESTED_PICKLE')!.message).toMatch(/os\.system/);
  });

  test('a base64 nested pickle is decoded and scanned', () => {
    const inner = new P().proto(4).global('os', 'system').str('id').tuple1().reduce().stop().done();
    const b64 = Buffer.from(inner).toString('base64');
    const r = scan(new P().proto(2).global('collections', 'OrderedDict').str(b64).tuple1().reduce().stop().done());
    expect(codes(r)).toContain('NESTED_PICKLE');
  });

  test('bytes made by _codecs.encode are folded so a nested pickle is still seen', () => {
    const inner = new P().proto(2).global('os', 'system').str('id').tuple1().reduce().stop().done();
    const latin1 = Buffer.from(inner).toString('latin1');
    const r = scan(new P().proto(2).global('collections', 'OrderedDict').global('_codecs', 'encode').str(latin1).str('latin1').tuple2().reduce().tuple1().reduce().stop().done());
    expect(codes(r)).toContain('NESTED_PICKLE');
  });
});

describe('imports are judged by what they reach', () => {
  test.each([
    ['__builtin__', 'eval', 2, 'builtins.eval'],
    ['commands', 'getoutput', 0, 'subprocess.getoutput'],
    ['cPickle', 'loads', 0, 'pickle.loads'],
    ['argparse', '_os.system', 4, 'os.system'],
    ['random', '_os.system', 4, 'os.system'],
    ['builtins', 'object.__getattribute__', 4, 'builtins.object.__getattribute__'],
    ['tarfile', 'bltn_open', 4, 'builtins.open'],
  ])('%s %s at protocol %d is denied', (module, name, proto, resolved) => {
    const p = new P();
    if (proto) p.proto(proto);
    const r = scan(p.global(module, name).stop().done());
    expect(r.verdict).toBe('dangerous');
    expect(r.globals[0]!.resolved).toBe(resolved);
  });

  test('an unknown module is suspicious, not dangerous, and not accepted', () => {
    const r = scan(new P().proto(2).global('mylib.models', 'Net').stop().done());
    expect(r.verdict).toBe('suspicious');
    expect(r.findings[0]!.code).toBe('UNLISTED_GLOBAL');
    expect(r.accepted).toBe(false);
  });

  test('mid-stream PROTO 4 enables dotted names and changes _compat_pickle', () => {
    const r = scan(new P().proto(2).global('__builtin__', 'set').pop().proto(4).global('__builtin__', 'set').stop().done());
    expect(r.globals.map((g) => g.resolved)).toEqual(['builtins.set', '__builtin__.set']);
    expect(r.pickles[0]!.protocol).toBe(4);
  });

  test('EXT codes are unresolvable unless the policy maps them', () => {
    const bytes = new P().proto(2).ext1(7).stop().done();
    expect(codes(scan(bytes))).toContain('UNREGISTERED_EXT');
    const mapped = scan(bytes, { policy: { name: 'ext', extends: 'default', extensions: { '7': { module: 'os', name: 'system' } } } });
    expect(mapped.verdict).toBe('dangerous');
    expect(mapped.globals[0]).toMatchObject({ module: 'os', name: 'system', opcode: 'EXT1' });
  });

  test('copyreg.add_extension in the stream registers the code for a later EXT', () => {
    const b = new P().proto(2).global('copyreg', 'add_extension').str('os').str('system').binint1(9).tuple3().reduce().pop().ext1(9).stop().done();
    const r = scan(b);
    expect(globals(r)).toEqual(['copyreg add_extension', 'os system']);
  });

  test('persistent IDs are recorded; MXNet policies reject them', () => {
    const b = new P().proto(2).str('storage').binpersid().stop().done();
    expect(scan(b).verdict).toBe('safe');
    expect(codes(scan(b, { policy: 'mxnet-states' }))).toContain('PERSISTENT_ID');
  });

  test('out-of-band buffers are rejected by default', () => {
    expect(codes(scan(new P().proto(5).nextBuffer().readonlyBuffer().stop().done()))).toContain('OUT_OF_BAND_BUFFER');
  });
});

describe('several pickles, junk and resynchronisation', () => {
  const benign = new P().proto(2).emptyList().stop().done();
  const evil = new P().proto(2).global('os', 'system').str('id').tuple1().reduce().stop().done();

  test('back-to-back pickles are all analysed', () => {
    const r = scan(Buffer.concat([benign, evil]));
    expect(r.pickles.map((p) => p.start)).toEqual([0, benign.length]);
    expect(codes(r)).toEqual(expect.arrayContaining(['MULTIPLE_PICKLES', 'DENIED_GLOBAL']));
    expect(r.verdict).toBe('dangerous');
  });

  test('junk between pickles is reported and the later payload still found', () => {
    const r = scan(Buffer.concat([benign, Buffer.from('\x00\x01garbage\xff'), evil]));
    expect(codes(r)).toEqual(expect.arrayContaining(['TRAILING_DATA', 'DENIED_GLOBAL']));
    expect(r.findings.find((f) => f.code === 'DENIED_GLOBAL')!.offset).toBeGreaterThan(benign.length);
  });

  test('stopAfter leaves what follows alone', () => {
    const r = scan(Buffer.concat([benign, Buffer.from('raw storage bytes')]), { stopAfter: 1 });
    expect(r.verdict).toBe('safe');
    expect(r.pickles[0]!.end).toBe(benign.length);
  });

  test('baseOffset shifts every offset', () => {
    const r = scan(evil, { baseOffset: 1000 });
    expect(r.findings[0]!.offset).toBe(1000 + 2);
    expect(r.calls[0]!.offset).toBeGreaterThan(1000);
  });

  test('empty input is not accepted', () => {
    const r = scan(new Uint8Array(0));
    expect(r.verdict).toBe('suspicious');
    expect(r.findings[0]!.code).toBe('TRUNCATED');
  });
});

describe('limits and hostile inputs', () => {
  test('a memo expansion bomb costs linear time and is RESOURCE_HOSTILE', () => {
    const p = new P().proto(2).emptyList().binput(0);
    for (let i = 0; i < 1000; i++) p.binget(0).binget(0).tuple2().binput(0);
    const r = scan(p.stop().done());
    expect(codes(r)).toEqual(['RESOURCE_HOSTILE']);
    expect(r.findings[0]!.message).toMatch(/TUPLE2 at offset \d+ builds a structure that expands to \d+ objects through shared references/);
    expect(r.counts.opcodes).toBe(4004);
  });

  test('shared references of a normal size are fine', () => {
    const p = new P().proto(2).emptyList().binput(0);
    for (let i = 0; i < 10; i++) p.binget(0).binget(0).tuple2().binput(0);
    expect(scan(p.stop().done()).verdict).toBe('safe');
  });

  test('nesting deeper than maxObjectDepth is RESOURCE_HOSTILE', () => {
    const p = new P().proto(2).none();
    for (let i = 0; i < 6000; i++) p.tuple1();
    const r = scan(p.stop().done());
    expect(codes(r)).toEqual(['RESOURCE_HOSTILE']);
    expect(r.findings[0]!.message).toMatch(/nests containers more than 5000 deep/);
  });

  test('a protocol 0 line over maxLineBytes is RESOURCE_HOSTILE', () => {
    const r = scan(new P().unicode('x'.repeat(2 << 20)).stop().done());
    expect(codes(r)).toEqual(['RESOURCE_HOSTILE']);
  });

  test('too many MARKs hit maxNesting', () => {
    const b = Buffer.alloc(20001, 0x28);
    const r = scan(b);
    expect(codes(r)).toContain('LIMIT_EXCEEDED');
    expect(r.accepted).toBe(false);
  });

  test('the opcode budget is enforced and the payload before it is kept', () => {
    const p = new P().proto(2).global('os', 'system').pop();
    for (let i = 0; i < 100; i++) p.none().pop();
    const r = scan(p.none().stop().done(), { limits: { maxOpcodes: 50 } });
    expect(codes(r)).toEqual(expect.arrayContaining(['DENIED_GLOBAL', 'LIMIT_EXCEEDED']));
  });

  test('a declared length far beyond the input is TRUNCATED without allocation', () => {
    const r = scan(new P().proto(4).binbytes8Declared(2n ** 62n).done());
    expect(r.findings[0]).toMatchObject({ code: 'TRUNCATED', opcode: 'BINBYTES8', offset: 2 });
  });

  test('a negative BINSTRING length is malformed', () => {
    const r = scan(new P().proto(1).raw(0x54, 0xff, 0xff, 0xff, 0xff).done());
    expect(r.findings[0]!.message).toMatch(/negative length/);
  });

  test('PUT to memo index 10^8 is RESOURCE_HOSTILE', () => {
    const r = scan(new P().none().put(100_000_000).stop().done());
    expect(codes(r)).toContain('RESOURCE_HOSTILE');
    expect(r.accepted).toBe(false);
  });

  test('a protocol 0 int with a million digits is RESOURCE_HOSTILE', () => {
    const r = scan(new P().int('9'.repeat(1_000_000)).stop().done());
    expect(codes(r)).toEqual(['RESOURCE_HOSTILE']);
  });

  test('a huge FRAME is RESOURCE_HOSTILE and what follows is still analysed', () => {
    const r = scan(new P().proto(4).frame(2n ** 62n).global('os', 'system').stop().done());
    expect(r.findings[0]).toMatchObject({ code: 'RESOURCE_HOSTILE', opcode: 'FRAME', offset: 2 });
    expect(r.verdict).toBe('dangerous');
  });

  test('a straddling opcode is re-read as a file object without peek() reads it', () => {
    // FRAME of 4 ends inside a SHORT_BINUNICODE of 20: io.BytesIO readers drop the frame tail
    const payload = new P().str('os').str('system').stackGlobal().str('id').tuple1().reduce().done();
    const p = new P().proto(4).frame(4).raw(0x8c, 20, 'ab').raw('straddling-frame!!').raw(0x43, 2 + payload.length - 2).raw(payload).pop().none().stop();
    const r = scan(p.done());
    expect(codes(r)).toEqual(expect.arrayContaining(['FRAME_VIOLATION', 'DENIED_GLOBAL']));
    expect(r.findings.find((f) => f.code === 'DENIED_GLOBAL')!.message).toMatch(/^read from a file object without peek\(\)/);
  });

  test('an opcode straddling a FRAME end is a FRAME_VIOLATION and reading goes on', () => {
    const body = new P().str('os').str('system').done(); // 11 bytes
    const r = scan(new P().proto(4).frame(5).raw(body).stackGlobal().stop().done());
    expect(codes(r)).toContain('FRAME_VIOLATION');
    expect(globals(r)).toEqual(['os system']);
  });

  test('invalid UTF-8 in BINUNICODE is malformed; encoded surrogates pass as CPython allows', () => {
    expect(scan(new P().proto(2).binunicodeRaw(Uint8Array.from([0xff])).stop().done()).findings[0]!.code).toBe('MALFORMED');
    expect(scan(new P().proto(2).binunicodeRaw(Uint8Array.from([0xed, 0xa0, 0x80])).stop().done()).verdict).toBe('safe');
  });
});

describe('protocol 0 text arguments decode as CPython does', () => {
  test.each([
    ['I00', false],
    ['I01', true],
    ['I-5', -5],
    ['I0x1f', 31],
    ['L123L', 123],
    ['L-99999999999999999999L', -99999999999999999999n],
  ])('%s', (text, value) => {
    const r = scan(new P().raw(text + '\n').global('builtins', 'set').pop().stop().done());
    expect(r.verdict).toBe('safe');
    void value;
  });

  test('S strings with escapes feed STACK_GLOBAL exactly', () => {
    const r = scan(new P().string("'o\\x73'").string("'sys\\x74em'").stackGlobal().stop().done());
    expect(globals(r)).toEqual(['os system']);
  });

  test('V raw-unicode-escape feeds STACK_GLOBAL exactly', () => {
    const r = scan(new P().unicode('o\\u0073').unicode('system').stackGlobal().stop().done());
    expect(globals(r)).toEqual(['os system']);
  });

  test('an unquoted STRING is malformed', () => {
    expect(scan(new P().string('abc').stop().done()).findings[0]!.code).toBe('MALFORMED');
  });
});

describe('bounded output', () => {
  test('findings past the listing cap still count towards the verdict', () => {
    const p = new P().proto(4);
    for (let i = 0; i < 2100; i++) p.global(`pkg${i}`, 'X').pop();
    p.global('os', 'system').pop().none().stop();
    const r = scan(p.done());
    expect(r.findings.length).toBeLessThanOrEqual(2001);
    expect(r.verdict).toBe('dangerous');
    expect(r.findings[r.findings.length - 1]).toMatchObject({ code: 'LIMIT_EXCEEDED', severity: 'dangerous' });
    expect(r.counts.globals).toBe(2101);
  });
});

describe('work stays linear under amplification', () => {
  test('a memoized string fed to many folding calls stops being folded after the budget', () => {
    const big = 'a'.repeat(60_000);
    const p = new P().proto(2).global('_codecs', 'encode').binput(0).str(big).binput(1).pop().pop();
    for (let i = 0; i < 3000; i++) p.binget(0).binget(1).str('latin1').tuple2().reduce().pop();
    const t = cpuMs();
    const r = scan(p.none().stop().done());
    expect(r.verdict).toBe('safe');
    expect(cpuMs() - t).toBeLessThan(5000);
  });

  test('a dotted name with thousands of parts is judged without walking it', () => {
    const name = Array.from({ length: 5000 }, () => 'a').join('.');
    const t = cpuMs();
    const r = scan(new P().proto(4).str('os').str(name).stackGlobal().stop().done());
    expect(r.verdict).toBe('dangerous'); // module os itself is denied
    const r2 = scan(new P().proto(4).str('mylib').str(name).stackGlobal().stop().done());
    expect(r2.findings[0]!.code).toBe('UNLISTED_GLOBAL');
    expect(cpuMs() - t).toBeLessThan(2000);
  });
});

describe('allowed constructors asked for huge allocations', () => {
  test('bytearray(10**12) is RESOURCE_HOSTILE; bytearray(16) is fine', () => {
    const big = scan(new P().proto(2).global('builtins', 'bytearray').raw(0x8a, 6, 0, 0x10, 0xa5, 0xd4, 0xe8, 0).tuple1().reduce().stop().done());
    expect(big.findings.map((f) => f.code)).toEqual(['RESOURCE_HOSTILE']);
    expect(big.findings[0]!.message).toMatch(/allocate more than 1073741824 bytes/);
    const small = scan(new P().proto(2).global('builtins', 'bytearray').binint1(16).tuple1().reduce().stop().done());
    expect(small.verdict).toBe('safe');
  });
});
