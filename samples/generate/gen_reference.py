"""Reference dumps: pickletools opcode table, _compat_pickle mappings, stdlib alias table."""
import _compat_pickle
import ast
import json
import os
import pickletools
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.path.join(os.path.dirname(HERE), 'reference')
PYENV = os.environ.get('PYENV_ROOT', '/root/.pyenv')
ALIAS_VERSIONS = ['3.8', '3.9', '3.10', '3.11', '3.12', '3.13']


def dump(name, obj):
    os.makedirs(REF, exist_ok=True)
    with open(os.path.join(REF, name), 'w', encoding='utf-8') as f:
        json.dump(obj, f, indent=1, sort_keys=False, ensure_ascii=True)
        f.write('\n')


def opcodes():
    out = []
    for op in pickletools.opcodes:
        out.append({
            'name': op.name,
            'code': op.code,
            'arg': op.arg.name if op.arg is not None else None,
            'n': op.arg.n if op.arg is not None else None,
            'proto': op.proto,
            'stack_before': [s.name for s in op.stack_before],
            'stack_after': [s.name for s in op.stack_after],
        })
    return {'python': '%d.%d.%d' % sys.version_info[:3], 'opcodes': out}


def compat():
    return {
        'python': '%d.%d.%d' % sys.version_info[:3],
        'IMPORT_MAPPING': dict(sorted(_compat_pickle.IMPORT_MAPPING.items())),
        'NAME_MAPPING': sorted([[list(k), list(v)] for k, v in _compat_pickle.NAME_MAPPING.items()]),
    }


def interpreter(prefix):
    root = os.path.join(PYENV, 'versions')
    if os.path.isdir(root):
        for v in sorted(os.listdir(root)):
            if v.startswith(prefix + '.') and os.path.exists(os.path.join(root, v, 'bin', 'python')):
                return os.path.join(root, v, 'bin', 'python')
    return None


def stdlib_aliases():
    probe = os.path.join(HERE, 'stdlib_probe.py')
    env = dict(os.environ, PYTHONHASHSEED='0', PYTHONDONTWRITEBYTECODE='1')
    # Python < 3.10 has no sys.stdlib_module_names: reuse the 3.10 list as the fixed list.
    base_names = []
    exe310 = interpreter('3.10')
    if exe310:
        base_names = subprocess.run([exe310, '-c', 'import sys; print(" ".join(sorted(sys.stdlib_module_names)))'],
                                    capture_output=True, check=True, env=env).stdout.decode().split()
    table = {}
    versions = []
    for prefix in ALIAS_VERSIONS:
        exe = interpreter(prefix)
        if exe is None:
            sys.stderr.write('warning: no Python %s; stdlib-aliases.json will not cover it\n' % prefix)
            continue
        versions.append(prefix)
        names = subprocess.run([exe, probe, 'list'] + base_names, capture_output=True, check=True, env=env,
                               cwd='/').stdout
        out = subprocess.run([exe, probe, 'probe'], input=names, capture_output=True, check=True, env=env,
                             cwd='/', timeout=1800).stdout.decode('utf-8')
        for line in out.splitlines():
            module, ok, entries = ast.literal_eval(line)
            for attr, kind, target in entries:
                key = (module, attr, kind, target)
                table.setdefault(key, []).append(prefix)
    rows = []
    for (module, attr, kind, target), vs in sorted(table.items()):
        rows.append({'module': module, 'attr': attr, 'kind': kind, 'target': target, 'versions': vs})
    return {'versions': versions,
            'note': 'kind "module": module-level attribute bound to a module (target = its __name__); '
                    'kind "callable": attribute bound to the same object as a dangerous callable (target = canonical name). '
                    'Each stdlib module (and submodule, tests excluded) imported alone in a fresh forked interpreter.',
            'aliases': rows}


def generate(with_aliases=True):
    dump('opcodes.json', opcodes())
    dump('compat-pickle.json', compat())
    if with_aliases or not os.path.exists(os.path.join(REF, 'stdlib-aliases.json')):
        dump('stdlib-aliases.json', stdlib_aliases())
