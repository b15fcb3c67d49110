/**
 * The shortcuts of the protocol-0 argument decoders (plain decimals without a digit string or BigInt
 * arithmetic, I00/I01, floats ending in a digit) and of the pseudo-code renderer (plain ASCII strings)
 * give what the full decoders give: each is compared with the decoder as it was before it had one, over
 * every short text of a small alphabet and random longer ones.
 */
import { decodeDecimalLine, decodeFloatLine, decodeIntLine, parsePyIntBase0 } from '../../src/pickle/args';
import { renderValue } from '../../src/machine/render';

const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const digitValue = (c: number): number => {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x5a) return c - 0x41 + 10;
  return 99;
};

/** decodeIntLine before its shortcuts: strtol(s, &end, 0) over the whole line, else int(s, 0). */
function referenceIntLine(text: Uint8Array, start: number, end: number): number | bigint | boolean | null {
  if (end - start < 1) return null;
  let i = start;
  while (i < end && isSpace(text[i]!)) i++;
  let negative = false;
  if (i < end && (text[i] === 0x2b || text[i] === 0x2d)) {
    negative = text[i] === 0x2d;
    i++;
  }
  let base = 10;
  if (i < end && text[i] === 0x30) {
    if (i + 2 < end && (text[i + 1]! | 0x20) === 0x78 && digitValue(text[i + 2]!) < 16) {
      base = 16;
      i += 2;
    } else base = 8;
  }
  const digitsStart = i;
  let value = 0n;
  let overflow = false;
  while (i < end && digitValue(text[i]!) < base) {
    value = value * BigInt(base) + BigInt(digitValue(text[i]!));
    i++;
    if (value > 0x7fffffffffffffffn) {
      overflow = true;
      break;
    }
  }
  let viaStrtol: number | null = null;
  if (!overflow && i !== digitsStart && i === end) {
    const n = negative ? -value : value;
    if (n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER)) viaStrtol = Number(n);
  }
  if (viaStrtol !== null) {
    if (end - start === 2 && (viaStrtol === 0 || viaStrtol === 1)) return viaStrtol === 1;
    return viaStrtol;
  }
  return parsePyIntBase0(text, start, end);
}

const FLOAT_RE = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)$/i;

/** decodeFloatLine before its shortcut. */
function referenceFloatLine(text: Uint8Array, start: number, end: number): number | null {
  const s = Buffer.from(text.subarray(start, end)).toString('latin1');
  if (!FLOAT_RE.test(s)) return null;
  const lower = s.toLowerCase();
  if (lower.endsWith('inf') || lower.endsWith('infinity')) return lower.startsWith('-') ? -Infinity : Infinity;
  if (lower.endsWith('nan')) return Number.NaN;
  return Number.parseFloat(s);
}

/** Every text of up to `max` characters of `alphabet`, as bytes with a byte before and after (decoders read a range). */
function* texts(alphabet: string, max: number): Generator<Uint8Array> {
  const chars = [...alphabet];
  const word: number[] = [];
  function* grow(n: number): Generator<Uint8Array> {
    if (word.length === n) {
      yield Uint8Array.from([0x49, ...word.map((c) => c), 0x0a]);
      return;
    }
    for (const c of chars) {
      word.push(c.charCodeAt(0));
      yield* grow(n);
      word.pop();
    }
  }
  for (let n = 0; n <= max; n++) yield* grow(n);
}

function* randomTexts(alphabet: string, count: number, maxLen: number): Generator<Uint8Array> {
  let seed = 12345;
  const next = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  for (let k = 0; k < count; k++) {
    const n = next() % (maxLen + 1);
    const bytes = [0x49];
    for (let i = 0; i < n; i++) bytes.push(alphabet.charCodeAt(next() % alphabet.length));
    bytes.push(0x0a);
    yield Uint8Array.from(bytes);
  }
}

const same = (a: unknown, b: unknown): boolean => Object.is(a, b) || (typeof a === 'bigint' && a === b);

