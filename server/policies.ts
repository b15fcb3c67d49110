/** Policies the service offers: the built-ins plus JSON policy files named in the config, compiled once. */
import { readFileSync } from 'node:fs';
import { getPolicy, listPolicies, parsePolicy } from '../src';
import type { CompiledPolicy } from '../src';
import { ConfigError } from './config';

export interface PolicyInfo {
  name: string;
  description: string;
  rules: number;
  source: 'built-in' | 'file';
}

export interface PolicySet {
  /** The policy used when a request does not pick one. */
  defaultPolicy: CompiledPolicy;
  byName: ReadonlyMap<string, CompiledPolicy>;
  info: readonly PolicyInfo[];
}

function loadPolicyFile(file: string): CompiledPolicy {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const why = err instanceof SyntaxError ? 'not valid JSON' : ((err as NodeJS.ErrnoException).code ?? 'unreadable');
    throw new ConfigError(`PICKLEGATE_POLICY_FILES: policy file ${file}: ${why}`);
  }
  const parsed = parsePolicy(json);
  if (!parsed.ok) throw new ConfigError(`PICKLEGATE_POLICY_FILES: policy file ${file}:\n${parsed.issues.map((i) => `  - ${i}`).join('\n')}`);
  return parsed.policy;
}

/** Compiles every policy. Throws ConfigError naming the setting for a bad file or an unknown default. */
export function loadPolicies(defaultName: string, files: readonly string[]): PolicySet {
  const byName = new Map<string, CompiledPolicy>();
  const info: PolicyInfo[] = [];
  for (const { name, description, rules } of listPolicies()) {
    byName.set(name, getPolicy(name));
    info.push({ name, description, rules, source: 'built-in' });
  }
  for (const file of files) {
    const policy = loadPolicyFile(file);
    if (byName.has(policy.name)) throw new ConfigError(`PICKLEGATE_POLICY_FILES: policy file ${file}: the name "${policy.name}" is already taken`);
    byName.set(policy.name, policy);
    info.push({ name: policy.name, description: policy.description, rules: policy.spec.rules.length, source: 'file' });
  }
  const defaultPolicy = byName.get(defaultName);
  if (!defaultPolicy) throw new ConfigError(`PICKLEGATE_POLICY: unknown policy "${defaultName}" (known: ${[...byName.keys()].join(', ')})`);
  return { defaultPolicy, byName, info };
}
