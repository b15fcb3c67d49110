/**
 * The report views, shared by the triage page and the self-contained HTML report: summary, and per
 * file its verdict, findings (dangerous first, each with member path and offset), member tree,
 * optimizer line, imports with decisions and reasons, calls as pseudo-Python, and the annotated
 * opcode listing. Everything is built with DOM calls on text (never innerHTML of report strings).
 */
import type { FileResult, Finding, JsonReport, ListingProvider, MemberResult, StreamInfo } from '../protocol';
import { clear, formatBytes, h, type Child } from './dom';
import { ListingView, streamLabel, type Annotation } from './listing';

type Verdict = 'safe' | 'suspicious' | 'dangerous';
type Stream = FileResult | MemberResult;

const VERDICT_ICON: Record<Verdict, string> = { safe: '✔', suspicious: '⚠', dangerous: '✖' };
const SEVERITY_ICON = { dangerous: '✖', suspicious: '⚠', info: 'ℹ' } as const;
const SEVERITY_RANK = { info: 0, suspicious: 1, dangerous: 2 } as const;
const DECISION_ICON = { allow: '✔', deny: '✖', unlisted: '?' } as const;
/** Rows shown per table before a "show all" button. */
const TABLE_ROWS = 200;

export interface ViewOptions {
  /** Heading level context and wording: the page shows one file, the report many. */
  mode: 'page' | 'report';
  /** Shown above the results (where the scan ran, when). */
  provenance?: Child;
}

export function verdictBadge(v: Verdict, extra?: string): HTMLElement {
  return h('span', { className: `badge verdict-${v}` }, h('span', { 'aria-hidden': 'true' }, VERDICT_ICON[v] + ' '), v.toUpperCase(), extra ? ` ${extra}` : '');
}

function severityBadge(s: Finding['severity']): HTMLElement {
  return h('span', { className: `badge sev-${s}` }, h('span', { 'aria-hidden': 'true' }, SEVERITY_ICON[s] + ' '), s);
}

function decisionBadge(d: 'allow' | 'deny' | 'unlisted'): HTMLElement {
  return h('span', { className: `badge decision-${d}` }, h('span', { 'aria-hidden': 'true' }, DECISION_ICON[d] + ' '), d);
}

/** The name a file's own stream has in finding paths (the CLI scans a file under its base name). */
export function rootName(f: FileResult): string {
  if (f.path === '-') return '<stdin>';
  const parts = f.path.split(/[\\/]/);
  return parts[parts.length - 1] || f.path;
}

/** Every stream of a file (itself, then its members, depth first) with its path. */
function walk(f: FileResult): { s: Stream; path: string[]; depth: number }[] {
  const out: { s: Stream; path: string[]; depth: number }[] = [{ s: f, path: [rootName(f)], depth: 0 }];
  const rec = (m: MemberResult, depth: number): void => {
    out.push({ s: m, path: m.path, depth });
    for (const c of m.members) rec(c, depth + 1);
  };
  for (const m of f.members) rec(m, 1);
  return out;
}

const samePath = (a: readonly string[] | undefined, b: readonly string[]): boolean => !!a && a.length === b.length && a.every((x, i) => x === b[i]);

function where(path: readonly string[] | undefined): string {
  if (!path || path.length <= 1) return '(file)';
  return path.slice(1).join(' › ');
}

/** A section with a heading and a count. */
function section(cls: string, title: string, count: number | null, ...body: Child[]): HTMLElement {
  return h('section', { className: `panel ${cls}` }, h('h3', null, title, count === null ? '' : h('span', { className: 'count' }, ` (${count.toLocaleString('en-US')})`)), ...body);
}

/** A table that shows its first TABLE_ROWS rows and a button for the rest. */
function table(caption: string, head: string[], rows: (() => HTMLElement)[], cls = ''): HTMLElement {
  const tbody = h('tbody');
  const shown = Math.min(rows.length, TABLE_ROWS);
  for (let i = 0; i < shown; i++) tbody.appendChild(rows[i]!());
  const t = h('table', { className: `data ${cls}` }, h('caption', { className: 'sr-only' }, caption), h('thead', null, h('tr', null, ...head.map((x) => h('th', { scope: 'col' }, x)))), tbody);
  if (rows.length <= shown) return t;
  const more = h('button', { type: 'button', className: 'btn-small' }, `show all ${rows.length.toLocaleString('en-US')}`);
  more.addEventListener('click', () => {
    for (let i = shown; i < rows.length; i++) tbody.appendChild(rows[i]!());
    more.remove();
  });
  return h('div', null, t, more);
}

export interface FileView {
  el: HTMLElement;
  listing: ListingView | null;
  /** Scroll the listing to the opcode behind a finding (or any offset of a stream path). */
  jump(path: readonly string[] | undefined, offset: number | null): Promise<boolean>;
}

