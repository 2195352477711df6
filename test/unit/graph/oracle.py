"""Answers revision-map queries with the real Alembic, for the differential unit tests.

stdin: [{"revs": [{"id", "down": [...], "labels": [...], "depends": [...]}], "queries": [...]}]
stdout: per graph, the map's heads/bases and, per query, {"ok": [ids]} or {"err": class, "msg": text}.
"""
import json
import sys

from alembic.script.revision import Revision, RevisionError, RevisionMap


def ident(v):
    return tuple(v) if isinstance(v, list) else v


def name(x):
    return x if x is None or isinstance(x, str) else x.revision


out = []
for graph in json.load(sys.stdin):
    res = {"queries": []}
    try:
        revs = [
            Revision(
                r["id"],
                tuple(r["down"]) if len(r["down"]) > 1 else (r["down"][0] if r["down"] else None),
                dependencies=tuple(r["depends"]),
                branch_labels=tuple(r["labels"]),
            )
            for r in graph["revs"]
        ]
        m = RevisionMap(lambda: revs)
        res.update(heads=list(m.heads), bases=list(m.bases), real_heads=list(m._real_heads), real_bases=list(m._real_bases))
    except Exception as e:
        res["build_err"] = {"err": type(e).__name__, "msg": str(e)}
        out.append(res)
        continue
    for q in graph["queries"]:
        try:
            if q["op"] == "get":
                r = [name(x) for x in m.get_revisions(ident(q["id"]))]
            else:
                r = [
                    x.revision
                    for x in m.iterate_revisions(
                        ident(q["upper"]), ident(q["lower"]),
                        implicit_base=q.get("implicit", False), inclusive=q.get("inclusive", False),
                        assert_relative_length=q.get("assertLength", True), select_for_downgrade=q["op"] == "down",
                    )
                ]
            res["queries"].append({"ok": r})
        except RevisionError as e:
            res["queries"].append({"err": type(e).__name__, "msg": str(e), "revision_error": True})
        except Exception as e:
            res["queries"].append({"err": type(e).__name__, "msg": str(e)})
    out.append(res)
print(json.dumps(out))
