/**
 * A reviewed argument guard for rdflib's terms and graphs (docs/catalogue.md, "Reviewed guards:
 * rdflib's terms and graphs"). rdflib pickles a literal as `Literal(lexical, lang, datatype)`, a blank
 * node as `BNode(value)` and a graph as `Graph(store, identifier)` (their __reduce__), a URI as
 * `URIRef(value)` and an in-memory store as a `Memory` rebuilt with its `__dict__`. The catalogue could
 * not verify the first three:
 *
 * - `Literal.__new__` converts the lexical form with the converter registered for the datatype
 *   (`_castLexicalToPython`: XML and HTML parsers for rdf:XMLLiteral and rdf:HTML, date and duration
 *   parsers, and whatever `rdflib.term.bind` registered), then normalizes it back (`f"{d:f}"` of a
 *   Decimal with a huge exponent never ends); given some other object than a str it runs the Python to
 *   literal rules on it;
 * - `BNode.__new__(value=None, _sn_gen, _prefix)` calls `_sn_gen` when there is no value;
 * - `Graph.__init__(store, identifier, ...)` looks a store plugin up by name when `store` is not a
 *   Store (`rdflib.plugin.get`, which imports the module a registered plugin names), and tests the
 *   truth of `identifier`.
 *
 * The guard admits what rdflib writes: a Literal of a str, a valid language tag or a datatype URIRef
 * among those whose converter was read (strings, booleans, integers, floats, decimals of bounded size,
 * hexBinary and base64Binary: int(), float(), Decimal(), unhexlify, b64decode, no parser); a BNode of
 * a str; a Graph of a Memory store the pickle built and a BNode or URIRef identifier. Anything else,
 * and a BUILD on any of them (Literal.__setstate__ sets the language and datatype that __hash__ and
 * __eq__ call .lower() and hash() on), is DENIED_GLOBAL/unsafe-call. Hashing and comparing the admitted
 * terms and graphs (dict keys and set members in a store's indexes) runs str hashing and comparison on
 * their own fields only.
 *
 * The registries those lookups read are out of the pickle's reach: `rdflib.plugin.register`,
 * `rdflib.plugin.get` and `rdflib.term.bind` are gadgets in the catalogue (sinks.py LIBRARY_RULES).
 *
 * Reviewed in rdflib 6.1.1 (bookworm) and 7.1.1 (trixie); what was read is in RDFLIB_REVIEWED.
 */
import type { Limits } from '../limits';
import type { GuardedArgs } from '../names/catalogue/verdict';
import type { CostFinding } from './cost-finding';
import { guardedCall, noKeywords, refuse, type GuardedCall } from './guarded-call';
import { classOf, type GlobalValue, type Value } from './values';

type Kind = 'literal' | 'bnode' | 'graph';

interface Reviewed {
  readonly kind: Kind;
  /** What was read, in 6.1.1 and 7.1.1. */
  readonly checked: string;
}

export const RDFLIB_REVIEWED: ReadonlyMap<string, Reviewed> = new Map<string, Reviewed>([
  [
    'rdflib.term.Literal',
    {
      kind: 'literal',
      checked:
        "term.py Literal.__new__(cls, lexical_or_value, lang=None, datatype=None, normalize=None) (6.1.1 line 539, 7.1.1 line 630): lang must match ^[a-zA-Z]+(?:-[a-zA-Z0-9]+)*$; datatype = URIRef(datatype); a str lexical form goes through _castLexicalToPython (the converter _toPythonMapping holds for the datatype; exceptions give None), in 7.1.1 a well-formedness check (comparisons), then _castPythonToLiteral of the value (isinstance against the Python to XSD rules; Decimal: f'{i:f}'); normalizedString and token replace and collapse whitespace; __reduce__ is (Literal, (str(self), language, datatype)); __setstate__ sets _language and _datatype; __hash__ and __eq__ read only the literal's own str, _language (.lower()) and _datatype",
    },
  ],
  ['rdflib.term.BNode', { kind: 'bnode', checked: 'term.py BNode.__new__(cls, value=None, _sn_gen=..., _prefix=...) (6.1.1 line 397, 7.1.1 line 464): with a value, str.__new__(cls, value) and nothing else; __reduce__ is (BNode, (str(self),)); slots (), Identifier __eq__ and str hash' }],
  [
    'rdflib.graph.Graph',
    {
      kind: 'graph',
      checked:
        'graph.py Graph.__init__(store="default", identifier=None, namespace_manager=None, base=None[, bind_namespaces]) (6.1.1 line 327, 7.1.1 line 449): stores base; identifier or BNode() (truth of the identifier), URIRef(identifier) unless it is a Node; plugin.get(store, Store)() unless store is a Store; stores the rest; __reduce__ is (Graph, (store, identifier)); __hash__ is hash(identifier), __eq__ isinstance and identifier ==',
    },
  ],
]);

