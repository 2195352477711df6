"""The reference side of `verify`: the real Alembic doing the stairway check, online, as teams' own
scripts do it ("stairway test", pytest-alembic's up/down consistency), with the schema compared.

For every revision, in an order Alembic can walk from base to the heads (each revision after all it
revises and depends on): snapshot the schema, `upgrade <rev>`, snapshot, downgrade one step,
snapshot (== the first?), `upgrade <rev>` again, snapshot (== the second?).

Downgrade one step: `downgrade <rev>@<down>`, i.e. Alembic's branch syntax with the revision itself as
the branch: the target is one of its down revisions (the first one of a merge; `base` for a root),
and the branch restricts what is undone to the revision's own line. A plain `downgrade <down>` would
also undo a sibling branch applied before (both are children of <down>), and `<rev>@-1` is refused by
Alembic for a merge ("Ambiguous walk"). After every step the version table is checked against the
heads the step should leave.

Run by /usr/bin/python3 (Debian's Alembic 1.8 + SQLAlchemy 1.4, or upstream ones first on PYTHONPATH).
    stairway_alembic.py --url URL (--config alembic.ini | --versions DIR... [--path P...] [--root R])
                        [--mode inprocess|subprocess] [--timeout S] [--no-snapshots]
URL: sqlite:///file.db or postgresql://...; the database must be empty (the caller creates it).
In-process: one process, an env.py of its own (a connection on URL, no target_metadata), revision
files loaded with unknown imports stubbed as the survey does (test/survey/alembic_offline.py).
Subprocess: every step is `python -m alembic -c <ini> upgrade|downgrade <target>` with the project's
own env.py (its ini copied with sqlalchemy.url = URL and DATABASE_URL set), as CI scripts do.

Writes JSON lines on stdout: first {"alembic", "sqlalchemy", "dialect", "mode", "order": [...]}, then
per revision {revision, file, down_revisions, upgrade: "ok"|msg, downgrade: "ok"|msg|null,
upgrade_again: "ok"|msg|null, restored: bool|null, reproduced: bool|null, differences: [...],
downgrade_present: bool (verify's check: a downgrade() that does something when upgrade() does), seconds}, last {"done": true, "seconds", "stopped": msg|null}.
After a failed upgrade the walk stops (the revisions after it need it). After a failed downgrade or
second upgrade it goes on from where the first upgrade left the database: as is when it is still
there (PostgreSQL rolled the step back), else emptied and upgraded to those heads again, unchecked
("recovered": "as is" | "rebuilt"), as a fresh database per revision would be.
"""
import argparse
import ast
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "survey"))
import alembic_offline as stubs  # noqa: E402 - the survey's stub importer, shared

import alembic  # noqa: E402
import sqlalchemy  # noqa: E402
import sqlalchemy.orm  # noqa: E402,F401 - loaded in every application; revisions use `sa.orm` without importing it
from alembic.config import Config  # noqa: E402
from alembic.runtime.environment import EnvironmentContext  # noqa: E402
from alembic.script import ScriptDirectory  # noqa: E402
from sqlalchemy import create_engine, inspect, pool, text  # noqa: E402

SA2 = sqlalchemy.__version__.split(".")[0] >= "2"
PG_SYSTEM = ("information_schema", "pg_catalog", "pg_toast")


# ---- snapshot ----------------------------------------------------------------------------------

def _text(v):
    if v is None:
        return None
    try:
        return str(v)
    except Exception:  # noqa: BLE001 - a type SQLAlchemy cannot print
        return repr(v)


def _type(t, dialect):
    try:
        return t.compile(dialect=dialect)
    except Exception:  # noqa: BLE001 - NullType and other unprintable reflected types
        return _text(t)


def _schemas(insp, dialect):
    if dialect.name != "postgresql":
        return [None]
    default = insp.default_schema_name
    return [None] + sorted(s for s in insp.get_schema_names() if s != default and s not in PG_SYSTEM and not s.startswith("pg_"))


