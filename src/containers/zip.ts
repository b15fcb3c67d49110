/**
 * A strict zip reader over a random-access source: it reads the end records, the central
 * directory and one local header per member, never the whole file. It reads what PyTorch's and
 * Python's readers read (central directory entry -> local header -> data) and reports every
 * disagreement between the two copies of a member's metadata as an anomaly.
 * APPNOTE.TXT 6.3 is the reference for the record layouts.
 */
import { readBytes, type ByteSource } from '../pickle/source';
import { sizeOf } from './io/sources';
import { anomaly, type Anomaly } from './anomaly';

const hex32 = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const SIG_DESCRIPTOR = 0x08074b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;

export const FLAG_ENCRYPTED = 0x1;
export const FLAG_DATA_DESCRIPTOR = 0x8;
export const FLAG_PATCHED = 0x20;
export const FLAG_STRONG_ENCRYPTION = 0x40;
const FLAG_UTF8 = 0x800;

export const METHOD_STORED = 0;
export const METHOD_DEFLATED = 8;

export interface ZipEntry {
  index: number;
  name: string;
  nameBytes: Uint8Array;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  /** Absolute offset of the local header in the source (prefix shift applied). */
  localOffset: number;
  /** Absolute offset of the member's data, once the local header was read; null when it could not be. */
  dataStart: number | null;
  /** End of the member's bytes including any data descriptor. */
  end: number | null;
  /** True when the content cannot be read (encrypted, unsupported method, bad local header). */
  unreadable: boolean;
}

export interface ZipDirectory {
  entries: ZipEntry[];
  anomalies: Anomaly[];
  /** Offset of the first member's local header: bytes before it are a prefix (polyglot). */
  firstLocal: number;
  cdStart: number;
  zip64: boolean;
  /** Number of entries the end record declares (may exceed entries.length when capped). */
  declaredEntries: number;
}

const u16 = (b: Uint8Array, o: number) => b[o] | (b[o + 1] << 8);
const u32 = (b: Uint8Array, o: number) => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
const u64 = (b: Uint8Array, o: number) => u32(b, o) + u32(b, o + 4) * 2 ** 32;

/** Offset of the end-of-central-directory record, searching the last 64 KiB + 22 bytes; -1 if none. */
export function findEocd(source: ByteSource): { pos: number; tail: Uint8Array; tailStart: number } | null {
  const size = sizeOf(source);
  const tailLen = Math.min(size, EOCD_SIZE + MAX_COMMENT);
  const tailStart = size - tailLen;
  const tail = readBytes(source, tailStart, tailLen);
  let fallback = -1;
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (u32(tail, i) !== SIG_EOCD) continue;
    if (i + EOCD_SIZE + u16(tail, i + 20) === tail.length) return { pos: tailStart + i, tail, tailStart };
    if (fallback < 0) fallback = i;
  }
  return fallback >= 0 ? { pos: tailStart + fallback, tail, tailStart } : null;
}

function decodeName(bytes: Uint8Array, flags: number): string {
  // CP437 names are decoded as latin1: exact for ASCII, which is all real checkpoints use.
  return Buffer.from(bytes).toString(flags & FLAG_UTF8 ? 'utf8' : 'latin1');
}

/** Zip64 extended information (extra field 0x0001): only the fields whose 32-bit value is saturated are present. */
function applyZip64Extra(extra: Uint8Array, e: { size: number; compressedSize: number; localOffset: number }, wantLocal: boolean): boolean {
  let p = 0;
  while (p + 4 <= extra.length) {
    const id = u16(extra, p);
    const len = u16(extra, p + 2);
    if (id === 0x0001) {
      let q = p + 4;
      const end = Math.min(p + 4 + len, extra.length);
      if (e.size === 0xffffffff && q + 8 <= end) (e.size = u64(extra, q)), (q += 8);
      if (e.compressedSize === 0xffffffff && q + 8 <= end) (e.compressedSize = u64(extra, q)), (q += 8);
      if (wantLocal && e.localOffset === 0xffffffff && q + 8 <= end) (e.localOffset = u64(extra, q)), (q += 8);
      return true;
    }
    p += 4 + len;
  }
  return false;
}

