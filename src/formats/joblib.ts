/**
 * joblib writes each numpy array's raw bytes straight into the pickle stream, right after the BUILD of
 * its `NumpyArrayWrapper`, and reads them back at that point (NumpyUnpickler.load_build). To keep
 * reading the stream we step over them exactly as joblib reads them: an alignment byte and padding
 * (when the wrapper carries `numpy_array_alignment_bytes`), then shape × itemsize bytes; or, for
 * object arrays, one whole nested pickle.
 */
import type { HookFactory, MachineHook, StreamAction } from '../machine/hooks';
import { originGlobal, type CallValue, type Value } from '../machine/values';

export const JOBLIB_WRAPPERS: ReadonlySet<string> = new Set([
  'joblib.numpy_pickle.NumpyArrayWrapper',
  'sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper',
]);


function dictGet(d: Value | undefined, key: string): Value | undefined {
  if (!d || d.k !== 'dict') return undefined;
  for (const [k, v] of d.entries) if (k.k === 'str' && k.v === key) return v;
  return undefined;
}

function toNumber(v: Value | undefined): number | null {
  if (!v || v.k !== 'int' || v.v === null) return null;
  const n = Number(v.v);
  return Number.isSafeInteger(n) ? n : null;
}

/** NPY_ITEM_HASOBJECT in a dtype's pickled flags: the dtype holds Python objects (then joblib pickles the array). */
const NPY_ITEM_HASOBJECT = 0x01;

/**
 * itemsize and hasobject of a symbolic `numpy.dtype(spec, align, copy)` with its BUILD state, as numpy
 * computes them: the state `(version, endian, subdescr, names, fields, elsize, alignment, flags)` gives
 * the element size of structured and record dtypes (scikit-learn tree nodes, KDTree data) and whether
 * any field holds objects.
 */
function dtypeInfo(dtype: Value | undefined): { itemsize: number; hasobject: boolean } | null {
  if (!dtype || dtype.k !== 'call' || dtype.args.k !== 'tuple') return null;
  const spec = dtype.args.items[0];
  if (!spec || spec.k !== 'str' || spec.v === null) return null;
  const m = /^([a-zA-Z?])(\d*)$/.exec(spec.v);
  if (!m) return null;
  const kind = m[1]!;
  if (kind === 'O') return { itemsize: 8, hasobject: true };
  const state = dtype.state;
  if (state && state.k === 'tuple' && state.count === 8) {
    const flags = toNumber(state.items[7]);
    if (flags !== null && flags & NPY_ITEM_HASOBJECT) return { itemsize: 8, hasobject: true };
    const elsize = toNumber(state.items[5]);
    if (elsize !== null && elsize > 0) return { itemsize: elsize, hasobject: false };
    if (state.items[3] && state.items[3].k !== 'none') return null; // structured without a usable size
  }
  const n = m[2] ? Number(m[2]) : kind === '?' || kind === 'b' || kind === 'B' ? 1 : NaN;
  if (!Number.isFinite(n) || n <= 0) return null;
  if (kind === 'U') return { itemsize: 4 * n, hasobject: false };
  return { itemsize: n, hasobject: false };
}

/** How the bytes after a NumpyArrayWrapper's BUILD are laid out. */
export function joblibArrayLayout(wrapper: CallValue): StreamAction {
  const state = wrapper.state;
  if (!state || state.k !== 'dict') return { kind: 'unknown-size', why: 'the NumpyArrayWrapper state is not a dict' };
  const info = dtypeInfo(dictGet(state, 'dtype'));
  if (!info) return { kind: 'unknown-size', why: 'the NumpyArrayWrapper dtype cannot be determined statically' };
  if (info.hasobject) return { kind: 'pickle' };
  const shape = dictGet(state, 'shape');
  if (!shape || shape.k !== 'tuple' || shape.count !== shape.items.length) return { kind: 'unknown-size', why: 'the NumpyArrayWrapper shape is not a tuple of ints' };
  let count = 1;
  for (const d of shape.items) {
    const n = toNumber(d);
    if (n === null || n < 0) return { kind: 'unknown-size', why: 'the NumpyArrayWrapper shape is not a tuple of ints' };
    count *= n;
  }
  const bytes = count * info.itemsize;
  if (!Number.isSafeInteger(bytes)) return { kind: 'unknown-size', why: 'the NumpyArrayWrapper declares an impossible size' };
  const align = dictGet(state, 'numpy_array_alignment_bytes');
  return { kind: 'skip', aligned: align !== undefined && align.k !== 'none', bytes };
}

/** After the BUILD of a joblib NumpyArrayWrapper, the array's bytes follow in the stream. */
const JOBLIB_HOOK: MachineHook = {
  build(_r, inst) {
    if (inst.k !== 'call') return;
    const origin = originGlobal(inst);
    return origin && JOBLIB_WRAPPERS.has(origin.resolved) ? joblibArrayLayout(inst) : undefined;
  },
};

export const joblibHook: HookFactory = () => JOBLIB_HOOK;
