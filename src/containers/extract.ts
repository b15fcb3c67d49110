/**
 * The pickle streams of a file, as bytes, for `picklegate disasm`: the file itself, a .npy object
 * array's payload, a compressed pickle, or the pickle members of a zip (one level deep).
 */
import { gunzip, bunzip2, unxz, unlzma, inflateZlib, inflateJoblibZ, inflateRaw, type DecompressCaps } from './compressed';
import { SNIFF_BYTES, detectFormat } from './detect';
import { isPickleNamed } from './formats';
import { parseNpyHeader } from './npy';
import { readAll, type Source } from './source';
import { METHOD_DEFLATED, METHOD_STORED, checkLocalHeaders, readZipDirectory } from './zip';
import { DEFAULT_CONTAINER_LIMITS } from './limits';

export interface PickleStream {
  /** Where it is: the file name, then the member. */
  path: string[];
  bytes: Uint8Array;
  /** Offset of `bytes` within its member (for .npy payloads, the header length). */
  base: number;
}

const CAPS: DecompressCaps = { maxOutput: DEFAULT_CONTAINER_LIMITS.maxInflatedBytes, maxRatio: DEFAULT_CONTAINER_LIMITS.maxRatio };

export async function extractPickles(src: Source, name: string, depth = 0): Promise<PickleStream[]> {
  const head = await src.read(0, SNIFF_BYTES);
  const format = detectFormat(head, src.size, name, false);
  if (format === 'pickle' || format === 'torch-legacy' || (isPickleNamed(name) && (format === 'data' || format === 'text'))) {
    return [{ path: [name], bytes: await readAll(src), base: 0 }];
  }
  if (format === 'npy') {
    const all = await readAll(src);
    const h = parseNpyHeader(all);
    return 'error' in h || !h.hasObject ? [] : [{ path: [name], bytes: all.subarray(h.dataOffset), base: h.dataOffset }];
  }
  if (depth > 2) return [];
  const nested = async (bytes: Uint8Array, inner: string) => {
    const { BufferSource } = await import('./source');
    return (await extractPickles(new BufferSource(bytes), inner, depth + 1)).map((p) => ({ ...p, path: [name, ...p.path] }));
  };
  const input = () => readAll(src);
  switch (format) {
    case 'gzip':
      return nested(gunzip(await input(), CAPS), '<gzip>');
    case 'bzip2':
      return nested(bunzip2(await input(), CAPS), '<bzip2>');
    case 'xz':
      return nested(await unxz(await input(), CAPS), '<xz>');
    case 'lzma':
      return nested(unlzma(await input(), CAPS), '<lzma>');
    case 'zlib':
      return nested(inflateZlib(await input(), CAPS), '<zlib>');
    case 'joblib-zlib':
      return nested(inflateJoblibZ(await input(), CAPS), '<zlib>');
    case 'zip': {
      const dir = await readZipDirectory(src, DEFAULT_CONTAINER_LIMITS.maxMembers);
      if ('error' in dir) return [];
      await checkLocalHeaders(src, dir);
      const out: PickleStream[] = [];
      for (const e of dir.entries) {
        if (e.unreadable || e.dataStart === null) continue;
        const raw = await src.read(e.dataStart, e.compressedSize);
        const content = e.method === METHOD_STORED ? raw : e.method === METHOD_DEFLATED ? inflateRaw(raw, CAPS) : null;
        if (content) out.push(...(await nested(content, e.name)));
      }
      return out;
    }
    default:
      return [];
  }
}
