"""Confirms, with pint and rdflib installed, what the reviewed argument guards for them assume
(src/machine/pint.ts, src/machine/rdflib.ts): run it with each generation's Python (see
regenerate.sh for the trixie chroot) after a library update.

Each case is a pickle written by hand, loaded with pickle.loads in a child process under a timeout:
- the real files of samples/real (this generation's) load;
- every hostile variant the guards refuse reaches what they refuse it for: a unit name or a decimal
  that never finishes, a callable of the pickle's choice called (print of a marker, seen on stdout),
  a module imported by a name the pickle chose (`this`, which prints on import), a file read.

    python3 samples/generate/catalogue/check_pint_rdflib.py        # exit status 0: all as reviewed
"""
import glob
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
MARK = 'PICKLE-CHOSE-THIS'
XSD = 'http://www.w3.org/2001/XMLSchema#'


def g(module, name):
    return b'c' + module.encode() + b'\n' + name.encode() + b'\n'


def s(text):
    b = text.encode()
    return b'X' + len(b).to_bytes(4, 'little') + b


def udict(entries):
    out = g('pint.util', 'udict') + b')\x81'
    for k, v in entries:
        out += s(k) + b'K' + bytes([v]) + b's'
    return out


def units(entries, non_int=g('builtins', 'float')):
    return g('pint.util', 'UnitsContainer') + b')\x81' + udict(entries) + b'K\x01' + non_int + b'\x87b'


def quantity_class():
    import pint
    return g('pint.quantity', 'Quantity') if pint.__version__.startswith('0.19') else g('pint.facets.plain.quantity', 'PlainQuantity')


def marker_print():
    """functools.partial(print, MARK): a callable of the pickle's choice that shows it was called."""
    return g('functools', 'partial') + g('builtins', 'print') + s(MARK) + b'\x86R'


def uri(text):
    return g('rdflib.term', 'URIRef') + s(text) + b'\x85R'


def cases(tmp):
    P = b'\x80\x02'
    q = quantity_class()
    probe = os.path.join(tmp, 'probe.ttl')
    with open(probe, 'w') as f:
        f.write('<http://a> <http://b> "%s" .\n' % MARK)
    memory = g('rdflib.plugins.stores.memory', 'Memory') + b'(tR'
    quoted = (g('rdflib.graph', 'QuotedGraph') + b')\x81}(' + s('_Graph__store') + memory + s('_Graph__identifier') + uri('urn:x')
              + s('_Graph__namespace_manager') + b'N' + s('context_aware') + b'\x89' + s('formula_aware') + b'\x89'
              + s('default_union') + b'\x89' + s('base') + b'Nub')
    ctx = g('rdflib.plugins.sparql.sparql', 'QueryContext') + b')\x81}(' + s('graph') + quoted + s('_dataset') + b'Nub'
    ns = g('argparse', 'Namespace') + b')\x81}(' + s('iri') + s('file://' + probe) + s('graphiri') + b'Nub'
    return [
        # name, pickle, what shows the sink was reached ('timeout', 'memory': more than MEMORY bytes, 'marker',
        # or a Python expression on the result)
        ('pint: a unit name pint evaluates', P + g('pint', '_unpickle_quantity') + b'(' + q + b'K\x01' + units([('meter*9**9**8', 1)]) + b'tR.', 'timeout'),
        ('pint: UnitsContainer(container) calls its non-int type', P + g('pint.util', 'UnitsContainer') + b'(' + units([('meter', 1)], marker_print()) + b'tR.', 'marker'),
        ('pint: a BUILD on the application registry, then an unpickler', P + g('pint', 'get_application_registry') + b')RN}' + s('Quantity') + marker_print() + b's\x86b0'
         + g('pint', '_unpickle_quantity') + b'(' + q + b'K\x01' + units([('meter', 1)]) + b'tR.', 'marker'),
        # catalogue-safe pint names that reach pint's parser or compute a power (pint.ts PARSERS)
        ('pint: Unit(text) parses it', P + g('pint', 'Unit') + s('meter*9**9**8') + b'\x85R.', 'timeout'),
        ('pint: compat.eq(ParserHelper, text) parses it', P + g('pint.compat', 'eq') + g('pint.util', 'ParserHelper') + b'K\x01\x85R' + s('meter*9**9**8') + b'\x89\x87R.', 'timeout'),
        ('pint: find_connected_nodes([UnitsContainer], text) compares them', P + g('pint.util', 'find_connected_nodes') + b']' + units([('meter', 1)]) + b'a' + s('meter*9**9**8') + b'\x86R.', 'timeout'),
        ('pint: pint_eval._power(9, 9**8)', P + g('pint.pint_eval', '_power') + b'K\x09J' + (9 ** 8).to_bytes(4, 'little') + b'\x86R.', 'timeout'),
        ('pint: registry_helpers._replace_units({a: 9**8}, {a: 9})', P + g('pint.registry_helpers', '_replace_units') + b'}' + s('a') + b'J' + (9 ** 8).to_bytes(4, 'little') + b's}' + s('a') + b'K\x09s\x86R.', 'timeout'),
        ('pint: find_shortest_path over a complete graph', P + g('pint.util', 'find_shortest_path') + b'}(' + b''.join(b'K' + bytes([a]) + b'](' + b''.join(b'K' + bytes([x]) for x in range(14) if x != a) + b'e' for a in range(14)) + b'uK\x00K\x63\x87R.', 'timeout'),
        ('rdflib: a decimal written out in full', P + g('rdflib.term', 'Literal') + b'(' + s('1e9999999999') + b'N' + uri(XSD + 'decimal') + b'tR.', 'memory'),
        ('rdflib: BNode without a value calls _sn_gen', P + g('rdflib.term', 'BNode') + b'N' + marker_print() + b'\x86R.', 'marker'),
        ('rdflib: bind, then a Literal of that datatype', P + b'(' + g('rdflib.term', 'bind') + uri(XSD + 'integer') + g('builtins', 'int') + marker_print() + b'\x87R'
         + g('rdflib.term', 'Literal') + b'(' + s('1') + b'N' + uri(XSD + 'integer') + b'tRl.', 'marker'),
        ('rdflib: register, then get (imports a module the pickle names)', P + b'(' + g('rdflib.plugin', 'register') + b'(' + s('x') + g('rdflib.store', 'Store') + s('this') + s('s') + b'tR'
         + g('rdflib.plugin', 'get') + b'(' + s('x') + g('rdflib.store', 'Store') + b'tRl.', 'Beautiful is better than ugly'),
        ('rdflib: Graph(store name) imports the store plugin', P + g('rdflib.graph', 'Graph') + s('SPARQLStore') + b'\x85R.', "'rdflib.plugins.stores.sparqlstore' in sys.modules"),
        ('rdflib: evalLoad of a rebuilt QueryContext reads a file', P + g('rdflib.plugins.sparql.update', 'evalLoad') + b'(' + ctx + b'q\x01' + ns + b'tR0h\x01.', 'str(list(r.graph)).count(%r) == 1' % MARK),
    ]


