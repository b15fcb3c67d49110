#!/usr/bin/env python3
"""Catalogue stage 2, *classify*: pure, from recorded inputs only (standard library only).

    python3 classify.py --inputs samples/catalogue/inputs --out src/names/catalogue
    python3 classify.py --inputs DIR --stdout            # the catalogue as one JSON document
    python3 classify.py --inputs DIR --out DIR --check   # exit 1 if the files differ

For every generation (environment) it merges the recorded inputs of all libraries into one call
graph and walks it from everything reconstruction runs:

- for a class: constructing it (the metaclass `__call__`, `__new__`, `__init__`: a pickle can
  REDUCE any class it may import with arguments of its choice), `__setstate__`, `__setattr__`
  (BUILD's slot state), `__getattr__`/`__getattribute__` (BUILD looks `__setstate__` up),
  `__setitem__`, `append`, `extend`, `add` (SETITEMS/APPENDS/ADDITEMS on a non-builtin object),
  `__hash__` and `__eq__` (dict keys and set members), `__del__` (garbage collection), and what
  its `__reduce__`/`__reduce_ex__` return (the reconstructor the pickle calls);
- for a function: the function itself (REDUCE calls it with arguments of the pickle's choice).

The walk follows resolved calls through the catalogued libraries' own code (any depth, to a fixed
point; cycles are fine), `self.method()` through the MRO of the concrete class, `super()`,
properties and descriptors, `__setattr__` on attribute stores, decorators' wrapped functions.
The standard library is trusted except for the sinks in sinks.py; compiled code is trusted except
for sinks. Verdicts:

    class       a class whose reconstruction reaches no sink and no unresolved call
    function    a callable (not a class) whose call reaches no sink and no unresolved call
    value       a module-level instance of a library class (not callable by the pickle)
    gadget      a class or function whose reconstruction or call reaches a sink (`sink`, `path`)
    unverified  no sink found, but an unresolved call is reachable: calling a parameter or an
                attribute value, `getattr(x, name)()`, a call into an uncatalogued package, a
                function without recorded source (`unresolved`, `path`); never allowed

A gadget or unverified class also gets `callOnly` when the walk without `__init__` (every other
entry point, `__new__` with arguments of the pickle's choice) reaches nothing: only calling the
class (REDUCE, INST/OBJ with arguments) is bad; a rebuild (NEWOBJ, `copyreg.__newobj__`,
`copyreg._reconstructor(cls, object, None)`, then BUILD) is not. Over generations it holds only
when it holds in every generation where the class is not safe.

Calls are followed with what each call site passes (` +#i=VAL`): a parameter the caller fills with a
known callable calls that callable; one the pickle fills (the entry point's own arguments) is
unresolved. A method of a library-made instance sees the callables the instance holds (` ~name=`).

Output: one JSON file per library (src/names/catalogue/<library>.json) and libraries.ts
(packages -> library, versions, file). Deterministic: sorted keys, no timestamps.

    --explain MODULE:QUALNAME   prints one walk step by step
    --stats                     entries per library, generation and kind
"""
import argparse
import collections
import gzip
import json
import lzma
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import sinks  # noqa: E402

FORMAT = 1

# methods the unpickler (or the object's life after it) runs on an object the pickle built
ENTRY_METHODS = ['__new__', '__init__', '__setstate__', '__setattr__', '__getattr__', '__getattribute__',
                 '__setitem__', 'append', 'extend', 'add', '__hash__', '__eq__', '__del__']
OBJECT_METHODS = {'builtins:object', 'builtins:type'}
ENTRY_ARITY = {'__setstate__': 1, '__setattr__': 2, '__getattr__': 1, '__getattribute__': 1, '__setitem__': 2,
               'append': 1, 'extend': 1, 'add': 1, '__hash__': 0, '__eq__': 1, '__del__': 0}

SINK, UNRESOLVED = 'sink', 'unresolved'
RANK = {'class': 0, 'function': 0, 'value': 0, 'unverified': 1, 'gadget': 2}


def load_inputs(dirs):
    """Recorded inputs: `<library>.json.xz` (every generation, as pack.py writes them) or
    `<library>-<generation>.json.gz` (one generation, as extract.py writes them)."""
    out = {}
    for d in dirs:
        for f in sorted(os.listdir(d)):
            p = os.path.join(d, f)
            if f.endswith('.json.xz'):
                with lzma.open(p, 'rb') as fh:
                    doc = json.loads(fh.read().decode('utf-8'))
                for g, rec in sorted(doc['generations'].items()):
                    out[(rec['library'], g)] = rec
            elif f.endswith('.json.gz'):
                with gzip.open(p, 'rb') as fh:
                    rec = json.loads(fh.read().decode('utf-8'))
                out[(rec['library'], rec['generation'])] = rec
    return [out[k] for k in sorted(out)]


class Terminal(tuple):
    """A walk leaf: (SINK, ident, category, why, rule) or (UNRESOLVED, description)."""


DOTTED = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$')
BIND = re.compile(r'^[~+](?:[A-Za-z_][A-Za-z0-9_]*|#-?[0-9]+|\*|\^)=?')


def split_binds(text):
    """`id ~name=CALL +#1=VAL` -> ('id', ('~name=CALL',), ('+#1=VAL',)): a function's closure cells
    holding callables (`~`) and what a call site passes (`+`)."""
    if ' ' not in text:
        return text, (), ()
    parts = text.split(' ')
    head, closure, site = parts[0], [], []
    for p in parts[1:]:
        if p.startswith('~') and BIND.match(p):
            closure.append(p)
        elif p.startswith('+') and BIND.match(p):
            site.append(p)
        elif p:
            head += ' ' + p
    return head, tuple(closure), tuple(site)


def make_state(nid, selfcls, chain=(), closure=(), site=None):
    """A walk state: (function node, the concrete class of self, extras): extras are the wrapped
    functions of a decorator's wrapper, closure cells (`~name=CALL`) and, for a state reached from a
    call site, `+^` and what the site passed (`+#i=VAL`, `+name=VAL`). A state without `+^` is a
    root: the pickle calls it with arguments of its choice."""
    extra = tuple(chain) + tuple(closure)
    if site is not None:
        extra += ('+^',) + tuple(site)
    return (nid, selfcls, extra or None)


