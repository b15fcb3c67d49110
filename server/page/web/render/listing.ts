/**
 * The annotated opcode listing: a virtualised table (only the rows in view are in the DOM, fetched
 * from the provider in chunks), any length (millions of opcodes: the scroll height is scaled past
 * what a browser can lay out). Rows behind a finding are highlighted with a marker and a label, not
 * by colour alone; `jumpTo` scrolls to the opcode at an offset and marks it as the current row.
 */
import type { ListingProvider, ListingRow, StreamInfo } from '../protocol';
import { clear, formatBytes, h } from './dom';

export interface Annotation {
  kind: 'global' | 'call' | 'finding';
  text: string;
  severity?: 'dangerous' | 'suspicious' | 'info';
}

export const ROW_HEIGHT = 22;
const CHUNK = 200;
const OVERSCAN = 8;
/** Tallest spacer laid out; longer listings scale their scroll position. */
const MAX_SCROLL_PX = 4_000_000;

const SEVERITY_MARK = { dangerous: '‼', suspicious: '!', info: 'i' } as const;
const SEVERITY_RANK = { info: 0, suspicious: 1, dangerous: 2 } as const;

export class ListingView {
  readonly el: HTMLElement;
  private readonly toolbar: HTMLElement;
  private readonly select: HTMLSelectElement;
  private readonly status: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly body: HTMLElement;
  private readonly note: HTMLElement;
  private stream: StreamInfo | null = null;
  private positions: Float64Array | null = null;
  private chunks = new Map<number, ListingRow[] | 'pending'>();
  private current = -1;
  private hits: number[] = [];
  private frame = 0;
  private generation = 0;

  constructor(
    private readonly provider: ListingProvider,
    private readonly fileStreams: StreamInfo[],
    private readonly annotate: (s: StreamInfo) => Map<number, Annotation[]>,
    idPrefix: string,
  ) {
    const selectId = `${idPrefix}-stream`;
    this.select = h('select', { id: selectId, onchange: () => void this.show(Number(this.select.value)) });
    for (const s of fileStreams) this.select.appendChild(h('option', { value: s.id }, streamLabel(s)));
    this.status = h('span', { className: 'listing-status', 'aria-live': 'polite' });
    this.toolbar = h(
      'div',
      { className: 'listing-toolbar' },
      h('label', { for: selectId }, 'Pickle stream '),
      this.select,
      h('button', { type: 'button', className: 'btn-small', onclick: () => void this.step(-1), 'aria-label': 'Previous finding in the listing' }, '‹ previous finding'),
      h('button', { type: 'button', className: 'btn-small', onclick: () => void this.step(1), 'aria-label': 'Next finding in the listing' }, 'next finding ›'),
      this.status,
    );
    this.note = h('p', { className: 'listing-note' });
    this.spacer = h('div', { className: 'listing-spacer' });
    this.body = h('div', { className: 'listing-rows' });
    this.scroller = h('div', { className: 'listing-scroll', tabindex: 0, role: 'table', 'aria-label': 'Opcode listing' }, this.spacer, this.body);
    this.scroller.addEventListener('scroll', () => this.schedule());
    this.scroller.addEventListener('keydown', (ev) => this.onKey(ev));
    const head = h('div', { className: 'listing-head', 'aria-hidden': 'true' }, h('span', { className: 'c-mark' }), h('span', { className: 'c-off' }, 'offset'), h('span', { className: 'c-op' }, 'opcode'), h('span', { className: 'c-arg' }, 'argument'), h('span', { className: 'c-note' }, "scanner's view"));
    this.el = h('div', { className: 'listing' }, this.toolbar, this.note, head, this.scroller);
    if (typeof ResizeObserver !== 'undefined') new ResizeObserver(() => this.schedule()).observe(this.scroller);
  }

  get streamId(): number {
    return this.stream?.id ?? -1;
  }

