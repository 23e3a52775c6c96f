"""Which globals a pickle may import: an allowlist, explicit danger, unknown otherwise.

A global is what ``pickle`` resolves with ``find_class(module, name)`` before
calling or instantiating it. The allowlist holds the callables that ordinary
PyTorch, NumPy, scikit-learn, joblib and Trainer files import; the danger list
holds modules and names that reach the OS, the interpreter or another loader.
Everything else is *unknown*: not proven harmful, not proven harmless.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ptmvet.scan.model import Verdict

# Python 2 names that pickle maps to Python 3 ones (protocols 0-2, fix_imports).
_PY2_MODULES = {
    "__builtin__": "builtins",
    "copy_reg": "copyreg",
    "cPickle": "pickle",
    "exceptions": "builtins",
    "UserDict": "collections",
    "_abcoll": "collections.abc",
}

_TORCH_DTYPES = frozenset(
    [
        "float",
        "float16",
        "float32",
        "float64",
        "half",
        "double",
        "bfloat16",
        "int",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "short",
        "long",
        "bool",
        "complex32",
        "complex64",
        "complex128",
        "cfloat",
        "cdouble",
        "chalf",
        "qint8",
        "quint8",
        "qint32",
        "quint4x2",
        "quint2x4",
        "float8_e4m3fn",
        "float8_e5m2",
        "float8_e4m3fnuz",
        "float8_e5m2fnuz",
        "float8_e8m0fnu",
        "strided",
        "sparse_coo",
        "sparse_csr",
        "contiguous_format",
        "channels_last",
        "channels_last_3d",
        "preserve_format",
        "per_tensor_affine",
        "per_channel_affine",
        "per_tensor_symmetric",
        "per_channel_symmetric",
    ]
)

#: Exact (module, name) pairs known to be harmless to import and call.
SAFE: frozenset[tuple[str, str]] = frozenset(
    {
        # torch tensor and parameter reconstruction
        *(
            ("torch._utils", n)
            for n in (
                "_rebuild_tensor",
                "_rebuild_tensor_v2",
                "_rebuild_tensor_v3",
                "_rebuild_parameter",
                "_rebuild_parameter_with_state",
                "_rebuild_qtensor",
                "_rebuild_sparse_tensor",
                "_rebuild_nested_tensor",
                "_rebuild_meta_tensor_no_storage",
                "_rebuild_wrapper_subclass",
                "_rebuild_device_tensor_from_numpy",
                "_rebuild_device_tensor_from_cpu_tensor",
            )
        ),
        ("torch._tensor", "_rebuild_from_type_v2"),
        ("torch._tensor", "Tensor"),
        ("torch", "Tensor"),
        ("torch.nn.parameter", "Parameter"),
        ("torch", "Size"),
        ("torch", "device"),
        ("torch", "dtype"),
        ("torch.storage", "UntypedStorage"),
        ("torch.storage", "TypedStorage"),
        *(("torch", n) for n in _TORCH_DTYPES),
        # collections and builtins that only build plain data
        ("collections", "OrderedDict"),
        ("collections", "defaultdict"),
        ("collections", "Counter"),
        ("collections", "deque"),
        *(
            ("builtins", n)
            for n in (
                "set",
                "frozenset",
                "slice",
                "complex",
                "bytearray",
                "range",
                "list",
                "dict",
                "tuple",
                "int",
                "float",
                "str",
                "bytes",
                "bool",
                "object",
                "type(None)",
            )
        ),
        ("copyreg", "_reconstructor"),
        ("copyreg", "__newobj__"),
        ("copyreg", "__newobj_ex__"),
        ("_codecs", "encode"),
        ("codecs", "encode"),
        ("datetime", "datetime"),
        ("datetime", "date"),
        ("datetime", "time"),
        ("datetime", "timedelta"),
        ("datetime", "timezone"),
        ("decimal", "Decimal"),
        ("fractions", "Fraction"),
        ("argparse", "Namespace"),
        # numpy reconstruction
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "scalar"),
        ("numpy.core.numeric", "_frombuffer"),
        ("numpy._core.numeric", "_frombuffer"),
        ("numpy.ma.core", "_mareconstruct"),
        ("numpy.ma.core", "MaskedArray"),
        ("numpy.random._pickle", "__randomstate_ctor"),
        ("numpy.random._pickle", "__bit_generator_ctor"),
        ("numpy.random._pickle", "__generator_ctor"),
        ("numpy.random.mtrand", "RandomState"),
        ("numpy.random._mt19937", "MT19937"),
        ("numpy.random._pcg64", "PCG64"),
        ("numpy.random._pcg64", "PCG64DXSM"),
        ("numpy.random._philox", "Philox"),
        ("numpy.random._sfc64", "SFC64"),
        ("numpy.random._generator", "Generator"),
        ("numpy.random.bit_generator", "SeedSequence"),
        ("numpy.random.bit_generator", "__pyx_unpickle_SeedSequence"),
        ("numpy.ma", "MaskedArray"),
        *(
            ("numpy", n)
            for n in (
                "float16",
                "float32",
                "float64",
                "int8",
                "int16",
                "int32",
                "int64",
                "uint8",
                "uint16",
                "uint32",
                "uint64",
                "bool_",
                "complex64",
                "complex128",
                "str_",
                "bytes_",
                "object_",
            )
        ),
        *(
            ("numpy.dtypes", n)
            for n in (
                "Float16DType",
                "Float32DType",
                "Float64DType",
                "Int8DType",
                "Int16DType",
                "Int32DType",
                "Int64DType",
                "UInt8DType",
                "UInt16DType",
                "UInt32DType",
                "UInt64DType",
                "BoolDType",
                "Complex64DType",
                "Complex128DType",
                "StrDType",
                "BytesDType",
                "ObjectDType",
            )
        ),
        # joblib's array wrapper (the array bytes follow in the stream)
        ("joblib.numpy_pickle", "NumpyArrayWrapper"),
        ("sklearn.externals.joblib.numpy_pickle", "NumpyArrayWrapper"),
        # Hugging Face Trainer's training_args.bin
        ("transformers.training_args", "TrainingArguments"),
        ("transformers.training_args_seq2seq", "Seq2SeqTrainingArguments"),
        ("transformers.training_args_tf", "TFTrainingArguments"),
        ("transformers.generation.configuration_utils", "GenerationConfig"),
        ("accelerate.state", "PartialState"),
        ("accelerate.state", "AcceleratorState"),
        ("accelerate.utils.dataclasses", "DeepSpeedPlugin"),
        ("accelerate.utils.dataclasses", "GradientAccumulationPlugin"),
        ("accelerate.utils.dataclasses", "DataLoaderConfiguration"),
        ("accelerate.utils.dataclasses", "AcceleratorConfig"),
        ("transformers.trainer_pt_utils", "AcceleratorConfig"),
    }
)

#: Enum classes: safe, and ``getattr(Enum, "MEMBER")`` on them is how Python pickles members.
ENUMS: frozenset[tuple[str, str]] = frozenset(
    {
        ("transformers.trainer_utils", "IntervalStrategy"),
        ("transformers.trainer_utils", "EvaluationStrategy"),
        ("transformers.trainer_utils", "SaveStrategy"),
        ("transformers.trainer_utils", "SchedulerType"),
        ("transformers.trainer_utils", "HubStrategy"),
        ("transformers.trainer_utils", "ShardedDDPOption"),
        ("transformers.trainer_utils", "FSDPOption"),
        ("transformers.trainer_utils", "HPSearchBackend"),
        ("transformers.training_args", "OptimizerNames"),
        ("transformers.debug_utils", "DebugOption"),
        ("transformers.utils.generic", "PaddingStrategy"),
        ("transformers.utils.generic", "TensorType"),
        ("accelerate.utils.dataclasses", "DistributedType"),
        ("accelerate.utils.dataclasses", "PrecisionType"),
        ("accelerate.utils.dataclasses", "ComputeEnvironment"),
        ("accelerate.utils.dataclasses", "DynamoBackend"),
    }
)

#: scikit-learn estimators and their Cython helpers, by module and class.
SKLEARN: frozenset[tuple[str, str]] = frozenset(
    {
        ("sklearn.linear_model._logistic", "LogisticRegression"),
        ("sklearn.linear_model._base", "LinearRegression"),
        ("sklearn.linear_model._ridge", "Ridge"),
        ("sklearn.linear_model._ridge", "RidgeClassifier"),
        ("sklearn.linear_model._coordinate_descent", "Lasso"),
        ("sklearn.linear_model._coordinate_descent", "ElasticNet"),
        ("sklearn.linear_model._stochastic_gradient", "SGDClassifier"),
        ("sklearn.linear_model._stochastic_gradient", "SGDRegressor"),
        ("sklearn.svm._classes", "SVC"),
        ("sklearn.svm._classes", "SVR"),
        ("sklearn.svm._classes", "LinearSVC"),
        ("sklearn.tree._classes", "DecisionTreeClassifier"),
        ("sklearn.tree._classes", "DecisionTreeRegressor"),
        ("sklearn.tree._classes", "ExtraTreeClassifier"),
        ("sklearn.tree._classes", "ExtraTreeRegressor"),
        ("sklearn.tree._tree", "Tree"),
        ("sklearn.ensemble._forest", "RandomForestClassifier"),
        ("sklearn.ensemble._forest", "RandomForestRegressor"),
        ("sklearn.ensemble._forest", "ExtraTreesClassifier"),
        ("sklearn.ensemble._forest", "ExtraTreesRegressor"),
        ("sklearn.ensemble._gb", "GradientBoostingClassifier"),
        ("sklearn.ensemble._gb", "GradientBoostingRegressor"),
        ("sklearn._loss.loss", "HalfBinomialLoss"),
        ("sklearn._loss.loss", "HalfMultinomialLoss"),
        ("sklearn._loss.loss", "HalfSquaredError"),
        ("sklearn._loss.link", "LogitLink"),
        ("sklearn._loss.link", "IdentityLink"),
        ("sklearn._loss.link", "Interval"),
        ("sklearn._loss._loss", "CyHalfBinomialLoss"),
        ("sklearn._loss._loss", "CyHalfMultinomialLoss"),
        ("sklearn._loss._loss", "CyHalfSquaredError"),
        ("sklearn._loss._loss", "__pyx_unpickle_CyHalfBinomialLoss"),
        ("sklearn._loss._loss", "__pyx_unpickle_CyHalfMultinomialLoss"),
        ("sklearn._loss._loss", "__pyx_unpickle_CyHalfSquaredError"),
        ("sklearn.preprocessing._data", "StandardScaler"),
        ("sklearn.preprocessing._data", "MinMaxScaler"),
        ("sklearn.preprocessing._data", "RobustScaler"),
        ("sklearn.preprocessing._data", "Normalizer"),
        ("sklearn.preprocessing._label", "LabelEncoder"),
        ("sklearn.preprocessing._label", "LabelBinarizer"),
        ("sklearn.preprocessing._encoders", "OneHotEncoder"),
        ("sklearn.preprocessing._encoders", "OrdinalEncoder"),
        ("sklearn.pipeline", "Pipeline"),
        ("sklearn.compose._column_transformer", "ColumnTransformer"),
        ("sklearn.decomposition._pca", "PCA"),
        ("sklearn.decomposition._truncated_svd", "TruncatedSVD"),
        ("sklearn.feature_extraction.text", "TfidfVectorizer"),
        ("sklearn.feature_extraction.text", "CountVectorizer"),
        ("sklearn.feature_extraction.text", "TfidfTransformer"),
        ("sklearn.neighbors._classification", "KNeighborsClassifier"),
        ("sklearn.neighbors._regression", "KNeighborsRegressor"),
        ("sklearn.cluster._kmeans", "KMeans"),
        ("sklearn.naive_bayes", "MultinomialNB"),
        ("sklearn.naive_bayes", "GaussianNB"),
        ("sklearn.naive_bayes", "BernoulliNB"),
        ("sklearn.neural_network._multilayer_perceptron", "MLPClassifier"),
        ("sklearn.neural_network._multilayer_perceptron", "MLPRegressor"),
        ("sklearn.impute._base", "SimpleImputer"),
        # measured on files sklearn itself writes (tests/scan/benign_build.py)
        ("sklearn.dummy", "DummyClassifier"),
        ("sklearn.dummy", "DummyRegressor"),
        ("sklearn.ensemble._hist_gradient_boosting.binning", "_BinMapper"),
        ("sklearn.ensemble._hist_gradient_boosting.gradient_boosting", "HistGradientBoostingClassifier"),
        ("sklearn.ensemble._hist_gradient_boosting.gradient_boosting", "HistGradientBoostingRegressor"),
        ("sklearn.ensemble._hist_gradient_boosting.predictor", "TreePredictor"),
        ("sklearn.neighbors._kd_tree", "KDTree"),
        ("sklearn.neighbors._kd_tree", "newObj"),
        ("sklearn.neighbors._ball_tree", "BallTree"),
        ("sklearn.neighbors._ball_tree", "newObj"),
        ("sklearn.metrics._dist_metrics", "newObj"),
        *(
            ("sklearn.metrics._dist_metrics", f"{m}{bits}")
            for m in (
                "EuclideanDistance",
                "ManhattanDistance",
                "MinkowskiDistance",
                "ChebyshevDistance",
                "CosineDistance",
            )
            for bits in ("32", "64")
        ),
        ("sklearn.neural_network._stochastic_optimizers", "AdamOptimizer"),
        ("sklearn.neural_network._stochastic_optimizers", "SGDOptimizer"),
        *(
            ("sklearn.linear_model._sgd_fast", n)
            for n in (
                "Hinge",
                "SquaredHinge",
                "Log",
                "ModifiedHuber",
                "SquaredLoss",
                "Huber",
                "EpsilonInsensitive",
                "SquaredEpsilonInsensitive",
            )
        ),
    }
)

#: Modules (and their submodules) whose every attribute is dangerous to call from a pickle.
DANGEROUS_MODULES = frozenset(
    [
        "os",
        "posix",
        "nt",
        "posixpath",
        "ntpath",
        "subprocess",
        "sys",
        "socket",
        "runpy",
        "shutil",
        "importlib",
        "pickle",
        "_pickle",
        "pickletools",
        "dill",
        "cloudpickle",
        "webbrowser",
        "pty",
        "commands",
        "code",
        "codeop",
        "ctypes",
        "_ctypes",
        "marshal",
        "multiprocessing",
        "_posixsubprocess",
        "asyncio",
        "aiohttp",
        "requests",
        "urllib",
        "urllib2",
        "httplib",
        "http",
        "ftplib",
        "telnetlib",
        "smtplib",
        "ssl",
        "pdb",
        "bdb",
        "timeit",
        "profile",
        "cProfile",
        "trace",
        "pydoc",
        "pip",
        "ensurepip",
        "venv",
        "setuptools",
        "distutils",
        "zipimport",
        "imp",
        "pkgutil",
        "site",
        "_io",
        "io",
        "tempfile",
        "signal",
        "platform",
        "_osx_support",
        "_aix_support",
        "_pyrepl",
        "idlelib",
        "lib2to3",
        "test",
        "numpy.f2py",
        "numpy.testing",
        "joblib.numpy_pickle_utils",
        "torch.hub",
        "torch.serialization",
        "torch.jit",
        "torch.utils.cpp_extension",
        "torch._inductor",
        "torch._dynamo",
        "torch.package",
        "linecache",
        "glob",
        "tarfile",
        "zipfile",
        "gc",
        "inspect",
        "threading",
        "_thread",
        # public advisories (picklescan, fickling, modelscan denylists)
        "imaplib",
        "poplib",
        "nntplib",
        "uuid",
        "doctest",
        "unittest",
        "types",
        "_interpreters",
        "_xxsubinterpreters",
        "_xxinterpchannels",
        "interpreters",
        "concurrent.interpreters",
        "_frozen_importlib",
        "_frozen_importlib_external",
        "_imp",
        "_operator",
        "operator",
        "shelve",
        "dbm",
        "logging.config",
        "xmlrpc",
        "socketserver",
        "mailcap",
        "sqlite3",
        "_sqlite3",
        "_winapi",
        "winreg",
        "msvcrt",
        "numpy.distutils",
        "numpy.ctypeslib",
        "torch.utils.collect_env",
        "torch.utils.bottleneck",
        "torch.utils._config_module",
        "torch.utils.data.datapipes.utils.decoder",
        "torch.fx.experimental.symbolic_shapes",
        "torch.distributed",
        "torch.compile",
        "torch._export",
        "torch.export",
        "torch.ops",
        "torch.library",
        "torch.utils.cpp_extension",
        "torch._C._jit_tree_views",
        "compileall",
        "py_compile",
        "mmap",
        "fileinput",
        "filecmp",
        "pexpect",
        "_signal",
        "atexit",
        "select",
        "selectors",
        "syslog",
        "difflib",
        "logging.handlers",
    ]
)

#: Names that are dangerous whatever module they come from.
DANGEROUS_NAMES = frozenset(
    [
        "eval",
        "exec",
        "execfile",
        "compile",
        "getattr",
        "setattr",
        "delattr",
        "__import__",
        "open",
        "apply",
        "breakpoint",
        "input",
        "globals",
        "locals",
        "vars",
        "system",
        "popen",
        "spawn",
        "spawnv",
        "spawnl",
        "execv",
        "execve",
        "execl",
        "fork",
        "load",
        "loads",
        "load_module",
        "attrgetter",
        "methodcaller",
        "itemgetter",
        "CodeType",
        "FunctionType",
        "LambdaType",
        "MethodType",
        "ModuleType",
        "run_path",
        "run_module",
        "call",
        "check_call",
        "check_output",
        "Popen",
        "getoutput",
        "getstatusoutput",
        "resolve_name",
        "locate",
        "runcode",
        "runsource",
        "FileHandler",
        "FileIO",
        # advisory gadgets that wrap exec, subprocess or another loader
        "run_and_read_all",
        "run_cprofile",
        "run_autograd_prof",
        "evaluate_guards_expression",
        "load_config",
        "debug_script",
        "_get_command_stdout",
        "_read_output",
        "_read_cmd_output",
        "pipe_pager",
        "tempfile_pager",
        "_run_pip",
        "runcommand",
        "runctx",
        "runcall",
        "assert_python_ok",
        "assert_python_failure",
        "spawn_python",
        "write_file",
        "getlincoef",
        "_eval_length",
        "fetch_tip",
        "get_entity",
        "fetch_completions",
        "SetText",
        "make_label",
        "compile_file",
        "basichandlers",
        "execWrapper",
        "runstring",
        "IMAP4_stream",
        "read_pickle",
        "load_library",
        "pipepager",
        "tempfilepager",
        "_function_setstate",
        "_make_function",
        "_make_skeleton_class",
        "_builtin_type",
        "subimport",
        "_make_cell",
        "_make_empty_cell",
        "get_server_certificate",
        "create_connection",
        "urlopen",
        "urlretrieve",
        "_run_code",
        "_run_module_code",
    ]
)

#: Module-level names that are dangerous in an otherwise neutral module.
DANGEROUS_PAIRS = frozenset(
    {
        ("functools", "partial"),
        ("functools", "reduce"),
        ("types", "SimpleNamespace"),
        ("numpy", "load"),
        ("numpy.lib.npyio", "load"),
        ("joblib", "load"),
        ("torch", "load"),
        ("torch.storage", "_load_from_bytes"),
        ("pandas.io.pickle", "read_pickle"),
        ("pandas", "read_pickle"),
        ("copyreg", "_reconstructor_ex"),
        ("torch._dynamo.guards", "GuardBuilder.get"),
        ("trace", "Trace.run"),
        ("profile", "Profile.run"),
        ("code", "InteractiveInterpreter.runcode"),
        ("lib2to3.pgen2.grammar", "Grammar.loads"),
        ("torch.storage", "_load_from_bytes"),
        ("torch._weights_only_unpickler", "load"),
        ("pandas.io.pickle", "read_pickle"),
        ("builtins", "memoryview"),
        ("builtins", "help"),
        ("builtins", "exit"),
        ("builtins", "quit"),
        ("logging", "FileHandler"),
        ("numpy", "fromfile"),
        ("numpy", "memmap"),
        ("numpy", "loadtxt"),
        ("numpy", "genfromtxt"),
        ("numpy", "save"),
        ("numpy", "savetxt"),
        ("numpy", "tofile"),
        ("torch", "save"),
        ("joblib", "dump"),
    }
)

#: Members of a dangerous module that real model files pickle and that do no harm when called.
SAFE_IN_DANGEROUS: frozenset[tuple[str, str]] = frozenset(
    {("uuid", "UUID"), ("uuid", "SafeUUID"), ("torch.serialization", "_get_layout")}  # _get_layout: sparse tensors
)

#: One gadget per public advisory (picklescan and fickling security advisories, modelscan's denylist):
#: (advisory, module, name). The test suite checks that every one is dangerous.
ADVISORY_GADGETS: tuple[tuple[str, str, str], ...] = (
    ("GHSA-h3qp-7fh3-f8h4 (picklescan)", "torch.utils.collect_env", "run"),
    ("picklescan test suite", "torch.utils.collect_env", "run_and_read_all"),
    ("picklescan test suite", "torch.utils.bottleneck.__main__", "run_cprofile"),
    ("picklescan test suite", "torch.utils.bottleneck.__main__", "run_autograd_prof"),
    ("picklescan test suite", "torch.fx.experimental.symbolic_shapes", "ShapeEnv.evaluate_guards_expression"),
    ("picklescan test suite", "torch.utils._config_module", "ConfigModule.load_config"),
    ("picklescan test suite", "torch._dynamo.guards", "GuardBuilder.get"),
    ("picklescan test suite", "torch.jit.unsupported_tensor_ops", "execWrapper"),
    ("picklescan test suite", "torch._inductor.codecache", "compile_file"),
    ("picklescan test suite", "torch.utils.data.datapipes.utils.decoder", "basichandlers"),
    ("GHSA-5qwp-399c-mjwf (picklescan)", "trace", "Trace.run"),
    ("picklescan test suite", "trace", "Trace.runctx"),
    ("picklescan test suite", "profile", "Profile.run"),
    ("picklescan test suite", "profile", "Profile.runctx"),
    ("GHSA-7wx9-6375-f5wh (picklescan)", "profile", "run"),
    ("GHSA-9w88-8rmg-7g2p (picklescan)", "cProfile", "runctx"),
    ("GHSA-49gj-c84q-6qm9 (picklescan)", "cProfile", "run"),
    ("picklescan test suite", "lib2to3.pgen2.grammar", "Grammar.loads"),
    ("picklescan test suite", "lib2to3.pgen2.pgen", "ParserGenerator.make_label"),
    ("picklescan test suite", "idlelib.debugobj", "ObjectTreeItem.SetText"),
    ("picklescan test suite", "idlelib.autocomplete", "AutoComplete.get_entity"),
    ("picklescan test suite", "idlelib.autocomplete", "AutoComplete.fetch_completions"),
    ("picklescan test suite", "idlelib.calltip", "Calltip.fetch_tip"),
    ("picklescan test suite", "idlelib.calltip", "get_entity"),
    ("picklescan test suite", "idlelib.run", "Executive.runcode"),
    ("picklescan test suite", "idlelib.pyshell", "ModifiedInterpreter.runcode"),
    ("picklescan test suite", "idlelib.pyshell", "ModifiedInterpreter.runcommand"),
    ("picklescan test suite", "code", "InteractiveInterpreter.runcode"),
    ("picklescan test suite", "doctest", "debug_script"),
    ("picklescan test suite", "ensurepip", "_run_pip"),
    ("picklescan test suite", "distutils.file_util", "write_file"),
    ("GHSA-4675-36f9-wf6r (picklescan)", "ctypes", "CDLL"),
    ("picklescan test suite", "pydoc", "locate"),
    ("picklescan test suite", "operator", "methodcaller"),
    ("picklescan test suite", "_operator", "attrgetter"),
    ("GHSA-vqmv-47xg-9wpr (picklescan)", "pty", "spawn"),
    ("picklescan test suite", "numpy.f2py.crackfortran", "getlincoef"),
    ("picklescan test suite", "numpy.testing._private.utils", "runstring"),
    ("picklescan test suite", "_io", "FileIO"),
    ("picklescan test suite", "urllib.request", "urlopen"),
    ("picklescan test suite", "logging", "FileHandler"),
    ("picklescan test suite", "pkgutil", "resolve_name"),
    ("picklescan test suite", "types", "CodeType"),
    ("picklescan test suite", "cloudpickle.cloudpickle", "_make_function"),
    ("picklescan test suite", "cloudpickle.cloudpickle", "subimport"),
    ("picklescan test suite", "uuid", "_get_command_stdout"),
    ("picklescan test suite", "_osx_support", "_read_output"),
    ("picklescan test suite", "_aix_support", "_read_cmd_output"),
    ("picklescan test suite", "imaplib", "IMAP4_stream"),
    ("picklescan test suite", "_pyrepl.pager", "pipe_pager"),
    ("picklescan test suite", "test.support.script_helper", "assert_python_ok"),
    ("picklescan test suite", "ssl", "get_server_certificate"),
    ("picklescan test suite", "socket", "create_connection"),
    ("picklescan test suite", "requests.api", "get"),
    ("picklescan test suite", "aiohttp.client", "ClientSession"),
    ("picklescan test suite", "httplib", "HTTPSConnection"),
    ("picklescan test suite", "runpy", "_run_code"),
    ("picklescan test suite", "timeit", "timeit"),
    ("picklescan test suite", "sys", "exit"),
    ("fickling UNSAFE_IMPORTS", "imaplib", "IMAP4"),
    ("fickling UNSAFE_IMPORTS", "poplib", "POP3"),
    ("fickling UNSAFE_IMPORTS", "nntplib", "NNTP"),
    ("fickling UNSAFE_IMPORTS", "smtplib", "SMTP"),
    ("fickling UNSAFE_IMPORTS", "ftplib", "FTP"),
    ("fickling UNSAFE_IMPORTS", "telnetlib", "Telnet"),
    ("fickling UNSAFE_IMPORTS", "_interpreters", "create"),
    ("fickling UNSAFE_IMPORTS", "_posixsubprocess", "fork_exec"),
    ("fickling UNSAFE_IMPORTS", "multiprocessing", "Process"),
    ("fickling UNSAFE_IMPORTS", "marshal", "loads"),
    ("fickling UNSAFE_IMPORTS", "codeop", "compile_command"),
    ("fickling UNSAFE_IMPORTS", "importlib", "import_module"),
    ("fickling UNSAFE_IMPORTS", "_frozen_importlib", "_load"),
    ("fickling UNSAFE_IMPORTS", "zipimport", "zipimporter"),
    ("fickling UNSAFE_IMPORTS", "gc", "get_referrers"),
    ("fickling UNSAFE_IMPORTS", "site", "addsitedir"),
    ("fickling UNSAFE_IMPORTS", "unittest", "main"),
    ("fickling UNSAFE_IMPORTS", "inspect", "getsource"),
    ("fickling UNSAFE_IMPORTS", "functools", "partial"),
    ("fickling UNSAFE_IMPORTS", "webbrowser", "open"),
    ("fickling UNSAFE_IMPORTS", "shutil", "rmtree"),
    ("fickling UNSAFE_IMPORTS", "tempfile", "mkstemp"),
    ("fickling UNSAFE_IMPORTS", "dill", "loads"),
    ("fickling UNSAFE_IMPORTS", "joblib", "load"),
    ("fickling UnsafeImportsML", "torch.hub", "load"),
    ("fickling UnsafeImportsML", "torch", "load"),
    ("fickling UnsafeImportsML", "torch", "compile"),
    ("fickling UnsafeImportsML", "torch.storage", "_load_from_bytes"),
    ("fickling UnsafeImportsML", "torch.utils._config_module", "ConfigModule"),
    ("fickling UnsafeImportsML", "torch.distributed.elastic.rendezvous.api", "basichandlers"),
    ("fickling UnsafeImportsML", "numpy.distutils", "exec_command"),
    ("fickling UnsafeImportsML", "io", "open"),
    ("modelscan unsafe_globals", "builtins", "__import__"),
    ("modelscan unsafe_globals", "__builtin__", "apply"),
    ("modelscan unsafe_globals", "builtins", "breakpoint"),
    ("modelscan unsafe_globals", "bdb", "Bdb"),
    ("modelscan unsafe_globals", "pdb", "run"),
    ("modelscan unsafe_globals", "asyncio", "run"),
    ("modelscan unsafe_globals", "posix", "system"),
    ("modelscan unsafe_globals", "nt", "system"),
)

_STORAGE = re.compile(r"^[A-Za-z0-9]*Storage$")
_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Classification:
    verdict: Verdict
    reason: str
    enum: bool = False  # getattr(cls, "MEMBER") on it is an enum member lookup


def normalize(module: str, name: str) -> tuple[str, str]:
    """Apply pickle's Python 2 -> 3 name mapping."""
    module = _PY2_MODULES.get(module, module)
    if module == "builtins" and name == "reduce":
        return "functools", "reduce"
    if module == "builtins" and name in ("unicode", "basestring"):
        return "builtins", "str"
    if module == "builtins" and name == "xrange":
        return "builtins", "range"
    return module, name


