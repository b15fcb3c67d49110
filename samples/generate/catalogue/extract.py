#!/usr/bin/env python3
"""Catalogue stage 1, *extract*: record what classification needs about one installed library.

    python3 extract.py --library sklearn --generation bookworm --out samples/catalogue/inputs
    python3 extract.py --package mypkg --generation local --out /tmp/inputs      # your own package

Runs in the interpreter that has the library installed (standard library only, no third-party
imports besides the library itself). It imports every module of the library (private modules too;
test suites and `__main__` modules are skipped), then writes `<library>-<generation>.json.gz`:

- `objects`: every class, callable and library-typed value reachable as a module attribute, with
  every `module:name` under which the same object is reachable (re-exports, nested classes);
- `classes`: per class its MRO, metaclass, whether it is compiled (no Python source) and what its
  `__dict__` holds (methods as call-graph node ids, properties, nested classes, native slots);
- `functions`: per Python function defined in the library's source files (node id
  `module:co_qualname`), the calls and references it makes, read from the source with `ast` and
  resolved through the module's runtime namespace to qualified names where possible (see CALLS);
- `reduce`: the callables that compiled classes' `__reduce_ex__` return on a bare instance.

CALLS: one short string per distinct call or reference in a function body.
    g<id>          a global: a function, a class (only when called), a native callable (`mod:qualname`)
    r<id>          a callable returned by `__reduce__`/`__reduce_ex__` (`return (f, args)`)
    k<class>|<n>   `Class.n(...)` / `x.n(...)` where x is known to be an instance of Class
    m<type>|<n>    a method of a module-level instance (`_LIB.XGBoosterCreate`, `logger.warning`)
    s<n>           `self.n(...)` / `cls.n(...)`          S<n>  `super().n(...)`
    a<n>           a load of `self.n` (a property getter, or a method passed on)
    A<n>           a store to `self.n` (a property setter and `__setattr__`)
    c              `cls(...)`, `type(self)(...)`, `self.__class__(...)`: constructs the class
    d<n>           `x.n(...)` on a receiver of unknown type (duck call)
    f<n>           a call of a closure variable (a decorator's wrapped function)
    G / P / T      `getattr(self, <non-constant>)(...)` / `getattr(self, <non-constant>)` /
                   `setattr(self, <non-constant>, v)`
    x<what>        a dynamic call: calling a parameter, a local, an attribute value, a subscript, the
                   result of a call, `getattr(x, <non-constant>)` ... (unresolvable statically)
    y<n>           a call of a value taken from a module-level registry the library fills itself
    w<id>|<id>..   a decorator's wrapper and the function(s) it wraps
    n<id>          a compiled callable
    p<i>:<n>[=D]   a call of the function's own parameter n (position i, self is 0; default D)
    q<i>:<n>       getattr(x, <the parameter n>)(...)
    R / Z          the function always raises / always returns a lambda
A call of a Python function may be followed by its closure cells (or a library-made instance's
attributes) that hold callables, ` ~name=CALL`, and by what the call site passes, ` +#i=VAL` /
` +name=VAL` (VAL: a CALLS string, `L` a lambda, `$name` a constant string, `@i:name` the caller's
own parameter, `s<name>` a method of the caller's self, `^<id>` the result of calling id, `?`
unknown; ` +*=?` for *args/**kwargs).
Class attributes (`classes[..].attrs`): F<node> method (F alone: defined in this class), W<wrapper>|<wrapped>,
P<getter>|<setter> property, C<class>, N native, B<callable>, D<descriptor type>, X other callable, 0 unhashable
(`__hash__ = None`), L a standard-library class's attribute.
"""
import argparse
import ast
import builtins
import dis
import functools
import gzip
import importlib
import inspect
import io
import json
import os
import pkgutil
import platform
import re
import signal
import sys
import types
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from libraries import BY_NAME  # noqa: E402
import sinks  # noqa: E402

FORMAT = 1
SKIP = re.compile(r'(^|\.)(tests?|conftest|benchmarks?|__main__|setup|_pyinstaller|__pyinstaller'
                  r'|_pyinstaller_hooks_contrib|pyinstaller)($|\.)|(^|\.)test_[^.]*$')
STDLIB = set(sys.stdlib_module_names) | {'__builtin__', '__main__'}
HEAPTYPE = 1 << 9
MAX_MSG = 160
# a string literal recorded as a constant (`$name`): an identifier or a dotted module name
CONSTANT_NAME = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$')


def short(e):
    msg = '%s: %s' % (type(e).__name__, str(e).replace('\n', ' '))
    return msg[:MAX_MSG]


class Timeout(BaseException):
    pass


def _alarm(_sig, _frm):
    raise Timeout('timed out')


class Quiet:
    """Silences stdout/stderr (also of C code) while a library imports or runs."""

    def __enter__(self):
        sys.stdout.flush()
        sys.stderr.flush()
        self.saved = (os.dup(1), os.dup(2))
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.close(null)
        self.py = (sys.stdout, sys.stderr)
        sys.stdout = sys.stderr = io.StringIO()
        return self

    def __exit__(self, *exc):
        sys.stdout, sys.stderr = self.py
        os.dup2(self.saved[0], 1)
        os.dup2(self.saved[1], 2)
        os.close(self.saved[0])
        os.close(self.saved[1])
        return False


def belongs(modname, packages):
    return any(modname == p or modname.startswith(p + '.') for p in packages)


# ----------------------------------------------------------------------------------------- modules

def walk_modules(packages, log):
    mods, failed = {}, {}
    todo = list(packages)
    seen = set()
    signal.signal(signal.SIGALRM, _alarm)
    while todo:
        name = todo.pop(0)
        if name in seen or SKIP.search(name):
            continue
        seen.add(name)
        signal.alarm(180)
        try:
            with Quiet(), warnings.catch_warnings():
                warnings.simplefilter('ignore')
                mod = importlib.import_module(name)
        except BaseException as e:  # ImportError, SystemExit, Timeout, anything an import raises
            failed[name] = short(e)
            continue
        finally:
            signal.alarm(0)
        mods[name] = mod
        path = vars(mod).get('__path__')
        if path is not None:
            try:
                subs = sorted({n for _f, n, _p in pkgutil.iter_modules(list(path))})
            except Exception:
                subs = []
            todo.extend(name + '.' + s for s in subs)
    # modules the library created or imported under its own names without a file of their own
    for name, mod in sorted(sys.modules.items()):
        if isinstance(mod, types.ModuleType) and belongs(name, packages) and name not in mods and not SKIP.search(name):
            mods[name] = mod
    log('imported %d modules, %d failed' % (len(mods), len(failed)))
    return mods, failed


def file_module_map():
    """realpath of a module's .py file -> module name, for every loaded module."""
    out = {}
    for name, mod in list(sys.modules.items()):
        try:
            f = vars(mod).get('__file__') if isinstance(mod, types.ModuleType) else None
        except Exception:
            f = None
        if isinstance(f, str) and f.endswith('.py'):
            rp = os.path.realpath(f)
            if rp not in out or len(name) < len(out[rp]):
                out[rp] = name
    return out


# ------------------------------------------------------------------------------------- identities

class Ids:
    def __init__(self, packages):
        self.packages = packages
        self.filemod = file_module_map()
        self.generated = {}       # id(code) -> node id of a function without source
        self.gen_calls = {}       # node id -> calls (bytecode)
        self.classes_seen = {}    # class id -> class object (every class a call or reference names)
        self._holders = None
        self.fns_seen = {}        # node id -> a function object with that code

    def refresh(self):
        self.filemod = file_module_map()

    @staticmethod
    def raw_module(obj):
        try:
            m = getattr(obj, '__module__', None)
        except Exception:
            return None
        return m if isinstance(m, str) else None

    def holder(self, obj):
        if self._holders is None:
            self._holders = {}
            for mname, m in sorted(sys.modules.items()):
                if not isinstance(m, types.ModuleType):
                    continue
                try:
                    items = list(vars(m).items())
                except Exception:
                    continue
                for _k, v in items:
                    if callable(v) and not isinstance(v, (type, types.FunctionType)):
                        self._holders.setdefault(id(v), mname)
        return self._holders.get(id(obj))

    def cls_id(self, cls):
        try:
            q = cls.__qualname__
        except Exception:
            q = getattr(cls, '__name__', '?')
        m = self.raw_module(cls) or 'builtins'
        cid = ('%s:%s' % (m, q)).replace(' ', '_')
        if isinstance(cls, type):
            self.classes_seen.setdefault(cid, cls)
        return cid

    def node_id(self, fn, owner=None, name=None):
        """Call-graph node id of a Python function: `module:co_qualname` of its source file."""
        code = fn.__code__
        mod = self.filemod.get(os.path.realpath(code.co_filename)) if code.co_filename else None
        qual = getattr(code, 'co_qualname', None) or getattr(fn, '__qualname__', code.co_name)
        if mod is not None and not code.co_filename.startswith('<'):
            nid = '%s:%s' % (mod, qual)
            self.fns_seen.setdefault(nid, fn)
            return nid
        if code.co_filename.startswith('<frozen '):
            return '%s:%s' % (code.co_filename[8:-1], qual)
        fm = self.raw_module(fn)
        if fm and not code.co_filename.startswith('<') and fm.split('.')[0] in STDLIB:
            return '%s:%s' % (fm, qual)
        key = id(code)
        if key not in self.generated:
            if owner is not None:
                nid = 'gen:%s.%s' % (owner, name or code.co_name)
            else:
                nid = 'gen:%s:%s' % (self.raw_module(fn) or '?', getattr(fn, '__qualname__', qual))
            base, n = nid, 2
            while nid in self.gen_calls:
                nid = '%s#%d' % (base, n)
                n += 1
            self.generated[key] = nid
            self.gen_calls[nid] = None
            self.gen_calls[nid] = bytecode_calls(fn, self)
        return self.generated[key]

    def native_id(self, obj):
        """`module:qualname` of a compiled callable (builtin function, method descriptor, ufunc...)."""
        return self._native_id(obj).replace(' ', '_')

    def _native_id(self, obj):
        self_ = getattr(obj, '__self__', None)
        name = getattr(obj, '__qualname__', None) or getattr(obj, '__name__', None) or type(obj).__name__
        if self_ is not None and not isinstance(self_, types.ModuleType):
            t = self_ if isinstance(self_, type) else type(self_)
            if '.' not in name:
                name = '%s.%s' % (t.__qualname__, name)
            return '%s:%s' % (self.raw_module(t) or 'builtins', name)
        mod = self.raw_module(obj)
        if mod is None and isinstance(self_, types.ModuleType):
            mod = self_.__name__
        if mod is None and type(obj).__name__ == 'ufunc':
            mod = 'numpy'
        if mod is not None and mod not in sys.modules:
            # compiled modules that name themselves without their package (`_csparsetools` is
            # scipy.sparse._csparsetools): the module that really holds the object
            mod = self.holder(obj) or mod
        if mod is None:
            objcls = getattr(obj, '__objclass__', None)
            if isinstance(objcls, type):
                return '%s:%s.%s' % (self.raw_module(objcls) or 'builtins', objcls.__qualname__, getattr(obj, '__name__', name))
        return '%s:%s' % (mod or '?', name)


