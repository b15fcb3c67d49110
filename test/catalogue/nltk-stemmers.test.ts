/**
 * nltk's SnowballStemmer keeps its language stemmer's bound `stem` method, which pickle writes as
 * getattr(stemmer, 'stem'): admitted as a value (reviewed in allowlist.ts), never as a call.
 */
import { P, judgeSorted as judge } from './guard-support';

/** SnowballStemmer as nltk 3.8 and 3.9.1 pickle it (protocol 4): its stemmer, that stemmer's bound stem, the stopwords. */
const snowball = (lang: string, method = 'stem', call = false) =>
  new P().proto(4)
    .global('nltk.stem.snowball', 'SnowballStemmer').emptyTuple().newobj()
    .emptyDict()
    .str('stemmer').global('nltk.stem.snowball', lang).emptyTuple().newobj().emptyDict().str('stopwords').emptySet().setitem().build().binput(1).setitem()
    .str('stem').global('builtins', 'getattr').binget(1).str(method).tuple2().reduce().pipe((p) => (call ? p.str('running').tuple1().reduce() : p)).setitem()
    .str('stopwords').emptySet().setitem()
    .build().stop().done();

describe('nltk: the stem method a SnowballStemmer keeps', () => {
  test.each(['EnglishStemmer', 'GermanStemmer', 'PorterStemmer', 'RussianStemmer'])('%s.stem is accepted as a value', (lang) => {
    expect(judge(snowball(lang))).toEqual(['safe', []]);
  });

  test('calling it while loading is not accepted', () => {
    expect(judge(snowball('EnglishStemmer', 'stem', true))).toEqual(['suspicious', ['UNLISTED_GLOBAL/called-reference']]);
  });

  test('another method of the stemmer is not admitted', () => {
    expect(judge(snowball('EnglishStemmer', '_r1r2_standard'))).toEqual(['suspicious', ['UNLISTED_GLOBAL/not-in-catalogue']]);
  });
});
