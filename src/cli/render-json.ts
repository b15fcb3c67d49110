/**
 * JSON output: `{ version, tool, policy, files, summary }`, described by report.schema.json.
 * `version` is the schema version; it changes only when a field changes meaning or disappears.
 */
import type { FileResult } from '../containers/result';
import type { Summary } from './summary';

export const JSON_REPORT_VERSION = 1;

export interface JsonReport {
  version: number;
  tool: { name: 'picklegate'; version: string };
  policy: string;
  files: FileResult[];
  summary: Summary & { exitCode: number };
}

export function renderJson(report: JsonReport): string {
  return JSON.stringify(report, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n';
}
