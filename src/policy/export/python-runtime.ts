/**
 * The code part of the generated Python guard (`picklegate policy export NAME --format python`): a
 * restricted unpickler that judges every global with a port of CompiledPolicy.judge (src/policy/
 * compile.ts) and of the name resolution it uses (src/names/resolve.ts), over the data python.ts
 * writes above it. Nothing policy-specific is written here: every rule, alias and mapping comes from
 * the compiled policy and the tables the TypeScript judge uses.
 *
 * Python 2.7 and 3.6-3.13: no f-strings, no keyword-only parameters, no annotations. It subclasses the
 * pure-Python unpickler (pickle._Unpickler; pickle.Unpickler on Python 2) because the C one resolves
 * EXT codes through a process-wide cache before find_class and hides the protocol find_class needs.
 * test/policy/python-guard.test.ts checks it against the TypeScript judge and against the scanner.
 */
export const PYTHON_RUNTIME = String.raw`
# ---------------------------------------------------------------------------------------------------
# The guard. Everything above is data from the compiled policy; everything below is the same for
# every policy.
# ---------------------------------------------------------------------------------------------------

_PY2 = sys.version_info[0] == 2
if _PY2:
    _Base = pickle.Unpickler
else:
    _Base = pickle._Unpickler

UnpicklingError = pickle.UnpicklingError
PickleError = pickle.PickleError
HIGHEST_PROTOCOL = pickle.HIGHEST_PROTOCOL

_SEVERITY_RANK = {'info': 0, 'suspicious': 1, 'dangerous': 2}
_ACCEPT_RANK = _SEVERITY_RANK['suspicious' if ACCEPT == 'suspicious' else 'info']


class RefusedError(pickle.UnpicklingError):
    """The policy does not accept this pickle. Raised before the refused global is imported,
    called or used. Attributes: rule, the scanner's finding for the same thing (for example
    'DENIED_GLOBAL/denied'); module and name, the global when there is one; reason, the policy's
    explanation."""

    def __init__(self, rule, message, module=None, name=None, reason=None):
        pickle.UnpicklingError.__init__(self, message)
        self.rule = rule
        self.module = module
        self.name = name
        self.reason = reason


def _text(s):
    """A name for a message: Python 2 byte strings are decoded so messages never fail to format."""
    if _PY2 and isinstance(s, bytes):
        return s.decode('utf-8', 'replace')
    return s


def _refuse(rule, message, module=None, name=None, reason=None):
    """Raises unless the policy accepts findings of this rule's severity."""
    if _SEVERITY_RANK[RULE_SEVERITY[rule]] > _ACCEPT_RANK:
        raise RefusedError(rule, message, module, name, reason)


# ---- name resolution (src/names/resolve.ts) -------------------------------------------------------

def _compat_map(module, name):
    """_compat_pickle's renaming, as find_class applies it below protocol 3."""
    hit = NAME_MAPPING.get((module, name))
    if hit is not None:
        return hit
    mod = IMPORT_MAPPING.get(module)
    if mod is not None:
        return (mod, name)
    return (module, name)


def _split_qual(q):
    i = q.rfind('.')
    return (q[:i], q[i + 1:])


def _alias_walk(module, name):
    """Every (module, name) a dotted lookup may land on after following module aliases."""
    if '.' not in name:
        fn = STDLIB_ALIASES.get(module + '.' + name)
        if fn is not None and fn[0] == 'function':
            return [_split_qual(fn[1])]
        return []
    parts = name.split('.')
    out = []
    cur = module
    for i in range(len(parts)):
        attr = parts[i]
        known = STDLIB_ALIASES.get(cur + '.' + attr)
        rest = '.'.join(parts[i + 1:])
        if known is not None and known[0] == 'module' and rest:
            cur = known[1]
            out.append((cur, rest))
            continue
        if known is not None and known[0] == 'function' and not rest:
            out.append(_split_qual(known[1]))
            break
        conventional = CONVENTIONAL_ALIASES.get(attr)
        if conventional is not None and rest:
            cur = conventional
            out.append((cur, rest))
            continue
        cur = cur + '.' + attr
        if rest:
            out.append((cur, rest))
    return out


# ---- rules (src/policy/compile.ts) ----------------------------------------------------------------

_DUNDER = re.compile(r'__[A-Za-z0-9_]+__\Z')


def _is_dunder(s):
    return _DUNDER.match(s) is not None


class _Rule(object):
    __slots__ = ('module', 'names', 'action', 'reason', 'submodules', 'use', 'excepts', 'calls')

    def __init__(self, row):
        self.module, self.names, self.action, self.reason, self.submodules, self.use, self.excepts, self.calls = row


class _Entry(object):
    __slots__ = ('any', 'names', 'members')

    def __init__(self):
        self.any = None
        self.names = {}
        self.members = {}


def _excepted(rule, module, name):
    if not rule.excepts:
        return False
    q = module + '.' + name
    for e in rule.excepts:
        if q == e or q.startswith(e + '.'):
            return True
    return False


def _hit(entry, module, name, star_matches_dotted):
    if entry is None:
        return None
    r = entry.names.get(name)
    if r is not None and not _excepted(r, module, name):
        return r
    if entry.members:
        dot = name.rfind('.')
        m = entry.members.get(name[:dot]) if dot > 0 and not _is_dunder(name[dot + 1:]) else None
        if m is not None and not _excepted(m, module, name):
            return m
    if entry.any is not None and (star_matches_dotted or '.' not in name) and not _excepted(entry.any, module, name):
        return entry.any
    return None


class _RuleIndex(object):
    def __init__(self, rules, star_matches_dotted):
        self.exact = {}
        self.with_submodules = {}
        self.dotted = star_matches_dotted
        for r in rules:
            table = self.with_submodules if r.submodules else self.exact
            e = table.get(r.module)
            if e is None:
                e = table[r.module] = _Entry()
            if r.names == '*':
                if e.any is None:
                    e.any = r
            else:
                for n in r.names:
                    if n.endswith('.*'):
                        if n[:-2] not in e.members:
                            e.members[n[:-2]] = r
                    elif n not in e.names:
                        e.names[n] = r

    def lookup(self, module, name):
        direct = _hit(self.exact.get(module), module, name, self.dotted)
        if direct is None:
            direct = _hit(self.with_submodules.get(module), module, name, self.dotted)
        if direct is not None:
            return direct
        if not self.with_submodules:
            return None
        i = module.rfind('.')
        while i > 0:
            r = _hit(self.with_submodules.get(module[:i]), module, name, True)
            if r is not None:
                return r
            i = module.rfind('.', 0, i)
        return None


_RULES = [_Rule(row) for row in RULES]
_DENY = _RuleIndex([r for r in _RULES if r.action == 'deny' and r.use != 'call'], True)
_DENY_CALL = _RuleIndex([r for r in _RULES if r.action == 'deny' and r.use == 'call'], True)
_ALLOW = _RuleIndex([r for r in _RULES if r.action == 'allow'], False)


class Judgement(object):
    """What the policy says about one import: decision 'allow', 'deny' or 'unlisted'."""
    __slots__ = ('decision', 'resolved', 'reason', 'reference_only', 'deny_call', 'calls_arguments')

    def __init__(self, decision, resolved, reason=None, reference_only=False, deny_call=None, calls_arguments=()):
        self.decision = decision
        self.resolved = resolved
        self.reason = reason
        self.reference_only = reference_only
        self.deny_call = deny_call
        # argument positions whose value the global calls (a rule's callsArguments)
        self.calls_arguments = calls_arguments

    def as_dict(self):
        return {'decision': self.decision, 'resolved': self.resolved, 'reason': self.reason,
                'reference_only': self.reference_only, 'deny_call': self.deny_call}


def _js_length(s):
    """Length as JavaScript counts it (UTF-16 code units), like the TypeScript judge."""
    if _PY2:
        if isinstance(s, bytes):
            try:
                s = s.decode('utf-8')
            except UnicodeDecodeError:
                return len(s)
        return len(s.encode('utf-16-le')) // 2
    return len(s.encode('utf-16-le', 'surrogatepass')) // 2


def _js_slice(s, n):
    """s[:n] as JavaScript slices: n UTF-16 code units (for messages, like the TypeScript judge)."""
    if _PY2 and isinstance(s, bytes):
        s = s.decode('utf-8', 'replace')
    if _PY2:
        return s.encode('utf-16-le')[:2 * n].decode('utf-16-le', 'replace')
    return s.encode('utf-16-le', 'surrogatepass')[:2 * n].decode('utf-16-le', 'surrogatepass')


def _judge(module, name, proto):
    if _js_length(module) + _js_length(name) > MAX_NAME_LENGTH or len(name.split('.')) > MAX_NAME_PARTS:
        first = name.split('.', 1)[0]
        mapped = _compat_map(module, first)
        r = _DENY.lookup(module, first) or _DENY.lookup(mapped[0], mapped[1])
        if r is not None:
            return Judgement('deny', _text(module) + u'.' + _text(first) + u'\u2026', r.reason)
        return Judgement('deny' if DEFAULT == 'deny' else 'unlisted', _js_slice(module, 80) + u'.' + _js_slice(name, 80) + u'\u2026', 'name too long to analyse')
    mapped = _compat_map(module, name)
    effective = mapped if proto < 3 else (module, name)
    walked = _alias_walk(effective[0], effective[1])
    shown = walked[-1] if walked else effective
    resolved = shown[0] + '.' + shown[1]

    candidates = [(module, name), mapped] + walked + _alias_walk(mapped[0], mapped[1])
    for m, n in candidates:
        dot = n.find('.')
        while dot > 0:
            r = _DENY.lookup(m, n[:dot])
            if r is not None:
                return Judgement('deny', resolved, r.reason)
            dot = n.find('.', dot + 1)
        r = _DENY.lookup(m, n)
        if r is not None:
            return Judgement('deny', resolved, r.reason)
    parts = name.split('.')
    if '.' in name and any(_is_dunder(p) for p in parts[1:]):
        return Judgement('deny', resolved, 'a dotted name that walks through a dunder attribute reaches interpreter internals')
    if any(p == '<locals>' or p == '' for p in parts):
        return Judgement('unlisted', resolved, 'not an importable name')

    if MATCH == 'raw':
        allow = _ALLOW.lookup(module, name)
    else:
        allow = _ALLOW.lookup(effective[0], effective[1]) or _ALLOW.lookup(module, name)
    call_rule = _DENY_CALL.lookup(effective[0], effective[1]) or _DENY_CALL.lookup(module, name)
    deny_call = call_rule.reason if call_rule is not None else None
    if allow is not None:
        return Judgement('allow', resolved, allow.reason, allow.use == 'reference', deny_call, allow.calls)
    d = DEFAULT
    return Judgement(d, resolved, 'the policy denies every global it does not list' if d == 'deny' else None, False, deny_call)


_CACHE = {}
_CACHE_LIMIT = 50000


def judge(module, name, protocol=4):
    """The policy's judgement of importing module.name from a stream of this protocol (a Judgement)."""
    key = ('0' if protocol < 3 else '3' if protocol < 4 else '4', module, name)
    j = _CACHE.get(key)
    if j is None:
        j = _judge(module, name, protocol)
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        _CACHE[key] = j
    return j


# ---- the unpickler --------------------------------------------------------------------------------

def _key(code):
    return chr(code) if _PY2 else code


_NAME_OF = dict((_key(code), name) for name, code in OPCODE_CODES.items())
_MISSING = object()


class RestrictedUnpickler(_Base):
    """pickle's Unpickler that admits only what the policy accepts: find_class imports a global only
    when the policy allows it; EXT codes resolve through the policy's registry only; persistent ids,
    out-of-band buffers, protocols and opcodes follow the policy; globals the policy allows only as
    values (or whose call it denies) are never called. Use like pickle.Unpickler (subclass it and
    define persistent_load to resolve persistent ids, as torch.load does)."""

    dispatch = dict(_Base.dispatch)

    def __init__(self, file, **kwargs):
        if _PY2:
            if kwargs:
                raise TypeError('Unpickler() takes no keyword arguments on Python 2')
            _Base.__init__(self, file)
            self.fix_imports = True
        else:
            _Base.__init__(self, file, **kwargs)
        # every global this unpickler handed out (the memo outlives one load, so these do too)
        self._pg_globals = {}
        self._pg_nocall = {}
        self._pg_calls = {}
        self._pg_reset()

    def _pg_reset(self):
        self._pg_proto = 0
        self._pg_proto_seen = False
        self._pg_inst = False

    def load(self):
        self._pg_reset()
        return _Base.load(self)

    def find_class(self, module, name):
        if not _PY2 and hasattr(sys, 'audit'):
            sys.audit('pickle.find_class', module, name)
        proto = self._pg_proto
        fix = _PY2 or self.fix_imports
        j = judge(module, name, proto if fix else max(proto, 3))
        shown = _text(j.resolved)
        if j.resolved != module + '.' + name:
            shown = u'%s (written as %s %s)' % (shown, _text(module), _text(name))
        if j.decision == 'deny':
            _refuse('DENIED_GLOBAL/denied', u'the pickle imports %s: %s' % (shown, j.reason), module, name, j.reason)
        elif j.decision != 'allow':
            _refuse('UNLISTED_GLOBAL/not-allowed', u'the pickle imports %s, which policy %s does not allow' % (shown, POLICY_NAME), module, name, j.reason)
        if self._pg_inst:
            self._pg_check_call(j, module, name, 'INST')
        obj = self._pg_import(module, name, proto, fix)
        self._pg_globals[id(obj)] = obj
        if j.reference_only or j.deny_call:
            self._pg_nocall[id(obj)] = (obj, j, module, name)
        if j.calls_arguments:
            self._pg_calls[id(obj)] = (obj, j)
            if self._pg_inst:
                # INST calls it with the items above the mark
                items = self.stack if hasattr(self, 'metastack') else self.stack[self.marker() + 1:]
                self._pg_check_handed(j, items, None, 'INST')
        return obj

    def _pg_check_handed(self, j, args, kwargs, op):
        """What a global that calls its arguments (calls_arguments) is handed: plain data, or a
        global the policy lets the pickle call."""
        values = [args[i] for i in j.calls_arguments if i < len(args)]
        if kwargs:
            values.extend(kwargs.values())
        for v in values:
            hit = self._pg_nocall.get(id(v))
            if hit is not None and hit[0] is v:
                if hit[1].deny_call:
                    _refuse('DENIED_GLOBAL/handed-denied-call', u'%s hands %s to %s, which calls what it is handed: %s' % (op, _text(hit[1].resolved), _text(j.resolved), hit[1].deny_call), hit[2], hit[3], hit[1].deny_call)
                if hit[1].resolved not in PURE_BUILTINS:
                    _refuse('UNLISTED_GLOBAL/handed-reference', u'%s hands %s to %s, which calls what it is handed; the policy allows it only as a value' % (op, _text(hit[1].resolved), _text(j.resolved)), hit[2], hit[3], hit[1].reason)
            elif callable(v) and self._pg_globals.get(id(v)) is not v:
                _refuse('UNLISTED_GLOBAL/handed-object', u'%s hands an object the pickle built (%s) to %s, which calls what it is handed' % (op, type(v).__name__, _text(j.resolved)))

    def _pg_handed_call(self, callee, args, kwargs, op):
        """A call of a global that calls its arguments, directly or through functools.partial."""
        if isinstance(callee, functools.partial):
            args = tuple(callee.args) + tuple(args)
            kwargs = dict(callee.keywords or {}, **(kwargs or {}))
            callee = callee.func
        hit = self._pg_calls.get(id(callee))
        if hit is not None and hit[0] is callee:
            self._pg_check_handed(hit[1], args, kwargs, op)

    def _pg_handed_state(self, inst, state):
        """BUILD on an instance of such a class: its state's values are what its methods call."""
        hit = self._pg_calls.get(id(type(inst)))
        if hit is None or hit[0] is not type(inst):
            return
        parts = state if isinstance(state, tuple) and len(state) == 2 else (state,)
        for part in parts:
            if isinstance(part, dict):
                self._pg_check_handed(Judgement('allow', hit[1].resolved, None, False, None, ()), (), part, 'BUILD')
            elif part is not None:
                self._pg_check_handed(Judgement('allow', hit[1].resolved, None, False, None, (0,)), (part,), None, 'BUILD')

    def _pg_check_call(self, j, module, name, op):
        if j.deny_call:
            _refuse('DENIED_GLOBAL/denied-call', u'%s calls %s: %s' % (op, _text(j.resolved), j.deny_call), module, name, j.deny_call)
        if j.reference_only:
            _refuse('UNLISTED_GLOBAL/called-reference', u'%s calls %s, which the policy allows only as a value (%s)' % (op, _text(j.resolved), j.reason), module, name, j.reason)

    def _pg_import(self, module, name, proto, fix):
        """Imports exactly what was judged: the _compat_pickle renaming of the policy's tables below
        protocol 3 (Python 3), attribute walks for dotted names from protocol 4 on."""
        if _PY2:
            __import__(module)
            return getattr(sys.modules[module], name)
        if proto < 3 and fix:
            module, name = _compat_map(module, name)
        __import__(module, level=0)
        obj = sys.modules[module]
        if proto >= 4:
            for part in name.split('.'):
                if part == '<locals>':
                    raise AttributeError("Can't get local attribute %r on %r" % (name, obj))
                obj = getattr(obj, part)
            return obj
        return getattr(obj, name)

    def persistent_load(self, pid):
        raise UnpicklingError('unsupported persistent id encountered')


def _install(name, handler):
    key = _key(OPCODE_CODES[name])
    if key in RestrictedUnpickler.dispatch:
        RestrictedUnpickler.dispatch[key] = handler


def _original(name):
    return _Base.dispatch.get(_key(OPCODE_CODES[name]))


def _read_byte(self):
    b = self.read(1)
    if _PY2:
        return ord(b)
    return b[0]


def _load_proto(self):
    proto = _read_byte(self)
    if not 0 <= proto <= pickle.HIGHEST_PROTOCOL:
        raise ValueError('unsupported pickle protocol: %d' % proto)
    self.proto = proto
    self._pg_proto = proto
    self._pg_proto_seen = True
    if WIRE_PROTOCOLS is not None and proto not in WIRE_PROTOCOLS:
        _refuse('WIRE_RULE/protocol', 'protocol %d; policy %s accepts protocol %s' % (proto, POLICY_NAME, ', '.join(str(p) for p in WIRE_PROTOCOLS)))


_install('PROTO', _load_proto)


def _get_extension(self, code):
    if code <= 0:
        raise UnpicklingError('EXT specifies code <= 0')
    key = EXTENSIONS.get(code)
    if key is None:
        _refuse('UNREGISTERED_EXT/unregistered-ext', "the pickle loads extension code %d, which policy %s's registry does not map" % (code, POLICY_NAME))
        # accepted anyway (accept: suspicious): the interpreter's registry, never its cache
        key = (copyreg_registry() or {}).get(code)
        if not key:
            raise ValueError('unregistered extension code %d' % code)
    self.append(self.find_class(key[0], key[1]))


def copyreg_registry():
    try:
        import copyreg
    except ImportError:
        import copy_reg as copyreg
    return getattr(copyreg, '_inverted_registry', None)


def _load_ext1(self):
    _get_extension(self, _read_byte(self))


def _load_ext2(self):
    _get_extension(self, struct.unpack('<H', self.read(2))[0])


def _load_ext4(self):
    _get_extension(self, struct.unpack('<i', self.read(4))[0])


_install('EXT1', _load_ext1)
_install('EXT2', _load_ext2)
_install('EXT4', _load_ext4)


def _persistent(name):
    orig = _original(name)

    def handler(self):
        if PERSISTENT_IDS == 'reject':
            _refuse('PERSISTENT_ID/persistent-id', '%s asks for a persistent id, which policy %s does not allow' % (name, POLICY_NAME))
        orig(self)
    return handler


for _op in ('PERSID', 'BINPERSID'):
    if _original(_op) is not None:
        _install(_op, _persistent(_op))


def _next_buffer(self, _orig=_original('NEXT_BUFFER')):
    if OUT_OF_BAND_BUFFERS != 'allow':
        _refuse('OUT_OF_BAND_BUFFER/out-of-band', 'NEXT_BUFFER takes an out-of-band buffer, which policy %s does not allow' % POLICY_NAME)
    _orig(self)


if 'NEXT_BUFFER' in OPCODE_CODES and _original('NEXT_BUFFER') is not None:
    _install('NEXT_BUFFER', _next_buffer)


def _marked_first(self):
    """The first item after the topmost MARK (OBJ's class)."""
    if hasattr(self, 'metastack'):
        return self.stack[0]
    k = self.marker()
    return self.stack[k + 1]


def _guard_call(name, callee, arguments=None):
    orig = _original(name)
    if orig is None:
        return

    def handler(self):
        if self._pg_calls and arguments is not None:
            try:
                fn, args = callee(self), arguments(self)
            except (IndexError, AttributeError, TypeError):
                fn, args = _MISSING, ()
            if fn is not _MISSING and isinstance(args, tuple):
                self._pg_handed_call(fn, args, None, name)
        if self._pg_nocall:
            try:
                obj = callee(self)
            except (IndexError, AttributeError, TypeError):
                obj = _MISSING
            hit = self._pg_nocall.get(id(obj))
            if hit is not None and hit[0] is obj:
                self._pg_check_call(hit[1], hit[2], hit[3], name)
        orig(self)
    _install(name, handler)


def _marked_rest(self):
    """The items after OBJ's class."""
    if hasattr(self, 'metastack'):
        return tuple(self.stack[1:])
    return tuple(self.stack[self.marker() + 2:])


_guard_call('REDUCE', lambda self: self.stack[-2], lambda self: self.stack[-1])
_guard_call('NEWOBJ', lambda self: self.stack[-2])
_guard_call('NEWOBJ_EX', lambda self: self.stack[-3])
_guard_call('OBJ', _marked_first, _marked_rest)


def _below_mark(self):
    """The item under the topmost MARK (the list, dict or set APPENDS, SETITEMS and ADDITEMS fill)."""
    if hasattr(self, 'metastack'):
        return self.metastack[-1][-1]
    return self.stack[self.marker() - 1]


def _guard_target(name, target, rule, what):
    """Refuses an opcode that would set state on, or call a method of, a global itself."""
    orig = _original(name)
    if orig is None:
        return

    def handler(self):
        try:
            obj = target(self)
        except (IndexError, AttributeError, TypeError):
            obj = _MISSING
        if obj is not _MISSING and self._pg_globals.get(id(obj)) is obj:
            try:
                shown = repr(obj)[:200]
            except Exception:
                shown = type(obj).__name__
            _refuse(rule, '%s %s %s itself' % (name, what, shown))
        orig(self)
    _install(name, handler)


_guard_target('BUILD', lambda self: self.stack[-2], 'BUILD_ON_NON_INSTANCE/build-on-global', 'sets state on the global')


def _names_setstate(key):
    """May this dict key be found as the attribute name __setstate__? A str subclass may hash and
    compare as it likes: it counts as one."""
    if isinstance(key, str):
        return type(key) is not str or str.__eq__(key, '__setstate__') is True
    if _PY2 and isinstance(key, unicode):  # noqa: F821 (Python 2)
        return type(key) is not unicode or unicode.__eq__(key, u'__setstate__') is True  # noqa: F821
    return False


def _sets_setstate(state):
    """Does a BUILD state give the object a callable attribute __setstate__, which a later BUILD calls?"""
    parts = state if isinstance(state, tuple) and len(state) == 2 else (state,)
    for part in parts:
        if isinstance(part, dict):
            for key, value in dict.items(part):
                if _names_setstate(key) and callable(value):
                    return True
    return False


def _build_handed(self, _orig=RestrictedUnpickler.dispatch.get(_key(OPCODE_CODES['BUILD']))):
    try:
        state = self.stack[-1]
    except IndexError:
        state = None
    # getattr(inst, '__setstate__') finds an instance attribute before the class's method
    if _sets_setstate(state):
        _refuse('DENIED_GLOBAL/unsafe-call', 'BUILD gives the object a callable attribute __setstate__, which a later BUILD of it calls')
    if self._pg_calls:
        try:
            inst, state = self.stack[-2], self.stack[-1]
        except IndexError:
            inst = _MISSING
        if inst is not _MISSING:
            self._pg_handed_state(inst, state)
    _orig(self)


_install('BUILD', _build_handed)
_guard_target('APPEND', lambda self: self.stack[-2], 'METHOD_CALL_ON_OBJECT/method-on-global', 'calls a method of the global')
_guard_target('SETITEM', lambda self: self.stack[-3], 'METHOD_CALL_ON_OBJECT/method-on-global', 'calls a method of the global')
_guard_target('APPENDS', _below_mark, 'METHOD_CALL_ON_OBJECT/method-on-global', 'calls a method of the global')
_guard_target('SETITEMS', _below_mark, 'METHOD_CALL_ON_OBJECT/method-on-global', 'calls a method of the global')
_guard_target('ADDITEMS', _below_mark, 'METHOD_CALL_ON_OBJECT/method-on-global', 'calls a method of the global')


def _load_inst(self, _orig=_original('INST')):
    self._pg_inst = True
    try:
        _orig(self)
    finally:
        self._pg_inst = False


_install('INST', _load_inst)


def _refuse_opcode(name):
    def handler(self):
        _refuse('WIRE_RULE/opcode', '%s is not an opcode policy %s accepts' % (name, POLICY_NAME))
    return handler


def _needs_proto(orig, name):
    def handler(self):
        if not self._pg_proto_seen:
            _refuse('WIRE_RULE/protocol', '%s before any PROTO: protocol 0, which policy %s does not accept' % (name, POLICY_NAME))
        orig(self)
    return handler


for _k in list(RestrictedUnpickler.dispatch):
    _n = _NAME_OF.get(_k)
    if _n is None:
        continue
    if WIRE_OPCODES is not None and _n not in WIRE_OPCODES:
        RestrictedUnpickler.dispatch[_k] = _refuse_opcode(_n)
    elif WIRE_PROTOCOLS is not None and 0 not in WIRE_PROTOCOLS and _n != 'PROTO':
        RestrictedUnpickler.dispatch[_k] = _needs_proto(RestrictedUnpickler.dispatch[_k], _n)

Unpickler = RestrictedUnpickler


# ---- load and loads, with pickle's signatures ------------------------------------------------------

_KWARGS = () if _PY2 else ('fix_imports', 'encoding', 'errors', 'buffers') if sys.version_info >= (3, 8) else ('fix_imports', 'encoding', 'errors')


def _check_kwargs(fn, kwargs):
    for k in kwargs:
        if k not in _KWARGS:
            raise TypeError("%s() got an unexpected keyword argument '%s'" % (fn, k))


def _check_bytes(data):
    if WIRE_MAX_BYTES is None and not WIRE_NO_NUL and not WIRE_ASCII:
        return
    raw = data if isinstance(data, bytes) else bytes(data)
    if WIRE_MAX_BYTES is not None and len(raw) > WIRE_MAX_BYTES:
        _refuse('WIRE_RULE/max-bytes', 'the input is %d bytes, more than the %d policy %s accepts' % (len(raw), WIRE_MAX_BYTES, POLICY_NAME))
    if WIRE_NO_NUL and b'\x00' in raw:
        _refuse('WIRE_RULE/nul-byte', 'NUL byte at offset %d: the transport cuts the body there' % raw.index(b'\x00'))
    if WIRE_ASCII:
        m = re.search(b'[\x80-\xff]', raw)
        if m is not None:
            _refuse('WIRE_RULE/non-ascii', 'non-ASCII byte at offset %d' % m.start())


def load(file, **kwargs):
    """pickle.load(file, *, fix_imports=True, encoding='ASCII', errors='strict', buffers=None), guarded."""
    _check_kwargs('load', kwargs)
    return RestrictedUnpickler(file, **kwargs).load()


def _rest(f, u):
    """What follows the pickle just loaded: the rest of its frame, then the rest of the input."""
    frame = getattr(getattr(u, '_unframer', None), 'current_frame', None)
    head = frame.read() if frame is not None else b''
    return head + f.read()


def loads(data, **kwargs):
    """pickle.loads(data, *, fix_imports=True, encoding='ASCII', errors='strict', buffers=None),
    guarded; returns the first pickle's object, as pickle.loads does.

    With the whole input at hand it also judges what follows the first pickle, as the scanner does:
    each further pickle is loaded through the guard and dropped (a loader that calls pickle.load
    again would run it), and bytes after STOP that are not a pickle are refused. It applies the
    policy's byte-level wire rules (size, ASCII, NUL) before reading anything, and refuses anything
    after STOP when the policy wants exactly one pickle."""
    _check_kwargs('loads', kwargs)
    if not _PY2 and isinstance(data, str):
        raise TypeError("Can't load pickle from unicode string")
    _check_bytes(data)
    f = io.BytesIO(data)
    u = RestrictedUnpickler(f, **kwargs)
    obj = u.load()
    rest = _rest(f, u)
    count = 1
    while rest:
        if WIRE_SINGLE_PICKLE:
            _refuse('WIRE_RULE/after-stop', 'bytes after STOP: policy %s accepts exactly one pickle' % POLICY_NAME)
            break
        if count >= MAX_PICKLES:
            _refuse('LIMIT_EXCEEDED/max-pickles', 'more than %d pickles in one input' % MAX_PICKLES)
            break
        f = io.BytesIO(rest)
        u = RestrictedUnpickler(f, **kwargs)
        try:
            u.load()
        except RefusedError:
            raise
        except Exception as e:
            _refuse('TRAILING_DATA/after-stop', '%d bytes after STOP are not a pickle (%s: %s)' % (len(rest), type(e).__name__, e))
            break
        rest = _rest(f, u)
        count += 1
    return obj
`;
