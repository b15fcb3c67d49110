"""What the catalogue walk treats as a sink: the one reviewable list.

A sink is a callable whose call, reached while a pickle rebuilds an object, can run code, import
code, touch files, the network or other processes, unpickle a nested payload, or call native code
by address. Names are `module:qualname` as the extractor records them (the runtime identity:
`os.system` is `posix:system`, `open` is `io:open`), matched exactly or, with a trailing `*`, as a
prefix (`subprocess:*` is the whole module, `os:exec*` every `os.exec...`).

The standard library is otherwise trusted: a call into it that matches no rule is a leaf and
is not walked (its code is not read). Calls into the catalogued libraries are walked; calls into
other installed packages are `unresolved` (the class is not `safe`).

`LIBRARY_RULES` lists functions of the catalogued libraries that are sinks although their code is
read (registries a pickle could rewrite, lookups in them): they are matched before the walk goes
into their body. `SAFE` lists exceptions inside a module that is a sink as a whole (`os.path.join` is not
`os.system`). `DUCK` lists method names that are treated as sinks when they are called on an
object of unknown type (`x.load(...)`), because the object may be anything the pickle built.
`INERT` builtins are dropped by the extractor (they never reach a sink and are everywhere).
`NATIVE_MODULES` are the module names compiled extensions give their helper types and functions
(Cython's memoryview support, pybind11's base object): compiled, trusted like other compiled code.
Changing `DUCK` or `INERT` needs a new extract (the extractor keeps only duck calls of names some
Python class defines or `DUCK` lists); everything else only needs classify.
"""
import fnmatch


NATIVE_MODULES = {'View.MemoryView', 'cython', 'Cython', 'pybind11_builtins', '_cython_3_0_11', 'builtins'}