  async show(id: number): Promise<void> {
    const s = this.fileStreams.find((x) => x.id === id);
    if (!s) return;
    if (this.stream?.id === id) return;
    this.generation++;
    this.stream = s;
    this.select.value = String(id);
    this.chunks = new Map();
    this.positions = null;
    this.current = -1;
    this.annotations = this.annotate(s);
    this.hits = [...this.annotations.entries()].filter(([, a]) => a.some((x) => x.kind === 'finding')).map(([pos]) => pos).sort((a, b) => a - b);
    const notes: string[] = [];
    notes.push(`${s.count.toLocaleString('en-US')} opcodes in ${formatBytes(s.bytes)}${s.base ? `, from offset ${s.base}` : ''}; ${this.hits.length} with findings.`);
    if (s.note) notes.push(s.note + '.');
    if (s.error) notes.push(`The stream stops being a pickle at offset ${s.error.pos}: ${s.error.message}`);
    this.note.textContent = notes.join(' ');
    this.scroller.setAttribute('aria-rowcount', String(s.count));
    this.spacer.style.height = `${Math.min(s.count * ROW_HEIGHT, MAX_SCROLL_PX)}px`;
    // short listings take their own height; long ones a window of the screen (style.css)
    this.scroller.style.height = s.count < 24 ? `${Math.max(1, s.count) * ROW_HEIGHT + 4}px` : '';
    this.scroller.scrollTop = 0;
    this.render();
  }

  private annotations = new Map<number, Annotation[]>();

