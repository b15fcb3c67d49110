"""Writes src/policy/builtin/reviewed-classes.ts: the class lists that the default policy's reviewed
rules for torchvision, torchaudio and scipy's distributions are made of, read off the committed
catalogue (src/names/catalogue/<library>.json) so that the lists cover both Debian generations.

- torchvision (models, ops, transforms) and torchaudio (models, transforms): every class the
  catalogue records (safe, or unverified only because its construction calls a parameter, a
  decorator's closure or a local the walk cannot follow), minus gadgets and classes whose
  construction looks an attribute up by a name it is given. They are nn.Module subclasses and
  transforms: unpickling makes them with __new__ and restores their __dict__
  (torch.nn.Module.__setstate__); no class here defines __reduce__.
- scipy.stats: the distribution classes whose only route to a sink is rv_generic.__setstate__,
  which exec()s the instance's _parse_arg_template; the policy admits them together with a BUILD
  guard that accepts only the template scipy itself writes.

Run: python3 samples/generate/catalogue/reviewed_classes.py   (no arguments; deterministic)
"""
import json
import os

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
CATALOGUE = os.path.join(ROOT, 'src', 'names', 'catalogue')
OUT = os.path.join(ROOT, 'src', 'policy', 'builtin', 'reviewed-classes.ts')

TORCH_FAMILY = {
    'torchvision': ('torchvision.models', 'torchvision.ops', 'torchvision.transforms'),
    'torchaudio': ('torchaudio.models', 'torchaudio.transforms'),
}


def entries(library):
    with open(os.path.join(CATALOGUE, library + '.json')) as f:
        return json.load(f)['entries']


def in_prefix(module, prefixes):
    return any(module == p or module.startswith(p + '.') for p in prefixes)


def torch_family(library, prefixes):
    out = {}
    for e in entries(library):
        module, qualname = e['name'].split(':')
        if not in_prefix(module, prefixes) or '.' in qualname or qualname.startswith('_'):
            continue
        if e['kind'] == 'class':
            pass
        elif e['kind'] == 'unverified' and e.get('entry') == 'construction':
            if 'getattr' in e.get('unresolved', ''):
                continue
        else:
            continue
        out.setdefault(module, []).append(qualname)
    return out


def scipy_distributions():
    out = {}
    for e in entries('scipy'):
        if e['kind'] == 'gadget' and e.get('sink') == 'builtins:exec' and e.get('entry') == '__setstate__':
            module, qualname = e['name'].split(':')
            out.setdefault(module, []).append(qualname)
    return out


def ts_table(name, doc, table):
    lines = ['/** %s */' % doc, 'export const %s: Readonly<Record<string, readonly string[]>> = {' % name]
    for module in sorted(table):
        names = ', '.join("'%s'" % n for n in sorted(set(table[module])))
        lines.append("  '%s': [%s]," % (module, names))
    lines.append('};')
    return '\n'.join(lines)


def main():
    parts = [
        '/**',
        ' * Class lists of the reviewed rules for torchvision, torchaudio and scipy distributions (see',
        ' * allowlist.ts for the reasons). Generated from the library catalogue by',
        ' * samples/generate/catalogue/reviewed_classes.py: do not edit by hand.',
        ' */',
        '',
        ts_table('TORCHVISION_CLASSES', 'torchvision model, layer, op and transform classes (nn.Module subclasses and transforms).', torch_family('torchvision', TORCH_FAMILY['torchvision'])),
        '',
        ts_table('TORCHAUDIO_CLASSES', 'torchaudio model and transform classes (nn.Module subclasses).', torch_family('torchaudio', TORCH_FAMILY['torchaudio'])),
        '',
        ts_table('SCIPY_DISTRIBUTIONS', "scipy.stats distribution classes whose __setstate__ exec()s the instance's _parse_arg_template (admitted with a BUILD guard).", scipy_distributions()),
        '',
    ]
    with open(OUT, 'w') as f:
        f.write('\n'.join(parts))
    print('wrote', os.path.relpath(OUT, ROOT))


if __name__ == '__main__':
    main()