# category, pattern, why
RULES = [
    # ---- evaluating and compiling code
    ('exec', 'builtins:eval', 'evaluates a Python expression'),
    ('exec', 'builtins:exec', 'executes Python source'),
    ('exec', 'builtins:compile', 'compiles Python source'),
    ('exec', 'builtins:breakpoint', 'enters the debugger'),
    ('exec', 'builtins:input', 'reads stdin'),
    ('exec', 'builtins:help', 'runs a pager'),
    ('exec', 'types:FunctionType', 'builds a function from a code object'),
    ('exec', 'builtins:function', 'builds a function from a code object'),
    ('exec', 'types:CodeType', 'builds a code object'),
    ('exec', 'builtins:code', 'builds a code object'),
    ('exec', 'types:LambdaType', 'builds a function from a code object'),
    ('exec', 'code:*', 'an interactive interpreter'),
    ('exec', 'codeop:*', 'compiles source'),
    ('exec', 'runpy:*', 'runs modules and files'),
    ('exec', 'pdb:*', 'runs code under the debugger'),
    ('exec', 'bdb:*', 'runs code under the debugger'),
    ('exec', 'timeit:*', 'runs code strings'),
    ('exec', 'profile:*', 'runs code strings'),
    ('exec', 'cProfile:*', 'runs code strings'),
    ('exec', 'trace:*', 'runs code under tracing'),
    ('exec', 'doctest:*', 'runs code from docstrings'),
    ('exec', 'typing:get_type_hints', 'evaluates annotation strings'),
    ('exec', 'typing:_eval_type', 'evaluates annotation strings'),
    ('exec', 'typing:ForwardRef*', 'evaluates annotation strings'),
    ('exec', 'typing:evaluate_forward_ref', 'evaluates annotation strings'),
    ('exec', 'typing_extensions:get_type_hints', 'evaluates annotation strings'),
    ('exec', 'inspect:get_annotations', 'evaluates annotation strings (eval_str)'),
    ('exec', 'annotationlib:*', 'evaluates annotation strings'),
    ('exec', 'dataclasses:make_dataclass', 'generates and executes source'),
    ('exec', 'logging.config:*', 'instantiates arbitrary classes named in a dict'),
    ('exec', 'sys:settrace', 'installs a trace hook'),
    ('exec', 'sys:setprofile', 'installs a profile hook'),
    ('exec', 'sys:addaudithook', 'installs an audit hook'),
    ('exec', 'atexit:register', 'runs a callable at exit'),
    ('exec', 'weakref:finalize', 'runs a callable later'),
    ('exec', 'numexpr:evaluate', 'compiles and evaluates an expression string'),
    ('exec', 'numexpr.necompiler:*', 'compiles and evaluates an expression string'),
    ('exec', 'sympy.parsing.sympy_parser:parse_expr', 'evaluates a string as Python (eval)'),
    ('exec', 'sympy.parsing.sympy_parser:eval_expr', 'evaluates a string as Python (eval)'),
    ('exec', 'torch._C:_jit_*', 'compiles and runs TorchScript'),
    ('exec', 'torch._C:import_ir_module*', 'loads TorchScript'),
    ('exec', 'torch._C:CompilationUnit*', 'compiles TorchScript'),
    ('exec', 'torch._C:ScriptModule*', 'runs TorchScript'),
    ('exec', 'torch._C:ScriptFunction*', 'runs TorchScript'),
    ('exec', 'torch._C:_load_for_lite_interpreter*', 'loads TorchScript'),
    ('exec', 'torch.jit._serialization:load', 'loads TorchScript'),
    ('exec', 'torch.jit.frontend:*', 'compiles Python source'),
    ('exec', 'torch.fx.graph_module:_forward_from_src', 'executes generated source'),
    ('exec', 'torch.fx.graph_module:_exec_with_source', 'executes generated source'),
    ('exec', 'torch._dynamo:*', 'compiles and runs code'),
    ('exec', 'torch._inductor:*', 'compiles and runs code'),
    ('exec', 'numba.core.compiler:*', 'compiles functions'),
    ('exec', 'numba.core.registry:*', 'compiles functions'),
    # ---- importing
    ('import', 'builtins:__import__', 'imports a module named by a string'),
    ('import', 'importlib:*', 'imports a module named by a string'),
    ('import', 'importlib._bootstrap:*', 'import machinery'),
    ('import', 'importlib._bootstrap_external:*', 'import machinery'),
    ('import', '_frozen_importlib:*', 'import machinery'),
    ('import', '_frozen_importlib_external:*', 'import machinery'),
    ('import', 'importlib.util:*', 'import machinery'),
    ('import', 'importlib.machinery:*', 'import machinery'),
    ('import', 'importlib.metadata:*', 'reads installed distributions, loads entry points'),
    ('import', 'importlib.resources:*', 'reads package files'),
    ('import', 'importlib.abc:*', 'import machinery'),
    ('import', 'imp:*', 'imports modules from files'),
    ('import', '_imp:*', 'import machinery'),
    ('import', 'pkgutil:*', 'imports modules (resolve_name, iter_modules)'),
    ('import', 'pydoc:*', 'imports by name (locate), runs a pager'),
    ('import', 'zipimport:*', 'imports code from zip files'),
    ('import', 'unittest.mock:*', 'imports dotted names'),
    ('import', 'pkg_resources:*', 'loads entry points'),
    ('import', 'entrypoints:*', 'loads entry points'),
    ('import', 'setuptools:*', 'build tooling'),
    ('import', 'distutils:*', 'build tooling'),
    ('import', 'warnings:_getcategory', 'imports a module named in a string'),
    ('import', 'pickle:_Unpickler.find_class', 'imports by name'),
    # ---- processes
    ('process', 'posix:*', 'process and file-system primitives'),
    ('process', 'nt:*', 'process and file-system primitives'),
    ('process', 'os:*', 'process and file-system primitives'),
    ('process', 'subprocess:*', 'spawns processes'),
    ('process', '_posixsubprocess:*', 'spawns processes'),
    ('process', 'pty:*', 'spawns processes'),
    ('process', 'platform:*', 'runs external commands'),
    ('process', 'multiprocessing*', 'spawns processes and unpickles'),
    ('process', 'concurrent.futures*', 'runs callables in workers'),
    ('process', 'asyncio*', 'spawns processes, opens sockets'),
    ('process', 'webbrowser:*', 'launches a browser'),
    ('process', 'signal:signal', 'installs a signal handler'),
    ('process', 'signal:set_wakeup_fd', 'signal plumbing'),
    ('process', '_thread:start_new_thread', 'runs a callable in a new thread'),
    ('process', '_thread:start_new', 'runs a callable in a new thread'),
    ('process', 'shutil:*', 'copies, moves and deletes files, runs archivers'),
    ('process', 'ctypes.util:find_library', 'runs compilers and ldconfig'),
    ('process', 'uuid:_get_command_stdout', 'runs commands'),
    ('process', 'torch.utils.cpp_extension:*', 'compiles and loads native code'),
    ('process', 'torch.utils.collect_env:*', 'runs commands'),
    # ---- files
    ('file', 'io:open', 'opens a file'),
    ('file', 'builtins:open', 'opens a file'),
    ('file', '_io:open', 'opens a file'),
    ('file', 'io:open_code', 'opens a file'),
    ('file', '_io:open_code', 'opens a file'),
    ('file', '_io:FileIO', 'opens a file'),
    ('file', 'io:FileIO', 'opens a file'),
    ('file', '_pyio:*', 'opens files'),
    ('file', 'pathlib:Path.open', 'opens a file'),
    ('file', 'pathlib:Path.read_*', 'reads a file'),
    ('file', 'pathlib:Path.write_*', 'writes a file'),
    ('file', 'pathlib:Path.unlink', 'deletes a file'),
    ('file', 'pathlib:Path.rmdir', 'deletes a directory'),
    ('file', 'pathlib:Path.touch', 'creates a file'),
    ('file', 'pathlib:Path.mkdir', 'creates a directory'),
    ('file', 'pathlib:Path.rename', 'moves a file'),
    ('file', 'pathlib:Path.replace', 'moves a file'),
    ('file', 'pathlib:Path.symlink_to', 'creates a link'),
    ('file', 'pathlib:Path.hardlink_to', 'creates a link'),
    ('file', 'pathlib:Path.chmod', 'changes permissions'),
    ('file', 'pathlib:Path.iterdir', 'lists a directory'),
    ('file', 'pathlib:Path.glob', 'lists a directory'),
    ('file', 'pathlib:Path.rglob', 'lists a directory'),
    ('file', 'tempfile:*', 'creates files'),
    ('file', 'fileinput:*', 'opens files'),
    ('file', 'linecache:*', 'reads source files'),
    ('file', 'glob:*', 'lists files'),
    ('file', 'tarfile:*', 'opens and extracts archives'),
    ('file', 'zipfile:*', 'opens and extracts archives'),
    ('file', 'gzip:open', 'opens a file'),
    ('file', 'gzip:GzipFile', 'opens a file'),
    ('file', 'bz2:open', 'opens a file'),
    ('file', 'bz2:BZ2File', 'opens a file'),
    ('file', 'lzma:open', 'opens a file'),
    ('file', 'lzma:LZMAFile', 'opens a file'),
    ('file', 'codecs:open', 'opens a file'),
    ('file', 'dbm*', 'opens database files'),
    ('file', 'sqlite3*', 'opens databases, runs SQL'),
    ('file', '_sqlite3:*', 'opens databases, runs SQL'),
    ('file', 'mmap:*', 'maps files into memory'),
    ('file', 'logging:FileHandler', 'creates a log file'),
    ('file', 'logging.handlers:*', 'writes files, opens sockets'),
    ('file', 'logging:basicConfig', 'creates log files, installs handlers'),
    ('file', 'numpy:fromfile', 'reads a file'),
    ('file', 'numpy:memmap', 'maps a file'),
    ('file', 'numpy:loadtxt', 'reads a file'),
    ('file', 'numpy:genfromtxt', 'reads a file'),
    ('file', 'numpy:savetxt', 'writes a file'),
    ('file', 'numpy:save', 'writes a file'),
    ('file', 'numpy:savez*', 'writes a file'),
    ('file', 'numpy:tofile', 'writes a file'),
    ('file', 'numpy:ndarray.tofile', 'writes a file'),
    ('file', 'numpy:ndarray.dump', 'writes a file'),
    ('file', 'numpy.core.memmap:*', 'maps a file'),
    ('file', 'numpy._core.memmap:*', 'maps a file'),
    ('file', 'h5py*', 'opens HDF5 files'),
    ('file', 'tables.file:open_file', 'opens HDF5 files'),
    ('file', 'tables.file:File', 'opens HDF5 files'),
    ('file', 'tables.hdf5extension:*', 'opens HDF5 files'),
    ('file', 'PIL.Image:open', 'opens an image file'),
    ('file', 'smart_open.smart_open_lib:open', 'opens files and URLs'),
    ('file', 'smart_open:open', 'opens files and URLs'),
    ('file', 'fsspec.core:open*', 'opens files and URLs'),
    ('file', 'fsspec.spec:AbstractFileSystem.open', 'opens files and URLs'),
    ('file', 'fsspec.implementations*', 'file systems'),
    ('file', 'fsspec.registry:*', 'imports file-system implementations by name'),
    # PROJ (through pyproj's compiled code) reads what a string names: a PROJ string's init= file and
    # grid parameters (nadgrids=, geoidgrids=, grids=, file=...) open files by path, a grid may be a URL
    # when networking is on, WKT and PROJJSON carry grid file names too; and pyproj's context setters
    # move where PROJ reads its database and grids, or turn networking on for the whole process
    ('file', 'pyproj._crs:_CRS', 'PROJ parses the string: init= files and grid parameters are opened by path'),
    ('file', 'pyproj._crs:*.from_string', 'PROJ parses the string: init= files and grid parameters are opened by path'),
    ('file', 'pyproj._crs:*.from_user_input', 'PROJ parses a string: init= files and grid parameters are opened by path'),
    ('file', 'pyproj._crs:*.from_json', 'PROJ parses PROJJSON, which names grid files'),
    ('file', 'pyproj._crs:*.from_json_dict', 'PROJ parses PROJJSON, which names grid files'),
    ('file', 'pyproj._crs:*.from_wkt', 'PROJ parses WKT, which names grid files'),
    ('file', 'pyproj._transformer:_Transformer.from_crs', 'PROJ parses both CRS strings and opens the grids of the operations it finds'),
    ('file', 'pyproj._transformer:_Transformer.from_pipeline', 'PROJ parses a pipeline string: grid parameters are opened by path or URL'),
    ('file', 'pyproj._transformer:_Transformer.from_projjson', 'PROJ parses PROJJSON, which names grid files'),
    ('file', 'pyproj._datadir:_global_context_set_data_dir', 'moves where PROJ reads its database, init files and grids'),
    ('file', 'pyproj._context:_set_context_data_dir', 'moves where PROJ reads its database, init files and grids'),
    ('file', 'pyproj._context:_set_context_ca_bundle_path', 'replaces the certificates PROJ trusts'),
    ('file', 'pyproj._network:_set_ca_bundle_path', 'replaces the certificates PROJ trusts'),
    ('network', 'pyproj._network:set_network_enabled', 'lets PROJ fetch grids over the network'),
    ('network', 'pyproj._context:_set_context_network_enabled', 'lets PROJ fetch grids over the network'),
    # ---- network
    ('network', 'socket:*', 'opens network connections'),
    ('network', '_socket:*', 'opens network connections'),
    ('network', 'ssl:*', 'opens network connections'),
    ('network', 'http*', 'network clients and servers'),
    ('network', 'urllib.request:urlopen', 'fetches URLs'),
    ('network', 'urllib.request:urlretrieve', 'fetches URLs'),
    ('network', 'urllib.request:build_opener', 'fetches URLs'),
    ('network', 'urllib.request:OpenerDirector.open', 'fetches URLs'),
    ('network', 'urllib.request:URLopener*', 'fetches URLs'),
    ('network', 'urllib.request:FancyURLopener*', 'fetches URLs'),
    ('network', 'urllib:urlopen', 'fetches URLs'),
    ('network', 'ftplib:*', 'network client'),
    ('network', 'poplib:*', 'network client'),
    ('network', 'imaplib:*', 'network client'),
    ('network', 'smtplib:*', 'network client'),
    ('network', 'nntplib:*', 'network client'),
    ('network', 'telnetlib:*', 'network client'),
    ('network', 'xmlrpc*', 'network client and server'),
    ('network', 'socketserver:*', 'network server'),
    ('network', 'wsgiref*', 'network server'),
    ('network', 'requests*', 'fetches URLs'),
    ('network', 'urllib3*', 'fetches URLs'),
    ('network', 'aiohttp*', 'fetches URLs'),
    ('network', 'torch.hub:*', 'downloads and runs code'),
    ('network', 'torch.distributed*', 'opens network connections'),
    # ---- nested deserialisation
    ('pickle', 'pickle:*', 'nested unpickling'),
    ('pickle', '_pickle:*', 'nested unpickling'),
    ('pickle', 'marshal:*', 'loads code objects'),
    ('pickle', 'shelve:*', 'opens pickled databases'),
    ('pickle', 'dill._dill:load*', 'unpickles functions and code'),
    ('pickle', 'dill._dill:Unpickler*', 'unpickles functions and code'),
    ('pickle', 'dill:load*', 'unpickles functions and code'),
    ('pickle', 'numpy:load', 'nested unpickling (allow_pickle)'),
    ('pickle', 'numpy.lib.npyio:load', 'nested unpickling (allow_pickle)'),
    ('pickle', 'numpy.lib.format:read_array', 'nested unpickling (allow_pickle)'),
    ('pickle', 'numpy.lib._npyio_impl:load', 'nested unpickling (allow_pickle)'),
    ('pickle', 'numpy.lib._format_impl:read_array', 'nested unpickling (allow_pickle)'),
    ('pickle', 'torch.serialization:load', 'nested torch.load'),
    ('pickle', 'torch.serialization:_load', 'nested torch.load'),
    ('pickle', 'torch.serialization:_legacy_load', 'nested torch.load'),
    ('pickle', 'torch._C:_load*', 'nested torch.load'),
    ('pickle', 'pandas.io.pickle:read_pickle', 'nested unpickling'),
    ('pickle', 'pandas.compat.pickle_compat:*', 'nested unpickling'),
    ('pickle', 'yaml:load', 'constructs arbitrary objects'),
    ('pickle', 'yaml:unsafe_load', 'constructs arbitrary objects'),
    ('pickle', 'yaml:full_load', 'constructs objects'),
    ('pickle', 'jsonpickle*', 'decodes arbitrary objects'),
    # ---- native code by name or address
    ('ctypes', 'ctypes:CDLL', 'loads a native library by name'),
    ('ctypes', 'ctypes:PyDLL', 'loads a native library by name'),
    ('ctypes', 'ctypes:WinDLL', 'loads a native library by name'),
    ('ctypes', 'ctypes:OleDLL', 'loads a native library by name'),
    ('ctypes', 'ctypes:LibraryLoader*', 'loads a native library by name'),
    ('ctypes', 'ctypes:cdll*', 'loads a native library by name'),
    ('ctypes', 'ctypes:pydll*', 'loads a native library by name'),
    ('ctypes', 'ctypes:pythonapi*', 'calls the Python C API'),
    ('ctypes', 'ctypes:cast', 'reinterprets an address'),
    ('ctypes', 'ctypes:memmove', 'writes memory at an address'),
    ('ctypes', 'ctypes:memset', 'writes memory at an address'),
    ('ctypes', 'ctypes:string_at', 'reads memory at an address'),
    ('ctypes', 'ctypes:wstring_at', 'reads memory at an address'),
    ('ctypes', 'ctypes:CFUNCTYPE', 'calls a function at an address'),
    ('ctypes', 'ctypes:PYFUNCTYPE', 'calls a function at an address'),
    ('ctypes', 'ctypes:WINFUNCTYPE', 'calls a function at an address'),
    ('ctypes', '_ctypes:dlopen', 'loads a native library by name'),
    ('ctypes', '_ctypes:call_function', 'calls a function at an address'),
    ('ctypes', '_ctypes:call_cdeclfunction', 'calls a function at an address'),
    ('ctypes', '_ctypes:CFuncPtr', 'calls a function at an address'),
    ('ctypes', 'numpy.ctypeslib:load_library', 'loads a native library by name'),
    ('ctypes', 'cffi*', 'loads native libraries'),
    ('ctypes', 'torch._ops:_OpNamespace.load_library', 'loads a native library'),
    ('ctypes', 'torch._ops:_Ops.load_library', 'loads a native library'),
    ('ctypes', 'torch._classes:_Classes.load_library', 'loads a native library'),
    # ---- rewriting what later pickles import
    ('gadget', 'copyreg:add_extension', 'rewrites the unpickler extension registry'),
    ('gadget', 'copyreg:pickle', 'rewrites the reducer registry'),
]

