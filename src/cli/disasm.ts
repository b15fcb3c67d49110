/**
 * `picklegate disasm`: a pickletools.dis-style listing with offsets, MARK indentation, and the
 * scanner's view at each opcode: resolved globals, calls as pseudo-Python, findings.
 */
import type { Colors } from 'picocolors/types';
import { readOps, OPCODE_BY_NAME, type OpRecord } from '../pickle';
import type { Report } from '../report/report';
import type { Finding } from '../report/findings';

function pyRepr(s: string): string {
  const body = s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/[\x00-\x1f\x7f]/g, (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'));
  return `'${body}'`;
}

function bytesRepr(b: Uint8Array, max = 48): string {
  let s = '';
  for (const x of b.subarray(0, max)) s += x >= 0x20 && x < 0x7f && x !== 0x27 && x !== 0x5c ? String.fromCharCode(x) : '\\x' + x.toString(16).padStart(2, '0');
  return `b'${s}'${b.length > max ? `... (${b.length} bytes)` : ''}`;
}

export function argRepr(op: OpRecord): string {
  const a = op.arg;
  if (a === null) return '';
  if (typeof a === 'string') return a.length > 200 ? pyRepr(a.slice(0, 200)) + `... (${a.length} chars)` : pyRepr(a);
  if (a instanceof Uint8Array) return bytesRepr(a);
  if (Array.isArray(a)) return pyRepr(`${a[0]} ${a[1]}`);
  if (typeof a === 'boolean') return a ? 'True' : 'False';
  return String(a);
}

function byOffset<T extends { offset: number | null }>(items: readonly T[]): Map<number, T[]> {
  const m = new Map<number, T[]>();
  for (const it of items) {
    if (it.offset === null) continue;
    const list = m.get(it.offset) ?? [];
    list.push(it);
    m.set(it.offset, list);
  }
  return m;
}

/** Disassemble `bytes` (offsets shifted by `base` to match the report), annotated with `report`. */
export function disassemble(bytes: Uint8Array, report: Report, c: Colors, base = 0): string {
  const out: string[] = [];
  const globals = byOffset(report.globals);
  const calls = byOffset(report.calls);
  const findings = byOffset<Finding>(report.findings);
  const width = String(base + bytes.length).length;
  let level = 0;
  const sevColor = (f: Finding) => (f.severity === 'dangerous' ? c.red : f.severity === 'suspicious' ? c.yellow : c.dim);
  try {
    for (const op of readOps(bytes)) {
      const info = OPCODE_BY_NAME.get(op.name);
      if (info?.stackBefore.includes('mark')) level = Math.max(0, level - 1);
      const at = base + op.pos;
      const ch = op.code >= 0x20 && op.code < 0x7f ? String.fromCharCode(op.code) : '\\x' + op.code.toString(16);
      out.push(`${String(at).padStart(width)}: ${ch.padEnd(4)} ${'  '.repeat(level)}${c.bold(op.name.padEnd(16))} ${argRepr(op)}`.trimEnd());
      const pad = ' '.repeat(width + 8);
      for (const g of globals.get(at) ?? []) out.push(`${pad}${c.cyan('-> global')} ${g.resolved} ${c.dim(`[${g.decision}${g.reason ? ': ' + g.reason : ''}]`)}`);
      for (const k of calls.get(at) ?? []) out.push(`${pad}${c.magenta('=> ' + k.kind)} ${k.pseudo}`);
      for (const f of findings.get(at) ?? []) out.push(`${pad}${sevColor(f)(`!! ${f.severity} ${f.code}`)}: ${f.message}`);
      if (op.name === 'MARK') level++;
      if (op.name === 'STOP') {
        level = 0;
        out.push(`${' '.repeat(width)}  ${c.dim('--- end of pickle ---')}`);
      }
    }
  } catch (err) {
    out.push(c.red(`error: ${(err as Error).message}`));
  }
  const unplaced = report.findings.filter((f) => f.offset === null || f.offset < base || f.offset >= base + bytes.length);
  if (unplaced.length) {
    out.push('', c.bold('findings not tied to an opcode:'));
    for (const f of unplaced) out.push(`  ${sevColor(f)(`${f.severity} ${f.code}`)}${f.offset !== null ? ` @${f.offset}` : ''}: ${f.message}`);
  }
  out.push('', `verdict: ${report.verdict}${report.accepted ? ' (accepted)' : ' (rejected)'} by policy ${report.policy}`);
  return out.join('\n') + '\n';
}