export function renderFile(f: FileResult, index: number, streams: StreamInfo[], provider: ListingProvider, opts: ViewOptions): FileView {
  const id = `f${index}`;
  const all = walk(f);
  const fileStreams = streams.filter((s) => s.file === index);
  const streamFor = (path: readonly string[] | undefined, offset: number | null): StreamInfo | undefined => {
    if (!path) return undefined;
    const cands = fileStreams.filter((s) => samePath(s.path, path) && s.count > 0);
    if (offset === null) return cands[0];
    return cands.find((s) => offset >= s.base && offset < s.base + Math.max(s.bytes, 1)) ?? cands.find((s) => offset >= s.base);
  };
  const annotate = (s: StreamInfo): Map<number, Annotation[]> => {
    const m = new Map<number, Annotation[]>();
    const add = (pos: number | null, a: Annotation): void => {
      if (pos === null) return;
      const list = m.get(pos) ?? [];
      list.push(a);
      m.set(pos, list);
    };
    for (const x of all) {
      if (!samePath(x.path, s.path)) continue;
      for (const g of x.s.globals ?? []) add(g.offset, { kind: 'global', text: `${g.resolved} [${g.decision}]` });
      for (const c of x.s.calls ?? []) add(c.offset, { kind: 'call', text: c.pseudo });
    }
    for (const fd of f.findings) if (samePath(fd.path, s.path)) add(fd.offset, { kind: 'finding', severity: fd.severity, text: `${fd.code}: ${fd.message}` });
    return m;
  };
  const listing = fileStreams.length > 0 ? new ListingView(provider, fileStreams, annotate, id) : null;
  const jump = async (path: readonly string[] | undefined, offset: number | null): Promise<boolean> => {
    const s = streamFor(path, offset);
    if (!s || !listing || offset === null) return false;
    listing.el.scrollIntoView({ block: 'nearest' });
    return listing.jumpTo(s.id, offset);
  };
  const offsetCell = (path: readonly string[] | undefined, offset: number | null): Child => {
    if (offset === null) return h('span', { className: 'muted' }, '—');
    if (!streamFor(path, offset)) return h('span', { className: 'offset' }, `@${offset}`);
    return h('button', { type: 'button', className: 'offset link', 'data-offset': offset, 'aria-label': `show offset ${offset}${path && path.length > 1 ? ` of ${where(path)}` : ''} in the opcode listing`, onclick: () => void jump(path, offset) }, `@${offset}`);
  };

  // header
  const el = h('article', { className: `file verdict-${f.verdict}`, id, 'aria-labelledby': `${id}-title`, 'data-verdict': f.verdict });
  const facts = [f.format, formatBytes(f.size), f.accepted ? 'accepted by the policy' : 'rejected by the policy'];
  el.appendChild(
    h(
      'header',
      { className: 'file-head' },
      h('h2', { id: `${id}-title` }, verdictBadge(f.verdict as Verdict), ' ', h('span', { className: 'file-name' }, f.path)),
      h('p', { className: 'facts' }, facts.join(' · '), ` · scanned in ${f.timeMs.toFixed(f.timeMs < 10 ? 2 : 0)} ms`),
      f.error ? h('p', { className: 'error', role: 'alert' }, `Could not be checked (${f.error.code}): ${f.error.message}`) : null,
    ),
  );

  // findings, dangerous first
  const findings = f.findings.map((fd, i) => ({ fd, i })).sort((a, b) => SEVERITY_RANK[b.fd.severity] - SEVERITY_RANK[a.fd.severity] || a.i - b.i);
  el.appendChild(
    section(
      'findings',
      'Findings',
      findings.length,
      findings.length === 0
        ? h('p', { className: 'muted' }, 'Nothing found.')
        : table(
            'Findings, dangerous first',
            ['severity', 'finding', 'where', 'offset', 'what'],
            findings.map(({ fd }) => () =>
              h(
                'tr',
                { className: `sev-${fd.severity}`, 'data-code': fd.code },
                h('td', null, severityBadge(fd.severity)),
                h('td', null, h('code', null, fd.code), h('br'), h('span', { className: 'muted' }, fd.rule), fd.count ? h('span', { className: 'muted' }, ` ×${fd.count}`) : null),
                h('td', { className: 'where' }, where(fd.path)),
                h('td', null, offsetCell(fd.path, fd.offset), fd.opcode ? h('span', { className: 'muted' }, ` ${fd.opcode}`) : null),
                h('td', null, fd.message, fd.call ? h('div', null, h('code', { className: 'py' }, fd.call)) : null),
              ),
            ),
            'findings-table',
          ),
    ),
  );

  // member tree
  if (f.members.length > 0 || f.skippedMembers) {
    const tree = (ms: MemberResult[]): HTMLElement =>
      h(
        'ul',
        { className: 'tree' },
        ...ms.map((m) => {
          const s = streamFor(m.path, null);
          const label = [m.format, formatBytes(m.size), m.findings.length ? `${m.findings.length} finding${m.findings.length === 1 ? '' : 's'}` : ''].filter(Boolean).join(' · ');
          return h(
            'li',
            { 'data-member': m.path.join('/'), 'data-verdict': m.verdict },
            verdictBadge(m.verdict as Verdict),
            ' ',
            s && listing
              ? h('button', { type: 'button', className: 'link member-name', 'aria-label': `${m.name}: show its opcode listing`, onclick: () => { listing.el.scrollIntoView({ block: 'nearest' }); void listing.show(s.id); } }, m.name)
              : h('span', { className: 'member-name' }, m.name),
            h('span', { className: 'muted' }, ` ${label}`),
            m.skippedMembers ? h('span', { className: 'muted' }, ` · ${m.skippedMembers} inert member${m.skippedMembers === 1 ? '' : 's'} not examined`) : null,
            m.members.length ? tree(m.members) : null,
          );
        }),
      );
    el.appendChild(
      section(
        'members',
        'Members',
        null,
        h('div', { className: 'tree-root', 'data-member': rootName(f) }, verdictBadge(f.verdict as Verdict), ' ', h('span', { className: 'member-name' }, rootName(f)), h('span', { className: 'muted' }, ` ${f.format} · ${formatBytes(f.size)}`), f.skippedMembers ? h('span', { className: 'muted' }, ` · ${f.skippedMembers} inert member${f.skippedMembers === 1 ? '' : 's'} not examined (tensor storages, text)`) : null),
        tree(f.members),
      ),
    );
  }

  // optimizer
  const optimizers = all.filter((x) => x.s.optimizer);
  if (optimizers.length > 0) {
    el.appendChild(section('optimizer', 'Optimizer', null, ...optimizers.map((x) => h('p', null, h('code', { className: 'py' }, x.s.optimizer!.line), x.path.length > 1 ? h('span', { className: 'muted' }, ` in ${where(x.path)}`) : null))));
  }

  // imports
  const imports = all.flatMap((x) => (x.s.globals ?? []).map((g) => ({ g, path: x.path })));
  const importOrder = { deny: 0, unlisted: 1, allow: 2 } as const;
  imports.sort((a, b) => importOrder[a.g.decision] - importOrder[b.g.decision]);
  el.appendChild(
    section(
      'imports',
      'Imports',
      imports.length,
      h('p', { className: 'hint' }, 'Every global the unpickler would import, as the policy judged it.'),
      imports.length === 0
        ? h('p', { className: 'muted' }, 'No imports.')
        : table(
            'Imports with the policy decision',
            ['decision', 'import', 'reason', 'where', 'offset'],
            imports.map(({ g, path }) => () =>
              h(
                'tr',
                { className: `decision-${g.decision}` },
                h('td', null, decisionBadge(g.decision)),
                h('td', null, h('code', null, g.resolved), g.resolved !== `${g.module}.${g.name}` ? h('div', { className: 'muted' }, `written as ${g.module} ${g.name}`) : null),
                h('td', null, g.reason ?? h('span', { className: 'muted' }, 'no rule matched')),
                h('td', { className: 'where' }, where(path)),
                h('td', null, offsetCell(path, g.offset), h('span', { className: 'muted' }, ` ${g.opcode}`)),
              ),
            ),
            'imports-table',
          ),
    ),
  );

  // calls
  const calls = all.flatMap((x) => (x.s.calls ?? []).map((c) => ({ c, path: x.path })));
  el.appendChild(
    section(
      'calls',
      'Calls',
      calls.length,
      h('p', { className: 'hint' }, 'What the unpickler would call, as pseudo-Python.'),
      calls.length === 0
        ? h('p', { className: 'muted' }, 'No calls.')
        : table(
            'Calls as pseudo-Python',
            ['call', 'kind', 'where', 'offset'],
            calls.map(({ c, path }) => () => h('tr', null, h('td', null, h('code', { className: 'py' }, c.pseudo)), h('td', null, c.kind), h('td', { className: 'where' }, where(path)), h('td', null, offsetCell(path, c.offset)))),
            'calls-table',
          ),
    ),
  );

  // listing
  if (listing) {
    el.appendChild(section('opcodes', 'Opcodes', null, listing.el));
    const first = fileStreams.find((s) => s.count > 0) ?? fileStreams[0]!;
    const worst = findings.find(({ fd }) => fd.offset !== null && streamFor(fd.path, fd.offset));
    const start = worst ? streamFor(worst.fd.path, worst.fd.offset)! : first;
    void listing.show(start.id);
  } else if (opts.mode === 'report' && streams.some((s) => s.file === index)) {
    el.appendChild(section('opcodes', 'Opcodes', null, h('p', { className: 'muted' }, 'No listing.')));
  }
  const omitted = fileStreams.filter((s) => s.count === 0 && s.note);
  if (omitted.length && !listing) el.appendChild(section('opcodes', 'Opcodes', null, ...omitted.map((s) => h('p', { className: 'muted' }, `${streamLabel(s)}: ${s.note}`))));
  return { el, listing, jump };
}