# Library functions and classes that are sinks themselves, although the walk reads their code: a
# function listed in RULES is walked into (the rule is met only by calls of code the walk cannot
# read), so these are matched first, exactly, before the body of the function is walked (classify.py
# global_edges; a class is matched by RULES in any case). Mostly registries: the walk does not follow
# the call of a registry item (`_plugins[key].getClass()`, `_toPythonMapping[datatype](lexical)`) on
# the assumption that only the library fills its registries, which holds only while the registering
# function is itself refused. Read in rdflib 6.1.1 and 7.1.1, pint 0.19.2 and 0.24.4.
LIBRARY_RULES = [
    ('gadget', 'rdflib.plugin:register', 'registers the module path and class name rdflib imports for a plugin name'),
    ('import', 'rdflib.plugin:get', 'imports the module a registered plugin names (rdflib.plugin.register fills the table) and returns an attribute of it'),
    ('gadget', 'rdflib.term:bind', 'registers the converter Literal calls on the lexical form of a datatype'),
    ('gadget', 'rdflib.plugins.sparql.operators:register_custom_function', 'registers the callable a SPARQL query calls for a function IRI'),
    # calls ctx.load(u.iri): Graph.parse of a URL or a file path into the context's graph, a QueryContext
    # and a QuotedGraph rebuilt with NEWOBJ and BUILD (both callOnly) being a context it works with
    ('file', 'rdflib.plugins.sparql.update:evalLoad', "loads (fetches and parses) a URL or file into the context's graph"),
    ('gadget', 'pint:set_application_registry', "replaces the registry pint's unpicklers build quantities with"),
    ('gadget', 'pint:get_application_registry', "hands out the application registry: a BUILD on it sets the registry's attributes (Quantity, parse_units), which pint's unpicklers call"),
    ('gadget', 'pint.registry:ApplicationRegistry', "wraps a registry: its __setattr__, and __dict__ read through __getattr__, write into the wrapped registry"),
    ('gadget', 'pint.matplotlib:setup_matplotlib_handlers', "rewrites matplotlib's unit-converter registry for a type the caller names"),
    ('exec', 'pint.testsuite:main', 'runs unittest.main: the tests named on the command line, then exits'),
]

