/**
 * The decoders, by codec, behind one small interface (`Decoder`, `DecoderFactory`). Node uses its
 * native zlib for the deflate family (see inflate-worker.ts); everything else is pure JS or wasm.
 * A host without Node's zlib and worker threads (a browser bundle) swaps the deflate family with
 * `setInflateBackend` and keeps the rest.
 */
import type { ByteSource } from '../../pickle/source';
import { Bzip2Decoder } from './bzip2';
import type { Decoder, DecoderFactory } from './decoder';
import { nodeInflate, type InflateKind } from './inflate-worker';
import { Lz4FrameDecoder } from './lz4';
import { LzmaAloneDecoder } from './lzma';
import { XzDecoder } from './xz';
import { ZstdDecoder } from './zstd';

export type Codec = 'gzip' | 'zlib' | 'deflate-raw' | 'bzip2' | 'xz' | 'lzma' | 'zstd' | 'lz4';

/** Creates a decoder of the deflate family (gzip with multiple members, zlib, raw deflate). */
export type InflateBackend = (kind: InflateKind, input: ByteSource) => Decoder;

let inflateBackend: InflateBackend = nodeInflate;

/** Replace the deflate-family decoder (returns the previous one). */
export function setInflateBackend(backend: InflateBackend): InflateBackend {
  const prev = inflateBackend;
  inflateBackend = backend;
  return prev;
}

export function decoderFor(codec: Codec): DecoderFactory {
  switch (codec) {
    case 'gzip':
      return (input) => inflateBackend('gzip', input);
    case 'zlib':
      return (input) => inflateBackend('zlib', input);
    case 'deflate-raw':
      return (input) => inflateBackend('raw', input);
    case 'bzip2':
      return (input) => new Bzip2Decoder(input);
    case 'xz':
      return (input) => new XzDecoder(input);
    case 'lzma':
      return (input) => new LzmaAloneDecoder(input);
    case 'zstd':
      return (input) => new ZstdDecoder(input);
    case 'lz4':
      return (input) => new Lz4FrameDecoder(input);
  }
}

export { DecodedSource, DecompressError, RATIO_FLOOR, MAX_RESTARTS, type Decoder, type DecoderFactory, type DecodeCaps, type InflateBudget } from './decoder';
export { closeInflateWorkers, workerInflate, ONE_SHOT_INPUT, ONE_SHOT_OUTPUT, type InflateKind } from './inflate-worker';
