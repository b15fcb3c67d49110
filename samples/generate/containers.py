#!/usr/bin/env python3
"""Generate samples/containers/: container formats around benign and malicious pickles.

Stdlib only for the constructed samples (zip written by hand so every header field can be bent).
When torch, numpy or joblib are importable (Debian: python3-torch, python3-numpy, python3-joblib for
/usr/bin/python3) real files made by those libraries are added too.

Run by hand:  /usr/bin/python3 samples/generate/containers.py
Writes samples/containers/*.{pt,pkl,...} and samples/containers/manifest.json.
Nothing here is ever unpickled.
"""
import bz2
import gzip
import io
import json
import lzma
import os
import pickle
import struct
import sys
import tarfile
import types
import zlib
from collections import OrderedDict

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'containers')
MANIFEST = []

# --- payloads, written op by op --------------------------------------------------------------

# os.system('echo pwned') at protocol 2: PROTO 2, GLOBAL, BINUNICODE, TUPLE1, REDUCE, STOP
PAYLOAD = b'\x80\x02cposix\nsystem\nX\n\x00\x00\x00echo pwned\x85R.'
# protocol 0 variant: GLOBAL, MARK, STRING, TUPLE, REDUCE, STOP
PAYLOAD_P0 = b"cos\nsystem\n(S'echo pwned'\ntR."
BENIGN = pickle.dumps({'lr': 0.1, 'epochs': [1, 2, 3], 'name': 'model'}, protocol=2)


def add(name, verdict, note, **extra):
    MANIFEST.append(dict(file=name, verdict=verdict, note=note, **extra))


def write(name, data, verdict, note, **extra):
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)
    add(name, verdict, note, **extra)


# --- a torch-shaped state_dict pickle without torch ------------------------------------------

def fake_torch_pickle(tensors=(('weight', '0', 0, (3,)),), storage_elems=3):
    """data.pkl as torch.save writes it: OrderedDict of tensors rebuilt from persistent storages.
    tensors: (name, storage key, storage offset, shape), contiguous float32."""
    torch = types.ModuleType('torch')
    utils = types.ModuleType('torch._utils')

    class FloatStorage:
        pass

    FloatStorage.__module__ = 'torch'
    FloatStorage.__qualname__ = 'FloatStorage'
    torch.FloatStorage = FloatStorage

    def _rebuild_tensor_v2(*a):
        pass

    _rebuild_tensor_v2.__module__ = 'torch._utils'
    _rebuild_tensor_v2.__qualname__ = '_rebuild_tensor_v2'
    utils._rebuild_tensor_v2 = _rebuild_tensor_v2
    torch._utils = utils
    saved = {k: sys.modules.get(k) for k in ('torch', 'torch._utils')}
    sys.modules['torch'] = torch
    sys.modules['torch._utils'] = utils

    class Storage:
        def __init__(self, key):
            self.key = key

    class Tensor:
        def __init__(self, storage, offset, shape):
            stride = tuple(int(__import__('math').prod(shape[i + 1:])) for i in range(len(shape)))
            self.args = (storage, offset, shape, stride, False, OrderedDict())

        def __reduce_ex__(self, proto):
            return (_rebuild_tensor_v2, self.args)

    class P(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, Storage):
                return ('storage', FloatStorage, obj.key, 'cpu', storage_elems)
            return None

    storages = {}
    sd = OrderedDict()
    for name, key, offset, shape in tensors:
        sd[name] = Tensor(storages.setdefault(key, Storage(key)), offset, shape)
    buf = io.BytesIO()
    P(buf, protocol=2).dump(sd)
    for k, v in saved.items():
        if v is None:
            del sys.modules[k]
        else:
            sys.modules[k] = v
    return buf.getvalue()


TORCH_PKL = fake_torch_pickle()
STORAGE0 = struct.pack('<3f', 1.0, 2.0, 3.0)


# --- a zip writer with every field under control ---------------------------------------------

