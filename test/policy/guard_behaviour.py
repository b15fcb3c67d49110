# -*- coding: utf-8 -*-
"""What a generated picklegate guard does, check by check, on hand-written pickles.

    python guard_behaviour.py DEFAULT_GUARD.py MXNET_OPTIMIZER_GUARD.py TEST_GUARD.py LENIENT_GUARD.py

The guards are `picklegate policy export` of default, mxnet-optimizer, and two policy files the
test writes (test/policy/python-guard.test.ts): "guard-test" (a call-denied class, a value-only
class, Cls.* members, an extension registry, persistent ids rejected) and "lenient" (default with
accept: suspicious). Prints one JSON line {"passed": [...], "failed": [...], "skipped": [...]}.
Standard library only; Python 2.7 and 3.6+.
"""
from __future__ import print_function

import collections
import datetime
import io
import json
import os
import re
import sys
import tempfile
import traceback

PY2 = sys.version_info[0] == 2
if PY2:
    import copy_reg as copyreg
else:
    import copyreg


def load_guard(path):
    directory, filename = os.path.split(os.path.abspath(path))
    if directory not in sys.path:
        sys.path.insert(0, directory)
    return __import__(filename[:-3])


G, M, T, L = [load_guard(p) for p in sys.argv[1:5]]

passed, failed, skipped = [], [], []


def check(name, condition=True):
    def run(fn):
        if not condition:
            skipped.append(name)
            return fn
        try:
            fn()
            passed.append(name)
        except Exception:
            failed.append({'name': name, 'detail': traceback.format_exc()})
        return fn
    return run


def refused(guard, data, rule, via='loads'):
    try:
        if via == 'loads':
            result = guard.loads(data)
        else:
            result = guard.load(io.BytesIO(data))
    except guard.RefusedError as e:
        assert e.rule == rule, 'refused with %s, expected %s: %s' % (e.rule, rule, e)
        assert isinstance(e, guard.UnpicklingError) and isinstance(e, __import__('pickle').UnpicklingError)
        return e
    raise AssertionError('not refused (%s expected), loaded %r' % (rule, result))


def raises(fn, exc_types):
    try:
        fn()
    except exc_types as e:
        return e
    raise AssertionError('no %r raised' % (exc_types,))


# ---- globals ---------------------------------------------------------------------------------------

@check('denied globals are refused before their module is imported')
def _():
    tmp = tempfile.mkdtemp()
    with open(os.path.join(tmp, 'pg_canary_mod.py'), 'w') as f:
        f.write('IMPORTED = True\n')
    sys.path.insert(0, tmp)
    e = refused(G, b'cpg_canary_mod\nrun\n(tR.', 'UNLISTED_GLOBAL/not-allowed')
    assert e.module == 'pg_canary_mod' and e.name == 'run'
    assert 'pg_canary_mod' not in sys.modules
    refused(G, b"cos\nsystem\n(S'true'\ntR.", 'DENIED_GLOBAL/denied')
    refused(G, b"cposix\nsystem\n(S'true'\ntR.", 'DENIED_GLOBAL/denied')
    refused(G, b"csubprocess\nPopen\n(S'true'\ntR.", 'DENIED_GLOBAL/denied')


@check('_compat_pickle spellings below protocol 3 are judged by what they reach')
def _():
    refused(G, b"c__builtin__\neval\n(S'1'\ntR.", 'DENIED_GLOBAL/denied')
    refused(G, b"\x80\x02c__builtin__\ngetattr\n.", 'DENIED_GLOBAL/denied')
    refused(G, b"ccommands\ngetoutput\n(S'true'\ntR.", 'DENIED_GLOBAL/denied')
    obj = G.loads(b'\x80\x02ccopy_reg\n_reconstructor\n.')
    assert obj is copyreg._reconstructor
    assert G.loads(b'\x80\x02c__builtin__\nset\n]\x85R.') == set()


@check('allowed globals load')
def _():
    assert G.loads(b'ccollections\nOrderedDict\n)R.') == collections.OrderedDict()
    d = G.loads(b'cdatetime\ndate\n(I2024\nI2\nI29\ntR.')
    assert d == datetime.date(2024, 2, 29)


