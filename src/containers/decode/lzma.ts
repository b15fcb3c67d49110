/**
 * A streaming decoder for the LZMA "alone" format (`.lzma`, Python's lzma.FORMAT_ALONE, joblib's
 * `lzma` compressor), written from the LZMA specification (lzma-specification.txt in the LZMA SDK).
 * Output comes `len` bytes at a time; the dictionary is a circular buffer that grows with the
 * output up to the header's dictionary size (at most MAX_DICT). Every read is bounds-checked.
 */
import type { ByteSource } from '../../pickle/source';
import { DecompressError, InputReader, type Decoder } from './decoder';

const NUM_STATES = 12;
const PROB_INIT = 1024;
/** Largest dictionary allocated (xz -9 uses 64 MiB). */
export const MAX_DICT = 256 * 1024 * 1024;

const corrupt = (why: string) => new DecompressError(`corrupt lzma stream: ${why}`, false);

const newProbs = (n: number) => new Uint16Array(n).fill(PROB_INIT);
const lenCoder = () => ({ choice: newProbs(2), low: newProbs(16 << 3), mid: newProbs(16 << 3), high: newProbs(256) });
type LenCoder = ReturnType<typeof lenCoder>;

export class LzmaAloneDecoder implements Decoder {
  private readonly reader: InputReader;
  private started = false;
  private lc = 0;
  private lp = 0;
  private pb = 0;
  private dictSize = 0;
  private unknownSize = true;
  private unpackSize = 0;
  private dict = new Uint8Array(0);
  private dpos = 0;
  private full = false;
  /** Bytes produced so far. */
  private total = 0;
  private range = 0xffffffff;
  private code = 0;
  private state = 0;
  private rep0 = 0;
  private rep1 = 0;
  private rep2 = 0;
  private rep3 = 0;
  /** Bytes of the current match still to copy. */
  private pendingLen = 0;
  private done = false;
  private literals = newProbs(0);
  private readonly isMatch = newProbs(NUM_STATES << 4);
  private readonly isRep = newProbs(NUM_STATES);
  private readonly isRepG0 = newProbs(NUM_STATES);
  private readonly isRepG1 = newProbs(NUM_STATES);
  private readonly isRepG2 = newProbs(NUM_STATES);
  private readonly isRep0Long = newProbs(NUM_STATES << 4);
  private readonly posSlot = newProbs(4 << 6);
  private readonly posDecoders = newProbs(115);
  private readonly align = newProbs(16);
  private readonly lenDec = lenCoder();
  private readonly repLenDec = lenCoder();

  constructor(input: ByteSource) {
    this.reader = new InputReader(input);
  }

  get consumed(): number {
    return this.reader.pos;
  }

  close(): void {}

  private next(): number {
    const b = this.reader.byte();
    if (b < 0) throw corrupt('truncated');
    return b;
  }

  private start(): void {
    const h = this.reader.bytes(13);
    if (h.length < 13) throw corrupt('header truncated');
    let d = h[0]!;
    if (d >= 225) throw corrupt('bad properties byte');
    this.lc = d % 9;
    d = Math.floor(d / 9);
    this.lp = d % 5;
    this.pb = Math.floor(d / 5);
    this.dictSize = Math.max(4096, (h[1]! | (h[2]! << 8) | (h[3]! << 16) | (h[4]! << 24)) >>> 0);
    this.unknownSize = h.subarray(5, 13).every((x) => x === 0xff);
    if (!this.unknownSize) for (let i = 12; i >= 5; i--) this.unpackSize = this.unpackSize * 256 + h[i]!;
    this.literals = newProbs(0x300 << (this.lc + this.lp));
    this.dict = new Uint8Array(Math.min(this.dictSize, MAX_DICT, 1 << 20));
    if (this.next() !== 0) throw corrupt('corrupt data');
    for (let i = 0; i < 4; i++) this.code = this.code * 256 + this.next();
    if (this.code >= this.range) throw corrupt('corrupt data');
    this.started = true;
  }

  private normalize(): void {
    if (this.range < 0x1000000) {
      this.range *= 256;
      this.code = this.code * 256 + this.next();
    }
  }

  private bit(probs: Uint16Array, i: number): number {
    const p = probs[i]!;
    const bound = (this.range >>> 11) * p;
    let b: number;
    if (this.code < bound) {
      this.range = bound;
      probs[i] = p + ((2048 - p) >>> 5);
      b = 0;
    } else {
      this.range -= bound;
      this.code -= bound;
      probs[i] = p - (p >>> 5);
      b = 1;
    }
    this.normalize();
    return b;
  }

  private directBits(n: number): number {
    let res = 0;
    for (let i = 0; i < n; i++) {
      this.range = Math.floor(this.range / 2);
      let b = 0;
      if (this.code >= this.range) {
        this.code -= this.range;
        b = 1;
      }
      res = res * 2 + b;
      this.normalize();
    }
    return res;
  }

  private tree(probs: Uint16Array, base: number, numBits: number): number {
    let m = 1;
    for (let i = 0; i < numBits; i++) m = (m << 1) + this.bit(probs, base + m);
    return m - (1 << numBits);
  }

  private reverseTree(probs: Uint16Array, base: number, numBits: number): number {
    let m = 1;
    let sym = 0;
    for (let i = 0; i < numBits; i++) {
      const b = this.bit(probs, base + m);
      m = (m << 1) + b;
      sym |= b << i;
    }
    return sym;
  }

