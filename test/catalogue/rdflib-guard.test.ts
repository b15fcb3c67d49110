/**
 * rdflib's reviewed argument guard (src/machine/rdflib.ts): Literal, BNode and Graph are admitted with
 * what their __reduce__ writes (a str, a valid language tag or a datatype URIRef whose converter was
 * read; a str; a Memory store and a BNode or URIRef); a datatype whose converter parses or evaluates,
 * a number rdflib would write out forever, a store named by a string, and a BUILD on any of them are
 * refused, and so are the registries and loaders a pickle could reach them through.
 */
import { scan } from '../../src';
import { lookupCatalogue } from '../../src/names/catalogue';
import { RDFLIB_REVIEWED } from '../../src/machine/rdflib';
import { compilePolicy, getPolicy } from '../../src/policy/registry';
import { DENIED, P, SAFE, judge, split } from './guard-support';

type Step = (p: P) => P;
const XSD = 'http://www.w3.org/2001/XMLSchema#';
const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
const none: Step = (p) => p.none();
const str =
  (s: string): Step =>
  (p) =>
    p.str(s);
const uri =
  (s: string): Step =>
  (p) =>
    p.global('rdflib.term', 'URIRef').str(s).tuple1().reduce();
const literal = (text: Step, lang: Step = none, datatype: Step = none): Step => (p) => p.global('rdflib.term', 'Literal').pipe(text).pipe(lang).pipe(datatype).tuple3().reduce();
const bnode = (value: Step = str('b1')): Step => (p) => p.global('rdflib.term', 'BNode').pipe(value).tuple1().reduce();
/** A Memory store rebuilt as pickle writes it (NEWOBJ, BUILD of its __dict__), its indexes keyed by terms. */
const memory: Step = (p) =>
  p
    .global('rdflib.plugins.stores.memory', 'Memory')
    .emptyTuple()
    .newobj()
    .emptyDict()
    .str('dispatcher')
    .global('rdflib.events', 'Dispatcher')
    .emptyTuple()
    .newobj()
    .setitem()
    .str('_Memory__spo')
    .emptyDict()
    .pipe(uri('http://e.org/s'))
    .emptyDict()
    .pipe(uri('http://e.org/p'))
    .emptyDict()
    .pipe(literal(str('s'), str('en')))
    .binint1(1)
    .setitem()
    .setitem()
    .setitem()
    .setitem()
    .build();
const graph = (store: Step = memory, identifier: Step = bnode(), extra: Step[] = []): Step => (p) => {
  p.global('rdflib.graph', 'Graph').mark().pipe(store).pipe(identifier);
  for (const e of extra) e(p);
  return p.tuple().reduce();
};
const pickle = (step: Step, proto = 2) => new P().proto(proto).pipe(step).stop().done();

describe('rdflib: the names the guard reviews', () => {
  test('are unverified or gadgets in the catalogue and admitted at import by the guard; the Python guard refuses them', () => {
    const rulesOnly = compilePolicy({ ...getPolicy('default').spec, catalogue: false } as never);
    for (const name of RDFLIB_REVIEWED.keys()) {
      const e = lookupCatalogue(...split(name));
      expect([name, e?.kind === 'gadget' || e?.kind === 'unverified']).toEqual([name, true]);
      expect([name, scan(new P().proto(2).global(...split(name)).stop().done(), { policy: 'default' }).verdict]).toEqual([name, 'safe']);
      expect([name, rulesOnly.judge(...split(name), 4).decision]).toEqual([name, 'unlisted']);
    }
  });
});

describe('rdflib: what rdflib writes is accepted', () => {
  test.each([2, 4])('literals, blank nodes and graphs (protocol %i)', (proto) => {
    for (const lit of [
      literal(str('x')),
      literal(str('x'), str('en')),
      literal(str('x'), str('en-GB-oxendict')),
      literal(str('42'), none, uri(`${XSD}integer`)),
      literal(str('-7'), none, uri(`${XSD}nonPositiveInteger`)),
      literal(str('3.25'), none, uri(`${XSD}decimal`)),
      literal(str('1e300'), none, uri(`${XSD}double`)),
      literal(str('true'), none, uri(`${XSD}boolean`)),
      literal(str('a  b'), none, uri(`${XSD}token`)),
      literal(str('0fa3'), none, uri(`${XSD}hexBinary`)),
      literal(str('x'), none, uri(`${XSD}string`)),
    ])
      expect(judge(pickle(lit, proto))).toEqual(SAFE);
    expect(judge(pickle(bnode(), proto))).toEqual(SAFE);
    expect(judge(pickle(graph(), proto))).toEqual(SAFE);
    expect(judge(pickle(graph(memory, uri('http://e.org/g')), proto))).toEqual(SAFE);
  });

  test("terms and graphs as dict keys and set members (a store's indexes) are accepted", () => {
    const keys = (p: P) => p.emptyDict().pipe(literal(str('1'), none, uri(`${XSD}integer`))).binint1(1).setitem().pipe(graph()).binint1(2).setitem().pipe(bnode()).pipe(uri('http://a')).tuple2().binint1(3).setitem();
    expect(judge(pickle(keys))).toEqual(SAFE);
    expect(judge(pickle((p) => p.emptySet().mark().pipe(graph()).pipe(literal(str('x'))).additems()))).toEqual(SAFE);
  });
});