def _qual(schema, name):
    return f"{schema}.{name}" if schema else name


def _fk(fk):
    o = fk.get("options") or {}
    return {
        "name": fk.get("name"), "columns": list(fk["constrained_columns"]),
        "referred": _qual(fk.get("referred_schema"), fk["referred_table"]),
        "referred_columns": list(fk["referred_columns"]),
        "ondelete": (o.get("ondelete") or "").upper() or None, "onupdate": (o.get("onupdate") or "").upper() or None,
        "deferrable": o.get("deferrable"), "initially": o.get("initially"),
    }


def _index(ix):
    cols = list(ix.get("column_names") or [])
    exprs = ix.get("expressions") or []
    # Expression indexes: SQLAlchemy 2 gives the expressions, 1.4 a None column (and a warning).
    cols = [c if c is not None else (exprs[i] if i < len(exprs) else "<expression>") for i, c in enumerate(cols)]
    dopts = ix.get("dialect_options") or {}
    return {"name": ix["name"], "unique": bool(ix.get("unique")), "columns": cols,
            "where": _text(dopts.get("postgresql_where") or dopts.get("sqlite_where"))}


def _table(name, schema, columns, pk, fks, uniques, checks, indexes, dialect):
    return {
        "columns": {c["name"]: {"type": _type(c["type"], dialect), "nullable": bool(c["nullable"]), "default": _text(c.get("default")),
                                "identity": bool(c.get("identity")), "computed": _text((c.get("computed") or {}).get("sqltext"))}
                    for c in columns},
        "pk": {"name": (pk or {}).get("name"), "columns": list((pk or {}).get("constrained_columns") or [])},
        "fks": sorted((_fk(f) for f in fks), key=lambda f: json.dumps(f, sort_keys=True)),
        "uniques": sorted(({"name": u.get("name"), "columns": list(u["column_names"])} for u in uniques), key=lambda u: json.dumps(u, sort_keys=True)),
        "checks": sorted(({"name": c.get("name"), "sql": _text(c.get("sqltext"))} for c in checks), key=lambda c: json.dumps(c, sort_keys=True)),
        "indexes": {ix["name"]: _index(ix) for ix in indexes if ix.get("name")},
    }


def _safe(fn, *a, **kw):
    try:
        return fn(*a, **kw)
    except NotImplementedError:
        return []


SNAPSHOTS = True
UPGRADE_ONLY = False


def snapshot(conn):
    """None without --no-snapshots' comparison, else the schema"""
    return take_snapshot(conn) if SNAPSHOTS else None


def take_snapshot(conn):
    """The schema as one plain value: tables (columns, pk, fks, uniques, checks, indexes), views,
    sequences and PostgreSQL enum types; alembic_version left out."""
    insp = inspect(conn)
    d = conn.dialect
    snap = {"tables": {}, "views": {}, "sequences": [], "enums": {}}
    for schema in _schemas(insp, d):
        names = [t for t in insp.get_table_names(schema=schema) if t != "alembic_version"]
        if SA2 and names:
            kw = dict(schema=schema, filter_names=names)
            cols = insp.get_multi_columns(**kw)
            pks = insp.get_multi_pk_constraint(**kw)
            fks = insp.get_multi_foreign_keys(**kw)
            uqs = insp.get_multi_unique_constraints(**kw)
            cks = _safe(insp.get_multi_check_constraints, **kw) or {}
            ixs = insp.get_multi_indexes(**kw)
            for t in names:
                k = (schema, t)
                snap["tables"][_qual(schema, t)] = _table(t, schema, cols.get(k, []), pks.get(k), fks.get(k, []), uqs.get(k, []), cks.get(k, []), ixs.get(k, []), d)
        else:
            for t in names:
                snap["tables"][_qual(schema, t)] = _table(
                    t, schema, insp.get_columns(t, schema=schema), insp.get_pk_constraint(t, schema=schema),
                    insp.get_foreign_keys(t, schema=schema), insp.get_unique_constraints(t, schema=schema),
                    _safe(insp.get_check_constraints, t, schema=schema), insp.get_indexes(t, schema=schema), d)
        for v in insp.get_view_names(schema=schema):
            snap["views"][_qual(schema, v)] = _text(insp.get_view_definition(v, schema=schema))
        snap["sequences"] += [_qual(schema, s) for s in _safe(insp.get_sequence_names, schema=schema)]
    if d.name == "postgresql":
        for e in insp.get_enums(schema="*"):
            schema = None if e.get("schema") in (None, insp.default_schema_name) else e["schema"]
            snap["enums"][_qual(schema, e["name"])] = list(e["labels"])
    snap["sequences"].sort()
    return snap


