/** The document `picklegate scan --format json` writes, as zod schemas. Types only for the CLI (see findings.ts). */
import { z } from 'zod';
import { FileResultSchema } from './files';

const count = z.number().int().nonnegative();

export const CliSummarySchema = z
  .object({
    /** Files scanned (including those that could not be checked). */
    files: count.describe('Files scanned (including those that could not be checked).'),
    safe: count,
    suspicious: count,
    dangerous: count,
    /** Files that could not be checked (not counted in safe/suspicious/dangerous). */
    errors: count.describe('Files that could not be checked (not counted in safe/suspicious/dangerous).'),
    /** Files that make the exit code 1. */
    rejected: count.describe('Files that make the exit code 1.'),
    /** With `--baseline`: files the policy does not accept whose failing findings are all in the baseline (not counted in `rejected`). */
    baselined: count.optional().describe('With `--baseline`: files the policy does not accept whose failing findings are all in the baseline (not counted in `rejected`).'),
    /** The exit code of the command: 0 all accepted, 1 a file rejected, 2 a file could not be checked. */
    exitCode: z.number().int().min(0).max(2).describe('The exit code of the command: 0 all accepted, 1 a file rejected, 2 a file could not be checked.'),
  })
  .meta({ id: 'CliSummary', description: 'Counts over the run.' });

export const CliReportSchema = z
  .object({
    /** Schema version: changes only when a field changes meaning or disappears; new fields may be added. */
    version: z.literal(1).describe('Schema version: changes only when a field changes meaning or disappears; new fields may be added.'),
    tool: z.object({
      name: z.literal('picklegate'),
      /** picklegate version. */
      version: z.string().describe('picklegate version.'),
    }),
    /** Name of the policy the files were judged by. */
    policy: z.string().describe('Name of the policy the files were judged by.'),
    files: z.array(FileResultSchema),
    summary: CliSummarySchema,
  })
  .meta({ id: 'CliReport', title: 'picklegate scan --format json report, version 1' });