def expand_aliases(canon, aliases):
    """Recorded aliases leave out the canonical name and, when the qualname is the canonical one,
    the qualname (`sklearn.linear_model` for `sklearn.linear_model:LinearRegression`)."""
    qual = canon.split(':', 1)[1].split('#', 1)[0]
    return [canon] + [a if ':' in a else '%s:%s' % (a, qual) for a in aliases]


def target_name(call):
    """The callable a CALLS string names (`gmod:f` -> `mod:f`; a wrapper -> the wrapper)."""
    return call[1:].split('|', 1)[0]


def term_sink(ident, m):
    return Terminal((SINK, ident, m[0], m[1], m[2]))


def term_unresolved(desc):
    return Terminal((UNRESOLVED, desc))


class Touched(dict):
    """A dict that remembers which keys were asked for (pack.py drops the class records no walk needs)."""

    def __init__(self, *a):
        super().__init__(*a)
        self.touched = set()

    def get(self, k, default=None):
        self.touched.add(k)
        return super().get(k, default)

    def __contains__(self, k):
        self.touched.add(k)
        return super().__contains__(k)

    def __getitem__(self, k):
        self.touched.add(k)
        return super().__getitem__(k)


class Generation:
    def __init__(self, name, inputs):
        self.name = name
        self.inputs = sorted(inputs, key=lambda d: d['library'])
        self.libraries = {d['library']: d for d in self.inputs}
        self.packages = []
        for d in self.inputs:
            for p in d['packages']:
                self.packages.append((p, d['library']))
        self.packages.sort(key=lambda x: (-len(x[0]), x[0]))
        self.stdlib = set()
        for d in self.inputs:
            self.stdlib.update(d.get('stdlib', []))
        self.classes = {}
        for d in self.inputs:
            for cid, rec in d['classes'].items():
                own = self.library_of(cid.split(':', 1)[0]) == d['library']
                if cid not in self.classes or (own and not self.classes[cid][1]):
                    self.classes[cid] = (rec, own)
        self.classes = Touched({k: v[0] for k, v in self.classes.items()})
        self.queried = set()        # attribute names looked up in some class
        self.all_names = set()      # classes whose every attribute was listed (getattr(self, name) walks)
        self.functions = {}
        for d in self.inputs:
            for nid, calls in d['functions'].items():
                if nid in self.functions:
                    if calls != self.functions[nid]:
                        self.functions[nid] = sorted(set(self.functions[nid]) | set(calls))
                else:
                    self.functions[nid] = calls
        self.reduce = {}
        for d in self.inputs:
            self.reduce.update(d.get('reduce', {}))
        # every recorded spelling of an object -> the CALLS string that calls it
        self.aliases = {}
        for d in self.inputs:
            for canon, obj in d['objects'].items():
                if obj['kind'] == 'value':
                    continue
                call = canon if obj['kind'] == 'class' else obj.get('call', 'g' + canon)
                if obj['kind'] == 'class':
                    call = 'g' + canon
                for a in expand_aliases(canon, obj['aliases']):
                    self.aliases.setdefault(a, call)
        self.modules = {}
        for d in self.inputs:
            for m in d['modules']:
                self.modules[m] = d['library']
        self.attr_cache = {}
        self.reduce_src = {}
        self.mro_cache = {}
        self.succ_cache = {}

    # ------------------------------------------------------------------ names
    def library_of(self, module):
        for p, lib in self.packages:
            if module == p or module.startswith(p + '.'):
                return lib
        return None

    def is_stdlib(self, ident):
        mod = ident.split(':', 1)[0]
        return mod.split('.')[0] in self.stdlib or mod in ('builtins', '__builtin__')

    @staticmethod
    def is_native_module(ident):
        return ident.split(':', 1)[0] in sinks.NATIVE_MODULES

    # ------------------------------------------------------------------ classes
    def mro(self, cid):
        """[cid] + its MRO (recorded classes only; an unrecorded ancestor ends the list with None)."""
        m = self.mro_cache.get(cid)
        if m is None:
            rec = self.classes.get(cid)
            m = [cid] + (rec.get('mro', []) if rec else [])
            self.mro_cache[cid] = m
        return m

    def attrs(self, cid):
        a = self.attr_cache.get(cid)
        if a is None:
            rec = self.classes.get(cid) or {}
            a = {}
            for name, ref in rec.get('attrs', {}).items():
                if ref == 'F':
                    ref = 'F%s.%s' % (cid, name)
                a[name] = ref
            self.attr_cache[cid] = a
        return a

    def lookup(self, cid, name, start=0):
        """(defining class, ref) for name in cid's MRO from position start, or (None, None)."""
        self.queried.add(name)
        for c in self.mro(cid)[start:]:
            if c in OBJECT_METHODS:
                continue
            if c not in self.classes:
                if self.is_stdlib(c) or self.is_native_module(c):
                    return c, 'N'
                return c, '?'
            a = self.attrs(c)
            if name in a:
                return c, a[name]
        return None, None

    def method_names(self, cid):
        names = set()
        for c in self.mro(cid):
            self.all_names.add(c)
            if c in self.classes:
                names.update(self.attrs(c))
        return sorted(names)

    # ------------------------------------------------------------------ edges
    def leaf(self, ident, native):
        """A callable without recorded code."""
        m = sinks.match(ident)
        if m:
            return [term_sink(ident, m)]
        if self.is_stdlib(ident):
            return []
        if ident.startswith('gen:'):
            return [term_unresolved('no code recorded for %s' % ident)]
        mod = ident.split(':', 1)[0]
        lib = self.library_of(mod)
        if native and (self.is_native_module(ident) or lib is not None and lib in self.libraries):
            return []                   # compiled code of a catalogued library: trusted, not read
        if lib is not None and lib in self.libraries:
            return [term_unresolved('no source recorded for %s' % ident)]
        if lib is not None:
            return [term_unresolved('%s is not installed in %s' % (lib, self.name))]
        return [term_unresolved('calls into the uncatalogued package %s (%s)' % (mod.split('.')[0], ident))]

    def ref_edges(self, owner, name, ref, selfcls, call=True, site=None, extra=()):
        """Edges for calling (or loading, call=False: storing) attribute `name` found as `ref` in class
        `owner`; `site` is what the call site passed (None: a root the pickle calls with anything)."""
        t = ref[0]
        if ref == '?':
            return [term_unresolved('the class %s has no recorded code' % owner)]
        if t == 'F':
            head, closure, _s = split_binds(ref[1:])
            return [make_state(head or '%s.%s' % (owner, name), selfcls, (), closure + tuple(extra), site)]
        if t == 'W':
            head, closure, _s = split_binds(ref[1:])
            chain = head.split('|')
            return [make_state(chain[0], selfcls, chain[1:], closure + tuple(extra), site)]
        if t == '0':
            return []
        if t == 'P':
            g, s = ref[1:].split('^', 1)
            part = g if call else s
            if part.startswith('F') or part.startswith('W'):
                return self.ref_edges(owner, name, part, selfcls, site=() if call else ('+#1=?',))
            return []
        if t == 'C':
            return self.construct(ref[1:], site) if call else []
        if t == 'L':
            return self.leaf('%s.%s' % (owner, name), True)
        if t == 'N':
            return self.leaf('%s.%s' % (owner, name), True)
        if t == 'B':
            return self.leaf(ref[1:], True)
        if t == 'D':
            tid, binds, _s = split_binds(ref[1:])
            return self.descriptor(tid, '__get__' if call else '__set__', binds)
        if t == 'X':
            return [term_unresolved('%s.%s is a callable value of unknown code' % (owner, name))] if call else []
        return []

    def descriptor(self, tid, method, binds=()):
        owner, ref = self.lookup(tid, method)
        if ref is None:
            return []
        return self.ref_edges(owner, method, ref, tid, site=('+#1=?', '+#2=?'), extra=binds)

    def construct(self, cid, site=None, init=True):
        """Calling a class: metaclass __call__, __new__, __init__ (they get the same arguments).
        init=False leaves __init__ out (the rebuild-only walk, see class_entries)."""
        rec = self.classes.get(cid)
        if rec is None:
            if cid in self.functions:
                return [make_state(cid, None, (), (), site)]
            return self.leaf(cid, False)
        m = sinks.match(cid)
        if m:
            return [term_sink(cid, m)]
        out = []
        meta = rec.get('meta')
        if meta:
            owner, ref = self.lookup(meta, '__call__')
            if ref is not None:
                out += self.ref_edges(owner, '__call__', ref, meta, site=site)
        for name in ('__new__', '__init__') if init else ('__new__',):
            owner, ref = self.lookup(cid, name)
            if ref is not None:
                out += self.ref_edges(owner, name, ref, cid, site=site)
        return out

    def global_edges(self, ident, site=None, closure=()):
        if ident in self.classes:
            return self.construct(ident, site)
        if ident in self.functions:
            m = sinks.match_library(ident)
            if m:
                return [term_sink(ident, m)]    # a library function listed as a sink: not walked into
            return [make_state(ident, None, (), closure, site)]
        canon = self.aliases.get(ident)
        if canon is not None and target_name(canon) != ident:
            # a spelling of a catalogued object (an import the extracting process had not loaded)
            return self.call_edges(canon, ident, None, None) if site is None else \
                self.call_edges(canon + ''.join(' ' + b for b in site), ident, None, ())
        if site is not None and sinks.constant_safe(ident, site):
            return []                   # a fixed module or file, named by the library itself
        return self.leaf(ident, False)

    def bound(self, wrapped, key_index, key_name):
        """What the call site passed for a parameter: a CALLS string, `L`, `N`, `?`; None if nothing
        was passed (and the state was reached from a call site)."""
        site = [w for w in wrapped or () if w.startswith('+')]
        if '+^' not in site:
            return '?'                  # a root: the pickle passes anything
        for w in site:
            k, _, v = w[1:].partition('=')
            if k == '#%s' % key_index or k == key_name:
                return v
        if '+*=?' in site:
            return '?'
        return None

    def substitute(self, binds, nid, selfcls, wrapped):
        """A call site's ` +k=VAL` in the caller's terms: its own parameters (`@i:name`) and methods
        (`s<name>`) become what they are bound to."""
        out = []
        for b in binds:
            k, _, v = b[1:].partition('=')
            if v.startswith('@'):
                idx, _, pname = v[1:].partition(':')
                pname, _, dflt = pname.partition('=')
                got = self.bound(wrapped, idx, pname)
                if got is None:
                    got = dflt or self.param_default(nid, idx, pname) or '?'
                v = got
            elif v.startswith('s') and not v.startswith('sympy'):
                v = 'k%s|%s' % (selfcls, v[1:]) if selfcls else '?'
            out.append('+%s=%s' % (k, v))
        return tuple(out)

    def param_default(self, nid, idx, pname):
        for c in self.functions.get(nid, ()):
            if c[0] == 'p':
                head, _, default = c[1:].partition('=')
                if head == '%s:%s' % (idx, pname):
                    return default or None
        return None

    def successors(self, state):
        r = self.succ_cache.get(state)
        if r is not None:
            return r
        nid, selfcls, wrapped = state
        calls = self.functions.get(nid)
        out = []
        if calls is None:
            out = self.leaf(nid, False)
        else:
            for c in calls:
                out += self.call_edges(c, nid, selfcls, wrapped)
        seen = set()
        uniq = []
        for e in out:
            if e not in seen:
                seen.add(e)
                uniq.append(e)
        self.succ_cache[state] = uniq
        return uniq

    def call_edges(self, c, nid, selfcls, wrapped):
        t = c[0]
        rest, closure, site = split_binds(c[1:])
        if t in 'gkmsSwc':
            site = self.substitute(site, nid, selfcls, wrapped)
            if closure:
                closure = tuple('~' + b[1:] for b in self.substitute(['+' + b[1:] for b in closure], nid, selfcls, wrapped))
        if t == 'g':
            return self.global_edges(rest, site, closure)
        if t == 'n':
            return self.leaf(rest, True)
        if t == 'w':
            chain = rest.split('|')
            return [make_state(chain[0], None, chain[1:], closure, site)]
        if t == 'R':
            return []
        if t == 'r':
            if rest == 'self':
                return self.construct(selfcls) if selfcls else [term_unresolved('reduces to type(self)')]
            return self.call_edges(c[1:], nid, selfcls, wrapped)
        if t == 'k' or t == 'm':
            cid, _, name = rest.rpartition('|')
            owner, ref = self.lookup(cid, name)
            if ref is not None:
                return self.ref_edges(owner, name, ref, cid, site=site, extra=closure)
            if cid in self.classes:
                # not a class attribute: an instance attribute or __getattr__
                g_owner, g_ref = self.lookup(cid, '__getattr__')
                if g_ref is not None and g_ref[0] in 'FW':
                    return self.ref_edges(g_owner, '__getattr__', g_ref, cid, site=('+#1=?',))
                return self.leaf('%s.%s' % (cid, name), True)
            return self.leaf('%s.%s' % (cid, name), False)
        if t == 's':
            if not selfcls:
                return self.duck(rest)
            owner, ref = self.lookup(selfcls, rest)
            if ref is not None:
                return self.ref_edges(owner, rest, ref, selfcls, site=site)
            for w in wrapped or ():
                if w.startswith('~%s=' % rest):
                    # an attribute of a library-made instance (a descriptor, a module-level object)
                    return self.call_edges(w[len(rest) + 2:] + ''.join(' ' + b for b in site), nid, None, ())
            return [term_unresolved('self.%s is not a method of %s: calls an attribute value' % (rest, selfcls))]
        if t == 'S':
            definer = nid.rsplit('.', 1)[0] if '.' in nid.split(':', 1)[-1] else None
            for w in wrapped or ():
                if w.startswith('~__class__=g'):
                    definer = w[len('~__class__=g'):]
            if not selfcls and definer in self.classes:
                selfcls = definer
            if not selfcls:
                return [term_unresolved('super().%s outside a known class' % rest)]
            mro = self.mro(selfcls)
            start = mro.index(definer) + 1 if definer in mro else 1
            owner, ref = self.lookup(selfcls, rest, start)
            if ref is not None:
                return self.ref_edges(owner, rest, ref, selfcls, site=site)
            return []
        if t == 'a':
            if not selfcls:
                return []
            owner, ref = self.lookup(selfcls, rest)
            if ref is not None:
                if ref[0] in 'FWPDB':
                    return self.ref_edges(owner, rest, ref, selfcls, site=None if ref[0] in 'FW' else ())
                return []
            g_owner, g_ref = self.lookup(selfcls, '__getattr__')
            if g_ref is not None and g_ref[0] in 'FW':
                return self.ref_edges(g_owner, '__getattr__', g_ref, selfcls, site=('+#1=?',))
            return []
        if t == 'A':
            if not selfcls:
                return []
            out = []
            owner, ref = self.lookup(selfcls, '__setattr__')
            if ref is not None and ref[0] in 'FW':
                out += self.ref_edges(owner, '__setattr__', ref, selfcls, site=('+#1=?', '+#2=?'))
            if rest:
                owner, ref = self.lookup(selfcls, rest)
                if ref is not None and ref[0] in 'PD':
                    out += self.ref_edges(owner, rest, ref, selfcls, call=False)
            return out
        if t == 'c':
            return self.construct(selfcls, site) if selfcls else [term_unresolved('constructs cls of unknown class')]
        if t == 'd':
            return self.duck(rest)
        if t == 'f':
            for w in wrapped or ():
                if w.startswith('~%s=' % rest):
                    val = w[len(rest) + 2:]
                    if val.startswith('^'):
                        val = 'L' if 'Z' in self.functions.get(val[1:], ()) else '?'
                    if val in ('L', 'N') or val.startswith('$'):
                        return []
                    if val == '?':
                        return [term_unresolved('calls the closure variable %s' % rest)]
                    return self.call_edges(val, nid, None, ())
            chain = [w for w in wrapped or () if not w.startswith(('~', '+'))]
            if chain:
                site = tuple(w for w in wrapped if w.startswith('+'))
                return [(chain[0], selfcls, tuple(chain[1:]) + site or None)]
            return [term_unresolved('calls the closure variable %s' % rest)]
        if t == 'p':
            head, _, default = rest.partition('=')
            idx, _, pname = head.partition(':')
            val = self.bound(wrapped, idx, pname)
            if val is None:
                val = default or '?'
            if val.startswith('^'):
                val = 'L' if 'Z' in self.functions.get(val[1:], ()) else '?'
            if val in ('L', 'N'):
                return []
            if val == '?':
                return [term_unresolved('calls the parameter %s' % pname)]
            return self.call_edges(val, nid, None, ())
        if t == 'q':
            idx, _, pname = rest.partition(':')
            val = self.bound(wrapped, idx, pname)
            if val is not None and val.startswith('$'):
                return self.duck(val[1:])
            return [term_unresolved('calls getattr(x, <the parameter %s>)' % pname)]
        if t == 'x':
            return [term_unresolved(rest)]
        if t == 'y':
            return []           # a value from a module-level registry the library fills itself
        if t in 'GPT':
            if not selfcls:
                return [term_unresolved({'G': 'getattr(self, <name>)() outside a known class',
                                         'P': 'getattr(self, <name>) outside a known class',
                                         'T': 'setattr(self, <name>, v) outside a known class'}[t])]
            out = []
            for name in self.method_names(selfcls):
                owner, ref = self.lookup(selfcls, name)
                if ref is None:
                    continue
                if t == 'G' and ref[0] in 'FWPDB':
                    out += self.ref_edges(owner, name, ref, selfcls)
                elif t == 'P' and ref[0] in 'PD':
                    out += self.ref_edges(owner, name, ref, selfcls)
                elif t == 'T' and ref[0] in 'PD':
                    out += self.ref_edges(owner, name, ref, selfcls, call=False)
            special = {'G': '__getattr__', 'P': '__getattr__', 'T': '__setattr__'}[t]
            owner, ref = self.lookup(selfcls, special)
            if ref is not None and ref[0] in 'FW':
                out += self.ref_edges(owner, special, ref, selfcls, site=('+#1=?', '+#2=?'))
            return out
        return []

    def duck(self, name):
        if name in sinks.DUCK:
            return [Terminal((SINK, '.%s()' % name, 'duck', 'a method of this name called on an object the pickle may '
                                                       'have built', 'DUCK:%s' % name))]
        return []

    # ------------------------------------------------------------------ entries
    def class_entries(self, cid):
        """([(label, edges)] for everything reconstruction of cid runs, reduce targets).
        The first entry is always ('call', ...): calling the class (REDUCE, INST/OBJ with arguments)."""
        out = [('call', self.construct(cid))]
        unhashable = self.unhashable(cid)
        for name in ENTRY_METHODS[2:]:
            if unhashable and name in ('__hash__', '__eq__'):
                continue            # never a dict key or set member: the unpickler never compares it
            owner, ref = self.lookup(cid, name)
            if ref is None or owner in OBJECT_METHODS:
                continue
            # the unpickler passes a fixed number of arguments; later parameters keep their defaults
            edges = self.ref_edges(owner, name, ref, cid, site=tuple('+#%d=?' % i for i in range(1, ENTRY_ARITY[name] + 1)))
            if edges or ref[0] in 'FW':
                out.append((name, edges))
        targets = {}
        for c in self.mro(cid):
            if c in self.reduce:
                targets.setdefault(self.reduce[c], '%s.__reduce_ex__' % c)
            for name in ('__reduce__', '__reduce_ex__'):
                ref = self.attrs(c).get(name) if c in self.classes else None
                if ref and ref[0] == 'F':
                    for call in self.functions.get(ref[1:], []):
                        if call[0] == 'r' and call != 'rself':
                            targets.setdefault(call[1:], ref[1:])
            if cid in self.reduce:
                break
        for tg in sorted(targets):
            label = 'reduce ' + target_name(tg)
            self.reduce_src[(cid, label)] = targets[tg]
            out.append((label, self.call_edges(tg, cid, cid, None)))
        return out, sorted(target_name(t) for t in targets)

    def rebuild_entries(self, cid, entries):
        """The entries of a rebuild without __init__: NEWOBJ/`copyreg.__newobj__` (`cls.__new__(cls,
        *args)`) or `copyreg._reconstructor(cls, object, None)`, then BUILD. The same entry points
        except that calling the class becomes the metaclass `__call__` (kept: conservative) and
        `__new__` with arguments of the pickle's choice."""
        assert entries[0][0] == 'call'
        return [('__new__', self.construct(cid, init=False))] + entries[1:]

    def unhashable(self, cid):
        _owner, ref = self.lookup(cid, '__hash__')
        if ref == '0':
            return True
        if ref and ref[0] == 'F':
            head = split_binds(ref[1:])[0] or '%s.__hash__' % _owner
            return 'R' in self.functions.get(head, ())
        return False

    def entry_desc(self, cid, label):
        """`__setstate__` or `__setstate__@sklearn.base:BaseEstimator` (where it is defined)."""
        if label == 'call':
            parts = []
            meta = (self.classes.get(cid) or {}).get('meta')
            if meta:
                owner, ref = self.lookup(meta, '__call__')
                if ref is not None and ref[0] in 'FW':
                    parts.append('metaclass __call__' + ('' if owner == meta else '@' + owner))
            for name in ('__new__', '__init__'):
                owner, ref = self.lookup(cid, name)
                if ref is not None and owner not in OBJECT_METHODS and (ref[0] in 'FW' or owner == cid):
                    parts.append(name + ('' if owner == cid else '@' + owner))
            return ', '.join(parts)
        if label.startswith('reduce '):
            return 'reduce target ' + label[7:]
        owner, _ref = self.lookup(cid, label)
        return label + ('' if owner == cid else '@' + owner)


