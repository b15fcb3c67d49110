/**
 * Catalogue gadgets admitted with a reviewed argument guard (src/machine/sympy.ts): sympy's
 * classes, whose `__new__` sympifies its arguments and whose `__eq__` converts what it is compared
 * with. Admitted when every entry the catalogue failed is one the guard covers (`construction`,
 * `__new__`, `__eq__`) or a method a pickle must call itself (judged where it does, as methodOnly);
 * the machine then checks every call of the class, every BUILD on an instance and every dict or set
 * holding one as a key.
 */
import { GUARDED_ENTRIES, REVIEWED } from '../../machine/sympy';
import type { CatalogueEntry } from './index';
import { CHECKED_METHODS, type CallVerdict, type CatalogueVerdict, type MethodVerdicts } from './judge';

export function argsGuarded(e: CatalogueEntry, where: string): CatalogueVerdict | null {
  const failing = e.failing;
  if (!failing || !REVIEWED.has(e.name)) return null;
  const names = Object.keys(failing);
  const methods = names.filter((n) => (CHECKED_METHODS as readonly string[]).includes(n));
  if (names.some((n) => !GUARDED_ENTRIES.has(n) && !methods.includes(n))) return null;
  const methodVerdicts: Partial<Record<string, CallVerdict>> = {};
  for (const m of methods) {
    const gadget = failing[m] === 'gadget';
    methodVerdicts[m] = { gadget, reason: `${e.entry === m ? e.reason : `${m} reaches ${gadget ? 'a sink' : 'an unresolved call'}`} (catalogue of ${where})` };
  }
  return {
    decision: 'allow',
    catalogue: 'safe',
    reason: `catalogued in ${where} as ${e.kind === 'gadget' ? 'a gadget' : 'unverified'} (${e.reason}); admitted with a reviewed argument guard: its arguments, BUILD state and dict keys are checked where the pickle uses them`,
    guardedArgs: e.name,
    ...(methods.length ? { methodVerdicts: methodVerdicts as MethodVerdicts } : {}),
  };
}