  private decodeLen(c: LenCoder, posState: number): number {
    if (this.bit(c.choice, 0) === 0) return this.tree(c.low, posState << 3, 3);
    if (this.bit(c.choice, 1) === 0) return 8 + this.tree(c.mid, posState << 3, 3);
    return 16 + this.tree(c.high, 0, 8);
  }

  /** The byte `dist` + 1 back in the output. */
  private back(dist: number): number {
    let i = this.dpos - dist - 1;
    if (i < 0) i += this.dict.length;
    return this.dict[i]!;
  }

  private put(b: number): void {
    if (this.dpos === this.dict.length) {
      const cap = Math.min(this.dictSize, MAX_DICT);
      if (!this.full && this.dict.length < cap) {
        const bigger = new Uint8Array(Math.min(cap, this.dict.length * 2));
        bigger.set(this.dict);
        this.dict = bigger;
      } else {
        this.dpos = 0;
        this.full = true;
      }
    }
    this.dict[this.dpos++] = b;
    this.total++;
  }

  /** Largest distance a match may reach back. */
  private reach(): number {
    return this.full ? this.dict.length : this.dpos;
  }

  read(dst: Uint8Array, off: number, len: number): number {
    if (!this.started) this.start();
    let n = 0;
    const pbMask = (1 << this.pb) - 1;
    const lpMask = (1 << this.lp) - 1;
    const lc = this.lc;
    while (n < len) {
      if (this.pendingLen > 0) {
        const k = Math.min(this.pendingLen, len - n);
        for (let i = 0; i < k; i++) {
          const b = this.back(this.rep0);
          this.put(b);
          dst[off + n++] = b;
        }
        this.pendingLen -= k;
        continue;
      }
      if (this.done) break;
      if (!this.unknownSize && this.total === this.unpackSize) {
        this.done = true;
        break;
      }
      const state = this.state;
      const posState = this.total & pbMask;
      if (this.bit(this.isMatch, (state << 4) + posState) === 0) {
        const prev = this.total > 0 ? this.back(0) : 0;
        const base = 0x300 * (((this.total & lpMask) << lc) + (prev >>> (8 - lc)));
        let symbol = 1;
        if (state >= 7) {
          if (this.rep0 >= this.reach()) throw corrupt('corrupt data');
          let matchByte = this.back(this.rep0);
          do {
            const matchBit = (matchByte >>> 7) & 1;
            matchByte <<= 1;
            const b = this.bit(this.literals, base + ((1 + matchBit) << 8) + symbol);
            symbol = (symbol << 1) | b;
            if (matchBit !== b) break;
          } while (symbol < 0x100);
        }
        while (symbol < 0x100) symbol = (symbol << 1) | this.bit(this.literals, base + symbol);
        this.put(symbol - 0x100);
        dst[off + n++] = symbol - 0x100;
        this.state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
        continue;
      }
      let mlen: number;
      if (this.bit(this.isRep, state) !== 0) {
        if (this.total === 0) throw corrupt('corrupt data');
        if (this.bit(this.isRepG0, state) === 0) {
          if (this.bit(this.isRep0Long, (state << 4) + posState) === 0) {
            this.state = state < 7 ? 9 : 11;
            const b = this.back(this.rep0);
            this.put(b);
            dst[off + n++] = b;
            continue;
          }
        } else {
          let dist: number;
          if (this.bit(this.isRepG1, state) === 0) dist = this.rep1;
          else {
            if (this.bit(this.isRepG2, state) === 0) dist = this.rep2;
            else {
              dist = this.rep3;
              this.rep3 = this.rep2;
            }
            this.rep2 = this.rep1;
          }
          this.rep1 = this.rep0;
          this.rep0 = dist;
        }
        mlen = this.decodeLen(this.repLenDec, posState);
        this.state = state < 7 ? 8 : 11;
      } else {
        this.rep3 = this.rep2;
        this.rep2 = this.rep1;
        this.rep1 = this.rep0;
        mlen = this.decodeLen(this.lenDec, posState);
        this.state = state < 7 ? 7 : 10;
        const lenState = Math.min(mlen, 3);
        const slot = this.tree(this.posSlot, lenState << 6, 6);
        if (slot < 4) this.rep0 = slot;
        else {
          const numDirect = (slot >>> 1) - 1;
          let dist = (2 | (slot & 1)) * 2 ** numDirect;
          if (slot < 14) dist += this.reverseTree(this.posDecoders, dist - slot, numDirect);
          else dist += this.directBits(numDirect - 4) * 16 + this.reverseTree(this.align, 0, 4);
          this.rep0 = dist;
        }
        if (this.rep0 === 0xffffffff) {
          // end marker
          if (this.code !== 0) throw corrupt('corrupt data');
          this.done = true;
          break;
        }
      }
      if (this.rep0 >= this.reach()) {
        if (this.rep0 >= MAX_DICT && this.rep0 < this.dictSize) throw new DecompressError(`lzma dictionary of ${this.dictSize} bytes exceeds ${MAX_DICT}`, true, { kind: 'window', bytes: this.dictSize, max: MAX_DICT });
        throw corrupt('corrupt data');
      }
      mlen += 2;
      if (!this.unknownSize && this.total + mlen > this.unpackSize) throw corrupt('corrupt data');
      this.pendingLen = mlen;
    }
    return n;
  }
}
