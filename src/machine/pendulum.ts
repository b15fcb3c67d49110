/**
 * pendulum's reviewed guards (docs/catalogue.md, "Reviewed guards: pendulum's time zones and
 * intervals"). Read in pendulum 2.1.2 with pytzdata (Debian 12, Python 3.11) and pendulum 3.0.0 on
 * the standard library's zoneinfo (Debian 13, Python 3.13).
 *
 * Time zones are read from zone files by name, and the name comes from the pickle:
 *
 * - 2.1.2 pickles a named zone as `Timezone(name)` (tzinfo's `__reduce__` with `__getinitargs__`)
 *   plus a BUILD of its `__dict__`: `__init__` calls `pytzdata.tz_path(name)`, which strips leading
 *   slashes, refuses a `..` segment and joins the rest under /usr/share/zoneinfo, then opens and
 *   parses that file as TZif (anything else raises). A fixed offset is `FixedTimezone(offset, name)`
 *   plus a BUILD of `_name`, `_offset`, `_utcoffset`.
 * - 3.0.0's Timezone is a `zoneinfo.ZoneInfo` subclass pickled as `Timezone._unpickle(key,
 *   from_cache)`, zoneinfo's C classmethod: it calls `Timezone(key)` (or loads without the cache),
 *   whose `__new__` only wraps `ZoneInfo.__new__`; zoneinfo's `_validate_tzfile_path` refuses
 *   absolute keys, keys that normalize to another length (`a/../b`) and keys outside TZPATH before
 *   any file is opened (the tzdata fallback imports only `tzdata.zoneinfo.*` packages).
 *
 * So a name with path parts cannot leave the zone directory in either version; the guards only make
 * sure the name is a constant str (an object there would have its own `lstrip`, `__fspath__` or
 * `__hash__` run) and that a BUILD sets nothing but the attributes pendulum writes (an instance
 * attribute `utcoffset` would shadow the method that datetime arithmetic calls).
 *
 * Interval (3.0.0) and Period (2.1.2) pickle as `Interval(start, end, absolute)`: a call, whose
 * `__init__` the catalogue judged a gadget because, for a start or end that is a plain datetime,
 * `pendulum.instance()` may look the local time zone up (a readlink of /etc/localtime). With
 * pendulum's own DateTime or Date objects, `__new__` and `__init__` read their fields, compare them,
 * ask their tzinfo for its UTC offset and subtract (precise_diff, in C or Python, does the same): no
 * time zone is looked up and none of the methods the unpickler judges (add, append, extend,
 * __setitem__) is called on them. Such a call is vouched for; the objects are kept in the interval and
 * judged where it is handed on (like a list built from them).
 */
import type { CostFinding } from './cost-finding';
import { noKeywords } from './guarded-call';
import { classOf, type GlobalValue, type Value } from './values';

export const TIMEZONE = 'pendulum.tz.timezone.Timezone';
export const FIXED_TIMEZONE = 'pendulum.tz.timezone.FixedTimezone';
/** pendulum 2's transition table of a named zone (its BUILD state holds a list of these). */
export const TRANSITION = 'pendulum.tz.zoneinfo.transition.Transition';
export const TRANSITION_TYPE = 'pendulum.tz.zoneinfo.transition_type.TransitionType';
/** zoneinfo's `_unpickle` read off pendulum 3's Timezone (a protocol 4 dotted name or getattr). */
export const TIMEZONE_UNPICKLE = 'pendulum.tz.timezone.Timezone._unpickle';
const DATETIME = 'pendulum.datetime.DateTime';
const DATE = 'pendulum.date.Date';

/** Interval (3.0.0) and Period (2.1.2): they keep the start and end they are given and call none of the judged methods on them. */
export const KEEPERS: ReadonlySet<string> = new Set(['pendulum.interval.Interval', 'pendulum.period.Period']);

const refuse = (what: string, why: string): CostFinding => ({ rule: 'DENIED_GLOBAL/unsafe-call', args: { why: `${what}; ${why}` } });

