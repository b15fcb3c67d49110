/**
 * The access log line of one request (`request completed` / `request aborted`), written through the
 * service's pino logger. When the logger is a plain one (no mixin, hooks, log formatter, serializers
 * or redaction of the line's keys, no nested key or message prefix, no stream asking for metadata, no
 * subscriber to pino's `pino_asJson` diagnostics channel) the line is built here, by hand: the same text
 * pino would write for `logger[level]({ req, res, responseTime, scan, aborted? }, msg)` (level, time,
 * the logger's bindings, the fields, the message; test/server/access-log.test.ts compares the two),
 * without pino's generic walk over the object and its nested JSON.stringify calls. The lines of one turn
 * of the event loop go to the logger's own destination in one write (see LineBatch). Any other logger
 * gets pino's generic call.
 */
import { tracingChannel } from 'node:diagnostics_channel';
import pino from 'pino';
import type { Logger } from 'pino';
import type { BodyReport } from './scan-body';

export type AccessLevel = 'info' | 'warn' | 'error';

/** What one access line says. */
export interface AccessFields {
  id: string;
  method: string | undefined;
  url: string | undefined;
  remoteAddress: string | undefined;
  statusCode: number;
  responseTime: number;
  /** The body's report, when the request was scanned. */
  report: BodyReport | undefined;
  /** False when the response closed before it finished (`aborted: true`, `request aborted`). */
  finished: boolean;
}

/** The `scan` field of an access line: never body bytes, only the verdict and the finding codes. */
export function scanSummary(report: BodyReport | undefined): Record<string, unknown> | undefined {
  if (!report) return undefined;
  return { verdict: report.verdict, accepted: report.accepted, policy: report.policy, format: report.format, size: report.size, codes: [...new Set(report.findings.map((f) => f.code))], timeMs: report.timeMs };
}

const COMPLETED = 'request completed';
const ABORTED = 'request aborted';
const COMPLETED_JSON = JSON.stringify(COMPLETED);
const ABORTED_JSON = JSON.stringify(ABORTED);

/** The object pino's generic path is given (the hand-written line writes the same). */
export function accessObject(f: AccessFields): Record<string, unknown> {
  return {
    req: { id: f.id, method: f.method, url: f.url, remoteAddress: f.remoteAddress },
    res: { statusCode: f.statusCode },
    responseTime: f.responseTime,
    scan: scanSummary(f.report),
    ...(f.finished ? {} : { aborted: true }),
  };
}

export const accessMessage = (f: Pick<AccessFields, 'finished'>): string => (f.finished ? COMPLETED : ABORTED);

const S = pino.symbols as typeof pino.symbols & { msgPrefixSym: symbol };
/** The keys of the line's object: a serializer or a redaction of any of them goes through pino. */
const KEYS = ['req', 'res', 'responseTime', 'scan', 'aborted'];
const asJsonChannel = tracingChannel('pino_asJson');

type Internals = Record<symbol, unknown>;

/** True when pino would write the line exactly as `line` builds it (see the file comment). */
export function plainLogger(logger: Logger): boolean {
  const l = logger as unknown as Internals;
  const hooks = l[S.hooksSym] as { logMethod?: unknown; streamWrite?: unknown } | undefined;
  const formatters = l[S.formattersSym] as { log?: unknown } | undefined;
  const serializers = (l[S.serializersSym] ?? {}) as Record<string, unknown>;
  const stringifiers = (l[S.stringifiersSym] ?? {}) as object;
  const stream = l[S.streamSym] as ({ write?: unknown } & Record<symbol, unknown>) | undefined;
  const messageKey = l[S.messageKeySym];
  return (
    !l[S.mixinSym] &&
    !hooks?.logMethod &&
    !hooks?.streamWrite &&
    !formatters?.log &&
    !KEYS.some((k) => serializers[k] !== undefined) &&
    typeof messageKey === 'string' &&
    serializers[messageKey] === undefined &&
    Reflect.ownKeys(stringifiers).length === 0 &&
    !l[S.nestedKeySym] &&
    l[S.msgPrefixSym] === undefined &&
    typeof l[S.timeSym] === 'function' &&
    typeof l[S.chindingsSym] === 'string' &&
    typeof l[S.endSym] === 'string' &&
    (['info', 'warn', 'error'] as const).every((level) => typeof (l[S.lsCacheSym] as Record<number, unknown> | undefined)?.[logger.levels.values[level]!] === 'string') &&
    typeof stream?.write === 'function' &&
    stream[S.needsMetadataGsym] !== true
  );
}

