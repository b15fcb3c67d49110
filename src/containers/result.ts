/** Results of scanning files and the members of containers inside them. */
import type { Finding } from '../report/findings';
import type { CallRecord, GlobalRef, PickleSummary, Verdict } from '../report/report';
import type { OptimizerSummary } from '../report/optimizer';
import type { Format } from './formats';

/** What files and members have in common. */
export interface StreamResult {
  format: Format;
  /** Size of this stream in bytes (decompressed size for compressed streams). */
  size: number;
  /** Worst severity in this stream and everything inside it (`safe` when only info findings). */
  verdict: Verdict;
  /** Findings of this stream and everything inside it, each with its `path` (file name first). */
  findings: Finding[];
  /** Members inside this stream that were examined (pickles, nested containers, members with findings). */
  members: MemberResult[];
  /** Members not examined because their content cannot reach an unpickler (tensor storages, text). */
  skippedMembers?: number;
  /** For pickle streams: the pickles, imports and calls the scan found. */
  pickles?: PickleSummary[];
  globals?: GlobalRef[];
  calls?: CallRecord[];
  /** For policies with optimizer bounds (mxnet-optimizer, mxnet-states): what the optimizer blob sets. */
  optimizer?: OptimizerSummary;
}

/** One stream inside a file: an archive member, a decompressed stream, a region of the file. */
export interface MemberResult extends StreamResult {
  /** Member name inside its parent (`archive/data.pkl`, `<gzip>`, `<prefix>`...). */
  name: string;
  /** Location from the file name down to this member, outermost first. */
  path: string[];
}

/** The result for one file given on the command line (or found in a directory). */
export interface FileResult extends StreamResult {
  /** The file path as given (or joined to the directory it was found in); `-` for stdin. */
  path: string;
  /** True when the policy accepts every stream in the file and nothing failed verification. */
  accepted: boolean;
  /** Set when the file could not be checked at all (unreadable, vanished, not a regular file, I/O error). */
  error?: { code: string; message: string };
  timeMs: number;
}