def zip_bytes(members, prefix=b'', zip64=False, cd_shift=0):
    """members: dicts with name, data, and optional method (0/8), flags, crc (override),
    local_name, local_size (override uncompressed size in the local header), descriptor (bool),
    at (force local header offset, for overlaps), method_header (declared method)."""
    out = bytearray(prefix)
    central = []
    for m in members:
        name = m['name'].encode()
        data = m['data']
        method = m.get('method', 0)
        comp = zlib.compress(data, 9)[2:-4] if method == 8 else data
        crc = m.get('crc', zlib.crc32(data) & 0xffffffff)
        flags = m.get('flags', 0) | (0x8 if m.get('descriptor') else 0)
        declared_method = m.get('method_header', method)
        offset = m['at'] if 'at' in m else len(out) - len(prefix)
        lname = m.get('local_name', m['name']).encode()
        lsize = m.get('local_size', len(data))
        extra = b''
        if zip64:
            extra = struct.pack('<HHQQ', 1, 16, lsize, len(comp))
            lhdr = struct.pack('<IHHHHHIIIHH', 0x04034b50, 45, flags, declared_method, 0, 0x21,
                               0 if m.get('descriptor') else crc, 0xffffffff, 0xffffffff, len(lname), len(extra))
        else:
            d = bool(m.get('descriptor'))
            lhdr = struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, flags, declared_method, 0, 0x21,
                               0 if d else crc, 0 if d else len(comp), 0 if d else lsize, len(lname), 0)
        if 'at' not in m:
            out += lhdr + lname + extra + comp
            if m.get('descriptor'):
                out += struct.pack('<IIQQ', 0x08074b50, crc, len(comp), len(data)) if zip64 else \
                    struct.pack('<IIII', 0x08074b50, crc, len(comp), len(data))
        central.append((name, flags, declared_method, crc, len(comp), len(data), offset))
    cd_start = len(out) - len(prefix)
    cd = bytearray()
    for name, flags, method, crc, csize, usize, offset in central:
        if zip64:
            extra = struct.pack('<HHQQQ', 1, 24, usize, csize, offset)
            cd += struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 45, 45, flags, method, 0, 0x21, crc,
                              0xffffffff, 0xffffffff, len(name), len(extra), 0, 0, 0, 0, 0xffffffff) + name + extra
        else:
            cd += struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 20, 20, flags, method, 0, 0x21, crc,
                              csize, usize, len(name), 0, 0, 0, 0, 0, offset) + name
    out += cd
    cd_offset = cd_start + cd_shift
    if zip64:
        eocd64_at = len(out) - len(prefix)
        out += struct.pack('<IQHHIIQQQQ', 0x06064b50, 44, 45, 45, 0, 0, len(central), len(central), len(cd), cd_offset)
        out += struct.pack('<IIQI', 0x07064b50, 0, eocd64_at, 1)
        out += struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 0xffff, 0xffff, 0xffffffff, 0xffffffff, 0)
    else:
        out += struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, len(central), len(central), len(cd), cd_offset, 0)
    return bytes(out)


def torch_members(data_pkl=TORCH_PKL, **over):
    m = [
        dict(name='archive/data.pkl', data=data_pkl, **over),
        dict(name='archive/byteorder', data=b'little'),
        dict(name='archive/data/0', data=STORAGE0),
        dict(name='archive/version', data=b'3\n'),
        dict(name='archive/.data/serialization_id', data=b'1234567890123456789012345678901234567890'),
    ]
    return m


