/**
 * Keeps the documentation split intact: every relative link and `#anchor` in README.md and
 * docs/*.md must point at an existing file and, for markdown targets, an existing heading
 * (anchors as GitHub generates them).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');
const docsDir = path.join(root, 'docs');
const pages = ['README.md', ...fs.readdirSync(docsDir).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

/** Lines outside fenced code blocks, with their 1-based numbers. */
function proseLines(text: string): { line: string; n: number }[] {
  const out: { line: string; n: number }[] = [];
  let fence: string | null = null;
  text.split('\n').forEach((line, i) => {
    const m = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (m) {
      if (fence === null) fence = m[1]![0]!.repeat(m[1]!.length);
      else if (m[1]!.startsWith(fence)) fence = null;
      return;
    }
    if (fence === null) out.push({ line, n: i + 1 });
  });
  return out;
}

/** Removes inline code spans, so `[x](y)` inside backticks is not taken for a link. */
const withoutCode = (line: string): string => line.replace(/(`+)[\s\S]*?\1/g, '');

/** GitHub's heading anchor: rendered text, lower case, punctuation dropped, spaces to hyphens. */
function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/<[^>]+>/g, '') // inline HTML tags
    .replace(/`/g, '') // code spans keep their content
    .replace(/(\*\*|__|\*|~~)/g, ''); // emphasis markers
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a page defines: its headings (with GitHub's -1, -2 suffixes for repeats) and explicit ids. */
function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const { line } of proseLines(fs.readFileSync(file, 'utf8'))) {
    const h = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      const base = githubSlug(h[1]!);
      const k = seen.get(base) ?? 0;
      seen.set(base, k + 1);
      anchors.add(k === 0 ? base : `${base}-${k}`);
    }
    for (const m of line.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(m[1]!);
  }
  return anchors;
}

interface Link {
  page: string;
  n: number;
  target: string;
}

function linksOf(page: string): Link[] {
  const out: Link[] = [];
  for (const { line, n } of proseLines(fs.readFileSync(path.join(root, page), 'utf8'))) {
    const prose = withoutCode(line);
    for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push({ page, n, target: m[1]! });
    for (const m of prose.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/g)) out.push({ page, n, target: m[1]! });
  }
  return out;
}

const isExternal = (t: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(t) || t.startsWith('//');

/** The problem with a link, or null when it resolves. */
function checkLink(link: Link): string | null {
  const [rawPath, anchor] = link.target.split('#', 2) as [string, string | undefined];
  const from = path.dirname(path.join(root, link.page));
  const file = rawPath === '' ? path.join(root, link.page) : path.resolve(from, decodeURIComponent(rawPath));
  if (!file.startsWith(root + path.sep) && file !== root) return 'points outside the repository';
  if (!fs.existsSync(file)) return `no such file ${path.relative(root, file)}`;
  if (anchor !== undefined) {
    if (!file.endsWith('.md')) return 'anchor on a file that is not markdown';
    if (!anchorsOf(file).has(decodeURIComponent(anchor))) return `no heading #${anchor} in ${path.relative(root, file)}`;
  }
  return null;
}

describe('GitHub-style anchors', () => {
  test.each([
    ['Quick start', 'quick-start'],
    ['Options of `scan`', 'options-of-scan'],
    ['`disasm`', 'disasm'],
    ['JSON output (`--format json`)', 'json-output---format-json'],
    ['Python integration (MXNet parameter servers)', 'python-integration-mxnet-parameter-servers'],
    ['Default bounds (`mxnet-optimizer` and `mxnet-states`)', 'default-bounds-mxnet-optimizer-and-mxnet-states'],
    ['HTTP service (autocannon on loopback, `POST /v1/scan`, policy `mxnet-optimizer`, logs on)', 'http-service-autocannon-on-loopback-post-v1scan-policy-mxnet-optimizer-logs-on'],
    ['scan() in-process', 'scan-in-process'],
    ['The `optimizer` section of a report', 'the-optimizer-section-of-a-report'],
    ['[Linked](x.md) **bold** title', 'linked-bold-title'],
  ])('%s → #%s', (heading, slug) => {
    expect(githubSlug(heading)).toBe(slug);
  });
});

describe('documentation links', () => {
  test('there are docs pages to check', () => {
    expect(pages.length).toBeGreaterThan(1);
  });

  test.each(pages)('%s: every relative link and anchor resolves', (page) => {
    const broken = linksOf(page)
      .filter((l) => !isExternal(l.target))
      .map((l) => ({ l, problem: checkLink(l) }))
      .filter((x) => x.problem !== null)
      .map(({ l, problem }) => `${l.page}:${l.n} (${l.target}): ${problem}`);
    expect(broken).toEqual([]);
  });

  test.each(pages.filter((p) => p !== 'README.md'))('%s is listed in the README and links back to it', (page) => {
    const readmeTargets = linksOf('README.md').map((l) => l.target.split('#')[0]);
    expect(readmeTargets).toContain(page);
    const back = linksOf(page).map((l) => path.normalize(path.join(path.dirname(page), l.target.split('#')[0]!)));
    expect(back).toContain('README.md');
  });
});
