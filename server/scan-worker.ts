/**
 * Worker thread of the scan pool: compiles each policy once (from the spec sent with its first
 * use) and answers scan requests. Runs the compiled library from `dist/`.
 */
import { parentPort } from 'node:worker_threads';
import { compilePolicy } from '../src/policy/registry';
import { scan } from '../src/scan';
import type { CompiledPolicy, PolicySpec } from '../src';
import type { WorkerRequest, WorkerResponse } from './scan-worker-protocol';

const policies = new Map<string, CompiledPolicy>();

function handle(msg: WorkerRequest): WorkerResponse {
  try {
    if (msg.spec !== undefined) policies.set(msg.policyKey, compilePolicy(msg.spec as PolicySpec));
    const policy = policies.get(msg.policyKey);
    if (!policy) return { id: msg.id, error: `unknown policy key ${msg.policyKey}` };
    return { id: msg.id, report: scan(msg.bytes, { policy, ...(msg.limits ? { limits: msg.limits } : {}) }) };
  } catch (err) {
    return { id: msg.id, error: err instanceof Error ? err.message : 'scan failed' };
  }
}

parentPort?.on('message', (msg: WorkerRequest) => parentPort!.postMessage(handle(msg)));
parentPort?.postMessage({ ready: true } satisfies WorkerResponse);
