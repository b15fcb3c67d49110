/**
 * Differential tests against CPython: our opcode stream equals pickletools.genops on every valid pickle,
 * and the globals we report are a superset of what CPython's unpickler really asks find_class for.
 */
import { readOps, scan, type OpRecord } from '../../src';
import { ReadOpsError } from '../../src/pickle';
import { findClass, genops, manifestFiles, randomPickles, sampleFiles, type OracleArg } from '../support/oracle';

function sameArg(op: OpRecord, want: OracleArg): boolean {
  const a = op.arg;
  if (want === null) return a === null;
  if ('b' in want) return a === want.b;
  if ('i' in want) return (typeof a === 'number' || typeof a === 'bigint') && BigInt(a) === BigInt(want.i);
  if ('f' in want) {
    const f = want.f === 'inf' ? Infinity : want.f === '-inf' ? -Infinity : want.f === 'nan' ? NaN : Number(want.f);
    return typeof a === 'number' && Object.is(a, f);
  }
  if ('s' in want) return Array.isArray(a) ? `${a[0]} ${a[1]}` === want.s : a === want.s;
  if ('x' in want) return a instanceof Uint8Array && Buffer.from(a).toString('hex') === want.x;
  return false;
}

function compareStreams(inputs: Uint8Array[]): { compared: number; mismatches: string[] } {
  const oracle = genops(inputs);
  const mismatches: string[] = [];
  let compared = 0;
  inputs.forEach((bytes, i) => {
    const want = oracle[i]!;
    if (!want.ok) return;
    let ours: OpRecord[];
    try {
      ours = [...readOps(bytes, { firstPickleOnly: true })];
    } catch (e) {
      // genops does not check FRAME lengths; CPython's unpickler (and we) refuse a frame longer than the input (not counted as compared)
      if (e instanceof ReadOpsError && e.detail.opcode === 'FRAME' && want.ops.some(([n]) => n === 'FRAME')) return;
      mismatches.push(`#${i}: ${(e as Error).message}`);
      return;
    }
    compared++;
    if (ours.length !== want.ops.length) {
      mismatches.push(`#${i}: ${ours.length} ops vs genops ${want.ops.length}`);
      return;
    }
    want.ops.forEach(([name, pos, arg], k) => {
      const op = ours[k]!;
      if (op.name !== name || op.pos !== pos || !sameArg(op, arg)) {
        mismatches.push(`#${i} op ${k}: ours ${op.name}@${op.pos} ${String(op.arg)} vs ${name}@${pos} ${JSON.stringify(arg)}`);
      }
    });
  });
  return { compared, mismatches };
}

function compareGlobals(inputs: Uint8Array[]): { compared: number; checked: number; missing: string[] } {
  const oracle = findClass(inputs);
  const missing: string[] = [];
  let checked = 0;
  inputs.forEach((bytes, i) => {
    const ours = new Set(scan(bytes).globals.map((g) => `${g.module} ${g.name}`));
    for (const [m, n] of oracle[i]!.globals) {
      checked++;
      if (!ours.has(`${m} ${n}`)) missing.push(`#${i}: CPython resolves ${m} ${n}, we did not report it`);
    }
  });
  return { compared: oracle.length, checked, missing };
}

// every generated sample (benign, malicious, malformed/hostile, MXNet wire and states): 535 when written
const files = sampleFiles();
const SAMPLE_COUNT = files.length;

test('the differential runs over every sample samples/manifest.json lists, and nothing else', () => {
  expect(files.map(([f]) => f).sort()).toEqual(manifestFiles());
  expect(SAMPLE_COUNT).toBeGreaterThanOrEqual(535);
});

describe('opcode stream equals pickletools.genops', () => {
  // 512 of the 535 samples parse with genops when written; the rest are malformed on purpose
  test(`on every sample file genops parses: at least 500 of the ${SAMPLE_COUNT}`, () => {
    const { compared, mismatches } = compareStreams(files.map(([, b]) => b));
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThanOrEqual(500);
  });

  test.each([0, 1, 2])('on 300 random pickles across protocols 0-5 (seed %d), every one parsed by genops', (seed) => {
    const inputs = randomPickles(300, seed);
    const { compared, mismatches } = compareStreams(inputs);
    expect(mismatches).toEqual([]);
    expect(compared).toBe(300);
  });
});

describe('reported globals are a superset of what CPython resolves', () => {
  test(`on all ${SAMPLE_COUNT} sample files (benign, malicious, malformed, MXNet): at least 1,500 globals CPython requests`, () => {
    const { compared, checked, missing } = compareGlobals(files.map(([, b]) => b));
    expect(missing).toEqual([]);
    expect(compared).toBe(SAMPLE_COUNT);
    expect(checked).toBeGreaterThanOrEqual(1500);
  });

  test('on 300 random pickles: at least 400 globals CPython requests', () => {
    const { compared, checked, missing } = compareGlobals(randomPickles(300, 7));
    expect(missing).toEqual([]);
    expect(compared).toBe(300);
    expect(checked).toBeGreaterThanOrEqual(400);
  });
});