const isConstStr = (v: Value | undefined): boolean => v?.k === 'str' && v.v !== null && !v.v.includes('\0');
const isFlag = (v: Value | undefined): boolean => v?.k === 'bool' || v?.k === 'int';

/** `datetime.timedelta(days, seconds, microseconds)` as datetime pickles it. */
function isTimedelta(v: Value): boolean {
  return v.k === 'call' && v.callee.k === 'global' && v.callee.resolved === 'datetime.timedelta' && !v.state && !v.kwargs && v.args.k === 'tuple' && v.args.count === v.args.items.length && v.args.count <= 3 && v.args.items.every((x) => x.k === 'int');
}

/**
 * A BUILD of a dict state under constant keys among `allowed`, each value passing its check: the
 * instance __dict__ update pickle does for a class without __setstate__.
 */
function attributesOnly(what: string, allowed: Readonly<Record<string, (v: Value) => boolean>>) {
  return (state: Value): CostFinding | null => {
    if (state.k !== 'dict' || state.count !== state.entries.length) return refuse(what, 'this state is not a dict kept whole');
    for (const [k, v] of state.entries) {
      const check = k.k === 'str' && k.v !== null && Object.hasOwn(allowed, k.v) ? allowed[k.v] : undefined;
      if (!check) return refuse(what, `the state sets an attribute pendulum does not write (${k.k === 'str' ? JSON.stringify(k.v) : 'a key made by a call'}), which could shadow a method`);
      if (!check(v)) return refuse(what, `its ${(k as Value & { v: string }).v} is not what pendulum writes there`);
    }
    return null;
  };
}

/** An object the pickle built of a class whose BUILD the guards here check (so its attributes are pendulum's). */
const isGuarded = (v: Value, name: string) => v.k === 'call' && classOf(v)?.guardedSetstate === name;
const isInt = (v: Value) => v.k === 'int';

/** Timezone._hint: {True: None or (stamp, index), False: ...}, the lookup cache pendulum 2 keeps. */
function isHint(v: Value): boolean {
  if (v.k !== 'dict' || v.count !== v.entries.length || v.count > 2) return false;
  return v.entries.every(([k, x]) => k.k === 'bool' && (x.k === 'none' || (x.k === 'tuple' && x.count === 2 && x.items.length === 2 && x.items.every(isInt))));
}

export const PENDULUM_SETSTATE_GUARDS: ReadonlyMap<string, (state: Value) => CostFinding | null> = new Map([
  [
    TIMEZONE,
    attributesOnly("pendulum's Timezone is admitted with the attributes pendulum 2 writes", {
      _name: isConstStr,
      _transitions: (v) => v.k === 'list' && v.count === v.items.length && v.items.every((x) => isGuarded(x, TRANSITION)),
      _hint: isHint,
    }),
  ],
  [
    TRANSITION,
    attributesOnly("pendulum 2's zone transitions are admitted with the attributes pendulum writes", {
      _at: isInt,
      _local: isInt,
      _to: isInt,
      _to_utc: isInt,
      _fix: isInt,
      _ttype: (v) => isGuarded(v, TRANSITION_TYPE),
      _previous: (v) => v.k === 'none' || isGuarded(v, TRANSITION),
      _utcoffset: isTimedelta,
    }),
  ],
  [
    TRANSITION_TYPE,
    attributesOnly("pendulum 2's transition types are admitted with the attributes pendulum writes", {
      _offset: isInt,
      _is_dst: (v) => v.k === 'bool',
      _abbr: isConstStr,
      _utcoffset: isTimedelta,
    }),
  ],
  [
    FIXED_TIMEZONE,
    attributesOnly("pendulum's FixedTimezone is admitted with the attributes pendulum writes", {
      _name: (v) => v.k === 'none' || isConstStr(v),
      _offset: (v) => v.k === 'int',
      _utcoffset: isTimedelta,
    }),
  ],
]);

const noArguments = (what: string) => (args: readonly Value[], kwargs: Value | undefined) =>
  args.length === 0 && noKeywords(kwargs) ? null : refuse(what, 'pendulum pickles it without arguments (NEWOBJ, then a BUILD)');

