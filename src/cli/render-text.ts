/** Human-first text output: one line per file, then its findings; a summary line at the end. */
import type { Colors } from 'picocolors/types';
import { bySeverity, type Finding } from '../report/findings';
import type { FileResult, MemberResult, StreamResult } from '../containers/result';
import type { Summary } from './summary';
import { summaryLine } from './summary';

export interface TextOptions {
  colors: Colors;
  verbose: boolean;
  quiet: boolean;
}

function verdictLabel(r: FileResult, c: Colors): string {
  if (r.error) return c.bold(c.magenta('ERROR     '));
  const text = r.verdict.toUpperCase().padEnd(10);
  return r.verdict === 'dangerous' ? c.bold(c.red(text)) : r.verdict === 'suspicious' ? c.bold(c.yellow(text)) : c.green(text);
}

function where(f: Finding): string {
  const inner = (f.path ?? []).slice(1);
  const parts: string[] = [];
  if (inner.length) parts.push(inner.join(' > '));
  if (f.pickle !== undefined && f.pickle > 0) parts.push(`pickle #${f.pickle}`);
  if (f.offset !== null) parts.push(`@${f.offset}`);
  return parts.join(' ');
}

function findingLine(f: Finding, c: Colors): string {
  const sev = f.severity === 'dangerous' ? c.red(f.severity) : f.severity === 'suspicious' ? c.yellow(f.severity) : c.dim(f.severity);
  const loc = where(f);
  let line = `  ${sev} ${c.bold(f.code)}${loc ? ' ' + c.cyan(loc) : ''}${f.opcode ? c.dim(` ${f.opcode}`) : ''}: ${f.message}${f.baselined ? c.dim(' [baselined]') : ''}`;
  if (f.call) line += `\n      ${c.dim('call:')} ${f.call}`;
  else if (f.global) line += `\n      ${c.dim('global:')} ${f.global}`;
  return line;
}

function details(m: StreamResult, label: string, c: Colors, out: string[]): void {
  if (m.globals?.length || m.calls?.length || m.pickles?.length) {
    out.push(`  ${c.dim(label || '(file)')}: ${m.pickles?.length ?? 0} pickle(s), ${m.globals?.length ?? 0} global(s), ${m.calls?.length ?? 0} call(s)`);
    for (const g of m.globals ?? []) out.push(`    ${c.dim('global')} @${g.offset} ${g.resolved} ${c.dim(`[${g.decision}${g.reason ? ': ' + g.reason : ''}]`)}`);
    for (const k of m.calls ?? []) out.push(`    ${c.dim(k.kind.padEnd(6))} @${k.offset} ${k.pseudo}`);
  }
  for (const child of m.members) details(child, (child as MemberResult).path.slice(1).join(' > '), c, out);
}

/** Optimizer summary lines of a file and its members (policies with optimizer bounds). */
function optimizers(m: StreamResult, label: string): { label: string; line: string }[] {
  const out = m.optimizer ? [{ label, line: m.optimizer.line }] : [];
  for (const child of m.members) out.push(...optimizers(child, (child as MemberResult).path.slice(1).join(' > ')));
  return out;
}

/** `baselined`: the policy does not accept the file, but the baseline records every finding that would make it fail. */
export function renderFile(r: FileResult, o: TextOptions, baselined = false): string {
  const c = o.colors;
  if (o.quiet && (r.accepted || baselined) && !r.error) return '';
  const out: string[] = [];
  const meta = r.error ? r.error.message : `${r.format}, ${r.size} B${r.accepted ? '' : baselined ? ', baselined' : ', rejected'}`;
  out.push(`${verdictLabel(r, c)} ${c.bold(r.path)} ${c.dim(`(${meta})`)}`);
  for (const opt of optimizers(r, '')) out.push(`  ${c.dim('optimizer' + (opt.label ? ` ${opt.label}` : '') + ':')} ${opt.line}`);
  for (const f of bySeverity(r.findings)) if (o.verbose || f.severity !== 'info') out.push(findingLine(f, c));
  if (o.verbose) details(r, '', c, out);
  return out.join('\n') + '\n';
}

export function renderSummary(s: Summary, o: TextOptions): string {
  if (o.quiet) return '';
  const c = o.colors;
  const line = summaryLine(s);
  return (s.rejected ? c.bold(c.red(line)) : s.errors ? c.bold(c.magenta(line)) : c.bold(c.green(line))) + '\n';
}
