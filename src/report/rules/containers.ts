/** Rules of the container readers: files, archives, compressed streams and array formats. */
import { rule } from './rule';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
const anomaly = <A extends object = {}>(message: (a: A) => string) => rule<A>('suspicious', message);

export const CONTAINER_RULES = {
  // ---- reading and limits
  'MALFORMED/scanner-failed': rule<{ why: string }>('suspicious', (a) => `scanner failed on this stream: ${a.why}`),
  'LIMIT_EXCEEDED/max-file-bytes': rule<{ size: number; max: number; compressed: boolean }>('suspicious', (a) =>
    a.compressed ? `compressed member of ${a.size} bytes exceeds --max-file-bytes: not verified` : `stream of ${a.size} bytes exceeds the ${a.max}-byte read limit (--max-file-bytes): not verified`,
  ),
  'LIMIT_EXCEEDED/max-depth': rule<{ format: string; depth: number; max: number }>('suspicious', (a) => `${a.format} nested ${a.depth} levels deep (--max-depth ${a.max}): not opened`),
  'LIMIT_EXCEEDED/max-members': rule<{ max: number }>('suspicious', (a) => `more than ${a.max} archive members (--max-members): the rest were not examined`),
  'LIMIT_EXCEEDED/inflate-budget': rule<{ declared: number | null; budget: number }>('suspicious', (a) =>
    a.declared !== null
      ? `member declares ${a.declared} bytes uncompressed, more than the remaining inflate budget (--max-inflated-bytes): not verified`
      : `inflate budget of ${a.budget} bytes used up (--max-inflated-bytes): not verified`,
  ),
  'LIMIT_EXCEEDED/inflate-limit': rule<{ what: string; why: string }>('suspicious', (a) => `${a.what}: ${a.why}`),
  'CONTAINER_ANOMALY/corrupt-stream': anomaly<{ what: string; why: string }>((a) => `${a.what}: ${a.why}`),
  'LIMIT_EXCEEDED/decode-restarts': rule<{ what: string; max: number }>('suspicious', (a) => `${a.what}: read backwards more than ${a.max} times (each read decompresses the stream again from its start); the rest was not verified`),
  'LIMIT_EXCEEDED/decode-window': rule<{ what: string; bytes: number; max: number }>('suspicious', (a) => `${a.what}: the stream asks for a ${a.bytes}-byte window, more than ${a.max} bytes: not decompressed`),
  'ANALYSIS_ERROR/decoder-failed': rule<{ what: string; why: string }>('suspicious', (a) => `${a.what}: the decompressor failed (${a.why}); the rest was not verified`),

  // ---- formats
  'UNSUPPORTED_FORMAT/unsupported-format': rule<{ format: string }>('suspicious', (a) => `${a.format} data: picklegate cannot open this format, so its content is not verified`),
  'NOT_A_PICKLE/named-like-pickle': rule<{ label: string }>('suspicious', (a) => `named like a pickle but is ${a.label}, not a pickle: a loader may still try to unpickle it`),
  'NOT_A_PICKLE/not-a-pickle': rule<{ label: string }>('info', (a) => `${a.label}, not a pickle`),
  'CONTAINER_ANOMALY/pickle-zip-polyglot': anomaly(() => 'pickle/zip polyglot: a zip archive is appended to the pickle; both were scanned'),
  'CONTAINER_ANOMALY/legacy-torch-pickles': anomaly<{ complete: number }>((a) => `legacy PyTorch file holds ${a.complete} complete pickles, expected 5`),
  'CONTAINER_ANOMALY/legacy-torch-tail': anomaly<{ bytes: number; matched: boolean | null; keys: number | null }>(
    (a) => `the ${a.bytes} bytes after the five pickles ${a.matched === null ? 'could not be matched against' : 'does not match'} the storage layout for ${a.keys ?? '?'} storages`,
  ),
  'CONTAINER_ANOMALY/npy-header': anomaly<{ why: string }>((a) => `invalid .npy header: ${a.why}`),
  'CONTAINER_ANOMALY/npy-data-size': anomaly<{ bytes: number; expected: number }>((a) =>
    a.bytes > a.expected ? `${a.bytes - a.expected} bytes after the array data` : `array data is ${a.bytes} bytes, the header needs ${a.expected}`,
  ),

  // ---- zip
  'CONTAINER_ANOMALY/zip-unreadable': anomaly<{ why: string }>((a) => `not a readable zip archive: ${a.why}`),
  'CONTAINER_ANOMALY/zip-prefix': anomaly<{ bytes: number }>((a) => `${a.bytes} bytes before the first local header (another format may be hiding in front of the zip); they were scanned as <prefix>`),
  'CONTAINER_ANOMALY/zip-trailing-bytes': anomaly<{ bytes: number }>((a) => `${a.bytes} bytes after the end-of-central-directory record`),
  'CONTAINER_ANOMALY/zip-multi-disk': anomaly(() => 'multi-disk (spanned) archive'),
  'CONTAINER_ANOMALY/zip64-locator': anomaly<{ at: number; declared: number | null }>((a) =>
    a.declared === null ? 'end record has zip64 markers but no zip64 locator' : `zip64 end record at ${a.at}, locator says ${a.declared}`,
  ),
  'CONTAINER_ANOMALY/zip-shifted': anomaly<{ bytes: number }>((a) => `${a.bytes} bytes before the start of the zip (member offsets are shifted)`),
  'CONTAINER_ANOMALY/zip-directory-overrun': anomaly(() => 'central directory entry runs past the directory'),
  'CONTAINER_ANOMALY/zip-entry-count': anomaly<{ entries: number; bytes: number; declared: number; declaredBytes: number }>(
    (a) => `central directory holds ${a.entries} entries in ${a.bytes} bytes, end record declares ${a.declared} in ${a.declaredBytes}`,
  ),
  'CONTAINER_ANOMALY/zip-duplicate-name': anomaly<{ name: string; first: number; second: number }>((a) => `duplicate member name ${JSON.stringify(a.name)} (entries ${a.first} and ${a.second})`),
  'CONTAINER_ANOMALY/zip-encryption-flag': anomaly(() => 'member has the encryption flag (bit 0); loaders that ignore it read it as plain data, so it was scanned as such'),
  'CONTAINER_ANOMALY/zip-patched-flag': anomaly(() => 'member has the compressed-patched-data flag (bit 5)'),
  'CONTAINER_ANOMALY/zip-strong-encryption-flag': anomaly(() => 'member has the strong-encryption flag (bit 6)'),
  'CONTAINER_ANOMALY/zip-method': anomaly<{ method: number }>((a) => `unsupported compression method ${a.method}: content cannot be verified`),
  'CONTAINER_ANOMALY/zip-no-local-header': anomaly(() => 'no local header at the offset the central directory gives'),
  'CONTAINER_ANOMALY/zip-local-header': anomaly<{ field: 'name' | 'flags' | 'method' | 'CRC-32' | 'sizes'; local: string; central: string }>((a) => {
    switch (a.field) {
      case 'name': return `local header name ${a.local} differs from central directory name`;
      case 'CRC-32': return 'local header CRC-32 differs from central directory';
      case 'sizes': return `local header sizes ${a.local} differ from central directory ${a.central}`;
      default: return `local header ${a.field} ${a.local} ${a.field === 'flags' ? 'differ' : 'differs'} from central directory ${a.field} ${a.central}`;
    }
  }),
  'CONTAINER_ANOMALY/zip-member-overrun': anomaly(() => 'member data runs into the central directory or past the end of the file'),
  'CONTAINER_ANOMALY/zip-member-overlap': anomaly<{ other: string }>((a) => `member overlaps ${JSON.stringify(a.other)}`),
  'CONTAINER_ANOMALY/zip-data-descriptor': anomaly<{ what: 'sizes' | 'CRC-32' }>((a) => `data descriptor ${a.what} ${a.what === 'sizes' ? 'differ' : 'differs'} from central directory`),
  'CONTAINER_ANOMALY/zip-stored-size': anomaly<{ compressed: number; size: number }>((a) => `stored member has compressed size ${a.compressed} but size ${a.size}`),
  'CONTAINER_ANOMALY/zip-inflated-size': anomaly<{ bytes: number; declared: number }>((a) => `member inflates to ${a.bytes} bytes, central directory says ${a.declared}`),
  'CONTAINER_ANOMALY/zip-crc': anomaly<{ crc: string; declared: string }>((a) => `CRC-32 mismatch: content has ${a.crc}, central directory says ${a.declared}`),

  // ---- tar
  'CONTAINER_ANOMALY/tar-trailing-data': anomaly(() => 'data after the end-of-archive blocks'),
  'CONTAINER_ANOMALY/tar-checksum': anomaly(() => 'tar header checksum mismatch: the rest of the archive was not read'),
  'CONTAINER_ANOMALY/tar-size-field': anomaly(() => 'tar header with an invalid size field'),
  'CONTAINER_ANOMALY/tar-truncated-member': anomaly<{ name: string }>((a) => `member ${JSON.stringify(a.name)} is truncated`),
  'CONTAINER_ANOMALY/tar-sparse-member': anomaly(() => 'GNU sparse member: its content cannot be verified'),
  'CONTAINER_ANOMALY/tar-truncated-header': anomaly(() => 'archive ends inside a header block'),
  'CONTAINER_ANOMALY/tar-no-end-blocks': rule('info', () => 'archive has no end-of-archive blocks'),
};
