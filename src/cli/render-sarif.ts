/**
 * SARIF 2.1.0 output for GitHub code scanning and other SARIF consumers.
 * One rule per finding code; one result per finding (info findings become `note`).
 * Findings at the top level of a file carry `region.byteOffset`; findings inside a container member
 * name the member in the message and in `logicalLocations` (their offsets are within the member).
 */
import { relative, sep } from 'node:path';
import { FINDING_CODES, bySeverity, type FindingCode, type Severity } from '../report/findings';
import type { FileResult } from '../containers/result';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { dangerous: 'error', suspicious: 'warning', info: 'note' };

function uriOf(path: string, cwd: string): string {
  if (path === '-') return 'stdin';
  const rel = relative(cwd, path);
  const p = rel.startsWith('..') ? path : rel;
  return p.split(sep).map(encodeURIComponent).join('/');
}

/**
 * `baseline`: a baseline was used; each result then has a `baselineState` (`unchanged` for findings the
 * baseline records, `new` otherwise) and baselined ones an accepted external suppression.
 */
export function renderSarif(results: readonly FileResult[], toolVersion: string, exitCode: number, cwd = process.cwd(), baseline?: string): string {
  const codes = Object.keys(FINDING_CODES) as FindingCode[];
  const rules = codes.map((id) => ({
    id,
    name: id
      .toLowerCase()
      .split('_')
      .map((w) => w[0].toUpperCase() + w.slice(1))
      .join(''),
    shortDescription: { text: FINDING_CODES[id].title },
    defaultConfiguration: { level: LEVEL[FINDING_CODES[id].severity] },
    properties: { tags: ['security', 'pickle'] },
  }));
  const sarifResults = [];
  const notifications = [];
  for (const r of results) {
    const uri = uriOf(r.path, cwd);
    if (r.error) {
      notifications.push({ level: 'error', message: { text: `${r.path}: ${r.error.message}` }, locations: [{ physicalLocation: { artifactLocation: { uri, uriBaseId: '%SRCROOT%' } } }] });
      continue;
    }
    for (const f of bySeverity(r.findings)) {
      const inner = (f.path ?? []).slice(1);
      const physicalLocation: Record<string, unknown> = { artifactLocation: { uri, uriBaseId: '%SRCROOT%' } };
      if (inner.length === 0 && f.offset !== null) physicalLocation.region = { byteOffset: f.offset, byteLength: 1 };
      const where = inner.length ? ` [in ${inner.join(' > ')}${f.offset !== null ? ` at offset ${f.offset}` : ''}]` : '';
      const extra = f.call ? ` Call: ${f.call}` : f.global ? ` Global: ${f.global}` : '';
      const location: Record<string, unknown> = { physicalLocation };
      if (inner.length) location.logicalLocations = [{ fullyQualifiedName: [r.path, ...inner].join('/'), name: inner[inner.length - 1], kind: 'member' }];
      sarifResults.push({
        ruleId: f.code,
        ruleIndex: codes.indexOf(f.code),
        level: LEVEL[f.severity],
        message: { text: `${f.message}${where}${extra}` },
        locations: [location],
        properties: { severity: f.severity, ...(f.opcode ? { opcode: f.opcode } : {}), ...(f.pickle !== undefined ? { pickle: f.pickle } : {}), ...(f.baselined ? { baselined: true } : {}) },
        ...(baseline !== undefined ? { baselineState: f.baselined ? 'unchanged' : 'new' } : {}),
        ...(f.baselined ? { suppressions: [{ kind: 'external', status: 'accepted', justification: `recorded in the picklegate baseline ${baseline}` }] } : {}),
      });
    }
  }
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'picklegate', version: toolVersion, semanticVersion: toolVersion, rules } },
        invocations: [{ executionSuccessful: notifications.length === 0, exitCode, toolExecutionNotifications: notifications }],
        results: sarifResults,
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
