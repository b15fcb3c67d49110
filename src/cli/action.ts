#!/usr/bin/env node
/**
 * The script behind the GitHub Action (action.yml at the repository root): reads the action's inputs
 * from `INPUT_*` environment variables as the Actions runner passes them, runs one `picklegate scan`,
 * writes the SARIF file for code scanning, prints the text report to the log with an annotation per
 * failing finding, sets the step's outputs (`GITHUB_OUTPUT`) and summary (`GITHUB_STEP_SUMMARY`),
 * and exits according to `fail-on`.
 *
 * Inputs (all optional): `paths` (newline-separated, or whitespace-separated on one line; default
 * `.`), `policy` (default `default`), `fail-on` (`suspicious`, `dangerous` or `never`; default
 * `suspicious`), `sarif-file` (default `picklegate.sarif`), `baseline` (a baseline file), `args`
 * (further `picklegate scan` options, whitespace-separated).
 *
 * Exit code: 0 when nothing fails, 1 when a file is rejected (per `fail-on`; never with `never`),
 * 2 when a file could not be checked or an input is invalid.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import type { FileResult } from '../containers/result';
import type { JsonReport } from './render-json';
import { main, type CliIO } from './main';

const FAIL_ON = ['suspicious', 'dangerous', 'never'] as const;
type ActionFailOn = (typeof FAIL_ON)[number];

export interface ActionInputs {
  paths: string[];
  policy: string;
  failOn: ActionFailOn;
  sarifFile: string;
  /** when set, also an HTML report for people (a second pass over the same paths) */
  htmlFile: string | null;
  baseline: string | null;
  args: string[];
}

