/**
 * Objects whose `__hash__` and `__eq__` the catalogue judged (KEY_JUDGED in
 * src/names/catalogue/judge.ts: their verdict is `methodVerdicts.__hash__`), made a dict key or a set
 * member by the pickle: SETITEM(S), ADDITEMS, FROZENSET and DICT (ops/containers.ts), or the
 * builders that hash what they are given, `set()`, `frozenset()`, `dict()`, `OrderedDict()`,
 * `Counter()` (costs.ts). Python hashes every key it inserts, and compares keys whose hashes meet.
 */
import type { CallVerdict } from '../names/catalogue/verdict';
import { classOf, isHot, type Value } from './values';

/** What a key or member is judged by: the class whose __hash__ runs, and its verdict. */
interface HashedKey {
  readonly cls: string;
  readonly verdict: CallVerdict;
}

/** Builders that hash the keys or members they are given. */
const KEY_BUILDERS: ReadonlySet<string> = new Set(['builtins.set', 'builtins.frozenset', 'builtins.dict', 'collections.OrderedDict', 'collections.Counter', 'collections.defaultdict']);

const MAX_DEPTH = 16;
/** Values looked at for one key before the answer is yes (fail closed): a key too big to walk. */
const MAX_VISITS = 100_000;
const TOO_BIG: HashedKey = { cls: 'a key too large to walk', verdict: { gadget: true, reason: 'a key or member holds more than the scanner walks, and may hold an object whose __hash__ and __eq__ are judged' } };

/**
 * An object whose class judges __hash__, anywhere in `v`: hashing a tuple or frozenset hashes its
 * items, and an object built from one may hash or compare it. Items a container only counts were not
 * hot when they came (it keeps every hot one), so hold no object; a value that is not hot holds none.
 */
function found(v: Value, depth: number, budget: { left: number }): HashedKey | null {
  if (!isHot(v)) return null;
  if (depth > MAX_DEPTH || --budget.left < 0) return TOO_BIG;
  switch (v.k) {
    case 'tuple':
    case 'list':
    case 'set':
      for (const x of v.items) {
        const f = found(x, depth + 1, budget);
        if (f) return f;
      }
      return null;
    case 'dict':
      for (const [k, x] of v.entries) {
        const f = found(k, depth + 1, budget) ?? found(x, depth + 1, budget);
        if (f) return f;
      }
      return null;
    case 'call': {
      const cls = classOf(v);
      const verdict = cls?.methodVerdicts?.__hash__;
      if (verdict) return { cls: cls!.resolved, verdict };
      return found(v.args, depth + 1, budget) ?? (v.kwargs !== undefined ? found(v.kwargs, depth + 1, budget) : null);
    }
    default:
      return null;
  }
}

/** The first key among `keys[from..to)` (every `step`-th) that is or holds an object whose class judges __hash__. */
export function hashedKey(keys: readonly Value[], from: number, to: number, step: number): HashedKey | null {
  for (let i = from; i < to; i += step) {
    const f = found(keys[i]!, 0, { left: MAX_VISITS });
    if (f) return f;
  }
  return null;
}

/**
 * A call of a KEY_BUILDERS builder whose keys or members are or hold such an object. For a dict-like
 * builder given pairs, their first items are the keys; anything else it is given (a call's result)
 * is judged whole.
 */
export function builtKey(builder: string, args: Value): HashedKey | null {
  if (!KEY_BUILDERS.has(builder) || args.k !== 'tuple') return null;
  // defaultdict(factory, items): the items are the second argument
  const a = args.items[builder === 'collections.defaultdict' ? 1 : 0];
  if (!a) return null;
  const dictLike = builder !== 'builtins.set' && builder !== 'builtins.frozenset';
  if (a.k === 'dict') return hashedKey(a.entries.map(([k]) => k), 0, a.entries.length, 1);
  if ((a.k === 'list' || a.k === 'tuple' || a.k === 'set') && dictLike) {
    const keys = a.items.map((p) => ((p.k === 'tuple' || p.k === 'list') && p.items.length > 0 ? p.items[0]! : p));
    return hashedKey(keys, 0, keys.length, 1);
  }
  return hashedKey([a], 0, 1, 1);
}
