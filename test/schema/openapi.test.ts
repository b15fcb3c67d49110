/**
 * The OpenAPI document: well-formed OpenAPI 3.1 (every `$ref` resolves, every schema is valid JSON
 * Schema 2020-12, operations and parameters complete), served as generated, and in step with the
 * routes the express app really has (both ways).
 */
import * as fs from 'node:fs';
import { METHODS } from 'node:http';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import request from 'supertest';
import { openApiDocument } from '../../server/openapi';
import { VERSION } from '../../server/version';
import { makeService } from '../server/support';
import { OpenApiValidator } from './support';

const ROOT = path.resolve(__dirname, '../..');
type Json = Record<string, unknown>;
const doc = openApiDocument(VERSION) as Json & { paths: Record<string, Record<string, Json>>; components: { schemas: Record<string, Json>; securitySchemes: Json } };
const OPERATION_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every `$ref` in the document with where it is. */
function refs(value: unknown, at = '#'): { ref: string; at: string }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => refs(v, `${at}/${i}`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => (k === '$ref' && typeof v === 'string' ? [{ ref: v, at }] : refs(v, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`)));
}

function resolve(pointer: string): unknown {
  if (!pointer.startsWith('#/')) return undefined;
  let at: unknown = doc;
  for (const seg of pointer.slice(2).split('/')) {
    const key = decodeURIComponent(seg).replace(/~1/g, '/').replace(/~0/g, '~');
    if (at === null || typeof at !== 'object' || !Object.prototype.hasOwnProperty.call(at, key)) return undefined;
    at = (at as Json)[key];
  }
  return at;
}

function operations(): { path: string; method: string; op: Json }[] {
  return Object.entries(doc.paths).flatMap(([p, item]) => OPERATION_METHODS.filter((m) => item[m]).map((m) => ({ path: p, method: m, op: item[m] as Json })));
}

describe('OpenAPI 3.1 structure', () => {
  test('header: openapi 3.1.x, info, dialect', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: 'picklegate', version: VERSION });
    expect(doc.jsonSchemaDialect).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  test('every $ref resolves inside the document', () => {
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(30);
    expect(all.filter((r) => resolve(r.ref) === undefined)).toEqual([]);
  });

  test('every component schema is valid JSON Schema 2020-12 (ajv, strict)', () => {
    const ajv = new Ajv2020({ strict: true, strictTypes: false, allErrors: true });
    ajv.addKeyword('components'); // the container of the schemas, not a keyword to check
    ajv.addSchema({ $id: 'https://picklegate.test/c.json', components: { schemas: doc.components.schemas } });
    for (const name of Object.keys(doc.components.schemas)) {
      expect([name, typeof ajv.getSchema(`https://picklegate.test/c.json#/components/schemas/${name}`)]).toEqual([name, 'function']);
    }
  });

  test('operations: unique operationId, a summary, responses with descriptions, well-formed parameters', () => {
    const ids = new Set<string>();
    for (const { path: p, method, op } of operations()) {
      const where = `${method.toUpperCase()} ${p}`;
      expect([where, typeof op.operationId, typeof op.summary]).toEqual([where, 'string', 'string']);
      expect(ids.has(op.operationId as string)).toBe(false);
      ids.add(op.operationId as string);
      const responses = op.responses as Record<string, Json>;
      expect(Object.keys(responses).length).toBeGreaterThan(0);
      for (const [status, r] of Object.entries(responses)) {
        expect([where, status, /^([1-5]\d\d|default)$/.test(status), typeof r.description]).toEqual([where, status, true, 'string']);
      }
      for (const s of (op.security ?? []) as Json[]) for (const scheme of Object.keys(s)) expect(doc.components.securitySchemes).toHaveProperty(scheme);
      const params = (op.parameters ?? []) as Json[];
      const keys = params.map((x) => `${x.in as string}:${x.name as string}`);
      expect(new Set(keys).size).toBe(keys.length);
      for (const x of params) {
        expect(['query', 'header', 'path', 'cookie']).toContain(x.in);
        expect([x.name, typeof x.schema]).toEqual([x.name, 'object']);
      }
      if (op.requestBody) expect(Object.keys((op.requestBody as Json).content as Json).length).toBeGreaterThan(0);
    }
  });

  test('GET /openapi.json serves this document, and docs/schemas/openapi.json is it', async () => {
    const res = await request(makeService().app).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(doc);
    expect(JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/schemas/openapi.json'), 'utf8'))).toEqual(doc);
  });

  test('the validator the tests use does reject a wrong body', () => {
    const v = new OpenApiValidator();
    expect(() => v.check('/v1/scan', 'post', 200, { verdict: 'safe' }, { 'x-request-id': 'x' })).toThrow(/does not match/);
    expect(() => v.check('/v1/scan', 'post', 418, {}, {})).toThrow(/not documented/);
  });
});

describe('the document and the express app have the same routes', () => {
  // every optional route on: metrics, forward mode (all paths too)
  const { app } = makeService({ metrics: true, upstream: 'http://127.0.0.1:9/command', forwardAllPaths: true });
  interface Layer {
    name: string;
    route?: { path: string; methods: Record<string, boolean>; stack: { name: string }[] };
  }
  const stack = (app as unknown as { router: { stack: Layer[] } }).router.stack;
  const allMethods = METHODS.map((m) => m.toLowerCase());
  const served = new Set<string>();
  const anyMethod = new Set<string>();
  for (const l of stack) {
    if (!l.route) continue;
    const methods = Object.keys(l.route.methods).filter((m) => l.route!.methods[m]);
    if (allMethods.every((m) => methods.includes(m))) anyMethod.add(l.route.path);
    else for (const m of methods) served.add(`${m.toUpperCase()} ${l.route.path}`);
  }
  const documented = new Set(operations().map((o) => `${o.method.toUpperCase()} ${o.path}`));

  test('every route the app serves is documented, and every documented operation is served', () => {
    expect(served.size).toBeGreaterThan(5);
    expect([...served].sort()).toEqual([...documented].sort());
  });

  test('the any-method routes (405 for a wrong method) are documented paths that say so', () => {
    expect([...anyMethod].sort()).toEqual(['/v1/forward', '/v1/gate', '/v1/scan']);
    for (const p of anyMethod) {
      expect(stack.find((l) => l.route?.path === p && l.route.stack.some((h) => h.name === 'methodNotAllowed'))).toBeDefined();
      expect(doc.paths[p]!.description).toMatch(/405/);
    }
  });
});