/** The names the catalogue gives this guard (guarded-args.ts); one it has no spec for is refused where it is called. */
const owns = (guarded: GuardedArgs) => guarded.owner === 'rdflib';

const XSD = 'http://www.w3.org/2001/XMLSchema#';

/**
 * Datatypes whose built-in converter was read, with what the guard checks of the lexical form:
 * `none` (no converter: str()), `digits` (int(): bounded digits, as the scanner's own int limit),
 * `decimal` (Decimal() and f"{d:f}": bounded digits and exponent), `any` (float(), _parseBoolean,
 * unhexlify, b64decode: linear in the text). The date and time parsers, rdf:XMLLiteral (xml.dom.minidom),
 * rdf:HTML (html5lib, html5rdf) and every datatype rdflib does not know (a converter the program may
 * have bound) are left out.
 */
const DATATYPES: ReadonlyMap<string, 'none' | 'digits' | 'decimal' | 'any'> = new Map<string, 'none' | 'digits' | 'decimal' | 'any'>([
  ...['string', 'normalizedString', 'token', 'language', 'anyURI'].map((t): [string, 'none'] => [XSD + t, 'none']),
  ...['boolean', 'float', 'double', 'hexBinary', 'base64Binary'].map((t): [string, 'any'] => [XSD + t, 'any']),
  ...['integer', 'int', 'long', 'short', 'byte', 'nonNegativeInteger', 'nonPositiveInteger', 'negativeInteger', 'positiveInteger', 'unsignedLong', 'unsignedInt', 'unsignedShort', 'unsignedByte'].map((t): [string, 'digits'] => [XSD + t, 'digits']),
  [XSD + 'decimal', 'decimal'],
]);

const LANG_TAG = /^[a-zA-Z]+(?:-[a-zA-Z0-9]+)*$/;
const DECIMAL = /^\s*[+-]?([0-9_]*)(?:\.([0-9_]*))?(?:[eE]([+-]?[0-9_]+))?\s*$/;

/** A URIRef the pickle built as rdflib writes it: URIRef(str), no base. */
function uriRef(v: Value | undefined): string | null {
  if (v?.k !== 'call' || v.callee.k !== 'global' || v.callee.resolved !== 'rdflib.term.URIRef' || v.args.k !== 'tuple' || !noKeywords(v.kwargs)) return null;
  const [s, ...rest] = v.args.items;
  return rest.length === 0 && s?.k === 'str' && s.v !== null ? s.v : null;
}

/** Why a lexical form may cost more than rdflib's converters should spend, or null. */
function lexicalWhy(text: Value, check: 'none' | 'digits' | 'decimal' | 'any', limits: Limits): string | null {
  if (check === 'none' || check === 'any') return null;
  if (text.k !== 'str' || text.v === null) return 'the lexical form of a number is too long to check';
  // int() and Decimal() take every Unicode decimal digit ('1e' + fullwidth digits is an exponent): only
  // ASCII is counted and parsed here, so anything else is refused (rdflib writes numbers in ASCII)
  if (/[^\x00-\x7f]/.test(text.v)) return 'the lexical form of a number has characters other than ASCII, which int() and Decimal() may read as digits';
  const digits = text.v.replace(/[^0-9]/g, '').length;
  if (digits > limits.maxIntDigits) return `its ${digits} digits are more than ${limits.maxIntDigits}`;
  if (check === 'decimal') {
    const m = DECIMAL.exec(text.v);
    const exponent = m?.[3] ? Math.abs(Number(m[3].replace(/_/g, ''))) : 0;
    if (m && exponent > limits.maxIntDigits) return `a decimal exponent of ${exponent} is written out in full when rdflib normalizes it`;
  }
  return null;
}

