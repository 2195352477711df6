"""The reference side of the survey: what the real Alembic writes in offline (--sql) mode for each
revision of a project, per dialect, upgrade() and downgrade() separately.

Run by /usr/bin/python3 (Debian's Alembic + SQLAlchemy, or upstream ones put first on PYTHONPATH).
Reads a JSON job on stdin:
    {"projects": [{"root": "/abs/project", "files": [{"file": "/abs/x.py", "dialects": ["postgresql"]}]}],
     "timeout": 5, "paramstyle": null}
and writes one JSON document on stdout:
    {"alembic": "1.19.2", "sqlalchemy": "2.0.52",
     "results": {"/abs/x.py": {"load": null | "error",
                               "postgresql": {"upgrade": {"ok": true, "statements": [...]}
                                                       | {"ok": false, "error": "...", "line": 12},
                                              "downgrade": ...}}}}
A statement is what Alembic hands its output buffer in one write (`<sql>;\\n\\n`), without the
terminator. Imports the project cannot satisfy here (its dependencies, or its own modules that fail
to import) are replaced by permissive stub modules, as the survey's reference "Alembic run with
unknown project imports stubbed".
"""
import contextlib
import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import io
import json
import linecache
import signal
import sys
import traceback
import types

import sqlalchemy
import alembic
from alembic.config import Config
from alembic.operations import Operations
from alembic.runtime.environment import EnvironmentContext

# Names never stubbed: a missing SQLAlchemy/Alembic name must fail as it would for the user.
REAL = ("sqlalchemy", "alembic")


class Stub:
    """Any attribute, call, item or iteration of an unknown import: another stub (or nothing)."""

    def __init__(self, name="stub"):
        object.__setattr__(self, "_name", name)

    def __getattr__(self, k):
        if k.startswith("__") and k.endswith("__"):
            raise AttributeError(k)
        return Stub(f"{self._name}.{k}")

    def __call__(self, *a, **kw):
        return Stub(f"{self._name}()")

    def __getitem__(self, k):
        return Stub(f"{self._name}[]")

    def __iter__(self):
        return iter(())

    def __len__(self):
        return 0

    def __bool__(self):
        return False

    def __mro_entries__(self, bases):
        return (StubBase,)

    def __repr__(self):
        return f"<stub {self._name}>"

    __str__ = __repr__


class StubBase:
    """What `class X(stubbed.Base)` derives from."""

    def __init__(self, *a, **kw):
        pass

    def __init_subclass__(cls, **kw):
        pass


class StubModule(types.ModuleType):
    def __getattr__(self, k):
        if k.startswith("__") and k.endswith("__"):
            raise AttributeError(k)
        return Stub(f"{self.__name__}.{k}")


class StubLoader(importlib.abc.Loader):
    def create_module(self, spec):
        m = StubModule(spec.name)
        m.__path__ = []  # a package, so `import a.b.c` stubs all the way down
        return m

    def exec_module(self, module):
        pass


class FallbackLoader(importlib.abc.Loader):
    """Runs a real project module; if that raises, the module becomes a stub (keeping what it defined)."""

    def __init__(self, inner):
        self.inner = inner

    def create_module(self, spec):
        return self.inner.create_module(spec)

    def exec_module(self, module):
        try:
            with time_box(TIMEOUT):
                self.inner.exec_module(module)
        except BaseException:  # noqa: BLE001 - any failure of project code means "stub it"
            module.__class__ = StubModule
            if not hasattr(module, "__path__"):
                module.__path__ = []


class StubFinder(importlib.abc.MetaPathFinder):
    """First on sys.meta_path: real modules load normally (project ones falling back to a stub when
    they fail); a module nothing can find becomes a stub, except SQLAlchemy's and Alembic's."""

    def __init__(self):
        self.busy = set()

    def find_spec(self, fullname, path, target=None):
        if fullname in self.busy:
            return None
        top = fullname.split(".")[0]
        self.busy.add(fullname)
        try:
            spec = None
            try:
                spec = importlib.machinery.PathFinder.find_spec(fullname, path)
                if spec is None:
                    for f in sys.meta_path:
                        if f is self or not hasattr(f, "find_spec"):
                            continue
                        spec = f.find_spec(fullname, path, target)
                        if spec is not None:
                            break
            except Exception:  # noqa: BLE001 - a broken package's finder: treat as absent
                spec = None
        finally:
            self.busy.discard(fullname)
        if top in REAL or top in sys.stdlib_module_names:
            return spec  # None: a real ImportError
        if spec is None:
            return importlib.util.spec_from_loader(fullname, StubLoader(), is_package=True)
        if spec.origin and spec.origin.startswith(tuple(PROJECT_ROOTS)) and spec.loader is not None:
            spec.loader = FallbackLoader(spec.loader)
        return spec


class TimeUp(BaseException):
    pass


def _alarm(signum, frame):
    raise TimeUp()


@contextlib.contextmanager
def time_box(seconds):
    """signal.alarm for one call (nested boxes keep the outer deadline)."""
    previous = signal.alarm(0)
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds if not previous else min(seconds, previous))
    try:
        yield
    finally:
        signal.alarm(0)
        if previous:
            signal.alarm(max(1, previous - seconds))


