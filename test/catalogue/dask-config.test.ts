/**
 * dask's process-wide configuration: dask.config.set and update are catalogued safe (they only
 * update a dict), but what they change outlives the load and dask calls what it holds (array_plugins
 * on every new dask array: Array.__new__ runs when a pickled array loads). Denied by name.
 */
import { scan } from '../../src';
import { P } from '../support/pickle-builder';

const rules = (b: Uint8Array) => scan(b, { policy: 'default' }).findings.map((f) => `${f.code}/${f.rule}`);

test('dask.config.set, update and refresh are denied under every spelling', () => {
  const plugins = (p: P) => p.emptyDict().str('array_plugins').emptyList().global('builtins', 'len').append().setitem();
  expect(rules(plugins(new P().proto(2).global('dask.config', 'set')).tuple1().reduce().stop().done())).toContain('DENIED_GLOBAL/denied');
  expect(rules(plugins(new P().proto(4).str('dask').str('config.set').stackGlobal()).tuple1().reduce().stop().done())).toContain('DENIED_GLOBAL/denied');
  for (const name of ['update', 'update_defaults', 'refresh', 'config']) expect(rules(new P().proto(2).global('dask.config', name).stop().done())).toContain('DENIED_GLOBAL/denied');
});

test('the delayed objects dask pickles stay accepted', () => {
  const r = scan(new P().proto(2).global('dask.delayed', 'Delayed').emptyTuple().newobj().stop().done(), { policy: 'default' });
  expect(r.verdict).toBe('safe');
});
