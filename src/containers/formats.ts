/**
 * Formats the file reader recognises, by content: the name of each reader in the registry
 * (registry.ts), and labels given after reading (`torch-zip`, `npz`, `joblib`, `not-regular`).
 */
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
  | 'zstd'
  | 'lz4'
  | '7z'
  | 'rar'
  | 'safetensors'
  | 'gguf'
  | 'hdf5'
  | 'text'
  | 'data'
  | 'empty'
  | 'not-regular';


/** Extensions of files that are expected to contain pickles (or containers of them). */
const PICKLE_EXTENSIONS = new Set(['.pkl', '.pickle', '.pk', '.pt', '.pth', '.bin', '.ckpt', '.joblib', '.npy', '.npz', '.states', '.dill', '.sav', '.p']);

export function isPickleNamed(name: string): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1).toLowerCase();
  if (base === 'data.pkl') return true;
  const stripped = base.replace(/\.(gz|bz2|xz|lzma|z|zst|lz4)$/, '');
  const dot = stripped.lastIndexOf('.');
  return dot > 0 && PICKLE_EXTENSIONS.has(stripped.slice(dot));
}
