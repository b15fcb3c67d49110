#!/usr/bin/env python3
"""Derive the expectations of samples/regressions/manifest.json from CPython.

    python3 samples/generate/gen_regressions.py           # rewrite the manifest in place
    python3 samples/generate/gen_regressions.py --check   # exit 1 (and say why) if it is not up to date
    python3 samples/generate/gen_regressions.py --limits  # the limits the rules use, as JSON

The manifest has one JSON object per line. The fuzz campaign (test/fuzz/campaign.js) or a person adds
a line with the provenance of a sample (file, kind, found, seed, from, mutations, error, note,
description, fixed, maxMs); this script adds or rewrites what the test checks, from facts only:

  sha256, size   of the file as it is;
  cpython        what CPython 3.11 does with it, from the recording unpickler
                 (test/oracle/find_class.py: nothing is imported or called):
                 globals find_class receives (nested and following pickles too), whether the load
                 reaches STOP, its error; and pickletools.genops: whether it parses the first pickle
                 and how many opcodes it has;
  text           the longest protocol-0 text argument and the most decimal digits of an integer,
                 read with pickletools' own opcode table (a lenient walk: genops itself stops at
                 the first value it cannot convert);
  expect         the verdict under each built-in policy, by the rules below;
  codes          per policy, finding codes those same facts imply (the report may have more);
  because        the facts each verdict rests on, in words.

Rules (README "Finding codes" and "Limits"):
  - a protocol-0 text line longer than maxLineBytes, or an integer of more than maxIntDigits
    digits, is RESOURCE_HOSTILE (suspicious);
  - a stream CPython's unpickler does not load to STOP is not a complete pickle (suspicious);
  - a global is allowed under a policy when a corpus sample samples/manifest.json expects safe
    under that policy makes CPython request it; a global no corpus sample requests is UNLISTED
    (suspicious); a global the corpus knows only from malicious samples may be denied, so the
    script refuses to guess and stops with an error (write the sample into the corpus instead);
  - with none of the above the verdict is safe under `default`; the MXNet policies also judge the
    shape of the object (optimizer, states), which CPython's facts do not settle, so the script
    stops with an error rather than claim safe for them.

Deterministic: the output depends only on the sample files, samples/manifest.json and CPython.
"""
import hashlib
import json
import math
import os
import pickletools
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.dirname(HERE)
ROOT = os.path.dirname(SAMPLES)
sys.path.insert(0, os.path.join(ROOT, 'test', 'oracle'))
sys.dont_write_bytecode = True

import find_class  # noqa: E402

DIR = os.path.join(SAMPLES, 'regressions')
MANIFEST = os.path.join(DIR, 'manifest.json')
POLICIES = ('default', 'mxnet-optimizer', 'mxnet-states')
# README "Limits" (the defaults of src/limits.ts; test/robustness/regressions.test.ts checks they agree).
MAX_LINE_BYTES = 1 << 20
MAX_INT_DIGITS = 4300
DERIVED = ('sha256', 'size', 'cpython', 'text', 'expect', 'codes', 'because')

LINE_ARGS = {pickletools.UP_TO_NEWLINE}
LEN_PREFIX = {pickletools.TAKEN_FROM_ARGUMENT1: 1, pickletools.TAKEN_FROM_ARGUMENT4: 4,
              pickletools.TAKEN_FROM_ARGUMENT4U: 4, pickletools.TAKEN_FROM_ARGUMENT8U: 8}
BY_CODE = {op.code.encode('latin-1'): op for op in pickletools.opcodes}


def text_facts(data):
    """Longest protocol-0 text argument and most integer digits, over every opcode until the bytes stop making sense."""
    longest, digits, pos = 0, 0, 0
    while pos < len(data):
        op = BY_CODE.get(data[pos:pos + 1])
        if op is None:
            break
        pos += 1
        arg = op.arg
        if arg is None:
            continue
        if arg.n in LINE_ARGS:
            lines = 2 if arg.name == 'stringnl_noescape_pair' else 1
            for _ in range(lines):
                end = data.find(b'\n', pos)
                if end < 0:
                    return longest, digits
                longest = max(longest, end - pos)
                if op.name in ('INT', 'LONG'):
                    digits = max(digits, sum(1 for b in data[pos:end] if 0x30 <= b <= 0x39))
                pos = end + 1
        elif arg.n in LEN_PREFIX:
            k = LEN_PREFIX[arg.n]
            if pos + k > len(data):
                break
            n = int.from_bytes(data[pos:pos + k], 'little', signed=op.name == 'LONG4')
            pos += k
            if op.name in ('LONG1', 'LONG4') and n > 0:
                # the most decimal digits an integer of n bytes can have
                digits = max(digits, math.floor(n * 8 * math.log10(2)) + 1)
            if n < 0 or pos + n > len(data):
                break
            pos += n
        else:
            pos += arg.n
    return longest, digits


def genops_facts(data):
    n = 0
    try:
        for _ in pickletools.genops(data):
            n += 1
    except Exception as e:  # noqa: BLE001 - any refusal is a fact here
        return {'ok': False, 'error': '%s: %s' % (type(e).__name__, str(e)[:120])}
    return {'ok': True, 'ops': n}


