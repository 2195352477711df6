"""Runs many Alembic command lines in one Python process (start-up costs ~0.3 s a call).

Reads a JSON list of {"cwd", "argv", "env"} from stdin; prints a JSON list of
{"stdout", "stderr", "code"} with the exit code the `alembic` command would have returned.
"""
import contextlib
import io
import json
import os
import sys
import traceback
import warnings

import alembic
from alembic.config import CommandLine, Config
from alembic.script.base import Script

# Alembic before 1.15 read version folders in os.listdir() order (the file system's); current
# Alembic sorts file names, which is what we implement. Give the older oracle the sorted order.
if tuple(int(p) for p in alembic.__version__.split(".")[:2]) < (1, 15):
    _list_py_dir = Script._list_py_dir.__func__
    Script._list_py_dir = classmethod(lambda cls, scriptdir, path: sorted(_list_py_dir(cls, scriptdir, path)))


def run(argv, out):
    # As alembic.config.main, but with our buffer as the Config's stdout (its default binds
    # sys.stdout at import time, so redirect_stdout alone would not catch print_stdout).
    cl = CommandLine(prog="alembic")
    options = cl.parser.parse_args(argv)
    if not hasattr(options, "cmd"):
        cl.parser.error("too few arguments")
    if hasattr(cl, "_inis_from_config"):
        toml, ini = cl._inis_from_config(options)
        cfg = Config(file_=ini, toml_file=toml, ini_section=options.name, cmd_opts=options, stdout=out)
    else:
        cfg = Config(file_=options.config, ini_section=options.name, cmd_opts=options, stdout=out)
    cl.run_cmd(cfg, options)


def version_rows(url):
    # The raw alembic_version rows (sorted), or None when the table does not exist.
    from sqlalchemy import create_engine, inspect, text
    engine = create_engine(url)
    with engine.connect() as c:
        if not inspect(c).has_table("alembic_version"):
            return None
        return sorted(r[0] for r in c.execute(text("select version_num from alembic_version")))


results = []
for job in json.load(sys.stdin):
    if "rows" in job:
        results.append({"rows": version_rows(job["rows"])})
        continue
    os.chdir(job["cwd"])
    saved_env = dict(os.environ)
    os.environ.update(job.get("env") or {})
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings():
        warnings.simplefilter("always")
        try:
            run(job["argv"], out)
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except Exception:  # an uncaught error: Python prints a traceback and exits 1
            traceback.print_exc(file=err)
            code = 1
    os.environ.clear()
    os.environ.update(saved_env)
    results.append({"stdout": out.getvalue(), "stderr": err.getvalue(), "code": code & 0xFF})
print(json.dumps(results))
