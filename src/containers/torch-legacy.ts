/**
 * Legacy (pre-1.6) `torch.save` files: five pickles back to back (magic number, protocol version,
 * sys_info, the object, the sorted storage keys), then for each key the raw storage:
 * numel as a little-endian int64 followed by numel * element_size bytes
 * (torch/serialization.py `_legacy_save`). torch.load unpickles only the five; this checks that
 * what follows them is exactly that storage layout, so nothing else hides in the tail.
 */
import { readOps } from '../pickle';

/** Number of string constants in the keys pickle (each key is one string). */
export function countKeys(bytes: Uint8Array, start: number, end: number): number | null {
  let n = 0;
  try {
    for (const op of readOps(bytes, { start, end, firstPickleOnly: true })) {
      if (typeof op.arg === 'string' && op.name !== 'GLOBAL' && op.name !== 'INST') n++;
    }
  } catch {
    return null;
  }
  return n;
}

const ELEMENT_SIZES = [4, 8, 2, 1, 16];
const MAX_STEPS = 200_000;

/**
 * True when bytes [start, end) are exactly `keys` storage records for some choice of element
 * sizes (1, 2, 4, 8, 16 bytes); null when the search gave up.
 */
export function storageTailMatches(bytes: Uint8Array, start: number, end: number, keys: number): boolean | null {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const failed = new Set<string>();
  let steps = 0;
  const walk = (i: number, pos: number): boolean | null => {
    if (i === keys) return pos === end;
    if (pos + 8 > end) return false;
    const key = `${i}:${pos}`;
    if (failed.has(key)) return false;
    if (++steps > MAX_STEPS) return null;
    const numel = Number(dv.getBigUint64(pos, true));
    for (const size of ELEMENT_SIZES) {
      const next = pos + 8 + numel * size;
      if (next > end - 8 * (keys - i - 1)) continue;
      const r = walk(i + 1, next);
      if (r !== false) return r;
    }
    failed.add(key);
    return false;
  };
  return walk(0, start);
}