# ---------------------------------------------------------------------------------- the walk

def walk(gen, roots, labels=None):
    """roots: {key: [(label, edges)]}. Returns {key: (dist, label, [states], terminal) or None}:
    the shortest path to a sink if any, else the shortest path to an unresolved call, else None.
    With `labels` (a dict), also fills labels[key] = {label: SINK or UNRESOLVED} for every entry
    point that reaches either."""
    order = []
    index = {}
    stack = []

    def visit(e):
        if not isinstance(e, Terminal) and e not in index:
            index[e] = len(order)
            order.append(e)
            stack.append(e)

    for key in roots:
        for _label, edges in roots[key]:
            for e in edges:
                visit(e)
    while stack:
        st = stack.pop()
        for e in gen.successors(st):
            visit(e)
    n = len(order)
    succ = [gen.successors(st) for st in order]
    preds = [[] for _ in range(n)]
    for i in range(n):
        for e in succ[i]:
            if not isinstance(e, Terminal):
                preds[index[e]].append(i)

    def distances(kind):
        dist = [-1] * n
        nxt = [None] * n
        frontier = []
        for i in range(n):
            best = None
            for e in succ[i]:
                if isinstance(e, Terminal) and e[0] == kind and (best is None or e < best):
                    best = e
            if best is not None:
                dist[i] = 1
                nxt[i] = best
                frontier.append(i)
        while frontier:
            new = []
            for i in frontier:
                for p in preds[i]:
                    if dist[p] < 0:
                        dist[p] = dist[i] + 1
                        nxt[p] = i
                        new.append(p)
            frontier = new
        return dist, nxt

    tables = {SINK: distances(SINK), UNRESOLVED: distances(UNRESOLVED)}

    def path_from(i, nxt):
        path = [order[i]]
        while isinstance(nxt[i], int):
            i = nxt[i]
            path.append(order[i])
        return path, nxt[i]

    results = {}
    for key, entries in roots.items():
        if labels is not None:
            found = {}
            for label, edges in entries:
                for kind in (SINK, UNRESOLVED):
                    dist = tables[kind][0]
                    if any((e[0] == kind) if isinstance(e, Terminal) else dist[index[e]] > 0 for e in edges):
                        found.setdefault(label, kind)
                        break
            if found:
                labels[key] = found
        best = None
        for kind in (SINK, UNRESOLVED):
            dist, nxt = tables[kind]
            for label, edges in entries:
                for e in edges:
                    if isinstance(e, Terminal):
                        cand = (0, label, [], e) if e[0] == kind else None
                    elif dist[index[e]] > 0:
                        path, term = path_from(index[e], nxt)
                        cand = (dist[index[e]], label, path, term)
                    else:
                        cand = None
                    if cand is not None and (best is None or cand[:2] < best[:2]):
                        best = cand
            if best is not None:
                break
        results[key] = best
    return results