/** JSON.stringify of a string: directly in quotes when nothing in it needs escaping (printable ASCII without `"` or `\\`). */
function jsonString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return JSON.stringify(s);
  }
  return '"' + s + '"';
}

/** A value as pino writes a top-level or nested JSON value (JSON.stringify, with shortcuts for the common types). */
function json(v: unknown): string | undefined {
  switch (typeof v) {
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      return jsonString(v);
    default:
      return JSON.stringify(v);
  }
}

/** `acc` plus `"key":value` (a comma first unless `acc` is empty); nothing for a value JSON would leave out. */
function prop(acc: string, key: string, v: unknown): string {
  const j = json(v);
  if (j === undefined) return acc;
  return acc === '' ? `"${key}":${j}` : `${acc},"${key}":${j}`;
}

/** The finding codes of a report, each once, in order of first appearance, as a JSON array. */
function codesJson(report: BodyReport): string {
  const findings = report.findings;
  if (findings.length === 0) return '[]';
  const seen: string[] = [];
  for (const f of findings) if (!seen.includes(f.code)) seen.push(f.code);
  let out = '[';
  for (let i = 0; i < seen.length; i++) out += (i === 0 ? '' : ',') + jsonString(seen[i]!);
  return out + ']';
}

/**
 * The text pino writes for the access line at level `num`, built by hand (only for a logger
 * plainLogger accepts).
 */
export function accessLine(logger: Logger, num: number, f: AccessFields): string {
  const l = logger as unknown as Internals;
  let req = prop('', 'id', f.id);
  req = prop(req, 'method', f.method);
  req = prop(req, 'url', f.url);
  req = prop(req, 'remoteAddress', f.remoteAddress);
  let s = (l[S.lsCacheSym] as Record<number, string>)[num]! + (l[S.timeSym] as () => string)() + (l[S.chindingsSym] as string);
  s += `,"req":{${req}},"res":{"statusCode":${json(f.statusCode)}},"responseTime":${json(f.responseTime)}`;
  const r = f.report;
  if (r) {
    let scan = prop('', 'verdict', r.verdict);
    scan = prop(scan, 'accepted', r.accepted);
    scan = prop(scan, 'policy', r.policy);
    scan = prop(scan, 'format', r.format);
    scan = prop(scan, 'size', r.size);
    scan += `${scan === '' ? '' : ','}"codes":${codesJson(r)}`;
    scan = prop(scan, 'timeMs', r.timeMs);
    s += `,"scan":{${scan}}`;
  }
  if (!f.finished) s += ',"aborted":true';
  return s + ',"' + (l[S.messageKeySym] as string) + '":' + (f.finished ? COMPLETED_JSON : ABORTED_JSON) + (l[S.endSym] as string);
}

/** What the access log writes to: pino's destination (sonic-boom for the service, any stream in tests). */
interface Destination {
  write(text: string): unknown;
  flushSync?: () => void;
}

/** A batch is written once it holds this many characters, else at the end of the turn of the event loop. */
const BATCH_CHARS = 16 * 1024;

/** Batches holding lines not yet given to their destination (written at exit: see flushAtExit). */
const unwritten = new Set<LineBatch>();
let exitHook = false;

/**
 * Access lines of one turn of the event loop, given to the destination in one write. pino's
 * asynchronous destination (sonic-boom) measures the text it holds at every write, so one write per
 * turn instead of one per line spares it most of that work. A line waits at most for the end of the turn
 * (setImmediate); lines still waiting when the process exits are written then, synchronously.
 */
class LineBatch {
  private text = '';
  private scheduled = false;

  constructor(private readonly stream: Destination) {
    if (!exitHook) {
      exitHook = true;
      process.on('exit', flushAtExit);
    }
  }