def zips():
    write('torch_benign.pt', zip_bytes(torch_members()), 'safe', 'PyTorch-style zip, stored members')
    write('torch_payload_data_pkl.pt', zip_bytes(torch_members(PAYLOAD)), 'dangerous', 'payload in archive/data.pkl')
    write('torch_payload_data_1.pt', zip_bytes(torch_members() + [dict(name='archive/data/1', data=PAYLOAD)]),
          'dangerous', 'payload in an extra member named like a storage')
    write('torch_payload_notes_txt.pt', zip_bytes(torch_members() + [dict(name='notes.txt', data=PAYLOAD_P0)]),
          'dangerous', 'protocol-0 payload in notes.txt (found by content)')
    write('torch_crc_mismatch.pt', zip_bytes(torch_members(crc=0x12345678)), 'suspicious', 'CRC-32 of data.pkl is wrong')
    write('torch_crc_mismatch_payload.pt', zip_bytes(torch_members(PAYLOAD, crc=0)), 'dangerous',
          'payload with a wrong CRC-32 (CVE-2025-10156)')
    write('torch_encrypted_flag_payload.pt', zip_bytes(torch_members(PAYLOAD, flags=0x1)), 'dangerous',
          'encryption flag on a plaintext payload (CVE-2025-1944/1945): still scanned')
    write('torch_flag_0x20.pt', zip_bytes(torch_members(flags=0x20)), 'suspicious', 'compressed-patched-data flag')
    write('torch_flag_0x40.pt', zip_bytes(torch_members(flags=0x40)), 'suspicious', 'strong-encryption flag')
    write('torch_name_mismatch_payload.pt', zip_bytes(torch_members(PAYLOAD, local_name='archive/xxxx.pkl')), 'dangerous',
          'local header name differs from the central directory (CVE-2025-1889)')
    write('torch_size_mismatch.pt', zip_bytes(torch_members(local_size=1)), 'suspicious', 'local header size differs')
    write('torch_deflated.pt', zip_bytes(torch_members(method=8)), 'safe', 'data.pkl deflated')
    write('torch_deflated_payload.pt', zip_bytes(torch_members(PAYLOAD, method=8)), 'dangerous', 'deflated payload')
    write('torch_data_descriptor.pt', zip_bytes(torch_members(method=8, descriptor=True)), 'safe',
          'data descriptors (flag bit 3)')
    write('torch_data_descriptor_payload.pt', zip_bytes(torch_members(PAYLOAD, method=8, descriptor=True)), 'dangerous',
          'payload with a data descriptor')
    write('torch_zip64.pt', zip_bytes(torch_members(), zip64=True), 'safe', 'zip64 records forced')
    write('torch_zip64_payload.pt', zip_bytes(torch_members(PAYLOAD, descriptor=True), zip64=True), 'dangerous',
          'zip64 + data descriptor, payload')
    write('torch_unsupported_method.pt', zip_bytes(torch_members(method_header=12)), 'suspicious',
          'data.pkl declares compression method 12 (bzip2)')
    dup = torch_members() + [dict(name='archive/data.pkl', data=PAYLOAD)]
    write('torch_duplicate_name.pt', zip_bytes(dup), 'dangerous', 'two members named archive/data.pkl, second is a payload')
    overl = torch_members() + [dict(name='archive/data/9', data=b'', at=0)]
    write('torch_overlap.pt', zip_bytes(overl), 'suspicious', 'a member whose local header overlaps another')
    write('torch_prefix_junk.pt', zip_bytes(torch_members(), prefix=b'JUNK' * 64), 'suspicious',
          'bytes before the zip, offsets not adjusted', )
    write('pickle_zip_polyglot.pt', PAYLOAD + zip_bytes(torch_members()), 'dangerous',
          'payload pickle at offset 0 with a benign torch zip appended')
    write('pickle_zip_polyglot_benign.pt', BENIGN + zip_bytes(torch_members()), 'suspicious',
          'benign pickle + benign zip: the polyglot itself is an anomaly')
    write('named_pickle_not_pickle.pt', zip_bytes([dict(name='archive/data.pkl', data=b'hello, not a pickle\n')]), 'suspicious',
          'member named data.pkl that is not a pickle')


def raw():
    write('model.bin', PAYLOAD, 'dangerous', 'raw pickle named .bin')
    write('benign_model.bin', BENIGN, 'safe', 'raw benign pickle named .bin')
    write('payload_p0.pkl', PAYLOAD_P0, 'dangerous', 'protocol 0 payload')
    write('README.txt', b'This folder holds models.\nNothing to see here.\n', 'safe', 'text file: NOT_A_PICKLE info')
    write('notes.pkl', b'just some notes, not a pickle\n', 'suspicious', 'named .pkl but text')
    write('empty.pt', b'', 'suspicious', 'empty file named like a model')
    write('model.7z', bytes([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4]) + b'\0' * 24, 'suspicious', '7z magic: unsupported')
    write('model.pkl.zst', bytes([0x28, 0xb5, 0x2f, 0xfd]) + b'\0' * 16, 'suspicious', 'zstd magic: unsupported')


