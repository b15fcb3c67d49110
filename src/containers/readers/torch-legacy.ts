/**
 * Legacy (pre-1.6, or `_use_new_zipfile_serialization=False`) `torch.save` files, at any pickle
 * protocol: five pickles back to back (magic number, protocol version, sys_info, the object, the
 * sorted storage keys), then for each key the raw storage: numel as a little-endian int64 followed
 * by numel * element_size bytes (torch/serialization.py `_legacy_save`). torch.load unpickles only
 * the five; this checks that what follows them is exactly that storage layout, so nothing else
 * hides in the tail. The tail is read positionally (8 bytes per storage), never loaded.
 */
import { findPickleStart } from '../../pickle/sniff';
import { readOps } from '../../pickle';
import { readBytes, type ByteSource } from '../../pickle/source';
import { SNIFF_BYTES } from '../detect';
import { TailSource, sizeOf } from '../io/sources';
import type { StreamReader } from '../reader';
import { pickleReader } from './pickle';

/** torch.serialization.MAGIC_NUMBER = 0x1950a86a20f9469cfc6c, as LONG1's little-endian bytes. */
const MAGIC_LE = [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
const MAGIC_DECIMAL = '119547037146038801333356';

/**
 * Is the first pickle exactly the magic number? `pickle.dump(MAGIC_NUMBER, f, protocol=p)`:
 * PROTO p (2+), FRAME (4+), LONG1 with the 10 bytes, STOP; protocols 0 and 1 write `L<decimal>L\n.`.
 */
export function isLegacyTorchMagic(b: Uint8Array): boolean {
  let i = 0;
  if (b[i] === 0x80) {
    if (b.length < 2 || b[1]! < 2 || b[1]! > 5) return false;
    i = 2;
    if (b[i] === 0x95) i += 9; // FRAME + 8-byte length
  }
  if (b[i] === 0x8a && b[i + 1] === 10) {
    for (let k = 0; k < 10; k++) if (b[i + 2 + k] !== MAGIC_LE[k]) return false;
    return b[i + 12] === 0x2e;
  }
  const text = `L${MAGIC_DECIMAL}L\n.`;
  if (i !== 0 || b.length < text.length) return false;
  for (let k = 0; k < text.length; k++) if (b[k] !== text.charCodeAt(k)) return false;
  return true;
}

/** Number of string constants in the keys pickle (each key is one string); null when it cannot be read. */
export function countKeys(bytes: Uint8Array): number | null {
  let n = 0;
  try {
    for (const op of readOps(bytes, { firstPickleOnly: true })) {
      if (typeof op.arg === 'string' && op.name !== 'GLOBAL' && op.name !== 'INST') n++;
    }
  } catch {
    return null;
  }
  return n;
}

const ELEMENT_SIZES = [4, 8, 2, 1, 16];
const MAX_STEPS = 200_000;
/** Largest keys pickle read to count the keys. */
const MAX_KEYS_PICKLE = 64 * 1024 * 1024;

/**
 * True when bytes [start, end) of `src` are exactly `keys` storage records for some choice of
 * element sizes (1, 2, 4, 8, 16 bytes); null when the search gave up. Positions are visited in
 * increasing order (each record's numel read once), so a decoded stream is read forward only.
 */
export function storageTailMatches(src: ByteSource, start: number, end: number, keys: number): boolean | null {
  // reachable (position → record indices that can start there), explored in increasing position
  const frontier = new Map<number, Set<number>>([[start, new Set([0])]]);
  const numelBuf = new Uint8Array(8);
  let steps = 0;
  while (frontier.size > 0) {
    let pos = Infinity;
    for (const p of frontier.keys()) if (p < pos) pos = p;
    const indices = frontier.get(pos)!;
    frontier.delete(pos);
    if (pos === end && indices.has(keys)) return true;
    if (pos + 8 > end) continue;
    if (++steps > MAX_STEPS) return null;
    if (src.read(pos, numelBuf, 0, 8) < 8) return false;
    const numel = Number(new DataView(numelBuf.buffer).getBigUint64(0, true));
    for (const i of indices) {
      if (i >= keys) continue;
      for (const size of ELEMENT_SIZES) {
        const next = pos + 8 + numel * size;
        if (next > end - 8 * (keys - i - 1)) continue;
        let set = frontier.get(next);
        if (!set) frontier.set(next, (set = new Set()));
        set.add(i + 1);
      }
    }
    if (frontier.size > MAX_STEPS) return null;
  }
  return keys === 0 ? start === end : false;
}

export const torchLegacyReader: StreamReader = {
  format: 'torch-legacy',
  kind: 'pickle',
  detect: (p) => isLegacyTorchMagic(p.head),
  read(src, v) {
    const report = v.pickle(src, { stopAfter: 5 });
    if (!report) return;
    const complete = report.pickles.filter((p) => p.complete);
    if (complete.length < 5) {
      v.add('CONTAINER_ANOMALY/legacy-torch-pickles', { complete: complete.length }, null);
      return;
    }
    const keys = complete[4]!;
    const size = sizeOf(src);
    const nKeys = keys.end - keys.start <= MAX_KEYS_PICKLE ? countKeys(readBytes(src, keys.start, keys.end - keys.start)) : null;
    const ok = nKeys === null ? null : storageTailMatches(src, keys.end, size, nKeys);
    if (ok === true) return;
    v.add('CONTAINER_ANOMALY/legacy-torch-tail', { bytes: size - keys.end, matched: ok, keys: nKeys }, keys.end);
    // Whatever hides there: the first place that reads as a protocol 2+ pickle is scanned as one.
    const at = findTailPickle(src, keys.end, size);
    if (at >= 0) v.member('<storage tail>', new TailSource(src, at), tailPickleReader(at));
  },
};

/** The first offset at or after `from` that reads as a protocol 2+ pickle, searching window by window. */
function findTailPickle(src: ByteSource, from: number, size: number): number {
  const WINDOW = 4 * 1024 * 1024;
  let candidates = 10_000;
  for (let at = from; at < size; at += WINDOW) {
    const chunk = readBytes(src, at, Math.min(WINDOW + SNIFF_BYTES, size - at));
    const hit = findPickleStart(chunk, 0, { protocol0: false, sniff: SNIFF_BYTES, maxCandidates: candidates });
    if (hit >= 0 && hit < WINDOW) return at + hit;
    candidates -= 1000;
    if (candidates <= 0 || chunk.length <= WINDOW) return -1;
  }
  return -1;
}

/** The storage tail is scanned as a pickle with offsets of the file. */
function tailPickleReader(at: number): StreamReader {
  return { ...pickleReader, read: (src, v) => void v.pickle(src, { baseOffset: at }) };
}