# ---------------------------------------------------------------------------------- catalogue

def classify_generation(gen):
    """{library: {canonical: record}} for one generation."""
    roots, meta = {}, {}
    rebuild = {}        # a class's entries without __init__ (rebuilt, not called)
    for lib, d in gen.libraries.items():
        for canon, obj in d['objects'].items():
            if not DOTTED.match(canon.split('#', 1)[0]):
                continue            # `astropy.units.cds %`: not a name a lookup accepts
            kind = obj['kind']
            key = (lib, canon)
            if kind == 'class':
                entries, targets = gen.class_entries(canon)
                roots[key] = entries
                rebuild[key] = gen.rebuild_entries(canon, entries)
                meta[key] = ('class', targets)
            elif kind == 'function':
                call = obj.get('call', 'g' + canon)
                listed = sinks.match_library(canon)
                if listed:
                    edges = [term_sink(canon, listed)]    # a library function listed as a sink
                elif not call:
                    edges = [term_unresolved('not a recognised callable')]
                elif call[0] == 'g' and obj.get('self') and call[1:] in gen.functions:
                    edges = [(call[1:], obj['self'], None)]
                else:
                    edges = gen.call_edges(call, canon, None, None)
                roots[key] = [('call', edges)]
                meta[key] = ('function', [])
            else:
                meta[key] = ('value', [])
    # one walk for both: the rebuild roots are a subset of the same states
    all_roots = dict(roots)
    all_roots.update((('rebuild',) + key, ents) for key, ents in rebuild.items())
    labels = {}
    results = walk(gen, all_roots, labels)

    # a function's root state, to shorten paths that run through another catalogued function
    via = {}
    for key in sorted(roots):
        if meta[key][0] == 'function':
            edges = roots[key][0][1]
            if len(edges) == 1 and not isinstance(edges[0], Terminal):
                via.setdefault(edges[0][0], key)
    reduce_targets = set()
    for key, (kind, targets) in meta.items():
        reduce_targets.update(targets)

    out = collections.defaultdict(dict)
    for (lib, canon), (kind, targets) in sorted(meta.items()):
        obj = gen.libraries[lib]['objects'][canon]
        best = results.get((lib, canon))
        rec = {'kind': kind, 'aliases': [a for a in expand_aliases(canon, obj['aliases']) if DOTTED.match(a) or a == canon]}
        native = bool(obj.get('native')) or (kind == 'class' and bool((gen.classes.get(canon) or {}).get('native')))
        if native:
            rec['native'] = 1
        if kind == 'value':
            rec['type'] = obj['type']
            out[lib][canon] = rec
            continue
        if kind == 'class' and 'enum:Enum' in gen.mro(canon):
            # an enum: a pickle names its members `Cls.MEMBER` (protocol 4); these are the names that
            # are not members (what the class and its library bases define), so a scan can tell them apart
            # (dunder names are never members, and a scan never admits them: left out)
            rec['enum'] = [n for n in gen.method_names(canon) if not (n.startswith('__') and n.endswith('__'))]
        call = obj.get('call', 'g' + canon)
        if kind == 'function' and (target_name(call) in reduce_targets or canon in reduce_targets):
            rec['reduceTarget'] = 1
        if targets:
            rec['reduce'] = targets
        if best is None:
            if kind == 'class':
                checked = [c for c in (gen.entry_desc(canon, label) for label, _e in gen.class_entries(canon)[0]) if c]
                rec['checked'] = ', '.join(checked)
        else:
            _dist, label, states, term = best
            entry = {'call': 'construction' if kind == 'class' else 'the call'}.get(label, label)
            if label.startswith('reduce '):
                entry = 'its reduce target ' + label[7:]
            path = [gen.reduce_src[(canon, label)]] if (canon, label) in gen.reduce_src else []
            via_key = None
            for i, st in enumerate(states):
                path.append(st[0])
                other = via.get(st[0])
                # the rest of the way is the path of a catalogued function that reaches the same end
                if i > 0 and other is not None and other != (lib, canon) and results.get(other) is not None \
                        and results[other][3] == term:
                    via_key = other
                    break
            if entry != 'the call':
                rec['entry'] = entry        # left out for a callable's own call
            if kind == 'class':
                # every entry point that reaches a sink (g) or an unresolved call (u), so that a scan
                # can tell whether the pickle runs it: `construction` (calling the class), `__new__`
                # (a rebuild's __new__ with arguments), a method the unpickler may call, `reduce`
                failing = {}
                for lab, k in list(labels.get((lib, canon), {}).items()) + \
                        [(l2, k2) for l2, k2 in labels.get(('rebuild', lib, canon), {}).items() if l2 == '__new__']:
                    name = 'construction' if lab == 'call' else 'reduce' if lab.startswith('reduce ') else lab
                    failing[name] = 'g' if k == SINK or failing.get(name) == 'g' else 'u'
                rec['failing'] = ['%s:%s' % kv for kv in sorted(failing.items())]
            if kind == 'class' and results.get(('rebuild', lib, canon)) is None:
                # only __init__ reaches it: a rebuild (NEWOBJ + BUILD) is safe; entry stays `construction`
                assert label == 'call', (canon, label)
                rec['callOnly'] = 1
            if term[0] == SINK:
                rec['kind'] = 'gadget'
                rec['sink'] = term[1]
                rec['category'] = term[2]
                if via_key is None:
                    path.append(term[1])
            else:
                rec['kind'] = 'unverified'
                rec['unresolved'] = term[1]
            if kind == 'function' and rec['kind'] == 'unverified':
                pass                # kept short: `classify.py --explain` prints the walk
            else:
                rec['path'] = path
                if via_key is not None:
                    rec['via'] = via_key[1] if via_key[0] == lib else '%s/%s' % via_key
        out[lib][canon] = rec
    return out