def unwrap_chain(fn):
    chain = []
    seen = set()
    f = fn
    while True:
        w = getattr(f, '__wrapped__', None) if not isinstance(f, type) else None
        if w is None or id(w) in seen or len(chain) > 8:
            break
        seen.add(id(w))
        chain.append(w)
        f = w
    return chain


def closure_bindings(fn, ids, depth):
    """` name=CALL` for each closure cell of fn holding a callable (what `f<name>` calls in its body)."""
    if depth > 0:
        return ''
    out = []
    try:
        cells = zip(fn.__code__.co_freevars, fn.__closure__ or ())
    except Exception:
        return ''
    for n, cell in cells:
        try:
            v = cell.cell_contents
        except ValueError:
            continue
        if isinstance(v, (staticmethod, classmethod)):
            v = v.__func__
        if v is fn or isinstance(v, types.ModuleType) or not callable(v):
            continue
        try:
            r = callable_ref(v, ids, depth=depth + 1)
        except Exception:
            r = None
        if r:
            out.append(' ~%s=%s%s' % (n, r[0], r[1].split(' ', 1)[0]))
    return ''.join(sorted(out))


def callable_ref(obj, ids, owner=None, name=None, depth=0):
    """What calling `obj` runs, as a CALLS entry: ('g', id) a Python function or a class, ('w', 'wrapper|wrapped..')
    a decorator's wrapper, ('n', id) compiled code; None when obj is not callable. A Python function's
    id may be followed by its closure bindings (` name=CALL`)."""
    if isinstance(obj, (staticmethod, classmethod)):
        obj = obj.__func__
    if isinstance(obj, type):
        return 'g', ids.cls_id(obj)
    if isinstance(obj, types.MethodType):
        return callable_ref(obj.__func__, ids, depth=depth)
    if isinstance(obj, types.FunctionType):
        nid = ids.node_id(obj, owner, name)
        binds = closure_bindings(obj, ids, depth)
        chain = [w for w in unwrap_chain(obj) if isinstance(w, types.FunctionType)]
        if chain:
            return 'w', '|'.join([nid] + [ids.node_id(w) for w in chain]) + binds
        return 'g', nid + binds
    if isinstance(obj, functools.partial):
        return callable_ref(obj.func, ids, depth=depth)
    if callable(obj):
        try:
            w = getattr(obj, '__wrapped__', None)
        except Exception:
            w = None
        if isinstance(w, types.FunctionType):
            # a compiled dispatcher around a Python implementation (numpy >= 1.25): walk the implementation
            return callable_ref(w, ids)
        return 'n', ids.native_id(obj)
    return None


def bytecode_calls(fn, ids):
    """Calls of a function that has no source (dataclass/attrs/namedtuple/decorator-generated)."""
    out = set(['b'])
    g = getattr(fn, '__globals__', {}) or {}
    cells = {}
    try:
        for n, cell in zip(fn.__code__.co_freevars, fn.__closure__ or ()):
            try:
                cells[n] = cell.cell_contents
            except ValueError:
                pass
    except Exception:
        pass

    def scan(code, depth=0):
        for ins in dis.get_instructions(code):
            if ins.opname == 'LOAD_GLOBAL' and isinstance(ins.argval, str):
                obj = g.get(ins.argval, getattr(builtins, ins.argval, None))
                if obj is not None and not isinstance(obj, types.ModuleType):
                    if isinstance(obj, types.FunctionType) and getattr(obj, '__code__', None) is code:
                        continue
                    try:
                        r = callable_ref(obj, ids)
                    except Exception:
                        r = None
                    if r:
                        out.add(r[0] + r[1])
            elif ins.opname in ('LOAD_ATTR', 'LOAD_METHOD') and isinstance(ins.argval, str):
                out.add('d' + ins.argval)
            elif ins.opname in ('LOAD_DEREF',) and isinstance(ins.argval, str):
                if depth == 0 and ins.argval in cells:
                    v = cells[ins.argval]
                    try:
                        r = callable_ref(v, ids) if callable(v) and not isinstance(v, types.ModuleType) else None
                    except Exception:
                        r = None
                    if r:
                        out.add(r[0] + r[1])
                    continue
                out.add('f' + ins.argval)
        if depth < 3:
            for c in code.co_consts:
                if isinstance(c, types.CodeType):
                    scan(c, depth + 1)
    try:
        scan(fn.__code__)
    except Exception as e:
        out.add('xbytecode unreadable: %s' % short(e))
    return sorted(out)


# ---------------------------------------------------------------------------------- AST analysis

class Scope:
    def __init__(self, kind, qual, node=None):
        self.kind = kind            # 'function' | 'class'
        self.qual = qual
        self.node = node
        self.params = set()
        self.locals = set()
        self.imports = {}           # name -> dotted module/attr path
        self.nested = {}            # name -> node id of a nested def
        self.assigned = {}          # name -> [value exprs] (simple assignments)
        self.selfname = None
        self.is_cls = False
        self.defaults = {}          # parameter -> default expression
        self.order = {}             # positional parameter -> index (self is 0)
        self.lambda_params = set()  # parameters of lambdas with a default
        self.iters = {}             # name -> [iterables of the for loops that bind it]


def _assigned_names(target, out):
    if isinstance(target, ast.Name):
        out.add(target.id)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for e in target.elts:
            _assigned_names(e, out)
    elif isinstance(target, ast.Starred):
        _assigned_names(target.value, out)