/** Worst first: dangerous, suspicious, could not be checked, safe. */
const fileRank = (f: FileResult): number => (f.verdict === 'dangerous' ? 3 : f.error ? 1 : f.verdict === 'suspicious' ? 2 : 0);

/** The summary line and table of a document (the files table, worst first, when there are several). */
export function renderSummary(doc: JsonReport): HTMLElement {
  const s = doc.summary;
  const verdict: Verdict = s.dangerous ? 'dangerous' : s.suspicious ? 'suspicious' : 'safe';
  return h(
    'section',
    { className: 'summary panel', 'aria-labelledby': 'summary-title' },
    h('h2', { id: 'summary-title' }, verdictBadge(verdict), ` ${s.files} file${s.files === 1 ? '' : 's'}: ${s.safe} safe, ${s.suspicious} suspicious, ${s.dangerous} dangerous, ${s.errors} error${s.errors === 1 ? '' : 's'}`),
    h('p', { className: 'facts' }, `policy ${doc.policy} · ${s.rejected} rejected · exit code ${s.exitCode} · picklegate ${doc.tool.version}`),
    doc.files.length > 1
      ? table(
          'Files',
          ['verdict', 'file', 'format', 'size', 'findings'],
          doc.files
            .map((f, i) => ({ f, i }))
            .sort((a, b) => fileRank(b.f) - fileRank(a.f) || a.i - b.i)
            .map(({ f, i }) => () => h('tr', null, h('td', null, verdictBadge(f.verdict as Verdict)), h('td', null, h('a', { href: `#f${i}` }, f.path)), h('td', null, f.format), h('td', null, formatBytes(f.size)), h('td', null, f.error ? `error: ${f.error.code}` : String(f.findings.length)))),
          'files-table',
        )
      : null,
  );
}

