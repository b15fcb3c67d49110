"""MXNet samples: reference wire pickles (copied), legacy-interpreter wire pickles, .states files."""
import json
import os
import shutil
import subprocess
import sys

from common import add

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.dirname(HERE)
SHARED_WIRE = '/work/shared/mxnet/wire-py311'
PYENV = os.environ.get('PYENV_ROOT', '/root/.pyenv')

# mxnet-states expects a .states payload (a states dict or a (states, optimizer) tuple), not a bare optimizer
WIRE_EXPECT = {'default': 'safe', 'mxnet-optimizer': 'safe', 'mxnet-states': 'suspicious'}
STATES_EXPECT = {'default': 'safe', 'mxnet-optimizer': 'suspicious', 'mxnet-states': 'safe'}


def interpreter(version_prefix):
    root = os.path.join(PYENV, 'versions')
    if not os.path.isdir(root):
        return None
    for v in sorted(os.listdir(root)):
        if v.startswith(version_prefix + '.'):
            exe = os.path.join(root, v, 'bin', 'python')
            if os.path.exists(exe):
                return exe
    return None


def run_child(version_prefix, what):
    exe = interpreter(version_prefix)
    if exe is None:
        sys.stderr.write('warning: no Python %s under %s; skipping %s samples\n' % (version_prefix, PYENV, what))
        return {}
    env = dict(os.environ, PYTHONHASHSEED='0', PYTHONDONTWRITEBYTECODE='1')
    out = subprocess.run([exe, os.path.join(HERE, 'mxnet_child.py'), what], env=env, check=True,
                         capture_output=True, cwd='/').stdout
    return {k: bytes.fromhex(v) for k, v in json.loads(out.decode('ascii')).items()}


def copy_wire_reference():
    """Copy the reference wire pickles unchanged (also needed by gen_malicious)."""
    dst = os.path.join(SAMPLES, 'mxnet', 'wire-py311')
    os.makedirs(dst, exist_ok=True)
    src = os.environ.get('PICKLEGATE_MXNET_WIRE', SHARED_WIRE)
    if os.path.isdir(src):
        for name in sorted(os.listdir(src)):
            shutil.copyfile(os.path.join(src, name), os.path.join(dst, name))
    return dst


def generate():
    dst = copy_wire_reference()
    with open(os.path.join(dst, 'MANIFEST.json')) as f:
        manifest = json.load(f)
    for name in sorted(manifest):
        with open(os.path.join(dst, name), 'rb') as f:
            data = f.read()
        expect = dict(WIRE_EXPECT)
        desc = 'MXNet set_optimizer body (protocol 0, Python 3.11): %s.' % name[:-4].replace('__', ' ')
        if 'numpy_hparams' in name:
            expect['mxnet-optimizer'] = 'suspicious'
            desc = 'MXNet optimizer with numpy-scalar hyper-parameters: not valid UTF-8, so never sent by MXNet on Python 3.'
        add('mxnet/wire-py311/' + name, data, 'mxnet-wire', 'mxnet-wire-py311', desc, expect=expect,
            intended=manifest[name]['globals'], register_only=True)
    for prefix in ('2.7', '3.6'):
        for name, data in sorted(run_child(prefix, 'wire').items()):
            desc = 'MXNet set_optimizer body pickled at protocol 0 by Python %s: %s.' % (prefix, name[:-4].replace('__', ' '))
            add('mxnet/wire-other/' + name, data, 'mxnet-wire', 'mxnet-wire-py' + prefix.replace('.', ''), desc,
                expect=dict(WIRE_EXPECT))
    for prefix in ('2.7', '3.11'):
        for name, data in sorted(run_child(prefix, 'states').items()):
            kind = 'Trainer.save_states (states, optimizer)' if 'trainer' in name else \
                'Module.save_optimizer_states (states only)' if 'module' in name else 'kvstore updater states (str keys)'
            desc = '%s written by Python %s, %s.' % (kind, prefix, name.rsplit('__', 1)[1].split('.')[0])
            add('mxnet/states/' + name, data, 'mxnet-states', 'mxnet-states', desc, expect=dict(STATES_EXPECT))
