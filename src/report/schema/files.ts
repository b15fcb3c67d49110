/** Results of scanning files and the members of containers inside them (`scanFile`, CLI JSON), as zod schemas. */
import { z } from 'zod';
import { FindingSchema } from './findings';
import { OptimizerSummarySchema } from './optimizer';
import { CallRecordSchema, GlobalRefSchema, PickleSummarySchema, VerdictSchema } from './report';

/** Formats the file reader recognises, by content (the Format type of src/containers/formats.ts, checked by a test). */
export const FORMATS = [
  'pickle',
  'joblib',
  'torch-zip',
  'torch-legacy',
  'zip',
  'npz',
  'npy',
  'tar',
  'gzip',
  'bzip2',
  'xz',
  'lzma',
  'zlib',
  'joblib-zlib',
  '7z',
  'rar',
  'zstd',
  'lz4',
  'safetensors',
  'gguf',
  'hdf5',
  'text',
  'data',
  'empty',
  'not-regular',
] as const;

export const FormatSchema = z.enum(FORMATS).meta({ id: 'Format', description: 'What the content is, detected from the bytes (never from the file name).' });

/** What files and members have in common (but `members`, which each adds: recursive schemas are built with getters). */
const StreamBase = z.object({
  format: FormatSchema,
  /** Size of this stream in bytes (decompressed size for compressed streams). */
  size: z.number().int().nonnegative().describe('Size of this stream in bytes (decompressed size for compressed streams).'),
  /** Worst severity in this stream and everything inside it (`safe` when only info findings). */
  verdict: VerdictSchema.describe('Worst severity in this stream and everything inside it (`safe` when only info findings).'),
  /** Findings of this stream and everything inside it, each with its `path` (file name first). */
  findings: z.array(FindingSchema).describe('Findings of this stream and everything inside it, each with its `path` (file name first).'),
  /** Members not examined because their content cannot reach an unpickler (tensor storages, text). */
  skippedMembers: z.number().int().nonnegative().optional().describe('Members not examined because their content cannot reach an unpickler (tensor storages, text).'),
  /** For pickle streams: the pickles the scan found. */
  pickles: z.array(PickleSummarySchema).optional().describe('For pickle streams: the pickles the scan found.'),
  /** For pickle streams: each distinct import. */
  globals: z.array(GlobalRefSchema).optional().describe('For pickle streams: each distinct import.'),
  /** For pickle streams: each call (at most 10,000). */
  calls: z.array(CallRecordSchema).optional().describe('For pickle streams: each call (at most 10,000).'),
  /** For policies with optimizer bounds (mxnet-optimizer, mxnet-states): what the optimizer blob sets. */
  optimizer: OptimizerSummarySchema.optional().describe('For policies with optimizer bounds (mxnet-optimizer, mxnet-states): what the optimizer blob sets.'),
});
const membersDescription = 'Members inside this stream that were examined (pickles, nested containers, members with findings).';

export const StreamResultSchema = StreamBase.extend({
  /** Members inside this stream that were examined (pickles, nested containers, members with findings). */
  get members() {
    return z.array(MemberResultSchema).describe(membersDescription);
  },
}).meta({ id: 'StreamResult', description: 'What files and members have in common.' });

export const MemberResultSchema = StreamBase.extend({
  /** Member name inside its parent (`archive/data.pkl`, `<gzip>`, `<prefix>`...). */
  name: z.string().describe('Member name inside its parent (`archive/data.pkl`, `<gzip>`, `<prefix>`...).'),
  /** Location from the file name down to this member, outermost first. */
  path: z.array(z.string()).min(1).describe('Location from the file name down to this member, outermost first.'),
  /** Members inside this stream that were examined (pickles, nested containers, members with findings). */
  get members() {
    return z.array(MemberResultSchema).describe(membersDescription);
  },
}).meta({ id: 'MemberResult', description: 'One stream inside a file: an archive member, a decompressed stream, a region of the file.' });

export const FileErrorSchema = z
  .object({
    /** An errno-like code (ENOENT, EACCES, EIO, ESYMLINK...). */
    code: z.string().describe('An errno-like code (ENOENT, EACCES, EIO, ESYMLINK...).'),
    message: z.string(),
  })
  .meta({ id: 'FileError', description: 'Why a file could not be checked at all (unreadable, vanished, not a regular file, I/O error).' });

export const FileResultSchema = StreamBase.extend({
  /** The file path as given (or joined to the directory it was found in); `-` for stdin. */
  path: z.string().describe('The file path as given (or joined to the directory it was found in); `-` for stdin.'),
  /** Members inside this stream that were examined (pickles, nested containers, members with findings). */
  get members() {
    return z.array(MemberResultSchema).describe(membersDescription);
  },
  /** True when the policy accepts every stream in the file and nothing failed verification. */
  accepted: z.boolean().describe('True when the policy accepts every stream in the file and nothing failed verification.'),
  /** Set when the file could not be checked at all; such a file counts in `summary.errors`. */
  error: FileErrorSchema.optional().describe('Set when the file could not be checked at all; such a file counts in `summary.errors`.'),
  /** Wall time of the scan of this file in milliseconds. */
  timeMs: z.number().nonnegative().describe('Wall time of the scan of this file in milliseconds.'),
}).meta({ id: 'FileResult', description: 'The result for one file given on the command line (or found in a directory), or given to scanFile/scanBytes.' });
