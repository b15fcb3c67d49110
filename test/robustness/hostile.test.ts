/**
 * Hostile inputs at realistic scale (test/machine/machine.test.ts has the small versions): each
 * finishes in bounded time and memory with a clear RESOURCE_HOSTILE / LIMIT_EXCEEDED finding, and is
 * never accepted. Time bounds are loose (a few seconds of CPU time) so they only catch blow-ups.
 */
import { readOps, scan, type Report } from '../../src';
import { cpuMs } from '../support/cpu-time';

const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };
const u64 = (n: number | bigint) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; };
const MB = 1 << 20;

function run(bytes: Uint8Array, policy = 'default', boundMs = 5000): Report {
  const rss0 = process.memoryUsage().rss;
  const t0 = cpuMs();
  const r = scan(bytes, { policy });
  const ms = cpuMs() - t0;
  expect(ms).toBeLessThan(boundMs);
  // no allocation proportional to what the input declares (only to what it holds)
  expect(process.memoryUsage().rss - rss0).toBeLessThan(600 * MB);
  expect(r.accepted).toBe(false);
  return r;
}
const codes = (r: Report) => r.findings.map((f) => f.code);
const hostile = (r: Report, code: 'RESOURCE_HOSTILE' | 'LIMIT_EXCEEDED', re?: RegExp) => {
  const f = r.findings.filter((x) => x.code === code);
  expect(f.length).toBeGreaterThan(0);
  if (re) expect(f.map((x) => x.message).join('\n')).toMatch(re);
};

describe('resource bombs', () => {
  test('memo expansion bomb: 2^60 objects from 365 bytes', () => {
    const p = [0x80, 4, 0x5d, 0x94];
    for (let i = 0; i < 60; i++) p.push(0x68, i, 0x68, i, 0x86, 0x94);
    p.push(0x2e);
    expect(p).toHaveLength(365);
    hostile(run(new Uint8Array(p), 'default', 2000), 'RESOURCE_HOSTILE', /expansion bomb/);
  });
  test('DUP/TUPLE1/APPEND: a list that holds itself 1,000,000 times', () => {
    const n = 1_000_000;
    const b = Buffer.alloc(3 + n * 3 + 1);
    b.set([0x80, 2, 0x5d]);
    for (let i = 0; i < n; i++) b.set([0x32, 0x85, 0x61], 3 + i * 3); // DUP, TUPLE1, APPEND
    b[b.length - 1] = 0x2e;
    const r = run(b);
    expect(r.verdict).not.toBe('safe');
  });
  test('a file of 1,000,000 MARKs (and one of 50 MB)', () => {
    for (const n of [1_000_000, 50 * MB]) {
      const b = Buffer.alloc(n + 3, 0x28);
      b.set([0x80, 2]);
      b[b.length - 1] = 0x2e;
      hostile(run(b), 'LIMIT_EXCEEDED', /MARK/);
    }
  });
  test('1,000,000-deep nested lists', () => {
    const n = 1_000_000;
    const b = Buffer.alloc(2 + 2 * n + 1);
    b.set([0x80, 2]);
    b.fill(0x5d, 2, 2 + n);
    b.fill(0x61, 2 + n, 2 + 2 * n);
    b[b.length - 1] = 0x2e;
    hostile(run(b), 'RESOURCE_HOSTILE', /nests containers/);
  });
  test('1,000,000-deep nested tuples through MARK ... TUPLE', () => {
    const n = 1_000_000;
    const b = Buffer.alloc(2 + 2 * n + 2);
    b.set([0x80, 2]);
    b.fill(0x28, 2, 2 + n);
    b[2 + n] = 0x29;
    b.fill(0x74, 3 + n, 3 + 2 * n);
    b[b.length - 1] = 0x2e;
    const r = run(b);
    expect(codes(r).some((c) => c === 'LIMIT_EXCEEDED' || c === 'RESOURCE_HOSTILE')).toBe(true);
  });
});

describe('declared sizes far beyond the input', () => {
  test.each([
    ['BINBYTES8 2^62', [0x80, 4, 0x8e, ...u64(2n ** 62n)]],
    ['BINUNICODE8 2^62', [0x80, 4, 0x8d, ...u64(2n ** 62n)]],
    ['BYTEARRAY8 2^62', [0x80, 5, 0x96, ...u64(2n ** 62n)]],
    ['BINBYTES 4 GiB - 1', [0x80, 3, 0x42, ...u32(0xffffffff)]],
    ['BINUNICODE 4 GiB - 1', [0x80, 3, 0x58, ...u32(0xffffffff)]],
    ['BINSTRING 2 GiB - 1', [0x80, 1, 0x54, ...u32(0x7fffffff)]],
    ['LONG4 2 GiB - 1', [0x80, 2, 0x8b, ...u32(0x7fffffff)]],
  ] as const)('%s on a few bytes: TRUNCATED, no allocation', (_n, head) => {
    const r = run(Buffer.concat([Buffer.from(head), Buffer.from('abc.')]), 'default', 500);
    expect(codes(r)).toContain('TRUNCATED');
  });
  test.each([2n ** 62n, 2n ** 53n, 50n * BigInt(MB)])('FRAME of %s bytes: RESOURCE_HOSTILE, the rest still read', (n) => {
    const r = run(Buffer.concat([Buffer.from([0x80, 4, 0x95]), u64(n), Buffer.from('\x8c\x02os\x8c\x06system\x93\x8c\x02hi\x85R.', 'latin1')]), 'default', 500);
    hostile(r, 'RESOURCE_HOSTILE', /FRAME/);
    expect(r.verdict).toBe('dangerous');
  });
  test('a real 50 MB frame of NONEs hits the stack limit quickly', () => {
    const body = Buffer.alloc(50 * MB, 0x4e);
    body[body.length - 1] = 0x2e;
    hostile(run(Buffer.concat([Buffer.from([0x80, 4, 0x95]), u64(body.length), body])), 'LIMIT_EXCEEDED', /maxStack/);
  });
});