def own_nodes(fn):
    """The nodes of a function body, not those of functions or classes defined inside it."""
    todo = list(fn.body)
    while todo:
        n = todo.pop()
        yield n
        for c in ast.iter_child_nodes(n):
            if not isinstance(c, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                todo.append(c)


def mangle_private_names(tree):
    """Applies Python's private name mangling to attribute names (`self.__clear` inside class Axes is
    `self._Axes__clear`), so they meet the names the class really defines."""
    def walk(node, cls):
        for child in ast.iter_child_nodes(node):
            inner = cls
            if isinstance(child, ast.ClassDef):
                inner = child.name.lstrip('_') or None
            elif isinstance(child, ast.Attribute) and cls and child.attr.startswith('__') \
                    and not child.attr.endswith('__'):
                child.attr = '_%s%s' % (cls, child.attr)
            walk(child, inner)
    walk(tree, None)
    return tree


def resolve_relative(modname, is_pkg, level, target):
    if level == 0:
        return target or ''
    parts = modname.split('.')
    base = parts if is_pkg else parts[:-1]
    if level > 1:
        base = base[:len(base) - (level - 1)]
    b = '.'.join(base)
    return (b + '.' + target) if target else b


class ModuleAnalyzer:
    def __init__(self, modname, mod, tree, ids):
        self.modname = modname
        self.mod = mod
        self.ns = vars(mod)
        self.is_pkg = '__path__' in vars(mod)
        self.tree = tree
        self.ids = ids
        self.functions = {}         # node id -> set of calls
        self.module_imports = {}
        self.module_defs = set()
        for st in ast.walk(tree):
            if isinstance(st, (ast.Import, ast.ImportFrom)):
                self._import_bindings(st, self.module_imports)
        for st in tree.body:
            if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.module_defs.add(st.name)

    def _import_bindings(self, st, into):
        if isinstance(st, ast.Import):
            for a in st.names:
                if a.asname:
                    into[a.asname] = a.name
                else:
                    into[a.name.split('.')[0]] = a.name.split('.')[0]
        else:
            base = resolve_relative(self.modname, self.is_pkg, st.level or 0, st.module)
            for a in st.names:
                if a.name == '*':
                    continue
                into[a.asname or a.name] = (base + '.' + a.name) if base else a.name

    # ----------------------------------------------------------- definitions
    def run(self):
        self._body(self.tree.body, [], '')
        return self.functions

    def _body(self, stmts, scopes, prefix):
        for st in stmts:
            self._stmt_defs(st, scopes, prefix)

    def _stmt_defs(self, st, scopes, prefix):
        if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self._function(st, scopes, prefix)
        elif isinstance(st, ast.ClassDef):
            qual = prefix + st.name
            cs = Scope('class', qual)
            self._body(st.body, scopes + [cs], qual + '.')
        else:
            for child in ast.iter_child_nodes(st):
                if isinstance(child, ast.stmt):
                    self._stmt_defs(child, scopes, prefix)
            if not scopes or scopes[-1].kind == 'class':
                self._outer_lambdas(st, scopes, prefix)

    def _outer_lambdas(self, st, scopes, prefix):
        """Lambdas in a class body or at module level (`x = property(lambda self: ...)`): one node
        `module:Class.<lambda>` (or `module:<lambda>`) for all of them, as their code objects are named."""
        todo = [c for c in ast.iter_child_nodes(st) if not isinstance(c, ast.stmt)]
        while todo:
            node = todo.pop()
            if isinstance(node, ast.Lambda):
                qual = prefix + '<lambda>'
                nid = '%s:%s' % (self.modname, qual)
                sc = Scope('function', qual, nid)
                la = node.args
                sc.params = {x.arg for x in la.posonlyargs + la.args + la.kwonlyargs}
                if la.vararg:
                    sc.params.add(la.vararg.arg)
                if la.kwarg:
                    sc.params.add(la.kwarg.arg)
                positional = la.posonlyargs + la.args
                in_class = bool(scopes) and scopes[-1].kind == 'class'
                if in_class and positional:
                    sc.selfname = positional[0].arg
                sc.locals = set(sc.params)
                calls = self.functions.setdefault(nid, set())
                BodyVisitor(self, sc, [], calls).visit(node.body)
                continue
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            todo.extend(ast.iter_child_nodes(node))

    def _function(self, fn, scopes, prefix):
        qual = prefix + fn.name
        nid = '%s:%s' % (self.modname, qual)
        sc = Scope('function', qual, nid)
        a = fn.args
        params = [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs]
        if a.vararg:
            params.append(a.vararg.arg)
        if a.kwarg:
            params.append(a.kwarg.arg)
        sc.params = set(params)
        sc.order = {x.arg: i for i, x in enumerate(a.posonlyargs + a.args)}
        positional = a.posonlyargs + a.args
        for arg, d in zip(positional[len(positional) - len(a.defaults):], a.defaults):
            sc.defaults[arg.arg] = d
        for arg, d in zip(a.kwonlyargs, a.kw_defaults):
            if d is not None:
                sc.defaults[arg.arg] = d
        decos = {self._deco_name(d) for d in fn.decorator_list}
        in_class = bool(scopes) and scopes[-1].kind == 'class'
        if in_class and 'staticmethod' not in decos and (a.posonlyargs + a.args):
            sc.selfname = (a.posonlyargs + a.args)[0].arg
            sc.is_cls = 'classmethod' in decos or fn.name in ('__new__', '__init_subclass__', '__class_getitem__')
        self._collect_locals(fn, sc)
        calls = self.functions.setdefault(nid, set())
        body = fn.body[1:] if fn.body and isinstance(fn.body[0], ast.Expr) and isinstance(fn.body[0].value, ast.Constant) \
            else fn.body
        if len(body) == 1 and isinstance(body[0], ast.Raise):
            calls.add('R')          # always raises (`def __hash__(self): raise TypeError`)
        returns = [n for n in own_nodes(fn) if isinstance(n, ast.Return)]
        if returns and all(isinstance(r.value, ast.Lambda) for r in returns):
            calls.add('Z')          # always returns a lambda (whose body is counted here)
        BodyVisitor(self, sc, [s for s in scopes if s.kind == 'function'], calls).run(fn)
        inner_prefix = qual + '.<locals>.'
        for st in fn.body:
            self._stmt_defs(st, scopes + [sc], inner_prefix)

    @staticmethod
    def _deco_name(d):
        if isinstance(d, ast.Name):
            return d.id
        if isinstance(d, ast.Attribute):
            return d.attr
        if isinstance(d, ast.Call):
            return ModuleAnalyzer._deco_name(d.func)
        return ''

    def _collect_locals(self, fn, sc):
        declared_global = set()

        def visit(node, top):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    sc.locals.add(child.name)
                    if not isinstance(child, ast.ClassDef):
                        sc.nested[child.name] = '%s:%s.<locals>.%s' % (self.modname, sc.qual, child.name)
                    for d in child.decorator_list:
                        visit(d, False)
                    continue
                if isinstance(child, (ast.Global, ast.Nonlocal)):
                    declared_global.update(child.names)
                elif isinstance(child, (ast.Import, ast.ImportFrom)):
                    self._import_bindings(child, sc.imports)
                    for a in child.names:
                        sc.locals.add(a.asname or a.name.split('.')[0])
                elif isinstance(child, ast.Assign):
                    for t in child.targets:
                        _assigned_names(t, sc.locals)
                        if isinstance(t, ast.Name):
                            sc.assigned.setdefault(t.id, []).append(child.value)
                        else:
                            names = set()
                            _assigned_names(t, names)
                            for n in names:
                                sc.assigned.setdefault(n, []).append(None)
                elif isinstance(child, (ast.AugAssign, ast.AnnAssign)):
                    _assigned_names(child.target, sc.locals)
                    if isinstance(child.target, ast.Name):
                        sc.assigned.setdefault(child.target.id, []).append(
                            child.value if isinstance(child, ast.AnnAssign) else None)
                elif isinstance(child, (ast.For, ast.AsyncFor, ast.comprehension)):
                    names = set()
                    _assigned_names(child.target, names)
                    sc.locals |= names
                    for n in names:
                        sc.assigned.setdefault(n, []).append(None)
                        sc.iters.setdefault(n, []).append(child.iter)
                elif isinstance(child, (ast.With, ast.AsyncWith)):
                    for item in child.items:
                        if item.optional_vars is not None:
                            names = set()
                            _assigned_names(item.optional_vars, names)
                            sc.locals |= names
                            for n in names:
                                sc.assigned.setdefault(n, []).append(None)
                elif isinstance(child, ast.ExceptHandler) and child.name:
                    sc.locals.add(child.name)
                    sc.assigned.setdefault(child.name, []).append(None)
                elif isinstance(child, ast.NamedExpr):
                    _assigned_names(child.target, sc.locals)
                    sc.assigned.setdefault(child.target.id, []).append(None)
                elif isinstance(child, ast.Lambda):
                    la = child.args
                    for x in la.posonlyargs + la.args + la.kwonlyargs:
                        sc.params.add(x.arg)
                    positional = la.posonlyargs + la.args
                    for arg, d in list(zip(positional[len(positional) - len(la.defaults):], la.defaults)) + \
                            [(arg, d) for arg, d in zip(la.kwonlyargs, la.kw_defaults) if d is not None]:
                        # `lambda _, pop=self._parents.pop: pop(k)`: called with fewer arguments, the default
                        sc.assigned.setdefault(arg.arg, []).append(d)
                        sc.lambda_params.add(arg.arg)
                    if la.vararg:
                        sc.params.add(la.vararg.arg)
                    if la.kwarg:
                        sc.params.add(la.kwarg.arg)
                elif hasattr(ast, 'MatchAs') and isinstance(child, (ast.MatchAs, ast.MatchStar)) and child.name:
                    sc.locals.add(child.name)
                    sc.assigned.setdefault(child.name, []).append(None)
                visit(child, False)
        visit(fn, True)
        for n in fn.decorator_list:
            pass
        sc.locals -= declared_global
        sc.params -= declared_global
        sc.locals |= sc.params

    # ----------------------------------------------------------- runtime resolution
    def runtime_global(self, name):
        if name in self.ns:
            return True, self.ns[name]
        if name in self.module_imports:
            return self.resolve_dotted(self.module_imports[name])
        if name in self.module_defs:
            return False, None
        if hasattr(builtins, name):
            return True, getattr(builtins, name)
        return False, None

    def resolve_dotted(self, dotted):
        """An imported dotted path (module or module attribute) as a runtime object if loaded."""
        parts = dotted.split('.')
        for i in range(len(parts), 0, -1):
            m = sys.modules.get('.'.join(parts[:i]))
            if m is not None:
                obj = m
                ok = True
                for p in parts[i:]:
                    ok, obj = static_getattr(obj, p)
                    if not ok:
                        break
                if ok:
                    return True, obj
                break
        return False, ('spelled', dotted)


def static_getattr(obj, name):
    """Attribute of a module or class without running descriptors (modules: plain lookup)."""
    try:
        if isinstance(obj, types.ModuleType):
            d = vars(obj)
            if name in d:
                return True, d[name]
            sub = sys.modules.get(obj.__name__ + '.' + name)
            if sub is not None:
                return True, sub
            return False, None
        if isinstance(obj, type):
            for k in obj.__mro__:
                d = vars(k)
                if name in d:
                    return True, d[name]
            return False, None
    except Exception:
        pass
    return False, None


class Val:
    """The static value of an expression inside a function body."""
    __slots__ = ('kind', 'obj', 'name')

    def __init__(self, kind, obj=None, name=None):
        self.kind = kind    # module class func native inst spelled self super local param closure nested unknown
        self.obj = obj
        self.name = name


def runtime_val(obj):
    if isinstance(obj, types.ModuleType):
        return Val('module', obj)
    if isinstance(obj, tuple) and len(obj) == 2 and obj[0] == 'spelled':
        return Val('spelled', obj[1])
    if isinstance(obj, type):
        return Val('class', obj)
    if isinstance(obj, (types.FunctionType, types.MethodType, staticmethod, classmethod, functools.partial)):
        return Val('func', obj)
    if callable(obj) and isinstance(obj, (types.BuiltinFunctionType, types.BuiltinMethodType,
                                          types.MethodDescriptorType, types.WrapperDescriptorType,
                                          types.ClassMethodDescriptorType, types.MethodWrapperType)):
        return Val('native', obj)
    if type(obj).__name__ in ('cython_function_or_method', 'fused_cython_function', 'ufunc', 'builtin_function_or_method'):
        return Val('native', obj)
    return Val('inst', obj)


# standard-library functions that call a callable they are given: name -> (positional index or None, keywords)
HIGHER_ORDER = {
    'map': (0, ()), 'filter': (0, ()), 'reduce': (0, ()), 'partial': (0, ()), 'starmap': (0, ()),
    'sorted': (None, ('key',)), 'min': (None, ('key',)), 'max': (None, ('key',)), 'groupby': (None, ('key',)),
    'accumulate': (None, ('func',)), 'dropwhile': (0, ()), 'takewhile': (0, ()), 'filterfalse': (0, ()),
    'Thread': (None, ('target',)), 'Process': (None, ('target',)), 'Timer': (1, ('function',)),
    'register': (0, ()), 'finalize': (1, ()), 'submit': (0, ()), 'run_in_executor': (1, ()),
}
HIGHER_ORDER_MODULES = {'builtins', 'functools', '_functools', 'itertools', 'threading', 'multiprocessing', 'atexit',
                        'weakref', 'concurrent', 'asyncio'}


class BodyVisitor(ast.NodeVisitor):
    def __init__(self, ma, sc, enclosing, calls):
        self.ma = ma
        self.sc = sc
        self.enclosing = enclosing
        self.calls = calls
        self.typed = {}
        self.site = None            # the ast.Call whose callee is being recorded
        self.site_binds = None
        self._last_class_call = False

    def run(self, fn):
        # local names assigned only from calls of one class: receivers of known type
        for name, values in self.sc.assigned.items():
            if name in self.sc.params or not values or any(v is None for v in values):
                continue
            kinds = set()
            for v in values:
                if isinstance(v, ast.Call):
                    fv = self.value(v.func)
                    kinds.add(('class', fv.obj) if fv.kind == 'class' else None)
                else:
                    kinds.add(None)
            if len(kinds) == 1:
                k = next(iter(kinds))
                if k is not None:
                    self.typed[name] = k[1]
        for d in fn.decorator_list:
            pass
        for st in fn.body:
            self.visit(st)
        for default in fn.args.defaults + [d for d in fn.args.kw_defaults if d is not None]:
            pass

    # nested definitions are analysed on their own
    def visit_FunctionDef(self, node):
        for d in node.decorator_list:
            self.visit(d)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        for d in node.decorator_list:
            self.visit(d)
        for b in node.bases:
            self.visit(b)

    def add(self, s):
        if self.site is not None and s[0] in 'gkmsSwc' and self.site_binds is None:
            self.site_binds = self._site_binds(self.site, s)
            s += self.site_binds
        if len(s) > 1000:
            s = s.split(' ', 1)[0]
        self.calls.add(s)

    def _site_binds(self, node, target):
        """` +#i=VAL` / ` +name=VAL` for the arguments of a call (the callee's parameter index or name):
        VAL is a CALLS string for a known callable, `L` for a lambda (its body is already counted here),
        `@i:name` for this function's own parameter, `s<name>` for a method of self, `?` otherwise."""
        if not node.args and not node.keywords:
            return ''
        t = target[0]
        offset = 1 if t in 'kmsSc' else 0
        if t == 'g' and self._last_class_call:
            offset = 1
        out = []
        for i, a in enumerate(node.args):
            if isinstance(a, ast.Starred):
                out.append(' +*=?')
                break
            out.append(' +#%d=%s' % (i + offset, self._arg_val(a)))
        for kw in node.keywords:
            if kw.arg is None:
                out.append(' +*=?')
            else:
                out.append(' +%s=%s' % (kw.arg, self._arg_val(kw.value)))
        return ''.join(out)

    def _arg_val(self, a):
        if isinstance(a, ast.Lambda):
            return 'L'
        if isinstance(a, ast.Constant) and isinstance(a.value, str):
            return ('$' + a.value) if CONSTANT_NAME.match(a.value) else '?'
        if isinstance(a, ast.Name):
            if a.id in self.sc.params and a.id != self.sc.selfname:
                # this function's own parameter, with its default when that is None or a known callable
                dflt = self._param_call(a.id).partition('=')[2]
                return '@%d:%s%s' % (self.sc.order.get(a.id, -1), a.id, ('=' + dflt) if dflt else '')
            if a.id in self.sc.locals and a.id not in self.sc.nested and a.id not in self.sc.imports:
                return '?'
        if isinstance(a, ast.Attribute) and isinstance(a.value, ast.Name) and a.value.id == self.sc.selfname:
            return 's' + a.attr
        if isinstance(a, ast.Call) and isinstance(a.func, (ast.Name, ast.Attribute)):
            v = self.value(a.func)
            if v.kind == 'func':
                r = callable_ref(v.obj, self.ma.ids, depth=1)
                return ('^' + r[1].split(' ', 1)[0].split('|', 1)[0]) if r else '?'
            if v.kind in ('nested', 'spelled'):
                return '^' + (v.obj if v.kind == 'nested' else spelled_id(v.obj))
            return '?'
        if not isinstance(a, (ast.Name, ast.Attribute)):
            return '?'
        v = self.value(a)
        if v.kind in ('func', 'native'):
            r = callable_ref(v.obj, self.ma.ids, depth=1)
            return (r[0] + r[1].split(' ', 1)[0]) if r else '?'
        if v.kind == 'class':
            return 'g' + self.ma.ids.cls_id(v.obj)
        if v.kind == 'nested':
            return 'g' + v.obj
        if v.kind == 'spelled':
            return 'g' + spelled_id(v.obj)
        if v.kind == 'classattr':
            return 'k%s|%s' % (self.ma.ids.cls_id(v.obj), v.name)
        return '?'

    # ------------------------------------------------------------- values
    def value(self, e):
        sc = self.sc
        if isinstance(e, ast.Name):
            n = e.id
            if n == sc.selfname:
                return Val('self')
            if n in sc.nested:
                return Val('nested', sc.nested[n])
            if n in sc.imports:
                ok, obj = self.ma.resolve_dotted(sc.imports[n])
                return runtime_val(obj) if ok else Val('spelled', sc.imports[n])
            if n in sc.params:
                return Val('param', name=n)
            if n in sc.locals:
                if n in self.typed:
                    return Val('typed', self.typed[n], n)
                return Val('local', name=n)
            for enc in reversed(self.enclosing):
                if n in enc.nested:
                    return Val('nested', enc.nested[n])
                if n in enc.imports:
                    ok, obj = self.ma.resolve_dotted(enc.imports[n])
                    return runtime_val(obj) if ok else Val('spelled', enc.imports[n])
                if n in enc.locals:
                    if n == enc.selfname:
                        return Val('closure', name=n)
                    return Val('closure', name=n)
            ok, obj = self.ma.runtime_global(n)
            if ok:
                return runtime_val(obj)
            if isinstance(obj, tuple):
                return Val('spelled', obj[1])
            if n in self.ma.module_defs:
                return Val('spelled', self.ma.modname + '.' + n)
            return Val('unknown', name=n)
        if isinstance(e, ast.Attribute):
            base = self.value(e.value)
            if base.kind == 'module':
                ok, obj = static_getattr(base.obj, e.attr)
                if not ok:
                    try:
                        with warnings.catch_warnings():
                            warnings.simplefilter('ignore')
                            obj = getattr(base.obj, e.attr)
                        ok = True
                    except BaseException:
                        return Val('spelled', base.obj.__name__ + '.' + e.attr)
                return runtime_val(obj)
            if base.kind == 'spelled':
                return Val('spelled', base.obj + '.' + e.attr)
            if base.kind == 'class':
                ok, obj = static_getattr(base.obj, e.attr)
                if ok:
                    if isinstance(obj, (types.FunctionType, staticmethod, classmethod)):
                        return Val('classattr', base.obj, e.attr)
                    return runtime_val(obj)
                return Val('classattr', base.obj, e.attr)
            return Val('attr', base, e.attr)
        if isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id == 'super' and not self._shadowed('super'):
            return Val('super')
        return Val('unknown')

    def _shadowed(self, name):
        return name in self.sc.locals or name in self.ma.ns and self.ma.ns[name] is not getattr(builtins, name, None)

    def ref(self, v, called):
        """Record a reference to (or a call of) value v."""
        k = v.kind
        if k in ('func', 'native'):
            r = callable_ref(v.obj, self.ma.ids)
            if r:
                self.add(r[0] + r[1])
        elif k == 'class':
            if called:
                self.add('g' + self.ma.ids.cls_id(v.obj))
        elif k == 'nested':
            self.add('g' + v.obj + self._nested_cells())
        elif k == 'spelled':
            self.add('g' + spelled_id(v.obj))
        elif k == 'classattr':
            self.add('k%s|%s' % (self.ma.ids.cls_id(v.obj), v.name))
        elif k == 'inst' and called:
            self.add('m%s|__call__' % self.ma.ids.cls_id(type(v.obj)))

    # ------------------------------------------------------------- visiting
    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load):
            v = self.value(node)
            if v.kind in ('func', 'native', 'nested', 'spelled'):
                self.ref(v, False)

    def visit_Attribute(self, node):
        if isinstance(node.ctx, ast.Load):
            if isinstance(node.value, ast.Name) and node.value.id == self.sc.selfname:
                self.add('a' + node.attr)
                return
            v = self.value(node)
            if v.kind in ('func', 'native', 'spelled', 'classattr'):
                self.ref(v, False)
                return
        elif isinstance(node.ctx, ast.Store) and isinstance(node.value, ast.Name) and node.value.id == self.sc.selfname:
            self.add('A' + node.attr)
            return
        self.visit(node.value)

    def visit_Call(self, node):
        outer = (self.site, self.site_binds, self._last_class_call)
        self.site, self.site_binds = node, None
        self._last_class_call = False
        if isinstance(node.func, (ast.Name, ast.Attribute)):
            v = self.value(node.func)
            self._last_class_call = v.kind == 'class'
        try:
            self._call(node)
        finally:
            self.site, self.site_binds, self._last_class_call = outer

    def _call(self, node):
        f = node.func
        sc = self.sc
        handled = False
        if isinstance(f, ast.Name):
            n = f.id
            if n == sc.selfname and sc.is_cls:
                self.add('c')
                handled = True
            elif n in ('getattr', 'setattr', 'delattr', 'hasattr') and not self._shadowed(n):
                self._attr_builtin(n, node)
                handled = True
            else:
                v = self.value(f)
                if v.kind in ('param', 'local', 'closure', 'unknown', 'self'):
                    if v.kind == 'closure':
                        self.add('f' + n)
                    elif v.kind == 'unknown':
                        self.add('xcalls the unresolved global %s' % n)
                    elif v.kind == 'local' and self._local_refs(n):
                        pass
                    elif v.kind == 'param' and n in sc.lambda_params and self._local_refs(n):
                        pass
                    elif v.kind == 'param':
                        self.add(self._param_call(n))
                    else:
                        self.add('xcalls the local %s' % n)
                elif v.kind == 'inst':
                    self.add('m%s|__call__' % self.ma.ids.cls_id(type(v.obj)))
                else:
                    self.ref(v, True)
                if n in HIGHER_ORDER and v.kind in ('func', 'native', 'class') and \
                        (Ids.raw_module(v.obj) or 'builtins').split('.')[0] in HIGHER_ORDER_MODULES | {'_thread'}:
                    self._higher_order(node, n)
                handled = True
        elif isinstance(f, ast.Attribute):
            handled = self._method_call(f, node)
        elif isinstance(f, ast.Call):
            inner = f.func
            if isinstance(inner, ast.Name) and inner.id == 'type' and len(f.args) == 1 and isinstance(f.args[0], ast.Name) \
                    and f.args[0].id == sc.selfname:
                self.add('c')
                handled = True
            elif isinstance(inner, ast.Name) and inner.id == 'getattr' and not self._shadowed('getattr'):
                self._getattr_call(f)
                for a in f.args:
                    self.visit(a)
                handled = True
            elif isinstance(inner, ast.Attribute) and inner.attr == '__get__':
                # `self.fget.__get__(obj, owner)()`: binding a function and calling it calls the function
                target = inner.value
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == sc.selfname:
                    self.add('s' + target.attr)
                else:
                    v = self.value(target)
                    if v.kind in ('func', 'native', 'nested', 'spelled', 'class', 'classattr'):
                        self.ref(v, True)
                    else:
                        self.add('xcalls the result of a call')
                self.visit(f)
                handled = True
            else:
                # `cls()(func)`, `SomeClass(...)(x)`: calling the instance a class call made
                made = None
                if isinstance(inner, ast.Name) and inner.id == sc.selfname and sc.is_cls:
                    made = 's__call__'
                elif isinstance(inner, (ast.Name, ast.Attribute)):
                    v = self.value(inner)
                    if v.kind == 'class':
                        made = 'k%s|__call__' % self.ma.ids.cls_id(v.obj)
                self.add(made or 'xcalls the result of a call')
                self.visit(f)
                handled = True
        elif isinstance(f, ast.Subscript):
            if self._literal_items(f.value):
                pass
            elif self._registry_root(f.value):
                self.add('y' + ast.unparse(f.value)[:60].replace(' ', ''))
            else:
                self.add('xcalls an item of a container')
            self.visit(f)
            handled = True
        elif isinstance(f, ast.Lambda):
            self.visit(f)
            handled = True
        elif isinstance(f, ast.BinOp) and isinstance(f.op, ast.Mult):
            # `(ctype * n)(*values)`: only ctypes types multiply into something callable (an array type)
            self.visit(f)
            handled = True
        else:
            self.add('xcalls a computed value')
            self.visit(f)
            handled = True
        if not handled:
            self.visit(f)
        self.site = None
        for a in node.args:
            self.visit(a)
        for kw in node.keywords:
            self.visit(kw.value)

    def _literal_items(self, e):
        """`table[key](...)` where `table` is a local assigned only from dict/list/tuple literals whose
        values are known callables: a call of each of them."""
        if not isinstance(e, ast.Name) or e.id not in self.sc.locals or e.id in self.sc.params:
            return False
        values = self.sc.assigned.get(e.id) or []
        if not values or any(not isinstance(v, (ast.Dict, ast.List, ast.Tuple)) for v in values):
            return False
        items = []
        for v in values:
            items += v.values if isinstance(v, ast.Dict) else v.elts
        vals = []
        for it in items:
            if isinstance(it, ast.Lambda):
                continue
            if not isinstance(it, (ast.Name, ast.Attribute)):
                return False
            val = self.value(it)
            if val.kind not in ('func', 'native', 'nested', 'spelled', 'class', 'classattr'):
                return False
            vals.append(val)
        for val in vals:
            self.ref(val, True)
        return True

    def _nested_cells(self):
        """A function defined in this one sees this one's parameters and locals as closure cells:
        ` ~name=@i:name` (what the parameter is bound to here), ` ~name=k<class>|__call__` for a
        local made by calling a known class (`instance_ref = weakref.ref(obj)`)."""
        out = []
        for n in sorted(self.sc.params):
            if n != self.sc.selfname and n not in self.sc.lambda_params:
                dflt = self._param_call(n).partition('=')[2]
                out.append(' ~%s=@%d:%s%s' % (n, self.sc.order.get(n, -1), n, ('=' + dflt) if dflt else ''))
        for n, cls in sorted(self.typed.items(), key=lambda kv: kv[0]):
            out.append(' ~%s=k%s|__call__' % (n, self.ma.ids.cls_id(cls)))
        return ''.join(out)

    def _param_call(self, n):
        """`p<index>:<name>[=DEFAULT]`: calling a parameter. classify resolves it through what the call
        site passed (` +#i=...`), else the default when nothing was passed, else it is unresolved."""
        out = 'p%d:%s' % (self.sc.order.get(n, -1), n)
        d = self.sc.defaults.get(n)
        if d is not None:
            if isinstance(d, ast.Constant) and d.value is None:
                return out + '=N'
            val = self.value(d) if isinstance(d, (ast.Name, ast.Attribute)) else None
            if val is not None and val.kind in ('func', 'native', 'nested', 'spelled', 'class', 'classattr'):
                if val.kind in ('func', 'native'):
                    r = callable_ref(val.obj, self.ma.ids, depth=1)
                    if r:
                        return out + '=' + r[0] + r[1].split(' ', 1)[0]
                elif val.kind == 'class':
                    return out + '=g' + self.ma.ids.cls_id(val.obj)
                elif val.kind == 'nested':
                    return out + '=g' + val.obj
                elif val.kind == 'spelled':
                    return out + '=g' + spelled_id(val.obj)
                else:
                    return out + '=k%s|%s' % (self.ma.ids.cls_id(val.obj), val.name)
        return out

    def _registry_root(self, e):
        """True when every name an expression starts from is a module-level object (a registry of
        hooks, a table of converters): what it yields was put there by the library, not by a pickle."""
        if isinstance(e, ast.Name):
            if e.id in self.sc.locals or e.id == self.sc.selfname or any(e.id in enc.locals for enc in self.enclosing):
                return False
            ok, obj = self.ma.runtime_global(e.id)
            return ok and not isinstance(obj, (types.ModuleType, type)) and not callable(obj)
        if isinstance(e, (ast.Attribute, ast.Subscript, ast.Starred)):
            return self._registry_root(e.value)
        if isinstance(e, ast.Call) and isinstance(e.func, ast.Attribute) and not e.args:
            return self._registry_root(e.func.value)
        if isinstance(e, (ast.Tuple, ast.List)) and e.elts:
            return all(self._registry_root(x) for x in e.elts)
        return False

    def _local_refs(self, n):
        """A local assigned only from resolvable globals/self methods, bound methods of other objects
        (`add = seen.add`: a duck call) or items of module-level registries: record those, True if so."""
        values = self.sc.assigned.get(n) or []
        iters = self.sc.iters.get(n) or []
        if iters and all(self._registry_root(it) for it in iters) and all(v is None for v in values) \
                and len(values) == len(iters):
            self.add('y' + n)
            return True
        if not values or any(v is None for v in values):
            return False
        refs = []
        todo = list(values)
        while todo:
            v = todo.pop(0)
            if isinstance(v, ast.IfExp):
                todo += [v.body, v.orelse]
                continue
            if isinstance(v, ast.BoolOp):
                todo += v.values
                continue
            if isinstance(v, ast.Constant) and v.value is None:
                continue
            if isinstance(v, ast.Lambda):
                refs.append(None)
                continue
            if isinstance(v, ast.Attribute) and isinstance(v.value, ast.Name) and v.value.id == self.sc.selfname:
                refs.append('s' + v.attr)
                continue
            if isinstance(v, ast.Subscript) and self._registry_root(v):
                refs.append('y' + n)
                continue
            if isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and v.func.id == 'getattr' \
                    and not self._shadowed('getattr') and len(v.args) >= 2:
                g = self._getattr_target(v.args[0], v.args[1])
                if g is None:
                    return False
                refs.append(g)
                continue
            val = self.value(v)
            if val.kind in ('func', 'native', 'nested', 'spelled', 'class', 'classattr'):
                refs.append(val)
            elif isinstance(v, ast.Attribute) and val.kind in ('attr', 'unknown'):
                refs.append('d' + v.attr)
            else:
                return False
        for r in refs:
            if r is None:
                continue
            if isinstance(r, str):
                self.add(r)
            else:
                self.ref(r, True)
        return True

    def _higher_order(self, node, name):
        pos, kws = HIGHER_ORDER[name]
        cands = ([node.args[pos]] if pos is not None and len(node.args) > pos else []) + \
            [kw.value for kw in node.keywords if kw.arg in kws]
        for c in cands:
            if isinstance(c, ast.Name):
                v = self.value(c)
                if v.kind == 'param':
                    self.add(self._param_call(c.id))
                elif v.kind == 'closure':
                    self.add('f' + c.id)

    def _method_call(self, f, node):
        sc = self.sc
        b = f.value
        if isinstance(b, ast.Name) and b.id == sc.selfname:
            self.add('c' if f.attr == '__class__' and not sc.is_cls else 's' + f.attr)
            return True
        base = self.value(b)
        k = base.kind
        if k == 'super':
            self.add('S' + f.attr)
            for a in b.args:
                self.visit(a)
            return True
        if k in ('module', 'spelled', 'class'):
            v = self.value(f)
            if v.kind in ('param', 'local', 'unknown'):
                self.add('d' + f.attr)
            elif v.kind == 'inst':
                self.add('m%s|__call__' % self.ma.ids.cls_id(type(v.obj)))
            else:
                self.ref(v, True)
                if f.attr in HIGHER_ORDER and v.kind in ('func', 'native', 'class') and \
                        (Ids.raw_module(v.obj) or 'builtins').split('.')[0] in HIGHER_ORDER_MODULES | {'_thread'}:
                    self._higher_order(node, f.attr)
            return True
        if k == 'inst':
            self.add('m%s|%s%s' % (self.ma.ids.cls_id(type(base.obj)), f.attr, instance_bindings(base.obj, self.ma.ids)))
            return True
        if k == 'typed':
            self.add('k%s|%s' % (self.ma.ids.cls_id(base.obj), f.attr))
            return True
        if k in ('func', 'native'):
            # e.g. np.add.reduce(...), func.cache_clear()
            self.add('d' + f.attr)
            return True
        if isinstance(b, ast.Attribute) and isinstance(b.value, ast.Name) and b.value.id == sc.selfname \
                and b.attr == '__class__':
            self.add('s' + f.attr)
            return True
        self.add('d' + f.attr)
        self.visit(b)
        return True

    def _attr_builtin(self, n, node):
        args = node.args
        for a in args:
            self.visit(a)
        for kw in node.keywords:
            self.visit(kw.value)
        if len(args) < 2:
            return
        target, name = args[0], args[1]
        const = isinstance(name, ast.Constant) and isinstance(name.value, str)
        on_self = isinstance(target, ast.Name) and target.id == self.sc.selfname
        if n == 'getattr':
            if on_self:
                self.add('a' + name.value if const else 'P')
        elif n == 'setattr':
            if on_self:
                self.add('A' + name.value if const else 'T')

    def _getattr_target(self, target, name):
        """What calling `getattr(target, name)` calls, as one CALLS string, or None if unknown."""
        const = isinstance(name, ast.Constant) and isinstance(name.value, str)
        on_self = isinstance(target, ast.Name) and target.id == self.sc.selfname
        if const:
            return ('s' if on_self else 'd') + name.value
        if on_self:
            return 'G'
        if isinstance(name, ast.Name) and name.id in self.sc.params:
            # a method named by a parameter: `_wrapfunc(a, 'reshape', ...)` -> `a.reshape(...)`
            return 'q%d:%s' % (self.sc.order.get(name.id, -1), name.id)
        return None

    def _getattr_call(self, g):
        """getattr(x, name)(...)."""
        args = g.args
        if len(args) < 2:
            self.add('xcalls getattr(...)')
            return
        target, name = args[0], args[1]
        if isinstance(name, ast.Name) and name.id in self.sc.params and not \
                (isinstance(target, ast.Name) and target.id == self.sc.selfname):
            self.add(self._getattr_target(target, name))
            return
        const = isinstance(name, ast.Constant) and isinstance(name.value, str)
        on_self = isinstance(target, ast.Name) and target.id == self.sc.selfname
        if const:
            if on_self:
                self.add('s' + name.value)
            else:
                base = self.value(target)
                if base.kind in ('module', 'class', 'spelled'):
                    fake = ast.Attribute(value=target, attr=name.value, ctx=ast.Load())
                    self.ref(self.value(fake), True)
                else:
                    self.add('d' + name.value)
        elif on_self:
            self.add('G')
        else:
            self.add('xcalls getattr(x, <non-constant name>)')

    def visit_Return(self, node):
        # reduce targets: `return (f, args...)` inside __reduce__/__reduce_ex__
        q = self.sc.qual.rsplit('.', 1)[-1]
        if q in ('__reduce__', '__reduce_ex__') and isinstance(node.value, ast.Tuple) and node.value.elts:
            first = node.value.elts[0]
            v = self.value(first)
            if v.kind == 'class':
                self.add('rg' + self.ma.ids.cls_id(v.obj))
            elif v.kind in ('func', 'native'):
                r = callable_ref(v.obj, self.ma.ids)
                if r:
                    self.add('r' + r[0] + r[1])
            elif v.kind == 'nested':
                self.add('rg' + v.obj)
            elif v.kind == 'spelled':
                self.add('rg' + spelled_id(v.obj))
            elif isinstance(first, ast.Attribute) and isinstance(first.value, ast.Name) and first.value.id == self.sc.selfname \
                    and first.attr == '__class__' or (isinstance(first, ast.Call) and isinstance(first.func, ast.Name)
                                                      and first.func.id == 'type'):
                self.add('rself')
        self.generic_visit(node)