/** Read the end records and the central directory. Returns null when the source is not a readable zip. */
export function readZipDirectory(source: ByteSource, maxEntries: number): ZipDirectory | { error: string } {
  const found = findEocd(source);
  const size = sizeOf(source);
  if (!found) return { error: 'no end-of-central-directory record' };
  const anomalies: Anomaly[] = [];
  const { pos: eocdPos, tail, tailStart } = found;
  const e = tail.subarray(eocdPos - tailStart);
  const commentLen = u16(e, 20);
  if (eocdPos + EOCD_SIZE + commentLen !== size) {
    anomalies.push(anomaly('CONTAINER_ANOMALY/zip-trailing-bytes', { bytes: size - eocdPos - EOCD_SIZE - commentLen }, eocdPos));
  }
  if (u16(e, 4) !== 0 || u16(e, 6) !== 0) anomalies.push(anomaly('CONTAINER_ANOMALY/zip-multi-disk', {}, eocdPos));
  let total = u16(e, 10);
  let cdSize = u32(e, 12);
  let cdOffset = u32(e, 16);
  let cdEnd = eocdPos;
  let zip64 = false;

  // A zip64 end record is located by the locator just before the classic end record.
  if (eocdPos >= 20) {
    const loc = readBytes(source, eocdPos - 20, 20);
    if (u32(loc, 0) === SIG_EOCD64_LOCATOR) {
      zip64 = true;
      const declared = u64(loc, 8);
      // Fixed-size record directly before the locator; its declared offset may be shifted by a prefix.
      const candidates = [eocdPos - 20 - 56, declared];
      let rec: Uint8Array | null = null;
      let recPos = -1;
      for (const c of candidates) {
        if (c < 0 || c + 56 > size) continue;
        const r = readBytes(source, c, 56);
        if (u32(r, 0) === SIG_EOCD64) {
          rec = r;
          recPos = c;
          break;
        }
      }
      if (!rec) return { error: 'zip64 end-of-central-directory record not found' };
      if (recPos !== declared) anomalies.push(anomaly('CONTAINER_ANOMALY/zip64-locator', { at: recPos, declared }, recPos));
      total = u64(rec, 32);
      cdSize = u64(rec, 40);
      cdOffset = u64(rec, 48);
      cdEnd = recPos;
    }
  }
  if (!zip64 && (total === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff)) {
    anomalies.push(anomaly('CONTAINER_ANOMALY/zip64-locator', { at: eocdPos, declared: null }, eocdPos));
  }
  const shift = cdEnd - cdSize - cdOffset;
  if (shift < 0) return { error: 'central directory extends past the end records' };
  if (shift > 0) anomalies.push(anomaly('CONTAINER_ANOMALY/zip-shifted', { bytes: shift }, 0));
  const cdStart = cdOffset + shift;
  const cd = readBytes(source, cdStart, cdSize);
  if (cd.length < cdSize) return { error: 'truncated central directory' };

  const entries: ZipEntry[] = [];
  let p = 0;
  while (p + 46 <= cd.length && u32(cd, p) === SIG_CENTRAL) {
    if (entries.length >= maxEntries) break;
    const flags = u16(cd, p + 8);
    const nameLen = u16(cd, p + 28);
    const extraLen = u16(cd, p + 30);
    const commentLen2 = u16(cd, p + 32);
    if (p + 46 + nameLen + extraLen + commentLen2 > cd.length) {
      anomalies.push(anomaly('CONTAINER_ANOMALY/zip-directory-overrun', {}, cdStart + p));
      break;
    }
    const nameBytes = cd.slice(p + 46, p + 46 + nameLen);
    const entry = { size: u32(cd, p + 24), compressedSize: u32(cd, p + 20), localOffset: u32(cd, p + 42) };
    applyZip64Extra(cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen), entry, true);
    entries.push({
      index: entries.length,
      name: decodeName(nameBytes, flags),
      nameBytes,
      flags,
      method: u16(cd, p + 10),
      crc32: u32(cd, p + 16),
      compressedSize: entry.compressedSize,
      size: entry.size,
      localOffset: entry.localOffset + shift,
      dataStart: null,
      end: null,
      unreadable: false,
    });
    p += 46 + nameLen + extraLen + commentLen2;
  }
  if (entries.length < maxEntries && (p !== cd.length || entries.length !== total)) {
    anomalies.push(anomaly('CONTAINER_ANOMALY/zip-entry-count', { entries: entries.length, bytes: p, declared: total, declaredBytes: cd.length }, cdStart));
  }
  const firstLocal = entries.length ? Math.min(...entries.map((x) => x.localOffset)) : cdStart;
  return { entries, anomalies, firstLocal, cdStart, zip64, declaredEntries: total };
}

/**
 * Read every member's local header, check it against the central directory and the member's
 * data descriptor, and check that members neither overlap nor run into the central directory.
 */
