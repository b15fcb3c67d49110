/**
 * Every document picklegate writes, described once as zod schemas: findings, reports, file results,
 * the CLI's JSON document and the HTTP service's bodies. The TypeScript types of the library are
 * derived from these (z.infer), and the JSON Schemas (json-schema.ts) and the OpenAPI document
 * (server/openapi.ts) are generated from them (`npm run schemas`).
 *
 * This module loads zod (about 60 ms): library code imports its types only (`import type`), and code
 * that needs the schemas at run time loads it on first use.
 */
export * from './findings';
export * from './report';
export * from './optimizer';
export * from './files';
export * from './cli';
export * from './http';
