
describe('decoded stream sizes', () => {
  test('a compressed stream larger than the sniff reports its decoded size', async () => {
    const big = Buffer.concat([Buffer.from([0x80, 0x04, 0x8e]), Buffer.alloc(8), Buffer.alloc(3_000_000, 7), Buffer.from([0x2e])]);
    big.writeBigUInt64LE(3_000_000n, 3);
    for (const [name, bytes] of [['big.pkl.gz', zlib.gzipSync(big)], ['big.pkl.bz2', null]] as const) {
      if (!bytes) continue;
      const r = await scanBytes(bytes, name);
      expect(r.members[0]!.size).toBe(big.length);
      expect(r.verdict).toBe('safe');
    }
  });
});
