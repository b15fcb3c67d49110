/**
 * The triage page: pick or drop a file; it is scanned in a Web Worker by the library bundled for the
 * browser (nothing leaves the machine), or, when the user chooses (or above a size threshold), by the
 * service (POST /v1/scan). Then the shared views render the CLI's JSON document.
 */
import { exitCodeFor } from '../../../src/cli/exit-codes';
import { JSON_REPORT_VERSION, renderJson } from '../../../src/cli/render-json';
import { summarize } from '../../../src/cli/summary';
import type { FileResult, FromWorker, JsonReport, ListingProvider, ListingRow, ScanOutcome, StreamInfo, ToWorker } from './protocol';
import { formatBytes, h } from './render/dom';
import { renderDocument } from './render/view';

interface PageConfig {
  /** The service's body cap (bodies over it are refused with 413). */
  maxBodyBytes: number;
  /** Whether /v1/* needs a bearer token. */
  auth: boolean;
  /** Policy selected at first. */
  policy: string;
  /** Policies the service also has (preloaded policy files), beyond the built-ins. */
  servicePolicies: string[];
}

type Mode = 'browser' | 'auto' | 'service';

declare global {
  interface Window {
    /** The last outcome shown (for tests and the curious). */
    picklegate?: { last: ScanOutcome | null };
  }
}

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

function readConfig(): PageConfig {
  const defaults: PageConfig = { maxBodyBytes: 16 * 1024 * 1024, auth: false, policy: 'default', servicePolicies: [] };
  const meta = document.querySelector<HTMLMetaElement>('meta[name="picklegate-config"]');
  try {
    return { ...defaults, ...(JSON.parse(meta?.content ?? '{}') as Partial<PageConfig>) };
  } catch {
    return defaults;
  }
}

const config = readConfig();
window.picklegate = { last: null };

// ---- the worker
// Its code is fetched once, with the page, and workers are made from it: a scan still running when
// another file is given is stopped by replacing its worker, without a request.
let workerUrl: string | null = null;
let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, { resolve: (m: FromWorker) => void; reject: (e: Error) => void; progress?: (m: Extract<FromWorker, { type: 'progress' }>) => void }>();
let version = '0.0.0';
let policiesShown = false;

function onWorkerMessage(ev: MessageEvent<FromWorker>): void {
  const m = ev.data;
  if (m.type === 'ready') {
    version = m.version;
    if (!policiesShown) fillPolicies(m.policies);
    policiesShown = true;
    if (document.body.dataset.state === 'loading') document.body.dataset.state = 'idle';
    return;
  }
  const w = waiting.get(m.id);
  if (!w) return;
  if (m.type === 'progress') return w.progress?.(m);
  waiting.delete(m.id);
  if (m.type === 'error') w.reject(new Error(m.message));
  else w.resolve(m);
}

function startWorker(): Worker {
  const w = new Worker(workerUrl!);
  w.onmessage = onWorkerMessage;
  w.onerror = (ev) => showError(`the scan worker failed: ${ev.message}`);
  return w;
}

/** Stop whatever the worker is doing (a scan of a previous file) and start a fresh one. */
function restartWorker(): void {
  worker?.terminate();
  for (const w of waiting.values()) w.reject(new Error('cancelled'));
  waiting.clear();
  worker = startWorker();
}

async function loadWorker(): Promise<void> {
  const res = await fetch('/page/worker.js');
  if (!res.ok) throw new Error(`cannot load the scan worker (${res.status})`);
  workerUrl = URL.createObjectURL(new Blob([await res.text()], { type: 'text/javascript' }));
  worker = startWorker();
}
loadWorker().catch((err: Error) => showError(err.message));

type Request = ToWorker extends infer T ? (T extends { id: number } ? Omit<T, 'id'> : never) : never;

function ask(msg: Request, progress?: (m: Extract<FromWorker, { type: 'progress' }>) => void): Promise<FromWorker> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    if (!worker) return reject(new Error('the scan worker is not loaded'));
    waiting.set(id, { resolve, reject, progress });
    worker.postMessage({ ...msg, id } as ToWorker);
  });
}

const provider: ListingProvider = {
  streams: [],
  async positions(stream) {
    const m = await ask({ type: 'positions', stream });
    return m.type === 'positions' ? m.positions : new Float64Array(0);
  },
  async rows(stream, from, count): Promise<ListingRow[]> {
    const m = await ask({ type: 'rows', stream, from, count });
    return m.type === 'rows' ? m.rows : [];
  },
};

