/**
 * MXNet NDArray state objects in `.states` pickles: `NDArray.__reduce__` gives
 * `(NDArray, (None,), {'handle': bytearray})`, the bytearray being `NDArray::Save` output. Only its
 * header is read here (never the data, except one element of a one-element array), from the bytes
 * the symbolic machine kept as a constant (the first bytes of the handle, which hold the header).
 *
 * Layout (src/ndarray/ndarray.cc `NDArray::Save`, little-endian):
 *   u32 magic        0xF993FAC8 (V1: no storage type), 0xF993FAC9 (V2), 0xF993FACA (V3, numpy shape semantics)
 *   i32 stype        V2/V3: 0 default, 1 row_sparse, 2 csr
 *   [storage shape]  sparse only: i32 ndim + ndim x i64
 *   i32 ndim, ndim x i64 dims   (TShape::Save; V2 ndim 0 = empty array and the record ends; V3 ndim -1 = unknown)
 *   i32 dev_type, i32 dev_id    (Context::Save)
 *   i32 type_flag    0 f32, 1 f64, 2 f16, 3 u8, 4 i32, 5 i8, 6 i64, 7 bool
 *   [aux types and shapes]      sparse only
 *   data
 */
import { classOf, type Value } from '../../machine/values';

export const NDARRAY_CLASSES = new Set(['mxnet.ndarray.ndarray.NDArray', 'mxnet.ndarray.sparse.RowSparseNDArray', 'mxnet.ndarray.sparse.CSRNDArray', 'mxnet.numpy.multiarray.ndarray']);

export { classOf };

export function isNdarray(v: Value): boolean {
  const cls = classOf(v);
  return cls !== null && NDARRAY_CLASSES.has(cls.resolved);
}

const MAGIC_V1 = 0xf993fac8;
const MAGIC_V2 = 0xf993fac9;
const MAGIC_V3 = 0xf993faca;
const DTYPES: Record<number, string> = { 0: 'float32', 1: 'float64', 2: 'float16', 3: 'uint8', 4: 'int32', 5: 'int8', 6: 'int64', 7: 'bool', 12: 'bfloat16' };

export interface NdInfo {
  /** Dimensions, or null when the header is not readable (or the shape is unknown). */
  shape: number[] | null;
  /** Storage type when not dense. */
  stype?: 'row_sparse' | 'csr';
  dtype?: string;
  /** The element of a dense one-element array (f32, f64, integers), decoded from the constant bytes. */
  value?: number;
}

/** The `handle` bytes of an NDArray object value (any protocol), or null. */
export function ndarrayHandle(v: Value): Uint8Array | null {
  if (v.k !== 'call' || !v.state || v.state.k !== 'dict') return null;
  const handle = v.state.entries.find(([k]) => k.k === 'str' && k.v === 'handle')?.[1];
  if (!handle || handle.k !== 'bytes') return null;
  return handle.data ?? handle.head;
}

export function parseNdarray(b: Uint8Array): NdInfo {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = 0;
  const i32 = (): number | null => {
    if (p + 4 > b.length) return null;
    const x = dv.getInt32(p, true);
    p += 4;
    return x;
  };
  const shape = (): number[] | null | 'unknown' => {
    const ndim = i32();
    if (ndim === null) return null;
    if (ndim === -1) return 'unknown';
    if (ndim < 0 || ndim > 32 || p + ndim * 8 > b.length) return null;
    const dims: number[] = [];
    for (let i = 0; i < ndim; i++, p += 8) {
      const d = dv.getBigInt64(p, true);
      if (d < -1n || d > BigInt(Number.MAX_SAFE_INTEGER)) return null;
      dims.push(Number(d));
    }
    return dims;
  };
  const fail: NdInfo = { shape: null };
  const magic = i32();
  if (magic === null) return fail;
  const m = magic >>> 0;
  if (m !== MAGIC_V1 && m !== MAGIC_V2 && m !== MAGIC_V3) return fail;
  let stype = 0;
  if (m !== MAGIC_V1) {
    const s = i32();
    if (s === null || s < 0 || s > 2) return fail;
    stype = s;
    if (stype !== 0 && !Array.isArray(shape())) return fail; // storage shape
  }
  const dims = shape();
  if (dims === null || dims === 'unknown') return fail;
  const info: NdInfo = { shape: dims };
  if (stype === 1) info.stype = 'row_sparse';
  if (stype === 2) info.stype = 'csr';
  if (dims.length === 0 && m !== MAGIC_V3) return info; // an empty (none) array: nothing follows
  if (i32() === null || i32() === null) return info; // context
  const flag = i32();
  if (flag === null) return info;
  info.dtype = DTYPES[flag] ?? `type_flag ${flag}`;
  const size = dims.reduce((a, d) => a * d, 1);
  if (stype === 0 && size === 1) {
    const width = { 0: 4, 1: 8, 3: 1, 4: 4, 5: 1, 6: 8 }[flag];
    if (width !== undefined && p + width <= b.length) {
      info.value =
        flag === 0 ? dv.getFloat32(p, true)
        : flag === 1 ? dv.getFloat64(p, true)
        : flag === 3 ? dv.getUint8(p)
        : flag === 4 ? dv.getInt32(p, true)
        : flag === 5 ? dv.getInt8(p)
        : Number(dv.getBigInt64(p, true));
    }
  }
  return info;
}

/** NDArray info for an NDArray object value, or null when the value is not one. */
export function ndarrayInfo(v: Value): NdInfo | null {
  if (!isNdarray(v)) return null;
  const b = ndarrayHandle(v);
  return b ? parseNdarray(b) : { shape: null };
}
