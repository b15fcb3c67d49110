/**
 * Catalogue entries admitted with a reviewed argument guard:
 *
 * - sympy's classes (src/machine/sympy.ts), whose `__new__` sympifies its arguments and whose
 *   `__eq__` converts what it is compared with. Admitted when every entry the catalogue failed is one
 *   the guard covers (`construction`, `__new__`, `__eq__`) or a method a pickle must call itself
 *   (judged where it does, as methodOnly); the machine then checks every call of the class, every
 *   BUILD on an instance and every dict or set holding one as a key.
 * - pint's unpicklers and the names they are handed (src/machine/pint.ts), and rdflib's Literal,
 *   BNode and Graph (src/machine/rdflib.ts): admitted when the failing entries are calls, which the
 *   guard checks (a class pint writes only as the ignored argument of its unpickler: any, since the
 *   guard refuses every call of it, so no instance is ever made).
 */
import { PINT_RESULT_METHODS, PINT_REVIEWED } from '../../machine/pint';
import { RDFLIB_REVIEWED } from '../../machine/rdflib';
import { GUARDED_ENTRIES, REVIEWED } from '../../machine/sympy';
import type { CatalogueEntry } from './index';
import { CHECKED_METHODS, type ArgumentGuard, type CallVerdict, type CatalogueVerdict, type MethodVerdicts } from './verdict';

/** The methods a pickle must call itself (SETITEM, APPEND, ADDITEMS), with the catalogue's verdict, for those it failed. */
function failedMethods(e: CatalogueEntry, where: string): Partial<Record<string, CallVerdict>> {
  const out: Partial<Record<string, CallVerdict>> = {};
  for (const m of Object.keys(e.failing ?? {}).filter((n) => (CHECKED_METHODS as readonly string[]).includes(n))) {
    const gadget = e.failing![m] === 'gadget';
    out[m] = { gadget, reason: `${e.entry === m ? e.reason : `${m} reaches ${gadget ? 'a sink' : 'an unresolved call'}`} (catalogue of ${where})` };
  }
  return out;
}

export function argsGuarded(e: CatalogueEntry, where: string): CatalogueVerdict | null {
  const failing = e.failing;
  if (!failing || !REVIEWED.has(e.name)) return null;
  const names = Object.keys(failing);
  const methods = names.filter((n) => (CHECKED_METHODS as readonly string[]).includes(n));
  if (names.some((n) => !GUARDED_ENTRIES.has(n) && !methods.includes(n))) return null;
  const methodVerdicts = failedMethods(e, where);
  return {
    decision: 'allow',
    catalogue: 'safe',
    reason: `catalogued in ${where} as ${e.kind === 'gadget' ? 'a gadget' : 'unverified'} (${e.reason}); admitted with a reviewed argument guard: its arguments, BUILD state and dict keys are checked where the pickle uses them`,
    guardedArgs: { owner: 'sympy', name: e.name },
    ...(methods.length ? { methodVerdicts: methodVerdicts as MethodVerdicts } : {}),
  };
}

/** Entries of a class whose calls the pint and rdflib guards check (rebuilding with `__new__` is a call for them). */
const CALL_ENTRIES: ReadonlySet<string> = new Set(['construction', '__new__']);

/**
 * pint's and rdflib's reviewed names (any catalogue kind but a gadget function): the guard checks
 * their calls, BUILDs on what they make, and pint objects as dict keys. What pint's unpicklers make
 * (a Quantity, a Measurement) has methods no one reviewed (the catalogue's registry Quantity reaches a
 * sink through __setitem__ and __getattr__), and a unit or ParserHelper parses the text it is compared
 * with: SETITEM, APPEND or ADDITEMS on it, and library code given it, are judged as a gadget method
 * (PINT_RESULT_METHODS says why).
 */
export function libraryGuarded(e: CatalogueEntry, where: string): CatalogueVerdict | null {
  const pint = PINT_REVIEWED.get(e.name);
  const rdflib = RDFLIB_REVIEWED.get(e.name);
  if (!pint && !rdflib) return null;
  const classArgument = pint?.role.kind === 'class-argument';
  if (e.kind === 'gadget' && !e.failing) return null; // a function that reaches a sink: nothing to guard
  const failing = Object.keys(e.failing ?? {});
  if (!classArgument && failing.some((n) => !CALL_ENTRIES.has(n) && !(CHECKED_METHODS as readonly string[]).includes(n))) return null;
  const methodVerdicts = failedMethods(e, where);
  const reason = PINT_RESULT_METHODS.get(e.name);
  if (reason) {
    for (const m of CHECKED_METHODS) methodVerdicts[m] = { gadget: true, reason };
  }
  const what = e.kind === 'gadget' ? 'a gadget' : e.kind === 'unverified' ? 'unverified' : 'safe';
  const guard: ArgumentGuard = pint ? 'pint' : 'rdflib';
  return {
    decision: 'allow',
    catalogue: 'safe',
    reason: `catalogued in ${where} as ${what}${e.kind === 'gadget' || e.kind === 'unverified' ? ` (${e.reason})` : ''}; admitted with a reviewed argument guard for ${guard}: ${classArgument ? "only as the class argument pint's unpickler ignores" : 'its calls (and BUILDs on what it makes) are checked where the pickle makes them'}`,
    guardedArgs: { owner: guard, name: e.name },
    ...(Object.keys(methodVerdicts).length ? { methodVerdicts: methodVerdicts as MethodVerdicts } : {}),
  };
}
