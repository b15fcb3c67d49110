/** XXH32 (xxHash, 32-bit), for LZ4 frame header, block and content checksums. */
const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const P4 = 0x27d4eb2f;
const P5 = 0x165667b1;

const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));
const u32 = (b: Uint8Array, i: number) => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
const round = (acc: number, input: number) => Math.imul(rotl((acc + Math.imul(input, P2)) | 0, 13), P1);

/** Incremental XXH32. */
export class Xxh32 {
  private v1: number;
  private v2: number;
  private v3: number;
  private v4: number;
  private total = 0;
  private readonly mem = new Uint8Array(16);
  private memLen = 0;

  constructor(private readonly seed = 0) {
    this.v1 = (seed + P1 + P2) | 0;
    this.v2 = (seed + P2) | 0;
    this.v3 = seed | 0;
    this.v4 = (seed - P1) | 0;
  }

  update(b: Uint8Array): this {
    let i = 0;
    this.total += b.length;
    if (this.memLen > 0) {
      const k = Math.min(16 - this.memLen, b.length);
      this.mem.set(b.subarray(0, k), this.memLen);
      this.memLen += k;
      i = k;
      if (this.memLen < 16) return this;
      this.stripe(this.mem, 0);
      this.memLen = 0;
    }
    for (; i + 16 <= b.length; i += 16) this.stripe(b, i);
    if (i < b.length) {
      this.mem.set(b.subarray(i), 0);
      this.memLen = b.length - i;
    }
    return this;
  }

  private stripe(b: Uint8Array, i: number): void {
    this.v1 = round(this.v1, u32(b, i));
    this.v2 = round(this.v2, u32(b, i + 4));
    this.v3 = round(this.v3, u32(b, i + 8));
    this.v4 = round(this.v4, u32(b, i + 12));
  }

  digest(): number {
    let h: number;
    if (this.total >= 16) h = (rotl(this.v1, 1) + rotl(this.v2, 7) + rotl(this.v3, 12) + rotl(this.v4, 18)) | 0;
    else h = (this.seed + P5) | 0;
    h = (h + this.total) | 0;
    let i = 0;
    const m = this.mem;
    for (; i + 4 <= this.memLen; i += 4) h = Math.imul(rotl((h + Math.imul(u32(m, i), P3)) | 0, 17), P4);
    for (; i < this.memLen; i++) h = Math.imul(rotl((h + Math.imul(m[i]!, P5)) | 0, 11), P1);
    h ^= h >>> 15;
    h = Math.imul(h, P2);
    h ^= h >>> 13;
    h = Math.imul(h, P3);
    h ^= h >>> 16;
    return h >>> 0;
  }
}

export const xxh32 = (b: Uint8Array, seed = 0): number => new Xxh32(seed).update(b).digest();
