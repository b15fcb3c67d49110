/** Tar archives (v7, ustar, GNU, pax): headers only (tar.ts); members are walked in place. */
import { SliceSource, readBytes } from '../../pickle/source';
import { SNIFF_BYTES, isTarHeader } from '../detect';
import type { StreamReader } from '../reader';
import { listTar } from '../tar';

const USTAR = [0x75, 0x73, 0x74, 0x61, 0x72];

export const tarReader: StreamReader = {
  format: 'tar',
  kind: 'archive',
  detect: (p) => USTAR.every((b, i) => p.head[257 + i] === b) || isTarHeader(p.head),
  read(src, v) {
    const listing = listTar(src, v.membersLeft() + 1);
    for (const a of listing.anomalies) v.anomaly(a);
    const n = v.countMembers(listing.entries.length);
    for (const e of listing.entries.slice(0, n)) {
      const slice = new SliceSource(src, e.offset, e.size);
      if (!v.worthWalking(readBytes(slice, 0, SNIFF_BYTES), e.size, e.name)) v.skip();
      else v.member(e.name, slice);
    }
  },
};