# exceptions inside modules that the rules above cover as a whole
SAFE = [
    'os:path*', 'posixpath:*', 'ntpath:*', 'genericpath:*', 'os:fspath', 'posix:fspath', 'os:fsencode', 'os:fsdecode',
    'os:getenv', 'os:environ*', 'os:_Environ.*', 'os:getpid', 'posix:getpid', 'os:getcwd', 'posix:getcwd',
    'os:cpu_count', 'posix:cpu_count', 'os:urandom', 'posix:urandom', 'os:get_terminal_size', 'posix:get_terminal_size',
    'os:strerror', 'posix:strerror', 'os:getuid', 'posix:getuid', 'os:sched_getaffinity', 'posix:sched_getaffinity',
    'os:stat', 'posix:stat', 'os:lstat', 'posix:lstat', 'os:stat_result*', 'os:terminal_size*', 'posix:stat_result*',
    'posix:terminal_size*', 'os:PathLike*', 'os:get_exec_path', 'os:device_encoding', 'posix:device_encoding',
    'os:isatty', 'posix:isatty', 'os:getppid', 'posix:getppid', 'os:umask',
    'multiprocessing:cpu_count', 'multiprocessing.context:BaseContext.cpu_count',
    'multiprocessing.context:*.get_all_start_methods', 'multiprocessing.context:*.get_start_method',
    'multiprocessing.context:*.get_context', 'multiprocessing:get_context', 'multiprocessing:get_start_method',
    'multiprocessing.util:debug', 'multiprocessing.util:info', 'multiprocessing.util:sub_debug',
    'multiprocessing.util:sub_warning', 'multiprocessing.process:current_process', 'multiprocessing:current_process',
    'multiprocessing.process:parent_process', 'shutil:get_terminal_size', 'shutil:which',
    'posix:WEXITSTATUS', 'posix:WIFEXITED', 'posix:WIFSIGNALED', 'posix:WTERMSIG', 'os:waitstatus_to_exitcode',
    'posix:_path_*', 'nt:_path_*', 'os:_path_*',
    'asyncio:iscoroutinefunction', 'asyncio.coroutines:iscoroutinefunction',
    'http:HTTPStatus*', 'http.HTTPStatus*',
    'pickle:PicklingError*', 'pickle:UnpicklingError*', 'pickle:PickleError*', 'pickle:dumps', 'pickle:dump',
    '_pickle:dumps', '_pickle:dump', 'pickle:Pickler*', '_pickle:Pickler*', 'pickle:_Pickler*',
    'pickle:PickleBuffer*', 'pickle:HIGHEST_PROTOCOL', 'pickle:DEFAULT_PROTOCOL',
    'socket:gethostname', 'socket:AddressFamily*', 'socket:SocketKind*',
    'platform:python_version', 'platform:python_implementation', 'platform:system',
    'platform:machine', 'platform:python_version_tuple', 'platform:release', 'platform:uname_result*',
    'tempfile:gettempdir',
    'ctypes:c_*', 'ctypes:byref', 'ctypes:sizeof', 'ctypes:POINTER', 'ctypes:pointer', 'ctypes:create_string_buffer',
    'ctypes:Structure*', 'ctypes:Union*', 'ctypes:Array*', 'ctypes:addressof',
]

