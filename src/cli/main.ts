/**
 * The command line: parse arguments, call the library, render, and return the exit code.
 * Heavy modules are required inside the commands that use them, so `--help` and small scans start fast.
 */
import { Command, CommanderError, Option } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileResult } from '../containers/result';
import { DEFAULT_LIMITS, type Limits } from '../limits';
import { DEFAULT_CONTAINER_LIMITS, type ContainerLimits } from '../containers/limits';
import { flagOf, parseCount, parseSize } from './args';
import { EXIT_ERROR, EXIT_OK, exitCodeFor, type FailOn } from './exit-codes';

export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Thrown for problems with the command line or its inputs (exit 2). */
class UsageError extends Error {}

function toolVersion(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const p = path.join(dir, 'package.json');
    if (fs.existsSync(p)) {
      const pkg = JSON.parse(fs.readFileSync(p, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'picklegate') return pkg.version ?? '0.0.0';
    }
    dir = path.dirname(dir);
  }
  return '0.0.0';
}

function colorsFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, flag: boolean | undefined) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pc = require('picocolors') as typeof import('picocolors');
  const enabled = flag ?? (!env.NO_COLOR && (!!env.FORCE_COLOR || (!!stream.isTTY && env.TERM !== 'dumb')));
  return pc.createColors(enabled);
}

/** `--policy NAME|FILE`: a built-in name, else a JSON policy file. */
async function loadPolicy(value: string) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const registry = require('../policy/registry') as typeof import('../policy/registry');
  const names = registry.listPolicies().map((p) => p.name);
  if (names.includes(value)) return registry.getPolicy(value);
  if (fs.existsSync(value)) return await registry.loadPolicyFile(value);
  throw new UsageError(`unknown policy ${JSON.stringify(value)}: not a built-in policy (${names.join(', ')}) and not a file`);
}

interface ScanCliOptions {
  policy: string;
  format: 'text' | 'json' | 'sarif' | 'html';
  failOn: FailOn;
  output?: string;
  quiet?: boolean;
  verbose?: boolean;
  color?: boolean;
  followSymlinks?: boolean;
  progress?: boolean;
  baseline?: string;
  writeBaseline?: string;
  [limit: string]: unknown;
}

const CORE_LIMIT_KEYS = Object.keys(DEFAULT_LIMITS) as (keyof Limits)[];
const CONTAINER_LIMIT_KEYS = Object.keys(DEFAULT_CONTAINER_LIMITS) as (keyof ContainerLimits)[];
const SIZE_KEYS = new Set(['maxFileBytes', 'maxInflatedBytes']);

