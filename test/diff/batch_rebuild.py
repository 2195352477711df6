"""The reference side of test/diff/batchRebuild.test.ts: a batch_alter_table run by the real Alembic.

Reads {"dir": folder, "cases": [{"id", "setup", "body"}]} on stdin. For each case: a fresh SQLite
file <dir>/<id>.db, `setup` run on it as raw SQL (sqlite3.executescript), then `body` run as Python
with `op` bound to Alembic's Operations on that file (the file is left for the test to read).
Prints {"alembic", "sqlalchemy", "results": [{"error": "Type: message"} or {}]} in case order.
"""
import json
import os
import sqlite3
import sys
import warnings

import alembic
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

warnings.simplefilter("ignore")


def run(path, case):
    if os.path.exists(path):
        os.remove(path)
    c = sqlite3.connect(path)
    c.executescript(case["setup"])
    c.commit()
    c.close()
    engine = sa.create_engine("sqlite:///" + path)
    try:
        with engine.begin() as conn:
            op = Operations(MigrationContext.configure(connection=conn))
            exec(compile(case["body"], case["id"], "exec"), {"op": op, "sa": sa})
    except Exception as e:
        return {"error": "%s: %s" % (type(e).__name__, str(e).strip().split("\n")[0])}
    finally:
        engine.dispose()
    return {}


def main():
    job = json.load(sys.stdin)
    results = [run(os.path.join(job["dir"], c["id"] + ".db"), c) for c in job["cases"]]
    json.dump({"alembic": alembic.__version__, "sqlalchemy": sa.__version__, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
