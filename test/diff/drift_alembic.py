"""The reference side of `drift`: the real Alembic doing what teams do by hand to find drift.

For a live database: read its current heads, build the migrations' schema with `alembic upgrade
<head>` on a scratch database (empty, made by the caller), reflect the live database into a MetaData
(the version table left out), and run
`alembic.autogenerate.compare_metadata(MigrationContext.configure(scratch_conn), reflected)`.
compare_metadata reads the MetaData as the "model" and the connection as the "database", so its
add_* are what the live database has and the migrations do not (drift's "extra"), its remove_*
what the migrations have and the live database lacks ("missing").

Options given: compare_type=True (the default from Alembic 1.12; 1.8's default is False),
compare_server_default=False (Alembic's default: its default comparison is a heuristic on rendered
text, off unless asked). What compare_metadata never looks at: CHECK constraints, enum labels,
primary key changes, sequences, views.

Run by /usr/bin/python3 (Debian's Alembic 1.8 + SQLAlchemy 1.4).
    drift_alembic.py --config alembic.ini --live URL --scratch URL
Prints one JSON object: {"alembic", "sqlalchemy", "heads": [...], "diffs": [[kind, what, table, name, property], ...]}
with kind missing|extra|changed, what table|column|index|unique|foreign key.
"""
import argparse
import json
import sys
import warnings

import alembic
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext


def flatten(diffs):
    for d in diffs:
        if isinstance(d, list):
            yield from flatten(d)
        else:
            yield d


def normalize(d):
    op = d[0]
    side = 'extra' if op.startswith('add_') else 'missing' if op.startswith('remove_') else 'changed'
    if op in ('add_table', 'remove_table'):
        return [side, 'table', d[1].name, '', '']
    if op in ('add_column', 'remove_column'):
        return [side, 'column', d[2], d[3].name, '']
    if op in ('add_index', 'remove_index'):
        return [side, 'index', d[1].table.name, d[1].name, '']
    if op in ('add_constraint', 'remove_constraint'):
        return [side, 'unique', d[1].table.name, d[1].name or '', '']
    if op in ('add_fk', 'remove_fk'):
        return [side, 'foreign key', d[1].parent.name, d[1].name or '', '']
    if op.startswith('modify_'):
        prop = {'modify_type': 'type', 'modify_nullable': 'nullability', 'modify_default': 'default', 'modify_comment': 'comment'}[op]
        return [side, 'column', d[2], d[3], prop]
    return [side, op, '', '', '']


def main():
    # SQLAlchemy reflects a table's foreign key targets recursively: deep chains need room.
    sys.setrecursionlimit(20000)
    # SQLAlchemy 1.4 does not reflect expression indexes on PostgreSQL (it says so, and compare_metadata cannot see them).
    warnings.filterwarnings('ignore', message='Skipped unsupported reflection of expression-based index')
    p = argparse.ArgumentParser()
    p.add_argument('--config', required=True)
    p.add_argument('--live', required=True)
    p.add_argument('--scratch', required=True)
    a = p.parse_args()

    live = sa.create_engine(a.live)
    with live.connect() as conn:
        heads = list(MigrationContext.configure(conn).get_current_heads())
    cfg = Config(a.config)
    cfg.set_main_option('sqlalchemy.url', a.scratch)
    for h in heads:
        command.upgrade(cfg, h)

    reflected = sa.MetaData()
    reflected.reflect(bind=live)
    if 'alembic_version' in reflected.tables:
        reflected.remove(reflected.tables['alembic_version'])
    scratch = sa.create_engine(a.scratch)
    with scratch.connect() as conn:
        mc = MigrationContext.configure(conn, opts={'compare_type': True, 'compare_server_default': False})
        diffs = [normalize(d) for d in flatten(compare_metadata(mc, reflected))]
    # The scratch database's own version table is not in the reflected MetaData.
    diffs = [d for d in diffs if not (d[1] == 'table' and d[2] == 'alembic_version')]
    json.dump({'alembic': alembic.__version__, 'sqlalchemy': sa.__version__, 'heads': heads, 'diffs': sorted(diffs)}, sys.stdout)


if __name__ == '__main__':
    main()
