/**
 * Globals that run code, import code, reach the file system or the network, or give an attacker a
 * getattr-like walk when a pickle calls them. A deny hit makes a pickle `dangerous` under every built-in
 * policy; it explains, it never makes anything safe (anything not allowed is still rejected).
 *
 * Module rules with `submodules` cover their packages. Names are matched after `_compat_pickle`
 * remapping and stdlib alias resolution too, so `__builtin__ eval`, `commands getoutput` and
 * `argparse _os.system` all land here.
 */
import type { PolicyRule } from '../schema';
import { STDLIB_ENUM_MEMBERS, STDLIB_ENUMS } from './names';

/**
 * Values that live in denied modules but do nothing when a pickle builds or references them: the
 * stdlib's enumerations and their exported members (`signal.Signals`, `socket.AF_INET`,
 * `http.HTTPStatus`) and a few plain value types. A deny rule over their module does not cover them;
 * the allowlist says what they are.
 */
const VALUE_TYPES: readonly string[] = [
  ...Object.entries(STDLIB_ENUMS).flatMap(([m, names]) => names.map((n) => `${m}.${n}`)),
  ...Object.entries(STDLIB_ENUM_MEMBERS).flatMap(([m, names]) => names.map((n) => `${m}.${n}`)),
  'os.stat_result', 'os.statvfs_result', 'os.terminal_size', 'os.times_result', 'os.uname_result', 'os.sched_param', 'os.waitid_result',
  'posix.stat_result', 'posix.statvfs_result', 'posix.terminal_size', 'posix.times_result', 'posix.uname_result',
  'urllib.parse.ParseResult', 'urllib.parse.SplitResult', 'urllib.parse.DefragResult',
  'urllib.parse.ParseResultBytes', 'urllib.parse.SplitResultBytes', 'urllib.parse.DefragResultBytes',
  'torch.serialization._get_layout',
];

/** VALUE_TYPES by every module prefix they are under (`socket` and `socket.AddressFamily` ...), in order. */
const VALUES_UNDER = new Map<string, string[]>();
for (const q of VALUE_TYPES) {
  for (let dot = q.indexOf('.'); dot > 0; dot = q.indexOf('.', dot + 1)) {
    const prefix = q.slice(0, dot);
    const list = VALUES_UNDER.get(prefix);
    if (list) list.push(q);
    else VALUES_UNDER.set(prefix, [q]);
  }
}

function valuesUnder(module: string): string[] | undefined {
  return VALUES_UNDER.get(module)?.slice();
}

const all = (module: string, reason: string): PolicyRule => {
  const except = valuesUnder(module);
  return { module, names: '*', action: 'deny', reason, submodules: true, ...(except ? { except } : {}) };
};
const some = (module: string, names: string[], reason: string): PolicyRule => ({ module, names, action: 'deny', reason });

/**
 * ruamel.yaml's round-trip data, what its loader returns (not a loader): a mapping and a sequence
 * that keep comments, line/column and flow-style records, a comment token and a source mark. Read
 * in 0.17.21 (Debian 12; Debian 13 has no ruamel.yaml): CommentedMap is an OrderedDict whose
 * __init__ makes its key set and referent list and whose __setitem__ stores the item (it re-types
 * a str only over a ruamel ScalarString, whose names stay denied); CommentedSeq is a list whose
 * item methods store; Comment, Format and LineCol store attributes; CommentToken and FileMark set
 * their slots. No class in their MRO defines __setstate__, __setattr__, __getattr__ or __del__;
 * CommentedMap is pickled by OrderedDict's own __reduce__ (the class, no arguments, its __dict__ and
 * its items, set with __setitem__), the others by pickle's default. Left to the catalogue, which
 * judged them safe classes; the rest of the package (loaders, constructors, representers, the
 * scalar types) stays denied.
 */
