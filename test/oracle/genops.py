#!/usr/bin/env python3
"""CPython oracle: what `pickletools.genops` yields for each input.

Input: a JSON array of base64 strings on stdin, or file paths as argv.
Output: one JSON line per input (first pickle only: genops stops at STOP):
  {"ok": true,  "ops": [[name, pos, arg], ...], "end": position after STOP}
  {"ok": false, "ops": [...ops before the error], "error": "Type: message"}
Argument encoding: null; int {"i": "decimal"}; bool (I00/I01) {"b": true|false};
float {"f": repr}; str {"s": value}; bytes/bytearray {"x": hex}; else {"r": repr}.
Runs with CPython's default int/str digit limit (a LONG with too many digits is an
error, as in pickle.loads); only the JSON encoding of decoded ints lifts it.
"""
import json
import pickletools
import sys

from oracle_inputs import inputs


def encode_arg(arg):
    if arg is None:
        return None
    if isinstance(arg, bool):
        return {'b': arg}
    if isinstance(arg, int):
        old = sys.get_int_max_str_digits() if hasattr(sys, 'get_int_max_str_digits') else None
        try:
            if old is not None:
                sys.set_int_max_str_digits(0)
            return {'i': str(arg)}
        finally:
            if old is not None:
                sys.set_int_max_str_digits(old)
    if isinstance(arg, float):
        return {'f': repr(arg)}
    if isinstance(arg, str):
        return {'s': arg}
    if isinstance(arg, (bytes, bytearray)):
        return {'x': bytes(arg).hex()}
    return {'r': repr(arg)}


def run(data):
    ops = []
    try:
        for opcode, arg, pos in pickletools.genops(data):
            ops.append([opcode.name, pos, encode_arg(arg)])
            if opcode.name == 'STOP':
                return {'ok': True, 'ops': ops, 'end': pos + 1}
        # genops only returns without STOP if the input ended right after an op.
        return {'ok': False, 'ops': ops, 'error': 'ValueError: pickle exhausted before seeing STOP'}
    except Exception as e:  # noqa: B902 - report, never crash the batch
        return {'ok': False, 'ops': ops, 'error': '%s: %s' % (type(e).__name__, str(e)[:500])}


def main(argv):
    out = sys.stdout
    for data in inputs(argv):
        out.write(json.dumps(run(data), ensure_ascii=True) + '\n')
        out.flush()
    return 0


if __name__ == '__main__':
    sys.exit(main([a for a in sys.argv[1:] if not a.startswith('--')]))
