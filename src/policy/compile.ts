/**
 * A policy spec compiled once into lookup tables, then asked about each imported global.
 * Deny beats allow; deny rules see every spelling a name can reach (wire spelling, `_compat_pickle`
 * remapping, alias walks, every dotted prefix); allow rules match one exact spelling.
 */
import { catalogueLibrary } from '../names/catalogue/index';
import { catalogueJudgement } from '../names/catalogue/judge';
import type { CallVerdict, CatalogueVerdict, GuardedArgs, MethodVerdicts, ReviewedReceivers, StoringBuild } from '../names/catalogue/verdict';
import { aliasWalk, compatMap, throughShim, type QualName } from '../names/resolve';
import type { GlobalDecision } from '../report/report';
import type { ParsedPolicySpec, PolicyRule } from './schema';

export interface Judgement {
  decision: GlobalDecision;
  /** `module.name` the import reaches, as shown to people. */
  resolved: string;
  reason?: string;
  /** Allowed as a value only: a pickle that calls it while loading is not accepted (see RuleSchema `use`). */
  referenceOnly?: boolean;
  /** Calling it is denied, for this reason (a deny rule with `use: 'call'`). */
  denyCall?: string;
  /** Calling it (REDUCE, INST, OBJ, copyreg._reconstructor as base) runs __init__, which the catalogue judged: a gadget (dangerous) or unverified (suspicious). */
  callVerdict?: CallVerdict;
  /** Methods of the class (APPEND, SETITEM, ADDITEMS call them on an instance) the catalogue judged: a gadget or unverified. */
  methodVerdicts?: MethodVerdicts;
  /** Its __setstate__ is guarded at BUILD by a reviewed check (catalogue GUARDED_SETSTATE): the name the guard is found by. */
  guardedSetstate?: string;
  /** Its calls, BUILDs and use as a dict key are checked by a reviewed argument guard (src/machine/sympy.ts, pint.ts, rdflib.ts): which guard, and the name it is found by. */
  guardedArgs?: GuardedArgs;
  /** Its BUILD stores the state's values without calling their methods (catalogue STORING_BUILD): how. */
  storingBuild?: StoringBuild;
  /** Library code reviewed not to run its failing methods on an instance it is given (catalogue REVIEWED_ENTRIES `receivers`). */
  receivers?: ReviewedReceivers;
  /** Allowed by a wildcard rule: calling it is checked against the catalogue's gadget functions (`[module, name]` as looked up). */
  catalogueVeto?: QualName;
  /** Allowed by a rule whose global calls the values handed at these argument positions (RuleSchema `callsArguments`). */
  callsArguments?: readonly number[];
  /** The library catalogue decided (the policy's rules did not): which of its verdicts. */
  catalogue?: 'safe' | 'gadget' | 'unverified' | 'unknown';
  /** The catalogue would allow it, but its library is outside the policy's tier (`catalogueLibraries`). */
  outsideTier?: boolean;
  /**
   * The import is this module itself, read through an importing shim (`cython.cimports torch`), of a
   * library the policy knows: the machine models reading an attribute of it with getattr and judges
   * any other use (models.ts).
   */
  moduleObject?: string;
}

interface RuleEntry {
  /** Matches every name (deny) or every undotted name (allow). */
  any: PolicyRule | null;
  names: Map<string, PolicyRule>;
  /** `Cls.*` rules: one non-dunder attribute below `Cls`. */
  members: Map<string, PolicyRule>;
}

const DUNDER = /^__\w+__$/;

/** Does a rule's `except` list cover `module.name` (or something it lies below)? */
function excepted(r: PolicyRule, module: string, name: string): boolean {
  if (!r.except) return false;
  const q = module + '.' + name;
  return r.except.some((e) => q === e || q.startsWith(e + '.'));
}

/** Rules by module, with separate tables for rules that also cover submodules. */
class RuleIndex {
  private readonly exact = new Map<string, RuleEntry>();
  private readonly withSubmodules = new Map<string, RuleEntry>();

  constructor(rules: readonly PolicyRule[], private readonly starMatchesDotted: boolean) {
    for (const r of rules) {
      const table = r.submodules ? this.withSubmodules : this.exact;
      let e = table.get(r.module);
      if (!e) table.set(r.module, (e = { any: null, names: new Map(), members: new Map() }));
      if (r.names === '*') e.any ??= r;
      else
        for (const n of r.names) {
          if (n.endsWith('.*')) {
            if (!e.members.has(n.slice(0, -2))) e.members.set(n.slice(0, -2), r);
          } else if (!e.names.has(n)) e.names.set(n, r);
        }
    }
  }