describe('decoder shortcuts give what the full decoders give', () => {
  const intAlphabet = '0123456789-+ _xob';
  const all = (alphabet: string): Uint8Array[] => [...texts(alphabet, 4), ...randomTexts(alphabet, 20000, 24), ...randomTexts('0123456789', 5000, 22), ...randomTexts('-0123456789', 5000, 18)];

  test('INT lines', () => {
    let checked = 0;
    for (const t of all(intAlphabet)) {
      const got = decodeIntLine(t, 1, t.length - 1);
      const want = referenceIntLine(t, 1, t.length - 1);
      if (!same(got, want)) throw new Error(`INT ${JSON.stringify(Buffer.from(t).toString('latin1'))}: ${String(got)} instead of ${String(want)}`);
      checked++;
    }
    expect(checked).toBeGreaterThan(30000);
    for (const [text, want] of [['0', 0], ['00', false], ['01', true], ['7', 7], ['-7', -7], ['-0', false], ['+1', true], ['123456789012345', 123456789012345]] as const) {
      const t = Buffer.from(`I${text}\n`, 'latin1');
      expect(decodeIntLine(t, 1, t.length - 1)).toBe(want);
    }
  });

  test('GET/PUT indices', () => {
    for (const t of all(intAlphabet)) {
      const got = decodeDecimalLine(t, 1, t.length - 1);
      const want = parsePyIntBase0(t, 1, t.length - 1, 10);
      if (!same(got, want)) throw new Error(`index ${JSON.stringify(Buffer.from(t).toString('latin1'))}: ${String(got)} instead of ${String(want)}`);
    }
  });

  test('FLOAT lines', () => {
    const alphabet = '0123456789.-+eEinfatyINF ';
    for (const t of [...texts(alphabet, 3), ...randomTexts(alphabet, 20000, 14), ...randomTexts('0123456789.e-', 20000, 12)]) {
      const got = decodeFloatLine(t, 1, t.length - 1);
      const want = referenceFloatLine(t, 1, t.length - 1);
      if (!same(got, want)) throw new Error(`FLOAT ${JSON.stringify(Buffer.from(t).toString('latin1'))}: ${String(got)} instead of ${String(want)}`);
    }
  });
});

describe('renderer shortcuts', () => {
  /** The string repr as before the plain-ASCII shortcut. */
  function referenceRepr(s: string): string {
    const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
    let out = quote;
    for (const ch of s) {
      const c = ch.codePointAt(0)!;
      if (ch === quote || ch === '\\') out += '\\' + ch;
      else if (ch === '\n') out += '\\n';
      else if (ch === '\r') out += '\\r';
      else if (ch === '\t') out += '\\t';
      else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
      else if (c >= 0xd800 && c <= 0xdfff) out += '\\u' + c.toString(16).padStart(4, '0');
      else out += ch;
    }
    return out + quote;
  }

  test('strings render as Python writes them, plain or not', () => {
    const samples = ['', 'lr', 'rescale_grad', "it's", 'say "hi"', 'both \' and "', 'back\\slash', 'tab\there', 'nl\n', '\x7f', '\x00\x1f', 'é', '…', '\ud800x', '😀', ' ~!#$%&()*+,-./:;<=>?@[]^_`{|}'];
    for (let c = 0; c < 0x300; c++) samples.push(`a${String.fromCharCode(c)}b`);
    for (const s of samples) expect(renderValue({ k: 'str', v: s, len: s.length })).toBe(referenceRepr(s));
  });

  test('floats keep a .0 when String() shows neither a point nor an exponent', () => {
    const cases: [number, string][] = [[1, '1.0'], [0, '0.0'], [-0, '0.0'], [0.01, '0.01'], [1e-5, '0.00001'], [1e-7, '1e-7'], [1e21, '1e+21'], [123456789, '123456789.0'], [-2.5, '-2.5']];
    for (const [v, want] of cases) expect(renderValue({ k: 'float', v })).toBe(want);
  });
});
