/**
 * The triage page in a real browser (Debian's Chromium through playwright-core), served by the built
 * service: files go in through the file input and are scanned in the page's worker; the verdicts,
 * findings, member trees and documents equal the Node library's; a click on a finding's offset
 * highlights its opcode in the listing; long listings stay virtual; the JSON download is the CLI's
 * document; and in browser mode nothing at all is requested once the page has loaded (any request
 * to another origin fails the test in every mode). Screenshots go to test/web/.screenshots/.
 * Skipped, with a message, where Chromium is not installed.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanBytes } from '../../src';
import { closeInflateWorkers } from '../../src/containers/decode';
import { startBuiltService, type Child } from '../server/support';
import { HAVE_CHROMIUM, SHOTS, SKIP_MESSAGE, launch, type Browser } from './chromium';
import { ROOT, comparable, filesUnder } from './support';

// The page's globals, for the callbacks that run in the browser (the tests are typed without the DOM library).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const window: any;
/* eslint-enable @typescript-eslint/no-explicit-any */

const sample = (rel: string): string => path.join(ROOT, 'samples', rel);
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'bin.js');

interface Outcome {
  doc: { files: Record<string, unknown>[]; policy: string; summary: Record<string, number> };
  streams: { id: number; path: string[]; base: number; count: number }[];
  where: string;
  ms: number;
}