def spelled_id(dotted):
    """`a.b.c` of an unloaded import: best guess `a.b:c`."""
    if ':' in dotted:
        return dotted
    i = dotted.rfind('.')
    return dotted if i < 0 else dotted[:i] + ':' + dotted[i + 1:]


# --------------------------------------------------------------------------------- classes

SKIP_ATTRS = {'__doc__', '__module__', '__dict__', '__weakref__', '__qualname__', '__slots__', '__annotations__',
              '__orig_bases__', '__parameters__', '__abstractmethods__', '_abc_impl', '__match_args__',
              '__dataclass_fields__', '__dataclass_params__', '__firstlineno__', '__static_attributes__'}


def class_record(cls, ids):
    rec = {}
    try:
        native = not (cls.__flags__ & HEAPTYPE)
    except Exception:
        native = True
    if native:
        rec['native'] = 1
    mro = []
    for k in getattr(cls, '__mro__', ())[1:]:
        if k is object:
            continue
        mro.append(ids.cls_id(k))
    if mro:
        rec['mro'] = mro
    meta = type(cls)
    if meta is not type:
        rec['meta'] = ids.cls_id(meta)
    cid = ids.cls_id(cls)
    attrs = {}
    try:
        d = dict(vars(cls))
    except Exception:
        d = {}
    for name in sorted(d):
        if name in SKIP_ATTRS:
            continue
        v = d[name]
        if name == '__hash__' and v is None:
            attrs[name] = '0'       # unhashable: never a dict key or set member
            continue
        r = attr_ref(v, ids, cid, name)
        if r is not None:
            attrs[name] = r
    if attrs:
        rec['attrs'] = attrs
    return rec


