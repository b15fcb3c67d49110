/**
 * Baselines (`picklegate scan --write-baseline FILE`, `--baseline FILE`), as detect-secrets and semgrep
 * have them: a repository full of legacy checkpoints records what it has reviewed (each file's SHA-256
 * and its findings) and from then on fails only on what is new.
 *
 * - A file that is not in the baseline, or whose SHA-256 differs from the recorded one, is judged in
 *   full: none of its findings are baselined.
 * - A file whose digest matches has each finding looked up by `code`, `rule`, `offset` and the path
 *   inside the file; the ones found are baselined (`baselined: true` in the output) and do not make
 *   the command fail. A finding that was not there when the baseline was written (a new rule of a
 *   newer picklegate, a stricter policy) still does.
 *
 * Paths in the baseline are relative to the directory of the baseline file, so the same baseline
 * works from any working directory (CI, pre-commit, a developer's shell).
 */
import { crypto } from '../lazy';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileResult } from '../containers/result';
import { SEVERITY_RANK, type Finding } from '../report/findings';
import type { Baseline, BaselineFile, BaselineFinding } from './baseline-schema';
import type { FailOn } from './exit-codes';

export type { Baseline, BaselineFile, BaselineFinding };

export const BASELINE_VERSION = 1 as const;

/** Thrown for a baseline that cannot be read or is not valid (exit 2). */
export class BaselineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaselineError';
  }
}