MEMORY = 4 << 30

CHILD = '''
import pickle, resource, sys
if sys.argv[2] == 'memory':
    resource.setrlimit(resource.RLIMIT_AS, (%d, %d))
try:
    r = pickle.loads(open(sys.argv[1], 'rb').read())
except MemoryError:
    print('MEMORY-ERROR')
    raise
check = sys.argv[2]
if check not in ('timeout', 'memory', 'marker', 'load') and not check.startswith('Beautiful'):
    print('CHECK', eval(check))
print('LOADED')
''' % (MEMORY, MEMORY)


def run(path, check, timeout=120):
    try:
        p = subprocess.run([sys.executable, '-c', CHILD, path, check], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return 'timeout', ''
    return 'done', p.stdout + p.stderr


def main():
    import tempfile
    import pint
    import rdflib
    print('pint %s, rdflib %s, Python %s' % (pint.__version__, rdflib.__version__, sys.version.split()[0]))
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        gen = 'bookworm' if pint.__version__.startswith('0.19') else 'trixie'
        for path in sorted(glob.glob(os.path.join(ROOT, 'samples', 'real', gen, 'pint', '*')) + glob.glob(os.path.join(ROOT, 'samples', 'real', gen, 'rdflib', '*'))):
            how, out = run(path, 'load')
            ok = how == 'done' and 'LOADED' in out
            bad += not ok
            print('%-4s benign %s loads' % ('ok' if ok else 'FAIL', os.path.relpath(path, ROOT)))
        for i, (name, data, expect) in enumerate(cases(tmp)):
            path = os.path.join(tmp, 'case%d.pkl' % i)
            with open(path, 'wb') as f:
                f.write(data)
            # pint builds its registry on first use (seconds on a busy machine): a case that never ends gets 30 s
            how, out = run(path, expect, 30 if expect == 'timeout' else 120)
            if expect == 'timeout':
                ok = how == 'timeout'
            elif expect == 'memory':
                ok = 'MEMORY-ERROR' in out
            elif expect == 'marker':
                ok = MARK in out
            elif expect.startswith('Beautiful'):
                ok = expect in out
            else:
                ok = 'CHECK True' in out
            bad += not ok
            print('%-4s hostile %s: %s' % ('ok' if ok else 'FAIL', name, 'never ends' if how == 'timeout' else 'more than %d GiB' % (MEMORY >> 30) if expect == 'memory' and ok else 'reached' if ok else out.strip()[-300:]))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
