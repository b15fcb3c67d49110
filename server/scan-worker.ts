/**
 * Worker thread of the scan pool: compiles each policy once (from the spec sent with its first
 * use) and judges bodies (in memory, or spooled: read through the file descriptor). Runs the
 * compiled library from `dist/`.
 */
import { parentPort } from 'node:worker_threads';
import { compilePolicy } from '../src/policy/registry';
import type { CompiledPolicy, PolicySpec } from '../src';
import { scanBody } from './scan-body';
import type { WorkerRequest, WorkerResponse } from './scan-worker-protocol';

const policies = new Map<string, CompiledPolicy>();

async function handle(msg: WorkerRequest): Promise<WorkerResponse> {
  try {
    if (msg.spec !== undefined) policies.set(msg.policyKey, compilePolicy(msg.spec as PolicySpec));
    const policy = policies.get(msg.policyKey);
    if (!policy) return { id: msg.id, error: `unknown policy key ${msg.policyKey}` };
    const body = msg.bytes ? { bytes: msg.bytes } : { fd: msg.fd!, size: msg.size! };
    const report = await scanBody(body, { policy, name: msg.name, ...(msg.limits ? { limits: msg.limits } : {}), ...(msg.containerLimits ? { containerLimits: msg.containerLimits } : {}) });
    return { id: msg.id, report };
  } catch (err) {
    return { id: msg.id, error: err instanceof Error ? err.message : 'scan failed' };
  }
}

parentPort?.on('message', (msg: WorkerRequest) => {
  void handle(msg).then((r) => parentPort!.postMessage(r));
});
parentPort?.postMessage({ ready: true } satisfies WorkerResponse);
