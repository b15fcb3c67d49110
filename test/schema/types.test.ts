/**
 * Types that are still written elsewhere (behaviour modules outside src/report/) must equal what the
 * schemas describe. The checks are compile-time (`npm run typecheck` compiles this file); the tests
 * add the facts only run time can see.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { z } from 'zod';
import type { Format } from '../../src/containers/formats';
import { JSON_REPORT_VERSION } from '../../src/cli/render-json';
import { FINDING_CODES } from '../../src/report/findings';
import { RULES, splitRule, type RuleId } from '../../src/report/rules';
import { CliReportSchema, ERROR_CODES, FORMATS, FindingSchema, RULE_NAME } from '../../src/report/schema';
import type { PolicyInfoSchema, ScanTimingSchema } from '../../src/report/schema';
import { SETTINGS, configFileSchema, loadConfig, type Config } from '../../server/config';
import type { HttpErrorCode } from '../../server/errors';
import type { PolicyInfo } from '../../server/policies';
import type { ScanTiming } from '../../server/respond';

/** Compiles only when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function same<A, B>(ok: Equal<A, B>): void {
  void ok;
}

same<Format, (typeof FORMATS)[number]>(true);
same<Exclude<HttpErrorCode, 'rejected'>, (typeof ERROR_CODES)[number]>(true);
same<ScanTiming, z.infer<typeof ScanTimingSchema>>(true);
same<PolicyInfo, z.infer<typeof PolicyInfoSchema>>(true);
same<(typeof SETTINGS)[number]['key'], keyof Config>(true);

const ROOT = path.resolve(__dirname, '../..');

describe('the schemas and the code agree', () => {
  test('every rule of the table has a code of FINDING_CODES and a rule name the schema accepts', () => {
    const ids = Object.keys(RULES) as RuleId[];
    expect(ids.length).toBeGreaterThan(50);
    for (const id of ids) {
      const { code, rule } = splitRule(id);
      expect([id, code in FINDING_CODES, RULE_NAME.test(rule)]).toEqual([id, true, true]);
      expect(FindingSchema.safeParse({ code, rule, severity: RULES[id].severity, message: 'm', offset: null }).success).toBe(true);
    }
  });

  test('JSON_REPORT_VERSION is the version the schema describes', () => {
    expect(CliReportSchema.shape.version.value).toBe(JSON_REPORT_VERSION);
  });

  test('the config file schema has every setting a file can hold, and only those', () => {
    const config = loadConfig({});
    expect(Object.keys(configFileSchema().shape).sort()).toEqual(Object.keys(config).sort());
    expect(configFileSchema().safeParse({ port: 9000, limits: { maxOpcodes: 10 }, upstream: 'http://127.0.0.1:1/x' }).success).toBe(true);
    expect(configFileSchema().safeParse({ nope: 1 }).success).toBe(false);
  });
});

describe('zod stays out of scanning', () => {
  // zod costs ~60 ms of start-up: the library and the CLI import the schema module's types only
  const loaded = (code: string): { zod: boolean; schema: boolean } => {
    const r = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as { zod: boolean; schema: boolean };
  };
  const report = `const k = Object.keys(require.cache); console.log('\\n' + JSON.stringify({ zod: k.some((f) => f.includes('/node_modules/zod/')), schema: k.some((f) => f.includes('/report/schema/')) }))`;

  test('scan(), scanFile() and the renderers load neither zod nor the schema module', () => {
    const code = `
      const { scan } = require('./dist/src/scan');
      const { scanFile } = require('./dist/src/containers/scan-file');
      require('./dist/src/cli/render-json'); require('./dist/src/cli/render-sarif'); require('./dist/src/cli/render-text');
      scan(Buffer.from('cos\\nsystem\\n(S"id"\\ntR.'), { policy: 'mxnet-optimizer' });
      scanFile('samples/containers/benign_model.bin').then(() => { ${report} });`;
    expect(loaded(code)).toEqual({ zod: false, schema: false });
  });

  test('the CLI writes JSON and SARIF without loading them', () => {
    for (const format of ['json', 'sarif', 'text']) {
      const code = `
        process.stdout.write = () => true;
        require('./dist/src/cli/main').main(['scan', '--format', '${format}', 'samples/containers']).then(() => { process.stdout.write = require('node:fs').writeSync.bind(null, 1); ${report} });`;
      expect([format, loaded(code)]).toEqual([format, { zod: false, schema: false }]);
    }
  });
});
