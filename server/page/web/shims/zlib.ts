/**
 * `node:zlib` in the browser bundle: only `crc32` (the zip reader's running CRC-32, same contract as
 * Node's zlib.crc32(data, value)). The deflate family is decoded by the pako backend installed with
 * setInflateBackend (../inflate.ts); Node's own inflate paths are never reached, and fail loudly if they are.
 */
const TABLE = new Int32Array(256 * 4);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLE[n] = c;
}
for (let n = 0; n < 256; n++) {
  for (let t = 1; t < 4; t++) TABLE[t * 256 + n] = (TABLE[(t - 1) * 256 + n]! >>> 8) ^ TABLE[TABLE[(t - 1) * 256 + n]! & 0xff]!;
}

/** CRC-32 (IEEE) of `data`, continuing from `value` (the CRC of what came before). */
export function crc32(data: Uint8Array | string, value = 0): number {
  const b = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  let c = ~value;
  let i = 0;
  const n4 = b.length - (b.length & 3);
  for (; i < n4; i += 4) {
    c ^= b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
    c = TABLE[768 + (c & 0xff)]! ^ TABLE[512 + ((c >>> 8) & 0xff)]! ^ TABLE[256 + ((c >>> 16) & 0xff)]! ^ TABLE[c >>> 24]!;
  }
  for (; i < b.length; i++) c = TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

function unavailable(name: string): never {
  throw new Error(`zlib.${name} is not available in the browser (the pako inflate backend should be installed)`);
}

export const constants = { Z_SYNC_FLUSH: 2 };
export const gunzipSync = (): never => unavailable('gunzipSync');
export const inflateSync = (): never => unavailable('inflateSync');
export const inflateRawSync = (): never => unavailable('inflateRawSync');
export const createGunzip = (): never => unavailable('createGunzip');
export const createInflate = (): never => unavailable('createInflate');
export const createInflateRaw = (): never => unavailable('createInflateRaw');
