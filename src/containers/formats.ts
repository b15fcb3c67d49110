/** Formats the file reader recognises, by content. */
export type Format =
  | 'pickle'
  | 'joblib'
  | 'torch-zip'
  | 'torch-legacy'
  | 'zip'
  | 'npz'
  | 'npy'
  | 'tar'
  | 'gzip'
  | 'bzip2'
  | 'xz'
  | 'lzma'
  | 'zlib'
  | 'joblib-zlib'
  | '7z'
  | 'rar'
  | 'zstd'
  | 'lz4'
  | 'safetensors'
  | 'gguf'
  | 'hdf5'
  | 'text'
  | 'data'
  | 'empty'
  | 'not-regular';

/** Compressed single-stream formats. */
export const COMPRESSED: ReadonlySet<Format> = new Set(['gzip', 'bzip2', 'xz', 'lzma', 'zlib', 'joblib-zlib']);
/** Formats picklegate recognises but cannot open: their content is never verified. */
export const UNSUPPORTED: ReadonlySet<Format> = new Set(['7z', 'rar', 'zstd', 'lz4']);
/** Recognised formats that cannot hold a pickle where a loader would find it. */
export const INERT: ReadonlySet<Format> = new Set(['safetensors', 'gguf', 'hdf5', 'text', 'data', 'empty']);

/** Extensions of files that are expected to contain pickles (or containers of them). */
const PICKLE_EXTENSIONS = new Set(['.pkl', '.pickle', '.pk', '.pt', '.pth', '.bin', '.ckpt', '.joblib', '.npy', '.npz', '.states', '.dill', '.sav', '.p']);

export function isPickleNamed(name: string): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1).toLowerCase();
  if (base === 'data.pkl') return true;
  const stripped = base.replace(/\.(gz|bz2|xz|lzma|z)$/, '');
  const dot = stripped.lastIndexOf('.');
  return dot > 0 && PICKLE_EXTENSIONS.has(stripped.slice(dot));
}