/** `core.getInput`: `INPUT_<NAME>` with spaces as `_`, upper case; hyphens kept (we also accept `_`). */
export function getInput(env: NodeJS.ProcessEnv, name: string): string {
  const key = `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
  return (env[key] ?? env[key.replace(/-/g, '_')] ?? '').trim();
}

export function splitPaths(value: string): string[] {
  if (!value.trim()) return ['.'];
  // one path per line when there are several lines (so paths may hold spaces), else split on whitespace
  const parts = value.includes('\n') ? value.split(/\r?\n/) : value.split(/\s+/);
  return parts.map((p) => p.trim()).filter(Boolean);
}

export class InputError extends Error {}

export function readInputs(env: NodeJS.ProcessEnv): ActionInputs {
  const failOn = (getInput(env, 'fail-on') || 'suspicious') as ActionFailOn;
  if (!FAIL_ON.includes(failOn)) throw new InputError(`input fail-on must be one of ${FAIL_ON.join(', ')}, not ${JSON.stringify(failOn)}`);
  return {
    paths: splitPaths(getInput(env, 'paths')),
    policy: getInput(env, 'policy') || 'default',
    failOn,
    sarifFile: getInput(env, 'sarif-file') || 'picklegate.sarif',
    htmlFile: getInput(env, 'html-file') || null,
    baseline: getInput(env, 'baseline') || null,
    args: getInput(env, 'args').split(/\s+/).filter(Boolean),
  };
}

/** Workflow command escaping (as @actions/core does). */
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** Appends `name=value` lines (values on one line) or a heredoc for multi-line values to a runner file. */
function appendOutput(file: string | undefined, values: Record<string, string | number>): void {
  if (!file) return;
  let text = '';
  for (const [k, v] of Object.entries(values)) {
    const s = String(v);
    if (!s.includes('\n')) text += `${k}=${s}\n`;
    else {
      const delim = `picklegate_${Math.random().toString(36).slice(2)}`;
      text += `${k}<<${delim}\n${s}\n${delim}\n`;
    }
  }
  fs.appendFileSync(file, text);
}

const MAX_ANNOTATIONS = 50;

/** Runs the action with the given environment; returns the exit code. */
export async function runAction(env: NodeJS.ProcessEnv = process.env, io: Pick<CliIO, 'stdout' | 'stderr'> = { stdout: process.stdout, stderr: process.stderr }, cwd = process.cwd()): Promise<number> {
  let inputs: ActionInputs;
  try {
    inputs = readInputs(env);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    io.stdout.write(`::error title=picklegate::${escapeData(err.message)}\n`);
    return 2;
  }
  const sarifPath = path.resolve(cwd, inputs.sarifFile);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'picklegate-action-'));
  const jsonPath = path.join(tmp, 'report.json');
  const args = ['scan', '--format', 'json', '--output', jsonPath, '--policy', inputs.policy, '--fail-on', inputs.failOn === 'dangerous' ? 'dangerous' : 'suspicious', '--no-progress'];
  if (inputs.baseline) args.push('--baseline', inputs.baseline);
  args.push(...inputs.args, '--', ...inputs.paths);
  io.stdout.write(`picklegate ${args.filter((a) => a !== jsonPath && a !== '--output' && a !== '--format' && a !== 'json').join(' ')}\n`);

  const cliIO: CliIO = { stdout: io.stdout, stderr: io.stderr, env: { ...env, NO_COLOR: '1' }, cwd };
  let code = await main(args, cliIO);
  let report: JsonReport | null = null;
  try {
    report = JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as JsonReport;
  } catch {
    // usage or policy error: main has said why on stderr
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (!report) {
    appendOutput(env.GITHUB_OUTPUT, { 'exit-code': code, 'sarif-file': '' });
    return code === 0 ? 2 : code;
  }

  const { renderSarif } = await import('./render-sarif');
  const { renderFile, renderSummary } = await import('./render-text');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const colors = (require('picocolors') as typeof import('picocolors')).createColors(false);
  fs.mkdirSync(path.dirname(sarifPath), { recursive: true });
  fs.writeFileSync(sarifPath, renderSarif(report.files as FileResult[], report.tool.version, report.summary.exitCode, cwd, inputs.baseline ?? undefined));

  // the log: the text report, then one annotation per failing finding
  const textOpts = { colors, verbose: false, quiet: false };
  for (const f of report.files as FileResult[]) {
    const baselined = !f.accepted && !f.error && f.findings.filter((x) => x.severity !== 'info').every((x) => x.baselined);
    io.stdout.write(renderFile(f, textOpts, baselined));
  }
  const { summary } = report;
  io.stdout.write(renderSummary({ ...summary }, textOpts));
  let annotations = 0;
  for (const f of report.files as FileResult[]) {
    if (f.error) {
      io.stdout.write(`::error file=${escapeProperty(f.path)},title=${escapeProperty('picklegate: could not check')}::${escapeData(f.error.message)}\n`);
      continue;
    }
    if (f.accepted) continue;
    for (const x of f.findings) {
      if (x.severity === 'info' || x.baselined) continue;
      if (inputs.failOn === 'dangerous' && x.severity !== 'dangerous') continue;
      if (annotations++ >= MAX_ANNOTATIONS) break;
      const level = x.severity === 'dangerous' ? 'error' : 'warning';
      const where = (x.path ?? []).slice(1).join(' > ');
      io.stdout.write(`::${level} file=${escapeProperty(f.path)},title=${escapeProperty(`picklegate ${x.code}/${x.rule}`)}::${escapeData(`${where ? where + ': ' : ''}${x.message}`)}\n`);
    }
  }
  if (annotations > MAX_ANNOTATIONS) io.stdout.write(`::notice title=picklegate::${annotations - MAX_ANNOTATIONS} more findings are in the SARIF file\n`);

  let htmlPath = '';
  if (inputs.htmlFile) {
    // The HTML report embeds opcode listings collected while scanning, so it is its own pass; its exit
    // code is the first pass's.
    htmlPath = path.resolve(cwd, inputs.htmlFile);
    fs.mkdirSync(path.dirname(htmlPath), { recursive: true });
    const quiet = new Writable({ write: (_chunk, _enc, done) => done() });
    await main([...args.slice(0, 1), '--format', 'html', '--output', htmlPath, ...args.slice(5)], { ...cliIO, stdout: quiet, stderr: quiet } as CliIO);
  }

  if (inputs.failOn === 'never' && code === 1) code = 0;
  appendOutput(env.GITHUB_OUTPUT, {
    'sarif-file': sarifPath,
    'html-file': htmlPath,
    'exit-code': code,
    files: summary.files,
    safe: summary.safe,
    suspicious: summary.suspicious,
    dangerous: summary.dangerous,
    errors: summary.errors,
    rejected: summary.rejected,
    baselined: summary.baselined ?? 0,
  });
  if (env.GITHUB_STEP_SUMMARY) {
    const verdict = code === 0 ? 'passed' : code === 1 ? 'failed: files rejected' : 'failed: files could not be checked';
    const rows = (report.files as FileResult[])
      .filter((f) => !f.accepted || f.error)
      .slice(0, 100)
      .map((f) => `| \`${f.path.replace(/\|/g, '\\|')}\` | ${f.error ? 'error' : f.verdict} | ${f.error ? f.error.message.replace(/\|/g, '\\|') : [...new Set(f.findings.filter((x) => x.severity !== 'info').map((x) => `${x.code}${x.baselined ? ' (baselined)' : ''}`))].join(', ')} |`);
    const table = rows.length ? `\n| file | verdict | findings |\n|---|---|---|\n${rows.join('\n')}\n` : '';
    fs.appendFileSync(
      env.GITHUB_STEP_SUMMARY,
      `### picklegate: ${verdict}\n\n${summary.files} files: ${summary.safe} safe, ${summary.suspicious} suspicious, ${summary.dangerous} dangerous, ${summary.errors} errors${summary.baselined !== undefined ? `, ${summary.baselined} baselined` : ''} (policy \`${report.policy}\`, fail-on \`${inputs.failOn}\`)\n${table}`,
    );
  }
  return code;
}

if (require.main === module) {
  runAction().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stdout.write(`::error title=picklegate::${escapeData(String((err as Error)?.stack ?? err))}\n`);
      process.exitCode = 2;
    },
  );
}