def legacy_pickles(main_obj_pickle, keys=('0',), storages=(STORAGE0,)):
    magic = pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2)
    proto = pickle.dumps(1001, protocol=2)
    sys_info = pickle.dumps(dict(protocol_version=1001, little_endian=True,
                                 type_sizes=dict(short=2, int=4, long=4)), protocol=2)
    out = magic + proto + sys_info + main_obj_pickle + pickle.dumps(list(keys), protocol=2)
    for s in storages:
        out += struct.pack('<q', len(s) // 4) + s
    return out


def legacy():
    write('legacy_benign.pt', legacy_pickles(TORCH_PKL), 'safe', 'legacy torch.save: 5 pickles + storages')
    write('legacy_payload.pt', legacy_pickles(PAYLOAD), 'dangerous', 'legacy format, payload as the 4th pickle')
    write('legacy_tail_payload.pt', legacy_pickles(TORCH_PKL) + PAYLOAD, 'dangerous',
          'legacy format, extra pickle hidden after the storages')


def npy_header(descr, shape, version=1):
    d = "{'descr': %r, 'fortran_order': False, 'shape': %r, }" % (descr, shape)
    hlen = len(d) + 1
    pre = 10 if version == 1 else 12
    pad = (64 - (pre + hlen) % 64) % 64
    h = (d + ' ' * pad + '\n').encode('latin1')
    if version == 1:
        return b'\x93NUMPY\x01\x00' + struct.pack('<H', len(h)) + h
    return b'\x93NUMPY' + bytes([version, 0]) + struct.pack('<I', len(h)) + h


def npy():
    write('npy_plain.npy', npy_header('<f4', (3,)) + STORAGE0, 'safe', 'float32 array, no pickle')
    write('npy_object_payload.npy', npy_header('|O', (1,)) + PAYLOAD, 'dangerous', 'object array whose pickle is a payload')
    write('npy_v2_object_payload.npy', npy_header('|O', (1,), version=2) + PAYLOAD, 'dangerous', '.npy v2 header')
    write('npy_plain_trailing.npy', npy_header('<f4', (3,)) + STORAGE0 + PAYLOAD, 'suspicious', 'bytes after the array data')
    npz = zip_bytes([dict(name='arr_0.npy', data=npy_header('<f4', (3,)) + STORAGE0, method=8),
                     dict(name='arr_1.npy', data=npy_header('|O', (1,)) + PAYLOAD, method=8)])
    write('npz_payload.npz', npz, 'dangerous', 'npz whose second array is an object array with a payload')
    try:
        import numpy as np
    except ImportError:
        return
    buf = io.BytesIO()
    np.save(buf, np.array([1, 'two', 3.0], dtype=object), allow_pickle=True)
    write('npy_object_benign.npy', buf.getvalue(), 'safe', 'real numpy.save object array (numpy %s)' % np.__version__,
          generator='numpy')
    buf = io.BytesIO()
    np.savez_compressed(buf, a=np.arange(4, dtype='<i8'), b=np.ones((2, 2)))
    write('npz_benign.npz', buf.getvalue(), 'safe', 'real numpy.savez_compressed', generator='numpy')


def compressed():
    for name, data in (('payload', PAYLOAD), ('benign', BENIGN)):
        v = 'dangerous' if name == 'payload' else 'safe'
        write(name + '.pkl.gz', gzip.compress(data, mtime=0), v, 'gzip')
        write(name + '.pkl.bz2', bz2.compress(data), v, 'bzip2')
        write(name + '.pkl.xz', lzma.compress(data, format=lzma.FORMAT_XZ), v, 'xz')
        write(name + '.pkl.lzma', lzma.compress(data, format=lzma.FORMAT_ALONE), v, 'lzma alone')
        write(name + '.joblib', zlib.compress(data), v, 'zlib stream (joblib compress=True)')
    z = zlib.compress(PAYLOAD)
    write('payload_old_joblib.pkl.z', b'ZF' + hex(len(PAYLOAD)).encode().ljust(19) + z, 'dangerous', 'joblib < 0.10 ZF format')
    write('bomb.pkl.bz2', bz2.compress(b'\0' * (64 * 1024 * 1024)), 'suspicious', 'bzip2 bomb: ratio cap')
    write('bomb.pkl.gz', gzip.compress(b'\0' * (16 * 1024 * 1024), mtime=0), 'suspicious',
          'gzip of zeros named .pkl: inflates, then not a pickle')
    # declare 5 GiB uncompressed in the central directory (zip64 extra)
    write('zip_declared_bomb.zip', zip64_declared_bomb(), 'suspicious', 'member declares 5 GiB uncompressed')


def zip64_declared_bomb():
    data = zlib.compress(b'\0' * 4096, 9)[2:-4]
    name = b'weights.pkl'
    crc = zlib.crc32(b'\0' * 4096)
    lextra = struct.pack('<HHQQ', 1, 16, 5 * 2 ** 30, len(data))
    lh = struct.pack('<IHHHHHIIIHH', 0x04034b50, 45, 0, 8, 0, 0x21, crc, 0xffffffff, 0xffffffff, len(name), len(lextra)) + name + lextra
    cextra = struct.pack('<HHQQ', 1, 16, 5 * 2 ** 30, len(data))
    cd = struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 45, 45, 0, 8, 0, 0x21, crc, 0xffffffff, 0xffffffff,
                     len(name), len(cextra), 0, 0, 0, 0, 0) + name + cextra
    body = lh + data
    eocd = struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 1, 1, len(cd), len(body), 0)
    return body + cd + eocd


