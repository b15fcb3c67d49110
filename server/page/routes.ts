/**
 * GET / (the triage page) and GET /page/* (its assets), served from dist/page/ as built by
 * server/page/build.js. The page loads nothing else: its Content-Security-Policy allows only this
 * origin (and wasm compilation, for the xz decoder in the scan worker; the worker runs from a blob: URL).
 * Being HTML, the page and its assets get helmet's headers (the API's answers get api-headers.ts's).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Router } from 'express';
import type { Request, Response } from 'express';
import helmet from 'helmet';

export interface PageOptions {
  /** The service's body cap, shown by the page (files over it are never sent). */
  maxBodyBytes: number;
  /** Whether /v1/* needs a bearer token (the page then asks for one in service mode). */
  auth: boolean;
  /** The policy selected when the page opens. */
  policy: string;
  /** Policies only the service has (preloaded policy files). */
  servicePolicies: string[];
  /** Where the built page is (default: dist/page of this package). */
  dir?: string;
}

export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  // the scan worker runs from a blob: of /page/worker.js, fetched once with the page (a scan is stopped
  // by replacing its worker, which then needs no request)
  "worker-src blob:",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const ASSETS: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'worker.js': 'text/javascript; charset=utf-8',
  'page.css': 'text/css; charset=utf-8',
};

/** dist/page of the picklegate package this file belongs to (from src or from dist). */
export function builtPageDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'picklegate') return path.join(dir, 'dist', 'page');
    dir = path.dirname(dir);
  }
  return path.join(__dirname, '..', '..', 'page');
}

const escapeAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function pageRoutes(options: PageOptions): Router {
  const dir = options.dir ?? builtPageDir();
  const files = new Map<string, Buffer>();
  const load = (name: string): Buffer | null => {
    let b = files.get(name);
    if (!b) {
      try {
        b = fs.readFileSync(path.join(dir, name));
      } catch {
        return null;
      }
      files.set(name, b);
    }
    return b;
  };
  const headers = (res: Response, type: string): void => {
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Security-Policy', PAGE_CSP);
    res.setHeader('Cache-Control', 'no-cache');
  };
  const notBuilt = (res: Response): void => {
    res.status(503).type('text/plain').send('The page is not built: run `npm run build`.\n');
  };
  let index: Buffer | null = null;

  const router = Router();
  // helmet's headers for an HTML document (replacing the API's); PAGE_CSP then replaces its CSP
  const documentHeaders = helmet();
  router.get('/', documentHeaders, (_req, res) => {
    if (!index) {
      const html = load('index.html');
      if (!html) return notBuilt(res);
      const { dir: _dir, ...config } = options;
      index = Buffer.from(html.toString('utf8').replace('%PICKLEGATE_CONFIG%', escapeAttr(JSON.stringify(config))));
    }
    headers(res, 'text/html; charset=utf-8');
    res.send(index);
  });
  // not an asset: on to the API's 404, without the document's headers
  const assetName = (req: Request): string | null => {
    const name = req.params.name;
    return typeof name === 'string' && Object.hasOwn(ASSETS, name) ? name : null;
  };
  router.get('/page/:name', (req, _res, next) => next(assetName(req) === null ? 'route' : undefined), documentHeaders, (req, res) => {
    const name = assetName(req)!;
    const type = ASSETS[name]!;
    const body = load(name);
    if (!body) return notBuilt(res);
    headers(res, type);
    res.send(body);
  });
  return router;
}