// ---- controls
const policySelect = $<HTMLSelectElement>('policy');
const fileInput = $<HTMLInputElement>('file');
const thresholdInput = $<HTMLInputElement>('threshold');
const statusBox = $('status');
const statusText = $('status-text');
const progress = $<HTMLProgressElement>('progress');
const results = $('results');
const actions = $('actions');
const privacy = $('privacy');

function fillPolicies(list: { name: string; description: string }[]): void {
  policySelect.textContent = '';
  for (const p of list) policySelect.appendChild(h('option', { value: p.name, title: p.description }, p.name));
  if (config.servicePolicies.length) {
    const group = h('optgroup', { label: 'service only' });
    for (const n of config.servicePolicies) if (!list.some((p) => p.name === n)) group.appendChild(h('option', { value: n, 'data-service': 'true' }, n));
    if (group.childElementCount) policySelect.appendChild(group);
  }
  policySelect.value = list.some((p) => p.name === config.policy) ? config.policy : 'default';
}

function mode(): Mode {
  return (document.querySelector<HTMLInputElement>('input[name="where"]:checked')?.value as Mode) ?? 'browser';
}

function thresholdBytes(): number {
  const v = Number(thresholdInput.value);
  return Number.isFinite(v) && v >= 0 ? v * 1024 * 1024 : Infinity;
}

function updatePrivacy(): void {
  const m = mode();
  $('token-row').hidden = m === 'browser' || !config.auth;
  privacy.classList.toggle('remote', m !== 'browser');
  if (m === 'browser') privacy.textContent = 'Files are scanned here, in this browser, by picklegate’s own code: nothing is uploaded and nothing is fetched.';
  else if (m === 'service') privacy.textContent = `Files are sent to this picklegate service (POST /v1/scan, up to ${formatBytes(config.maxBodyBytes)}) and scanned there. The opcode listing is still made in this browser.`;
  else privacy.textContent = `Files up to ${thresholdInput.value} MiB are scanned in this browser (nothing uploaded); larger ones, up to ${formatBytes(config.maxBodyBytes)}, are sent to this picklegate service.`;
}
for (const r of document.querySelectorAll<HTMLInputElement>('input[name="where"]')) r.addEventListener('change', updatePrivacy);
thresholdInput.addEventListener('input', updatePrivacy);
updatePrivacy();

fileInput.addEventListener('change', () => {
  const f = fileInput.files?.[0];
  if (f) void start(f);
});
policySelect.addEventListener('change', () => {
  const f = fileInput.files?.[0];
  if (f && document.body.dataset.state === 'done') void start(f);
});

// drop anywhere on the page
const drop = $('drop');
document.addEventListener('dragover', (ev) => {
  ev.preventDefault();
  drop.classList.add('over');
});
document.addEventListener('dragleave', (ev) => {
  if (!ev.relatedTarget) drop.classList.remove('over');
});
document.addEventListener('drop', (ev) => {
  ev.preventDefault();
  drop.classList.remove('over');
  const f = ev.dataTransfer?.files?.[0];
  if (f) void start(f);
});

// ---- a scan
let current: ScanOutcome | null = null;
let runId = 0;

function setStatus(text: string, value?: number): void {
  statusBox.hidden = false;
  statusText.textContent = text;
  if (value === undefined) progress.removeAttribute('value');
  else progress.value = value;
}

function showError(message: string): void {
  document.body.dataset.state = 'error';
  statusBox.hidden = false;
  statusText.textContent = `Error: ${message}`;
  progress.hidden = true;
}

async function start(file: File): Promise<void> {
  const run = ++runId;
  // a scan still running (a large file) is abandoned: its worker is replaced
  if ([...waiting.values()].length > 0) restartWorker();
  const started = performance.now();
  document.body.dataset.state = 'scanning';
  progress.hidden = false;
  actions.hidden = true;
  results.textContent = '';
  const m = mode();
  const service = m === 'service' || (m === 'auto' && file.size > thresholdBytes() && file.size <= config.maxBodyBytes);
  const policyOption = policySelect.selectedOptions[0];
  if (!service && policyOption?.dataset.service) return showError(`policy ${policySelect.value} exists only in the service: choose “Through the picklegate service”`);
  try {
    const outcome = service ? await scanOnService(file) : await scanHere(file);
    if (run !== runId) return;
    outcome.ms = Math.round(performance.now() - started);
    show(outcome, file.name);
  } catch (err) {
    if (run === runId) showError((err as Error).message);
  }
}

