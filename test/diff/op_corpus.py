"""The reference side of the op corpus: every case compiled by the real Alembic, in one process.

Reads a JSON list of cases on stdin:
  {"id", "dialect", "setup", "body", "convention" (dict or null), "online" (bool)}
and prints a JSON list, one entry per case, in the same order:
  {"statements": [...]}                 what Alembic wrote (offline) or executed (online)
  {"error": "Type: message"}            when Alembic raised
plus, for online cases, "setup" (the statements the setup ran, for the other side to replay)
and "schema" (sqlite_master after the body).

Offline: MigrationContext in as_sql mode with literal_binds and the named paramstyle (as `alembic init`'s env.py configures
offline runs), statements split on the ";\\n\\n" Alembic writes after each one.
Online (SQLite only): a fresh in-memory database; the setup runs through Alembic, then the body's
statements are recorded as the driver receives them, reflection queries (PRAGMA, SELECT) left out.

Run with /usr/bin/python3 (Debian's Alembic 1.8.1); put another Alembic first on PYTHONPATH to
compare with it (the test passes ORACLE_PYTHONPATH through).
"""
import io
import json
import re
import sys
import warnings

import alembic
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite

warnings.simplefilter("ignore")


def namespace(op):
    return {"op": op, "sa": sa, "postgresql": postgresql, "sqlite": sqlite}


def run_code(code, ns, name):
    if code.strip():
        exec(compile(code, name, "exec"), ns)


def err(e):
    # First line only, object addresses out (they change from run to run).
    return "%s: %s" % (type(e).__name__, re.sub(r" at 0x[0-9a-f]+", "", str(e).strip().split("\n")[0]))


def opts_for(case):
    opts = {}
    if case.get("convention"):
        opts["target_metadata"] = sa.MetaData(naming_convention=case["convention"])
    return opts


def offline(case):
    buf = io.StringIO()
    opts = opts_for(case)
    opts.update({"as_sql": True, "output_buffer": buf, "literal_binds": True})
    ctx = MigrationContext.configure(dialect_name=case["dialect"], opts=opts, dialect_opts={"paramstyle": "named"})
    op = Operations(ctx)
    ns = namespace(op)
    try:
        run_code(case["setup"], ns, case["id"] + ":setup")
    except Exception as e:  # a broken setup is a corpus bug, not a finding
        return {"error": "setup failed: " + err(e)}
    start = len(buf.getvalue())
    try:
        run_code(case["body"], ns, case["id"])
    except Exception as e:
        return {"error": err(e)}
    text = buf.getvalue()[start:]
    return {"statements": [s for s in text.split(";\n\n") if s.strip()]}


def online(case):
    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn:
        seen = []

        @event.listens_for(conn, "before_cursor_execute")
        def record(conn_, cursor, statement, parameters, context, executemany):
            s = statement.strip()
            if s.split(None, 1)[0].upper() in ("PRAGMA", "SELECT"):
                return
            seen.append(s if not parameters else s + " -- " + json.dumps(list(parameters), default=str))

        ctx = MigrationContext.configure(connection=conn, opts=opts_for(case))
        ns = namespace(Operations(ctx))
        try:
            run_code(case["setup"], ns, case["id"] + ":setup")
        except Exception as e:
            return {"error": "setup failed: " + err(e)}
        setup = list(seen)
        del seen[:]
        out = {"setup": setup}
        try:
            run_code(case["body"], ns, case["id"])
            out["statements"] = list(seen)
        except Exception as e:
            out["error"] = err(e)
        event.remove(conn, "before_cursor_execute", record)
        out["schema"] = [list(r) for r in conn.exec_driver_sql(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")]
        return out


def main():
    cases = json.load(sys.stdin)
    results = [online(c) if c.get("online") else offline(c) for c in cases]
    json.dump({"alembic": alembic.__version__, "sqlalchemy": sa.__version__, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