# Import sinks that are harmless when the call site passes only constant names: an import of a
# module the library names itself (`import_module('cupy')`, `find_spec('dask')`). Every argument the
# site passes must be recorded as a constant (`$name`: the extractor records string literals that are
# identifiers or dotted names, so a path never counts), at least one must be passed, and none may
# be `*args`/`**kwargs`. A value taken from the caller's parameters counts only when every caller up
# the walk passed a constant; a root (the pickle calls it directly, with arguments of its choice)
# never does.
CONSTANT_SAFE = {
    'builtins:__import__', 'importlib:import_module', 'importlib:__import__', 'importlib.util:find_spec',
    'importlib.metadata:version', 'importlib.metadata:distribution', 'importlib.metadata:metadata',
    'importlib.metadata:requires',
}


def constant_safe(ident, site):
    """True when calling import sink `ident` with what `site` passes (`+#i=VAL`, `+name=VAL`) only
    ever names fixed modules: every passed value a constant."""
    if ident not in CONSTANT_SAFE:
        return False
    passed = 0
    for b in site or ():
        k, _, v = b[1:].partition('=')
        if k == '^':
            continue
        if k == '*' or not v.startswith('$'):
            return False
        passed += 1
    return passed > 0


# method names treated as sinks when called on an object of unknown type
DUCK = {
    'system', 'popen', 'spawnv', 'spawnl', 'spawnve', 'spawnlp', 'execv', 'execve', 'execvp', 'execl', 'execlp',
    'exec_module', 'load_module', 'import_module', '__import__', 'find_class', 'runcode', 'runsource',
    'loads', 'unpickle', 'read_pickle', 'load_state_dict_from_url',
    'urlopen', 'urlretrieve', 'Popen', 'check_call', 'check_output',
    'LoadLibrary', 'dlopen', 'load_library',
}

