/**
 * Differential tests against CPython: our opcode stream equals pickletools.genops on every valid pickle,
 * and the globals we report are a superset of what CPython's unpickler really asks find_class for.
 */
import { readOps, scan, type OpRecord } from '../../src';
import { ReadOpsError } from '../../src/pickle';
import { findClass, genops, randomPickles, sampleFiles, type OracleArg } from '../support/oracle';

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
    compared++;
    let ours: OpRecord[];
    try {
      ours = [...readOps(bytes, { firstPickleOnly: true })];
    } catch (e) {
      // genops does not check FRAME lengths; CPython's unpickler (and we) refuse a frame longer than the input
      if (e instanceof ReadOpsError && e.detail.opcode === 'FRAME' && want.ops.some(([n]) => n === 'FRAME')) return;
      mismatches.push(`#${i}: ${(e as Error).message}`);
      return;
    }
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

function compareGlobals(inputs: Uint8Array[]): { compared: number; missing: string[] } {
  const oracle = findClass(inputs);
  const missing: string[] = [];
  inputs.forEach((bytes, i) => {
    const ours = new Set(scan(bytes).globals.map((g) => `${g.module} ${g.name}`));
    for (const [m, n] of oracle[i]!.globals) if (!ours.has(`${m} ${n}`)) missing.push(`#${i}: CPython resolves ${m} ${n}, we did not report it`);
  });
  return { compared: inputs.length, missing };
}

describe('opcode stream equals pickletools.genops', () => {
  test('on every sample file that CPython can parse', () => {
    const files = sampleFiles();
    const { compared, mismatches } = compareStreams(files.map(([, b]) => b));
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(300);
  });

  test.each([0, 1, 2])('on 300 random pickles across protocols 0-5 (seed %d)', (seed) => {
    const inputs = randomPickles(300, seed);
    const { compared, mismatches } = compareStreams(inputs);
    expect(mismatches).toEqual([]);
    expect(compared).toBe(300);
  });
});

describe('reported globals are a superset of what CPython resolves', () => {
  test('on every sample file (benign, malicious, malformed, MXNet)', () => {
    const files = sampleFiles();
    const { missing } = compareGlobals(files.map(([, b]) => b));
    expect(missing).toEqual([]);
  });

  test('on 300 random pickles', () => {
    const { missing } = compareGlobals(randomPickles(300, 7));
    expect(missing).toEqual([]);
  });
});