if (!HAVE_CHROMIUM) {
  // eslint-disable-next-line no-console
  console.warn(SKIP_MESSAGE);
  test.skip(SKIP_MESSAGE, () => undefined);
} else {
  describe('the triage page in Chromium', () => {
    let service: Child & { url: string };
    let b: Browser;
    /** Requests made up to the moment the page was ready. */
    let atReady = 0;

    beforeAll(async () => {
      fs.mkdirSync(SHOTS, { recursive: true });
      service = await startBuiltService({});
      b = await launch(`${service.url}/`);
      const res = await b.page.goto(`${service.url}/`);
      expect(res?.status()).toBe(200);
      expect(res?.headers()['content-security-policy']).toMatch(/default-src 'none'/);
      await b.page.waitForSelector('body[data-state="idle"]', { timeout: 20_000 });
      atReady = b.allowed.length;
    }, 60_000);

    afterAll(async () => {
      await b?.close();
      service?.proc.kill();
      await service?.exited;
      closeInflateWorkers();
    });

    async function scanInPage(file: string, policy = 'default'): Promise<Outcome> {
      const page = b.page;
      if ((await page.inputValue('#policy')) !== policy) await page.selectOption('#policy', policy);
      // the same file again would fire no change event: clear the input first
      await page.setInputFiles('#file', []);
      await page.evaluate(() => (document.body.dataset.state = 'waiting'));
      await page.setInputFiles('#file', file);
      await page.waitForFunction(() => document.body.dataset.state === 'done' || document.body.dataset.state === 'error', null, { timeout: 120_000 });
      const state = await page.evaluate(() => document.body.dataset.state);
      if (state !== 'done') throw new Error(`scan of ${path.basename(file)} failed in the page: ${await page.textContent('#status-text')}`);
      return (await page.evaluate(() => window.picklegate.last)) as Outcome;
    }

    async function nodeResult(file: string, policy = 'default'): Promise<unknown> {
      return comparable(await scanBytes(new Uint8Array(fs.readFileSync(file)), path.basename(file), { policy }));
    }

    test('the page loads its own files only: html, css, app, worker', () => {
      expect(b.refused).toEqual([]);
      expect(b.allowed.map((u) => new URL(u).pathname).sort()).toEqual(['/', '/page/app.js', '/page/page.css', '/page/worker.js']);
      expect(b.refused).toEqual([]);
    });

    test('benign pickle: SAFE, nothing found, imports listed with their decisions', async () => {
      const file = sample('benign/ordereddict_p4.pkl');
      const out = await scanInPage(file);
      expect(out.where).toBe('browser');
      expect(comparable(out.doc.files[0])).toEqual(await nodeResult(file));
      await expect(b.page.getAttribute('article.file', 'data-verdict')).resolves.toBe('safe');
      await expect(b.page.textContent('.findings')).resolves.toContain('Nothing found.');
      await expect(b.page.textContent('.imports-table')).resolves.toContain('collections.OrderedDict');
      await expect(b.page.textContent('#results')).resolves.toContain('Scanned in this browser');
    });

    test('malicious pickle: DANGEROUS, findings dangerous first, a click on the offset highlights the opcode', async () => {
      const file = sample('malicious/os_system_stack_global_p4.pkl');
      const out = await scanInPage(file);
      const node = (await nodeResult(file)) as { verdict: string; findings: { severity: string; offset: number | null }[] };
      expect(comparable(out.doc.files[0])).toEqual(node);
      expect(node.verdict).toBe('dangerous');
      const page = b.page;
      await expect(page.getAttribute('article.file', 'data-verdict')).resolves.toBe('dangerous');
      const first = page.locator('.findings-table tbody tr').first();
      await expect(first.getAttribute('class')).resolves.toContain('sev-dangerous');
      // the rows behind findings are marked in the listing, by a marker and a label, not colour only
      const dangerousOffsets = node.findings.filter((f) => f.severity === 'dangerous' && f.offset !== null).map((f) => f.offset!);
      const offset = dangerousOffsets[0]!;
      await first.locator('button.offset').click();
      const row = page.locator(`.listing .row.current[data-pos="${offset}"]`);
      await row.waitFor({ timeout: 5000 });
      await expect(row.getAttribute('class')).resolves.toMatch(/\bhit\b.*sev-dangerous/);
      await expect(row.locator('.c-mark').textContent()).resolves.toContain('‼');
      await expect(row.locator('.c-mark').getAttribute('aria-label')).resolves.toBe(`dangerous finding at offset ${offset}`);
      for (const o of dangerousOffsets) await expect(page.locator(`.listing .row.hit[data-pos="${o}"]`).count()).resolves.toBe(1);
      await page.screenshot({ path: path.join(SHOTS, 'malicious-pickle.png'), fullPage: true });
    });

    test('PyTorch zip with a payload: member tree with a verdict each, the finding in archive/data.pkl at its offset', async () => {
      const file = sample('containers/torch_payload_data_pkl.pt');
      const out = await scanInPage(file);
      expect(comparable(out.doc.files[0])).toEqual(await nodeResult(file));
      const page = b.page;
      const member = page.locator('li[data-member="torch_payload_data_pkl.pt/archive/data.pkl"]');
      await expect(member.getAttribute('data-verdict')).resolves.toBe('dangerous');
      await expect(member.textContent()).resolves.toContain('DANGEROUS');
      await expect(page.textContent('.findings-table tbody tr td.where')).resolves.toBe('archive/data.pkl');
      await page.locator('.findings-table tbody tr').first().locator('button.offset').click();
      await page.locator('.listing .row.current.hit[data-pos="2"]').waitFor({ timeout: 5000 });
      await expect(page.locator('.listing select').inputValue()).resolves.toBe(String(out.streams.find((s) => s.path.join('/') === 'torch_payload_data_pkl.pt/archive/data.pkl')!.id));
      await page.screenshot({ path: path.join(SHOTS, 'torch-payload.png'), fullPage: true });
    });

    test('benign PyTorch zip and a joblib file: SAFE, same results as the library', async () => {
      for (const rel of ['containers/torch_benign.pt', 'containers/joblib_real.joblib', 'containers/benign.joblib']) {
        const file = sample(rel);
        const out = await scanInPage(file);
        expect(comparable(out.doc.files[0])).toEqual(await nodeResult(file));
        expect(out.doc.files[0]!.verdict).toBe('safe');
      }
      await expect(b.page.locator('.tree li').count()).resolves.toBeGreaterThan(0);
    });

    test('every container sample (zip, tar, gzip, bzip2, xz, lzma, zstd, lz4, npy, npz, legacy torch, polyglots) scans in Chromium as in Node', async () => {
      const files = filesUnder(sample('containers')).filter((f) => !/\.(json|txt)$/.test(f));
      expect(files.length).toBeGreaterThan(60);
      const differ: string[] = [];
      for (const f of files) {
        const out = await scanInPage(f);
        if (JSON.stringify(comparable(out.doc.files[0])) !== JSON.stringify(await nodeResult(f))) differ.push(path.basename(f));
      }
      expect(differ).toEqual([]);
    }, 300_000);

    test('MXNet optimizer blob with policy mxnet-optimizer: the optimizer line', async () => {
      const file = sample('mxnet/wire-py311/mx1.3__DCASGD__default.pkl');
      const out = await scanInPage(file, 'mxnet-optimizer');
      const node = (await nodeResult(file, 'mxnet-optimizer')) as { optimizer: { line: string } };
      expect(comparable(out.doc.files[0])).toEqual(node);
      await expect(b.page.textContent('.optimizer')).resolves.toContain(node.optimizer.line);
      await b.page.selectOption('#policy', 'default');
    });

    test('the JSON download is the document of picklegate scan --format json', async () => {
      const file = sample('containers/torch_payload_data_pkl.pt');
      await scanInPage(file);
      const [download] = await Promise.all([b.page.waitForEvent('download'), b.page.click('#download')]);
      const got = JSON.parse(fs.readFileSync((await download.path())!, 'utf8'));
      let cli = '';
      try {
        execFileSync(process.execPath, [CLI, 'scan', '--format', 'json', path.basename(file)], { cwd: path.dirname(file), encoding: 'utf8' });
      } catch (err) {
        cli = (err as { stdout: string }).stdout; // exit 1: rejected
      }
      expect(comparable(got)).toEqual(comparable(JSON.parse(cli)));
      expect(download.suggestedFilename()).toBe('torch_payload_data_pkl.pt.picklegate.json');
    });

    test('a listing of 300,000 opcodes stays virtual: a few dozen rows in the DOM, any row reachable', async () => {
      // [0, 1, ..., n-1] at protocol 4: EMPTY_LIST MARK BININT... APPENDS, one APPENDS per 1000
      const n = 300_000;
      const parts: number[] = [0x80, 4, 0x5d];
      for (let i = 0; i < n; i += 1000) {
        parts.push(0x28);
        for (let k = i; k < Math.min(n, i + 1000); k++) parts.push(0x4a, k & 0xff, (k >> 8) & 0xff, (k >> 16) & 0xff, 0);
        parts.push(0x65);
      }
      parts.push(0x2e);
      const file = path.join(SHOTS, 'long-list.pkl');
      fs.writeFileSync(file, Buffer.from(parts));
      const out = await scanInPage(file);
      expect(out.streams[0]!.count).toBe(n + 3 + 2 * (n / 1000));
      const page = b.page;
      await page.locator('.listing .row[data-pos="0"]').waitFor();
      expect(await page.locator('.listing .row').count()).toBeLessThan(120);
      await page.focus('.listing-scroll');
      await page.keyboard.press('End');
      const last = page.locator(`.listing .row.current[data-pos="${parts.length - 1}"]`);
      await last.waitFor({ timeout: 5000 });
      await expect(last.locator('.c-op').textContent()).resolves.toBe('STOP');
      expect(await page.locator('.listing .row').count()).toBeLessThan(120);
    });

    test('another file given while a scan runs: the running scan is dropped, the new file is shown', async () => {
      const page = b.page;
      await page.setInputFiles('#file', []);
      // every state the page passes through is recorded: a scan that ends before a poll would
      // otherwise hide its 'scanning' from waitForFunction on a busy machine
      await page.evaluate(() => {
        const w = window as unknown as { states: string[] };
        w.states = [];
        const Observer = (globalThis as unknown as { MutationObserver: new (cb: () => void) => { observe(target: unknown, options: object): void } }).MutationObserver;
        new Observer(() => w.states.push(document.body.dataset.state ?? '')).observe(document.body, { attributes: true, attributeFilter: ['data-state'] });
        document.body.dataset.state = 'waiting';
      });
      await page.setInputFiles('#file', path.join(SHOTS, 'long-list.pkl'));
      await page.waitForFunction(() => (window as unknown as { states: string[] }).states.includes('scanning'));
      const out = await scanInPage(sample('malicious/inst_os_system_p0.pkl'));
      expect(out.doc.files[0]!.path).toBe('inst_os_system_p0.pkl');
      expect(out.doc.files[0]!.verdict).toBe('dangerous');
      await expect(page.locator('article.file').count()).resolves.toBe(1);
    });

    test('in browser mode nothing was requested after the page loaded, and nothing from elsewhere', () => {
      expect(b.refused).toEqual([]);
      expect(b.allowed.slice(atReady)).toEqual([]);
    });

    test('offline: the page still scans', async () => {
      await b.context.setOffline(true);
      try {
        const out = await scanInPage(sample('malicious/posix_system_global_p0.pkl'));
        expect(out.doc.files[0]!.verdict).toBe('dangerous');
      } finally {
        await b.context.setOffline(false);
      }
    });

    test('service mode: the file goes to POST /v1/scan, and the page shows the service’s report', async () => {
      const page = b.page;
      await page.check('input[name="where"][value="service"]');
      await expect(page.textContent('#privacy')).resolves.toContain('sent to this picklegate service');
      const before = b.allowed.length;
      const file = sample('malicious/posix_system_global_p0.pkl');
      const out = await scanInPage(file);
      expect(out.where).toBe('service');
      expect(b.allowed.slice(before).map((u) => new URL(u).pathname)).toEqual(['/v1/scan']);
      const node = (await nodeResult(file)) as { verdict: string; findings: unknown[]; globals: unknown[] };
      expect(out.doc.files[0]!.verdict).toBe(node.verdict);
      expect(comparable(out.doc.files[0]!.globals)).toEqual(node.globals);
      await expect(page.textContent('#results')).resolves.toContain('Scanned by the picklegate service');
      await page.locator('.findings-table button.offset').first().click();
      await page.locator('.listing .row.current.hit').waitFor({ timeout: 5000 });
      await page.check('input[name="where"][value="browser"]');
      expect(b.refused).toEqual([]);
    });

    test('keyboard and labels: every control has a label, the file input is focusable, offsets are buttons', async () => {
      const page = b.page;
      const unlabelled = await page.evaluate(() =>
        [...document.querySelectorAll('input, select, button')]
          .filter((el: { type: string; labels: unknown[] | null; getAttribute(n: string): string | null; textContent: string | null }) => {
            const e = el;
            if (e.type === 'hidden') return false;
            return !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !(e.textContent ?? '').trim();
          })
          .map((el: { outerHTML: string }) => el.outerHTML.slice(0, 80)),
      );
      expect(unlabelled).toEqual([]);
      await page.focus('#file');
      await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('file');
      expect(await page.locator('.findings-table .offset').evaluateAll((els) => els.every((e) => e.tagName === 'BUTTON'))).toBe(true);
    });
  });
}