def merge(generations, per_gen):
    """One catalogue per library over all generations: an entry's kind is the worst it has in any
    generation, its versions the library versions it was found in, its aliases the union."""
    libs = {}
    for gname in sorted(per_gen):
        gen = generations[gname]
        for lib, entries in sorted(per_gen[gname].items()):
            d = gen.libraries[lib]
            L = libs.setdefault(lib, {'packages': d['packages'], 'versions': {}, 'modules': set(), 'entries': {},
                                      'foreign': {}})
            L['versions'][gname] = d['version']
            L['modules'].update(d['modules'])
            for alias, (_kind, target) in d['foreign'].items():
                L['foreign'].setdefault(alias, target)
            for canon, rec in entries.items():
                rec = dict(rec, versions=[d['version']], gens=[gname])
                cur = L['entries'].get(canon)
                if cur is None:
                    L['entries'][canon] = rec
                    continue
                worse = RANK[rec['kind']] > RANK[cur['kind']]
                base, other = (rec, cur) if worse else (cur, rec)
                merged = dict(base)
                merged['aliases'] = sorted(set(cur['aliases']) | set(rec['aliases']))
                merged['versions'] = sorted(set(cur['versions']) | set(rec['versions']))
                merged['gens'] = sorted(set(cur['gens']) | set(rec['gens']))
                if rec['kind'] != cur['kind']:
                    merged['note'] = '%s in %s' % (other['kind'], ', '.join(other['gens']))
                if cur.get('enum') is not None or rec.get('enum') is not None:
                    merged['enum'] = sorted(set(cur.get('enum', [])) | set(rec.get('enum', [])))
                for flag in ('reduceTarget', 'native'):
                    if cur.get(flag) or rec.get(flag):
                        merged[flag] = 1
                # callOnly only when it holds in every generation with a non-safe verdict (cur carries
                # what holds over the generations merged so far)
                unsafe = [x for x in (cur, rec) if RANK[x['kind']] > 0]
                merged.pop('callOnly', None)
                if unsafe and all(x.get('callOnly') for x in unsafe):
                    merged['callOnly'] = 1
                if cur.get('failing') or rec.get('failing'):
                    worst = {}
                    for f in cur.get('failing', []) + rec.get('failing', []):
                        name, _, k = f.rpartition(':')
                        worst[name] = 'g' if k == 'g' or worst.get(name) == 'g' else 'u'
                    merged['failing'] = ['%s:%s' % kv for kv in sorted(worst.items())]
                if cur.get('reduce') or rec.get('reduce'):
                    merged['reduce'] = sorted(set(cur.get('reduce', [])) | set(rec.get('reduce', [])))
                L['entries'][canon] = merged
    docs = {}
    for lib, L in sorted(libs.items()):
        entries = L['entries']
        # an alias claimed by two entries (different objects in different versions) stays with the worse one
        owner = {}
        for canon in sorted(entries):
            for a in entries[canon]['aliases']:
                prev = owner.get(a)
                if prev is None or RANK[entries[canon]['kind']] > RANK[entries[prev]['kind']]:
                    owner[a] = canon
        all_versions = sorted(set(L['versions'].values()))
        items = []
        for canon in sorted(entries):
            e = entries[canon]
            item = {'name': canon, 'kind': e['kind']}
            if e['versions'] != all_versions:
                item['versions'] = e['versions']
            aliases = [compact_alias(a, canon) for a in e['aliases'] if owner.get(a) == canon and a != canon]
            if aliases:
                item['aliases'] = aliases
            for k in ('checked', 'entry', 'callOnly', 'failing', 'enum', 'sink', 'category', 'unresolved', 'path', 'via', 'type', 'reduce',
                      'native', 'reduceTarget', 'note'):
                if k in e:
                    item[k] = e[k]
            items.append(item)
        docs[lib] = {
            'format': FORMAT,
            'library': lib,
            'packages': L['packages'],
            'versions': dict(sorted(L['versions'].items())),
            'modules': sorted(L['modules']),
            'entries': items,
            # re-exports of objects of other catalogued libraries (others could never be found there)
            'foreign': {a: t for a, t in sorted(L['foreign'].items())
                        if a not in owner and catalogued(libs, t) and catalogued(libs, t) != lib},
        }
    return docs


