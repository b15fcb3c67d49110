/**
 * The registry of formats: every stream is detected by asking these readers in order (the first
 * whose `detect` says yes reads it). Adding a format is one module in readers/ and one line here.
 * Order matters: magic numbers first, the pickle sniff before the weak signatures (zip found by its
 * end record, lzma-alone, safetensors), and the catch-alls (text, data) last.
 */
import { bzip2Reader, gzipReader, joblibZlibReader, lz4Reader, lzmaReader, xzReader, zlibReader, zstdReader } from './readers/compressed';
import { npyReader } from './readers/npy';
import { dataReader, emptyReader, ggufReader, hdf5Reader, rarReader, safetensorsReader, sevenZipReader, textReader } from './readers/other';
import { pickleReader } from './readers/pickle';
import { tarReader } from './readers/tar';
import { torchLegacyReader } from './readers/torch-legacy';
import { zipByEndReader, zipReader } from './readers/zip';
import type { ByteSource } from '../pickle/source';
import { SNIFF_BYTES } from './detect';
import type { Format } from './formats';
import { sizeOf } from './io/sources';
import type { Probe, StreamReader } from './reader';
import { findEocd } from './zip';

export const READERS: readonly StreamReader[] = [
  emptyReader,
  sevenZipReader,
  rarReader,
  zstdReader,
  lz4Reader,
  zipReader,
  npyReader,
  gzipReader,
  bzip2Reader,
  xzReader,
  joblibZlibReader,
  zlibReader,
  torchLegacyReader,
  tarReader,
  hdf5Reader,
  ggufReader,
  pickleReader,
  zipByEndReader,
  lzmaReader,
  safetensorsReader,
  textReader,
  dataReader,
];

/** The reader for a stream. */
export function detectReader(probe: Probe): StreamReader {
  for (const r of READERS) if (r.detect(probe)) return r;
  return dataReader;
}

/** A probe of a stream: its head, and its size and end record read only when a reader asks. */
export function probeOf(src: ByteSource, head: Uint8Array, name: string): Probe {
  let size = src.size ?? (head.length < SNIFF_BYTES ? head.length : undefined);
  let zipEnd: boolean | undefined;
  const sizeNow = () => (size ??= sizeOf(src));
  return {
    head,
    get size() {
      return size;
    },
    name,
    sizeNow,
    hasZipEnd: () => (zipEnd ??= sizeNow() >= 22 && findEocd(src) !== null),
  };
}

/** The format of bytes in memory (`hasEocd`: whether a zip end record sits at their end). */
export function detectFormat(head: Uint8Array, size: number, nameHint: string, hasEocd: boolean): Format {
  const probe: Probe = { head, size, name: nameHint, sizeNow: () => size, hasZipEnd: () => hasEocd };
  return detectReader(probe).format;
}
