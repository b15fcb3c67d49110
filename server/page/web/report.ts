/**
 * The self-contained HTML report (`picklegate scan --format html`): the page's views over the scan
 * results embedded in the file as JSON, with the opcode listings of small pickle streams embedded too.
 * Loads nothing.
 */
import type { JsonReport, ListingProvider, ListingRow, StreamInfo } from './protocol';
import { h } from './render/dom';
import { renderDocument } from './render/view';

/** What render-html.ts embeds. */
export interface EmbeddedReport {
  doc: JsonReport;
  streams: StreamInfo[];
  /** Rows by stream id, as [pos, level, op, arg]. */
  rows: Record<string, [number, number, string, string][]>;
  generated: string;
}

function main(): void {
  const el = document.getElementById('picklegate-data');
  const root = document.getElementById('results');
  if (!el || !root) return;
  const data = JSON.parse(el.textContent ?? '{}') as EmbeddedReport;
  const rowsOf = (stream: number): ListingRow[] => (data.rows[String(stream)] ?? []).map(([pos, level, op, arg]) => ({ pos, level, op, arg }));
  const cache = new Map<number, ListingRow[]>();
  const get = (stream: number): ListingRow[] => {
    let r = cache.get(stream);
    if (!r) cache.set(stream, (r = rowsOf(stream)));
    return r;
  };
  const provider: ListingProvider = {
    streams: data.streams,
    positions: async (stream) => Float64Array.from(get(stream).map((r) => r.pos)),
    rows: async (stream, from, count) => get(stream).slice(from, from + count),
  };
  renderDocument(root, data.doc, data.streams, provider, {
    mode: 'report',
    provenance: h('span', null, `Report written by picklegate ${data.doc.tool.version} on ${data.generated}. This file is self-contained: it loads nothing.`),
  });
  document.body.dataset.state = 'done';
}

main();