# builtins that never reach a sink (dropped at extract time)
INERT = {
    'abs', 'all', 'any', 'ascii', 'bin', 'bool', 'bytearray', 'bytes', 'callable', 'chr', 'classmethod', 'complex',
    'dict', 'divmod', 'enumerate', 'float', 'format', 'frozenset', 'hasattr', 'hash', 'hex', 'id', 'int',
    'isinstance', 'issubclass', 'iter', 'len', 'list', 'max', 'min', 'next', 'object', 'oct', 'ord', 'pow',
    'print', 'property', 'range', 'repr', 'reversed', 'round', 'set', 'slice', 'sorted', 'staticmethod', 'str',
    'sum', 'super', 'tuple', 'type', 'zip', 'NotImplemented', 'Ellipsis', 'None', 'True', 'False',
}


def _compile(patterns):
    exact, prefixes, globs = set(), [], []
    for p in patterns:
        if '*' in p[:-1]:
            globs.append(p)
        elif p.endswith('*'):
            prefixes.append(p[:-1])
        else:
            exact.add(p)
    return exact, sorted(prefixes, key=len, reverse=True), sorted(globs)


_RULE_EXACT = {}
_RULE_PREFIX = []
for _cat, _pat, _why in RULES:
    if _pat.endswith('*'):
        _RULE_PREFIX.append((_pat[:-1], _cat, _why, _pat))
    else:
        _RULE_EXACT[_pat] = (_cat, _why, _pat)
