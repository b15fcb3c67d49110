/**
 * The generated reference data under samples/reference/ is what the library's tables are made from, and
 * stays so: _compat_pickle's renames (compat-pickle.json, dumped from CPython) are the library's
 * IMPORT_MAPPING / NAME_MAPPING, and src/names/data/stdlib-aliases.ts is exactly what
 * samples/generate/aliases_to_ts.py writes from stdlib-aliases.json. (opcodes.json is checked by
 * test/pickle/opcodes.test.ts.)
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMPORT_MAPPING, NAME_MAPPING } from '../../src/names/compat-pickle';

const ROOT = join(__dirname, '../..');
const env = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
const reference = JSON.parse(readFileSync(join(ROOT, 'samples/reference/compat-pickle.json'), 'utf8')) as {
  IMPORT_MAPPING: Record<string, string>;
  NAME_MAPPING: [[string, string], [string, string]][];
};

describe('samples/reference/compat-pickle.json (CPython _compat_pickle) is the library table', () => {
  test('IMPORT_MAPPING: the same 55 module renames', () => {
    expect(Object.fromEntries(IMPORT_MAPPING)).toEqual(reference.IMPORT_MAPPING);
    expect(IMPORT_MAPPING.size).toBe(55);
  });

  test('NAME_MAPPING: the same 88 (module, name) renames', () => {
    const ours = [...NAME_MAPPING].map(([k, v]) => [k.split('\0'), [...v]]).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    expect(ours).toEqual(reference.NAME_MAPPING);
    expect(NAME_MAPPING.size).toBe(88);
  });

  test('and it is what the python3 running the tests has in _compat_pickle', () => {
    const live = JSON.parse(
      execFileSync('python3', ['-c', 'import _compat_pickle as c, json; print(json.dumps({"IMPORT_MAPPING": dict(sorted(c.IMPORT_MAPPING.items())), "NAME_MAPPING": sorted([[list(k), list(v)] for k, v in c.NAME_MAPPING.items()])}))'], { encoding: 'utf8', env }),
    );
    expect(live).toEqual({ IMPORT_MAPPING: reference.IMPORT_MAPPING, NAME_MAPPING: reference.NAME_MAPPING });
  });
});

test('src/names/data/stdlib-aliases.ts (1,903 aliases) is what aliases_to_ts.py writes from samples/reference/stdlib-aliases.json', () => {
  const generated = execFileSync('python3', [join(ROOT, 'samples/generate/aliases_to_ts.py'), '--stdout'], { encoding: 'utf8', env });
  expect(generated).toBe(readFileSync(join(ROOT, 'src/names/data/stdlib-aliases.ts'), 'utf8'));
  expect(generated.split('\n').filter((l) => l.startsWith('  ["'))).toHaveLength(1903);
});