  private static hit(e: RuleEntry | undefined, module: string, name: string, starMatchesDotted: boolean): PolicyRule | null {
    if (!e) return null;
    const r = e.names.get(name);
    if (r && !excepted(r, module, name)) return r;
    if (e.members.size) {
      const dot = name.lastIndexOf('.');
      const m = dot > 0 && !DUNDER.test(name.slice(dot + 1)) ? e.members.get(name.slice(0, dot)) : undefined;
      if (m && !excepted(m, module, name)) return m;
    }
    if (e.any && (starMatchesDotted || !name.includes('.')) && !excepted(e.any, module, name)) return e.any;
    return null;
  }

  /** Is there a rule for `module` itself or for a package above it that covers its submodules? */
  coversModule(module: string): boolean {
    if (this.exact.has(module) || this.withSubmodules.has(module)) return true;
    for (let i = module.lastIndexOf('.'); i > 0; i = module.lastIndexOf('.', i - 1)) if (this.withSubmodules.has(module.slice(0, i))) return true;
    return false;
  }

  lookup(module: string, name: string): PolicyRule | null {
    const dotted = this.starMatchesDotted;
    const direct = RuleIndex.hit(this.exact.get(module), module, name, dotted) ?? RuleIndex.hit(this.withSubmodules.get(module), module, name, dotted);
    if (direct) return direct;
    if (this.withSubmodules.size === 0) return null;
    for (let i = module.lastIndexOf('.'); i > 0; i = module.lastIndexOf('.', i - 1)) {
      const r = RuleIndex.hit(this.withSubmodules.get(module.slice(0, i)), module, name, true);
      if (r) return r;
    }
    return null;
  }
}

const CACHE_LIMIT = 50_000;
/** A name no rule lists (not an identifier): only a rule for every name of a module matches it. */
const ANY_NAME = '<any name>';
/** Longest module + name the judge walks; longer ones are judged by their first part (exported for the Python guard). */
export const MAX_NAME_LENGTH = 1024;
export const MAX_NAME_PARTS = 64;

export class CompiledPolicy {
  readonly name: string;
  readonly description: string;
  readonly spec: ParsedPolicySpec;
  private readonly deny: RuleIndex;
  private readonly denyCall: RuleIndex;
  private readonly allow: RuleIndex;
  private readonly cache = new Map<string, Judgement>();
  /** The catalogued libraries whose entries may allow (`catalogueLibraries`), or null for all of them. */
  private readonly catalogueTier: ReadonlySet<string> | null;

  constructor(spec: ParsedPolicySpec) {
    this.spec = spec;
    this.name = spec.name;
    this.description = spec.description ?? '';
    this.deny = new RuleIndex(spec.rules.filter((r) => r.action === 'deny' && r.use !== 'call'), true);
    this.denyCall = new RuleIndex(spec.rules.filter((r) => r.action === 'deny' && r.use === 'call'), true);
    this.allow = new RuleIndex(spec.rules.filter((r) => r.action === 'allow'), false);
    this.catalogueTier = spec.catalogueLibraries ? new Set(spec.catalogueLibraries) : null;
  }

  /**
   * A module whose names the policy judges, so that its module object may be modeled (each attribute
   * read from it is judged as module.name, deny rules included): no deny rule takes the whole module,
   * and an allow rule covers it or the catalogue has its library (within the policy's tier).
   */
  private knowsModule(module: string): boolean {
    if (this.deny.lookup(module, ANY_NAME) !== null) return false;
    if (this.allow.coversModule(module)) return true;
    if (this.spec.catalogue !== true) return false;
    const library = catalogueLibrary(module)?.library;
    return library !== undefined && (this.catalogueTier === null || this.catalogueTier.has(library));
  }

  /** The deny rule that names one of these spellings, or any module.name prefix of one. */
  private deniedAmong(candidates: readonly QualName[]): PolicyRule | null {
    for (const [m, n] of candidates) {
      let dot = n.indexOf('.');
      while (dot > 0) {
        const r = this.deny.lookup(m, n.slice(0, dot));
        if (r) return r;
        dot = n.indexOf('.', dot + 1);
      }
      const r = this.deny.lookup(m, n);
      if (r) return r;
    }
    return null;
  }

  get ruleCount(): number {
    return this.spec.rules.length;
  }

  /** Judges one import as find_class would perform it at the stream's current protocol. */
  judge(module: string, name: string, proto: number): Judgement {
    const key = (proto < 3 ? '0' : proto < 4 ? '3' : '4') + module + '\0' + name;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const j = this.judgeUncached(module, name, proto);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(key, j);
    return j;
  }