def compact_alias(alias, canon):
    """`module` alone when the alias keeps the canonical qualname (most re-exports do)."""
    mod, qual = alias.split(':', 1)
    return mod if qual == canon.split(':', 1)[1] else alias


def catalogued(libs, ident):
    mod = ident.split(':', 1)[0]
    best = None
    for lib, L in libs.items():
        for p in L['packages']:
            if (mod == p or mod.startswith(p + '.')) and (best is None or len(p) > best[1]):
                best = (lib, len(p))
    return best[0] if best else None


def build(inputs_dirs):
    inputs = load_inputs(inputs_dirs)
    by_gen = collections.defaultdict(list)
    for d in inputs:
        by_gen[d['generation']].append(d)
    generations = {g: Generation(g, ins) for g, ins in by_gen.items()}
    per_gen = {g: classify_generation(gen) for g, gen in sorted(generations.items())}
    docs = merge(generations, per_gen)
    index = {
        'format': FORMAT,
        'libraries': {lib: {'packages': doc['packages'], 'versions': sorted(set(doc['versions'].values())),
                            'generations': doc['versions'], 'file': '%s.json' % lib}
                      for lib, doc in sorted(docs.items())},
    }
    return docs, index


def index_ts(index):
    rows = []
    for lib, info in sorted(index['libraries'].items()):
        rows.append('  [%s, { packages: %s, versions: %s, generations: %s, file: %s }],' % (
            json.dumps(lib), json.dumps(info['packages']), json.dumps(info['versions']),
            json.dumps(info['generations'], sort_keys=True).replace('": "', '": "').replace('{"', '{ "').replace('"}', '" }'),
            json.dumps(info['file'])))
    return '''/**
 * The catalogued libraries: top-level packages, library versions per generation, data file.
 * Generated by samples/generate/catalogue/classify.py from samples/catalogue/inputs; do not edit.
 */
export interface CatalogueLibraryIndex {
  readonly packages: readonly string[];
  readonly versions: readonly string[];
  readonly generations: { readonly [generation: string]: string };
  readonly file: string;
}

export const CATALOGUE_LIBRARIES: ReadonlyMap<string, CatalogueLibraryIndex> = new Map<string, CatalogueLibraryIndex>([
%s
]);
''' % '\n'.join(rows)


