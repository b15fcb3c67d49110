/**
 * ruamel.yaml's round-trip data classes (what its loader returns) are left to the catalogue, which
 * judged them safe classes; the deny rule over the package keeps its loaders, constructors and
 * every other name out (src/policy/builtin/denylist.ts RUAMEL_DATA).
 */
import { scan, type Report } from '../../src';
import { lookupCatalogue } from '../../src/names/catalogue';
import { P } from '../support/pickle-builder';

const judge = (bytes: Uint8Array) => {
  const r: Report = scan(bytes, { policy: 'default' });
  return [r.verdict, r.findings.map((f) => `${f.code}/${f.rule}`)];
};
const CM = ['ruamel.yaml.comments', 'CommentedMap'] as const;

describe("ruamel.yaml's round-trip data", () => {
  test('the catalogue judged the excepted classes safe', () => {
    for (const [m, n] of [CM, ['ruamel.yaml.comments', 'CommentedSeq'], ['ruamel.yaml.comments', 'Comment'], ['ruamel.yaml.comments', 'Format'], ['ruamel.yaml.comments', 'LineCol'], ['ruamel.yaml.tokens', 'CommentToken'], ['ruamel.yaml.error', 'FileMark']] as const) {
      expect([`${m}.${n}`, lookupCatalogue(m, n)?.kind]).toEqual([`${m}.${n}`, 'class']);
    }
  });

  test('a CommentedMap as OrderedDict pickles it (called with no arguments, items, then its __dict__) is accepted', () => {
    const cm = new P().proto(2).global(...CM).emptyTuple().reduce().str('a').int(1).setitem().emptyDict().str('_yaml_format').global('ruamel.yaml.comments', 'Format').emptyTuple().newobj().none().emptyDict().str('_flow_style').true().setitem().tuple2().build().setitem().build().stop().done();
    expect(judge(cm)).toEqual(['safe', []]);
  });

  test('the rest of the package stays denied: loaders, other spellings of the same class, module attributes', () => {
    const denied = ['dangerous', ['DENIED_GLOBAL/denied']];
    expect(judge(new P().proto(2).global('ruamel.yaml.main', 'YAML').stop().done())).toEqual(denied);
    expect(judge(new P().proto(2).global('ruamel.yaml', 'load').stop().done())).toEqual(denied);
    expect(judge(new P().proto(2).global('ruamel.yaml.constructor', 'CommentedMap').stop().done())).toEqual(denied);
    expect(judge(new P().proto(2).global('ruamel.yaml.comments', 'copy').stop().done())).toEqual(denied);
    expect(judge(new P().proto(2).global('ruamel.yaml.scalarstring', 'LiteralScalarString').stop().done())).toEqual(denied);
    // a name below an excepted class is not the class: judged by the catalogue (unknown there)
    expect(judge(new P().proto(4).str('ruamel.yaml.comments').str('CommentedMap.update').stackGlobal().stop().done())[0]).toBe('suspicious');
  });
});