  add(line: string): void {
    if (this.text === '') unwritten.add(this);
    this.text += line;
    if (this.text.length >= BATCH_CHARS) this.write();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Gives the lines to the destination. */
  write(): void {
    const text = this.text;
    if (text === '') return;
    this.text = '';
    unwritten.delete(this);
    this.stream.write(text);
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    this.write();
  };

  /** At exit: the lines, then the destination's own synchronous flush (pino's exit handler may have run before). */
  writeSync(): void {
    this.write();
    this.stream.flushSync?.();
  }
}

/** HeldLines holding lines not yet given to their destination. */
const heldAtExit = new Set<HeldLines>();

function flushAtExit(): void {
  for (const batch of [...unwritten, ...heldAtExit]) {
    try {
      if (batch instanceof HeldLines) batch.flushSync();
      else batch.writeSync();
    } catch {
      // a destination already closed at exit: nothing more can be written
    }
  }
}

/** What HeldLines writes to: pino's asynchronous destination (sonic-boom). */
interface AsyncDestination {
  write(text: string): unknown;
  flush(cb?: (err?: Error) => void): void;
  flushSync(): void;
  end(): void;
}

/** Destinations that are HeldLines (accessLog writes to them line by line: they batch by themselves). */
const heldDestinations = new WeakSet<object>();

/**
 * A logger's destination that holds its lines (pino's own and the access lines alike, in the order
 * written) until they make `batchChars` characters or `flushMs` have passed, then gives them to the
 * asynchronous destination in one write. sonic-boom measures and copies the whole text it holds at
 * every write, so lines given to it one turn of the event loop at a time cost more the more it holds
 * (a few lines per turn under load, 32 KiB held); given in whole batches, it measures each once.
 * `flush`, `flushSync` and `end` write the held lines first; so does the process's exit.
 */
export class HeldLines {
  private text = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dest: AsyncDestination,
    private readonly batchChars: number,
    private readonly flushMs: number,
  ) {
    heldDestinations.add(this);
    if (!exitHook) {
      exitHook = true;
      process.on('exit', flushAtExit);
    }
  }

  write(text: string): boolean {
    if (this.text === '') heldAtExit.add(this);
    this.text += text;
    if (this.text.length >= this.batchChars) this.push();
    else if (this.timer === undefined) this.timer = setTimeout(this.pushAndFlush, this.flushMs).unref();
    return true;
  }

  /** Gives the held lines to the destination (which writes them once it holds its minimum, or on flush). */
  private push(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const text = this.text;
    if (text === '') return;
    this.text = '';
    heldAtExit.delete(this);
    this.dest.write(text);
  }

  private readonly pushAndFlush = (): void => {
    this.timer = undefined;
    this.push();
    this.dest.flush();
  };

  flush(cb?: (err?: Error) => void): void {
    this.push();
    this.dest.flush(cb);
  }

  flushSync(): void {
    this.push();
    this.dest.flushSync();
  }

  end(): void {
    this.push();
    this.dest.end();
  }
}

/** The access log of one logger (see accessLog). */
export interface AccessLog {
  /** Whether lines of `level` are written (check it before gathering a line's fields). */
  enabled(level: AccessLevel): boolean;
  /** Writes the access line of one request at `level` (an enabled one). */
  write(level: AccessLevel, f: AccessFields): void;
}

/**
 * The access log of a logger. For a plain logger (checked once, here) the line is built by hand and the
 * lines of a turn of the event loop are given to the logger's destination together; any other logger
 * gets pino's generic call.
 */
export function accessLog(logger: Logger): AccessLog {
  const plain = plainLogger(logger);
  const values = logger.levels.values;
  const stream = (logger as unknown as Internals)[S.streamSym] as Destination;
  // a HeldLines destination batches by itself: each line goes to it at once, in order with pino's own lines
  const batch: Pick<LineBatch, 'add'> | null = !plain ? null : heldDestinations.has(stream) ? { add: (line: string) => stream.write(line) } : new LineBatch(stream);
  return {
    enabled: (level) => logger.isLevelEnabled(level),
    write(level, f) {
      if (batch && !asJsonChannel.hasSubscribers) batch.add(accessLine(logger, values[level]!, f));
      else logger[level](accessObject(f), accessMessage(f));
    },
  };
}
