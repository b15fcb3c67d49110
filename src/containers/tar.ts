/**
 * A tar reader (v7, ustar, GNU long names, pax extended headers) over a random-access source:
 * it reads the 512-byte headers only and hands back where each regular file's data lies.
 */
import { readBytes, type ByteSource } from '../pickle/source';
import { anomaly, type Anomaly } from './anomaly';
import { isTarHeader } from './detect';

export interface TarEntry {
  name: string;
  /** Offset of the data in the source. */
  offset: number;
  size: number;
}

export interface TarListing {
  entries: TarEntry[];
  anomalies: Anomaly[];
  /** True when maxEntries stopped the listing. */
  capped: boolean;
}

const BLOCK = 512;

function cstring(b: Uint8Array, start: number, len: number): string {
  const field = b.subarray(start, start + len);
  const nul = field.indexOf(0);
  return Buffer.from(nul < 0 ? field : field.subarray(0, nul)).toString('utf8');
}

/** Numeric field: octal text, or GNU base-256 when the high bit of the first byte is set. */
function numeric(b: Uint8Array, start: number, len: number): number | null {
  if (b[start] & 0x80) {
    let v = b[start] & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + b[start + i];
    return v;
  }
  const text = cstring(b, start, len).trim();
  if (text === '') return 0;
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : null;
}

/** pax records: "<len> <key>=<value>\n". */
function parsePax(data: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  const text = Buffer.from(data).toString('utf8');
  let p = 0;
  while (p < text.length) {
    const sp = text.indexOf(' ', p);
    if (sp < 0) break;
    const len = parseInt(text.slice(p, sp), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const rec = text.slice(sp + 1, p + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    p += len;
  }
  return out;
}

export function listTar(source: ByteSource, maxEntries: number): TarListing {
  const entries: TarEntry[] = [];
  const anomalies: Anomaly[] = [];
  let pos = 0;
  let longName: string | null = null;
  let pax = new Map<string, string>();
  let globalPax = new Map<string, string>();
  const known = source.size;
  for (;;) {
    const h = readBytes(source, pos, BLOCK);
    if (h.length < BLOCK) {
      if (h.length > 0) anomalies.push(anomaly('CONTAINER_ANOMALY/tar-truncated-header', {}, pos));
      else anomalies.push(anomaly('CONTAINER_ANOMALY/tar-no-end-blocks', {}, pos));
      return { entries, anomalies, capped: false };
    }
    if (h.every((x) => x === 0)) {
      const rest = readBytes(source, pos, 64 * 1024);
      if (rest.some((x) => x !== 0)) anomalies.push(anomaly('CONTAINER_ANOMALY/tar-trailing-data', {}, pos));
      return { entries, anomalies, capped: false };
    }
    if (!isTarHeader(h)) {
      anomalies.push(anomaly('CONTAINER_ANOMALY/tar-checksum', {}, pos));
      return { entries, anomalies, capped: false };
    }
    let size = numeric(h, 124, 12);
    if (size === null) {
      anomalies.push(anomaly('CONTAINER_ANOMALY/tar-size-field', {}, pos));
      return { entries, anomalies, capped: false };
    }
    const type = String.fromCharCode(h[156] || 0x30);
    const magic = cstring(h, 257, 6);
    let name = cstring(h, 0, 100);
    if (magic.startsWith('ustar')) {
      const prefix = cstring(h, 345, 155);
      if (prefix && magic === 'ustar') name = `${prefix}/${name}`;
    }
    const merged = new Map([...globalPax, ...pax]);
    if (merged.has('size')) size = Number(merged.get('size'));
    if (longName !== null) name = longName;
    if (merged.has('path')) name = merged.get('path') as string;
    const dataStart = pos + BLOCK;
    const next = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    // the member's bytes available (a stream of unknown size is probed at the member's last byte)
    const avail = known !== undefined ? Math.max(0, Math.min(size, known - dataStart)) : size === 0 || readBytes(source, dataStart + size - 1, 1).length === 1 ? size : availableFrom(source, dataStart, size);
    if (avail < size) anomalies.push(anomaly('CONTAINER_ANOMALY/tar-truncated-member', { name }, pos, name));
    const readData = () => readBytes(source, dataStart, Math.min(size as number, 1 << 20));
    if (type === 'x') pax = parsePax(readData());
    else if (type === 'g') globalPax = new Map([...globalPax, ...parsePax(readData())]);
    else if (type === 'L') longName = cstring(readData(), 0, size);
    else if (type === 'K') {
      /* long link name: not needed */
    } else {
      if (type === 'S') anomalies.push(anomaly('CONTAINER_ANOMALY/tar-sparse-member', {}, pos, name));
      else if (type === '0' || type === '7' || !'123456'.includes(type)) {
        if (entries.length >= maxEntries) return { entries, anomalies, capped: true };
        entries.push({ name, offset: dataStart, size: avail });
      }
      pax = new Map();
      longName = null;
    }
    pos = next;
  }
}

/** Bytes of [start, start + size) a source has (it ends inside). */
function availableFrom(source: ByteSource, start: number, size: number): number {
  const buf = new Uint8Array(1 << 20);
  let got = 0;
  while (got < size) {
    const n = source.read(start + got, buf, 0, Math.min(buf.length, size - got));
    if (n === 0) break;
    got += n;
  }
  return got;
}