const RUAMEL_DATA = [
  'ruamel.yaml.comments.CommentedMap',
  'ruamel.yaml.comments.CommentedSeq',
  'ruamel.yaml.comments.Comment',
  'ruamel.yaml.comments.Format',
  'ruamel.yaml.comments.LineCol',
  'ruamel.yaml.tokens.CommentToken',
  'ruamel.yaml.error.FileMark',
];

/** Methods of pathlib's concrete paths that touch the file system, on every concrete path class. */
const PATH_IO = ['Path', 'PosixPath', 'WindowsPath'].flatMap((cls) =>
  ['write_text', 'write_bytes', 'unlink', 'rmdir', 'touch', 'open', 'read_text', 'read_bytes', 'rename', 'replace', 'symlink_to', 'hardlink_to', 'link_to', 'chmod', 'lchmod', 'mkdir', 'iterdir', 'glob', 'rglob', 'walk', 'readlink', 'resolve', 'stat', 'lstat', 'exists', 'samefile', 'owner', 'group', 'expanduser', 'home', 'cwd', 'copy', 'move'].map((m) => `${cls}.${m}`),
);

export const DENY_RULES: readonly PolicyRule[] = [
  // ---- running commands and processes
  all('os', 'runs commands, spawns processes, reads and writes files (os.system, os.popen, os.exec*, os.spawn*)'),
  all('posix', 'the os module under its platform name (posix.system)'),
  all('nt', 'the os module under its platform name (nt.system)'),
  all('subprocess', 'spawns processes'),
  all('_posixsubprocess', 'spawns processes (fork_exec)'),
  all('_winapi', 'spawns processes on Windows (CreateProcess)'),
  all('_bootsubprocess', 'spawns processes'),
  all('commands', 'Python 2 command runner (getoutput, getstatusoutput)'),
  all('popen2', 'Python 2 process spawning'),
  all('pty', 'spawns processes on a pseudo-terminal (pty.spawn)'),
  all('platform', 'runs external commands (platform.popen, _syscmd_*)'),
  all('_osx_support', 'runs external commands (_read_output)'),
  all('asyncio', 'spawns processes and opens sockets (create_subprocess_shell/exec)'),
  all('multiprocessing', 'spawns processes and unpickles (spawnv_passfds, ForkingPickler.loads)'),
  all('concurrent', 'runs callables in executors'),
  all('threading', 'runs callables in new threads'),
  all('_thread', 'runs callables in new threads'),
  all('signal', 'installs signal handlers'),
  all('shutil', 'deletes, moves and copies files (rmtree), runs archive tools'),
  all('webbrowser', 'launches a browser process'),
  all('antigravity', 'importing it launches a browser'),
  all('this', 'importing it has side effects'),
  all('idlelib', 'runs code in the IDLE shell'),
  all('pydoc', 'runs a pager process (pipepager, tempfilepager)'),
  all('ensurepip', 'runs pip (_run_pip)'),
  all('pip', 'installs packages and runs their code (pip.main)'),
  all('setuptools', 'runs build commands'),
  all('distutils', 'runs commands (spawn) and builds code'),
  all('venv', 'creates environments and runs pip'),
  all('imaplib', 'runs a command through IMAP4_stream'),
  some('uuid', ['_get_command_stdout', '_popen', '_find_mac', '_find_mac_near_keyword', '_find_mac_under_heading', '_ifconfig_getnode', '_ip_getnode', '_arp_getnode', '_lanscan_getnode', '_netstat_getnode', '_ipconfig_getnode', '_netbios_getnode', '_unix_getnode', '_windll_getnode', '_load_system_functions', 'getnode'], 'private helpers run commands (_get_command_stdout)'),
  all('ctypes', 'loads native libraries and calls arbitrary C functions'),
  all('_ctypes', 'loads native libraries and calls arbitrary C functions'),
  all('cffi', 'loads native libraries'),
  all('msvcrt', 'Windows C runtime access'),
  all('winreg', 'Windows registry access'),
  all('_winreg', 'Windows registry access'),
  all('torch.utils.collect_env', 'runs commands (run, run_and_read_all)'),
  all('torch.hub', 'downloads and runs code'),
  all('torch.fx', 'executes generated Python source (reduce_graph_module, _forward_from_src)'),
  all('torch.serialization', 'nested torch.load'),
  all('torch.package', 'imports and runs packaged code'),
  all('torch.jit', 'loads and runs TorchScript (torch.jit.load)'),
  all('torch._dynamo', 'compiles and runs code'),
  all('torch._inductor', 'compiles and runs code'),
  // ---- evaluating and compiling code, importing modules
  some('builtins', ['eval', 'exec', 'execfile', 'compile', '__import__', 'open', 'input', 'breakpoint', 'help', 'exit', 'quit', 'apply', 'file', 'reload', 'globals', 'locals', 'vars', 'getattr', 'setattr', 'delattr', 'map', 'filter', 'memoryview', 'copyright', 'credits', 'license', '__loader__', '__spec__', '__build_class__'],
    'evaluates code, opens files, or gives a getattr-like walk to any attribute'),
  some('__builtin__', ['eval', 'exec', 'execfile', 'compile', '__import__', 'open', 'input', 'raw_input', 'help', 'exit', 'quit', 'apply', 'file', 'reload', 'globals', 'locals', 'vars', 'getattr', 'setattr', 'delattr', 'map', 'filter', 'memoryview'],
    'Python 2 builtins: evaluates code, opens files, getattr-like walks'),
  some('__builtins__', ['eval', 'exec', 'compile', '__import__', 'open', 'getattr', 'setattr', 'delattr', 'vars', 'globals', 'locals'], 'builtins under their module-global alias'),
  all('importlib', 'imports arbitrary modules (import_module) and runs loaders'),
  all('imp', 'imports arbitrary modules (load_source, load_module)'),
  all('_imp', 'low-level import machinery'),
  all('_frozen_importlib', 'import machinery'),
  all('_frozen_importlib_external', 'import machinery (SourceFileLoader)'),
  all('pkgutil', 'imports arbitrary modules (resolve_name, get_importer)'),
  all('zipimport', 'imports code from zip files'),
  all('runpy', 'runs modules and files as __main__ (run_path, run_module, _run_code)'),
  all('code', 'an interactive interpreter (InteractiveConsole.push, InteractiveInterpreter.runsource)'),
  all('codeop', 'compiles source code'),
  all('pdb', 'runs code under the debugger (pdb.run)'),
  all('bdb', 'runs code under the debugger'),
  all('trace', 'runs code under tracing'),
  all('profile', 'runs code strings (profile.run)'),
  all('cProfile', 'runs code strings (cProfile.run)'),
  all('timeit', 'runs code strings (timeit.timeit)'),
  all('doctest', 'runs code from docstrings'),
  all('marshal', 'loads code objects'),
  some('types', ['FunctionType', 'LambdaType', 'CodeType', 'MethodType', 'BuiltinFunctionType', 'BuiltinMethodType', 'ModuleType', 'new_class', 'prepare_class', 'coroutine', 'CellType', 'FrameType', 'TracebackType', 'GeneratorType'], 'builds functions, code objects, modules and classes'),
  all('inspect', 'getattr substitutes (getattr_static) and annotation evaluation'),
  all('annotationlib', 'evaluates annotation strings'),
  all('gc', 'reaches every live object (get_objects, get_referrers)'),
  all('sys', 'module table, tracing hooks, interpreter state (sys.modules)'),
  all('atexit', 'registers a callable to run at exit (trampoline)'),
  all('site', 'processes .pth files, which run code (addsitedir)'),
  some('warnings', ['_getcategory', '_setoption', '_processoptions'], 'imports an arbitrary module named in a string'),
  all('unittest', 'mock imports arbitrary dotted names (_importer, _get_target)'),
  all('torch._C', 'native internals: loads and runs TorchScript, calls arbitrary operators'),
  all('weakref', 'finalize runs a callable later (trampoline)'),
  all('logging.config', 'dictConfig instantiates arbitrary classes; listen accepts code over a socket'),
  some('typing', ['get_type_hints', '_eval_type', 'ForwardRef', '_type_check', 'evaluate_forward_ref'], 'evaluates annotation strings (eval without eval)'),
  some('functools', ['partialmethod', 'reduce', 'singledispatch', 'wraps', 'update_wrapper', 'cached_property', 'lru_cache'], 'trampolines that call or wrap arbitrary callables'),
  some('_functools', ['reduce'], 'trampolines that call arbitrary callables'),
  some('operator', ['call', 'getitem', 'setitem', 'delitem'], 'generic call and item helpers that run whatever the object does'),
  some('_operator', ['call', 'getitem', 'setitem', 'delitem'], 'generic call and item helpers that run whatever the object does'),
  some('copyreg', ['add_extension', 'remove_extension', 'clear_extension_cache', 'pickle', 'constructor', '_reduce_ex', 'dispatch_table'], 'rewrites the unpickler registry (EXT codes) or calls arbitrary reducers'),
  some('copy_reg', ['add_extension', 'remove_extension', 'clear_extension_cache', 'pickle', 'constructor', '_reduce_ex', 'dispatch_table'], 'rewrites the unpickler registry (EXT codes) or calls arbitrary reducers'),
  // ---- nested deserialisation
  all('pickle', 'nested unpickling (pickle.loads) runs a second payload'),
  all('_pickle', 'nested unpickling'),
  all('cPickle', 'nested unpickling (Python 2 name)'),
  all('pickletools', 'pickle tooling'),
  all('shelve', 'opens pickled databases'),
  all('dill', 'unpickles functions and code'),
  all('cloudpickle', 'unpickles functions and code'),
  all('jsonpickle', 'decodes arbitrary objects'),
  all('yaml', 'unsafe YAML loaders construct arbitrary objects'),
  { ...all('ruamel', 'unsafe YAML loaders construct arbitrary objects'), except: RUAMEL_DATA },
  some('joblib', ['load'], 'nested joblib (pickle) load'),
  all('joblib.numpy_pickle_utils', 'file access helpers'),
  some('joblib.numpy_pickle', ['load', 'load_compatibility', '_unpickle', 'NumpyUnpickler'], 'nested joblib (pickle) load'),
  some('numpy', ['load', 'loads', 'fromfile', 'save', 'savez', 'savetxt', 'loadtxt', 'genfromtxt', 'ctypeslib', 'testing', 'f2py'], 'nested unpickling (allow_pickle) and file access'),
  { module: 'numpy', names: ['memmap'], action: 'deny', use: 'call', reason: 'numpy.memmap(path, mode) opens, creates or truncates the file it names (pickles of memmap views only pass the class to _reconstruct)' },
  { module: 'numpy.core.memmap', names: ['memmap'], action: 'deny', use: 'call', reason: 'numpy.memmap(path, mode) opens, creates or truncates the file it names' },
  { module: 'numpy._core.memmap', names: ['memmap'], action: 'deny', use: 'call', reason: 'numpy.memmap(path, mode) opens, creates or truncates the file it names' },
  all('numpy.lib.npyio', 'nested unpickling and file access'),
  all('numpy.lib.format', 'nested unpickling (read_array)'),
  all('numpy.ctypeslib', 'loads native libraries'),
  all('numpy.f2py', 'compiles and runs code'),
  all('numpy.distutils', 'runs build commands'),
  all('numpy.testing', 'runs code and commands'),
  some('torch', ['load', 'save', 'hub', 'jit', 'compile', 'from_file', 'ops', 'classes', 'package', 'fx'], 'nested torch.load, code loading and compilation'),
  some('pandas', ['read_pickle', 'to_pickle', 'eval', 'read_csv', 'read_table', 'read_json', 'read_html', 'read_xml', 'read_sql', 'read_sql_query', 'read_sql_table', 'read_excel', 'read_parquet', 'read_feather', 'read_hdf', 'read_orc', 'read_sas', 'read_spss', 'read_stata', 'read_fwf', 'read_clipboard', 'read_gbq'], 'nested unpickling, expression evaluation and file/network access'),
  all('pandas.io', 'nested unpickling and file/network access'),
  all('pandas.core.computation', 'evaluates expressions (eval, query)'),
  some('pandas.core.frame', ['DataFrame.eval', 'DataFrame.query', 'DataFrame.to_pickle'], 'evaluates expressions'),
  some('pandas', ['DataFrame.eval', 'DataFrame.query', 'DataFrame.to_pickle'], 'evaluates expressions'),
  all('sklearn.externals', 'vendored joblib.load'),
  all('sklearn.utils._testing', 'runs commands'),
  all('sklearn.datasets', 'downloads data'),
  all('sklearn.utils._joblib', 're-exports joblib.load'),
  all('sklearn.utils._show_versions', 'runs subprocess queries'),
  all('sklearn.utils.estimator_checks', 'runs arbitrary estimator code'),
  all('pandas._testing', 'test helpers with file and network access'),
  all('dask.config', "changes dask's process-wide configuration (dask.config.set, update, refresh): it outlives the load, and dask calls what it holds (array_plugins are called on every new dask array, as Array.__new__ runs when a pickled array loads)"),
  some('torch.nn.modules.module', ['register_module_forward_hook', 'register_module_forward_pre_hook', 'register_module_backward_hook', 'register_module_full_backward_hook', 'register_module_full_backward_pre_hook', 'register_module_buffer_registration_hook', 'register_module_module_registration_hook', 'register_module_parameter_registration_hook'], 'installs global hooks that call arbitrary callables'),
  // ---- files and network
  some('io', ['open', 'open_code', 'FileIO', 'BufferedReader', 'BufferedWriter', 'TextIOWrapper', '_io'], 'opens files'),
  all('_io', 'opens files'),
  some('pathlib', PATH_IO, 'reads, writes or deletes files'),
  some('pathlib._local', PATH_IO, 'reads, writes or deletes files (Python 3.13 spelling)'),
  all('fileinput', 'opens files'),
  some('codecs', ['open', 'EncodedFile', 'StreamReaderWriter', 'StreamRecoder'], 'opens (and truncates) files'),
  some('gzip', ['open', 'GzipFile'], 'opens (and truncates) files'),
  some('bz2', ['open', 'BZ2File'], 'opens (and truncates) files'),
  some('lzma', ['open', 'LZMAFile'], 'opens (and truncates) files'),
  some('logging', ['FileHandler', 'basicConfig', 'config', 'handlers', 'getLogger', 'setLoggerClass', 'setLogRecordFactory'], 'creates files or installs classes and handlers'),
  all('logging.handlers', 'writes files, opens sockets, runs handlers'),
  all('linecache', 'reads source files'),
  all('tempfile', 'creates files'),
  all('glob', 'lists files'),
  all('tarfile', 'extracts archives (path traversal)'),
  all('zipfile', 'extracts archives'),
  all('sqlite3', 'opens databases and runs SQL'),
  all('dbm', 'opens database files'),
  all('socket', 'opens network connections'),
  all('_socket', 'opens network connections'),
  all('socketserver', 'listens on the network'),
  all('ssl', 'opens network connections'),
  all('http', 'network clients and servers'),
  all('httplib', 'network client (Python 2)'),
  all('urllib', 'fetches URLs (urlopen, urlretrieve)'),
  all('urllib2', 'fetches URLs (Python 2)'),
  all('requests', 'fetches URLs'),
  all('ftplib', 'network client'),
  all('poplib', 'network client'),
  all('smtplib', 'sends mail'),
  all('smtpd', 'network server'),
  all('nntplib', 'network client'),
  all('telnetlib', 'network client'),
  all('xmlrpc', 'network client and server'),
  all('xmlrpclib', 'network client (Python 2)'),
  all('wsgiref', 'network server'),
  all('mmap', 'maps memory'),
  all('resource', 'changes process limits'),
];
