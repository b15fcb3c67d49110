/**
 * Plain data: values with no methods of their own (None, bools, numbers, strings, bytes, and
 * containers of those), for the reviewed guards that admit a state only when it holds nothing an
 * object could run code from (costs.ts and the library guards beside it).
 */
import type { Value } from './values';

/**
 * Plain data, at most `depth` containers deep: nothing in it has methods of its own. Items past those
 * kept are plain when their container holds nothing hot (no global or object at any depth; `hotKnown`
 * is false once a container got one after it was stored, when that mark may be stale).
 */
export function isPlainData(v: Value, depth: number, hotKnown: boolean): boolean {
  switch (v.k) {
    case 'none':
    case 'bool':
    case 'int':
    case 'float':
    case 'str':
    case 'bytes':
      return true;
    case 'tuple':
    case 'list':
    case 'set':
      if (v.count !== v.items.length && (!hotKnown || v.h)) return false;
      return depth > 0 && v.items.every((x) => isPlainData(x, depth - 1, hotKnown));
    case 'dict':
      if (v.count !== v.entries.length && (!hotKnown || v.h)) return false;
      return depth > 0 && v.entries.every(([k, x]) => isPlainData(k, depth - 1, hotKnown) && isPlainData(x, depth - 1, hotKnown));
    default:
      return false;
  }
}