def differences(a, b):
    """What changed from snapshot a to snapshot b, in words ("absent" where one side has nothing)."""
    out = []

    def cmp(kind, x, y):
        for k in sorted(set(x) | set(y), key=str):
            if x.get(k) != y.get(k):
                out.append(f"{kind} {k}: {_say(x.get(k))} -> {_say(y.get(k))}")

    cmp("view", a["views"], b["views"])
    cmp("enum type", a["enums"], b["enums"])
    cmp("sequence", {s: "present" for s in a["sequences"]}, {s: "present" for s in b["sequences"]})
    for t in sorted(set(a["tables"]) | set(b["tables"])):
        x, y = a["tables"].get(t), b["tables"].get(t)
        if x is None or y is None:
            out.append(f"table {t}: {'absent' if x is None else 'present'} -> {'absent' if y is None else 'present'}")
            continue
        cmp(f"column {t}.", x["columns"], y["columns"])
        if x["pk"] != y["pk"]:
            out.append(f"primary key of {t}: {_say(x['pk'])} -> {_say(y['pk'])}")
        for part, word in (("fks", "foreign key"), ("uniques", "unique constraint"), ("checks", "check constraint")):
            key = (lambda c: c["name"] or json.dumps(c, sort_keys=True))
            cmp(f"{word} {t}.", {key(c): c for c in x[part]}, {key(c): c for c in y[part]})
        cmp(f"index {t}.", x["indexes"], y["indexes"])
    return [re.sub(r"(column|foreign key|unique constraint|check constraint|index) (\S+)\. ", r"\1 \2.", s) for s in out]


def _say(v):
    if v is None:
        return "absent"
    if isinstance(v, dict):
        return json.dumps({k: w for k, w in v.items() if w not in (None, False, [])}, sort_keys=True)
    return json.dumps(v)


# ---- the project -------------------------------------------------------------------------------

def _revision_dirs(folder):
    """A version folder and its subfolders holding .py files (Alembic 1.8 has no recursive_version_locations);
    when they do not make one history, the folders alone (see stairway())."""
    out = []
    for d, subdirs, files in os.walk(folder):
        subdirs[:] = sorted(s for s in subdirs if s not in ("__pycache__", "tests", "test"))
        if any(f.endswith(".py") for f in files):
            out.append(d)
    return out


def script_directory(args, recursive=True):
    if args.config:
        cfg = Config(args.config)
        return cfg, ScriptDirectory.from_config(cfg)
    cfg = Config()
    dirs = [d for f in args.versions for d in (_revision_dirs(os.path.abspath(f)) if recursive else [os.path.abspath(f)])]
    here = os.path.dirname(os.path.abspath(args.versions[0]))
    cfg.set_main_option("script_location", here)
    script = ScriptDirectory(here, version_locations=dirs)
    script.stairway_locations = dirs
    return cfg, script


