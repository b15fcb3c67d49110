/** Counts over a run, shared by the renderers. */
import type { z } from 'zod';
import type { FileResult } from '../containers/result';
import type { CliSummarySchema } from '../report/schema/cli';
import { isRejected, type FailOn } from './exit-codes';

/** The counts of the JSON output's `summary` (see src/report/schema/cli.ts), without the exit code. */
export type Summary = Omit<z.infer<typeof CliSummarySchema>, 'exitCode'>;

export function summarize(results: readonly FileResult[], failOn: FailOn): Summary {
  const s: Summary = { files: results.length, safe: 0, suspicious: 0, dangerous: 0, errors: 0, rejected: 0 };
  for (const r of results) {
    if (r.error) s.errors++;
    else s[r.verdict]++;
    if (isRejected(r, failOn)) s.rejected++;
  }
  return s;
}

export function summaryLine(s: Summary): string {
  return `${s.files} file${s.files === 1 ? '' : 's'}: ${s.safe} safe, ${s.suspicious} suspicious, ${s.dangerous} dangerous, ${s.errors} error${s.errors === 1 ? '' : 's'}`;
}