@check('dotted names and dunder walks (protocol 4)', sys.version_info >= (3, 4))
def _():
    # SHORT_BINUNICODE module, name; STACK_GLOBAL
    def sg(module, name):
        m, n = module.encode('ascii'), name.encode('ascii')
        return b'\x80\x04' + b'\x8c' + bytes([len(m)]) + m + b'\x8c' + bytes([len(n)]) + n + b'\x93.'
    assert T.loads(sg('datetime', 'timedelta.max')) == datetime.timedelta.max
    refused(T, sg('datetime', 'timedelta.__class__'), 'DENIED_GLOBAL/denied')
    refused(T, sg('datetime', 'timedelta.max.__class__'), 'DENIED_GLOBAL/denied')
    refused(T, sg('datetime', 'timedelta.max.days'), 'UNLISTED_GLOBAL/not-allowed')
    refused(G, sg('collections', 'OrderedDict.fromkeys.__globals__'), 'DENIED_GLOBAL/denied')
    refused(G, sg('argparse', '_os.system'), 'DENIED_GLOBAL/denied')
    refused(G, sg('collections', 'OrderedDict.<locals>'), 'UNLISTED_GLOBAL/not-allowed')
    # below protocol 4 a dotted name is not walked, as in CPython
    raises(lambda: T.loads(b'cdatetime\ntimedelta.max\n.'), AttributeError)


@check('value-only globals import as values; calling them is refused (REDUCE, INST, OBJ, NEWOBJ)')
def _():
    assert G.loads(b'cre\nIGNORECASE\n.') == re.IGNORECASE
    refused(G, b'cre\nIGNORECASE\n)R.', 'UNLISTED_GLOBAL/called-reference')
    refused(G, b'(ire\nIGNORECASE\n.', 'UNLISTED_GLOBAL/called-reference')
    refused(G, b'(cre\nIGNORECASE\no.', 'UNLISTED_GLOBAL/called-reference')
    refused(G, b'\x80\x02cre\nIGNORECASE\n)\x81.', 'UNLISTED_GLOBAL/called-reference')
    # stored through the memo and called later: still the same object
    refused(G, b'cre\nIGNORECASE\np0\n0g0\n)R.', 'UNLISTED_GLOBAL/called-reference')
    assert T.loads(b'cdecimal\nDecimal\n.').__name__ == 'Decimal'
    refused(T, b"cdecimal\nDecimal\n(S'1'\ntR.", 'UNLISTED_GLOBAL/called-reference')


@check('a call-denied global: a value, never called')
def _():
    assert T.loads(b'ccollections\nOrderedDict\n.') is collections.OrderedDict
    refused(T, b'ccollections\nOrderedDict\n)R.', 'DENIED_GLOBAL/denied-call')
    refused(T, b'(icollections\nOrderedDict\n.', 'DENIED_GLOBAL/denied-call')


@check('a global that calls its arguments (callsArguments) is handed plain data or globals it may call')
def _():
    assert T.loads(b'cfunctools\nreduce\n(N(lp0\nI7\natR.') == 7
    refused(T, b'cfunctools\nreduce\n(ccollections\nOrderedDict\n(lp0\nI1\naI2\natR.', 'DENIED_GLOBAL/handed-denied-call')
    refused(T, b'cfunctools\nreduce\n(cdecimal\nDecimal\n(lp0\nI1\natR.', 'UNLISTED_GLOBAL/handed-reference')
    # namedtuple('P', 'a b') is a class the pickle built: what calling it runs is not checked
    refused(T, b"cfunctools\nreduce\n(ccollections\nnamedtuple\n(S'P'\nS'a b'\ntR(lp0\nI1\naI2\natR.", 'UNLISTED_GLOBAL/handed-object')
    # OBJ and INST call it too
    refused(T, b'(cfunctools\nreduce\nccollections\nOrderedDict\n(lp0\nI1\naI2\nao.', 'DENIED_GLOBAL/handed-denied-call')
    refused(T, b'(ccollections\nOrderedDict\n(lp0\nI1\naI2\naifunctools\nreduce\n.', 'DENIED_GLOBAL/handed-denied-call')


