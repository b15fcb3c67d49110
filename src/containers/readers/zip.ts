/**
 * Zip archives (PyTorch checkpoints, .npz, any zip): the directory and local headers are read and
 * cross-checked (zip.ts); each member that matters is walked from its bytes in place: stored
 * members as a slice of the file, deflated ones through a streaming inflate. The CRC-32 is computed
 * as the member is read, then checked once it has been read to its end.
 */
import { SliceSource, readBytes, type ByteSource } from '../../pickle/source';
import { SNIFF_BYTES } from '../detect';
import { CrcSource, sizeOf } from '../io/sources';
import { decodeFinding, type StreamReader, type Visit } from '../reader';
import { METHOD_STORED, checkLocalHeaders, readZipDirectory, type ZipEntry } from '../zip';

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;
const PK_SIGNATURES = [
  [0x50, 0x4b, 0x03, 0x04],
  [0x50, 0x4b, 0x05, 0x06],
  [0x50, 0x4b, 0x07, 0x08],
];

function readZip(src: ByteSource, v: Visit, scanPrefix: boolean): void {
  const dir = readZipDirectory(src, v.membersLeft() + 1);
  if ('error' in dir) {
    v.add('CONTAINER_ANOMALY/zip-unreadable', { why: dir.error }, null);
    return;
  }
  checkLocalHeaders(src, dir);
  const names = dir.entries.map((e) => e.name);
  if (names.some((n) => n === 'data.pkl' || n.endsWith('/data.pkl'))) v.setFormat('torch-zip');
  else if (names.length > 0 && names.every((n) => n.endsWith('.npy'))) v.setFormat('npz');
  for (const a of dir.anomalies) v.anomaly(a);
  const n = v.countMembers(Math.max(dir.entries.length, dir.declaredEntries));
  if (scanPrefix && dir.firstLocal > 0) {
    v.add('CONTAINER_ANOMALY/zip-prefix', { bytes: dir.firstLocal }, 0);
    v.member('<prefix>', new SliceSource(src, 0, dir.firstLocal));
  }
  const size = sizeOf(src);
  for (const e of dir.entries.slice(0, n)) {
    if (e.unreadable || e.dataStart === null || e.name.endsWith('/')) continue;
    readMember(src, v, e, size);
  }
}

function readMember(src: ByteSource, v: Visit, e: ZipEntry, size: number): void {
  const start = e.dataStart as number;
  const raw = new SliceSource(src, start, Math.max(0, Math.min(e.compressedSize, size - start)));
  if (e.method === METHOD_STORED) {
    if (!v.worthWalking(readBytes(raw, 0, SNIFF_BYTES), e.size, e.name)) return v.skip();
    if (e.compressedSize !== e.size) v.add('CONTAINER_ANOMALY/zip-stored-size', { compressed: e.compressedSize, size: e.size }, e.localOffset, e.name);
    const content = new CrcSource(raw);
    v.member(e.name, content);
    checkCrc(v, e, content.finish().crc);
    return;
  }
  const inflated = v.decode('deflate-raw', raw);
  try {
    if (!v.worthWalking(readBytes(inflated, 0, SNIFF_BYTES), e.size, e.name)) {
      inflated.refund();
      return v.skip();
    }
    // the sniff above was charged already: the declared size must fit in what is left plus that
    if (e.size > v.budgetLeft() + inflated.charged) {
      v.add('LIMIT_EXCEEDED/inflate-budget', { declared: e.size, budget: v.limits.maxInflatedBytes }, e.localOffset, e.name);
      return;
    }
    const content = new CrcSource(inflated);
    v.member(e.name, content);
    const { crc, size: got } = content.finish();
    if (inflated.error) return decodeFinding(v, inflated.error, 'cannot inflate member', e.localOffset, e.name);
    if (got !== e.size) v.add('CONTAINER_ANOMALY/zip-inflated-size', { bytes: got, declared: e.size }, e.localOffset, e.name);
    checkCrc(v, e, crc);
  } finally {
    inflated.close();
  }
}

function checkCrc(v: Visit, e: ZipEntry, crc: number): void {
  if (crc !== e.crc32) v.add('CONTAINER_ANOMALY/zip-crc', { crc: hex(crc), declared: hex(e.crc32) }, e.localOffset, e.name);
}

export const zipReader: StreamReader = {
  format: 'zip',
  kind: 'archive',
  detect: (p) => PK_SIGNATURES.some((sig) => sig.every((b, i) => p.head[i] === b)),
  read: (src, v) => readZip(src, v, true),
};

/** A zip found by its end record only (after a prefix, or appended to another format). */
export const zipByEndReader: StreamReader = {
  format: 'zip',
  kind: 'archive',
  detect: (p) => p.head[0] !== 0x50 && p.hasZipEnd(),
  read: (src, v) => readZip(src, v, true),
};

/** The zip at the end of a pickle/zip polyglot (the pickle in front is scanned on its own). */
export const zipReaderNoPrefix: StreamReader = { ...zipReader, read: (src, v) => readZip(src, v, false) };
