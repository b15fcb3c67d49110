/** Imports: every global a pickle imports is recorded and judged by the policy the moment it happens. */
import type { OpReader } from '../pickle/reader';
import type { MachineState } from './state';
import type { GlobalValue } from './values';

/** Builtins whose calls the machine models (models.ts): their deny findings wait to see how they are used. */
const MODELED: ReadonlySet<string> = new Set(['builtins.getattr']);

/** `Owner.__new__` by a protocol 4 dotted name: the owner's qualified name. */
const DOTTED_NEW = /^((?:[A-Za-z_][A-Za-z0-9_]*\.)*[A-Za-z_][A-Za-z0-9_]*)\.__new__$/;

export function importGlobal(m: MachineState, r: OpReader, module: string, name: string): GlobalValue {
  const ctor = dottedConstructor(m, r, module, name);
  if (ctor) return ctor;
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
  if (!j.referenceOnly && !j.denyCall && !j.callVerdict && !j.catalogueVeto && !j.callsArguments && !j.methodVerdicts && !j.guardedSetstate && !j.guardedArgs && !j.storingBuild && !j.receivers) return g;
  return {
    ...g,
    ...(j.referenceOnly ? { referenceOnly: true as const } : {}),
    ...(j.denyCall ? { denyCall: j.denyCall } : {}),
    ...(j.callVerdict ? { callVerdict: j.callVerdict } : {}),
    ...(j.methodVerdicts ? { methodVerdicts: j.methodVerdicts } : {}),
    ...(j.guardedSetstate ? { guardedSetstate: j.guardedSetstate } : {}),
    ...(j.guardedArgs ? { guardedArgs: j.guardedArgs } : {}),
    ...(j.storingBuild ? { storingBuild: j.storingBuild } : {}),
    ...(j.receivers ? { receivers: j.receivers } : {}),
    ...(j.catalogueVeto ? { catalogueVeto: j.catalogueVeto } : {}),
    ...(j.callsArguments ? { callsArguments: j.callsArguments } : {}),
  };
}

/**
 * `Owner.__new__` named by a protocol 4 dotted name is what `getattr(Owner, '__new__')` is
 * (models.ts): the owner's constructor, whose call rebuilds its first argument. Modeled only for an
 * owner the policy allows with a reviewed BUILD guard (its __new__ was read as well, and calls of it
 * are checked: costs.ts); any other `X.__new__` keeps the policy's verdict on a name that walks
 * through a dunder attribute.
 */
function dottedConstructor(m: MachineState, r: OpReader, module: string, name: string): GlobalValue | null {
  const owner = DOTTED_NEW.exec(name)?.[1];
  if (!owner || owner.split('.').some((part) => part.startsWith('__'))) return null;
  const j = m.policy.judge(module, owner, m.proto);
  if (j.decision !== 'allow' || !j.guardedSetstate) return null;
  const g = importGlobal(m, r, module, owner);
  return { k: 'global', module, name, resolved: `${g.resolved}.__new__`, id: g.id, ctorOf: g };
}
