/**
 * Results of scanning files and the members of containers inside them. The types are derived from the
 * zod schemas of src/report/schema/files.ts, which describe every field (type-only imports: scanning
 * never loads zod).
 */
import type { z } from 'zod';
import type { FileResultSchema, MemberResultSchema, StreamResultSchema } from '../report/schema/files';

/** What files and members have in common: format, size, verdict, findings, members, and for pickle streams pickles, globals, calls, optimizer. */
export type StreamResult = z.infer<typeof StreamResultSchema>;

/** One stream inside a file: an archive member, a decompressed stream, a region of the file (`name`, `path`). */
export type MemberResult = z.infer<typeof MemberResultSchema>;

/** The result for one file given on the command line or found in a directory (`path`, `accepted`, `error`, `timeMs`). */
export type FileResult = z.infer<typeof FileResultSchema>;
