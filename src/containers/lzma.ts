/**
 * A decoder for the LZMA "alone" format (`.lzma`, Python's lzma.FORMAT_ALONE, joblib's `lzma`
 * compressor), written from the LZMA specification (lzma-specification.txt in the LZMA SDK).
 * Output is bounded by `limit`; every read is bounds-checked.
 */

export interface LzmaResult {
  output: Uint8Array;
  /** 'limit' when the output would pass the limit; another string for corrupt input. */
  error?: string;
}

const NUM_STATES = 12;
const PROB_INIT = 1024;

class Truncated extends Error {}
class Corrupt extends Error {}
class Limit extends Error {}

export function decodeLzmaAlone(input: Uint8Array, limit: number): LzmaResult {
  if (input.length < 13) return { output: new Uint8Array(0), error: 'header truncated' };
  let d = input[0];
  if (d >= 225) return { output: new Uint8Array(0), error: 'bad properties byte' };
  const lc = d % 9;
  d = Math.floor(d / 9);
  const lp = d % 5;
  const pb = Math.floor(d / 5);
  let unknownSize = true;
  let unpackSize = 0;
  for (let i = 0; i < 8; i++) if (input[5 + i] !== 0xff) unknownSize = false;
  if (!unknownSize) {
    for (let i = 7; i >= 0; i--) unpackSize = unpackSize * 256 + input[5 + i];
    if (unpackSize > limit) return { output: new Uint8Array(0), error: 'limit' };
  }

  let out = new Uint8Array(unknownSize ? Math.min(limit, Math.max(1 << 16, input.length * 4)) : unpackSize);
  let outPos = 0;
  let inPos = 13;
  const next = (): number => {
    if (inPos >= input.length) throw new Truncated();
    return input[inPos++];
  };

  // Range decoder state (kept as non-negative doubles below 2^32).
  let range = 0xffffffff;
  let code = 0;
  const normalize = () => {
    if (range < 0x1000000) {
      range *= 256;
      code = code * 256 + next();
    }
  };
  const bit = (probs: Uint16Array, i: number): number => {
    const p = probs[i];
    const bound = (range >>> 11) * p;
    let b: number;
    if (code < bound) {
      range = bound;
      probs[i] = p + ((2048 - p) >>> 5);
      b = 0;
    } else {
      range -= bound;
      code -= bound;
      probs[i] = p - (p >>> 5);
      b = 1;
    }
    normalize();
    return b;
  };
  const directBits = (n: number): number => {
    let res = 0;
    for (let i = 0; i < n; i++) {
      range = Math.floor(range / 2);
      let b = 0;
      if (code >= range) {
        code -= range;
        b = 1;
      }
      res = res * 2 + b;
      normalize();
    }
    return res;
  };
  const tree = (probs: Uint16Array, base: number, numBits: number): number => {
    let m = 1;
    for (let i = 0; i < numBits; i++) m = (m << 1) + bit(probs, base + m);
    return m - (1 << numBits);
  };
  const reverseTree = (probs: Uint16Array, base: number, numBits: number): number => {
    let m = 1;
    let sym = 0;
    for (let i = 0; i < numBits; i++) {
      const b = bit(probs, base + m);
      m = (m << 1) + b;
      sym |= b << i;
    }
    return sym;
  };
  const newProbs = (n: number) => new Uint16Array(n).fill(PROB_INIT);
  const lenCoder = () => ({ choice: newProbs(2), low: newProbs(16 << 3), mid: newProbs(16 << 3), high: newProbs(256) });
  type LenCoder = ReturnType<typeof lenCoder>;
  const decodeLen = (c: LenCoder, posState: number): number => {
    if (bit(c.choice, 0) === 0) return tree(c.low, posState << 3, 3);
    if (bit(c.choice, 1) === 0) return 8 + tree(c.mid, posState << 3, 3);
    return 16 + tree(c.high, 0, 8);
  };

  const literals = newProbs(0x300 << (lc + lp));
  const isMatch = newProbs(NUM_STATES << 4);
  const isRep = newProbs(NUM_STATES);
  const isRepG0 = newProbs(NUM_STATES);
  const isRepG1 = newProbs(NUM_STATES);
  const isRepG2 = newProbs(NUM_STATES);
  const isRep0Long = newProbs(NUM_STATES << 4);
  const posSlot = newProbs(4 << 6);
  const posDecoders = newProbs(115);
  const align = newProbs(16);
  const lenDec = lenCoder();
  const repLenDec = lenCoder();

  const put = (b: number) => {
    if (outPos >= out.length) {
      if (!unknownSize || outPos >= limit) throw unknownSize ? new Limit() : new Corrupt();
      const bigger = new Uint8Array(Math.min(limit, out.length * 2));
      bigger.set(out);
      out = bigger;
    }
    out[outPos++] = b;
  };

  try {
    if (next() !== 0) throw new Corrupt();
    for (let i = 0; i < 4; i++) code = code * 256 + next();
    if (code >= range) throw new Corrupt();
    let state = 0;
    let rep0 = 0;
    let rep1 = 0;
    let rep2 = 0;
    let rep3 = 0;
    const pbMask = (1 << pb) - 1;
    const lpMask = (1 << lp) - 1;
    for (;;) {
      if (!unknownSize && outPos === unpackSize) break;
      const posState = outPos & pbMask;
      if (bit(isMatch, (state << 4) + posState) === 0) {
        const prev = outPos > 0 ? out[outPos - 1] : 0;
        const base = 0x300 * (((outPos & lpMask) << lc) + (prev >>> (8 - lc)));
        let symbol = 1;
        if (state >= 7) {
          if (rep0 >= outPos) throw new Corrupt();
          let matchByte = out[outPos - rep0 - 1];
          do {
            const matchBit = (matchByte >>> 7) & 1;
            matchByte <<= 1;
            const b = bit(literals, base + ((1 + matchBit) << 8) + symbol);
            symbol = (symbol << 1) | b;
            if (matchBit !== b) break;
          } while (symbol < 0x100);
        }
        while (symbol < 0x100) symbol = (symbol << 1) | bit(literals, base + symbol);
        put(symbol - 0x100);
        state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
        continue;
      }
      let len: number;
      if (bit(isRep, state) !== 0) {
        if (outPos === 0) throw new Corrupt();
        if (bit(isRepG0, state) === 0) {
          if (bit(isRep0Long, (state << 4) + posState) === 0) {
            state = state < 7 ? 9 : 11;
            put(out[outPos - rep0 - 1]);
            continue;
          }
        } else {
          let dist: number;
          if (bit(isRepG1, state) === 0) dist = rep1;
          else {
            if (bit(isRepG2, state) === 0) dist = rep2;
            else {
              dist = rep3;
              rep3 = rep2;
            }
            rep2 = rep1;
          }
          rep1 = rep0;
          rep0 = dist;
        }
        len = decodeLen(repLenDec, posState);
        state = state < 7 ? 8 : 11;
      } else {
        rep3 = rep2;
        rep2 = rep1;
        rep1 = rep0;
        len = decodeLen(lenDec, posState);
        state = state < 7 ? 7 : 10;
        const lenState = Math.min(len, 3);
        const slot = tree(posSlot, lenState << 6, 6);
        if (slot < 4) rep0 = slot;
        else {
          const numDirect = (slot >>> 1) - 1;
          let dist = (2 | (slot & 1)) * 2 ** numDirect;
          if (slot < 14) dist += reverseTree(posDecoders, dist - slot, numDirect);
          else dist += directBits(numDirect - 4) * 16 + reverseTree(align, 0, 4);
          rep0 = dist;
        }
        if (rep0 === 0xffffffff) {
          // End marker.
          if (code !== 0) throw new Corrupt();
          break;
        }
        if (rep0 >= outPos) throw new Corrupt();
      }
      len += 2;
      if (rep0 >= outPos) throw new Corrupt();
      for (let i = 0; i < len; i++) put(out[outPos - rep0 - 1]);
    }
  } catch (err) {
    const output = out.subarray(0, outPos);
    if (err instanceof Limit) return { output, error: 'limit' };
    if (err instanceof Truncated) return { output, error: 'truncated' };
    if (err instanceof Corrupt) return { output, error: 'corrupt data' };
    throw err;
  }
  return { output: out.subarray(0, outPos) };
}
