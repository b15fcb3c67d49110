/**
 * A reviewed guard for Biopython's substitution matrices, `Bio.Align.substitution_matrices.Array`
 * (docs/catalogue.md, "Reviewed guards: Biopython's substitution matrices"). Read in Biopython 1.80
 * (Debian 12, Python 3.11) and 1.85 (Debian 13, Python 3.13); the two differ only in spelling
 * (`numpy` / `np`) and in methods the unpickler never runs.
 *
 * `Array` is a numpy ndarray subclass. Its `__reduce__` returns
 * `(Array.__new__, (Array, alphabet, dims, None, dtype), pickle.dumps(numpy.array(self)))`:
 * protocols 2 and 3 write the constructor as `getattr(Array, '__new__')`, protocol 4 and 5 as the
 * dotted name `Array.__new__`. What loading runs:
 *
 * - `Array.__new__(cls, alphabet=None, dims=None, data=None, dtype=float)`: with `data` None it
 *   checks that alphabet is a str or a tuple, takes `n = len(alphabet)`, checks dims is 1 or 2,
 *   makes `numpy.ndarray.__new__(cls, (n,) * dims, dtype)`, fills it with `obj[:] = 0.0` (its own
 *   `__setitem__`: `_convert_key` only looks strs up in the alphabet, then
 *   `ndarray.__setitem__`) and sets `obj._alphabet = alphabet` (no `__setattr__` in the MRO). A
 *   `data` that is not None is converted by numpy (its `__array__`, `__len__`, `__getitem__`... run)
 *   and a dict `data` is iterated: real pickles pass None. `dtype` goes to numpy, which would ask an
 *   object for its `dtype` attribute: real pickles pass a numpy dtype. The array holds n**dims items:
 *   a long alphabet is an allocation.
 * - BUILD: `Array.__setstate__(state)` is `self[:, :] = pickle.loads(state)`: the state is a whole
 *   pickle, run by the standard unpickler (the catalogue's sink, `_pickle.loads`). Real pickles hold
 *   `pickle.dumps(numpy.array(self))` there: a plain numeric ndarray.
 * - nothing else: no `__getattr__`, `__getattribute__`, `__setattr__`, `__del__`; `__hash__` is
 *   ndarray's None (an Array cannot be a dict key); `__array_finalize__` copies `_alphabet` with
 *   `getattr(obj, '_alphabet', None)` from the ndarray it is made from.
 *
 * The guard admits exactly that shape: `Array.__new__` called on Array itself with a constant
 * alphabet (a str, or a tuple of strs), dims 1 or 2, data None and a numeric numpy dtype, at most
 * `maxAllocation` bytes; a BUILD state that is bytes starting like a pickle (PROTO 2 to 5), which the
 * machine then runs as a nested pickle with the same policy (its findings are reported as any nested
 * pickle's), and whose result is a numpy array of plain numbers (`_reconstruct(ndarray, ...)` with
 * raw bytes as its data). Anything else is `DENIED_GLOBAL/unsafe-call`; so is a state the machine
 * cannot run (nested too deep, too large, or not kept).
 */
import type { Limits } from '../limits';
import type { CostFinding } from './cost-finding';
import { MAX_ITEM_SIZE, numericDtype, plainNumpyArray } from './numpy-numbers';
import type { Value } from './values';

/** The class, as the policy resolves it (and the catalogue names it). */
export const BIO_ARRAY = 'Bio.Align.substitution_matrices.Array';

function refuse(why: string): CostFinding {
  return { rule: 'DENIED_GLOBAL/unsafe-call', args: { why: `Bio.Align.substitution_matrices.Array is admitted with the shape Biopython writes; ${why}` } };
}

/**
 * `Array.__new__(Array, alphabet, dims, data, dtype)`, and `Array(...)`, NEWOBJ: the arguments after
 * the class.
 */
export function bioArrayNewGuard(args: readonly Value[], limits: Limits, kwargs?: Value): CostFinding | null {
  if (kwargs && !(kwargs.k === 'dict' && kwargs.count === 0)) return refuse('its constructor gets keywords');
  if (args.length !== 4) return refuse('its constructor gets other than (alphabet, dims, None, dtype)');
  const [alphabet, dims, data, dtype] = args as [Value, Value, Value, Value];
  let n: number;
  if (alphabet.k === 'str' && alphabet.v !== null) n = alphabet.v.length;
  else if (alphabet.k === 'tuple' && alphabet.count === alphabet.items.length && alphabet.items.every((x) => x.k === 'str' && x.v !== null)) n = alphabet.count;
  else return refuse('its alphabet is not a constant str or a tuple of constant strs');
  if (dims.k !== 'int' || dims.v === null || (Number(dims.v) !== 1 && Number(dims.v) !== 2)) return refuse('its dims is not 1 or 2');
  if (data.k !== 'none') return refuse('its data is not None (numpy would convert the object given)');
  if (!numericDtype(dtype)) return refuse('its dtype is not a numpy dtype of plain numbers');
  if (Math.pow(n, Number(dims.v)) * MAX_ITEM_SIZE > limits.maxAllocation) return refuse(`an alphabet of ${n} letters makes an array of more than ${limits.maxAllocation} bytes (maxAllocation)`);
  return null;
}

/**
 * BUILD on an Array: the state is the pickle `__setstate__` loads. `loads` runs it as a nested
 * pickle of this input (reporting what it finds) and returns its result, or null when it cannot.
 */
export function bioArrayStateGuard(state: Value, loads: (v: Value) => Value | null): CostFinding | null {
  if (state.k !== 'bytes') return refuse('its state is not bytes (a pickle of the values)');
  const head = state.data ?? state.head;
  if (head.length < 2 || head[0] !== 0x80 || head[1]! < 2 || head[1]! > 5) return refuse('its state does not start like a pickle of protocol 2 to 5');
  const result = loads(state);
  if (!result) return refuse('its state, a pickle that __setstate__ loads, could not be run by the scanner (nested too deep, too large, or it did not finish)');
  if (!plainNumpyArray(result)) return refuse('the pickle in its state does not give a numpy array of plain numbers');
  return null;
}
