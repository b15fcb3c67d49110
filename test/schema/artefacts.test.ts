/**
 * The committed schema files are what the zod schemas generate today: each is regenerated in memory
 * and compared with its committed copy. When this fails, run `npm run schemas` and commit the result.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { SCHEMA_ARTEFACTS, artefactText } from '../../server/schema-artefacts';

const ROOT = path.resolve(__dirname, '../..');

describe('generated schema files are up to date', () => {
  test.each(SCHEMA_ARTEFACTS.map((a) => [a.path, a] as const))('%s', (_p, a) => {
    const file = path.join(ROOT, a.path);
    const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '(missing)';
    if (committed !== artefactText(a)) throw new Error(`${a.path} is stale: run \`npm run schemas\` and commit the result`);
  });

  test('the JSON Schemas are valid draft-07 (ajv, strict)', () => {
    for (const a of SCHEMA_ARTEFACTS.filter((x) => x.path.endsWith('.schema.json'))) {
      const ajv = new Ajv({ strict: true, strictTypes: false });
      ajv.addFormat('uri', true); // no ajv-formats here: the format is an annotation for this check
      expect([a.path, typeof ajv.compile(JSON.parse(fs.readFileSync(path.join(ROOT, a.path), 'utf8')))]).toEqual([a.path, 'function']);
    }
  });

  test('the policy schema accepts the documented example and every built-in policy', () => {
    const validate = new Ajv({ strict: false }).compile(JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/schemas/policy.schema.json'), 'utf8')));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { BUILTIN_POLICIES } = require('../../src/policy/builtin') as { BUILTIN_POLICIES: unknown[] };
    for (const p of BUILTIN_POLICIES) expect([validate(p), validate.errors]).toEqual([true, null]);
    const example = {
      name: 'gluoncv-optimizers',
      extends: 'mxnet-optimizer',
      rules: [{ module: 'gluoncv.utils.lr_scheduler', names: ['LRScheduler', 'LRSequential'], action: 'allow', reason: 'third-party schedulers importable on our servers' }],
      optimizer: { classes: { SGD: { lr: { max: 1 } } } },
    };
    expect(validate(example)).toBe(true);
    expect(validate({ ...example, unknown: 1 })).toBe(false);
  });
});