class Statements(io.StringIO):
    """Alembic's offline output buffer: each write is one statement (`<sql>;\\n\\n`) or a comment."""

    def __init__(self):
        super().__init__()
        self.items = []

    def write(self, s):
        self.items.append(s)
        return len(s)

    def flush(self):
        pass


def target_metadata_for(root):
    """TODO hook: the project's target_metadata (its naming convention), read from env.py.
    None until the survey knows how to build it; unnamed constraints then fail as in Alembic."""
    return None


def error_line(tb, path):
    """The deepest line of the revision file in a traceback."""
    line = None
    for frame, lineno in traceback.walk_tb(tb):
        if frame.f_code.co_filename == path:
            line = lineno
    return line


def run_function(fn, path, dialect, root, paramstyle):
    buf = Statements()
    cfg = Config()
    env = EnvironmentContext(cfg, None)
    opts = dict(dialect_name=dialect, as_sql=True, output_buffer=buf, literal_binds=True,
                target_metadata=target_metadata_for(root))
    if paramstyle:
        opts["dialect_opts"] = {"paramstyle": paramstyle}
    try:
        with env:
            env.configure(**opts)
            ctx = env.get_context()
            with Operations.context(ctx), time_box(TIMEOUT):
                fn()
    except TimeUp:
        return {"ok": False, "error": f"timed out after {TIMEOUT}s", "line": None}
    except BaseException as e:  # noqa: BLE001 - the migration's own failure is the result
        tb = e.__traceback__
        line = error_line(tb, path)
        # `raise ...` written in the revision itself (a downgrade that refuses): an outcome the
        # engine reproduces, compared with the statements written before it.
        innermost = list(traceback.walk_tb(tb))[-1]
        raised = innermost[0].f_code.co_filename == path and linecache.getline(path, innermost[1]).strip().startswith("raise")
        return {"ok": False, "error": f"{type(e).__name__}: {e}"[:500], "line": line, "raised": raised,
                "statements": statements_of(buf)}
    return {"ok": True, "statements": statements_of(buf)}


def statements_of(buf):
    out = []
    for s in buf.items:
        if s.endswith(";\n\n"):
            out.append(s[: -len(";\n\n")])
        elif s.startswith("--"):
            continue  # comments Alembic writes between steps
        else:
            out.append(s.rstrip("\n"))
    return out


def load(path, n):
    name = f"_survey_rev_{n}"
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    with time_box(TIMEOUT):
        spec.loader.exec_module(mod)
    return mod


def survey_project(project, paramstyle, results):
    global PROJECT_ROOTS
    root = project["root"].rstrip("/")
    PROJECT_ROOTS = [root + "/"]
    extra = [root] + [p for p in project.get("paths", []) if p != root]
    sys.path[:] = BASE_PATH + extra
    baseline = set(sys.modules)
    for n, item in enumerate(project["files"]):
        path = item["file"]
        r = {"load": None}
        results[path] = r
        try:
            mod = load(path, n)
        except BaseException as e:  # noqa: BLE001
            r["load"] = f"{type(e).__name__}: {e}"[:500]
            continue
        for dialect in item["dialects"]:
            d = {}
            for fname in ("upgrade", "downgrade"):
                fn = getattr(mod, fname, None)
                if not callable(fn):
                    d[fname] = {"ok": True, "statements": [], "missing": True}
                    continue
                try:
                    params = [p for p in inspect.signature(fn).parameters.values()
                              if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
                except (TypeError, ValueError):
                    params = []
                if params:
                    d[fname] = {"ok": False, "error": "takes arguments from a custom env.py: " + ", ".join(p.name for p in params),
                                "line": fn.__code__.co_firstlineno, "custom_env": True}
                    continue
                d[fname] = run_function(fn, path, dialect, root, paramstyle)
            r[dialect] = d
        sys.modules.pop(f"_survey_rev_{n}", None)
    # The next project starts from a clean import state (its own package may share a name); real
    # libraries stay (SQLAlchemy registers types once per process).
    for k in set(sys.modules) - baseline:
        m = sys.modules.get(k)
        origin = getattr(m, "__file__", None) or ""
        if isinstance(m, StubModule) or origin.startswith(root + "/") or k.startswith("_survey_rev_"):
            sys.modules.pop(k, None)
    linecache.clearcache()


TIMEOUT = 5
PROJECT_ROOTS = []
BASE_PATH = list(sys.path)


def main():
    global TIMEOUT
    job = json.load(sys.stdin)
    TIMEOUT = int(job.get("timeout", 5))
    sys.meta_path.insert(0, StubFinder())
    results = {}
    # Revision files print, warn and log: keep stdout for the JSON.
    real_stdout = sys.stdout
    sys.stdout = sys.stderr
    import warnings
    warnings.simplefilter("ignore")
    for project in job["projects"]:
        survey_project(project, job.get("paramstyle"), results)
    sys.stdout = real_stdout
    json.dump({"alembic": alembic.__version__, "sqlalchemy": sqlalchemy.__version__, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