async function scanHere(file: File): Promise<ScanOutcome> {
  setStatus(`Reading ${file.name} (${formatBytes(file.size)})…`);
  const m = await ask({ type: 'scan', file, name: file.name, policy: policySelect.value }, (p) => {
    if (p.phase === 'reading') setStatus(`Reading ${file.name} (${formatBytes(file.size)})…`);
    else if (p.phase === 'scanning') setStatus(`Scanning in this browser… ${formatBytes(p.done)} of ${formatBytes(p.total)} read`, p.total ? p.done / p.total : undefined);
    else setStatus('Indexing the opcodes…', p.done);
  });
  if (m.type !== 'result') throw new Error('unexpected answer from the scan worker');
  return { doc: m.doc, streams: m.streams, where: 'browser' };
}

/** The service's answer as a file result (a scan() report for one body, or a file result if it sends one). */
function fromService(body: Record<string, unknown>, name: string): FileResult {
  const { requestId: _r, timing: _t, error: _e, message: _m, ...rest } = body;
  if (typeof rest.format === 'string' && Array.isArray(rest.members)) return { ...(rest as unknown as FileResult), path: name };
  const report = rest as unknown as { verdict: FileResult['verdict']; accepted: boolean; size: number; timeMs: number; findings: FileResult['findings']; pickles: FileResult['pickles']; globals: FileResult['globals']; calls: FileResult['calls']; optimizer?: FileResult['optimizer'] };
  const notPickle = report.findings.some((f) => f.code === 'NOT_A_PICKLE');
  return {
    path: name,
    format: notPickle ? 'data' : 'pickle',
    size: report.size,
    verdict: report.verdict,
    accepted: report.accepted,
    findings: report.findings.map((f) => ({ ...f, path: [name, ...(f.path ?? [])] })),
    members: [],
    pickles: report.pickles,
    globals: report.globals,
    calls: report.calls,
    ...(report.optimizer ? { optimizer: report.optimizer } : {}),
    timeMs: report.timeMs,
  };
}

async function scanOnService(file: File): Promise<ScanOutcome> {
  if (file.size > config.maxBodyBytes) throw new Error(`${file.name} is ${formatBytes(file.size)}: the service takes bodies up to ${formatBytes(config.maxBodyBytes)}. Scan it in this browser instead.`);
  setStatus(`Sending ${file.name} (${formatBytes(file.size)}) to the service…`);
  const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream' };
  const token = $<HTMLInputElement>('token').value.trim();
  if (token) headers.Authorization = `Bearer ${token}`;
  const nameParam = file.name.length > 0 && file.name.length <= 255 && !/[\/\\\x00-\x1f\x7f]/.test(file.name) ? `&name=${encodeURIComponent(file.name)}` : '';
  const res = await fetch(`/v1/scan?policy=${encodeURIComponent(policySelect.value)}${nameParam}`, { method: 'POST', body: file, headers });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) throw new Error(`the service answered ${res.status} ${String(body.error ?? '')}: ${String(body.message ?? res.statusText)}`);
  const result = fromService(body, file.name);
  const summary = summarize([result], 'suspicious');
  const doc: JsonReport = { version: JSON_REPORT_VERSION, tool: { name: 'picklegate', version }, policy: policySelect.value, files: [result], summary: { ...summary, exitCode: exitCodeFor([result], 'suspicious') } };
  setStatus('Indexing the opcodes in this browser…');
  let streams: StreamInfo[] = [];
  if (result.pickles && result.pickles.length > 0 && result.members.length === 0) {
    const m = await ask({ type: 'index', file, name: file.name, result });
    if (m.type === 'result') streams = m.streams;
  }
  return { doc, streams, where: 'service' };
}

function show(outcome: ScanOutcome, name: string): void {
  current = outcome;
  window.picklegate!.last = outcome;
  provider.streams = outcome.streams;
  statusBox.hidden = true;
  const where =
    outcome.where === 'browser'
      ? h('span', null, h('strong', null, 'Scanned in this browser'), ' — nothing was uploaded.')
      : h('span', null, h('strong', null, 'Scanned by the picklegate service'), ' (POST /v1/scan).');
  renderDocument(results, outcome.doc, outcome.streams, provider, { mode: 'page', provenance: h('span', null, where, ` ${name}, policy ${outcome.doc.policy}, ${outcome.ms ?? 0} ms.`) });
  actions.hidden = false;
  document.body.dataset.state = 'done';
  document.body.dataset.scanMs = String(outcome.ms ?? 0);
  results.focus({ preventScroll: true });
}

$('download').addEventListener('click', () => {
  if (!current) return;
  const blob = new Blob([renderJson(current.doc)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: `${current.doc.files[0]?.path ?? 'report'}.picklegate.json` });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
});