def walk_order(script):
    """Base to heads: reversed walk_revisions, then made stable-topological over down revisions and
    depends_on (each revision after everything it needs)."""
    revs = list(script.walk_revisions("base", "heads"))
    revs.reverse()
    by_id = {r.revision: r for r in revs}
    done, order = set(), []

    def needs(r):
        deps = list(_tuple(r.down_revision)) + list(_tuple(getattr(r, "dependencies", None)))
        return [script.revision_map.get_revision(d).revision for d in deps]

    def visit(r, stack=()):
        if r.revision in done:
            return
        for n in needs(r):
            if n not in done and n in by_id and n not in stack:
                visit(by_id[n], stack + (r.revision,))
        done.add(r.revision)
        order.append(r)

    for r in revs:
        visit(r)
    return order


def _tuple(x):
    if x is None:
        return ()
    return (x,) if isinstance(x, str) else tuple(x)


def downgrade_present(path):
    """verify's `downgrade-present`: downgrade() exists, and does something (not only `pass`, a
    docstring or `...`) unless upgrade() does nothing either (an empty revision, a merge)."""
    try:
        tree = ast.parse(open(path, encoding="utf-8").read())
    except (OSError, SyntaxError, ValueError):
        return True
    fns = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}

    def does_something(fn):
        return any(not (isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)))
                   for s in fn.body)

    if "downgrade" not in fns:
        return False
    return does_something(fns["downgrade"]) or not ("upgrade" in fns and does_something(fns["upgrade"]))


# ---- running a step ----------------------------------------------------------------------------

class StepError(Exception):
    pass


def message(e, path=None):
    line = stubs.error_line(e.__traceback__, path) if path else None
    text = f"{type(e).__name__}: {e}".strip().replace("\n", " ")
    text = re.sub(r"\s+", " ", text)[:400]
    return f"{text} (line {line})" if line else text


class InProcess:
    def __init__(self, cfg, script, url, timeout):
        self.cfg, self.script, self.timeout = cfg, script, timeout
        self.engine = create_engine(url, poolclass=pool.NullPool)

    def run(self, verb, target, path):
        script = self.script

        def fn(rev, context):
            return script._upgrade_revs(target, rev) if verb == "upgrade" else script._downgrade_revs(target, rev)

        try:
            with self.engine.connect() as conn:
                with EnvironmentContext(self.cfg, script, fn=fn, destination_rev=target, as_sql=False) as env:
                    env.configure(connection=conn, target_metadata=None)
                    with env.begin_transaction(), stubs.time_box(self.timeout):
                        env.run_migrations()
                if SA2 and conn.in_transaction():
                    conn.commit()
        except stubs.TimeUp:
            raise StepError(f"timed out after {self.timeout} s")
        except BaseException as e:  # noqa: BLE001 - the migration's failure is the result
            if isinstance(e, KeyboardInterrupt):
                raise
            raise StepError(message(e, path))


