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

# Alembic before 1.19 kept, when unmerging with no other heads, target revisions that are ancestors
# of other targets (through depends_on), leaving a head and its ancestor in the version table.
# Current Alembic drops them; give the older oracle the current rule.
if tuple(int(p) for p in alembic.__version__.split(".")[:2]) < (1, 19):
    from alembic.runtime.migration import RevisionStep

    def _unmerge_to_revisions(self, heads):
        other_heads = set(heads).difference([self.revision.revision])
        if other_heads:
            ancestors = {r.revision for r in self.revision_map._get_ancestor_nodes(self.revision_map.get_revisions(other_heads), check=False)}
        else:
            ancestors = {
                r.revision
                for to in self.to_revisions
                for r in self.revision_map._get_ancestor_nodes(self.revision_map.get_revisions(to), check=False)
                if r.revision != to
            }
        return tuple(set(self.to_revisions).difference(ancestors))

    RevisionStep._unmerge_to_revisions = _unmerge_to_revisions


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


def top_level_split(body):
    items, depth, cur = [], 0, ""
    for ch in body:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            items.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        items.append(cur.strip())
    return items


CONSTRAINT_WORDS = ("CONSTRAINT ", "PRIMARY KEY", "UNIQUE ", "UNIQUE(", "FOREIGN KEY", "CHECK ", "CHECK(")


def normalize_create_table(sql):
    # Columns keep their order; table constraints are compared as a set (Alembic's batch mode
    # writes them in Python set order, which changes from run to run).
    head, _, rest = sql.partition("(")
    body = rest[: rest.rfind(")")]
    items = top_level_split(body)
    cols = [i for i in items if not i.upper().startswith(CONSTRAINT_WORDS)]
    cons = sorted(i for i in items if i.upper().startswith(CONSTRAINT_WORDS))
    return {"head": head.strip(), "columns": cols, "constraints": cons}


def plain(v):
    if isinstance(v, (bytes, bytearray, memoryview)):
        return "x'" + bytes(v).hex() + "'"
    if isinstance(v, (int, float, str)) or v is None:
        return v
    return str(v)


def schema_dump(url):
    """Everything a user would notice about a database: its DDL, its catalog, its rows."""
    if url.startswith("sqlite:///"):
        import sqlite3
        path = url[len("sqlite:///"):]
        if not os.path.exists(path):
            return None
        c = sqlite3.connect(path)
        out = {"objects": [], "tables": {}}
        for typ, name, tbl, sql in c.execute("select type, name, tbl_name, sql from sqlite_master order by type, name"):
            if typ == "table" and sql:
                sql = normalize_create_table(sql)
            out["objects"].append([typ, name, tbl, sql])
            if typ == "table":
                q = '"%s"' % name.replace('"', '""')
                cols = [r[1] for r in c.execute("pragma table_info(%s)" % q)]
                order = ", ".join('"%s"' % x.replace('"', '""') for x in cols)
                out["tables"][name] = {
                    "info": c.execute("pragma table_info(%s)" % q).fetchall(),
                    "fks": sorted(c.execute("pragma foreign_key_list(%s)" % q).fetchall(), key=lambda r: (r[2], r[3])),
                    "indexes": sorted([list(r[1:3]) + [c.execute("pragma index_info(\"%s\")" % r[1]).fetchall()] for r in c.execute("pragma index_list(%s)" % q)], key=str),
                    "rows": [[plain(v) for v in r] for r in c.execute("select * from %s order by %s" % (q, order))] if cols else [],
                }
        out["integrity"] = c.execute("pragma integrity_check").fetchall()
        c.close()
        return json.loads(json.dumps(out, default=str))
    import psycopg2
    c = psycopg2.connect(url)
    cur = c.cursor()
    def q(sql, *a):
        cur.execute(sql, a)
        return [[plain(v) for v in r] for r in cur.fetchall()]
    out = {
        "columns": q("select table_name, column_name, ordinal_position, data_type, udt_name, character_maximum_length, numeric_precision, numeric_scale, datetime_precision, column_default, is_nullable from information_schema.columns where table_schema = 'public' order by table_name, ordinal_position"),
        "constraints": q("select c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid) from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' order by 1, 2"),
        "indexes": q("select tablename, indexname, indexdef from pg_indexes where schemaname = 'public' order by 1, 2"),
        "enums": q("select t.typname, array_agg(e.enumlabel order by e.enumsortorder)::text from pg_type t join pg_enum e on e.enumtypid = t.oid group by 1 order by 1"),
        "sequences": q("select sequence_name, data_type from information_schema.sequences where sequence_schema = 'public' order by 1"),
        "comments": q("select c.relname, a.attname, col_description(c.oid, a.attnum), obj_description(c.oid, 'pg_class') from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 where n.nspname = 'public' and c.relkind = 'r' and (col_description(c.oid, a.attnum) is not null or obj_description(c.oid, 'pg_class') is not null) order by 1, 2"),
        "rows": {},
    }
    for (table,) in q("select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1"):
        cur.execute('select * from "%s" order by 1' % table.replace('"', '""'))
        rows = [[plain(v) for v in r] for r in cur.fetchall()]
        out["rows"][table] = sorted(rows, key=lambda r: json.dumps(r, default=str))
    c.close()
    return json.loads(json.dumps(out, default=str))


def handle(job):
    if "rows" in job:
        return {"rows": version_rows(job["rows"])}
    if "schema" in job:
        return {"schema": schema_dump(job["schema"])}
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
    return {"stdout": out.getvalue(), "stderr": err.getvalue(), "code": code & 0xFF}


if "--serve" in sys.argv:
    # One job per line in, one result per line out: a long-lived oracle for step-by-step tests.
    for line in sys.stdin:
        if line.strip():
            try:
                result = handle(json.loads(line))
            except Exception as e:  # the oracle itself failed: report, keep serving
                result = {"error": "%s: %s" % (type(e).__name__, e)}
            sys.stdout.write(json.dumps(result) + "\n")
            sys.stdout.flush()
else:
    print(json.dumps([handle(job) for job in json.load(sys.stdin)]))
