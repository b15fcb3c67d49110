/**
 * numpy scalars and arrays as numpy pickles them, admitted by the reviewed guards where library code
 * takes a number (lmfit's parameters, Biopython's substitution matrices, pint's magnitudes) only when
 * they hold plain numbers: an object dtype holds whatever objects the pickle put there, whose methods
 * that code then runs.
 */
import { NUMPY_RECONSTRUCT, type Value } from './values';

const NUMPY_SCALAR: ReadonlySet<string> = new Set(['numpy.core.multiarray.scalar', 'numpy._core.multiarray.scalar']);
/** numpy's real number type codes (bool, ints, floats): their scalars compare and clip in C. */
const REAL_DTYPE = /^[<>=|]?(?:f(?:2|4|8|16)|i[1248]|u[1248]|b1)$/;

/**
 * A numpy dtype made by the pickle from a constant type code `codes` accepts: `numpy.dtype('f8', False,
 * True)`. (What its BUILD may set is numpy-dtype.ts's guard.)
 */
export function dtypeOfCode(v: Value | undefined, codes: RegExp): boolean {
  if (!v || v.k !== 'call' || v.callee.k !== 'global' || v.callee.resolved !== 'numpy.dtype' || v.args.k !== 'tuple' || v.args.count !== v.args.items.length) return false;
  const code = v.args.items[0];
  return code?.k === 'str' && code.v !== null && codes.test(code.v);
}

/** A numpy number as numpy pickles it: `scalar(dtype(code, ...), bytes)` with a real number type code. */
export function isNumpyNumber(v: Value): boolean {
  if (v.k !== 'call' || v.callee.k !== 'global' || !NUMPY_SCALAR.has(v.callee.resolved) || v.kwargs || v.state) return false;
  if (v.args.k !== 'tuple' || v.args.count !== 2 || v.args.items.length !== 2) return false;
  const [dtype, data] = v.args.items as [Value, Value];
  return data.k === 'bytes' && dtypeOfCode(dtype, REAL_DTYPE);
}

/** numpy dtype codes of plain numbers (complex too), and the largest item size among them. */
const NUMERIC_DTYPE = /^[<>=|]?(?:[fiuc](?:1|2|4|8|16)|b1|\?|[dfgilqhbBHILQe])$/;
export const MAX_ITEM_SIZE = 16;

/** A numpy dtype made by the pickle from a constant numeric code. */
export const numericDtype = (v: Value | undefined): boolean => dtypeOfCode(v, NUMERIC_DTYPE);

/** A numpy array of plain numbers: `_reconstruct(ndarray, (0,), b'b')` with an ndarray state whose data is raw bytes. */
export function plainNumpyArray(v: Value | null): boolean {
  if (!v || v.k !== 'call' || v.callee.k !== 'global' || !NUMPY_RECONSTRUCT.has(v.callee.resolved) || v.args.k !== 'tuple') return false;
  const cls = v.args.items[0];
  if (!cls || cls.k !== 'global' || cls.resolved !== 'numpy.ndarray') return false;
  // ndarray.__setstate__((version, shape, dtype, is_fortran, rawdata)): an object array has a list as its data
  const s = v.state;
  if (!s || s.k !== 'tuple' || s.count !== 5 || s.items.length !== 5) return false;
  const [, shape, dtype, , raw] = s.items as [Value, Value, Value, Value, Value];
  return shape.k === 'tuple' && shape.items.every((x) => x.k === 'int') && numericDtype(dtype) && raw.k === 'bytes';
}

const FROMBUFFER: ReadonlySet<string> = new Set(['numpy.core.numeric._frombuffer', 'numpy._core.numeric._frombuffer']);

/**
 * A numpy array of plain numbers as protocol 5 writes one: `_frombuffer(buffer, dtype, shape, order)`,
 * `frombuffer(buffer, dtype).reshape(shape, order=order)` (a view of the bytes; an object dtype is
 * never written this way), with the buffer in band.
 */
export function plainNumpyBuffer(v: Value): boolean {
  if (v.k !== 'call' || v.callee.k !== 'global' || !FROMBUFFER.has(v.callee.resolved) || v.kwargs || v.state) return false;
  if (v.args.k !== 'tuple' || v.args.count !== 4 || v.args.items.length !== 4) return false;
  const [buffer, dtype, shape, order] = v.args.items as [Value, Value, Value, Value];
  return buffer.k === 'bytes' && numericDtype(dtype) && shape.k === 'tuple' && shape.count === shape.items.length && shape.items.every((x) => x.k === 'int') && order.k === 'str' && (order.v === 'C' || order.v === 'F');
}