class Subprocess:
    """`python -m alembic` per step with the project's env.py; the ini copied with the URL."""

    def __init__(self, args, url):
        self.timeout = args.timeout
        src = os.path.abspath(args.config)
        here = os.path.dirname(src)
        body = open(src, encoding="utf-8").read().replace("%(here)s", here)
        body = re.sub(r"^(sqlalchemy\.url\s*[=:]).*$", lambda m: f"{m.group(1)} {url}", body, flags=re.M)
        if not re.search(r"^sqlalchemy\.url\s*[=:]", body, flags=re.M):
            body = body.replace("[alembic]", f"[alembic]\nsqlalchemy.url = {url}", 1)
        # script_location relative to the ini's folder, as Alembic resolves it from the working directory.
        self.cwd = here
        fd, self.ini = tempfile.mkstemp(suffix=".ini", prefix="stairway_")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(body)
        self.env = {**os.environ, "DATABASE_URL": url}
        self.python = args.python

    def run(self, verb, target, path):
        try:
            r = subprocess.run([self.python, "-m", "alembic", "-c", self.ini, verb, target], cwd=self.cwd, env=self.env,
                               capture_output=True, text=True, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            raise StepError(f"timed out after {self.timeout} s")
        if r.returncode != 0:
            lines = [x.strip() for x in r.stderr.splitlines() if x.strip() and not x.strip().startswith("(Background on this error")]
            errors = [x for x in lines if re.match(r"^[\w.]+(Error|Exception|Failure|Exit)\b", x)]
            raise StepError(re.sub(r"\s+", " ", (errors or lines or [f"exit {r.returncode}"])[-1])[:400])

    def close(self):
        os.unlink(self.ini)


def version_heads(engine):
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return set()
        return {r[0] for r in conn.execute(text("select version_num from alembic_version"))}


# ---- the stairway ------------------------------------------------------------------------------

def stairway(args, out):
    started = time.time()
    url = args.url
    cfg, script = script_directory(args)
    try:
        order = walk_order(script)
    except Exception:  # noqa: BLE001 - subfolders of another history (zou's versions/legacy): the folders alone
        if args.config or not all(any(f.endswith(".py") for f in os.listdir(v)) for v in args.versions):
            raise
        cfg, script = script_directory(args, recursive=False)
        order = walk_order(script)
    engine = create_engine(url, poolclass=pool.NullPool)
    out({"alembic": alembic.__version__, "sqlalchemy": sqlalchemy.__version__, "dialect": engine.dialect.name,
         "mode": args.mode, "order": [r.revision for r in order], "locations": getattr(script, "stairway_locations", None)})
    runner = InProcess(cfg, script, url, args.timeout) if args.mode == "inprocess" else Subprocess(args, url)
    rmap = script.revision_map
    stopped = None
    try:
        with engine.connect() as c:
            before = snapshot(c)
        for r in order:
            t0 = time.time()
            downs = [rmap.get_revision(d).revision for d in _tuple(r.down_revision)]
            res = {"revision": r.revision, "file": r.path, "down_revisions": downs, "upgrade": None, "downgrade": None,
                   "upgrade_again": None, "restored": None, "reproduced": None, "differences": [], "recovered": None,
                   "downgrade_present": downgrade_present(r.path)}
            heads_before = version_heads(engine)
            try:
                step(runner, engine, "upgrade", r.revision, r.path, None)
                res["upgrade"] = "ok"
            except StepError as e:
                res["upgrade"] = str(e)
                stopped = f"upgrade of {r.revision} failed"
                res["seconds"] = round(time.time() - t0, 3)
                out(res)
                break
            if UPGRADE_ONLY:
                res["seconds"] = round(time.time() - t0, 3)
                out(res)
                continue
            heads_after = version_heads(engine)
            with engine.connect() as c:
                after = snapshot(c)
            target = f"{r.revision}@{downs[0] if downs else 'base'}"
            try:
                step(runner, engine, "downgrade", target, r.path, heads_before)
                res["downgrade"] = "ok"
            except StepError as e:
                res["downgrade"] = str(e)
                res["recovered"] = recover(runner, engine, after, heads_after)
                res["seconds"] = round(time.time() - t0, 3)
                out(res)
                if res["recovered"] is None:
                    stopped = f"downgrade of {r.revision} failed and the database could not be rebuilt"
                    break
                before = after
                continue
            with engine.connect() as c:
                restored = snapshot(c)
            if SNAPSHOTS:
                res["restored"] = restored == before
                res["differences"] = [f"after downgrade: {d}" for d in differences(before, restored)]
            try:
                step(runner, engine, "upgrade", r.revision, r.path, heads_after)
                res["upgrade_again"] = "ok"
            except StepError as e:
                res["upgrade_again"] = str(e)
                res["recovered"] = recover(runner, engine, after, heads_after)
                res["seconds"] = round(time.time() - t0, 3)
                out(res)
                if res["recovered"] is None:
                    stopped = f"second upgrade of {r.revision} failed and the database could not be rebuilt"
                    break
                before = after
                continue
            with engine.connect() as c:
                again = snapshot(c)
            if SNAPSHOTS:
                res["reproduced"] = again == after
                res["differences"] += [f"after upgrade again: {d}" for d in differences(after, again)]
            res["seconds"] = round(time.time() - t0, 3)
            out(res)
            before = again
    finally:
        if isinstance(runner, Subprocess):
            runner.close()
        engine.dispose()
    out({"done": True, "seconds": round(time.time() - started, 3), "stopped": stopped})


def recover(runner, engine, after, heads_after):
    """After a failed downgrade or second upgrade: if the database is not where the first upgrade
    left it, empty it and upgrade to those heads again (unchecked), as a fresh database per revision
    would be. Returns "as is", "rebuilt", or None when rebuilding failed."""
    with engine.connect() as c:
        if version_heads(engine) == heads_after and snapshot(c) == after:
            return "as is"
    try:
        reset(engine)
        for h in sorted(heads_after):
            runner.run("upgrade", h, None)
        with engine.connect() as c:
            ok = version_heads(engine) == heads_after and snapshot(c) == after
        return "rebuilt" if ok else None
    except StepError:
        return None


def reset(engine):
    """Empties the scratch database: SQLite removes the file, PostgreSQL drops its schemas."""
    if engine.dialect.name == "sqlite":
        engine.dispose()
        db = engine.url.database
        if db and os.path.exists(db):
            os.remove(db)
        return
    with engine.connect() as conn:
        insp = inspect(conn)
        for s in insp.get_schema_names():
            if s not in PG_SYSTEM and not s.startswith("pg_"):
                conn.execute(text(f'DROP SCHEMA "{s}" CASCADE'))
        conn.execute(text("CREATE SCHEMA public"))
        if SA2:
            conn.commit()


def step(runner, engine, verb, target, path, expected_heads):
    runner.run(verb, target, path)
    got = version_heads(engine)
    if expected_heads is None:  # the first upgrade: the revision is among the heads it leaves
        expected_heads = got if target in got else got | {target}
    if got != expected_heads:
        raise StepError(f"{verb} {target} left the version table at {sorted(got)}, expected {sorted(expected_heads)}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--url", required=True)
    p.add_argument("--config")
    p.add_argument("--versions", nargs="+")
    p.add_argument("--path", nargs="*", default=[], help="where the project's own modules import from")
    p.add_argument("--root", help="the project's root (its modules fall back to stubs when they fail)")
    p.add_argument("--mode", choices=("inprocess", "subprocess"), default="inprocess")
    p.add_argument("--timeout", type=int, default=120, help="seconds per step")
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--no-snapshots", action="store_true", help="steps only, as the classic stairway test (restored/reproduced: null)")
    p.add_argument("--upgrade-only", action="store_true", help="each revision upgraded once, nothing undone (a database built as `upgrade heads` would)")
    args = p.parse_args()
    global SNAPSHOTS, UPGRADE_ONLY
    SNAPSHOTS = not args.no_snapshots
    UPGRADE_ONLY = args.upgrade_only
    if bool(args.config) == bool(args.versions):
        p.error("give --config or --versions")
    if args.mode == "subprocess" and not args.config:
        p.error("--mode subprocess runs the project's env.py: give --config")
    root = os.path.abspath(args.root or os.path.dirname(os.path.abspath(args.config or args.versions[0])))
    stubs.PROJECT_ROOTS = [root + "/"]
    stubs.TIMEOUT = args.timeout
    sys.path[:0] = [os.path.abspath(x) for x in (args.path or [root])]
    if args.mode == "inprocess":
        sys.meta_path.insert(0, stubs.StubFinder())
    import warnings
    warnings.simplefilter("ignore")
    real_stdout = sys.stdout
    sys.stdout = sys.stderr  # revision files print; stdout is for the JSON lines

    def out(obj):
        real_stdout.write(json.dumps(obj) + "\n")
        real_stdout.flush()

    try:
        stairway(args, out)
    except Exception as e:  # noqa: BLE001 - the project cannot be walked at all (e.g. a file fails to load)
        traceback.print_exc()
        out({"done": True, "error": message(e), "stopped": "the revisions could not be loaded"})
        sys.exit(2)


if __name__ == "__main__":
    main()