  private judgeUncached(module: string, name: string, proto: number): Judgement {
    if (module.length + name.length > MAX_NAME_LENGTH || name.split('.').length > MAX_NAME_PARTS) {
      // no importable Python name is this long; walking it would cost quadratic time. The module
      // and the first attribute are still checked against the deny rules.
      const first = name.split('.', 1)[0]!;
      const mapped = compatMap(module, first);
      const r = this.deny.lookup(module, first) ?? this.deny.lookup(mapped[0], mapped[1]);
      if (r) return { decision: 'deny', resolved: `${module}.${first}…`, reason: r.reason };
      return { decision: this.spec.default === 'deny' ? 'deny' : 'unlisted', resolved: `${module.slice(0, 80)}.${name.slice(0, 80)}…`, reason: 'name too long to analyse' };
    }
    // the shim is modeled only where no deny rule names the spelling itself (a rule on the shim's module)
    const shim = throughShim(module, name);
    if (shim && !this.deniedAmong([[module, name], compatMap(module, name)])) {
      // from protocol 4 a dotted name is walked attribute by attribute: the shim's attribute is the
      // module, so `cython.cimports torch.channels_last` is `torch channels_last` (below protocol 4
      // find_class asks the shim for the whole dotted name, which __import__ treats differently)
      if (shim.rest && proto >= 4) return this.judge(shim.module, shim.rest, proto);
      if (!shim.rest && this.knowsModule(shim.module)) {
        return {
          decision: 'unlisted',
          resolved: shim.module,
          reason: `${module}.${name} is the module ${shim.module} itself (the shim imports any module by name); only reading one of its attributes with getattr is modeled`,
          moduleObject: shim.module,
        };
      }
    }
    const mapped = compatMap(module, name);
    const effective: QualName = proto < 3 ? mapped : [module, name];
    const walked = aliasWalk(effective[0], effective[1]);
    const shown = walked.length ? walked[walked.length - 1]! : effective;
    const resolved = `${shown[0]}.${shown[1]}`;

    const denied = this.deniedAmong([[module, name], mapped, ...walked, ...aliasWalk(mapped[0], mapped[1])]);
    if (denied) return { decision: 'deny', resolved, reason: denied.reason };
    if (name.includes('.') && name.split('.').some((part, i) => i > 0 && DUNDER.test(part))) {
      return { decision: 'deny', resolved, reason: 'a dotted name that walks through a dunder attribute reaches interpreter internals' };
    }
    if (name.split('.').some((part) => part === '<locals>' || part === '')) {
      return { decision: 'unlisted', resolved, reason: 'not an importable name' };
    }

    const allowRule =
      this.spec.match === 'raw'
        ? this.allow.lookup(module, name)
        : this.allow.lookup(effective[0], effective[1]) ?? this.allow.lookup(module, name);
    const callRule = this.denyCall.lookup(effective[0], effective[1]) ?? this.denyCall.lookup(module, name);
    const onCall = callRule ? { denyCall: callRule.reason } : {};
    // the catalogue: the verdict for a name no exact rule lists, and a veto on wildcards' gadget functions
    // (a wildcard's gadget functions are vetoed when called: looking the name up at import would
    // load a large library's catalogue for every torch.nn.modules class a checkpoint names)
    const exact = allowRule !== null && allowRule.names !== '*' && (allowRule.names.includes(effective[1]) || allowRule.names.includes(name));
    const cat = this.spec.catalogue && !allowRule ? this.tiered(catalogueJudgement(effective[0], effective[1], true), effective[0]) : null;
    if (cat?.decision === 'deny') return { ...cat, resolved };
    const veto = this.spec.catalogue && allowRule && !exact ? { catalogueVeto: effective } : {};
    if (allowRule) {
      return {
        decision: 'allow',
        resolved,
        reason: allowRule.reason,
        ...(allowRule.use === 'reference' ? { referenceOnly: true } : {}),
        ...(allowRule.callsArguments ? { callsArguments: allowRule.callsArguments } : {}),
        ...onCall,
        ...veto,
      };
    }
    if (cat) return { ...cat, resolved, ...onCall };
    const d = this.spec.default ?? 'unlisted';
    return { decision: d, resolved, reason: d === 'deny' ? 'the policy denies every global it does not list' : undefined, ...onCall };
  }

  /**
   * A catalogue verdict within the policy's tier (`catalogueLibraries`): an allow by the catalogue of a
   * library the policy does not list becomes unlisted, with its guards; denials stand for every library.
   */
  private tiered(cat: CatalogueVerdict | null, module: string): (CatalogueVerdict & { outsideTier?: boolean }) | null {
    if (!cat || cat.decision !== 'allow' || !this.catalogueTier) return cat;
    const library = catalogueLibrary(module)?.library;
    if (library !== undefined && this.catalogueTier.has(library)) return cat;
    // the verdict's call, method and state guards stay: a call outside the tier is judged as in `default`
    return {
      ...cat,
      decision: 'unlisted',
      outsideTier: true,
      reason: `${cat.reason}; but policy ${this.name} admits only the catalogues of ${[...this.catalogueTier].join(', ')}`,
    };
  }
}
