/** Counts over a run, shared by the renderers. */
import type { z } from 'zod';
import type { FileResult } from '../containers/result';
import type { CliSummarySchema } from '../report/schema/cli';
import { isRejected, type FailOn } from './exit-codes';

/** The counts of the JSON output's `summary` (see src/report/schema/cli.ts), without the exit code. */
export type Summary = Omit<z.infer<typeof CliSummarySchema>, 'exitCode'>;

/**
 * With a baseline, `baseline` says for each file whether it fails and whether it is a rejected file
 * whose failing findings are all baselined (counted in `baselined`, not in `rejected`).
 */
export function summarize(results: readonly FileResult[], failOn: FailOn, baseline?: ReadonlyMap<FileResult, { fails: boolean; baselined: boolean }>): Summary {
  const s: Summary = { files: results.length, safe: 0, suspicious: 0, dangerous: 0, errors: 0, rejected: 0, ...(baseline ? { baselined: 0 } : {}) };
  for (const r of results) {
    if (r.error) s.errors++;
    else s[r.verdict]++;
    const b = baseline?.get(r);
    if (b ? b.fails : isRejected(r, failOn)) s.rejected++;
    if (b?.baselined) s.baselined!++;
  }
  return s;
}

export function summaryLine(s: Summary): string {
  const baselined = s.baselined !== undefined ? `, ${s.baselined} baselined` : '';
  return `${s.files} file${s.files === 1 ? '' : 's'}: ${s.safe} safe, ${s.suspicious} suspicious, ${s.dangerous} dangerous, ${s.errors} error${s.errors === 1 ? '' : 's'}${baselined}`;
}
