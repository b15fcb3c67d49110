"""Standard-library values, pickled with pickle.dump at every protocol."""
import array
import collections
import datetime
import decimal
import enum
import fractions
import http
import ipaddress
import os
import pathlib
import re
import time
import uuid

ALL = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5']
SOME = ['p0', 'p2', 'p4', 'p5']


def _objects():
    tz = datetime.timezone(datetime.timedelta(hours=5, minutes=30), 'IST')
    out = [
        ('builtins_mix', lambda: {'int': 1, 'big': 2 ** 100, 'neg': -7, 'float': 1.5, 'nan': float('nan'), 'inf': float('-inf'),
                                  'str': 'héllo ☃', 'bytes': b'\x00\xff', 'none': None, 'bools': (True, False),
                                  'list': [1, [2, [3]]], 'tuple': (1, 2, 3, 4, 5), 'set': {1, 2, 3}, 'frozenset': frozenset('ab')}, ALL),
        ('complex', lambda: [complex(1, -2), 3j, complex(float('inf'), 0)], ALL),
        ('bytearray', lambda: [bytearray(b'abc' * 10), bytearray()], ALL),
        ('range_slice', lambda: [range(10), range(1, 100, 7), slice(1, 10, 2), slice(None), Ellipsis, NotImplemented], ALL),
        ('builtin_types', lambda: [int, float, str, bytes, list, dict, type(None), type(Ellipsis)], SOME),
        ('datetime', lambda: [datetime.datetime(2024, 2, 29, 13, 45, 1, 123456), datetime.date(1999, 12, 31),
                              datetime.time(23, 59, 59, 999), datetime.timedelta(days=-3, seconds=5)], ALL),
        ('datetime_tz', lambda: [datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc), datetime.datetime(2024, 1, 1, tzinfo=tz),
                                 datetime.time(1, 2, tzinfo=tz), datetime.datetime(2021, 11, 7, 1, 30, fold=1)], ALL),
        ('decimal', lambda: [decimal.Decimal('3.14159265358979323846'), decimal.Decimal('-0'), decimal.Decimal('NaN'),
                             decimal.Decimal('Infinity'), decimal.Decimal('1E+999')], ALL),
        ('decimal_context', lambda: decimal.Context(prec=50, rounding=decimal.ROUND_HALF_EVEN), SOME),
        ('fractions', lambda: [fractions.Fraction(22, 7), fractions.Fraction(-1, 3)], ALL),
        ('ordereddict', lambda: collections.OrderedDict([('b', 1), ('a', 2)]), ALL),
        ('defaultdict', lambda: collections.defaultdict(list, {'a': [1], 'b': []}), ALL),
        ('defaultdict_int', lambda: collections.defaultdict(int, {'x': 3}), SOME),
        ('counter', lambda: collections.Counter('mississippi'), ALL),
        ('deque', lambda: collections.deque([1, 2, 3], maxlen=5), ALL),
        ('chainmap', lambda: collections.ChainMap({'a': 1}, {'b': 2}), SOME),
        ('namedtuple_stdlib', lambda: [time.gmtime(0), os.stat_result(tuple(range(10))), os.terminal_size((80, 24))], ALL),
        ('struct_time', lambda: time.struct_time((2024, 5, 17, 10, 0, 0, 4, 138, 0)), SOME),
        ('stat_result', lambda: os.stat('/'), SOME),
        ('enum_members', lambda: [re.IGNORECASE | re.MULTILINE, re.ASCII, http.HTTPStatus.NOT_FOUND, http.HTTPStatus.OK,
                                  decimal.ROUND_HALF_UP], ALL),
        ('regexflag', lambda: re.RegexFlag(re.I | re.S | re.X), SOME),
        ('http_status', lambda: list(http.HTTPStatus)[:10], SOME),
        ('re_patterns', lambda: [re.compile(r'^\d+(?:\.\d*)?$'), re.compile(b'[a-z]+', re.I), re.compile('x', re.M | re.S)], ALL),
        ('pathlib', lambda: [pathlib.PurePosixPath('/etc/hosts'), pathlib.PureWindowsPath(r'C:\\Windows\\x.dll'),
                             pathlib.Path('relative/dir/file.txt')], ALL),
        ('uuid', lambda: [uuid.UUID('12345678-1234-5678-1234-567812345678'), uuid.UUID(int=0), uuid.NAMESPACE_DNS], ALL),
        ('ipaddress', lambda: [ipaddress.ip_address('192.0.2.1'), ipaddress.ip_address('2001:db8::1'),
                               ipaddress.ip_network('10.0.0.0/8'), ipaddress.ip_interface('192.0.2.5/24'),
                               ipaddress.IPv6Network('2001:db8::/32')], ALL),
        ('array', lambda: [array.array('d', [1.0, 2.5]), array.array('i', range(5)), array.array('u', 'hi'), array.array('B', b'xyz')], ALL),
        ('frozenset_nested', lambda: frozenset([frozenset([1, 2]), frozenset()]), SOME),
        ('recursive_list', lambda: _recursive(), SOME),
        ('exceptions', lambda: [ValueError('bad', 3), KeyError('k'), OSError(2, 'No such file'), StopIteration(5)], SOME),
        ('simplenamespace', lambda: __import__('types').SimpleNamespace(a=1, b=[2]), SOME),
        ('functools_partial', lambda: __import__('functools').partial(int, base=16), SOME),
        ('operator_getters', lambda: [__import__('operator').itemgetter(1, 2), __import__('operator').attrgetter('a.b'),
                                      __import__('operator').methodcaller('split', ',')], SOME),
        ('memoryview_bytes', lambda: bytes(memoryview(b'abcdef')[1:4]), ['p2', 'p5']),
        ('big_numbers', lambda: [10 ** 400, -(2 ** 64), 1e308, 5e-324], ALL),
        ('str_kinds', lambda: ['', 'a' * 300, '\U0001F600', 'line\nbreak', '\x00'], ALL),
    ]
    try:
        import zoneinfo
        out.append(('zoneinfo', lambda: [zoneinfo.ZoneInfo('Europe/Paris'), zoneinfo.ZoneInfo('UTC'),
                                         datetime.datetime(2024, 7, 1, 12, tzinfo=zoneinfo.ZoneInfo('America/New_York'))], ALL))
    except ImportError:
        pass
    # Enum, IntEnum, Flag, IntFlag members of stdlib classes
    out.append(('enum_stdlib_flags', lambda: [__import__('signal').Signals.SIGTERM, __import__('socket').AddressFamily.AF_INET,
                                              __import__('ssl').Options.OP_NO_SSLv2 if hasattr(__import__('ssl'), 'Options') else None,
                                              __import__('inspect').Parameter.KEYWORD_ONLY, __import__('uuid').SafeUUID.safe], SOME))
    out.append(('intflag', lambda: [__import__('re').RegexFlag.VERBOSE, __import__('signal').Handlers.SIG_DFL,
                                    __import__('socket').MsgFlag.MSG_PEEK], SOME))
    return out


def _recursive():
    a = [1, 2]
    a.append(a)
    d = {'self': None}
    d['self'] = d
    return [a, d]


def generate(ctx):
    for name, build, savers in _objects():
        ctx.add('stdlib', name, build, savers)
