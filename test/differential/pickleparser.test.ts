/**
 * pickleparser (npm) as an independent decoder oracle: on plain-data pickles that our reader has
 * already validated (complete, safe, no findings), the constants our machine builds equal what
 * pickleparser decodes. It never sees bytes we have not validated (it hangs on some hostile inputs).
 */
import { Parser } from 'pickleparser';
import { DEFAULT_LIMITS, getPolicy, scan } from '../../src';
import { Machine } from '../../src/machine/machine';
import type { Value } from '../../src/machine/values';
import { randomPickles } from '../support/oracle';

type Plain = null | boolean | number | string | Plain[];

function ours(v: Value, input: Uint8Array): Plain | undefined {
  switch (v.k) {
    case 'none': return null;
    case 'bool': return v.v;
    case 'int': return v.v === null ? undefined : Number(v.v);
    case 'float': return v.v;
    case 'str': return v.v ?? undefined;
    case 'bytes': return 'hex:' + Buffer.from(v.data ?? input.subarray(v.start, v.end)).toString('hex');
    case 'tuple':
    case 'list': {
      if (v.count !== v.items.length) return undefined;
      const out = v.items.map((x) => ours(x, input));
      return out.includes(undefined) ? undefined : (out as Plain[]);
    }
    case 'dict': {
      if (v.count !== v.entries.length) return undefined;
      const out = v.entries.map(([k, x]) => [ours(k, input), ours(x, input)]);
      return out.flat().includes(undefined) ? undefined : (out as Plain[]);
    }
    default: return undefined;
  }
}

function theirs(x: unknown): Plain {
  if (x === null || typeof x === 'boolean' || typeof x === 'number' || typeof x === 'string') return x;
  if (typeof x === 'bigint') return Number(x);
  if (x instanceof Uint8Array) return 'hex:' + Buffer.from(x).toString('hex');
  if (x instanceof Map) return [...x.entries()].map(([k, v]) => [theirs(k), theirs(v)]);
  if (Array.isArray(x)) return x.map(theirs);
  throw new Error(`unexpected ${typeof x}`);
}

/** Protocol 2 writes bytes as _codecs.encode(str, 'latin1'): the only global plain data needs. */
const nameResolver = {
  resolve(module: string, name: string) {
    if (module === '_codecs' && name === 'encode') return (s: string) => Buffer.from(s, 'latin1');
    throw new Error(`unexpected global ${module}.${name}`);
  },
};

// 495 of the 500 pass validation and convert to plain values when written
test('our constants equal pickleparser on every one of 500 random plain-data pickles we validate and can compare (at least 480)', () => {
  const inputs = randomPickles(500, 11, true);
  let compared = 0;
  const mismatches: string[] = [];
  for (const [i, bytes] of inputs.entries()) {
    const report = scan(bytes);
    if (report.verdict !== 'safe' || report.findings.length || !report.pickles[0]?.complete) continue; // never hand it unvalidated bytes
    const m = new Machine(bytes, { policy: getPolicy('default'), limits: DEFAULT_LIMITS, baseOffset: 0, depth: 0, dataPath: false });
    m.run();
    const mine = ours(m.results[0]!, bytes);
    if (mine === undefined) continue;
    const parsed = new Parser({ unpicklingTypeOfDictionary: 'Map', nameResolver }).parse(Buffer.from(bytes));
    compared++;
    const a = JSON.stringify(mine);
    const b = JSON.stringify(theirs(parsed));
    if (a !== b) {
      let k = 0;
      while (a[k] === b[k]) k++;
      mismatches.push(`#${i} at ${k}: ours …${a.slice(Math.max(0, k - 60), k + 60)} vs pickleparser …${b.slice(Math.max(0, k - 60), k + 60)}`);
    }
  }
  expect(mismatches).toEqual([]);
  expect(inputs).toHaveLength(500);
  expect(compared).toBeGreaterThanOrEqual(480);
});
