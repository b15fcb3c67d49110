/**
 * What a format module is. Each format picklegate recognises is one `StreamReader` (readers/*.ts),
 * listed once in the registry (registry.ts): `detect` looks at a probe of the stream (its first
 * bytes, its size, its name), `read` reads the stream and hands what it finds to a `Visit`:
 * findings, pickle streams to scan, members or decoded streams to walk in turn. The walker (scan)
 * and `picklegate disasm` both read every stream through the registry; the visit is the walker's.
 */
import type { ByteSource } from '../pickle/source';
import type { Report } from '../report/report';
import type { RuleArgs, RuleId } from '../report/rules';
import type { Anomaly } from './anomaly';
import type { Codec, DecodedSource, DecompressError } from './decode';
import type { ContainerLimits } from './limits';
import type { Format } from './formats';

/** What detection sees of a stream. */
export interface Probe {
  /** Its first bytes (up to SNIFF_BYTES; fewer only when the stream is shorter). */
  readonly head: Uint8Array;
  /** Its size when known without reading it (files, members); undefined for decoded streams. */
  readonly size: number | undefined;
  /** Its name (file or member name); a hint only. */
  readonly name: string;
  /** Its size, reading a decoded stream to its end if needed. */
  sizeNow(): number;
  /** Whether a zip end-of-central-directory record sits at its end (reads the end). */
  hasZipEnd(): boolean;
}

/** How a reader's format behaves. */
export type ReaderKind =
  /** a pickle stream (possibly in a layout of its own) */
  | 'pickle'
  /** holds members (zip, tar) */
  | 'archive'
  /** one compressed stream */
  | 'compressed'
  /** an array format that may hold a pickle (.npy) */
  | 'array'
  /** cannot hold a pickle where a loader would find it (text, safetensors, ...) */
  | 'inert'
  /** recognised but not opened: never verified */
  | 'unsupported';

/** Options of a pickle scan inside a stream. */
export interface PickleScan {
  /** Offset of the pickle stream within this stream (offsets in findings are shifted by it). */
  baseOffset?: number;
  /** Scan only the first N pickles (legacy torch files: raw storages follow). */
  stopAfter?: number;
}

/** What a reader reports to: the walker's node for this stream. */
export interface Visit {
  readonly name: string;
  readonly path: readonly string[];
  readonly limits: ContainerLimits;
  /** A finding about this stream (or about one of its members, by name). */
  add<R extends RuleId>(rule: R, args: RuleArgs<R>, offset: number | null, member?: string): void;
  anomaly(a: Anomaly): void;
  /** Relabel this stream (`torch-zip`, `npz`, ...). */
  setFormat(format: Format): void;
  /** Scan a pickle stream of this stream; null when the scanner failed (a finding was added). */
  pickle(src: ByteSource, opts?: PickleScan): Report | null;
  /** Walk a member or a decoded stream: detect its format and read it (one level deeper). */
  member(name: string, src: ByteSource, as?: StreamReader): void;
  /** Would a member with these first bytes be worth walking (not inert, or named like a pickle)? */
  worthWalking(head: Uint8Array, size: number, name: string): boolean;
  /** A member not walked (tensor storages, text). */
  skip(): void;
  /** Count `n` archive members against --max-members; returns how many may be examined. */
  countMembers(n: number): number;
  /** Members that may still be listed before --max-members is reached. */
  membersLeft(): number;
  /** A decoder over `input`, under this file's inflate budget and ratio cap. */
  decode(codec: Codec, input: ByteSource): DecodedSource;
  /** Bytes of inflate budget left for this file. */
  budgetLeft(): number;
}

/** The finding for a decoded stream that ended early (`what`: what was being decompressed). */
export function decodeFinding(v: Visit, err: DecompressError, what: string, offset: number | null, member?: string): void {
  const stop = err.stop;
  if (stop?.kind === 'restarts') v.add('LIMIT_EXCEEDED/decode-restarts', { what, max: stop.max }, offset, member);
  else if (stop?.kind === 'window') v.add('LIMIT_EXCEEDED/decode-window', { what, bytes: stop.bytes, max: stop.max }, offset, member);
  else if (stop?.kind === 'internal') v.add('ANALYSIS_ERROR/decoder-failed', { what, why: err.message }, offset, member);
  else v.add(err.limit ? 'LIMIT_EXCEEDED/inflate-limit' : 'CONTAINER_ANOMALY/corrupt-stream', { what, why: err.message }, offset, member);
}

export interface StreamReader {
  /** The format name reported for streams it reads. */
  readonly format: Format;
  readonly kind: ReaderKind;
  detect(probe: Probe): boolean;
  read(src: ByteSource, visit: Visit, probe: Probe): void;
}
