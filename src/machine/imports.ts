/** Imports: every global a pickle imports is recorded and judged by the policy the moment it happens. */
import type { OpReader } from '../pickle/reader';
import type { MachineState } from './state';
import type { GlobalValue } from './values';

/** Builtins whose calls the machine models (models.ts): their deny findings wait to see how they are used. */
const MODELED: ReadonlySet<string> = new Set(['builtins.getattr']);

export function importGlobal(m: MachineState, r: OpReader, module: string, name: string): GlobalValue {
  const j = m.policy.judge(module, name, m.proto);
  if (j.decision === 'deny' && MODELED.has(j.resolved)) {
    const id = m.rec.holdGlobal(module, name, r.opPos, r.info.name, j);
    return { k: 'global', module, name, resolved: j.resolved, id, held: { offset: r.opPos, opcode: r.info.name, reason: j.reason ?? 'denied by the policy', released: false } };
  }
  // a module itself, read through an importing shim: getattr on it is modeled, any other use is a finding
  if (j.moduleObject) {
    const id = m.rec.holdGlobal(module, name, r.opPos, r.info.name, j, 'the module itself, held: each getattr of it with a constant attribute name is judged by the name it reads');
    return { k: 'global', module, name, resolved: j.resolved, id, moduleOf: j.moduleObject, held: { offset: r.opPos, opcode: r.info.name, reason: j.reason ?? 'a module object', released: false } };
  }
  const id = m.rec.global(module, name, r.opPos, r.info.name, j);
  const g: GlobalValue = { k: 'global', module, name, resolved: j.resolved, id };
  if (!j.referenceOnly && !j.denyCall && !j.callVerdict && !j.catalogueVeto && !j.callsArguments && !j.methodVerdicts && !j.guardedSetstate && !j.guardedArgs && !j.storingBuild) return g;
  return {
    ...g,
    ...(j.referenceOnly ? { referenceOnly: true as const } : {}),
    ...(j.denyCall ? { denyCall: j.denyCall } : {}),
    ...(j.callVerdict ? { callVerdict: j.callVerdict } : {}),
    ...(j.methodVerdicts ? { methodVerdicts: j.methodVerdicts } : {}),
    ...(j.guardedSetstate ? { guardedSetstate: j.guardedSetstate } : {}),
    ...(j.guardedArgs ? { guardedArgs: j.guardedArgs } : {}),
    ...(j.storingBuild ? { storingBuild: j.storingBuild } : {}),
    ...(j.catalogueVeto ? { catalogueVeto: j.catalogueVeto } : {}),
    ...(j.callsArguments ? { callsArguments: j.callsArguments } : {}),
  };
}