def dump(obj):
    return json.dumps(obj, sort_keys=True, indent=None, separators=(',', ':'), ensure_ascii=True) + '\n'


def pretty(doc):
    """One entry per line: reviewable diffs, small files."""
    lines = ['{']
    keys = [k for k in sorted(doc) if k != 'entries']
    for k in keys:
        lines.append('%s:%s,' % (json.dumps(k), json.dumps(doc[k], sort_keys=True, separators=(',', ':'))))
    lines.append('"entries":[')
    ents = doc['entries']
    for i, e in enumerate(ents):
        lines.append(json.dumps(e, sort_keys=True, separators=(',', ':'), ensure_ascii=True) + (',' if i < len(ents) - 1 else ''))
    lines.append(']}')
    return '\n'.join(lines) + '\n'


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--inputs', required=True, action='append', help='directory of recorded inputs (repeatable)')
    ap.add_argument('--out')
    ap.add_argument('--stdout', action='store_true')
    ap.add_argument('--check', action='store_true')
    ap.add_argument('--explain', metavar='MODULE:QUALNAME', help='print the walk of one class or function')
    ap.add_argument('--generation')
    ap.add_argument('--stats', action='store_true', help='print entries per library, generation and kind')
    args = ap.parse_args()
    sys.setrecursionlimit(10000)
    if args.explain:
        explain(args.inputs, args.explain, args.generation)
        return
    if args.stats:
        stats(args.inputs)
        return
    docs, index = build(args.inputs)
    files = {'%s.json' % lib: pretty(doc) for lib, doc in docs.items()}
    files['libraries.ts'] = index_ts(index)
    if args.stdout:
        sys.stdout.write(dump({name: text for name, text in sorted(files.items())}))
        return
    if not args.out:
        ap.error('--out or --stdout')
    if args.check:
        bad = []
        for name, text in sorted(files.items()):
            p = os.path.join(args.out, name)
            if not os.path.exists(p) or open(p, encoding='utf-8').read() != text:
                bad.append(name)
        extra = sorted(f for f in os.listdir(args.out) if f.endswith('.json') and f not in files)
        for name in bad:
            print('differs: %s' % name, file=sys.stderr)
        for name in extra:
            print('not generated: %s' % name, file=sys.stderr)
        sys.exit(1 if bad or extra else 0)
    os.makedirs(args.out, exist_ok=True)
    for f in os.listdir(args.out):
        if f.endswith('.json') and f not in files:
            os.remove(os.path.join(args.out, f))
    for name, text in sorted(files.items()):
        with open(os.path.join(args.out, name), 'w', encoding='utf-8') as fh:
            fh.write(text)
    print('wrote %d files to %s' % (len(files), args.out), file=sys.stderr)



