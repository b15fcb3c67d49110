"""Child script (Python 3.8+): for each stdlib module named on stdin, import it in a
forked child and report its module-valued attributes and re-exported dangerous callables.

Usage: python stdlib_probe.py list          -> prints importable-candidate module names
       python stdlib_probe.py probe < names -> prints one repr()'d tuple per module
Output of probe: (module, ok, [(attr, kind, target), ...]) with kind 'module' or 'callable'.
Only os/sys (already loaded at start-up) are used before forking so that each probed
module is imported into a fresh interpreter state.
"""
import os
import sys

SKIP_TOP = {'antigravity', 'this', 'idlelib', 'tkinter', 'turtle', 'turtledemo', '_tkinter', 'test',
            '__main__', '__hello__', '__phello__', 'lib2to3', 'pydoc_data', 'ensurepip._bundled'}
SKIP_PARTS = {'test', 'tests', 'idle_test', '_bundled', 'fixes'}

DANGEROUS = {
    'os': ['system', 'popen', 'execv', 'execve', 'execl', 'execle', 'execlp', 'execlpe', 'execvp', 'execvpe',
           'spawnl', 'spawnle', 'spawnlp', 'spawnlpe', 'spawnv', 'spawnve', 'spawnvp', 'spawnvpe',
           'posix_spawn', 'posix_spawnp', 'fork', 'forkpty', 'kill', 'remove', 'unlink', 'rmdir',
           'removedirs', 'putenv'],
    'subprocess': ['Popen', 'call', 'check_call', 'check_output', 'run', 'getoutput', 'getstatusoutput'],
    'builtins': ['eval', 'exec', 'compile', 'getattr', 'setattr', 'delattr', '__import__', 'open', 'breakpoint'],
    'importlib': ['import_module'],
    'pickle': ['loads', 'load', '_loads', '_load', 'Unpickler', '_Unpickler'],
    'marshal': ['loads', 'load'],
    'shutil': ['rmtree', 'move'],
    'pty': ['spawn'],
    'ctypes': ['CDLL', 'PyDLL', 'cdll', 'pydll'],
    'runpy': ['run_path', 'run_module', '_run_code', '_run_module_code'],
    'code': ['interact', 'InteractiveConsole', 'InteractiveInterpreter'],
    'operator': ['attrgetter', 'methodcaller'],
    'webbrowser': ['open', 'open_new', 'open_new_tab'],
    'timeit': ['timeit', 'repeat'],
    'cProfile': ['run', 'runctx'],
    'profile': ['run', 'runctx'],
    'pdb': ['run', 'runeval', 'runcall', 'runctx'],
    'multiprocessing.util': ['spawnv_passfds'],
    '_posixsubprocess': ['fork_exec'],
    'uuid': ['_get_command_stdout'],
    'imaplib': ['IMAP4_stream'],
}


def list_modules():
    import pkgutil
    if hasattr(sys, 'stdlib_module_names'):
        names = set(sys.stdlib_module_names)
    else:
        names = set(sys.argv[2:]) | set(sys.builtin_module_names)
    out = set()
    for top in sorted(names):
        if top in SKIP_TOP:
            continue
        out.add(top)
        try:
            import importlib.util
            spec = importlib.util.find_spec(top)
        except Exception:
            continue
        if spec is None or not spec.submodule_search_locations:
            continue
        stack = [(top, list(spec.submodule_search_locations))]
        while stack:
            pkg, paths = stack.pop()
            for info in pkgutil.iter_modules(paths):
                full = pkg + '.' + info.name
                if set(full.split('.')) & SKIP_PARTS or full in SKIP_TOP or top == 'encodings':
                    continue
                out.add(full)
                if info.ispkg:
                    stack.append((full, [os.path.join(p, info.name) for p in paths
                                         if os.path.isdir(os.path.join(p, info.name))]))
    for n in sorted(out):
        print(n)


def probe_one(name, wfd):
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    import signal
    signal.alarm(20)
    import types
    entries = []
    try:
        __import__(name)
        mod = sys.modules[name]
        snapshot = dict(vars(mod))
        ok = True
    except BaseException:
        snapshot, ok = {}, False
    if ok:
        for attr, value in snapshot.items():
            if isinstance(value, types.ModuleType):
                entries.append((attr, 'module', value.__name__))
        canon = {}
        import importlib
        for m, names in DANGEROUS.items():
            try:
                dm = importlib.import_module(m)
            except BaseException:
                continue
            for n in names:
                if hasattr(dm, n):
                    canon.setdefault(id(getattr(dm, n)), (m, n, getattr(dm, n)))
        for attr, value in snapshot.items():
            hit = canon.get(id(value))
            if hit is not None and hit[2] is value and (name, attr) != (hit[0], hit[1]):
                entries.append((attr, 'callable', hit[0] + '.' + hit[1]))
    os.write(wfd, repr((name, ok, sorted(entries))).encode('utf-8'))
    os._exit(0)


def probe():
    names = sys.stdin.read().split()
    for name in names:
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            try:
                probe_one(name, w)
            finally:
                os._exit(1)
        os.close(w)
        chunks = []
        while True:
            c = os.read(r, 65536)
            if not c:
                break
            chunks.append(c)
        os.close(r)
        os.waitpid(pid, 0)
        data = b''.join(chunks).decode('utf-8')
        if not data:
            data = repr((name, False, []))
        sys.stdout.write(data + '\n')
        sys.stdout.flush()


if __name__ == '__main__':
    if sys.argv[1] == 'list':
        list_modules()
    else:
        probe()
