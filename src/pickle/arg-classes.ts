/**
 * How each opcode's argument is laid out, precomputed per opcode byte from the opcode table so the
 * reader's hot loop switches on small integers.
 */
import { OPCODE_BY_CODE } from './opcodes';

// Argument classes, precomputed per opcode byte so the hot loop switches on a small integer.
export const A_NONE = 0;
export const A_FIXED = 1; // fixed-width little-endian integer (or float8)
export const A_LEN = 2; // length-prefixed payload
export const A_LINE = 3; // one newline-terminated line
export const A_LINE2 = 4; // two lines (GLOBAL, INST)

export const ARG_CLASS = new Uint8Array(256);
export const ARG_WIDTH = new Uint8Array(256); // fixed width, or width of the length prefix
export const ARG_SIGNED = new Uint8Array(256); // 1 when the fixed value / length prefix is signed (int4, string4, long4)
/** 1 for bytes payloads (BINBYTES, SHORT_BINBYTES, BINBYTES8, BYTEARRAY8): never decoded, read only up to HEAD_BYTES. */
export const ARG_BYTES = new Uint8Array(256);
for (const info of OPCODE_BY_CODE) {
  if (!info) continue;
  const c = info.code;
  switch (info.arg) {
    case null: ARG_CLASS[c] = A_NONE; break;
    case 'uint1': ARG_CLASS[c] = A_FIXED; ARG_WIDTH[c] = 1; break;
    case 'uint2': ARG_CLASS[c] = A_FIXED; ARG_WIDTH[c] = 2; break;
    case 'int4': ARG_CLASS[c] = A_FIXED; ARG_WIDTH[c] = 4; ARG_SIGNED[c] = 1; break;
    case 'uint4': ARG_CLASS[c] = A_FIXED; ARG_WIDTH[c] = 4; break;
    case 'uint8': ARG_CLASS[c] = A_FIXED; ARG_WIDTH[c] = 8; break;
    case 'float8': ARG_CLASS[c] = A_FIXED; ARG_WIDTH[c] = 8; break;
    case 'long1': case 'string1': case 'unicodestring1':
      ARG_CLASS[c] = A_LEN; ARG_WIDTH[c] = 1; break;
    case 'bytes1':
      ARG_CLASS[c] = A_LEN; ARG_WIDTH[c] = 1; ARG_BYTES[c] = 1; break;
    case 'long4': case 'string4':
      ARG_CLASS[c] = A_LEN; ARG_WIDTH[c] = 4; ARG_SIGNED[c] = 1; break;
    case 'unicodestring4':
      ARG_CLASS[c] = A_LEN; ARG_WIDTH[c] = 4; break;
    case 'bytes4':
      ARG_CLASS[c] = A_LEN; ARG_WIDTH[c] = 4; ARG_BYTES[c] = 1; break;
    case 'unicodestring8':
      ARG_CLASS[c] = A_LEN; ARG_WIDTH[c] = 8; break;
    case 'bytes8': case 'bytearray8':
      ARG_CLASS[c] = A_LEN; ARG_WIDTH[c] = 8; ARG_BYTES[c] = 1; break;
    case 'stringnl_noescape_pair': ARG_CLASS[c] = A_LINE2; break;
    default: ARG_CLASS[c] = A_LINE; break;
  }
}

/** Bytes of a bytes payload that are read (for rendering, sniffing nested pickles, array headers); the rest is skipped by position. */
export const HEAD_BYTES = 4096;

/** An unsigned little-endian integer of `w` bytes (1, 2, 4 or 8) at `q`; values past 2^53 are Infinity. */
export function readUint(buf: Uint8Array, q: number, w: number): number {
  if (w === 1) return buf[q]!;
  if (w === 2) return buf[q]! | (buf[q + 1]! << 8);
  const lo = (buf[q]! | (buf[q + 1]! << 8) | (buf[q + 2]! << 16) | (buf[q + 3]! << 24)) >>> 0;
  if (w === 4) return lo;
  const hi = (buf[q + 4]! | (buf[q + 5]! << 8) | (buf[q + 6]! << 16) | (buf[q + 7]! << 24)) >>> 0;
  return hi > 0x1fffff ? Infinity : hi * 4294967296 + lo;
}