/** Timezone(name[, extended]) and FixedTimezone(offset[, name]): the arguments pendulum writes; transitions take none. */
export const PENDULUM_CALL_GUARDS: ReadonlyMap<string, (args: readonly Value[], kwargs: Value | undefined) => CostFinding | null> = new Map([
  [TRANSITION, noArguments("pendulum 2's Transition(at, ttype, previous) reads its arguments' attributes")],
  [TRANSITION_TYPE, noArguments("pendulum 2's TransitionType(offset, is_dst, abbr) does arithmetic on its offset")],
  [
    TIMEZONE,
    (args: readonly Value[], kwargs: Value | undefined) =>
      !kwargs && args.length <= 2 && (args.length === 0 || isConstStr(args[0])) && (args.length < 2 || args[1]!.k === 'bool')
        ? null
        : refuse("pendulum's Timezone(name) reads the zone file of that name", 'it is admitted with a constant str name (and a bool) only'),
  ],
  [
    FIXED_TIMEZONE,
    (args: readonly Value[], kwargs: Value | undefined) =>
      !kwargs && args.length <= 2 && (args.length === 0 || args[0]!.k === 'int') && (args.length < 2 || args[1]!.k === 'none' || isConstStr(args[1]))
        ? null
        : refuse("pendulum's FixedTimezone(offset, name) does arithmetic on its offset", 'it is admitted with an int offset and a str name or None only'),
  ],
]);

/** `Timezone._unpickle(key, from_cache)`: a constant str key and a flag. */
export function timezoneUnpickleGuard(args: readonly Value[]): CostFinding | null {
  return args.length === 2 && isConstStr(args[0]) && isFlag(args[1])
    ? null
    : refuse("pendulum 3's Timezone._unpickle(key, from_cache) loads the zone file of that key", 'it is admitted with a constant str key and an int or bool only');
}

// ---- Interval and Period ------------------------------------------------------------------------

/**
 * A zone pendulum writes as a datetime's tzinfo: None, Timezone._unpickle(key, flag) (3.0.0), a
 * Timezone (2.1.2: its transition table, every object of which had its BUILD checked) or a
 * FixedTimezone object. Their utcoffset reads that table or the stored timedelta.
 */
function isPendulumZone(v: Value): boolean {
  if (v.k === 'none') return true;
  if (v.k !== 'call' || v.kwargs) return false;
  if (v.callee.k === 'global' && v.callee.resolved === TIMEZONE_UNPICKLE) return !v.state && v.args.k === 'tuple' && timezoneUnpickleGuard(v.args.items) === null;
  // their arguments and their BUILD are checked by the guards above wherever they run
  return isGuarded(v, FIXED_TIMEZONE) || isGuarded(v, TIMEZONE);
}

/** pendulum's DateTime(y, m, d, H, M, S, us, tzinfo) or Date(bytes) as it pickles them, with no BUILD. */
function isPendulumEndpoint(v: Value): boolean {
  if (v.k !== 'call' || v.callee.k !== 'global' || v.state !== undefined || v.kwargs || v.args.k !== 'tuple' || v.args.count !== v.args.items.length) return false;
  const items = v.args.items;
  if (v.callee.resolved === DATE) return (items.length === 1 && items[0]!.k === 'bytes') || (items.length === 3 && items.every((x) => x.k === 'int'));
  if (v.callee.resolved === DATETIME) return items.length === 8 && items.slice(0, 7).every((x) => x.k === 'int') && isPendulumZone(items[7]!);
  return false;
}

/**
 * Is this a call of Interval or Period (as pendulum spells them) with pendulum's own DateTime or Date
 * objects and a bool, as pendulum pickles them? Then its __init__ reaches no time-zone lookup.
 */
export function vouchedCall(callee: GlobalValue, args: Value, kwargs: Value | undefined): boolean {
  if (!KEEPERS.has(callee.resolved) || kwargs || args.k !== 'tuple' || args.count !== args.items.length) return false;
  const [start, end, absolute] = args.items;
  return (args.count === 2 || args.count === 3) && isPendulumEndpoint(start!) && isPendulumEndpoint(end!) && (absolute === undefined || absolute.k === 'bool');
}
