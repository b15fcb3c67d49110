/**
 * The schema files generated from the zod schemas and committed: JSON Schemas of the CLI's JSON output,
 * the Report, the FileResult, policy files and the service config file, and the service's OpenAPI
 * document. `npm run schemas` writes them (test/tools/schemas.js); test/schema/artefacts.test.ts
 * regenerates them in memory and fails when a committed copy is stale.
 *
 * Lives with the server because the OpenAPI document and the config schema do; only the generator and
 * the tests load it.
 */
import { baselineJsonSchema } from '../src/cli/baseline-schema';
import { policyJsonSchema } from '../src/policy/schema';
import { cliReportJsonSchema, fileResultJsonSchema, reportJsonSchema } from '../src/report/schema/json-schema';
import { configJsonSchema } from './config';
import { openApiDocument } from './openapi';
import { VERSION } from './version';

export interface SchemaArtefact {
  /** Path relative to the repository root. */
  path: string;
  /** What it describes, for the generator's output. */
  what: string;
  /** Generator, run on demand. */
  make: () => unknown;
}

export const SCHEMA_ARTEFACTS: readonly SchemaArtefact[] = [
  { path: 'src/cli/report.schema.json', what: 'picklegate scan --format json (JSON Schema draft-07)', make: () => cliReportJsonSchema() },
  { path: 'docs/schemas/report.schema.json', what: 'Report of scan() (JSON Schema draft-07)', make: () => reportJsonSchema() },
  { path: 'docs/schemas/file-result.schema.json', what: 'FileResult of scanFile()/scanBytes()/scanPaths() (JSON Schema draft-07)', make: () => fileResultJsonSchema() },
  { path: 'docs/schemas/policy.schema.json', what: 'policy files (JSON Schema draft-07)', make: () => policyJsonSchema() },
  { path: 'docs/schemas/baseline.schema.json', what: 'baseline files of picklegate scan --write-baseline / --baseline (JSON Schema draft-07)', make: () => baselineJsonSchema() },
  { path: 'docs/schemas/config.schema.json', what: 'service config file (JSON Schema draft-07)', make: () => configJsonSchema() },
  { path: 'docs/schemas/openapi.json', what: 'HTTP service (OpenAPI 3.1)', make: () => openApiDocument(VERSION) },
];

/** The text of an artefact as committed: two-space JSON and a final newline. */
export function artefactText(a: SchemaArtefact): string {
  return JSON.stringify(a.make(), null, 2) + '\n';
}
