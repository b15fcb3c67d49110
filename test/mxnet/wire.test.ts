import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scan } from '../../src';
import { P } from '../support/pickle-builder';

const WIRE = join(__dirname, '../../samples/mxnet/wire-py311');
const files = readdirSync(WIRE).filter((f) => f.endsWith('.pkl'));
const NOT_SENDABLE = 'mx1.7__SGD__numpy_hparams.pkl'; // not valid UTF-8: MXNet on Python 3 cannot send it

describe('the MXNet wire reference set is all there', () => {
  test('336 optimizer pickles, exactly the ones its MANIFEST.json lists', () => {
    const listed = Object.keys(JSON.parse(readFileSync(join(WIRE, 'MANIFEST.json'), 'utf8')) as Record<string, unknown>).sort();
    expect(files).toHaveLength(336);
    expect([...files].sort()).toEqual(listed);
  });
});

// test/corpus.test.ts checks each one's verdict; these rows add that mxnet-optimizer finds nothing at all and reads the optimizer class
describe('every real MXNet optimizer pickle (335 of 336) is accepted by mxnet-optimizer with no finding, and its optimizer class is read', () => {
  test.each(files.filter((f) => f !== NOT_SENDABLE))('%s', (f) => {
    const r = scan(readFileSync(join(WIRE, f)), { policy: 'mxnet-optimizer' });
    expect(r.findings).toEqual([]);
    expect(r).toMatchObject({ verdict: 'safe', accepted: true });
    expect(r.optimizer?.class).toMatch(/^mxnet\./);
  });
});

describe('the one wire sample MXNet on Python 3 cannot send is rejected by mxnet-optimizer', () => {
  test('the numpy-scalar sample breaks the wire rules', () => {
    const r = scan(readFileSync(join(WIRE, NOT_SENDABLE)), { policy: 'mxnet-optimizer' });
    expect(r.accepted).toBe(false);
    expect(r.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['WIRE_RULE', 'UNLISTED_GLOBAL']));
  });
});

describe('each wire rule rejects on its own', () => {
  const base = readFileSync(join(WIRE, 'mx1.3__AdaDelta__default.pkl'));
  const wire = (b: Uint8Array) => scan(b, { policy: 'mxnet-optimizer' });
  const wireFindings = (b: Uint8Array) => wire(b).findings.filter((f) => f.code === 'WIRE_RULE').map((f) => f.message);

  test('a NUL byte', () => {
    const b = Buffer.from(base);
    b[40] = 0;
    expect(wireFindings(b).join()).toMatch(/NUL byte at offset 40/);
  });

  test('a non-ASCII byte', () => {
    const b = Buffer.concat([base.subarray(0, base.length - 1), Buffer.from('V\xe9\n0.', 'latin1')]);
    expect(wireFindings(b).join()).toMatch(/non-ASCII/);
  });

  test('anything after STOP, even a second valid pickle', () => {
    const r = wire(Buffer.concat([base, base]));
    expect(r.accepted).toBe(false);
    expect(r.findings.map((f) => f.message).join()).toMatch(/bytes after STOP/);
  });

  test('a PROTO opcode and binary opcodes', () => {
    const r = wire(new P().proto(2).emptyDict().stop().done());
    expect(r.findings.map((f) => f.message).join('\n')).toMatch(/PROTO at offset 0 is not an opcode this wire carries/);
  });

  test('REDUCE on a class directly, not through copy_reg._reconstructor', () => {
    const b = new P().global('mxnet.optimizer', 'SGD').mark().tuple().reduce().stop().done();
    expect(wireFindings(b).join()).toMatch(/REDUCE at offset \d+ is not copy_reg\._reconstructor/);
  });

  test('BUILD with a 2-tuple (slot) state', () => {
    const b = new P()
      .global('copy_reg', '_reconstructor').mark().global('mxnet.optimizer', 'SGD').global('__builtin__', 'object').none().tuple().reduce()
      .mark().none().mark().dict().tuple().build().stop().done();
    expect(wireFindings(b).join()).toMatch(/not a dict with str keys/);
  });

  test('objects left on the stack under the result', () => {
    const b = Buffer.concat([Buffer.from('I1\n'), base]);
    expect(wireFindings(b).join()).toMatch(/leaves 1 object/);
  });

  test('a body that is not an optimizer object', () => {
    const r = wire(new P().mark().dict().stop().done());
    expect(r.accepted).toBe(false);
    expect(r.findings.map((f) => f.code)).toContain('OPTIMIZER_BOUND');
  });

  test('Python 3 spellings copyreg/builtins are not the wire spelling', () => {
    const b = Buffer.from(base.toString('latin1').replace('copy_reg', 'copyreg'), 'latin1');
    expect(wire(b).findings.map((f) => f.code)).toContain('UNLISTED_GLOBAL');
  });
});

describe('the first byte outside ASCII is found wherever it lies (the check reads eight bytes at a time)', () => {
  test.each([0, 1, 7, 8, 9, 15, 16, 17, 63, 399, 403, 404])('a 0xE9 at offset %i', (at) => {
    const bytes = Buffer.from(readFileSync(join(WIRE, 'mx1.3__AdaDelta__default.pkl')));
    expect(bytes.length).toBe(405);
    bytes[at] = 0xe9;
    if (at + 1 < bytes.length) bytes[at + 1] = 0xff; // a later one is not the first
    const found = scan(bytes, { policy: 'mxnet-optimizer' }).findings.filter((f) => f.code === 'WIRE_RULE' && f.rule === 'non-ascii');
    expect(found.map((f) => f.offset)).toEqual([at]);
    expect(found[0]!.message).toContain('0xe9');
  });
});
