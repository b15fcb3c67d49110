/**
 * Caps for reading files and containers. Reaching one is a LIMIT_EXCEEDED finding (suspicious):
 * the content behind it was not verified, so the file is never reported safe.
 */
export interface ContainerLimits {
  /**
   * Largest file (or stdin / stream body) scanned; a plain cap, not a memory limit (files are read
   * by positional reads and decompressed streams as they are decoded, never whole).
   */
  maxFileBytes: number;
  /** Total bytes produced by decompression (zip deflate, gzip, bz2, xz, lzma, zlib) within one file. */
  maxInflatedBytes: number;
  /** Largest output/input ratio of one decompression, checked once the output passes 1 MiB. */
  maxRatio: number;
  /** Containers inside containers (a zip in a tar in a gzip is depth 3). */
  maxDepth: number;
  /** Archive members examined within one file, over all nesting levels. */
  maxMembers: number;
}

const GiB = 1024 ** 3;

export const DEFAULT_CONTAINER_LIMITS: Readonly<ContainerLimits> = Object.freeze({
  maxFileBytes: 1024 * GiB,
  maxInflatedBytes: 2 * GiB,
  maxRatio: 10_000,
  maxDepth: 4,
  maxMembers: 100_000,
});

export function containerLimits(overrides: Partial<ContainerLimits> | undefined): ContainerLimits {
  const out = { ...DEFAULT_CONTAINER_LIMITS };
  for (const [k, v] of Object.entries(overrides ?? {})) {
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new RangeError(`container limit ${k} must be a non-negative number`);
    (out as Record<string, number>)[k] = Math.floor(v);
  }
  return out;
}
