/** One hyperparameter against one bound: a sentence saying what is wrong, or null when it is fine. */
import { renderValue } from '../../machine/render';
import type { Value } from '../../machine/values';
import type { Bound } from '../../policy/schema';
import { isNdarray, ndarrayInfo } from './ndarray';

function jsonType(v: Value): string {
  switch (v.k) {
    case 'none': return 'null';
    case 'bool': return 'boolean';
    case 'int': return 'integer';
    case 'float': return 'number';
    case 'str': return 'string';
    case 'dict': return 'object';
    case 'tuple': case 'list': return 'array';
    default: return isNdarray(v) ? 'ndarray' : 'non-constant';
  }
}

/** What is wrong with number `n` under bound `b`, or null; `v` is rendered only for a problem (an NDArray's value when `v` is null). */
function numeric(n: number, v: Value | null, b: Bound): string | null {
  let problem: string;
  if (b.finite && !Number.isFinite(n)) problem = 'it must be a finite number';
  else if (b.min !== undefined && !(n >= b.min)) problem = `it must be at least ${b.min}`;
  else if (b.max !== undefined && !(n <= b.max)) problem = `it must be at most ${b.max}`;
  else if (b.exclusiveMin !== undefined && !(n > b.exclusiveMin)) problem = `it must be greater than ${b.exclusiveMin}`;
  else if (b.exclusiveMax !== undefined && !(n < b.exclusiveMax)) problem = `it must be less than ${b.exclusiveMax}`;
  else return null;
  return `is ${v === null ? `an NDArray holding ${n}` : renderValue(v)}; ${problem}`;
}

/** Is JSON type `t` one of the bound's types (an integer is a number too)? No closure per check: this runs for every bounded key. */
function typeAllowed(types: readonly string[], t: string): boolean {
  for (let i = 0; i < types.length; i++) {
    const want = types[i];
    if (want === t || (want === 'number' && t === 'integer')) return true;
  }
  return false;
}

export function checkBound(v: Value, b: Bound): string | null {
  // rendered only for a problem: most values are within their bounds
  const t = jsonType(v);
  if (t === 'non-constant' || (t === 'ndarray' && !b.types?.includes('ndarray'))) {
    return `is ${renderValue(v)}, not a plain constant (the server would run that call to get the value)`;
  }
  if (b.types && !typeAllowed(b.types, t)) return `is ${renderValue(v)} (${t}); the policy allows ${b.types.join(' or ')}`;
  if (t === 'ndarray') {
    const nd = ndarrayInfo(v);
    const hasLimits = b.finite || b.min !== undefined || b.max !== undefined || b.exclusiveMin !== undefined || b.exclusiveMax !== undefined || b.oneOf !== undefined;
    if (!hasLimits) return null;
    if (nd?.value === undefined) return `is an NDArray whose header does not show one number (shape ${nd?.shape ? `(${nd.shape.join(', ')})` : 'unreadable'}), so its bounds cannot be checked`;
    if (b.oneOf && !b.oneOf.includes(nd.value)) return `is an NDArray holding ${nd.value}; the policy allows only ${b.oneOf.map((x) => JSON.stringify(x)).join(', ')}`;
    return numeric(nd.value, null, b);
  }
  if (b.oneOf && !b.oneOf.some((x) => (x === null && t === 'null') || (v.k !== 'none' && 'v' in v && v.v === x))) {
    return `is ${renderValue(v)}; the policy allows only ${b.oneOf.map((x) => JSON.stringify(x)).join(', ')}`;
  }
  if (v.k === 'int' || v.k === 'float') return numeric(v.v === null ? NaN : Number(v.v), v, b);
  return null;
}
