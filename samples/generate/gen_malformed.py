"""Malformed and hostile samples: broken streams and resource-hostile inputs."""
import pickle
import struct

from builder import P, SHELL_CMD
from common import add


def bad(file, data, technique, description, intended=(), category='malformed', payload=False):
    expect = None
    if payload:
        expect = {'default': 'dangerous', 'mxnet-optimizer': 'dangerous', 'mxnet-states': 'dangerous'}
    add('%s/%s' % ('malformed', file), data, category, technique, description, expect=expect, intended=intended)


def generate():
    v2 = pickle.dumps({'a': [1, 2.5, 'text', b'raw'], 'b': (None, True)}, 2)
    v4 = pickle.dumps({'a': [1, 2.5, 'text', b'raw' * 3], 'b': (None, True)}, 4)
    v0 = pickle.dumps({'a': [1, 2.5, 'text'], 'b': (None, True)}, 0)
    v3 = pickle.dumps([b'\x00' * 40], 3)
    v5 = pickle.dumps([bytearray(b'\x01' * 40)], 5)
    bad('empty.pkl', b'', 'empty', 'Empty file.')
    bad('truncated_p2_after_proto.pkl', v2[:2], 'truncated', 'Protocol-2 pickle cut right after PROTO.')
    i = v2.index(b'text')
    bad('truncated_p2_in_binunicode.pkl', v2[:i + 2], 'truncated', 'Protocol-2 pickle cut inside a BINUNICODE argument.')
    bad('truncated_p2_before_stop.pkl', v2[:-1], 'truncated', 'Protocol-2 pickle missing only its STOP.')
    bad('truncated_p4_in_frame_header.pkl', v4[:6], 'truncated', 'Protocol-4 pickle cut inside the FRAME length.')
    bad('truncated_p4_mid_frame.pkl', v4[:len(v4) // 2], 'truncated', 'Protocol-4 pickle cut in the middle of its frame.')
    bad('truncated_p0_mid_line.pkl', v0[:v0.index(b'text') + 2], 'truncated', 'Protocol-0 pickle cut inside a text line.')
    bad('truncated_p3_in_binbytes.pkl', v3[:v3.index(b'\x00' * 10) + 5], 'truncated', 'Protocol-3 pickle cut inside SHORT_BINBYTES data.')
    bad('truncated_p5_in_bytearray8.pkl', v5[:v5.index(b'\x96') + 5], 'truncated', 'Protocol-5 pickle cut inside the BYTEARRAY8 length.')
    g = P().proto(2).raw(b'cos\nsys').bytes()
    bad('truncated_p2_in_global.pkl', g, 'truncated', 'GLOBAL line cut before its second newline.')
    bad('binbytes_len_2g.pkl', P().proto(3).raw(b'B' + struct.pack('<I', 2**31 - 1) + b'abc').bytes(),
        'huge-length', 'BINBYTES declaring 2^31-1 bytes with 3 present.')
    bad('binunicode_len_4g.pkl', P().proto(2).raw(b'X' + struct.pack('<I', 2**32 - 1) + b'abc').bytes(),
        'huge-length', 'BINUNICODE declaring 2^32-1 bytes.')
    bad('binunicode8_len_2p62.pkl', P().proto(4).raw(b'\x8d' + struct.pack('<Q', 2**62) + b'abc').bytes(),
        'huge-length', 'BINUNICODE8 declaring 2^62 bytes.')
    bad('bytes8_len_2p62.pkl', P().proto(4).raw(b'\x8e' + struct.pack('<Q', 2**62) + b'abc').bytes(),
        'huge-length', 'BYTES8 declaring 2^62 bytes.')
    bad('binstring_negative_len.pkl', P().proto(1).raw(b'T' + struct.pack('<i', -1) + b'abc.').bytes(),
        'negative-length', 'BINSTRING length field 0xffffffff: -1 as pickletools reads it (negative count), '
        '4 GiB unsigned as the C unpickler reads it (truncated).')
    bad('long4_negative_len.pkl', P().proto(2).raw(b'\x8b' + struct.pack('<i', -5) + b'.').bytes(),
        'negative-length', 'LONG4 with a negative byte count.')
    bad('invalid_opcode_ff.pkl', b'\x80\x02\xff.', 'invalid-opcode', 'Opcode byte 0xff.')
    bad('invalid_opcode_after_value.pkl', b'\x80\x02K\x01Z.', 'invalid-opcode', 'An int, then the undefined opcode Z.')
    bad('unsupported_proto_9.pkl', b'\x80\x09N.', 'bad-proto', 'PROTO 9 (unsupported protocol).')
    bad('stop_empty_stack.pkl', b'.', 'stop-empty-stack', 'STOP with an empty stack.')
    bad('tuple_without_mark.pkl', b'\x80\x02K\x01K\x02t.', 'missing-mark', 'TUPLE with no MARK on the metastack.')
    bad('dict_without_mark.pkl', b'K\x01K\x02d.', 'missing-mark', 'DICT with no MARK.')
    bad('get_missing_memo.pkl', b'\x80\x02h\x05.', 'memo-missing', 'BINGET of memo index 5 that was never stored.')
    bad('invalid_utf8_binunicode.pkl', b'\x80\x02X\x02\x00\x00\x00\xff\xfe.', 'invalid-utf8', 'BINUNICODE with invalid UTF-8 bytes.')
    bad('append_to_non_list.pkl', b'\x80\x02K\x01K\x02a.', 'type-error', 'APPEND onto an int.')
    bad('reduce_non_callable.pkl', b'\x80\x02K\x01)R.', 'type-error', 'REDUCE on an int.')
    bad('stack_global_non_str.pkl', b'\x80\x04K\x01K\x02\x93.', 'type-error', 'STACK_GLOBAL with int operands.')
    bad('pop_empty_stack.pkl', b'\x80\x020N.', 'stack-underflow', 'POP on an empty stack.')
    # -- hostile: resource bombs ---------------------------------------------------------------
    h = 'hostile'
    b = P().proto(2).empty_list().long_binput(0)
    for i in range(1, 421):
        b.empty_list().mark().long_binget(i - 1).long_binget(i - 1).appends().long_binput(i).pop()
    b.long_binget(420).stop()
    bad('memo_expansion_bomb.pkl', b.bytes(), 'memo-bomb',
        'List doubled 420 times through the memo: 2^420 leaves if expanded, 5 KB on disk.', category=h)
    bad('million_marks.pkl', b'\x80\x02' + b'(' * 1000000 + b'N.', 'mark-bomb', '1,000,000 MARKs, never closed.', category=h)
    bad('deep_nesting_100k.pkl', b'\x80\x02N' + b'\x85' * 100000 + b'.', 'deep-nesting',
        '100,000 nested 1-tuples (TUPLE1 repeated).', category=h)
    bad('deep_nesting_lists_100k.pkl', b'\x80\x02' + b']' * 100000 + b'a' * 99999 + b'.', 'deep-nesting',
        '100,000 nested lists (EMPTY_LIST repeated, then APPEND repeated).', category=h)
    bad('memo_put_1e8.pkl', P().proto(2).none().long_binput(10**8).stop().bytes(), 'memo-index-huge',
        'LONG_BINPUT to memo index 10^8 (CPython allocates a 2*10^8-slot memo table, ~1.5 GB).', category=h)
    bad('int_million_digits_p0.pkl', b'I' + b'7' * 1000000 + b'\n.', 'int-digits',
        'Protocol-0 INT with 1,000,000 digits.', category=h)
    bad('long_line_5mb_p0.pkl', b'V' + b'a' * (5 * 1024 * 1024) + b'\n.', 'long-line',
        'A single 5 MiB protocol-0 UNICODE line.', category=h)
    bad('frame_len_2p62.pkl', b'\x80\x04\x95' + struct.pack('<Q', 2**62) + b'N.', 'frame-huge',
        'FRAME declaring 2^62 bytes.', category=h)
    bad('nul_bytes_p0.pkl', b'(lp0\nVsafe\x00string\np1\naI1\x002\na.', 'nul-bytes',
        'Protocol-0 stream with NUL bytes in a UNICODE line and in an INT line (the C unpickler reads "1\\x002" as 1, '
        'pickletools rejects it; MXNet\'s C layer would cut the body at the first NUL).', category=h)
    b = P().proto(4).raw(b'\x95' + struct.pack('<Q', 2**62)).sg('os', 'system').u(SHELL_CMD).tuple1().reduce().stop()
    bad('frame_len_2p62_with_payload.pkl', b.bytes(), 'frame-huge-payload',
        'FRAME declaring 2^62 bytes followed by an os.system call (pickle.loads refuses; a scanner must still report the call).',
        category=h, payload=True)