def classify(module: str, name: str) -> Classification:
    """The verdict for importing ``module.name`` from a pickle."""
    module, name = normalize(module, name)
    pair = (module, name)
    if pair in SAFE_IN_DANGEROUS:
        return Classification(Verdict.SAFE, "on the allowlist")
    parts = [*module.split("."), *name.split(".")]
    for i in range(1, len(module.split(".")) + 1):
        prefix = ".".join(parts[:i])
        if prefix in DANGEROUS_MODULES:
            return Classification(Verdict.DANGEROUS, f"module {prefix} reaches the OS, the interpreter or a loader")
    if pair in DANGEROUS_PAIRS:
        return Classification(Verdict.DANGEROUS, f"{module}.{name} can call or load arbitrary code")
    name_parts = name.split(".")
    for p in name_parts:
        if p in DANGEROUS_NAMES:
            return Classification(Verdict.DANGEROUS, f"{p} can run code, touch files or fetch attributes")
        if p.startswith("__") and p.endswith("__") and pair not in SAFE and pair not in SKLEARN:
            return Classification(Verdict.DANGEROUS, f"dunder attribute {p} walks into interpreter internals")
    if len(name_parts) > 1:
        # protocol 4 resolves dotted names attribute by attribute: obj.attr.attr
        for p in name_parts[1:]:
            if p.split(".")[0] in {m.split(".")[0] for m in DANGEROUS_MODULES}:
                return Classification(Verdict.DANGEROUS, f"attribute path {name} reaches module {p}")
    if module == "builtins" and pair not in SAFE:
        return Classification(Verdict.UNKNOWN, "builtin not on the allowlist")
    if pair in ENUMS:
        return Classification(Verdict.SAFE, "enum class on the allowlist", enum=True)
    if pair in SAFE or pair in SKLEARN:
        return Classification(Verdict.SAFE, "on the allowlist")
    if module in ("torch", "torch.cuda", "torch.storage") and _STORAGE.match(name):
        return Classification(Verdict.SAFE, "torch storage class")
    return Classification(Verdict.UNKNOWN, "not on the allowlist")


def is_public_member(value: object) -> bool:
    """Whether ``value`` is a plain public attribute name (enum member)."""
    return isinstance(value, str) and bool(_IDENT.match(value))
