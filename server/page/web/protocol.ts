/** What the page's main thread and its scan worker say to each other, and the shapes the views render. */
import type { JsonReport } from '../../../src/cli/render-json';
import type { ListingRow, StreamInfo } from '../../../src/cli/listing';

export type { JsonReport, ListingRow, StreamInfo };
export type FileResult = JsonReport['files'][number];
export type MemberResult = FileResult['members'][number];
export type Finding = FileResult['findings'][number];

/** Rows of a listing, fetched by index (the page asks the worker; the HTML report has them embedded). */
export interface ListingProvider {
  streams: StreamInfo[];
  /** Offsets of every listed opcode of a stream (for positioning and jumps), when known. */
  positions(stream: number): Promise<Float64Array>;
  rows(stream: number, from: number, count: number): Promise<ListingRow[]>;
}

/** The scan of a file as the page shows it: the CLI's JSON document plus the listings. */
export interface ScanOutcome {
  doc: JsonReport;
  streams: StreamInfo[];
  /** Where the scan ran. */
  where: 'browser' | 'service';
  /** Milliseconds from the file being given to the result. */
  ms?: number;
}

export type ToWorker =
  | { type: 'scan'; id: number; file: Blob; name: string; policy: string }
  | { type: 'index'; id: number; file: Blob; name: string; result: FileResult }
  | { type: 'positions'; id: number; stream: number }
  | { type: 'rows'; id: number; stream: number; from: number; count: number };

export type FromWorker =
  | { type: 'ready'; policies: { name: string; description: string }[]; version: string }
  | { type: 'progress'; id: number; phase: 'reading' | 'scanning' | 'listing'; done: number; total: number }
  | { type: 'result'; id: number; doc: JsonReport; streams: StreamInfo[] }
  | { type: 'positions'; id: number; positions: Float64Array }
  | { type: 'rows'; id: number; rows: ListingRow[] }
  | { type: 'error'; id: number; message: string };