def stats(inputs_dirs):
    inputs = load_inputs(inputs_dirs)
    by_gen = collections.defaultdict(list)
    for d in inputs:
        by_gen[d['generation']].append(d)
    table = collections.defaultdict(dict)
    for g, ins in sorted(by_gen.items()):
        gen = Generation(g, ins)
        for lib, entries in classify_generation(gen).items():
            c = collections.Counter(e['kind'] for e in entries.values())
            table[lib][g] = (gen.libraries[lib]['version'], c)
    kinds = ['class', 'function', 'value', 'gadget', 'unverified']
    gens = sorted(by_gen)
    print('| library | ' + ' | '.join('%s: %s' % (g, ' / '.join(kinds)) for g in gens) + ' |')
    print('|---|' + '---|' * len(gens))
    for lib in sorted(table):
        cells = []
        for g in gens:
            if g in table[lib]:
                v, c = table[lib][g]
                cells.append('%s: %s' % (v, ' / '.join(str(c[k]) for k in kinds)))
            else:
                cells.append('-')
        print('| %s | %s |' % (lib, ' | '.join(cells)))


def explain(inputs_dirs, name, generation=None):
    """Prints, for one class or function, every entry point and the shortest path to a sink or an
    unresolved call, with the call (CALLS string) that takes each step."""
    inputs = load_inputs(inputs_dirs)
    by_gen = collections.defaultdict(list)
    for d in inputs:
        by_gen[d['generation']].append(d)
    for g, ins in sorted(by_gen.items()):
        if generation and g != generation:
            continue
        gen = Generation(g, ins)
        lib = gen.library_of(name.split(':', 1)[0])
        obj = gen.libraries.get(lib, {}).get('objects', {}).get(name) if lib else None
        if obj is None:
            print('[%s] %s: not an object of a catalogued library' % (g, name))
            continue
        roots = {}
        if obj['kind'] == 'class':
            entries, _t = gen.class_entries(name)
            roots[('rebuild', lib, name)] = gen.rebuild_entries(name, entries)
        else:
            entries = [('call', gen.call_edges(obj.get('call', 'g' + name) or 'x?', name, obj.get('self'), None))]
        roots[(lib, name)] = entries
        results = walk(gen, roots)
        res = results[(lib, name)]
        print('[%s] %s (%s): %s' % (g, name, obj['kind'], 'safe' if res is None else res[3]))
        if obj['kind'] == 'class' and res is not None:
            reb = results[('rebuild', lib, name)]
            print('  rebuilt without __init__ (NEWOBJ + BUILD): %s' % (
                'safe: callOnly' if reb is None else '%s from %s: %s' % (
                    reb[3][1], reb[1], ' -> '.join([st[0] for st in reb[2]] or ['(directly)']))))
        if res is None:
            continue
        _d, label, states, term = res
        print('  entry: %s' % label)
        for i, st in enumerate(states):
            nxt = states[i + 1] if i + 1 < len(states) else term
            why = [c for c in gen.functions.get(st[0], []) if nxt in gen.call_edges(c, st[0], st[1], st[2])]
            print('  %s%s%s  --%s-->' % (st[0], ' [self=%s]' % st[1] if st[1] else '', ' [wrapping %s]' % ','.join(st[2]) if st[2] else '',
                                         why[0] if why else '?'))
        print('  %s' % (term,))


if __name__ == '__main__':
    main()
