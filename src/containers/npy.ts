/**
 * The `.npy` header (numpy/lib/format.py): magic `\x93NUMPY`, version, header length (2 bytes for
 * v1, 4 for v2/v3), then a Python dict literal with `descr`, `fortran_order` and `shape`.
 * When the dtype holds objects, numpy.save writes a pickle of the array after the header.
 */

export interface NpyHeader {
  version: string;
  /** Offset of the array data (or of the pickle, for object arrays). */
  dataOffset: number;
  descr: unknown;
  fortranOrder: boolean;
  shape: number[];
  /** The dtype holds Python objects: the data is a pickle. */
  hasObject: boolean;
  /** Bytes the data should take for a plain dtype, or null when unknown (objects, odd dtypes). */
  expectedDataBytes: number | null;
}

type Lit = string | number | boolean | null | Lit[] | { [k: string]: Lit };

/** Parser for the Python literal subset numpy writes: dicts, tuples, lists, strings, ints, True/False/None. */
function parseLiteral(text: string): Lit {
  let p = 0;
  const ws = () => {
    while (p < text.length && /\s/.test(text[p])) p++;
  };
  const fail = (): never => {
    throw new SyntaxError(`unexpected ${JSON.stringify(text.slice(p, p + 10))} at ${p}`);
  };
  const value = (depth: number): Lit => {
    if (depth > 32) fail();
    ws();
    const c = text[p];
    if (c === '{') {
      p++;
      const obj: Record<string, Lit> = {};
      for (;;) {
        ws();
        if (text[p] === '}') return p++, obj;
        const k = value(depth + 1);
        if (typeof k !== 'string') fail();
        ws();
        if (text[p++] !== ':') fail();
        obj[k as string] = value(depth + 1);
        ws();
        if (text[p] === ',') p++;
        else if (text[p] !== '}') fail();
      }
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      p++;
      const arr: Lit[] = [];
      for (;;) {
        ws();
        if (text[p] === close) return p++, arr;
        arr.push(value(depth + 1));
        ws();
        if (text[p] === ',') p++;
        else if (text[p] !== close) fail();
      }
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, p + 1);
      if (end < 0) fail();
      const s = text.slice(p + 1, end);
      p = end + 1;
      return s;
    }
    const m = /^(True|False|None|-?\d+L?)/.exec(text.slice(p));
    if (!m) return fail();
    p += m[0].length;
    return m[0] === 'True' ? true : m[0] === 'False' ? false : m[0] === 'None' ? null : Number.parseInt(m[0], 10);
  };
  const v = value(0);
  ws();
  if (p !== text.length) fail();
  return v;
}

/** Every dtype string inside a descr (a string, or a list of (name, dtype[, shape]) tuples). */
function dtypeStrings(descr: Lit, out: string[] = []): string[] {
  if (typeof descr === 'string') out.push(descr);
  else if (Array.isArray(descr)) {
    for (const field of descr) {
      if (Array.isArray(field) && field.length >= 2) dtypeStrings(field[1], out);
      else out.push('?');
    }
  } else out.push('?');
  return out;
}

function itemSize(descr: Lit): number | null {
  if (typeof descr !== 'string') return null;
  const m = /^[<>|=]?([biufcmMSUV])(\d+)$/.exec(descr);
  if (!m) return /^[<>|=]?[b?]1?$/.test(descr) ? 1 : null;
  return m[1] === 'U' ? 4 * Number(m[2]) : Number(m[2]);
}

export function parseNpyHeader(b: Uint8Array): NpyHeader | { error: string } {
  if (b.length < 10) return { error: 'header truncated' };
  const major = b[6];
  const minor = b[7];
  let len: number;
  let start: number;
  if (major === 1) {
    len = b[8] | (b[9] << 8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (b.length < 12) return { error: 'header truncated' };
    len = (b[8] | (b[9] << 8) | (b[10] << 16) | (b[11] << 24)) >>> 0;
    start = 12;
  } else return { error: `unknown .npy version ${major}.${minor}` };
  if (start + len > b.length) return { error: `header of ${len} bytes runs past the input` };
  const text = Buffer.from(b.subarray(start, start + len)).toString(major === 3 ? 'utf8' : 'latin1');
  let lit: Lit;
  try {
    lit = parseLiteral(text);
  } catch (err) {
    return { error: `header is not a Python literal: ${(err as Error).message}` };
  }
  if (!lit || typeof lit !== 'object' || Array.isArray(lit)) return { error: 'header is not a dict' };
  const keys = Object.keys(lit).sort().join(',');
  if (keys !== 'descr,fortran_order,shape') return { error: `header keys are ${keys}, expected descr, fortran_order, shape` };
  const shape = lit.shape;
  if (!Array.isArray(shape) || !shape.every((x) => typeof x === 'number' && x >= 0)) return { error: 'shape is not a tuple of non-negative ints' };
  if (typeof lit.fortran_order !== 'boolean') return { error: 'fortran_order is not a bool' };
  const types = dtypeStrings(lit.descr);
  // An unparseable field spec counts as an object: fail towards scanning the data as a pickle.
  const hasObject = types.some((t) => t === '?' || /^[<>|=]?O\d*$/.test(t));
  const size = itemSize(lit.descr);
  const count = (shape as number[]).reduce((a, x) => a * x, 1);
  return {
    version: `${major}.${minor}`,
    dataOffset: start + len,
    descr: lit.descr,
    fortranOrder: lit.fortran_order,
    shape: shape as number[],
    hasObject,
    expectedDataBytes: !hasObject && size !== null ? count * size : null,
  };
}