def instance_bindings(obj, ids):
    """` ~attr=CALL` for each attribute of a library-made instance that holds a callable."""
    try:
        d = vars(obj)
    except Exception:
        return ''
    if not isinstance(d, dict):
        return ''
    out = []
    for k in sorted(d):
        v = d[k]
        if isinstance(v, (staticmethod, classmethod)):
            v = v.__func__
        if isinstance(v, types.ModuleType) or not callable(v) or not isinstance(k, str) or not k.isidentifier():
            continue
        try:
            r = callable_ref(v, ids, depth=1)
        except Exception:
            r = None
        if r:
            out.append(' ~%s=%s%s' % (k, r[0], r[1].split(' ', 1)[0]))
    return ''.join(out)


def func_ref(fn, ids, owner, name):
    if not isinstance(fn, types.FunctionType):
        return 'N'
    chain = unwrap_chain(fn)
    nid = ids.node_id(fn, owner, name)
    binds = closure_bindings(fn, ids, 0)
    if chain and isinstance(chain[-1], types.FunctionType):
        inner = [ids.node_id(w, owner, name) for w in chain if isinstance(w, types.FunctionType)]
        return 'W' + '|'.join([nid] + inner) + binds
    if nid == '%s.%s' % (owner, name):
        return 'F' + binds  # the common case, a method defined in this class
    return 'F' + nid + binds


