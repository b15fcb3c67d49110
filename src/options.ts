import type { CompiledPolicy } from './policy/compile';
import type { PolicySpec } from './policy/schema';
import type { Limits } from './limits';

export interface ScanOptions {
  /** A built-in policy name (`default`, `mxnet-optimizer`, `mxnet-states`), a policy spec, or a compiled policy. Default `default`. */
  policy?: string | PolicySpec | CompiledPolicy;
  /** Overrides of DEFAULT_LIMITS. */
  limits?: Partial<Limits>;
  /**
   * Stop after this many complete pickles and treat whatever follows as not part of the stream
   * (no TRAILING_DATA): for containers such as legacy PyTorch files whose raw storages follow their pickles.
   * The end of each pickle is in `report.pickles[i].end`.
   */
  stopAfter?: number;
  /** Added to every offset in the report, for bytes cut out of a larger file. Default 0. */
  baseOffset?: number;
  /** Bytes read from a source at a time by scanSource (the memory a scan holds besides what it keeps). Default 1 MiB. */
  window?: number;
}
