/**
 * The owner of a name admitted with a reviewed argument guard (GuardedArgs.owner, set by the
 * catalogue in guarded-args.ts) decides which guard checks it. A name its owner has no spec for, and
 * a name whose owner is none of the guards, are refused wherever the pickle calls or builds it (fail
 * closed): no catalogue entry produces either today, so the judgement is made up here.
 */
import { DEFAULT_LIMITS, scan, type CompiledPolicy } from '../../src';
import type { ArgumentGuard } from '../../src/names/catalogue/verdict';
import { buildGuard } from '../../src/machine/costs';
import type { CallValue, GlobalValue } from '../../src/machine/values';
import { compilePolicy, getPolicy } from '../../src/policy/registry';
import { DENIED, P, SAFE } from './guard-support';

const MODULE = 'reviewed.elsewhere';
const NAME = 'Unreviewed';
const RESOLVED = `${MODULE}.${NAME}`;

/** The default policy, admitting `reviewed.elsewhere.Unreviewed` as the catalogue admits a guarded name of `owner` (no guard: null). */
function policyWith(owner: string | null): CompiledPolicy {
  const policy = compilePolicy(getPolicy('default').spec);
  const judge = policy.judge.bind(policy);
  policy.judge = (module, name, proto) =>
    module === MODULE && name === NAME
      ? { decision: 'allow', resolved: RESOLVED, reason: 'made up for the test', catalogue: 'safe', ...(owner ? { guardedArgs: { owner: owner as ArgumentGuard, name: RESOLVED } } : {}) }
      : judge(module, name, proto);
  return policy;
}

const verdict = (bytes: Uint8Array, owner: string | null) => {
  const r = scan(bytes, { policy: policyWith(owner) });
  return [r.verdict, [...new Set(r.findings.filter((f) => f.severity !== 'info').map((f) => `${f.code}/${f.rule}`))]];
};

const ROUTES: ReadonlyArray<[string, Uint8Array]> = [
  ['REDUCE', new P().proto(2).global(MODULE, NAME).str('x').tuple1().reduce().stop().done()],
  ['NEWOBJ', new P().proto(2).global(MODULE, NAME).str('x').tuple1().newobj().stop().done()],
  ['copyreg.__newobj__', new P().proto(2).global('copyreg', '__newobj__').global(MODULE, NAME).str('x').tuple2().reduce().stop().done()],
  ["__new__ read with getattr", new P().proto(2).global('builtins', 'getattr').global(MODULE, NAME).str('__new__').tuple2().reduce().global(MODULE, NAME).str('x').tuple2().reduce().stop().done()],
];

/** Owners whose guard has no spec for the name, and an owner that is no guard. */
const OWNERS = ['sympy', 'pint', 'rdflib', 'numba'];

describe('a guarded name no guard checks is refused', () => {
  test.each(ROUTES)('the same calls are safe when the name is admitted without a guard (%s)', (_route, bytes) => {
    expect(verdict(bytes, null)).toEqual(SAFE);
  });

  test.each(ROUTES)('called by %s', (_route, bytes) => {
    for (const owner of OWNERS) expect([owner, verdict(bytes, owner)]).toEqual([owner, DENIED]);
  });

  test('a BUILD on what it makes', () => {
    for (const owner of OWNERS) {
      const cls: GlobalValue = { k: 'global', module: MODULE, name: NAME, resolved: RESOLVED, id: 0, guardedArgs: { owner: owner as ArgumentGuard, name: RESOLVED } };
      expect([owner, buildGuard(cls, { k: 'none' }, { hotKnown: false, loads: () => null, target: { k: 'call', callee: cls } as unknown as CallValue, rebuilt: false, limits: DEFAULT_LIMITS })?.rule]).toEqual([owner, 'DENIED_GLOBAL/unsafe-call']);
    }
  });
});