def attr_ref(v, ids, owner, name):
    try:
        if isinstance(v, (staticmethod, classmethod)):
            v = v.__func__
        if isinstance(v, types.FunctionType):
            return func_ref(v, ids, owner, name)
        if isinstance(v, property):
            g = func_ref(v.fget, ids, owner, name) if v.fget else ''
            s = func_ref(v.fset, ids, owner, name) if v.fset else ''
            return 'P%s^%s' % (g, s)
        if isinstance(v, functools.cached_property):
            return 'P%s^' % func_ref(v.func, ids, owner, name)
        if isinstance(v, type):
            return 'C' + ids.cls_id(v)
        if isinstance(v, (types.MethodDescriptorType, types.WrapperDescriptorType, types.ClassMethodDescriptorType,
                          types.GetSetDescriptorType, types.MemberDescriptorType, types.BuiltinFunctionType)):
            return 'N'
        tn = type(v).__name__
        if tn in ('cython_function_or_method', 'fused_cython_function', 'method_descriptor'):
            return 'N'
        if isinstance(v, functools.partial):
            r = callable_ref(v, ids)
            return ('B' + r[1]) if r else 'X'
        if hasattr(type(v), '__get__') and not isinstance(v, (int, float, str, bytes, tuple, list, dict, frozenset, set)):
            # another descriptor: its __get__/__set__ run on attribute access; the callables it holds
            # in its own attributes (`CachedAccessor._accessor`) are recorded as ` ~name=CALL`
            return 'D' + ids.cls_id(type(v)) + instance_bindings(v, ids)
        if callable(v):
            if type(v).__name__ in ('ufunc', 'builtin_function_or_method'):
                return 'B' + ids.native_id(v)
            return 'X'
    except Exception:
        return 'X'
    return None


