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

function numeric(n: number, shown: () => string, b: Bound): string | null {
  if (b.finite && !Number.isFinite(n)) return `is ${shown()}; it must be a finite number`;
  if (b.min !== undefined && !(n >= b.min)) return `is ${shown()}; it must be at least ${b.min}`;
  if (b.max !== undefined && !(n <= b.max)) return `is ${shown()}; it must be at most ${b.max}`;
  if (b.exclusiveMin !== undefined && !(n > b.exclusiveMin)) return `is ${shown()}; it must be greater than ${b.exclusiveMin}`;
  if (b.exclusiveMax !== undefined && !(n < b.exclusiveMax)) return `is ${shown()}; it must be less than ${b.exclusiveMax}`;
  return null;
}

export function checkBound(v: Value, b: Bound): string | null {
  // rendered only for a problem: most values are within their bounds
  let text: string | undefined;
  const shown = (): string => (text ??= renderValue(v));
  const t = jsonType(v);
  if (t === 'non-constant' || (t === 'ndarray' && !b.types?.includes('ndarray'))) {
    return `is ${shown()}, not a plain constant (the server would run that call to get the value)`;
  }
  if (b.types) {
    const ok = b.types.some((want) => want === t || (want === 'number' && t === 'integer'));
    if (!ok) return `is ${shown()} (${t}); the policy allows ${b.types.join(' or ')}`;
  }
  if (t === 'ndarray') {
    const nd = ndarrayInfo(v);
    const hasLimits = b.finite || b.min !== undefined || b.max !== undefined || b.exclusiveMin !== undefined || b.exclusiveMax !== undefined || b.oneOf !== undefined;
    if (!hasLimits) return null;
    if (nd?.value === undefined) return `is an NDArray whose header does not show one number (shape ${nd?.shape ? `(${nd.shape.join(', ')})` : 'unreadable'}), so its bounds cannot be checked`;
    if (b.oneOf && !b.oneOf.includes(nd.value)) return `is an NDArray holding ${nd.value}; the policy allows only ${b.oneOf.map((x) => JSON.stringify(x)).join(', ')}`;
    return numeric(nd.value, () => `an NDArray holding ${nd.value}`, b);
  }
  if (b.oneOf && !b.oneOf.some((x) => (x === null && t === 'null') || (v.k !== 'none' && 'v' in v && v.v === x))) {
    return `is ${shown()}; the policy allows only ${b.oneOf.map((x) => JSON.stringify(x)).join(', ')}`;
  }
  if (v.k === 'int' || v.k === 'float') return numeric(v.v === null ? NaN : Number(v.v), shown, b);
  return null;
}
