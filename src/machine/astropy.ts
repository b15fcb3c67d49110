/**
 * Reviewed guards for astropy's `Time` (docs/catalogue.md, "Reviewed guards: astropy's Time"),
 * read in astropy 5.2.1 (Debian 12, Python 3.11) and 7.0.1 (Debian 13, Python 3.13).
 *
 * `Time` pickles as NEWOBJ `Time.__new__(Time, self._time)` (`TimeBase.__getnewargs__`: the format
 * object, a TimeISOT, TimeJD... of astropy.time.formats) and a BUILD with its `__dict__` (7.0.1's
 * `__getstate__` drops the caches): `_time`, `_format`, `SCALES`, `location` (`_location` in 7.0.1),
 * sometimes `_delta_ut1_utc`, `_delta_tdb_tt`, `cache`. What loading runs:
 *
 * - `Time.__new__(cls, val, ...)`: `val.replicate(format, copy, cls)` when val is a Time (a copy
 *   through `_apply` on an object the pickle built), else `object.__new__(cls)`.
 * - BUILD: no class in the MRO (Time, TimeBase, ShapedLikeNDArray or MaskableShapedLikeNDArray,
 *   NDArrayShapeMethods) defines `__setstate__`, `__setattr__`, `__getattribute__` or `__del__`,
 *   so pickle updates `__dict__` with a dict state. First it asks the object for `__setstate__`,
 *   which reaches `TimeBase.__getattr__`: `attr in self.SCALES and self.scale is not None` (then a
 *   scale conversion: `replicate()` and `_set_scale(attr)`, whose leap-second check may download
 *   the IERS table and write astropy's cache: the catalogue's sink), else `attr in self.FORMATS`
 *   (then `to_value(attr)`), else `attr in TIME_SCALES` (a ScaleValueError), else
 *   `self.__getattribute__(attr)`, the AttributeError pickle wants. SCALES and FORMATS are class
 *   attributes an earlier BUILD of the same object may shadow in `__dict__`, and so may
 *   `__getattribute__`: a state that puts `'__setstate__'` among the SCALES makes the next BUILD of
 *   the object convert scales (checked with both generations' Python: it reaches
 *   `update_leap_seconds`). APPENDS and ADDITEMS ask for `extend`, `append`, `add` the same way.
 * - `__hash__` (a dict key or set member) reads `location`, `jd1`, `jd2`, `scale` through the
 *   objects in the state, and `__eq__` (keys whose hashes meet) converts the other operand with
 *   `Time(other, scale=self.scale)`: the leap-second check again. Judged where a pickle makes a Time
 *   a key (catalogue KEY_JUDGED). `__setitem__` is judged where the pickle calls it (SETITEM).
 *
 * The guards admit: NEWOBJ (or `copyreg.__newobj__`) of Time with one argument, an object of a
 * format class catalogued in astropy.time.formats (never a Time), and no keywords; a BUILD state that
 * is a dict whose keys are all kept, constant and not dunder names, without `FORMATS`, and whose
 * `SCALES`, if any, is a tuple of constant scale names. With that, `__getattr__` answers every name
 * the unpickler asks for with the AttributeError of `object.__getattribute__` and calls nothing.
 */
import { lookupCatalogue } from '../names/catalogue';
import type { Limits } from '../limits';
import type { CostFinding } from './costs';
import { classOf, type Value } from './values';

/** The class, as the catalogue names it. */
export const ASTROPY_TIME = 'astropy.time.core.Time';

/** astropy's time scales (`TIME_SCALES`, `TIME_DELTA_SCALES`), the same in both versions. */
const SCALES: ReadonlySet<string> = new Set(['tai', 'tcb', 'tcg', 'tdb', 'tt', 'ut1', 'utc', 'local']);

function refuse(why: string): CostFinding {
  return { rule: 'DENIED_GLOBAL/unsafe-call', args: { why: `astropy's Time is admitted with the shape astropy writes; ${why}` } };
}

const emptyKwargs = (kw: Value | undefined) => !kw || (kw.k === 'dict' && kw.count === 0);

/** An object of a format class of astropy.time.formats (TimeISOT, TimeJD...): what `__getnewargs__` gives. */
function timeFormat(v: Value | undefined): boolean {
  const cls = v ? classOf(v) : null;
  if (!cls) return false;
  // by the catalogue's own name: astropy.time.formats re-exports Time itself
  const e = lookupCatalogue(cls.module, cls.name);
  return e !== undefined && e.kind === 'class' && e.name.startsWith('astropy.time.formats.');
}

/** `Time.__new__(Time, val)`: NEWOBJ, copyreg.__newobj__, a call (which the catalogue judges as well). */
export function timeNewGuard(args: readonly Value[], _limits: Limits, kwargs?: Value): CostFinding | null {
  if (!emptyKwargs(kwargs)) return refuse('its constructor gets keywords');
  if (args.length !== 1 || !timeFormat(args[0])) return refuse('its constructor gets other than one time format object (a Time there is copied through its methods)');
  return null;
}

/** BUILD on a Time: a dict into `__dict__`, with nothing that changes what `__getattr__` does. */
export function timeStateGuard(state: Value): CostFinding | null {
  if (state.k !== 'dict') return refuse('only a dict state is stored without running anything, and this one is not');
  if (state.count !== state.entries.length) return refuse('the state has more items than are kept for checking');
  for (const [key, value] of state.entries) {
    if (key.k !== 'str' || key.v === null) return refuse('the state has a key that is not a constant string');
    const k = key.v;
    if (k.startsWith('__') && k.endsWith('__')) return refuse(`the state sets ${k}, which TimeBase.__getattr__ or pickle would look up on the object`);
    if (k === 'FORMATS') return refuse('the state sets FORMATS, which TimeBase.__getattr__ looks names up in');
    if (k === 'SCALES') {
      if (value.k !== 'tuple' || value.count !== value.items.length || !value.items.every((x) => x.k === 'str' && x.v !== null && SCALES.has(x.v))) {
        return refuse('its SCALES is not a tuple of time scale names (TimeBase.__getattr__ converts the time to any name listed there, which may update the leap-second table)');
      }
    }
  }
  return null;
}
