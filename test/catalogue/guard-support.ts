/**
 * Shared helpers of the reviewed-guard tests (sympy, pint, rdflib): a pickle builder with a step
 * that runs a helper on it, and the verdict and distinct rules of a scan under `default`.
 */
import { scan, type Report } from '../../src';
import { P as Builder } from '../support/pickle-builder';

/** The builder, with a step that runs a function on it (for values built by helpers). */
export class P extends Builder {
  pipe(f: (p: this) => P): this {
    return f(this) as this;
  }
}

/** The distinct CODE/rule of a report's findings, info left out. */
export const rules = (r: Report) => [...new Set(r.findings.filter((f) => f.severity !== 'info').map((f) => `${f.code}/${f.rule}`))];

/** [verdict, rules] of a scan under the default policy. */
export const judge = (bytes: Uint8Array) => {
  const r = scan(bytes, { policy: 'default' });
  return [r.verdict, rules(r)];
};

export const SAFE = ['safe', []];
export const DENIED = ['dangerous', ['DENIED_GLOBAL/unsafe-call']];

/** `module.name` split at its last dot. */
export const split = (name: string): [string, string] => {
  const dot = name.lastIndexOf('.');
  return [name.slice(0, dot), name.slice(dot + 1)];
};

/** [verdict, rules] of a scan under the default policy, the rules sorted (for expectations with several). */
export const judgeSorted = (bytes: Uint8Array) => {
  const r = scan(bytes, { policy: 'default' });
  return [r.verdict, rules(r).sort()];
};
