/** Rules of the policy's judgement of imports, its wire rules (MXNet kvstore) and its optimizer bounds. */
import { ONCE, rule } from './rule';

export interface Import {
  op: string;
  resolved: string;
  /** The spelling in the stream when it differs from `resolved`, else null. */
  spelled: string | null;
  /** Folds repeats of one import (module, name, resolved name and decision). */
  key: string;
}
const written = (a: Import) => (a.spelled ? ` (written as ${a.spelled})` : '');

/** A call of a class that runs its __init__, which the library catalogue judged. */
export interface InitCall {
  op: string;
  at: number;
  callee: string;
  reason: string;
}
const runsInit = (a: InitCall) => `${a.op} at offset ${a.at} calls ${a.callee}, which runs its __init__: ${a.reason}`;

/** A callable the catalogue judged by what calling it runs, handed to another callable that may call it. */
export interface Handed {
  op: string;
  at: number;
  cls: string;
  callee: string;
  reason: string;
}
const handedOver = (a: Handed) => `${a.op} at offset ${a.at} passes ${a.cls} to ${a.callee}, which may call it: ${a.reason}`;

/** A method of an object the pickle built (APPEND, SETITEM, ADDITEMS call them) that the catalogue judged. */
export interface MethodRun {
  op: string;
  at: number;
  cls: string;
  method: string;
  reason: string;
}
const runsMethod = (a: MethodRun) => `${a.op} at offset ${a.at} calls ${a.method} of a ${a.cls} the pickle built: ${a.reason}`;

