/** Typed access to the plain-JS mutator and stream comparison shared with the fuzz campaign (test/fuzz/). */
import type { OpRecord as Op } from '../../src';
import { readOps } from '../../src';
import { ReadOpsError } from '../../src/pickle';
import type { GenopsResult } from '../support/oracle';

export interface Rng {
  next(): number;
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
}
export interface Mutator {
  mutate(r: Rng, bytes: Uint8Array, other?: Uint8Array): { ops: string[]; bytes: Uint8Array };
  boundaries(bytes: Uint8Array): number[];
}

/* eslint-disable @typescript-eslint/no-require-imports */
const mutateJs = require('../fuzz/mutate.js') as {
  rng(seed: number): Rng;
  createMutator(deps: { readOps: (b: Uint8Array, o?: object) => Iterable<Op> }): Mutator;
};
const compareJs = require('../fuzz/compare.js') as {
  streamMismatch(readOps: unknown, err: unknown, bytes: Uint8Array, want: GenopsResult): null | string | { lenient: Uint8Array };
  cpythonRefusesProbe(res: unknown): boolean;
};

export const rng = mutateJs.rng;
export const mutator: Mutator = mutateJs.createMutator({ readOps });
export const streamMismatch = (bytes: Uint8Array, want: GenopsResult) => compareJs.streamMismatch(readOps, ReadOpsError, bytes, want);
export const cpythonRefusesProbe = compareJs.cpythonRefusesProbe;

/** Every (module, name) CPython's unpickler asked find_class for, nested loads included. */
export function cpythonGlobals(res: { globals: [string, string][]; nested?: unknown[] }): [string, string][] {
  const out: [string, string][] = [];
  const walk = (r: { globals?: [string, string][]; nested?: unknown[] } | undefined) => {
    if (!r) return;
    for (const g of r.globals ?? []) out.push(g);
    for (const n of r.nested ?? []) walk(n as typeof r);
  };
  walk(res);
  return out;
}
