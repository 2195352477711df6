"""What the real Alembic writes in --sql mode for whole revision files, function by function.

Reads JSON on stdin: {"files": [...], "roots": [...], "dialects": [...]}; prints a JSON list of
{"file", "dialect", "fn", "statements"} or {..., "error": "Type: message"}. Offline as
`alembic init`'s env.py runs it (literal_binds, the named paramstyle); `roots` go first on sys.path
(as alembic.ini's prepend_sys_path), so the revisions' project imports resolve. Each function runs
on a freshly loaded module, as each Alembic command loads it anew.
Run with /usr/bin/python3 (Debian's Alembic 1.8.1).
"""
import importlib.util
import io
import json
import re
import sys
import warnings

from alembic.config import Config
from alembic.operations import Operations
from alembic.runtime.environment import EnvironmentContext

warnings.simplefilter("ignore")


def run(path, dialect, fn):
    buf = io.StringIO()
    env = EnvironmentContext(Config(), None)
    env.configure(dialect_name=dialect, as_sql=True, output_buffer=buf, literal_binds=True, dialect_opts={"paramstyle": "named"})
    with env, Operations.context(env.get_context()):
        spec = importlib.util.spec_from_file_location("revision_under_test", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        getattr(module, fn)()
    return [s.strip() for s in buf.getvalue().split(";\n\n") if s.strip()]


def main():
    job = json.load(sys.stdin)
    sys.path[:0] = job["roots"]
    out = []
    for path in job["files"]:
        for dialect in job["dialects"]:
            for fn in ("upgrade", "downgrade"):
                entry = {"file": path, "dialect": dialect, "fn": fn}
                try:
                    entry["statements"] = run(path, dialect, fn)
                except Exception as e:  # noqa: BLE001 - reported to the other side
                    entry["error"] = "%s: %s" % (type(e).__name__, re.sub(r" at 0x[0-9a-f]+", "", str(e).split("\n")[0]))
                out.append(entry)
    json.dump(out, sys.stdout)


main()