/** Documents with more files than this show each file folded, built when opened. */
const UNFOLDED_FILES = 5;

/**
 * Render a whole document into `root` (replacing what was there). With many files, each file is a
 * folded section (verdict, path, counts) whose views are built the first time it is opened (the
 * summary's links open it too).
 */
export function renderDocument(root: HTMLElement, doc: JsonReport, streams: StreamInfo[], provider: ListingProvider, opts: ViewOptions): void {
  clear(root);
  if (opts.provenance) root.appendChild(h('div', { className: 'provenance' }, opts.provenance));
  root.appendChild(renderSummary(doc));
  if (doc.files.length <= UNFOLDED_FILES) {
    doc.files.forEach((f, i) => root.appendChild(renderFile(f, i, streams, provider, opts).el));
    return;
  }
  const folds: HTMLDetailsElement[] = [];
  doc.files.forEach((f, i) => {
    const counts = (['dangerous', 'suspicious', 'info'] as const).map((sev) => [sev, f.findings.filter((x) => x.severity === sev).length] as const).filter(([, n]) => n > 0);
    const d = h(
      'details',
      { className: `fold verdict-${f.verdict}`, id: `f${i}`, 'data-verdict': f.verdict },
      h('summary', null, verdictBadge(f.verdict as Verdict), ' ', h('span', { className: 'file-name' }, f.path), h('span', { className: 'muted' }, ` ${f.format} · ${formatBytes(f.size)}${f.error ? ` · error ${f.error.code}` : ''}${counts.length ? ' · ' + counts.map(([sev, n]) => `${n} ${sev}`).join(', ') : ''}`)),
    );
    let built = false;
    d.addEventListener('toggle', () => {
      if (!d.open || built) return;
      built = true;
      const v = renderFile(f, i, streams, provider, opts);
      v.el.removeAttribute('id');
      d.appendChild(v.el);
    });
    folds.push(d);
    root.appendChild(d);
  });
  const openFromHash = (): void => {
    const m = /^#f(\d+)$/.exec(location.hash);
    const d = m ? folds[Number(m[1])] : undefined;
    if (d && !d.open) d.open = true;
    d?.scrollIntoView({ block: 'start' });
  };
  window.addEventListener('hashchange', openFromHash);
  if (location.hash) openFromHash();
}

export { streamLabel };
