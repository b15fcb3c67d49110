import { parseNpyHeader } from '../../src/containers/npy';
import { sample } from './helpers';

function header(dict: string, version = 1): Buffer {
  const body = Buffer.from(dict + '\n', 'latin1');
  if (version === 1) return Buffer.concat([Buffer.from('\x93NUMPY\x01\x00', 'latin1'), Buffer.from([body.length & 0xff, body.length >> 8]), body]);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(body.length);
  return Buffer.concat([Buffer.from(`\x93NUMPY${String.fromCharCode(version)}\x00`, 'latin1'), len, body]);
}

describe('npy header', () => {
  test('plain float array: no object, expected data size', () => {
    const h = parseNpyHeader(header("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }"));
    expect(h).toMatchObject({ version: '1.0', hasObject: false, shape: [3, 2], expectedDataBytes: 24 });
  });
  test.each(["'|O'", "'O'", "[('a', '<i4'), ('b', '|O')]", "[('a', [('x', '|O')])]"])('object dtype %s', (descr) => {
    const h = parseNpyHeader(header(`{'descr': ${descr}, 'fortran_order': False, 'shape': (1,), }`));
    expect(h).toMatchObject({ hasObject: true, expectedDataBytes: null });
  });
  test('v2 and v3 headers', () => {
    expect(parseNpyHeader(header("{'descr': '<i8', 'fortran_order': True, 'shape': (), }", 2))).toMatchObject({ version: '2.0', shape: [], expectedDataBytes: 8 });
    expect(parseNpyHeader(header("{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }", 3))).toMatchObject({ version: '3.0', expectedDataBytes: 24 });
  });
  test.each([
    ["{'descr': '<f4', 'shape': (3,), }", /keys/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'x': 1}", /keys/],
    ["{'descr': '<f4', 'fortran_order': 0, 'shape': (3,), }", /fortran_order/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (-3,), }", /shape/],
    ["__import__('os')", /literal/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (3,)", /literal/],
  ])('rejects %s', (dict, re) => {
    const h = parseNpyHeader(header(dict));
    expect('error' in h && h.error).toMatch(re);
  });
  test('unknown version and truncation', () => {
    expect(parseNpyHeader(Buffer.from('\x93NUMPY\x09\x00\x00\x00', 'latin1'))).toEqual({ error: 'unknown .npy version 9.0' });
    expect(parseNpyHeader(Buffer.from('\x93NUMPY\x01\x00\xff\x00{', 'latin1'))).toMatchObject({ error: expect.stringMatching(/runs past/) });
  });
  test('real numpy.save object array', () => {
    const h = parseNpyHeader(sample('npy_object_benign.npy'));
    expect(h).toMatchObject({ hasObject: true });
  });
});