export function checkLocalHeaders(source: ByteSource, dir: ZipDirectory): void {
  const size = sizeOf(source);
  const { entries, anomalies } = dir;
  const seen = new Map<string, number>();
  for (const e of entries) {
    const m = e.name;
    if (seen.has(m)) anomalies.push(anomaly('CONTAINER_ANOMALY/zip-duplicate-name', { name: m, first: seen.get(m)!, second: e.index }, e.localOffset, m));
    else seen.set(m, e.index);
    // Flagged members are still read: loaders such as PyTorch's ignore these bits (CVE-2025-1944/1945).
    if (e.flags & FLAG_ENCRYPTED) anomalies.push(anomaly('CONTAINER_ANOMALY/zip-encryption-flag', {}, e.localOffset, m));
    if (e.flags & FLAG_PATCHED) anomalies.push(anomaly('CONTAINER_ANOMALY/zip-patched-flag', {}, e.localOffset, m));
    if (e.flags & FLAG_STRONG_ENCRYPTION) anomalies.push(anomaly('CONTAINER_ANOMALY/zip-strong-encryption-flag', {}, e.localOffset, m));
    if (e.method !== METHOD_STORED && e.method !== METHOD_DEFLATED) {
      e.unreadable = true;
      anomalies.push(anomaly('CONTAINER_ANOMALY/zip-method', { method: e.method }, e.localOffset, m));
    }
    const h = readBytes(source, e.localOffset, 30);
    if (h.length < 30 || u32(h, 0) !== SIG_LOCAL) {
      e.unreadable = true;
      anomalies.push(anomaly('CONTAINER_ANOMALY/zip-no-local-header', {}, e.localOffset, m));
      continue;
    }
    const lflags = u16(h, 6);
    const lmethod = u16(h, 8);
    const nameLen = u16(h, 26);
    const extraLen = u16(h, 28);
    const rest = readBytes(source, e.localOffset + 30, nameLen + extraLen);
    const lname = rest.subarray(0, nameLen);
    if (!Buffer.from(lname).equals(Buffer.from(e.nameBytes))) {
      anomalies.push(anomaly('CONTAINER_ANOMALY/zip-local-header', { field: 'name', local: JSON.stringify(decodeName(lname, lflags)), central: JSON.stringify(m) }, e.localOffset, m));
    }
    if ((lflags & (FLAG_ENCRYPTED | FLAG_DATA_DESCRIPTOR)) !== (e.flags & (FLAG_ENCRYPTED | FLAG_DATA_DESCRIPTOR))) {
      anomalies.push(anomaly('CONTAINER_ANOMALY/zip-local-header', { field: 'flags', local: `0x${lflags.toString(16)}`, central: `0x${e.flags.toString(16)}` }, e.localOffset, m));
    }
    if (lmethod !== e.method) anomalies.push(anomaly('CONTAINER_ANOMALY/zip-local-header', { field: 'method', local: String(lmethod), central: String(e.method) }, e.localOffset, m));
    const local = { crc: u32(h, 14), compressedSize: u32(h, 18), size: u32(h, 22), localOffset: 0 };
    applyZip64Extra(rest.subarray(nameLen), local, false);
    if (!(lflags & FLAG_DATA_DESCRIPTOR)) {
      if (local.crc !== e.crc32) anomalies.push(anomaly('CONTAINER_ANOMALY/zip-local-header', { field: 'CRC-32', local: hex32(local.crc), central: hex32(e.crc32) }, e.localOffset, m));
      if (local.compressedSize !== e.compressedSize || local.size !== e.size) {
        anomalies.push(anomaly('CONTAINER_ANOMALY/zip-local-header', { field: 'sizes', local: `${local.compressedSize}/${local.size}`, central: `${e.compressedSize}/${e.size}` }, e.localOffset, m));
      }
    }
    e.dataStart = e.localOffset + 30 + nameLen + extraLen;
    e.end = e.dataStart + e.compressedSize;
    if (e.flags & FLAG_DATA_DESCRIPTOR) checkDescriptor(source, e, dir);
    if (e.end > dir.cdStart) {
      anomalies.push(anomaly('CONTAINER_ANOMALY/zip-member-overrun', {}, e.localOffset, m));
      e.unreadable ||= e.dataStart + e.compressedSize > size;
    }
  }
  const spans = entries.filter((e) => e.end !== null).sort((a, b) => a.localOffset - b.localOffset);
  for (let i = 1; i < spans.length; i++) {
    const prev = spans[i - 1];
    if (spans[i].localOffset < (prev.end as number)) {
      anomalies.push(anomaly('CONTAINER_ANOMALY/zip-member-overlap', { other: prev.name }, spans[i].localOffset, spans[i].name));
    }
  }
}

function checkDescriptor(source: ByteSource, e: ZipEntry, dir: ZipDirectory): void {
  const at = e.dataStart! + e.compressedSize;
  const d = readBytes(source, at, 24);
  let q = u32(d, 0) === SIG_DESCRIPTOR ? 4 : 0;
  const crc = u32(d, q);
  q += 4;
  // Sizes are 8 bytes each in zip64 archives when the member needs them; accept either width.
  const c4 = u32(d, q);
  const s4 = u32(d, q + 4);
  const c8 = u64(d, q);
  const s8 = u64(d, q + 8);
  let len = q + 8;
  if (d.length >= q + 8 && c4 === e.compressedSize % 2 ** 32 && s4 === e.size % 2 ** 32 && e.compressedSize < 2 ** 32 && e.size < 2 ** 32) len = q + 8;
  else if (d.length >= q + 16 && c8 === e.compressedSize && s8 === e.size) len = q + 16;
  else {
    dir.anomalies.push(anomaly('CONTAINER_ANOMALY/zip-data-descriptor', { what: 'sizes' }, at, e.name));
  }
  if (d.length < q + 4 || crc !== e.crc32) dir.anomalies.push(anomaly('CONTAINER_ANOMALY/zip-data-descriptor', { what: 'CRC-32' }, at, e.name));
  e.end = at + len;
}