def flatten_nested(nested):
    out = []
    for n in nested:
        out += ['%s %s' % tuple(g) for g in n['globals']]
        out += flatten_nested(n.get('nested', []))
    return out


def dedupe(items):
    seen, out = set(), []
    for x in items:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out


def corpus_knowledge():
    """Globals CPython requests in corpus samples: per policy those of samples expected safe, and those of malicious samples."""
    with open(os.path.join(SAMPLES, 'manifest.json'), encoding='utf-8') as f:
        corpus = json.load(f)['samples']
    allowed = {p: set() for p in POLICIES}
    malicious = set()
    for s in corpus:
        cp = s['cpython']
        seen = set(cp['globals']) | set(cp.get('nested_globals', []))
        for fo in cp.get('following', []):
            seen |= set(fo['globals'])
        for p in POLICIES:
            if s['expect'][p] == 'safe':
                allowed[p] |= seen
        if s['category'] == 'malicious':
            malicious |= seen
    return allowed, malicious


def derive(entry, allowed, malicious):
    path = os.path.join(DIR, entry['file'])
    with open(path, 'rb') as f:
        data = f.read()
    rec = find_class.record(data)
    following = find_class.record_following(data)
    requested = dedupe(['%s %s' % tuple(g) for g in rec['globals']] + flatten_nested(rec['nested'])
                       + [g for fo in following for g in ['%s %s' % tuple(x) for x in fo['globals']] + flatten_nested(fo['nested'])])
    cpython = {'globals': requested, 'loads': rec['loads']}
    if rec['error']:
        cpython['error'] = rec['error']
    if following:
        cpython['following'] = len(following)
    cpython['genops'] = genops_facts(data)
    longest, digits = text_facts(data)

    reasons, codes = [], []
    if longest > MAX_LINE_BYTES:
        reasons.append('a protocol-0 text line of %d bytes (more than maxLineBytes %d)' % (longest, MAX_LINE_BYTES))
        codes.append('RESOURCE_HOSTILE')
    if digits > MAX_INT_DIGITS:
        reasons.append('an integer of %d digits (more than maxIntDigits %d)' % (digits, MAX_INT_DIGITS))
        if 'RESOURCE_HOSTILE' not in codes:
            codes.append('RESOURCE_HOSTILE')
    if not rec['loads']:
        reasons.append('CPython does not load it (%s)' % rec['error'])
    expect, because, policy_codes = {}, {}, {}
    for p in POLICIES:
        risky = [g for g in requested if g not in allowed[p] and g in malicious]
        if risky:
            raise SystemExit('%s: CPython requests %s, which the corpus knows only from malicious samples: '
                             'cannot derive %s; add the sample to the corpus generators instead' % (entry['file'], risky, p))
        unlisted = [g for g in requested if g not in allowed[p]]
        why = list(reasons)
        if unlisted:
            why.append('CPython requests %s, which no corpus sample safe under %s requests (UNLISTED)' % (', '.join(unlisted), p))
        if not why and p != 'default':
            raise SystemExit('%s: nothing makes it unsafe under %s, and whether it is a valid %s payload is not a CPython fact'
                             % (entry['file'], p, p))
        expect[p] = 'suspicious' if why else 'safe'
        policy_codes[p] = codes + (['UNLISTED_GLOBAL'] if unlisted else [])
        because[p] = '; '.join(why) if why else 'CPython loads it, every global is allowed, no limit is crossed'
    derived = {
        'sha256': hashlib.sha256(data).hexdigest(),
        'size': len(data),
        'cpython': cpython,
        'text': {'longestLine': longest, 'maxIntDigits': digits},
        'expect': expect,
        'codes': policy_codes,
        'because': because,
    }
    out = {k: v for k, v in entry.items() if k not in DERIVED}
    out.update(derived)
    return out


def render(entries):
    allowed, malicious = corpus_knowledge()
    return ''.join(json.dumps(derive(e, allowed, malicious), ensure_ascii=True) + '\n' for e in entries)


def main(argv):
    if '--limits' in argv:
        print(json.dumps({'maxLineBytes': MAX_LINE_BYTES, 'maxIntDigits': MAX_INT_DIGITS}))
        return 0
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))
    with open(MANIFEST, encoding='utf-8') as f:
        current = f.read()
    entries = [json.loads(line) for line in current.splitlines() if line.strip()]
    listed = sorted(e['file'] for e in entries)
    present = sorted(n for n in os.listdir(DIR) if n != 'manifest.json')
    if listed != present:
        raise SystemExit('samples/regressions: manifest lists %s, folder holds %s' % (listed, present))
    text = render(entries)
    if '--check' in argv:
        if text != current:
            sys.stdout.write('samples/regressions/manifest.json is not what gen_regressions.py derives; run it\n')
            return 1
        return 0
    with open(MANIFEST, 'w', encoding='utf-8') as f:
        f.write(text)
    print('regressions:', len(entries))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
