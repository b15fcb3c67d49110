/**
 * JSON output: `{ version, tool, policy, files, summary }`. The document is described by the zod schemas
 * of src/report/schema/cli.ts, from which report.schema.json is generated (`npm run schemas`).
 * `version` is the schema version; it changes only when a field changes meaning or disappears.
 */
import type { z } from 'zod';
import type { CliReportSchema } from '../report/schema/cli';
import { bySeverity, type Finding } from '../report/findings';

/** The `scan --format json` document. */
export type JsonReport = z.infer<typeof CliReportSchema>;

export const JSON_REPORT_VERSION: JsonReport['version'] = 1;

export function renderJson(report: JsonReport): string {
  return JSON.stringify(report, (k, v) => (typeof v === 'bigint' ? v.toString() : k === 'findings' && Array.isArray(v) ? bySeverity(v as Finding[]) : v), 2) + '\n';
}
