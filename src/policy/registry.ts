/**
 * Finding, validating and compiling policies: built-in names, user specs (objects or JSON files), and
 * `extends` of a built-in. Built-ins are compiled once and shared.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { BUILTIN_POLICIES } from './builtin';
import { CompiledPolicy } from './compile';
import { PolicySchema, type ParsedPolicySpec, type PolicySpec } from './schema';

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
  p = new CompiledPolicy(PolicySchema.parse(spec));
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
    optimizer: spec.optimizer ?? base.optimizer,
  } as ParsedPolicySpec;
}

export type ParsePolicyResult = { ok: true; policy: CompiledPolicy } | { ok: false; issues: string[] };

/** Validates a policy spec (e.g. parsed JSON) without throwing. */
export function parsePolicy(input: unknown): ParsePolicyResult {
  const r = PolicySchema.safeParse(input);
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