def joblib_shaped():
    """joblib.dump({'coef': np.arange(3)}) shape, op by op: NumpyArrayWrapper, BUILD state, array bytes."""
    p = bytearray(b'\x80\x04')

    def s(x):
        b = x.encode()
        return b'\x8c' + bytes([len(b)]) + b

    p += b'}' + b'(' + s('coef')
    p += s('joblib.numpy_pickle') + s('NumpyArrayWrapper') + b'\x93' + b')' + b'\x81'
    p += b'}' + b'(' + s('subclass') + s('numpy') + s('ndarray') + b'\x93'
    p += s('shape') + b'K\x03\x85' + s('order') + s('C')
    p += s('dtype') + s('numpy') + s('dtype') + b'\x93' + s('i8') + b'\x89\x88\x87R'
    p += b'(K\x03' + s('<') + b'NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00t' + b'b'
    p += s('allow_mmap') + b'\x88' + s('numpy_array_alignment_bytes') + b'K\x10' + b'u' + b'b'
    # joblib writes the array right after the BUILD: padding length byte + 0xff padding to 16 bytes, then data
    pad = (-(len(p) + 1)) % 16
    p += bytes([pad]) + b'\xff' * pad + struct.pack('<3q', 1, 2, 3)
    p += s('model') + s('sklearn.linear_model._base') + s('LinearRegression') + b'\x93)\x81}' + s('fit_intercept') + b'\x88sb'
    p += b'u.'
    write('joblib_shaped.joblib', bytes(p), 'safe', 'joblib layout built op by op: array bytes inside the stream, then an sklearn class')


