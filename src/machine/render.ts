/**
 * Symbolic values as readable pseudo-Python, e.g. `os.system('echo hi')`. Output is bounded: long
 * strings, big containers and deep nesting are elided, so rendering is O(1) per call whatever the input.
 */
import type { Value } from './values';

const MAX_STR = 120;
const MAX_ITEMS = 8;
const MAX_DEPTH = 4;
const MAX_TOTAL = 400;

function pyRepr(s: string): string {
  // the common case, printable ASCII without quotes or backslashes: as it is, in single quotes
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x27 || c === 0x22 || c === 0x5c) {
      plain = false;
      break;
    }
  }
  if (plain) return "'" + s + "'";
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else if (c >= 0xd800 && c <= 0xdfff) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + quote;
}

function clip(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) + '…' : s;
}

/** `b'...'` of the first bytes of a value `length` bytes long. */
function bytesRepr(bytes: Uint8Array, length: number, prefix: string): string {
  let out = prefix + "'";
  const n = Math.min(bytes.length, length, MAX_STR);
  for (let i = 0; i < n; i++) {
    const c = bytes[i]!;
    if (c === 0x27 || c === 0x5c) out += '\\' + String.fromCharCode(c);
    else if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c);
    else if (c === 0x0a) out += '\\n';
    else out += '\\x' + c.toString(16).padStart(2, '0');
  }
  return out + (length > n ? `'…(${length} bytes)` : "'");
}

export function renderValue(v: Value, depth = 0): string {
  switch (v.k) {
    case 'none':
      return 'None';
    case 'bool':
      return v.v ? 'True' : 'False';
    case 'int':
      return v.v === null ? '<huge int>' : clip(String(v.v), MAX_STR);
    case 'float': {
      if (Number.isNaN(v.v)) return "float('nan')";
      if (!Number.isFinite(v.v)) return v.v > 0 ? "float('inf')" : "float('-inf')";
      const s = String(v.v);
      return s.includes('.') || s.includes('e') ? s : s + '.0';
    }
    case 'str':
      if (v.v === null) return `<str of ${v.len} chars>`;
      return v.v.length > MAX_STR ? pyRepr(v.v.slice(0, MAX_STR)) + `…(${v.v.length} chars)` : pyRepr(v.v);
    case 'bytes': {
      const r = bytesRepr(v.data ?? v.head, v.end - v.start, 'b');
      return v.bytearray ? `bytearray(${r})` : r;
    }
    case 'tuple':
    case 'list':
    case 'set': {
      const open = v.k === 'tuple' ? '(' : v.k === 'list' ? '[' : v.frozen ? 'frozenset({' : '{';
      const close = v.k === 'tuple' ? ')' : v.k === 'list' ? ']' : v.frozen ? '})' : '}';
      if (v.count === 0) return v.k === 'set' ? (v.frozen ? 'frozenset()' : 'set()') : open + close;
      if (depth >= MAX_DEPTH) return open + '…' + close;
      // items joined by ', ' as they are rendered (no arrays of parts): the hot path of every call's pseudo-code
      const n = Math.min(v.items.length, MAX_ITEMS);
      let out = open;
      for (let i = 0; i < n; i++) out += (i === 0 ? '' : ', ') + renderValue(v.items[i]!, depth + 1);
      if (v.count > n) out += (n === 0 ? '' : ', ') + `…(${v.count} items)`;
      const trailing = v.k === 'tuple' && v.count === 1 ? ',' : '';
      return clip(out + trailing + close, MAX_TOTAL);
    }
    case 'dict': {
      if (v.count === 0) return '{}';
      if (depth >= MAX_DEPTH) return '{…}';
      const n = Math.min(v.entries.length, MAX_ITEMS);
      let out = '{';
      for (let i = 0; i < n; i++) {
        const e = v.entries[i]!;
        out += (i === 0 ? '' : ', ') + renderValue(e[0], depth + 1) + ': ' + renderValue(e[1], depth + 1);
      }
      if (v.count > n) out += (n === 0 ? '' : ', ') + `…(${v.count} items)`;
      return clip(out + '}', MAX_TOTAL);
    }
    case 'global':
      return v.resolved;
    case 'call':
      if (depth >= MAX_DEPTH) return '…(…)';
      return clip(renderCall(v.callee, v.args, depth, v.kwargs), MAX_TOTAL);
    case 'persid':
      return `persistent_load(${renderValue(v.pid, depth + 1)})`;
    case 'buffer':
      return v.readonly ? '<readonly out-of-band buffer>' : '<out-of-band buffer>';
    case 'unknown':
      return `<${v.why}>`;
  }
}

/** The callee of a call as written in pseudo-Python: a global's name, or a parenthesised expression. */
function calleeText(callee: Value, depth: number): string {
  return callee.k === 'global' ? callee.resolved : `(${renderValue(callee, depth + 1)})`;
}

/** The arguments of a call: a tuple's items spread as positional arguments, then keyword arguments. */
function argsText(args: Value, depth: number, kwargs?: Value): string {
  let inner: string;
  if (args.k === 'tuple') {
    const n = Math.min(args.items.length, MAX_ITEMS);
    inner = '';
    for (let i = 0; i < n; i++) inner += (i === 0 ? '' : ', ') + renderValue(args.items[i]!, depth + 1);
    if (args.count > n) inner += (n === 0 ? '' : ', ') + `…(${args.count} args)`;
  } else {
    inner = '*' + renderValue(args, depth + 1);
  }
  if (kwargs) {
    if (kwargs.k === 'dict') {
      const kw = kwargs.entries.slice(0, MAX_ITEMS).map(([k, x]) =>
        k.k === 'str' && k.v !== null ? `${k.v}=${renderValue(x, depth + 1)}` : `**{${renderValue(k, depth + 1)}: …}`,
      );
      if (kw.length) inner = inner ? inner + ', ' + kw.join(', ') : kw.join(', ');
    } else inner += (inner ? ', ' : '') + '**' + renderValue(kwargs, depth + 1);
  }
  return inner;
}

/** `callee(args...)`. */
export function renderCall(callee: Value, args: Value, depth = 0, kwargs?: Value): string {
  return `${calleeText(callee, depth)}(${argsText(args, depth, kwargs)})`;
}

/** `cls.__new__(cls, args...)`, what NEWOBJ and NEWOBJ_EX call. */
export function renderNew(cls: Value, args: Value, kwargs?: Value): string {
  const fn = calleeText(cls, 0);
  const inner = argsText(args, 0, kwargs);
  const sep = args.k === 'tuple' && args.count === 0 && !kwargs ? '' : ', ';
  return `${fn}.__new__(${fn}${sep}${inner})`;
}

/** Pseudo-Python rendered on first use: most calls are never listed nor named in a finding. */
export type LazyText = () => string;

/** `render` runs at most once, when the text is first asked for (always while the same opcode is handled). */
export function lazyText(render: () => string): LazyText {
  let text: string | undefined;
  return () => (text ??= render());
}
