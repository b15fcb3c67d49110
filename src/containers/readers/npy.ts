/** `.npy` arrays: the header is parsed; an object array's pickle (right after the header) is scanned. */
import { readBytes } from '../../pickle/source';
import { TailSource, sizeOf } from '../io/sources';
import { parseNpyHeader } from '../npy';
import type { StreamReader } from '../reader';

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
/** Largest header read (numpy writes a few hundred bytes; 4 GiB is the format's own limit). */
const MAX_HEADER = 16 * 1024 * 1024;

export const npyReader: StreamReader = {
  format: 'npy',
  kind: 'array',
  detect: (p) => NPY_MAGIC.every((b, i) => p.head[i] === b),
  read(src, v, probe) {
    const head = probe.head;
    let header = parseNpyHeader(head);
    if ('error' in header && head.length >= 12 && head.length === 65536) {
      const want = Math.min(12 + ((head[8]! | (head[9]! << 8) | (head[10]! << 16) | (head[11]! << 24)) >>> 0), MAX_HEADER);
      header = parseNpyHeader(readBytes(src, 0, want));
    }
    if ('error' in header) {
      v.add('CONTAINER_ANOMALY/npy-header', { why: header.error }, 0);
      return;
    }
    if (header.hasObject) {
      // numpy.save pickles object arrays right after the header; numpy.load(allow_pickle=True) unpickles it.
      v.pickle(new TailSource(src, header.dataOffset), { baseOffset: header.dataOffset });
      return;
    }
    const dataBytes = sizeOf(src) - header.dataOffset;
    if (header.expectedDataBytes !== null && header.expectedDataBytes !== dataBytes) {
      v.add('CONTAINER_ANOMALY/npy-data-size', { bytes: dataBytes, expected: header.expectedDataBytes }, header.dataOffset + Math.min(dataBytes, header.expectedDataBytes));
    }
  },
};