# --------------------------------------------------------------------------------- objects

def kind_of(obj):
    if isinstance(obj, type):
        return 'class'
    if isinstance(obj, types.ModuleType):
        return None
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType, types.MethodType, functools.partial)):
        return 'function'
    if callable(obj):
        return 'function'
    return 'value'


def canonical(obj, aliases, ids):
    if isinstance(obj, type):
        return ids.cls_id(obj)
    m = Ids.raw_module(obj)
    q = getattr(obj, '__qualname__', None)
    if isinstance(m, str) and isinstance(q, str) and '<' not in q:
        mod = sys.modules.get(m)
        cur = mod
        ok = mod is not None
        for p in q.split('.'):
            if not ok:
                break
            ok, cur = static_getattr(cur, p) if isinstance(cur, (types.ModuleType, type)) else (False, None)
        if ok and (cur is obj or (isinstance(cur, (staticmethod, classmethod)) and cur.__func__ is obj)):
            return '%s:%s' % (m, q)
    return min(aliases, key=lambda a: (a.count('.'), len(a), a))


def collect_objects(mods, ids, packages):
    found = {}      # id(obj) -> [obj, set(aliases)]

    def note(obj, alias):
        e = found.get(id(obj))
        if e is None:
            found[id(obj)] = e = [obj, set()]
        e[1].add(alias)

    for modname in sorted(mods):
        try:
            d = dict(vars(mods[modname]))
        except Exception:
            continue
        for attr in sorted(d):
            if attr.startswith('__') and attr.endswith('__'):
                continue
            obj = d[attr]
            k = kind_of(obj)
            if k is None:
                continue
            if k == 'value':
                t = type(obj)
                tm = Ids.raw_module(t) or ''
                if not belongs(tm, packages) or isinstance(obj, types.ModuleType):
                    continue
            note(obj, '%s:%s' % (modname, attr))
            if k == 'class':
                nested_aliases(obj, '%s:%s' % (modname, attr), note, packages, 0, set())
    return found


def nested_aliases(cls, prefix, note, packages, depth, seen):
    if depth >= 2 or id(cls) in seen:
        return
    seen = seen | {id(cls)}
    try:
        d = dict(vars(cls))
    except Exception:
        return
    for k in sorted(d):
        v = d[k]
        if isinstance(v, type) and v is not cls and belongs(Ids.raw_module(v) or '', packages) \
                and getattr(v, '__qualname__', None) == '%s.%s' % (cls.__qualname__, k):
            # a class defined inside the class (pickle writes it as `Outer.Inner`); class attributes that
            # merely hold another class are spellings no pickle writer uses
            note(v, prefix + '.' + k)
            nested_aliases(v, prefix + '.' + k, note, packages, depth + 1, seen)


# --------------------------------------------------------------------------------- reduce probe

def probe_reduce(classes, ids, log):
    """Callables a compiled class's __reduce_ex__ returns on a bare instance (each in a fork)."""
    out = {}
    for cid, cls in classes:
        r_fd, w_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r_fd)
            res = ''
            try:
                signal.alarm(5)
                with Quiet(), warnings.catch_warnings():
                    warnings.simplefilter('ignore')
                    inst = cls.__new__(cls)
                    rv = inst.__reduce_ex__(2)
                if isinstance(rv, tuple) and rv and callable(rv[0]):
                    ref = callable_ref(rv[0], ids)
                    if ref:
                        res = ref[0] + ref[1]
            except BaseException:
                res = ''
            os.write(w_fd, res.encode('utf-8', 'replace'))
            os._exit(0)
        os.close(w_fd)
        data = b''
        while True:
            chunk = os.read(r_fd, 65536)
            if not chunk:
                break
            data += chunk
        os.close(r_fd)
        os.waitpid(pid, 0)
        if data:
            out[cid] = data.decode('utf-8', 'replace')
    log('probed %d compiled classes, %d reduce targets' % (len(classes), len(out)))
    return out


# --------------------------------------------------------------------------------- slimming

def all_classes():
    out, todo, seen = [], [object], set()
    while todo:
        c = todo.pop()
        if id(c) in seen:
            continue
        seen.add(id(c))
        out.append(c)
        try:
            subs = type.__subclasses__(c) if c is not type else []
        except Exception:
            subs = []
        todo.extend(subs)
    return out


def python_member_names():
    """Names that some Python-defined class in this process defines as a method, property or
    descriptor (`members`), and the names of properties/descriptors with a setter (`props`)."""
    members, props = set(), set()
    for c in all_classes():
        try:
            if not (c.__flags__ & HEAPTYPE):
                continue
            d = dict(vars(c))
        except Exception:
            continue
        for k, v in d.items():
            if isinstance(v, (types.FunctionType, staticmethod, classmethod, functools.cached_property)):
                members.add(k)
            elif isinstance(v, property):
                members.add(k)
                if v.fset is not None:
                    props.add(k)
            elif hasattr(type(v), '__get__') and not isinstance(v, (type, types.BuiltinFunctionType)) \
                    and type(v).__flags__ & HEAPTYPE:
                members.add(k)
                if hasattr(type(v), '__set__'):
                    props.add(k)
    return members, props


def slim(calls, members, props):
    """Drops what classification cannot use: inert builtins, loads of names no Python class
    defines as a member, duck calls of names no Python class defines (unless listed in sinks.DUCK),
    stores to names that are no property (kept as a bare `A`: `__setattr__` still runs)."""
    out = set()
    for c in calls:
        t, rest = c[0], c[1:]
        if t in 'gn' and sinks.is_inert(rest.split(' ', 1)[0]):
            continue
        if t == 'a' and rest not in members:
            continue
        if t == 'd' and rest not in members and rest not in sinks.DUCK:
            continue
        if t == 'A' and rest not in props:
            c = 'A'
        out.add(c)
    return sorted(out)


# --------------------------------------------------------------------------------- main

PLACEHOLDER_VERSIONS = {'999', 'unknown', '0.0.0', '0+unknown', ''}