/** SHA-256 of a whole file, streamed (a checkpoint may be many gigabytes). */
export async function sha256File(file: string): Promise<string> {
  const hash = crypto().createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A scanned path as the baseline spells it: relative to the baseline's directory, `/`-separated. */
export function baselinePath(file: string, baseDir: string, cwd: string): string {
  return path.relative(baseDir, path.resolve(cwd, file)).split(path.sep).join('/');
}

/** What identifies a finding across scans of the same bytes: code, rule, offset, and where inside the file. */
export function findingKey(f: Pick<Finding, 'code' | 'rule' | 'offset' | 'path'>): string {
  return JSON.stringify([f.code, f.rule, f.offset, (f.path ?? []).slice(1)]);
}

/** The findings a baseline records for a file: every one above info. */
function recordable(r: FileResult): Finding[] {
  return r.findings.filter((f) => f.severity !== 'info');
}

/** Reads and validates a baseline; `file` is shown in messages as given, read relative to `cwd`. */
export async function readBaseline(file: string, cwd = process.cwd()): Promise<Baseline> {
  let text: string;
  try {
    text = await fs.promises.readFile(path.resolve(cwd, file), 'utf8');
  } catch (e) {
    throw new BaselineError(`cannot read baseline ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new BaselineError(`baseline ${file} is not valid JSON: ${(e as Error).message}`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parseBaseline } = require('./baseline-schema') as typeof import('./baseline-schema');
  const r = parseBaseline(json);
  if (!r.ok) throw new BaselineError(`invalid baseline ${file}:\n${r.issues.map((i) => `  - ${i}`).join('\n')}`);
  return r.baseline;
}

export function renderBaseline(b: Baseline): string {
  return JSON.stringify(b, null, 2) + '\n';
}

/** How a file stands against the baseline. */
export type BaselineStatus =
  /** not in the baseline */
  | 'new'
  /** in the baseline with another SHA-256: judged in full */
  | 'changed'
  /** in the baseline with the same SHA-256 */
  | 'unchanged';

/** What the command makes of one file once the baseline is applied. */
export interface BaselineVerdict {
  status: BaselineStatus;
  /** The file makes the command fail (exit 1). */
  fails: boolean;
  /** The policy does not accept the file, but every finding that would make it fail is baselined. */
  baselined: boolean;
}

/** Is the file rejected by `--fail-on`, ignoring the findings in `skip`? */
function failing(r: FileResult, failOn: FailOn, acceptRank: number, skip: ReadonlySet<Finding>): boolean {
  if (r.error) return false;
  const rejected = failOn === 'dangerous' ? r.verdict === 'dangerous' : !r.accepted;
  if (!rejected) return false;
  if (skip.size === 0) return true;
  return r.findings.some((f) => !skip.has(f) && (failOn === 'dangerous' ? f.severity === 'dangerous' : SEVERITY_RANK[f.severity] > acceptRank));
}

export interface BaselineOptions {
  /** `--baseline FILE`: fail only on what it does not record. */
  baseline?: string;
  /** `--write-baseline FILE`: record this scan. */
  writeBaseline?: string;
  cwd: string;
  failOn: FailOn;
  /** 0 when the policy accepts only safe files, 1 when it accepts suspicious ones. */
  acceptRank: number;
}

/**
 * One scan's use of baselines. `judge` is called for each file as soon as it is scanned (text output
 * streams), marks the findings the baseline records (`baselined: true` on the result's own finding
 * objects, which its members share) and says whether the file fails; `finish` writes `--write-baseline`.
 *
 * With `--write-baseline` alone, the scan accepts its own state: every finding above info is recorded
 * and marked, and the command exits 0 (2 when a file could not be checked). With `--baseline` as well,
 * the old baseline decides what is marked and the exit code, and the new one is written besides.
 */
export class BaselineSession {
  private readonly digests = new Map<string, string>();
  private readonly entries: BaselineFile[] = [];
  private readonly skipped: string[] = [];
  private readonly byPath: Map<string, BaselineFile> | null;

  private constructor(
    private readonly o: BaselineOptions,
    old: Baseline | null,
    /** The policy of the old baseline, when it differs from this scan's. */
    readonly policyMismatch: string | null,
  ) {
    this.byPath = old ? new Map(old.files.map((f) => [f.path, f])) : null;
  }

  static async open(o: BaselineOptions, policy: string): Promise<BaselineSession | null> {
    if (!o.baseline && !o.writeBaseline) return null;
    const old = o.baseline ? await readBaseline(o.baseline, o.cwd) : null;
    return new BaselineSession(o, old, old && old.policy !== policy ? old.policy : null);
  }

  /** The files' statuses count against an old baseline (so the output says which findings are baselined). */
  get comparing(): boolean {
    return this.byPath !== null || !!this.o.writeBaseline;
  }

  private async digest(file: string): Promise<string | null> {
    const abs = path.resolve(this.o.cwd, file);
    let d = this.digests.get(abs);
    if (d === undefined) {
      try {
        d = await sha256File(abs);
      } catch {
        return null;
      }
      this.digests.set(abs, d);
    }
    return d;
  }

  private rel(file: string, baselineFile: string): string {
    return baselinePath(file, path.dirname(path.resolve(this.o.cwd, baselineFile)), this.o.cwd);
  }

  async judge(r: FileResult): Promise<BaselineVerdict> {
    const { failOn, acceptRank } = this.o;
    const recorded = r.error ? [] : recordable(r);
    if (this.o.writeBaseline && recorded.length) {
      const digest = r.path === '-' ? null : await this.digest(r.path);
      if (digest === null) this.skipped.push(r.path);
      else
        this.entries.push({
          path: this.rel(r.path, this.o.writeBaseline),
          sha256: digest,
          verdict: r.verdict,
          findings: recorded.map((f) => ({ code: f.code, rule: f.rule, severity: f.severity, offset: f.offset, message: f.message, path: f.path ?? [path.basename(r.path)] })),
        });
    }
    const fullyFailing = failing(r, failOn, acceptRank, new Set());
    if (!this.byPath) {
      // --write-baseline alone: this scan's state is accepted
      if (!this.o.writeBaseline) return { status: 'new', fails: fullyFailing, baselined: false };
      for (const f of recorded) f.baselined = true;
      return { status: 'unchanged', fails: false, baselined: fullyFailing };
    }
    const entry = r.path === '-' || r.error ? undefined : this.byPath.get(this.rel(r.path, this.o.baseline!));
    if (!entry) return { status: 'new', fails: fullyFailing, baselined: false };
    if ((await this.digest(r.path)) !== entry.sha256) return { status: 'changed', fails: fullyFailing, baselined: false };
    const known = new Set(entry.findings.map(findingKey));
    const marked = new Set<Finding>();
    for (const f of recorded) {
      if (known.has(findingKey(f))) {
        marked.add(f);
        f.baselined = true;
      }
    }
    const fails = failing(r, failOn, acceptRank, marked);
    return { status: 'unchanged', fails, baselined: fullyFailing && !fails };
  }

  /** Writes `--write-baseline` (when asked); returns a line for stderr. Throws BaselineError when it cannot be written. */
  async finish(policy: string, toolVersion: string): Promise<string | null> {
    if (!this.o.writeBaseline) return null;
    const files = [...this.entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const baseline: Baseline = { version: BASELINE_VERSION, tool: { name: 'picklegate', version: toolVersion }, policy, files };
    try {
      await fs.promises.writeFile(path.resolve(this.o.cwd, this.o.writeBaseline), renderBaseline(baseline));
    } catch (e) {
      throw new BaselineError(`cannot write baseline ${this.o.writeBaseline}: ${(e as Error).message}`);
    }
    const findings = files.reduce((n, f) => n + f.findings.length, 0);
    const skipped = this.skipped.length ? `; not recorded (no file to digest): ${this.skipped.join(', ')}` : '';
    return `baseline written to ${this.o.writeBaseline}: ${files.length} file${files.length === 1 ? '' : 's'}, ${findings} finding${findings === 1 ? '' : 's'}${skipped}`;
  }
}