@check('state is never set on a global, nor its methods called (BUILD, APPEND(S), SETITEM(S))')
def _():
    import posixpath
    before = (dict(vars(posixpath)), list(sys.path), dict(os.environ))
    refused(T, b"cos\npath\n(dS'join'\nI1\nsb.", 'BUILD_ON_NON_INSTANCE/build-on-global')
    refused(T, b"cos\npath\n}S'join'\nI1\nsb.", 'BUILD_ON_NON_INSTANCE/build-on-global')
    refused(T, b"ccollections\nnamedtuple\n}b.", 'BUILD_ON_NON_INSTANCE/build-on-global')
    refused(T, b"csys\npath\nS'/planted'\na.", 'METHOD_CALL_ON_OBJECT/method-on-global')
    refused(T, b"csys\npath\n(S'/planted'\ne.", 'METHOD_CALL_ON_OBJECT/method-on-global')
    refused(T, b"cos\nenviron\nS'PICKLEGATE_PLANTED'\nS'1'\ns.", 'METHOD_CALL_ON_OBJECT/method-on-global')
    refused(T, b"cos\nenviron\n(S'PICKLEGATE_PLANTED'\nS'1'\nu.", 'METHOD_CALL_ON_OBJECT/method-on-global')
    # through the memo, too
    refused(T, b"csys\npath\np0\n0g0\nS'/planted'\na.", 'METHOD_CALL_ON_OBJECT/method-on-global')
    assert (dict(vars(posixpath)), list(sys.path), dict(os.environ)) == before
    assert T.loads(b"csys\npath\n.") is sys.path  # as a value it is fine
    assert T.loads(b"(lp0\nS'x'\na.") == ['x']  # and fresh lists are filled as usual


@check('a BUILD that gives an object a callable attribute __setstate__ (a later BUILD calls it) is refused')
def _():
    # OrderedDict() then BUILD {'__setstate__': OrderedDict}: getattr(od, '__setstate__') would find it
    refused(G, b"\x80\x02ccollections\nOrderedDict\n)R}X\x0c\x00\x00\x00__setstate__ccollections\nOrderedDict\nsb.", 'DENIED_GLOBAL/unsafe-call')
    refused(G, b"\x80\x02ccollections\nOrderedDict\n)RN}X\x0c\x00\x00\x00__setstate__ccollections\nOrderedDict\ns\x86b.", 'DENIED_GLOBAL/unsafe-call')
    od = G.loads(b"\x80\x02ccollections\nOrderedDict\n)R}X\x0c\x00\x00\x00__setstate__NsX\x01\x00\x00\x00aK\x01sb.")
    assert od.a == 1 and od.__setstate__ is None


@check('one unpickler, several loads: what the memo keeps stays guarded')
def _():
    f = io.BytesIO(b'cre\nIGNORECASE\np0\n.g0\n)R.')
    u = G.RestrictedUnpickler(f)
    assert u.load() == re.IGNORECASE
    raises(lambda: u.load(), G.RefusedError)


@check("EXT codes resolve through the policy's registry only, never the interpreter's")
def _():
    assert T.loads(b'\x80\x02\x82\xf0.') is collections.namedtuple
    refused(T, b'\x80\x02\x82\xf1.', 'UNLISTED_GLOBAL/not-allowed')  # 241 -> os.system, unlisted in guard-test
    refused(T, b'\x80\x02\x82\xf2.', 'UNREGISTERED_EXT/unregistered-ext')
    refused(G, b'\x80\x02\x82\xf0.', 'UNREGISTERED_EXT/unregistered-ext')
    copyreg.add_extension('collections', 'OrderedDict', 0xf2)
    try:
        copyreg._extension_cache[0xf2] = collections.OrderedDict
        refused(T, b'\x80\x02\x82\xf2.', 'UNREGISTERED_EXT/unregistered-ext')
        refused(G, b'\x80\x02\x83\xf2\x00.', 'UNREGISTERED_EXT/unregistered-ext')
    finally:
        copyreg.remove_extension('collections', 'OrderedDict', 0xf2)
    raises(lambda: T.loads(b'\x80\x02\x82\x00.'), G.UnpicklingError)


@check('persistent ids: as pickle without persistent_load; a subclass resolves them; refused when the policy rejects them')
def _():
    e = raises(lambda: G.loads(b'\x80\x02X\x03\x00\x00\x00pidQ.'), G.UnpicklingError)
    assert not isinstance(e, G.RefusedError)

    class WithStorage(G.RestrictedUnpickler):
        def persistent_load(self, pid):
            return ('storage', pid)
    assert WithStorage(io.BytesIO(b'\x80\x02X\x03\x00\x00\x00pidQ.')).load() == ('storage', u'pid')
    u = G.RestrictedUnpickler(io.BytesIO(b'Ppid\n.'))
    u.persistent_load = lambda pid: ('assigned', pid)  # as torch.load does
    assert u.load()[0] == 'assigned'

    class Rejected(T.RestrictedUnpickler):
        def persistent_load(self, pid):
            return pid
    raises(lambda: Rejected(io.BytesIO(b'Ppid\n.')).load(), T.RefusedError)
    refused(T, b'\x80\x02X\x03\x00\x00\x00pidQ.', 'PERSISTENT_ID/persistent-id')