function literalWhy(args: readonly Value[], limits: Limits): string | null {
  if (args.length < 1 || args.length > 3) return 'rdflib writes Literal(lexical, lang, datatype)';
  const [text, lang, datatype] = args as [Value, Value | undefined, Value | undefined];
  // any other object would go through the Python to literal rules (str() of it, _writeXML of a Document...)
  if (text.k !== 'str') return 'its lexical form is not a str';
  const hasLang = lang !== undefined && lang.k !== 'none';
  if (hasLang && (lang.k !== 'str' || lang.v === null || (lang.v !== '' && !LANG_TAG.test(lang.v)))) return 'its language is not a valid language tag';
  if (datatype === undefined || datatype.k === 'none') return null;
  if (hasLang && lang.k === 'str' && lang.v !== '') return 'it has both a language and a datatype';
  const uri = uriRef(datatype);
  if (uri === null) return 'its datatype is not a URIRef of a str';
  const check = DATATYPES.get(uri);
  if (!check) return `its datatype ${uri} is not one whose converter was reviewed (dates, XML and HTML parsers, and datatypes rdflib does not know, which a program may have bound, are left out)`;
  return lexicalWhy(text, check, limits);
}

const MEMORY_STORES: ReadonlySet<string> = new Set(['rdflib.plugins.stores.memory.Memory', 'rdflib.plugins.stores.memory.SimpleMemory']);

function graphWhy(args: readonly Value[]): string | null {
  if (args.length !== 2) return 'rdflib writes Graph(store, identifier)';
  const [store, identifier] = args as [Value, Value];
  // a name would be looked up as a store plugin (and its module imported)
  const cls = classOf(store);
  if (store.k !== 'call' || !cls || !MEMORY_STORES.has(cls.resolved)) return 'its store is not a Memory store the pickle built';
  const made = identifier.k === 'call' ? classOf(identifier)?.guardedArgs : undefined;
  const isBNode = made !== undefined && owns(made) && made.name === 'rdflib.term.BNode';
  if (!isBNode && uriRef(identifier) === null) return 'its identifier is not a BNode or URIRef the pickle built';
  return null;
}

function callWhy(call: GuardedCall, kind: Kind, limits: Limits): string | null {
  if (call.how === 'reconstruct') return 'rdflib writes a REDUCE for it, never copyreg._reconstructor';
  if (!noKeywords(call.kwargs)) return 'rdflib writes no keyword arguments';
  switch (kind) {
    case 'literal':
      return literalWhy(call.args, limits);
    case 'bnode':
      return call.args.length === 1 && call.args[0]!.k === 'str' ? null : 'rdflib writes BNode(str) (without a value BNode calls its _sn_gen argument)';
    case 'graph':
      return graphWhy(call.args);
  }
}

/** The guard a call breaks, if any (costs.ts callCost asks). */
export function rdflibCallGuard(callee: GlobalValue, args: Value, kwargs: Value | undefined, limits: Limits): CostFinding | null {
  const call = guardedCall(callee, args, kwargs, owns, 'a reviewed rdflib class');
  if (!call || 'rule' in call) return call;
  const spec = RDFLIB_REVIEWED.get(call.name);
  if (!spec) return refuse(`no argument guard for ${call.name}`);
  const why = callWhy(call, spec.kind, limits);
  return why ? refuse(`${call.name} is admitted with the arguments rdflib writes only: ${why}`) : null;
}

/** A BUILD on a Literal, BNode or Graph: rdflib writes none (their __reduce__ has no state). */
export function rdflibBuildGuard(name: string): CostFinding | null {
  return refuse(`rdflib writes no BUILD for a ${name} (Literal.__setstate__ would set the language and datatype its __hash__ and __eq__ use)`);
}