def tars():
    def tar(members, fmt=tarfile.USTAR_FORMAT):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode='w', format=fmt) as t:
            for name, data in members:
                ti = tarfile.TarInfo(name)
                ti.size = len(data)
                ti.mtime = 0
                t.addfile(ti, io.BytesIO(data))
        return buf.getvalue()

    write('tar_benign.tar', tar([('README.txt', b'hello\n'), ('model/benign.pkl', BENIGN)]), 'safe', 'ustar tar')
    write('tar_payload.tar', tar([('model/benign.pkl', BENIGN), ('model/payload.pkl', PAYLOAD)]), 'dangerous', 'tar with a payload')
    long = 'deep/' * 30 + 'payload.pkl'
    write('tar_pax_payload.tar', tar([(long, PAYLOAD)], tarfile.PAX_FORMAT), 'dangerous', 'pax header with a long name')
    write('tar_gnu_payload.tar', tar([(long, PAYLOAD_P0)], tarfile.GNU_FORMAT), 'dangerous', 'GNU long name')
    inner_zip = zip_bytes([dict(name='inside/payload.pkl', data=PAYLOAD, method=8)])
    nested = gzip.compress(tar([('bundle/inner.zip', inner_zip)]), mtime=0)
    write('nested_zip_in_tar_in_gz.tar.gz', nested, 'dangerous', 'payload in a zip in a tar in a gzip')
    benign_zip = zip_bytes(torch_members())
    write('nested_benign.tar.gz', gzip.compress(tar([('bundle/model.pt', benign_zip)]), mtime=0), 'safe', 'benign nesting')
    # five levels: gz(tar(gz(tar(gz(pickle))))) exceeds the default depth of 4
    deep = PAYLOAD
    for i in range(3):
        deep = gzip.compress(tar([('level%d.pkl.gz' % i, gzip.compress(deep, mtime=0))]), mtime=0)
    write('nested_too_deep.tar.gz', deep, 'suspicious', 'nesting deeper than --max-depth 4')


def real_libraries():
    try:
        import numpy as np
        import joblib
    except ImportError:
        np = None
    if np is not None:
        import joblib
        path = os.path.join(OUT, 'joblib_real.joblib')
        joblib.dump({'coef': np.arange(3, dtype='<i8'), 'name': 'demo'}, path)
        add('joblib_real.joblib', 'safe', 'real joblib.dump %s (joblib.numpy_pickle is allowed by the default policy)' % joblib.__version__,
            generator='joblib')
        path = os.path.join(OUT, 'joblib_real_xz.joblib.xz')
        joblib.dump({'coef': np.arange(3, dtype='<i8')}, path, compress=('xz', 3))
        add('joblib_real_xz.joblib.xz', 'safe', 'real joblib.dump, xz compressed', generator='joblib')
        path = os.path.join(OUT, 'joblib_real_lzma.joblib.lzma')
        joblib.dump({'coef': np.arange(3, dtype='<i8')}, path, compress=('lzma', 3))
        add('joblib_real_lzma.joblib.lzma', 'safe', 'real joblib.dump, lzma-alone compressed', generator='joblib')
        path = os.path.join(OUT, 'joblib_real_zlib.joblib')
        joblib.dump({'coef': np.arange(3, dtype='<i8')}, path + '.tmp', compress=('zlib', 3))
        os.replace(path + '.tmp', path.replace('.joblib', '.z.joblib'))
        add('joblib_real_zlib.z.joblib', 'safe', 'real joblib.dump, zlib compressed', generator='joblib')
    try:
        import torch
    except ImportError:
        return
    sd = OrderedDict([('weight', torch.arange(6, dtype=torch.float32).reshape(2, 3)), ('bias', torch.zeros(2))])
    torch.save(sd, os.path.join(OUT, 'torch_real.pt'))
    add('torch_real.pt', 'safe', 'real torch.save %s state_dict (zip)' % torch.__version__, generator='torch')
    torch.save(sd, os.path.join(OUT, 'torch_real_legacy.pt'), _use_new_zipfile_serialization=False)
    add('torch_real_legacy.pt', 'safe', 'real torch.save legacy format', generator='torch')


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f != 'manifest.json':
            os.remove(os.path.join(OUT, f))
    zips()
    raw()
    legacy()
    npy()
    compressed()
    joblib_shaped()
    tars()
    real_libraries()
    MANIFEST.sort(key=lambda m: m['file'])
    with open(os.path.join(OUT, 'manifest.json'), 'w') as f:
        json.dump({'description': 'Container samples: expected file verdict under the default policy. '
                                  'Generated by samples/generate/containers.py.', 'samples': MANIFEST}, f, indent=1)
        f.write('\n')
    print('%d samples in %s' % (len(MANIFEST), OUT))


if __name__ == '__main__':
    main()