export const CHECK_RULES = {
  // ---- imports, judged by the policy
  'DENIED_GLOBAL/denied': rule<Import & { reason: string }>('dangerous', (a) => `${a.op} imports ${a.resolved}${written(a)}: ${a.reason}`, (a) => a.key),
  'UNLISTED_GLOBAL/not-allowed': rule<Import>('suspicious', (a) => `${a.op} imports ${a.resolved}${written(a)}, which the policy does not allow`, (a) => a.key),
  'UNLISTED_GLOBAL/unverified': rule<Import & { reason: string }>('suspicious', (a) => `${a.op} imports ${a.resolved}${written(a)}: ${a.reason}`, (a) => a.key),
  'UNLISTED_GLOBAL/not-in-catalogue': rule<Import & { reason: string }>('suspicious', (a) => `${a.op} imports ${a.resolved}${written(a)}, which the policy does not allow and which is ${a.reason}`, (a) => a.key),
  'UNLISTED_GLOBAL/outside-tier': rule<Import & { reason: string }>('suspicious', (a) => `${a.op} imports ${a.resolved}${written(a)}, which the policy does not allow: ${a.reason}`, (a) => a.key),
  'DENIED_GLOBAL/gadget': rule<Import & { reason: string }>('dangerous', (a) => `${a.op} imports ${a.resolved}${written(a)}: ${a.reason}`, (a) => a.key),
  'UNLISTED_GLOBAL/called-reference': rule<{ op: string; at: number; callee: string; reason: string }>(
    'suspicious',
    (a) => `${a.op} at offset ${a.at} calls ${a.callee}, which the policy allows only as a value (${a.reason}): libraries store it, they do not call it while loading`,
  ),
  'DENIED_GLOBAL/denied-call': rule<{ op: string; at: number; callee: string; reason: string }>('dangerous', (a) => `${a.op} at offset ${a.at} calls ${a.callee}: ${a.reason}`),
  'DENIED_GLOBAL/gadget-call': rule<InitCall>('dangerous', runsInit),
  'UNLISTED_GLOBAL/unverified-call': rule<InitCall>('suspicious', runsInit),
  'DENIED_GLOBAL/gadget-method': rule<MethodRun>('dangerous', runsMethod),
  'UNLISTED_GLOBAL/unverified-method': rule<MethodRun>('suspicious', runsMethod),
  'DENIED_GLOBAL/gadget-passed': rule<Handed>('dangerous', handedOver),
  'UNLISTED_GLOBAL/unverified-passed': rule<Handed>('suspicious', handedOver),
  'DENIED_GLOBAL/handed-denied-call': rule<{ op: string; at: number; callee: string; handed: string; reason: string }>(
    'dangerous',
    (a) => `${a.op} at offset ${a.at} hands ${a.handed} to ${a.callee}, which calls what it is handed: ${a.reason}`,
  ),
  'UNLISTED_GLOBAL/handed-reference': rule<{ op: string; at: number; callee: string; handed: string }>(
    'suspicious',
    (a) => `${a.op} at offset ${a.at} hands ${a.handed} to ${a.callee}, which calls what it is handed; the policy allows ${a.handed} only as a value, not as something loading calls`,
  ),
  'UNLISTED_GLOBAL/handed-object': rule<{ op: string; at: number; callee: string; handed: string }>(
    'suspicious',
    (a) => `${a.op} at offset ${a.at} hands an object the pickle built (${a.handed}) to ${a.callee}, which calls what it is handed: what calling that object runs is not checked`,
  ),
  'DENIED_GLOBAL/unsafe-call': rule<{ op: string; at: number; call: string; why: string }>('dangerous', (a) => `${a.op} at offset ${a.at} calls ${a.call}: ${a.why}`),
  'DENIED_GLOBAL/unmodeled-use': rule<Import & { reason: string; use: string }>(
    'dangerous',
    (a) => `${a.op} imports ${a.resolved}${written(a)}: ${a.reason}; it is ${a.use}, which picklegate cannot follow`,
    (a) => a.key,
  ),

  // ---- wire rules
  'WIRE_RULE/max-bytes': rule<{ size: number; max: number }>('suspicious', (a) => `the input is ${a.size} bytes, more than the ${a.max} this wire accepts`, ONCE),
  'WIRE_RULE/nul-byte': rule<{ at: number }>('suspicious', (a) => `NUL byte at offset ${a.at}: the transport cuts the body there, so the server would load a different pickle`, ONCE),
  'WIRE_RULE/non-ascii': rule<{ at: number; byte: number }>('suspicious', (a) => `non-ASCII byte 0x${a.byte.toString(16)} at offset ${a.at}: legitimate bodies are pure ASCII`, ONCE),
  'WIRE_RULE/opcode': rule<{ op: string; at: number }>('suspicious', (a) => `${a.op} at offset ${a.at} is not an opcode this wire carries`, (a) => a.op),
  'WIRE_RULE/protocol': rule<{ proto: number; at: number; allowed: string }>('suspicious', (a) => `protocol ${a.proto} at offset ${a.at}; this wire carries protocol ${a.allowed}`, ONCE),
  'WIRE_RULE/after-stop': rule<{ at: number }>('suspicious', (a) => `bytes after STOP at offset ${a.at}: exactly one pickle is expected and the loader ignores the rest`, ONCE),
  'WIRE_RULE/leftover': rule<{ at: number; objects: number; marks: number }>(
    'suspicious',
    (a) => `STOP at offset ${a.at} leaves ${a.objects} object(s) and ${a.marks} MARK(s) under the result: a legitimate pickle leaves nothing behind`,
    ONCE,
  ),
  'WIRE_RULE/reduce-shape': rule<{ at: number }>('suspicious', (a) => `REDUCE at offset ${a.at} is not copy_reg._reconstructor(<class>, object, None), the only call an optimizer pickle makes`),
  'WIRE_RULE/build-shape': rule<{ at: number; target: boolean }>('suspicious', (a) =>
    `BUILD at offset ${a.at} ${a.target ? 'targets an object not made by copy_reg._reconstructor' : 'has a state that is not a dict with str keys (a 2-tuple state would set attributes directly)'}`,
  ),

  // ---- optimizer bounds
  'OPTIMIZER_BOUND/required': rule<{ who: string; key: string; label: string }>('suspicious', (a) => `${a.who} sets no '${a.key}', which the policy requires`, (a) => `${a.label}\0${a.key}`),
  'OPTIMIZER_BOUND/forbidden': rule<{ who: string; key: string; label: string }>('suspicious', (a) => `${a.who} sets '${a.key}', which the policy forbids`, (a) => `${a.label}\0${a.key}`),
  'OPTIMIZER_BOUND/bound': rule<{ label: string; key: string; problem: string }>('suspicious', (a) => `${a.label}.${a.key} ${a.problem}`, (a) => `${a.label}\0${a.key}`),
  'OPTIMIZER_BOUND/scheduler-bound': rule<{ label: string; scheduler: string; key: string; problem: string; id: number }>(
    'suspicious',
    (a) => `${a.label}.lr_scheduler (${a.scheduler}).${a.key} ${a.problem}`,
    (a) => `${a.id}\0${a.key}`,
  ),
  'OPTIMIZER_BOUND/not-states': rule<{ loads: string; problem: string | null }>('suspicious', (a) => a.problem ?? `the pickle loads ${a.loads}, not an optimizer states dict or a (states, optimizer) tuple`, ONCE),
  'OPTIMIZER_BOUND/not-optimizer': rule<{ loads: string }>('suspicious', (a) => `the pickle loads ${a.loads}, not an optimizer object with a state dict`, ONCE),
};
