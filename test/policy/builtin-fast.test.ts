/** Built-in policies skip zod at start-up: the shortcut must give exactly what the schema's parse gives. */
import { BUILTIN_POLICIES } from '../../src/policy/builtin';
import { parseBuiltinSpec } from '../../src/policy/registry';
import { PolicySchema } from '../../src/policy/schema';

describe('built-in policies without zod', () => {
  it.each(BUILTIN_POLICIES.map((p) => [p.name, p] as const))('%s: parseBuiltinSpec equals PolicySchema.parse', (_name, spec) => {
    const fast = parseBuiltinSpec(spec);
    expect(fast).toStrictEqual(PolicySchema.parse(spec));
    expect(fast).not.toBe(spec);
  });
});