def version_of(packages):
    """`__version__` of the top-level package; when a Debian build left a placeholder there (xarray's
    `999`) or none, the distribution's metadata, else the Debian package's own version."""
    for p in packages:
        m = sys.modules.get(p)
        for attr in ('__version__', 'version', 'VERSION'):
            try:
                v = getattr(m, attr, None) if m else None
            except BaseException:
                v = None
            if isinstance(v, tuple):
                v = '.'.join(map(str, v))
            if isinstance(v, str) and v not in PLACEHOLDER_VERSIONS:
                return v
    try:
        from importlib import metadata
        dists = metadata.packages_distributions()
        for p in packages:
            names = sorted(dists.get(p.split('.')[0]) or [], key=lambda d: (d.replace('-', '.') != p, d))
            for dist in names:
                v = metadata.version(dist)
                if v and v not in PLACEHOLDER_VERSIONS:
                    return v
    except Exception:
        pass
    import subprocess
    for p in packages:
        m = sys.modules.get(p)
        f = vars(m).get('__file__') if m else None
        if not isinstance(f, str):
            continue
        try:
            owner = subprocess.run(['dpkg-query', '-S', os.path.realpath(f)], capture_output=True, text=True, timeout=30)
            pkg = owner.stdout.split(':', 1)[0].strip()
            if pkg:
                ver = subprocess.run(['dpkg-query', '-W', '-f=${Version}', pkg], capture_output=True, text=True, timeout=30)
                if ver.stdout.strip():
                    return 'debian ' + ver.stdout.strip()
        except Exception:
            pass
    return 'unknown'


def extract(library, packages, generation, log):
    os.environ.setdefault('MPLBACKEND', 'Agg')
    os.environ.setdefault('TQDM_DISABLE', '1')
    mods, failed = walk_modules(packages, log)
    ids = Ids(packages)
    version = version_of(packages)

    # functions from source
    functions = {}
    parsed = 0
    for modname in sorted(mods):
        mod = mods[modname]
        f = vars(mod).get('__file__')
        if not isinstance(f, str) or not f.endswith('.py'):
            continue
        try:
            with open(f, 'rb') as fh:
                src = fh.read()
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                tree = ast.parse(src, filename=f)
        except Exception as e:
            failed[modname] = 'source: ' + short(e)
            continue
        if ids.filemod.get(os.path.realpath(f)) != modname:
            # the same file under two names: keep the name code objects report
            modname_file = ids.filemod.get(os.path.realpath(f), modname)
        else:
            modname_file = modname
        parsed += 1
        try:
            fns = ModuleAnalyzer(modname_file, mod, mangle_private_names(tree), ids).run()
        except RecursionError:
            failed[modname] = 'source: too deeply nested'
            continue
        for nid, calls in fns.items():
            functions.setdefault(nid, set()).update(calls)
    log('parsed %d source files, %d functions' % (parsed, len(functions)))

    # objects and aliases
    found = collect_objects(mods, ids, packages)
    objects = {}
    foreign = {}
    classes = {}
    class_objs = []
    for _k, (obj, aliases) in sorted(found.items(), key=lambda kv: min(kv[1][1])):
        als = sorted(aliases)
        try:
            canon = canonical(obj, als, ids)
        except Exception:
            canon = als[0]
        kind = kind_of(obj)
        home = canon.split(':', 1)[0]
        if kind == 'class':
            home = Ids.raw_module(obj) or home
        if not belongs(home, packages):
            # a re-export of another library's (or the standard library's) object
            for a in als:
                foreign[a] = [kind, canon]
            if kind == 'class':
                class_objs.append((canon, obj))
            continue
        qual = canon.split(':', 1)[1]
        rec = {'kind': kind, 'aliases': [a.split(':', 1)[0] if a.split(':', 1)[1] == qual else a for a in als if a != canon]}
        if kind == 'class':
            class_objs.append((canon, obj))
        elif kind == 'function':
            ref = callable_ref(obj, ids)
            if ref and ref[0] + ref[1] != 'g' + canon:
                rec['call'] = ref[0] + ref[1]
            elif not ref:
                rec['call'] = ''
            if isinstance(obj, types.MethodType) and not isinstance(obj.__self__, type):
                rec['self'] = ids.cls_id(type(obj.__self__))
            elif isinstance(obj, types.MethodType):
                rec['self'] = ids.cls_id(obj.__self__)
            if not isinstance(obj, (types.FunctionType, types.MethodType, functools.partial)):
                rec['native'] = 1
        else:
            rec['type'] = ids.cls_id(type(obj))
        if canon in objects:
            n = 2
            while '%s#%d' % (canon, n) in objects:
                n += 1
            canon = '%s#%d' % (canon, n)
        objects[canon] = rec

    # class records: library classes, every other non-stdlib class a call names, their ancestors
    # and metaclasses (any library)
    todo = list(class_objs)
    seen = set()
    done_seen = set()
    while True:
        if not todo:
            more = [(k, c) for k, c in sorted(ids.classes_seen.items()) if k not in done_seen]
            if not more:
                break
            for k, c in more:
                done_seen.add(k)
                if (Ids.raw_module(c) or 'builtins').split('.')[0] not in STDLIB:
                    todo.append((k, c))
            continue
        cid, cls = todo.pop()
        if id(cls) in seen or cls is object:
            continue
        seen.add(id(cls))
        rec = class_record(cls, ids)
        cid = ids.cls_id(cls)
        top = (Ids.raw_module(cls) or '').split('.')[0]
        if top in STDLIB or top == 'builtins':
            # standard library ancestors: only which names they define (their methods are leaves)
            rec = {k: v for k, v in rec.items() if k in ('mro', 'meta', 'native')}
            rec['attrs'] = {n: 'L' for n in sorted(vars(cls)) if n not in SKIP_ATTRS}
            rec['stdlib'] = 1
        if cid not in classes:
            classes[cid] = rec
        for k in getattr(cls, '__mro__', ())[1:]:
            todo.append((None, k))
        if type(cls) is not type:
            todo.append((None, type(cls)))
    log('%d objects, %d foreign aliases, %d class records' % (len(objects), len(foreign), len(classes)))

    # functions whose code claims a parsed source file but is not defined in it (generated with
    # exec under the file's name, lambdas inside functions): read their bytecode
    parsed_modules = {nid.split(':', 1)[0] for nid in functions}
    for nid, fn in sorted(ids.fns_seen.items()):
        if nid.split(':', 1)[0] in parsed_modules and nid not in functions:
            functions[nid] = set(bytecode_calls(fn, ids))
    # bytecode-analysed functions (no source) found on the way
    for nid, calls in list(ids.gen_calls.items()):
        if calls is not None and nid not in functions:
            functions[nid] = set(calls)

    # compiled classes of the library with a reduce method of their own
    probe = []
    for cid, cls in class_objs:
        if not belongs(Ids.raw_module(cls) or '', packages):
            continue
        try:
            native = not (cls.__flags__ & HEAPTYPE)
            d = vars(cls)
        except Exception:
            continue
        if native or any(n in d and not isinstance(d[n], types.FunctionType)
                         for n in ('__reduce__', '__reduce_ex__', '__reduce_cython__')):
            if any(n in d for n in ('__reduce__', '__reduce_ex__', '__reduce_cython__')):
                probe.append((cid, cls))
    reduce = probe_reduce(sorted(probe, key=lambda x: x[0]), ids, log)

    # keep only functions of this library's files (others come from their own extraction), and
    # only the calls that can matter (see slim())
    members, props = python_member_names()
    own = {nid: slim(calls, members, props) for nid, calls in functions.items()
           if belongs(nid.split(':', 1)[0], packages) or nid.startswith('gen:')}
    return {
        'format': FORMAT,
        'library': library,
        'packages': packages,
        'generation': generation,
        'python': platform.python_version(),
        'version': version,
        'stdlib': sorted(STDLIB),
        'modules': sorted(mods),
        'failed': dict(sorted(failed.items())),
        'objects': dict(sorted(objects.items())),
        'foreign': dict(sorted(foreign.items())),
        'classes': dict(sorted(classes.items())),
        'functions': dict(sorted(own.items())),
        'reduce': dict(sorted(reduce.items())),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--library', help='a name from libraries.py')
    ap.add_argument('--package', action='append', help='a top-level package of your own (repeatable)')
    ap.add_argument('--name', help='catalogue name for --package (default: the first package)')
    ap.add_argument('--generation', required=True, help='label of this environment, e.g. bookworm, trixie, local')
    ap.add_argument('--out', required=True, help='directory for <library>-<generation>.json.gz')
    ap.add_argument('--path', action='append', default=[], help='prepend to sys.path (repeatable)')
    args = ap.parse_args()
    for p in reversed(args.path):
        sys.path.insert(0, os.path.abspath(p))
    if args.library:
        packages = BY_NAME[args.library][0]
        library = args.library
    elif args.package:
        packages = args.package
        library = args.name or args.package[0]
    else:
        ap.error('--library or --package')

    def log(msg):
        print('[%s/%s] %s' % (library, args.generation, msg), file=sys.stderr, flush=True)

    sys.setrecursionlimit(10000)
    data = extract(library, packages, args.generation, log)
    if not data['objects']:
        log('nothing importable: not written')
        sys.exit(3)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, '%s-%s.json.gz' % (library, args.generation))
    raw = json.dumps(data, sort_keys=True, separators=(',', ':'), ensure_ascii=True).encode()
    with open(path, 'wb') as fh:
        with gzip.GzipFile(filename='', mode='wb', fileobj=fh, mtime=0, compresslevel=9) as gz:
            gz.write(raw)
    log('wrote %s (%d bytes, %d raw)' % (path, os.path.getsize(path), len(raw)))


if __name__ == '__main__':
    main()
