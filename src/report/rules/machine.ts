/** Rules of the opcode reader and the symbolic machine: stream structure, resources, data flow. */
import { ONCE, rule, type At } from './rule';

/** A halt: CPython would raise here, so the pickle ends. `${op} at offset ${at}: ${what}`. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
const halt = <A extends object = {}>(what: (a: A) => string) => rule<At & A>('suspicious', (a) => `${a.op} at offset ${a.at}: ${what(a)}`);

export const MACHINE_RULES = {
  // ---- the reader: where the bytes stop being an opcode stream
  'MALFORMED/invalid-opcode': rule<{ byte: number; at: number }>('suspicious', (a) => `invalid opcode byte 0x${a.byte.toString(16).padStart(2, '0')} at offset ${a.at}`),
  'TRUNCATED/truncated-argument': rule<At & { what: string }>('suspicious', (a) => `${a.op} at offset ${a.at}: input ends inside its ${a.what}`),
  'MALFORMED/negative-length': rule<At & { n: number }>('suspicious', (a) => `${a.op} at offset ${a.at} declares a negative length (${a.n})`),
  'TRUNCATED/declared-length': rule<At & { declared: string; remain?: number }>('suspicious', (a) =>
    a.remain !== undefined
      ? `${a.op} at offset ${a.at} declares ${a.declared} bytes but only ${a.remain} remain`
      : a.op === 'FRAME'
        ? `FRAME at offset ${a.at} declares more bytes than remain`
        : `${a.op} at offset ${a.at} declares ${a.declared} bytes beyond the end of the input`,
  ),
  'MALFORMED/invalid-argument': rule<At>('suspicious', (a) => `${a.op} at offset ${a.at} has an invalid argument`),
  'TRUNCATED/empty-input': rule('suspicious', () => 'the input is empty: no pickle to load'),
  'TRUNCATED/end-before-stop': rule<{ at: number }>('suspicious', (a) => `the input ends at offset ${a.at} before STOP`),

  // ---- halts of the machine: CPython raises on these
  'MALFORMED/stack-underflow': halt(() => 'unpickling stack underflow'),
  'MALFORMED/no-mark': halt(() => 'could not find MARK'),
  'MALFORMED/invalid-int': halt<{ long: boolean; text: string }>((a) => `invalid ${a.long ? 'long' : 'int'} literal '${a.text}'`),
  'MALFORMED/invalid-float': halt<{ text: string }>((a) => `invalid float literal '${a.text}'`),
  'MALFORMED/invalid-string': halt(() => 'the STRING argument must be a quoted Python 2 string literal with valid escapes'),
  'MALFORMED/invalid-text': halt<{ utf8: boolean }>((a) => (a.utf8 ? 'invalid UTF-8 in a str' : 'invalid raw-unicode-escape text')),
  'MALFORMED/invalid-memo-index': halt<{ text: string }>((a) => `invalid memo index '${a.text}'`),
  'MALFORMED/memo-missing': halt<{ idx: number }>((a) => `memo has no entry ${a.idx}`),
  'MALFORMED/negative-memo-index': halt(() => 'negative PUT argument'),
  'MALFORMED/invalid-global-name': halt(() => 'module or name is not valid UTF-8'),
  'TRUNCATED/empty-global-name': halt(() => 'empty module or name'),
  'MALFORMED/stack-global-operands': halt<{ module: string; name: string }>((a) => `STACK_GLOBAL requires str operands, got ${a.module} and ${a.name}`),
  'MALFORMED/ext-code': halt(() => 'EXT specifies code <= 0'),
  'MALFORMED/not-callable': halt<{ what: string }>((a) => `${a.what} is not callable`),
  'MALFORMED/args-not-tuple': halt<{ kind: string }>((a) => `the argument list must be a tuple, got ${a.kind}`),
  'MALFORMED/cannot-build': halt<{ what: string }>((a) => `cannot set state on ${a.what}`),
  'MALFORMED/odd-items': halt<{ what: 'DICT' | 'SETITEMS' }>((a) => `odd number of items for ${a.what}`),
  'MALFORMED/obj-without-class': halt(() => 'OBJ needs a class after its MARK'),
  'MALFORMED/persid-not-ascii': halt(() => 'persistent IDs in protocol 0 must be ASCII strings'),
  'MALFORMED/line-too-long': halt<{ bytes: number; max: number }>((a) => `a protocol 0 line of ${a.bytes} bytes (more than ${a.max}, maxLineBytes) is not analysed`),
  'MALFORMED/unsupported-protocol': halt<{ proto: number }>((a) => `unsupported pickle protocol: ${a.proto}`),
  'MALFORMED/unsupported-mutation': halt<{ what: string; action: string }>((a) => `${a.what} does not support ${a.action}`),
  'MALFORMED/joblib-array-size': halt<{ why: string }>((a) => `joblib array data follows but its size is unknown: ${a.why}`),
  'TRUNCATED/joblib-array-missing': halt(() => 'joblib array data is missing'),
  'TRUNCATED/joblib-array-past-end': halt<{ bytes: number }>((a) => `joblib array data (${a.bytes} bytes) runs past the end of the input`),
  'MALFORMED/joblib-object-array': halt(() => 'the object array pickled after a joblib NumpyArrayWrapper is not a complete pickle'),

  // ---- limits: the rest of the input was not looked at
  'LIMIT_EXCEEDED/max-opcodes': rule<At & { max: number }>('suspicious', (a) => `more than ${a.max} opcodes (maxOpcodes); analysis stopped at offset ${a.at}`),
  'LIMIT_EXCEEDED/max-stack': rule<At & { max: number }>('suspicious', (a) => `more than ${a.max} items on the stack (maxStack); analysis stopped at offset ${a.at}`),
  'LIMIT_EXCEEDED/max-nesting': rule<At & { max: number }>('suspicious', (a) => `more than ${a.max} open MARKs (maxNesting); analysis stopped at offset ${a.at}`),
  'LIMIT_EXCEEDED/max-memo': rule<At & { max: number }>('suspicious', (a) => `more than ${a.max} memo entries (maxMemo); analysis stopped at offset ${a.at}`),
  'LIMIT_EXCEEDED/max-pickles': rule<{ max: number }>('suspicious', (a) => `more than ${a.max} pickles in one input (maxPickles); the rest was not analysed`),
  'LIMIT_EXCEEDED/max-walk': rule<At & { max: number }>(
    'suspicious',
    (a) => `looking for classes and objects handed to library code took more than ${a.max} steps by offset ${a.at} (4 × the bytes read + 1 MiB): from there on, what calls and BUILDs are handed was not checked`,
    ONCE,
  ),
  'LIMIT_EXCEEDED/unkept-items': rule<At & { kept: number }>(
    'suspicious',
    (a) => `${a.op} at offset ${a.at} adds a class, function or object to a container already stored in another, and a container was stored past the first ${a.kept} items of another (only those are kept): whether library code is handed that item was not checked`,
    ONCE,
  ),
  'LIMIT_EXCEEDED/unlisted-findings': rule<{ count: number; worst: string }>('suspicious', (a) => `${a.count} further findings were not listed (the most severe of them: ${a.worst})`),
  // the same, when one of those not listed is dangerous: the verdict must not drop with the list
  'LIMIT_EXCEEDED/unlisted-dangerous-findings': rule<{ count: number; worst: string }>('dangerous', (a) => `${a.count} further findings were not listed (the most severe of them: ${a.worst})`),

  // ---- cheap to send, expensive to load
  'RESOURCE_HOSTILE/object-depth': rule<At & { max: number }>(
    'suspicious',
    (a) => `${a.op} at offset ${a.at} nests containers more than ${a.max} deep: CPython's own pickler cannot write that, and recursive code on the server (repr, copy, comparison) overflows`,
    ONCE,
  ),
  'RESOURCE_HOSTILE/memo-expansion': rule<At & { objects: string; size: number }>(
    'suspicious',
    (a) => `${a.op} at offset ${a.at} builds a structure that expands to ${a.objects} objects through shared references (a memo expansion bomb) from the first ${a.size} bytes`,
    ONCE,
  ),
  'RESOURCE_HOSTILE/long-line': rule<At & { bytes: number; max: number }>('suspicious', (a) => `${a.op} at offset ${a.at} is a protocol 0 line of ${a.bytes} bytes (more than ${a.max}): no legitimate pickle writes one`, ONCE),
  'RESOURCE_HOSTILE/big-int': rule<At & { digits: number; max: number }>(
    'suspicious',
    (a) => `${a.op} at offset ${a.at} is an integer of ${a.digits} digits (more than ${a.max}): CPython 3.11+ refuses it, older versions spend quadratic time parsing it`,
    ONCE,
  ),
  'RESOURCE_HOSTILE/frame-oversize': rule<{ at: number; declared: string; remain: number }>(
    'suspicious',
    (a) => `FRAME at offset ${a.at} declares ${a.declared} bytes but only ${a.remain} remain: CPython refuses to load it; the rest was read as if the frame were absent`,
    ONCE,
  ),
  'RESOURCE_HOSTILE/memo-index': rule<At & { idx: number; table: string }>(
    'suspicious',
    (a) => `${a.op} at offset ${a.at} stores at memo index ${a.idx}: no pickler writes that, and CPython allocates a memo table of about ${a.table} for it`,
    ONCE,
  ),
  'RESOURCE_HOSTILE/allocation': rule<At & { call: string; max: number }>('suspicious', (a) => `${a.op} at offset ${a.at} calls ${a.call}: the server would allocate more than ${a.max} bytes`),
  'RESOURCE_HOSTILE/iteration': rule<At & { call: string; items: string }>('suspicious', (a) => `${a.op} at offset ${a.at} calls ${a.call}: it consumes ${a.items}, which the server would iterate until it runs out of memory or time`),
  'RESOURCE_HOSTILE/number-text': rule<At & { call: string; what: string; max: number }>('suspicious', (a) => `${a.op} at offset ${a.at} calls ${a.call}: a number with ${a.what} (more than ${a.max}) costs the server quadratic time or unbounded memory`),

  // ---- several pickles, frames
  'MULTIPLE_PICKLES/another-pickle': rule<{ at: number }>('info', (a) => `another pickle starts at offset ${a.at} after the previous STOP`, ONCE),
  'TRAILING_DATA/after-stop': rule<{ bytes: number; stop: number; why: string }>('suspicious', (a) => `${a.bytes} bytes after the STOP at offset ${a.stop} are not a pickle (${a.why})`, ONCE),
  'FRAME_VIOLATION/frame-straddle': rule<At & { end: number; frameEnd: number }>('suspicious', (a) => `${a.op} at offset ${a.at} ends at ${a.end}, beyond the end of its frame at ${a.frameEnd}`),
  'FRAME_VIOLATION/frame-in-frame': rule<{ at: number; frameEnd: number }>('suspicious', (a) => `FRAME at offset ${a.at} begins before the current frame ends at ${a.frameEnd}`),

  // ---- data flow
  'UNRESOLVED_GLOBAL/computed-name': rule<{ at: number; what: string }>('suspicious', (a) => `STACK_GLOBAL at offset ${a.at} imports a global that cannot be resolved statically (${a.what})`),
  'UNREGISTERED_EXT/unregistered-ext': rule<At & { code: number }>(
    'suspicious',
    (a) => `${a.op} at offset ${a.at} loads extension code ${a.code}, which the policy's registry does not map (CPython's default registry is empty)`,
    (a) => String(a.code),
  ),
  'UNRESOLVED_CALL/call-of-unresolved': rule<At & { callee: string }>('dangerous', (a) => `${a.op} at offset ${a.at} calls ${a.callee}: what runs depends on the loader, not on anything in the pickle`),
  'CALL_ON_CALL_RESULT/call-of-call': rule<At & { callee: string }>('dangerous', (a) => `${a.op} at offset ${a.at} calls the result of ${a.callee}, a getattr-style indirection that can reach any function`),
  'BUILD_ON_NON_INSTANCE/build-on-global': rule<{ at: number; target: string }>('dangerous', (a) => `BUILD at offset ${a.at} sets state on ${a.target} itself (a module, class or function), planting attributes other code will use`),
  'BUILD_ON_NON_INSTANCE/build-on-reference': rule<{ at: number; what: string }>('suspicious', (a) => `BUILD at offset ${a.at} sets state on a ${a.what}`),
  'PERSISTENT_ID/persistent-id': rule<At & { pid: string }>('suspicious', (a) => `${a.op} at offset ${a.at} asks the loader's persistent_load for ${a.pid}, which the policy does not allow`, ONCE),
  'OUT_OF_BAND_BUFFER/out-of-band': rule<{ at: number }>('suspicious', (a) => `NEXT_BUFFER at offset ${a.at} takes an out-of-band buffer the policy does not allow`, ONCE),
  'NESTED_PICKLE/nested-dangerous': rule<At & { bytes: number; inside: string }>('dangerous', (a) => `${a.op} at offset ${a.at} passes a ${a.bytes}-byte pickle to a call; inside it: ${a.inside}`),
  'NESTED_PICKLE_UNVERIFIED/nested-too-large': rule<At & { bytes: number; max: number }>(
    'suspicious',
    (a) => `${a.op} at offset ${a.at} passes a ${a.bytes}-byte string that starts like a pickle to a call; it is larger than ${a.max} bytes (maxNestedPickleBytes) and was not verified`,
  ),
  'NESTED_PICKLE_UNVERIFIED/nested-unverified': rule<At & { bytes: number; code: string; why: string; imports: string }>(
    'suspicious',
    (a) => `${a.op} at offset ${a.at} passes a ${a.bytes}-byte pickle to a call that is not clean (${a.code}: ${a.why}); it imports ${a.imports}`,
  ),
  'METHOD_CALL_ON_OBJECT/method-on-global': rule<At & { call: string; target: string }>('dangerous', (a) => `${a.op} at offset ${a.at} calls a method of ${a.target} itself: ${a.call}`),
  'METHOD_CALL_ON_OBJECT/method-on-unknown': rule<At & { target: string; kind: string }>('suspicious', (a) => `${a.op} at offset ${a.at} calls a method of ${a.target}`, (a) => a.kind),
  'ANALYSIS_ERROR/internal-error': rule<{ why: string }>('suspicious', (a) => `analysis failed (${a.why}); everything found before the failure is reported`),
};