describe('rdflib: Literal', () => {
  test.each<[string, Step]>([
    ['rdf:XMLLiteral (xml.dom.minidom parses it)', uri(`${RDF}XMLLiteral`)],
    ['rdf:HTML (html5lib parses it)', uri(`${RDF}HTML`)],
    ['xsd:dateTime (a date parser no one reviewed here)', uri(`${XSD}dateTime`)],
    ['xsd:duration', uri(`${XSD}duration`)],
    ['a datatype rdflib does not know (a converter a program bound)', uri('http://example.org/my-type')],
    ['a str (rdflib makes it a URIRef; pickles write one)', str(`${XSD}integer`)],
    ['a global URIRef value', (p) => p.global('rdflib.term', '_XSD_INTEGER')],
    ['a Literal', literal(str(`${XSD}integer`))],
    ['a URIRef with a base', (p) => p.global('rdflib.term', 'URIRef').str('integer').str(XSD).tuple2().reduce()],
  ])('a datatype that is %s is refused', (_what, datatype) => {
    expect(judge(pickle(literal(str('<a/>'), none, datatype)))[1]).toEqual(expect.arrayContaining(['DENIED_GLOBAL/unsafe-call']));
  });

  test('numbers rdflib would spend unbounded time on: a decimal exponent written out in full, more digits than an int may have', () => {
    expect(judge(pickle(literal(str('1e999999999'), none, uri(`${XSD}decimal`))))).toEqual(DENIED);
    expect(judge(pickle(literal(str('1E-99999'), none, uri(`${XSD}decimal`))))).toEqual(DENIED);
    expect(judge(pickle(literal(str('9'.repeat(5000)), none, uri(`${XSD}integer`))))).toEqual(DENIED);
    expect(judge(pickle(literal(str('1e4000'), none, uri(`${XSD}decimal`))))).toEqual(SAFE);
    // Decimal() and int() read every Unicode decimal digit: Decimal('1e\uff11\uff10') is 1E+10
    expect(judge(pickle(literal(str('1e\uff11' + '\uff10'.repeat(10)), none, uri(`${XSD}decimal`))))).toEqual(DENIED);
    expect(judge(pickle(literal(str('\u0661'.repeat(5000)), none, uri(`${XSD}integer`))))).toEqual(DENIED);
    expect(judge(pickle(literal(str('\u0661\u0662'), none, uri(`${XSD}integer`))))).toEqual(DENIED);
    // a string of any length is no number
    expect(judge(pickle(literal(str('9'.repeat(5000)), none, uri(`${XSD}string`))))).toEqual(SAFE);
  });

  test('a lexical form that is not a str, a language that is not a tag, both a language and a datatype, a fourth argument, keywords', () => {
    expect(judge(pickle(literal((p) => p.binint1(1))))).toEqual(DENIED);
    expect(judge(pickle(literal((p) => p.global('collections', 'OrderedDict').emptyTuple().reduce())))).toEqual(DENIED);
    expect(judge(pickle(literal(str('x'), str('en us'))))).toEqual(DENIED);
    expect(judge(pickle(literal(str('x'), (p) => p.global('collections', 'OrderedDict').emptyTuple().reduce())))).toEqual(DENIED);
    expect(judge(pickle(literal(str('1'), str('en'), uri(`${XSD}integer`))))).toEqual(DENIED);
    expect(judge(pickle((p) => p.global('rdflib.term', 'Literal').mark().str('x').none().none().true().tuple().reduce()))).toEqual(DENIED);
    const kw = new P().proto(4).global('rdflib.term', 'Literal').str('x').tuple1().emptyDict().str('normalize').false().setitem().newobjEx().stop().done();
    expect(judge(kw)).toEqual(DENIED);
  });

  test("rebuilt another way (NEWOBJ with bad arguments, copyreg._reconstructor) and a BUILD (its __setstate__ sets the language __hash__ calls .lower() on) are refused", () => {
    expect(judge(pickle((p) => p.global('rdflib.term', 'Literal').str('1').none().pipe(uri(`${RDF}XMLLiteral`)).tuple3().newobj()))).toEqual(DENIED);
    expect(judge(pickle((p) => p.global('copyreg', '_reconstructor').global('rdflib.term', 'Literal').global('builtins', 'str').str('x').tuple3().reduce()))).toEqual(DENIED);
    const build = (p: P) => literal(str('x'))(p).none().emptyDict().str('language').global('collections', 'OrderedDict').emptyTuple().reduce().setitem().str('datatype').none().setitem().tuple2().build();
    expect(judge(pickle(build))).toEqual(DENIED);
  });
});

