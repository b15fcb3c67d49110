"""Tiny op-by-op pickle writer used by the sample generators (stdlib only).

Every method appends exactly one opcode (with its argument) and returns the
builder, so streams read like a disassembly:

    P().proto(4).sg('os', 'system').u('echo').tuple1().reduce().stop().bytes()

Nothing here checks stack discipline on purpose: the malicious and malformed
samples need streams that CPython accepts but a careless scanner misreads, or
streams that no unpickler accepts at all.
"""
import struct


def _u8(n):
    return struct.pack('<B', n)


class P:
    def __init__(self):
        self.parts = []

    # -- raw access -------------------------------------------------------
    def raw(self, data):
        self.parts.append(bytes(data))
        return self

    def bytes(self):
        return b''.join(self.parts)

    def __len__(self):
        return sum(len(p) for p in self.parts)

    def op(self, code, arg=b''):
        self.parts.append(code + arg)
        return self

    # -- framing / protocol -------------------------------------------------
    def proto(self, n):
        return self.op(b'\x80', _u8(n))

    def frame(self, n):
        return self.op(b'\x95', struct.pack('<Q', n))

    def stop(self):
        return self.op(b'.')

    # -- text (protocol 0) argument opcodes ---------------------------------
    def global_(self, module, name):
        return self.op(b'c', module.encode('utf-8') + b'\n' + name.encode('utf-8') + b'\n')

    def inst(self, module, name):
        return self.op(b'i', module.encode('utf-8') + b'\n' + name.encode('utf-8') + b'\n')

    def int_(self, n):
        if n is True:
            return self.op(b'I', b'01\n')
        if n is False:
            return self.op(b'I', b'00\n')
        return self.op(b'I', str(n).encode('ascii') + b'\n')

    def long_(self, n):
        return self.op(b'L', str(n).encode('ascii') + b'L\n')

    def float_(self, x):
        return self.op(b'F', repr(x).encode('ascii') + b'\n')

    def string(self, s):
        """STRING: protocol-0 quoted, repr-escaped (what Python 2 writes)."""
        if isinstance(s, str):
            s = s.encode('latin-1')
        body = repr(s)[1:]  # drop the b prefix: "'...'" with escapes
        return self.op(b'S', body.encode('ascii') + b'\n')

    def unicode(self, s):
        """UNICODE: raw-unicode-escape line (protocol 0 'V')."""
        data = (s.replace('\\', '\\u005c').replace('\0', '\\u0000')
                 .replace('\n', '\\u000a').replace('\r', '\\u000d')
                 .replace('\x1a', '\\u001a')).encode('raw-unicode-escape')
        return self.op(b'V', data + b'\n')

    def persid(self, s):
        return self.op(b'P', s.encode('ascii') + b'\n')

    def put(self, i):
        return self.op(b'p', str(i).encode('ascii') + b'\n')

    def get(self, i):
        return self.op(b'g', str(i).encode('ascii') + b'\n')

    # -- binary argument opcodes --------------------------------------------
    def binint(self, n):
        return self.op(b'J', struct.pack('<i', n))

    def binint1(self, n):
        return self.op(b'K', _u8(n))

    def binint2(self, n):
        return self.op(b'M', struct.pack('<H', n))

    def long1(self, n):
        data = _encode_long(n)
        return self.op(b'\x8a', _u8(len(data)) + data)

    def long4(self, n):
        data = _encode_long(n)
        return self.op(b'\x8b', struct.pack('<i', len(data)) + data)

    def binfloat(self, x):
        return self.op(b'G', struct.pack('>d', x))

    def int(self, n):
        """Smallest binary integer opcode for n (protocol >= 1; LONG1 at >= 2)."""
        if 0 <= n < 256:
            return self.binint1(n)
        if 0 <= n < 65536:
            return self.binint2(n)
        if -2**31 <= n < 2**31:
            return self.binint(n)
        return self.long1(n)

    def binstring(self, b):
        return self.op(b'T', struct.pack('<i', len(b)) + b)

    def short_binstring(self, b):
        return self.op(b'U', _u8(len(b)) + b)

    def binunicode(self, s):
        data = s.encode('utf-8', 'surrogatepass')
        return self.op(b'X', struct.pack('<I', len(data)) + data)

    def short_binunicode(self, s):
        data = s.encode('utf-8', 'surrogatepass')
        return self.op(b'\x8c', _u8(len(data)) + data)

    def binunicode8(self, s):
        data = s.encode('utf-8', 'surrogatepass')
        return self.op(b'\x8d', struct.pack('<Q', len(data)) + data)

    def u(self, s):
        """Shortest binary unicode opcode (SHORT_BINUNICODE needs protocol 4)."""
        if len(s.encode('utf-8', 'surrogatepass')) < 256:
            return self.short_binunicode(s)
        return self.binunicode(s)

    def binbytes(self, b):
        return self.op(b'B', struct.pack('<I', len(b)) + b)

    def short_binbytes(self, b):
        return self.op(b'C', _u8(len(b)) + b)

    def bytes8(self, b):
        return self.op(b'\x8e', struct.pack('<Q', len(b)) + b)

    def bytearray8(self, b):
        return self.op(b'\x96', struct.pack('<Q', len(b)) + b)

    def b(self, data):
        if len(data) < 256:
            return self.short_binbytes(data)
        return self.binbytes(data)

    def binput(self, i):
        return self.op(b'q', _u8(i))

    def long_binput(self, i):
        return self.op(b'r', struct.pack('<I', i))

    def binget(self, i):
        return self.op(b'h', _u8(i))

    def long_binget(self, i):
        return self.op(b'j', struct.pack('<I', i))

    def memoize(self):
        return self.op(b'\x94')

    def ext1(self, c):
        return self.op(b'\x82', _u8(c))

    def ext2(self, c):
        return self.op(b'\x83', struct.pack('<H', c))

    def ext4(self, c):
        return self.op(b'\x84', struct.pack('<i', c))

    # -- no-argument opcodes ------------------------------------------------
    def none(self): return self.op(b'N')
    def true(self): return self.op(b'\x88')
    def false(self): return self.op(b'\x89')
    def mark(self): return self.op(b'(')
    def pop(self): return self.op(b'0')
    def pop_mark(self): return self.op(b'1')
    def dup(self): return self.op(b'2')
    def empty_tuple(self): return self.op(b')')
    def tuple(self): return self.op(b't')
    def tuple1(self): return self.op(b'\x85')
    def tuple2(self): return self.op(b'\x86')
    def tuple3(self): return self.op(b'\x87')
    def empty_list(self): return self.op(b']')
    def list(self): return self.op(b'l')
    def append(self): return self.op(b'a')
    def appends(self): return self.op(b'e')
    def empty_dict(self): return self.op(b'}')
    def dict(self): return self.op(b'd')
    def setitem(self): return self.op(b's')
    def setitems(self): return self.op(b'u')
    def empty_set(self): return self.op(b'\x8f')
    def additems(self): return self.op(b'\x90')
    def frozenset(self): return self.op(b'\x91')
    def reduce(self): return self.op(b'R')
    def build(self): return self.op(b'b')
    def obj(self): return self.op(b'o')
    def newobj(self): return self.op(b'\x81')
    def newobj_ex(self): return self.op(b'\x92')
    def stack_global(self): return self.op(b'\x93')
    def binpersid(self): return self.op(b'Q')
    def next_buffer(self): return self.op(b'\x97')
    def readonly_buffer(self): return self.op(b'\x98')

    # -- helpers --------------------------------------------------------------
    def sg(self, module, name):
        """STACK_GLOBAL with SHORT_BINUNICODE operands."""
        return self.u(module).u(name).stack_global()

    def strs(self, items):
        """MARK, each item as a binary unicode string, LIST (protocol >= 1)."""
        self.mark()
        for s in items:
            self.u(s) if len(s) < 256 else self.binunicode(s)
        return self.list()


def _encode_long(n):
    """Two's-complement little-endian, as pickle.encode_long."""
    if n == 0:
        return b''
    nbytes = (n.bit_length() >> 3) + 1
    result = n.to_bytes(nbytes, byteorder='little', signed=True)
    if n < 0 and nbytes > 1:
        if result[-1] == 0xff and (result[-2] & 0x80) != 0:
            result = result[:-1]
    return result


def framed(body, proto=4):
    """PROTO + one FRAME covering body (body must end with STOP)."""
    return b'\x80' + bytes([proto]) + b'\x95' + struct.pack('<Q', len(body)) + body


# Canary payloads: if a malicious sample is ever loaded, it only creates this file.
CANARY_DEFAULT = '/tmp/picklegate-canary'
SHELL_CMD = 'touch "${PICKLEGATE_CANARY:-/tmp/picklegate-canary}"'
PY_EXPR = ("open(__import__('os').environ.get('PICKLEGATE_CANARY','/tmp/picklegate-canary'),'w').close()")
PY_STMT = PY_EXPR
