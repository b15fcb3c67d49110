/**
 * `picklegate scan --format html`: one self-contained HTML file, the natural artifact of a CI job.
 * It holds the JSON document of `--format json` and the triage page's own views (dist/page/report.js
 * and page.css, built by server/page/build.js), inlined: no network reference of any kind. The opcode
 * listings of pickle streams are embedded when small (see the EMBED_* limits) and left out with a note
 * otherwise; everything else (verdicts, findings, imports, calls, members) is always there.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ScannedPickle } from '../containers/walk';
import { readBytes } from '../pickle/source';
import { listingExtent, listingRows, type ListingError, type StreamInfo } from './listing';
import type { JsonReport } from './render-json';
import { summaryLine } from './summary';

/** A pickle stream's listing is embedded when the stream is at most this many bytes... */
export const EMBED_MAX_STREAM_BYTES = 2 * 1024 * 1024;
/** ... and up to this many of its opcodes ... */
export const EMBED_MAX_OPS = 50_000;
/** ... while the report holds at most this many rows in all. */
export const EMBED_MAX_TOTAL_OPS = 250_000;

type Row = [pos: number, level: number, op: string, arg: string];

/** Collects the listings of the pickle streams a scan walks (pass `onPickle` to scanFile / scanStream). */
export class ListingCollector {
  readonly streams: StreamInfo[] = [];
  readonly rows: Record<string, Row[]> = {};
  private file = 0;
  private total = 0;

  /** The next pickles belong to file `index` of the document. */
  startFile(index: number): void {
    this.file = index;
  }

  readonly onPickle = (p: ScannedPickle): void => {
    const id = this.streams.length;
    const known = p.src.size;
    const head = known === undefined ? readBytes(p.src, 0, EMBED_MAX_STREAM_BYTES + 1) : null;
    const size = known ?? head!.length;
    const extent = listingExtent(size, p.report.pickles, p.base);
    const info: StreamInfo = { id, file: this.file, path: [...p.path], base: p.base, bytes: extent, count: 0 };
    this.streams.push(info);
    if (extent > EMBED_MAX_STREAM_BYTES) {
      info.note = `opcode listing not embedded: the stream is ${known === undefined ? 'over ' : ''}${extent.toLocaleString('en-US')} bytes (run \`picklegate disasm\` for all of it)`;
      return;
    }
    if (this.total >= EMBED_MAX_TOTAL_OPS) {
      info.note = `opcode listing not embedded: the report already holds ${EMBED_MAX_TOTAL_OPS.toLocaleString('en-US')} rows (run \`picklegate disasm\`)`;
      return;
    }
    const bytes = head ? head.subarray(0, extent) : readBytes(p.src, 0, extent);
    const rows: Row[] = [];
    let error: ListingError | undefined;
    const cap = Math.min(EMBED_MAX_OPS, EMBED_MAX_TOTAL_OPS - this.total);
    for (const r of listingRows(bytes, p.base, 0, 0, (e) => (error = e))) {
      if (rows.length === cap) {
        info.note = `the first ${cap.toLocaleString('en-US')} opcodes are embedded (run \`picklegate disasm\` for all of them)`;
        break;
      }
      rows.push([r.pos, r.level, r.op, r.arg]);
    }
    if (error && !info.note) info.error = error;
    info.count = rows.length;
    this.total += rows.length;
    this.rows[String(id)] = rows;
  };
}

/** dist/page of this package (the built views the report inlines). */
function pageAssetsDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'picklegate') return path.join(dir, 'dist', 'page');
    dir = path.dirname(dir);
  }
  return path.join(__dirname, '..', '..', 'page');
}

function asset(name: string): string {
  const file = path.join(pageAssetsDir(), name);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    throw new Error(`the HTML report needs the built page (${name} in dist/page): run \`npm run build\``);
  }
}

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** JSON that cannot end its <script> element early (nor open a comment in it). */
const scriptJson = (v: unknown): string =>
  JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x))
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

/** The report as one HTML file. `generated` is shown as when it was written. */
export function renderHtml(doc: JsonReport, listings: ListingCollector, generated = new Date().toISOString()): string {
  const css = asset('page.css');
  const js = asset('report.js');
  if (/<\/style/i.test(css) || /<\/script|<!--/i.test(js)) throw new Error('dist/page assets cannot be inlined (they contain </style, </script or <!--)');
  const data = { doc, streams: listings.streams, rows: listings.rows, generated };
  const line = summaryLine(doc.summary);
  // without JavaScript: the summary and each file's verdict and findings as plain text
  const plain = doc.files
    .map((f) => {
      const head = `${f.error ? 'ERROR' : f.verdict.toUpperCase()} ${f.path} (${f.format}, ${f.size} B${f.accepted ? '' : ', rejected'})`;
      const items = f.findings.map((x) => `  ${x.severity} ${x.code} ${(x.path ?? []).slice(1).join(' > ')}${x.offset !== null ? ` @${x.offset}` : ''}: ${x.message}`);
      return [head, ...(f.error ? [`  ${f.error.message}`] : []), ...items].join('\n');
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="picklegate ${escapeHtml(doc.tool.version)}">
<title>picklegate report: ${escapeHtml(line)}</title>
<style>${css}</style>
</head>
<body data-state="loading">
<header class="top"><h1>picklegate report</h1><p>What the scanned pickles would do: every import and call, at which bytes, inside which member. Found without running them.</p></header>
<main>
<div id="results"><noscript><pre>${escapeHtml(`${line}\n\n${plain}`)}</pre></noscript></div>
</main>
<script type="application/json" id="picklegate-data">${scriptJson(data)}</script>
<script>${js}</script>
</body>
</html>
`;
}
