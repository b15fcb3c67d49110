/**
 * src/policy/schema.ts (zod) in the browser bundle: the page judges with the built-in policies, which
 * never need the schemas (see parseBuiltinSpec in src/policy/registry.ts), so zod is left out of the
 * bundle. Policy files are a CLI and service feature.
 */
function unavailable(): never {
  throw new Error('policy files are not supported in the browser: pick a built-in policy, or scan through the service');
}
export const PolicySchema = { safeParse: unavailable, parse: unavailable };
export const policyJsonSchema = unavailable;