  /** Scale from the scroll position to the listing's own pixel position. */
  private scale(): number {
    const count = this.stream?.count ?? 0;
    const full = count * ROW_HEIGHT;
    const laid = Math.min(full, MAX_SCROLL_PX);
    const view = this.scroller.clientHeight || 400;
    if (full <= laid || laid <= view) return 1;
    return (full - view) / (laid - view);
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const s = this.stream;
    clear(this.body);
    // not in the document yet (or hidden): nothing to measure; the resize observer renders it when shown
    if (!s || s.count === 0 || !this.scroller.isConnected) return;
    const scale = this.scale();
    const top = this.scroller.scrollTop;
    const virtualTop = top * scale;
    const view = this.scroller.clientHeight || 400;
    const first = Math.max(0, Math.floor(virtualTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(s.count - 1, Math.ceil((virtualTop + view) / ROW_HEIGHT) + OVERSCAN);
    this.body.style.transform = `translateY(${top - (virtualTop - first * ROW_HEIGHT)}px)`;
    for (let i = first; i <= last; i++) this.body.appendChild(this.rowEl(i));
  }

  private rowEl(i: number): HTMLElement {
    const chunk = this.chunk(Math.floor(i / CHUNK));
    const row = chunk === 'pending' ? null : chunk[i % CHUNK];
    if (!row) return h('div', { className: 'row pending', role: 'row', 'aria-rowindex': i + 1 }, h('span', { className: 'c-mark', role: 'cell' }), h('span', { className: 'c-off', role: 'cell' }, '…'));
    const notes = this.annotations.get(row.pos) ?? [];
    const worst = notes.filter((n) => n.kind === 'finding').reduce<Annotation['severity'] | undefined>((w, n) => (!w || SEVERITY_RANK[n.severity!] > SEVERITY_RANK[w] ? n.severity : w), undefined);
    const isCurrent = i === this.current;
    const classes = ['row'];
    if (worst) classes.push('hit', `sev-${worst}`);
    if (isCurrent) classes.push('current');
    const mark = (isCurrent ? '▶' : '') + (worst ? SEVERITY_MARK[worst] : '');
    const label = worst ? `${worst} finding at offset ${row.pos}` : undefined;
    const text = notes.map(noteText).join('   ');
    return h(
      'div',
      { className: classes.join(' '), role: 'row', 'aria-rowindex': i + 1, 'data-pos': row.pos, 'aria-current': isCurrent ? 'true' : null, title: text || null },
      h('span', { className: 'c-mark', role: 'cell', 'aria-label': label ?? null }, mark),
      h('span', { className: 'c-off', role: 'cell' }, row.pos),
      h('span', { className: 'c-op', role: 'cell', style: `padding-left:${Math.min(row.level, 20) * 1.2}ch` }, row.op),
      h('span', { className: 'c-arg', role: 'cell' }, row.arg),
      h('span', { className: 'c-note', role: 'cell' }, ...notes.map((n) => h('span', { className: `note note-${n.kind}${n.severity ? ` sev-${n.severity}` : ''}` }, noteText(n)))),
    );
  }

  private chunk(c: number): ListingRow[] | 'pending' {
    const have = this.chunks.get(c);
    if (have) return have;
    const s = this.stream!;
    const gen = this.generation;
    this.chunks.set(c, 'pending');
    this.provider.rows(s.id, c * CHUNK, CHUNK).then(
      (rows) => {
        if (gen !== this.generation) return;
        this.chunks.set(c, rows);
        this.schedule();
      },
      () => this.chunks.delete(c),
    );
    return 'pending';
  }

  private async index(): Promise<Float64Array> {
    if (!this.positions) {
      const gen = this.generation;
      const p = await this.provider.positions(this.stream!.id);
      if (gen === this.generation) this.positions = p;
      return p;
    }
    return this.positions;
  }

  /** Show stream `id` and scroll to the opcode at (or containing) `offset`. */
  async jumpTo(id: number, offset: number): Promise<boolean> {
    await this.show(id);
    const s = this.stream;
    if (!s || s.count === 0) return false;
    const pos = await this.index();
    if (pos.length === 0) return false;
    let lo = 0;
    let hi = pos.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (pos[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    this.current = lo;
    const view = this.scroller.clientHeight || 400;
    const scale = this.scale();
    this.scroller.scrollTop = Math.max(0, (lo * ROW_HEIGHT - view / 2 + ROW_HEIGHT / 2) / scale);
    this.render();
    this.status.textContent = `offset ${offset}: opcode ${lo + 1} of ${s.count}`;
    this.scroller.focus({ preventScroll: true });
    return true;
  }

  private async step(dir: 1 | -1): Promise<void> {
    if (!this.stream || this.hits.length === 0) return;
    const pos = await this.index();
    const at = this.current >= 0 ? pos[this.current]! : dir > 0 ? -1 : Infinity;
    const next = dir > 0 ? this.hits.find((x) => x > at) : [...this.hits].reverse().find((x) => x < at);
    const target = next ?? (dir > 0 ? this.hits[0]! : this.hits[this.hits.length - 1]!);
    await this.jumpTo(this.stream.id, target);
  }

  private onKey(ev: KeyboardEvent): void {
    if (!this.stream) return;
    const keys: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: 20, PageUp: -20 };
    if (ev.key === 'Home' || ev.key === 'End') {
      ev.preventDefault();
      this.moveTo(ev.key === 'Home' ? 0 : this.stream.count - 1);
      return;
    }
    const d = keys[ev.key];
    if (d === undefined) return;
    ev.preventDefault();
    this.moveTo(Math.max(0, Math.min(this.stream.count - 1, (this.current < 0 ? Math.floor((this.scroller.scrollTop * this.scale()) / ROW_HEIGHT) : this.current) + d)));
  }

  private moveTo(i: number): void {
    this.current = i;
    const view = this.scroller.clientHeight || 400;
    const scale = this.scale();
    const y = i * ROW_HEIGHT;
    const top = this.scroller.scrollTop * scale;
    if (y < top) this.scroller.scrollTop = y / scale;
    else if (y + ROW_HEIGHT > top + view) this.scroller.scrollTop = (y + ROW_HEIGHT - view) / scale;
    this.render();
  }
}

function noteText(n: Annotation): string {
  if (n.kind === 'global') return `→ ${n.text}`;
  if (n.kind === 'call') return `⇒ ${n.text}`;
  return `${SEVERITY_MARK[n.severity ?? 'info']} ${n.text}`;
}

export function streamLabel(s: StreamInfo): string {
  const where = s.path.length > 1 ? s.path.slice(1).join(' › ') : s.path[0]!;
  return `${where}${s.base ? ` @${s.base}` : ''} (${s.count.toLocaleString('en-US')} opcodes)`;
}