@check('out-of-band buffers are refused (protocol 5)', sys.version_info >= (3, 8))
def _():
    refused(G, b'\x80\x05\x97.', 'OUT_OF_BAND_BUFFER/out-of-band')
    e = raises(lambda: G.loads(b'\x80\x05\x97.', buffers=[b'x']), G.RefusedError)
    assert e.rule == 'OUT_OF_BAND_BUFFER/out-of-band'


@check('wire rules of mxnet-optimizer: protocol, opcodes, bytes, one pickle')
def _():
    refused(M, b'\x80\x02N.', 'WIRE_RULE/non-ascii')
    refused(M, b'\x80\x02N.', 'WIRE_RULE/opcode', via='load')
    refused(M, b'K\x01.', 'WIRE_RULE/opcode', via='load')
    refused(M, b'N.\x00', 'WIRE_RULE/nul-byte')
    refused(M, b'N.N.', 'WIRE_RULE/after-stop')
    assert M.loads(b'(dp0\nVlr\np1\nF0.1\ns.') == {u'lr': 0.1}
    refused(M, b'ccollections\nOrderedDict\n)R.', 'UNLISTED_GLOBAL/not-allowed')
    refused(M, b'ccopyreg\n_reconstructor\n.', 'UNLISTED_GLOBAL/not-allowed')  # raw spelling only on this wire
    assert M.loads(b'ccopy_reg\n_reconstructor\n.') is copyreg._reconstructor


@check('accept: suspicious admits unlisted globals, never denied ones')
def _():
    import colorsys
    refused(G, b'ccolorsys\nrgb_to_hsv\n.', 'UNLISTED_GLOBAL/not-allowed')
    assert L.loads(b'ccolorsys\nrgb_to_hsv\n.') is colorsys.rgb_to_hsv
    refused(L, b"cos\nsystem\n(S'true'\ntR.", 'DENIED_GLOBAL/denied')


@check('what follows the first pickle: loads() judges it, load() reads one pickle like pickle.load')
def _():
    assert G.loads(b'N.N.') is None
    evil = b"cos\nsystem\n(S'true'\ntR."
    refused(G, b'N.' + evil, 'DENIED_GLOBAL/denied')
    refused(G, b'N.\xff\xfe junk', 'TRAILING_DATA/after-stop')
    f = io.BytesIO(b'N.' + evil)
    assert G.load(f) is None
    raises(lambda: G.load(f), G.RefusedError)


@check("pickle's signatures")
def _():
    if PY2:
        raises(lambda: G.loads(b'N.', encoding='latin1'), TypeError)
        assert G.Unpickler(io.BytesIO(b'N.')).load() is None
        return
    assert G.loads(b'N.', fix_imports=True, encoding='ASCII', errors='strict') is None
    assert G.loads(b'\x80\x02U\x01\xe9.', encoding='latin1') == u'\xe9'
    assert G.load(io.BytesIO(b'N.'), encoding='bytes') is None
    raises(lambda: G.loads(u'N.'), TypeError)
    raises(lambda: G.loads(b'N.', protocol=2), TypeError)
    if sys.version_info >= (3, 8):
        assert G.loads(b'N.', buffers=()) is None
    else:
        raises(lambda: G.loads(b'N.', buffers=()), TypeError)
    # fix_imports=False: the raw spelling is what is judged and imported
    raises(lambda: G.loads(b'\x80\x02ccopy_reg\n_reconstructor\n.', fix_imports=False), Exception)


@check('audit hooks see every find_class (3.8+)', sys.version_info >= (3, 8))
def _():
    seen = []
    sys.addaudithook(lambda event, args: seen.append(args) if event == 'pickle.find_class' else None)
    G.loads(b'ccollections\nOrderedDict\n.')
    raises(lambda: G.loads(b'cos\nsystem\n.'), G.RefusedError)
    assert ('collections', 'OrderedDict') in seen and ('os', 'system') in seen, seen


@check('the module: policy data, judge(), no import beyond the standard library')
def _():
    assert G.POLICY_NAME == 'default' and M.POLICY_NAME == 'mxnet-optimizer'
    assert G.judge('os', 'system').decision == 'deny'
    assert G.judge('collections', 'OrderedDict').decision == 'allow'
    assert G.judge('re', 'IGNORECASE').reference_only
    assert G.Unpickler is G.RestrictedUnpickler
    for name in ('numpy', 'torch', 'mxnet', 'sklearn'):
        assert not any(m == name or m.startswith(name + '.') for m in sys.modules), name


print(json.dumps({'python': sys.version.split()[0], 'passed': passed, 'failed': failed, 'skipped': skipped}))
sys.exit(1 if failed else 0)
