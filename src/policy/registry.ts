/**
 * Finding, validating and compiling policies: built-in names, user specs (objects or JSON files), and
 * `extends` of a built-in. Built-ins are compiled once and shared.
 */
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { BUILTIN_POLICIES } from './builtin';
import { CompiledPolicy } from './compile';
import type { OptimizerBounds, ParsedPolicySpec, PolicySpec } from './schema';

/** The zod schemas, loaded on first use: built-in policies do not need them, and zod costs ~60 ms of start-up. */
function schema(): typeof import('./schema') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./schema') as typeof import('./schema');
}

/**
 * A built-in spec as PolicySchema.parse would return it, without zod: the built-ins are valid by
 * construction (test/policy/builtin-fast.test.ts checks this equals the zod parse for each of them), and
 * the only default the schema fills in is `rules`. Cloned, as parsing would, so compiling cannot alter it.
 */
export function parseBuiltinSpec(spec: PolicySpec): ParsedPolicySpec {
  const copy = structuredClone(spec) as ParsedPolicySpec;
  if (copy.rules === undefined) copy.rules = [];
  return copy;
}

/** A policy that cannot be used: unknown name, invalid spec, unreadable file. Thrown before any scan runs. */
export class PolicyError extends Error {
  /** One line per problem, each naming the offending path (e.g. `rules[3].module: must be a dotted Python identifier`). */
  readonly issues: string[];
  constructor(message: string, issues: string[] = []) {
    super(issues.length ? `${message}\n${issues.map((i) => `  - ${i}`).join('\n')}` : message);
    this.name = 'PolicyError';
    this.issues = issues;
  }
}

const compiled = new Map<string, CompiledPolicy>();

export function listPolicies(): { name: string; description: string; rules: number }[] {
  return BUILTIN_POLICIES.map((p) => ({ name: p.name, description: p.description ?? '', rules: p.rules?.length ?? 0 }));
}

/** A built-in policy by name, compiled once. */
export function getPolicy(name: string): CompiledPolicy {
  let p = compiled.get(name);
  if (p) return p;
  const spec = BUILTIN_POLICIES.find((s) => s.name === name);
  if (!spec) {
    throw new PolicyError(`unknown policy '${name}' (built-in policies: ${BUILTIN_POLICIES.map((s) => s.name).join(', ')})`);
  }
  p = new CompiledPolicy(parseBuiltinSpec(spec));
  compiled.set(name, p);
  return p;
}

function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => {
    const path = i.path.length
      ? i.path.map((seg, k) => (typeof seg === 'number' ? `[${seg}]` : k === 0 ? String(seg) : `.${String(seg)}`)).join('')
      : '(root)';
    return `${path}: ${i.message}`;
  });
}

function mergeWithBase(spec: ParsedPolicySpec): ParsedPolicySpec {
  if (!spec.extends) return spec;
  const base = getPolicy(spec.extends).spec;
  return {
    ...base,
    ...Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined)),
    name: spec.name,
    extends: spec.extends,
    rules: [...base.rules, ...spec.rules],
    extensions: { ...(base.extensions ?? {}), ...(spec.extensions ?? {}) },
    wire: spec.wire ?? base.wire,
    optimizer: mergeOptimizerBounds(base.optimizer, spec.optimizer),
  } as ParsedPolicySpec;
}

/**
 * Optimizer bounds of an extending policy are added to the base's: a key bounded in both takes the
 * extending policy's bound (so it can tighten or loosen it), `required`/`forbidden` are unions, and
 * `expect` is the extending policy's when set. A policy extending `mxnet-optimizer` with one per-class
 * bound so keeps every default bound.
 */
function mergeOptimizerBounds(base: OptimizerBounds | undefined, spec: OptimizerBounds | undefined): OptimizerBounds | undefined {
  if (!base || !spec) return spec ?? base;
  const classes: NonNullable<OptimizerBounds['classes']> = { ...(base.classes ?? {}) };
  for (const [name, keys] of Object.entries(spec.classes ?? {})) classes[name] = { ...(classes[name] ?? {}), ...keys };
  const union = (a?: string[], b?: string[]) => (a || b ? [...new Set([...(a ?? []), ...(b ?? [])])] : undefined);
  const merged: OptimizerBounds = {
    expect: spec.expect ?? base.expect,
    all: { ...(base.all ?? {}), ...(spec.all ?? {}) },
    classes,
    scheduler: { ...(base.scheduler ?? {}), ...(spec.scheduler ?? {}) },
  };
  const required = union(base.required, spec.required);
  const forbidden = union(base.forbidden, spec.forbidden);
  if (required) merged.required = required;
  if (forbidden) merged.forbidden = forbidden;
  return merged;
}

export type ParsePolicyResult = { ok: true; policy: CompiledPolicy } | { ok: false; issues: string[] };

/** Validates a policy spec (e.g. parsed JSON) without throwing. */
export function parsePolicy(input: unknown): ParsePolicyResult {
  const r = schema().PolicySchema.safeParse(input);
  if (!r.success) return { ok: false, issues: formatIssues(r.error) };
  if (r.data.extends !== undefined && !BUILTIN_POLICIES.some((b) => b.name === r.data.extends)) {
    return { ok: false, issues: [`extends: unknown built-in policy '${r.data.extends}'`] };
  }
  return { ok: true, policy: new CompiledPolicy(mergeWithBase(r.data)) };
}

/** Compiles a spec, throwing PolicyError with every issue. */
export function compilePolicy(spec: PolicySpec): CompiledPolicy {
  const r = parsePolicy(spec);
  if (!r.ok) throw new PolicyError(`invalid policy '${(spec as { name?: unknown }).name ?? '?'}'`, r.issues);
  return r.policy;
}

/** Reads and compiles a JSON policy file. */
export async function loadPolicyFile(path: string): Promise<CompiledPolicy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new PolicyError(`cannot read policy file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new PolicyError(`policy file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  const r = parsePolicy(json);
  if (!r.ok) throw new PolicyError(`invalid policy file ${path}`, r.issues);
  return r.policy;
}

/** A name, spec or compiled policy → compiled policy. */
export function resolvePolicy(policy: string | PolicySpec | CompiledPolicy | undefined): CompiledPolicy {
  if (policy === undefined) return getPolicy('default');
  if (typeof policy === 'string') return getPolicy(policy);
  if (policy instanceof CompiledPolicy) return policy;
  return compilePolicy(policy);
}
