/**
 * `picklegate scan --format html`: one self-contained file with the page's views. Checked as text
 * (no reference to anything outside it, the JSON document of --format json inside, listings embedded
 * or left out with a note, report strings unable to break out of their script element) and opened in
 * Chromium from file:// with every request refused (verdicts, member tree, highlighted offsets).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EMBED_MAX_STREAM_BYTES } from '../../src/cli/render-html';
import { HAVE_CHROMIUM, SHOTS, SKIP_MESSAGE, launch } from './chromium';
import { ROOT, comparable } from './support';

const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'bin.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'picklegate-report-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function cli(args: string[]): { status: number; stdout: string } {
  try {
    return { status: 0, stdout: execFileSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 }) };
  } catch (err) {
    const e = err as { status: number; stdout: string };
    return { status: e.status, stdout: e.stdout };
  }
}

const FILES = ['samples/containers/torch_payload_data_pkl.pt', 'samples/containers/torch_benign.pt', 'samples/containers/payload.joblib', 'samples/malicious/os_system_stack_global_p4.pkl', 'samples/benign/values_p4.pkl'];

interface Embedded {
  doc: { files: { path: string; verdict: string; findings: { offset: number | null; path?: string[]; severity: string }[] }[]; summary: unknown };
  streams: { id: number; file: number; path: string[]; count: number; note?: string }[];
  rows: Record<string, [number, number, string, string][]>;
}

function embedded(html: string): Embedded {
  const m = /<script type="application\/json" id="picklegate-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('no embedded data');
  return JSON.parse(m[1]!) as Embedded;
}

describe('the HTML report as a file', () => {
  const out = path.join(work, 'report.html');
  let html = '';
  beforeAll(() => {
    const r = cli(['scan', '--format', 'html', '-o', out, ...FILES]);
    expect(r.status).toBe(1);
    html = fs.readFileSync(out, 'utf8');
  });

  test('refers to nothing outside itself', () => {
    expect(html).not.toMatch(/<(link|img|iframe|object|embed|base)\b/i);
    expect(html).not.toMatch(/<script[^>]+\bsrc=/i);
    expect(html).not.toMatch(/url\(\s*['"]?(?!data:)/i);
    expect(html).not.toMatch(/@import/i);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`);
  });

  test('holds the document of --format json, and the listings of the pickle streams', () => {
    const json = JSON.parse(cli(['scan', '--format', 'json', ...FILES]).stdout);
    const data = embedded(html);
    expect(comparable(data.doc)).toEqual(comparable(json));
    const paths = data.streams.map((s) => s.path.join('/'));
    expect(paths).toEqual(expect.arrayContaining(['torch_payload_data_pkl.pt/archive/data.pkl', 'os_system_stack_global_p4.pkl', 'values_p4.pkl']));
    for (const s of data.streams) expect(data.rows[String(s.id)]!.length).toBe(s.count);
  });

  test('a stream too large to embed is left out with a note; the rest of the report is whole', () => {
    const big = path.join(work, 'big.pkl');
    // one BINBYTES8 over the embedding limit, then os.system: still found and reported
    const payload = Buffer.alloc(EMBED_MAX_STREAM_BYTES + 10, 0x41);
    const head = Buffer.from([0x80, 4, 0x8e]);
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(payload.length));
    const tail = Buffer.from([0x30, 0x8c, 2, ...Buffer.from('os'), 0x8c, 6, ...Buffer.from('system'), 0x93, 0x8c, 2, ...Buffer.from('id'), 0x85, 0x52, 0x2e]);
    fs.writeFileSync(big, Buffer.concat([head, len, payload, tail]));
    const o = path.join(work, 'big.html');
    expect(cli(['scan', '--format', 'html', '-o', o, big]).status).toBe(1);
    const data = embedded(fs.readFileSync(o, 'utf8'));
    expect(data.doc.files[0]!.verdict).toBe('dangerous');
    expect(data.streams[0]!.count).toBe(0);
    expect(data.streams[0]!.note).toMatch(/not embedded: the stream is [\d,]+ bytes/);
  });

  test('strings from the pickle cannot end the script element', () => {
    const evil = path.join(work, 'evil.pkl');
    const s = '</script><script>document.title="owned"</script><!--';
    fs.writeFileSync(evil, Buffer.concat([Buffer.from(`cos\nsystem\n(S'`), Buffer.from(s), Buffer.from(`'\ntR.`)]));
    const o = path.join(work, 'evil.html');
    cli(['scan', '--format', 'html', '-o', o, evil]);
    const text = fs.readFileSync(o, 'utf8');
    expect(text).not.toContain('</script><script>document.title');
    expect(text.match(/<\/script>/g)!.length).toBe(2);
    expect(JSON.stringify(embedded(text))).toContain('document.title');
  });
});

if (!HAVE_CHROMIUM) {
  // eslint-disable-next-line no-console
  console.warn(SKIP_MESSAGE);
  test.skip(SKIP_MESSAGE, () => undefined);
} else {
  describe('the HTML report in Chromium, from file://, every request refused', () => {
    test('five files: the summary, each file unfolded, verdicts, member tree, a finding jumps to its opcode', async () => {
      const out = path.join(work, 'five.html');
      cli(['scan', '--format', 'html', '-o', out, ...FILES]);
      const url = `file://${out}`;
      const b = await launch(url);
      try {
        const page = b.page;
        await page.goto(url);
        await page.waitForSelector('body[data-state="done"]');
        const data = embedded(fs.readFileSync(out, 'utf8'));
        await expect(page.locator('article.file').evaluateAll((els) => els.map((e) => e.getAttribute('data-verdict')))).resolves.toEqual(data.doc.files.map((f) => f.verdict));
        await expect(page.textContent('.summary h2')).resolves.toContain('5 files: 2 safe, 0 suspicious, 3 dangerous, 0 errors');
        await expect(page.locator('#f0 li[data-member="torch_payload_data_pkl.pt/archive/data.pkl"]').getAttribute('data-verdict')).resolves.toBe('dangerous');
        const f3 = data.doc.files[3]!;
        const offset = f3.findings.find((x) => x.severity === 'dangerous')!.offset!;
        await page.locator('#f3 .findings-table button.offset').first().click();
        await page.locator(`#f3 .listing .row.current.hit[data-pos="${offset}"]`).waitFor({ timeout: 5000 });
        await page.screenshot({ path: path.join(SHOTS, 'report.png'), fullPage: true });
        expect(b.refused).toEqual([]);
        expect(b.allowed).toEqual([url]);
      } finally {
        await b.close();
      }
    }, 60_000);

    test('a whole folder: files folded worst first, a link opens one and builds its views', async () => {
      const out = path.join(work, 'folder.html');
      cli(['scan', '--format', 'html', '-o', out, 'samples/malicious']);
      const url = `file://${out}`;
      const b = await launch(url);
      try {
        const page = b.page;
        await page.goto(url);
        await page.waitForSelector('body[data-state="done"]');
        const n = embedded(fs.readFileSync(out, 'utf8')).doc.files.length;
        await expect(page.locator('details.fold').count()).resolves.toBe(n);
        await expect(page.locator('.files-table tbody tr').first().getAttribute('class')).resolves.toBe(null);
        await expect(page.locator('.files-table tbody tr').first().textContent()).resolves.toContain('DANGEROUS');
        const link = page.locator('.files-table tbody tr a').first();
        const target = (await link.getAttribute('href'))!;
        await link.click();
        await page.locator(`${target}[open] article.file .findings-table`).waitFor({ timeout: 5000 });
        expect(b.refused).toEqual([]);
      } finally {
        await b.close();
      }
    }, 60_000);
  });
}