describe('rdflib: BNode and Graph', () => {
  test('BNode takes its str value only (without one it calls its _sn_gen argument)', () => {
    expect(judge(pickle((p) => p.global('rdflib.term', 'BNode').emptyTuple().reduce()))).toEqual(DENIED);
    expect(judge(pickle((p) => p.global('rdflib.term', 'BNode').none().global('builtins', 'len').tuple2().reduce()))[1]).toEqual(expect.arrayContaining(['DENIED_GLOBAL/unsafe-call']));
    expect(judge(pickle(bnode((p) => p.binint1(1))))).toEqual(DENIED);
    expect(judge(pickle((p) => bnode()(p).emptyDict().build()))).toEqual(DENIED);
  });

  test.each<[string, Step]>([
    ['a store name (a plugin lookup that imports its module)', graph(str('default'))],
    ['a store name of a network store', graph(str('SPARQLStore'))],
    ['no identifier', (p) => p.global('rdflib.graph', 'Graph').pipe(memory).tuple1().reduce()],
    ['a namespace manager', graph(memory, bnode(), [(p) => p.none()])],
    ['a str identifier', graph(memory, str('http://e.org/g'))],
    ['an object as identifier (its truth is tested)', graph(memory, (p) => p.global('collections', 'OrderedDict').emptyTuple().reduce())],
    ['a Literal identifier', graph(memory, literal(str('x')))],
    ['another object as store', graph((p) => p.global('argparse', 'Namespace').emptyTuple().newobj())],
  ])('a Graph with %s is refused', (_what, g) => {
    expect(judge(pickle(g))[1]).toEqual(expect.arrayContaining(['DENIED_GLOBAL/unsafe-call']));
  });

  test('a BUILD on a Graph (its store and identifier) is refused; the class handed to another callable is a gadget', () => {
    expect(judge(pickle((p) => graph()(p).emptyDict().str('_Graph__identifier').global('collections', 'OrderedDict').emptyTuple().reduce().setitem().build()))).toEqual(DENIED);
    expect(judge(pickle((p) => p.global('rdflib.graph', 'Graph').emptyTuple().newobj().emptyDict().str('_Graph__store').pipe(memory).setitem().build()))).toEqual(DENIED);
    expect(judge(pickle((p) => p.global('pandas.core.indexes.base', '_new_Index').global('rdflib.graph', 'Graph').emptyDict().tuple2().reduce()))).toEqual(['dangerous', ['DENIED_GLOBAL/gadget-passed']]);
  });
});

describe('rdflib: the registries and loaders stay out of reach', () => {
  test.each([
    ['rdflib.plugin', 'register'],
    ['rdflib.plugin', 'get'],
    ['rdflib.term', 'bind'],
    ['rdflib.plugins.sparql.operators', 'register_custom_function'],
    ['rdflib.plugins.sparql.update', 'evalLoad'],
  ])('%s.%s is a gadget', (module, name) => {
    expect(judge(pickle((p) => p.global(module, name)))).toEqual(['dangerous', ['DENIED_GLOBAL/gadget']]);
  });

  test('register then get (an import of any module, and any attribute of it) is refused', () => {
    const bytes = pickle((p) =>
      p.mark().global('rdflib.plugin', 'register').mark().str('x').global('rdflib.store', 'Store').str('os').str('system').tuple().reduce().global('rdflib.plugin', 'get').str('x').global('rdflib.store', 'Store').tuple2().reduce().list(),
    );
    expect(judge(bytes)).toEqual(['dangerous', ['DENIED_GLOBAL/gadget']]);
  });

  test("evalLoad of a rebuilt QueryContext and QuotedGraph (Graph.parse of a file or URL) is refused", () => {
    const qg = (p: P) => p.global('rdflib.graph', 'QuotedGraph').emptyTuple().newobj().emptyDict().str('_Graph__store').global('rdflib.plugins.stores.memory', 'Memory').emptyTuple().reduce().setitem().build();
    const ctx = (p: P) => p.global('rdflib.plugins.sparql.sparql', 'QueryContext').emptyTuple().newobj().emptyDict().str('graph').pipe(qg).setitem().build();
    const u = (p: P) => p.global('argparse', 'Namespace').emptyTuple().newobj().emptyDict().str('iri').str('file:///etc/hostname').setitem().str('graphiri').none().setitem().build();
    const bytes = pickle((p) => p.global('rdflib.plugins.sparql.update', 'evalLoad').pipe(ctx).pipe(u).tuple2().reduce());
    expect(judge(bytes)[0]).toBe('dangerous');
    expect(judge(bytes)[1]).toEqual(expect.arrayContaining(['DENIED_GLOBAL/gadget']));
  });
});
