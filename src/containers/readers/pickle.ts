/** A raw pickle stream (any protocol, several back to back), and the pickle/zip polyglot. */
import { looksLikePickle } from '../../pickle/sniff';
import { SNIFF_BYTES } from '../detect';
import type { StreamReader } from '../reader';
import { zipReaderNoPrefix } from './zip';

export const pickleReader: StreamReader = {
  format: 'pickle',
  kind: 'pickle',
  detect: (p) => looksLikePickle(p.head, p.size !== undefined ? p.head.length >= p.size : p.head.length < SNIFF_BYTES),
  read(src, v, probe) {
    v.pickle(src);
    if (probe.head[0] !== 0x50 && probe.hasZipEnd()) {
      // A pickle at offset 0 and a zip directory at the end: pickle.load reads the first, zip readers the second.
      v.add('CONTAINER_ANOMALY/pickle-zip-polyglot', {}, 0);
      v.member('<appended zip>', src, zipReaderNoPrefix);
    }
  },
};
