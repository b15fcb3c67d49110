/** Signature helpers shared by the format readers (detection itself is the registry's: registry.ts). */

/** Bytes of a stream's start that detection looks at. */
export const SNIFF_BYTES = 64 * 1024;

/** Is this a valid tar header block (checksum over the 512 bytes with the checksum field as spaces)? */
export function isTarHeader(b: Uint8Array, at = 0): boolean {
  if (b.length < at + 512) return false;
  let sum = 0;
  let allZero = true;
  for (let i = 0; i < 512; i++) {
    const v = i >= 148 && i < 156 ? 0x20 : b[at + i]!;
    if (b[at + i] !== 0) allZero = false;
    sum += v;
  }
  if (allZero) return false;
  const field = Buffer.from(b.subarray(at + 148, at + 156)).toString('latin1').replace(/[\0 ]+$/g, '').trim();
  if (!/^[0-7]+$/.test(field)) return false;
  return parseInt(field, 8) === sum;
}