_RULE_PREFIX.sort(key=lambda r: (-len(r[0]), r[0]))
_LIBRARY_EXACT = {pat: (cat, why, pat) for cat, pat, why in LIBRARY_RULES}
_SAFE_EXACT, _SAFE_PREFIX, _SAFE_GLOB = _compile(SAFE)


def is_safe_exception(ident):
    if ident in _SAFE_EXACT:
        return True
    return any(ident.startswith(p) for p in _SAFE_PREFIX) or any(fnmatch.fnmatchcase(ident, g) for g in _SAFE_GLOB)


def match_library(ident):
    """(category, why, rule) when `module:qualname` is listed in LIBRARY_RULES, else None."""
    return _LIBRARY_EXACT.get(ident)


def match(ident):
    """(category, why, rule) when `module:qualname` is a sink, else None. Exception classes
    (`...Error`, `...Exception`, `...Warning`) are never sinks: raising one runs nothing."""
    last = ident.rsplit(':', 1)[-1].rsplit('.', 1)[-1]
    if last.endswith(('Error', 'Exception', 'Warning')):
        return None
    if ident in _LIBRARY_EXACT:
        return _LIBRARY_EXACT[ident]
    if ident in _RULE_EXACT:
        if is_safe_exception(ident):
            return None
        return _RULE_EXACT[ident]
    mod = ident.split(':', 1)[0]
    for prefix, cat, why, pat in _RULE_PREFIX:
        # 'os:*' covers module os only; 'http*' covers http, http.client, ...
        if ident.startswith(prefix) and (':' in prefix or mod == prefix or mod.startswith(prefix)):
            if is_safe_exception(ident):
                return None
            return cat, why, pat
    return None


def is_inert(ident):
    return ident.startswith('builtins:') and ident[9:] in INERT or ident.startswith('builtins:') and \
        ident[9:].endswith(('Error', 'Exception', 'Warning')) or ident in ('builtins:StopIteration', 'builtins:KeyboardInterrupt',
                                                                          'builtins:SystemExit', 'builtins:GeneratorExit')