describe('long lines, big integers, text', () => {
  test.each([
    ['STRING', "S'", "'\n."],
    ['UNICODE', 'V', '\n.'],
    ['STRING with escapes', "S'\\x41", "\\n'\n."],
  ])('a 50 MB protocol 0 %s line: RESOURCE_HOSTILE in bounded time (regression: 14 s, 1.5 GB)', (_n, pre, post) => {
    const b = Buffer.concat([Buffer.from(pre, 'latin1'), Buffer.alloc(50 * MB, 0x61), Buffer.from(post, 'latin1')]);
    hostile(run(b), 'RESOURCE_HOSTILE', /protocol 0 line/);
    const t0 = cpuMs();
    let n = 0;
    for (const op of readOps(b)) if (op) n++;
    expect(n).toBe(2);
    expect(cpuMs() - t0).toBeLessThan(5000);
  });
  test.each([
    ['INT', 'I', '\n.'],
    ['LONG', 'L', 'L\n.'],
  ])('a protocol 0 %s of 10,000,000 digits: RESOURCE_HOSTILE; readOps stays fast on 300,000 (regression: 11 s)', (_n, pre, post) => {
    hostile(run(Buffer.concat([Buffer.from(pre), Buffer.alloc(10_000_000, 0x37), Buffer.from(post)])), 'RESOURCE_HOSTILE', /digits/);
    const small = Buffer.concat([Buffer.from(pre), Buffer.alloc(300_000, 0x37), Buffer.from(post)]);
    const t0 = cpuMs();
    for (const op of readOps(small)) void op;
    expect(cpuMs() - t0).toBeLessThan(3000);
  });
  test('LONG4 of 10 MB: RESOURCE_HOSTILE', () => {
    hostile(run(Buffer.concat([Buffer.from([0x80, 2, 0x8b]), u32(10 * MB), Buffer.alloc(10 * MB, 1), Buffer.from('.')])), 'RESOURCE_HOSTILE', /digits/);
  });
  test('invalid UTF-8 in SHORT_BINUNICODE, BINUNICODE and GLOBAL: MALFORMED', () => {
    for (const b of [
      Buffer.from([0x80, 4, 0x8c, 2, 0xc3, 0x28, 0x2e]),
      Buffer.concat([Buffer.from([0x80, 3, 0x58]), u32(3), Buffer.from([0xe2, 0x82, 0x2e, 0x2e])]),
      Buffer.from('c\xff\xfe\nsystem\n.', 'latin1'),
    ]) expect(codes(run(b, 'default', 500))).toContain('MALFORMED');
  });
  test('PUT / LONG_BINPUT to memo index 10^8 and 2^32-1: RESOURCE_HOSTILE', () => {
    for (const b of [Buffer.from('Np100000000\n.'), Buffer.concat([Buffer.from([0x80, 2, 0x4e, 0x72]), u32(1e8), Buffer.from('.')]), Buffer.concat([Buffer.from([0x80, 2, 0x4e, 0x72]), u32(0xffffffff), Buffer.from('.')])]) {
      hostile(run(b, 'default', 500), 'RESOURCE_HOSTILE', /memo index/);
    }
  });
  test('1,000,000 legitimate memo entries are fine (no false alarm at scale)', () => {
    const n = 1_000_000;
    const parts: Buffer[] = [Buffer.from([0x80, 4, 0x5d, 0x94, 0x28])];
    const one = Buffer.from([0x4b, 7, 0x94]);
    for (let i = 0; i < n; i++) parts.push(one);
    parts.push(Buffer.from([0x65, 0x2e]));
    const b = Buffer.concat(parts);
    const t0 = cpuMs();
    const r = scan(b);
    expect(cpuMs() - t0).toBeLessThan(5000);
    expect(r.verdict).toBe('safe');
  });
});

describe('MXNet wire', () => {
  const sgd = "ccopy_reg\n_reconstructor\np0\n(cmxnet.optimizer.optimizer\nSGD\np1\nc__builtin__\nobject\np2\nNtp3\nRp4\n(dp5\nVlr\np8\nF0.01\nsb.";
  test.each([
    ['in a string', sgd.replace('Vlr\n', 'Vl\x00r\n')],
    ['in a module name', sgd.replace('mxnet.optimizer.optimizer', 'mxnet\x00.optimizer')],
    ['after STOP', sgd + '\x00'],
    ['as 16 MB of NULs after STOP', sgd + '\x00'.repeat(16 * MB)],
  ])('a NUL byte %s is a WIRE_RULE finding', (_n, text) => {
    const r = run(Buffer.from(text, 'latin1'), 'mxnet-optimizer');
    expect(r.findings.filter((f) => f.code === 'WIRE_RULE').map((f) => f.message).join('\n')).toMatch(/NUL/);
  });
});