async function runScan(paths: string[], o: ScanCliOptions, io: CliIO): Promise<number> {
  const { prepareOptions } = await import('../containers/scan-file');
  const { planFiles } = await import('../containers/scan-paths');
  const { scanFile, scanStdin, scanStream, errorResult } = await import('../containers/scan-file');
  const limits: Partial<Limits> = {};
  for (const k of CORE_LIMIT_KEYS) if (o[k] !== undefined) limits[k] = o[k] as number;
  const cLimits: Partial<ContainerLimits> = {};
  for (const k of CONTAINER_LIMIT_KEYS) if (o[k] !== undefined) cLimits[k] = o[k] as number;
  let prepared;
  try {
    prepared = prepareOptions({ policy: await loadPolicy(o.policy), limits, containerLimits: cLimits });
  } catch (err) {
    if (err instanceof UsageError || (err as Error).name === 'PolicyError') throw new UsageError((err as Error).message);
    throw err;
  }

  const { BaselineSession, BaselineError } = await import('./baseline');
  let baseline: import('./baseline').BaselineSession | null;
  try {
    baseline = await BaselineSession.open({ baseline: o.baseline, writeBaseline: o.writeBaseline, cwd: io.cwd, failOn: o.failOn, acceptRank: prepared.acceptRank }, prepared.policyName);
  } catch (err) {
    if (err instanceof BaselineError) throw new UsageError(err.message);
    throw err;
  }
  if (baseline?.policyMismatch) io.stderr.write(`picklegate: warning: the baseline was written with policy ${baseline.policyMismatch}, this scan uses ${prepared.policyName}\n`);
  const judged = new Map<FileResult, import('./baseline').BaselineVerdict>();

  const planned: import('../containers/scan-paths').PlannedFile[] = [];
  for await (const p of planFiles(paths, o.followSymlinks ?? false)) planned.push(p);
  if (paths.filter((p) => p === '-').length > 1) throw new UsageError('stdin (-) can be given only once');

  const toStdout = !o.output;
  const textColors = colorsFor(toStdout ? io.stdout : {}, io.env, toStdout ? o.color : false);
  const textOpts = { colors: textColors, verbose: !!o.verbose, quiet: !!o.quiet };
  const { renderFile, renderSummary } = await import('./render-text');
  const { summarize } = await import('./summary');

  let bytes = 0;
  const wantProgress = o.format === 'text' && !o.quiet && o.progress !== false && !!io.stderr.isTTY && io.stderr === process.stderr;
  if (wantProgress) for (const p of planned) if (!('error' in p) && p.path !== '-') bytes += (await fs.promises.stat(p.path).catch(() => ({ size: 0 }))).size;
  const { startProgress } = await import('./progress');
  const progress = startProgress(wantProgress, planned.length, bytes);
  const streamText = o.format === 'text' && toStdout && !wantProgress;
  const errColors = colorsFor(io.stderr, io.env, o.color);

  // --format html: the listings of the pickle streams, collected as they are scanned
  const html = o.format === 'html' ? new (await import('./render-html')).ListingCollector() : null;
  const results: FileResult[] = [];
  let text = '';
  for (const p of planned) {
    let r: FileResult;
    html?.startFile(results.length);
    if ('error' in p) r = errorResult(p.path, p.error.code, p.error.message);
    else if (p.path === '-') r = html ? await scanStream(process.stdin, prepared, { path: '-', name: '<stdin>', onPickle: html.onPickle }) : await scanStdin(prepared);
    else r = await scanFile(p.path, prepared, html?.onPickle);
    results.push(r);
    const b = baseline ? await baseline.judge(r) : undefined;
    if (b) judged.set(r, b);
    progress.tick(r.path);
    if (r.error) io.stderr.write(`${errColors.magenta('picklegate:')} ${r.path}: ${r.error.message}\n`);
    if (o.format === 'text') {
      const chunk = renderFile(r, textOpts, b?.baselined);
      if (streamText) io.stdout.write(chunk);
      else text += chunk;
    }
  }
  progress.stop();
  const summary = summarize(results, o.failOn, baseline ? judged : undefined);
  let exitCode = baseline ? exitCodeFor(results, o.failOn, (r) => judged.get(r)!.fails) : exitCodeFor(results, o.failOn);
  if (baseline) {
    try {
      const note = await baseline.finish(prepared.policyName, toolVersion());
      if (note) io.stderr.write(`picklegate: ${note}\n`);
    } catch (err) {
      if (!(err instanceof BaselineError)) throw err;
      io.stderr.write(`picklegate: ${err.message}\n`);
      exitCode = exitCode === EXIT_OK ? EXIT_ERROR : exitCode;
    }
  }
  let out: string;
  if (o.format === 'json' || o.format === 'html') {
    const { renderJson, JSON_REPORT_VERSION } = await import('./render-json');
    const doc = { version: JSON_REPORT_VERSION, tool: { name: 'picklegate' as const, version: toolVersion() }, policy: prepared.policyName, files: results, summary: { ...summary, exitCode } };
    if (o.format === 'json') out = renderJson(doc);
    else {
      const { renderHtml } = await import('./render-html');
      try {
        out = renderHtml(doc, html!);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    }
  } else if (o.format === 'sarif') {
    const { renderSarif } = await import('./render-sarif');
    out = renderSarif(results, toolVersion(), exitCode, io.cwd, baseline?.comparing ? (o.baseline ?? o.writeBaseline) : undefined);
  } else out = text + renderSummary(summary, textOpts);
  if (o.output) {
    try {
      fs.writeFileSync(o.output, out);
    } catch (err) {
      io.stderr.write(`picklegate: cannot write ${o.output}: ${(err as Error).message}\n`);
      return exitCode === EXIT_OK ? EXIT_ERROR : exitCode;
    }
  } else io.stdout.write(out);
  return exitCode;
}

async function runDisasm(file: string, o: { policy: string; color?: boolean }, io: CliIO): Promise<number> {
  const { scanFile, scanStream } = await import('../containers/scan-file');
  const { readAll } = await import('../pickle/source');
  const { disassemble } = await import('./disasm');
  const policy = await loadPolicy(o.policy);
  const c = colorsFor(io.stdout, io.env, o.color);
  let found = 0;
  let rejected = false;
  // every pickle stream the scan walks (raw, compressed, .npy payloads, archive members, polyglot
  // halves), listed while its source is open
  const onPickle = (p: import('../containers/walk').ScannedPickle) => {
    found++;
    rejected ||= !p.report.accepted;
    let bytes = readAll(p.src);
    // a legacy torch file's pickles end where its raw storages begin
    const ends = p.report.pickles.map((k) => k.end - p.base);
    if (ends.length > 0 && p.report.pickles.every((k) => k.complete)) bytes = bytes.subarray(0, Math.max(...ends));
    io.stdout.write(`${c.bold('== ' + p.path.join(' > '))}\n`);
    io.stdout.write(disassemble(bytes, p.report, c, p.base));
  };
  const r = file === '-' ? await scanStream(process.stdin, { policy }, { onPickle }) : await scanFile(file, { policy }, onPickle);
  if (r.error) {
    io.stderr.write(`picklegate: ${file}: ${r.error.message}\n`);
    return EXIT_ERROR;
  }
  if (found === 0) {
    io.stderr.write(`picklegate: ${file}: no pickle found to disassemble (use \`picklegate scan\` for a full check)\n`);
    return EXIT_ERROR;
  }
  return rejected ? 1 : EXIT_OK;
}

async function runPolicy(action: string, arg: string | undefined, io: CliIO, o: { format?: string; output?: string } = {}): Promise<number> {
  const registry = await import('../policy/registry');
  if (action === 'list') {
    for (const p of registry.listPolicies()) io.stdout.write(`${p.name.padEnd(18)} ${String(p.rules).padStart(4)} rules  ${p.description}\n`);
    return EXIT_OK;
  }
  if (!arg) throw new UsageError(`policy ${action} needs an argument`);
  try {
    if (action === 'show') {
      const policy = await loadPolicy(arg);
      io.stdout.write(JSON.stringify(policy.spec, null, 2) + '\n');
      return EXIT_OK;
    }
    if (action === 'export') {
      const policy = await loadPolicy(arg);
      if (o.format !== 'python') throw new UsageError(`policy export: unknown format ${JSON.stringify(o.format)} (python)`);
      const { exportPython } = await import('../policy/export/python');
      const text = exportPython(policy, { toolVersion: toolVersion() });
      if (o.output) fs.writeFileSync(o.output, text);
      else io.stdout.write(text);
      return EXIT_OK;
    }
    if (action === 'check') {
      const policy = await registry.loadPolicyFile(arg);
      io.stdout.write(`ok: ${arg} is a valid policy (${policy.name}, ${policy.spec.rules.length} rules)\n`);
      return EXIT_OK;
    }
  } catch (err) {
    if ((err as Error).name === 'PolicyError' || err instanceof UsageError) {
      io.stderr.write(`picklegate: invalid policy ${arg}:\n${(err as Error).message}\n`);
      return EXIT_ERROR;
    }
    throw err;
  }
  throw new UsageError(`unknown policy action ${JSON.stringify(action)} (list, show NAME, check FILE, export NAME --format python)`);
}

function buildProgram(io: CliIO, setCode: (c: number) => void): Command {
  const program = new Command('picklegate')
    .description('Static scanner for Python pickles and the model files that hold them (never unpickles anything).')
    .version(toolVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run picklegate help for usage)');

  const scanCmd = program
    .command('scan')
    .description('scan files, directories (recursively) or stdin (-); exit 0 all accepted, 1 something rejected, 2 could not check a file')
    .argument('<path...>', 'files, directories, or - for stdin')
    .option('--policy <name|file>', 'built-in policy name or JSON policy file', 'default')
    .addOption(new Option('--format <format>', 'output format (html: one self-contained file)').choices(['text', 'json', 'sarif', 'html']).default('text'))
    .addOption(new Option('--fail-on <level>', 'exit 1 when a file is not accepted (suspicious) or only when dangerous').choices(['suspicious', 'dangerous']).default('suspicious'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('-q, --quiet', 'text: list only rejected files and errors, no summary')
    .option('-v, --verbose', 'text: show every global and call, and info findings')
    .option('--follow-symlinks', 'follow symbolic links that leave a scanned directory')
    .option('--baseline <file>', 'fail only on files and findings this baseline does not record (see --write-baseline)')
    .option('--write-baseline <file>', 'record each file with findings (its SHA-256 and findings) in a baseline file; this scan is accepted (exit 0)')
    .option('--no-progress', 'never show a progress bar')
    .option('--color', 'force colour')
    .option('--no-color', 'no colour');
  for (const k of CONTAINER_LIMIT_KEYS) {
    const parse = SIZE_KEYS.has(k) ? parseSize : parseCount;
    scanCmd.option(`${flagOf(k)} <${SIZE_KEYS.has(k) ? 'bytes' : 'n'}>`, `container limit (default ${DEFAULT_CONTAINER_LIMITS[k]})`, parse);
  }
  for (const k of CORE_LIMIT_KEYS) scanCmd.option(`${flagOf(k)} <n>`, `scanner limit (default ${DEFAULT_LIMITS[k]})`, parseCount);
  scanCmd.action(async (paths: string[], o: ScanCliOptions) => setCode(await runScan(paths, o, io)));

  program
    .command('disasm')
    .description('annotated disassembly of the pickles in a file (raw, compressed, .npy, or zip members)')
    .argument('<file>', 'file, or - for stdin')
    .option('--policy <name|file>', 'policy used for the annotations', 'default')
    .option('--color', 'force colour')
    .option('--no-color', 'no colour')
    .action(async (file: string, o: { policy: string; color?: boolean }) => setCode(await runDisasm(file, o, io)));

  program
    .command('policy')
    .description('policy list | policy show NAME|FILE | policy check FILE | policy export NAME|FILE --format python')
    .argument('<action>', 'list, show, check or export')
    .argument('[name]', 'policy name or file')
    .addOption(new Option('--format <format>', 'export: what to write (python: a stdlib-only restricted unpickler for Python 2.7 and 3.6-3.13)').choices(['python']).default('python'))
    .option('-o, --output <file>', 'export: write to a file instead of stdout')
    .action(async (action: string, name: string | undefined, o: { format?: string; output?: string }) => setCode(await runPolicy(action, name, io, o)));
  return program;
}

/** Run the CLI with `argv` (without node and script), return the exit code. */
export async function main(argv: readonly string[], io: CliIO = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram(io, (c) => (code = c));
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return EXIT_ERROR;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT_OK;
      return EXIT_ERROR;
    }
    if (err instanceof UsageError) {
      io.stderr.write(`picklegate: ${err.message}\n`);
      return EXIT_ERROR;
    }
    io.stderr.write(`picklegate: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    return EXIT_ERROR;
  }
}
